//! Concurrency: allocations never overlap, whatever runs at once.

use crate::common;

use std::collections::{BTreeSet, HashSet};

use common::Tf;
use common::fixtures::{HOME_IPAM, pool_with_cidr_on};

fn base(tf: &Tf) -> String {
    tf.config(&pool_with_cidr_on(HOME_IPAM, "10.0.0.0/16"));
    tf.apply();
    tf.attr("ipam_pool.p", "id")
}

fn allocations(tf: &Tf) -> Vec<(String, ipnet::Ipv4Net)> {
    tf.resources()
        .into_iter()
        .filter(|(a, _)| a.starts_with("ipam_pool_allocation."))
        .map(|(_, v)| {
            (
                v["ipam_pool_allocation_id"].as_str().unwrap().to_string(),
                v["cidr"].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect()
}

fn assert_disjoint(all: &[(String, ipnet::Ipv4Net)]) {
    for (i, (_, a)) in all.iter().enumerate() {
        for (_, b) in &all[i + 1..] {
            assert!(!a.contains(b) && !b.contains(a), "{a} overlaps {b}");
        }
    }
    let ids: HashSet<&String> = all.iter().map(|(id, _)| id).collect();
    assert_eq!(ids.len(), all.len(), "every allocation is in exactly one state");
}

/// The database's allocations are exactly those of the states: every allocation in the database
/// is in one of them, and every allocation of a state is in the database (compared by ID).
fn assert_states_match_database(db: &Tf, all: &[(String, ipnet::Ipv4Net)]) {
    let in_db: BTreeSet<String> = db
        .sql_pairs::<String, String>("SELECT id, pool_id FROM allocations")
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let in_states: BTreeSet<String> = all.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(in_states.len(), all.len(), "an allocation is in more than one state");
    let in_no_state: Vec<&String> = in_db.difference(&in_states).collect();
    assert!(
        in_no_state.is_empty(),
        "{} allocations of the database are in no state: {in_no_state:?}",
        in_no_state.len()
    );
    let not_in_db: Vec<&String> = in_states.difference(&in_db).collect();
    assert!(
        not_in_db.is_empty(),
        "{} allocations of the states are missing from the database: {not_in_db:?}",
        not_in_db.len()
    );
    assert_eq!(
        db.sql_count("SELECT count(*) FROM allocations"),
        all.len() as i64,
        "allocations in the database and in the states"
    );
}

fn simultaneous_applies_in_several_workspaces_never_overlap() {
    let owner = Tf::new();
    let pool = base(&owner);
    let workspaces: Vec<Tf> = (0..4)
        .map(|i| {
            let tf = Tf::sharing(&owner.db);
            tf.config(&format!(
                "resource \"ipam_pool_allocation\" \"w{i}\" {{\n  count = 100\n  ipam_pool_id = \"{pool}\"\n  netmask_length = count.index % 3 == 0 ? 26 : 28\n}}\n"
            ));
            tf
        })
        .collect();
    std::thread::scope(|s| {
        for tf in &workspaces {
            s.spawn(|| tf.apply_with(&["-parallelism=10"]));
        }
    });
    let all: Vec<_> = workspaces.iter().flat_map(allocations).collect();
    assert_eq!(all.len(), 400);
    assert_disjoint(&all);
    assert_states_match_database(&owner, &all);
    std::thread::scope(|s| {
        for tf in &workspaces {
            s.spawn(|| tf.destroy());
        }
    });
    assert_eq!(owner.sql_count("SELECT count(*) FROM allocations"), 0);
    // Everything released: the pool is one free block again.
    assert_eq!(owner.sql_count("SELECT count(*) FROM free_blocks"), 1);
    owner.destroy();
}

fn two_provider_aliases_in_one_configuration_never_overlap() {
    let tf = Tf::new();
    tf.config(&format!(
        r#"{}{}
resource "ipam_pool_allocation" "first" {{
  count          = 40
  ipam_pool_id   = ipam_pool.p.id
  netmask_length = 27
  depends_on     = [ipam_pool_cidr.c]
}}
resource "ipam_pool_allocation" "second" {{
  provider       = ipam.second
  count          = 40
  ipam_pool_id   = ipam_pool.p.id
  netmask_length = 27
  depends_on     = [ipam_pool_cidr.c]
}}
"#,
        tf.provider_alias("second", ""),
        pool_with_cidr_on(HOME_IPAM, "10.0.0.0/20")
    ));
    tf.apply_with(&["-parallelism=20"]);
    let all = allocations(&tf);
    assert_eq!(all.len(), 80);
    assert_disjoint(&all);
    assert_states_match_database(&tf, &all);
    tf.assert_plan_empty();
    tf.destroy();
}

fn two_hundred_allocations_at_parallelism_twenty_never_overlap() {
    let owner = Tf::new();
    let pool = base(&owner);
    let tf = Tf::sharing(&owner.db);
    tf.config(&format!(
        "resource \"ipam_pool_allocation\" \"n\" {{\n  count = 200\n  ipam_pool_id = \"{pool}\"\n  netmask_length = count.index % 5 == 0 ? 25 : 28\n}}\n"
    ));
    tf.apply_with(&["-parallelism=20"]);
    let all = allocations(&tf);
    assert_eq!(all.len(), 200);
    assert_disjoint(&all);
    assert_states_match_database(&owner, &all);
    tf.assert_plan_empty();
    tf.destroy();
    owner.destroy();
}

backend_tests!(
    simultaneous_applies_in_several_workspaces_never_overlap,
    two_provider_aliases_in_one_configuration_never_overlap,
    two_hundred_allocations_at_parallelism_twenty_never_overlap,
);
