//! Pools, pool CIDRs and allocations driven by the real terraform binary.

use crate::common;

use common::{Tf, flat};

const IPAM: &str = r#"
resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
  operating_regions { region_name = "us-west-2" }
}
"#;

/// The IPAM with a private IPv4 pool `p` holding one provisioned CIDR `c`: the start of many
/// configurations here.
fn pool_with_cidr(cidr: &str) -> String {
    format!(
        r#"{IPAM}
resource "ipam_pool" "p" {{
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
}}
resource "ipam_pool_cidr" "c" {{
  ipam_pool_id = ipam_pool.p.id
  cidr         = "{cidr}"
}}
"#
    )
}

/// The seed tutorial: top-level pool without locale, regional child, development grandchild.
const HIERARCHY: &str = r#"
resource "ipam_pool" "top" {
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
  description    = "top-level"
}
resource "ipam_pool_cidr" "top" {
  ipam_pool_id = ipam_pool.top.id
  cidr         = "10.0.0.0/8"
}
resource "ipam_pool" "regional" {
  ipam_scope_id       = ipam.main.private_default_scope_id
  address_family      = "ipv4"
  locale              = "us-east-1"
  source_ipam_pool_id = ipam_pool.top.id
}
resource "ipam_pool_cidr" "regional" {
  ipam_pool_id = ipam_pool.regional.id
  cidr         = "10.0.0.0/16"
  depends_on   = [ipam_pool_cidr.top]
}
resource "ipam_pool" "dev" {
  ipam_scope_id                     = ipam.main.private_default_scope_id
  address_family                    = "ipv4"
  locale                            = "us-east-1"
  source_ipam_pool_id               = ipam_pool.regional.id
  allocation_default_netmask_length = 28
  allocation_min_netmask_length     = 26
  allocation_max_netmask_length     = 28
  allocation_resource_tags          = { env = "dev" }
  tags                              = { team = "dev" }
}
resource "ipam_pool_cidr" "dev" {
  ipam_pool_id   = ipam_pool.dev.id
  netmask_length = 24
  depends_on     = [ipam_pool_cidr.regional]
}
resource "ipam_pool_allocation" "a" {
  ipam_pool_id = ipam_pool.dev.id
  description  = "first"
  tags         = { env = "dev" }
  depends_on   = [ipam_pool_cidr.dev]
}
resource "ipam_pool_allocation" "b" {
  ipam_pool_id   = ipam_pool.dev.id
  netmask_length = 26
  depends_on     = [ipam_pool_allocation.a]
}
resource "ipam_pool_allocation" "vpc" {
  ipam_pool_id  = ipam_pool.dev.id
  cidr          = "10.0.0.192/28"
  resource_type = "vpc"
  resource_id   = "vpc-0123456789abcdef0"
  depends_on    = [ipam_pool_cidr.dev]
}
"#;

