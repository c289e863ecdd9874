//! The database as the IPAM operations' [`Storage`]: each method is the typed query of the same
//! name.

use super::Tx;
use super::free_space::SqlFreeSpace;
use crate::ipam::Result;
use crate::ipam::cidr::Cidr;
use crate::ipam::model::{Allocation, Ipam, Pool, PoolCidr, Scope, ScopeType, Share};
use crate::ipam::storage::Storage;

impl<'a> Storage for Tx<'a> {
    type Free<'s>
        = SqlFreeSpace<'s, 'a>
    where
        Self: 's;

    fn ipam(&self, id: &str) -> Result<Option<Ipam>> {
        Tx::ipam(self, id)
    }
    fn count_ipams_in_region(&self, owner: &str, region: &str) -> Result<i64> {
        Tx::count_ipams_in_region(self, owner, region)
    }
    fn insert_ipam(&self, i: &Ipam) -> Result<()> {
        Tx::insert_ipam(self, i)
    }
    fn update_ipam(&self, i: &Ipam) -> Result<()> {
        Tx::update_ipam(self, i)
    }
    fn delete_ipam(&self, id: &str) -> Result<()> {
        Tx::delete_ipam(self, id)
    }
    fn scopes_of(&self, ipam_id: &str) -> Result<Vec<Scope>> {
        Tx::scopes_of(self, ipam_id)
    }
    fn count_scopes(&self, ipam_id: &str) -> Result<i64> {
        Tx::count_scopes(self, ipam_id)
    }
    fn count_pools_in_scope(&self, scope_id: &str) -> Result<i64> {
        Tx::count_pools_in_scope(self, scope_id)
    }
    fn insert_scope(&self, s: &Scope) -> Result<()> {
        Tx::insert_scope(self, s)
    }
    fn update_scope(&self, s: &Scope) -> Result<()> {
        Tx::update_scope(self, s)
    }
    fn delete_scope(&self, id: &str) -> Result<()> {
        Tx::delete_scope(self, id)
    }
    fn scope(&self, id: &str) -> Result<Option<Scope>> {
        Tx::scope(self, id)
    }
    fn scope_type(&self, id: &str) -> Result<Option<ScopeType>> {
        Tx::scope_type(self, id)
    }
    fn pool(&self, id: &str) -> Result<Option<Pool>> {
        Tx::pool(self, id)
    }
    fn child_pools(&self, id: &str) -> Result<Vec<Pool>> {
        Tx::child_pools(self, id)
    }
    fn delete_pool_row(&self, id: &str) -> Result<()> {
        Tx::delete_pool_row(self, id)
    }
    fn pool_cidrs(&self, pool_id: &str) -> Result<Vec<PoolCidr>> {
        Tx::pool_cidrs(self, pool_id)
    }
    fn pool_roots(&self, pool_id: &str) -> Result<Vec<Cidr>> {
        Tx::pool_roots(self, pool_id)
    }
    fn count_pool_cidrs(&self, pool_id: &str) -> Result<i64> {
        Tx::count_pool_cidrs(self, pool_id)
    }
    fn overlapping_top_level_cidr(&self, scope_id: &str, cidr: &Cidr) -> Result<Option<(String, Cidr)>> {
        Tx::overlapping_top_level_cidr(self, scope_id, cidr)
    }
    fn amazon_cidrs_within(&self, block: &Cidr) -> Result<Vec<Cidr>> {
        Tx::amazon_cidrs_within(self, block)
    }
    fn insert_pool_cidr(&self, c: &PoolCidr, scope_id: &str, top_level: bool) -> Result<()> {
        Tx::insert_pool_cidr(self, c, scope_id, top_level)
    }
    fn delete_pool_cidr(&self, id: &str) -> Result<()> {
        Tx::delete_pool_cidr(self, id)
    }
    fn allocations_of(&self, pool_id: &str) -> Result<Vec<Allocation>> {
        Tx::allocations_of(self, pool_id)
    }
    fn pool_allocation_for(&self, parent_id: &str, child_id: &str, cidr: &Cidr) -> Result<Option<Allocation>> {
        Tx::pool_allocation_for(self, parent_id, child_id, cidr)
    }
    fn count_allocations_within(&self, pool_id: &str, cidr: &Cidr) -> Result<i64> {
        Tx::count_allocations_within(self, pool_id, cidr)
    }
    fn insert_allocation(&self, a: &Allocation) -> Result<()> {
        Tx::insert_allocation(self, a)
    }
    fn delete_allocation(&self, id: &str) -> Result<()> {
        Tx::delete_allocation(self, id)
    }
    fn history_open(&self, ipam_id: &str, scope_id: &str, pool_id: &str, a: &Allocation, now: &str) -> Result<()> {
        Tx::history_open(self, ipam_id, scope_id, pool_id, a, now)
    }
    fn history_close(&self, scope_id: &str, cidr: &Cidr, resource_id: &str, now: &str) -> Result<()> {
        Tx::history_close(self, scope_id, cidr, resource_id, now)
    }
    fn free_space<'s>(&'s self, pool_id: &'s str) -> SqlFreeSpace<'s, 'a> {
        Tx::free_space(self, pool_id)
    }
    fn delete_free_blocks_within(&self, pool_id: &str, cidr: &Cidr) -> Result<()> {
        Tx::delete_free_blocks_within(self, pool_id, cidr)
    }
    fn share(&self, arn: &str) -> Result<Option<Share>> {
        Tx::share(self, arn)
    }
    fn put_share(&self, s: &Share) -> Result<()> {
        Tx::put_share(self, s)
    }
    fn delete_share(&self, arn: &str) -> Result<()> {
        Tx::delete_share(self, arn)
    }
    fn share_permissions_for(&self, resource_arn: &str, principal: &str) -> Result<Vec<String>> {
        Tx::share_permissions_for(self, resource_arn, principal)
    }
}
