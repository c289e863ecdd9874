//! The PostgreSQL backend: a small pool of connections kept by `r2d2` (TLS through rustls when
//! the URL asks for it), migrations under an advisory lock so that processes starting at once migrate once, and
//! transactions with the same guarantees as SQLite's: every write transaction first takes one
//! advisory transaction lock, so writers run one at a time across every process and runner;
//! reads see one snapshot (`REPEATABLE READ`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use postgres::config::SslMode;
use postgres::types::ToSql;
use postgres::{Client, IsolationLevel, NoTls, Statement};

use super::location::redact;
use super::schema::{self, SCHEMA_VERSION};
use super::sql::{self, Param, Row};
use super::timeout::busy_timeout;
use crate::ipam::{Error, ErrorKind, Result};

/// The advisory lock every write transaction holds ("ipam" and 1).
const WRITE_LOCK: i64 = 0x6970_616d_0001;
/// The advisory lock migrations hold.
const MIGRATE_LOCK: i64 = 0x6970_616d_0002;
/// Connections one provider process keeps at most.
const MAX_CONNECTIONS: u32 = 8;
/// How long connecting may take, unless the URL says (`connect_timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection and its prepared statements.
pub struct PgConn {
    client: Client,
    cache: HashMap<String, Statement>,
}

/// A transaction on a pooled connection.
pub struct PgTx<'a> {
    tx: postgres::Transaction<'a>,
    cache: &'a mut HashMap<String, Statement>,
}

/// Makes the pool's connections; `r2d2` decides when, and keeps them.
struct Connector {
    config: postgres::Config,
    tls: Option<tokio_postgres_rustls::MakeRustlsConnect>,
    display: String,
    /// The connection opening made (and migrated the schema on), handed to the pool first.
    first: Mutex<Option<PgConn>>,
    /// Why the latest attempt to connect failed; cleared by the next one that succeeds.
    last_error: Arc<Mutex<Option<Error>>>,
}

/// The pool of connections to one database.
pub struct Pool {
    /// Always `Some` until dropped (see `Drop`).
    pool: Option<r2d2::Pool<Connector>>,
    display: String,
    /// The connector's latest error, reported when no connection could be had.
    last_error: Arc<Mutex<Option<Error>>>,
    /// Whether opening this pool created the provider's tables (the database had none).
    created_schema: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Drop for Pool {
    fn drop(&mut self) {
        // Closing a connection blocks on the client library's own runtime, which must not
        // happen on a thread that drives async tasks (the plugin server drops the provider
        // there when Terraform shuts it down): close them on a plain thread.
        let Some(pool) = self.pool.take() else { return };
        if let Ok(closer) = std::thread::Builder::new()
            .name("ipam-pg-close".into())
            .spawn(move || drop(pool))
        {
            let _ = closer.join();
        }
    }
}

fn invalid_url(detail: String) -> Error {
    Error::new(ErrorKind::Storage, "Invalid PostgreSQL URL", detail)
}

/// The URL without `sslrootcert` (which the client library does not parse), and that value.
fn split_root_cert(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), None);
    };
    let mut root = None;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|kv| match kv.strip_prefix("sslrootcert=") {
            Some(v) => {
                root = Some(v.to_string());
                false
            }
            None => true,
        })
        .collect();
    if rest.is_empty() {
        (base.to_string(), root)
    } else {
        (format!("{base}?{}", rest.join("&")), root)
    }
}

/// How the database is named in messages: never with its password.
fn display(config: &postgres::Config) -> String {
    let user = config.get_user().unwrap_or("");
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            postgres::config::Host::Tcp(h) => h.clone(),
            postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().unwrap_or(user);
    let at = if user.is_empty() {
        String::new()
    } else {
        format!("{user}@")
    };
    format!("postgres://{at}{host}:{port}/{db}")
}

