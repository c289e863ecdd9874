//! Who may do what: every authorization decision of the provider. An object is changed only by
//! its owner; a pool is used by its owner, or by a principal of a resource share that names it
//! with the default permission; the BYOIP-import permission only shows the pool
//!

use super::model::{Allocation, Ipam, Pool, Scope, Share};
use super::organization::{self, Organization, Principal};
use super::share_rules::{self, DEFAULT_PERMISSION};
use super::storage::Storage;
use super::{Error, ErrorKind, Result, ids};

fn forbidden(summary: impl Into<String>, detail: impl Into<String>) -> Error {
    Error::new(ErrorKind::Forbidden, summary, detail)
}

/// Refuses a change by `account` to an object (`what` with ID `id`) that `owner` owns.
pub fn check_owner(account: &str, what: &str, id: &str, owner: &str) -> Result<()> {
    if owner == account {
        return Ok(());
    }
    Err(forbidden(
        format!("{what} belongs to another account"),
        format!(
            "{what} {id} is owned by account {owner}, but this provider acts as account {account}. Only the owner can change or delete it; \
             use a provider block with `account_id = \"{owner}\"`."
        ),
    ))
}

/// Refuses a pool in a scope of another account's IPAM: only the IPAM's owner creates pools.
pub fn check_can_create_pool_in(account: &str, scope: &Scope, ipam: &Ipam) -> Result<()> {
    if ipam.owner_id == account {
        return Ok(());
    }
    Err(forbidden(
        "Scope belongs to another account",
        format!(
            "Scope {} is in IPAM {} of account {}, and only that account creates pools in it; this provider acts as account {account}. \
             Create the pool with the owner's provider block, then share it (`ipam_resource_share`) so that {account} can allocate from it.",
            scope.id, ipam.id, ipam.owner_id
        ),
    )
    .at("ipam_scope_id"))
}

/// Refuses a child pool of another account's pool: a share lets an account allocate, never carve
/// pools out of someone else's space.
pub fn check_can_create_child_of(account: &str, parent: &Pool) -> Result<()> {
    if parent.owner_id == account {
        return Ok(());
    }
    Err(forbidden(
        "Source pool belongs to another account",
        format!(
            "Pool {} is owned by account {}; only the owner creates child pools from it. This provider acts as account {account}: \
             allocate from the shared pool with `ipam_pool_allocation`, or create the child pool with the owner's provider block.",
            parent.id, parent.owner_id
        ),
    )
    .at("source_ipam_pool_id"))
}

/// The permissions of the shares of `resource_arn` whose principals cover `account`: the account
/// itself, or, with the provider's organisation map `org`, its organisation or one of its units.
pub fn share_permissions_covering(
    st: &impl Storage,
    resource_arn: &str,
    account: &str,
    org: Option<&Organization>,
) -> Result<Vec<String>> {
    let principals = org.map_or_else(|| vec![account.to_string()], |o| o.principals_covering(account));
    let mut perms = Vec::new();
    for p in principals {
        perms.extend(st.share_permissions_for(resource_arn, &p)?);
    }
    Ok(perms)
}

/// Refuses an allocation by `account` from a pool it neither owns nor has been shared (directly,
/// or through its organisation or organizational unit in `org`).
pub fn check_can_allocate(st: &impl Storage, pool: &Pool, account: &str, org: Option<&Organization>) -> Result<()> {
    if pool.owner_id == account {
        return Ok(());
    }
    let arn = ids::ec2_arn(&pool.owner_id, "ipam-pool", &pool.id);
    let perms = share_permissions_covering(st, &arn, account, org)?;
    if perms.iter().any(|p| p == DEFAULT_PERMISSION) {
        return Ok(());
    }
    let detail = if perms.is_empty() {
        let shares = st.shares_naming(&arn)?;
        if shares.is_empty() {
            format!(
                "Pool {} belongs to account {}, and no resource share grants it to account {account} (R-37, R-84). \
                 The owner must share the pool with an `ipam_resource_share` naming {account} as a principal.",
                pool.id, pool.owner_id
            )
        } else {
            not_covered(pool, account, org, &shares)
        }
    } else {
        format!(
            "Pool {} is shared with account {account} only with the BYOIP import permission, which lets it see the pool but not allocate (R-82, R-83). \
             The owner must share it with `AWSRAMDefaultPermissionsIpamPool`.",
            pool.id
        )
    };
    Err(forbidden("Pool is not shared with this account", detail).at("ipam_pool_id"))
}

