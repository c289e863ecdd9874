//! What only the PostgreSQL backend has: `migrate` from SQLite with Terraform carrying on against
//! the copy, clear diagnostics for a server that is down, a database that does not exist, a write
//! lock held too long and a schema from a newer provider, and migrations when many providers
//! start at once. (Every other end-to-end suite runs on both engines.)

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{PROVIDER_BIN, Tf, flat, pg};

const CONFIG: &str = r#"
resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
}
resource "ipam_pool" "p" {
  ipam_scope_id                     = ipam.main.private_default_scope_id
  address_family                    = "ipv4"
  allocation_default_netmask_length = 24
  tags                              = { team = "net" }
}
resource "ipam_pool_cidr" "c" {
  ipam_pool_id = ipam_pool.p.id
  cidr         = "10.0.0.0/16"
}
resource "ipam_pool_allocation" "a" {
  count        = 3
  ipam_pool_id = ipam_pool.p.id
  depends_on   = [ipam_pool_cidr.c]
}
"#;

fn cli(args: &[&str]) -> Output {
    Command::new(PROVIDER_BIN)
        .args(args)
        .env_remove("IPAM_DATABASE")
        .output()
        .expect("run the provider binary")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A working directory whose provider block points at `db`, with the state of `from`.
fn moved(from: &Tf, db: &Path) -> Tf {
    let tf = Tf::sharing(db);
    tf.config(CONFIG);
    std::fs::copy(
        from.path().join("terraform.tfstate"),
        tf.path().join("terraform.tfstate"),
    )
    .expect("copy state");
    tf
}

#[test]
fn a_sqlite_ipam_migrates_to_postgres_and_terraform_carries_on_there() {
    let tf = Tf::new();
    tf.config(CONFIG);
    tf.apply();
    // History with a released allocation, so that closed records are copied too.
    tf.config(&CONFIG.replace("count        = 3", "count        = 2"));
    tf.apply();
    tf.config(CONFIG);
    tf.apply();
    let url = pg::server().fresh_database();
    let o = cli(&["migrate", "--from", tf.db.to_str().unwrap(), "--to", &url]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("every table's rows and checksum verified"), "{out}");
    for table in [
        "ipams",
        "scopes",
        "pools",
        "pool_cidrs",
        "allocations",
        "free_blocks",
        "history",
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(table)),
            "{table} missing from:\n{out}"
        );
    }
    let sqlite = tf.db_dump();
    let on_pg = moved(&tf, Path::new(&url));
    assert_eq!(
        on_pg.sql_count("SELECT count(*) FROM allocations WHERE resource_type = 'custom'"),
        3
    );
    assert_eq!(
        on_pg.sql_count("SELECT count(*) FROM history WHERE end_time IS NOT NULL"),
        tf.sql_count("SELECT count(*) FROM history WHERE end_time IS NOT NULL")
    );
    assert!(on_pg.sql_count("SELECT count(*) FROM history WHERE end_time IS NOT NULL") >= 1);
    // The same IPAM: no changes against the copy, with or without refresh.
    on_pg.assert_plan_empty();
    // New work continues on PostgreSQL (new history rows after the copied ones), and the
    // SQLite file is left as it was.
    on_pg.config(&CONFIG.replace("count        = 3", "count        = 5"));
    let applied = on_pg.apply();
    assert!(applied.contains("2 added"), "{applied}");
    assert_eq!(
        on_pg.sql_count("SELECT count(*) FROM allocations WHERE resource_type = 'custom'"),
        5
    );
    assert_eq!(tf.db_dump(), sqlite);
    let check = cli(&["--database", &url, "check"]);
    assert!(check.status.success(), "{}", text(&check));
    // A second copy into a database that holds an IPAM is refused and changes nothing.
    let before = on_pg.db_dump();
    let again = cli(&["migrate", "--from", tf.db.to_str().unwrap(), "--to", &url]);
    assert!(!again.status.success());
    assert!(text(&again).contains("Destination is not empty"), "{}", text(&again));
    assert_eq!(on_pg.db_dump(), before);
    // And back: PostgreSQL to a new SQLite file, byte for byte the same IPAM.
    let back: PathBuf = tf.path().join("back.db");
    let o = cli(&["migrate", "--from", &url, "--to", back.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let returned = moved(&on_pg, &back);
    returned.config(&CONFIG.replace("count        = 3", "count        = 5"));
    returned.assert_plan_empty();
    on_pg.destroy();
}

#[test]
fn a_failed_migrate_leaves_a_new_postgres_database_without_tables() {
    let tf = Tf::new();
    tf.config(CONFIG);
    tf.apply();
    // SQLite keeps a NUL character in text; PostgreSQL refuses it, half way through the copy.
    tf.sql("UPDATE pools SET description = 'a' || char(0) || 'b'");
    let url = pg::server().fresh_database();
    let tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'";
    let o = cli(&["migrate", "--from", tf.db.to_str().unwrap(), "--to", &url]);
    assert!(!o.status.success(), "{}", text(&o));
    assert_eq!(pg::server().psql(&url, tables), "0", "{}", text(&o));
    // The same database takes the copy once the source is fixed.
    tf.sql("UPDATE pools SET description = 'ab'");
    let o = cli(&["migrate", "--from", tf.db.to_str().unwrap(), "--to", &url]);
    assert!(o.status.success(), "{}", text(&o));
    assert_ne!(pg::server().psql(&url, tables), "0");
}

/// The provider block's diagnostics for a database that cannot be used.
fn refused(db: &str, env: &[(&str, &str)]) -> String {
    let mut tf = Tf::sharing(Path::new(db));
    for (k, v) in env {
        tf = tf.env(k, v);
    }
    tf.config("resource \"ipam\" \"main\" {\n  operating_regions { region_name = \"us-east-1\" }\n}\n");
    flat(&tf.apply_fails())
}

#[test]
fn a_server_that_is_down_or_a_missing_database_is_a_clear_diagnostic() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = refused(&format!("postgres://ipam@127.0.0.1:{port}/ipam?sslmode=disable"), &[]);
    assert!(down.contains("Cannot connect to the database"), "{down}");
    assert!(
        down.contains(&format!("postgres://ipam@127.0.0.1:{port}/ipam")),
        "{down}"
    );
    assert!(down.contains("Start the server"), "{down}");

    let server = pg::server();
    let missing = refused(
        &format!(
            "postgres://postgres@127.0.0.1:{}/no_such_db?sslmode=disable",
            server.port()
        ),
        &[],
    );
    assert!(missing.contains("Database does not exist"), "{missing}");
    assert!(missing.contains("CREATE DATABASE"), "{missing}");

    let bad = refused("postgres://ipam@127.0.0.1:notaport/ipam", &[]);
    assert!(bad.contains("Invalid PostgreSQL URL"), "{bad}");
    // Passwords never appear in diagnostics.
    let secret = refused(
        &format!("postgres://ipam:s3cret@127.0.0.1:{port}/ipam?sslmode=disable"),
        &[],
    );
    assert!(!secret.contains("s3cret"), "{secret}");
}