fn tls_connector(root_cert: Option<String>) -> Result<tokio_postgres_rustls::MakeRustlsConnect> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let tls_error = |detail: String| Error::new(ErrorKind::Storage, "Cannot set up TLS for PostgreSQL", detail);
    let mut roots = rustls::RootCertStore::empty();
    match root_cert.or_else(|| std::env::var("PGSSLROOTCERT").ok()) {
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(&path)
                .map_err(|e| tls_error(format!("cannot read the CA certificates in {path}: {e}")))?;
            for cert in certs {
                let cert = cert.map_err(|e| tls_error(format!("{path} holds a bad certificate: {e}")))?;
                roots
                    .add(cert)
                    .map_err(|e| tls_error(format!("{path} holds a certificate rustls refuses: {e}")))?;
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                // A system certificate rustls cannot use is skipped, as a browser would.
                let _ = roots.add(cert);
            }
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// A statement error as a domain error.
fn statement_error(e: postgres::Error) -> Error {
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        let (summary, detail) = match code {
            "55P03" => (
                "Database is locked",
                format!(
                    "Another transaction held the IPAM write lock for longer than {} ms. Nothing was changed. Wait for the other \
                     `terraform apply` to finish and retry (IPAM_BUSY_TIMEOUT_MS sets how long to wait).",
                    busy_timeout().as_millis()
                ),
            ),
            "53100" => (
                "Disk is full",
                "The PostgreSQL server has no space left. Nothing was changed; free some space and retry.".to_string(),
            ),
            "25006" => (
                "Database is read-only",
                "The PostgreSQL server refuses writes (a hot standby, or default_transaction_read_only). Point `database` at the primary."
                    .to_string(),
            ),
            "42501" => (
                "Permission denied",
                format!(
                    "The PostgreSQL user may not do this: {}. Grant it the rights on the IPAM tables.",
                    db.message()
                ),
            ),
            _ => ("Database error", format!("{} (SQLSTATE {code})", db.message())),
        };
        return Error::new(ErrorKind::Storage, summary, detail);
    }
    if e.is_closed() {
        return Error::new(
            ErrorKind::Storage,
            "Lost the connection to the database",
            "The PostgreSQL server closed the connection. Nothing of the interrupted change was kept; retry when the server is back.",
        );
    }
    Error::storage(e.to_string())
}

impl Pool {
    /// Connects to the database at `url` and brings its schema up to date.
    pub fn open(url: &str) -> Result<Pool> {
        let (url, root_cert) = split_root_cert(url);
        let mut config: postgres::Config = url.parse().map_err(|e: postgres::Error| {
            invalid_url(format!(
                "`database` is not a valid PostgreSQL URL ({}). Use postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require].",
                redact(&e.to_string())
            ))
        })?;
        if config.get_dbname().is_none() && config.get_user().is_none() {
            return Err(invalid_url(
                "The URL names neither a database nor a user. Use postgres://USER@HOST[:PORT]/DATABASE.".into(),
            ));
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("terraform-provider-ipam");
        }
        let tls = match config.get_ssl_mode() {
            SslMode::Disable => None,
            _ => Some(tls_connector(root_cert)?),
        };
        // Waiting for a connection outlasts a writer that waits for the write lock, then
        // connects anew.
        let wait = busy_timeout() + config.get_connect_timeout().copied().unwrap_or(CONNECT_TIMEOUT);
        let connector = Connector {
            display: display(&config),
            config,
            tls,
            first: Mutex::new(None),
            last_error: Arc::default(),
        };
        // The first connection is made here, so that a server that is down, a refused login or
        // a missing database is reported at once.
        let first = connector.open_connection()?;
        *lock(&connector.first) = Some(first);
        let mut pool = Pool {
            display: connector.display.clone(),
            last_error: connector.last_error.clone(),
            pool: Some(
                r2d2::Pool::builder()
                    .max_size(MAX_CONNECTIONS)
                    // Connections are made when needed and kept for the life of the process.
                    .min_idle(Some(0))
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .test_on_check_out(false)
                    .connection_timeout(wait)
                    // Errors reach the caller (see `get`), not a log.
                    .error_handler(Box::new(r2d2::NopErrorHandler))
                    .build_unchecked(connector),
            ),
            created_schema: false,
        };
        pool.created_schema = pool.migrate()?;
        Ok(pool)
    }

    fn pool(&self) -> &r2d2::Pool<Connector> {
        self.pool.as_ref().expect("a pool is only taken when dropped")
    }

    /// Whether opening this pool created the provider's tables in a database that had none.
    pub fn created_schema(&self) -> bool {
        self.created_schema
    }

