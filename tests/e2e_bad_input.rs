//! A catalogue of bad input across the provider block, every resource, data sources and import:
//! each gives a diagnostic with a summary, a detail and the attribute, never a panic or a
//! plugin crash, and the database is unchanged.

mod common;

use common::{Tf, flat};

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
  cidr         = "10.0.0.0/16"
}
"#;

enum Phase {
    Plan,
    Apply,
}

struct Case {
    provider: &'static str,
    body: &'static str,
    phase: Phase,
    expect: &'static [&'static str],
}

const fn plan(body: &'static str, expect: &'static [&'static str]) -> Case {
    Case {
        provider: "",
        body,
        phase: Phase::Plan,
        expect,
    }
}
const fn apply(body: &'static str, expect: &'static [&'static str]) -> Case {
    Case {
        provider: "",
        body,
        phase: Phase::Apply,
        expect,
    }
}
const fn provider(extra: &'static str, expect: &'static [&'static str]) -> Case {
    Case {
        provider: extra,
        body: "",
        phase: Phase::Plan,
        expect,
    }
}

const CASES: &[Case] = &[
    // Provider block.
    provider("account_id = \"abc\"", &["Invalid account ID", "account_id"]),
    provider("region = \"mars\"", &["Invalid region name", "region"]),
    provider("quotas { pools_per_scope = -1 }", &["Invalid quota", "pools_per_scope"]),
    provider(
        "quotas { scopes_per_ipam = 1 }",
        &["Invalid quota", "two default scopes"],
    ),
    // ipam
    plan(
        "resource \"ipam\" \"x\" {\n  operating_regions { region_name = \"eu-west-1\" }\n}",
        &["must include the home region", "operating_regions"],
    ),
    plan(
        "resource \"ipam\" \"x\" {\n  operating_regions { region_name = \"us-east-1\" }\n  operating_regions { region_name = \"Mars\" }\n}",
        &["Invalid region name", "operating_regions"],
    ),
    plan(
        "resource \"ipam\" \"x\" {\n  operating_regions { region_name = \"\" }\n}",
        &["Invalid region name"],
    ),
    apply(
        "resource \"ipam\" \"x\" {\n  operating_regions { region_name = \"us-east-1\" }\n}",
        &["IPAM quota reached", "ipams_per_region"],
    ),
    // ipam_scope
    plan(
        "resource \"ipam_scope\" \"x\" {\n  ipam_id = \"vpc-123\"\n}",
        &["Invalid IPAM ID", "ipam_id"],
    ),
    plan(
        "resource \"ipam_scope\" \"x\" {\n  ipam_id = \"ipam-0123456789abcdef0\"\n}",
        &["IPAM not found", "ipam_id"],
    ),
    plan("resource \"ipam_scope\" \"x\" {\n  ipam_id = \"\"\n}", &["ipam_id"]),
    // ipam_pool
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.private_default_scope_id\n  address_family = \"ipv5\"\n}",
        &["Invalid address family", "address_family"],
    ),
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.private_default_scope_id\n  address_family = \"ipv6\"\n}",
        &["IPv6 pools belong in the public scope", "address_family"],
    ),
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.private_default_scope_id\n  address_family = \"ipv4\"\n  locale = \"eu-west-3\"\n}",
        &["Locale is not an operating region", "locale"],
    ),
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.private_default_scope_id\n  address_family = \"ipv4\"\n  allocation_min_netmask_length = 33\n}",
        &["Netmask length out of range", "allocation_min_netmask_length"],
    ),
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.private_default_scope_id\n  address_family = \"ipv4\"\n  allocation_max_netmask_length = -1\n}",
        &["Netmask length out of range", "allocation_max_netmask_length"],
    ),
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.private_default_scope_id\n  address_family = \"ipv4\"\n  allocation_min_netmask_length = 20\n  allocation_max_netmask_length = 20\n}",
        &["must be less than the maximum"],
    ),
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.private_default_scope_id\n  address_family = \"ipv4\"\n  allocation_max_netmask_length = 24\n  allocation_default_netmask_length = 28\n}",
        &["Default netmask length outside", "allocation_default_netmask_length"],
    ),
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.private_default_scope_id\n  address_family = \"ipv4\"\n  auto_import = true\n}",
        &["Auto-import needs a locale", "auto_import"],
    ),
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.public_default_scope_id\n  address_family = \"ipv4\"\n  aws_service = \"s3\"\n}",
        &["Invalid AWS service", "aws_service"],
    ),
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.public_default_scope_id\n  address_family = \"ipv6\"\n  public_ip_source = \"cloud\"\n}",
        &["Invalid public IP source", "public_ip_source"],
    ),
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.public_default_scope_id\n  address_family = \"ipv4\"\n  publicly_advertisable = true\n}",
        &["publicly_advertisable is for IPv6 pools"],
    ),
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.private_default_scope_id\n  address_family = \"ipv4\"\n  source_ipam_pool_id = \"pool-1\"\n}",
        &["Invalid pool ID", "source_ipam_pool_id"],
    ),
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = \"ipam-scope-0123456789abcdef0\"\n  address_family = \"ipv4\"\n}",
        &["scope not found", "ipam_scope_id"],
    ),
    // ipam_pool_cidr
    plan(
        "resource \"ipam_pool_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = \"10.1.0.1/16\"\n}",
        &["has host bits set", "did you mean 10.1.0.0/16", "cidr"],
    ),
    plan(
        "resource \"ipam_pool_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = \"banana\"\n}",
        &["Invalid CIDR", "is not a CIDR"],
    ),
    plan(
        "resource \"ipam_pool_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = \"10.0.0.0/33\"\n}",
        &["Invalid CIDR"],
    ),
    plan(
        "resource \"ipam_pool_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = \"10.1.0.0/16\"\n  netmask_length = 16\n}",
        &["Conflicting arguments", "netmask_length"],
    ),
    plan(
        "resource \"ipam_pool_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n}",
        &["Missing CIDR"],
    ),
    plan(
        "resource \"ipam_pool_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  netmask_length = 200\n}",
        &["Netmask length out of range"],
    ),
    plan(
        "resource \"ipam_pool_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = \"2001:db8::/32\"\n}",
        &["Address family mismatch", "cidr"],
    ),
    apply(
        "resource \"ipam_pool\" \"q\" {\n  ipam_scope_id = ipam.main.private_default_scope_id\n  address_family = \"ipv4\"\n}\nresource \"ipam_pool_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.q.id\n  cidr = \"10.0.128.0/17\"\n}",
        &["CIDR overlaps another pool", "R-40"],
    ),
    // ipam_pool_allocation
    plan(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  resource_type = \"database\"\n}",
        &["Invalid resource type", "resource_type"],
    ),
    plan(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = \"10.0.0.0/24\"\n  netmask_length = 24\n}",
        &["Conflicting arguments"],
    ),
    plan(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  netmask_length = 24\n  disallowed_cidrs = [\"nope\"]\n}",
        &["Invalid CIDR", "disallowed_cidrs"],
    ),
    plan(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  netmask_length = -5\n}",
        &["Netmask length out of range"],
    ),
    plan(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = \"ipam-pool-x\"\n  netmask_length = 24\n}",
        &["Invalid pool ID", "ipam_pool_id"],
    ),
    plan(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n}",
        &["Netmask length required", "Exactly one of them", "netmask_length"],
    ),
    plan(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = \"2001:db8::/64\"\n}",
        &["Address family mismatch"],
    ),
    plan(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  netmask_length = 24\n  resource_type = \"vpc\"\n}",
        &["Pool without locale cannot serve resources"],
    ),
    apply(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  netmask_length = 4\n  depends_on = [ipam_pool_cidr.c]\n}",
        &[
            "The allocation size is too big for the pool",
            "largest free block is a /16",
        ],
    ),
    apply(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = \"10.9.0.0/24\"\n  depends_on = [ipam_pool_cidr.c]\n}",
        &["is not inside any CIDR provisioned to the pool"],
    ),
    // ipam_resource_share
    plan(
        "resource \"ipam_resource_share\" \"x\" {\n  name = \"s\"\n  permission_arns = [\"arn:aws:ram::aws:permission/AWSRAMDefaultPermissionsIpamPool\", \"arn:aws:ram::aws:permission/AWSRAMPermissionIpamPoolByoipCidrImport\"]\n}",
        &["Choose one permission", "permission_arns"],
    ),
    plan(
        "resource \"ipam_resource_share\" \"x\" {\n  name = \"s\"\n  principals = [\"123\"]\n}",
        &["Invalid account ID", "principals"],
    ),
    plan(
        "resource \"ipam_resource_share\" \"x\" {\n  name = \"s\"\n  resource_arns = [\"arn:aws:s3:::bucket\"]\n}",
        &["Only IPAM pools can be shared", "resource_arns"],
    ),
    plan(
        "resource \"ipam_resource_share\" \"x\" {\n  name = \"\"\n}",
        &["Empty name"],
    ),
    // ipam_preview_next_cidr
    plan(
        "resource \"ipam_preview_next_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  disallowed_cidrs = [\"x\"]\n}",
        &["Invalid CIDR", "disallowed_cidrs"],
    ),
    // Data sources.
    plan("data \"ipam\" \"x\" {\n  id = \"nope\"\n}", &["Invalid IPAM ID"]),
    plan(
        "data \"ipam_pool\" \"x\" {\n  filter {\n    name = \"colour\"\n    values = [\"blue\"]\n  }\n}",
        &["Unknown filter name", "filter"],
    ),
    plan(
        "data \"ipam_address_history\" \"x\" {\n  cidr = \"x\"\n  ipam_scope_id = ipam.main.private_default_scope_id\n}",
        &["Invalid CIDR", "cidr"],
    ),
    plan(
        "data \"ipam_address_history\" \"x\" {\n  cidr = \"10.0.0.0/16\"\n  ipam_scope_id = ipam.main.private_default_scope_id\n  start_time = \"yesterday\"\n}",
        &["Invalid time", "start_time"],
    ),
    plan(
        "data \"ipam_pool_cidrs\" \"x\" {\n  ipam_pool_id = \"ipam-pool-0123456789abcdef0\"\n}",
        &["pool not found", "ipam_pool_id"],
    ),
    plan(
        "data \"ipam_preview_next_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  netmask_length = 40\n}",
        &["Netmask length out of range"],
    ),
];

