//! Data sources driven by the real terraform binary.

mod common;

use common::{Tf, flat};
use serde_json::Value as J;

const INFRA: &str = r#"
resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
  tags = { team = "net" }
}
resource "ipam_pool" "prod" {
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
  description    = "production pool"
  tags           = { env = "prod" }
  allocation_resource_tags = { app = "web" }
}
resource "ipam_pool_cidr" "prod" {
  ipam_pool_id = ipam_pool.prod.id
  cidr         = "10.0.0.0/24"
}
resource "ipam_pool" "child" {
  ipam_scope_id       = ipam.main.private_default_scope_id
  address_family      = "ipv4"
  source_ipam_pool_id = ipam_pool.prod.id
  description         = "child pool"
}
resource "ipam_pool_cidr" "child" {
  ipam_pool_id = ipam_pool.child.id
  cidr         = "10.0.0.0/26"
  depends_on   = [ipam_pool_cidr.prod]
}
resource "ipam_pool_allocation" "web" {
  ipam_pool_id = ipam_pool.prod.id
  cidr         = "10.0.0.64/28"
  depends_on   = [ipam_pool_cidr.prod]
}
resource "ipam_pool" "v6" {
  ipam_scope_id    = ipam.main.public_default_scope_id
  address_family   = "ipv6"
  public_ip_source = "amazon"
  aws_service      = "ec2"
  locale           = "us-east-1"
}
resource "ipam_pool_cidr" "v6" {
  ipam_pool_id   = ipam_pool.v6.id
  netmask_length = 52
}
resource "ipam_pool_allocation" "v6" {
  ipam_pool_id   = ipam_pool.v6.id
  netmask_length = 56
  resource_type  = "vpc"
  resource_id    = "vpc-0a1b2c"
  depends_on     = [ipam_pool_cidr.v6]
}
"#;

fn outputs(tf: &Tf) -> J {
    let out = tf.ok(&["output", "-json"]);
    let j: J = serde_json::from_str(&out[out.find('{').unwrap()..]).unwrap();
    j
}

