//! `aws_ram_resource_share`, `aws_ram_resource_association` and `aws_ram_principal_association`:
//! upstream's three RAM resources over the one share object `ipam_resource_share` manages.

use crate::aws::{REQUIRED_AWS, aws_tf_sharing};
use crate::common::{Tf, flat};
use crate::resource_share::pointed_line;

const OWNER: &str = "123456789012";
const MEMBER: &str = "222222222222";
const OUTSIDER: &str = "333333333333";
const ORG_ID: &str = "o-a1b2c3d4e5";
const UNIT: &str = "ou-a1b2-c3d4e5f6";

/// An IPAM (home us-east-1) with a private pool holding 10.1.0.0/16, made through the ipam
/// view; the pool's ID and ARN.
fn pool_in(tf: &Tf) -> (String, String) {
    tf.config(
        r#"resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
}
resource "ipam_pool" "a" {
  ipam_scope_id                     = ipam.main.private_default_scope_id
  address_family                    = "ipv4"
  allocation_default_netmask_length = 24
}
resource "ipam_pool_cidr" "a" {
  ipam_pool_id = ipam_pool.a.id
  cidr         = "10.1.0.0/16"
}"#,
    );
    tf.apply();
    (tf.attr("ipam_pool.a", "id"), tf.attr("ipam_pool.a", "arn"))
}

/// Upstream's acceptance configuration: a share, one pool association and one principal
/// association; `share` is the share's body.
fn ram_config(tf: &Tf, share: &str, pool_arn: &str, principal: &str) {
    tf.raw_config(&format!(
        r#"{REQUIRED_AWS}
provider "aws" {{
  region = "us-east-1"
}}

resource "aws_ram_resource_share" "test" {{
{share}
}}

resource "aws_ram_resource_association" "test" {{
  resource_arn       = "{pool_arn}"
  resource_share_arn = aws_ram_resource_share.test.arn
}}

resource "aws_ram_principal_association" "test" {{
  principal          = "{principal}"
  resource_share_arn = aws_ram_resource_share.test.arn
}}
"#
    ));
}

/// The pools and principals the share's row holds.
fn members(tf: &Tf, arn: &str) -> (String, String) {
    tf.sql_pairs::<String, String>(&format!(
        "SELECT resource_arns, principals FROM shares WHERE arn = '{arn}'"
    ))
    .pop()
    .unwrap_or_else(|| panic!("no share {arn}"))
}

