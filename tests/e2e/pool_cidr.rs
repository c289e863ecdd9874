//! `ipam_pool_cidr`: IPv6 spellings, drift and replacement, public prefixes and BYOIP checks at plan.

use crate::common;

use common::fixtures::{IPAM, amazon_ipv6_pools, pool_with_cidr, private_ipv6_pool};
use common::{Tf, flat};

/// IPv6 written in capitals, with zero padding or uncompressed applies once and stays planned
/// empty: the state keeps the configuration's spelling, the database the canonical form, and an
/// import (canonical) plans nothing against the same configuration.
fn any_ipv6_spelling_applies_without_a_diff_and_the_database_keeps_the_canonical_form() {
    let tf = Tf::new();
    let base = amazon_ipv6_pools("cidr = \"2600:1F00::/56\"");
    tf.config(&format!(
        r#"{base}
resource "ipam_pool_allocation" "exact" {{
  ipam_pool_id = ipam_pool.vpcs.id
  cidr         = "2600:1f00:0000:0000:0000:0000:0000:0000/60"
  resource_type = "vpc"
  resource_id  = "vpc-0abc"
  depends_on   = [ipam_pool_cidr.vpcs]
}}
resource "ipam_pool_allocation" "fit" {{
  ipam_pool_id     = ipam_pool.vpcs.id
  netmask_length   = 60
  disallowed_cidrs = ["2600:1F00:0:0010::/60", "2600:1f00:0:10::/60"]
  resource_type    = "vpc"
  resource_id      = "vpc-0def"
  depends_on       = [ipam_pool_allocation.exact]
}}
resource "ipam_preview_next_cidr" "next" {{
  ipam_pool_id     = ipam_pool.vpcs.id
  netmask_length   = 60
  disallowed_cidrs = ["2600:1F00:0:10::/60"]
  depends_on       = [ipam_pool_allocation.fit]
}}
"#
    ));
    tf.apply();
    assert_eq!(tf.attr("ipam_pool_cidr.vpcs", "cidr"), "2600:1F00::/56");
    assert_eq!(
        tf.attr("ipam_pool_allocation.exact", "cidr"),
        "2600:1f00:0000:0000:0000:0000:0000:0000/60"
    );
    assert_eq!(tf.attr("ipam_pool_allocation.fit", "cidr"), "2600:1f00:0:20::/60");
    assert_eq!(
        tf.values("ipam_pool_allocation.fit")["disallowed_cidrs"],
        serde_json::json!(["2600:1F00:0:0010::/60", "2600:1f00:0:10::/60"])
    );
    assert_eq!(tf.attr("ipam_preview_next_cidr.next", "cidr"), "2600:1f00:0:30::/60");
    // The database keeps one canonical spelling.
    assert_eq!(
        tf.sql_count("SELECT COUNT(*) FROM pool_cidrs WHERE cidr = '2600:1f00::/56'"),
        1
    );
    assert_eq!(
        tf.sql_count("SELECT COUNT(*) FROM allocations WHERE cidr = '2600:1f00::/60'"),
        1
    );
    assert_eq!(
        tf.sql_count("SELECT COUNT(*) FROM allocations WHERE disallowed_cidrs = '[\"2600:1f00:0:10::/60\"]'"),
        1
    );
    // Refresh keeps the configuration's spelling: nothing to do, twice.
    tf.assert_plan_empty();
    tf.apply();
    tf.assert_plan_empty();
    // An import reads the canonical form and plans nothing against the same configuration.
    let fresh = Tf::sharing(&tf.db);
    std::fs::copy(tf.path().join("main.tf"), fresh.path().join("main.tf")).expect("copy config");
    for (addr, values) in tf.resources() {
        let mut id = values["id"].as_str().expect("id").to_string();
        if addr == "ipam_preview_next_cidr.next" {
            // A preview's import ID lists its disallowed CIDRs after the CIDR.
            id = id.replacen('_', ",2600:1f00:0:10::/60_", 1);
        }
        fresh.ok(&["import", "-input=false", "-no-color", &addr, &id]);
    }
    assert_eq!(fresh.attr("ipam_pool_cidr.vpcs", "cidr"), "2600:1f00::/56");
    assert_eq!(fresh.attr("ipam_pool_allocation.exact", "cidr"), "2600:1f00::/60");
    fresh.assert_plan_empty();
    tf.destroy();
}

