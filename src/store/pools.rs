//! Queries on pools, pool CIDRs, allocations and address history.

use super::sql::{Row, args};
use super::{Tx, tags_from_json, tags_to_json};
use crate::ipam::cidr::{Cidr, Family};
use crate::ipam::model::{Allocation, ComplianceStatus, Pool, PoolCidr, PublicIpSource, ResourceType};
use crate::ipam::{Error, Result};

const POOL_COLS: &str = "id, scope_id, ipam_id, owner_id, address_family, locale, source_pool_id, depth, description, \
    auto_import, min_netmask, max_netmask, default_netmask, allocation_resource_tags, aws_service, public_ip_source, \
    publicly_advertisable, tags, cascade, state, tags_all, locale_configured";
const CIDR_COLS: &str = "id, pool_id, family, start, prefix, netmask_length, auth_message, auth_signature, state";
const ALLOC_COLS: &str = "id, pool_id, family, start, prefix, netmask_length, resource_type, resource_id, resource_owner, \
    resource_region, description, disallowed_cidrs, tags, compliance_status, tags_all";

pub(super) fn family_code(f: Family) -> i64 {
    match f {
        Family::V4 => 4,
        Family::V6 => 6,
    }
}

pub(super) fn u128_bytes(v: u128) -> [u8; 16] {
    v.to_be_bytes()
}

pub(super) fn cidr_from(r: &Row, fam: usize) -> Result<Cidr> {
    let f: i64 = r.get(fam)?;
    let start: Vec<u8> = r.get(fam + 1)?;
    let prefix: u8 = r.get(fam + 2)?;
    let family = if f == 4 { Family::V4 } else { Family::V6 };
    let bad = || Error::storage(format!("a stored CIDR (family {f}, prefix {prefix}) is malformed"));
    let bytes: [u8; 16] = start.as_slice().try_into().map_err(|_| bad())?;
    Cidr::from_parts(family, bytes, prefix).map_err(|_| bad())
}

fn pool_row(r: &Row) -> Result<Pool> {
    let art: String = r.get(13)?;
    let tags: String = r.get(17)?;
    Ok(Pool {
        id: r.get(0)?,
        scope_id: r.get(1)?,
        ipam_id: r.get(2)?,
        owner_id: r.get(3)?,
        address_family: r.parse(4, "pools.address_family")?,
        locale: r.get(5)?,
        locale_configured: r.get(21)?,
        source_pool_id: r.get(6)?,
        depth: r.get(7)?,
        description: r.get(8)?,
        auto_import: r.get(9)?,
        min_netmask: r.get(10)?,
        max_netmask: r.get(11)?,
        default_netmask: r.get(12)?,
        allocation_resource_tags: tags_from_json(&art),
        aws_service: r.parse_opt(14, "pools.aws_service")?,
        public_ip_source: r.parse_opt(15, "pools.public_ip_source")?,
        publicly_advertisable: r.get(16)?,
        tags: tags_from_json(&tags),
        tags_all: tags_from_json(&r.get::<String>(20)?),
        cascade: r.get(18)?,
        state: r.parse(19, "pools.state")?,
    })
}

fn cidr_row(r: &Row) -> Result<PoolCidr> {
    Ok(PoolCidr {
        id: r.get(0)?,
        pool_id: r.get(1)?,
        cidr: cidr_from(r, 2)?,
        netmask_length: r.get(5)?,
        auth_message: r.get(6)?,
        auth_signature: r.get(7)?,
        state: r.parse(8, "pool_cidrs.state")?,
    })
}

