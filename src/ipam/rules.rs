//! The IPAM rules. Each is one function, called by plan-time validation and by apply-time
//! enforcement alike, and each names the seed rule that states it.

use super::model::{Quotas, Scope, ScopeType};
use super::{AttrPath, Error, ErrorKind, Result};

/// Region names as AWS spells them (`us-east-1`, `ap-northeast-1`, `us-gov-west-1`).
pub fn check_region_name(region: &str, attribute: impl Into<AttrPath>) -> Result<()> {
    let attribute = attribute.into();
    let parts: Vec<&str> = region.split('-').collect();
    let ok = parts.len() >= 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts.last().is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "Invalid region name",
            format!("`{attribute}`: {region:?} is not an AWS region name. Use a name such as \"us-east-1\" or \"eu-west-2\"."),
        )
        .at_path(attribute))
    }
}

/// An account ID is 12 digits.
pub fn check_account_id(account: &str, attribute: &str) -> Result<()> {
    if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Error::invalid(
            "Invalid account ID",
            format!("{account:?} is not an AWS account ID. An account ID is exactly 12 digits, e.g. \"123456789012\"."),
        )
        .at(attribute))
    }
}

/// The `region_name` of one of an IPAM's `operating_regions` (a set of blocks).
pub fn operating_region_name() -> AttrPath {
    AttrPath::attr("operating_regions").element().then("region_name")
}

/// the IPAM's home region (the provider region) must be one of its operating regions;
/// regions must be valid and listed once.
pub fn check_operating_regions(home_region: &str, regions: &[String]) -> Result<()> {
    for (i, r) in regions.iter().enumerate() {
        check_region_name(r, operating_region_name())?;
        if regions[..i].contains(r) {
            return Err(Error::invalid(
                "Duplicate operating region",
                format!("Operating region {r:?} is listed more than once. List each region once."),
            )
            .at("operating_regions"));
        }
    }
    if !regions.iter().any(|r| r == home_region) {
        return Err(Error::invalid(
            "Operating regions must include the home region",
            format!(
                "The IPAM's home region is {home_region:?} (the region it is created in: the provider's `region`, or the resource's \
                 `region` where it has one), so `operating_regions` must include it (R-03). \
                 Add `operating_regions {{ region_name = \"{home_region}\" }}`, or create the IPAM in one of its operating regions."
            ),
        )
        .at("operating_regions"));
    }
    Ok(())
}

/// R-01 quota: one IPAM per region per account (by default). The error points at the operating
/// region's `region_name`: Terraform shows that line when the IPAM has a single
/// `operating_regions` block (the home region, R-03), and the resource otherwise.
pub fn check_ipam_quota(existing_in_region: i64, quotas: &Quotas, region: &str, account: &str) -> Result<()> {
    if existing_in_region >= quotas.ipams_per_region {
        return Err(Error::new(
            ErrorKind::Quota,
            "IPAM quota reached",
            format!(
                "Account {account} already has {existing_in_region} IPAM(s) in region {region:?}; the quota is {} per region (R-01). \
                 Use the existing IPAM (import it with `terraform import`), delete it, or raise `quotas {{ ipams_per_region }}` in the provider block.",
                quotas.ipams_per_region
            ),
        )
        .at_path(operating_region_name()));
    }
    Ok(())
}

/// R-14 quota: scopes per IPAM, the two default scopes included.
pub fn check_scope_quota(existing: i64, quotas: &Quotas, ipam_id: &str) -> Result<()> {
    if existing >= quotas.scopes_per_ipam {
        return Err(Error::new(
            ErrorKind::Quota,
            "Scope quota reached",
            format!(
                "IPAM {ipam_id} already has {existing} scopes (the two default scopes included); the quota is {} per IPAM (R-14). \
                 Delete an unused scope, or raise `quotas {{ scopes_per_ipam }}` in the provider block.",
                quotas.scopes_per_ipam
            ),
        )
        .at("ipam_id"));
    }
    Ok(())
}

/// default scopes cannot be deleted, nor scopes that still hold pools.
pub fn check_scope_deletable(scope: &Scope, pool_count: i64) -> Result<()> {
    if scope.is_default {
        return Err(Error::new(
            ErrorKind::Conflict,
            "Default scopes cannot be deleted",
            format!(
                "Scope {} is a default scope of IPAM {}; it goes only with the IPAM itself (R-12).",
                scope.id, scope.ipam_id
            ),
        ));
    }
    if pool_count > 0 {
        return Err(Error::new(
            ErrorKind::Conflict,
            "Scope still has pools",
            format!(
                "Scope {} still holds {pool_count} pool(s); delete them first (R-13), or delete the IPAM with `cascade = true`.",
                scope.id
            ),
        ));
    }
    Ok(())
}

