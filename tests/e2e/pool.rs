//! `ipam_pool`: hierarchy rules at plan and at apply, Amazon-provided IPv6 space, and deletion
//! with cascade.

use crate::common;

use common::fixtures::{IPAM, amazon_ipv6_pools};
use common::{Tf, flat};

fn public_ipv6_pools_from_amazon_space() {
    let tf = Tf::new();
    let base = amazon_ipv6_pools("netmask_length = 56");
    tf.config(&format!(
        r#"{base}
resource "ipam_pool_allocation" "vpc" {{
  ipam_pool_id   = ipam_pool.vpcs.id
  netmask_length = 60
  resource_type  = "vpc"
  resource_id    = "vpc-0abc"
  depends_on     = [ipam_pool_cidr.vpcs]
}}
"#
    ));
    tf.apply();
    assert_eq!(tf.attr("ipam_pool_cidr.v6", "cidr"), "2600:1f00::/52");
    assert_eq!(tf.attr("ipam_pool_cidr.vpcs", "cidr"), "2600:1f00::/56");
    assert_eq!(tf.attr("ipam_pool_allocation.vpc", "cidr"), "2600:1f00::/60");
    assert_eq!(tf.values("ipam_pool.v6")["ipam_scope_type"], "public");
    tf.assert_plan_empty();
    tf.import_verify();
    tf.destroy();
}

fn rules_visible_in_configuration_are_refused_at_plan() {
    let tf = Tf::new();
    tf.config(IPAM);
    tf.apply();
    let before = tf.db_dump();
    let cases: &[(&str, &str, &str)] = &[
        (
            r#"resource "ipam_pool" "x" {
  ipam_scope_id         = ipam.main.private_default_scope_id
  address_family        = "ipv6"
  publicly_advertisable = false
}"#,
            "publicly_advertisable is for public pools",
            "publicly_advertisable",
        ),
        (
            r#"resource "ipam_pool" "x" {
  ipam_scope_id                 = ipam.main.private_default_scope_id
  address_family                = "ipv4"
  allocation_min_netmask_length = 24
  allocation_max_netmask_length = 16
}"#,
            "Minimum netmask length greater than the maximum",
            "allocation_min_netmask_length",
        ),
        (
            r#"resource "ipam_pool" "x" {
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
  auto_import    = true
}"#,
            "Auto-import needs a locale",
            "auto_import",
        ),
        (
            r#"resource "ipam_pool" "x" {
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
  aws_service    = "ec2"
}"#,
            "aws_service is for public pools",
            "aws_service",
        ),
        (
            r#"resource "ipam_pool_cidr" "x" {
  ipam_pool_id   = "ipam-pool-0123456789abcdef0"
  cidr           = "10.0.0.1/24"
}"#,
            "did you mean 10.0.0.0/24",
            "cidr",
        ),
        (
            r#"resource "ipam_pool_cidr" "x" {
  ipam_pool_id   = "ipam-pool-0123456789abcdef0"
  cidr           = "10.0.0.0/24"
  netmask_length = 16
}"#,
            "Conflicting arguments",
            "netmask_length",
        ),
        (
            r#"resource "ipam_pool_allocation" "x" {
  ipam_pool_id  = "ipam-pool-0123456789abcdef0"
  resource_type = "database"
}"#,
            "Invalid resource type",
            "resource_type",
        ),
    ];
    for (body, message, attr) in cases {
        tf.plan_fails_with(&format!("{IPAM}{body}"), &[message, attr]);
    }
    assert_eq!(tf.db_dump(), before, "nothing written by refused plans");
    tf.config(IPAM);
    tf.destroy();
}