#[test]
fn a_write_lock_held_too_long_is_refused_and_writes_nothing() {
    let url = pg::server().fresh_database();
    let tf = Tf::sharing(Path::new(&url)).env("IPAM_BUSY_TIMEOUT_MS", "1500");
    tf.config("resource \"ipam\" \"main\" {\n  operating_regions { region_name = \"us-east-1\" }\n}\n");
    tf.apply();
    tf.config(
        "resource \"ipam\" \"main\" {\n  operating_regions { region_name = \"us-east-1\" }\n}\nresource \"ipam_scope\" \"s\" {\n  ipam_id = ipam.main.id\n}\n",
    );
    let before = tf.db_dump();
    // Another session holds the IPAM write lock (what a long apply elsewhere does).
    let mut holder = common::pg_client(&tf.db);
    let mut lock = holder.transaction().unwrap();
    lock.execute("SELECT pg_advisory_xact_lock($1)", &[&0x6970_616d_0001_i64])
        .unwrap();
    let out = flat(&tf.apply_fails());
    assert!(out.contains("Database is locked"), "{out}");
    assert!(out.contains("1500 ms"), "{out}");
    lock.rollback().unwrap();
    assert_eq!(tf.db_dump(), before);
    tf.apply();
    assert_eq!(tf.sql_count("SELECT count(*) FROM scopes"), 3);
    tf.destroy();
}

