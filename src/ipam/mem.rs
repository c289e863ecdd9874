//! Storage in memory: the IPAM operations without a database, for unit tests and benchmarks.
//! It keeps what the database keeps (rows, free blocks, address history) with the same meaning
//! per [`Storage`] method, and has no transactions: a test sees exactly what an operation wrote.

use std::cell::RefCell;
use std::collections::BTreeMap;

use super::allocator::{FreeSpace, MemFreeSpace};
use super::cidr::{Cidr, Family};
use super::model::{
    Allocation, HistoryRecord, Ipam, Pool, PoolCidr, PublicIpSource, ResourceType, Scope, ScopeType, Share, ShareStatus,
};
use super::storage::Storage;
use super::{Error, Result};

/// A pool CIDR with what the database stores beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemPoolCidr {
    pub cidr: PoolCidr,
    pub scope_id: String,
    pub top_level: bool,
}

/// Everything a [`MemStorage`] holds; `Clone` and `PartialEq` so that a test can compare the
/// storage before and after an operation.
#[derive(Clone, Debug, Default)]
pub struct MemData {
    pub ipams: BTreeMap<String, Ipam>,
    pub scopes: BTreeMap<String, Scope>,
    pub pools: BTreeMap<String, Pool>,
    pub pool_cidrs: BTreeMap<String, MemPoolCidr>,
    pub allocations: BTreeMap<String, Allocation>,
    pub history: Vec<HistoryRecord>,
    pub shares: Vec<Share>,
    /// Free blocks per pool.
    pub free: BTreeMap<String, MemFreeSpace>,
}

impl PartialEq for MemData {
    fn eq(&self, o: &MemData) -> bool {
        let blocks = |d: &MemData| -> BTreeMap<String, Vec<Cidr>> {
            d.free
                .iter()
                .map(|(k, v)| (k.clone(), v.blocks()))
                .filter(|(_, v)| !v.is_empty())
                .collect()
        };
        self.ipams == o.ipams
            && self.scopes == o.scopes
            && self.pools == o.pools
            && self.pool_cidrs == o.pool_cidrs
            && self.allocations == o.allocations
            && self.history == o.history
            && self.shares == o.shares
            && blocks(self) == blocks(o)
    }
}

/// Storage in memory.
#[derive(Debug, Default)]
pub struct MemStorage {
    data: RefCell<MemData>,
}

impl MemStorage {
    /// A copy of everything stored.
    pub fn snapshot(&self) -> MemData {
        self.data.borrow().clone()
    }
    /// Changes the stored data directly (setting up a test).
    pub fn with<T>(&self, f: impl FnOnce(&mut MemData) -> T) -> T {
        f(&mut self.data.borrow_mut())
    }
    /// The free blocks of a pool, in address order.
    pub fn free_blocks(&self, pool_id: &str) -> Vec<Cidr> {
        self.data
            .borrow()
            .free
            .get(pool_id)
            .map(MemFreeSpace::blocks)
            .unwrap_or_default()
    }
}

/// One pool's free blocks in a [`MemStorage`].
pub struct MemPoolFree<'s> {
    st: &'s MemStorage,
    pool_id: &'s str,
}

impl MemPoolFree<'_> {
    fn on<T>(
        &mut self,
        f: impl FnOnce(&mut MemFreeSpace) -> std::result::Result<T, std::convert::Infallible>,
    ) -> Result<T> {
        let mut data = self.st.data.borrow_mut();
        let Ok(v) = f(data.free.entry(self.pool_id.to_string()).or_default());
        Ok(v)
    }
}

impl FreeSpace for MemPoolFree<'_> {
    type Error = Error;

    fn lowest_with_prefix(&mut self, family: Family, prefix: u8) -> Result<Option<Cidr>> {
        self.on(|m| m.lowest_with_prefix(family, prefix))
    }
    fn lowest_fitting(&mut self, family: Family, max_prefix: u8) -> Result<Option<Cidr>> {
        self.on(|m| m.lowest_fitting(family, max_prefix))
    }
    fn floor(&mut self, family: Family, start: u128) -> Result<Option<Cidr>> {
        self.on(|m| m.floor(family, start))
    }
    fn ascending_from(&mut self, family: Family, from: u128, limit: usize) -> Result<Vec<Cidr>> {
        self.on(|m| m.ascending_from(family, from, limit))
    }
    fn contains_block(&mut self, block: Cidr) -> Result<bool> {
        self.on(|m| m.contains_block(block))
    }
    fn insert(&mut self, block: Cidr) -> Result<()> {
        self.on(|m| m.insert(block))
    }
    fn remove(&mut self, block: Cidr) -> Result<()> {
        self.on(|m| m.remove(block))
    }
}

