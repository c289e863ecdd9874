//! The database as the IPAM operations' [`Storage`]: each method is the typed query of the same
//! name, or the query itself where the operations are its only reader.

use super::Tx;
use super::free_space::SqlFreeSpace;
use super::pools::{cidr_from, family_code};
use super::sql::args;
use crate::ipam::Result;
use crate::ipam::cidr::{Cidr, Family};
use crate::ipam::model::{Allocation, Ipam, Pool, PoolCidr, Scope, ScopeType, Share, ShareStatus};
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
    fn private_top_level_ipv6_cidrs(&self, ipam_id: &str) -> Result<Vec<(String, Cidr)>> {
        self.rows(
            "SELECT c.pool_id, c.family, c.start, c.prefix FROM pool_cidrs c JOIN scopes s ON s.id = c.scope_id \
             WHERE s.ipam_id = ?1 AND s.scope_type = ?2 AND c.top_level = 1 AND c.family = ?3 ORDER BY c.pool_id, c.start",
            args![ipam_id, ScopeType::Private.as_str(), family_code(Family::V6)],
            |r| Ok((r.get::<String>(0)?, cidr_from(r, 1)?)),
        )
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
    fn insert_pool(&self, p: &Pool) -> Result<()> {
        Tx::insert_pool(self, p)
    }
    fn update_pool(&self, p: &Pool) -> Result<()> {
        Tx::update_pool(self, p)
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
    fn allocation(&self, id: &str) -> Result<Option<Allocation>> {
        Tx::allocation(self, id)
    }
    fn update_allocation_tags(&self, a: &Allocation) -> Result<()> {
        Tx::update_allocation_tags(self, a)
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
    fn shares_naming(&self, resource_arn: &str) -> Result<Vec<Share>> {
        Ok(Tx::all_shares(self)?
            .into_iter()
            .filter(|s| s.status == ShareStatus::Active && s.resource_arns.iter().any(|r| r == resource_arn))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{self, IPAM, POOL, SCOPE, c};
    use crate::ipam::ErrorKind;
    use crate::ipam::cidr::Family;
    use crate::ipam::model::{Ipam, Pool, PoolCidr, Scope, ScopeType};
    use crate::ipam::ops::{self, ProvisionRequest};
    use crate::ipam::storage::Storage;

    const OWNER: &str = "123456789012";
    const NOW: &str = "2026-01-02T03:04:05Z";

    fn pool(id: &str, scope_id: &str, ipam_id: &str, family: Family, parent: Option<&str>) -> Pool {
        Pool {
            id: id.into(),
            scope_id: scope_id.into(),
            ipam_id: ipam_id.into(),
            address_family: family,
            source_pool_id: parent.map(str::to_string),
            depth: if parent.is_some() { 2 } else { 1 },
            ..fixtures::pool()
        }
    }

    fn scope(id: &str, ipam_id: &str, scope_type: ScopeType) -> Scope {
        Scope {
            id: id.into(),
            ipam_id: ipam_id.into(),
            ..fixtures::scope(scope_type)
        }
    }

    #[test]
    fn private_top_level_ipv6_cidrs_are_those_of_the_ipams_private_top_level_ipv6_pools() {
        let (_dir, store) = fixtures::store();
        let other = "ipam-00000000000000002";
        let found = store
            .write(|tx| {
                tx.insert_ipam(&Ipam {
                    id: other.into(),
                    ..fixtures::ipam()
                })?;
                tx.insert_scope(&scope("ipam-scope-public", IPAM, ScopeType::Public))?;
                tx.insert_scope(&scope("ipam-scope-other", other, ScopeType::Private))?;
                let pools = [
                    ("ipam-pool-v6-b", SCOPE, IPAM, None, &["fd00::/48", "2001:db8::/48"][..]),
                    ("ipam-pool-v6-a", SCOPE, IPAM, None, &["2001:db8:1::/48"]),
                    (
                        "ipam-pool-v6-child",
                        SCOPE,
                        IPAM,
                        Some("ipam-pool-v6-b"),
                        &["2001:db8::/56"],
                    ),
                    (
                        "ipam-pool-v6-public",
                        "ipam-scope-public",
                        IPAM,
                        None,
                        &["2001:db8:2::/48"],
                    ),
                    (
                        "ipam-pool-v6-other",
                        "ipam-scope-other",
                        other,
                        None,
                        &["2001:db8:3::/48"],
                    ),
                ];
                for (id, scope_id, ipam_id, parent, cidrs) in pools {
                    tx.insert_pool(&pool(id, scope_id, ipam_id, Family::V6, parent))?;
                    for (n, cidr) in cidrs.iter().enumerate() {
                        let pc = PoolCidr {
                            pool_id: id.into(),
                            ..fixtures::pool_cidr(&format!("{id}-{n}"), cidr)
                        };
                        tx.insert_pool_cidr(&pc, scope_id, parent.is_none())?;
                    }
                }
                tx.insert_pool_cidr(&fixtures::pool_cidr("v4", "10.0.0.0/16"), SCOPE, true)?;
                Storage::private_top_level_ipv6_cidrs(tx, IPAM)
            })
            .unwrap();
        // By pool, then by address: 2001:db8::/48 comes before fd00::/48.
        let expected = [
            ("ipam-pool-v6-a", "2001:db8:1::/48"),
            ("ipam-pool-v6-b", "2001:db8::/48"),
            ("ipam-pool-v6-b", "fd00::/48"),
        ]
        .map(|(p, cidr)| (p.to_string(), c(cidr)));
        assert_eq!(found, expected);
    }

    #[test]
    fn an_ipam_deleted_with_cascade_leaves_no_row_behind_and_a_refused_delete_changes_nothing() {
        let (_dir, store) = fixtures::store();
        const CHILD: &str = "ipam-pool-00000000000000002";
        let tables = [
            "ipams",
            "scopes",
            "pools",
            "pool_cidrs",
            "allocations",
            "free_blocks",
            "history",
        ];
        let counts = || {
            store
                .read(|tx| {
                    tables
                        .iter()
                        .map(|t| tx.scalar::<i64>(&format!("SELECT count(*) FROM {t}"), &[]))
                        .collect::<crate::ipam::Result<Vec<_>>>()
                })
                .unwrap()
        };
        store
            .write(|tx| {
                tx.insert_pool(&pool(CHILD, SCOPE, IPAM, Family::V4, Some(POOL)))?;
                let req = |cidr: Option<&str>, netmask_length| ProvisionRequest {
                    cidr: cidr.map(c),
                    netmask_length,
                    auth_message: None,
                    auth_signature: None,
                };
                let quotas = Default::default();
                let top = tx.pool(POOL)?.expect("the pool");
                ops::provision(tx, &top, &req(Some("10.0.0.0/16"), None), OWNER, &quotas, NOW)?;
                // The child's CIDR is an allocation in the top pool, with its history record.
                let child = tx.pool(CHILD)?.expect("the child pool");
                ops::provision(tx, &child, &req(None, Some(20)), OWNER, &quotas, NOW)
            })
            .unwrap();
        let before = counts();
        assert!(before.iter().all(|n| *n > 0), "{tables:?}: {before:?}");
        let e = store.write(|tx| ops::delete_ipam(tx, IPAM, OWNER)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Conflict, "{e}");
        assert_eq!(counts(), before, "a refused delete writes nothing");

        store
            .write(|tx| {
                let set = ops::IpamSettings {
                    operating_regions: vec!["us-east-1".into()],
                    cascade: Some(true),
                    ..Default::default()
                };
                ops::update_ipam(tx, IPAM, set, OWNER)?;
                ops::delete_ipam(tx, IPAM, OWNER)
            })
            .unwrap();
        assert_eq!(counts(), vec![0; tables.len()], "{tables:?}");
    }
}
