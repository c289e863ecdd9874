//! Accounts, resource shares and BYOIP: the seed's BYOIP flow across two accounts.

mod common;

use common::{Tf, flat};

const MEMBER: &str = "444455556666";

fn config(tf: &Tf, message: &str, permission: Option<&str>, principals: &str, with_allocation: bool) -> String {
    let db = tf.db.display();
    let perm = permission
        .map(|p| format!("permission_arns = [\"{p}\"]"))
        .unwrap_or_default();
    let alloc = if with_allocation {
        r#"
resource "ipam_pool_allocation" "member" {
  provider       = ipam.member
  ipam_pool_id   = ipam_pool.regional.id
  netmask_length = 24
  resource_type  = "ec2-public-ipv4-pool"
  resource_id    = "ipv4pool-ec2-0019eed22a684e0b2"
  resource_region = "us-west-2"
  depends_on     = [ipam_resource_share.pools, ipam_pool_cidr.regional]
}
"#
    } else {
        ""
    };
    // What the member account sees of the shared pool, through its own provider.
    let view = if with_allocation && principals.contains(MEMBER) {
        r#"
data "ipam_pool" "seen_by_member" {
  provider     = ipam.member
  ipam_pool_id = ipam_pool.regional.id
  depends_on   = [ipam_resource_share.pools, ipam_pool_allocation.member]
}
output "member_view" {
  value = data.ipam_pool.seen_by_member
}
"#
    } else {
        ""
    };
    format!(
        r#"
terraform {{
  required_providers {{
    ipam = {{ source = "local/ipam" }}
  }}
}}
provider "ipam" {{
  database = "{db}"
}}
provider "ipam" {{
  alias      = "member"
  database   = "{db}"
  account_id = "{MEMBER}"
}}
resource "ipam" "main" {{
  operating_regions {{ region_name = "us-east-1" }}
  operating_regions {{ region_name = "us-west-2" }}
}}
resource "ipam_pool" "byoip" {{
  ipam_scope_id    = ipam.main.public_default_scope_id
  address_family   = "ipv4"
  public_ip_source = "byoip"
  description      = "top-level BYOIP pool"
}}
resource "ipam_pool_cidr" "byoip" {{
  ipam_pool_id = ipam_pool.byoip.id
  cidr         = "130.137.245.0/24"
  cidr_authorization_context {{
    message   = "{message}"
    signature = "signed-message"
  }}
}}
resource "ipam_pool" "regional" {{
  ipam_scope_id       = ipam.main.public_default_scope_id
  address_family      = "ipv4"
  locale              = "us-west-2"
  aws_service         = "ec2"
  source_ipam_pool_id = ipam_pool.byoip.id
}}
resource "ipam_pool_cidr" "regional" {{
  ipam_pool_id   = ipam_pool.regional.id
  netmask_length = 24
  depends_on     = [ipam_pool_cidr.byoip]
}}
resource "ipam_resource_share" "pools" {{
  name          = "byoip-pools"
  resource_arns = [ipam_pool.regional.arn]
  principals    = [{principals}]
  {perm}
}}
{alloc}
{view}
"#
    )
}

const GOOD: &str = "1|aws|123456789012|130.137.245.0/24|20991231|SHA256|RSAPSS";

