//! Data sources driven by the real terraform binary.

use crate::common;

use common::fixtures::amazon_ipv6_pool_with_vpc;
use common::{Tf, flat};
use serde_json::Value as J;

/// An IPAM with a pool hierarchy (a child pool, a noncompliant allocation) and an Amazon IPv6 pool.
fn infra_config() -> String {
    format!(
        r#"
resource "ipam" "main" {{
  operating_regions {{ region_name = "us-east-1" }}
  tags = {{ team = "net" }}
}}
resource "ipam_pool" "prod" {{
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
  description    = "production pool"
  tags           = {{ env = "prod" }}
  allocation_resource_tags = {{ app = "web" }}
}}
resource "ipam_pool_cidr" "prod" {{
  ipam_pool_id = ipam_pool.prod.id
  cidr         = "10.0.0.0/24"
}}
resource "ipam_pool" "child" {{
  ipam_scope_id       = ipam.main.private_default_scope_id
  address_family      = "ipv4"
  source_ipam_pool_id = ipam_pool.prod.id
  description         = "child pool"
}}
resource "ipam_pool_cidr" "child" {{
  ipam_pool_id = ipam_pool.child.id
  cidr         = "10.0.0.0/26"
  depends_on   = [ipam_pool_cidr.prod]
}}
resource "ipam_pool_allocation" "web" {{
  ipam_pool_id = ipam_pool.prod.id
  cidr         = "10.0.0.64/28"
  depends_on   = [ipam_pool_cidr.prod]
}}
{}"#,
        amazon_ipv6_pool_with_vpc(56)
    )
}

fn every_data_source_reads_the_ipam() {
    let infra = Tf::new();
    infra.config(&infra_config());
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
    let o = reader.outputs();
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
    reader.plan_fails_with(
        r#"data "ipam_pool" "none" {
  filter {
    name   = "description"
    values = ["nothing*"]
  }
}"#,
        &["no matching IPAM Pool found"],
    );
    reader.plan_fails_with(
        r#"data "ipam_pool" "many" {
  filter {
    name   = "address-family"
    values = ["ipv4"]
  }
}"#,
        &["multiple IPAM Pools matched", "additional constraints"],
    );
    reader.plan_fails_with(
        r#"data "ipam_pools" "x" {
  filter {
    name   = "colour"
    values = ["blue"]
  }
}"#,
        &["Unknown filter name"],
    );

    // The preview moves on once its CIDR is taken; a preview reserves nothing.
    infra.destroy();
}

fn address_history_survives_release() {
    let tf = Tf::new();
    tf.config(&infra_config());
    tf.apply();
    let scope = tf.attr("ipam.main", "private_default_scope_id");
    let alloc_id = tf.attr("ipam_pool_allocation.web", "ipam_pool_allocation_id");
    // Release the allocation: drop it from the configuration.
    let without = infra_config().replace(
        "resource \"ipam_pool_allocation\" \"web\" {\n  ipam_pool_id = ipam_pool.prod.id\n  cidr         = \"10.0.0.64/28\"\n  depends_on   = [ipam_pool_cidr.prod]\n}\n",
        "",
    );
    assert_ne!(without, infra_config());
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
    let o = reader.outputs();
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
    reader.outputs()["h"]["value"].clone()
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

const SMALL: &str = r#"
resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
}
resource "ipam_pool" "p" {
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
}
resource "ipam_pool_cidr" "p" {
  ipam_pool_id = ipam_pool.p.id
  cidr         = "10.0.0.0/24"
}
"#;

fn preview_recomputes_on_every_read_and_reserves_nothing() {
    let infra = Tf::new();
    infra.config(SMALL);
    infra.apply();
    let pool = infra.attr("ipam_pool.p", "id");
    let allocations = format!("SELECT count(*) FROM allocations WHERE pool_id = '{pool}'");

    // Two previews of one pool in one configuration, and a resource that uses one of them.
    let reader = Tf::sharing(&infra.db);
    reader.config(&format!(
        r#"
data "ipam_preview_next_cidr" "a" {{
  ipam_pool_id   = "{pool}"
  netmask_length = 28
}}
data "ipam_preview_next_cidr" "b" {{
  ipam_pool_id   = "{pool}"
  netmask_length = 28
}}
resource "terraform_data" "downstream" {{
  input = data.ipam_preview_next_cidr.a.cidr
}}
output "a" {{ value = data.ipam_preview_next_cidr.a.cidr }}
output "b" {{ value = data.ipam_preview_next_cidr.b.cidr }}
"#
    ));
    reader.apply();
    let o = reader.outputs();
    assert_eq!(o["a"]["value"], "10.0.0.0/28");
    assert_eq!(
        o["b"]["value"], "10.0.0.0/28",
        "the upstream trap: N previews return the same CIDR"
    );
    assert_eq!(infra.sql_count(&allocations), 0, "a preview reserves nothing");
    reader.assert_plan_empty();

    // The documented way to keep a preview: the resource of the same name computes once.
    let pinned = Tf::sharing(&infra.db);
    pinned.config(&format!(
        "resource \"ipam_preview_next_cidr\" \"kept\" {{\n  ipam_pool_id   = \"{pool}\"\n  netmask_length = 28\n}}\n"
    ));
    pinned.apply();
    assert_eq!(pinned.attr("ipam_preview_next_cidr.kept", "cidr"), "10.0.0.0/28");

    // Another workspace allocates exactly the previewed CIDR.
    let user = Tf::sharing(&infra.db);
    user.config(&format!(
        "resource \"ipam_pool_allocation\" \"a\" {{\n  ipam_pool_id = \"{pool}\"\n  cidr         = \"10.0.0.0/28\"\n}}\n"
    ));
    user.apply();
    assert_eq!(infra.sql_count(&allocations), 1);

    // The next read moves on, for both previews; whatever uses the preview is planned to change.
    let plan = reader.assert_plan_changes();
    assert!(plan.contains("terraform_data.downstream"), "{plan}");
    assert!(plan.contains("10.0.0.16/28"), "{plan}");
    reader.apply();
    let o = reader.outputs();
    assert_eq!(o["a"]["value"], "10.0.0.16/28");
    assert_eq!(o["b"]["value"], "10.0.0.16/28");
    assert_eq!(reader.values("terraform_data.downstream")["output"], "10.0.0.16/28");
    // The kept preview does not move.
    pinned.assert_plan_empty();
    assert_eq!(pinned.attr("ipam_preview_next_cidr.kept", "cidr"), "10.0.0.0/28");
    assert_eq!(infra.sql_count(&allocations), 1, "reading previews reserved nothing");
    user.destroy();
    infra.destroy();
}

