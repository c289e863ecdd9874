//! Default tags of the provider: stored, planned, and counted for compliance.

use crate::common;

use common::fixtures::IPAM;
use common::{Tf, flat};

/// Every tagged resource of one configuration: a pool that requires `env = "prod"`, an
/// allocation that carries no tags of its own and one that says `env = "dev"`.
pub(super) fn tagged(base: &str) -> String {
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
pub(super) const TAGGED: &[(&str, &str)] = &[
    ("ipam.main", "ipams"),
    ("ipam_scope.s", "scopes"),
    ("ipam_pool.rules", "pools"),
    ("ipam_pool_allocation.plain", "allocations"),
    ("ipam_pool_allocation.dev", "allocations"),
    ("ipam_resource_share.s", "shares"),
];

/// The stored `tags_all` of the object behind a resource.
pub(super) fn stored_tags_all(tf: &Tf, addr: &str, table: &str) -> serde_json::Value {
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

backend_tests!(default_tags_are_stored_planned_and_count_for_compliance,);
