//! Crash safety: terraform and the provider killed with SIGKILL in the middle of large applies,
//! at varying points; the database stays consistent, nothing is double-allocated, and allocations
//! written to the database but not to the state are recovered by importing them.

mod common;

use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Tf, terraform_bin};
use ipnet::Ipv4Net;

const BASE: &str = r#"
resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
}
resource "ipam_pool" "p" {
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
}
resource "ipam_pool_cidr" "c" {
  ipam_pool_id = ipam_pool.p.id
  cidr         = "10.0.0.0/14"
}
"#;

fn allocs(pool: &str) -> String {
    format!(
        r#"
resource "ipam_pool_allocation" "a" {{
  count          = 400
  ipam_pool_id   = "{pool}"
  netmask_length = count.index % 4 == 0 ? 26 : 28
}}
"#
    )
}

fn cidr_of(start: &[u8], prefix: u8) -> Ipv4Net {
    let ip = std::net::Ipv4Addr::new(start[12], start[13], start[14], start[15]);
    Ipv4Net::new(ip, prefix).unwrap()
}

/// The invariants that must hold after any crash.
fn assert_consistent(tf: &Tf) {
    if !common::is_postgres(&tf.db) {
        let c = rusqlite::Connection::open(&tf.db).unwrap();
        let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(ok, "ok");
        let fk: i64 = c
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 0, "orphan rows");
    }
    let read = |sql: &str| -> Vec<Ipv4Net> {
        tf.sql_pairs::<Vec<u8>, i64>(sql)
            .into_iter()
            .map(|(start, prefix)| cidr_of(&start, prefix as u8))
            .collect()
    };
    let allocs = read("SELECT start, prefix FROM allocations ORDER BY start");
    let free = read("SELECT start, prefix FROM free_blocks ORDER BY start");
    let root: Ipv4Net = "10.0.0.0/14".parse().unwrap();
    let all: Vec<Ipv4Net> = allocs.iter().chain(&free).copied().collect();
    for (i, a) in all.iter().enumerate() {
        assert!(root.contains(a), "{a} outside the pool");
        for b in &all[i + 1..] {
            assert!(!a.contains(b) && !b.contains(a), "{a} overlaps {b}");
        }
    }
    let size = |n: &Ipv4Net| 1u64 << (32 - n.prefix_len());
    assert_eq!(
        all.iter().map(size).sum::<u64>(),
        size(&root),
        "allocations and free blocks tile the pool"
    );
}

fn sigkill_during_applies_leaves_a_consistent_database() {
    // The IPAM, pool and CIDR live in one workspace; the allocations in another, which is the
    // one killed, so a state file lost in a crash costs only allocations (recovered below).
    let owner = Tf::new();
    owner.config(BASE);
    owner.apply();
    let pool = owner.attr("ipam_pool.p", "id");
    let tf = Tf::sharing(&owner.db);
    tf.config(&allocs(&pool));
    for round in 0..4u64 {
        let mut child = Command::new(terraform_bin())
            .args([
                "apply",
                "-auto-approve",
                "-input=false",
                "-no-color",
                "-lock=false",
                "-parallelism=10",
            ])
            .current_dir(tf.path())
            .env("TF_CLI_CONFIG_FILE", tf.path().join("terraform.rc"))
            .env("CHECKPOINT_DISABLE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap();
        // Kill at a different point each round: once this round has added 15, 40, 70, 110 rows.
        let start = tf.sql_count("SELECT count(*) FROM allocations");
        let target = start + [15, 40, 70, 110][round as usize];
        for _ in 0..3000 {
            if child.try_wait().unwrap().is_some() || tf.sql_count("SELECT count(*) FROM allocations") >= target {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        // `--` so the negative number is read as a process group, never as an option.
        if child.try_wait().unwrap().is_none() {
            let status = Command::new("kill")
                .args(["-s", "KILL", "--", &format!("-{}", child.id())])
                .status()
                .unwrap();
            assert!(status.success(), "kill the process group {}", child.id());
        }
        let _ = child.wait();
        assert_consistent(&tf);
        eprintln!(
            "round {round}: {} allocations in the database",
            tf.sql_count("SELECT count(*) FROM allocations")
        );
    }
    // A kill while Terraform writes its state can leave the file unreadable; the user restores
    // terraform.tfstate.backup or, as here, starts from an empty state and imports.
    if !tf.run(&["show", "-json"]).status.success() {
        std::fs::remove_file(tf.path().join("terraform.tfstate")).unwrap();
    }
    tf.ok(&["apply", "-auto-approve", "-input=false", "-no-color", "-lock=false"]);
    assert_consistent(&tf);
    tf.assert_plan_empty();

    // Allocations the database has but the state lacks were written before a kill: import them.
    let in_state: Vec<String> = tf
        .resources()
        .into_iter()
        .filter(|(a, _)| a.starts_with("ipam_pool_allocation."))
        .map(|(_, v)| v["ipam_pool_allocation_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(in_state.len(), 400);
    let orphans: Vec<(String, String)> = tf
        .sql_pairs::<String, String>("SELECT id, pool_id FROM allocations")
        .into_iter()
        .filter(|(id, _)| !in_state.contains(id))
        .collect();
    // `import` blocks adopt them all in one plan.
    let mut extra = String::new();
    for (i, (id, pool)) in orphans.iter().enumerate() {
        extra.push_str(&format!(
            "resource \"ipam_pool_allocation\" \"orphan{i}\" {{\n  ipam_pool_id = \"{pool}\"\n}}\nimport {{\n  to = ipam_pool_allocation.orphan{i}\n  id = \"{id}_{pool}\"\n}}\n"
        ));
    }
    eprintln!("{} orphaned allocations to import", orphans.len());
    tf.config(&format!("{}{extra}", allocs(&pool)));
    let out = tf.ok(&["apply", "-auto-approve", "-input=false", "-no-color", "-lock=false"]);
    assert!(
        orphans.is_empty() || out.contains(&format!("{} imported", orphans.len())),
        "{out}"
    );
    tf.assert_plan_empty();
    tf.ok(&["destroy", "-auto-approve", "-input=false", "-no-color", "-lock=false"]);
    assert_eq!(tf.sql_count("SELECT count(*) FROM allocations"), 0);
    assert_consistent(&tf);
    owner.destroy();
    assert_eq!(owner.sql_count("SELECT count(*) FROM pools"), 0);
}

backend_tests!(sigkill_during_applies_leaves_a_consistent_database,);