fn alloc_row(r: &Row) -> Result<Allocation> {
    let disallowed: String = r.get(11)?;
    let tags: String = r.get(12)?;
    Ok(Allocation {
        id: r.get(0)?,
        pool_id: r.get(1)?,
        cidr: cidr_from(r, 2)?,
        netmask_length: r.get(5)?,
        resource_type: r.parse(6, "allocations.resource_type")?,
        resource_id: r.get(7)?,
        resource_owner: r.get(8)?,
        resource_region: r.get(9)?,
        description: r.get(10)?,
        disallowed_cidrs: serde_json::from_str(&disallowed).unwrap_or_default(),
        tags: tags_from_json(&tags),
        tags_all: tags_from_json(&r.get::<String>(14)?),
        compliance_status: r.parse(13, "allocations.compliance_status")?,
    })
}

impl<'a> Tx<'a> {
    /// The pool with this ID.
    pub fn pool(&self, id: &str) -> Result<Option<Pool>> {
        self.opt(
            &format!("SELECT {POOL_COLS} FROM pools WHERE id = ?1"),
            args![id],
            pool_row,
        )
    }

    /// Every pool, by scope then ID.
    pub fn all_pools(&self) -> Result<Vec<Pool>> {
        self.rows(
            &format!("SELECT {POOL_COLS} FROM pools ORDER BY scope_id, depth, id"),
            args![],
            pool_row,
        )
    }

    /// The child pools of a pool.
    pub fn child_pools(&self, id: &str) -> Result<Vec<Pool>> {
        self.rows(
            &format!("SELECT {POOL_COLS} FROM pools WHERE source_pool_id = ?1 ORDER BY id"),
            args![id],
            pool_row,
        )
    }

    /// Inserts a pool.
    pub fn insert_pool(&self, p: &Pool) -> Result<()> {
        self.write_sql(
            &format!("INSERT INTO pools ({POOL_COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22)"),
            args![
                p.id,
                p.scope_id,
                p.ipam_id,
                p.owner_id,
                p.address_family,
                p.locale,
                p.source_pool_id,
                p.depth,
                p.description,
                p.auto_import,
                p.min_netmask,
                p.max_netmask,
                p.default_netmask,
                tags_to_json(&p.allocation_resource_tags),
                p.aws_service,
                p.public_ip_source,
                p.publicly_advertisable,
                tags_to_json(&p.tags),
                p.cascade,
                p.state,
                tags_to_json(&p.tags_all),
                p.locale_configured
            ],
        )
    }

    /// Updates the mutable fields of a pool.
    pub fn update_pool(&self, p: &Pool) -> Result<()> {
        self.write_sql(
            "UPDATE pools SET description=?2, auto_import=?3, min_netmask=?4, max_netmask=?5, default_netmask=?6, \
             allocation_resource_tags=?7, tags=?8, cascade=?9, state=?10, tags_all=?11 WHERE id=?1",
            args![
                p.id,
                p.description,
                p.auto_import,
                p.min_netmask,
                p.max_netmask,
                p.default_netmask,
                tags_to_json(&p.allocation_resource_tags),
                tags_to_json(&p.tags),
                p.cascade,
                p.state,
                tags_to_json(&p.tags_all)
            ],
        )
    }

    /// Deletes a pool row (its CIDRs, allocations and free space go with it).
    pub fn delete_pool_row(&self, id: &str) -> Result<()> {
        self.invalidate_free_space();
        self.write_sql("DELETE FROM pools WHERE id = ?1", args![id])
    }

    /// The CIDRs provisioned to a pool, in address order.
    pub fn pool_cidrs(&self, pool_id: &str) -> Result<Vec<PoolCidr>> {
        self.rows(
            &format!("SELECT {CIDR_COLS} FROM pool_cidrs WHERE pool_id = ?1 ORDER BY family, start"),
            args![pool_id],
            cidr_row,
        )
    }

