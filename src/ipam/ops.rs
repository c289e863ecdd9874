//! IPAM, scope, pool and share operations over a [`Storage`], each run inside the caller's write transaction:
//! the rules of [`pool_rules`] and [`access`] decide, the allocator picks space, and the rows (with
//! address history) are written. A refused operation returns an error and the transaction rolls back whole. `now` is
//! the time of the operation (RFC 3339, UTC), as history records store it.

use super::allocator::{self, FreeSpace};
use super::cidr::{Cidr, Family};
use super::model::{
    Allocation, AwsService, CidrState, ComplianceStatus, Ipam, LOCALE_NONE, MeteredAccount, Pool, PoolCidr,
    PublicIpSource, Quotas, ResourceType, Scope, ScopeType, Share, State, Tags, Tier,
};
use super::organization::{self, Organization};
use super::pool_rules::{self, AMAZON_IPV6_BLOCK, PoolSpec};
use super::storage::Storage;
use super::{Error, ErrorKind, Result};
use super::{access, byoip, ids, rules, share_rules};

/// The current time as stored in history records (RFC 3339, UTC).
pub fn now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

/// Today as `YYYYMMDD` (UTC), for BYOIP expiry checks.
pub fn today() -> String {
    day_of(&now())
}

/// The day of an RFC 3339 time, as `YYYYMMDD`.
fn day_of(now: &str) -> String {
    now.get(..10).unwrap_or_default().replace('-', "")
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

/// Provisions a CIDR to a pool of the acting account (R-22, R-40..R-46).
pub fn provision(
    st: &impl Storage,
    pool: &Pool,
    req: &ProvisionRequest,
    account: &str,
    quotas: &super::model::Quotas,
    now: &str,
) -> Result<PoolCidr> {
    access::check_owner(account, "Pool", &pool.id, &pool.owner_id)?;
    let scope = st
        .scope(&pool.scope_id)?
        .ok_or_else(|| Error::not_found("scope", &pool.scope_id))?;
    pool_rules::check_cidr_quota(st.count_pool_cidrs(&pool.id)?, quotas, &pool.id)?;
    let family = pool.address_family;
    let source = root_source(st, pool)?;
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
            let parent = st.pool(parent_id)?.ok_or_else(|| Error::not_found("pool", parent_id))?;
            let parent_roots = st.pool_roots(&parent.id)?;
            pool_rules::check_parent_has_cidrs(&parent.id, &pool.id, &parent_roots)?;
            let mut fs = st.free_space(&parent.id);
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
            let a = held_by_pool(ids::new_allocation_id(), &parent.id, got, pool, pool.region());
            st.insert_allocation(&a)?;
            st.history_open(&pool.ipam_id, &pool.scope_id, &parent.id, &a, now)?;
            got
        }
        (None, Some(c), None) => {
            pool_rules::check_family(pool, &c, "cidr")?;
            if scope.scope_type == ScopeType::Private && family == Family::V6 {
                let gua = st.ipam(&pool.ipam_id)?.is_some_and(|i| i.private_gua());
                pool_rules::check_private_ipv6_cidr(pool, scope.scope_type, &c, gua, "cidr")?;
            }
            pool_rules::check_public_prefix(pool, scope.scope_type, source, c.prefix, "cidr")?;
            if byoip::needs_byoip_proof(pool, scope.scope_type) {
                byoip::check_byoip_authorization(req.auth_message, req.auth_signature, account, &c, &day_of(now))?;
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
            amazon_block(st, n)?
        }
    };
    // top-level CIDRs of one scope never overlap.
    if pool.source_pool_id.is_none() {
        let found = st.overlapping_top_level_cidr(&pool.scope_id, &cidr)?;
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
    st.insert_pool_cidr(&pc, &pool.scope_id, pool.source_pool_id.is_none())?;
    if pool.source_pool_id.is_none() {
        let record = held_by_pool(pc.id.clone(), &pool.id, cidr, pool, None);
        st.history_open(&pool.ipam_id, &pool.scope_id, &pool.id, &record, now)?;
    }
    allocator::provision(&mut st.free_space(&pool.id), cidr).map_err(|e| alloc_err(e, pool, "cidr"))?;
    Ok(pc)
}

/// `cidr` in `in_pool` held by `pool`: a child pool's CIDR in its parent, or the provision record
/// of a top-level CIDR.
fn held_by_pool(id: String, in_pool: &str, cidr: Cidr, pool: &Pool, region: Option<&str>) -> Allocation {
    Allocation {
        id,
        pool_id: in_pool.to_string(),
        cidr,
        netmask_length: None,
        resource_type: ResourceType::IpamPool,
        resource_id: Some(pool.id.clone()),
        resource_owner: pool.owner_id.clone(),
        resource_region: region.map(str::to_string),
        description: None,
        disallowed_cidrs: Vec::new(),
        tags: Default::default(),
        tags_all: Default::default(),
        compliance_status: ComplianceStatus::Compliant,
    }
}

/// The `public_ip_source` of the top-level pool above `pool` (or of `pool` itself).
pub fn root_source(st: &impl Storage, pool: &Pool) -> Result<Option<PublicIpSource>> {
    let mut cur = pool.clone();
    // Depth is bounded by the pool-depth quota; the bound also guards against a corrupt cycle.
    for _ in 0..64 {
        match &cur.source_pool_id {
            None => return Ok(cur.public_ip_source),
            Some(parent) => match st.pool(parent)? {
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
fn amazon_block(st: &impl Storage, n: u8) -> Result<Cidr> {
    let block = Cidr::parse(AMAZON_IPV6_BLOCK).map_err(|e| Error::invalid("Amazon block", e.to_string()))?;
    let taken = st.amazon_cidrs_within(&block)?;
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
pub fn deprovision(st: &impl Storage, pool: &Pool, pc: &PoolCidr, account: &str, now: &str) -> Result<()> {
    access::check_owner(account, "Pool", &pool.id, &pool.owner_id)?;
    pool_rules::check_deprovisionable(&pool.id, &pc.cidr, st.count_allocations_within(&pool.id, &pc.cidr)?)?;
    // The allocations table is the truth and the free blocks are its index: with nothing
    // allocated inside, every free block inside the CIDR goes, even if the index had drifted.
    st.delete_free_blocks_within(&pool.id, &pc.cidr)?;
    st.delete_pool_cidr(&pc.id)?;
    give_back(st, pool, &pc.cidr, now)
}

/// A pool no longer holds `cidr`: a top-level CIDR's provision record ends; a child pool's CIDR
/// goes back to its source pool.
fn give_back(st: &impl Storage, pool: &Pool, cidr: &Cidr, when: &str) -> Result<()> {
    match &pool.source_pool_id {
        None => st.history_close(&pool.scope_id, cidr, &pool.id, when),
        Some(parent_id) => match st.pool_allocation_for(parent_id, &pool.id, cidr)? {
            Some(a) => release_row(st, pool, &a, when),
            None => Ok(()),
        },
    }
}

fn release_row(st: &impl Storage, scope_pool: &Pool, a: &Allocation, now: &str) -> Result<()> {
    let owner_pool = st
        .pool(&a.pool_id)?
        .ok_or_else(|| Error::not_found("pool", &a.pool_id))?;
    let r = st.pool_roots(&owner_pool.id)?;
    allocator::release(&mut st.free_space(&owner_pool.id), a.cidr, &r)
        .map_err(|e| alloc_err(e, &owner_pool, "cidr"))?;
    st.delete_allocation(&a.id)?;
    st.history_close(
        &scope_pool.scope_id,
        &a.cidr,
        a.resource_id.as_deref().unwrap_or(&a.id),
        now,
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
    pub tags: &'a super::model::Tags,
    /// `tags` over the provider's default tags: what the pool's tag rules check.
    pub tags_all: &'a super::model::Tags,
    pub owner: &'a str,
}

/// Allocates from a pool; first fit unless a CIDR is given.
pub fn allocate(st: &impl Storage, pool: &Pool, req: &AllocationRequest, now: &str) -> Result<Allocation> {
    let scope_type = st
        .scope_type(&pool.scope_id)?
        .ok_or_else(|| Error::not_found("scope", &pool.scope_id))?;
    let pool_roots = st.pool_roots(&pool.id)?;
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
    let mut fs = st.free_space(&pool.id);
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
    st.insert_allocation(&a)?;
    st.history_open(&pool.ipam_id, &pool.scope_id, &pool.id, &a, now)?;
    Ok(a)
}

/// Releases an allocation; its space is reusable at once.
pub fn release(st: &impl Storage, a: &Allocation, now: &str) -> Result<()> {
    let pool = st
        .pool(&a.pool_id)?
        .ok_or_else(|| Error::not_found("pool", &a.pool_id))?;
    release_row(st, &pool, a, now)
}

/// Allocates from pool `pool_id` for the requesting account (`req.owner`): its own pool, or
/// one shared with it directly or through its organisation in `org`; then as
/// [`allocate`].
pub fn create_allocation(
    st: &impl Storage,
    pool_id: &str,
    req: &AllocationRequest,
    org: Option<&Organization>,
    now: &str,
) -> Result<Allocation> {
    let pool = st
        .pool(pool_id)?
        .ok_or_else(|| Error::not_found("pool", pool_id).at("ipam_pool_id"))?;
    access::check_can_allocate(st, &pool, req.owner, org)?;
    allocate(st, &pool, req, now)
}

/// Releases allocation `id` for `account`, which made it or owns its pool; already gone is done.
pub fn delete_allocation(st: &impl Storage, id: &str, account: &str, now: &str) -> Result<()> {
    let Some(a) = st.allocation(id)? else { return Ok(()) };
    let pool_owner = st.pool(&a.pool_id)?.map(|p| p.owner_id).unwrap_or_default();
    access::check_can_release(account, &a, &pool_owner)?;
    release(st, &a, now)
}

/// What a user changes on an allocation in place: its tags. Everything else replaces it.
#[derive(Clone, Debug, Default)]
pub struct AllocationSettings {
    pub tags: Tags,
    /// `tags` over the provider's default tags: what the pool's tag rules check.
    pub tags_all: Tags,
}

/// Changes the tags of an allocation `account` made. Its compliance with the pool's rules is
/// decided again: a rule it breaks now makes it noncompliant, and it keeps its space.
pub fn update_allocation(st: &impl Storage, id: &str, set: AllocationSettings, account: &str) -> Result<Allocation> {
    let mut a = st.allocation(id)?.ok_or_else(|| Error::not_found("allocation", id))?;
    access::check_can_change_allocation(account, &a)?;
    let pool = st
        .pool(&a.pool_id)?
        .ok_or_else(|| Error::not_found("pool", &a.pool_id))?;
    let scope_type = st
        .scope_type(&pool.scope_id)?
        .ok_or_else(|| Error::not_found("scope", &pool.scope_id))?;
    a.tags = set.tags;
    a.tags_all = set.tags_all;
    let spec = pool_rules::AllocationSpec {
        resource_type: a.resource_type,
        resource_region: a.resource_region.as_deref(),
        netmask: Some(i64::from(a.cidr.prefix)),
        tags: &a.tags_all,
    };
    a.compliance_status =
        pool_rules::check_allocation(&pool, scope_type, &spec, a.cidr.prefix).unwrap_or(ComplianceStatus::Noncompliant);
    st.update_allocation_tags(&a)?;
    Ok(a)
}

/// What a user sets on a pool that can change in place.
#[derive(Clone, Debug, Default)]
pub struct PoolSettings {
    pub description: Option<String>,
    pub auto_import: Option<bool>,
    pub min_netmask: Option<i64>,
    pub max_netmask: Option<i64>,
    pub default_netmask: Option<i64>,
    pub allocation_resource_tags: Tags,
    pub tags: Tags,
    pub tags_all: Tags,
    pub cascade: Option<bool>,
}

/// What a user creates a pool with: where it goes, what never changes in place, and its settings.
#[derive(Clone, Debug, Default)]
pub struct NewPool {
    pub scope_id: String,
    pub address_family: Option<Family>,
    /// The locale; absent is `None`.
    pub locale: Option<String>,
    pub source_pool_id: Option<String>,
    pub aws_service: Option<AwsService>,
    pub public_ip_source: Option<PublicIpSource>,
    pub publicly_advertisable: Option<bool>,
    pub settings: PoolSettings,
}

impl NewPool {
    /// The pool's arguments as the rules take them.
    pub fn spec(&self) -> PoolSpec<'_> {
        PoolSpec {
            address_family: self.address_family,
            locale: self.locale.as_deref(),
            auto_import: self.settings.auto_import,
            min_netmask: self.settings.min_netmask,
            max_netmask: self.settings.max_netmask,
            default_netmask: self.settings.default_netmask,
            aws_service: self.aws_service,
            public_ip_source: self.public_ip_source,
            publicly_advertisable: self.publicly_advertisable,
        }
    }
}

/// Where a new pool goes.
#[derive(Clone, Debug)]
pub struct PoolPlacement {
    pub scope: Scope,
    pub ipam: Ipam,
    pub parent: Option<Pool>,
    pub depth: i64,
}

/// Where a new pool of `account` goes: its scope, IPAM, parent pool and depth. Checks the facts
/// of the scope, the IPAM and the parent that never change in place (owners, scope type, family,
/// depth: ), so a plan may ask too; the IPAM's operating regions can change, so the
/// locale is decided by [`create_pool`].
pub fn place_pool(st: &impl Storage, new: &NewPool, account: &str, quotas: &Quotas) -> Result<PoolPlacement> {
    let scope = st
        .scope(&new.scope_id)?
        .ok_or_else(|| Error::not_found("scope", &new.scope_id).at("ipam_scope_id"))?;
    let ipam = st
        .ipam(&scope.ipam_id)?
        .ok_or_else(|| Error::not_found("IPAM", &scope.ipam_id))?;
    access::check_can_create_pool_in(account, &scope, &ipam)?;
    let parent = match &new.source_pool_id {
        Some(pid) => {
            let parent = st
                .pool(pid)?
                .ok_or_else(|| Error::not_found("pool", pid).at("source_ipam_pool_id"))?;
            access::check_can_create_child_of(account, &parent)?;
            Some(parent)
        }
        None => None,
    };
    let depth = pool_rules::check_pool_placement(&new.spec(), scope.scope_type, &scope.id, parent.as_ref(), quotas)?;
    Ok(PoolPlacement {
        scope,
        ipam,
        parent,
        depth,
    })
}

/// Creates a pool of `account`: its own arguments (R-29..R-32), its placement ([`place_pool`]),
/// its locale among the IPAM's operating regions, the pools-per-scope quota; its
/// netmask rules are its own, never the parent's.
pub fn create_pool(st: &impl Storage, new: NewPool, account: &str, quotas: &Quotas) -> Result<Pool> {
    let spec = new.spec();
    pool_rules::check_pool_spec(&spec)?;
    let PoolPlacement {
        scope,
        ipam,
        parent,
        depth,
    } = place_pool(st, &new, account, quotas)?;
    pool_rules::check_locale(spec.locale, &ipam.id, &ipam.operating_regions)?;
    pool_rules::check_pool_quota(st.count_pools_in_scope(&scope.id)?, quotas, &scope.id)?;
    let rules = pool_rules::own_netmask_rules(&spec, parent.as_ref());
    let address_family = new.address_family.ok_or_else(|| {
        Error::invalid(
            "Address family required",
            "Set `address_family` to \"ipv4\" or \"ipv6\".",
        )
        .at("address_family")
    })?;
    let set = new.settings;
    let p = Pool {
        id: ids::new_id("ipam-pool"),
        scope_id: scope.id,
        ipam_id: scope.ipam_id,
        owner_id: account.to_string(),
        address_family,
        locale_configured: new.locale.is_some(),
        locale: new.locale.unwrap_or_else(|| LOCALE_NONE.to_string()),
        source_pool_id: new.source_pool_id,
        depth,
        description: set.description,
        auto_import: set.auto_import,
        min_netmask: rules.min,
        max_netmask: rules.max,
        default_netmask: rules.default,
        allocation_resource_tags: set.allocation_resource_tags,
        aws_service: new.aws_service,
        public_ip_source: new.public_ip_source,
        publicly_advertisable: new.publicly_advertisable,
        tags: set.tags,
        tags_all: set.tags_all,
        cascade: set.cascade,
        state: State::CreateComplete,
    };
    st.insert_pool(&p)?;
    Ok(p)
}

/// Changes a pool of `account` in place; the new settings with what the pool keeps obey its
/// own-argument rules (R-29..R-32).
pub fn update_pool(st: &impl Storage, id: &str, set: PoolSettings, account: &str) -> Result<Pool> {
    let mut p = st.pool(id)?.ok_or_else(|| Error::not_found("pool", id))?;
    pool_rules::check_pool_spec(&PoolSpec {
        address_family: Some(p.address_family),
        locale: Some(&p.locale),
        auto_import: set.auto_import,
        min_netmask: set.min_netmask,
        max_netmask: set.max_netmask,
        default_netmask: set.default_netmask,
        aws_service: p.aws_service,
        public_ip_source: p.public_ip_source,
        publicly_advertisable: p.publicly_advertisable,
    })?;
    access::check_owner(account, "Pool", id, &p.owner_id)?;
    p.description = set.description;
    p.auto_import = set.auto_import;
    p.min_netmask = set.min_netmask;
    p.max_netmask = set.max_netmask;
    p.default_netmask = set.default_netmask;
    p.allocation_resource_tags = set.allocation_resource_tags;
    p.tags = set.tags;
    p.tags_all = set.tags_all;
    p.cascade = set.cascade;
    p.state = State::ModifyComplete;
    st.update_pool(&p)?;
    Ok(p)
}

/// Deletes a pool of `account`; already gone is done. Without `cascade` it must be empty (R-61,
/// R-63); with it, child pools, CIDRs and allocations go first, deepest first, and the parent gets
/// its space back.
pub fn delete_pool(st: &impl Storage, id: &str, account: &str, now: &str) -> Result<()> {
    let Some(pool) = st.pool(id)? else { return Ok(()) };
    access::check_owner(account, "Pool", id, &pool.owner_id)?;
    let pool = &pool;
    let children = st.child_pools(&pool.id)?;
    let cidrs = st.pool_cidrs(&pool.id)?;
    let allocations = st.allocations_of(&pool.id)?;
    pool_rules::check_pool_deletable(
        pool,
        cidrs.len() as i64,
        allocations.len() as i64,
        children.len() as i64,
    )?;
    purge_pool(st, pool, now)
}

/// Deletes a pool and everything in it, releasing its space in its parent.
pub fn purge_pool(st: &impl Storage, pool: &Pool, now: &str) -> Result<()> {
    for child in st.child_pools(&pool.id)? {
        purge_pool(st, &child, now)?;
    }
    for a in st.allocations_of(&pool.id)? {
        st.history_close(&pool.scope_id, &a.cidr, a.resource_id.as_deref().unwrap_or(&a.id), now)?;
        st.delete_allocation(&a.id)?;
    }
    for pc in st.pool_cidrs(&pool.id)? {
        give_back(st, pool, &pc.cidr, now)?;
    }
    st.delete_pool_row(&pool.id)
}

/// What a user sets on an IPAM, at creation and in place.
#[derive(Clone, Debug, Default)]
pub struct IpamSettings {
    pub description: Option<String>,
    pub operating_regions: Vec<String>,
    pub tags: Tags,
    pub tags_all: Tags,
    pub cascade: Option<bool>,
    pub enable_private_gua: Option<bool>,
    /// As configured; `None` is `advanced`.
    pub tier: Option<Tier>,
    /// `None`: `ipam-owner` at creation, unchanged in place.
    pub metered_account: Option<MeteredAccount>,
}

/// Creates an IPAM of `account` in `region` with its public and private default scopes (R-01
/// quota, R-03 operating regions).
pub fn create_ipam(st: &impl Storage, set: IpamSettings, account: &str, region: &str, quotas: &Quotas) -> Result<Ipam> {
    rules::check_operating_regions(region, &set.operating_regions)?;
    rules::check_ipam_quota(st.count_ipams_in_region(account, region)?, quotas, region, account)?;
    let id = ids::new_id("ipam");
    let scope = |scope_type: ScopeType| Scope {
        id: ids::new_id("ipam-scope"),
        ipam_id: id.clone(),
        owner_id: account.to_string(),
        scope_type,
        is_default: true,
        description: None,
        tags: Tags::new(),
        tags_all: Tags::new(),
        state: State::CreateComplete,
    };
    let (public, private) = (scope(ScopeType::Public), scope(ScopeType::Private));
    let ipam = Ipam {
        id: id.clone(),
        owner_id: account.to_string(),
        home_region: region.to_string(),
        description: set.description,
        operating_regions: set.operating_regions,
        public_default_scope_id: public.id.clone(),
        private_default_scope_id: private.id.clone(),
        tags: set.tags,
        tags_all: set.tags_all,
        state: State::CreateComplete,
        cascade: set.cascade,
        enable_private_gua: set.enable_private_gua,
        tier: set.tier,
        metered_account: set.metered_account.unwrap_or(MeteredAccount::IpamOwner),
    };
    st.insert_ipam(&ipam)?;
    st.insert_scope(&public)?;
    st.insert_scope(&private)?;
    Ok(ipam)
}

/// Changes an IPAM of `account` in place (R-03 against its home region); `enable_private_gua`
/// goes off only while no private pool holds global unicast space.
pub fn update_ipam(st: &impl Storage, id: &str, set: IpamSettings, account: &str) -> Result<Ipam> {
    let mut i = st.ipam(id)?.ok_or_else(|| Error::not_found("IPAM", id))?;
    access::check_owner(account, "IPAM", id, &i.owner_id)?;
    rules::check_operating_regions(&i.home_region, &set.operating_regions)?;
    private_gua_change(st, &i, set.enable_private_gua)?;
    i.description = set.description;
    i.operating_regions = set.operating_regions;
    i.tags = set.tags;
    i.tags_all = set.tags_all;
    i.cascade = set.cascade;
    i.enable_private_gua = set.enable_private_gua;
    i.tier = set.tier;
    if let Some(m) = set.metered_account {
        i.metered_account = m;
    }
    i.state = State::ModifyComplete;
    st.update_ipam(&i)?;
    Ok(i)
}

/// Whether IPAM `ipam_id` may set `enable_private_gua` to `to` (an IPAM that is not there has
/// nothing to refuse): see [`update_ipam`].
pub fn check_private_gua_setting(st: &impl Storage, ipam_id: &str, to: Option<bool>) -> Result<()> {
    match st.ipam(ipam_id)? {
        Some(i) => private_gua_change(st, &i, to),
        None => Ok(()),
    }
}

/// Turning `enable_private_gua` off is refused while a top-level pool of one of the IPAM's
/// private scopes holds global unicast IPv6 (child pools lie inside their parents).
fn private_gua_change(st: &impl Storage, i: &Ipam, to: Option<bool>) -> Result<()> {
    if i.private_gua() && to != Some(true) {
        pool_rules::check_private_gua_off(&i.id, &st.private_top_level_ipv6_cidrs(&i.id)?)?;
    }
    Ok(())
}

/// Deletes an IPAM of `account` with everything in it; already gone is done. Without its own
/// `cascade` it must hold only its default scopes and no pool; its public scope must hold
/// no pool in any case. Its scopes, pools, CIDRs, allocations and free space go with it,
/// and so does its address history: no record is left to close, unlike a pool's cascade,
/// which leaves the IPAM's history behind.
pub fn delete_ipam(st: &impl Storage, id: &str, account: &str) -> Result<()> {
    let Some(i) = st.ipam(id)? else { return Ok(()) };
    access::check_owner(account, "IPAM", id, &i.owner_id)?;
    let scopes = st.scopes_of(id)?;
    let extra = scopes.iter().filter(|s| !s.is_default).count() as i64;
    let (mut private_pools, mut public_pools) = (0, 0);
    for s in &scopes {
        let n = st.count_pools_in_scope(&s.id)?;
        match s.scope_type {
            ScopeType::Public => public_pools += n,
            ScopeType::Private => private_pools += n,
        }
    }
    rules::check_ipam_deletable(id, i.cascade.unwrap_or(false), extra, private_pools, public_pools)?;
    st.delete_ipam(id)
}

/// What a user sets on a scope, at creation and in place.
#[derive(Clone, Debug, Default)]
pub struct ScopeSettings {
    pub description: Option<String>,
    pub tags: Tags,
    pub tags_all: Tags,
}

/// Creates a private scope in an IPAM of `account` (R-14 quota). Returns it with the
/// IPAM's owner.
pub fn create_scope(
    st: &impl Storage,
    ipam_id: &str,
    set: ScopeSettings,
    account: &str,
    quotas: &Quotas,
) -> Result<(Scope, String)> {
    let ipam = st
        .ipam(ipam_id)?
        .ok_or_else(|| Error::not_found("IPAM", ipam_id).at("ipam_id"))?;
    access::check_owner(account, "IPAM", ipam_id, &ipam.owner_id)?;
    rules::check_scope_quota(st.count_scopes(ipam_id)?, quotas, ipam_id)?;
    let scope = Scope {
        id: ids::new_id("ipam-scope"),
        ipam_id: ipam_id.to_string(),
        owner_id: account.to_string(),
        scope_type: rules::creatable_scope_type(),
        is_default: false,
        description: set.description,
        tags: set.tags,
        tags_all: set.tags_all,
        state: State::CreateComplete,
    };
    st.insert_scope(&scope)?;
    Ok((scope, ipam.owner_id))
}

/// Changes a scope of `account` in place.
pub fn update_scope(st: &impl Storage, id: &str, set: ScopeSettings, account: &str) -> Result<Scope> {
    let mut s = st.scope(id)?.ok_or_else(|| Error::not_found("scope", id))?;
    access::check_owner(account, "Scope", id, &s.owner_id)?;
    s.description = set.description;
    s.tags = set.tags;
    s.tags_all = set.tags_all;
    s.state = State::ModifyComplete;
    st.update_scope(&s)?;
    Ok(s)
}

/// Deletes a scope of `account`; already gone is done. Default scopes and scopes holding pools
/// stay.
pub fn delete_scope(st: &impl Storage, id: &str, account: &str) -> Result<()> {
    let Some(s) = st.scope(id)? else { return Ok(()) };
    access::check_owner(account, "Scope", id, &s.owner_id)?;
    rules::check_scope_deletable(&s, st.count_pools_in_scope(id)?)?;
    st.delete_scope(id)
}

/// Creates a resource share of the acting `account`'s pools, made in `region`.
pub fn create_share(st: &impl Storage, share: &Share, account: &str, region: &str) -> Result<()> {
    share_rules::check_permissions(&share.permission_arns)?;
    share_rules::check_principals(&share.principals)?;
    access::check_can_share(st, account, region, &share.resource_arns)?;
    st.put_share(share)
}

/// Replaces what a resource share names; only its owner may, and it stays in its region.
/// Returns the share as stored.
pub fn update_share(st: &impl Storage, mut share: Share, account: &str, region: &str) -> Result<Share> {
    let old = st
        .share(&share.arn)?
        .ok_or_else(|| Error::not_found("resource share", &share.arn))?;
    access::check_owner(account, "Resource share", &share.arn, &old.owner_id)?;
    share.region = old.region;
    share_rules::check_principals(&share.principals)?;
    access::check_can_share(st, account, region, &share.resource_arns)?;
    st.put_share(&share)?;
    Ok(share)
}

/// Deletes a resource share (only its owner may); one already gone is no error.
pub fn delete_share(st: &impl Storage, arn: &str, account: &str) -> Result<()> {
    let Some(s) = st.share(arn)? else { return Ok(()) };
    access::check_owner(account, "Resource share", arn, &s.owner_id)?;
    st.delete_share(arn)
}

// RAM associations: one element of a share's pools or principals at a time
// (`aws_ram_resource_association`, `aws_ram_principal_association`).

/// What an association adds to a resource share: one pool ARN or one principal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShareMember {
    /// An element of the share's `resource_arns`.
    Resource,
    /// An element of the share's `principals`.
    Principal,
}

impl ShareMember {
    /// Upstream's name of the association, as its errors say it.
    pub fn association(self) -> &'static str {
        match self {
            ShareMember::Resource => "RAM Resource Association",
            ShareMember::Principal => "RAM Principal Association",
        }
    }

    /// The association's attribute that holds the element.
    pub fn attribute(self) -> &'static str {
        match self {
            ShareMember::Resource => "resource_arn",
            ShareMember::Principal => "principal",
        }
    }

    fn list(self, s: &Share) -> &Vec<String> {
        match self {
            ShareMember::Resource => &s.resource_arns,
            ShareMember::Principal => &s.principals,
        }
    }

    fn list_mut(self, s: &mut Share) -> &mut Vec<String> {
        match self {
            ShareMember::Resource => &mut s.resource_arns,
            ShareMember::Principal => &mut s.principals,
        }
    }

    /// Checks the element's form, on the association's attribute: a pool ARN (R-82; no other
    /// resource type is served here), or a 12-digit account, organisation ARN or OU ARN.
    pub fn check_form(self, element: &str) -> Result<()> {
        match self {
            ShareMember::Resource => share_rules::check_resource_arns(&[element.to_string()])
                .map(|_| ())
                .map_err(|_| {
                    Error::invalid(
                        "Only IPAM pools can be shared here",
                        format!(
                            "{element:?} is not an IPAM pool ARN (arn:aws:ec2::<account>:ipam-pool/ipam-pool-<17 hex digits>). \
                             This provider serves IPAM only, so a resource share holds IPAM pools (R-82): associate a pool by its `arn`, \
                             e.g. aws_vpc_ipam_pool.example.arn."
                        ),
                    )
                }),
            ShareMember::Principal => organization::parse_principal(element).map(|_| ()),
        }
        .map_err(|e| e.at(self.attribute()))
    }

    /// The association's ID: `<share-arn>,<element>`.
    pub fn id(self, share_arn: &str, element: &str) -> String {
        format!("{share_arn},{element}")
    }

    /// The share ARN and the element of an association ID (exactly two parts, split on `,`).
    pub fn parse_id(self, id: &str) -> Result<(String, String)> {
        match id.split(',').collect::<Vec<_>>()[..] {
            [share, element] if !share.is_empty() && !element.is_empty() => {
                share_rules::parse_share_arn(share)?;
                self.check_form(element)?;
                Ok((share.to_string(), element.to_string()))
            }
            _ => Err(Error::invalid(
                format!("Invalid {} ID", self.association()),
                format!(
                    "{id:?} is not of the form <resource-share-arn>,<{}>: import an association by the share's ARN and the {}, separated by a comma.",
                    self.attribute(),
                    self.attribute().replace('_', " ")
                ),
            )),
        }
    }
}

/// An association to make: `element` of the share `share_arn`, by `account` in `region`, with
/// the provider's organisation map `org`.
#[derive(Clone, Copy, Debug)]
pub struct Association<'a> {
    pub member: ShareMember,
    pub share_arn: &'a str,
    pub element: &'a str,
    pub account: &'a str,
    pub region: &'a str,
    pub org: Option<&'a Organization>,
}

/// The share an association of `element` by `account` in `region` would change, with every rule
/// of the share checked but the element's absence: the share exists in `region` and belongs to
/// `account`; a pool exists, is `account`'s and lives in an IPAM of that home region (R-79,
/// R-82); an organisation or OU principal is known to `org`, and an account is in it when the
/// share does not allow external principals.
pub fn check_association(st: &impl Storage, a: &Association) -> Result<Share> {
    let Association {
        member,
        share_arn,
        element,
        account,
        region,
        org,
    } = *a;
    let attribute = member.attribute();
    member.check_form(element)?;
    let share = st
        .share(share_arn)?
        .ok_or_else(|| Error::not_found("resource share", share_arn).at("resource_share_arn"))?;
    if share.region != region {
        return Err(Error::invalid(
            "Resource share in another region",
            format!(
                "Resource share {share_arn} ({:?}) was made in {}, and this association is managed in {region}. \
                 Set the association's `region = \"{}\"`.",
                share.name, share.region, share.region
            ),
        )
        .at("resource_share_arn"));
    }
    access::check_owner(account, "Resource share", share_arn, &share.owner_id)
        .map_err(|e| e.at("resource_share_arn"))?;
    match member {
        ShareMember::Resource => access::check_can_share(st, account, region, &[element.to_string()]),
        ShareMember::Principal => {
            organization::check_share_principals(org, &[element.to_string()], share.allow_external_principals)
        }
    }
    .map_err(|e| e.at(attribute))?;
    Ok(share)
}

/// Adds one pool or principal to a share (see [`check_association`]); an element the share
/// already holds is upstream's "already exists" error. Returns the share as stored.
pub fn associate(st: &impl Storage, a: &Association) -> Result<Share> {
    let mut share = check_association(st, a)?;
    let Association {
        member,
        share_arn,
        element,
        ..
    } = *a;
    if member.list(&share).iter().any(|e| e == element) {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!("{} ({}) already exists", member.association(), member.id(share_arn, element)),
            format!(
                "Resource share {share_arn} ({:?}) already holds {element}. Import the association \
                 (terraform import <address> \"{}\"), or remove the element from the share's other configuration first.",
                share.name,
                member.id(share_arn, element)
            ),
        )
        .at(member.attribute()));
    }
    member.list_mut(&mut share).push(element.to_string());
    st.put_share(&share)?;
    Ok(share)
}