    /// The database, for messages.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// A connection from the pool (a new one when none is idle and fewer than
    /// `MAX_CONNECTIONS` are open; otherwise the first one given back).
    fn get(&self) -> Result<r2d2::PooledConnection<Connector>> {
        self.pool().get().map_err(|e| {
            lock(&self.last_error).clone().unwrap_or_else(|| {
                Error::new(
                    ErrorKind::Storage,
                    "No free connection to the database",
                    format!(
                        "{}: all {MAX_CONNECTIONS} connections this provider keeps stayed busy ({e}). Nothing was changed; retry, or run fewer applies at once.",
                        self.display
                    ),
                )
            })
        })
    }

    /// Brings the schema up to date; whether it created the provider's tables.
    fn migrate(&self) -> Result<bool> {
        let mut conn = self.get()?;
        let client = &mut conn.client;
        // Up to date: one read, no lock.
        if let Ok(Some(row)) = client.query_opt("SELECT version FROM ipam_schema", &[]) {
            let version: i64 = row.get(0);
            if version == SCHEMA_VERSION {
                return Ok(false);
            }
        }
        let mut tx = client.transaction().map_err(statement_error)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])
            .map_err(statement_error)?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS ipam_schema (version BIGINT NOT NULL)")
            .map_err(statement_error)?;
        let found = tx
            .query_opt("SELECT version FROM ipam_schema", &[])
            .map_err(statement_error)?
            .map(|r| r.get::<_, i64>(0));
        let version = found.unwrap_or(0);
        if version > SCHEMA_VERSION {
            return Err(schema::newer_error(self.display(), version));
        }
        for i in version.max(0) as usize..schema::migration_count() {
            tx.batch_execute(&schema::postgres_sql(i)).map_err(statement_error)?;
        }
        if found.is_some() {
            tx.execute("UPDATE ipam_schema SET version = $1", &[&SCHEMA_VERSION])
        } else {
            tx.execute("INSERT INTO ipam_schema (version) VALUES ($1)", &[&SCHEMA_VERSION])
        }
        .map_err(statement_error)?;
        tx.commit().map_err(statement_error)?;
        Ok(found.is_none())
    }

    /// Runs `f` in a transaction: a write holds the IPAM write lock and commits when `f`
    /// succeeds; anything that fails rolls back.
    pub fn run<T>(&self, write: bool, f: impl for<'c> FnOnce(PgTx<'c>) -> Result<(T, PgTx<'c>)>) -> Result<T> {
        let mut conn = self.get()?;
        let PgConn { client, cache } = &mut *conn;
        let builder = if write {
            client
                .build_transaction()
                .isolation_level(IsolationLevel::ReadCommitted)
        } else {
            client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
        };
        let mut tx = builder.start().map_err(statement_error)?;
        if write {
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
                .map_err(statement_error)?;
        }
        let (out, ptx) = f(PgTx { tx, cache })?;
        ptx.tx.commit().map_err(statement_error)?;
        Ok(out)
    }
}

impl Connector {
    fn connect_error(&self, e: postgres::Error) -> Error {
        let db = &self.display;
        if let Some(d) = e.as_db_error() {
            let (summary, detail) = match d.code().code() {
                "28P01" | "28000" => (
                    "PostgreSQL refused the login",
                    format!(
                        "{db}: {}. Check the user and password in `database` (or PGPASSWORD is not read: put it in the URL).",
                        d.message()
                    ),
                ),
                "3D000" => (
                    "Database does not exist",
                    format!(
                        "{db}: {}. Create it first (`createdb`, or CREATE DATABASE); the provider creates its tables itself.",
                        d.message()
                    ),
                ),
                "53300" => (
                    "PostgreSQL has no free connection",
                    format!(
                        "{db}: {}. Raise max_connections, or run fewer applies at once.",
                        d.message()
                    ),
                ),
                code => (
                    "Cannot connect to the database",
                    format!("{db}: {} (SQLSTATE {code})", d.message()),
                ),
            };
            return Error::new(ErrorKind::Storage, summary, detail);
        }
        let text = e.to_string();
        let source = std::error::Error::source(&e).map(|s| s.to_string()).unwrap_or_default();
        if text.contains("tls") || text.contains("TLS") || source.contains("certificate") {
            return Error::new(
                ErrorKind::Storage,
                "TLS connection to PostgreSQL failed",
                format!(
                    "{db}: {text}: {source}. Give the server's CA with `sslrootcert=FILE` in the URL (or PGSSLROOTCERT), \
                     or use sslmode=disable on a trusted network."
                ),
            );
        }
        Error::new(
            ErrorKind::Storage,
            "Cannot connect to the database",
            format!(
                "No PostgreSQL server answered at {db} ({text}{}{source}). Start the server, or check the host, port and sslmode in `database`.",
                if source.is_empty() { "" } else { ": " }
            ),
        )
    }