fn check_diagnostic(out: &str, expect: &[&str], what: &str) {
    let f = flat(out);
    assert!(f.contains("Error: "), "{what}: no error diagnostic:\n{out}");
    for e in expect {
        assert!(f.contains(e), "{what}: expected {e:?} in:\n{out}");
    }
    for bad in ["panic", "Plugin did not respond", "crashed", "Internal error"] {
        assert!(!f.contains(bad), "{what}: {bad:?} in:\n{out}");
    }
}

fn bad_input_catalogue() {
    assert!(CASES.len() >= 40, "{} cases", CASES.len());
    let tf = Tf::new();
    tf.config(BASE);
    tf.apply();
    let _before = tf.db_dump();
    let before_without_history = tf.db_dump_except(&["history"]);
    for (i, case) in CASES.iter().enumerate() {
        let before_case = tf.db_dump();
        let tf_case = if case.provider.is_empty() {
            tf.config(&format!("{BASE}\n{}", case.body));
            &tf
        } else {
            &tf
        };
        let out = if !case.provider.is_empty() {
            let other = Tf::sharing(&tf.db).provider_extra(case.provider);
            other.config(BASE);
            let out = other.plan_fails();
            check_diagnostic(&out, case.expect, &format!("case {i} ({})", case.provider));
            continue;
        } else {
            match case.phase {
                Phase::Plan => tf_case.plan_fails(),
                Phase::Apply => tf_case.apply_fails(),
            }
        };
        check_diagnostic(&out, case.expect, &format!("case {i}:\n{}", case.body));
        if let Phase::Apply = case.phase {
            // Other resources of the same apply may have succeeded; remove them, then compare.
            tf.config(BASE);
            tf.apply();
            assert_eq!(
                tf.db_dump_except(&["history"]),
                before_without_history,
                "case {i}:\n{}",
                case.body
            );
        } else {
            assert_eq!(
                tf.db_dump_except(&["history"]),
                before_without_history,
                "case {i} changed the database:\n{}",
                case.body
            );
            assert_eq!(
                tf.db_dump(),
                before_case,
                "case {i} changed the database:\n{}",
                case.body
            );
        }
    }
    tf.config(BASE);
    tf.destroy();
}