fn pool_cidr_drift_and_replace() {
    let tf = Tf::new();
    let cfg = pool_with_cidr;
    tf.config(&cfg("10.0.0.0/24"));
    tf.apply();
    tf.assert_plan_empty();
    let pool = tf.attr("ipam_pool.p", "id");
    let old_id = tf.attr("ipam_pool_cidr.c", "ipam_pool_cidr_id");
    // Deprovisioned behind Terraform's back (the row and its free space, as a deprovision would).
    tf.sql(&format!("DELETE FROM free_blocks WHERE pool_id = '{pool}'"));
    tf.sql(&format!("DELETE FROM pool_cidrs WHERE pool_id = '{pool}'"));
    let plan = flat(&tf.assert_plan_changes());
    assert!(plan.contains("ipam_pool_cidr.c will be created"), "{plan}");
    tf.apply();
    assert_ne!(tf.attr("ipam_pool_cidr.c", "ipam_pool_cidr_id"), old_id);
    assert_eq!(tf.sql_count("SELECT count(*) FROM pool_cidrs"), 1);
    tf.assert_plan_empty();
    // Replace with a CIDR that contains the old one: the old one goes first, so neither plan nor
    // apply sees an overlap (R-40 is about other pools' CIDRs).
    tf.config(&cfg("10.0.0.0/16"));
    let plan = tf.assert_plan_changes();
    assert!(plan.contains("forces replacement"), "{plan}");
    tf.apply();
    assert_eq!(tf.attr("ipam_pool_cidr.c", "cidr"), "10.0.0.0/16");
    assert_eq!(tf.attr("ipam_pool_cidr.c", "id"), format!("10.0.0.0/16_{pool}"));
    assert_eq!(tf.sql_count("SELECT count(*) FROM pool_cidrs"), 1);
    assert_eq!(tf.sql_count("SELECT count(*) FROM free_blocks"), 1);
    tf.assert_plan_empty();
    // And to a disjoint CIDR.
    tf.config(&cfg("192.168.0.0/20"));
    tf.apply();
    assert_eq!(tf.attr("ipam_pool_cidr.c", "cidr"), "192.168.0.0/20");
    tf.assert_plan_empty();
    tf.import_verify();
    tf.destroy();
}

