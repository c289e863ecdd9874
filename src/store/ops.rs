//! Pool operations, each run inside the caller's write transaction: the rules of
//! `ipam::pool_rules` decide, the allocator picks space, and the rows (with address history) are
//! written. A refused operation returns an error and the transaction rolls back whole.

use super::Tx;
use crate::ipam::allocator::{self, FreeSpace};
use crate::ipam::cidr::{Cidr, Family};
use crate::ipam::model::{
    Allocation, CidrState, ComplianceStatus, Pool, PoolCidr, PublicIpSource, ResourceType, ScopeType,
};
use crate::ipam::pool_rules::{self, AMAZON_IPV6_BLOCK};
use crate::ipam::{Error, ErrorKind, Result};
use crate::ipam::{byoip, ids};

/// The current time as stored in history records (RFC 3339, UTC).
pub fn now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

/// Today as `YYYYMMDD` (UTC), for BYOIP expiry checks.
pub fn today() -> String {
    now().get(..10).unwrap_or_default().replace('-', "")
}

fn alloc_err(e: allocator::AllocError<Error>, pool: &Pool, attribute: &str) -> Error {
    match e {
        allocator::AllocError::Storage(e) => e,
        other => {
            let attribute = other.attribute(attribute);
            Error::new(
                ErrorKind::Conflict,
                format!("Cannot allocate from pool {}", pool.id),
                other.to_string(),
            )
            .at(attribute)
        }
    }
}

/// What a provision request asks for.
pub struct ProvisionRequest<'a> {
    pub cidr: Option<Cidr>,
    pub netmask_length: Option<i64>,
    pub auth_message: Option<&'a str>,
    pub auth_signature: Option<&'a str>,
}

