//! `aws_vpc_ipam_pool` and `aws_vpc_ipam_pool_cidr`: upstream's pool and pool CIDR over the same
//! pools and CIDRs as `ipam_pool` and `ipam_pool_cidr`.

use crate::aws::{REQUIRED_AWS, aws_tf_sharing};
use crate::aws_scope::ipam_in;
use crate::common::{Tf, flat};

/// The IPAM's scopes: (private default, public default).
fn scopes(base: &Tf) -> (String, String) {
    (
        base.attr("ipam.main", "private_default_scope_id"),
        base.attr("ipam.main", "public_default_scope_id"),
    )
}

/// An aws view configuration: the provider block in us-east-1 and `body`.
fn aws_config(tf: &Tf, body: &str) {
    tf.raw_config(&format!(
        "{REQUIRED_AWS}\nprovider \"aws\" {{\n  region = \"us-east-1\"\n}}\n\n{body}\n"
    ));
}

/// Two pools in the private scope: `basic` with upstream's basic arguments (optional `extra`
/// lines), `regional` with a locale, auto-import and an explicit `locale = "None"` pool, `none`.
fn pools(scope: &str, basic_extra: &str, regional_locale: &str) -> String {
    format!(
        r#"resource "aws_vpc_ipam_pool" "basic" {{
  address_family = "ipv4"
  ipam_scope_id  = "{scope}"
{basic_extra}
}}

resource "aws_vpc_ipam_pool" "regional" {{
  address_family = "ipv4"
  ipam_scope_id  = "{scope}"
  locale         = "{regional_locale}"
  auto_import    = true
}}

resource "aws_vpc_ipam_pool" "none" {{
  address_family = "ipv4"
  ipam_scope_id  = "{scope}"
  locale         = "None"
}}"#
    )
}