fn singular_data_sources_by_id_argument_or_filters_and_their_match_errors() {
    let infra = Tf::new();
    infra.config(&infra_config());
    infra.apply();
    let ipam = infra.attr("ipam.main", "id");
    let private = infra.attr("ipam.main", "private_default_scope_id");
    let public = infra.attr("ipam.main", "public_default_scope_id");
    let prod = infra.attr("ipam_pool.prod", "id");

    let reader = Tf::sharing(&infra.db);
    reader.config(&format!(
        r#"
data "ipam_scope" "by_id_argument" {{ ipam_scope_id = "{private}" }}
data "ipam_scope" "by_legacy_id" {{ id = "{private}" }}
data "ipam_scope" "by_both" {{
  id            = "{private}"
  ipam_scope_id = "{private}"
}}
data "ipam_scope" "by_filters" {{
  filter {{
    name   = "ipam-id"
    values = ["{ipam}"]
  }}
  filter {{
    name   = "ipam-scope-type"
    values = ["pub*"]
  }}
}}
data "ipam_pool" "by_both" {{
  id           = "{prod}"
  ipam_pool_id = "{prod}"
}}
output "by_id_argument" {{ value = [data.ipam_scope.by_id_argument.id, data.ipam_scope.by_id_argument.ipam_scope_id] }}
output "by_legacy_id" {{ value = [data.ipam_scope.by_legacy_id.id, data.ipam_scope.by_legacy_id.ipam_scope_id] }}
output "by_both" {{ value = data.ipam_scope.by_both.ipam_scope_type }}
output "by_filters" {{ value = [data.ipam_scope.by_filters.id, data.ipam_scope.by_filters.ipam_scope_id] }}
output "pool_by_both" {{ value = data.ipam_pool.by_both.description }}
"#
    ));
    reader.apply();
    let o = reader.outputs();
    assert_eq!(o["by_id_argument"]["value"], serde_json::json!([private, private]));
    assert_eq!(o["by_legacy_id"]["value"], serde_json::json!([private, private]));
    assert_eq!(o["by_both"]["value"], "private");
    assert_eq!(o["by_filters"]["value"], serde_json::json!([public, public]));
    assert_eq!(o["pool_by_both"]["value"], "production pool");
    reader.assert_plan_empty();

    // `ipam_scope`: nothing, or more than one scope, matches.
    reader.plan_fails_with(
        r#"data "ipam_scope" "none" {
  filter {
    name   = "description"
    values = ["nothing*"]
  }
}"#,
        &["no matching scope found", "plural data source"],
    );
    reader.plan_fails_with(
        &format!(
            r#"data "ipam_scope" "many" {{
  filter {{
    name   = "ipam-id"
    values = ["{ipam}"]
  }}
}}"#
        ),
        &["multiple scopes matched", "2 scopes match", "additional constraints"],
    );
    reader.plan_fails_with(
        r#"data "ipam_scope" "gone" { ipam_scope_id = "ipam-scope-0123456789abcdef0" }"#,
        &["no matching scope found"],
    );
    // `ipam`: a well-formed ID that names no IPAM.
    reader.plan_fails_with(
        r#"data "ipam" "gone" { id = "ipam-0123456789abcdef0" }"#,
        &["no matching IPAM found"],
    );
    // Both ID arguments, naming different objects.
    reader.plan_fails_with(
        &format!(
            r#"data "ipam_scope" "conflict" {{
  id            = "{private}"
  ipam_scope_id = "{public}"
}}"#
        ),
        &["Conflicting IDs", "name different scopes"],
    );
    reader.plan_fails_with(
        &format!(
            r#"data "ipam_pool" "conflict" {{
  id           = "{prod}"
  ipam_pool_id = "{}"
}}"#,
            infra.attr("ipam_pool.child", "id")
        ),
        &["Conflicting IDs", "name different pools"],
    );
    // Also while a filter's values are known only at apply: the IDs are checked at validation.
    reader.plan_fails_with(
        &format!(
            r#"resource "terraform_data" "later" {{ input = "x" }}
data "ipam_pool" "conflict_later" {{
  id           = "{prod}"
  ipam_pool_id = "{}"
  filter {{
    name   = "description"
    values = [terraform_data.later.id]
  }}
}}"#,
            infra.attr("ipam_pool.child", "id")
        ),
        &["Conflicting IDs", "name different pools"],
    );
    infra.destroy();
}

/// A `filter` block.
fn filter(name: &str, values: &[&str]) -> String {
    let vs: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
    format!(
        "  filter {{\n    name   = \"{name}\"\n    values = [{}]\n  }}\n",
        vs.join(", ")
    )
}