fn rules_needing_the_database_are_refused_at_apply_and_write_nothing() {
    let tf = Tf::new();
    let base = format!(
        r#"{IPAM}
resource "ipam_pool" "a" {{
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
  allocation_max_netmask_length = 28
}}
resource "ipam_pool_cidr" "a" {{
  ipam_pool_id = ipam_pool.a.id
  cidr         = "10.0.0.0/24"
}}
resource "ipam_pool" "b" {{
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
}}
resource "ipam_pool" "child" {{
  ipam_scope_id       = ipam.main.private_default_scope_id
  address_family      = "ipv4"
  source_ipam_pool_id = ipam_pool.a.id
}}
"#
    );
    tf.config(&base);
    tf.apply();
    let before_without_history = tf.db_dump_except(&["history"]);
    let cases: &[(&str, &str)] = &[
        (
            r#"resource "ipam_pool_cidr" "b" {
  ipam_pool_id = ipam_pool.b.id
  cidr         = "10.0.0.128/25"
}"#,
            "CIDR overlaps another pool",
        ),
        (
            r#"resource "ipam_pool_cidr" "child" {
  ipam_pool_id = ipam_pool.child.id
  cidr         = "10.9.0.0/26"
}"#,
            "is not inside any CIDR provisioned to the pool",
        ),
        (
            r#"resource "ipam_pool_allocation" "big" {
  ipam_pool_id   = ipam_pool.b.id
  netmask_length = 24
}"#,
            "Pool has no CIDRs",
        ),
        (
            r#"resource "ipam_pool_allocation" "big" {
  ipam_pool_id   = ipam_pool.a.id
  netmask_length = 30
}"#,
            "Allocation outside the pool's netmask rules",
        ),
        (
            r#"resource "ipam_pool_allocation" "x" {
  count          = 5
  ipam_pool_id   = ipam_pool.a.id
  netmask_length = 26
}"#,
            "The pool has no free ipv4 space left for a /26",
        ),
        (
            r#"resource "ipam_pool_cidr" "b" {
  ipam_pool_id   = ipam_pool.b.id
  netmask_length = 24
}"#,
            "A top-level pool needs an explicit CIDR",
        ),
    ];
    for (body, message) in cases {
        let before = tf.db_dump();
        tf.config(&format!("{base}{body}"));
        let out = flat(&tf.apply_fails());
        assert!(out.contains(message), "expected {message:?}:\n{out}");
        if !body.contains("count") {
            assert_eq!(tf.db_dump(), before, "refused apply wrote nothing ({message})");
        }
        tf.config(&base);
        tf.apply();
        assert_eq!(tf.db_dump_except(&["history"]), before_without_history);
    }
    // Deprovisioning a CIDR that still has allocations (made by another workspace) is refused.
    let other = Tf::sharing(&tf.db);
    other.config(&format!(
        "resource \"ipam_pool_allocation\" \"o\" {{\n  ipam_pool_id = \"{}\"\n  netmask_length = 28\n}}\n",
        tf.attr("ipam_pool.a", "id")
    ));
    other.apply();
    // Only the deprovision is planned, so the refused apply must leave the database as it was.
    let without_cidr = base.replace(
        "resource \"ipam_pool_cidr\" \"a\" {\n  ipam_pool_id = ipam_pool.a.id\n  cidr         = \"10.0.0.0/24\"\n}\n",
        "",
    );
    assert_ne!(without_cidr, base);
    let before = tf.db_dump();
    tf.config(&without_cidr);
    let out = flat(&tf.apply_fails());
    assert!(out.contains("CIDR still has allocations"), "{out}");
    assert!(out.contains("(R-50)"), "{out}");
    assert_eq!(tf.db_dump(), before, "a refused deprovision writes nothing (R-50)");
    other.destroy();
    tf.config(&base);
    tf.destroy();
}

