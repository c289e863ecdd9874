//! Database faults: a directory that does not exist, a locked database, a file that is not
//! SQLite, a database from a newer version, a full disk, a read-only file system: clear
//! diagnostics, nothing half-written.

use crate::common;

use std::path::Path;

use common::fixtures::{HOME_IPAM as IPAM, pool_with_cidr_on};
use common::{Tf, flat};
use serde_json::Value as J;

/// One error diagnostic of Terraform's `-json` output: summary, detail, and the attribute whose
/// value Terraform highlights (the name before the `=` ahead of the highlight), if any.
#[derive(Debug)]
struct Diag {
    summary: String,
    detail: String,
    attr: Option<String>,
}

/// Runs terraform with `args` and `-json`, expects it to fail, and returns its error diagnostics
/// (and the whole output, to show when a check fails).
fn json_errors(tf: &Tf, args: &[&str]) -> (Vec<Diag>, String) {
    let mut args = args.to_vec();
    args.extend(["-input=false", "-no-color", "-json"]);
    let o = tf.run(&args);
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!o.status.success(), "terraform {args:?} unexpectedly succeeded:\n{out}");
    for bad in ["panic", "Plugin did not respond", "crashed"] {
        assert!(
            !out.contains(bad),
            "{bad:?} in the output of terraform {args:?}:\n{out}"
        );
    }
    let diags = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<J>(l).ok())
        .filter(|m| m["type"] == "diagnostic" && m["diagnostic"]["severity"] == "error")
        .map(|m| {
            let d = &m["diagnostic"];
            let s = &d["snippet"];
            let attr = s["code"]
                .as_str()
                .zip(s["highlight_start_offset"].as_u64())
                .and_then(|(code, at)| code.get(..at as usize))
                .and_then(|before| before.rsplit_once('='))
                .map(|(lhs, _)| {
                    let lhs = lhs.trim_end();
                    let start = lhs
                        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .map_or(0, |i| i + 1);
                    lhs[start..].to_string()
                });
            Diag {
                summary: d["summary"].as_str().unwrap_or_default().to_string(),
                detail: d["detail"].as_str().unwrap_or_default().to_string(),
                attr,
            }
        })
        .collect();
    (diags, out)
}

/// The output must hold exactly one error, with `summary` and a detail containing `detail`, on
/// `attr` when given.
fn assert_one_error(diags: &[Diag], out: &str, summary: &str, detail: &[&str], attr: Option<&str>) {
    let [d] = diags else {
        panic!("expected one error {summary:?}, got {diags:#?}\n{out}");
    };
    assert_eq!(d.summary, summary, "{d:#?}");
    let text = flat(&d.detail);
    for e in detail {
        assert!(text.contains(e), "the detail of {summary:?} lacks {e:?}: {text:?}");
    }
    if let Some(a) = attr {
        assert_eq!(d.attr.as_deref(), Some(a), "{summary:?} is not shown on `{a}`: {d:#?}");
    }
}

const POOL: &str = r#"
resource "ipam_pool" "p" {
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
}
"#;

#[test]
fn a_database_in_a_directory_that_does_not_exist_is_refused_on_the_database_attribute() {
    let base = Tf::new();
    let missing = base.path().join("no-such-dir");
    let tf = Tf::sharing(&missing.join("ipam.db"));
    tf.config(IPAM);
    let detail = format!(
        "The directory {} of the database {} does not exist",
        missing.display(),
        missing.join("ipam.db").display()
    );
    for args in [&["plan"][..], &["apply", "-auto-approve"][..]] {
        let (diags, out) = json_errors(&tf, args);
        assert_one_error(
            &diags,
            &out,
            "Database directory does not exist",
            &[&detail, "set `database` to a path in an existing directory"],
            Some("database"),
        );
        assert!(!missing.exists(), "terraform {args:?} created {}", missing.display());
    }
    assert!(
        !tf.path().join("terraform.tfstate").exists(),
        "the refused apply wrote a state"
    );
}

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