/// A list data source `kind.name` with extra arguments and filters, and an output `name` with the
/// sorted `key`s of the objects it lists under `list`: the output's name and the configuration.
fn listing(
    kind: &str,
    name: &'static str,
    args: &str,
    filters: &[String],
    list: &str,
    key: &str,
) -> (&'static str, String) {
    let hcl = format!(
        "data \"{kind}\" \"{name}\" {{\n{args}\n{}}}\noutput \"{name}\" {{ value = sort([for x in data.{kind}.{name}.{list} : x.{key}]) }}\n",
        filters.concat()
    );
    (name, hcl)
}

fn filters_of_every_list_data_source() {
    let infra = Tf::new();
    let west = infra.provider_alias("west", "region = \"us-west-2\"");
    infra.config(&format!(
        r#"
{west}
resource "ipam" "east" {{
  description = "east ipam"
  operating_regions {{ region_name = "us-east-1" }}
  operating_regions {{ region_name = "us-west-2" }}
  tags = {{ team = "net", env = "prod" }}
}}
resource "ipam" "west" {{
  provider    = ipam.west
  description = "west ipam"
  operating_regions {{ region_name = "us-west-2" }}
  tags = {{ team = "edge" }}
}}
resource "ipam_scope" "lab" {{
  ipam_id     = ipam.east.id
  description = "lab scope"
  tags        = {{ purpose = "lab" }}
}}
resource "ipam_pool" "a1" {{
  ipam_scope_id            = ipam.east.private_default_scope_id
  address_family           = "ipv4"
  locale                   = "us-east-1"
  description              = "pool-a1"
  tags                     = {{ env = "prod", cost = "x" }}
  allocation_resource_tags = {{ app = "web" }}
}}
resource "ipam_pool" "b2" {{
  ipam_scope_id  = ipam.east.private_default_scope_id
  address_family = "ipv4"
  locale         = "us-west-2"
  description    = "pool-b2"
  tags           = {{ env = "dev" }}
}}
resource "ipam_pool" "lab" {{
  ipam_scope_id  = ipam_scope.lab.id
  address_family = "ipv4"
  description    = "lab pool"
}}
resource "ipam_pool_cidr" "a1" {{
  ipam_pool_id = ipam_pool.a1.id
  cidr         = "10.0.0.0/16"
}}
resource "ipam_pool_cidr" "a1_more" {{
  ipam_pool_id = ipam_pool.a1.id
  cidr         = "10.1.0.0/16"
}}
resource "ipam_pool" "child" {{
  ipam_scope_id       = ipam.east.private_default_scope_id
  address_family      = "ipv4"
  source_ipam_pool_id = ipam_pool.a1.id
  description         = "child of a1"
}}
resource "ipam_pool_cidr" "child" {{
  ipam_pool_id = ipam_pool.child.id
  cidr         = "10.0.128.0/20"
  depends_on   = [ipam_pool_cidr.a1]
}}
resource "ipam_pool_allocation" "web" {{
  ipam_pool_id = ipam_pool.a1.id
  cidr         = "10.0.1.0/24"
  description  = "web servers"
  tags         = {{ app = "web" }}
  depends_on   = [ipam_pool_cidr.a1]
}}
resource "ipam_pool_allocation" "db" {{
  ipam_pool_id    = ipam_pool.a1.id
  cidr            = "10.0.2.0/24"
  resource_type   = "vpc"
  resource_id     = "vpc-0db"
  resource_region = "us-east-1"
  tags            = {{ app = "db", tier = "1" }}
  depends_on      = [ipam_pool_cidr.a1]
}}
"#
    ));
    infra.apply();
    let id = |addr: &str| infra.attr(addr, "id");
    let (east, west) = (id("ipam.east"), id("ipam.west"));
    let east_private = infra.attr("ipam.east", "private_default_scope_id");
    let east_public = infra.attr("ipam.east", "public_default_scope_id");
    let lab_scope = id("ipam_scope.lab");
    let (a1, b2, lab, child) = (
        id("ipam_pool.a1"),
        id("ipam_pool.b2"),
        id("ipam_pool.lab"),
        id("ipam_pool.child"),
    );
    let web = infra.attr("ipam_pool_allocation.web", "ipam_pool_allocation_id");
    let more_cidr_id = infra.attr("ipam_pool_cidr.a1_more", "ipam_pool_cidr_id");

    let f = filter;
    let ipams = |name, args: &str, fs: &[String]| listing("ipam_ipams", name, args, fs, "ipams", "id");
    let scopes = |name, fs: &[String]| listing("ipam_scopes", name, "", fs, "ipam_scopes", "id");
    let pools = |name, fs: &[String]| listing("ipam_pools", name, "", fs, "ipam_pools", "id");
    let cidrs = |name, fs: &[String]| {
        listing(
            "ipam_pool_cidrs",
            name,
            &format!("  ipam_pool_id = \"{a1}\""),
            fs,
            "ipam_pool_cidrs",
            "cidr",
        )
    };
    let allocs = |name, fs: &[String]| {
        listing(
            "ipam_pool_allocations",
            name,
            &format!("  ipam_pool_id = \"{a1}\""),
            fs,
            "ipam_pool_allocations",
            "cidr",
        )
    };
    // ((output, data source), expected values in any order)
    let cases: Vec<((&str, String), Vec<&str>)> = vec![
        // ipam_ipams: IDs, every filter name, `?`, and IDs and filters together.
        (ipams("ipams_all", "", &[]), vec![&east, &west]),
        (
            ipams("ipams_ids", &format!("  ipam_ids = [\"{east}\"]"), &[]),
            vec![&east],
        ),
        (
            ipams(
                "ipams_ids_and_filter",
                &format!("  ipam_ids = [\"{east}\"]"),
                &[f("ipam-region", &["us-west-2"])],
            ),
            vec![],
        ),
        (ipams("ipams_by_id", "", &[f("ipam-id", &[&west])]), vec![&west]),
        (
            ipams("ipams_region", "", &[f("ipam-region", &["us-west-2"])]),
            vec![&west],
        ),
        (
            ipams("ipams_operating", "", &[f("operating-region", &["us-east-1"])]),
            vec![&east],
        ),
        (ipams("ipams_q", "", &[f("description", &["?est ipam"])]), vec![&west]),
        (
            ipams("ipams_owner", "", &[f("owner-id", &["123456789012"])]),
            vec![&east, &west],
        ),
        (
            ipams("ipams_state", "", &[f("state", &["create-complete"])]),
            vec![&east, &west],
        ),
        (ipams("ipams_tag", "", &[f("tag:team", &["edge"])]), vec![&west]),
        (ipams("ipams_tag_key", "", &[f("tag-key", &["env"])]), vec![&east]),
        // ipam_scopes
        (
            scopes("scopes_of_east", &[f("ipam-id", &[&east])]),
            vec![&east_private, &east_public, &lab_scope],
        ),
        (
            scopes("scopes_created", &[f("is-default", &["false"])]),
            vec![&lab_scope],
        ),
        (
            scopes("scopes_tag_key", &[f("tag-key", &["purpose"])]),
            vec![&lab_scope],
        ),
        (
            scopes("scopes_q", &[f("description", &["la? scope"])]),
            vec![&lab_scope],
        ),
        // ipam_pools
        (pools("pools_locale", &[f("locale", &["us-east-1"])]), vec![&a1]),
        (pools("pools_locale_q", &[f("locale", &["us-?est-2"])]), vec![&b2]),
        (pools("pools_no_locale", &[f("locale", &["None"])]), vec![&lab, &child]),
        (pools("pools_scope", &[f("ipam-scope-id", &[&lab_scope])]), vec![&lab]),
        (pools("pools_by_id", &[f("ipam-pool-id", &[&b2])]), vec![&b2]),
        (pools("pools_by_ids", &[f("ipam-pool-id", &[&a1, &b2])]), vec![&a1, &b2]),
        (pools("pools_tag_key", &[f("tag-key", &["cost"])]), vec![&a1]),
        (pools("pools_q", &[f("description", &["pool-?2"])]), vec![&b2]),
        (pools("pools_source", &[f("source-ipam-pool-id", &[&a1])]), vec![&child]),
        (
            pools(
                "pools_and",
                &[
                    f("ipam-scope-id", &[&east_private]),
                    f("tag:env", &["prod", "dev"]),
                    f("locale", &["us-west-2"]),
                ],
            ),
            vec![&b2],
        ),
        // ipam_pool_cidrs of a1
        (cidrs("cidrs_all", &[]), vec!["10.0.0.0/16", "10.1.0.0/16"]),
        (cidrs("cidrs_glob", &[f("cidr", &["10.1.*"])]), vec!["10.1.0.0/16"]),
        (
            cidrs("cidrs_q", &[f("cidr", &["10.?.0.0/16"])]),
            vec!["10.0.0.0/16", "10.1.0.0/16"],
        ),
        (
            cidrs("cidrs_by_id", &[f("ipam-pool-cidr-id", &[&more_cidr_id])]),
            vec!["10.1.0.0/16"],
        ),
        (
            cidrs("cidrs_state", &[f("state", &["provisioned"])]),
            vec!["10.0.0.0/16", "10.1.0.0/16"],
        ),
        (cidrs("cidrs_none", &[f("state", &["deprovisioned"])]), vec![]),
        // ipam_pool_allocations of a1: the child pool's CIDR, web (compliant) and db (no app=web tag)
        (
            allocs("allocs_all", &[]),
            vec!["10.0.1.0/24", "10.0.128.0/20", "10.0.2.0/24"],
        ),
        (
            allocs("allocs_type", &[f("resource-type", &["vpc"])]),
            vec!["10.0.2.0/24"],
        ),
        (
            allocs("allocs_pools", &[f("resource-type", &["ipam-pool"])]),
            vec!["10.0.128.0/20"],
        ),
        (
            allocs("allocs_child", &[f("resource-id", &[&child])]),
            vec!["10.0.128.0/20"],
        ),
        (
            allocs("allocs_rid", &[f("resource-id", &["vpc-0d?"])]),
            vec!["10.0.2.0/24"],
        ),
        (
            allocs("allocs_owner", &[f("resource-owner", &["123456789012"])]),
            vec!["10.0.1.0/24", "10.0.128.0/20", "10.0.2.0/24"],
        ),
        (
            allocs("allocs_noncompliant", &[f("compliance-status", &["noncompliant"])]),
            vec!["10.0.2.0/24"],
        ),
        (
            allocs("allocs_by_id", &[f("ipam-pool-allocation-id", &[&web])]),
            vec!["10.0.1.0/24"],
        ),
        (allocs("allocs_tag", &[f("tag:app", &["web"])]), vec!["10.0.1.0/24"]),
        (
            allocs("allocs_tag_key", &[f("tag-key", &["tier"])]),
            vec!["10.0.2.0/24"],
        ),
        (
            allocs("allocs_q", &[f("cidr", &["10.0.?.0/24"])]),
            vec!["10.0.1.0/24", "10.0.2.0/24"],
        ),
    ];
    let mut body: String = cases.iter().map(|((_, hcl), _)| hcl.as_str()).collect();
    // The singular pool and scope data sources take the same filters.
    body.push_str(&format!(
        "data \"ipam_pool\" \"one\" {{\n{}{}}}\noutput \"pool_one\" {{ value = data.ipam_pool.one.id }}\n",
        f("locale", &["us-?ast-1"]),
        f("tag-key", &["cost"])
    ));
    body.push_str(&format!(
        "data \"ipam_scope\" \"one\" {{\n{}}}\noutput \"scope_one\" {{ value = data.ipam_scope.one.ipam_scope_id }}\n",
        f("tag:purpose", &["l?b"])
    ));
    let reader = Tf::sharing(&infra.db);
    reader.config(&body);
    reader.apply();
    let o = reader.outputs();
    for ((name, _), want) in &cases {
        let mut want = want.clone();
        want.sort();
        let got: Vec<String> = o[*name]["value"]
            .as_array()
            .unwrap_or_else(|| panic!("output {name}: {o}"))
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(got, want, "filter case {name}");
    }
    assert_eq!(o["pool_one"]["value"], a1.as_str());
    assert_eq!(o["scope_one"]["value"], lab_scope.as_str());
    reader.assert_plan_empty();
    infra.destroy();
}

