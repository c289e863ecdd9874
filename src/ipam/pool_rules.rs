//! Rules for pools, pool CIDRs and allocations (seed rules R-16..R-66). Each is one function,
//! called inside the apply transaction, and at plan time too when its facts are the resource's
//! own configuration or facts of other objects that never change in place; a rule on mutable
//! state of another object (operating regions, netmask rules, the default netmask) only warns at
//! plan (see ARCHITECTURE.md, "When a rule is decided").

use super::cidr::{Cidr, Family};
use super::model::{
    AwsService, ComplianceStatus, Pool, PublicIpSource, Quotas, ResourceType, ScopeType, Tags, locale_region,
};
use super::{Error, ErrorKind, Result};

/// The Amazon-provided IPv6 space pools with `public_ip_source = "amazon"` draw from.
pub const AMAZON_IPV6_BLOCK: &str = "2600:1f00::/24";

/// What a pool is created with, as far as the rules need it.
#[derive(Clone, Debug, Default)]
pub struct PoolSpec<'a> {
    pub address_family: Option<Family>,
    pub locale: Option<&'a str>,
    pub auto_import: Option<bool>,
    pub min_netmask: Option<i64>,
    pub max_netmask: Option<i64>,
    pub default_netmask: Option<i64>,
    pub aws_service: Option<AwsService>,
    pub public_ip_source: Option<PublicIpSource>,
    pub publicly_advertisable: Option<bool>,
}

/// Checks of a pool's own arguments that need no other object: family, netmask rules (R-30..R-32),
/// auto-import vs locale, the public IP source by family.
pub fn check_pool_spec(spec: &PoolSpec) -> Result<()> {
    let family = spec.address_family;
    let bits = family.map_or(128, |f| i64::from(f.bits()));
    for (name, v) in [
        ("allocation_min_netmask_length", spec.min_netmask),
        ("allocation_max_netmask_length", spec.max_netmask),
        ("allocation_default_netmask_length", spec.default_netmask),
    ] {
        if let Some(n) = v
            && !(0..=bits).contains(&n)
        {
            return Err(Error::invalid(
                    "Netmask length out of range",
                    format!("`{name}` is {n}, but a netmask length is 0-32 for IPv4 and 0-128 for IPv6 (R-30); this pool allows 0-{bits}."),
                )
                .at(name));
        }
    }
    if let (Some(min), Some(max)) = (spec.min_netmask, spec.max_netmask)
        && min > max
    {
        return Err(Error::invalid(
                "Minimum netmask length greater than the maximum",
                format!("`allocation_min_netmask_length` ({min}) must not be greater than `allocation_max_netmask_length` ({max}) (R-30; equal values allow exactly one size). Swap them or lower the minimum."),
            )
            .at("allocation_min_netmask_length"));
    }
    if let Some(d) = spec.default_netmask {
        let lo = spec.min_netmask.unwrap_or(0);
        let hi = spec.max_netmask.unwrap_or(bits);
        if d < lo || d > hi {
            return Err(Error::invalid(
                "Default netmask length outside the allowed range",
                format!("`allocation_default_netmask_length` ({d}) must lie between the minimum ({lo}) and the maximum ({hi}) netmask length (R-31)."),
            )
            .at("allocation_default_netmask_length"));
        }
    }
    if spec.auto_import == Some(true) && spec.locale.and_then(locale_region).is_none() {
        return Err(Error::invalid(
            "Auto-import needs a locale",
            "`auto_import` cannot be enabled on a pool whose locale is \"None\" (R-29). Set `locale` to a region, or drop `auto_import`.",
        )
        .at("auto_import"));
    }
    if spec.public_ip_source == Some(PublicIpSource::Amazon) && family == Some(Family::V4) {
        return Err(Error::invalid(
            "Amazon-provided space is IPv6 only here",
            "`public_ip_source = \"amazon\"` is supported for IPv6 pools; IPv4 public space comes from BYOIP (`public_ip_source = \"byoip\"`).",
        )
        .at("public_ip_source"));
    }
    if spec.publicly_advertisable.is_some() && family == Some(Family::V4) {
        return Err(Error::invalid(
            "publicly_advertisable is for IPv6 pools",
            "`publicly_advertisable` applies only to IPv6 pools in the public scope (R-28). Remove it from this IPv4 pool.",
        )
        .at("publicly_advertisable"));
    }
    Ok(())
}

/// Checks that need the scope and the parent pool, whose facts used here never change in place:
/// R-16 (a private scope holds IPv4 or IPv6 pools, its IPv6 space checked per CIDR by
/// [`private_ipv6_space`]), R-23 (child pools: family, scope, depth quota), public-scope-only
/// arguments. Returns the new pool's depth. The IPAM's operating regions can change, so R-18 is
/// [`check_locale`], decided at apply.
pub fn check_pool_placement(
    spec: &PoolSpec,
    scope_type: ScopeType,
    scope_id: &str,
    parent: Option<&Pool>,
    quotas: &Quotas,
) -> Result<i64> {
    if scope_type == ScopeType::Private {
        for (name, set) in [
            ("aws_service", spec.aws_service.is_some()),
            ("public_ip_source", spec.public_ip_source.is_some()),
            ("publicly_advertisable", spec.publicly_advertisable.is_some()),
        ] {
            if set {
                return Err(Error::invalid(
                    format!("{name} is for public pools"),
                    format!(
                        "`{name}` applies only to pools in the public scope; scope {scope_id} is private. Remove it."
                    ),
                )
                .at(name));
            }
        }
    }
    let depth = match parent {
        None => 1,
        Some(p) => {
            if p.scope_id != scope_id {
                return Err(Error::invalid(
                    "Parent pool is in another scope",
                    format!("Source pool {} is in scope {}, but this pool is in scope {scope_id}; a child pool lives in its parent's scope (R-23).", p.id, p.scope_id),
                )
                .at("source_ipam_pool_id"));
            }
            if let Some(f) = spec.address_family
                && f != p.address_family
            {
                return Err(Error::invalid(
                    "Parent pool has another address family",
                    format!(
                        "Source pool {} is {}, so its child pools must be {} too (R-23).",
                        p.id, p.address_family, p.address_family
                    ),
                )
                .at("address_family"));
            }
            p.depth + 1
        }
    };
    if depth > quotas.pool_depth {
        return Err(Error::new(
            ErrorKind::Quota,
            "Pool depth quota reached",
            format!("This pool would be at depth {depth}, but pools nest at most {} deep (R-23). Attach it higher in the hierarchy, or raise `quotas {{ pool_depth }}`.", quotas.pool_depth),
        )
        .at("source_ipam_pool_id"));
    }
    Ok(depth)
}

