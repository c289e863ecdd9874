//! `aws_vpc_ipam_preview_next_cidr` and `aws_vpc_ipam_pool_cidr_allocation`: upstream's preview
//! and allocation over the same pools as `ipam_preview_next_cidr` and `ipam_pool_allocation`.

use crate::aws::{REQUIRED_AWS, aws_tf_sharing};
use crate::common::{Tf, flat};

/// Through the ipam view: an IPAM operating in us-east-1 (home) and eu-west-1, a private IPv4
/// pool for us-east-1 whose allocations default to /28, and its CIDR 172.2.0.0/24; the pool's ID.
fn pool_in(tf: &Tf) -> String {
    tf.config(
        r#"resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
  operating_regions { region_name = "eu-west-1" }
}
resource "ipam_pool" "p" {
  ipam_scope_id                     = ipam.main.private_default_scope_id
  address_family                    = "ipv4"
  locale                            = "us-east-1"
  allocation_default_netmask_length = 28
}
resource "ipam_pool_cidr" "c" {
  ipam_pool_id = ipam_pool.p.id
  cidr         = "172.2.0.0/24"
}"#,
    );
    tf.apply();
    tf.attr("ipam_pool.p", "id")
}

/// `main.tf` of the aws view: the provider in us-east-1 and `body`.
fn aws_config(tf: &Tf, body: &str) {
    tf.raw_config(&format!(
        "{REQUIRED_AWS}\nprovider \"aws\" {{\n  region = \"us-east-1\"\n}}\n\n{body}\n"
    ));
}

/// `main.tf` of the aws view with one resource `<kind>.test` in pool `pool_id`, plus `args`.
fn in_pool(tf: &Tf, kind: &str, pool_id: &str, args: &str) {
    aws_config(
        tf,
        &format!("resource \"{kind}\" \"test\" {{\n  ipam_pool_id = \"{pool_id}\"\n{args}\n}}"),
    );
}

fn preview(tf: &Tf, pool_id: &str, args: &str) {
    in_pool(tf, "aws_vpc_ipam_preview_next_cidr", pool_id, args);
}

fn allocation(tf: &Tf, pool_id: &str, args: &str) {
    in_pool(tf, "aws_vpc_ipam_pool_cidr_allocation", pool_id, args);
}

/// An apply that fails with an error saying each of `says`, on `<kind>.test`.
fn refused(tf: &Tf, kind: &str, says: &[&str]) {
    let err = flat(&tf.apply_fails());
    assert!(
        says.iter().all(|s| err.contains(s)) && err.contains(&format!("with {kind}.test")),
        "{err}"
    );
}

/// Upstream's acceptance steps for the preview: create, plan empty, refresh, import with nothing
/// ignored, a changed argument replaces; `netmask_length` shows what was configured (null: the
/// pool's default was used); the preview reserves nothing and goes with its pool.
fn preview_lifecycle() {
    let base = Tf::new();
    let pool_id = pool_in(&base);
    let tf = aws_tf_sharing(&base.db);
    preview(
        &tf,
        &pool_id,
        "  netmask_length   = 27\n  disallowed_cidrs = [\"172.2.0.0/27\"]",
    );
    tf.apply();
    let v = tf.values("aws_vpc_ipam_preview_next_cidr.test");
    assert_eq!(v["cidr"], "172.2.0.32/27", "{v}");
    assert_eq!(v["id"], format!("172.2.0.32/27_{pool_id}").as_str(), "{v}");
    assert_eq!(v["netmask_length"], 27, "{v}");
    assert_eq!(v["region"], "us-east-1", "{v}");
    assert_eq!(
        base.sql_count("SELECT COUNT(*) FROM allocations"),
        0,
        "a preview reserves nothing"
    );
    tf.assert_plan_empty();
    tf.ok(&["apply", "-refresh-only", "-auto-approve", "-input=false"]);
    tf.assert_plan_empty();

    // The pool's default size: `netmask_length` stays null, and imports as null.
    preview(&tf, &pool_id, "");
    let plan = tf.assert_plan_changes();
    assert!(plan.contains("forces replacement"), "{plan}");
    tf.apply();
    let v = tf.values("aws_vpc_ipam_preview_next_cidr.test");
    assert_eq!(v["cidr"], "172.2.0.0/28", "{v}");
    assert!(v["netmask_length"].is_null(), "shown as configured: {v}");
    tf.assert_plan_empty();
    tf.import_verify();

    // Another size than the default imports with its size.
    preview(&tf, &pool_id, "  netmask_length = 26");
    tf.apply();
    assert_eq!(tf.attr("aws_vpc_ipam_preview_next_cidr.test", "cidr"), "172.2.0.0/26");
    tf.import_verify();

    // Drift: the pool disappears behind Terraform's back, and the preview with it.
    base.sql(&format!("DELETE FROM pools WHERE id = '{pool_id}'"));
    let plan = flat(&tf.assert_plan_changes());
    assert!(
        plan.contains("aws_vpc_ipam_preview_next_cidr.test will be created"),
        "{plan}"
    );
    tf.ok(&["apply", "-refresh-only", "-auto-approve", "-input=false"]);
    assert!(tf.resources().is_empty(), "gone from the state");
}