fn every_data_source_reads_the_ipam() {
    let infra = Tf::new();
    infra.config(INFRA);
    infra.apply();
    let ipam = infra.attr("ipam.main", "id");
    let prod = infra.attr("ipam_pool.prod", "id");
    let v6 = infra.attr("ipam_pool.v6", "id");
    let scope = infra.attr("ipam.main", "private_default_scope_id");

    let reader = Tf::sharing(&infra.db);
    reader.config(&format!(
        r#"
data "ipam" "x" {{ id = "{ipam}" }}
data "ipam_ipams" "all" {{}}
data "ipam_scope" "private" {{ id = "{scope}" }}
data "ipam_scopes" "private" {{
  filter {{
    name   = "ipam-scope-type"
    values = ["private"]
  }}
}}
data "ipam_pool" "by_tag" {{
  filter {{
    name   = "tag:env"
    values = ["prod"]
  }}
}}
data "ipam_pool" "by_id" {{ ipam_pool_id = "{prod}" }}
data "ipam_pool" "by_legacy_id" {{ id = "{prod}" }}
data "ipam_pool" "v6" {{ ipam_pool_id = "{v6}" }}
data "ipam_pools" "ipv4" {{
  filter {{
    name   = "address-family"
    values = ["ipv4"]
  }}
  filter {{
    name   = "description"
    values = ["*pool"]
  }}
}}
data "ipam_pool_cidrs" "prod" {{ ipam_pool_id = "{prod}" }}
data "ipam_pool_allocations" "prod" {{ ipam_pool_id = "{prod}" }}
data "ipam_preview_next_cidr" "next" {{
  ipam_pool_id   = "{prod}"
  netmask_length = 28
}}
output "ipam" {{ value = data.ipam.x }}
output "ipams" {{ value = data.ipam_ipams.all.ipams }}
output "scope" {{ value = data.ipam_scope.private }}
output "scopes" {{ value = data.ipam_scopes.private.ipam_scopes }}
output "by_tag" {{ value = data.ipam_pool.by_tag }}
output "by_id" {{ value = data.ipam_pool.by_id.id }}
output "by_legacy_id" {{ value = data.ipam_pool.by_legacy_id.ipam_pool_id }}
output "v6_size" {{ value = tostring(data.ipam_pool.v6.size) }}
output "v6_assigned" {{ value = tostring(data.ipam_pool.v6.assigned_size) }}
output "v6_percent" {{ value = data.ipam_pool.v6.percent_assigned }}
output "pools" {{ value = [for p in data.ipam_pools.ipv4.ipam_pools : p.id] }}
output "cidrs" {{ value = data.ipam_pool_cidrs.prod.ipam_pool_cidrs }}
output "allocations" {{ value = data.ipam_pool_allocations.prod.ipam_pool_allocations }}
output "next" {{ value = data.ipam_preview_next_cidr.next.cidr }}
"#
    ));
    reader.apply();
    let o = outputs(&reader);
    let v = |k: &str| o[k]["value"].clone();
    assert_eq!(v("ipam")["arn"], format!("arn:aws:ec2::123456789012:ipam/{ipam}"));
    assert_eq!(v("ipam")["scope_count"], 2);
    assert_eq!(v("ipam")["tags"]["team"], "net");
    assert_eq!(v("ipams").as_array().unwrap().len(), 1);
    assert_eq!(v("scopes").as_array().unwrap().len(), 1);
    // Hand computation: 10.0.0.0/24 = 256 addresses; child /26 = 64 (25 %); allocation /28 = 16 (6.25 %).
    let p = v("by_tag");
    assert_eq!(p["id"], prod);
    assert_eq!(p["size"], 256);
    assert_eq!(p["allocated_size"], 64);
    assert_eq!(p["assigned_size"], 16);
    assert_eq!(p["available_size"], 176);
    assert_eq!(p["percent_allocated"], 25.0);
    assert_eq!(p["percent_assigned"], 6.25);
    assert_eq!(p["percent_available"], 68.75);
    assert_eq!(
        p["noncompliant_allocations"], 1,
        "the allocation lacks the required app tag"
    );
    assert_eq!(p["compliant_allocations"], 0);
    // The scope: its top-level pool's space.
    assert_eq!(v("scope")["size"], 256);
    assert_eq!(v("scope")["percent_allocated"], 25.0);
    assert_eq!(v("by_id"), prod);
    assert_eq!(v("by_legacy_id"), prod);
    // IPv6: a /52 is 2^76 addresses, a /56 is 2^72: exact, no overflow.
    assert_eq!(v("v6_size"), "75557863725914323419136");
    assert_eq!(v("v6_assigned"), "4722366482869645213696");
    assert_eq!(v("v6_percent"), 6.25);
    assert_eq!(v("pools").as_array().unwrap().len(), 2, "prod and child pools");
    assert_eq!(v("cidrs")[0]["cidr"], "10.0.0.0/24");
    assert_eq!(v("cidrs")[0]["state"], "provisioned");
    let allocs = v("allocations");
    let kinds: Vec<&str> = allocs
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["resource_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec!["ipam-pool", "custom"],
        "child-pool allocations are listed too"
    );
    assert_eq!(allocs[0]["resource_id"], infra.attr("ipam_pool.child", "id"));
    assert_eq!(allocs[1]["compliance_status"], "noncompliant");
    assert_eq!(v("next"), "10.0.0.80/28");
    reader.assert_plan_empty();

    // Zero and multiple matches are clear errors.
    reader.config(
        r#"data "ipam_pool" "none" {
  filter {
    name   = "description"
    values = ["nothing*"]
  }
}"#,
    );
    let out = flat(&reader.plan_fails());
    assert!(out.contains("no matching IPAM Pool found"), "{out}");
    reader.config(
        r#"data "ipam_pool" "many" {
  filter {
    name   = "address-family"
    values = ["ipv4"]
  }
}"#,
    );
    let out = flat(&reader.plan_fails());
    assert!(out.contains("multiple IPAM Pools matched"), "{out}");
    assert!(out.contains("additional constraints"), "{out}");
    reader.config(
        r#"data "ipam_pools" "x" {
  filter {
    name   = "colour"
    values = ["blue"]
  }
}"#,
    );
    let out = flat(&reader.plan_fails());
    assert!(out.contains("Unknown filter name"), "{out}");

    // The preview moves on once its CIDR is taken; a preview reserves nothing.
    infra.destroy();
}