/// Unique local IPv6 space, which a private scope always accepts.
pub const ULA_BLOCK: &str = "fd00::/8";
/// Global unicast IPv6 space, which a private scope accepts when its IPAM has `enable_private_gua`.
pub const GUA_BLOCK: &str = "2000::/3";

/// The kind of IPv6 space a top-level CIDR of a private scope is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrivateV6 {
    /// Inside [`ULA_BLOCK`].
    Ula,
    /// Inside [`GUA_BLOCK`].
    Gua,
}

/// R-16 as AWS decides it today (the seeds predate private IPv6): a top-level IPv6 CIDR of a
/// private scope lies in unique local space or in global unicast space. Anything else
/// (link-local, multicast, `fc00::/8` outside `fd00::/8`, the unspecified or loopback range) is
/// refused on `attribute`. Decided from the CIDR alone.
pub fn private_ipv6_space(cidr: &Cidr, attribute: &str) -> Result<PrivateV6> {
    let inside = |block: &str| Cidr::parse(block).is_ok_and(|b| b.contains(cidr));
    if inside(ULA_BLOCK) {
        return Ok(PrivateV6::Ula);
    }
    if inside(GUA_BLOCK) {
        return Ok(PrivateV6::Gua);
    }
    Err(Error::invalid(
        "IPv6 CIDR not allowed in a private scope",
        format!(
            "{cidr} is neither unique local nor global unicast space. A private scope's IPv6 pools take CIDRs inside {ULA_BLOCK} \
             (unique local, e.g. fd00:1234::/48), or inside {GUA_BLOCK} (global unicast) when the IPAM has `enable_private_gua = true` (R-16)."
        ),
    )
    .at(attribute))
}

/// Global unicast space in a private scope needs the IPAM's `enable_private_gua` (R-16 as AWS
/// decides it today). The setting can change in place, so this is decided at apply.
pub fn check_private_gua(cidr: &Cidr, space: PrivateV6, ipam_id: &str, enabled: bool, attribute: &str) -> Result<()> {
    if space == PrivateV6::Gua && !enabled {
        return Err(Error::invalid(
            "Global unicast IPv6 needs enable_private_gua",
            format!(
                "{cidr} is global unicast space ({GUA_BLOCK}), which a private scope holds only when its IPAM allows it, and IPAM {ipam_id} \
                 does not. Set `enable_private_gua = true` on the IPAM, or use unique local space inside {ULA_BLOCK}."
            ),
        )
        .at(attribute));
    }
    Ok(())
}

/// Checks a CIDR provisioned to a top-level private IPv6 pool: its kind of space, and for global
/// unicast space the IPAM's `enable_private_gua`. Other pools are not concerned.
pub fn check_private_ipv6_cidr(
    pool: &Pool,
    scope_type: ScopeType,
    cidr: &Cidr,
    private_gua: bool,
    attribute: &str,
) -> Result<()> {
    if scope_type != ScopeType::Private || pool.source_pool_id.is_some() || cidr.family != Family::V6 {
        return Ok(());
    }
    let space = private_ipv6_space(cidr, attribute)?;
    check_private_gua(cidr, space, &pool.ipam_id, private_gua, attribute)
}

/// Turning `enable_private_gua` off is refused while a private pool of the IPAM holds global
/// unicast space. `held` is every top-level CIDR of the IPAM's private pools, with its pool.
pub fn check_private_gua_off(ipam_id: &str, held: &[(String, Cidr)]) -> Result<()> {
    let gua: Vec<String> = held
        .iter()
        .filter(|(_, c)| c.family == Family::V6 && matches!(private_ipv6_space(c, "cidr"), Ok(PrivateV6::Gua)))
        .map(|(pool, c)| format!("{c} in pool {pool}"))
        .collect();
    if !gua.is_empty() {
        return Err(Error::new(
            ErrorKind::Conflict,
            "Private pools hold global unicast IPv6",
            format!(
                "IPAM {ipam_id} cannot turn `enable_private_gua` off while its private pools hold global unicast space: {}. \
                 Deprovision those CIDRs first (destroy their `ipam_pool_cidr`), or keep `enable_private_gua = true`.",
                gua.join(", ")
            ),
        )
        .at("enable_private_gua"));
    }
    Ok(())
}

/// a pool's locale is `None` or one of its IPAM's operating regions.
pub fn check_locale(locale: Option<&str>, ipam_id: &str, operating_regions: &[String]) -> Result<()> {
    if let Some(l) = locale.and_then(locale_region)
        && !operating_regions.iter().any(|r| r == l)
    {
        return Err(Error::invalid(
            "Locale is not an operating region",
            format!(
                "Locale {l:?} is not one of the operating regions of IPAM {ipam_id} ({}) (R-18). Add the region to the IPAM's `operating_regions`, or use one of them.",
                operating_regions.join(", ")
            ),
        )
        .at("locale"));
    }
    Ok(())
}