/// A preview made as `ipam_preview_next_cidr` imports as `aws_vpc_ipam_preview_next_cidr` and
/// back, by the same ID, with empty plans.
fn preview_under_both_names() {
    let base = Tf::new();
    let pool_id = pool_in(&base);
    let ours = Tf::sharing(&base.db);
    ours.config(&format!(
        "resource \"ipam_preview_next_cidr\" \"test\" {{\n  ipam_pool_id = \"{pool_id}\"\n}}"
    ));
    ours.apply();
    let id = ours.attr("ipam_preview_next_cidr.test", "id");
    assert_eq!(id, format!("172.2.0.0/28_{pool_id}"));

    let up = aws_tf_sharing(&base.db);
    preview(&up, &pool_id, "");
    up.ok(&["import", "-input=false", "aws_vpc_ipam_preview_next_cidr.test", &id]);
    let v = up.values("aws_vpc_ipam_preview_next_cidr.test");
    assert_eq!(v["cidr"], "172.2.0.0/28", "{v}");
    assert!(v["netmask_length"].is_null(), "{v}");
    assert_eq!(v["region"], "us-east-1", "{v}");
    up.assert_plan_empty();

    // And the reverse: made by the aws view with a size, imported by the ipam view.
    let made = aws_tf_sharing(&base.db);
    preview(&made, &pool_id, "  netmask_length = 27");
    made.apply();
    let id = made.attr("aws_vpc_ipam_preview_next_cidr.test", "id");
    let back = Tf::sharing(&base.db);
    back.config(&format!(
        "resource \"ipam_preview_next_cidr\" \"test\" {{\n  ipam_pool_id   = \"{pool_id}\"\n  netmask_length = 27\n}}"
    ));
    back.ok(&["import", "-input=false", "ipam_preview_next_cidr.test", &id]);
    assert_eq!(back.attr("ipam_preview_next_cidr.test", "cidr"), "172.2.0.0/27");
    back.assert_plan_empty();
}

/// Bad input: a region the pool's IPAM does not operate in, and a size the pool cannot hold, are
/// refused on the attribute, naming the object, and nothing is written.
fn preview_bad_input() {
    let base = Tf::new();
    let pool_id = pool_in(&base);
    let tf = aws_tf_sharing(&base.db);
    let before = base.db_dump();
    preview(&tf, &pool_id, "  region = \"ap-south-1\"");
    refused(
        &tf,
        "aws_vpc_ipam_preview_next_cidr",
        &["Region not operated by the IPAM", "eu-west-1, us-east-1"],
    );
    preview(&tf, &pool_id, "  netmask_length = 16");
    refused(&tf, "aws_vpc_ipam_preview_next_cidr", &["netmask_length"]);
    assert_eq!(base.db_dump(), before, "a refused preview writes nothing");
    assert!(tf.resources().is_empty());
}

