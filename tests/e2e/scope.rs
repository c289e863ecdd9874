//! `ipam_scope`: replacement when the IPAM changes, the scope quota, and the default scopes.

use crate::common;

use common::{Tf, flat};

fn scope_moves_to_another_ipam_by_replacement() {
    let tf = Tf::new();
    let eu = tf.provider_alias("eu", "region = \"eu-west-1\"");
    let two = |target: &str| {
        format!(
            r#"
{eu}
resource "ipam" "us" {{
  operating_regions {{ region_name = "us-east-1" }}
}}
resource "ipam" "eu" {{
  provider = ipam.eu
  operating_regions {{ region_name = "eu-west-1" }}
}}
resource "ipam_scope" "s" {{
  ipam_id = ipam.{target}.id
}}
"#
        )
    };
    tf.config(&two("us"));
    tf.apply();
    tf.assert_plan_empty();
    assert_eq!(tf.attr("ipam.eu", "home_region"), "eu-west-1");
    let before = tf.attr("ipam_scope.s", "id");
    tf.config(&two("eu"));
    let plan = tf.assert_plan_changes();
    assert!(plan.contains("forces replacement"), "{plan}");
    tf.apply();
    assert_ne!(tf.attr("ipam_scope.s", "id"), before);
    assert_eq!(tf.attr("ipam_scope.s", "ipam_id"), tf.attr("ipam.eu", "id"));
    tf.assert_plan_empty();
    tf.destroy();
}

fn sixth_scope_is_refused() {
    let tf = Tf::new();
    tf.config(
        r#"resource "ipam" "a" {
  operating_regions { region_name = "us-east-1" }
}
resource "ipam_scope" "s" {
  count   = 4
  ipam_id = ipam.a.id
}"#,
    );
    let out = flat(&tf.apply_fails());
    assert!(out.contains("Scope quota reached"), "{out}");
    assert!(out.contains("quota is 5 per IPAM"), "{out}");
    assert!(out.contains("with ipam_scope.s["), "names the object: {out}");
    assert!(out.contains("ipam_id = ipam.a.id"), "points at ipam_id: {out}");
    assert_eq!(tf.sql_count("SELECT count(*) FROM scopes"), 5);
    tf.destroy();
    assert_eq!(tf.sql_count("SELECT count(*) FROM scopes"), 0);
}

fn default_scopes_cannot_be_deleted() {
    let tf = Tf::new();
    tf.config(
        r#"resource "ipam" "a" {
  operating_regions { region_name = "us-east-1" }
}"#,
    );
    tf.apply();
    let other = Tf::sharing(&tf.db);
    other.config(&format!(
        r#"resource "ipam_scope" "d" {{ ipam_id = "{}" }}"#,
        tf.attr("ipam.a", "id")
    ));
    other.ok(&[
        "import",
        "-no-color",
        "ipam_scope.d",
        &tf.attr("ipam.a", "private_default_scope_id"),
    ]);
    assert_eq!(other.values("ipam_scope.d")["is_default"], true);
    let out = flat(&other.fails(&["destroy", "-auto-approve", "-no-color"]));
    assert!(out.contains("Default scopes cannot be deleted"), "{out}");
    other.ok(&["state", "rm", "ipam_scope.d"]);
    tf.destroy();
}

backend_tests!(
    scope_moves_to_another_ipam_by_replacement,
    sixth_scope_is_refused,
    default_scopes_cannot_be_deleted,
);
