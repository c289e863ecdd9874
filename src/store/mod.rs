//! Persistence: the embedded SQLite database (default) or a shared PostgreSQL server
//! (`database = "postgres://…"`), behind one set of typed queries. Opening gives clear
//! diagnostics, migrations are versioned, and every mutation is one transaction that holds the
//! database's write lock (`BEGIN IMMEDIATE` on SQLite, an advisory transaction lock on PostgreSQL).

mod check;
pub mod copy;
#[cfg(test)]
mod fixtures;
mod free_cache;
mod free_space;
mod history;
mod ipams;
pub mod location;
mod pg;
mod pools;
pub mod report;
mod schema;
mod shares;
pub(crate) mod sql;
mod storage_impl;
mod timeout;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::ipam::{Error, ErrorKind, Result};
pub use location::{Location, check_location, is_postgres_url, redact, shown};
pub use schema::SCHEMA_VERSION;
use sql::{FromVal, Param, Row};
pub use timeout::{busy_timeout, busy_timeout_setting};

/// Which database engine a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The database.
pub struct Store {
    backend: Backend,
    location: String,
}

enum Backend {
    Sqlite {
        conn: Box<Mutex<SqliteConn>>,
        path: PathBuf,
    },
    Postgres(Box<pg::Pool>),
}

/// A SQLite connection and what it keeps between transactions.
struct SqliteConn {
    conn: Connection,
    free: free_cache::FreeCache,
}

/// A transaction; the typed queries are methods on it.
pub struct Tx<'a> {
    inner: TxInner<'a>,
    /// The in-memory copies of free blocks a SQLite write transaction may use.
    free: Option<RefCell<&'a mut free_cache::FreeCache>>,
}