/// The allocation rows of a pool: `(id, cidr)`.
fn allocations(base: &Tf, pool_id: &str) -> Vec<(String, String)> {
    base.sql_pairs(&format!(
        "SELECT id, cidr FROM allocations WHERE pool_id = '{pool_id}' ORDER BY cidr"
    ))
}

/// Upstream's acceptance steps for the allocation: create (first fit: 172.2.0.0/28, and
/// 172.2.0.16/28 past a disallowed CIDR), plan empty, refresh, import with nothing ignored, every
/// argument replaces, drift shows, destroy releases the row. The aws view makes `custom`
/// allocations and shows no tags, resource region or compliance status.
fn allocation_lifecycle() {
    let base = Tf::new();
    let pool_id = pool_in(&base);
    let tf = aws_tf_sharing(&base.db);
    allocation(&tf, &pool_id, "  netmask_length = 28\n  description    = \"test\"");
    tf.apply();
    let v = tf.values("aws_vpc_ipam_pool_cidr_allocation.test");
    let alloc_id = v["ipam_pool_allocation_id"]
        .as_str()
        .expect("allocation ID")
        .to_string();
    assert!(alloc_id.starts_with("ipam-pool-alloc-"), "{v}");
    assert_eq!(v["id"], format!("{alloc_id}_{pool_id}").as_str(), "{v}");
    assert_eq!(v["cidr"], "172.2.0.0/28", "{v}");
    assert_eq!(v["netmask_length"], 28, "{v}");
    assert_eq!(v["resource_type"], "custom", "{v}");
    assert!(v["resource_id"].is_null(), "{v}");
    assert_eq!(v["resource_owner"], "123456789012", "{v}");
    assert_eq!(v["region"], "us-east-1", "{v}");
    for hidden in ["tags", "tags_all", "resource_region", "compliance_status"] {
        assert!(v.get(hidden).is_none(), "upstream has no {hidden}: {v}");
    }
    assert_eq!(
        allocations(&base, &pool_id),
        [(alloc_id.clone(), "172.2.0.0/28".to_string())]
    );
    tf.assert_plan_empty();
    tf.ok(&["apply", "-refresh-only", "-auto-approve", "-input=false"]);
    tf.assert_plan_empty();
    tf.import_verify();

    // Every argument replaces (upstream has no update): here a disallowed CIDR moves it.
    allocation(
        &tf,
        &pool_id,
        "  netmask_length   = 28\n  description      = \"test\"\n  disallowed_cidrs = [\"172.2.0.0/28\"]",
    );
    let plan = tf.assert_plan_changes();
    assert!(plan.contains("forces replacement"), "{plan}");
    tf.apply();
    let replaced = tf.attr("aws_vpc_ipam_pool_cidr_allocation.test", "ipam_pool_allocation_id");
    assert_ne!(replaced, alloc_id);
    assert_eq!(
        allocations(&base, &pool_id),
        [(replaced.clone(), "172.2.0.16/28".to_string())],
        "the old allocation is released"
    );
    tf.assert_plan_empty();
    tf.import_verify();

    // Drift behind Terraform's back shows, and replaces.
    base.sql(&format!(
        "UPDATE allocations SET description = 'edited' WHERE id = '{replaced}'"
    ));
    let plan = flat(&tf.assert_plan_changes());
    assert!(
        plan.contains(r#"~ description = "edited" -> "test" # forces replacement"#),
        "{plan}"
    );
    tf.apply();
    tf.assert_plan_empty();

    tf.destroy();
    assert!(allocations(&base, &pool_id).is_empty(), "released");
}

/// An allocation made as `ipam_pool_allocation` (for a VPC, with tags) imports as
/// `aws_vpc_ipam_pool_cidr_allocation` showing its stored type and resource, and one made by the
/// aws view imports as `ipam_pool_allocation`, both with empty plans.
fn allocation_under_both_names() {
    let base = Tf::new();
    let pool_id = pool_in(&base);
    let ours = Tf::sharing(&base.db);
    ours.config(&format!(
        r#"resource "ipam_pool_allocation" "test" {{
  ipam_pool_id    = "{pool_id}"
  cidr            = "172.2.0.64/28"
  resource_type   = "vpc"
  resource_id     = "vpc-0abc"
  resource_region = "us-east-1"
  tags            = {{ Name = "a" }}
}}"#
    ));
    ours.apply();
    let id = ours.attr("ipam_pool_allocation.test", "id");

    let up = aws_tf_sharing(&base.db);
    allocation(&up, &pool_id, "  cidr = \"172.2.0.64/28\"");
    up.ok(&["import", "-input=false", "aws_vpc_ipam_pool_cidr_allocation.test", &id]);
    let v = up.values("aws_vpc_ipam_pool_cidr_allocation.test");
    assert_eq!(v["id"], id.as_str(), "{v}");
    assert_eq!(v["resource_type"], "vpc", "{v}");
    assert_eq!(v["resource_id"], "vpc-0abc", "{v}");
    assert_eq!(v["netmask_length"], 28, "{v}");
    up.assert_plan_empty();
    up.ok(&["state", "rm", "aws_vpc_ipam_pool_cidr_allocation.test"]);

    // And the reverse. Upstream's allocation has no tags, so the provider's default tags stay
    // off it (the ipam view, without default tags, then plans nothing).
    let made = aws_tf_sharing(&base.db);
    made.raw_config(&format!(
        r#"{REQUIRED_AWS}
provider "aws" {{
  region = "us-east-1"
  default_tags {{
    tags = {{ team = "net" }}
  }}
}}
resource "aws_vpc_ipam_pool_cidr_allocation" "test" {{
  ipam_pool_id = "{pool_id}"
  description  = "made upstream"
}}
"#
    ));
    made.apply();
    let id = made.attr("aws_vpc_ipam_pool_cidr_allocation.test", "id");
    assert_eq!(
        made.attr("aws_vpc_ipam_pool_cidr_allocation.test", "cidr"),
        "172.2.0.0/28"
    );
    let back = Tf::sharing(&base.db);
    back.config(&format!(
        "resource \"ipam_pool_allocation\" \"test\" {{\n  ipam_pool_id = \"{pool_id}\"\n  description  = \"made upstream\"\n}}"
    ));
    back.ok(&["import", "-input=false", "ipam_pool_allocation.test", &id]);
    let v = back.values("ipam_pool_allocation.test");
    assert_eq!(v["resource_type"], "custom", "{v}");
    assert_eq!(v["tags_all"], serde_json::json!({}), "{v}");
    assert_eq!(v["cidr"], "172.2.0.0/28", "{v}");
    back.assert_plan_empty();
}

