//! `aws_vpc_ipam`: upstream's IPAM over the same IPAMs as `ipam`, with `region` as its home
//! region, `tier`, `metered_account` and the default resource discovery IDs.

use crate::aws::{REQUIRED_AWS, aws_tf, aws_tf_sharing};
use crate::common::{Tf, flat};

/// `main.tf` with the provider in us-east-1 and `aws_vpc_ipam.test` of `body`.
fn ipam_config(tf: &Tf, body: &str) {
    tf.raw_config(&format!(
        r#"{REQUIRED_AWS}
provider "aws" {{
  region = "us-east-1"
}}

resource "aws_vpc_ipam" "test" {{
{body}
}}
"#
    ));
}

/// The IPAM row's `(tier, metered_account, home_region)` (tier `-` when not configured).
fn row(tf: &Tf, id: &str) -> (String, String, String) {
    let rows: Vec<(String, String)> = tf.sql_pairs(&format!(
        "SELECT COALESCE(tier, '-') || ',' || metered_account, home_region FROM ipams WHERE id = '{id}'"
    ));
    let (a, region) = rows.into_iter().next().unwrap_or_else(|| panic!("no row for {id}"));
    let (tier, metered) = a.split_once(',').expect("two values");
    (tier.to_string(), metered.to_string(), region)
}

/// A refusal (`err`, flattened) says every one of `parts`, and the database is still `before`.
fn assert_refused(tf: &Tf, err: &str, parts: &[&str], before: &str) {
    for part in parts {
        assert!(err.contains(part), "{part:?} is not in: {err}");
    }
    assert_eq!(tf.db_dump(), before, "a refused change writes nothing");
}

fn s(v: &str) -> String {
    v.to_string()
}