/// R-43, R-44, R-45, R-46: shown by the configuration and the pool in the database, so refused at
/// plan, with the diagnostic on the attribute at fault.
fn public_prefix_and_byoip_checks_run_at_plan() {
    let tf = Tf::new();
    let base = format!(
        r#"{IPAM}
resource "ipam_pool" "pub4" {{
  ipam_scope_id  = ipam.main.public_default_scope_id
  address_family = "ipv4"
}}
resource "ipam_pool" "pub6" {{
  ipam_scope_id         = ipam.main.public_default_scope_id
  address_family        = "ipv6"
  publicly_advertisable = false
}}
"#
    );
    tf.config(&base);
    tf.apply();
    let before = tf.db_dump();
    let cases: &[(&str, &str, &str)] = &[
        (
            r#"resource "ipam_pool_cidr" "x" {
  ipam_pool_id = ipam_pool.pub4.id
  cidr         = "130.137.245.0/25"
}"#,
            "CIDR too small for a public pool",
            r#"cidr         = "130.137.245.0/25""#,
        ),
        (
            r#"resource "ipam_pool_cidr" "x" {
  ipam_pool_id = ipam_pool.pub6.id
  cidr         = "2001:db8::/61"
}"#,
            "CIDR too small for a public pool",
            r#"cidr         = "2001:db8::/61""#,
        ),
        (
            r#"resource "ipam_pool_cidr" "x" {
  ipam_pool_id = ipam_pool.pub4.id
  cidr         = "130.137.245.0/24"
}"#,
            "BYOIP authorization required",
            "cidr_authorization_context",
        ),
        (
            r#"resource "ipam_pool_cidr" "x" {
  ipam_pool_id = ipam_pool.pub4.id
  cidr         = "130.137.245.0/24"
  cidr_authorization_context {
    message   = "1|aws|999999999999|130.137.245.0/24|20991231|SHA256|RSAPSS"
    signature = "sig"
  }
}"#,
            "BYOIP authorization message: wrong account",
            "message   =",
        ),
        (
            r#"resource "ipam_pool_cidr" "x" {
  ipam_pool_id = ipam_pool.pub4.id
  cidr         = "130.137.245.0/24"
  cidr_authorization_context {
    message   = "1|aws|123456789012|130.137.245.0/24|20991231|SHA256|RSAPSS"
    signature = ""
  }
}"#,
            "BYOIP authorization signature missing",
            "signature =",
        ),
    ];
    for (body, message, at) in cases {
        tf.config(&format!("{base}{body}"));
        let out = tf.plan_fails();
        assert!(flat(&out).contains(message), "expected {message:?} at plan:\n{out}");
        assert!(out.contains(at), "diagnostic points at {at:?}:\n{out}");
        assert_eq!(tf.db_dump(), before, "nothing written by a refused plan");
    }
    // A valid authorization plans and provisions.
    tf.config(&format!(
        r#"{base}
resource "ipam_pool_cidr" "x" {{
  ipam_pool_id = ipam_pool.pub4.id
  cidr         = "130.137.245.0/24"
  cidr_authorization_context {{
    message   = "1|aws|123456789012|130.137.245.0/24|20991231|SHA256|RSAPSS"
    signature = "sig"
  }}
}}
"#
    ));
    tf.apply();
    tf.assert_plan_empty();
    tf.destroy();
}

/// A private IPv6 pool in unique local space (R-16 as AWS allows today) carries a whole
/// hierarchy: a regional child pool carved by netmask length, an allocation by first fit and an
/// exact one; plans stay empty, every object imports, and destroy empties the database.
fn private_ipv6_ula_pool_with_child_and_allocations() {
    let tf = Tf::new();
    tf.config(&format!(
        r#"{}
resource "ipam_pool_cidr" "v6" {{
  ipam_pool_id = ipam_pool.v6.id
  cidr         = "fd00:10::/48"
}}
resource "ipam_pool" "child" {{
  ipam_scope_id       = ipam.main.private_default_scope_id
  address_family      = "ipv6"
  locale              = "us-east-1"
  source_ipam_pool_id = ipam_pool.v6.id
}}
resource "ipam_pool_cidr" "child" {{
  ipam_pool_id   = ipam_pool.child.id
  netmask_length = 56
  depends_on     = [ipam_pool_cidr.v6]
}}
resource "ipam_pool_allocation" "first" {{
  ipam_pool_id   = ipam_pool.child.id
  netmask_length = 64
  depends_on     = [ipam_pool_cidr.child]
}}
resource "ipam_pool_allocation" "exact" {{
  ipam_pool_id = ipam_pool.v6.id
  cidr         = "fd00:10:0:8000::/52"
  depends_on   = [ipam_pool_cidr.v6]
}}
"#,
        private_ipv6_pool("")
    ));
    tf.apply();
    tf.assert_plan_empty();
    assert_eq!(tf.values("ipam_pool.v6")["ipam_scope_type"], "private");
    assert_eq!(tf.attr("ipam_pool_cidr.child", "cidr"), "fd00:10::/56");
    assert_eq!(tf.attr("ipam_pool_allocation.first", "cidr"), "fd00:10::/64");
    assert_eq!(tf.attr("ipam_pool_allocation.exact", "cidr"), "fd00:10:0:8000::/52");
    assert_eq!(tf.values("ipam_pool.child")["pool_depth"], 2);
    tf.import_verify();
    tf.destroy();
    assert_eq!(tf.sql_count("SELECT count(*) FROM pools"), 0);
}