fn in_address_order<T>(mut v: Vec<T>, cidr: impl Fn(&T) -> Cidr) -> Vec<T> {
    v.sort_by_key(|x| {
        let c = cidr(x);
        (c.family, c.start)
    });
    v
}

impl Storage for MemStorage {
    type Free<'s> = MemPoolFree<'s>;

    fn ipam(&self, id: &str) -> Result<Option<Ipam>> {
        Ok(self.data.borrow().ipams.get(id).cloned())
    }
    fn count_ipams_in_region(&self, owner: &str, region: &str) -> Result<i64> {
        let d = self.data.borrow();
        Ok(d.ipams
            .values()
            .filter(|i| i.owner_id == owner && i.home_region == region)
            .count() as i64)
    }
    fn insert_ipam(&self, i: &Ipam) -> Result<()> {
        self.data.borrow_mut().ipams.insert(i.id.clone(), i.clone());
        Ok(())
    }
    fn update_ipam(&self, i: &Ipam) -> Result<()> {
        self.insert_ipam(i)
    }
    fn delete_ipam(&self, id: &str) -> Result<()> {
        // As the database's foreign keys do: everything in the IPAM goes too.
        let mut d = self.data.borrow_mut();
        let pools: Vec<String> = d
            .pools
            .values()
            .filter(|p| p.ipam_id == id)
            .map(|p| p.id.clone())
            .collect();
        d.ipams.remove(id);
        d.scopes.retain(|_, s| s.ipam_id != id);
        d.pools.retain(|_, p| p.ipam_id != id);
        d.pool_cidrs.retain(|_, c| !pools.contains(&c.cidr.pool_id));
        d.allocations.retain(|_, a| !pools.contains(&a.pool_id));
        d.free.retain(|p, _| !pools.contains(p));
        d.history.retain(|h| h.ipam_id != id);
        Ok(())
    }
    fn private_top_level_ipv6_cidrs(&self, ipam_id: &str) -> Result<Vec<(String, Cidr)>> {
        let d = self.data.borrow();
        let private = |scope_id: &str| {
            d.scopes
                .get(scope_id)
                .is_some_and(|s| s.ipam_id == ipam_id && s.scope_type == ScopeType::Private)
        };
        let mut v: Vec<(String, Cidr)> = d
            .pool_cidrs
            .values()
            .filter(|c| c.top_level && c.cidr.cidr.family == Family::V6 && private(&c.scope_id))
            .map(|c| (c.cidr.pool_id.clone(), c.cidr.cidr))
            .collect();
        v.sort_by_key(|(pool, c)| (pool.clone(), c.start));
        Ok(v)
    }
    fn scopes_of(&self, ipam_id: &str) -> Result<Vec<Scope>> {
        let d = self.data.borrow();
        let mut v: Vec<Scope> = d.scopes.values().filter(|s| s.ipam_id == ipam_id).cloned().collect();
        v.sort_by(|a, b| b.is_default.cmp(&a.is_default).then_with(|| a.id.cmp(&b.id)));
        Ok(v)
    }
    fn count_scopes(&self, ipam_id: &str) -> Result<i64> {
        Ok(self.scopes_of(ipam_id)?.len() as i64)
    }
    fn count_pools_in_scope(&self, scope_id: &str) -> Result<i64> {
        Ok(self
            .data
            .borrow()
            .pools
            .values()
            .filter(|p| p.scope_id == scope_id)
            .count() as i64)
    }
    fn insert_scope(&self, s: &Scope) -> Result<()> {
        self.data.borrow_mut().scopes.insert(s.id.clone(), s.clone());
        Ok(())
    }
    fn update_scope(&self, s: &Scope) -> Result<()> {
        self.insert_scope(s)
    }
    fn delete_scope(&self, id: &str) -> Result<()> {
        self.data.borrow_mut().scopes.remove(id);
        Ok(())
    }
    fn scope(&self, id: &str) -> Result<Option<Scope>> {
        Ok(self.data.borrow().scopes.get(id).cloned())
    }
    fn scope_type(&self, id: &str) -> Result<Option<ScopeType>> {
        Ok(self.data.borrow().scopes.get(id).map(|s| s.scope_type))
    }
    fn pool(&self, id: &str) -> Result<Option<Pool>> {
        Ok(self.data.borrow().pools.get(id).cloned())
    }
    fn child_pools(&self, id: &str) -> Result<Vec<Pool>> {
        let d = self.data.borrow();
        Ok(d.pools
            .values()
            .filter(|p| p.source_pool_id.as_deref() == Some(id))
            .cloned()
            .collect())
    }
    fn insert_pool(&self, p: &Pool) -> Result<()> {
        self.data.borrow_mut().pools.insert(p.id.clone(), p.clone());
        Ok(())
    }
    fn update_pool(&self, p: &Pool) -> Result<()> {
        // As the database's UPDATE: only the mutable fields, and only of a pool that exists.
        if let Some(row) = self.data.borrow_mut().pools.get_mut(&p.id) {
            row.description = p.description.clone();
            row.auto_import = p.auto_import;
            row.min_netmask = p.min_netmask;
            row.max_netmask = p.max_netmask;
            row.default_netmask = p.default_netmask;
            row.allocation_resource_tags = p.allocation_resource_tags.clone();
            row.tags = p.tags.clone();
            row.tags_all = p.tags_all.clone();
            row.cascade = p.cascade;
            row.state = p.state;
        }
        Ok(())
    }
    fn delete_pool_row(&self, id: &str) -> Result<()> {
        // As the database's foreign keys do: the pool's CIDRs, allocations and free space go too.
        let mut d = self.data.borrow_mut();
        d.pools.remove(id);
        d.pool_cidrs.retain(|_, c| c.cidr.pool_id != id);
        d.allocations.retain(|_, a| a.pool_id != id);
        d.free.remove(id);
        Ok(())
    }
    fn pool_cidrs(&self, pool_id: &str) -> Result<Vec<PoolCidr>> {
        let d = self.data.borrow();
        let v = d
            .pool_cidrs
            .values()
            .filter(|c| c.cidr.pool_id == pool_id)
            .map(|c| c.cidr.clone())
            .collect();
        Ok(in_address_order(v, |c: &PoolCidr| c.cidr))
    }
    fn pool_roots(&self, pool_id: &str) -> Result<Vec<Cidr>> {
        Ok(self.pool_cidrs(pool_id)?.into_iter().map(|c| c.cidr).collect())
    }
    fn count_pool_cidrs(&self, pool_id: &str) -> Result<i64> {
        Ok(self.pool_cidrs(pool_id)?.len() as i64)
    }
    fn overlapping_top_level_cidr(&self, scope_id: &str, cidr: &Cidr) -> Result<Option<(String, Cidr)>> {
        let d = self.data.borrow();
        Ok(d.pool_cidrs
            .values()
            .filter(|c| c.top_level && c.scope_id == scope_id && c.cidr.cidr.overlaps(cidr))
            .max_by_key(|c| c.cidr.cidr.start)
            .map(|c| (c.cidr.pool_id.clone(), c.cidr.cidr)))
    }
    fn amazon_cidrs_within(&self, block: &Cidr) -> Result<Vec<Cidr>> {
        let d = self.data.borrow();
        let amazon = |pool_id: &str| {
            d.pools
                .get(pool_id)
                .is_some_and(|p| p.public_ip_source == Some(PublicIpSource::Amazon))
        };
        let v = d
            .pool_cidrs
            .values()
            .filter(|c| c.top_level && amazon(&c.cidr.pool_id) && block.contains(&c.cidr.cidr))
            .map(|c| c.cidr.cidr)
            .collect();
        Ok(in_address_order(v, |c: &Cidr| *c))
    }
    fn insert_pool_cidr(&self, c: &PoolCidr, scope_id: &str, top_level: bool) -> Result<()> {
        let row = MemPoolCidr {
            cidr: c.clone(),
            scope_id: scope_id.to_string(),
            top_level,
        };
        self.data.borrow_mut().pool_cidrs.insert(c.id.clone(), row);
        Ok(())
    }
    fn delete_pool_cidr(&self, id: &str) -> Result<()> {
        self.data.borrow_mut().pool_cidrs.remove(id);
        Ok(())
    }
    fn allocations_of(&self, pool_id: &str) -> Result<Vec<Allocation>> {
        let d = self.data.borrow();
        let v = d
            .allocations
            .values()
            .filter(|a| a.pool_id == pool_id)
            .cloned()
            .collect();
        Ok(in_address_order(v, |a: &Allocation| a.cidr))
    }
    fn pool_allocation_for(&self, parent_id: &str, child_id: &str, cidr: &Cidr) -> Result<Option<Allocation>> {
        Ok(self.allocations_of(parent_id)?.into_iter().find(|a| {
            a.cidr == *cidr && a.resource_type == ResourceType::IpamPool && a.resource_id.as_deref() == Some(child_id)
        }))
    }
    fn count_allocations_within(&self, pool_id: &str, cidr: &Cidr) -> Result<i64> {
        Ok(self
            .allocations_of(pool_id)?
            .iter()
            .filter(|a| cidr.contains(&a.cidr))
            .count() as i64)
    }
    fn insert_allocation(&self, a: &Allocation) -> Result<()> {
        self.data.borrow_mut().allocations.insert(a.id.clone(), a.clone());
        Ok(())
    }
    fn delete_allocation(&self, id: &str) -> Result<()> {
        self.data.borrow_mut().allocations.remove(id);
        Ok(())
    }
    fn allocation(&self, id: &str) -> Result<Option<Allocation>> {
        Ok(self.data.borrow().allocations.get(id).cloned())
    }
    fn update_allocation_tags(&self, a: &Allocation) -> Result<()> {
        // As the database's update does: only the tags and the compliance status change.
        if let Some(row) = self.data.borrow_mut().allocations.get_mut(&a.id) {
            row.tags = a.tags.clone();
            row.tags_all = a.tags_all.clone();
            row.compliance_status = a.compliance_status;
        }
        Ok(())
    }
    fn history_open(&self, ipam_id: &str, scope_id: &str, pool_id: &str, a: &Allocation, now: &str) -> Result<()> {
        self.data.borrow_mut().history.push(HistoryRecord {
            ipam_id: ipam_id.to_string(),
            scope_id: scope_id.to_string(),
            pool_id: Some(pool_id.to_string()),
            cidr: a.cidr.to_string(),
            resource_type: a.resource_type,
            resource_id: Some(a.resource_id.clone().unwrap_or_else(|| a.id.clone())),
            resource_owner: a.resource_owner.clone(),
            resource_region: a.resource_region.clone(),
            compliance_status: Some(a.compliance_status),
            start_time: now.to_string(),
            end_time: None,
        });
        Ok(())
    }
    fn history_close(&self, scope_id: &str, cidr: &Cidr, resource_id: &str, now: &str) -> Result<()> {
        let cidr = cidr.to_string();
        for h in self.data.borrow_mut().history.iter_mut().filter(|h| {
            h.scope_id == scope_id
                && h.cidr == cidr
                && h.resource_id.as_deref() == Some(resource_id)
                && h.end_time.is_none()
        }) {
            h.end_time = Some(now.to_string());
        }
        Ok(())
    }
    fn free_space<'s>(&'s self, pool_id: &'s str) -> MemPoolFree<'s> {
        MemPoolFree { st: self, pool_id }
    }
    fn delete_free_blocks_within(&self, pool_id: &str, cidr: &Cidr) -> Result<()> {
        let mut d = self.data.borrow_mut();
        if let Some(m) = d.free.get_mut(pool_id) {
            for b in m.blocks().into_iter().filter(|b| cidr.contains(b)) {
                let Ok(()) = m.remove(b);
            }
        }
        Ok(())
    }
    fn share(&self, arn: &str) -> Result<Option<Share>> {
        Ok(self.data.borrow().shares.iter().find(|s| s.arn == arn).cloned())
    }
    fn put_share(&self, s: &Share) -> Result<()> {
        let mut d = self.data.borrow_mut();
        d.shares.retain(|x| x.arn != s.arn);
        d.shares.push(s.clone());
        Ok(())
    }
    fn delete_share(&self, arn: &str) -> Result<()> {
        self.data.borrow_mut().shares.retain(|s| s.arn != arn);
        Ok(())
    }
    fn share_permissions_for(&self, resource_arn: &str, principal: &str) -> Result<Vec<String>> {
        let d = self.data.borrow();
        Ok(d.shares
            .iter()
            .filter(|s| {
                s.status == ShareStatus::Active
                    && s.resource_arns.iter().any(|r| r == resource_arn)
                    && s.principals.iter().any(|p| p == principal)
            })
            .flat_map(|s| s.permission_arns.iter().cloned())
            .collect())
    }
    fn shares_naming(&self, resource_arn: &str) -> Result<Vec<Share>> {
        let d = self.data.borrow();
        Ok(d.shares
            .iter()
            .filter(|s| s.status == ShareStatus::Active && s.resource_arns.iter().any(|r| r == resource_arn))
            .cloned()
            .collect())
    }
}