    fn open_connection(&self) -> Result<PgConn> {
        let mut client = match &self.tls {
            Some(tls) => self.config.connect(tls.clone()),
            None => self.config.connect(NoTls),
        }
        .map_err(|e| self.connect_error(e))?;
        client
            .batch_execute(&format!("SET lock_timeout = {}", busy_timeout().as_millis()))
            .map_err(statement_error)?;
        Ok(PgConn {
            client,
            cache: HashMap::new(),
        })
    }
}

impl r2d2::ManageConnection for Connector {
    type Connection = PgConn;
    type Error = Error;

    fn connect(&self) -> Result<PgConn> {
        if let Some(first) = lock(&self.first).take() {
            return Ok(first);
        }
        let made = self.open_connection();
        *lock(&self.last_error) = made.as_ref().err().cloned();
        made
    }

    fn is_valid(&self, conn: &mut PgConn) -> Result<()> {
        conn.client.simple_query("").map(drop).map_err(statement_error)
    }

    fn has_broken(&self, conn: &mut PgConn) -> bool {
        conn.client.is_closed()
    }
}

impl PgTx<'_> {
    fn statement(&mut self, sql: &str) -> Result<Statement> {
        if let Some(st) = self.cache.get(sql) {
            return Ok(st.clone());
        }
        let st = self.tx.prepare(&sql::to_postgres(sql)).map_err(statement_error)?;
        self.cache.insert(sql.to_string(), st.clone());
        Ok(st)
    }

    /// Executes a statement; the number of rows it changed.
    pub fn execute(&mut self, sql: &str, args: &[Param]) -> Result<usize> {
        let st = self.statement(sql)?;
        let params: Vec<&(dyn ToSql + Sync)> = args.iter().map(|a| a as &(dyn ToSql + Sync)).collect();
        self.tx
            .execute(&st, &params)
            .map(|n| n as usize)
            .map_err(statement_error)
    }

    /// Every row of a query.
    pub fn query(&mut self, sql: &str, args: &[Param]) -> Result<Vec<Row>> {
        let st = self.statement(sql)?;
        let params: Vec<&(dyn ToSql + Sync)> = args.iter().map(|a| a as &(dyn ToSql + Sync)).collect();
        let rows = self.tx.query(&st, &params).map_err(statement_error)?;
        rows.iter()
            .map(|r| sql::postgres_row(r).map_err(statement_error))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_certificate_is_taken_out_of_the_url() {
        assert_eq!(
            split_root_cert("postgres://u@h/db?sslmode=require&sslrootcert=/ca.pem"),
            (
                "postgres://u@h/db?sslmode=require".to_string(),
                Some("/ca.pem".to_string())
            )
        );
        assert_eq!(
            split_root_cert("postgres://u@h/db?sslrootcert=/ca.pem"),
            ("postgres://u@h/db".to_string(), Some("/ca.pem".to_string()))
        );
        assert_eq!(
            split_root_cert("postgres://u@h/db"),
            ("postgres://u@h/db".to_string(), None)
        );
    }

    #[test]
    fn messages_never_show_the_password() {
        let c: postgres::Config = "postgres://alice:s3cret@db.example:6543/ipam".parse().unwrap();
        assert_eq!(display(&c), "postgres://alice@db.example:6543/ipam");
    }

    #[test]
    fn a_bad_url_is_a_clear_error() {
        let e = Pool::open("postgres://u@h:notaport/db").err().unwrap();
        assert_eq!(e.summary, "Invalid PostgreSQL URL", "{e:?}");
    }

    #[test]
    fn no_server_is_a_clear_error() {
        // Port 1 on loopback: nothing listens there.
        let e = Pool::open("postgres://u@127.0.0.1:1/db?sslmode=disable").err().unwrap();
        assert_eq!(e.summary, "Cannot connect to the database", "{e:?}");
        assert!(e.detail.contains("postgres://u@127.0.0.1:1/db"), "{e:?}");
    }
}