enum TxInner<'a> {
    Sqlite(rusqlite::Transaction<'a>),
    Postgres(RefCell<pg::PgTx<'a>>),
}

fn db_error(path: &Path, e: rusqlite::Error) -> Error {
    let p = shown(path);
    if let rusqlite::Error::SqliteFailure(f, _) = &e {
        use rusqlite::ErrorCode as C;
        let (summary, detail) = match f.code {
            C::DatabaseBusy | C::DatabaseLocked => (
                "Database is locked",
                format!(
                    "Another process held a write lock on {p} for longer than {} ms. Nothing was changed. Wait for the other `terraform apply` to finish and retry \
                     (IPAM_BUSY_TIMEOUT_MS sets how long to wait).",
                    busy_timeout().as_millis()
                ),
            ),
            C::NotADatabase => (
                "File is not an IPAM database",
                format!(
                    "{p} exists but is not a SQLite database. Point `database` at another file, or move this one away."
                ),
            ),
            C::DatabaseCorrupt => (
                "Database is corrupt",
                format!("{p} is damaged. Restore it from a backup; `PRAGMA integrity_check` shows the damage."),
            ),
            C::ReadOnly => return read_only_error(path),
            C::CannotOpen => (
                "Cannot open the database",
                format!("{p} cannot be opened. Check that its directory exists and is writable."),
            ),
            C::DiskFull => (
                "Disk is full",
                format!("There is no space left to write {p}. Nothing was changed; free some space and retry."),
            ),
            C::PermissionDenied => (
                "Permission denied",
                format!("{p} cannot be accessed. Check the file's permissions."),
            ),
            _ => ("Database error", format!("{p}: {e}")),
        };
        return Error::new(ErrorKind::Storage, summary, detail);
    }
    Error::storage(format!("{p}: {e}"))
}

/// The one error for a database that cannot be written (a read-only file, directory or file
/// system), wherever SQLite finds out: on opening, or at the first write.
fn read_only_error(path: &Path) -> Error {
    Error::new(
        ErrorKind::Storage,
        "Database is read-only",
        format!(
            "{} cannot be written. Check that its file system is mounted read-write, and the permissions of the file and of its directory (SQLite writes -wal and -shm files beside it).",
            shown(path)
        ),
    )
}

impl Store {
    /// Opens the database and brings its schema up to date: a SQLite file (created if needed),
    /// or a PostgreSQL database when `location` is a `postgres://` or `postgresql://` URL.
    pub fn open(location: impl AsRef<Path>) -> Result<Store> {
        busy_timeout_setting()?;
        let location = location.as_ref().to_string_lossy();
        let path = match check_location(&location, "`database`").map_err(|e| e.at("database"))? {
            Location::Postgres(url) => {
                let pool = pg::Pool::open(&url).map_err(|e| e.at("database"))?;
                return Ok(Store {
                    location: pool.display().to_string(),
                    backend: Backend::Postgres(Box::new(pool)),
                });
            }
            Location::Sqlite(path) => path,
        };
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| db_error(&path, e).at("database"))?;
        // SQLite opens a file it cannot write read-only; on a read-only file system reading it
        // then fails too, for want of the -shm file (SQLITE_CANTOPEN). Report that as read-only.
        let read_only = conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false);
        init_sqlite(&conn, &path).map_err(|e| {
            let e = if read_only && e.summary == "Cannot open the database" {
                read_only_error(&path)
            } else {
                e
            };
            e.at("database")
        })?;
        Ok(Store {
            location: shown(&path),
            backend: Backend::Sqlite {
                conn: Box::new(Mutex::new(SqliteConn {
                    conn,
                    free: free_cache::FreeCache::default(),
                })),
                path,
            },
        })
    }

    /// Whether SQLite write transactions search the free blocks of pools in a copy kept in
    /// memory (the default) or with a statement for each search (to compare the two in
    /// benchmarks and tests). PostgreSQL always searches with statements.
    pub fn keep_free_space_in_memory(&self, on: bool) {
        if let Backend::Sqlite { conn, .. } = &self.backend {
            let mut g = lock(conn);
            g.free.enabled = on;
            g.free.clear();
        }
    }

    /// Where the database is: the SQLite file, or the PostgreSQL URL without its password.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// Whether opening this store created the provider's tables in a PostgreSQL database that
    /// had none (a new SQLite file is a file of its own, removed as a whole).
    pub fn created_schema(&self) -> bool {
        match &self.backend {
            Backend::Sqlite { .. } => false,
            Backend::Postgres(pool) => pool.created_schema(),
        }
    }

    /// The engine under this store.
    pub fn engine(&self) -> Engine {
        match self.backend {
            Backend::Sqlite { .. } => Engine::Sqlite,
            Backend::Postgres(_) => Engine::Postgres,
        }
    }

    /// Runs `f` in a read transaction (one consistent snapshot).
    pub fn read<T>(&self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        self.run(false, f)
    }

    /// Runs `f` in one write transaction that holds the database's write lock: committed when
    /// `f` succeeds, rolled back entirely when it fails, so a refused change writes nothing.
    pub fn write<T>(&self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        self.run(true, f)
    }

    fn run<T>(&self, write: bool, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        match &self.backend {
            Backend::Sqlite { conn, path } => {
                let mut guard = lock(conn);
                let SqliteConn { conn, free } = &mut *guard;
                // A read-only connection (see `open`) would fail at its first statement with
                // SQLite's bare "attempt to write a readonly database": refuse with the same
                // error as on opening.
                if write && conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
                    return Err(read_only_error(path));
                }
                let behavior = if write {
                    TransactionBehavior::Immediate
                } else {
                    TransactionBehavior::Deferred
                };
                let tx = conn
                    .transaction_with_behavior(behavior)
                    .map_err(|e| db_error(path, e))?;
                let free = if write && free.enabled {
                    // Under the write lock: no other connection can commit until this one ends.
                    let version: i64 = tx
                        .prepare_cached("PRAGMA data_version")
                        .and_then(|mut st| st.query_row([], |r| r.get(0)))
                        .map_err(|e| db_error(path, e))?;
                    free.begin(version);
                    Some(RefCell::new(free))
                } else {
                    None
                };
                let tx = Tx {
                    inner: TxInner::Sqlite(tx),
                    free,
                };
                let out = f(&tx);
                let Tx {
                    inner: TxInner::Sqlite(sqlite_tx),
                    free,
                } = tx
                else {
                    unreachable!("a SQLite store makes SQLite transactions")
                };
                let committed = match out {
                    Ok(out) if write => sqlite_tx.commit().map(|()| out).map_err(|e| db_error(path, e)),
                    other => other,
                };
                if committed.is_err()
                    && let Some(free) = free
                {
                    // Rolled back: the copies may hold changes the table no longer has.
                    free.into_inner().clear();
                }
                committed
            }
            Backend::Postgres(pool) => pool.run(write, |ptx| {
                let tx = Tx {
                    inner: TxInner::Postgres(RefCell::new(ptx)),
                    free: None,
                };
                let out = f(&tx)?;
                let TxInner::Postgres(cell) = tx.inner else {
                    unreachable!("a PostgreSQL store makes PostgreSQL transactions")
                };
                Ok((out, cell.into_inner()))
            }),
        }
    }
}

/// The SQLite connection, for one transaction. A panic while holding the lock leaves the
/// connection usable (SQLite rolls back the unfinished transaction when the next one begins);
/// the free-block copies may have been half updated, so they go.
fn lock(conn: &Mutex<SqliteConn>) -> std::sync::MutexGuard<'_, SqliteConn> {
    conn.lock().unwrap_or_else(|poisoned| {
        let mut g = poisoned.into_inner();
        g.free.clear();
        conn.clear_poison();
        g
    })
}