/// A top-level private IPv6 CIDR outside unique local and global unicast space is refused at
/// plan on `cidr`, saying what to use, and nothing is written.
fn private_ipv6_space_outside_ula_and_gua_is_refused_at_plan() {
    let tf = Tf::new();
    tf.config(&private_ipv6_pool(""));
    tf.apply();
    let before = tf.db_dump();
    for cidr in ["fe80::/64", "ff00::/8", "fc00:1::/48", "::1/128"] {
        tf.config(&format!(
            "{}resource \"ipam_pool_cidr\" \"bad\" {{\n  ipam_pool_id = ipam_pool.v6.id\n  cidr = \"{cidr}\"\n}}\n",
            private_ipv6_pool("")
        ));
        let out = flat(&tf.plan_fails());
        assert!(
            out.contains("Error: IPv6 CIDR not allowed in a private scope"),
            "{cidr}: {out}"
        );
        assert!(
            out.contains("fd00::/8") && out.contains("enable_private_gua = true"),
            "{out}"
        );
        assert!(out.contains("cidr = \""), "points at cidr: {out}");
        assert!(flat(&tf.apply_fails()).contains("IPv6 CIDR not allowed in a private scope"));
        assert_eq!(tf.db_dump(), before, "{cidr}");
    }
}

/// With `enable_private_gua`, a private pool holds global unicast space; turning the setting off
/// while it does is refused at apply (warned at plan), naming the pool and the CIDR, and changes
/// nothing; once the CIDR is deprovisioned in the same configuration, it goes off.
fn private_gua_cannot_be_turned_off_while_provisioned() {
    let tf = Tf::new();
    let cidr =
        "resource \"ipam_pool_cidr\" \"gua\" {\n  ipam_pool_id = ipam_pool.v6.id\n  cidr = \"2001:db8::/48\"\n}\n";
    tf.config(&format!("{}{cidr}", private_ipv6_pool("enable_private_gua = true")));
    tf.apply();
    tf.assert_plan_empty();
    let pool = tf.attr("ipam_pool.v6", "id");
    let before = tf.db_dump();
    for off in ["enable_private_gua = false", ""] {
        tf.config(&format!("{}{cidr}", private_ipv6_pool(off)));
        let plan = flat(&tf.assert_plan_changes());
        assert!(
            plan.contains("Warning: Checked at apply: Private pools hold global unicast IPv6"),
            "{plan}"
        );
        let out = flat(&tf.apply_fails());
        assert!(out.contains("Error: Private pools hold global unicast IPv6"), "{out}");
        assert!(out.contains(&format!("2001:db8::/48 in pool {pool}")), "{out}");
        assert_eq!(tf.db_dump(), before, "a refused apply writes nothing");
    }
    tf.config(&private_ipv6_pool(""));
    tf.apply();
    tf.assert_plan_empty();
    assert!(tf.values("ipam.main")["enable_private_gua"].is_null());
    tf.destroy();
}

backend_tests!(
    private_ipv6_ula_pool_with_child_and_allocations,
    private_ipv6_space_outside_ula_and_gua_is_refused_at_plan,
    private_gua_cannot_be_turned_off_while_provisioned,
    any_ipv6_spelling_applies_without_a_diff_and_the_database_keeps_the_canonical_form,
    pool_cidr_drift_and_replace,
    public_prefix_and_byoip_checks_run_at_plan,
);
