//! `ipam_allocation`: first fit as upstream, allowed sizes, parallel allocations, and drift.

use crate::common;

use common::fixtures::{IPAM, pool_with_cidr};
use common::{Tf, flat};

fn upstream_first_fit_expectations_and_replacement() {
    let tf = Tf::new();
    let base = pool_with_cidr("172.2.0.0/24");
    let cfg = |netmask: u8| {
        format!(
            r#"{base}
resource "ipam_pool_allocation" "plain" {{
  ipam_pool_id   = ipam_pool.p.id
  netmask_length = {netmask}
  depends_on     = [ipam_pool_cidr.c]
}}
resource "ipam_pool_allocation" "disallowed" {{
  ipam_pool_id     = ipam_pool.p.id
  netmask_length   = 28
  disallowed_cidrs = ["172.2.0.0/28"]
  depends_on       = [ipam_pool_cidr.c]
}}
"#
        )
    };
    tf.config(&cfg(28));
    let plan = tf.assert_plan_changes();
    assert!(
        flat(&plan).contains("cidr = (known after apply)"),
        "a chosen CIDR is never promised at plan: {plan}"
    );
    tf.apply();
    assert_eq!(tf.attr("ipam_pool_allocation.plain", "cidr"), "172.2.0.0/28");
    assert_eq!(tf.attr("ipam_pool_allocation.disallowed", "cidr"), "172.2.0.16/28");
    tf.assert_plan_empty();
    tf.import_verify();
    // Changing netmask_length replaces the allocation; released space is reused at once.
    tf.config(&cfg(27));
    let plan = tf.assert_plan_changes();
    assert!(plan.contains("forces replacement"), "{plan}");
    tf.apply();
    assert_eq!(tf.attr("ipam_pool_allocation.plain", "cidr"), "172.2.0.32/27");
    tf.assert_plan_empty();
    tf.destroy();
}

/// A pool whose minimum, default and maximum netmask length are equal allows exactly one size, as
/// AWS accepts (upstream's acceptance configurations use 32/32/32).
fn a_pool_with_one_allowed_size() {
    let tf = Tf::new();
    tf.config(&format!(
        r#"{IPAM}
resource "ipam_pool" "p" {{
  ipam_scope_id                     = ipam.main.private_default_scope_id
  address_family                    = "ipv4"
  allocation_min_netmask_length     = 28
  allocation_default_netmask_length = 28
  allocation_max_netmask_length     = 28
}}
resource "ipam_pool_cidr" "c" {{
  ipam_pool_id = ipam_pool.p.id
  cidr         = "172.2.0.0/24"
}}
resource "ipam_pool_allocation" "a" {{
  ipam_pool_id = ipam_pool.p.id
  depends_on   = [ipam_pool_cidr.c]
}}
"#
    ));
    tf.apply();
    assert_eq!(tf.attr("ipam_pool_allocation.a", "cidr"), "172.2.0.0/28");
    assert_eq!(tf.attr("ipam_pool_allocation.a", "compliance_status"), "compliant");
    tf.assert_plan_empty();
    tf.import_verify();
    tf.destroy();
}

fn hundred_parallel_allocations_are_disjoint_and_stable() {
    let tf = Tf::new();
    let base = pool_with_cidr("10.20.0.0/16");
    tf.config(&format!(
        r#"{base}
resource "ipam_pool_allocation" "n" {{
  count          = 100
  ipam_pool_id   = ipam_pool.p.id
  netmask_length = count.index % 2 == 0 ? 24 : 26
  depends_on     = [ipam_pool_cidr.c]
}}
"#
    ));
    tf.apply_with(&["-parallelism=10"]);
    let cidrs: Vec<ipnet::Ipv4Net> = tf
        .resources()
        .into_iter()
        .filter(|(a, _)| a.starts_with("ipam_pool_allocation.n["))
        .map(|(_, v)| v["cidr"].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(cidrs.len(), 100);
    for (i, a) in cidrs.iter().enumerate() {
        assert!("10.20.0.0/16".parse::<ipnet::Ipv4Net>().unwrap().contains(a));
        for b in &cidrs[i + 1..] {
            assert!(!a.contains(b) && !b.contains(a), "{a} overlaps {b}");
        }
    }
    assert_eq!(tf.sql_count("SELECT count(*) FROM allocations"), 100);
    tf.assert_plan_empty();
    tf.apply_with(&["-parallelism=10"]);
    assert_eq!(
        tf.sql_count("SELECT count(*) FROM allocations"),
        100,
        "a second apply allocates nothing"
    );
    tf.destroy();
    assert_eq!(tf.sql_count("SELECT count(*) FROM free_blocks"), 0);
}

fn drift_of_allocations_and_pool_cidrs_is_planned_back() {
    let tf = Tf::new();
    let base = pool_with_cidr("10.0.0.0/24");
    tf.config(&format!(
        r#"{base}
resource "ipam_pool_allocation" "a" {{
  ipam_pool_id   = ipam_pool.p.id
  netmask_length = 26
  depends_on     = [ipam_pool_cidr.c]
}}
"#
    ));
    tf.apply();
    let alloc = tf.attr("ipam_pool_allocation.a", "ipam_pool_allocation_id");
    // Released behind Terraform's back (the free-space index is left as the CLI would leave it:
    // the test only removes the row Terraform reads).
    tf.sql(&format!("DELETE FROM allocations WHERE id = '{alloc}'"));
    let plan = flat(&tf.assert_plan_changes());
    assert!(plan.contains("ipam_pool_allocation.a will be created"), "{plan}");
    // The pool's description changed outside Terraform.
    tf.sql("UPDATE pools SET description = 'edited'");
    let plan = flat(&tf.assert_plan_changes());
    assert!(plan.contains(r#"- description = "edited" -> null"#), "{plan}");
    tf.destroy();
}

backend_tests!(
    upstream_first_fit_expectations_and_replacement,
    a_pool_with_one_allowed_size,
    hundred_parallel_allocations_are_disjoint_and_stable,
    drift_of_allocations_and_pool_cidrs_is_planned_back,
);