/// Provisions a CIDR to a pool (R-22, R-40..R-46).
pub fn provision(
    tx: &Tx,
    pool: &Pool,
    req: &ProvisionRequest,
    account: &str,
    quotas: &crate::ipam::model::Quotas,
) -> Result<PoolCidr> {
    let scope = tx
        .scope(&pool.scope_id)?
        .ok_or_else(|| Error::not_found("scope", &pool.scope_id))?;
    pool_rules::check_cidr_quota(tx.count_pool_cidrs(&pool.id)?, quotas, &pool.id)?;
    let family = pool.address_family;
    let source = root_source(tx, pool)?;
    let cidr = match (&pool.source_pool_id, req.cidr, req.netmask_length) {
        (_, Some(_), Some(_)) | (_, None, None) => {
            return Err(Error::invalid(
                "Exactly one of cidr or netmask_length",
                "Give either `cidr` or `netmask_length`, not both and not neither.",
            )
            .at("cidr"));
        }
        (Some(parent_id), cidr, netmask) => {
            // a child pool's CIDR comes out of free space of its parent.
            let parent = tx.pool(parent_id)?.ok_or_else(|| Error::not_found("pool", parent_id))?;
            let parent_roots = tx.pool_roots(&parent.id)?;
            pool_rules::check_parent_has_cidrs(&parent.id, &pool.id, &parent_roots)?;
            let mut fs = tx.free_space(&parent.id);
            let got = match (cidr, netmask) {
                (Some(c), _) => {
                    pool_rules::check_family(pool, &c, "cidr")?;
                    pool_rules::check_public_prefix(pool, scope.scope_type, source, c.prefix, "cidr")?;
                    let free_block = fs.floor(c.family, c.start)?;
                    pool_rules::check_free_in_parent(&parent.id, &c, &parent_roots, free_block.as_ref())?;
                    allocator::allocate_exact(&mut fs, c, &parent_roots).map_err(|e| alloc_err(e, &parent, "cidr"))?
                }
                (None, Some(n)) => {
                    let n = netmask_u8(n, family)?;
                    pool_rules::check_public_prefix(pool, scope.scope_type, source, n, "netmask_length")?;
                    allocator::allocate_first_fit(&mut fs, family, n, &[], &parent_roots)
                        .map_err(|e| alloc_err(e, &parent, "netmask_length"))?
                }
                (None, None) => unreachable_cidr()?,
            };
            let a = Allocation {
                id: ids::new_allocation_id(),
                pool_id: parent.id.clone(),
                cidr: got,
                netmask_length: None,
                resource_type: ResourceType::IpamPool,
                resource_id: Some(pool.id.clone()),
                resource_owner: pool.owner_id.clone(),
                resource_region: (pool.locale != crate::ipam::model::LOCALE_NONE).then(|| pool.locale.clone()),
                description: None,
                disallowed_cidrs: Vec::new(),
                tags: Default::default(),
                tags_all: Default::default(),
                compliance_status: ComplianceStatus::Compliant,
            };
            tx.insert_allocation(&a)?;
            tx.history_open(&pool.ipam_id, &pool.scope_id, &parent.id, &a, &now())?;
            got
        }
        (None, Some(c), None) => {
            pool_rules::check_family(pool, &c, "cidr")?;
            pool_rules::check_public_prefix(pool, scope.scope_type, source, c.prefix, "cidr")?;
            if byoip::needs_byoip_proof(pool, scope.scope_type) {
                byoip::check_byoip_authorization(req.auth_message, req.auth_signature, account, &c, &today())?;
            }
            c
        }
        (None, None, Some(n)) => {
            let n = netmask_u8(n, family)?;
            if !(scope.scope_type == ScopeType::Public
                && family == Family::V6
                && pool.public_ip_source == Some(PublicIpSource::Amazon))
            {
                return Err(Error::invalid(
                    "A top-level pool needs an explicit CIDR",
                    format!(
                        "Pool {} is a top-level pool: there is no parent to carve `netmask_length` from. Give `cidr`. \
                         (Only public IPv6 pools with `public_ip_source = \"amazon\"` take a netmask length, for Amazon-provided space.)",
                        pool.id
                    ),
                )
                .at("netmask_length"));
            }
            if !(40..=52).contains(&n) {
                return Err(Error::invalid(
                    "Amazon-provided block size",
                    format!("Amazon-provided IPv6 blocks are /40 to /52; /{n} is outside that range."),
                )
                .at("netmask_length"));
            }
            pool_rules::check_public_prefix(pool, scope.scope_type, source, n, "netmask_length")?;
            amazon_block(tx, n)?
        }
    };
    // top-level CIDRs of one scope never overlap.
    if pool.source_pool_id.is_none() {
        let found = tx.overlapping_top_level_cidr(&pool.scope_id, &cidr)?;
        pool_rules::check_top_level_overlap(&cidr, found.as_ref().map(|(p, c)| (p.as_str(), c)))?;
    }
    let pc = PoolCidr {
        id: ids::new_pool_cidr_id(),
        pool_id: pool.id.clone(),
        cidr,
        netmask_length: req.netmask_length,
        auth_message: req.auth_message.map(str::to_string),
        auth_signature: req.auth_signature.map(str::to_string),
        state: CidrState::Provisioned,
    };
    tx.insert_pool_cidr(&pc, &pool.scope_id, pool.source_pool_id.is_none())?;
    if pool.source_pool_id.is_none() {
        let record = Allocation {
            id: pc.id.clone(),
            pool_id: pool.id.clone(),
            cidr,
            netmask_length: None,
            resource_type: ResourceType::IpamPool,
            resource_id: Some(pool.id.clone()),
            resource_owner: pool.owner_id.clone(),
            resource_region: None,
            description: None,
            disallowed_cidrs: Vec::new(),
            tags: Default::default(),
            tags_all: Default::default(),
            compliance_status: ComplianceStatus::Compliant,
        };
        tx.history_open(&pool.ipam_id, &pool.scope_id, &pool.id, &record, &now())?;
    }
    allocator::provision(&mut tx.free_space(&pool.id), cidr).map_err(|e| alloc_err(e, pool, "cidr"))?;
    Ok(pc)
}

/// The `public_ip_source` of the top-level pool above `pool` (or of `pool` itself).
pub fn root_source(tx: &Tx, pool: &Pool) -> Result<Option<PublicIpSource>> {
    let mut cur = pool.clone();
    // Depth is bounded by the pool-depth quota; the bound also guards against a corrupt cycle.
    for _ in 0..64 {
        match &cur.source_pool_id {
            None => return Ok(cur.public_ip_source),
            Some(parent) => match tx.pool(parent)? {
                Some(p) => cur = p,
                None => return Ok(cur.public_ip_source),
            },
        }
    }
    Ok(cur.public_ip_source)
}