fn byoip_flow_across_two_accounts() {
    let tf = Tf::new();
    tf.raw_config(&config(&tf, GOOD, None, &format!("\"{MEMBER}\""), true));
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
    tf.raw_config(&config(&tf, GOOD, None, "", true));
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

fn allocation_needs_a_share_with_the_default_permission() {
    let tf = Tf::new();
    // Not a principal: refused.
    tf.raw_config(&config(&tf, GOOD, None, "\"111122223333\"", true));
    let out = flat(&tf.apply_fails());
    assert!(out.contains("Pool is not shared with this account"), "{out}");
    assert!(out.contains(MEMBER), "{out}");
    assert_eq!(
        tf.sql_count("SELECT count(*) FROM allocations WHERE resource_type = 'ec2-public-ipv4-pool'"),
        0
    );
    tf.destroy();
    // Shared for BYOIP import only: the member sees the pool but cannot allocate.
    let tf = Tf::new();
    tf.raw_config(&config(
        &tf,
        GOOD,
        Some("arn:aws:ram::aws:permission/AWSRAMPermissionIpamPoolByoipCidrImport"),
        &format!("\"{MEMBER}\""),
        true,
    ));
    let out = flat(&tf.apply_fails());
    assert!(out.contains("BYOIP import permission"), "{out}");
    tf.destroy();
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
        tf.raw_config(&config(&tf, &message, None, &format!("\"{MEMBER}\""), false));
        let out = flat(&tf.apply_fails());
        assert!(out.contains(expected), "expected {expected:?}:\n{out}");
        assert!(out.contains("cidr_authorization_context"), "points at the block: {out}");
        assert_eq!(tf.sql_count("SELECT count(*) FROM pool_cidrs"), 0);
        tf.destroy();
    }
}

fn shares_refuse_what_is_not_a_pool_and_other_accounts_cannot_change_objects() {
    let tf = Tf::new();
    tf.config(
        r#"resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
}
resource "ipam_resource_share" "bad" {
  name          = "bad"
  resource_arns = [ipam.main.arn]
  principals    = ["444455556666"]
}"#,
    );
    let out = flat(&tf.fails(&["apply", "-auto-approve", "-no-color"]));
    assert!(out.contains("Only IPAM pools can be shared"), "{out}");
    tf.config("resource \"ipam\" \"main\" {\n  operating_regions { region_name = \"us-east-1\" }\n}\n");
    tf.apply();
    // Another account imports the IPAM and tries to change it.
    let other = Tf::sharing(&tf.db).provider_extra(&format!("account_id = \"{MEMBER}\""));
    other.config("resource \"ipam\" \"main\" {\n  description = \"mine now\"\n  operating_regions { region_name = \"us-east-1\" }\n}\n");
    other.ok(&["import", "-no-color", "ipam.main", &tf.attr("ipam.main", "id")]);
    let out = flat(&other.apply_fails());
    assert!(out.contains("IPAM belongs to another account"), "{out}");
    assert!(out.contains("123456789012"), "names the owner: {out}");
    other.ok(&["state", "rm", "ipam.main"]);
    tf.destroy();
}