/// Why the shares of a pool do not cover `account`: each share by name and ARN with the
/// principals it names (organisations and units with the accounts `org` says they hold).
fn not_covered(pool: &Pool, account: &str, org: Option<&Organization>, shares: &[Share]) -> String {
    let describe = |p: &str| {
        let accounts = || {
            org.and_then(|o| o.expand(p).ok())
                .map(|a| a.into_iter().collect::<Vec<_>>().join(", "))
                .map_or_else(String::new, |a| format!(", accounts [{a}]"))
        };
        match organization::parse_principal(p) {
            Ok(Principal::Unit { unit, .. }) => format!("organizational unit {unit} ({p}{})", accounts()),
            Ok(Principal::Organization { org: id, .. }) => format!("organization {id} ({p}{})", accounts()),
            _ => format!("account {p}"),
        }
    };
    let named: Vec<String> = shares
        .iter()
        .map(|s| {
            let principals: Vec<String> = s.principals.iter().map(|p| describe(p)).collect();
            let principals = if principals.is_empty() {
                "no principal".to_string()
            } else {
                principals.join(", ")
            };
            format!("resource share {:?} ({}) names it for {principals}", s.name, s.arn)
        })
        .collect();
    let map = if org.is_none()
        && shares
            .iter()
            .flat_map(|s| &s.principals)
            .any(|p| !p.chars().all(|c| c.is_ascii_digit()))
    {
        " This provider has no organization map (an `organization` block or an IPAM_ORGANIZATION file), so it cannot tell \
         which accounts organisation and OU principals stand for."
    } else {
        ""
    };
    format!(
        "Pool {} belongs to account {}, and no resource share grants it to account {account} (R-37, R-84): {}, and account {account} is in none of them.{map} \
         The owner must add account {account}, or an organizational unit holding it, to the principals of a share of the pool (`principals` of an `ipam_resource_share`, or an `aws_ram_principal_association`).",
        pool.id,
        pool.owner_id,
        named.join("; ")
    )
}

/// Refuses a change to an allocation by an account other than the one that made it.
pub fn check_can_change_allocation(account: &str, a: &Allocation) -> Result<()> {
    if a.resource_owner == account {
        return Ok(());
    }
    Err(forbidden(
        "Allocation belongs to another account",
        format!(
            "Allocation {} was made by account {}; only that account changes it (this provider acts as account {account}). \
             Use the allocating account's provider block.",
            a.id, a.resource_owner
        ),
    ))
}

/// Refuses the release of an allocation by an account that neither made it nor owns its pool
/// (`pool_owner`).
pub fn check_can_release(account: &str, a: &Allocation, pool_owner: &str) -> Result<()> {
    if a.resource_owner == account || pool_owner == account {
        return Ok(());
    }
    Err(forbidden(
        "Allocation belongs to another account",
        format!(
            "Allocation {} was made by account {} from a pool of account {pool_owner}; account {account} can release neither. Use the owner's provider block.",
            a.id, a.resource_owner
        ),
    ))
}

/// Checks the pools of a share: every pool exists, belongs to the acting account, and lives in an
/// IPAM whose home region is the provider's `region`.
pub fn check_can_share(st: &impl Storage, account: &str, region: &str, arns: &[String]) -> Result<()> {
    for (arn, id) in arns.iter().zip(share_rules::check_resource_arns(arns)?) {
        let pool = st
            .pool(&id)?
            .ok_or_else(|| Error::not_found("pool", &id).at("resource_arns"))?;
        if pool.owner_id != account {
            return Err(forbidden(
                "Only the owner can share a pool",
                format!(
                    "Pool {id} ({arn}) belongs to account {}; account {account} cannot share it.",
                    pool.owner_id
                ),
            )
            .at("resource_arns"));
        }
        let ipam = st
            .ipam(&pool.ipam_id)?
            .ok_or_else(|| Error::not_found("IPAM", &pool.ipam_id))?;
        if ipam.home_region != region {
            return Err(Error::invalid(
                "Share from the IPAM's home region",
                format!("Pool {id} belongs to an IPAM whose home region is {}; pool shares are made in the home region (R-79), not {region}. Use a provider with `region = \"{}\"`.", ipam.home_region, ipam.home_region),
            )
            .at("resource_arns"));
        }
    }
    Ok(())
}
