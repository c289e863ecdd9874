//! Upstream's `aws_vpc_ipam*` data sources over the same objects as the `ipam_*` ones, read in
//! unchanged upstream-style configurations.

use serde_json::Value as J;

use crate::aws::{REQUIRED_AWS, aws_tf_sharing};
use crate::common::{Tf, flat};

/// Pools made through the ipam view: a tagged IPv4 pool with allocation rules and two CIDRs, a
/// child pool, and an IPAM operating in us-east-1 and eu-west-1. Returns (parent, child) pool IDs.
fn pools_in(base: &Tf) -> (String, String) {
    base.config(
        r#"resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
  operating_regions { region_name = "eu-west-1" }
}
resource "ipam_pool" "prod" {
  ipam_scope_id                     = ipam.main.private_default_scope_id
  address_family                    = "ipv4"
  description                       = "production pool"
  allocation_default_netmask_length = 28
  tags                              = { env = "prod", "ops:owner" = "net" }
  allocation_resource_tags          = { app = "web" }
}
resource "ipam_pool_cidr" "a" {
  ipam_pool_id = ipam_pool.prod.id
  cidr         = "10.0.0.0/24"
}
resource "ipam_pool_cidr" "b" {
  ipam_pool_id = ipam_pool.prod.id
  cidr         = "192.168.0.0/24"
}
resource "ipam_pool" "child" {
  ipam_scope_id       = ipam.main.private_default_scope_id
  address_family      = "ipv4"
  source_ipam_pool_id = ipam_pool.prod.id
  description         = "child pool"
}"#,
    );
    base.apply();
    (base.attr("ipam_pool.prod", "id"), base.attr("ipam_pool.child", "id"))
}

/// The aws view's configuration: the provider block, then `body`.
fn aws_config(tf: &Tf, provider: &str, body: &str) {
    tf.raw_config(&format!(
        "{REQUIRED_AWS}\nprovider \"aws\" {{\n  region = \"us-east-1\"\n{provider}\n}}\n\n{body}\n"
    ));
}

/// A data source's values in the state.
fn data(tf: &Tf, addr: &str) -> J {
    tf.state()["values"]["root_module"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["address"] == addr)
        .map(|r| r["values"].clone())
        .unwrap_or_else(|| panic!("{addr} is not in the state"))
}

/// The keys of an object, sorted.
fn keys(v: &J) -> Vec<String> {
    v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default()
}