/// Removes one pool or principal from a share (only its owner may); a share or element already
/// gone is no error. Allocations already made through the share are kept.
pub fn disassociate(
    st: &impl Storage,
    member: ShareMember,
    share_arn: &str,
    element: &str,
    account: &str,
) -> Result<()> {
    let Some(mut share) = st.share(share_arn)? else {
        return Ok(());
    };
    if !member.list(&share).iter().any(|e| e == element) {
        return Ok(());
    }
    access::check_owner(account, "Resource share", share_arn, &share.owner_id)?;
    member.list_mut(&mut share).retain(|e| e != element);
    st.put_share(&share)
}

/// Whether the share holds the element: the association's read.
pub fn is_associated(st: &impl Storage, member: ShareMember, share_arn: &str, element: &str) -> Result<bool> {
    Ok(st
        .share(share_arn)?
        .is_some_and(|s| member.list(&s).iter().any(|e| e == element)))
}

/// Replaces a share's settings and keeps its pools and principals as stored: the update of a
/// share whose elements are managed by associations. Returns the share as stored.
pub fn update_share_keeping_members(st: &impl Storage, mut share: Share, account: &str, region: &str) -> Result<Share> {
    if let Some(old) = st.share(&share.arn)? {
        share.resource_arns = old.resource_arns;
        share.principals = old.principals;
    }
    update_share(st, share, account, region)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipam::access;
    use crate::ipam::mem::MemStorage;
    use crate::ipam::model::{Ipam, MeteredAccount, Quotas, Scope, Share, ShareStatus, State, Tags};
    use crate::ipam::share_rules::{BYOIP_IMPORT_PERMISSION, DEFAULT_PERMISSION};

    const OWNER: &str = "111111111111";
    const MEMBER: &str = "222222222222";
    const TOP: &str = "ipam-pool-0123456789abcdef0";
    const CHILD: &str = "ipam-pool-0123456789abcdef1";
    const T0: &str = "2026-01-02T03:04:05Z";
    const T1: &str = "2026-01-03T00:00:00Z";

    fn c(s: &str) -> Cidr {
        Cidr::parse(s).unwrap()
    }

    fn pool(id: &str, parent: Option<&str>) -> Pool {
        Pool {
            id: id.into(),
            scope_id: "scope-1".into(),
            owner_id: OWNER.into(),
            locale: "None".into(),
            locale_configured: false,
            source_pool_id: parent.map(str::to_string),
            depth: if parent.is_some() { 2 } else { 1 },
            min_netmask: None,
            max_netmask: None,
            ..crate::ipam::pool_rules::tests::pool()
        }
    }

    /// An IPAM of OWNER with a private scope and the pools TOP and CHILD (inside TOP).
    fn storage() -> MemStorage {
        let st = MemStorage::default();
        st.with(|d| {
            d.ipams.insert(
                "ipam-1".into(),
                Ipam {
                    id: "ipam-1".into(),
                    owner_id: OWNER.into(),
                    home_region: "us-east-1".into(),
                    description: None,
                    operating_regions: vec!["us-east-1".into()],
                    public_default_scope_id: "scope-0".into(),
                    private_default_scope_id: "scope-1".into(),
                    tags: Tags::new(),
                    tags_all: Tags::new(),
                    state: State::CreateComplete,
                    cascade: None,
                    enable_private_gua: None,
                    tier: None,
                    metered_account: MeteredAccount::IpamOwner,
                },
            );
            d.scopes.insert(
                "scope-1".into(),
                Scope {
                    id: "scope-1".into(),
                    ipam_id: "ipam-1".into(),
                    owner_id: OWNER.into(),
                    scope_type: ScopeType::Private,
                    is_default: true,
                    description: None,
                    tags: Tags::new(),
                    tags_all: Tags::new(),
                    state: State::CreateComplete,
                },
            );
            d.pools.insert(TOP.into(), pool(TOP, None));
            d.pools.insert(CHILD.into(), pool(CHILD, Some(TOP)));
        });
        st
    }

    fn get(st: &MemStorage, id: &str) -> Pool {
        st.pool(id).unwrap().unwrap()
    }

    fn provision_cidr(st: &MemStorage, pool_id: &str, cidr: Option<&str>, netmask: Option<i64>) -> Result<PoolCidr> {
        let req = ProvisionRequest {
            cidr: cidr.map(c),
            netmask_length: netmask,
            auth_message: None,
            auth_signature: None,
        };
        provision(st, &get(st, pool_id), &req, OWNER, &Quotas::default(), T0)
    }

    const NO_TAGS: &Tags = &Tags::new();

    /// A request of `owner` for a custom allocation without tags.
    fn request<'a>(cidr: Option<&str>, netmask: Option<i64>, owner: &'a str) -> AllocationRequest<'a> {
        AllocationRequest {
            cidr: cidr.map(c),
            netmask_length: netmask,
            disallowed: &[],
            resource_type: ResourceType::Custom,
            resource_id: None,
            resource_region: None,
            description: None,
            tags: NO_TAGS,
            tags_all: NO_TAGS,
            owner,
        }
    }

    fn allocate_in(
        st: &MemStorage,
        pool_id: &str,
        cidr: Option<&str>,
        netmask: Option<i64>,
        owner: &str,
    ) -> Result<Allocation> {
        allocate(st, &get(st, pool_id), &request(cidr, netmask, owner), T0)
    }

    /// A refused operation changes nothing: every rule is decided before the first write.
    fn refused_without_change<T: std::fmt::Debug>(
        st: &MemStorage,
        kind: ErrorKind,
        op: impl FnOnce() -> Result<T>,
    ) -> Error {
        let before = st.snapshot();
        let e = op().expect_err("the operation is refused");
        assert_eq!(e.kind, kind, "{e}");
        assert!(st.snapshot() == before, "a refused operation changed the storage: {e}");
        e
    }

    #[test]
    fn provision_top_level_then_child_from_the_parent() {
        let st = storage();
        let top = provision_cidr(&st, TOP, Some("10.0.0.0/16"), None).unwrap();
        assert_eq!(top.cidr, c("10.0.0.0/16"));
        assert_eq!(st.free_blocks(TOP), vec![c("10.0.0.0/16")]);
        // The child's CIDR is carved from the parent first fit, recorded as an allocation there.
        let child = provision_cidr(&st, CHILD, None, Some(24)).unwrap();
        assert_eq!(child.cidr, c("10.0.0.0/24"));
        assert_eq!(st.free_blocks(CHILD), vec![c("10.0.0.0/24")]);
        assert!(!st.free_blocks(TOP).iter().any(|b| b.overlaps(&c("10.0.0.0/24"))));
        let held = st.allocations_of(TOP).unwrap();
        assert_eq!(held.len(), 1);
        assert_eq!(held[0].resource_id.as_deref(), Some(CHILD));
        assert_eq!(held[0].resource_type, ResourceType::IpamPool);
        // An explicit child CIDR must be free in the parent.
        let e = refused_without_change(&st, ErrorKind::Conflict, || {
            provision_cidr(&st, CHILD, Some("10.0.0.0/25"), None)
        });
        assert_eq!(e.attribute().as_deref(), Some("cidr"));
        assert_eq!(
            provision_cidr(&st, CHILD, Some("10.0.1.0/24"), None).unwrap().cidr,
            c("10.0.1.0/24")
        );
        let history = st.snapshot().history;
        assert_eq!(history.len(), 3, "{history:?}");
        assert!(history.iter().all(|h| h.start_time == T0 && h.end_time.is_none()));
    }

    #[test]
    fn top_level_cidrs_of_a_scope_never_overlap() {
        let st = storage();
        st.with(|d| d.pools.insert("other".into(), pool("other", None)));
        provision_cidr(&st, TOP, Some("10.0.0.0/16"), None).unwrap();
        let e = refused_without_change(&st, ErrorKind::Conflict, || {
            provision_cidr(&st, "other", Some("10.0.128.0/17"), None)
        });
        assert!(
            e.detail.contains("10.0.0.0/16") && e.detail.contains("(R-40)"),
            "{}",
            e.detail
        );
        assert!(provision_cidr(&st, "other", Some("10.1.0.0/16"), None).is_ok());
    }

    #[test]
    fn allocate_first_fit_and_exact() {
        let st = storage();
        provision_cidr(&st, TOP, Some("10.0.0.0/16"), None).unwrap();
        let a = allocate_in(&st, TOP, None, Some(24), OWNER).unwrap();
        assert_eq!(a.cidr, c("10.0.0.0/24"));
        let b = allocate_in(&st, TOP, Some("10.0.5.0/24"), None, OWNER).unwrap();
        assert_eq!(b.cidr, c("10.0.5.0/24"));
        // First fit is the lowest free aligned block.
        assert_eq!(
            allocate_in(&st, TOP, None, Some(23), OWNER).unwrap().cidr,
            c("10.0.2.0/23")
        );
        assert_eq!(
            allocate_in(&st, TOP, None, Some(24), OWNER).unwrap().cidr,
            c("10.0.1.0/24")
        );
        // A taken or too-large block is refused.
        refused_without_change(&st, ErrorKind::Conflict, || {
            allocate_in(&st, TOP, Some("10.0.5.0/25"), None, OWNER)
        });
        refused_without_change(&st, ErrorKind::Conflict, || {
            allocate_in(&st, TOP, None, Some(15), OWNER)
        });
        // Nothing is allocated from a pool without CIDRs.
        refused_without_change(&st, ErrorKind::Invalid, || {
            allocate_in(&st, CHILD, None, Some(24), OWNER)
        });
        assert_eq!(st.allocations_of(TOP).unwrap().len(), 4);
    }

    #[test]
    fn a_released_block_is_reused_and_its_history_closed() {
        let st = storage();
        provision_cidr(&st, TOP, Some("10.0.0.0/24"), None).unwrap();
        let a = allocate_in(&st, TOP, None, Some(24), OWNER).unwrap();
        refused_without_change(&st, ErrorKind::Conflict, || {
            allocate_in(&st, TOP, None, Some(28), OWNER)
        });
        release(&st, &a, T1).unwrap();
        assert!(st.allocations_of(TOP).unwrap().is_empty());
        assert_eq!(st.free_blocks(TOP), vec![c("10.0.0.0/24")]);
        let closed = st
            .snapshot()
            .history
            .into_iter()
            .find(|h| h.resource_id.as_deref() == Some(a.id.as_str()));
        assert_eq!(closed.and_then(|h| h.end_time).as_deref(), Some(T1));
        assert_eq!(
            allocate_in(&st, TOP, None, Some(24), OWNER).unwrap().cidr,
            c("10.0.0.0/24")
        );
    }

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn retag(own: &[(&str, &str)], all: &[(&str, &str)]) -> AllocationSettings {
        AllocationSettings {
            tags: tags(own),
            tags_all: tags(all),
        }
    }

    #[test]
    fn retagging_an_allocation_decides_its_compliance_again_and_keeps_its_space() {
        let st = storage();
        st.with(|d| d.pools.get_mut(TOP).unwrap().allocation_resource_tags = tags(&[("env", "prod")]));
        provision_cidr(&st, TOP, Some("10.0.0.0/16"), None).unwrap();
        let a = allocate_in(&st, TOP, None, Some(24), OWNER).unwrap();
        assert_eq!(a.compliance_status, ComplianceStatus::Noncompliant, "untagged (R-33)");
        let free = st.free_blocks(TOP);
        let history = st.snapshot().history;

        // The pool's tag rule reads `tags_all`: the default tags count, the own tags alone do not.
        let b = update_allocation(&st, &a.id, retag(&[], &[("env", "prod")]), OWNER).unwrap();
        assert_eq!(b.compliance_status, ComplianceStatus::Compliant);
        assert_eq!(
            (b.tags.clone(), b.tags_all.clone()),
            (Tags::new(), tags(&[("env", "prod")]))
        );
        assert_eq!(st.allocation(&a.id).unwrap().as_ref(), Some(&b), "stored as returned");
        let b = update_allocation(&st, &a.id, retag(&[("env", "prod")], &[("env", "dev")]), OWNER).unwrap();
        assert_eq!(b.compliance_status, ComplianceStatus::Noncompliant);
        assert_eq!(b.tags, tags(&[("env", "prod")]));
        assert_eq!(st.allocation(&a.id).unwrap().as_ref(), Some(&b), "stored as returned");

        // A pool rule the compliant allocation breaks now (a netmask rule changed since) makes it
        // noncompliant: it is never refused, and it keeps its space.
        let b = update_allocation(&st, &a.id, retag(&[], &[("env", "prod")]), OWNER).unwrap();
        assert_eq!(b.compliance_status, ComplianceStatus::Compliant);
        st.with(|d| d.pools.get_mut(TOP).unwrap().max_netmask = Some(20));
        let b = update_allocation(&st, &a.id, retag(&[], &[("env", "prod")]), OWNER).unwrap();
        assert_eq!(b.compliance_status, ComplianceStatus::Noncompliant);
        st.with(|d| d.pools.get_mut(TOP).unwrap().max_netmask = None);
        let b = update_allocation(&st, &a.id, retag(&[], &[("env", "prod")]), OWNER).unwrap();
        assert_eq!(b.compliance_status, ComplianceStatus::Compliant);
        assert_eq!(
            (b.id, b.cidr, b.pool_id, b.resource_owner),
            (a.id.clone(), a.cidr, a.pool_id.clone(), a.resource_owner.clone())
        );
        assert_eq!(st.free_blocks(TOP), free, "the space stays allocated");
        assert_eq!(st.snapshot().history, history, "a retag is no new use of the space");
    }

    #[test]
    fn only_the_allocating_account_retags_an_allocation() {
        let st = storage();
        provision_cidr(&st, TOP, Some("10.0.0.0/16"), None).unwrap();
        st.with(|d| d.shares.push(share(DEFAULT_PERMISSION, MEMBER)));
        let a = allocate_in(&st, TOP, None, Some(24), MEMBER).unwrap();
        // Not even the pool's owner changes another account's allocation.
        let e = refused_without_change(&st, ErrorKind::Forbidden, || {
            update_allocation(&st, &a.id, retag(&[("a", "b")], &[("a", "b")]), OWNER)
        });
        assert_eq!(e.summary, "Allocation belongs to another account");
        assert!(e.detail.contains(&a.id) && e.detail.contains(MEMBER), "{e}");
        update_allocation(&st, &a.id, retag(&[("a", "b")], &[("a", "b")]), MEMBER).unwrap();
        let e = refused_without_change(&st, ErrorKind::NotFound, || {
            update_allocation(&st, "ipam-pool-alloc-gone", AllocationSettings::default(), MEMBER)
        });
        assert!(e.detail.contains("ipam-pool-alloc-gone"), "{e}");
    }

    #[test]
    fn allocations_come_from_an_own_or_shared_pool_and_go_with_their_maker_or_the_pool_owner() {
        let st = storage();
        provision_cidr(&st, TOP, Some("10.0.0.0/16"), None).unwrap();
        let by = |owner| request(None, Some(24), owner);
        let e = refused_without_change(&st, ErrorKind::NotFound, || {
            create_allocation(&st, "ipam-pool-gone", &by(OWNER), None, T0)
        });
        assert_eq!(e.attribute().as_deref(), Some("ipam_pool_id"));
        let e = refused_without_change(&st, ErrorKind::Forbidden, || {
            create_allocation(&st, TOP, &by(MEMBER), None, T0)
        });
        assert_eq!(e.attribute().as_deref(), Some("ipam_pool_id"));
        st.with(|d| d.shares.push(share(DEFAULT_PERMISSION, MEMBER)));
        let mine = create_allocation(&st, TOP, &by(MEMBER), None, T0).unwrap();
        let theirs = create_allocation(&st, TOP, &by(MEMBER), None, T0).unwrap();
        assert_eq!((mine.resource_owner.as_str(), mine.cidr), (MEMBER, c("10.0.0.0/24")));

        // A third account releases nothing; the maker and the pool's owner release.
        let e = refused_without_change(&st, ErrorKind::Forbidden, || {
            delete_allocation(&st, &mine.id, "333333333333", T1)
        });
        assert_eq!(e.summary, "Allocation belongs to another account");
        delete_allocation(&st, &mine.id, MEMBER, T1).unwrap();
        delete_allocation(&st, &theirs.id, OWNER, T1).unwrap();
        assert!(st.allocations_of(TOP).unwrap().is_empty());
        assert_eq!(st.free_blocks(TOP), vec![c("10.0.0.0/16")]);
        let before = st.snapshot();
        delete_allocation(&st, &mine.id, MEMBER, T1).unwrap();
        assert!(st.snapshot() == before, "already gone is done");
    }

    #[test]
    fn only_the_pool_owner_provisions_and_deprovisions() {
        let st = storage();
        let req = ProvisionRequest {
            cidr: Some(c("10.0.0.0/16")),
            netmask_length: None,
            auth_message: None,
            auth_signature: None,
        };
        let top = get(&st, TOP);
        let e = refused_without_change(&st, ErrorKind::Forbidden, || {
            provision(&st, &top, &req, MEMBER, &Quotas::default(), T0)
        });
        assert!(
            e.summary.contains("another account") && e.detail.contains(MEMBER),
            "{e}"
        );
        let pc = provision(&st, &top, &req, OWNER, &Quotas::default(), T0).unwrap();
        refused_without_change(&st, ErrorKind::Forbidden, || deprovision(&st, &top, &pc, MEMBER, T1));
        deprovision(&st, &top, &pc, OWNER, T1).unwrap();
        assert!(st.pool_cidrs(TOP).unwrap().is_empty());
    }

    #[test]
    fn deprovision_is_refused_while_anything_is_allocated_inside() {
        let st = storage();
        let pc = provision_cidr(&st, TOP, Some("10.0.0.0/16"), None).unwrap();
        let a = allocate_in(&st, TOP, None, Some(24), OWNER).unwrap();
        let top = get(&st, TOP);
        let e = refused_without_change(&st, ErrorKind::Conflict, || deprovision(&st, &top, &pc, OWNER, T1));
        assert!(e.detail.contains("R-50"), "{}", e.detail);
        release(&st, &a, T1).unwrap();
        deprovision(&st, &top, &pc, OWNER, T1).unwrap();
        assert!(st.pool_cidrs(TOP).unwrap().is_empty());
        assert!(st.free_blocks(TOP).is_empty());
    }

    #[test]
    fn delete_pool_needs_cascade_and_cascade_purges_everything_below() {
        let st = storage();
        provision_cidr(&st, TOP, Some("10.0.0.0/16"), None).unwrap();
        provision_cidr(&st, CHILD, None, Some(20)).unwrap();
        allocate_in(&st, CHILD, None, Some(24), OWNER).unwrap();
        allocate_in(&st, TOP, None, Some(24), OWNER).unwrap();
        let e = refused_without_change(&st, ErrorKind::Conflict, || delete_pool(&st, CHILD, OWNER, T1));
        assert!(e.detail.contains("cascade"), "{}", e.detail);
        refused_without_change(&st, ErrorKind::Conflict, || delete_pool(&st, TOP, OWNER, T1));

        // The child with cascade: its allocation goes, its space returns to the parent.
        st.with(|d| d.pools.get_mut(CHILD).unwrap().cascade = Some(true));
        // Only by its owner.
        let e = refused_without_change(&st, ErrorKind::Forbidden, || delete_pool(&st, CHILD, MEMBER, T1));
        assert_eq!(e.summary, "Pool belongs to another account");
        delete_pool(&st, CHILD, OWNER, T1).unwrap();
        assert!(st.pool(CHILD).unwrap().is_none());
        let d = st.snapshot();
        assert!(
            d.allocations
                .values()
                .all(|a| a.pool_id == TOP && a.resource_type != ResourceType::IpamPool)
        );
        assert!(
            d.history
                .iter()
                .filter(|h| h.pool_id.as_deref() == Some(CHILD))
                .all(|h| h.end_time.as_deref() == Some(T1))
        );
        assert!(
            st.free_blocks(TOP).iter().any(|b| *b == c("10.0.0.0/20")),
            "{:?}",
            st.free_blocks(TOP)
        );

        // The top pool with cascade and a new child below it: nothing is left.
        st.with(|d| d.pools.insert(CHILD.into(), pool(CHILD, Some(TOP))));
        provision_cidr(&st, CHILD, None, Some(20)).unwrap();
        st.with(|d| d.pools.get_mut(TOP).unwrap().cascade = Some(true));
        delete_pool(&st, TOP, OWNER, T1).unwrap();
        let d = st.snapshot();
        assert!(
            d.pools.is_empty() && d.pool_cidrs.is_empty() && d.allocations.is_empty(),
            "{d:?}"
        );
        assert!(d.free.values().all(|f| f.blocks().is_empty()));
        assert!(
            d.history.iter().all(|h| h.end_time.as_deref() == Some(T1)),
            "{:?}",
            d.history
        );
        // A pool already gone is deleted.
        delete_pool(&st, TOP, MEMBER, T1).unwrap();
    }

    fn new_pool(scope_id: &str, parent: Option<&str>) -> NewPool {
        NewPool {
            scope_id: scope_id.into(),
            address_family: Some(Family::V4),
            source_pool_id: parent.map(str::to_string),
            settings: PoolSettings {
                description: Some("new".into()),
                tags: Tags::from([("team".to_string(), "net".to_string())]),
                ..PoolSettings::default()
            },
            ..NewPool::default()
        }
    }

    #[test]
    fn a_pool_is_created_in_its_scope_below_its_parent_with_its_own_netmask_rules() {
        let st = storage();
        let q = Quotas::default();
        let top = create_pool(&st, new_pool("scope-1", None), OWNER, &q).unwrap();
        assert_eq!(st.pool(&top.id).unwrap().as_ref(), Some(&top));
        assert!(top.id.starts_with("ipam-pool-") && top.id != TOP);
        assert_eq!(
            (
                top.ipam_id.as_str(),
                top.owner_id.as_str(),
                top.depth,
                top.locale.as_str()
            ),
            ("ipam-1", OWNER, 1, LOCALE_NONE)
        );
        assert_eq!((top.state, top.address_family), (State::CreateComplete, Family::V4));
        assert_eq!(top.description.as_deref(), Some("new"));
        assert_eq!(top.tags.get("team").map(String::as_str), Some("net"));
        // a child's netmask rules are its own arguments, never its parent's.
        st.with(|d| {
            let p = d.pools.get_mut(TOP).unwrap();
            (p.min_netmask, p.max_netmask, p.default_netmask) = (Some(16), Some(28), Some(24));
        });
        let mut child = new_pool("scope-1", Some(TOP));
        child.locale = Some("us-east-1".into());
        child.settings.max_netmask = Some(26);
        let child = create_pool(&st, child, OWNER, &q).unwrap();
        assert_eq!(child.source_pool_id.as_deref(), Some(TOP));
        assert_eq!((child.depth, child.locale.as_str()), (2, "us-east-1"));
        assert_eq!(
            (child.min_netmask, child.max_netmask, child.default_netmask),
            (None, Some(26), None)
        );
        assert_eq!(st.pool(&child.id).unwrap(), Some(child));
    }

    #[test]
    fn a_pool_is_refused_without_writing_anything() {
        let st = storage();
        let q = Quotas::default();
        // A pool of MEMBER in OWNER's IPAM, and a second private scope.
        st.with(|d| {
            let mut theirs = pool("ipam-pool-0123456789abcdef2", None);
            theirs.owner_id = MEMBER.into();
            d.pools.insert(theirs.id.clone(), theirs);
            let mut other = d.scopes["scope-1"].clone();
            other.id = "scope-2".into();
            d.scopes.insert(other.id.clone(), other);
        });
        let refused = |new: NewPool, account: &str, q: &Quotas, kind: ErrorKind| {
            refused_without_change(&st, kind, || create_pool(&st, new, account, q))
        };
        let with = |f: &dyn Fn(&mut NewPool)| {
            let mut n = new_pool("scope-1", None);
            f(&mut n);
            n
        };
        let e = refused(new_pool("scope-9", None), OWNER, &q, ErrorKind::NotFound);
        assert_eq!(e.attribute().as_deref(), Some("ipam_scope_id"));
        let e = refused(new_pool("scope-1", None), MEMBER, &q, ErrorKind::Forbidden);
        assert_eq!(e.attribute().as_deref(), Some("ipam_scope_id"));
        let e = refused(new_pool("scope-1", Some("ipam-pool-9")), OWNER, &q, ErrorKind::NotFound);
        assert_eq!(e.attribute().as_deref(), Some("source_ipam_pool_id"));
        let e = refused(
            new_pool("scope-1", Some("ipam-pool-0123456789abcdef2")),
            OWNER,
            &q,
            ErrorKind::Forbidden,
        );
        assert_eq!(e.attribute().as_deref(), Some("source_ipam_pool_id"));
        // a child lives in its parent's scope, with its family, within the depth quota.
        let e = refused(new_pool("scope-2", Some(TOP)), OWNER, &q, ErrorKind::Invalid);
        assert!(e.detail.contains("R-23"), "{}", e.detail);
        let mut v6 = new_pool("scope-1", Some(TOP));
        v6.address_family = Some(Family::V6);
        let e = refused(v6, OWNER, &q, ErrorKind::Invalid);
        assert_eq!(e.attribute().as_deref(), Some("address_family"));
        let shallow = Quotas { pool_depth: 2, ..q };
        let e = refused(new_pool("scope-1", Some(CHILD)), OWNER, &shallow, ErrorKind::Quota);
        assert_eq!(e.attribute().as_deref(), Some("source_ipam_pool_id"));
        // Public-only arguments in a private scope.
        let e = refused(
            with(&|n| n.aws_service = Some(AwsService::Ec2)),
            OWNER,
            &q,
            ErrorKind::Invalid,
        );
        assert_eq!(e.attribute().as_deref(), Some("aws_service"));
        // the locale is one of the IPAM's operating regions.
        let e = refused(
            with(&|n| n.locale = Some("eu-west-1".into())),
            OWNER,
            &q,
            ErrorKind::Invalid,
        );
        assert!(
            e.attribute().as_deref() == Some("locale") && e.detail.contains("R-18"),
            "{e}"
        );
        // pools per scope (scope-1 holds three).
        let full = Quotas {
            pools_per_scope: 3,
            ..q
        };
        let e = refused(new_pool("scope-1", None), OWNER, &full, ErrorKind::Quota);
        assert!(e.detail.contains("R-24"), "{}", e.detail);
        // The pool's own arguments.
        let e = refused(
            with(&|n| (n.settings.min_netmask, n.settings.max_netmask) = (Some(24), Some(16))),
            OWNER,
            &q,
            ErrorKind::Invalid,
        );
        assert_eq!(e.attribute().as_deref(), Some("allocation_min_netmask_length"));
        let e = refused(
            with(&|n| n.settings.auto_import = Some(true)),
            OWNER,
            &q,
            ErrorKind::Invalid,
        );
        assert_eq!(e.attribute().as_deref(), Some("auto_import"));
        let e = refused(with(&|n| n.address_family = None), OWNER, &q, ErrorKind::Invalid);
        assert_eq!(e.attribute().as_deref(), Some("address_family"));
        // Each refusal above was the only thing wrong.
        create_pool(&st, new_pool("scope-2", None), OWNER, &full).unwrap();
    }

    #[test]
    fn a_pool_is_changed_in_place_only_by_its_owner_within_its_own_rules() {
        let st = storage();
        let set = PoolSettings {
            description: Some("changed".into()),
            min_netmask: Some(16),
            max_netmask: Some(24),
            default_netmask: Some(20),
            allocation_resource_tags: Tags::from([("env".to_string(), "prod".to_string())]),
            tags_all: Tags::from([("owner".to_string(), "net".to_string())]),
            cascade: Some(true),
            ..PoolSettings::default()
        };
        let e = refused_without_change(&st, ErrorKind::Forbidden, || update_pool(&st, TOP, set.clone(), MEMBER));
        assert_eq!(e.summary, "Pool belongs to another account");
        let e = refused_without_change(&st, ErrorKind::NotFound, || {
            update_pool(&st, "ipam-pool-9", set.clone(), OWNER)
        });
        assert!(e.detail.contains("ipam-pool-9"), "{}", e.detail);
        // against what the pool keeps: its family and its locale "None".
        let outside = PoolSettings {
            default_netmask: Some(26),
            ..set.clone()
        };
        let e = refused_without_change(&st, ErrorKind::Invalid, || update_pool(&st, TOP, outside, OWNER));
        assert_eq!(e.attribute().as_deref(), Some("allocation_default_netmask_length"));
        let import = PoolSettings {
            auto_import: Some(true),
            ..set.clone()
        };
        let e = refused_without_change(&st, ErrorKind::Invalid, || update_pool(&st, TOP, import, OWNER));
        assert_eq!(e.attribute().as_deref(), Some("auto_import"));
        let wide = PoolSettings {
            max_netmask: Some(33),
            default_netmask: None,
            ..set.clone()
        };
        let e = refused_without_change(&st, ErrorKind::Invalid, || update_pool(&st, TOP, wide, OWNER));
        assert_eq!(e.attribute().as_deref(), Some("allocation_max_netmask_length"));

        let before = get(&st, TOP);
        let p = update_pool(&st, TOP, set.clone(), OWNER).unwrap();
        assert_eq!(st.pool(TOP).unwrap().as_ref(), Some(&p));
        assert_eq!(p.state, State::ModifyComplete);
        assert_eq!(
            (
                p.description.as_deref(),
                p.min_netmask,
                p.max_netmask,
                p.default_netmask,
                p.cascade
            ),
            (Some("changed"), Some(16), Some(24), Some(20), Some(true))
        );
        assert_eq!(
            (&p.allocation_resource_tags, &p.tags_all),
            (&set.allocation_resource_tags, &set.tags_all)
        );
        // What never changes in place stays.
        let kept = |p: &Pool| {
            (
                p.scope_id.clone(),
                p.owner_id.clone(),
                p.address_family,
                p.locale.clone(),
                p.source_pool_id.clone(),
                p.depth,
            )
        };
        assert_eq!(kept(&p), kept(&before));
    }

    fn share(permission: &str, principal: &str) -> Share {
        Share {
            arn: "arn:aws:ram:us-east-1:111111111111:resource-share/s".into(),
            name: "s".into(),
            owner_id: OWNER.into(),
            region: "us-east-1".into(),
            allow_external_principals: None,
            permission_arns: vec![permission.into()],
            resource_arns: vec![ids::ec2_arn(OWNER, "ipam-pool", TOP)],
            principals: vec![principal.into()],
            tags: Tags::new(),
            tags_all: Tags::new(),
            status: ShareStatus::Active,
        }
    }

    #[test]
    fn another_account_allocates_only_from_a_pool_shared_with_the_default_permission() {
        let st = storage();
        provision_cidr(&st, TOP, Some("10.0.0.0/16"), None).unwrap();
        let top = get(&st, TOP);
        assert!(access::check_can_allocate(&st, &top, OWNER, None).is_ok());
        let e = access::check_can_allocate(&st, &top, MEMBER, None).unwrap_err();
        assert!(e.is_forbidden() && e.detail.contains("no resource share"), "{e}");
        assert_eq!(e.attribute().as_deref(), Some("ipam_pool_id"));
        // A share with another principal, or for BYOIP import only, does not let MEMBER allocate.
        st.with(|d| d.shares.push(share(DEFAULT_PERMISSION, "333333333333")));
        assert!(
            access::check_can_allocate(&st, &top, MEMBER, None)
                .unwrap_err()
                .is_forbidden()
        );
        st.with(|d| d.shares.push(share(BYOIP_IMPORT_PERMISSION, MEMBER)));
        let e = access::check_can_allocate(&st, &top, MEMBER, None).unwrap_err();
        assert!(e.is_forbidden() && e.detail.contains("BYOIP import"), "{e}");
        st.with(|d| d.shares.push(share(DEFAULT_PERMISSION, MEMBER)));
        access::check_can_allocate(&st, &top, MEMBER, None).unwrap();
        let a = allocate_in(&st, TOP, None, Some(24), MEMBER).unwrap();
        assert_eq!(a.resource_owner, MEMBER);
        // The allocating account or the pool's owner releases it; a third account neither.
        assert!(access::check_can_release(MEMBER, &a, OWNER).is_ok());
        assert!(access::check_can_release(OWNER, &a, OWNER).is_ok());
        assert!(
            access::check_can_release("333333333333", &a, OWNER)
                .unwrap_err()
                .is_forbidden()
        );
        assert!(
            access::check_can_change_allocation(OWNER, &a)
                .unwrap_err()
                .is_forbidden()
        );
    }

    #[test]
    fn only_the_owner_shares_creates_pools_in_or_carves_from_what_it_owns() {
        let st = storage();
        let top = get(&st, TOP);
        let arn = vec![ids::ec2_arn(OWNER, "ipam-pool", TOP)];
        let e = access::check_can_share(&st, MEMBER, "us-east-1", &arn).unwrap_err();
        assert!(
            e.is_forbidden() && e.attribute().as_deref() == Some("resource_arns"),
            "{e}"
        );
        let e = access::check_can_share(&st, OWNER, "eu-west-1", &arn).unwrap_err();
        assert!(!e.is_forbidden() && e.detail.contains("R-79"), "{e}");
        access::check_can_share(&st, OWNER, "us-east-1", &arn).unwrap();
        let e = access::check_can_create_child_of(MEMBER, &top).unwrap_err();
        assert!(e.is_forbidden() && e.attribute().as_deref() == Some("source_ipam_pool_id"));
        access::check_can_create_child_of(OWNER, &top).unwrap();
        let scope = st.scope("scope-1").unwrap().unwrap();
        let ipam = st.ipam("ipam-1").unwrap().unwrap();
        let e = access::check_can_create_pool_in(MEMBER, &scope, &ipam).unwrap_err();
        assert!(e.is_forbidden() && e.attribute().as_deref() == Some("ipam_scope_id"));
        access::check_can_create_pool_in(OWNER, &scope, &ipam).unwrap();
        assert!(
            access::check_owner(MEMBER, "Pool", TOP, OWNER)
                .unwrap_err()
                .is_forbidden()
        );
        access::check_owner(OWNER, "Pool", TOP, OWNER).unwrap();
    }

    #[test]
    fn shares_are_made_changed_and_deleted_only_by_the_owner_of_the_pools() {
        let st = storage();
        let mine = share(DEFAULT_PERMISSION, MEMBER);
        // Made by another account, or outside the IPAM's home region: nothing is written.
        refused_without_change(&st, ErrorKind::Forbidden, || {
            create_share(&st, &mine, MEMBER, "us-east-1")
        });
        refused_without_change(&st, ErrorKind::Invalid, || create_share(&st, &mine, OWNER, "eu-west-1"));
        let two = Share {
            permission_arns: vec![DEFAULT_PERMISSION.into(), BYOIP_IMPORT_PERMISSION.into()],
            ..mine.clone()
        };
        refused_without_change(&st, ErrorKind::Invalid, || create_share(&st, &two, OWNER, "us-east-1"));
        create_share(&st, &mine, OWNER, "us-east-1").unwrap();
        assert_eq!(st.share(&mine.arn).unwrap().as_ref(), Some(&mine));

        // An update keeps the share's region; only the owner updates or deletes.
        let moved = Share {
            region: "eu-west-1".into(),
            principals: vec!["333333333333".into()],
            ..mine.clone()
        };
        let e = refused_without_change(&st, ErrorKind::Forbidden, || {
            update_share(&st, moved.clone(), MEMBER, "us-east-1")
        });
        assert_eq!(e.summary, "Resource share belongs to another account");
        let stored = update_share(&st, moved, OWNER, "us-east-1").unwrap();
        assert_eq!(stored.region, "us-east-1");
        assert_eq!(st.share(&mine.arn).unwrap(), Some(stored));
        let e = refused_without_change(&st, ErrorKind::Forbidden, || delete_share(&st, &mine.arn, MEMBER));
        assert_eq!(e.summary, "Resource share belongs to another account");
        delete_share(&st, &mine.arn, OWNER).unwrap();
        assert!(st.share(&mine.arn).unwrap().is_none());
        delete_share(&st, &mine.arn, OWNER).unwrap();
        let e = update_share(&st, mine, OWNER, "us-east-1").unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);
    }

    fn regions(r: &[&str]) -> IpamSettings {
        IpamSettings {
            operating_regions: r.iter().map(|s| s.to_string()).collect(),
            ..IpamSettings::default()
        }
    }

    #[test]
    fn an_ipam_comes_with_two_default_scopes_within_the_region_quota() {
        let st = MemStorage::default();
        let q = Quotas::default();
        refused_without_change(&st, ErrorKind::Invalid, || {
            create_ipam(&st, regions(&["us-west-2"]), OWNER, "us-east-1", &q)
        });
        let i = create_ipam(&st, regions(&["us-east-1"]), OWNER, "us-east-1", &q).unwrap();
        let scopes = st.scopes_of(&i.id).unwrap();
        assert_eq!(scopes.len(), 2);
        assert!(scopes.iter().all(|s| s.is_default && s.owner_id == OWNER));
        assert!(
            scopes
                .iter()
                .any(|s| s.id == i.public_default_scope_id && s.scope_type == ScopeType::Public)
        );
        assert!(
            scopes
                .iter()
                .any(|s| s.id == i.private_default_scope_id && s.scope_type == ScopeType::Private)
        );
        refused_without_change(&st, ErrorKind::Quota, || {
            create_ipam(&st, regions(&["us-east-1"]), OWNER, "us-east-1", &q)
        });
        // Another account, or another region, has its own quota.
        create_ipam(&st, regions(&["us-east-1"]), MEMBER, "us-east-1", &q).unwrap();
        let u = update_ipam(&st, &i.id, regions(&["us-east-1", "eu-west-1"]), OWNER).unwrap();
        assert_eq!(u.state, State::ModifyComplete);
        assert_eq!(st.ipam(&i.id).unwrap().unwrap().operating_regions.len(), 2);
        refused_without_change(&st, ErrorKind::Invalid, || {
            update_ipam(&st, &i.id, regions(&["eu-west-1"]), OWNER)
        });
        refused_without_change(&st, ErrorKind::Forbidden, || {
            update_ipam(&st, &i.id, regions(&["us-east-1"]), MEMBER)
        });
    }

    #[test]
    fn scopes_are_private_counted_and_deleted_only_empty_and_not_default() {
        let st = storage();
        let q = Quotas::default();
        refused_without_change(&st, ErrorKind::Forbidden, || {
            create_scope(&st, "ipam-1", ScopeSettings::default(), MEMBER, &q)
        });
        let mut made = Vec::new();
        while st.count_scopes("ipam-1").unwrap() < q.scopes_per_ipam {
            let (s, owner) = create_scope(&st, "ipam-1", ScopeSettings::default(), OWNER, &q).unwrap();
            assert_eq!(
                (s.scope_type, s.is_default, owner.as_str()),
                (ScopeType::Private, false, OWNER)
            );
            made.push(s.id);
        }
        refused_without_change(&st, ErrorKind::Quota, || {
            create_scope(&st, "ipam-1", ScopeSettings::default(), OWNER, &q)
        });
        // a default scope stays; R-13: a scope with pools stays.
        refused_without_change(&st, ErrorKind::Conflict, || delete_scope(&st, "scope-1", OWNER));
        st.with(|d| d.pools.get_mut(TOP).unwrap().scope_id = made[0].clone());
        refused_without_change(&st, ErrorKind::Conflict, || delete_scope(&st, &made[0], OWNER));
        refused_without_change(&st, ErrorKind::Forbidden, || delete_scope(&st, &made[1], MEMBER));
        delete_scope(&st, &made[1], OWNER).unwrap();
        assert!(st.scope(&made[1]).unwrap().is_none());
        delete_scope(&st, &made[1], OWNER).unwrap();
    }

    #[test]
    fn an_ipam_with_pools_goes_only_with_its_cascade_and_takes_everything_with_it() {
        let st = storage();
        provision_cidr(&st, TOP, Some("10.0.0.0/16"), None).unwrap();
        allocate_in(&st, TOP, None, Some(24), OWNER).unwrap();
        refused_without_change(&st, ErrorKind::Forbidden, || delete_ipam(&st, "ipam-1", MEMBER));
        refused_without_change(&st, ErrorKind::Conflict, || delete_ipam(&st, "ipam-1", OWNER));
        let mut set = regions(&["us-east-1"]);
        set.cascade = Some(true);
        update_ipam(&st, "ipam-1", set, OWNER).unwrap();
        // a pool in the public scope keeps the IPAM even with cascade.
        st.with(|d| {
            let mut public = d.scopes["scope-1"].clone();
            public.id = "scope-0".into();
            public.scope_type = ScopeType::Public;
            d.scopes.insert("scope-0".into(), public);
            d.pools.get_mut(CHILD).unwrap().scope_id = "scope-0".into();
        });
        refused_without_change(&st, ErrorKind::Conflict, || delete_ipam(&st, "ipam-1", OWNER));
        st.with(|d| d.pools.get_mut(CHILD).unwrap().scope_id = "scope-1".into());
        delete_ipam(&st, "ipam-1", OWNER).unwrap();
        let d = st.snapshot();
        assert!(d.ipams.is_empty() && d.scopes.is_empty() && d.pools.is_empty());
        assert!(d.pool_cidrs.is_empty() && d.allocations.is_empty() && d.history.is_empty());
        assert!(st.free_blocks(TOP).is_empty());
        delete_ipam(&st, "ipam-1", OWNER).unwrap();
    }

    #[test]
    fn an_ipam_without_cascade_goes_only_with_its_default_scopes_and_no_pool() {
        let st = storage();
        st.with(|d| d.pools.clear());
        let (extra, _) = create_scope(&st, "ipam-1", ScopeSettings::default(), OWNER, &Quotas::default()).unwrap();
        let e = refused_without_change(&st, ErrorKind::Conflict, || delete_ipam(&st, "ipam-1", OWNER));
        assert!(e.detail.contains("cascade = true"), "{}", e.detail);
        delete_scope(&st, &extra.id, OWNER).unwrap();
        delete_ipam(&st, "ipam-1", OWNER).unwrap();
        assert!(st.snapshot().ipams.is_empty() && st.snapshot().scopes.is_empty());
    }

    #[test]
    fn an_ipam_that_is_not_there_is_not_updated_and_is_already_deleted() {
        let st = MemStorage::default();
        refused_without_change(&st, ErrorKind::NotFound, || {
            update_ipam(&st, "ipam-1", regions(&["us-east-1"]), OWNER)
        });
        delete_ipam(&st, "ipam-1", OWNER).unwrap();
        check_private_gua_setting(&st, "ipam-1", None).unwrap();
    }

    #[test]
    fn private_gua_goes_off_only_while_no_top_level_private_pool_holds_global_unicast() {
        const V6: &str = "ipam-pool-0123456789abcdef6";
        const V6_CHILD: &str = "ipam-pool-0123456789abcdef7";
        let st = storage();
        st.with(|d| {
            d.ipams.get_mut("ipam-1").unwrap().enable_private_gua = Some(true);
            for (id, parent) in [(V6, None), (V6_CHILD, Some(V6))] {
                let p = Pool {
                    address_family: Family::V6,
                    ..pool(id, parent)
                };
                d.pools.insert(id.into(), p);
            }
        });
        let gua = |on: Option<bool>| IpamSettings {
            enable_private_gua: on,
            ..regions(&["us-east-1"])
        };
        // Unique local space never stands in the way.
        provision_cidr(&st, V6, Some("fd00::/48"), None).unwrap();
        update_ipam(&st, "ipam-1", gua(None), OWNER).unwrap();
        update_ipam(&st, "ipam-1", gua(Some(true)), OWNER).unwrap();

        let held = provision_cidr(&st, V6, Some("2001:db8::/48"), None).unwrap();
        provision_cidr(&st, V6_CHILD, None, Some(56)).unwrap();
        for off in [None, Some(false)] {
            let e = refused_without_change(&st, ErrorKind::Conflict, || update_ipam(&st, "ipam-1", gua(off), OWNER));
            assert_eq!(e.attribute().as_deref(), Some("enable_private_gua"));
            // Named once, by the top-level pool: the child's block lies inside it.
            assert!(
                e.detail.contains(&format!(": 2001:db8::/48 in pool {V6}. ")),
                "{}",
                e.detail
            );
            assert!(!e.detail.contains(V6_CHILD), "{}", e.detail);
        }
        // The owner check comes first; another account learns nothing about the pools.
        refused_without_change(&st, ErrorKind::Forbidden, || {
            update_ipam(&st, "ipam-1", gua(None), MEMBER)
        });
        // Keeping it on, the IPAM still changes.
        let mut set = gua(Some(true));
        set.description = Some("kept".into());
        assert_eq!(
            update_ipam(&st, "ipam-1", set, OWNER).unwrap().description.as_deref(),
            Some("kept")
        );

        // Global unicast space in a public scope is no private GUA.
        st.with(|d| {
            let mut public = d.scopes["scope-1"].clone();
            public.id = "scope-0".into();
            public.scope_type = ScopeType::Public;
            d.scopes.insert("scope-0".into(), public);
            for c in d.pool_cidrs.values_mut().filter(|c| c.scope_id == "scope-1") {
                c.scope_id = "scope-0".into();
            }
        });
        check_private_gua_setting(&st, "ipam-1", None).unwrap();
        st.with(|d| {
            for c in d.pool_cidrs.values_mut() {
                c.scope_id = "scope-1".into();
            }
        });
        check_private_gua_setting(&st, "ipam-1", None).unwrap_err();
        check_private_gua_setting(&st, "ipam-1", Some(true)).unwrap();

        // Once the child's and the pool's CIDRs are deprovisioned, it goes off.
        let child = get(&st, V6_CHILD);
        let child_cidr = st.pool_cidrs(V6_CHILD).unwrap().remove(0);
        deprovision(&st, &child, &child_cidr, OWNER, T1).unwrap();
        deprovision(&st, &get(&st, V6), &held, OWNER, T1).unwrap();
        let i = update_ipam(&st, "ipam-1", gua(Some(false)), OWNER).unwrap();
        assert_eq!(i.enable_private_gua, Some(false));
        assert_eq!(st.ipam("ipam-1").unwrap().unwrap().enable_private_gua, Some(false));
    }

    // RAM associations.

    fn associate_as(
        st: &MemStorage,
        member: ShareMember,
        share_arn: &str,
        element: &str,
        account: &str,
        region: &str,
        org: Option<&Organization>,
    ) -> Result<Share> {
        associate(
            st,
            &Association {
                member,
                share_arn,
                element,
                account,
                region,
                org,
            },
        )
    }

    const SHARE_ARN: &str = "arn:aws:ram:us-east-1:111111111111:resource-share/s";
    const ORG_ID: &str = "o-a1b2c3d4e5";
    const UNIT: &str = "ou-a1b2-c3d4e5f6";

    /// OWNER under the root, MEMBER in UNIT.
    fn org() -> Organization {
        Organization {
            id: ORG_ID.into(),
            management_account: OWNER.into(),
            accounts: vec![OWNER.into()],
            units: vec![crate::ipam::organization::Unit {
                id: UNIT.into(),
                parent: None,
                accounts: vec![MEMBER.into()],
            }],
        }
    }

    /// `storage()` with an empty share of OWNER's.
    fn with_empty_share(external: Option<bool>) -> MemStorage {
        let st = storage();
        st.with(|d| {
            d.shares.push(Share {
                resource_arns: Vec::new(),
                principals: Vec::new(),
                allow_external_principals: external,
                ..share(DEFAULT_PERMISSION, MEMBER)
            })
        });
        st
    }

    #[test]
    fn an_association_adds_one_pool_and_refuses_what_the_share_rules_refuse() {
        let st = with_empty_share(None);
        let top = ids::ec2_arn(OWNER, "ipam-pool", TOP);
        let r = ShareMember::Resource;
        // Not a pool, a missing pool, another account's share, another region: nothing written.
        for (arn, account, region, attribute) in [
            (
                "arn:aws:ec2::111111111111:ipam/ipam-0123456789abcdef0",
                OWNER,
                "us-east-1",
                "resource_arn",
            ),
            (
                &ids::ec2_arn(OWNER, "ipam-pool", "ipam-pool-0000000000000000f") as &str,
                OWNER,
                "us-east-1",
                "resource_arn",
            ),
            (&top, MEMBER, "us-east-1", "resource_share_arn"),
            (&top, OWNER, "eu-west-1", "resource_share_arn"),
        ] {
            let before = st.snapshot();
            let e = associate_as(&st, r, SHARE_ARN, arn, account, region, None).unwrap_err();
            assert_eq!(e.attribute().as_deref(), Some(attribute), "{e}");
            assert!(st.snapshot() == before, "{e}");
        }
        let e = r
            .check_form("arn:aws:ec2::111111111111:ipam/ipam-0123456789abcdef0")
            .unwrap_err();
        assert_eq!(e.summary, "Only IPAM pools can be shared here");
        let e = associate_as(
            &st,
            r,
            "arn:aws:ram:us-east-1:111111111111:resource-share/none",
            &top,
            OWNER,
            "us-east-1",
            None,
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);

        assert!(!is_associated(&st, r, SHARE_ARN, &top).unwrap());
        let stored = associate_as(&st, r, SHARE_ARN, &top, OWNER, "us-east-1", None).unwrap();
        assert_eq!(stored.resource_arns, vec![top.clone()]);
        assert!(is_associated(&st, r, SHARE_ARN, &top).unwrap());
        // Twice: upstream's error, nothing written.
        let e = refused_without_change(&st, ErrorKind::Conflict, || {
            associate_as(&st, r, SHARE_ARN, &top, OWNER, "us-east-1", None)
        });
        assert_eq!(
            e.summary,
            format!("RAM Resource Association ({SHARE_ARN},{top}) already exists")
        );
        // Only the owner removes it; removing what is gone is no error.
        refused_without_change(&st, ErrorKind::Forbidden, || {
            disassociate(&st, r, SHARE_ARN, &top, MEMBER)
        });
        disassociate(&st, r, SHARE_ARN, &top, OWNER).unwrap();
        assert!(!is_associated(&st, r, SHARE_ARN, &top).unwrap());
        disassociate(&st, r, SHARE_ARN, &top, OWNER).unwrap();
        disassociate(
            &st,
            r,
            "arn:aws:ram:us-east-1:111111111111:resource-share/none",
            &top,
            OWNER,
        )
        .unwrap();
    }

    #[test]
    fn a_principal_association_follows_the_organization_map() {
        let p = ShareMember::Principal;
        let unit = crate::ipam::organization::unit_arn(OWNER, ORG_ID, UNIT);
        let st = with_empty_share(Some(false));
        // Not a principal; an OU with no map; an account outside the organisation while the
        // share allows no external principals: refused on `principal`, nothing written.
        for (principal, map) in [
            ("12", Some(org())),
            (unit.as_str(), None),
            ("333333333333", Some(org())),
        ] {
            let e = refused_without_change(&st, ErrorKind::Invalid, || {
                associate_as(&st, p, SHARE_ARN, principal, OWNER, "us-east-1", map.as_ref())
            });
            assert_eq!(e.attribute().as_deref(), Some("principal"), "{e}");
        }
        associate_as(&st, p, SHARE_ARN, &unit, OWNER, "us-east-1", Some(&org())).unwrap();
        associate_as(&st, p, SHARE_ARN, MEMBER, OWNER, "us-east-1", Some(&org())).unwrap();
        let e = refused_without_change(&st, ErrorKind::Conflict, || {
            associate_as(&st, p, SHARE_ARN, MEMBER, OWNER, "us-east-1", Some(&org()))
        });
        assert_eq!(
            e.summary,
            format!("RAM Principal Association ({SHARE_ARN},{MEMBER}) already exists")
        );
        assert_eq!(
            st.share(SHARE_ARN).unwrap().unwrap().principals,
            vec![unit.clone(), MEMBER.to_string()]
        );
        disassociate(&st, p, SHARE_ARN, &unit, OWNER).unwrap();
        assert_eq!(
            st.share(SHARE_ARN).unwrap().unwrap().principals,
            vec![MEMBER.to_string()]
        );
    }

    #[test]
    fn association_ids_are_the_share_and_the_element() {
        let p = ShareMember::Principal;
        assert_eq!(p.id(SHARE_ARN, MEMBER), format!("{SHARE_ARN},{MEMBER}"));
        assert_eq!(
            p.parse_id(&format!("{SHARE_ARN},{MEMBER}")).unwrap(),
            (SHARE_ARN.to_string(), MEMBER.to_string())
        );
        for bad in [
            SHARE_ARN.to_string(),
            format!("{SHARE_ARN},{MEMBER},x"),
            format!(",{MEMBER}"),
        ] {
            assert_eq!(
                p.parse_id(&bad).unwrap_err().summary,
                "Invalid RAM Principal Association ID",
                "{bad}"
            );
        }
        assert!(p.parse_id(&format!("arn:aws:ram:x,{MEMBER}")).is_err());
        assert!(
            ShareMember::Resource
                .parse_id(&format!("{SHARE_ARN},{MEMBER}"))
                .is_err()
        );
    }

    #[test]
    fn a_share_updated_under_the_aws_name_keeps_its_associations() {
        let st = with_empty_share(None);
        let top = ids::ec2_arn(OWNER, "ipam-pool", TOP);
        associate_as(&st, ShareMember::Resource, SHARE_ARN, &top, OWNER, "us-east-1", None).unwrap();
        associate_as(&st, ShareMember::Principal, SHARE_ARN, MEMBER, OWNER, "us-east-1", None).unwrap();
        let renamed = Share {
            name: "renamed".into(),
            resource_arns: Vec::new(),
            principals: Vec::new(),
            ..st.share(SHARE_ARN).unwrap().unwrap()
        };
        let stored = update_share_keeping_members(&st, renamed, OWNER, "us-east-1").unwrap();
        assert_eq!(
            (stored.name.as_str(), stored.resource_arns, stored.principals),
            ("renamed", vec![top], vec![MEMBER.to_string()])
        );
    }

    #[test]
    fn a_refusal_outside_the_shared_unit_names_the_share_and_the_unit() {
        let st = with_empty_share(None);
        provision_cidr(&st, TOP, Some("10.0.0.0/16"), None).unwrap();
        let unit = crate::ipam::organization::unit_arn(OWNER, ORG_ID, UNIT);
        let top = ids::ec2_arn(OWNER, "ipam-pool", TOP);
        associate_as(&st, ShareMember::Resource, SHARE_ARN, &top, OWNER, "us-east-1", None).unwrap();
        associate_as(
            &st,
            ShareMember::Principal,
            SHARE_ARN,
            &unit,
            OWNER,
            "us-east-1",
            Some(&org()),
        )
        .unwrap();
        let pool = get(&st, TOP);
        access::check_can_allocate(&st, &pool, MEMBER, Some(&org())).unwrap();
        let e = access::check_can_allocate(&st, &pool, "333333333333", Some(&org())).unwrap_err();
        assert!(e.is_forbidden(), "{e}");
        for part in [
            "no resource share grants it to account 333333333333",
            &format!("resource share \"s\" ({SHARE_ARN})"),
            &format!("organizational unit {UNIT} ({unit}, accounts [{MEMBER}])"),
        ] {
            assert!(e.detail.contains(part), "{part}: {e}");
        }
        // Without the map, it says that the provider cannot tell who the unit holds.
        let e = access::check_can_allocate(&st, &pool, MEMBER, None).unwrap_err();
        assert!(
            e.detail.contains(&format!("organizational unit {UNIT}")) && e.detail.contains("no organization map"),
            "{e}"
        );
    }
}
