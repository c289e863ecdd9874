//! BYOIP: the seed's flow across two accounts, the authorization message field by field, and
//! provisioning without the context.

use crate::common;

use super::resource_share::{GOOD, MEMBER, config, pointed_line};
use common::{Tf, flat};

fn byoip_flow_across_two_accounts() {
    let tf = Tf::new();
    tf.config(&config(&tf, GOOD, None, &format!("\"{MEMBER}\""), true));
    tf.apply();
    tf.assert_plan_empty();
    assert_eq!(tf.attr("ipam_pool_cidr.regional", "cidr"), "130.137.245.0/24");
    let alloc = tf.values("ipam_pool_allocation.member");
    assert_eq!(alloc["cidr"], "130.137.245.0/24");
    assert_eq!(alloc["resource_owner"], MEMBER, "the principal owns its allocation");
    let share = tf.values("ipam_resource_share.pools");
    assert!(
        share["arn"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:ram:us-east-1:123456789012:resource-share/")
    );
    assert_eq!(share["status"], "ACTIVE");
    assert_eq!(
        share["permission_arns"],
        serde_json::json!(["arn:aws:ram::aws:permission/AWSRAMDefaultPermissionsIpamPool"])
    );
    let out = tf.ok(&["output", "-json", "member_view"]);
    let view: serde_json::Value = serde_json::from_str(&out[out.find('{').unwrap()..]).unwrap();
    assert_eq!(
        view["owner_id"], "123456789012",
        "the member sees the owner's pool through the share"
    );
    assert_eq!(view["percent_assigned"], 100.0, "its /24 holds the member's allocation");
    tf.import_verify();

    // Removing the principal stops new allocations but keeps the existing one.
    tf.config(&config(&tf, GOOD, None, "", true));
    tf.apply();
    assert_eq!(tf.attr("ipam_pool_allocation.member", "cidr"), "130.137.245.0/24");
    tf.assert_plan_empty();

    // Share deleted behind Terraform's back: planned again.
    tf.sql("DELETE FROM shares");
    let plan = flat(&tf.assert_plan_changes());
    assert!(plan.contains("ipam_resource_share.pools will be created"), "{plan}");
    tf.apply();
    tf.destroy();
    assert_eq!(tf.sql_count("SELECT count(*) FROM pools"), 0);
}

fn byoip_authorization_message_is_checked_field_by_field() {
    let cases = [
        (
            GOOD.replace("123456789012", "999999999999"),
            "BYOIP authorization message: wrong account",
        ),
        (
            GOOD.replace("130.137.245.0/24", "130.137.244.0/24"),
            "BYOIP authorization message: wrong CIDR",
        ),
        (
            GOOD.replace("20991231", "20200101"),
            "BYOIP authorization message: wrong expiry date",
        ),
        (GOOD.replace("|RSAPSS", ""), "BYOIP authorization message: wrong format"),
    ];
    for (message, expected) in cases {
        let tf = Tf::new();
        tf.config(&config(&tf, &message, None, &format!("\"{MEMBER}\""), false));
        let out = flat(&tf.apply_fails());
        assert!(out.contains(expected), "expected {expected:?}:\n{out}");
        assert!(out.contains("cidr_authorization_context"), "points at the block: {out}");
        assert_eq!(tf.sql_count("SELECT count(*) FROM pool_cidrs"), 0);
        // The refused CIDR is now refused at plan too, which a destroy's refresh would run.
        tf.ok(&[
            "destroy",
            "-auto-approve",
            "-input=false",
            "-no-color",
            "-refresh=false",
        ]);
        assert_eq!(tf.sql_count("SELECT count(*) FROM pools"), 0);
    }
}

/// A top-level public-scope BYOIP pool, and `cidr_block` (an `ipam_pool_cidr` of it) when given.
fn byoip_top_level(cidr_block: &str) -> String {
    format!(
        r#"
resource "ipam" "main" {{
  operating_regions {{ region_name = "us-east-1" }}
}}
resource "ipam_pool" "byoip" {{
  ipam_scope_id    = ipam.main.public_default_scope_id
  address_family   = "ipv4"
  public_ip_source = "byoip"
}}
{cidr_block}
"#
    )
}

fn byoip_provisioning_is_refused_without_the_context_or_with_an_empty_signature() {
    let tf = Tf::new();
    tf.config(&byoip_top_level(""));
    tf.apply();
    let before = tf.db_dump();
    let block = |ctx: &str| {
        format!(
            "resource \"ipam_pool_cidr\" \"byoip\" {{\n  ipam_pool_id = ipam_pool.byoip.id\n  cidr = \"130.137.245.0/24\"\n{ctx}}}\n"
        )
    };
    let context = |message: &str, signature: &str| {
        format!("  cidr_authorization_context {{\n    message = \"{message}\"\n    signature = \"{signature}\"\n  }}\n")
    };
    // (the context block, the summary, the line the diagnostic points at: the resource when the
    // block is missing, else the attribute that is wrong)
    let cases = [
        (
            String::new(),
            "BYOIP authorization required",
            "resource \"ipam_pool_cidr\" \"byoip\" {",
        ),
        (
            context(GOOD, ""),
            "BYOIP authorization signature missing",
            "signature = \"\"",
        ),
        (
            context("", "signed-message"),
            "BYOIP authorization required",
            "message = \"\"",
        ),
        (
            context(&GOOD.replace("20991231", "20991399"), "signed-message"),
            "BYOIP authorization message: wrong expiry date",
            "message = \"1|aws|123456789012|130.137.245.0/24|20991399|SHA256|RSAPSS\"",
        ),
    ];
    for (ctx, summary, line) in cases {
        tf.config(&byoip_top_level(&block(&ctx)));
        let raw = tf.apply_fails();
        assert_eq!(pointed_line(&raw, summary), line, "{raw}");
        let out = flat(&raw);
        assert!(out.contains("with ipam_pool_cidr.byoip"), "{out}");
        assert_eq!(tf.db_dump(), before, "nothing provisioned for {ctx:?}");
    }
    assert!(flat(&tf.apply_fails()).contains("not a calendar date"));
    // The same CIDR with a valid context is provisioned.
    tf.config(&byoip_top_level(&block(&context(GOOD, "signed-message"))));
    tf.apply();
    tf.assert_plan_empty();
    assert_eq!(tf.sql_count("SELECT count(*) FROM pool_cidrs"), 1);
    tf.destroy();
}

/// A `cidr_authorization_context` written as a `dynamic` block over a value known only at apply
/// is unknown as a whole at plan: the plan does not take it for a missing block, and apply checks
/// the message it turns out to be.
fn byoip_authorization_known_only_at_apply_is_checked_at_apply() {
    let tf = Tf::new();
    let proof = |message: &str| {
        byoip_top_level(&format!(
            r#"
resource "terraform_data" "proof" {{
  input = [{{ message = "{message}", signature = "signed-message" }}]
}}
resource "ipam_pool_cidr" "byoip" {{
  ipam_pool_id = ipam_pool.byoip.id
  cidr         = "130.137.245.0/24"
  dynamic "cidr_authorization_context" {{
    for_each = terraform_data.proof.output
    content {{
      message   = cidr_authorization_context.value.message
      signature = cidr_authorization_context.value.signature
    }}
  }}
}}
"#
        ))
    };
    tf.config(&proof(&GOOD.replace("130.137.245.0/24", "130.137.244.0/24")));
    let plan = flat(&tf.assert_plan_changes());
    assert!(plan.contains("ipam_pool_cidr.byoip will be created"), "{plan}");
    let out = flat(&tf.apply_fails());
    assert!(out.contains("BYOIP authorization message: wrong CIDR"), "{out}");
    assert_eq!(tf.sql_count("SELECT count(*) FROM pool_cidrs"), 0);

    tf.config(&proof(GOOD));
    tf.assert_plan_changes();
    tf.apply();
    tf.assert_plan_empty();
    assert_eq!(tf.sql_count("SELECT count(*) FROM pool_cidrs"), 1);
    tf.destroy();
}

backend_tests!(
    byoip_authorization_known_only_at_apply_is_checked_at_apply,
    byoip_provisioning_is_refused_without_the_context_or_with_an_empty_signature,
    byoip_flow_across_two_accounts,
    byoip_authorization_message_is_checked_field_by_field,
);
