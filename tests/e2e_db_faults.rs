//! Database faults: a locked database, a file that is not SQLite, a database from a newer
//! version: clear diagnostics, nothing half-written.

mod common;

use common::{Tf, flat};

const IPAM: &str = "resource \"ipam\" \"main\" {\n  operating_regions { region_name = \"us-east-1\" }\n}\n";
const POOL: &str = r#"
resource "ipam_pool" "p" {
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
}
"#;

#[test]
fn a_database_locked_longer_than_the_busy_timeout_is_a_clear_error() {
    let tf = Tf::new().env("IPAM_BUSY_TIMEOUT_MS", "300");
    tf.config(IPAM);
    tf.apply();
    let before = tf.db_dump();
    tf.config(&format!("{IPAM}{POOL}"));
    let holder = rusqlite::Connection::open(&tf.db).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let out = flat(&tf.apply_fails());
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);
    assert!(out.contains("Database is locked"), "{out}");
    assert!(out.contains("IPAM_BUSY_TIMEOUT_MS"), "{out}");
    assert!(!out.contains("panic"), "{out}");
    assert_eq!(tf.db_dump(), before, "nothing half-written");
    // Once the lock is gone the same apply goes through.
    tf.apply();
    tf.assert_plan_empty();
    tf.destroy();
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_and_left_alone() {
    let tf = Tf::new();
    let junk = b"this is a text file that somebody named like the database, long enough to be read".repeat(20);
    std::fs::write(&tf.db, &junk).unwrap();
    tf.config(IPAM);
    let out = flat(&tf.plan_fails());
    assert!(out.contains("File is not an IPAM database"), "{out}");
    assert!(out.contains("database"), "{out}");
    assert_eq!(std::fs::read(&tf.db).unwrap(), junk, "the file is untouched");
}

#[test]
fn a_database_from_a_newer_version_is_refused_and_left_alone() {
    let tf = Tf::new();
    tf.config(IPAM);
    tf.apply();
    {
        let c = rusqlite::Connection::open(&tf.db).unwrap();
        c.execute_batch("PRAGMA user_version = 999").unwrap();
    }
    let before = tf.db_dump();
    let out = flat(&tf.plan_fails());
    assert!(out.contains("Database is from a newer provider"), "{out}");
    assert!(out.contains("999"), "{out}");
    assert_eq!(tf.db_dump(), before);
}

/// A small tmpfs of our own, unmounted when dropped (tests run as root, as CI does).
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    fn new(dir: &std::path::Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(dir).unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status();
        assert!(
            ok.is_ok_and(|s| s.success()),
            "mounting a tmpfs at {} failed: these tests need root, as CI has",
            dir.display()
        );
        Tmpfs(dir.to_path_buf())
    }
    fn remount(&self, mode: &str) {
        let ok = std::process::Command::new("mount")
            .args(["-o", &format!("remount,{mode}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(ok.success());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

const MANY: &str = r#"
resource "ipam_pool" "p" {
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
}
resource "ipam_pool_cidr" "c" {
  ipam_pool_id = ipam_pool.p.id
  cidr         = "10.0.0.0/8"
}
resource "ipam_pool_allocation" "a" {
  count          = 2000
  ipam_pool_id   = ipam_pool.p.id
  netmask_length = 28
  description    = "a description long enough to make every allocation row take some room on the disk ${count.index}"
  depends_on     = [ipam_pool_cidr.c]
}
"#;

#[test]
fn a_full_disk_is_a_clear_error_and_corrupts_nothing() {
    let base = Tf::new();
    let fs = Tmpfs::new(&base.path().join("disk"), "1m");
    let tf = Tf::sharing(&fs.0.join("ipam.db"));
    tf.config(IPAM);
    tf.apply();
    tf.config(&format!("{IPAM}{MANY}"));
    let out = flat(&tf.apply_fails());
    assert!(
        out.contains("Disk is full"),
        "{}",
        &out[out.len().saturating_sub(1500)..]
    );
    assert!(
        !out.contains("panic") && !out.contains("Plugin did not respond"),
        "{out}"
    );
    let c = rusqlite::Connection::open(&tf.db).unwrap();
    let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    drop(c);
    // Whatever was written is in the state: after freeing space everything proceeds normally.
    fs.remount("size=32m");
    let in_db = tf.sql_count("SELECT count(*) FROM allocations");
    let in_state = tf
        .resources()
        .into_iter()
        .filter(|(a, _)| a.starts_with("ipam_pool_allocation."))
        .count() as i64;
    assert_eq!(in_db, in_state, "nothing half-written");
    tf.config(IPAM);
    tf.apply();
    tf.destroy();
}

#[test]
fn a_read_only_database_is_a_clear_error() {
    let base = Tf::new();
    let fs = Tmpfs::new(&base.path().join("disk"), "4m");
    let tf = Tf::sharing(&fs.0.join("ipam.db"));
    tf.config(IPAM);
    tf.apply();
    fs.remount("ro");
    tf.config(&format!("{IPAM}{POOL}"));
    let out = flat(&tf.fails(&["apply", "-auto-approve", "-input=false", "-no-color", "-lock=false"]));
    fs.remount("rw");
    assert!(
        out.contains("Database is read-only") || out.contains("Cannot open the database"),
        "{}",
        &out[out.len().saturating_sub(1500)..]
    );
    assert!(!out.contains("panic"), "{out}");
    assert_eq!(tf.sql_count("SELECT count(*) FROM pools"), 0);
    tf.config(IPAM);
    tf.destroy();
}