/// Upstream's acceptance steps for the pool: create, plan empty, refresh, import with nothing
/// ignored, update in place, a `locale` change replaces, drift, destroy. `locale` shows as
/// configured: null when not set (the database keeps the effective `None`), `None` when set so.
fn pool_lifecycle() {
    let base = Tf::new();
    ipam_in(&base);
    let (private, _) = scopes(&base);
    let tf = aws_tf_sharing(&base.db);
    let timeouts = "  timeouts {\n    create = \"35m\"\n    delete = \"3m\"\n  }";
    aws_config(&tf, &pools(&private, timeouts, "eu-west-1"));
    tf.apply();
    let v = tf.values("aws_vpc_ipam_pool.basic");
    assert_eq!(v["locale"], serde_json::Value::Null, "not configured: {v}");
    assert_eq!(v["state"], "create-complete", "{v}");
    assert_eq!(v["ipam_scope_type"], "private", "{v}");
    assert_eq!(v["pool_depth"], 1, "{v}");
    assert_eq!(v["region"], "us-east-1", "{v}");
    assert_eq!(v["timeouts"]["create"], "35m", "{v}");
    for hidden in ["owner_id", "provisioned_cidrs"] {
        assert!(v.get(hidden).is_none(), "upstream's pool has no {hidden}: {v}");
    }
    let id = v["id"].as_str().expect("id").to_string();
    assert!(
        v["arn"]
            .as_str()
            .is_some_and(|a| a.ends_with(&format!("ipam-pool/{id}"))),
        "{v}"
    );
    assert_eq!(tf.attr("aws_vpc_ipam_pool.regional", "locale"), "eu-west-1");
    assert_eq!(tf.attr("aws_vpc_ipam_pool.none", "locale"), "None");
    assert_eq!(
        base.sql_pairs::<String, i64>("SELECT locale, locale_configured FROM pools ORDER BY locale_configured, locale"),
        vec![
            ("None".to_string(), 0),
            ("None".to_string(), 1),
            ("eu-west-1".to_string(), 1)
        ],
        "the database keeps the effective locale and whether it was configured"
    );
    tf.assert_plan_empty();
    tf.ok(&["apply", "-refresh-only", "-auto-approve", "-input=false"]);
    tf.assert_plan_empty();

    // Import with nothing ignored but `timeouts` (never read back, as upstream).
    aws_config(&tf, &pools(&private, "", "eu-west-1"));
    tf.apply();
    tf.import_verify();

    // Update in place: upstream's "updated" step (netmask rules 32/32/32, allocation resource
    // tags, description).
    let updated = r#"  description = "test"
  allocation_default_netmask_length = 32
  allocation_max_netmask_length     = 32
  allocation_min_netmask_length     = 32
  allocation_resource_tags = { test = "1" }
  tags = { Name = "a" }"#;
    aws_config(&tf, &pools(&private, updated, "eu-west-1"));
    let out = tf.apply();
    assert!(out.contains("0 added, 1 changed, 0 destroyed"), "{out}");
    let v = tf.values("aws_vpc_ipam_pool.basic");
    assert_eq!(v["id"], id.as_str());
    assert_eq!(v["state"], "modify-complete", "{v}");
    assert_eq!(v["allocation_min_netmask_length"], 32, "{v}");
    assert_eq!(v["allocation_resource_tags"]["test"], "1", "{v}");
    assert_eq!(v["locale"], serde_json::Value::Null, "{v}");
    tf.assert_plan_empty();
    tf.import_verify();

    // A locale change replaces the pool (ForceNew upstream).
    aws_config(&tf, &pools(&private, updated, "us-east-1"));
    let plan = flat(&tf.assert_plan_changes());
    assert!(
        plan.contains("aws_vpc_ipam_pool.regional must be replaced")
            && plan.contains(r#"~ locale = "eu-west-1" -> "us-east-1" # forces replacement"#),
        "{plan}"
    );
    tf.apply();
    assert_eq!(tf.attr("aws_vpc_ipam_pool.regional", "locale"), "us-east-1");

    // Drift behind Terraform's back shows as an update of that attribute.
    base.sql(&format!("UPDATE pools SET description = 'edited' WHERE id = '{id}'"));
    let plan = flat(&tf.assert_plan_changes());
    assert!(plan.contains(r#"~ description = "edited" -> "test""#), "{plan}");
    tf.apply();
    tf.assert_plan_empty();

    tf.destroy();
    assert_eq!(base.sql_count("SELECT COUNT(*) FROM pools"), 0);
}

/// A top-level public BYOIP pool with a CIDR (its authorization context), a child pool with a
/// CIDR carved by netmask length, and a private pool with an exact CIDR.
fn cidrs(private: &str, public: &str, private_cidr: &str) -> String {
    format!(
        r#"resource "aws_vpc_ipam_pool" "byoip" {{
  address_family   = "ipv4"
  ipam_scope_id    = "{public}"
  public_ip_source = "byoip"
}}

resource "aws_vpc_ipam_pool_cidr" "byoip" {{
  ipam_pool_id = aws_vpc_ipam_pool.byoip.id
  cidr         = "130.137.244.0/23"
  cidr_authorization_context {{
    message   = "1|aws|123456789012|130.137.244.0/23|20991231|SHA256|RSAPSS"
    signature = "signed-message"
  }}
}}

resource "aws_vpc_ipam_pool" "child" {{
  address_family      = "ipv4"
  ipam_scope_id       = "{public}"
  locale              = "us-east-1"
  aws_service         = "ec2"
  source_ipam_pool_id = aws_vpc_ipam_pool.byoip.id
}}

resource "aws_vpc_ipam_pool_cidr" "child" {{
  ipam_pool_id   = aws_vpc_ipam_pool.child.id
  netmask_length = 24
  depends_on     = [aws_vpc_ipam_pool_cidr.byoip]
}}

resource "aws_vpc_ipam_pool" "private" {{
  address_family = "ipv4"
  ipam_scope_id  = "{private}"
}}

resource "aws_vpc_ipam_pool_cidr" "private" {{
  ipam_pool_id = aws_vpc_ipam_pool.private.id
  cidr         = "{private_cidr}"
%TIMEOUTS%
}}"#
    )
}

/// Upstream's acceptance steps for the pool CIDR: an exact CIDR and one carved by netmask
/// length, IDs `<cidr>_<pool-id>`, no `state`, the BYOIP signature shown (not sensitive); plan
/// empty, refresh, import with nothing ignored, a CIDR change replaces, a CIDR removed behind
/// Terraform's back is planned again, destroy.
fn pool_cidr_lifecycle() {
    let base = Tf::new();
    ipam_in(&base);
    let (private, public) = scopes(&base);
    let tf = aws_tf_sharing(&base.db);
    let config = |cidr: &str, timeouts: &str| {
        aws_config(&tf, &cidrs(&private, &public, cidr).replace("%TIMEOUTS%", timeouts));
    };
    config("10.0.0.0/16", "  timeouts {\n    create = \"10m\"\n  }");
    let plan = flat(&tf.ok(&["plan", "-input=false", "-no-color"]));
    assert!(
        plan.contains(r#"+ signature = "signed-message""#),
        "upstream's signature is not sensitive: {plan}"
    );
    tf.apply();
    let pool = tf.attr("aws_vpc_ipam_pool.private", "id");
    let v = tf.values("aws_vpc_ipam_pool_cidr.private");
    assert_eq!(v["id"], format!("10.0.0.0/16_{pool}").as_str(), "{v}");
    assert_eq!(v["netmask_length"], 16, "{v}");
    assert_eq!(v["region"], "us-east-1", "{v}");
    assert!(
        v["ipam_pool_cidr_id"]
            .as_str()
            .is_some_and(|i| i.starts_with("ipam-pool-cidr-")),
        "{v}"
    );
    assert!(v.get("state").is_none(), "upstream's pool CIDR has no state: {v}");
    let child = tf.values("aws_vpc_ipam_pool_cidr.child");
    assert_eq!(child["cidr"], "130.137.244.0/24", "{child}");
    let child_pool = tf.attr("aws_vpc_ipam_pool.child", "id");
    assert_eq!(child["id"], format!("130.137.244.0/24_{child_pool}").as_str());
    assert_eq!(
        tf.values("aws_vpc_ipam_pool_cidr.byoip")["cidr_authorization_context"][0]["signature"],
        "signed-message"
    );
    tf.assert_plan_empty();
    tf.ok(&["apply", "-refresh-only", "-auto-approve", "-input=false"]);
    tf.assert_plan_empty();

    config("10.0.0.0/16", "");
    tf.apply();
    tf.import_verify();

    // A CIDR change replaces (ForceNew upstream).
    config("10.1.0.0/16", "");
    let plan = flat(&tf.assert_plan_changes());
    assert!(
        plan.contains("aws_vpc_ipam_pool_cidr.private must be replaced")
            && plan.contains(r#"~ cidr = "10.0.0.0/16" -> "10.1.0.0/16" # forces replacement"#),
        "{plan}"
    );
    tf.apply();
    assert_eq!(
        tf.attr("aws_vpc_ipam_pool_cidr.private", "id"),
        format!("10.1.0.0/16_{pool}")
    );
    assert_eq!(
        base.sql_count(&format!(
            "SELECT COUNT(*) FROM pool_cidrs WHERE pool_id = '{pool}' AND cidr = '10.1.0.0/16'"
        )),
        1
    );

    // Gone behind Terraform's back: planned again.
    base.sql(&format!("DELETE FROM pool_cidrs WHERE pool_id = '{pool}'"));
    let plan = flat(&tf.assert_plan_changes());
    assert!(
        plan.contains("aws_vpc_ipam_pool_cidr.private will be created"),
        "{plan}"
    );

    tf.destroy();
    assert_eq!(base.sql_count("SELECT COUNT(*) FROM pool_cidrs"), 0);
    assert_eq!(base.sql_count("SELECT COUNT(*) FROM pools"), 0);
}

/// The same pools and CIDRs under both names on one database: made as `ipam_pool` and
/// `ipam_pool_cidr`, imported as `aws_vpc_ipam_pool` and `aws_vpc_ipam_pool_cidr` with the
/// configuration rewritten to upstream's names, and the reverse; each plans nothing. A pool
/// whose locale the ipam view left at its default shows null upstream.
fn same_objects_under_both_names() {
    let base = Tf::new();
    ipam_in(&base);
    let (private, _) = scopes(&base);
    let ipam_config = |tf: &Tf, kind: &str, locale: &str| {
        tf.config(&format!(
            r#"resource "ipam" "main" {{
  operating_regions {{ region_name = "us-east-1" }}
  operating_regions {{ region_name = "eu-west-1" }}
}}
resource "ipam_pool" "{kind}" {{
  ipam_scope_id  = "{private}"
  address_family = "ipv4"
  description    = "{kind}"
{locale}
}}
resource "ipam_pool_cidr" "{kind}" {{
  ipam_pool_id = ipam_pool.{kind}.id
  cidr         = "{cidr}"
}}"#,
            cidr = if kind == "made_here" {
                "10.0.0.0/16"
            } else {
                "10.1.0.0/16"
            },
        ));
    };
    let aws_body = |kind: &str, locale: &str| {
        format!(
            r#"resource "aws_vpc_ipam_pool" "{kind}" {{
  ipam_scope_id  = "{private}"
  address_family = "ipv4"
  description    = "{kind}"
{locale}
}}
resource "aws_vpc_ipam_pool_cidr" "{kind}" {{
  ipam_pool_id = aws_vpc_ipam_pool.{kind}.id
  cidr         = "{cidr}"
}}"#,
            cidr = if kind == "made_here" {
                "10.0.0.0/16"
            } else {
                "10.1.0.0/16"
            },
        )
    };
    for locale in ["", "  locale = \"eu-west-1\""] {
        // ipam_* → aws_*.
        ipam_config(&base, "made_here", locale);
        base.apply();
        let pool = base.attr("ipam_pool.made_here", "id");
        let expected_locale = if locale.is_empty() { "None" } else { "eu-west-1" };
        assert_eq!(base.attr("ipam_pool.made_here", "locale"), expected_locale);
        let aws = aws_tf_sharing(&base.db);
        aws_config(&aws, &aws_body("made_here", locale));
        aws.ok(&["import", "-input=false", "aws_vpc_ipam_pool.made_here", &pool]);
        aws.ok(&[
            "import",
            "-input=false",
            "aws_vpc_ipam_pool_cidr.made_here",
            &format!("10.0.0.0/16_{pool}"),
        ]);
        let v = aws.values("aws_vpc_ipam_pool.made_here");
        if locale.is_empty() {
            assert_eq!(v["locale"], serde_json::Value::Null, "{v}");
        } else {
            assert_eq!(v["locale"], "eu-west-1", "{v}");
        }
        aws.assert_plan_empty();

        // aws_* → ipam_*.
        aws_config(
            &aws,
            &format!("{}\n{}", aws_body("made_here", locale), aws_body("made_there", locale)),
        );
        aws.apply();
        let pool = aws.attr("aws_vpc_ipam_pool.made_there", "id");
        let ipam = Tf::sharing(&base.db);
        ipam_config(&ipam, "made_there", locale);
        let ipam_id = base.attr("ipam.main", "id");
        ipam.ok(&["import", "-input=false", "ipam.main", &ipam_id]);
        ipam.ok(&["import", "-input=false", "ipam_pool.made_there", &pool]);
        ipam.ok(&[
            "import",
            "-input=false",
            "ipam_pool_cidr.made_there",
            &format!("10.1.0.0/16_{pool}"),
        ]);
        assert_eq!(ipam.attr("ipam_pool.made_there", "locale"), expected_locale);
        ipam.assert_plan_empty();

        // Both gone through the aws view.
        aws.destroy();
        assert_eq!(base.sql_count("SELECT COUNT(*) FROM pools"), 0);
        base.ok(&["state", "rm", "ipam_pool.made_here", "ipam_pool_cidr.made_here"]);
    }
}