fn address_history_survives_release() {
    let tf = Tf::new();
    tf.config(INFRA);
    tf.apply();
    let scope = tf.attr("ipam.main", "private_default_scope_id");
    let alloc_id = tf.attr("ipam_pool_allocation.web", "ipam_pool_allocation_id");
    // Release the allocation: drop it from the configuration.
    let without = INFRA.replace(
        "resource \"ipam_pool_allocation\" \"web\" {\n  ipam_pool_id = ipam_pool.prod.id\n  cidr         = \"10.0.0.64/28\"\n  depends_on   = [ipam_pool_cidr.prod]\n}\n",
        "",
    );
    assert_ne!(without, INFRA);
    tf.config(&without);
    tf.apply();
    let reader = Tf::sharing(&tf.db);
    reader.config(&format!(
        r#"
data "ipam_address_history" "web" {{
  cidr          = "10.0.0.64/28"
  ipam_scope_id = "{scope}"
}}
data "ipam_address_history" "child" {{
  cidr          = "10.0.0.0/26"
  ipam_scope_id = "{scope}"
}}
data "ipam_address_history" "window" {{
  cidr          = "10.0.0.64/28"
  ipam_scope_id = "{scope}"
  end_time      = "2000-01-01T00:00:00Z"
}}
output "web" {{ value = data.ipam_address_history.web.history_records }}
output "child" {{ value = data.ipam_address_history.child.history_records }}
output "window" {{ value = data.ipam_address_history.window.history_records }}
"#
    ));
    reader.apply();
    let o = outputs(&reader);
    let web = &o["web"]["value"];
    assert_eq!(web.as_array().unwrap().len(), 1, "{web}");
    assert_eq!(web[0]["resource_id"], alloc_id);
    assert_eq!(web[0]["resource_type"], "custom");
    assert!(web[0]["sampled_end_time"].is_string(), "closed at release: {web}");
    let child = &o["child"]["value"];
    assert_eq!(child[0]["resource_type"], "ipam-pool");
    assert!(child[0]["sampled_end_time"].is_null(), "still held: open record");
    assert_eq!(
        o["window"]["value"].as_array().unwrap().len(),
        0,
        "nothing started before 2000"
    );
    tf.destroy();
}

/// Reads the history of exactly `cidr` in `scope` through the data source.
fn history_of(reader: &Tf, scope: &str, cidr: &str) -> J {
    reader.config(&format!(
        "data \"ipam_address_history\" \"h\" {{\n  cidr          = \"{cidr}\"\n  ipam_scope_id = \"{scope}\"\n}}\noutput \"h\" {{ value = data.ipam_address_history.h.history_records }}\n"
    ));
    reader.apply();
    outputs(reader)["h"]["value"].clone()
}

