//! Rules for resource shares (seed rules R-77..R-85).

use super::{Error, Result, ids, organization};

/// The permission that lets principals view, allocate from and release into a shared pool.
pub const DEFAULT_PERMISSION: &str = "arn:aws:ram::aws:permission/AWSRAMDefaultPermissionsIpamPool";
/// The permission that lets principals import BYOIP CIDRs into a shared pool, not allocate.
pub const BYOIP_IMPORT_PERMISSION: &str = "arn:aws:ram::aws:permission/AWSRAMPermissionIpamPoolByoipCidrImport";

/// only IPAM pools can be shared; returns the pool ID of each ARN.
pub fn check_resource_arns(arns: &[String]) -> Result<Vec<String>> {
    arns.iter()
        .map(|arn| match ids::parse_ec2_arn(arn) {
            Some((_, "ipam-pool", id)) if ids::is_id(id, "ipam-pool", 17) => Ok(id.to_string()),
            _ => Err(Error::invalid(
                "Only IPAM pools can be shared",
                format!(
                    "{arn:?} is not an IPAM pool ARN. Share pools by their `arn`, e.g. ipam_pool.example.arn (R-82)."
                ),
            )
            .at("resource_arns")),
        })
        .collect()
}

/// Principals are 12-digit account IDs, organisation ARNs or OU ARNs.
pub fn check_principals(principals: &[String]) -> Result<()> {
    for p in principals {
        organization::parse_principal(p)?;
    }
    Ok(())
}

/// exactly one of the two IPAM pool permissions.
pub fn check_permissions(perms: &[String]) -> Result<()> {
    let known = [DEFAULT_PERMISSION, BYOIP_IMPORT_PERMISSION];
    if let Some(p) = perms.iter().find(|p| !known.contains(&p.as_str())) {
        return Err(Error::invalid(
            "Unknown permission",
            format!("{p:?} is not an IPAM pool permission. Use {DEFAULT_PERMISSION} (view, allocate, release) or {BYOIP_IMPORT_PERMISSION} (import BYOIP CIDRs)."),
        )
        .at("permission_arns"));
    }
    if perms.len() != 1 {
        return Err(Error::invalid(
            "Choose one permission",
            "A share of IPAM pools carries exactly one permission (R-82). Use two shares to grant both.",
        )
        .at("permission_arns"));
    }
    Ok(())
}

/// A new share ARN: `arn:aws:ram:<region>:<account>:resource-share/<uuid>`.
pub fn new_share_arn(region: &str, account: &str) -> String {
    let b: u128 = rand::random();
    let h = format!("{b:032x}");
    format!(
        "arn:aws:ram:{region}:{account}:resource-share/{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// Parses a share ARN into (region, account).
pub fn parse_share_arn(arn: &str) -> Result<(&str, &str)> {
    let bad = || {
        Error::invalid(
            "Invalid resource share ARN",
            format!("{arn:?} is not of the form arn:aws:ram:<region>:<account>:resource-share/<id>."),
        )
    };
    let rest = arn.strip_prefix("arn:aws:ram:").ok_or_else(bad)?;
    let mut parts = rest.splitn(3, ':');
    let (region, account, res) = (
        parts.next().ok_or_else(bad)?,
        parts.next().ok_or_else(bad)?,
        parts.next().ok_or_else(bad)?,
    );
    if !res.starts_with("resource-share/") || res.len() <= "resource-share/".len() {
        return Err(bad());
    }
    Ok((region, account))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r82_only_pools_can_be_shared() {
        let ok = vec!["arn:aws:ec2::123456789012:ipam-pool/ipam-pool-0123456789abcdef0".to_string()];
        assert_eq!(check_resource_arns(&ok).unwrap(), vec!["ipam-pool-0123456789abcdef0"]);
        let bad = vec!["arn:aws:ec2::123456789012:ipam/ipam-0123456789abcdef0".to_string()];
        assert_eq!(
            check_resource_arns(&bad).unwrap_err().attribute().as_deref(),
            Some("resource_arns")
        );
    }

    #[test]
    fn r82_one_known_permission() {
        assert!(check_permissions(&[DEFAULT_PERMISSION.to_string()]).is_ok());
        assert!(check_permissions(&[DEFAULT_PERMISSION.to_string(), BYOIP_IMPORT_PERMISSION.to_string()]).is_err());
        assert!(check_permissions(&["arn:aws:ram::aws:permission/Other".to_string()]).is_err());
    }

    #[test]
    fn share_arns() {
        let arn = new_share_arn("us-east-1", "123456789012");
        assert_eq!(parse_share_arn(&arn).unwrap(), ("us-east-1", "123456789012"));
        assert!(arn.len() > 60, "{arn}");
        assert!(parse_share_arn("arn:aws:ram:us-east-1:123456789012:other/x").is_err());
        assert!(check_principals(&["12".to_string()]).is_err());
    }
}