/// Each pool data source read in an upstream-style configuration: by ID, by filters (the `id`
/// argument not used for the lookup, as upstream), lists, CIDRs and a preview, each with the
/// provider's region or its own; the plan after apply is empty.
fn pool_data_sources() {
    let base = Tf::new();
    let (prod, child) = pools_in(&base);
    let tf = aws_tf_sharing(&base.db);
    aws_config(
        &tf,
        "  ignore_tags {\n    key_prefixes = [\"ops:\"]\n  }",
        &format!(
            r#"data "aws_vpc_ipam_pool" "by_id" {{
  ipam_pool_id = "{prod}"
}}

data "aws_vpc_ipam_pool" "by_filter" {{
  id = "ipam-pool-00000000000000000"
  filter {{
    name   = "description"
    values = ["*child*"]
  }}
  filter {{
    name   = "address-family"
    values = ["ipv4"]
  }}
  timeouts {{
    read = "5m"
  }}
}}

data "aws_vpc_ipam_pools" "all" {{
  region = "eu-west-1"
  filter {{
    name   = "ipam-pool-id"
    values = ["{prod}", "{child}"]
  }}
}}

data "aws_vpc_ipam_pool_cidrs" "ten" {{
  ipam_pool_id = data.aws_vpc_ipam_pool.by_id.id
  filter {{
    name   = "cidr"
    values = ["10.*"]
  }}
}}

data "aws_vpc_ipam_pool_cidrs" "all" {{
  ipam_pool_id = "{prod}"
}}

data "aws_vpc_ipam_preview_next_cidr" "next" {{
  ipam_pool_id     = "{prod}"
  netmask_length   = 28
  disallowed_cidrs = ["10.0.0.0/28"]
  timeouts {{
    read = "1m"
  }}
}}
"#
        ),
    );
    tf.apply();

    let p = data(&tf, "data.aws_vpc_ipam_pool.by_id");
    assert_eq!(p["id"], prod.as_str(), "{p}");
    assert_eq!(p["ipam_pool_id"], prod.as_str(), "{p}");
    assert_eq!(p["region"], "us-east-1", "{p}");
    assert_eq!(p["description"], "production pool", "{p}");
    assert_eq!(p["allocation_default_netmask_length"], 28, "{p}");
    assert_eq!(p["arn"], format!("arn:aws:ec2::123456789012:ipam-pool/{prod}"), "{p}");
    assert_eq!(p["ipam_scope_type"], "private", "{p}");
    assert_eq!(p["pool_depth"], 1, "{p}");
    assert_eq!(p["allocation_resource_tags"], serde_json::json!({"app": "web"}), "{p}");
    assert_eq!(
        p["tags"],
        serde_json::json!({"env": "prod"}),
        "ignore_tags leaves `ops:owner` out: {p}"
    );
    for hidden in [
        "owner_id",
        "provisioned_cidrs",
        "public_ip_source",
        "size",
        "percent_available",
    ] {
        assert!(p.get(hidden).is_none(), "upstream has no {hidden}: {p}");
    }
    assert_eq!(p["timeouts"], J::Null, "{p}");

    let c = data(&tf, "data.aws_vpc_ipam_pool.by_filter");
    assert_eq!(c["id"], child.as_str(), "the configured `id` is not the lookup: {c}");
    assert_eq!(c["source_ipam_pool_id"], prod.as_str(), "{c}");
    assert_eq!(c["pool_depth"], 2, "{c}");
    assert_eq!(c["timeouts"]["read"], "5m", "{c}");

    let all = data(&tf, "data.aws_vpc_ipam_pools.all");
    assert_eq!(all["id"], "eu-west-1", "the region the lookup is made in: {all}");
    assert_eq!(all["region"], "eu-west-1", "{all}");
    let items = all["ipam_pools"].as_array().expect("ipam_pools");
    assert_eq!(items.len(), 2, "{all}");
    let item = items.iter().find(|i| i["id"] == child.as_str()).expect("child");
    assert!(item.get("owner_id").is_none(), "{item}");
    assert_eq!(
        item["allocation_max_netmask_length"], 0,
        "unset shows 0, as upstream: {item}"
    );
    assert_eq!(item["description"], "child pool", "{item}");

    let ten = data(&tf, "data.aws_vpc_ipam_pool_cidrs.ten");
    assert_eq!(ten["id"], prod.as_str(), "{ten}");
    assert_eq!(
        ten["ipam_pool_cidrs"],
        serde_json::json!([{"cidr": "10.0.0.0/24", "state": "provisioned"}]),
        "{ten}"
    );
    let every = data(&tf, "data.aws_vpc_ipam_pool_cidrs.all");
    assert_eq!(every["ipam_pool_cidrs"].as_array().map(Vec::len), Some(2), "{every}");
    assert_eq!(keys(&every["ipam_pool_cidrs"][0]), ["cidr", "state"], "{every}");

    let next = data(&tf, "data.aws_vpc_ipam_preview_next_cidr.next");
    assert_eq!(next["cidr"], "10.0.0.16/28", "{next}");
    assert_eq!(next["id"], format!("10.0.0.16/28_{prod}"), "{next}");
    assert_eq!(next["timeouts"]["read"], "1m", "{next}");
    assert_eq!(next["region"], "us-east-1", "{next}");

    tf.assert_plan_empty();
}

/// A pool lookup that finds none or several, an unknown filter and a region that is not one
/// fail with upstream's words on the attribute, naming what was looked for; nothing is written.
fn pool_data_source_errors() {
    let base = Tf::new();
    let (prod, _) = pools_in(&base);
    let tf = aws_tf_sharing(&base.db);
    let before = base.db_dump();
    let fails = |body: &str| {
        aws_config(&tf, "", body);
        flat(&tf.plan_fails())
    };

    let err = fails(r#"data "aws_vpc_ipam_pool" "x" { ipam_pool_id = "ipam-pool-0123456789abcdef0" }"#);
    assert!(err.contains("no matching IPAM Pool found"), "{err}");
    assert!(err.contains("sees the pools it owns"), "{err}");

    let err = fails(
        r#"data "aws_vpc_ipam_pool" "x" {
  filter {
    name   = "address-family"
    values = ["ipv4"]
  }
}"#,
    );
    assert!(err.contains("multiple IPAM Pools matched"), "{err}");
    assert!(err.contains("additional constraints"), "{err}");

    let err = fails(&format!(
        r#"data "aws_vpc_ipam_pool_cidrs" "x" {{
  ipam_pool_id = "{prod}"
  filter {{
    name   = "colour"
    values = ["red"]
  }}
}}"#
    ));
    assert!(err.contains("colour"), "{err}");

    let err = fails(&format!(
        r#"data "aws_vpc_ipam_preview_next_cidr" "x" {{
  ipam_pool_id = "{prod}"
  region       = "mars"
}}"#
    ));
    assert!(err.contains("region") && err.contains("mars"), "{err}");

    let err = fails(r#"data "aws_vpc_ipam_pool_cidrs" "x" { ipam_pool_id = "pool-1" }"#);
    assert!(err.contains("ipam_pool_id"), "{err}");

    assert_eq!(base.db_dump(), before, "a failed read writes nothing");
}

