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