/// Create, plan empty, refresh, import with nothing ignored, update in place, replacement by
/// `permission_arns`, drift behind Terraform's back, destroy.
fn ram_lifecycle() {
    let base = Tf::new();
    let (_, pool_arn) = pool_in(&base);
    let tf = aws_tf_sharing(&base.db);
    let share = r#"  name                      = "tf-acc-test"
  allow_external_principals = true
  tags = { Name = "a" }
  timeouts {
    create = "5m"
  }"#;
    ram_config(&tf, share, &pool_arn, MEMBER);
    tf.apply();
    let v = tf.values("aws_ram_resource_share.test");
    let arn = v["arn"].as_str().expect("arn").to_string();
    assert!(
        arn.starts_with(&format!("arn:aws:ram:us-east-1:{OWNER}:resource-share/")),
        "{v}"
    );
    assert_eq!(v["id"], arn.as_str(), "{v}");
    assert_eq!(v["region"], "us-east-1", "{v}");
    assert_eq!(v["allow_external_principals"], true, "{v}");
    assert_eq!(
        v["permission_arns"],
        serde_json::json!(["arn:aws:ram::aws:permission/AWSRAMDefaultPermissionsIpamPool"]),
        "{v}"
    );
    assert_eq!(v["tags_all"]["Name"], "a", "{v}");
    for hidden in ["resource_arns", "principals", "owner_id", "status"] {
        assert!(v.get(hidden).is_none(), "upstream's share has no {hidden}: {v}");
    }
    let assoc = tf.values("aws_ram_resource_association.test");
    assert_eq!(assoc["id"], format!("{arn},{pool_arn}").as_str(), "{assoc}");
    assert_eq!(assoc["region"], "us-east-1", "{assoc}");
    let principal = tf.values("aws_ram_principal_association.test");
    assert_eq!(principal["id"], format!("{arn},{MEMBER}").as_str(), "{principal}");
    assert_eq!(
        members(&base, &arn),
        (format!("[\"{pool_arn}\"]"), format!("[\"{MEMBER}\"]"))
    );
    tf.assert_plan_empty();
    tf.ok(&["apply", "-refresh-only", "-auto-approve", "-input=false"]);
    tf.assert_plan_empty();

    // Import with nothing ignored (`timeouts` is never read back, as upstream).
    let share = r#"  name                      = "tf-acc-test"
  allow_external_principals = true
  tags = { Name = "a" }"#;
    ram_config(&tf, share, &pool_arn, MEMBER);
    tf.apply();
    tf.import_verify();

    // Update in place: the share's name, flag and tags; its pool and principal are kept.
    let renamed = r#"  name                      = "renamed"
  allow_external_principals = false
  tags = { Name = "b" }"#;
    ram_config(&tf, renamed, &pool_arn, MEMBER);
    let out = tf.apply();
    assert!(out.contains("0 added, 1 changed, 0 destroyed"), "{out}");
    assert_eq!(tf.attr("aws_ram_resource_share.test", "id"), arn);
    assert_eq!(
        members(&base, &arn),
        (format!("[\"{pool_arn}\"]"), format!("[\"{MEMBER}\"]"))
    );
    tf.assert_plan_empty();

    // Drift: a principal removed and the name changed behind Terraform's back. The association
    // is gone from the state and planned again; the name is planned back.
    base.sql(&format!(
        "UPDATE shares SET principals = '[]', name = 'edited' WHERE arn = '{arn}'"
    ));
    let plan = flat(&tf.assert_plan_changes());
    assert!(
        plan.contains("aws_ram_principal_association.test will be created")
            && plan.contains(r#"~ name = "edited" -> "renamed""#),
        "{plan}"
    );
    tf.apply();
    tf.assert_plan_empty();
    assert_eq!(members(&base, &arn).1, format!("[\"{MEMBER}\"]"));

    // A changed principal replaces its association only.
    ram_config(&tf, renamed, &pool_arn, OUTSIDER);
    let plan = flat(&tf.assert_plan_changes());
    assert!(
        plan.contains("aws_ram_principal_association.test must be replaced")
            && plan.contains("1 to add, 0 to change, 1 to destroy"),
        "{plan}"
    );
    tf.apply();
    assert_eq!(members(&base, &arn).1, format!("[\"{OUTSIDER}\"]"));

    // `permission_arns` replaces the share, and with it the associations naming its ARN.
    let byoip = format!(
        "{renamed}\n  permission_arns = [\"arn:aws:ram::aws:permission/AWSRAMPermissionIpamPoolByoipCidrImport\"]"
    );
    ram_config(&tf, &byoip, &pool_arn, OUTSIDER);
    let plan = flat(&tf.assert_plan_changes());
    assert!(
        plan.contains("aws_ram_resource_share.test must be replaced")
            && plan.contains("3 to add, 0 to change, 3 to destroy"),
        "{plan}"
    );
    tf.apply();
    let replaced = tf.attr("aws_ram_resource_share.test", "arn");
    assert_ne!(replaced, arn);
    assert_eq!(
        base.sql_count(&format!("SELECT COUNT(*) FROM shares WHERE arn = '{arn}'")),
        0
    );
    assert_eq!(
        members(&base, &replaced),
        (format!("[\"{pool_arn}\"]"), format!("[\"{OUTSIDER}\"]"))
    );
    tf.assert_plan_empty();

    tf.destroy();
    assert_eq!(base.sql_count("SELECT COUNT(*) FROM shares"), 0);
}

/// One share under both names: made as `ipam_resource_share`, imported as upstream's three
/// resources (plans empty on both sides); an association of an element the share holds is
/// upstream's "already exists"; a share made under the aws name imports as `ipam_resource_share`.
fn ram_mixed_names() {
    let base = Tf::new();
    let (_, pool_arn) = pool_in(&base);
    let ipam_share = format!(
        r#"resource "ipam_resource_share" "s" {{
  name          = "both"
  resource_arns = ["{pool_arn}"]
  principals    = ["{MEMBER}"]
}}"#
    );
    let ipam = Tf::sharing(&base.db);
    ipam.config(&ipam_share);
    ipam.apply();
    let arn = ipam.attr("ipam_resource_share.s", "arn");

    let tf = aws_tf_sharing(&base.db);
    ram_config(&tf, "  name = \"both\"", &pool_arn, MEMBER);
    let both = format!("{arn},{MEMBER}");
    for (addr, id) in [
        ("aws_ram_resource_share.test", arn.clone()),
        ("aws_ram_resource_association.test", format!("{arn},{pool_arn}")),
        ("aws_ram_principal_association.test", both.clone()),
    ] {
        tf.ok(&["import", "-input=false", addr, &id]);
        assert_eq!(tf.attr(addr, "id"), id);
    }
    tf.assert_plan_empty();
    ipam.assert_plan_empty();

    // A second association of what the share holds: upstream's error, nothing written.
    let again = aws_tf_sharing(&base.db);
    again.raw_config(&format!(
        r#"{REQUIRED_AWS}
provider "aws" {{
  region = "us-east-1"
}}
resource "aws_ram_principal_association" "again" {{
  principal          = "{MEMBER}"
  resource_share_arn = "{arn}"
}}
"#
    ));
    let before = base.db_dump();
    let out = flat(&again.apply_fails());
    assert!(
        out.contains(&format!("RAM Principal Association ({both}) already exists"))
            && out.contains("with aws_ram_principal_association.again"),
        "{out}"
    );
    assert_eq!(base.db_dump(), before);

    // An association added under the aws name shows as drift of the ipam share's sets.
    tf.ok(&["state", "rm", "aws_ram_principal_association.test"]);
    ram_config(&tf, "  name = \"both\"", &pool_arn, OUTSIDER);
    tf.apply();
    let plan = flat(&ipam.assert_plan_changes());
    assert!(plan.contains(&format!("- \"{OUTSIDER}\"")), "{plan}");

    // The reverse: a share made under the aws name, imported as ipam_resource_share.
    ipam.ok(&["state", "rm", "ipam_resource_share.s"]);
    tf.destroy();
    assert_eq!(
        base.sql_count("SELECT COUNT(*) FROM shares"),
        0,
        "the share went with the aws state"
    );
    ram_config(&tf, "  name = \"made-as-aws\"", &pool_arn, MEMBER);
    tf.apply();
    let arn = tf.attr("aws_ram_resource_share.test", "arn");
    ipam.config(&ipam_share.replace("\"both\"", "\"made-as-aws\""));
    ipam.ok(&["import", "-input=false", "ipam_resource_share.s", &arn]);
    ipam.assert_plan_empty();
    ipam.ok(&["state", "rm", "ipam_resource_share.s"]);
    tf.destroy();
}

