//! Whole configurations in one apply: the seed tutorial's hierarchy and a whole organisation.

use crate::common;

use super::decided_at_apply::MEMBER;
use common::fixtures::IPAM;
use common::{Tf, flat};

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

/// A whole organisation, as a new user writes it: an IPAM with two regions, a top-level pool,
/// regional and development pools carved by `netmask_length`, allocations, a preview, a private
/// scope with its own pool, a share and another account's allocation through a second provider
/// alias, and data sources.
fn organisation(tf: &Tf) -> String {
    format!(
        r#"
{}
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
        tf.provider_alias("member", &format!("account_id = \"{MEMBER}\""))
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

    let out = tf.outputs();
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
    a_whole_organisation_in_one_apply_from_an_empty_database,
    seed_tutorial_hierarchy_end_to_end,
);
