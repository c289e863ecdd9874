//! `ipam_resource_share`: accounts, principals and permissions; what a member may and may not do.

use crate::common;

use common::{Tf, flat};

pub(super) const MEMBER: &str = "444455556666";

pub(super) fn config(
    tf: &Tf,
    message: &str,
    permission: Option<&str>,
    principals: &str,
    with_allocation: bool,
) -> String {
    let view = with_allocation && principals.contains(MEMBER);
    config_with_view(tf, message, permission, principals, with_allocation, view)
}

/// The seed's BYOIP configuration (a body for [`Tf::config`]); with `view`, the member reads the
/// regional pool through its own provider alias (data source `ipam_pool` by ID) into the output
/// `member_view`.
fn config_with_view(
    tf: &Tf,
    message: &str,
    permission: Option<&str>,
    principals: &str,
    with_allocation: bool,
    view: bool,
) -> String {
    let member = tf.provider_alias("member", &format!("account_id = \"{MEMBER}\""));
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
    let view = if view {
        let after = if with_allocation {
            "ipam_resource_share.pools, ipam_pool_allocation.member"
        } else {
            "ipam_resource_share.pools, ipam_pool_cidr.regional"
        };
        format!(
            r#"
data "ipam_pool" "seen_by_member" {{
  provider     = ipam.member
  ipam_pool_id = ipam_pool.regional.id
  depends_on   = [{after}]
}}
output "member_view" {{
  value = data.ipam_pool.seen_by_member
}}
"#
        )
    } else {
        String::new()
    };
    format!(
        r#"
{member}
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

pub(super) const GOOD: &str = "1|aws|123456789012|130.137.245.0/24|20991231|SHA256|RSAPSS";

fn allocation_needs_a_share_with_the_default_permission() {
    let tf = Tf::new();
    // Not a principal: refused.
    tf.config(&config(&tf, GOOD, None, "\"111122223333\"", true));
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
    tf.config(&config(
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

const OWNER: &str = "123456789012";
const OTHER_MEMBER: &str = "777788889999";

/// A working directory on `owner`'s database whose provider acts as `account`.
fn acting_as(owner: &Tf, account: &str) -> Tf {
    Tf::sharing(&owner.db).provider_extra(&format!("account_id = \"{account}\""))
}

/// The owner's side: an IPAM with an extra private scope, private pools `a` (10.1.0.0/16) and `b`
/// (10.2.0.0/16) allocating /24 by default, and a share of the pools `shared` with `principals`.
fn owner_config(shared: &str, principals: &str) -> String {
    let mut hcl = String::from(
        r#"
resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
}
resource "ipam_scope" "extra" {
  ipam_id     = ipam.main.id
  description = "owner's scope"
}
"#,
    );
    for (name, cidr) in [("a", "10.1.0.0/16"), ("b", "10.2.0.0/16")] {
        hcl.push_str(&format!(
            r#"
resource "ipam_pool" "{name}" {{
  ipam_scope_id                     = ipam.main.private_default_scope_id
  address_family                    = "ipv4"
  allocation_default_netmask_length = 24
}}
resource "ipam_pool_cidr" "{name}" {{
  ipam_pool_id = ipam_pool.{name}.id
  cidr         = "{cidr}"
}}
"#
        ));
    }
    hcl.push_str(&format!(
        r#"
resource "ipam_resource_share" "s" {{
  name          = "to-members"
  resource_arns = [{shared}]
  principals    = [{principals}]
}}
"#
    ));
    hcl
}

/// A default-size allocation from `pool`, by ID.
pub(super) fn allocation(name: &str, pool: &str) -> String {
    format!("resource \"ipam_pool_allocation\" \"{name}\" {{\n  ipam_pool_id = \"{pool}\"\n}}\n")
}

fn member_allocations(tf: &Tf) -> i64 {
    tf.sql_count(&format!(
        "SELECT count(*) FROM allocations WHERE resource_owner = '{MEMBER}'"
    ))
}

/// A Terraform output as JSON.
pub(super) fn output(tf: &Tf, name: &str) -> serde_json::Value {
    let out = tf.ok(&["output", "-json", name]);
    serde_json::from_str(&out[out.find('{').unwrap()..]).unwrap()
}

/// The configuration line the diagnostic `summary` points at (Terraform's `NN: <line>` snippet).
pub(super) fn pointed_line(raw: &str, summary: &str) -> String {
    let start = raw
        .find(&format!("Error: {summary}"))
        .unwrap_or_else(|| panic!("no {summary:?} in:\n{raw}"));
    let mut lines = raw[start..].lines().map(|l| l.trim_start_matches(['│', ' ']));
    let n = lines
        .find_map(|l| {
            l.strip_prefix("on main.tf line ")?
                .split(',')
                .next()
                .map(str::to_string)
        })
        .unwrap_or_else(|| panic!("{summary:?} points at no configuration:\n{raw}"));
    let snippet = lines.next().unwrap_or_default();
    snippet
        .strip_prefix(&format!("{n}:"))
        .unwrap_or_else(|| panic!("no snippet of line {n}:\n{raw}"))
        .trim()
        .to_string()
}

/// A refusal of a change by another account names the object, its owner, and the fix.
fn assert_owned_by_owner(out: &str, what: &str, id: &str) {
    assert!(out.contains(&format!("{what} belongs to another account")), "{out}");
    assert!(
        out.contains(&format!("{what} {id} is owned by account {OWNER}")),
        "names the object and its owner: {out}"
    );
    assert!(
        out.contains(&format!("account_id = \"{OWNER}\"")),
        "says how to fix: {out}"
    );
}

fn removing_a_principal_keeps_its_allocations_but_refuses_new_ones() {
    let owner = Tf::new();
    owner.config(&owner_config("ipam_pool.a.arn", &format!("\"{MEMBER}\"")));
    owner.apply();
    let pool = owner.attr("ipam_pool.a", "id");
    let arn = owner.attr("ipam_resource_share.s", "arn");
    let member = acting_as(&owner, MEMBER);
    member.config(&allocation("kept", &pool));
    member.apply();
    let kept = member.values("ipam_pool_allocation.kept");
    assert_eq!(kept["resource_owner"], MEMBER);
    assert_eq!(member_allocations(&owner), 1);

    // The owner removes the member from the share: an update in place of the same share.
    owner.config(&owner_config("ipam_pool.a.arn", ""));
    let plan = flat(&owner.assert_plan_changes());
    assert!(
        plan.contains("ipam_resource_share.s will be updated in-place"),
        "{plan}"
    );
    assert!(plan.contains("0 to add, 1 to change, 0 to destroy"), "{plan}");
    owner.apply();
    owner.assert_plan_empty();
    assert_eq!(owner.attr("ipam_resource_share.s", "arn"), arn);

    // The existing allocation stays: nothing to do for the member, and the space is still its.
    member.assert_plan_empty();
    assert_eq!(member.values("ipam_pool_allocation.kept"), kept);
    assert_eq!(member_allocations(&owner), 1);

    // A new allocation by the member is refused with the diagnostic, and nothing is written.
    let before = owner.db_dump();
    member.config(&format!("{}{}", allocation("kept", &pool), allocation("new", &pool)));
    let raw = member.apply_fails();
    assert_eq!(
        pointed_line(&raw, "Pool is not shared with this account"),
        format!("ipam_pool_id = \"{pool}\"")
    );
    let out = flat(&raw);
    assert!(out.contains("with ipam_pool_allocation.new"), "{out}");
    assert!(
        out.contains(&format!(
            "Pool {pool} belongs to account {OWNER}, and no resource share grants it to account {MEMBER}"
        )),
        "{out}"
    );
    assert!(out.contains("ipam_resource_share"), "says how to fix: {out}");
    assert_eq!(owner.db_dump(), before, "the refused allocation wrote nothing");
    assert_eq!(member_allocations(&owner), 1);

    // The member still releases what it holds.
    member.config(&allocation("kept", &pool));
    member.assert_plan_empty();
    member.destroy();
    assert_eq!(member_allocations(&owner), 0);
    owner.destroy();
    assert_eq!(owner.sql_count("SELECT count(*) FROM shares"), 0);
}

fn a_pool_shared_for_byoip_import_only_is_visible_to_the_principal() {
    let tf = Tf::new();
    let import_only = Some("arn:aws:ram::aws:permission/AWSRAMPermissionIpamPoolByoipCidrImport");
    let principal = format!("\"{MEMBER}\"");
    tf.config(&config_with_view(&tf, GOOD, import_only, &principal, false, true));
    tf.apply();
    tf.assert_plan_empty();
    let pool = tf.attr("ipam_pool.regional", "id");
    let view = output(&tf, "member_view");
    assert_eq!(view["id"], pool.as_str(), "the member reads the pool by ID: {view}");
    assert_eq!(view["ipam_pool_id"], pool.as_str());
    assert_eq!(view["owner_id"], OWNER, "{view}");
    assert_eq!(view["locale"], "us-west-2");
    assert_eq!(view["percent_assigned"], 0.0, "nothing is allocated yet: {view}");

    // An account no share names does not see it.
    let stranger = acting_as(&tf, "111122223333");
    stranger.config(&format!(
        "data \"ipam_pool\" \"p\" {{\n  ipam_pool_id = \"{pool}\"\n}}\n"
    ));
    let out = flat(&stranger.plan_fails());
    assert!(out.contains("no matching IPAM Pool found"), "{out}");

    // Visible, but the member cannot allocate from it; nothing is written.
    let before = tf.db_dump();
    tf.config(&config_with_view(&tf, GOOD, import_only, &principal, true, true));
    let out = flat(&tf.apply_fails());
    assert!(out.contains("BYOIP import permission"), "{out}");
    assert!(
        out.contains("AWSRAMDefaultPermissionsIpamPool"),
        "says how to fix: {out}"
    );
    assert_eq!(tf.db_dump(), before);
    tf.destroy();
    assert_eq!(tf.sql_count("SELECT count(*) FROM pools"), 0);
}

fn a_share_is_updated_in_place_and_an_added_pool_becomes_allocatable() {
    let owner = Tf::new();
    owner.config(&owner_config("ipam_pool.a.arn", &format!("\"{MEMBER}\"")));
    owner.apply();
    let (a, b) = (owner.attr("ipam_pool.a", "id"), owner.attr("ipam_pool.b", "id"));
    let arn = owner.attr("ipam_resource_share.s", "arn");
    let member = acting_as(&owner, MEMBER);
    member.config(&allocation("from_a", &a));
    member.apply();

    // Pool b is not in the share yet: refused.
    let both = format!("{}{}", allocation("from_a", &a), allocation("from_b", &b));
    member.config(&both);
    let before = owner.db_dump();
    let out = flat(&member.apply_fails());
    assert!(
        out.contains("Pool is not shared with this account") && out.contains(&b),
        "{out}"
    );
    assert_eq!(owner.db_dump(), before);

    // The owner adds pool b and a second principal: the share changes in place and keeps its ARN.
    owner.config(&owner_config(
        "ipam_pool.a.arn, ipam_pool.b.arn",
        &format!("\"{MEMBER}\", \"{OTHER_MEMBER}\""),
    ));
    let plan = flat(&owner.assert_plan_changes());
    assert!(
        plan.contains("ipam_resource_share.s will be updated in-place"),
        "{plan}"
    );
    assert!(!plan.contains("must be replaced"), "{plan}");
    assert!(plan.contains("0 to add, 1 to change, 0 to destroy"), "{plan}");
    owner.apply();
    owner.assert_plan_empty();
    let share = owner.values("ipam_resource_share.s");
    assert_eq!(share["arn"], arn.as_str(), "same share");
    assert_eq!(share["id"], arn.as_str());
    let mut arns: Vec<String> = serde_json::from_value(share["resource_arns"].clone()).unwrap();
    arns.sort();
    let mut want = vec![owner.attr("ipam_pool.a", "arn"), owner.attr("ipam_pool.b", "arn")];
    want.sort();
    assert_eq!(arns, want);
    let mut principals: Vec<String> = serde_json::from_value(share["principals"].clone()).unwrap();
    principals.sort();
    assert_eq!(principals, [MEMBER, OTHER_MEMBER]);

    // Now the member allocates from pool b; its allocation from pool a is untouched.
    member.apply();
    member.assert_plan_empty();
    let from_b = member.values("ipam_pool_allocation.from_b");
    assert_eq!(from_b["ipam_pool_id"], b.as_str());
    assert_eq!(from_b["resource_owner"], MEMBER);
    assert_eq!(from_b["cidr"], "10.2.0.0/24");
    // And so does the second principal.
    let other = acting_as(&owner, OTHER_MEMBER);
    other.config(&allocation("o", &b));
    other.apply();
    assert_eq!(other.attr("ipam_pool_allocation.o", "cidr"), "10.2.1.0/24");
    owner.import_verify();
    other.destroy();
    member.destroy();
    owner.destroy();
}

fn other_accounts_cannot_change_delete_or_reshare_what_the_owner_has() {
    let owner = Tf::new();
    owner.config(&owner_config("ipam_pool.a.arn", &format!("\"{MEMBER}\"")));
    owner.apply();
    let share_arn = owner.attr("ipam_resource_share.s", "arn");
    let scope = owner.attr("ipam_scope.extra", "id");
    let ipam = owner.attr("ipam.main", "id");
    let pool = owner.attr("ipam_pool.a", "id");
    let pool_arn = owner.attr("ipam_pool.a", "arn");
    let before = owner.db_dump();
    let member = acting_as(&owner, MEMBER);
    let destroy = ["destroy", "-auto-approve", "-no-color"];

    // The owner's resource share: neither changed nor deleted by the member.
    let share = |name: &str, principal: &str| {
        format!(
            "resource \"ipam_resource_share\" \"s\" {{\n  name = \"{name}\"\n  resource_arns = [\"{pool_arn}\"]\n  principals = [\"{principal}\"]\n}}\n"
        )
    };
    member.config(&share("to-members", MEMBER));
    member.ok(&["import", "-no-color", "ipam_resource_share.s", &share_arn]);
    member.config(&share("taken", OTHER_MEMBER));
    assert_owned_by_owner(&flat(&member.apply_fails()), "Resource share", &share_arn);
    assert_owned_by_owner(&flat(&member.fails(&destroy)), "Resource share", &share_arn);
    member.ok(&["state", "rm", "ipam_resource_share.s"]);
    assert_eq!(owner.db_dump(), before);

    // The owner's scope.
    let scope_hcl = |description: &str| {
        format!("resource \"ipam_scope\" \"x\" {{\n  ipam_id = \"{ipam}\"\n  description = \"{description}\"\n}}\n")
    };
    member.config(&scope_hcl("owner's scope"));
    member.ok(&["import", "-no-color", "ipam_scope.x", &scope]);
    member.config(&scope_hcl("taken"));
    assert_owned_by_owner(&flat(&member.apply_fails()), "Scope", &scope);
    assert_owned_by_owner(&flat(&member.fails(&destroy)), "Scope", &scope);
    member.ok(&["state", "rm", "ipam_scope.x"]);
    assert_eq!(owner.db_dump(), before);

    // The owner's pool CIDR: the member cannot deprovision it.
    member.config(&format!(
        "resource \"ipam_pool_cidr\" \"c\" {{\n  ipam_pool_id = \"{pool}\"\n  cidr = \"10.1.0.0/16\"\n}}\n"
    ));
    member.ok(&[
        "import",
        "-no-color",
        "ipam_pool_cidr.c",
        &format!("10.1.0.0/16_{pool}"),
    ]);
    assert_owned_by_owner(&flat(&member.fails(&destroy)), "Pool", &pool);
    member.ok(&["state", "rm", "ipam_pool_cidr.c"]);
    assert_eq!(owner.db_dump(), before);

    // Only the owner can share a pool, even one shared with the member: refused at plan.
    member.config(&share("reshare", OTHER_MEMBER));
    let raw = member.plan_fails();
    assert!(
        pointed_line(&raw, "Only the owner can share a pool").starts_with("resource_arns ="),
        "{raw}"
    );
    let out = flat(&raw);
    assert!(
        out.contains(&format!(
            "Pool {pool} ({pool_arn}) belongs to account {OWNER}; account {MEMBER} cannot share it"
        )),
        "names the pool and its owner: {out}"
    );
    assert_eq!(owner.db_dump(), before);

    // R-79: the owner itself shares only from the IPAM's home region.
    let elsewhere = Tf::sharing(&owner.db).provider_extra("region = \"us-west-2\"");
    elsewhere.config(&share("from-the-west", MEMBER));
    let raw = elsewhere.plan_fails();
    assert!(
        pointed_line(&raw, "Share from the IPAM's home region").starts_with("resource_arns ="),
        "{raw}"
    );
    let out = flat(&raw);
    assert!(
        out.contains("home region is us-east-1") && out.contains("region = \"us-east-1\""),
        "names the home region and the fix: {out}"
    );
    assert_eq!(owner.db_dump(), before);
    owner.destroy();
}

const ORG_ID: &str = "o-a1b2c3d4e5";
const UNIT: &str = "ou-a1b2-c3d4e5f6";

/// The `organization {}` block: OWNER under the root, MEMBER in `UNIT`, OTHER_MEMBER in a unit
/// under the root that is not `UNIT`.
fn organization_block() -> String {
    format!(
        r#"organization {{
    id                 = "{ORG_ID}"
    management_account = "{OWNER}"
    accounts           = ["{OWNER}"]
    unit {{
      id       = "{UNIT}"
      accounts = ["{MEMBER}"]
    }}
    unit {{
      id       = "ou-a1b2-99999999"
      accounts = ["{OTHER_MEMBER}"]
    }}
  }}"#
    )
}

/// A working directory on `owner`'s database acting as `account`, with the organisation block.
fn acting_in_org(owner: &Tf, account: &str) -> Tf {
    Tf::sharing(&owner.db).provider_extra(&format!("account_id = \"{account}\"\n  {}", organization_block()))
}

fn unit_arn(unit: &str) -> String {
    format!("\"arn:aws:organizations::{OWNER}:ou/{ORG_ID}/{unit}\"")
}

fn a_pool_shared_to_an_organizational_unit_is_allocatable_by_its_accounts_only() {
    let owner = Tf::new().provider_extra(&organization_block());
    // A unit the map does not list is refused at plan, on `principals`, showing the block to add.
    owner.config(&owner_config("ipam_pool.a.arn", &unit_arn("ou-ffff-ffffffff")));
    let raw = owner.plan_fails();
    assert!(
        pointed_line(&raw, "Unknown organizational unit").starts_with("principals"),
        "{raw}"
    );
    let out = flat(&raw);
    assert!(
        out.contains("names unit ou-ffff-ffffffff") && out.contains("id = \"ou-ffff-ffffffff\""),
        "{out}"
    );
    assert_eq!(owner.sql_count("SELECT count(*) FROM shares"), 0);

    owner.config(&owner_config("ipam_pool.a.arn", &unit_arn(UNIT)));
    owner.apply();
    owner.assert_plan_empty();
    assert_eq!(
        owner.values("ipam_resource_share.s")["principals"],
        serde_json::json!([format!("arn:aws:organizations::{OWNER}:ou/{ORG_ID}/{UNIT}")]),
        "the share keeps the ARN as given"
    );
    let pool = owner.attr("ipam_pool.a", "id");
    // An account of the unit allocates.
    let member = acting_in_org(&owner, MEMBER);
    member.config(&allocation("in_unit", &pool));
    member.apply();
    assert_eq!(member_allocations(&owner), 1);
    // An account of another unit is refused at apply, and nothing is written.
    let outsider = acting_in_org(&owner, OTHER_MEMBER);
    outsider.config(&allocation("outside", &pool));
    let before = owner.db_dump();
    let out = flat(&outsider.apply_fails());
    assert!(out.contains("Pool is not shared with this account"), "{out}");
    assert!(
        out.contains(&format!("no resource share grants it to account {OTHER_MEMBER}")),
        "{out}"
    );
    assert_eq!(owner.db_dump(), before);

    // The organisation's ARN stands for every account: now the outsider allocates too.
    owner.config(&owner_config(
        "ipam_pool.a.arn",
        &format!("\"arn:aws:organizations::{OWNER}:organization/{ORG_ID}\""),
    ));
    owner.apply();
    outsider.apply();
    assert_eq!(
        owner.sql_count(&format!(
            "SELECT count(*) FROM allocations WHERE resource_owner = '{OTHER_MEMBER}'"
        )),
        1
    );
    outsider.destroy();
    member.destroy();
    owner.destroy();
}

fn organization_principals_need_a_map_which_ipam_organization_can_give() {
    let owner = Tf::new();
    // No map at all: the share is refused at plan, saying so.
    owner.config(&owner_config("ipam_pool.a.arn", &unit_arn(UNIT)));
    let raw = owner.plan_fails();
    assert!(
        pointed_line(&raw, "No organization map").starts_with("principals"),
        "{raw}"
    );
    assert!(flat(&raw).contains("organization {"), "{raw}");
    // The same map as a JSON file named by IPAM_ORGANIZATION.
    let file = owner.path().join("organization.json");
    let map = serde_json::json!({
        "id": ORG_ID,
        "management_account": OWNER,
        "accounts": [OWNER],
        "unit": [{"id": UNIT, "accounts": [MEMBER]}],
    });
    std::fs::write(&file, map.to_string()).unwrap();
    let path = file.display().to_string();
    let owner = Tf::sharing(&owner.db).env("IPAM_ORGANIZATION", &path);
    owner.config(&owner_config("ipam_pool.a.arn", &unit_arn(UNIT)));
    owner.apply();
    owner.assert_plan_empty();
    let pool = owner.attr("ipam_pool.a", "id");
    let member = acting_as(&owner, MEMBER).env("IPAM_ORGANIZATION", &path);
    member.config(&allocation("in_unit", &pool));
    member.apply();
    assert_eq!(member_allocations(&owner), 1);
    // Without the map, the member's allocation is not covered by the share.
    let member_without = acting_as(&owner, MEMBER);
    member_without.config(&allocation("again", &pool));
    assert!(flat(&member_without.apply_fails()).contains("Pool is not shared with this account"));
    member.destroy();
    owner.destroy();
}

backend_tests!(
    a_pool_shared_to_an_organizational_unit_is_allocatable_by_its_accounts_only,
    organization_principals_need_a_map_which_ipam_organization_can_give,
    removing_a_principal_keeps_its_allocations_but_refuses_new_ones,
    a_pool_shared_for_byoip_import_only_is_visible_to_the_principal,
    a_share_is_updated_in_place_and_an_added_pool_becomes_allocatable,
    other_accounts_cannot_change_delete_or_reshare_what_the_owner_has,
    a_share_lets_an_account_allocate_but_never_carve_pools_or_change_what_it_does_not_own,
    allocation_needs_a_share_with_the_default_permission,
    shares_refuse_what_is_not_a_pool_and_other_accounts_cannot_change_objects,
);