fn unreachable_cidr() -> Result<Cidr> {
    Err(Error::invalid(
        "Exactly one of cidr or netmask_length",
        "Give either `cidr` or `netmask_length`.",
    )
    .at("cidr"))
}

fn netmask_u8(n: i64, family: Family) -> Result<u8> {
    let bits = i64::from(family.bits());
    if !(0..=bits).contains(&n) {
        return Err(Error::invalid(
            "Netmask length out of range",
            format!("{n} is not a netmask length for {family} (0-{bits})."),
        )
        .at("netmask_length"));
    }
    Ok(n as u8)
}

/// First fit of a /n in the emulated Amazon IPv6 block, skipping blocks already handed out.
fn amazon_block(tx: &Tx, n: u8) -> Result<Cidr> {
    let block = Cidr::parse(AMAZON_IPV6_BLOCK).map_err(|e| Error::invalid("Amazon block", e.to_string()))?;
    let taken = tx.amazon_cidrs_within(&block)?;
    let mut fs = allocator::MemFreeSpace::default();
    allocator::provision(&mut fs, block).map_err(|e| Error::storage(e.to_string()))?;
    for c in &taken {
        allocator::allocate_exact(&mut fs, *c, &[block]).map_err(|e| Error::storage(e.to_string()))?;
    }
    allocator::allocate_first_fit(&mut fs, Family::V6, n, &[], &[block]).map_err(|e| {
        Error::new(ErrorKind::Conflict, "Amazon-provided space exhausted", e.to_string()).at("netmask_length")
    })
}

/// Deprovisions a pool CIDR: refused while anything is allocated inside it.
pub fn deprovision(tx: &Tx, pool: &Pool, pc: &PoolCidr) -> Result<()> {
    pool_rules::check_deprovisionable(&pool.id, &pc.cidr, tx.count_allocations_within(&pool.id, &pc.cidr)?)?;
    // The allocations table is the truth and the free blocks are its index: with nothing
    // allocated inside, every free block inside the CIDR goes, even if the index had drifted.
    tx.delete_free_blocks_within(&pool.id, &pc.cidr)?;
    tx.delete_pool_cidr(&pc.id)?;
    give_back(tx, pool, &pc.cidr, &now())
}

/// A pool no longer holds `cidr`: a top-level CIDR's provision record ends; a child pool's CIDR
/// goes back to its source pool.
fn give_back(tx: &Tx, pool: &Pool, cidr: &Cidr, when: &str) -> Result<()> {
    match &pool.source_pool_id {
        None => tx.history_close(&pool.scope_id, cidr, &pool.id, when),
        Some(parent_id) => match tx.pool_allocation_for(parent_id, &pool.id, cidr)? {
            Some(a) => release_row(tx, pool, &a),
            None => Ok(()),
        },
    }
}

fn release_row(tx: &Tx, scope_pool: &Pool, a: &Allocation) -> Result<()> {
    let owner_pool = tx
        .pool(&a.pool_id)?
        .ok_or_else(|| Error::not_found("pool", &a.pool_id))?;
    let r = tx.pool_roots(&owner_pool.id)?;
    allocator::release(&mut tx.free_space(&owner_pool.id), a.cidr, &r)
        .map_err(|e| alloc_err(e, &owner_pool, "cidr"))?;
    tx.delete_allocation(&a.id)?;
    tx.history_close(
        &scope_pool.scope_id,
        &a.cidr,
        a.resource_id.as_deref().unwrap_or(&a.id),
        &now(),
    )?;
    Ok(())
}

/// What an allocation request asks for.
pub struct AllocationRequest<'a> {
    pub cidr: Option<Cidr>,
    pub netmask_length: Option<i64>,
    pub disallowed: &'a [Cidr],
    pub resource_type: ResourceType,
    pub resource_id: Option<&'a str>,
    pub resource_region: Option<&'a str>,
    pub description: Option<&'a str>,
    pub tags: &'a crate::ipam::model::Tags,
    /// `tags` over the provider's default tags: what the pool's tag rules check.
    pub tags_all: &'a crate::ipam::model::Tags,
    pub owner: &'a str,
}