/// Bad input: errors on the attribute, naming the resource and the fix; nothing written.
fn ram_bad_input() {
    let base = Tf::new();
    let (pool_id, pool_arn) = pool_in(&base);
    let tf = aws_tf_sharing(&base.db);
    ram_config(&tf, "  name = \"bad\"", &pool_arn, MEMBER);
    tf.apply();
    let arn = tf.attr("aws_ram_resource_share.test", "arn");
    let before = base.db_dump();

    // Not a pool ARN.
    let ipam_arn = base.attr("ipam.main", "arn");
    ram_config(&tf, "  name = \"bad\"", &ipam_arn, MEMBER);
    let raw = tf.plan_fails();
    assert!(
        pointed_line(&raw, "Only IPAM pools can be shared here").starts_with("resource_arn"),
        "{raw}"
    );
    let out = flat(&raw);
    assert!(
        out.contains(&format!("\"{ipam_arn}\" is not an IPAM pool ARN"))
            && out.contains("with aws_ram_resource_association.test")
            && out.contains("aws_vpc_ipam_pool.example.arn"),
        "{out}"
    );

    // A pool that does not exist: refused at plan, on `resource_arn`.
    let missing = pool_arn.replace(&pool_id, "ipam-pool-0000000000000000f");
    ram_config(&tf, "  name = \"bad\"", &missing, MEMBER);
    let raw = tf.plan_fails();
    assert!(
        pointed_line(&raw, "pool not found").starts_with("resource_arn"),
        "{raw}"
    );

    // Not a principal.
    ram_config(&tf, "  name = \"bad\"", &pool_arn, "12345");
    let raw = tf.plan_fails();
    assert!(
        pointed_line(&raw, "Invalid principal").starts_with("principal "),
        "{raw}"
    );
    assert!(flat(&raw).contains("with aws_ram_principal_association.test"), "{raw}");

    // An OU with no organisation map: this view's map is the IPAM_ORGANIZATION file.
    let unit = format!("arn:aws:organizations::{OWNER}:ou/{ORG_ID}/{UNIT}");
    ram_config(&tf, "  name = \"bad\"", &pool_arn, &unit);
    let raw = tf.plan_fails();
    assert!(
        pointed_line(&raw, "No organization map").starts_with("principal "),
        "{raw}"
    );
    assert!(flat(&raw).contains("IPAM_ORGANIZATION"), "{raw}");

    // An import ID that is not `<share-arn>,<principal>`.
    ram_config(&tf, "  name = \"bad\"", &pool_arn, MEMBER);
    let fresh = aws_tf_sharing(&base.db);
    std::fs::copy(tf.path().join("main.tf"), fresh.path().join("main.tf")).unwrap();
    let out = flat(&fresh.fails(&["import", "-input=false", "aws_ram_principal_association.test", &arn]));
    assert!(
        out.contains("Invalid RAM Principal Association ID") && out.contains("<resource-share-arn>,<principal>"),
        "{out}"
    );
    let out = flat(&fresh.fails(&[
        "import",
        "-input=false",
        "aws_ram_principal_association.test",
        &format!("{arn},{OUTSIDER}"),
    ]));
    assert!(out.contains("RAM Principal Association not found"), "{out}");
    assert_eq!(base.db_dump(), before, "refused changes write nothing");
    tf.destroy();
}

