//! `ipam`: create, drift, refusals (operating regions, one IPAM per region), deletion with
//! cascade, and import.

use crate::common;

use common::{Tf, flat};

pub(super) const IPAM_AND_SCOPES: &str = r#"
resource "ipam" "main" {
  description = "main"
  operating_regions { region_name = "us-east-1" }
  operating_regions { region_name = "eu-west-1" }
  tags = { env = "dev" }
}

resource "ipam_scope" "a" {
  ipam_id     = ipam.main.id
  description = "scope a"
}

resource "ipam_scope" "b" {
  ipam_id = ipam.main.id
  tags    = { owner = "network" }
}
"#;

fn is_hex_id(id: &str, prefix: &str, len: usize) -> bool {
    id.strip_prefix(prefix)
        .is_some_and(|h| h.len() == len && h.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
}

fn ipam_and_scopes_full_lifecycle() {
    let tf = Tf::new().provider_extra("default_tags { tags = { team = \"net\" } }");
    tf.config(IPAM_AND_SCOPES);
    tf.apply();
    tf.assert_plan_empty();

    let ipam = tf.values("ipam.main");
    let id = ipam["id"].as_str().unwrap().to_string();
    assert!(is_hex_id(&id, "ipam-", 17), "{id}");
    assert_eq!(ipam["arn"], format!("arn:aws:ec2::123456789012:ipam/{id}"));
    assert_eq!(
        ipam["scope_count"], 2,
        "scope_count is read at create, before the scopes exist"
    );
    assert_eq!(ipam["home_region"], "us-east-1");
    assert_eq!(ipam["owner_id"], "123456789012");
    assert_eq!(ipam["state"], "create-complete");
    assert_eq!(ipam["tags_all"], serde_json::json!({"env": "dev", "team": "net"}));
    assert!(is_hex_id(
        ipam["public_default_scope_id"].as_str().unwrap(),
        "ipam-scope-",
        17
    ));
    assert_eq!(
        tf.sql_count("SELECT count(*) FROM scopes WHERE is_default = 1"),
        2,
        "R-02: two default scopes"
    );

    let a = tf.values("ipam_scope.a");
    assert!(is_hex_id(a["id"].as_str().unwrap(), "ipam-scope-", 17));
    assert_eq!(a["ipam_scope_type"], "private");
    assert_eq!(a["is_default"], false);
    assert_eq!(a["ipam_arn"], ipam["arn"]);
    assert_eq!(
        tf.values("ipam_scope.b")["tags_all"],
        serde_json::json!({"owner": "network", "team": "net"})
    );

    // A refresh now sees all four scopes; a plan stays empty (computed-only change).
    tf.ok(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
    assert_eq!(tf.values("ipam.main")["scope_count"], 4);
    tf.assert_plan_empty();

    // Import every object into a fresh directory: identical attributes, empty plan.
    tf.import_verify();

    // Update in place.
    let scope_a_id = tf.attr("ipam_scope.a", "id");
    tf.config(
        &IPAM_AND_SCOPES
            .replace("description = \"main\"", "description = \"renamed\"")
            .replace(
                "description = \"scope a\"",
                "description = \"scope a, renamed\"\n  tags = { x = \"1\" }",
            ),
    );
    let out = tf.apply();
    assert!(out.contains("2 changed"), "{out}");
    assert_eq!(tf.attr("ipam.main", "id"), id, "updated in place");
    assert_eq!(tf.attr("ipam.main", "state"), "modify-complete");
    assert_eq!(tf.attr("ipam_scope.a", "id"), scope_a_id);
    assert_eq!(tf.attr("ipam_scope.a", "description"), "scope a, renamed");
    assert_eq!(tf.attr("ipam_scope.a", "state"), "modify-complete");
    tf.assert_plan_empty();

    // Removing an optional argument clears it.
    tf.config(&IPAM_AND_SCOPES.replace("  description = \"main\"\n", ""));
    tf.apply();
    assert!(tf.values("ipam.main")["description"].is_null());
    tf.assert_plan_empty();

    tf.destroy();
    assert_eq!(tf.sql_count("SELECT count(*) FROM ipams"), 0);
    assert_eq!(tf.sql_count("SELECT count(*) FROM scopes"), 0);
}

fn drift_objects_deleted_behind_terraforms_back_are_recreated() {
    let tf = Tf::new();
    tf.config(IPAM_AND_SCOPES);
    tf.apply();
    let scope = tf.attr("ipam_scope.a", "id");
    assert_eq!(tf.sql(&format!("DELETE FROM scopes WHERE id = '{scope}'")), 1);
    let plan = tf.assert_plan_changes();
    assert!(flat(&plan).contains("ipam_scope.a will be created"), "{plan}");
    assert!(
        flat(&plan).contains("Plan: 1 to add, 0 to change, 0 to destroy"),
        "{plan}"
    );
    tf.apply();
    tf.assert_plan_empty();

    // Description changed in the database: the plan puts it back.
    let ipam = tf.attr("ipam.main", "id");
    tf.sql(&format!("UPDATE ipams SET description = 'edited' WHERE id = '{ipam}'"));
    let plan = tf.assert_plan_changes();
    assert!(flat(&plan).contains(r#"~ description = "edited" -> "main""#), "{plan}");
    tf.apply();

    // The whole IPAM deleted (its scopes go with it): everything is planned again.
    tf.sql(&format!("DELETE FROM ipams WHERE id = '{ipam}'"));
    let plan = tf.assert_plan_changes();
    assert!(
        flat(&plan).contains("Plan: 3 to add, 0 to change, 0 to destroy"),
        "{plan}"
    );
    tf.apply();
    tf.assert_plan_empty();
    tf.destroy();
}

fn operating_regions_must_include_the_provider_region() {
    let tf = Tf::new();
    for (region, expected) in [
        (
            "eu-west-1",
            &[
                "Operating regions must include the home region",
                "operating_regions",
                "us-east-1",
            ][..],
        ),
        ("not a region", &["Invalid region name"][..]),
    ] {
        tf.plan_fails_with(
            &format!("resource \"ipam\" \"x\" {{\n  operating_regions {{ region_name = \"{region}\" }}\n}}"),
            expected,
        );
    }
    assert!(!tf.db.exists() || tf.sql_count("SELECT count(*) FROM ipams") == 0);
}

fn second_ipam_in_a_region_is_refused_and_nothing_is_written() {
    let tf = Tf::new();
    tf.config(
        r#"resource "ipam" "a" {
  operating_regions { region_name = "us-east-1" }
}"#,
    );
    tf.apply();
    let before = tf.db_dump();
    tf.config(
        r#"resource "ipam" "a" {
  operating_regions { region_name = "us-east-1" }
}
resource "ipam" "b" {
  operating_regions { region_name = "us-east-1" }
}"#,
    );
    let out = flat(&tf.apply_fails());
    assert!(out.contains("IPAM quota reached"), "{out}");
    assert!(out.contains("ipams_per_region"), "says how to fix it: {out}");
    assert!(out.contains("with ipam.b,"), "names the object: {out}");
    assert!(
        out.contains(r#"in resource "ipam" "b":"#)
            && out.contains(r#": operating_regions { region_name = "us-east-1" } Account 123456789012 already has"#),
        "points at the home region in operating_regions: {out}"
    );
    assert_eq!(tf.db_dump(), before, "a refused create writes nothing");
    tf.destroy();
}

fn ipam_delete_needs_cascade_when_other_workspaces_left_scopes() {
    let tf = Tf::new();
    let cfg = |cascade: bool| {
        format!(
            r#"resource "ipam" "a" {{
  operating_regions {{ region_name = "us-east-1" }}
  cascade = {cascade}
}}"#
        )
    };
    tf.config(&cfg(false));
    tf.apply();
    // Another workspace on the same database adds a scope to this IPAM.
    let other = Tf::sharing(&tf.db);
    other.config(&format!(
        "resource \"ipam_scope\" \"x\" {{ ipam_id = \"{}\" }}",
        tf.attr("ipam.a", "id")
    ));
    other.apply();
    let out = flat(&tf.fails(&["destroy", "-auto-approve", "-no-color"]));
    assert!(out.contains("IPAM still has scopes or pools"), "{out}");
    assert!(out.contains("cascade = true"), "{out}");
    assert_eq!(tf.sql_count("SELECT count(*) FROM scopes"), 3);
    tf.config(&cfg(true));
    tf.apply();
    tf.assert_plan_empty();
    tf.destroy();
    assert_eq!(tf.sql_count("SELECT count(*) FROM scopes"), 0);
    assert_eq!(tf.sql_count("SELECT count(*) FROM ipams"), 0);
    // The other workspace's scope is gone: its plan re-creates... nothing to attach to.
    let (code, _) = other.plan_code(&[]);
    assert_ne!(code, 0);
}

fn import_of_a_malformed_or_missing_id_is_a_clear_error() {
    let tf = Tf::new();
    tf.config(
        r#"resource "ipam" "a" {
  operating_regions { region_name = "us-east-1" }
}"#,
    );
    let out = flat(&tf.fails(&["import", "-no-color", "ipam.a", "vpc-123"]));
    assert!(out.contains("Invalid IPAM ID"), "{out}");
    let out = flat(&tf.fails(&["import", "-no-color", "ipam.a", "ipam-0123456789abcdef0"]));
    assert!(out.contains("IPAM not found"), "{out}");
}

/// `enable_private_gua`: not set reads back null and means off; set, it is stored, updated in
/// place, imported, and shown (effective: false when not set) by the data sources, `export` and
/// `tree`; removed, it is cleared.
fn enable_private_gua_is_stored_updated_in_place_and_shown() {
    let tf = Tf::new();
    let config = |flag: &str| {
        format!(
            r#"
resource "ipam" "main" {{
  operating_regions {{ region_name = "us-east-1" }}
  {flag}
}}
data "ipam" "one" {{
  id = ipam.main.id
}}
data "ipam_ipams" "all" {{
  ipam_ids = [ipam.main.id]
}}
output "one" {{ value = data.ipam.one.enable_private_gua }}
output "all" {{ value = data.ipam_ipams.all.ipams[0].enable_private_gua }}
"#
        )
    };
    let stored = |v: &str| tf.sql_count(&format!("SELECT count(*) FROM ipams WHERE enable_private_gua {v}"));
    let shown = |tf: &Tf| {
        let cli = |command: &str| String::from_utf8(crate::cli::cli_on(&tf.db, &[command]).stdout).expect("UTF-8");
        let export: serde_json::Value = serde_json::from_str(&cli("export")).expect("export is JSON");
        let tree = cli("tree");
        let outputs = tf.state()["values"]["outputs"].clone();
        (
            outputs["one"]["value"].clone(),
            outputs["all"]["value"].clone(),
            export["ipams"][0]["enable_private_gua"].clone(),
            tree.lines().next().unwrap_or_default().contains(", private GUA)"),
        )
    };
    let off = (
        serde_json::json!(false),
        serde_json::json!(false),
        serde_json::json!(false),
        false,
    );
    let on = (
        serde_json::json!(true),
        serde_json::json!(true),
        serde_json::json!(true),
        true,
    );

    tf.config(&config(""));
    tf.apply();
    tf.assert_plan_empty();
    let id = tf.attr("ipam.main", "id");
    assert!(tf.values("ipam.main")["enable_private_gua"].is_null());
    assert_eq!(stored("IS NULL"), 1);
    assert_eq!(shown(&tf), off, "not set means off");

    tf.config(&config("enable_private_gua = true"));
    let plan = flat(&tf.assert_plan_changes());
    assert!(plan.contains("ipam.main will be updated in-place"), "{plan}");
    tf.apply();
    tf.assert_plan_empty();
    assert_eq!(tf.attr("ipam.main", "id"), id, "updated in place");
    assert_eq!(tf.values("ipam.main")["enable_private_gua"], true);
    assert_eq!(tf.attr("ipam.main", "state"), "modify-complete");
    assert_eq!(stored("= 1"), 1);
    assert_eq!(shown(&tf), on);
    tf.import_verify();

    tf.config(&config("enable_private_gua = false"));
    tf.apply();
    tf.assert_plan_empty();
    assert_eq!(tf.values("ipam.main")["enable_private_gua"], false);
    assert_eq!(stored("= 0"), 1);
    assert_eq!(shown(&tf), off);
    tf.import_verify();

    // Changed behind Terraform's back: drift, planned back.
    tf.sql("UPDATE ipams SET enable_private_gua = 1");
    let plan = flat(&tf.assert_plan_changes());
    assert!(plan.contains("~ enable_private_gua = true -> false"), "{plan}");

    tf.config(&config(""));
    tf.apply();
    tf.assert_plan_empty();
    assert!(tf.values("ipam.main")["enable_private_gua"].is_null());
    assert_eq!(stored("IS NULL"), 1, "removed from configuration: cleared");
    assert_eq!(shown(&tf), off);
    tf.destroy();
}

backend_tests!(
    enable_private_gua_is_stored_updated_in_place_and_shown,
    ipam_and_scopes_full_lifecycle,
    drift_objects_deleted_behind_terraforms_back_are_recreated,
    operating_regions_must_include_the_provider_region,
    second_ipam_in_a_region_is_refused_and_nothing_is_written,
    ipam_delete_needs_cascade_when_other_workspaces_left_scopes,
    import_of_a_malformed_or_missing_id_is_a_clear_error,
);