/// Bad input: each refusal points at the attribute, names the object and says what to do, and
/// leaves the database as it was; `region` must be one the pool's IPAM operates in.
fn bad_input_is_refused_and_writes_nothing() {
    let base = Tf::new();
    let ipam_id = ipam_in(&base);
    let (private, _) = scopes(&base);
    let tf = aws_tf_sharing(&base.db);
    aws_config(
        &tf,
        &format!(
            r#"resource "aws_vpc_ipam_pool" "p" {{
  address_family = "ipv4"
  ipam_scope_id  = "{private}"
}}"#
        ),
    );
    tf.apply();
    let pool = tf.attr("aws_vpc_ipam_pool.p", "id");
    let before = base.db_dump();
    let pool_block = |body: &str| {
        format!(
            r#"resource "aws_vpc_ipam_pool" "p" {{
  address_family = "ipv4"
  ipam_scope_id  = "{private}"
}}
{body}"#
        )
    };
    // A bad pool (`bad_pool`) or pool CIDR (`bad_cidr`) with these argument lines.
    let bad_pool = |lines: &str| {
        format!(
            "resource \"aws_vpc_ipam_pool\" \"bad\" {{\n  address_family = \"ipv4\"\n  ipam_scope_id = \"{private}\"\n{lines}\n}}"
        )
    };
    let bad_cidr = |lines: &str| {
        format!("resource \"aws_vpc_ipam_pool_cidr\" \"bad\" {{\n  ipam_pool_id = \"{pool}\"\n{lines}\n}}")
    };
    let (in_pool, in_cidr) = ("with aws_vpc_ipam_pool.bad", "with aws_vpc_ipam_pool_cidr.bad");
    let not_operated = "Region not operated by the IPAM";
    let cases: Vec<(String, Vec<&str>, bool)> = vec![
        (
            bad_pool("  allocation_min_netmask_length = 28\n  allocation_max_netmask_length = 20"),
            vec!["allocation_min_netmask_length", in_pool],
            false,
        ),
        (
            bad_pool("  locale = \"ap-south-1\""),
            vec![
                "Locale is not an operating region",
                &ipam_id,
                "operating_regions",
                in_pool,
            ],
            true,
        ),
        (
            bad_pool("  region = \"ap-south-1\""),
            vec![not_operated, &ipam_id, "eu-west-1, us-east-1", in_pool],
            true,
        ),
        (
            bad_cidr("  cidr = \"10.0.0.0/16\"\n  region = \"ap-south-1\""),
            vec![not_operated, &ipam_id, in_cidr],
            true,
        ),
        (bad_cidr(""), vec!["Missing CIDR", "netmask_length", in_cidr], false),
        (
            bad_cidr("  cidr = \"10.0.0.1/16\""),
            vec!["10.0.0.1/16", in_cidr],
            false,
        ),
    ];
    for (body, expected, at_apply) in cases {
        aws_config(&tf, &pool_block(&body));
        let out = flat(&if at_apply { tf.apply_fails() } else { tf.plan_fails() });
        for e in &expected {
            assert!(out.contains(e), "{e:?} not in:\n{out}");
        }
        assert_eq!(base.db_dump(), before, "a refused change writes nothing:\n{body}");
    }
}

backend_tests!(
    pool_lifecycle,
    pool_cidr_lifecycle,
    same_objects_under_both_names,
    bad_input_is_refused_and_writes_nothing
);
