//! Rules that depend on values known only at apply: refused at plan if already wrong, decided at
//! apply otherwise.

use crate::common;

use common::fixtures::{pool_with_cidr, private_ipv6_pool};
use common::{Tf, flat};

/// One check that depends on mutable state of another object, decided at apply (SPEC §4): `base`
/// is applied first; `adds` is a new resource the stored state refuses; `fixed` is `base` with the
/// change that makes `adds` valid. Without the fix the plan warns and apply refuses with nothing
/// written; with the fix in the same configuration one apply succeeds (the plan used to refuse it).
fn decided_at_apply(base: &str, fixed: &str, adds: &str, summary: &str) {
    decided_at_apply_in(Tf::new(), base, fixed, adds, summary);
}

/// [`decided_at_apply`] in a given working directory.
fn decided_at_apply_in(tf: Tf, base: &str, fixed: &str, adds: &str, summary: &str) {
    assert_ne!(base, fixed);
    tf.config(base);
    tf.apply();
    let before = tf.db_dump();
    tf.config(&format!("{base}{adds}"));
    let warning = format!("Warning: Checked at apply: {summary}");
    let plan = flat(&tf.assert_plan_changes());
    assert!(plan.contains(&warning), "the plan warns what apply will check:\n{plan}");
    assert!(plan.contains("decides it again"), "{plan}");
    let out = flat(&tf.apply_fails());
    assert!(out.contains(&format!("Error: {summary}")), "refused at apply:\n{out}");
    assert_eq!(tf.db_dump(), before, "a refused apply writes nothing ({summary})");

    tf.config(&format!("{fixed}{adds}"));
    let plan = flat(&tf.assert_plan_changes());
    assert!(!plan.contains("Error:"), "{plan}");
    tf.apply();
    tf.assert_plan_empty();
    tf.destroy();
    assert_eq!(tf.sql_count("SELECT count(*) FROM pools"), 0);
}

/// R-18 (locale in the IPAM's operating regions): a region added together with its regional pool.
fn moved_to_apply_r18_region_added_with_its_regional_pool() {
    let one = "resource \"ipam\" \"main\" {\n  operating_regions { region_name = \"us-east-1\" }\n}\n";
    let two = "resource \"ipam\" \"main\" {\n  operating_regions { region_name = \"us-east-1\" }\n  operating_regions { region_name = \"us-west-2\" }\n}\n";
    decided_at_apply(
        one,
        two,
        r#"
resource "ipam_pool" "west" {
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
  locale         = "us-west-2"
}
"#,
        "Locale is not an operating region",
    );
}

/// A pool with one CIDR and the given netmask rule line.
fn pool_with_rule(rule: &str) -> String {
    pool_with_cidr("10.0.0.0/24").replace(
        "  address_family = \"ipv4\"\n}",
        &format!("  address_family = \"ipv4\"\n  {rule}\n}}"),
    )
}

/// R-36 (netmask rules): the pool's maximum netmask length raised from 24 to 28 together with a /28
/// allocation that needs it.
fn moved_to_apply_r36_max_netmask_loosened_with_a_28_allocation() {
    decided_at_apply(
        &pool_with_rule("allocation_max_netmask_length = 24"),
        &pool_with_rule("allocation_max_netmask_length = 28"),
        r#"
resource "ipam_pool_allocation" "small" {
  ipam_pool_id   = ipam_pool.p.id
  netmask_length = 28
  depends_on     = [ipam_pool_cidr.c]
}
"#,
        "Allocation outside the pool's netmask rules",
    );
}

/// R-31 (the pool's default netmask length): a default set together with an allocation that gives
/// neither `cidr` nor `netmask_length`.
fn moved_to_apply_r31_default_netmask_set_with_an_allocation_that_needs_it() {
    decided_at_apply(
        &pool_with_rule("description = \"no default\""),
        &pool_with_rule("allocation_default_netmask_length = 28"),
        r#"
resource "ipam_pool_allocation" "by_default" {
  ipam_pool_id = ipam_pool.p.id
  depends_on   = [ipam_pool_cidr.c]
}
"#,
        "Netmask length required",
    );
}

pub(super) const MEMBER: &str = "210987654321";

/// R-37, R-84 (shares and principals): an account added to a pool's share together with its
/// allocation from that pool, made through a second provider alias.
fn moved_to_apply_r37_principal_added_with_its_allocation() {
    let tf = Tf::new();
    let member = tf.provider_alias("member", &format!("account_id = \"{MEMBER}\""));
    let base = |principals: &str| {
        format!(
            r#"{}
{member}
resource "ipam_resource_share" "s" {{
  name          = "pools"
  resource_arns = [ipam_pool.p.arn]
  principals    = [{principals}]
}}
"#,
            pool_with_cidr("10.0.0.0/24"),
        )
    };
    let adds = r#"
resource "ipam_pool_allocation" "member" {
  provider       = ipam.member
  ipam_pool_id   = ipam_pool.p.id
  netmask_length = 28
  depends_on     = [ipam_resource_share.s, ipam_pool_cidr.c]
}
"#;
    decided_at_apply_in(
        tf,
        &base("\"111122223333\""),
        &base(&format!("\"111122223333\", \"{MEMBER}\"")),
        adds,
        "Pool is not shared with this account",
    );
}

/// R-16 as AWS allows today: global unicast space in a private scope needs the IPAM's
/// `enable_private_gua`, set together with the pool CIDR that needs it.
fn moved_to_apply_r16_private_gua_enabled_with_its_cidr() {
    decided_at_apply(
        &private_ipv6_pool(""),
        &private_ipv6_pool("enable_private_gua = true"),
        r#"
resource "ipam_pool_cidr" "gua" {
  ipam_pool_id = ipam_pool.v6.id
  cidr         = "2001:db8::/48"
}
"#,
        "Global unicast IPv6 needs enable_private_gua",
    );
}

backend_tests!(
    moved_to_apply_r16_private_gua_enabled_with_its_cidr,
    moved_to_apply_r18_region_added_with_its_regional_pool,
    moved_to_apply_r36_max_netmask_loosened_with_a_28_allocation,
    moved_to_apply_r31_default_netmask_set_with_an_allocation_that_needs_it,
    moved_to_apply_r37_principal_added_with_its_allocation,
);