/// A value this provider never writes (an address family, resource type, compliance status,
/// public IP source or state changed behind its back) is a database error naming the table, the
/// column, the value and the values it knows: never a panic, never read as something else, and
/// nothing is written.
#[test]
fn an_unknown_value_in_the_database_is_an_error_naming_table_column_and_value() {
    let tf = Tf::new();
    tf.config(&format!(
        r#"{}
resource "ipam_pool_allocation" "a" {{
  ipam_pool_id   = ipam_pool.p.id
  netmask_length = 24
  depends_on     = [ipam_pool_cidr.c]
}}
"#,
        pool_with_cidr_on(IPAM, "10.0.0.0/16")
    ));
    tf.apply();
    let cases = [
        (
            "pools",
            "public_ip_source",
            "cloud",
            "NULL",
            &["\"byoip\" or \"amazon\""][..],
        ),
        (
            "pools",
            "state",
            "deleted",
            "'create-complete'",
            &["\"create-complete\" or \"modify-complete\""],
        ),
        ("pool_cidrs", "state", "pending", "'provisioned'", &["\"provisioned\""]),
        (
            "allocations",
            "resource_type",
            "database",
            "'custom'",
            &["\"custom\"", "\"ipam-pool\""],
        ),
        (
            "allocations",
            "compliance_status",
            "unmanaged",
            "'compliant'",
            &["\"compliant\" or \"noncompliant\""],
        ),
        (
            "ipams",
            "state",
            "isolate-complete",
            "'create-complete'",
            &["\"create-complete\""],
        ),
    ];
    for (table, column, bad, good, known) in cases {
        let filter = if table == "allocations" {
            " WHERE resource_type <> 'ipam-pool'"
        } else {
            ""
        };
        assert!(
            tf.sql(&format!("UPDATE {table} SET {column} = '{bad}'{filter}")) > 0,
            "{table}.{column}"
        );
        let before = tf.db_dump();
        let (diags, out) = json_errors(&tf, &["plan"]);
        let held = format!("{table}.{column} holds \"{bad}\"");
        assert!(
            !diags.is_empty()
                && diags
                    .iter()
                    .all(|d| d.summary == "Database error" && flat(&d.detail).contains(&held)),
            "{table}.{column}: {diags:#?}\n{out}"
        );
        let text = flat(&diags[0].detail);
        for k in known {
            assert!(text.contains(k), "{table}.{column}: the detail names {k}: {text}");
        }
        assert_eq!(tf.db_dump(), before, "{table}.{column}: the failed plan wrote nothing");
        tf.sql(&format!("UPDATE {table} SET {column} = {good}{filter}"));
    }
    tf.assert_plan_empty();
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

/// 2000 allocations in the pool `p` of `pool_with_cidr_on(IPAM, "10.0.0.0/8")`.
const MANY: &str = r#"
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
    tf.config(&format!("{}{MANY}", pool_with_cidr_on(IPAM, "10.0.0.0/8")));
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

/// The one diagnostic for a database on a read-only file system, whether SQLite finds out on
/// opening it or at the first write.
fn assert_read_only(diags: &[Diag], out: &str, db: &std::path::Path) {
    assert_one_error(
        diags,
        out,
        "Database is read-only",
        &[&format!("{} cannot be written", db.display()), "mounted read-write"],
        None,
    );
}

#[test]
fn a_read_only_file_system_is_one_clear_error_on_opening_and_on_writing() {
    let base = Tf::new();
    let fs = Tmpfs::new(&base.path().join("disk"), "4m");
    let tf = Tf::sharing(&fs.0.join("ipam.db"));
    tf.config(IPAM);
    tf.apply();
    let apply = ["apply", "-auto-approve", "-lock=false"];
    tf.config(&format!("{IPAM}{POOL}"));

    // A database closed cleanly has no -shm file, and SQLite cannot make one: opening fails.
    fs.remount("ro");
    let (plan_diags, plan_out) = json_errors(&tf, &["plan", "-lock=false"]);
    let (apply_diags, apply_out) = json_errors(&tf, &apply);
    fs.remount("rw");
    assert_read_only(&plan_diags, &plan_out, &tf.db);
    assert_read_only(&apply_diags, &apply_out, &tf.db);
    assert_eq!(tf.sql_count("SELECT count(*) FROM pools"), 0);

    // A database whose -wal and -shm files were left by a process that did not close it (as a
    // killed one does) opens read-only and can be read: the plan works, the first write fails.
    let files = ["ipam.db-wal", "ipam.db-shm"];
    {
        let c = rusqlite::Connection::open(&tf.db).unwrap();
        let n: i64 = c.query_row("SELECT count(*) FROM ipams", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 1);
        for f in files {
            std::fs::copy(fs.0.join(f), fs.0.join(format!("{f}.left"))).unwrap();
        }
    }
    for f in files {
        std::fs::rename(fs.0.join(format!("{f}.left")), fs.0.join(f)).unwrap();
    }
    fs.remount("ro");
    let plan = tf.run(&["plan", "-input=false", "-no-color", "-lock=false"]);
    let (write_diags, write_out) = json_errors(&tf, &apply);
    fs.remount("rw");
    assert!(
        plan.status.success(),
        "a plan reads, which works:\n{}",
        String::from_utf8_lossy(&plan.stderr)
    );
    assert!(write_out.contains("ipam_pool.p: Creating..."), "{write_out}");
    assert_read_only(&write_diags, &write_out, &tf.db);
    assert_eq!(tf.sql_count("SELECT count(*) FROM pools"), 0, "nothing written");
    let c = rusqlite::Connection::open(&tf.db).unwrap();
    let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    drop(c);
    tf.config(IPAM);
    tf.destroy();
}

const PLAIN_PROVIDER: &str =
    "terraform {\n  required_providers {\n    ipam = { source = \"local/ipam\" }\n  }\n}\nprovider \"ipam\" {}\n";

/// SQLite URIs (which can switch off locking or keep everything in memory), in-memory databases,
/// other URLs, directories, devices and FIFOs are refused on `database` (and when
/// `IPAM_DATABASE` gives them) with what was given and what to give instead; nothing is created
/// and passwords never show.
#[test]
fn a_database_that_cannot_hold_an_ipam_is_refused_saying_what_to_give() {
    let base = Tf::new();
    let d = base.path();
    let fifo = d.join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let dir = d.join("dir");
    std::fs::create_dir(&dir).unwrap();
    let s_db = d.join("s.db");
    let m_db = d.join("m.db");
    let cases: Vec<(String, &str, Vec<String>)> = vec![
        (
            format!("file:{}?nolock=1", s_db.display()),
            "SQLite URIs are not supported",
            vec!["nolock".into(), format!("e.g. \"{}\"", s_db.display())],
        ),
        (
            format!("file:{}?vfs=unix-none", s_db.display()),
            "SQLite URIs are not supported",
            vec![format!("e.g. \"{}\"", s_db.display())],
        ),
        (
            format!("file:{}?mode=memory", m_db.display()),
            "SQLite URIs are not supported",
            vec!["mode=memory".into()],
        ),
        (
            ":memory:".into(),
            "In-memory databases are not supported",
            vec!["keep nothing".into(), "terraform-ipam.db".into()],
        ),
        (
            "/dev/null".into(),
            "Database is not a regular file",
            vec!["\"/dev/null\", which is a device".into()],
        ),
        (
            dir.display().to_string(),
            "Database is not a regular file",
            vec![
                "which is a directory".into(),
                format!("{}/terraform-ipam.db", dir.display()),
            ],
        ),
        (
            fifo.display().to_string(),
            "Database is not a regular file",
            vec!["which is a FIFO".into()],
        ),
        (
            "mysql://ipam:s3cret@db.example/ipam".into(),
            "Unsupported database URL",
            vec!["mysql://ipam:****@db.example/ipam".into(), "postgres://".into()],
        ),
    ];
    for (db, summary, detail) in &cases {
        let tf = Tf::sharing(Path::new(db));
        tf.config(IPAM);
        let (diags, out) = json_errors(&tf, &["apply", "-auto-approve"]);
        let mut expected: Vec<&str> = detail.iter().map(String::as_str).collect();
        expected.push("`database`");
        assert_one_error(&diags, &out, summary, &expected, Some("database"));
        // (Terraform's snippet of the configuration shows the line as written.)
        assert!(!diags[0].detail.contains("s3cret"), "{diags:#?}");
        // The same value from the environment names the variable.
        let tf = Tf::sharing(Path::new(db)).env("IPAM_DATABASE", db);
        tf.raw_config(&format!("{PLAIN_PROVIDER}{IPAM}"));
        let (diags, out) = json_errors(&tf, &["plan"]);
        let mut expected: Vec<&str> = detail.iter().map(String::as_str).collect();
        expected.push("IPAM_DATABASE");
        assert_one_error(&diags, &out, summary, &expected, None);
        assert!(!out.contains("s3cret"), "{out}");
    }
    assert!(!s_db.exists() && !m_db.exists(), "nothing created");
    assert!(!Path::new("/dev/null-journal").exists());
    assert!(
        std::fs::read_dir(&dir).unwrap().next().is_none(),
        "nothing created in the directory"
    );
}

/// An environment setting the provider reads, with an invalid value, is an error naming the
/// variable and what it accepts: never silently replaced by the default.
#[test]
fn invalid_environment_settings_are_errors_naming_the_variable_and_the_range() {
    for (var, value, expect) in [
        ("IPAM_BUSY_TIMEOUT_MS", "abc", "from 1 to 3600000"),
        ("IPAM_BUSY_TIMEOUT_MS", "-5", "from 1 to 3600000"),
        ("IPAM_BUSY_TIMEOUT_MS", "0", "from 1 to 3600000"),
        ("IPAM_BUSY_TIMEOUT_MS", "18446744073709551616", "from 1 to 3600000"),
        ("IPAM_BUSY_TIMEOUT_MS", "1.5", "whole number of milliseconds"),
        ("IPAM_ACCOUNT_ID", "12", "exactly 12 digits"),
        ("IPAM_REGION", "Nowhere", "\"us-east-1\""),
    ] {
        let tf = Tf::new().env(var, value);
        tf.raw_config(&format!(
            "{}{IPAM}",
            PLAIN_PROVIDER.replace("provider \"ipam\" {}", &tf.provider_block())
        ));
        let (diags, out) = json_errors(&tf, &["apply", "-auto-approve"]);
        let [d] = &diags[..] else {
            panic!("{var}={value}: expected one error, got {diags:#?}\n{out}");
        };
        let text = flat(&d.detail);
        assert!(text.contains(var) && text.contains(expect), "{var}={value}: {d:#?}");
        assert!(text.contains(&format!("{value:?}")), "{var}={value}: {d:#?}");
        assert!(!tf.db.exists(), "{var}={value}: the database was created");
    }
}

/// `migrate` onto a disk that fills up during the copy says so and leaves nothing behind: no
/// empty database, no -wal or -shm file.
#[test]
fn migrate_onto_a_full_disk_leaves_nothing_behind() {
    let tf = Tf::new();
    tf.config(&format!(
        "{}{}",
        pool_with_cidr_on(IPAM, "10.0.0.0/8"),
        MANY.replace("count          = 2000", "count          = 300")
    ));
    tf.apply();
    let fs = Tmpfs::new(&tf.path().join("disk"), "1m");
    // Leave room for the new database's schema, not for its rows.
    let room = 96 * 1024;
    std::fs::write(fs.0.join("filler"), vec![0u8; 1024 * 1024 - room]).unwrap();
    let to = fs.0.join("copy.db");
    let o = std::process::Command::new(common::PROVIDER_BIN)
        .args([
            "migrate",
            "--from",
            tf.db.to_str().unwrap(),
            "--to",
            to.to_str().unwrap(),
        ])
        .env_remove("IPAM_DATABASE")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("Disk is full"), "{err}");
    let left: Vec<String> = std::fs::read_dir(&fs.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, vec!["filler".to_string()], "left behind");
}