fn pool_delete_needs_cascade_and_locale_change_replaces() {
    let tf = Tf::new();
    let cfg = |cascade: bool, locale: &str| {
        format!(
            r#"{IPAM}
resource "ipam_pool" "p" {{
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
  cascade        = {cascade}
}}
resource "ipam_pool" "empty" {{
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
  locale         = "{locale}"
}}
"#
        )
    };
    tf.config(&cfg(false, "us-east-1"));
    tf.apply();
    // Another workspace provisions a CIDR, a child pool and allocations into the pool.
    let other = Tf::sharing(&tf.db);
    other.config(&format!(
        r#"
resource "ipam_pool_cidr" "c" {{
  ipam_pool_id = "{pool}"
  cidr         = "10.0.0.0/16"
}}
resource "ipam_pool" "child" {{
  ipam_scope_id       = "{scope}"
  address_family      = "ipv4"
  source_ipam_pool_id = "{pool}"
}}
resource "ipam_pool_cidr" "child" {{
  ipam_pool_id   = ipam_pool.child.id
  netmask_length = 20
  depends_on     = [ipam_pool_cidr.c]
}}
resource "ipam_pool_allocation" "a" {{
  ipam_pool_id   = "{pool}"
  netmask_length = 24
  depends_on     = [ipam_pool_cidr.child]
}}
"#,
        pool = tf.attr("ipam_pool.p", "id"),
        scope = tf.attr("ipam.main", "private_default_scope_id"),
    ));
    other.apply();
    assert_eq!(other.attr("ipam_pool_cidr.child", "cidr"), "10.0.0.0/20");
    assert_eq!(other.attr("ipam_pool_allocation.a", "cidr"), "10.0.16.0/24");

    // A locale change replaces the pool (R-17).
    let empty = tf.attr("ipam_pool.empty", "id");
    tf.config(&cfg(false, "us-west-2"));
    let plan = tf.assert_plan_changes();
    assert!(plan.contains("forces replacement"), "{plan}");
    tf.apply();
    assert_ne!(tf.attr("ipam_pool.empty", "id"), empty);

    // Without cascade the non-empty pool is not deleted, and nothing changes.
    let before = tf.db_dump();
    let out = flat(&tf.fails(&["destroy", "-auto-approve", "-no-color", "-target=ipam_pool.p"]));
    assert!(out.contains("Pool is not empty"), "{out}");
    assert!(out.contains("cascade = true"), "{out}");
    assert_eq!(tf.db_dump(), before);
    // With cascade everything inside goes, deepest first.
    tf.config(&cfg(true, "us-west-2"));
    tf.apply();
    tf.destroy();
    for t in ["pools", "pool_cidrs", "allocations", "free_blocks"] {
        assert_eq!(tf.sql_count(&format!("SELECT count(*) FROM {t}")), 0, "{t}");
    }
    // The other workspace sees its objects gone and plans to create them again.
    let (code, _) = other.plan_code(&[]);
    assert_ne!(code, 0);
}