fn seed_tutorial_hierarchy_end_to_end() {
    let tf = Tf::new();
    tf.config(&format!("{IPAM}{HIERARCHY}"));
    tf.apply();
    tf.assert_plan_empty();

    assert_eq!(tf.values("ipam_pool.top")["pool_depth"], 1);
    assert_eq!(tf.values("ipam_pool.top")["locale"], "None");
    assert_eq!(tf.values("ipam_pool.regional")["pool_depth"], 2);
    assert_eq!(tf.values("ipam_pool.dev")["pool_depth"], 3);
    assert_eq!(tf.values("ipam_pool.dev")["ipam_scope_type"], "private");
    assert_eq!(
        tf.attr("ipam_pool_cidr.dev", "cidr"),
        "10.0.0.0/24",
        "first free /24 of the regional pool"
    );
    assert_eq!(tf.values("ipam_pool_cidr.dev")["netmask_length"], 24);
    let a = tf.values("ipam_pool_allocation.a");
    assert_eq!(a["cidr"], "10.0.0.0/28", "the pool default /28, first fit");
    assert_eq!(a["netmask_length"], 28);
    assert_eq!(a["compliance_status"], "compliant");
    assert_eq!(a["resource_type"], "custom");
    assert!(
        a["ipam_pool_allocation_id"]
            .as_str()
            .unwrap()
            .starts_with("ipam-pool-alloc-")
    );
    assert_eq!(
        a["id"],
        format!(
            "{}_{}",
            a["ipam_pool_allocation_id"].as_str().unwrap(),
            tf.attr("ipam_pool.dev", "id")
        )
    );
    assert_eq!(
        tf.attr("ipam_pool_allocation.b", "cidr"),
        "10.0.0.64/26",
        "first aligned /26 after the /28"
    );
    assert_eq!(
        tf.values("ipam_pool_allocation.b")["compliance_status"],
        "noncompliant",
        "missing the env tag (R-33)"
    );
    assert_eq!(tf.values("ipam_pool_allocation.vpc")["resource_region"], "us-east-1");

    // The child pools' CIDRs are allocations of type ipam-pool in their parents (R-22, R-41).
    let regional = tf.attr("ipam_pool.regional", "id");
    let n = tf.sql_count(&format!(
        "SELECT count(*) FROM allocations a JOIN pools p ON p.id = a.pool_id WHERE a.resource_type = 'ipam-pool' AND a.resource_id = '{regional}' AND a.cidr = '10.0.0.0/16' AND p.id = '{}'",
        tf.attr("ipam_pool.top", "id")
    ));
    assert_eq!(n, 1);
    assert!(
        tf.sql_count("SELECT count(*) FROM history") >= 5,
        "history rows for every allocation"
    );

    // A refresh shows the provisioned CIDRs on the pools; the plan stays empty.
    tf.ok(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
    assert_eq!(
        tf.values("ipam_pool.top")["provisioned_cidrs"],
        serde_json::json!(["10.0.0.0/8"])
    );
    tf.assert_plan_empty();

    tf.import_verify();

    // A second apply allocates nothing new.
    let before = tf.sql_count("SELECT count(*) FROM allocations");
    tf.apply();
    assert_eq!(tf.sql_count("SELECT count(*) FROM allocations"), before);

    // Update in place: rules and description; removing a rule clears it.
    let dev_id = tf.attr("ipam_pool.dev", "id");
    tf.config(
        &format!("{IPAM}{HIERARCHY}")
            .replace("  allocation_min_netmask_length     = 26\n", "")
            .replace("description    = \"top-level\"", "description    = \"root\""),
    );
    tf.apply();
    assert_eq!(tf.attr("ipam_pool.dev", "id"), dev_id);
    assert!(tf.values("ipam_pool.dev")["allocation_min_netmask_length"].is_null());
    assert_eq!(tf.attr("ipam_pool.dev", "state"), "modify-complete");
    assert_eq!(tf.attr("ipam_pool.top", "description"), "root");
    tf.assert_plan_empty();

    // Tags on an allocation change its compliance in place.
    tf.config(&format!("{IPAM}{HIERARCHY}").replace(
        "netmask_length = 26\n",
        "netmask_length = 26\n  tags = { env = \"dev\" }\n",
    ));
    tf.apply();
    assert_eq!(tf.values("ipam_pool_allocation.b")["compliance_status"], "compliant");
    tf.assert_plan_empty();

    tf.destroy();
    for t in ["pools", "pool_cidrs", "allocations", "free_blocks", "scopes", "ipams"] {
        assert_eq!(
            tf.sql_count(&format!("SELECT count(*) FROM {t}")),
            0,
            "{t} empty after destroy"
        );
    }
}

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

/// The IPAM with a public IPv6 pool `v6` holding a /52 of Amazon-provided space, and its child
/// pool `vpcs` provisioned with `vpcs_cidr` (an argument line) from it.
fn amazon_ipv6_pools(vpcs_cidr: &str) -> String {
    format!(
        r#"{IPAM}
resource "ipam_pool" "v6" {{
  ipam_scope_id    = ipam.main.public_default_scope_id
  address_family   = "ipv6"
  public_ip_source = "amazon"
  aws_service      = "ec2"
  locale           = "us-east-1"
  publicly_advertisable = true
}}
resource "ipam_pool_cidr" "v6" {{
  ipam_pool_id   = ipam_pool.v6.id
  netmask_length = 52
}}
resource "ipam_pool" "vpcs" {{
  ipam_scope_id       = ipam.main.public_default_scope_id
  address_family      = "ipv6"
  locale              = "us-east-1"
  aws_service         = "ec2"
  source_ipam_pool_id = ipam_pool.v6.id
}}
resource "ipam_pool_cidr" "vpcs" {{
  ipam_pool_id = ipam_pool.vpcs.id
  {vpcs_cidr}
  depends_on   = [ipam_pool_cidr.v6]
}}
"#
    )
}

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

fn rules_visible_in_configuration_are_refused_at_plan() {
    let tf = Tf::new();
    tf.config(IPAM);
    tf.apply();
    let before = tf.db_dump();
    let cases: &[(&str, &str, &str)] = &[
        (
            r#"resource "ipam_pool" "x" {
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv6"
}"#,
            "IPv6 pools belong in the public scope",
            "address_family",
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
        tf.config(&format!("{IPAM}{body}"));
        let out = flat(&tf.plan_fails());
        assert!(out.contains(message), "expected {message:?}:\n{out}");
        assert!(out.contains(attr), "diagnostic names {attr}:\n{out}");
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

/// Every tagged resource of one configuration: a pool that requires `env = "prod"`, an
/// allocation that carries no tags of its own and one that says `env = "dev"`.
fn tagged(base: &str) -> String {
    format!(
        r#"{base}
resource "ipam_scope" "s" {{
  ipam_id = ipam.main.id
  tags    = {{ scope = "yes" }}
}}
resource "ipam_pool" "rules" {{
  ipam_scope_id            = ipam.main.private_default_scope_id
  address_family           = "ipv4"
  allocation_resource_tags = {{ env = "prod" }}
}}
resource "ipam_pool_cidr" "rules" {{
  ipam_pool_id = ipam_pool.rules.id
  cidr         = "10.1.0.0/16"
}}
resource "ipam_pool_allocation" "plain" {{
  ipam_pool_id   = ipam_pool.rules.id
  netmask_length = 24
  depends_on     = [ipam_pool_cidr.rules]
}}
resource "ipam_pool_allocation" "dev" {{
  ipam_pool_id   = ipam_pool.rules.id
  netmask_length = 24
  tags           = {{ env = "dev" }}
  depends_on     = [ipam_pool_cidr.rules]
}}
resource "ipam_resource_share" "s" {{
  name          = "to-member"
  resource_arns = [ipam_pool.rules.arn]
  principals    = ["444455556666"]
}}
data "ipam_pool" "rules" {{
  ipam_pool_id = ipam_pool.rules.id
  depends_on   = [ipam_pool_allocation.plain, ipam_pool_allocation.dev]
}}
"#
    )
}

/// The tagged resources' addresses and tables.
const TAGGED: &[(&str, &str)] = &[
    ("ipam.main", "ipams"),
    ("ipam_scope.s", "scopes"),
    ("ipam_pool.rules", "pools"),
    ("ipam_pool_allocation.plain", "allocations"),
    ("ipam_pool_allocation.dev", "allocations"),
    ("ipam_resource_share.s", "shares"),
];

/// The tables of tagged objects.
const TAGGED_TABLES: [&str; 5] = ["ipams", "scopes", "pools", "allocations", "shares"];

/// The stored `tags_all` of the object behind a resource.
fn stored_tags_all(tf: &Tf, addr: &str, table: &str) -> serde_json::Value {
    let v = tf.values(addr);
    let (key, id) = match table {
        "shares" => ("arn", v["arn"].clone()),
        "allocations" => ("id", v["ipam_pool_allocation_id"].clone()),
        _ => ("id", v["id"].clone()),
    };
    let sql = format!(
        "SELECT tags_all, tags FROM {table} WHERE {key} = '{}'",
        id.as_str().unwrap_or_default()
    );
    let rows: Vec<(String, String)> = tf.sql_pairs(&sql);
    assert_eq!(rows.len(), 1, "{addr}: {sql}");
    serde_json::from_str(&rows[0].0).expect("stored tags are JSON")
}

/// The CLI's output for one command on the test's database.
fn cli(tf: &Tf, command: &str) -> String {
    let o = std::process::Command::new(common::PROVIDER_BIN)
        .arg("--database")
        .arg(&tf.db)
        .arg(command)
        .output()
        .expect("run the CLI");
    String::from_utf8(o.stdout).expect("UTF-8 output")
}

/// The pool `ipam_pool.rules` as `export` shows it.
fn exported_rules_pool(tf: &Tf) -> serde_json::Value {
    let export: serde_json::Value = serde_json::from_str(&cli(tf, "export")).expect("export is JSON");
    let id = tf.attr("ipam_pool.rules", "id");
    export["ipams"][0]["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["pools"].as_array().unwrap().clone())
        .find(|p| p["id"] == id)
        .expect("pool exported")
}

/// The allocation `ipam_pool_allocation.plain` in an exported pool.
fn exported_plain(tf: &Tf, pool: &serde_json::Value) -> serde_json::Value {
    let id = tf.attr("ipam_pool_allocation.plain", "ipam_pool_allocation_id");
    pool["allocations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .expect("allocation exported")
        .clone()
}

/// The provider's `default_tags` are tags on every object: planned into `tags_all`, written
/// with the object and read back from the database. A change of `default_tags` is an in-place
/// update of every tagged resource that the apply writes; a tag a pool's rules require counts
/// when it comes from `default_tags` (R-33), in the resource, the data source and `export`; and
/// a stored tag changed behind Terraform's back is drift.
fn default_tags_are_stored_planned_and_count_for_compliance() {
    let tf = Tf::new().provider_extra(r#"default_tags { tags = { env = "prod", team = "net" } }"#);
    tf.config(&tagged(IPAM));
    tf.apply();
    tf.assert_plan_empty();
    let expected = |own: serde_json::Value, defaults: serde_json::Value| {
        let mut all = defaults.as_object().cloned().unwrap_or_default();
        all.extend(own.as_object().cloned().unwrap_or_default());
        serde_json::Value::Object(all)
    };
    let first = serde_json::json!({"env": "prod", "team": "net"});
    for (addr, table) in TAGGED {
        let v = tf.values(addr);
        assert_eq!(v["tags_all"], expected(v["tags"].clone(), first.clone()), "{addr}");
        assert_eq!(
            stored_tags_all(&tf, addr, table),
            v["tags_all"],
            "{addr} in the database"
        );
    }
    // R-33 on the tags the allocation carries: `env = "prod"` from default_tags complies; the
    // allocation's own `env = "dev"` wins over the default and does not.
    assert_eq!(tf.attr("ipam_pool_allocation.plain", "compliance_status"), "compliant");
    assert_eq!(tf.attr("ipam_pool_allocation.dev", "compliance_status"), "noncompliant");
    let data = tf.state()["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "data.ipam_pool.rules")
        .unwrap()["values"]
        .clone();
    assert_eq!(
        (
            data["compliant_allocations"].clone(),
            data["noncompliant_allocations"].clone()
        ),
        (1.into(), 1.into())
    );
    let plain = exported_plain(&tf, &exported_rules_pool(&tf));
    assert_eq!(
        (plain["compliance_status"].clone(), plain["tags"].clone()),
        ("compliant".into(), first.clone())
    );
    tf.import_verify();

    // New default tags: every tagged resource is updated in place, nothing is replaced.
    let tf = tf.provider_extra(r#"default_tags { tags = { team = "platform" } }"#);
    tf.config(&tagged(IPAM));
    let plan = flat(&tf.assert_plan_changes());
    for (addr, _) in TAGGED {
        assert!(
            plan.contains(&format!("{addr} will be updated in-place")),
            "{addr}: {plan}"
        );
    }
    assert!(plan.contains("Plan: 0 to add, 6 to change, 0 to destroy"), "{plan}");
    assert!(plan.contains(r#"- "env" = "prod" -> null"#), "{plan}");
    tf.apply();
    tf.assert_plan_empty();
    let second = serde_json::json!({"team": "platform"});
    for (addr, table) in TAGGED {
        let v = tf.values(addr);
        assert_eq!(v["tags_all"], expected(v["tags"].clone(), second.clone()), "{addr}");
        assert_eq!(
            stored_tags_all(&tf, addr, table),
            v["tags_all"],
            "{addr} in the database"
        );
    }
    assert_eq!(
        tf.attr("ipam_pool_allocation.plain", "compliance_status"),
        "noncompliant",
        "env = \"prod\" left with the default tags"
    );
    assert_eq!(tf.values("ipam.main")["state"], "modify-complete");
    let pool_id = tf.attr("ipam_pool.rules", "id");
    let pool = exported_rules_pool(&tf);
    assert_eq!(pool["tags"], second, "export shows the tags as stored");
    assert_eq!(exported_plain(&tf, &pool)["compliance_status"], "noncompliant");
    let tree = cli(&tf, "tree");
    let line = tree.lines().find(|l| l.contains(&pool_id)).unwrap_or_default();
    assert!(
        line.ends_with("{team=platform}"),
        "tree shows the tags as stored:\n{tree}"
    );
    tf.import_verify();

    // Drift: tags changed in the database are read back, and the plan puts them right.
    tf.sql(&format!(
        r#"UPDATE pools SET tags_all = '{{"team":"edited"}}' WHERE id = '{pool_id}'"#
    ));
    let plan = flat(&tf.assert_plan_changes());
    assert!(plan.contains("ipam_pool.rules will be updated in-place"), "{plan}");
    assert!(plan.contains(r#"~ "team" = "edited" -> "platform""#), "{plan}");
    tf.apply();
    tf.assert_plan_empty();
    assert_eq!(stored_tags_all(&tf, "ipam_pool.rules", "pools"), second);
    tf.destroy();
}

/// The engine's schema version query.
fn schema_version(tf: &Tf) -> i64 {
    tf.sql_count(match common::backend() {
        common::Backend::Sqlite => "PRAGMA user_version",
        common::Backend::Postgres => "SELECT version FROM ipam_schema",
    })
}

/// Takes away what schema 4 added (the stored `tags_all`), leaving a database as schema 3 wrote it.
fn schema_3_shape(tf: &Tf) {
    for table in TAGGED_TABLES {
        tf.sql(&format!("ALTER TABLE {table} DROP COLUMN tags_all"));
    }
    tf.sql(match common::backend() {
        common::Backend::Sqlite => "PRAGMA user_version = 3",
        common::Backend::Postgres => "UPDATE ipam_schema SET version = 3",
    });
}

/// A schema-3 database with tagged objects (its provider computed `tags_all` on every read and
/// judged compliance on the allocation's own tags) is migrated when the provider opens it: each
/// object's `tags_all` starts as its own tags, so the plan adds the default tags to every tagged
/// resource in place, the apply writes them, and the allocation that `default_tags` makes
/// compliant becomes compliant.
fn a_schema_3_database_with_tags_is_migrated_and_default_tags_applied() {
    let tf = Tf::new().provider_extra(r#"default_tags { tags = { env = "prod", team = "net" } }"#);
    tf.config(&tagged(IPAM));
    tf.apply();
    schema_3_shape(&tf);
    let plain = tf.attr("ipam_pool_allocation.plain", "ipam_pool_allocation_id");
    tf.sql(&format!(
        "UPDATE allocations SET compliance_status = 'noncompliant' WHERE id = '{plain}'"
    ));
    let count = |table: &str, filter: &str| tf.sql_count(&format!("SELECT count(*) FROM {table}{filter}"));
    let rows: Vec<i64> = TAGGED_TABLES.iter().map(|t| count(t, "")).collect();

    let plan = flat(&tf.assert_plan_changes());
    assert_eq!(schema_version(&tf), 4);
    for (addr, table) in TAGGED {
        assert!(
            plan.contains(&format!("{addr} will be updated in-place")),
            "{addr}: {plan}"
        );
        let own = tf.values(addr)["tags"].clone();
        let own = if own.is_null() { serde_json::json!({}) } else { own };
        assert_eq!(
            stored_tags_all(&tf, addr, table),
            own,
            "{addr}: tags_all starts as the stored tags"
        );
    }
    assert!(plan.contains("Plan: 0 to add, 6 to change, 0 to destroy"), "{plan}");
    // Every row kept, each with `tags_all` equal to its stored tags until the apply.
    for (table, n) in TAGGED_TABLES.iter().zip(rows) {
        assert_eq!(count(table, ""), n, "{table}");
        assert_eq!(count(table, " WHERE tags_all <> tags"), 0, "{table}");
    }

    tf.apply();
    tf.assert_plan_empty();
    for (addr, table) in TAGGED {
        assert_eq!(stored_tags_all(&tf, addr, table), tf.values(addr)["tags_all"], "{addr}");
    }
    assert_eq!(
        stored_tags_all(&tf, "ipam_pool_allocation.plain", "allocations"),
        serde_json::json!({"env": "prod", "team": "net"})
    );
    assert_eq!(tf.attr("ipam_pool_allocation.plain", "compliance_status"), "compliant");
    tf.import_verify();
    tf.destroy();
}

/// A database written by schema 2 (free blocks ordered by start, with a second index by prefix
/// length) is migrated when the provider opens it: every row is kept, Terraform's plan stays
/// empty, and first fit carries on in the space that released allocations left.
fn a_schema_2_database_is_migrated_and_terraform_carries_on() {
    let tf = Tf::new();
    let base = pool_with_cidr("10.0.0.0/16");
    let config = |n: usize| {
        format!(
            r#"{base}
resource "ipam_pool_allocation" "a" {{
  count          = {n}
  ipam_pool_id   = ipam_pool.p.id
  netmask_length = 24
  depends_on     = [ipam_pool_cidr.c]
}}
"#
        )
    };
    tf.config(&config(5));
    tf.apply();
    // Three released: 10.0.2.0/24 and up are free again, merged with the rest of the /16.
    tf.config(&config(2));
    tf.apply();
    let before = tf.db_dump();
    schema_3_shape(&tf);
    // The schema-2 shape of the free-block table, with the same rows.
    let (text, int, blob, rowid, version) = match common::backend() {
        common::Backend::Sqlite => ("TEXT", "INTEGER", "BLOB", " WITHOUT ROWID", "PRAGMA user_version = 2"),
        common::Backend::Postgres => ("TEXT", "BIGINT", "BYTEA", "", "UPDATE ipam_schema SET version = 2"),
    };
    for sql in [
        format!(
            "CREATE TABLE fb2 (pool_id {text} NOT NULL REFERENCES pools(id) ON DELETE CASCADE, family {int} NOT NULL, \
             start {blob} NOT NULL, prefix {int} NOT NULL, PRIMARY KEY (pool_id, family, start)){rowid}"
        ),
        "INSERT INTO fb2 SELECT pool_id, family, start, prefix FROM free_blocks".into(),
        "DROP TABLE free_blocks".into(),
        "ALTER TABLE fb2 RENAME TO free_blocks".into(),
        "CREATE INDEX free_blocks_prefix ON free_blocks(pool_id, family, prefix, start)".into(),
        version.into(),
    ] {
        tf.sql(&sql);
    }
    let index = match common::backend() {
        common::Backend::Sqlite => "SELECT count(*) FROM sqlite_master WHERE name = 'free_blocks_prefix'",
        common::Backend::Postgres => "SELECT count(*) FROM pg_indexes WHERE indexname = 'free_blocks_prefix'",
    };
    assert_eq!(tf.sql_count(index), 1);
    // Opening migrates it: nothing to change, every row as it was, the extra index gone.
    tf.assert_plan_empty();
    assert_eq!(tf.db_dump(), before);
    assert_eq!(tf.sql_count(index), 0);
    let version = match common::backend() {
        common::Backend::Sqlite => "PRAGMA user_version",
        common::Backend::Postgres => "SELECT version FROM ipam_schema",
    };
    assert_eq!(tf.sql_count(version), 4);
    // First fit on the migrated free space: the two new allocations take the two lowest /24s
    // the kept ones do not hold (the five were created in parallel, in any order).
    let cidr = |i: usize| tf.attr(&format!("ipam_pool_allocation.a[{i}]"), "cidr");
    let kept = [cidr(0), cidr(1)];
    tf.config(&config(4));
    tf.apply();
    tf.assert_plan_empty();
    let lowest_free: Vec<String> = (0..5)
        .map(|i| format!("10.0.{i}.0/24"))
        .filter(|c| !kept.contains(c))
        .take(2)
        .collect();
    let mut added = vec![cidr(2), cidr(3)];
    added.sort();
    assert_eq!(added, lowest_free, "kept {kept:?}");
    tf.destroy();
    assert_eq!(tf.sql_count("SELECT count(*) FROM allocations"), 0);
}

fn preview_next_cidr_is_fixed_at_create_and_importable() {
    let tf = Tf::new();
    let base = pool_with_cidr("172.2.0.0/24");
    let cfg = |with_alloc: bool| {
        format!(
            r#"{base}
resource "ipam_preview_next_cidr" "next" {{
  ipam_pool_id   = ipam_pool.p.id
  netmask_length = 28
  depends_on     = [ipam_pool_cidr.c]
}}
{}
"#,
            if with_alloc {
                "resource \"ipam_pool_allocation\" \"a\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = ipam_preview_next_cidr.next.cidr\n}"
            } else {
                ""
            }
        )
    };
    tf.config(&cfg(false));
    tf.apply();
    assert_eq!(tf.attr("ipam_preview_next_cidr.next", "cidr"), "172.2.0.0/28");
    assert_eq!(
        tf.sql_count("SELECT count(*) FROM allocations"),
        0,
        "a preview reserves nothing"
    );
    tf.import_verify();
    // Allocating the previewed CIDR does not move the preview (no perpetual diff downstream).
    tf.config(&cfg(true));
    tf.apply();
    assert_eq!(tf.attr("ipam_pool_allocation.a", "cidr"), "172.2.0.0/28");
    tf.assert_plan_empty();
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

fn preview_with_disallowed_cidrs_imports_replaces_and_drifts() {
    let tf = Tf::new();
    let base = pool_with_cidr("172.2.0.0/24");
    let cfg = |netmask: u8| {
        format!(
            r#"{base}
resource "ipam_preview_next_cidr" "next" {{
  ipam_pool_id     = ipam_pool.p.id
  netmask_length   = {netmask}
  disallowed_cidrs = ["172.2.0.0/28"]
  depends_on       = [ipam_pool_cidr.c]
}}
"#
        )
    };
    tf.config(&cfg(28));
    tf.apply();
    assert_eq!(tf.attr("ipam_preview_next_cidr.next", "cidr"), "172.2.0.16/28");
    tf.assert_plan_empty();
    let pool = tf.attr("ipam_pool.p", "id");
    let original = tf.values("ipam_preview_next_cidr.next");
    // Import into another workspace whose configuration holds only the preview.
    let only_preview = format!(
        "resource \"ipam_preview_next_cidr\" \"next\" {{\n  ipam_pool_id     = \"{pool}\"\n  netmask_length   = 28\n  disallowed_cidrs = [\"172.2.0.0/28\"]\n}}\n"
    );
    // The ID names the CIDR and the pool only; the disallowed CIDRs follow the CIDR.
    let fresh = Tf::sharing(&tf.db);
    fresh.config(&only_preview);
    fresh.ok(&[
        "import",
        "-input=false",
        "-no-color",
        "ipam_preview_next_cidr.next",
        &format!("172.2.0.16/28,172.2.0.0/28_{pool}"),
    ]);
    assert_eq!(fresh.values("ipam_preview_next_cidr.next"), original, "import verify");
    fresh.assert_plan_empty();
    // With the plain `<cidr>_<pool-id>` the disallowed CIDRs are unknown, and the plan says so by
    // replacing the preview (ForceNew), as documented.
    let plain = Tf::sharing(&tf.db);
    plain.config(&only_preview);
    plain.ok(&[
        "import",
        "-input=false",
        "-no-color",
        "ipam_preview_next_cidr.next",
        &format!("172.2.0.16/28_{pool}"),
    ]);
    assert!(plain.values("ipam_preview_next_cidr.next")["disallowed_cidrs"].is_null());
    let plan = plain.assert_plan_changes();
    assert!(plan.contains("forces replacement"), "{plan}");
    // An import ID whose CIDR overlaps its own disallowed CIDRs is refused.
    let bad = Tf::sharing(&tf.db);
    bad.config(&only_preview);
    let out = flat(&bad.fails(&[
        "import",
        "-input=false",
        "-no-color",
        "ipam_preview_next_cidr.next",
        &format!("172.2.0.0/28,172.2.0.0/28_{pool}"),
    ]));
    assert!(out.contains("overlaps the disallowed CIDR"), "{out}");

    // Replace: a new size previews again, still skipping the disallowed CIDR.
    tf.config(&cfg(27));
    let plan = tf.assert_plan_changes();
    assert!(plan.contains("forces replacement"), "{plan}");
    tf.apply();
    assert_eq!(tf.attr("ipam_preview_next_cidr.next", "cidr"), "172.2.0.32/27");
    tf.assert_plan_empty();

    // Drift: the pool disappears behind Terraform's back, and the preview with it.
    tf.sql(&format!("DELETE FROM pools WHERE id = '{pool}'"));
    let plan = flat(&tf.assert_plan_changes());
    assert!(plan.contains("ipam_preview_next_cidr.next will be created"), "{plan}");
    tf.apply();
    assert_eq!(tf.attr("ipam_preview_next_cidr.next", "cidr"), "172.2.0.32/27");
    tf.assert_plan_empty();
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

/// One check that depends on mutable state of another object, decided at apply (SPEC §4): `base`
/// is applied first; `adds` is a new resource the stored state refuses; `fixed` is `base` with the
/// change that makes `adds` valid. Without the fix the plan warns and apply refuses with nothing
/// written; with the fix in the same configuration one apply succeeds (the plan used to refuse it).
fn decided_at_apply(base: &str, fixed: &str, adds: &str, summary: &str) {
    decided_at_apply_in(Tf::new(), base, fixed, adds, summary);
}

/// [`decided_at_apply`] in a given working directory.
fn decided_at_apply_in(tf: Tf, base: &str, fixed: &str, adds: &str, summary: &str) {
    assert_ne!(base, fixed);
    tf.config(base);
    tf.apply();
    let before = tf.db_dump();
    tf.config(&format!("{base}{adds}"));
    let warning = format!("Warning: Checked at apply: {summary}");
    let plan = flat(&tf.assert_plan_changes());
    assert!(plan.contains(&warning), "the plan warns what apply will check:\n{plan}");
    assert!(plan.contains("decides it again"), "{plan}");
    let out = flat(&tf.apply_fails());
    assert!(out.contains(&format!("Error: {summary}")), "refused at apply:\n{out}");
    assert_eq!(tf.db_dump(), before, "a refused apply writes nothing ({summary})");

    tf.config(&format!("{fixed}{adds}"));
    let plan = flat(&tf.assert_plan_changes());
    assert!(!plan.contains("Error:"), "{plan}");
    tf.apply();
    tf.assert_plan_empty();
    tf.destroy();
    assert_eq!(tf.sql_count("SELECT count(*) FROM pools"), 0);
}

/// R-18 (locale in the IPAM's operating regions): a region added together with its regional pool.
fn moved_to_apply_r18_region_added_with_its_regional_pool() {
    let one = "resource \"ipam\" \"main\" {\n  operating_regions { region_name = \"us-east-1\" }\n}\n";
    let two = "resource \"ipam\" \"main\" {\n  operating_regions { region_name = \"us-east-1\" }\n  operating_regions { region_name = \"us-west-2\" }\n}\n";
    decided_at_apply(
        one,
        two,
        r#"
resource "ipam_pool" "west" {
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
  locale         = "us-west-2"
}
"#,
        "Locale is not an operating region",
    );
}

/// A pool with one CIDR and the given netmask rule line.
fn pool_with_rule(rule: &str) -> String {
    pool_with_cidr("10.0.0.0/24").replace(
        "  address_family = \"ipv4\"\n}",
        &format!("  address_family = \"ipv4\"\n  {rule}\n}}"),
    )
}

/// R-36 (netmask rules): the pool's maximum netmask length raised from 24 to 28 together with a /28
/// allocation that needs it.
fn moved_to_apply_r36_max_netmask_loosened_with_a_28_allocation() {
    decided_at_apply(
        &pool_with_rule("allocation_max_netmask_length = 24"),
        &pool_with_rule("allocation_max_netmask_length = 28"),
        r#"
resource "ipam_pool_allocation" "small" {
  ipam_pool_id   = ipam_pool.p.id
  netmask_length = 28
  depends_on     = [ipam_pool_cidr.c]
}
"#,
        "Allocation outside the pool's netmask rules",
    );
}

/// R-31 (the pool's default netmask length): a default set together with an allocation that gives
/// neither `cidr` nor `netmask_length`.
fn moved_to_apply_r31_default_netmask_set_with_an_allocation_that_needs_it() {
    decided_at_apply(
        &pool_with_rule("description = \"no default\""),
        &pool_with_rule("allocation_default_netmask_length = 28"),
        r#"
resource "ipam_pool_allocation" "by_default" {
  ipam_pool_id = ipam_pool.p.id
  depends_on   = [ipam_pool_cidr.c]
}
"#,
        "Netmask length required",
    );
}

const MEMBER: &str = "210987654321";

/// R-37, R-84 (shares and principals): an account added to a pool's share together with its
/// allocation from that pool, made through a second provider alias.
fn moved_to_apply_r37_principal_added_with_its_allocation() {
    let tf = Tf::new();
    let db = tf.db.display().to_string();
    let base = |principals: &str| {
        format!(
            r#"{}
provider "ipam" {{
  alias      = "member"
  database   = "{}"
  account_id = "{MEMBER}"
}}
resource "ipam_resource_share" "s" {{
  name          = "pools"
  resource_arns = [ipam_pool.p.arn]
  principals    = [{principals}]
}}
"#,
            pool_with_cidr("10.0.0.0/24"),
            db
        )
    };
    let adds = r#"
resource "ipam_pool_allocation" "member" {
  provider       = ipam.member
  ipam_pool_id   = ipam_pool.p.id
  netmask_length = 28
  depends_on     = [ipam_resource_share.s, ipam_pool_cidr.c]
}
"#;
    decided_at_apply_in(
        tf,
        &base("\"111122223333\""),
        &base(&format!("\"111122223333\", \"{MEMBER}\"")),
        adds,
        "Pool is not shared with this account",
    );
}

/// A whole organisation, as a new user writes it: an IPAM with two regions, a top-level pool,
/// regional and development pools carved by `netmask_length`, allocations, a preview, a private
/// scope with its own pool, a share and another account's allocation through a second provider
/// alias, and data sources.
fn organisation(tf: &Tf) -> String {
    format!(
        r#"
provider "ipam" {{
  alias      = "member"
  database   = "{db}"
  account_id = "{MEMBER}"
}}
resource "ipam" "org" {{
  description = "organisation"
  operating_regions {{ region_name = "us-east-1" }}
  operating_regions {{ region_name = "us-west-2" }}
  tags = {{ owner = "network" }}
}}
resource "ipam_pool" "top" {{
  ipam_scope_id  = ipam.org.private_default_scope_id
  address_family = "ipv4"
  description    = "top-level"
}}
resource "ipam_pool_cidr" "top" {{
  ipam_pool_id = ipam_pool.top.id
  cidr         = "10.0.0.0/8"
}}
resource "ipam_pool" "regional" {{
  for_each            = toset(["us-east-1", "us-west-2"])
  ipam_scope_id       = ipam.org.private_default_scope_id
  address_family      = "ipv4"
  locale              = each.key
  source_ipam_pool_id = ipam_pool.top.id
}}
resource "ipam_pool_cidr" "regional" {{
  for_each       = ipam_pool.regional
  ipam_pool_id   = each.value.id
  netmask_length = 16
  depends_on     = [ipam_pool_cidr.top]
}}
resource "ipam_pool" "dev" {{
  for_each                          = ipam_pool.regional
  ipam_scope_id                     = ipam.org.private_default_scope_id
  address_family                    = "ipv4"
  locale                            = each.key
  source_ipam_pool_id               = each.value.id
  allocation_default_netmask_length = 26
  allocation_max_netmask_length     = 28
  allocation_resource_tags          = {{ env = "dev" }}
}}
resource "ipam_pool_cidr" "dev" {{
  for_each       = ipam_pool.dev
  ipam_pool_id   = each.value.id
  netmask_length = 20
  depends_on     = [ipam_pool_cidr.regional]
}}
resource "ipam_pool_allocation" "app" {{
  for_each     = ipam_pool.dev
  ipam_pool_id = each.value.id
  tags         = {{ env = "dev" }}
  depends_on   = [ipam_pool_cidr.dev]
}}
resource "ipam_pool_allocation" "vpc" {{
  ipam_pool_id    = ipam_pool.dev["us-west-2"].id
  netmask_length  = 24
  resource_type   = "vpc"
  resource_id     = "vpc-0123456789abcdef0"
  resource_region = "us-west-2"
  depends_on      = [ipam_pool_cidr.dev]
}}
resource "ipam_preview_next_cidr" "next" {{
  ipam_pool_id   = ipam_pool.dev["us-east-1"].id
  netmask_length = 28
  depends_on     = [ipam_pool_allocation.app]
}}
resource "ipam_scope" "lab" {{
  ipam_id     = ipam.org.id
  description = "lab networks"
}}
resource "ipam_pool" "lab" {{
  ipam_scope_id  = ipam_scope.lab.id
  address_family = "ipv4"
}}
resource "ipam_pool_cidr" "lab" {{
  ipam_pool_id = ipam_pool.lab.id
  cidr         = "10.0.0.0/16"
}}
resource "ipam_resource_share" "dev" {{
  name          = "dev-east"
  resource_arns = [ipam_pool.dev["us-east-1"].arn]
  principals    = ["{MEMBER}"]
}}
resource "ipam_pool_allocation" "member" {{
  provider       = ipam.member
  ipam_pool_id   = ipam_pool.dev["us-east-1"].id
  netmask_length = 27
  tags           = {{ env = "dev" }}
  depends_on     = [ipam_resource_share.dev, ipam_pool_cidr.dev]
}}
data "ipam_pool" "dev_east" {{
  ipam_pool_id = ipam_pool.dev["us-east-1"].id
  depends_on   = [ipam_pool_allocation.app, ipam_pool_allocation.vpc, ipam_pool_allocation.member, ipam_pool_cidr.lab]
}}
data "ipam_pools" "west" {{
  filter {{
    name   = "locale"
    values = ["us-west-2"]
  }}
  depends_on = [ipam_pool_allocation.app, ipam_pool_allocation.vpc, ipam_pool_allocation.member, ipam_pool_cidr.lab]
}}
data "ipam_pool_allocations" "dev_east" {{
  ipam_pool_id = ipam_pool.dev["us-east-1"].id
  depends_on   = [ipam_pool_allocation.app, ipam_pool_allocation.vpc, ipam_pool_allocation.member, ipam_pool_cidr.lab]
}}
data "ipam_pool" "seen_by_member" {{
  provider     = ipam.member
  ipam_pool_id = ipam_pool.dev["us-east-1"].id
  depends_on   = [ipam_pool_allocation.app, ipam_pool_allocation.vpc, ipam_pool_allocation.member, ipam_pool_cidr.lab]
}}
output "dev_east" {{
  value = data.ipam_pool.dev_east
}}
output "west_pools" {{
  value = sort([for p in data.ipam_pools.west.ipam_pools : p.id])
}}
output "dev_east_allocations" {{
  value = length(data.ipam_pool_allocations.dev_east.ipam_pool_allocations)
}}
output "member_view" {{
  value = data.ipam_pool.seen_by_member.owner_id
}}
"#,
        db = tf.db.display()
    )
}

fn a_whole_organisation_in_one_apply_from_an_empty_database() {
    let tf = Tf::new();
    tf.config(&organisation(&tf));
    let plan = flat(&tf.assert_plan_changes());
    assert!(!plan.contains("Checked at apply") && !plan.contains("Error:"), "{plan}");
    tf.apply();
    tf.assert_plan_empty();

    let net = |s: &str| s.parse::<ipnet::Ipv4Net>().unwrap();
    let cidr = |addr: &str| net(&tf.attr(addr, "cidr"));
    let regions = ["us-east-1", "us-west-2"];
    let regional: Vec<_> = regions
        .iter()
        .map(|r| cidr(&format!("ipam_pool_cidr.regional[\"{r}\"]")))
        .collect();
    assert_ne!(regional[0], regional[1]);
    for (r, reg) in regions.iter().zip(&regional) {
        assert_eq!(reg.prefix_len(), 16);
        assert!(net("10.0.0.0/8").contains(reg), "{reg}");
        let dev = cidr(&format!("ipam_pool_cidr.dev[\"{r}\"]"));
        assert_eq!(dev.prefix_len(), 20);
        assert!(reg.contains(&dev), "{dev} inside {reg}");
        let app = tf.values(&format!("ipam_pool_allocation.app[\"{r}\"]"));
        assert_eq!(app["netmask_length"], 26, "the dev pool's default");
        assert_eq!(app["compliance_status"], "compliant");
        assert!(dev.contains(&net(app["cidr"].as_str().unwrap())));
        assert_eq!(tf.values(&format!("ipam_pool.dev[\"{r}\"]"))["pool_depth"], 3);
    }
    let vpc = tf.values("ipam_pool_allocation.vpc");
    assert_eq!(vpc["compliance_status"], "noncompliant", "no env tag (R-33)");
    let member = tf.values("ipam_pool_allocation.member");
    assert_eq!(member["resource_owner"], MEMBER);
    assert_eq!(member["compliance_status"], "compliant");
    let dev_east = cidr("ipam_pool_cidr.dev[\"us-east-1\"]");
    assert!(dev_east.contains(&net(member["cidr"].as_str().unwrap())));
    assert!(dev_east.contains(&cidr("ipam_preview_next_cidr.next")));
    assert_eq!(
        tf.attr("ipam_pool_cidr.lab", "cidr"),
        "10.0.0.0/16",
        "a private scope of its own"
    );
    assert_eq!(tf.values("ipam_scope.lab")["ipam_scope_type"], "private");

    let out: serde_json::Value = serde_json::from_str(&tf.ok(&["output", "-json"])).expect("outputs");
    assert_eq!(out["dev_east"]["value"]["locale"], "us-east-1");
    assert_eq!(
        out["dev_east"]["value"]["assigned_size"],
        64 + 32,
        "the app /26 and the member's /27"
    );
    assert_eq!(out["dev_east_allocations"]["value"], 2);
    let west: Vec<String> = ["dev", "regional"]
        .iter()
        .map(|p| tf.attr(&format!("ipam_pool.{p}[\"us-west-2\"]"), "id"))
        .collect();
    let mut west_sorted = west.clone();
    west_sorted.sort();
    assert_eq!(out["west_pools"]["value"], serde_json::json!(west_sorted));
    assert_eq!(
        out["member_view"]["value"],
        tf.account.as_str(),
        "the member sees the owner's pool"
    );

    tf.destroy();
    for t in ["ipams", "scopes", "pools", "pool_cidrs", "allocations", "shares"] {
        assert_eq!(
            tf.sql_count(&format!("SELECT count(*) FROM {t}")),
            0,
            "{t} empty after one destroy"
        );
    }
}

backend_tests!(
    moved_to_apply_r18_region_added_with_its_regional_pool,
    moved_to_apply_r36_max_netmask_loosened_with_a_28_allocation,
    moved_to_apply_r31_default_netmask_set_with_an_allocation_that_needs_it,
    moved_to_apply_r37_principal_added_with_its_allocation,
    a_whole_organisation_in_one_apply_from_an_empty_database,
    seed_tutorial_hierarchy_end_to_end,
    upstream_first_fit_expectations_and_replacement,
    a_pool_with_one_allowed_size,
    public_ipv6_pools_from_amazon_space,
    any_ipv6_spelling_applies_without_a_diff_and_the_database_keeps_the_canonical_form,
    hundred_parallel_allocations_are_disjoint_and_stable,
    rules_visible_in_configuration_are_refused_at_plan,
    rules_needing_the_database_are_refused_at_apply_and_write_nothing,
    drift_of_allocations_and_pool_cidrs_is_planned_back,
    preview_next_cidr_is_fixed_at_create_and_importable,
    pool_delete_needs_cascade_and_locale_change_replaces,
    preview_with_disallowed_cidrs_imports_replaces_and_drifts,
    pool_cidr_drift_and_replace,
    refusals_leave_the_database_unchanged,
    public_prefix_and_byoip_checks_run_at_plan,
    a_schema_2_database_is_migrated_and_terraform_carries_on,
    default_tags_are_stored_planned_and_count_for_compliance,
    a_schema_3_database_with_tags_is_migrated_and_default_tags_applied,
);