/// `aws_vpc_ipam` and `aws_vpc_ipams` read IPAMs made through the ipam view: `ipam_region` is
/// the home region, `operating_regions` a list, one resource discovery association, no state
/// message; the list has no `tags` per IPAM and no top-level `id`; filters and `ipam_ids` narrow
/// it, and no match is an empty list. A missing IPAM is an error on `id` naming it.
fn ipam_data_sources() {
    let base = Tf::new().provider_extra("quotas {\n    ipams_per_region = 2\n  }");
    base.config(
        r#"resource "ipam" "main" {
  description = "main"
  operating_regions { region_name = "us-east-1" }
  operating_regions { region_name = "eu-west-1" }
  tags = { team = "net" }
}
resource "ipam" "other" {
  description = "other"
  tier        = "free"
  operating_regions { region_name = "us-east-1" }
}"#,
    );
    base.apply();
    let main = base.attr("ipam.main", "id");
    let other = base.attr("ipam.other", "id");
    let tf = aws_tf_sharing(&base.db);
    aws_config(
        &tf,
        "",
        &format!(
            r#"data "aws_vpc_ipam" "main" {{
  id = "{main}"
}}

data "aws_vpc_ipams" "all" {{
}}

data "aws_vpc_ipams" "by_ids" {{
  ipam_ids = ["{other}"]
}}

data "aws_vpc_ipams" "filtered" {{
  filter {{
    name   = "operating-region"
    values = ["eu-west-1"]
  }}
}}

data "aws_vpc_ipams" "none" {{
  filter {{
    name   = "description"
    values = ["nothing*"]
  }}
}}
"#
        ),
    );
    tf.apply();

    let i = data(&tf, "data.aws_vpc_ipam.main");
    assert_eq!(i["id"], main.as_str(), "{i}");
    assert_eq!(i["ipam_region"], "us-east-1", "{i}");
    assert_eq!(i["region"], "us-east-1", "{i}");
    assert_eq!(i["description"], "main", "{i}");
    assert_eq!(
        i["operating_regions"],
        serde_json::json!([{"region_name": "eu-west-1"}, {"region_name": "us-east-1"}]),
        "{i}"
    );
    assert_eq!(i["resource_discovery_association_count"], 1, "{i}");
    assert_eq!(i["state_message"], J::Null, "{i}");
    assert_eq!(i["scope_count"], 2, "{i}");
    assert_eq!(i["tags"], serde_json::json!({"team": "net"}), "{i}");
    assert_eq!(i["arn"], format!("arn:aws:ec2::123456789012:ipam/{main}"), "{i}");
    assert!(i.get("home_region").is_none(), "{i}");
    assert_eq!(i["tier"], "advanced", "the effective tier: {i}");
    assert_eq!(i["metered_account"], "ipam-owner", "{i}");
    let hex = main.trim_start_matches("ipam-");
    assert_eq!(
        i["default_resource_discovery_id"],
        format!("ipam-res-disco-{hex}"),
        "{i}"
    );
    assert_eq!(
        i["default_resource_discovery_association_id"],
        format!("ipam-res-disco-assoc-{hex}"),
        "{i}"
    );
    assert_eq!(i["enable_private_gua"], false, "the effective setting: {i}");

    let all = data(&tf, "data.aws_vpc_ipams.all");
    assert!(all.get("id").is_none(), "upstream's list has no id: {all}");
    let ipams = all["ipams"].as_array().expect("ipams");
    assert_eq!(ipams.len(), 2, "{all}");
    let m = ipams.iter().find(|i| i["id"] == main.as_str()).expect("main");
    assert!(m.get("tags").is_none(), "no tags per IPAM: {m}");
    assert_eq!(m["ipam_region"], "us-east-1", "{m}");
    assert_eq!(m["resource_discovery_association_count"], 1, "{m}");
    assert!(m["operating_regions"].is_array(), "{m}");

    let by_ids = data(&tf, "data.aws_vpc_ipams.by_ids");
    assert_eq!(by_ids["ipams"].as_array().map(Vec::len), Some(1), "{by_ids}");
    assert_eq!(by_ids["ipams"][0]["id"], other.as_str(), "{by_ids}");
    assert_eq!(by_ids["ipams"][0]["tier"], "free", "{by_ids}");
    let filtered = data(&tf, "data.aws_vpc_ipams.filtered");
    assert_eq!(filtered["ipams"].as_array().map(Vec::len), Some(1), "{filtered}");
    assert_eq!(filtered["ipams"][0]["id"], main.as_str(), "{filtered}");
    assert_eq!(data(&tf, "data.aws_vpc_ipams.none")["ipams"], serde_json::json!([]));
    tf.assert_plan_empty();

    let before = base.db_dump();
    aws_config(
        &tf,
        "",
        r#"data "aws_vpc_ipam" "gone" { id = "ipam-0123456789abcdef0" }"#,
    );
    let err = flat(&tf.plan_fails());
    assert!(err.contains("no matching IPAM found"), "{err}");
    aws_config(&tf, "", r#"data "aws_vpc_ipam" "bad" { id = "pool-1" }"#);
    let err = flat(&tf.plan_fails());
    assert!(
        err.contains("with data.aws_vpc_ipam.bad") && err.contains("id"),
        "{err}"
    );
    assert_eq!(base.db_dump(), before, "a failed read writes nothing");
}

backend_tests!(pool_data_sources, pool_data_source_errors, ipam_data_sources);