/// R-24 quota: pools per scope.
pub fn check_pool_quota(existing: i64, quotas: &Quotas, scope_id: &str) -> Result<()> {
    if existing >= quotas.pools_per_scope {
        return Err(Error::new(
            ErrorKind::Quota,
            "Pool quota reached",
            format!("Scope {scope_id} already has {existing} pools; the quota is {} per scope (R-24). Delete unused pools, or raise `quotas {{ pools_per_scope }}`.", quotas.pools_per_scope),
        )
        .at("ipam_scope_id"));
    }
    Ok(())
}

/// a pool with CIDRs, allocations or child pools is deleted only with `cascade`.
pub fn check_pool_deletable(pool: &Pool, cidrs: i64, allocations: i64, children: i64) -> Result<()> {
    if pool.cascade == Some(true) {
        return Ok(());
    }
    if cidrs > 0 || allocations > 0 || children > 0 {
        return Err(Error::new(
            ErrorKind::Conflict,
            "Pool is not empty",
            format!(
                "Pool {} still has {cidrs} provisioned CIDR(s), {allocations} allocation(s) and {children} child pool(s) (R-61, R-63). \
                 Release the allocations and deprovision the CIDRs first, or set `cascade = true` on the pool to delete everything in it.",
                pool.id
            ),
        ));
    }
    Ok(())
}

/// `cidr` together with `netmask_length`: accepted when they describe the same block size (the
/// read-back of every pool CIDR and allocation, which `terraform plan -generate-config-out`
/// writes), refused naming both when they disagree.
pub fn check_cidr_netmask(cidr: &Cidr, netmask: i64) -> Result<()> {
    if i64::from(cidr.prefix) != netmask {
        return Err(Error::invalid(
            "Conflicting arguments",
            format!(
                "`cidr` is {cidr}, a /{}, but `netmask_length` is {netmask}. Give only one of them, or make `netmask_length` {} to match `cidr`.",
                cidr.prefix, cidr.prefix
            ),
        )
        .at("netmask_length"));
    }
    Ok(())
}

/// The CIDR's family must be the pool's.
pub fn check_family(pool: &Pool, cidr: &Cidr, attribute: &str) -> Result<()> {
    if cidr.family != pool.address_family {
        return Err(Error::invalid(
            "Address family mismatch",
            format!(
                "{cidr} is {}, but pool {} is an {} pool. Use an {} CIDR.",
                cidr.family, pool.id, pool.address_family, pool.address_family
            ),
        )
        .at(attribute));
    }
    Ok(())
}

/// An exact CIDR must not overlap any of the allocation's own `disallowed_cidrs`: the request
/// would contradict itself.
pub fn check_outside_disallowed(cidr: &Cidr, disallowed: &[Cidr]) -> Result<()> {
    match disallowed.iter().find(|d| d.overlaps(cidr)) {
        Some(d) => Err(Error::invalid(
            "CIDR overlaps a disallowed CIDR",
            format!(
                "The allocation asks for {cidr}, but its `disallowed_cidrs` excludes {d}, which overlaps it. \
                 Remove {d} from `disallowed_cidrs`, or choose a `cidr` outside it."
            ),
        )
        .at("disallowed_cidrs")),
        None => Ok(()),
    }
}

/// the longest prefix a public-scope BYOIP pool may be provisioned with. `source` is
/// the `public_ip_source` of the hierarchy's top-level pool; Amazon-provided space has its own
/// sizes (/40 to /52 at the top) and is split freely below.
pub fn check_public_prefix(
    pool: &Pool,
    scope_type: ScopeType,
    source: Option<PublicIpSource>,
    prefix: u8,
    attribute: &str,
) -> Result<()> {
    if scope_type != ScopeType::Public || source == Some(PublicIpSource::Amazon) {
        return Ok(());
    }
    let (limit, why) = match pool.address_family {
        Family::V4 => (24, "a public IPv4 pool takes /24 or larger (R-43)"),
        _ if pool.publicly_advertisable == Some(false) => {
            (60, "a non-advertisable public IPv6 pool takes /60 or larger (R-44)")
        }
        _ => (48, "an advertisable public IPv6 pool takes /48 or larger (R-44)"),
    };
    if prefix > limit {
        return Err(Error::invalid(
            "CIDR too small for a public pool",
            format!("/{prefix} is too specific: {why}."),
        )
        .at(attribute));
    }
    Ok(())
}

/// R-42 quota: CIDRs per pool.
pub fn check_cidr_quota(existing: i64, quotas: &Quotas, pool_id: &str) -> Result<()> {
    if existing >= quotas.cidrs_per_pool {
        return Err(Error::new(
            ErrorKind::Quota,
            "Pool CIDR quota reached",
            format!("Pool {pool_id} already has {existing} CIDRs; the quota is {} per pool (R-42). Raise `quotas {{ cidrs_per_pool }}` if you need more.", quotas.cidrs_per_pool),
        )
        .at("ipam_pool_id"));
    }
    Ok(())
}

/// top-level CIDRs of one scope never overlap. `overlapping` is the top-level CIDR of the
/// scope the store found overlapping `cidr` (with its pool), if any.
pub fn check_top_level_overlap(cidr: &Cidr, overlapping: Option<(&str, &Cidr)>) -> Result<()> {
    if let Some((other, c)) = overlapping {
        return Err(Error::new(
                ErrorKind::Conflict,
                "CIDR overlaps another pool",
                format!("{cidr} overlaps {c}, already provisioned to pool {other} in the same scope (R-40). Choose a CIDR that is free in the scope, or provision it to a child pool of {other}."),
            )
            .at("cidr"));
    }
    Ok(())
}