/// Upstream's acceptance steps: create, plan empty, refresh, import with nothing ignored,
/// update in place (tier, metered_account, enable_private_gua, operating regions), drift,
/// a `region` change replacing the IPAM, destroy.
fn ipam_lifecycle() {
    let tf = aws_tf();
    ipam_config(
        &tf,
        r#"  description = "test"
  tier        = "free"
  operating_regions {
    region_name = "us-east-1"
  }
  tags = { Name = "a" }
  timeouts {
    create = "10m"
  }"#,
    );
    tf.apply();
    let v = tf.values("aws_vpc_ipam.test");
    let id = v["id"].as_str().expect("id").to_string();
    let hex = id.strip_prefix("ipam-").expect("an IPAM ID");
    assert_eq!(v["region"], "us-east-1", "{v}");
    assert_eq!(v["tier"], "free", "{v}");
    assert_eq!(v["metered_account"], "ipam-owner", "{v}");
    assert_eq!(v["scope_count"], 2, "{v}");
    assert!(v["enable_private_gua"].is_null(), "{v}");
    assert_eq!(
        v["default_resource_discovery_id"],
        format!("ipam-res-disco-{hex}").as_str(),
        "{v}"
    );
    assert_eq!(
        v["default_resource_discovery_association_id"],
        format!("ipam-res-disco-assoc-{hex}").as_str(),
        "{v}"
    );
    assert!(
        v["arn"].as_str().is_some_and(|a| a.ends_with(&format!("ipam/{id}"))),
        "{v}"
    );
    assert_eq!(v["tags_all"]["Name"], "a", "{v}");
    assert_eq!(v["timeouts"]["create"], "10m", "{v}");
    for hidden in ["home_region", "owner_id", "state"] {
        assert!(v.get(hidden).is_none(), "upstream's IPAM has no {hidden}: {v}");
    }
    assert_eq!(row(&tf, &id), (s("free"), s("ipam-owner"), s("us-east-1")));
    tf.assert_plan_empty();
    tf.ok(&["apply", "-refresh-only", "-auto-approve", "-input=false"]);
    tf.assert_plan_empty();

    // Import with nothing ignored but `timeouts` (never read back, as upstream).
    let base = r#"  description = "test"
  tier        = "free"
  operating_regions {
    region_name = "us-east-1"
  }
  tags = { Name = "a" }"#;
    ipam_config(&tf, base);
    tf.apply();
    tf.import_verify();

    // Update in place, as upstream's steps: tier free -> advanced, metered_account,
    // enable_private_gua, a second operating region.
    ipam_config(
        &tf,
        r#"  description        = "test"
  tier               = "advanced"
  metered_account    = "resource-owner"
  enable_private_gua = true
  operating_regions {
    region_name = "us-east-1"
  }
  operating_regions {
    region_name = "eu-west-1"
  }
  tags = { Name = "a" }"#,
    );
    let plan = flat(&tf.assert_plan_changes());
    assert!(
        plan.contains("will be updated in-place")
            && plan.contains(r#"~ tier = "free" -> "advanced""#)
            && plan.contains(r#"~ metered_account = "ipam-owner" -> "resource-owner""#),
        "{plan}"
    );
    let out = tf.apply();
    assert!(out.contains("1 changed"), "{out}");
    assert_eq!(tf.attr("aws_vpc_ipam.test", "id"), id);
    assert_eq!(row(&tf, &id), (s("advanced"), s("resource-owner"), s("us-east-1")));
    tf.assert_plan_empty();
    tf.import_verify();

    // Drift behind Terraform's back shows as an update of those attributes.
    tf.sql(&format!(
        "UPDATE ipams SET tier = 'free', metered_account = 'ipam-owner' WHERE id = '{id}'"
    ));
    let plan = flat(&tf.assert_plan_changes());
    assert!(
        plan.contains(r#"~ tier = "free" -> "advanced""#)
            && plan.contains(r#"~ metered_account = "ipam-owner" -> "resource-owner""#),
        "{plan}"
    );
    tf.apply();
    tf.assert_plan_empty();

    // Not configuring the tier any more: stored as not set (advanced), shown null as upstream.
    ipam_config(
        &tf,
        r#"  description     = "test"
  metered_account = "resource-owner"
  operating_regions {
    region_name = "us-east-1"
  }
  operating_regions {
    region_name = "eu-west-1"
  }"#,
    );
    tf.apply();
    assert!(tf.values("aws_vpc_ipam.test")["tier"].is_null());
    assert_eq!(row(&tf, &id), (s("-"), s("resource-owner"), s("us-east-1")));
    tf.assert_plan_empty();

    // A new `region` is a new home region: the IPAM is replaced there.
    ipam_config(
        &tf,
        r#"  region          = "eu-west-1"
  description     = "test"
  metered_account = "resource-owner"
  operating_regions {
    region_name = "us-east-1"
  }
  operating_regions {
    region_name = "eu-west-1"
  }"#,
    );
    let plan = flat(&tf.assert_plan_changes());
    assert!(plan.contains("must be replaced"), "{plan}");
    tf.apply();
    let moved = tf.attr("aws_vpc_ipam.test", "id");
    assert_ne!(moved, id);
    assert_eq!(tf.attr("aws_vpc_ipam.test", "region"), "eu-west-1");
    assert_eq!(row(&tf, &moved), (s("-"), s("resource-owner"), s("eu-west-1")));
    assert_eq!(
        tf.sql_count(&format!("SELECT COUNT(*) FROM ipams WHERE id = '{id}'")),
        0
    );
    tf.assert_plan_empty();
    tf.import_verify();

    tf.destroy();
    assert_eq!(tf.sql_count("SELECT COUNT(*) FROM ipams"), 0);
    assert_eq!(tf.sql_count("SELECT COUNT(*) FROM scopes"), 0);
}

/// `region` is the IPAM's home region: unset, the provider's; the operating regions must include
/// it (upstream's plan check), an error on `operating_regions` naming the region, nothing written.
fn ipam_region() {
    let tf = aws_tf();
    ipam_config(&tf, "  operating_regions {\n    region_name = \"us-east-1\"\n  }");
    tf.apply();
    let id = tf.attr("aws_vpc_ipam.test", "id");
    assert_eq!(tf.attr("aws_vpc_ipam.test", "region"), "us-east-1");
    assert_eq!(row(&tf, &id).2, "us-east-1");
    // Naming the provider's region explicitly is the same object: no change.
    ipam_config(
        &tf,
        "  region = \"us-east-1\"\n  operating_regions {\n    region_name = \"us-east-1\"\n  }",
    );
    tf.assert_plan_empty();

    // A home region the operating regions leave out: refused at plan.
    let before = tf.db_dump();
    ipam_config(
        &tf,
        r#"  region = "eu-west-1"
  operating_regions {
    region_name = "us-east-1"
  }"#,
    );
    let err = flat(&tf.plan_fails());
    assert_refused(
        &tf,
        &err,
        &[
            "Operating regions must include the home region",
            r#"home region is "eu-west-1""#,
            r#"region_name = "eu-west-1""#,
            "with aws_vpc_ipam.test",
        ],
        &before,
    );

    // Moving the IPAM to a region its old operating regions leave out: checked against the new
    // home region, and replaced there.
    ipam_config(
        &tf,
        "  region = \"eu-west-1\"\n  operating_regions {\n    region_name = \"eu-west-1\"\n  }",
    );
    let plan = flat(&tf.assert_plan_changes());
    assert!(plan.contains("must be replaced"), "{plan}");
    tf.apply();
    let moved = tf.attr("aws_vpc_ipam.test", "id");
    assert_eq!(row(&tf, &moved).2, "eu-west-1");
    tf.assert_plan_empty();
}

/// One IPAM, both names: created as `ipam`, imported as `aws_vpc_ipam` with an empty plan; and
/// created as `aws_vpc_ipam`, imported as `ipam` with an empty plan.
fn ipam_both_names() {
    let ours = Tf::new();
    ours.config(
        r#"resource "ipam" "main" {
  description     = "shared"
  tier            = "free"
  metered_account = "resource-owner"
  operating_regions { region_name = "us-east-1" }
  operating_regions { region_name = "eu-west-1" }
}"#,
    );
    ours.apply();
    let id = ours.attr("ipam.main", "id");
    assert_eq!(ours.attr("ipam.main", "tier"), "free");
    assert_eq!(ours.attr("ipam.main", "metered_account"), "resource-owner");
    assert_eq!(
        ours.attr("ipam.main", "default_resource_discovery_id"),
        format!("ipam-res-disco-{}", &id["ipam-".len()..])
    );

    let aws = aws_tf_sharing(&ours.db);
    ipam_config(
        &aws,
        r#"  description     = "shared"
  tier            = "free"
  metered_account = "resource-owner"
  operating_regions {
    region_name = "us-east-1"
  }
  operating_regions {
    region_name = "eu-west-1"
  }"#,
    );
    aws.ok(&["import", "-input=false", "aws_vpc_ipam.test", &id]);
    let v = aws.values("aws_vpc_ipam.test");
    assert_eq!(v["region"], "us-east-1", "{v}");
    assert_eq!(v["tier"], "free", "{v}");
    aws.assert_plan_empty();

    // The other way: an IPAM made under the aws name (in eu-west-1, one IPAM per region),
    // imported as `ipam`.
    let aws2 = aws_tf_sharing(&ours.db);
    ipam_config(
        &aws2,
        r#"  region = "eu-west-1"
  tier   = "advanced"
  operating_regions {
    region_name = "eu-west-1"
  }"#,
    );
    aws2.apply();
    let other = aws2.attr("aws_vpc_ipam.test", "id");
    let ours2 = Tf::sharing(&ours.db);
    ours2.config(
        r#"resource "ipam" "imported" {
  tier = "advanced"
  operating_regions { region_name = "eu-west-1" }
}"#,
    );
    ours2.ok(&["import", "-input=false", "ipam.imported", &other]);
    let v = ours2.values("ipam.imported");
    assert_eq!(v["home_region"], "eu-west-1", "{v}");
    assert_eq!(v["metered_account"], "ipam-owner", "{v}");
    assert_eq!(v["tier"], "advanced", "{v}");
    ours2.assert_plan_empty();
}

/// A tier or metered account that is not upstream's: an error on the attribute naming the
/// accepted values, at update and at create, and the database unchanged.
fn ipam_bad_input() {
    let tf = aws_tf();
    ipam_config(&tf, "  operating_regions {\n    region_name = \"us-east-1\"\n  }");
    tf.apply();
    let id = tf.attr("aws_vpc_ipam.test", "id");
    let before = tf.db_dump();
    ipam_config(
        &tf,
        "  tier = \"basic\"\n  operating_regions {\n    region_name = \"us-east-1\"\n  }",
    );
    let err = flat(&tf.apply_fails());
    assert_refused(
        &tf,
        &err,
        &[
            "Invalid IPAM tier",
            r#""basic" is not an IPAM tier. Use "free" or "advanced"."#,
            "with aws_vpc_ipam.test",
            "tier",
        ],
        &before,
    );

    ipam_config(
        &tf,
        "  metered_account = \"payer\"\n  operating_regions {\n    region_name = \"us-east-1\"\n  }",
    );
    let err = flat(&tf.apply_fails());
    assert_refused(
        &tf,
        &err,
        &[
            "Invalid metered account",
            r#""payer" is not a metered account. Use "ipam-owner" or "resource-owner"."#,
            "with aws_vpc_ipam.test",
            "metered_account",
        ],
        &before,
    );
    assert_eq!(tf.attr("aws_vpc_ipam.test", "id"), id);

    // At create: nothing written.
    ipam_config(&tf, "  operating_regions {\n    region_name = \"us-east-1\"\n  }");
    tf.destroy();
    let before = tf.db_dump();
    ipam_config(
        &tf,
        "  tier = \"basic\"\n  operating_regions {\n    region_name = \"us-east-1\"\n  }",
    );
    let err = flat(&tf.plan_fails());
    assert!(err.contains("Invalid IPAM tier"), "{err}");
    assert_eq!(tf.db_dump(), before, "a refused create writes nothing");
}

backend_tests!(ipam_lifecycle, ipam_region, ipam_both_names, ipam_bad_input);