const MEMBER: &str = "444455556666";
const STRANGER: &str = "777788889999";

/// An owner's shared pool with netmask rules, an unshared pool, and allocations of both accounts.
const SHARED: &str = r#"
resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
}
resource "ipam_pool" "shared" {
  ipam_scope_id                 = ipam.main.private_default_scope_id
  address_family                = "ipv4"
  locale                        = "us-east-1"
  description                   = "shared pool"
  allocation_min_netmask_length = 20
  allocation_max_netmask_length = 26
}
resource "ipam_pool_cidr" "shared" {
  ipam_pool_id = ipam_pool.shared.id
  cidr         = "10.8.0.0/16"
}
resource "ipam_pool" "unshared" {
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
  description    = "owner only"
}
resource "ipam_pool_cidr" "unshared" {
  ipam_pool_id = ipam_pool.unshared.id
  cidr         = "10.9.0.0/16"
}
resource "ipam_resource_share" "s" {
  name          = "shared-pool"
  resource_arns = [ipam_pool.shared.arn]
  principals    = ["444455556666"]
}
# Resource allocations outside [min, max] are made but noncompliant (R-36).
resource "ipam_pool_allocation" "too_big" {
  ipam_pool_id  = ipam_pool.shared.id
  cidr          = "10.8.0.0/19"
  resource_type = "vpc"
  resource_id   = "vpc-0big"
  depends_on    = [ipam_pool_cidr.shared]
}
resource "ipam_pool_allocation" "too_small" {
  ipam_pool_id  = ipam_pool.shared.id
  cidr          = "10.8.32.0/28"
  resource_type = "subnet"
  resource_id   = "subnet-0small"
  depends_on    = [ipam_pool_cidr.shared]
}
resource "ipam_pool_allocation" "fits" {
  ipam_pool_id = ipam_pool.shared.id
  cidr         = "10.8.64.0/24"
  depends_on   = [ipam_pool_cidr.shared]
}
"#;