    /// The provisioned CIDRs of a pool, in address order; in a SQLite write transaction from
    /// memory once read.
    pub fn pool_roots(&self, pool_id: &str) -> Result<Vec<Cidr>> {
        if let Some(cache) = self.free_cache()
            && let Some(r) = cache.roots.get(pool_id)
        {
            return Ok(r.clone());
        }
        let roots: Vec<Cidr> = self.pool_cidrs(pool_id)?.into_iter().map(|c| c.cidr).collect();
        if let Some(mut cache) = self.free_cache() {
            cache.roots.insert(pool_id.to_string(), roots.clone());
        }
        Ok(roots)
    }

    /// The pool CIDR with exactly this CIDR in this pool.
    pub fn pool_cidr(&self, pool_id: &str, cidr: &Cidr) -> Result<Option<PoolCidr>> {
        self.opt(
            &format!(
                "SELECT {CIDR_COLS} FROM pool_cidrs WHERE pool_id = ?1 AND family = ?2 AND start = ?3 AND prefix = ?4"
            ),
            args![pool_id, family_code(cidr.family), cidr.start_bytes(), cidr.prefix],
            cidr_row,
        )
    }

    /// How many CIDRs a pool has.
    pub fn count_pool_cidrs(&self, pool_id: &str) -> Result<i64> {
        self.scalar("SELECT count(*) FROM pool_cidrs WHERE pool_id = ?1", args![pool_id])
    }

    /// A top-level CIDR of the scope that overlaps `cidr`, if any. Top-level CIDRs of a
    /// scope are disjoint, so only the last one starting at or before `cidr`'s end can overlap it.
    pub fn overlapping_top_level_cidr(&self, scope_id: &str, cidr: &Cidr) -> Result<Option<(String, Cidr)>> {
        let last_bytes = u128_bytes(cidr.last());
        let found = self.opt(
            "SELECT pool_id, family, start, prefix FROM pool_cidrs WHERE scope_id = ?1 AND top_level = 1 AND family = ?2 \
             AND start <= ?3 ORDER BY start DESC LIMIT 1",
            args![scope_id, family_code(cidr.family), last_bytes],
            |r| Ok((r.get::<String>(0)?, cidr_from(r, 1)?)),
        )?;
        Ok(found.filter(|(_, c)| c.overlaps(cidr)))
    }

    /// Every provisioned CIDR inside `block` across the public scopes of pools drawing on
    /// Amazon-provided space, in address order.
    pub fn amazon_cidrs_within(&self, block: &Cidr) -> Result<Vec<Cidr>> {
        let all = self.rows(
            "SELECT c.family, c.start, c.prefix FROM pool_cidrs c JOIN pools p ON p.id = c.pool_id \
             WHERE c.top_level = 1 AND p.public_ip_source = ?1 AND c.family = ?2 ORDER BY c.start",
            args![PublicIpSource::Amazon, family_code(Family::V6)],
            |r| cidr_from(r, 0),
        )?;
        Ok(all.into_iter().filter(|c| block.contains(c)).collect())
    }

    /// Inserts a pool CIDR.
    pub fn insert_pool_cidr(&self, c: &PoolCidr, scope_id: &str, top_level: bool) -> Result<()> {
        self.invalidate_free_space();
        self.write_sql(
            "INSERT INTO pool_cidrs (id, pool_id, scope_id, top_level, family, start, prefix, cidr, netmask_length, auth_message, auth_signature, state) \
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
            args![
                c.id,
                c.pool_id,
                scope_id,
                top_level,
                family_code(c.cidr.family),
                c.cidr.start_bytes(),
                c.cidr.prefix,
                c.cidr.to_string(),
                c.netmask_length,
                c.auth_message,
                c.auth_signature,
                c.state
            ],
        )
    }

    /// Deletes a pool CIDR.
    pub fn delete_pool_cidr(&self, id: &str) -> Result<()> {
        self.invalidate_free_space();
        self.write_sql("DELETE FROM pool_cidrs WHERE id = ?1", args![id])
    }

    /// The allocation with this ID.
    pub fn allocation(&self, id: &str) -> Result<Option<Allocation>> {
        self.opt(
            &format!("SELECT {ALLOC_COLS} FROM allocations WHERE id = ?1"),
            args![id],
            alloc_row,
        )
    }

