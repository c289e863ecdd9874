//! `aws_vpc_ipam_scope`: upstream's scope over the same scopes as `ipam_scope`.

use crate::aws::{REQUIRED_AWS, aws_tf_sharing};
use crate::common::{Tf, flat};

/// An IPAM made through the ipam view, operating in us-east-1 (home) and eu-west-1; its ID.
pub(crate) fn ipam_in(tf: &Tf) -> String {
    tf.config(
        r#"resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
  operating_regions { region_name = "eu-west-1" }
}"#,
    );
    tf.apply();
    tf.attr("ipam.main", "id")
}

fn scope_config(tf: &Tf, ipam_id: &str, body: &str) {
    tf.raw_config(&format!(
        r#"{REQUIRED_AWS}
provider "aws" {{
  region = "us-east-1"
}}

resource "aws_vpc_ipam_scope" "test" {{
  ipam_id = "{ipam_id}"
{body}
}}
"#
    ));
}

/// Upstream's acceptance steps: create, plan empty, import with nothing ignored, update, drift,
/// destroy; the object is the same scope `ipam_scope` manages.
fn scope_lifecycle() {
    let base = Tf::new();
    let ipam_id = ipam_in(&base);
    let tf = aws_tf_sharing(&base.db);
    scope_config(
        &tf,
        &ipam_id,
        r#"  description = "test"
  tags = { Name = "a" }
  timeouts {
    create = "10m"
  }"#,
    );
    tf.apply();
    let v = tf.values("aws_vpc_ipam_scope.test");
    assert_eq!(v["region"], "us-east-1", "{v}");
    assert_eq!(v["ipam_scope_type"], "private", "{v}");
    assert_eq!(v["is_default"], false, "{v}");
    assert_eq!(v["pool_count"], 0, "{v}");
    assert_eq!(v["tags_all"]["Name"], "a", "{v}");
    assert_eq!(v["timeouts"]["create"], "10m", "{v}");
    assert!(v.get("state").is_none(), "upstream's scope has no state: {v}");
    let id = v["id"].as_str().expect("id").to_string();
    assert!(id.starts_with("ipam-scope-"), "{id}");
    assert_eq!(
        base.sql_count(&format!(
            "SELECT COUNT(*) FROM scopes WHERE id = '{id}' AND description = 'test'"
        )),
        1
    );
    tf.assert_plan_empty();
    tf.ok(&["apply", "-refresh-only", "-auto-approve", "-input=false"]);
    tf.assert_plan_empty();

    // Import with nothing ignored but `timeouts` (never read back, as upstream).
    scope_config(&tf, &ipam_id, "  description = \"test\"\n  tags = { Name = \"a\" }");
    tf.apply();
    tf.import_verify();

    // Update in place.
    scope_config(&tf, &ipam_id, "  description = \"changed\"\n  tags = { Name = \"b\" }");
    let out = tf.apply();
    assert!(out.contains("1 changed"), "{out}");
    assert_eq!(tf.values("aws_vpc_ipam_scope.test")["id"], id.as_str());

    // Drift behind Terraform's back shows as an update of that attribute.
    base.sql(&format!("UPDATE scopes SET description = 'edited' WHERE id = '{id}'"));
    let plan = tf.assert_plan_changes();
    assert!(
        flat(&plan).contains(r#"~ description = "edited" -> "changed""#),
        "{plan}"
    );
    tf.apply();
    tf.assert_plan_empty();

    tf.destroy();
    assert_eq!(
        base.sql_count(&format!("SELECT COUNT(*) FROM scopes WHERE id = '{id}'")),
        0
    );
}

/// `region` is the provider's or an operating region of the IPAM; a change replaces the scope;
/// an import ID may end with `@<region>`; a region the IPAM does not operate is refused at apply,
/// naming both, and nothing is written.
fn scope_region() {
    let base = Tf::new();
    let ipam_id = ipam_in(&base);
    let tf = aws_tf_sharing(&base.db);
    scope_config(&tf, &ipam_id, "  region = \"eu-west-1\"");
    tf.apply();
    let id = tf.attr("aws_vpc_ipam_scope.test", "id");
    assert_eq!(tf.attr("aws_vpc_ipam_scope.test", "region"), "eu-west-1");
    tf.assert_plan_empty();

    // Imported with the region suffix: the same state, and an empty plan.
    let fresh = aws_tf_sharing(&base.db);
    scope_config(&fresh, &ipam_id, "  region = \"eu-west-1\"");
    fresh.ok(&[
        "import",
        "-input=false",
        "aws_vpc_ipam_scope.test",
        &format!("{id}@eu-west-1"),
    ]);
    assert_eq!(fresh.attr("aws_vpc_ipam_scope.test", "region"), "eu-west-1");
    fresh.assert_plan_empty();
    fresh.ok(&["state", "rm", "aws_vpc_ipam_scope.test"]);

    // Back to the provider's region: replaced.
    scope_config(&tf, &ipam_id, "");
    let plan = tf.assert_plan_changes();
    assert!(flat(&plan).contains("must be replaced"), "{plan}");
    tf.apply();
    assert_eq!(tf.attr("aws_vpc_ipam_scope.test", "region"), "us-east-1");

    // A region the IPAM does not operate in: refused at apply, nothing written.
    tf.destroy();
    let before = base.db_dump();
    scope_config(&tf, &ipam_id, "  region = \"ap-south-1\"");
    let plan = flat(&tf.ok(&["plan", "-input=false", "-no-color"]));
    assert!(
        plan.contains("Checked at apply: Region not operated by the IPAM"),
        "{plan}"
    );
    let err = flat(&tf.apply_fails());
    assert!(
        err.contains("Region not operated by the IPAM")
            && err.contains(&ipam_id)
            && err.contains("eu-west-1, us-east-1")
            && err.contains("operating_regions")
            && err.contains("with aws_vpc_ipam_scope.test"),
        "{err}"
    );
    assert_eq!(base.db_dump(), before, "a refused create writes nothing");
}

backend_tests!(scope_lifecycle, scope_region);