/// a child pool takes CIDRs only from what is provisioned to its parent, so a parent
/// without CIDRs can give nothing.
pub fn check_parent_has_cidrs(parent_id: &str, child_id: &str, parent_cidrs: &[Cidr]) -> Result<()> {
    if parent_cidrs.is_empty() {
        return Err(Error::invalid(
            "Parent pool has no CIDRs",
            format!("Source pool {parent_id} has no provisioned CIDRs, so nothing can be provisioned to its child {child_id} (R-22). Provision a CIDR to the parent first."),
        )
        .at("cidr"));
    }
    Ok(())
}

/// an explicit child-pool CIDR must lie inside one of the parent's CIDRs and be wholly free
/// there. `free_block` is the parent's free block with the greatest start not above `cidr`'s
/// start (the store's floor lookup): the CIDR is free exactly when that block contains it.
pub fn check_free_in_parent(
    parent_id: &str,
    cidr: &Cidr,
    parent_cidrs: &[Cidr],
    free_block: Option<&Cidr>,
) -> Result<()> {
    let why = if !parent_cidrs.iter().any(|r| r.contains(cidr)) {
        super::allocator::AllocError::<Error>::NotInPool(*cidr)
    } else if !free_block.is_some_and(|b| b.contains(cidr)) {
        super::allocator::AllocError::NotFree(*cidr)
    } else {
        return Ok(());
    };
    Err(Error::new(
        ErrorKind::Conflict,
        format!("Cannot allocate from pool {parent_id}"),
        format!("{why} (R-41: a child pool's CIDR must be free in its parent.)"),
    )
    .at("cidr"))
}

/// a pool CIDR is deprovisioned only when nothing (allocation or child-pool CIDR) is
/// allocated inside it. `inside` is how many the store counted.
pub fn check_deprovisionable(pool_id: &str, cidr: &Cidr, inside: i64) -> Result<()> {
    if inside > 0 {
        return Err(Error::new(
            ErrorKind::Conflict,
            "CIDR still has allocations",
            format!(
                "{cidr} in pool {pool_id} still holds {inside} allocation(s) or child-pool CIDR(s) (R-50). Release them (destroy the allocations, deprovision the child pools' CIDRs) first."
            ),
        ));
    }
    Ok(())
}

/// a pool can be created without CIDRs, but nothing is allocated (or previewed) from it
/// until a CIDR is provisioned. `cidrs` is how many the pool has.
pub fn check_pool_has_cidrs(pool_id: &str, cidrs: i64) -> Result<()> {
    if cidrs == 0 {
        return Err(Error::invalid(
            "Pool has no CIDRs",
            format!("Pool {pool_id} has no provisioned CIDRs, so nothing can be allocated from it (R-25). Provision a CIDR with `ipam_pool_cidr` first."),
        )
        .at("ipam_pool_id"));
    }
    Ok(())
}

/// A pool's allocation netmask rules (minimum, maximum, default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NetmaskRules {
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub default: Option<i64>,
}

/// rules are not inherited. A new pool's netmask rules are exactly those of its own
/// arguments; the parent's are never copied down (`_parent` is taken to make that explicit).
pub fn own_netmask_rules(spec: &PoolSpec, _parent: Option<&Pool>) -> NetmaskRules {
    NetmaskRules {
        min: spec.min_netmask,
        max: spec.max_netmask,
        default: spec.default_netmask,
    }
}

/// What an allocation asks for, as far as the rules need it.
#[derive(Clone, Debug)]
pub struct AllocationSpec<'a> {
    pub resource_type: ResourceType,
    pub resource_region: Option<&'a str>,
    pub netmask: Option<i64>,
    pub tags: &'a Tags,
}

/// The netmask length an allocation gets: the request's, else the pool default.
pub fn allocation_netmask(pool: &Pool, requested: Option<i64>) -> Result<u8> {
    let n = requested.or(pool.default_netmask).ok_or_else(|| {
        Error::invalid(
            "Netmask length required",
            format!(
                "Pool {} has no `allocation_default_netmask_length`, so the request cannot leave both `cidr` and `netmask_length` empty. \
                 Exactly one of them should be provided, or set a default netmask length on the pool.",
                pool.id
            ),
        )
        .at("netmask_length")
    })?;
    let bits = i64::from(pool.address_family.bits());
    if !(0..=bits).contains(&n) {
        return Err(Error::invalid(
            "Netmask length out of range",
            format!(
                "{n} is not a netmask length for an {} pool (0-{bits}).",
                pool.address_family
            ),
        )
        .at("netmask_length"));
    }
    Ok(n as u8)
}

/// Decides whether an allocation may be made and whether it is compliant: where it may go
/// ([`check_allocation_target`]), then the pool's rules ([`allocation_compliance`]). Returns the
/// compliance status.
pub fn check_allocation(
    pool: &Pool,
    scope_type: ScopeType,
    spec: &AllocationSpec,
    prefix: u8,
) -> Result<ComplianceStatus> {
    check_allocation_target(pool, scope_type, spec.resource_type, spec.resource_region)?;
    allocation_compliance(pool, spec, prefix)
}

/// Where an allocation may go, from facts of the pool that never change in place (scope type,
/// locale): the public scope refuses custom allocations; the locale rule refuses resources
/// of another region.
pub fn check_allocation_target(
    pool: &Pool,
    scope_type: ScopeType,
    resource_type: ResourceType,
    resource_region: Option<&str>,
) -> Result<()> {
    let custom = resource_type == ResourceType::Custom;
    if !ResourceType::REQUESTABLE.contains(&resource_type) {
        return Err(ResourceType::not_requestable(resource_type.as_str()));
    }
    if custom && scope_type == ScopeType::Public {
        return Err(Error::invalid(
            "Manual allocations are not allowed in the public scope",
            format!("Pool {} is in the public scope, where space goes only to resources (R-54). Set `resource_type` (e.g. \"ec2-public-ipv4-pool\" or \"eip\") or use a private pool.", pool.id),
        )
        .at("resource_type"));
    }
    if !custom {
        let region = resource_region.unwrap_or("");
        if pool.region().is_none() {
            return Err(Error::invalid(
                "Pool without locale cannot serve resources",
                format!("Pool {} has locale \"None\": it can only hold manual (`custom`) allocations (R-19). Allocate from a child pool with a locale.", pool.id),
            )
            .at("resource_type"));
        }
        if region != pool.locale {
            return Err(Error::invalid(
                "Resource is outside the pool's locale",
                format!("Pool {} serves resources in {} only, but the resource is in {region:?} (R-34). Set `resource_region = \"{}\"` or use a pool in the resource's region.", pool.id, pool.locale, pool.locale),
            )
            .at("resource_region"));
        }
    }
    Ok(())
}