fn allocations_show_owner_and_compliance_and_pools_are_visible_only_to_owner_and_principals() {
    let owner = Tf::new();
    owner.config(SHARED);
    owner.apply();
    let shared = owner.attr("ipam_pool.shared", "id");
    let unshared = owner.attr("ipam_pool.unshared", "id");
    let scope = owner.attr("ipam.main", "private_default_scope_id");
    for (addr, status) in [
        ("ipam_pool_allocation.too_big", "noncompliant"),
        ("ipam_pool_allocation.too_small", "noncompliant"),
        ("ipam_pool_allocation.fits", "compliant"),
    ] {
        assert_eq!(owner.attr(addr, "compliance_status"), status, "{addr}");
    }

    // The principal allocates through the share and reads what it can see.
    let member = Tf::sharing(&owner.db).provider_extra(&format!("account_id = \"{MEMBER}\""));
    member.config(&format!(
        r#"
resource "ipam_pool_allocation" "member" {{
  ipam_pool_id = "{shared}"
  cidr         = "10.8.65.0/24"
}}
data "ipam_pools" "seen" {{}}
data "ipam_pool" "shared" {{
  ipam_pool_id = "{shared}"
  depends_on   = [ipam_pool_allocation.member]
}}
data "ipam_pool_allocations" "shared" {{
  ipam_pool_id = "{shared}"
  depends_on   = [ipam_pool_allocation.member]
}}
data "ipam_pool_cidrs" "shared" {{ ipam_pool_id = "{shared}" }}
output "pools" {{ value = [for p in data.ipam_pools.seen.ipam_pools : p.id] }}
output "pool" {{ value = data.ipam_pool.shared }}
output "allocations" {{ value = data.ipam_pool_allocations.shared.ipam_pool_allocations }}
output "cidrs" {{ value = [for c in data.ipam_pool_cidrs.shared.ipam_pool_cidrs : c.cidr] }}
"#
    ));
    member.apply();
    assert_eq!(member.attr("ipam_pool_allocation.member", "resource_owner"), MEMBER);
    let o = member.outputs();
    assert_eq!(
        o["pools"]["value"],
        serde_json::json!([shared]),
        "the principal sees the shared pool, not the unshared one"
    );
    assert_eq!(o["pool"]["value"]["owner_id"], "123456789012");
    assert_eq!(o["cidrs"]["value"], serde_json::json!(["10.8.0.0/16"]));
    // The principal sees every allocation of the shared pool (the default permission lets it
    // view them), each with its owner and compliance.
    let rows: Vec<(String, String, String, String)> = o["allocations"]["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let s = |k: &str| a[k].as_str().unwrap_or_default().to_string();
            (
                s("cidr"),
                s("resource_type"),
                s("resource_owner"),
                s("compliance_status"),
            )
        })
        .collect();
    let row = |c: &str, t: &str, who: &str, st: &str| (c.to_string(), t.to_string(), who.to_string(), st.to_string());
    assert_eq!(
        rows,
        vec![
            row("10.8.0.0/19", "vpc", "123456789012", "noncompliant"),
            row("10.8.32.0/28", "subnet", "123456789012", "noncompliant"),
            row("10.8.64.0/24", "custom", "123456789012", "compliant"),
            row("10.8.65.0/24", "custom", MEMBER, "compliant"),
        ]
    );
    // Hand computation: /16 = 65536; /19 + /28 + 2 x /24 = 8192 + 16 + 512 = 8720 (13.3056640625 %).
    let p = &o["pool"]["value"];
    assert_eq!(p["size"], 65536);
    assert_eq!(p["assigned_size"], 8720);
    assert_eq!(p["available_size"], 65536 - 8720);
    assert_eq!(p["percent_assigned"], 13.3056640625);
    assert_eq!(p["percent_available"], 86.6943359375);
    assert_eq!(
        (
            p["compliant_allocations"].clone(),
            p["noncompliant_allocations"].clone()
        ),
        (2.into(), 2.into())
    );

    // The owner sees the principal's allocation with the principal as its owner; scope figures
    // count both pools' space and every allocation's compliance.
    let view = Tf::sharing(&owner.db);
    view.config(&format!(
        r#"
data "ipam_pool_allocations" "members" {{
  ipam_pool_id = "{shared}"
  filter {{
    name   = "resource-owner"
    values = ["{MEMBER}"]
  }}
}}
data "ipam_scope" "private" {{ ipam_scope_id = "{scope}" }}
data "ipam_pools" "all" {{}}
output "members" {{ value = data.ipam_pool_allocations.members.ipam_pool_allocations }}
output "scope" {{ value = data.ipam_scope.private }}
output "pools" {{ value = length(data.ipam_pools.all.ipam_pools) }}
"#
    ));
    view.apply();
    let o = view.outputs();
    let m = &o["members"]["value"];
    assert_eq!(m.as_array().unwrap().len(), 1, "{m}");
    assert_eq!(m[0]["resource_owner"], MEMBER);
    assert_eq!(m[0]["cidr"], "10.8.65.0/24");
    assert_eq!(o["pools"]["value"], 2);
    // Scope: 2 x /16 = 131072 addresses, 8720 assigned (6.65283203125 %), 2 compliant, 2 not.
    let s = &o["scope"]["value"];
    assert_eq!(s["size"], 131072);
    assert_eq!(s["allocated_size"], 0);
    assert_eq!(s["assigned_size"], 8720);
    assert_eq!(s["available_size"], 131072 - 8720);
    assert_eq!(s["percent_assigned"], 6.65283203125);
    assert_eq!(s["percent_available"], 93.34716796875);
    assert_eq!(s["compliant_allocations"], 2);
    assert_eq!(s["noncompliant_allocations"], 2);
    assert_eq!(s["by_address_family"]["ipv4"]["assigned_size"], 8720);
    assert_eq!(s["by_address_family"]["ipv4"]["noncompliant_allocations"], 2);

    // The principal does not see the pool that was not shared with it.
    member.plan_fails_with(
        &format!("data \"ipam_pool\" \"x\" {{ ipam_pool_id = \"{unshared}\" }}\n"),
        &["no matching IPAM Pool found"],
    );

    // An account that is neither owner nor principal sees neither pool, and no allocations.
    let stranger = Tf::sharing(&owner.db).provider_extra(&format!("account_id = \"{STRANGER}\""));
    stranger
        .config("data \"ipam_pools\" \"all\" {}\noutput \"n\" { value = length(data.ipam_pools.all.ipam_pools) }\n");
    stranger.apply();
    assert_eq!(stranger.outputs()["n"]["value"], 0);
    for pool in [&shared, &unshared] {
        stranger.plan_fails_with(
            &format!("data \"ipam_pool\" \"x\" {{ ipam_pool_id = \"{pool}\" }}\n"),
            &[
                "no matching IPAM Pool found",
                &format!("Account {STRANGER} sees the pools it owns"),
            ],
        );
    }
    for kind in ["ipam_pool_allocations", "ipam_pool_cidrs", "ipam_preview_next_cidr"] {
        stranger.config(&format!("data \"{kind}\" \"x\" {{ ipam_pool_id = \"{shared}\" }}\n"));
        let out = flat(&stranger.plan_fails());
        assert!(out.contains("pool not found"), "{kind}: {out}");
        assert!(
            out.contains(&format!("is visible to account {STRANGER}")),
            "{kind}: {out}"
        );
        assert!(!out.contains("10.8."), "{kind} leaks nothing: {out}");
    }
    member.config("");
    member.apply();

    // Once the share no longer names the principal, the pool is gone from its view.
    let unshared_config = SHARED.replace("principals    = [\"444455556666\"]", "principals    = []");
    assert_ne!(unshared_config, SHARED);
    owner.config(&unshared_config);
    owner.apply();
    member.config("data \"ipam_pools\" \"all\" {}\noutput \"n\" { value = length(data.ipam_pools.all.ipam_pools) }\n");
    member.apply();
    assert_eq!(member.outputs()["n"]["value"], 0);
    owner.destroy();
}