#[test]
fn a_database_from_a_newer_provider_is_refused_and_untouched() {
    let url = pg::server().fresh_database();
    let tf = Tf::sharing(Path::new(&url));
    tf.config("resource \"ipam\" \"main\" {\n  operating_regions { region_name = \"us-east-1\" }\n}\n");
    tf.apply();
    tf.sql("UPDATE ipam_schema SET version = 99");
    let out = flat(&tf.plan_fails());
    assert!(out.contains("Database is from a newer provider"), "{out}");
    assert!(out.contains("schema version 99"), "{out}");
    assert_eq!(tf.sql_count("SELECT version FROM ipam_schema"), 99);
    assert_eq!(tf.sql_count("SELECT count(*) FROM ipams"), 1);
}

#[test]
fn providers_starting_at_once_migrate_a_new_database_once() {
    let url = pg::server().fresh_database();
    let handles: Vec<_> = (0..6)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || cli(&["--database", &url, "check"]))
        })
        .collect();
    for h in handles {
        let o = h.join().unwrap();
        assert!(o.status.success(), "{}", text(&o));
    }
    let c = Tf::sharing(Path::new(&url));
    assert_eq!(c.sql_count("SELECT count(*) FROM ipam_schema"), 1);
    assert_eq!(
        c.sql_count("SELECT count(*) FROM information_schema.tables WHERE table_name = 'allocations'"),
        1
    );
}

/// The provider's connections to the database at `url`, as the server counts them.
fn provider_connections(url: &str) -> i64 {
    let mut c = common::pg_client(Path::new(url));
    c.query_one(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'terraform-provider-ipam'",
        &[],
    )
    .unwrap()
    .get(0)
}

/// One provider process keeps at most 8 connections: twelve transactions at once take turns on
/// them. Dropping the store inside an async runtime (the plugin server does it on a runtime
/// thread when Terraform shuts the provider down) closes them without blocking the runtime.
#[test]
fn a_store_keeps_at_most_eight_connections_and_closes_them_when_dropped_inside_a_runtime() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Condvar, Mutex};
    use terraform_provider_ipam::store::Store;

    let url = pg::server().fresh_database();
    let store = Store::open(&url).unwrap();
    let inside = AtomicUsize::new(0);
    let released = (Mutex::new(false), Condvar::new());
    std::thread::scope(|s| {
        for _ in 0..12 {
            s.spawn(|| {
                store
                    .read(|tx| {
                        inside.fetch_add(1, Ordering::SeqCst);
                        let mut go = released.0.lock().unwrap();
                        while !*go {
                            go = released.1.wait(go).unwrap();
                        }
                        drop(go);
                        inside.fetch_sub(1, Ordering::SeqCst);
                        tx.pool("ipam-pool-0")
                    })
                    .unwrap();
            });
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while inside.load(Ordering::SeqCst) < 8 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        // Give the other four every chance to get in, had the pool let them.
        std::thread::sleep(std::time::Duration::from_millis(500));
        let seen = (inside.load(Ordering::SeqCst), provider_connections(&url));
        *released.0.lock().unwrap() = true;
        released.1.notify_all();
        assert_eq!(seen, (8, 8), "transactions at once, connections open");
    });
    assert_eq!(provider_connections(&url), 8, "idle connections are kept");
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(async move { drop(store) });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while provider_connections(&url) > 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(provider_connections(&url), 0, "connections closed");
}

/// Owner and group of the `postgres` system user, when the tests run as root (the server runs
/// as that user and reads its TLS key).
fn postgres_ids() -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    let line = passwd.lines().find(|l| l.starts_with("postgres:"))?;
    let f: Vec<&str> = line.split(':').collect();
    Some((f.get(2)?.parse().ok()?, f.get(3)?.parse().ok()?))
}