fn malformed_import_ids_are_clear_errors() {
    let tf = Tf::new();
    tf.config(BASE);
    tf.apply();
    let before = tf.db_dump();
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "resource \"ipam_pool_cidr\" \"i\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = \"10.0.0.0/16\"\n}",
            "ipam_pool_cidr.i",
            "garbage",
            "Invalid import ID",
        ),
        (
            "resource \"ipam_pool_cidr\" \"i\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = \"10.0.0.0/16\"\n}",
            "ipam_pool_cidr.i",
            "10.0.0.0/99_ipam-pool-0123456789abcdef0",
            "Invalid CIDR",
        ),
        (
            "resource \"ipam_pool_allocation\" \"i\" {\n  ipam_pool_id = ipam_pool.p.id\n}",
            "ipam_pool_allocation.i",
            "alloc-1_ipam-pool-0123456789abcdef0",
            "Invalid allocation ID",
        ),
        (
            "resource \"ipam_pool\" \"i\" {\n  ipam_scope_id = ipam.main.private_default_scope_id\n  address_family = \"ipv4\"\n}",
            "ipam_pool.i",
            "ipam-pool-0123456789abcdef0",
            "pool not found",
        ),
        (
            "resource \"ipam_resource_share\" \"i\" {\n  name = \"s\"\n}",
            "ipam_resource_share.i",
            "share-1",
            "Invalid resource share ARN",
        ),
        (
            "resource \"ipam_scope\" \"i\" {\n  ipam_id = ipam.main.id\n}",
            "ipam_scope.i",
            "ipam-scope-XYZ",
            "Invalid scope ID",
        ),
    ];
    for (body, addr, id, expect) in cases {
        tf.config(&format!("{BASE}\n{body}"));
        let out = tf.fails(&["import", "-no-color", "-input=false", addr, id]);
        check_diagnostic(&out, &[expect], &format!("import {addr} {id}"));
        assert_eq!(tf.db_dump(), before);
    }
    tf.config(BASE);
    tf.destroy();
}

backend_tests!(bad_input_catalogue, malformed_import_ids_are_clear_errors,);
