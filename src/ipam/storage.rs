//! What the operations of [`super::ops`] and the checks of [`super::access`] read and write: a
//! narrow storage interface that the database (`store::Tx`) and memory ([`super::mem`])
//! implement, so that the rules run the same on every engine. Every method runs inside the
//! caller's transaction; the operations never see SQL.

use super::Result;
use super::allocator::FreeSpace;
use super::cidr::Cidr;
use super::model::{Allocation, Ipam, Pool, PoolCidr, Scope, ScopeType, Share};

/// The reads and writes the IPAM operations need.
pub trait Storage {
    /// One pool's free blocks, for the allocator.
    type Free<'s>: FreeSpace<Error = super::Error>
    where
        Self: 's;

    /// An IPAM by ID.
    fn ipam(&self, id: &str) -> Result<Option<Ipam>>;
    /// How many IPAMs `owner` has in `region`.
    fn count_ipams_in_region(&self, owner: &str, region: &str) -> Result<i64>;
    /// Records an IPAM (its default scopes are recorded separately).
    fn insert_ipam(&self, i: &Ipam) -> Result<()>;
    /// Writes the mutable fields of an IPAM.
    fn update_ipam(&self, i: &Ipam) -> Result<()>;
    /// Deletes an IPAM and everything in it: scopes, pools, CIDRs, allocations, free space and
    /// address history.
    fn delete_ipam(&self, id: &str) -> Result<()>;
    /// The CIDRs provisioned to the top-level IPv6 pools of an IPAM's private scopes, each with
    /// its pool, by pool then address (child pools lie inside their parents).
    fn private_top_level_ipv6_cidrs(&self, ipam_id: &str) -> Result<Vec<(String, Cidr)>>;

    /// A scope by ID.
    fn scope(&self, id: &str) -> Result<Option<Scope>>;
    /// The type of a scope (a cheaper read than the whole scope).
    fn scope_type(&self, id: &str) -> Result<Option<ScopeType>>;
    /// The scopes of an IPAM, defaults first.
    fn scopes_of(&self, ipam_id: &str) -> Result<Vec<Scope>>;
    /// How many scopes an IPAM has, the default scopes included.
    fn count_scopes(&self, ipam_id: &str) -> Result<i64>;
    /// How many pools a scope has.
    fn count_pools_in_scope(&self, scope_id: &str) -> Result<i64>;
    /// Records a scope.
    fn insert_scope(&self, s: &Scope) -> Result<()>;
    /// Writes the mutable fields of a scope.
    fn update_scope(&self, s: &Scope) -> Result<()>;
    /// Deletes a scope (it holds no pool).
    fn delete_scope(&self, id: &str) -> Result<()>;

    /// A pool by ID.
    fn pool(&self, id: &str) -> Result<Option<Pool>>;
    /// The pools whose source pool is `id`.
    fn child_pools(&self, id: &str) -> Result<Vec<Pool>>;
    /// Records a pool.
    fn insert_pool(&self, p: &Pool) -> Result<()>;
    /// Writes the mutable fields of a pool: description, auto-import, netmask and tag rules,
    /// tags, cascade and state.
    fn update_pool(&self, p: &Pool) -> Result<()>;
    /// Deletes a pool's row (its CIDRs, allocations and children are gone already).
    fn delete_pool_row(&self, id: &str) -> Result<()>;

    /// The CIDRs provisioned to a pool.
    fn pool_cidrs(&self, pool_id: &str) -> Result<Vec<PoolCidr>>;
    /// The CIDRs provisioned to a pool, as blocks (the allocator's roots).
    fn pool_roots(&self, pool_id: &str) -> Result<Vec<Cidr>>;
    /// How many CIDRs a pool has.
    fn count_pool_cidrs(&self, pool_id: &str) -> Result<i64>;
    /// A top-level CIDR of the scope overlapping `cidr`, with its pool, if any.
    fn overlapping_top_level_cidr(&self, scope_id: &str, cidr: &Cidr) -> Result<Option<(String, Cidr)>>;
    /// The Amazon-provided CIDRs already handed out inside `block`.
    fn amazon_cidrs_within(&self, block: &Cidr) -> Result<Vec<Cidr>>;
    /// Records a pool CIDR; `top_level` when the pool has no source pool.
    fn insert_pool_cidr(&self, c: &PoolCidr, scope_id: &str, top_level: bool) -> Result<()>;
    /// Deletes a pool CIDR.
    fn delete_pool_cidr(&self, id: &str) -> Result<()>;

    /// The allocations of a pool.
    fn allocations_of(&self, pool_id: &str) -> Result<Vec<Allocation>>;
    /// The allocation in `parent_id` that holds `cidr` for the child pool `child_id`.
    fn pool_allocation_for(&self, parent_id: &str, child_id: &str, cidr: &Cidr) -> Result<Option<Allocation>>;
    /// How many allocations of a pool lie inside `cidr`.
    fn count_allocations_within(&self, pool_id: &str, cidr: &Cidr) -> Result<i64>;
    /// Records an allocation.
    fn insert_allocation(&self, a: &Allocation) -> Result<()>;
    /// Deletes an allocation.
    fn delete_allocation(&self, id: &str) -> Result<()>;
    /// An allocation by ID.
    fn allocation(&self, id: &str) -> Result<Option<Allocation>>;
    /// Writes an allocation's tags (its own and `tags_all`) and its compliance status.
    fn update_allocation_tags(&self, a: &Allocation) -> Result<()>;

    /// Opens the address-history record of an allocation at `now`.
    fn history_open(&self, ipam_id: &str, scope_id: &str, pool_id: &str, a: &Allocation, now: &str) -> Result<()>;
    /// Closes the open history record of a CIDR held by a resource at `now`.
    fn history_close(&self, scope_id: &str, cidr: &Cidr, resource_id: &str, now: &str) -> Result<()>;

    /// The free space of one pool.
    fn free_space<'s>(&'s self, pool_id: &'s str) -> Self::Free<'s>;
    /// Forgets every free block of a pool inside `cidr`.
    fn delete_free_blocks_within(&self, pool_id: &str, cidr: &Cidr) -> Result<()>;

    /// A resource share by ARN.
    fn share(&self, arn: &str) -> Result<Option<Share>>;
    /// Records a resource share, replacing the one with the same ARN.
    fn put_share(&self, s: &Share) -> Result<()>;
    /// Deletes a resource share.
    fn delete_share(&self, arn: &str) -> Result<()>;
    /// The permissions of every active share that names `resource_arn` and `principal`.
    fn share_permissions_for(&self, resource_arn: &str, principal: &str) -> Result<Vec<String>>;
    /// The active shares that name `resource_arn`, whoever their principals are.
    fn shares_naming(&self, resource_arn: &str) -> Result<Vec<Share>>;
}