/// An output `name` with the utilisation figures of `expr` (a data source, or one of a scope's
/// families); sizes as text, since IPv6 sizes do not fit a JSON number exactly.
fn usage_output(name: &str, expr: &str) -> String {
    format!(
        r#"output "{name}" {{
  value = {{
    sizes      = [tostring({expr}.size), tostring({expr}.allocated_size), tostring({expr}.assigned_size), tostring({expr}.available_size)]
    percents   = [{expr}.percent_allocated, {expr}.percent_assigned, {expr}.percent_available]
    compliance = [{expr}.compliant_allocations, {expr}.noncompliant_allocations]
  }}
}}
"#
    )
}

/// Asserts the figures of a `usage_output`: sizes (size, allocated, assigned, available) as
/// decimal text, the three percentages, and (compliant, noncompliant).
fn assert_usage(o: &J, name: &str, sizes: [&str; 4], percents: [f64; 3], compliance: [i64; 2]) {
    let v = &o[name]["value"];
    assert_eq!(v["sizes"], serde_json::json!(sizes), "{name} sizes");
    let got: Vec<f64> = v["percents"]
        .as_array()
        .unwrap_or_else(|| panic!("{name}: {v}"))
        .iter()
        .map(|p| p.as_f64().unwrap_or(f64::NAN))
        .collect();
    assert_eq!(got, percents, "{name} percentages");
    assert_eq!(v["compliance"], serde_json::json!(compliance), "{name} compliance");
}