/// The pool's allocation rules, which can change in place: netmask rules refuse custom
/// allocations and flag resource allocations; missing required tags flag the allocation
/// . Returns the compliance status.
pub fn allocation_compliance(pool: &Pool, spec: &AllocationSpec, prefix: u8) -> Result<ComplianceStatus> {
    let custom = spec.resource_type == ResourceType::Custom;
    let mut status = ComplianceStatus::Compliant;
    let p = i64::from(prefix);
    let too_big = pool.min_netmask.is_some_and(|m| p < m);
    let too_small = pool.max_netmask.is_some_and(|m| p > m);
    if too_big || too_small {
        if custom {
            let (bound, lim) = if too_big {
                ("minimum", pool.min_netmask)
            } else {
                ("maximum", pool.max_netmask)
            };
            return Err(Error::invalid(
                "Allocation outside the pool's netmask rules",
                format!("A /{p} breaks pool {}'s {bound} netmask length /{} (R-36). Ask for a netmask length within the pool's rules.", pool.id, lim.unwrap_or_default()),
            )
            .at("netmask_length"));
        }
        status = ComplianceStatus::Noncompliant;
    }
    if pool
        .allocation_resource_tags
        .iter()
        .any(|(k, v)| spec.tags.get(k) != Some(v))
    {
        status = ComplianceStatus::Noncompliant;
    }
    Ok(status)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ipam::model::{LOCALE_NONE, State};

    /// A top-level IPv4 pool in us-east-1 with netmask rules /16 to /28.
    pub(crate) fn pool() -> Pool {
        Pool {
            id: "ipam-pool-1".into(),
            scope_id: "ipam-scope-1".into(),
            ipam_id: "ipam-1".into(),
            owner_id: "123456789012".into(),
            address_family: Family::V4,
            locale: "us-east-1".into(),
            locale_configured: true,
            source_pool_id: None,
            depth: 1,
            description: None,
            auto_import: None,
            min_netmask: Some(16),
            max_netmask: Some(28),
            default_netmask: None,
            allocation_resource_tags: Tags::new(),
            aws_service: None,
            public_ip_source: None,
            publicly_advertisable: None,
            tags: Tags::new(),
            tags_all: Tags::new(),
            cascade: None,
            state: State::CreateComplete,
        }
    }

    fn spec<'a>(tags: &'a Tags, rt: &str) -> AllocationSpec<'a> {
        AllocationSpec {
            resource_type: rt.parse().unwrap(),
            resource_region: Some("us-east-1"),
            netmask: None,
            tags,
        }
    }

    #[test]
    fn cidr_and_netmask_length_agree_or_are_refused_naming_both() {
        let c = Cidr::parse("10.0.0.0/16").unwrap();
        assert!(check_cidr_netmask(&c, 16).is_ok());
        let e = check_cidr_netmask(&c, 24).unwrap_err();
        assert_eq!(e.attribute().as_deref(), Some("netmask_length"));
        assert!(
            e.detail.contains("`cidr` is 10.0.0.0/16") && e.detail.contains("`netmask_length` is 24"),
            "{}",
            e.detail
        );
    }

    #[test]
    fn an_exact_cidr_inside_its_disallowed_cidrs_is_refused() {
        let d = [cidr("10.0.0.0/24"), cidr("10.0.8.0/21")];
        assert!(check_outside_disallowed(&cidr("10.0.1.0/24"), &d).is_ok());
        for c in ["10.0.0.0/24", "10.0.0.128/25", "10.0.0.0/16", "10.0.12.0/24"] {
            let e = check_outside_disallowed(&cidr(c), &d).unwrap_err();
            assert_eq!(e.attribute().as_deref(), Some("disallowed_cidrs"), "{c}");
            assert!(e.detail.contains(&format!("asks for {c}")), "{}", e.detail);
        }
    }

    #[test]
    fn r16_private_scope_holds_ipv4_and_ipv6_pools() {
        for f in [Family::V4, Family::V6] {
            let s = PoolSpec {
                address_family: Some(f),
                ..Default::default()
            };
            assert!(check_pool_placement(&s, ScopeType::Private, "s", None, &Quotas::default()).is_ok());
            assert!(check_pool_placement(&s, ScopeType::Public, "s", None, &Quotas::default()).is_ok());
        }
    }

    #[test]
    fn r16_private_ipv6_space_is_ula_or_gua() {
        for c in ["fd00::/8", "fd00:1234::/48", "fdff:ffff::/32", "fd12:3456:789a::/64"] {
            assert_eq!(private_ipv6_space(&cidr(c), "cidr"), Ok(PrivateV6::Ula), "{c}");
        }
        for c in ["2000::/3", "2001:db8::/32", "2600:1f00::/40", "3fff:ffff::/32"] {
            assert_eq!(private_ipv6_space(&cidr(c), "cidr"), Ok(PrivateV6::Gua), "{c}");
        }
        // Link-local, multicast, fc00::/8 (ULA without the L bit), all of fc00::/7, loopback and
        // unspecified, the discard prefix, IPv4-mapped space, and blocks wider than either space.
        for c in [
            "fe80::/10",
            "ff00::/8",
            "fc00::/8",
            "fc12::/16",
            "fc00::/7",
            "::1/128",
            "::/128",
            "100::/64",
            "::/0",
            "::/2",
            "4000::/3",
        ] {
            let e = private_ipv6_space(&cidr(c), "cidr").unwrap_err();
            assert_eq!(e.summary, "IPv6 CIDR not allowed in a private scope", "{c}");
            assert_eq!(e.attribute().as_deref(), Some("cidr"));
            assert!(
                e.detail.contains(c) && e.detail.contains("fd00::/8") && e.detail.contains("enable_private_gua = true"),
                "{}",
                e.detail
            );
        }
    }

    #[test]
    fn r16_private_gua_needs_the_ipam_setting() {
        let mut p = pool();
        p.address_family = Family::V6;
        let (ula, gua) = (cidr("fd00:1::/48"), cidr("2001:db8::/48"));
        assert!(check_private_ipv6_cidr(&p, ScopeType::Private, &ula, false, "cidr").is_ok());
        assert!(check_private_ipv6_cidr(&p, ScopeType::Private, &gua, true, "cidr").is_ok());
        let e = check_private_ipv6_cidr(&p, ScopeType::Private, &gua, false, "cidr").unwrap_err();
        assert_eq!(e.summary, "Global unicast IPv6 needs enable_private_gua");
        assert_eq!(e.attribute().as_deref(), Some("cidr"));
        assert!(
            e.detail.contains("ipam-1") && e.detail.contains("2001:db8::/48"),
            "{}",
            e.detail
        );
        assert!(check_private_ipv6_cidr(&p, ScopeType::Private, &cidr("fe80::/64"), true, "cidr").is_err());
        // Public pools and child pools (inside their parent's space) are not concerned.
        assert!(check_private_ipv6_cidr(&p, ScopeType::Public, &cidr("fe80::/64"), false, "cidr").is_ok());
        p.source_pool_id = Some("ipam-pool-0".into());
        assert!(check_private_ipv6_cidr(&p, ScopeType::Private, &gua, false, "cidr").is_ok());
    }

    #[test]
    fn r16_private_gua_cannot_be_turned_off_while_held() {
        let held = |c: &[&str]| -> Vec<(String, Cidr)> {
            c.iter()
                .enumerate()
                .map(|(i, c)| (format!("ipam-pool-{i}"), cidr(c)))
                .collect()
        };
        assert!(check_private_gua_off("ipam-1", &held(&["10.0.0.0/8", "fd00::/16"])).is_ok());
        let e = check_private_gua_off(
            "ipam-1",
            &held(&["10.0.0.0/8", "2001:db8::/48", "fd00::/16", "2600::/40"]),
        )
        .unwrap_err();
        assert_eq!(e.attribute().as_deref(), Some("enable_private_gua"));
        assert!(
            e.detail.contains("2001:db8::/48 in pool ipam-pool-1")
                && e.detail.contains("2600::/40 in pool ipam-pool-3")
                && !e.detail.contains("fd00"),
            "{}",
            e.detail
        );
    }

    #[test]
    fn r18_locale_must_be_an_operating_region() {
        let s = PoolSpec {
            address_family: Some(Family::V4),
            locale: Some("eu-west-1"),
            ..Default::default()
        };
        let e = check_locale(s.locale, "ipam-1", &["us-east-1".into()]).unwrap_err();
        assert_eq!(e.attribute().as_deref(), Some("locale"));
        assert!(e.detail.contains("ipam-1"), "{}", e.detail);
        assert!(check_locale(s.locale, "ipam-1", &["us-east-1".into(), "eu-west-1".into()]).is_ok());
        assert!(check_locale(Some(LOCALE_NONE), "ipam-1", &["us-east-1".into()]).is_ok());
    }

    #[test]
    fn r23_children_inherit_family_scope_and_depth_is_bounded() {
        let mut parent = pool();
        parent.scope_id = "s".into();
        parent.depth = 10;
        let s = PoolSpec {
            address_family: Some(Family::V4),
            ..Default::default()
        };
        let e = check_pool_placement(&s, ScopeType::Private, "s", Some(&parent), &Quotas::default()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Quota);
        parent.depth = 1;
        assert_eq!(
            check_pool_placement(&s, ScopeType::Private, "s", Some(&parent), &Quotas::default()).unwrap(),
            2
        );
        let e = check_pool_placement(&s, ScopeType::Private, "other", Some(&parent), &Quotas::default()).unwrap_err();
        assert_eq!(e.attribute().as_deref(), Some("source_ipam_pool_id"));
    }

    #[test]
    fn r24_pools_per_scope() {
        assert!(check_pool_quota(49, &Quotas::default(), "s").is_ok());
        assert!(check_pool_quota(50, &Quotas::default(), "s").is_err());
    }

    #[test]
    fn r29_auto_import_needs_a_locale() {
        let s = PoolSpec {
            auto_import: Some(true),
            locale: Some("None"),
            ..Default::default()
        };
        assert_eq!(
            check_pool_spec(&s).unwrap_err().attribute().as_deref(),
            Some("auto_import")
        );
        let s = PoolSpec {
            auto_import: Some(true),
            locale: Some("us-east-1"),
            ..Default::default()
        };
        assert!(check_pool_spec(&s).is_ok());
    }

    #[test]
    fn r30_r31_r32_netmask_rules() {
        let s = PoolSpec {
            address_family: Some(Family::V4),
            min_netmask: Some(33),
            ..Default::default()
        };
        assert!(check_pool_spec(&s).is_err());
        let s = PoolSpec {
            address_family: Some(Family::V6),
            min_netmask: Some(100),
            max_netmask: Some(128),
            ..Default::default()
        };
        assert!(check_pool_spec(&s).is_ok());
        // AWS accepts min == max (one allowed size); the seed's "less than" predates that.
        let s = PoolSpec {
            min_netmask: Some(24),
            max_netmask: Some(24),
            default_netmask: Some(24),
            ..Default::default()
        };
        assert!(check_pool_spec(&s).is_ok());
        let s = PoolSpec {
            min_netmask: Some(25),
            max_netmask: Some(24),
            ..Default::default()
        };
        assert_eq!(
            check_pool_spec(&s).unwrap_err().attribute().as_deref(),
            Some("allocation_min_netmask_length")
        );
        let s = PoolSpec {
            min_netmask: Some(16),
            max_netmask: Some(24),
            default_netmask: Some(28),
            ..Default::default()
        };
        assert_eq!(
            check_pool_spec(&s).unwrap_err().attribute().as_deref(),
            Some("allocation_default_netmask_length")
        );
    }

    #[test]
    fn r28_publicly_advertisable_is_ipv6_only() {
        let s = PoolSpec {
            address_family: Some(Family::V4),
            publicly_advertisable: Some(true),
            ..Default::default()
        };
        assert!(check_pool_spec(&s).is_err());
    }

    #[test]
    fn public_only_arguments_in_a_private_scope_are_refused() {
        let s = PoolSpec {
            address_family: Some(Family::V4),
            aws_service: Some(AwsService::Ec2),
            ..Default::default()
        };
        let e = check_pool_placement(&s, ScopeType::Private, "s", None, &Quotas::default()).unwrap_err();
        assert_eq!(e.attribute().as_deref(), Some("aws_service"));
    }

    #[test]
    fn r36_netmask_rules_refuse_custom_and_flag_resources() {
        let t = Tags::new();
        let p = pool();
        assert_eq!(
            check_allocation(&p, ScopeType::Private, &spec(&t, "custom"), 24).unwrap(),
            ComplianceStatus::Compliant
        );
        assert!(check_allocation(&p, ScopeType::Private, &spec(&t, "custom"), 8).is_err());
        assert_eq!(
            check_allocation(&p, ScopeType::Private, &spec(&t, "vpc"), 8).unwrap(),
            ComplianceStatus::Noncompliant
        );
        assert_eq!(
            check_allocation(&p, ScopeType::Private, &spec(&t, "vpc"), 30).unwrap(),
            ComplianceStatus::Noncompliant
        );
    }

    #[test]
    fn r33_missing_tags_are_noncompliant() {
        let mut p = pool();
        p.allocation_resource_tags.insert("env".into(), "prod".into());
        let none = Tags::new();
        assert_eq!(
            check_allocation(&p, ScopeType::Private, &spec(&none, "custom"), 24).unwrap(),
            ComplianceStatus::Noncompliant
        );
        let ok: Tags = [("env".to_string(), "prod".to_string())].into();
        assert_eq!(
            check_allocation(&p, ScopeType::Private, &spec(&ok, "custom"), 24).unwrap(),
            ComplianceStatus::Compliant
        );
    }

    #[test]
    fn r34_r19_locale_rule_refuses_foreign_resources() {
        let t = Tags::new();
        let mut p = pool();
        let s = AllocationSpec {
            resource_region: Some("eu-west-1"),
            ..spec(&t, "vpc")
        };
        assert_eq!(
            check_allocation(&p, ScopeType::Private, &s, 24)
                .unwrap_err()
                .attribute()
                .as_deref(),
            Some("resource_region")
        );
        p.locale = LOCALE_NONE.into();
        assert!(check_allocation(&p, ScopeType::Private, &spec(&t, "vpc"), 24).is_err());
        assert!(check_allocation(&p, ScopeType::Private, &spec(&t, "custom"), 24).is_ok());
    }

    #[test]
    fn r54_no_manual_allocations_in_the_public_scope() {
        let t = Tags::new();
        assert!(check_allocation(&pool(), ScopeType::Public, &spec(&t, "custom"), 24).is_err());
        assert!(check_allocation(&pool(), ScopeType::Public, &spec(&t, "eip"), 24).is_ok());
    }

    #[test]
    fn r43_r44_public_prefix_limits() {
        let mut p = pool();
        assert!(check_public_prefix(&p, ScopeType::Public, None, 24, "cidr").is_ok());
        assert!(check_public_prefix(&p, ScopeType::Public, None, 25, "cidr").is_err());
        assert!(check_public_prefix(&p, ScopeType::Private, None, 28, "cidr").is_ok());
        p.address_family = Family::V6;
        assert!(check_public_prefix(&p, ScopeType::Public, None, 48, "cidr").is_ok());
        assert!(check_public_prefix(&p, ScopeType::Public, None, 49, "cidr").is_err());
        assert!(check_public_prefix(&p, ScopeType::Public, Some(PublicIpSource::Amazon), 56, "cidr").is_ok());
        p.publicly_advertisable = Some(false);
        assert!(check_public_prefix(&p, ScopeType::Public, None, 60, "cidr").is_ok());
        assert!(check_public_prefix(&p, ScopeType::Public, None, 61, "cidr").is_err());
    }

    fn cidr(s: &str) -> Cidr {
        Cidr::parse(s).unwrap()
    }

    #[test]
    fn r40_top_level_cidrs_of_a_scope_do_not_overlap() {
        let c = cidr("10.0.0.128/25");
        assert!(check_top_level_overlap(&c, None).is_ok());
        let other = cidr("10.0.0.0/24");
        let e = check_top_level_overlap(&c, Some(("ipam-pool-a", &other))).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Conflict);
        assert_eq!(e.summary, "CIDR overlaps another pool");
        assert_eq!(e.attribute().as_deref(), Some("cidr"));
        assert!(e.detail.contains("10.0.0.0/24") && e.detail.contains("ipam-pool-a") && e.detail.contains("R-40"));
    }

    #[test]
    fn r22_child_cidrs_come_only_from_a_parent_with_cidrs() {
        let e = check_parent_has_cidrs("ipam-pool-p", "ipam-pool-c", &[]).unwrap_err();
        assert_eq!(e.summary, "Parent pool has no CIDRs");
        assert_eq!(e.attribute().as_deref(), Some("cidr"));
        assert!(e.detail.contains("R-22"));
        assert!(check_parent_has_cidrs("ipam-pool-p", "ipam-pool-c", &[cidr("10.0.0.0/8")]).is_ok());
    }

    #[test]
    fn r41_child_cidr_must_be_inside_and_free_in_the_parent() {
        let roots = [cidr("10.0.0.0/16")];
        let c = cidr("10.0.1.0/24");
        // Free: the floor free block contains the CIDR.
        assert!(check_free_in_parent("p", &c, &roots, Some(&cidr("10.0.0.0/16"))).is_ok());
        assert!(check_free_in_parent("p", &c, &roots, Some(&cidr("10.0.1.0/24"))).is_ok());
        // Outside every parent CIDR.
        let e = check_free_in_parent("p", &cidr("10.9.0.0/24"), &roots, None).unwrap_err();
        assert!(
            e.detail.contains("is not inside any CIDR provisioned to the pool"),
            "{}",
            e.detail
        );
        assert_eq!(e.attribute().as_deref(), Some("cidr"));
        // Inside, but the free block below it does not cover it (partly or wholly allocated).
        let e = check_free_in_parent("p", &c, &roots, Some(&cidr("10.0.0.0/24"))).unwrap_err();
        assert!(e.detail.contains("already allocated"), "{}", e.detail);
        let e = check_free_in_parent("p", &cidr("10.0.0.0/23"), &roots, Some(&cidr("10.0.0.0/24"))).unwrap_err();
        assert!(
            e.detail.contains("already allocated") && e.detail.contains("R-41"),
            "{}",
            e.detail
        );
        assert!(check_free_in_parent("p", &c, &roots, None).is_err());
    }

    #[test]
    fn r50_no_deprovision_while_anything_is_allocated_inside() {
        let c = cidr("10.0.0.0/24");
        assert!(check_deprovisionable("p", &c, 0).is_ok());
        let e = check_deprovisionable("p", &c, 2).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Conflict);
        assert_eq!(e.summary, "CIDR still has allocations");
        assert!(e.detail.contains("2 allocation(s)") && e.detail.contains("R-50"));
    }

    #[test]
    fn r25_no_allocation_from_a_pool_without_cidrs() {
        let e = check_pool_has_cidrs("ipam-pool-1", 0).unwrap_err();
        assert_eq!(e.summary, "Pool has no CIDRs");
        assert_eq!(e.attribute().as_deref(), Some("ipam_pool_id"));
        assert!(e.detail.contains("R-25"));
        assert!(check_pool_has_cidrs("ipam-pool-1", 1).is_ok());
    }

    #[test]
    fn r42_cidrs_per_pool_quota() {
        let q = Quotas::default();
        assert!(check_cidr_quota(q.cidrs_per_pool - 1, &q, "p").is_ok());
        let e = check_cidr_quota(q.cidrs_per_pool, &q, "p").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Quota);
        assert!(e.detail.contains("R-42"));
        let small = Quotas {
            cidrs_per_pool: 1,
            ..Quotas::default()
        };
        assert!(check_cidr_quota(0, &small, "p").is_ok());
        assert!(check_cidr_quota(1, &small, "p").is_err());
    }

    #[test]
    fn r27_aws_service_is_only_ec2() {
        let ok = PoolSpec {
            aws_service: Some("ec2".parse().unwrap()),
            ..Default::default()
        };
        assert!(check_pool_spec(&ok).is_ok());
        let e = "s3".parse::<AwsService>().unwrap_err();
        assert_eq!(e.summary, "Invalid AWS service");
        assert!(e.detail.contains("\"s3\"") && e.detail.contains("R-27"), "{}", e.detail);
    }

    #[test]
    fn r35_rules_are_not_inherited_from_the_parent() {
        let mut parent = pool();
        parent.default_netmask = Some(20);
        let child = PoolSpec {
            address_family: Some(Family::V4),
            ..Default::default()
        };
        assert_eq!(own_netmask_rules(&child, Some(&parent)), NetmaskRules::default());
        let own = PoolSpec {
            max_netmask: Some(26),
            ..child
        };
        assert_eq!(
            own_netmask_rules(&own, Some(&parent)),
            NetmaskRules {
                min: None,
                max: Some(26),
                default: None
            }
        );
    }

    #[test]
    fn r31_allocation_netmask_needs_a_request_or_a_pool_default() {
        let mut p = pool();
        let e = allocation_netmask(&p, None).unwrap_err();
        assert_eq!(e.summary, "Netmask length required");
        assert_eq!(e.attribute().as_deref(), Some("netmask_length"));
        assert!(e.detail.contains("allocation_default_netmask_length"));
        assert_eq!(allocation_netmask(&p, Some(24)).unwrap(), 24);
        p.default_netmask = Some(28);
        assert_eq!(allocation_netmask(&p, None).unwrap(), 28);
        assert_eq!(allocation_netmask(&p, Some(26)).unwrap(), 26);
        assert!(allocation_netmask(&p, Some(33)).is_err());
    }

    #[test]
    fn r61_r63_pool_deletion() {
        let mut p = pool();
        assert!(check_pool_deletable(&p, 0, 0, 0).is_ok());
        assert!(check_pool_deletable(&p, 1, 0, 0).is_err());
        assert!(check_pool_deletable(&p, 0, 1, 0).is_err());
        p.cascade = Some(true);
        assert!(check_pool_deletable(&p, 1, 3, 1).is_ok());
    }
}