fn init_sqlite(conn: &Connection, path: &Path) -> Result<()> {
    let e = |err| db_error(path, err);
    conn.busy_timeout(busy_timeout()).map_err(e)?;
    conn.set_prepared_statement_cache_capacity(128);
    // Plans are made once per cached statement. Without this, SQLite (built with STAT4)
    // re-plans a statement whenever a new value is bound to a parameter its planner looked at,
    // which for the free-space queries cost more than running them; every query here is written
    // for one index, so the plan never depends on the values.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
        .map_err(e)?;
    // Reading the schema version first also detects a file that is not a database.
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(e)?;
    if version > SCHEMA_VERSION {
        return Err(schema::newer_error(&shown(path), version));
    }
    if version == 0 {
        // Small pages: an allocation touches a handful of index pages, and every dirty page
        // is written to the WAL at commit. Takes effect only on a new, empty file.
        conn.execute_batch("PRAGMA page_size = 1024").map_err(e)?;
    }
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).map_err(e)?;
    if !mode.eq_ignore_ascii_case("wal") {
        conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(())).map_err(e)?;
    }
    // A 2 MiB page cache (the rest of the file stays in the OS page cache). SQLite walks the
    // whole hash table of its page cache at the end of every write transaction that rebalanced
    // a B-tree (the rebalance parks a page at a page number past the end of the file), so a
    // large cache made each commit slower: 32 MiB of 1 KiB pages cost about 40 us per
    // allocation (docs/benchmarks.md).
    conn.execute_batch(
        "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-2000; PRAGMA wal_autocheckpoint=10000;",
    )
    .map_err(e)?;
    if version < SCHEMA_VERSION {
        let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate).map_err(e)?;
        // Another process may have migrated while this one waited for the lock.
        let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(e)?;
        schema::migrate_sqlite(&tx, now).map_err(e)?;
        tx.commit().map_err(e)?;
    }
    Ok(())
}

impl<'a> Tx<'a> {
    /// The engine this transaction runs on.
    pub fn engine(&self) -> Engine {
        match self.inner {
            TxInner::Sqlite(_) => Engine::Sqlite,
            TxInner::Postgres(_) => Engine::Postgres,
        }
    }

    /// Converts a SQLite query error.
    fn sqlite_err(e: rusqlite::Error) -> Error {
        Error::storage(e.to_string())
    }

    /// Drops every in-memory copy of free blocks, provisioned CIDRs and scope types (the next
    /// search reads the tables). Every writer that changes what is copied other than through
    /// the allocator calls it: provisioning or deprovisioning a CIDR, deleting free blocks,
    /// deleting a pool, a scope or an IPAM (and what cascades from them), copying rows in.
    pub(crate) fn invalidate_free_space(&self) {
        if let Some(free) = &self.free {
            free.borrow_mut().clear();
        }
    }

    /// The in-memory copies of free blocks, in a SQLite write transaction.
    pub(crate) fn free_cache(&self) -> Option<std::cell::RefMut<'_, &'a mut free_cache::FreeCache>> {
        self.free.as_ref().map(|f| f.borrow_mut())
    }

    /// Executes a statement (through the statement cache); the number of rows it changed. It
    /// leaves the in-memory copies alone: a writer that changes what they hold calls
    /// [`Tx::invalidate_free_space`].
    pub(crate) fn exec(&self, sql: &str, args: &[Param]) -> Result<usize> {
        match &self.inner {
            TxInner::Sqlite(tx) => tx
                .prepare_cached(sql)
                .and_then(|mut st| st.execute(rusqlite::params_from_iter(args.iter())))
                .map_err(Tx::sqlite_err),
            TxInner::Postgres(tx) => tx.borrow_mut().execute(sql, args),
        }
    }

    /// Executes a statement that only writes.
    pub(crate) fn write_sql(&self, sql: &str, args: &[Param]) -> Result<()> {
        self.exec(sql, args).map(|_| ())
    }

    /// Every row of a query (through the statement cache).
    pub(crate) fn query(&self, sql: &str, args: &[Param]) -> Result<Vec<Row>> {
        match &self.inner {
            TxInner::Sqlite(tx) => {
                let run = || -> rusqlite::Result<Vec<Row>> {
                    let mut st = tx.prepare_cached(sql)?;
                    let n = st.column_count();
                    let mut rows = st.query(rusqlite::params_from_iter(args.iter()))?;
                    let mut out = Vec::new();
                    while let Some(r) = rows.next()? {
                        out.push(sql::sqlite_row(r, n)?);
                    }
                    Ok(out)
                };
                run().map_err(Tx::sqlite_err)
            }
            TxInner::Postgres(tx) => tx.borrow_mut().query(sql, args),
        }
    }

