//! The provider block: refused configurations, quota overrides, and the account and region
//! taken from the environment.

use crate::common;

use super::ipam::IPAM_AND_SCOPES;
use common::{Tf, flat};

fn bad_provider_configuration_is_refused_at_plan() {
    let tf = Tf::new().provider_extra("account_id = \"12345\"\n  quotas { scopes_per_ipam = 0 }");
    tf.config(IPAM_AND_SCOPES);
    let out = flat(&tf.plan_fails());
    assert!(out.contains("Invalid account ID"), "{out}");
    assert!(out.contains("exactly 12 digits"), "{out}");
    assert!(
        out.contains("account_id = \"12345\""),
        "diagnostic points at the attribute: {out}"
    );
    assert!(out.contains("scopes_per_ipam"), "{out}");
    assert!(!tf.db.exists() || tf.sql_count("SELECT count(*) FROM ipams") == 0);
}

fn quota_overrides_in_the_provider_block_take_effect() {
    let tf = Tf::new().provider_extra("quotas {\n    ipams_per_region = 2\n    scopes_per_ipam  = 3\n  }");
    let ipams = r#"resource "ipam" "a" {
  operating_regions { region_name = "us-east-1" }
}
resource "ipam" "b" {
  operating_regions { region_name = "us-east-1" }
}
resource "ipam_scope" "s1" {
  ipam_id = ipam.a.id
}
"#;
    tf.config(ipams);
    tf.apply();
    assert_eq!(
        tf.sql_count("SELECT count(*) FROM ipams"),
        2,
        "ipams_per_region = 2 allows a second IPAM in the region"
    );
    tf.assert_plan_empty();
    let before = tf.db_dump();

    // scopes_per_ipam = 3: the two default scopes and s1; a second extra scope is refused.
    tf.config(&format!(
        "{ipams}resource \"ipam_scope\" \"s2\" {{\n  ipam_id = ipam.a.id\n}}\n"
    ));
    let out = flat(&tf.apply_fails());
    assert!(out.contains("Scope quota reached"), "{out}");
    assert!(out.contains("already has 3 scopes"), "{out}");
    assert!(out.contains("the quota is 3 per IPAM"), "{out}");
    assert!(out.contains("with ipam_scope.s2,"), "{out}");
    assert!(out.contains("ipam_id = ipam.a.id"), "{out}");
    assert_eq!(tf.db_dump(), before, "the refused scope wrote nothing");

    // A third IPAM in the region is refused by the raised quota.
    tf.config(&format!(
        "{ipams}resource \"ipam\" \"c\" {{\n  operating_regions {{ region_name = \"us-east-1\" }}\n}}\n"
    ));
    let out = flat(&tf.apply_fails());
    assert!(out.contains("IPAM quota reached"), "{out}");
    assert!(out.contains("already has 2 IPAM(s)"), "{out}");
    assert!(out.contains("the quota is 2 per region"), "{out}");
    assert!(out.contains("with ipam.c,"), "{out}");
    assert_eq!(tf.db_dump(), before, "the refused IPAM wrote nothing");

    tf.config(ipams);
    tf.assert_plan_empty();
    tf.destroy();
    assert_eq!(tf.sql_count("SELECT count(*) FROM ipams"), 0);
}

fn account_and_region_come_from_the_environment_unless_the_provider_block_sets_them() {
    let from_env = |tf: Tf| {
        tf.env("IPAM_ACCOUNT_ID", "111122223333")
            .env("IPAM_REGION", "eu-west-1")
    };
    let tf = from_env(Tf::new());
    tf.config(
        r#"resource "ipam" "x" {
  operating_regions { region_name = "eu-west-1" }
}"#,
    );
    tf.apply();
    let x = tf.values("ipam.x");
    assert_eq!(x["owner_id"], "111122223333", "IPAM_ACCOUNT_ID is the acting account");
    assert_eq!(x["home_region"], "eu-west-1", "IPAM_REGION is the provider region");
    assert!(
        x["arn"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:ec2::111122223333:ipam/ipam-"),
        "{x}"
    );
    tf.assert_plan_empty();
    tf.destroy();

    // The provider block's arguments win over the environment.
    let tf = from_env(Tf::new().provider_extra("account_id = \"444455556666\"\n  region     = \"us-west-2\""));
    tf.config(
        r#"resource "ipam" "x" {
  operating_regions { region_name = "us-west-2" }
}"#,
    );
    tf.apply();
    let x = tf.values("ipam.x");
    assert_eq!(x["owner_id"], "444455556666");
    assert_eq!(x["home_region"], "us-west-2");
    tf.assert_plan_empty();
    tf.destroy();
}

backend_tests!(
    bad_provider_configuration_is_refused_at_plan,
    quota_overrides_in_the_provider_block_take_effect,
    account_and_region_come_from_the_environment_unless_the_provider_block_sets_them,
);