/// Bad input: a region the pool's IPAM does not operate in, a size the pool cannot hold and a
/// CIDR outside it are refused on the attribute, naming the object, and nothing is written; a
/// malformed import ID says what it should look like.
fn allocation_bad_input() {
    let base = Tf::new();
    let pool_id = pool_in(&base);
    let tf = aws_tf_sharing(&base.db);
    let before = base.db_dump();
    allocation(&tf, &pool_id, "  region = \"ap-south-1\"");
    refused(
        &tf,
        "aws_vpc_ipam_pool_cidr_allocation",
        &["Region not operated by the IPAM", "eu-west-1, us-east-1"],
    );
    allocation(&tf, &pool_id, "  netmask_length = 16");
    refused(&tf, "aws_vpc_ipam_pool_cidr_allocation", &["netmask_length"]);
    allocation(&tf, &pool_id, "  cidr = \"10.0.0.0/28\"");
    refused(&tf, "aws_vpc_ipam_pool_cidr_allocation", &["10.0.0.0/28"]);
    assert_eq!(base.db_dump(), before, "a refused allocation writes nothing");
    assert!(tf.resources().is_empty());

    allocation(&tf, &pool_id, "");
    let err = flat(&tf.fails(&[
        "import",
        "-input=false",
        "-no-color",
        "aws_vpc_ipam_pool_cidr_allocation.test",
        &pool_id,
    ]));
    assert!(err.contains("<allocation-id>_<pool-id>"), "{err}");
}

backend_tests!(
    preview_lifecycle,
    preview_under_both_names,
    preview_bad_input,
    allocation_lifecycle,
    allocation_under_both_names,
    allocation_bad_input,
);
