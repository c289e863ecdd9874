//! Persistence on SQLite: opening with clear diagnostics, versioned migrations, and one
//! `BEGIN IMMEDIATE` transaction for every mutation.

mod check;
mod history;
mod ipams;
pub mod ops;
mod pools;
pub mod report;
mod schema;
mod shares;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::ipam::{Error, ErrorKind, Result};

pub use pools::SqlFreeSpace;
pub use schema::SCHEMA_VERSION;

/// How long a writer waits for another process's transaction before giving up, unless
/// `IPAM_BUSY_TIMEOUT_MS` says otherwise.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The busy timeout in force.
pub fn busy_timeout() -> Duration {
    std::env::var("IPAM_BUSY_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(BUSY_TIMEOUT, Duration::from_millis)
}

/// The database.
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

/// A transaction; the typed queries are methods on it.
pub struct Tx<'a> {
    tx: rusqlite::Transaction<'a>,
}

impl std::ops::Deref for Tx<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.tx
    }
}

fn db_error(path: &Path, e: rusqlite::Error) -> Error {
    let p = path.display();
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
            C::ReadOnly => (
                "Database is read-only",
                format!(
                    "{p} cannot be written. Check the file's permissions and those of its directory (SQLite writes -wal and -shm files beside it)."
                ),
            ),
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

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.is_dir()
        {
            return Err(Error::new(
                    ErrorKind::Storage,
                    "Database directory does not exist",
                    format!("The directory {} of the database {} does not exist. Create it, or set `database` to a path in an existing directory.", dir.display(), path.display()),
                )
                .at("database"));
        }
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| db_error(&path, e).at("database"))?;
        let store = Store {
            conn: Mutex::new(conn),
            path,
        };
        store.init().map_err(|e| e.at("database"))?;
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn init(&self) -> Result<()> {
        let mut conn = self.lock();
        let path = self.path.clone();
        let e = |err| db_error(&path, err);
        conn.busy_timeout(busy_timeout()).map_err(e)?;
        conn.set_prepared_statement_cache_capacity(128);
        // Reading the schema version first also detects a file that is not a database.
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(e)?;
        if version > SCHEMA_VERSION {
            return Err(Error::new(
                ErrorKind::Storage,
                "Database is from a newer provider",
                format!(
                    "{} has schema version {version}, but this terraform-provider-ipam knows versions up to {SCHEMA_VERSION}. \
                     Upgrade the provider; this version will not touch the file.",
                    path.display()
                ),
            ));
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
        conn.execute_batch("PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-32768;")
            .map_err(e)?;
        if version < SCHEMA_VERSION {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(e)?;
            // Another process may have migrated while this one waited for the lock.
            let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(e)?;
            schema::migrate(&tx, now).map_err(e)?;
            tx.commit().map_err(e)?;
        }
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves the connection usable: SQLite rolls back the
        // unfinished transaction when the next one begins.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` in a read transaction.
    pub fn read<T>(&self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        self.run(TransactionBehavior::Deferred, f, false)
    }

    /// Runs `f` in one write transaction (`BEGIN IMMEDIATE`): committed when `f` succeeds, rolled
    /// back entirely when it fails, so a refused change writes nothing.
    pub fn write<T>(&self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        self.run(TransactionBehavior::Immediate, f, true)
    }

    fn run<T>(&self, behavior: TransactionBehavior, f: impl FnOnce(&Tx) -> Result<T>, commit: bool) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(behavior)
            .map_err(|e| db_error(&self.path, e))?;
        let tx = Tx { tx };
        let out = f(&tx)?;
        if commit {
            tx.tx.commit().map_err(|e| db_error(&self.path, e))?;
        }
        Ok(out)
    }
}

impl Tx<'_> {
    /// Converts a query error.
    pub(crate) fn err(&self, e: rusqlite::Error) -> Error {
        Error::storage(e.to_string())
    }

    /// Executes a statement through the statement cache (parsing SQL dominates otherwise).
    pub(crate) fn exec(&self, sql: &str, p: impl rusqlite::Params) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(p)
    }

    /// Executes a statement through the statement cache, as a domain result.
    pub(crate) fn write_sql(&self, sql: &str, p: impl rusqlite::Params) -> Result<()> {
        self.exec(sql, p).map(|_| ()).map_err(|e| self.err(e))
    }

    /// Runs a one-row query through the statement cache.
    pub(crate) fn row<T>(
        &self,
        sql: &str,
        p: impl rusqlite::Params,
        f: impl FnOnce(&rusqlite::Row) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        self.prepare_cached(sql)?.query_row(p, f)
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
        assert_eq!(e.attribute.as_deref(), Some("database"));
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
                let v = tx
                    .query_row("PRAGMA user_version", [], |r| r.get(0))
                    .map_err(|e| tx.err(e))?;
                let m = tx
                    .query_row("PRAGMA journal_mode", [], |r| r.get(0))
                    .map_err(|e| tx.err(e))?;
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
            tx.execute("INSERT INTO meta(key, value) VALUES ('k', 'v')", [])
                .map_err(|e| tx.err(e))?;
            Err(Error::invalid("no", "refused"))
        });
        assert!(r.is_err());
        let n: i64 = s
            .read(|tx| {
                tx.query_row("SELECT count(*) FROM meta WHERE key='k'", [], |r| r.get(0))
                    .map_err(|e| tx.err(e))
            })
            .unwrap();
        assert_eq!(n, 0);
    }
}