/// Allocates from a pool; first fit unless a CIDR is given.
pub fn allocate(tx: &Tx, pool: &Pool, req: &AllocationRequest) -> Result<Allocation> {
    let scope_type = tx
        .scope_type(&pool.scope_id)?
        .ok_or_else(|| Error::not_found("scope", &pool.scope_id))?;
    let pool_roots = tx.pool_roots(&pool.id)?;
    pool_rules::check_pool_has_cidrs(&pool.id, pool_roots.len() as i64)?;
    if req.cidr.is_some() && req.netmask_length.is_some() {
        return Err(Error::invalid(
            "Exactly one of cidr or netmask_length",
            "Give either `cidr` or `netmask_length`, not both.",
        )
        .at("cidr"));
    }
    let family = pool.address_family;
    let prefix = match req.cidr {
        Some(c) => {
            pool_rules::check_family(pool, &c, "cidr")?;
            pool_rules::check_outside_disallowed(&c, req.disallowed)?;
            c.prefix
        }
        None => pool_rules::allocation_netmask(pool, req.netmask_length)?,
    };
    for d in req.disallowed {
        if d.family != family {
            return Err(Error::invalid(
                "Address family mismatch",
                format!("Disallowed CIDR {d} is not {family}."),
            )
            .at("disallowed_cidrs"));
        }
    }
    let spec = pool_rules::AllocationSpec {
        resource_type: req.resource_type,
        resource_region: req.resource_region,
        netmask: Some(i64::from(prefix)),
        tags: req.tags_all,
    };
    let status = pool_rules::check_allocation(pool, scope_type, &spec, prefix)?;
    let mut fs = tx.free_space(&pool.id);
    let cidr = match req.cidr {
        Some(c) => allocator::allocate_exact(&mut fs, c, &pool_roots).map_err(|e| alloc_err(e, pool, "cidr"))?,
        None => allocator::allocate_first_fit(&mut fs, family, prefix, req.disallowed, &pool_roots)
            .map_err(|e| alloc_err(e, pool, "netmask_length"))?,
    };
    let a = Allocation {
        id: ids::new_allocation_id(),
        pool_id: pool.id.clone(),
        cidr,
        netmask_length: req.netmask_length,
        resource_type: req.resource_type,
        resource_id: req.resource_id.map(str::to_string),
        resource_owner: req.owner.into(),
        resource_region: req.resource_region.map(str::to_string),
        description: req.description.map(str::to_string),
        // Canonical, once each: two spellings of one block in the configuration are one block.
        disallowed_cidrs: req
            .disallowed
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .iter()
            .map(|c| c.to_string())
            .collect(),
        tags: req.tags.clone(),
        tags_all: req.tags_all.clone(),
        compliance_status: status,
    };
    tx.insert_allocation(&a)?;
    tx.history_open(&pool.ipam_id, &pool.scope_id, &pool.id, &a, &now())?;
    Ok(a)
}

/// Releases an allocation; its space is reusable at once.
pub fn release(tx: &Tx, a: &Allocation) -> Result<()> {
    let pool = tx
        .pool(&a.pool_id)?
        .ok_or_else(|| Error::not_found("pool", &a.pool_id))?;
    release_row(tx, &pool, a)
}

/// Deletes a pool. Without `cascade` it must be empty; with it, child pools, CIDRs
/// and allocations go first, deepest first, and the parent gets its space back.
pub fn delete_pool(tx: &Tx, pool: &Pool) -> Result<()> {
    let children = tx.child_pools(&pool.id)?;
    let cidrs = tx.pool_cidrs(&pool.id)?;
    let allocations = tx.allocations_of(&pool.id)?;
    pool_rules::check_pool_deletable(
        pool,
        cidrs.len() as i64,
        allocations.len() as i64,
        children.len() as i64,
    )?;
    purge_pool(tx, pool)
}

/// Deletes a pool and everything in it, releasing its space in its parent.
pub fn purge_pool(tx: &Tx, pool: &Pool) -> Result<()> {
    for child in tx.child_pools(&pool.id)? {
        purge_pool(tx, &child)?;
    }
    let when = now();
    for a in tx.allocations_of(&pool.id)? {
        tx.history_close(
            &pool.scope_id,
            &a.cidr,
            a.resource_id.as_deref().unwrap_or(&a.id),
            &when,
        )?;
        tx.delete_allocation(&a.id)?;
    }
    for pc in tx.pool_cidrs(&pool.id)? {
        give_back(tx, pool, &pc.cidr, &when)?;
    }
    tx.delete_pool_row(&pool.id)
}