/// Refusals of rules, at plan or apply, each leaving the database exactly as it was.
fn refusals_leave_the_database_unchanged() {
    let tf = Tf::new()
        .provider_extra("quotas {\n    pools_per_scope = 3\n    cidrs_per_pool  = 2\n    pool_depth      = 2\n  }");
    let base = format!(
        r#"{IPAM}
resource "ipam_pool" "a" {{
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
  locale         = "us-east-1"
}}
resource "ipam_pool_cidr" "a1" {{
  ipam_pool_id = ipam_pool.a.id
  cidr         = "10.0.0.0/24"
}}
resource "ipam_pool_cidr" "a2" {{
  ipam_pool_id = ipam_pool.a.id
  cidr         = "10.2.0.0/24"
}}
resource "ipam_pool_allocation" "x" {{
  ipam_pool_id = ipam_pool.a.id
  cidr         = "10.0.0.0/28"
  depends_on   = [ipam_pool_cidr.a1]
}}
resource "ipam_pool" "c1" {{
  ipam_scope_id       = ipam.main.private_default_scope_id
  address_family      = "ipv4"
  source_ipam_pool_id = ipam_pool.a.id
}}
resource "ipam_pool" "b" {{
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
}}
resource "ipam_pool" "pub4" {{
  ipam_scope_id  = ipam.main.public_default_scope_id
  address_family = "ipv4"
}}
resource "ipam_pool" "pub6" {{
  ipam_scope_id         = ipam.main.public_default_scope_id
  address_family        = "ipv6"
  public_ip_source      = "amazon"
  aws_service           = "ec2"
  locale                = "us-east-1"
  publicly_advertisable = true
}}
resource "ipam_pool_cidr" "pub6" {{
  ipam_pool_id   = ipam_pool.pub6.id
  netmask_length = 52
}}
resource "ipam_pool" "pub6b" {{
  ipam_scope_id         = ipam.main.public_default_scope_id
  address_family        = "ipv6"
  publicly_advertisable = true
}}
"#
    );
    tf.config(&base);
    tf.apply();
    tf.assert_plan_empty();
    let cases: &[(&str, &str, &str)] = &[
        (
            r#"resource "ipam_pool" "fourth" {
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
}"#,
            "Pool quota reached",
            "(R-24)",
        ),
        (
            r#"resource "ipam_pool_cidr" "a3" {
  ipam_pool_id = ipam_pool.a.id
  cidr         = "10.3.0.0/24"
}"#,
            "Pool CIDR quota reached",
            "(R-42)",
        ),
        (
            r#"resource "ipam_pool" "grandchild" {
  ipam_scope_id       = ipam.main.private_default_scope_id
  address_family      = "ipv4"
  source_ipam_pool_id = ipam_pool.c1.id
}"#,
            "Pool depth quota reached",
            "source_ipam_pool_id",
        ),
        (
            r#"resource "ipam_pool" "v6child" {
  ipam_scope_id       = ipam.main.public_default_scope_id
  address_family      = "ipv6"
  source_ipam_pool_id = ipam_pool.pub4.id
}"#,
            "Parent pool has another address family",
            "address_family",
        ),
        (
            r#"resource "ipam_pool_cidr" "pub4" {
  ipam_pool_id = ipam_pool.pub4.id
  cidr         = "130.137.245.0/25"
}"#,
            "CIDR too small for a public pool",
            "(R-43)",
        ),
        (
            r#"resource "ipam_pool_cidr" "pub6b" {
  ipam_pool_id = ipam_pool.pub6b.id
  cidr         = "2001:db8::/49"
}"#,
            "CIDR too small for a public pool",
            "(R-44)",
        ),
        (
            r#"resource "ipam_pool_allocation" "manual" {
  ipam_pool_id   = ipam_pool.pub6.id
  netmask_length = 56
}"#,
            "Manual allocations are not allowed in the public scope",
            "(R-54)",
        ),
        (
            r#"resource "ipam_pool_allocation" "far" {
  ipam_pool_id    = ipam_pool.a.id
  netmask_length  = 28
  resource_type   = "vpc"
  resource_id     = "vpc-0123456789abcdef0"
  resource_region = "us-west-2"
}"#,
            "Resource is outside the pool's locale",
            "(R-34)",
        ),
        (
            r#"resource "ipam_pool_allocation" "overlap" {
  ipam_pool_id = ipam_pool.a.id
  cidr         = "10.0.0.0/27"
}"#,
            "overlaps space that is already allocated",
            "10.0.0.0/27",
        ),
        (
            r#"resource "ipam_pool_cidr" "pub6more" {
  ipam_pool_id   = ipam_pool.pub6.id
  netmask_length = 56
}"#,
            "Amazon-provided block size",
            "/40 to /52",
        ),
    ];
    for (body, message, detail) in cases {
        let before = tf.db_dump();
        tf.config(&format!("{base}{body}"));
        let out = flat(&tf.apply_fails());
        assert!(out.contains(message), "expected {message:?}:\n{out}");
        assert!(out.contains(detail), "expected {detail:?}:\n{out}");
        assert_eq!(tf.db_dump(), before, "refused ({message}) wrote nothing");
    }
    tf.config(&base);
    tf.assert_plan_empty();
    tf.destroy();
}

backend_tests!(
    public_ipv6_pools_from_amazon_space,
    rules_visible_in_configuration_are_refused_at_plan,
    rules_needing_the_database_are_refused_at_apply_and_write_nothing,
    pool_delete_needs_cascade_and_locale_change_replaces,
    refusals_leave_the_database_unchanged,
);