fn ipv6_utilisation_matches_hand_computation() {
    let tf = Tf::new();
    tf.config(
        r#"
resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
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
resource "ipam_pool" "v6_child" {
  ipam_scope_id                 = ipam.main.public_default_scope_id
  address_family                = "ipv6"
  aws_service                   = "ec2"
  locale                        = "us-east-1"
  source_ipam_pool_id           = ipam_pool.v6.id
  allocation_max_netmask_length = 60
}
resource "ipam_pool_cidr" "v6_child" {
  ipam_pool_id   = ipam_pool.v6_child.id
  netmask_length = 56
  depends_on     = [ipam_pool_cidr.v6]
}
resource "ipam_pool_allocation" "v6_vpc" {
  ipam_pool_id   = ipam_pool.v6.id
  netmask_length = 56
  resource_type  = "vpc"
  resource_id    = "vpc-0v6"
  depends_on     = [ipam_pool_cidr.v6]
}
resource "ipam_pool_allocation" "child_vpc" {
  ipam_pool_id   = ipam_pool.v6_child.id
  netmask_length = 60
  resource_type  = "vpc"
  resource_id    = "vpc-0child"
  depends_on     = [ipam_pool_cidr.v6_child]
}
resource "ipam_pool_allocation" "child_subnet" {
  ipam_pool_id   = ipam_pool.v6_child.id
  netmask_length = 64
  resource_type  = "subnet"
  resource_id    = "subnet-0child"
  depends_on     = [ipam_pool_cidr.v6_child]
}
# IPv4 space in the same public scope, to show the scope's figures per family.
resource "ipam_pool" "v4" {
  ipam_scope_id    = ipam.main.public_default_scope_id
  address_family   = "ipv4"
  public_ip_source = "byoip"
}
resource "ipam_pool_cidr" "v4" {
  ipam_pool_id = ipam_pool.v4.id
  cidr         = "130.137.245.0/24"
  cidr_authorization_context {
    message   = "1|aws|123456789012|130.137.245.0/24|20991231|SHA256|RSAPSS"
    signature = "signed-message"
  }
}
"#,
    );
    tf.apply();
    let v6 = tf.attr("ipam_pool.v6", "id");
    let child = tf.attr("ipam_pool.v6_child", "id");
    let public = tf.attr("ipam.main", "public_default_scope_id");
    assert_eq!(
        tf.attr("ipam_pool_allocation.child_subnet", "compliance_status"),
        "noncompliant"
    );
    let reader = Tf::sharing(&tf.db);
    reader.config(&format!(
        "data \"ipam_pool\" \"v6\" {{ ipam_pool_id = \"{v6}\" }}\ndata \"ipam_pool\" \"child\" {{ ipam_pool_id = \"{child}\" }}\n\
         data \"ipam_scope\" \"public\" {{ ipam_scope_id = \"{public}\" }}\n{}{}{}{}{}",
        usage_output("v6", "data.ipam_pool.v6"),
        usage_output("child", "data.ipam_pool.child"),
        usage_output("scope", "data.ipam_scope.public"),
        usage_output("scope_v6", "data.ipam_scope.public.by_address_family[\"ipv6\"]"),
        usage_output("scope_v4", "data.ipam_scope.public.by_address_family[\"ipv4\"]"),
    ));
    reader.apply();
    let o = reader.outputs();
    // /52 = 2^76; the child's /56 = 2^72 allocated (6.25 %), the VPC's /56 = 2^72 assigned
    // (6.25 %), 2^76 - 2^73 free (87.5 %).
    let v6_figures = [
        "75557863725914323419136",
        "4722366482869645213696",
        "4722366482869645213696",
        "66113130760175032991744",
    ];
    assert_usage(&o, "v6", v6_figures, [6.25, 6.25, 87.5], [1, 0]);
    // The child's /56 = 2^72 holds a /60 (2^68) and a /64 (2^64) past the /60 maximum:
    // 2^68 + 2^64 assigned = 1/16 + 1/256 = 6.640625 %.
    assert_usage(
        &o,
        "child",
        [
            "4722366482869645213696",
            "0",
            "313594649253062377472",
            "4408771833616582836224",
        ],
        [0.0, 6.640625, 93.359375],
        [1, 1],
    );
    // The scope's IPv6 figures: its top-level pool's space, compliance over every pool.
    assert_usage(&o, "scope_v6", v6_figures, [6.25, 6.25, 87.5], [2, 1]);
    assert_usage(&o, "scope_v4", ["256", "0", "0", "256"], [0.0, 0.0, 100.0], [0, 0]);
    // The scope total adds both families: 2^76 + 256.
    let total = &o["scope"]["value"];
    assert_eq!(
        total["sizes"],
        serde_json::json!([
            "75557863725914323419392",
            "4722366482869645213696",
            "4722366482869645213696",
            "66113130760175032992000"
        ])
    );
    assert_eq!(total["compliance"], serde_json::json!([2, 1]));
    reader.assert_plan_empty();
    tf.destroy();

    // The whole IPv6 space: a BYOIP ::/0 (2^128 addresses, one more than a u128 holds) given
    // entirely to a child pool, whose upper half goes to a grandchild holding one VPC /2.
    let all = Tf::new();
    all.config(
        r#"
resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
}
resource "ipam_pool" "all" {
  ipam_scope_id  = ipam.main.public_default_scope_id
  address_family = "ipv6"
}
resource "ipam_pool_cidr" "all" {
  ipam_pool_id = ipam_pool.all.id
  cidr         = "::/0"
  cidr_authorization_context {
    message   = "1|aws|123456789012|::/0|20991231|SHA256|RSAPSS"
    signature = "signed-message"
  }
}
resource "ipam_pool" "child" {
  ipam_scope_id       = ipam.main.public_default_scope_id
  address_family      = "ipv6"
  source_ipam_pool_id = ipam_pool.all.id
}
resource "ipam_pool_cidr" "child" {
  ipam_pool_id = ipam_pool.child.id
  cidr         = "::/0"
  depends_on   = [ipam_pool_cidr.all]
}
resource "ipam_pool" "grandchild" {
  ipam_scope_id       = ipam.main.public_default_scope_id
  address_family      = "ipv6"
  source_ipam_pool_id = ipam_pool.child.id
  locale              = "us-east-1"
  aws_service         = "ec2"
}
resource "ipam_pool_cidr" "grandchild" {
  ipam_pool_id = ipam_pool.grandchild.id
  cidr         = "8000::/1"
  depends_on   = [ipam_pool_cidr.child]
}
resource "ipam_pool_allocation" "vpc" {
  ipam_pool_id  = ipam_pool.grandchild.id
  cidr          = "8000::/2"
  resource_type = "vpc"
  resource_id   = "vpc-0all"
  depends_on    = [ipam_pool_cidr.grandchild]
}
"#,
    );
    all.apply();
    let reader = Tf::sharing(&all.db);
    let (top, child, grandchild) = (
        all.attr("ipam_pool.all", "id"),
        all.attr("ipam_pool.child", "id"),
        all.attr("ipam_pool.grandchild", "id"),
    );
    let public = all.attr("ipam.main", "public_default_scope_id");
    reader.config(&format!(
        "data \"ipam_pool\" \"all\" {{ ipam_pool_id = \"{top}\" }}\ndata \"ipam_pool\" \"child\" {{ ipam_pool_id = \"{child}\" }}\n\
         data \"ipam_pool\" \"grandchild\" {{ ipam_pool_id = \"{grandchild}\" }}\ndata \"ipam_scope\" \"public\" {{ ipam_scope_id = \"{public}\" }}\n{}{}{}{}{}",
        usage_output("all", "data.ipam_pool.all"),
        usage_output("child", "data.ipam_pool.child"),
        usage_output("grandchild", "data.ipam_pool.grandchild"),
        usage_output("scope", "data.ipam_scope.public"),
        usage_output("scope_v6", "data.ipam_scope.public.by_address_family[\"ipv6\"]"),
    ));
    reader.apply();
    let o = reader.outputs();
    const P128: &str = "340282366920938463463374607431768211456";
    const P127: &str = "170141183460469231731687303715884105728";
    const P126: &str = "85070591730234615865843651857942052864";
    assert_usage(&o, "all", [P128, P128, "0", "0"], [100.0, 0.0, 0.0], [0, 0]);
    assert_usage(&o, "child", [P128, P127, "0", P127], [50.0, 0.0, 50.0], [0, 0]);
    assert_usage(&o, "grandchild", [P127, "0", P126, P126], [0.0, 50.0, 50.0], [1, 0]);
    assert_usage(&o, "scope", [P128, P128, "0", "0"], [100.0, 0.0, 0.0], [1, 0]);
    assert_usage(&o, "scope_v6", [P128, P128, "0", "0"], [100.0, 0.0, 0.0], [1, 0]);
    reader.assert_plan_empty();
    all.destroy();
}

backend_tests!(
    every_data_source_reads_the_ipam,
    address_history_survives_release,
    address_history_ends_at_deprovision_and_pool_deletion_and_goes_with_the_ipam,
    preview_recomputes_on_every_read_and_reserves_nothing,
    singular_data_sources_by_id_argument_or_filters_and_their_match_errors,
    filters_of_every_list_data_source,
    allocations_show_owner_and_compliance_and_pools_are_visible_only_to_owner_and_principals,
    ipv6_utilisation_matches_hand_computation,
);