fn address_history_ends_at_deprovision_and_pool_deletion_and_goes_with_the_ipam() {
    let owner = Tf::new();
    owner.config(
        r#"
resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
}
resource "ipam_pool" "kept" {
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
}
resource "ipam_pool_cidr" "kept" {
  ipam_pool_id = ipam_pool.kept.id
  cidr         = "10.2.0.0/16"
}
resource "ipam_pool" "gone" {
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
  cascade        = true
}
"#,
    );
    owner.apply();
    let scope = owner.attr("ipam.main", "private_default_scope_id");
    let ipam = owner.attr("ipam.main", "id");
    let gone = owner.attr("ipam_pool.gone", "id");
    let kept = owner.attr("ipam_pool.kept", "id");
    // Another workspace provisions and allocates in the pool that will be deleted with cascade.
    let user = Tf::sharing(&owner.db);
    user.config(&format!(
        "resource \"ipam_pool_cidr\" \"c\" {{\n  ipam_pool_id = \"{gone}\"\n  cidr = \"10.1.0.0/16\"\n}}\nresource \"ipam_pool_allocation\" \"a\" {{\n  ipam_pool_id = \"{gone}\"\n  cidr = \"10.1.4.0/24\"\n  depends_on = [ipam_pool_cidr.c]\n}}\n"
    ));
    user.apply();
    let reader = Tf::sharing(&owner.db);
    let open = history_of(&reader, &scope, "10.1.0.0/16");
    assert_eq!(open.as_array().unwrap().len(), 1, "{open}");
    assert_eq!(open[0]["resource_type"], "ipam-pool");
    assert_eq!(open[0]["ipam_pool_id"], gone);
    assert!(open[0]["sampled_end_time"].is_null(), "provisioned: open record {open}");
    let vpc = history_of(&reader, &scope, "10.1.4.0/24");
    assert_eq!(
        vpc[0]["resource_id"],
        user.attr("ipam_pool_allocation.a", "ipam_pool_allocation_id")
    );
    assert_eq!(vpc[0]["resource_type"], "custom");
    assert_eq!(vpc[0]["resource_owner_id"], "123456789012");
    assert_eq!(vpc[0]["resource_compliance_status"], "compliant");
    assert!(
        vpc[0]["sampled_start_time"].is_string() && vpc[0]["sampled_end_time"].is_null(),
        "{vpc}"
    );

    // Deleting the pool with cascade ends the records of its CIDR and of its allocations.
    owner.config(&owner_config_without_gone());
    owner.apply();
    assert_eq!(
        owner.sql_count(&format!("SELECT count(*) FROM pools WHERE id = '{gone}'")),
        0
    );
    for cidr in ["10.1.0.0/16", "10.1.4.0/24"] {
        let h = history_of(&reader, &scope, cidr);
        assert_eq!(h.as_array().unwrap().len(), 1, "{h}");
        assert!(h[0]["sampled_end_time"].is_string(), "closed with the pool: {h}");
    }
    // Deprovisioning ends the CIDR's record too; the history outlives the CIDR.
    owner.config(&owner_config_without_gone().replace(
        "resource \"ipam_pool_cidr\" \"kept\" {\n  ipam_pool_id = ipam_pool.kept.id\n  cidr         = \"10.2.0.0/16\"\n}\n",
        "",
    ));
    owner.apply();
    let h = history_of(&reader, &scope, "10.2.0.0/16");
    assert_eq!(h[0]["ipam_pool_id"], kept);
    assert!(h[0]["sampled_end_time"].is_string(), "closed at deprovision: {h}");
    // History ends only with the IPAM (R-07).
    owner.destroy();
    assert_eq!(
        owner.sql_count(&format!("SELECT count(*) FROM history WHERE ipam_id = '{ipam}'")),
        0
    );
}

fn owner_config_without_gone() -> String {
    r#"
resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
}
resource "ipam_pool" "kept" {
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
}
resource "ipam_pool_cidr" "kept" {
  ipam_pool_id = ipam_pool.kept.id
  cidr         = "10.2.0.0/16"
}
"#
    .to_string()
}

backend_tests!(
    every_data_source_reads_the_ipam,
    address_history_survives_release,
    address_history_ends_at_deprovision_and_pool_deletion_and_goes_with_the_ipam,
);
