//! Crash safety: terraform and the provider killed with SIGKILL in the middle of large applies,
//! at random points; the database stays consistent, nothing is double-allocated, and allocations
//! written to the database but not to the state are recovered by importing them.
//!
//! The kill points come from a seed taken from the clock and printed; `IPAM_CRASH_SEED=<seed>`
//! replays a run.

use crate::common;

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::fixtures::{HOME_IPAM, pool_with_cidr_on};
use common::{Tf, terraform_bin};
use ipnet::Ipv4Net;

/// Allocations in the configuration.
const COUNT: i64 = 400;
/// Kill rounds.
const ROUNDS: usize = 4;
/// The most allocations a round adds before its kill; four rounds add about 190 on average.
const MAX_KILL_AFTER: i64 = 90;
/// Allocations an apply still has to make when it is killed at the latest: it is then surely
/// running (`-parallelism=10` has at most ten in flight).
const MARGIN: i64 = 20;

fn allocs(pool: &str) -> String {
    format!(
        r#"
resource "ipam_pool_allocation" "a" {{
  count          = {COUNT}
  ipam_pool_id   = "{pool}"
  netmask_length = count.index % 4 == 0 ? 26 : 28
}}
"#
    )
}

/// The kill points' random numbers: splitmix64, so a seed replays the same points everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// A number in `lo..=hi`.
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
}

/// `IPAM_CRASH_SEED`, else one from the clock.
fn seed() -> u64 {
    match std::env::var("IPAM_CRASH_SEED") {
        Ok(s) => s
            .parse()
            .unwrap_or_else(|_| panic!("IPAM_CRASH_SEED={s:?} is not a number")),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    }
}

/// The allocations in a state file, or `None` when the file is unreadable (a kill while
/// Terraform wrote it).
fn allocations_in_state(state: &Path) -> Option<i64> {
    let Ok(text) = std::fs::read_to_string(state) else {
        return Some(0);
    };
    let s: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(
        s["resources"]
            .as_array()?
            .iter()
            .filter(|r| r["type"] == "ipam_pool_allocation" && r["mode"] == "managed")
            .map(|r| r["instances"].as_array().map_or(0, Vec::len) as i64)
            .sum(),
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
    // One statement, so one snapshot: a PostgreSQL server may still commit a transaction whose
    // COMMIT the killed provider had sent, and two separate reads could straddle it.
    let all = read("SELECT start, prefix FROM allocations UNION ALL SELECT start, prefix FROM free_blocks");
    let root: Ipv4Net = "10.0.0.0/14".parse().unwrap();
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
    owner.config(&pool_with_cidr_on(HOME_IPAM, "10.0.0.0/14"));
    owner.apply();
    let pool = owner.attr("ipam_pool.p", "id");
    let tf = Tf::sharing(&owner.db);
    tf.config(&allocs(&pool));
    let seed = seed();
    let backend = common::backend();
    eprintln!("{backend:?}: crash test seed {seed} (replay with IPAM_CRASH_SEED={seed})");
    let mut rng = Rng(seed);
    let state = tf.path().join("terraform.tfstate");
    for round in 0..ROUNDS {
        // A kill while Terraform writes its state can leave the file unreadable (truncated); then
        // do as a user would: restore the backup, or start from an empty state when there is no
        // readable backup. What either lacks is imported below.
        let in_state = allocations_in_state(&state).unwrap_or_else(|| {
            let backup = tf.path().join("terraform.tfstate.backup");
            if let Some(n) = allocations_in_state(&backup).filter(|_| backup.exists()) {
                eprintln!("{backend:?} round {round}: the state is unreadable; restoring the backup");
                std::fs::copy(&backup, &state).unwrap();
                n
            } else {
                eprintln!(
                    "{backend:?} round {round}: the state is unreadable and there is no readable backup; starting from an empty state"
                );
                std::fs::remove_file(&state).unwrap();
                0
            }
        });
        // This apply makes the allocations the state lacks; kill it after a random number of
        // them, early enough that it is certainly still running, plus a random few milliseconds.
        let to_make = COUNT - in_state;
        let kill_after = rng.between(5, MAX_KILL_AFTER.min(to_make - MARGIN));
        let delay = Duration::from_millis(rng.between(0, 20) as u64);
        let what = format!(
            "{backend:?} round {round} (seed {seed}: kill after {kill_after} of {to_make} new allocations, +{delay:?})"
        );
        let start = tf.sql_count("SELECT count(*) FROM allocations");
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
        let deadline = Instant::now() + Duration::from_secs(120);
        while tf.sql_count("SELECT count(*) FROM allocations") < start + kill_after {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("{what}: the apply ended ({status}) before the kill point");
            }
            assert!(
                Instant::now() < deadline,
                "{what}: the kill point was not reached in 120 s"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(delay);
        if let Some(status) = child.try_wait().unwrap() {
            panic!("{what}: the apply ended ({status}) before the kill");
        }
        // `--` so the negative number is read as a process group, never as an option.
        let status = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{}", child.id())])
            .status()
            .unwrap();
        assert!(status.success(), "{what}: kill the process group {}", child.id());
        let status = child.wait().unwrap();
        assert_eq!(
            status.signal(),
            Some(9),
            "{what}: terraform was not killed by the SIGKILL but ended with {status}"
        );
        assert_consistent(&tf);
        eprintln!(
            "{what}: {} allocations in the database",
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
    assert_eq!(in_state.len() as i64, COUNT);
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