    /// The allocations of a pool, in address order.
    pub fn allocations_of(&self, pool_id: &str) -> Result<Vec<Allocation>> {
        self.rows(
            &format!("SELECT {ALLOC_COLS} FROM allocations WHERE pool_id = ?1 ORDER BY family, start"),
            args![pool_id],
            alloc_row,
        )
    }

    /// The allocation of exactly this CIDR in this pool.
    pub fn allocation_at(&self, pool_id: &str, cidr: &Cidr) -> Result<Option<Allocation>> {
        self.opt(
            &format!(
                "SELECT {ALLOC_COLS} FROM allocations WHERE pool_id = ?1 AND family = ?2 AND start = ?3 AND prefix = ?4"
            ),
            args![pool_id, family_code(cidr.family), cidr.start_bytes(), cidr.prefix],
            alloc_row,
        )
    }

    /// The allocation holding a child pool's CIDR in its parent.
    pub fn pool_allocation_for(&self, parent_id: &str, child_id: &str, cidr: &Cidr) -> Result<Option<Allocation>> {
        Ok(self
            .allocation_at(parent_id, cidr)?
            .filter(|a| a.resource_type == ResourceType::IpamPool && a.resource_id.as_deref() == Some(child_id)))
    }

    /// How many allocations lie inside `cidr` in this pool.
    pub fn count_allocations_within(&self, pool_id: &str, cidr: &Cidr) -> Result<i64> {
        let last = u128_bytes(cidr.last());
        self.scalar(
            "SELECT count(*) FROM allocations WHERE pool_id = ?1 AND family = ?2 AND start >= ?3 AND start <= ?4",
            args![pool_id, family_code(cidr.family), cidr.start_bytes(), last],
        )
    }

    /// Allocation counts of a pool per (child pool?, compliant?, block size in addresses).
    pub fn allocation_counts(&self, pool_id: &str) -> Result<Vec<(bool, bool, u128, i64)>> {
        self.rows(
            "SELECT resource_type = ?2, compliance_status = ?3, family, prefix, count(*) \
             FROM allocations WHERE pool_id = ?1 GROUP BY 1, 2, 3, 4",
            args![pool_id, ResourceType::IpamPool, ComplianceStatus::Compliant],
            |r| {
                let bits: u32 = if r.get::<i64>(2)? == 4 { 32 } else { 128 };
                let host = bits.saturating_sub(r.get::<u32>(3)?);
                let block = if host >= 128 { u128::MAX } else { 1u128 << host };
                Ok((r.get(0)?, r.get(1)?, block, r.get(4)?))
            },
        )
    }

    /// How many allocations the database holds.
    pub fn count_all_allocations(&self) -> Result<i64> {
        self.scalar("SELECT count(*) FROM allocations", args![])
    }

    /// How many allocations a pool has.
    pub fn count_allocations(&self, pool_id: &str) -> Result<i64> {
        self.scalar("SELECT count(*) FROM allocations WHERE pool_id = ?1", args![pool_id])
    }

    /// Inserts an allocation.
    pub fn insert_allocation(&self, a: &Allocation) -> Result<()> {
        self.write_sql(
            &format!("INSERT INTO allocations ({ALLOC_COLS}, cidr) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)"),
            args![
                a.id,
                a.pool_id,
                family_code(a.cidr.family),
                a.cidr.start_bytes(),
                a.cidr.prefix,
                a.netmask_length,
                a.resource_type,
                a.resource_id,
                a.resource_owner,
                a.resource_region,
                a.description,
                serde_json::to_string(&a.disallowed_cidrs).unwrap_or_else(|_| "[]".into()),
                tags_to_json(&a.tags),
                a.compliance_status,
                tags_to_json(&a.tags_all),
                a.cidr.to_string()
            ],
        )
    }