    /// Every row of a query, each mapped by `f`.
    pub(crate) fn rows<T>(&self, sql: &str, args: &[Param], f: impl Fn(&Row) -> Result<T>) -> Result<Vec<T>> {
        self.query(sql, args)?.iter().map(f).collect()
    }

    /// The first row of a query, mapped by `f`, if there is one.
    pub(crate) fn opt<T>(&self, sql: &str, args: &[Param], f: impl FnOnce(&Row) -> Result<T>) -> Result<Option<T>> {
        self.query(sql, args)?.first().map(f).transpose()
    }

    /// The first column of the one row a query returns (a count, a version).
    pub(crate) fn scalar<T: FromVal>(&self, sql: &str, args: &[Param]) -> Result<T> {
        self.opt(sql, args, |r| r.get(0))?
            .ok_or_else(|| Error::storage(format!("the query returned no row: {sql}")))
    }
}

/// Tags as stored (JSON object text).
pub(crate) fn tags_to_json(tags: &crate::ipam::model::Tags) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "{}".into())
}

/// Tags from their stored text.
pub(crate) fn tags_from_json(s: &str) -> crate::ipam::model::Tags {
    serde_json::from_str(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_directory_is_a_clear_error() {
        let e = Store::open("/nonexistent-dir-xyz/db.sqlite").err().unwrap();
        assert!(e.summary.contains("directory does not exist"), "{e:?}");
        assert_eq!(e.attribute().as_deref(), Some("database"));
    }

    #[test]
    fn not_a_database_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.db");
        std::fs::write(
            &p,
            b"this is certainly not a sqlite file, it is plain text and long enough",
        )
        .unwrap();
        let e = Store::open(&p).err().unwrap();
        assert_eq!(e.summary, "File is not an IPAM database", "{e:?}");
    }

    /// A cached statement keeps its plan when new values are bound: SQLite would otherwise
    /// re-plan the free-space queries on every call (their cost was mostly planning).
    #[test]
    fn cached_statements_are_not_replanned_on_new_bindings() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path().join("x.db")).unwrap();
        let Backend::Sqlite { conn, .. } = &s.backend else {
            unreachable!("a file store is SQLite")
        };
        let conn = &conn.lock().unwrap().conn;
        // The search for the lowest free block of one prefix length (`SqlFreeSpace`).
        let sql = "SELECT family, start, prefix FROM free_blocks WHERE pool_id = ?1 AND family = ?2 AND prefix = ?3 \
                   ORDER BY start LIMIT 1";
        for i in 0..5_i64 {
            let mut st = conn.prepare_cached(sql).unwrap();
            let found: Option<i64> = st
                .query_row(rusqlite::params![format!("pool-{i}"), 4, 20 + i], |r| r.get(2))
                .ok();
            assert_eq!(found, None);
            assert_eq!(st.get_status(rusqlite::StatementStatus::RePrepare), 0, "call {i}");
        }
    }

    #[test]
    fn newer_schema_is_refused_and_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.db");
        {
            let c = Connection::open(&p).unwrap();
            c.execute_batch(&format!("PRAGMA user_version = {}", SCHEMA_VERSION + 1))
                .unwrap();
        }
        let e = Store::open(&p).err().unwrap();
        assert!(e.summary.contains("newer"), "{e:?}");
        let c = Connection::open(&p).unwrap();
        let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, SCHEMA_VERSION + 1);
    }

    #[test]
    fn migrations_are_idempotent_and_wal_is_on() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.db");
        drop(Store::open(&p).unwrap());
        let s = Store::open(&p).unwrap();
        let (v, mode): (i64, String) = s
            .read(|tx| {
                let v = tx.scalar("PRAGMA user_version", &[])?;
                let m = tx.scalar("PRAGMA journal_mode", &[])?;
                Ok((v, m))
            })
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        assert_eq!(mode, "wal");
    }

    #[test]
    fn failed_write_rolls_back() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path().join("x.db")).unwrap();
        let r: Result<()> = s.write(|tx| {
            tx.write_sql("INSERT INTO meta(key, value) VALUES ('k', 'v')", &[])?;
            Err(Error::invalid("no", "refused"))
        });
        assert!(r.is_err());
        let n: i64 = s
            .read(|tx| tx.scalar("SELECT count(*) FROM meta WHERE key='k'", &[]))
            .unwrap();
        assert_eq!(n, 0);
    }
}