fn a_share_lets_an_account_allocate_but_never_carve_pools_or_change_what_it_does_not_own() {
    let owner = Tf::new();
    owner.config(
        r#"
resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
}
resource "ipam_pool" "shared" {
  ipam_scope_id                     = ipam.main.private_default_scope_id
  address_family                    = "ipv4"
  allocation_default_netmask_length = 24
}
resource "ipam_pool_cidr" "shared" {
  ipam_pool_id = ipam_pool.shared.id
  cidr         = "10.9.0.0/16"
}
resource "ipam_resource_share" "s" {
  name          = "to-member"
  resource_arns = [ipam_pool.shared.arn]
  principals    = ["444455556666"]
}
resource "ipam_pool_allocation" "owners" {
  ipam_pool_id = ipam_pool.shared.id
  depends_on   = [ipam_pool_cidr.shared]
}
"#,
    );
    owner.apply();
    let pool = owner.attr("ipam_pool.shared", "id");
    let scope = owner.attr("ipam.main", "private_default_scope_id");
    let member = Tf::sharing(&owner.db).provider_extra(&format!("account_id = \"{MEMBER}\""));
    let before = owner.db_dump();
    // A child pool would take space from the shared pool without an allocation: refused at plan.
    member.config(&format!(
        "resource \"ipam_pool\" \"mine\" {{\n  ipam_scope_id = \"{scope}\"\n  address_family = \"ipv4\"\n  source_ipam_pool_id = \"{pool}\"\n}}\n"
    ));
    let out = flat(&member.plan_fails());
    assert!(out.contains("Scope belongs to another account"), "{out}");
    assert!(out.contains("ipam_scope_id"), "points at the attribute: {out}");
    // So is a pool of its own in the owner's scope, and a child pool of the shared pool is
    // refused on the source pool as well (checked once the scope is the member's own).
    member.config(&format!(
        "resource \"ipam_pool\" \"mine\" {{\n  ipam_scope_id = \"{scope}\"\n  address_family = \"ipv4\"\n}}\n"
    ));
    assert!(flat(&member.plan_fails()).contains("only that account creates pools in it"));
    member.config(&format!(
        "resource \"ipam\" \"m\" {{\n  operating_regions {{ region_name = \"us-east-1\" }}\n}}\nresource \"ipam_pool\" \"mine\" {{\n  ipam_scope_id = ipam.m.private_default_scope_id\n  address_family = \"ipv4\"\n  source_ipam_pool_id = \"{pool}\"\n}}\n"
    ));
    let out = flat(&member.apply_fails());
    assert!(out.contains("Source pool belongs to another account"), "{out}");
    member.config("");
    member.apply();
    assert_eq!(owner.db_dump(), before, "nothing of the owner's changed");
    // The member allocates through the share; the owner cannot retag the member's allocation,
    // and the member can neither change nor delete the owner's pool or allocation.
    member.config(&format!(
        "resource \"ipam_pool_allocation\" \"m\" {{\n  ipam_pool_id = \"{pool}\"\n  tags = {{ team = \"member\" }}\n}}\n"
    ));
    member.apply();
    assert_eq!(member.attr("ipam_pool_allocation.m", "resource_owner"), MEMBER);
    let member_alloc = member.attr("ipam_pool_allocation.m", "id");
    let hijack = Tf::sharing(&owner.db);
    hijack.config(&format!(
        "resource \"ipam_pool_allocation\" \"m\" {{\n  ipam_pool_id = \"{pool}\"\n  tags = {{ team = \"owner\" }}\n}}\n"
    ));
    hijack.ok(&["import", "-no-color", "ipam_pool_allocation.m", &member_alloc]);
    let out = flat(&hijack.apply_fails());
    assert!(
        out.contains("Allocation belongs to another account") && out.contains(MEMBER),
        "{out}"
    );
    hijack.ok(&["state", "rm", "ipam_pool_allocation.m"]);
    let thief = Tf::sharing(&owner.db).provider_extra(&format!("account_id = \"{MEMBER}\""));
    thief.config(&format!(
        "resource \"ipam_pool\" \"p\" {{\n  ipam_scope_id = \"{scope}\"\n  address_family = \"ipv4\"\n  allocation_default_netmask_length = 24\n}}\n"
    ));
    thief.ok(&["import", "-no-color", "ipam_pool.p", &pool]);
    thief.config(&format!(
        "resource \"ipam_pool\" \"p\" {{\n  ipam_scope_id = \"{scope}\"\n  address_family = \"ipv4\"\n  allocation_default_netmask_length = 24\n  description = \"taken\"\n}}\n"
    ));
    let out = flat(&thief.apply_fails());
    assert!(out.contains("Pool belongs to another account"), "{out}");
    let out = flat(&thief.fails(&["destroy", "-auto-approve", "-no-color"]));
    assert!(out.contains("Pool belongs to another account"), "{out}");
    thief.ok(&["state", "rm", "ipam_pool.p"]);
    member.destroy();
    owner.destroy();
}

backend_tests!(
    a_share_lets_an_account_allocate_but_never_carve_pools_or_change_what_it_does_not_own,
    byoip_flow_across_two_accounts,
    allocation_needs_a_share_with_the_default_permission,
    byoip_authorization_message_is_checked_field_by_field,
    shares_refuse_what_is_not_a_pool_and_other_accounts_cannot_change_objects,
);