#[test]
fn tls_connections_verify_the_server_certificate() {
    use std::os::unix::fs::PermissionsExt;
    let server = pg::server();
    let dir = tempfile::Builder::new().prefix("ipam-tls-").tempdir_in("/tmp").unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let (crt_path, key_path) = (dir.path().join("server.crt"), dir.path().join("server.key"));
    std::fs::write(&crt_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let root = std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0"));
    if root {
        let (uid, gid) = postgres_ids().expect("the postgres user");
        for p in [&crt_path, &key_path] {
            std::os::unix::fs::chown(p, Some(uid), Some(gid)).unwrap();
        }
    }
    server.psql(
        &server.admin_url(),
        &format!(
            "ALTER SYSTEM SET ssl_cert_file = '{}';\nALTER SYSTEM SET ssl_key_file = '{}';\nALTER SYSTEM SET ssl = on;\nSELECT pg_reload_conf();",
            crt_path.display(),
            key_path.display()
        ),
    );
    let plain = server.fresh_database();
    let base = plain.trim_end_matches("?sslmode=disable").to_string();
    // The server's certificate given as the root: the connection is encrypted and verified.
    let trusted = format!("{base}?sslmode=require&sslrootcert={}", crt_path.display());
    let tf = Tf::sharing(Path::new(&trusted));
    tf.config("resource \"ipam\" \"main\" {\n  operating_regions { region_name = \"us-east-1\" }\n}\n");
    tf.apply();
    tf.assert_plan_empty();
    // Without that root the certificate is not trusted: refused, never sent in clear.
    let untrusted = Tf::sharing(Path::new(&format!("{base}?sslmode=require")));
    untrusted.config("resource \"ipam\" \"other\" {\n  operating_regions { region_name = \"us-west-2\" }\n}\n");
    let out = flat(&untrusted.apply_fails());
    assert!(out.contains("TLS connection to PostgreSQL failed"), "{out}");
    assert!(out.contains("sslrootcert"), "{out}");
    let on_pg = Tf::sharing(Path::new(&plain));
    assert_eq!(on_pg.sql_count("SELECT count(*) FROM ipams"), 1);
    tf.destroy();
}

/// The scheme of a PostgreSQL URL is case-insensitive (as in RFC 3986): `Postgresql://` reaches
/// the server, and a password in any spelling of the URL stays out of every diagnostic.
#[test]
fn the_url_scheme_is_case_insensitive_and_its_password_never_shown() {
    let url = pg::server().fresh_database();
    let mixed = url.replacen("postgres://", "Postgresql://", 1);
    let tf = Tf::sharing(Path::new(&mixed));
    tf.config("resource \"ipam\" \"main\" {\n  operating_regions { region_name = \"us-east-1\" }\n}\n");
    tf.apply();
    assert_eq!(
        pg::server().psql(&url, "SELECT count(*) FROM ipams"),
        "1",
        "the IPAM is in the PostgreSQL database, not in a file named after the URL"
    );
    assert!(!tf.path().join("Postgresql:").exists());
    tf.destroy();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for db in [
        format!("POSTGRES://ipam:s3cret@127.0.0.1:{port}/ipam?sslmode=disable"),
        format!("postgres:/ipam:s3cret@127.0.0.1:{port}/ipam"),
        format!("postgres://ipam@127.0.0.1:{port}/ipam?password=s3cret&sslmode=disable"),
    ] {
        // Given by IPAM_DATABASE, so that Terraform's snippet of the configuration cannot show it.
        let tf = Tf::sharing(Path::new(&db)).env("IPAM_DATABASE", &db);
        tf.raw_config(
            "terraform {\n  required_providers {\n    ipam = { source = \"local/ipam\" }\n  }\n}\nprovider \"ipam\" {}\n\
             resource \"ipam\" \"main\" {\n  operating_regions { region_name = \"us-east-1\" }\n}\n",
        );
        let out = flat(&tf.apply_fails());
        assert!(!out.contains("s3cret"), "{out}");
        assert!(
            out.contains("Cannot connect to the database") || out.contains("Invalid PostgreSQL URL"),
            "{out}"
        );
    }
}