    /// Updates an allocation's tags (its own and `tags_all`) and compliance.
    pub fn update_allocation_tags(&self, a: &Allocation) -> Result<()> {
        self.write_sql(
            "UPDATE allocations SET tags = ?2, compliance_status = ?3, tags_all = ?4 WHERE id = ?1",
            args![
                a.id,
                tags_to_json(&a.tags),
                a.compliance_status,
                tags_to_json(&a.tags_all)
            ],
        )
    }

    /// Deletes an allocation row.
    pub fn delete_allocation(&self, id: &str) -> Result<()> {
        self.write_sql("DELETE FROM allocations WHERE id = ?1", args![id])
    }

    /// Opens an address-history record.
    pub fn history_open(&self, ipam_id: &str, scope_id: &str, pool_id: &str, a: &Allocation, now: &str) -> Result<()> {
        self.write_sql(
            "INSERT INTO history (ipam_id, scope_id, pool_id, family, start, prefix, cidr, resource_type, resource_id, resource_owner, \
             resource_region, compliance_status, start_time) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
            args![
                ipam_id,
                scope_id,
                pool_id,
                family_code(a.cidr.family),
                a.cidr.start_bytes(),
                a.cidr.prefix,
                a.cidr.to_string(),
                a.resource_type,
                a.resource_id.clone().unwrap_or_else(|| a.id.clone()),
                a.resource_owner,
                a.resource_region,
                a.compliance_status,
                now
            ],
        )
    }

    /// Closes the open history record of a CIDR held by a resource.
    pub fn history_close(&self, scope_id: &str, cidr: &Cidr, resource_id: &str, now: &str) -> Result<()> {
        self.write_sql(
            "UPDATE history SET end_time = ?5 WHERE scope_id = ?1 AND family = ?2 AND start = ?3 AND prefix = ?6 AND resource_id = ?4 AND end_time IS NULL",
            args![scope_id, family_code(cidr.family), cidr.start_bytes(), resource_id, now, cidr.prefix],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{POOL, c, pool_cidr, store};

    /// The facts R-40 decides on: the one top-level CIDR of the scope that overlaps, found by
    /// one seek (the last top-level CIDR starting at or before the candidate's end).
    #[test]
    fn r40_overlapping_top_level_cidr_query() {
        let (_dir, store) = store();
        let scope = "ipam-scope-00000000000000001";
        store
            .write(|tx| {
                for (i, (cidr, top)) in [("10.0.0.0/24", true), ("10.0.2.0/24", true), ("10.9.0.0/16", false)]
                    .into_iter()
                    .enumerate()
                {
                    tx.insert_pool_cidr(&pool_cidr(&format!("ipam-pool-cidr-{i}"), cidr), scope, top)?;
                }
                Ok(())
            })
            .unwrap();
        let found = |cidr: &str| {
            store
                .read(|tx| tx.overlapping_top_level_cidr(scope, &c(cidr)))
                .unwrap()
                .map(|(p, c)| (p, c.to_string()))
        };
        let hit = |s: &str| Some((POOL.to_string(), s.to_string()));
        assert_eq!(found("10.0.0.128/25"), hit("10.0.0.0/24"), "inside");
        assert_eq!(found("10.0.0.0/16"), hit("10.0.2.0/24"), "around two");
        assert_eq!(found("10.0.0.0/8"), hit("10.0.2.0/24"), "around all");
        assert_eq!(found("10.0.1.0/24"), None, "in the gap");
        assert_eq!(found("10.0.3.0/24"), None, "just above");
        assert_eq!(found("10.9.1.0/24"), None, "child-pool CIDRs are not top-level");
        assert_eq!(
            store
                .read(|tx| tx.overlapping_top_level_cidr("ipam-scope-other", &c("10.0.0.0/24")))
                .unwrap(),
            None,
            "another scope"
        );
    }
}