/// an IPAM with non-default scopes or pools is deleted only with `cascade`, and never
/// while its public scope still has pools.
pub fn check_ipam_deletable(
    ipam_id: &str,
    cascade: bool,
    extra_scopes: i64,
    private_pools: i64,
    public_pools: i64,
) -> Result<()> {
    if public_pools > 0 {
        return Err(Error::new(
            ErrorKind::Conflict,
            "IPAM public scope still has pools",
            format!(
                "IPAM {ipam_id} has {public_pools} pool(s) in its public scope. Public pools are never deleted by cascade (R-66): \
                 deprovision their CIDRs and delete them first."
            ),
        ));
    }
    if !cascade && (extra_scopes > 0 || private_pools > 0) {
        return Err(Error::new(
            ErrorKind::Conflict,
            "IPAM still has scopes or pools",
            format!(
                "IPAM {ipam_id} still has {extra_scopes} non-default scope(s) and {private_pools} pool(s). Delete them first, \
                 or set `cascade = true` on the IPAM to delete its private scopes, pools, CIDRs and allocations with it (R-65)."
            ),
        ));
    }
    Ok(())
}

/// only private scopes can be created by a user.
pub fn creatable_scope_type() -> ScopeType {
    ScopeType::Private
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r03_home_region_must_be_an_operating_region() {
        assert!(check_operating_regions("us-east-1", &["us-east-1".into(), "eu-west-1".into()]).is_ok());
        let e = check_operating_regions("us-east-1", &["eu-west-1".into()]).unwrap_err();
        assert_eq!(e.attribute().as_deref(), Some("operating_regions"));
        assert!(e.detail.contains("us-east-1"));
        let e = check_operating_regions("us-east-1", &["us-east-1".into(), "us-east-1".into()]).unwrap_err();
        assert!(e.summary.contains("Duplicate"));
        let e = check_operating_regions("us-east-1", &["US_EAST".into()]).unwrap_err();
        assert_eq!(e.attribute().as_deref(), Some("operating_regions.region_name"));
    }

    #[test]
    fn r01_one_ipam_per_region() {
        let q = Quotas::default();
        assert!(check_ipam_quota(0, &q, "us-east-1", "123456789012").is_ok());
        let e = check_ipam_quota(1, &q, "us-east-1", "123456789012").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Quota);
        assert_eq!(e.attribute().as_deref(), Some("operating_regions.region_name"));
        let two = Quotas {
            ipams_per_region: 2,
            ..Quotas::default()
        };
        assert!(check_ipam_quota(1, &two, "us-east-1", "123456789012").is_ok());
    }

    #[test]
    fn r14_five_scopes_including_defaults() {
        let q = Quotas::default();
        assert!(check_scope_quota(4, &q, "ipam-1").is_ok());
        let e = check_scope_quota(5, &q, "ipam-1").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Quota);
        assert_eq!(e.attribute().as_deref(), Some("ipam_id"));
    }

    #[test]
    fn r12_r13_scope_deletion() {
        let mut s = Scope {
            id: "ipam-scope-1".into(),
            ipam_id: "ipam-1".into(),
            owner_id: "123456789012".into(),
            scope_type: ScopeType::Private,
            is_default: true,
            description: None,
            tags: Default::default(),
            tags_all: Default::default(),
            state: crate::ipam::model::State::CreateComplete,
        };
        assert!(check_scope_deletable(&s, 0).is_err());
        s.is_default = false;
        assert!(check_scope_deletable(&s, 1).is_err());
        assert!(check_scope_deletable(&s, 0).is_ok());
    }

    #[test]
    fn r65_r66_ipam_deletion() {
        assert!(check_ipam_deletable("ipam-1", false, 0, 0, 0).is_ok());
        assert!(check_ipam_deletable("ipam-1", false, 1, 0, 0).is_err());
        assert!(check_ipam_deletable("ipam-1", true, 1, 3, 0).is_ok());
        assert!(check_ipam_deletable("ipam-1", true, 1, 3, 1).is_err());
    }

    #[test]
    fn account_and_region_formats() {
        assert!(check_account_id("123456789012", "account_id").is_ok());
        assert!(check_account_id("12345", "account_id").is_err());
        assert!(check_region_name("ap-northeast-1", "region").is_ok());
        assert!(check_region_name("us-gov-west-1", "region").is_ok());
        assert!(check_region_name("useast1", "region").is_err());
    }
}