/// The map of organisation `ORG_ID`: OWNER under the root, MEMBER in `UNIT`, OUTSIDER in
/// another unit; as the JSON file `IPAM_ORGANIZATION` names. Returns its path.
fn organization_file(tf: &Tf) -> String {
    let file = tf.path().join("organization.json");
    let map = serde_json::json!({
        "id": ORG_ID,
        "management_account": OWNER,
        "accounts": [OWNER],
        "unit": [
            {"id": UNIT, "accounts": [MEMBER]},
            {"id": "ou-a1b2-99999999", "accounts": [OUTSIDER]},
        ],
    });
    std::fs::write(&file, map.to_string()).unwrap();
    file.display().to_string()
}

/// A pool shared to an OU through the aws names: an account of the unit allocates from it; an
/// account outside it is refused, the error naming the share and the unit.
fn ram_share_to_an_organizational_unit() {
    let base = Tf::new();
    let (pool_id, pool_arn) = pool_in(&base);
    let org = organization_file(&base);
    let tf = aws_tf_sharing(&base.db).env("IPAM_ORGANIZATION", &org);
    let unit = format!("arn:aws:organizations::{OWNER}:ou/{ORG_ID}/{UNIT}");
    ram_config(&tf, "  name = \"to-unit\"", &pool_arn, &unit);
    tf.apply();
    tf.assert_plan_empty();
    let arn = tf.attr("aws_ram_resource_share.test", "arn");

    // Consumers: working directories of the aws view acting as another account (IPAM_ACCOUNT_ID)
    // with the same map.
    let consumer = |account: &str| {
        let c = aws_tf_sharing(&base.db)
            .env("IPAM_ACCOUNT_ID", account)
            .env("IPAM_ORGANIZATION", &org);
        c.raw_config(&format!(
            r#"{REQUIRED_AWS}
provider "aws" {{
  region = "us-east-1"
}}
resource "aws_vpc_ipam_pool_cidr_allocation" "mine" {{
  ipam_pool_id   = "{pool_id}"
  netmask_length = 24
}}
"#
        ));
        c
    };
    let member = consumer(MEMBER);
    member.apply();
    assert_eq!(
        base.sql_count(&format!(
            "SELECT COUNT(*) FROM allocations WHERE resource_owner = '{MEMBER}'"
        )),
        1
    );

    let outsider = consumer(OUTSIDER);
    let before = base.db_dump();
    let out = flat(&outsider.apply_fails());
    for part in [
        "Pool is not shared with this account",
        &format!("no resource share grants it to account {OUTSIDER}"),
        &format!("resource share \"to-unit\" ({arn})"),
        &format!("organizational unit {UNIT} ({unit}, accounts [{MEMBER}])"),
    ] {
        assert!(out.contains(part), "{part:?} not in: {out}");
    }
    assert_eq!(base.db_dump(), before);
    member.destroy();
    tf.destroy();
}

backend_tests!(
    ram_lifecycle,
    ram_mixed_names,
    ram_bad_input,
    ram_share_to_an_organizational_unit
);
