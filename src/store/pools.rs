//! Queries on pools, pool CIDRs, allocations, free space and address history.

use rusqlite::{OptionalExtension, Row, params};

use super::{Tx, tags_from_json, tags_to_json};
use crate::ipam::Result;
use crate::ipam::allocator::FreeSpace;
use crate::ipam::cidr::{Cidr, Family};
use crate::ipam::model::{Allocation, Pool, PoolCidr};

const POOL_COLS: &str = "id, scope_id, ipam_id, owner_id, address_family, locale, source_pool_id, depth, description, \
    auto_import, min_netmask, max_netmask, default_netmask, allocation_resource_tags, aws_service, public_ip_source, \
    publicly_advertisable, tags, cascade, state";
const CIDR_COLS: &str = "id, pool_id, family, start, prefix, netmask_length, auth_message, auth_signature, state";
const ALLOC_COLS: &str = "id, pool_id, family, start, prefix, netmask_length, resource_type, resource_id, resource_owner, \
    resource_region, description, disallowed_cidrs, tags, compliance_status";

fn family_code(f: Family) -> i64 {
    match f {
        Family::V4 => 4,
        Family::V6 => 6,
    }
}

fn cidr_from(r: &Row, fam: usize) -> rusqlite::Result<Cidr> {
    let f: i64 = r.get(fam)?;
    let start: Vec<u8> = r.get(fam + 1)?;
    let prefix: u8 = r.get(fam + 2)?;
    let family = if f == 4 { Family::V4 } else { Family::V6 };
    let bytes: [u8; 16] = start.as_slice().try_into().map_err(|_| rusqlite::Error::InvalidQuery)?;
    Cidr::from_parts(family, bytes, prefix).map_err(|_| rusqlite::Error::InvalidQuery)
}

fn pool_row(r: &Row) -> rusqlite::Result<Pool> {
    let art: String = r.get(13)?;
    let tags: String = r.get(17)?;
    Ok(Pool {
        id: r.get(0)?,
        scope_id: r.get(1)?,
        ipam_id: r.get(2)?,
        owner_id: r.get(3)?,
        address_family: r.get(4)?,
        locale: r.get(5)?,
        source_pool_id: r.get(6)?,
        depth: r.get(7)?,
        description: r.get(8)?,
        auto_import: r.get(9)?,
        min_netmask: r.get(10)?,
        max_netmask: r.get(11)?,
        default_netmask: r.get(12)?,
        allocation_resource_tags: tags_from_json(&art),
        aws_service: r.get(14)?,
        public_ip_source: r.get(15)?,
        publicly_advertisable: r.get(16)?,
        tags: tags_from_json(&tags),
        cascade: r.get(18)?,
        state: r.get(19)?,
    })
}

fn cidr_row(r: &Row) -> rusqlite::Result<PoolCidr> {
    Ok(PoolCidr {
        id: r.get(0)?,
        pool_id: r.get(1)?,
        cidr: cidr_from(r, 2)?,
        netmask_length: r.get(5)?,
        auth_message: r.get(6)?,
        auth_signature: r.get(7)?,
        state: r.get(8)?,
    })
}

fn alloc_row(r: &Row) -> rusqlite::Result<Allocation> {
    let disallowed: String = r.get(11)?;
    let tags: String = r.get(12)?;
    Ok(Allocation {
        id: r.get(0)?,
        pool_id: r.get(1)?,
        cidr: cidr_from(r, 2)?,
        netmask_length: r.get(5)?,
        resource_type: r.get(6)?,
        resource_id: r.get(7)?,
        resource_owner: r.get(8)?,
        resource_region: r.get(9)?,
        description: r.get(10)?,
        disallowed_cidrs: serde_json::from_str(&disallowed).unwrap_or_default(),
        tags: tags_from_json(&tags),
        compliance_status: r.get(13)?,
    })
}

impl Tx<'_> {
    fn rows<T>(&self, sql: &str, p: impl rusqlite::Params, f: fn(&Row) -> rusqlite::Result<T>) -> Result<Vec<T>> {
        let mut st = self.prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = st.query_map(p, f).map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>().map_err(|e| self.err(e))
    }

    fn count(&self, sql: &str, p: impl rusqlite::Params) -> Result<i64> {
        self.row(sql, p, |r| r.get(0)).map_err(|e| self.err(e))
    }

    /// The pool with this ID.
    pub fn pool(&self, id: &str) -> Result<Option<Pool>> {
        self.row(&format!("SELECT {POOL_COLS} FROM pools WHERE id = ?1"), [id], pool_row)
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Every pool, by scope then ID.
    pub fn all_pools(&self) -> Result<Vec<Pool>> {
        self.rows(
            &format!("SELECT {POOL_COLS} FROM pools ORDER BY scope_id, depth, id"),
            [],
            pool_row,
        )
    }

    /// The child pools of a pool.
    pub fn child_pools(&self, id: &str) -> Result<Vec<Pool>> {
        self.rows(
            &format!("SELECT {POOL_COLS} FROM pools WHERE source_pool_id = ?1 ORDER BY id"),
            [id],
            pool_row,
        )
    }

    /// Inserts a pool.
    pub fn insert_pool(&self, p: &Pool) -> Result<()> {
        self.write_sql(
            &format!("INSERT INTO pools ({POOL_COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20)"),
            params![
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
                p.state
            ],
        )
    }

    /// Updates the mutable fields of a pool.
    pub fn update_pool(&self, p: &Pool) -> Result<()> {
        self.write_sql(
            "UPDATE pools SET description=?2, auto_import=?3, min_netmask=?4, max_netmask=?5, default_netmask=?6, \
             allocation_resource_tags=?7, tags=?8, cascade=?9, state=?10 WHERE id=?1",
            params![
                p.id,
                p.description,
                p.auto_import,
                p.min_netmask,
                p.max_netmask,
                p.default_netmask,
                tags_to_json(&p.allocation_resource_tags),
                tags_to_json(&p.tags),
                p.cascade,
                p.state
            ],
        )
    }

    /// Deletes a pool row (its CIDRs, allocations and free space go with it).
    pub fn delete_pool_row(&self, id: &str) -> Result<()> {
        self.write_sql("DELETE FROM pools WHERE id = ?1", [id])
    }

    /// The CIDRs provisioned to a pool, in address order.
    pub fn pool_cidrs(&self, pool_id: &str) -> Result<Vec<PoolCidr>> {
        self.rows(
            &format!("SELECT {CIDR_COLS} FROM pool_cidrs WHERE pool_id = ?1 ORDER BY family, start"),
            [pool_id],
            cidr_row,
        )
    }

    /// The pool CIDR with exactly this CIDR in this pool.
    pub fn pool_cidr(&self, pool_id: &str, cidr: &Cidr) -> Result<Option<PoolCidr>> {
        self.row(
            &format!(
                "SELECT {CIDR_COLS} FROM pool_cidrs WHERE pool_id = ?1 AND family = ?2 AND start = ?3 AND prefix = ?4"
            ),
            params![
                pool_id,
                family_code(cidr.family),
                cidr.start_bytes().to_vec(),
                cidr.prefix
            ],
            cidr_row,
        )
        .optional()
        .map_err(|e| self.err(e))
    }

    /// How many CIDRs a pool has.
    pub fn count_pool_cidrs(&self, pool_id: &str) -> Result<i64> {
        self.count("SELECT count(*) FROM pool_cidrs WHERE pool_id = ?1", [pool_id])
    }

    /// A top-level CIDR of the scope that overlaps `cidr`, if any. Top-level CIDRs of a
    /// scope are disjoint, so only the last one starting at or before `cidr`'s end can overlap it.
    pub fn overlapping_top_level_cidr(&self, scope_id: &str, cidr: &Cidr) -> Result<Option<(String, Cidr)>> {
        let last_bytes = u128_bytes(cidr.last()).to_vec();
        let found = self
            .query_row(
                "SELECT pool_id, family, start, prefix FROM pool_cidrs WHERE scope_id = ?1 AND top_level = 1 AND family = ?2 \
                 AND start <= ?3 ORDER BY start DESC LIMIT 1",
                params![scope_id, family_code(cidr.family), last_bytes],
                |r| Ok((r.get::<_, String>(0)?, cidr_from(r, 1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(found.filter(|(_, c)| c.overlaps(cidr)))
    }

    /// Every provisioned CIDR inside `block` across the public scopes of pools drawing on
    /// Amazon-provided space, in address order.
    pub fn amazon_cidrs_within(&self, block: &Cidr) -> Result<Vec<Cidr>> {
        let mut st = self
            .prepare_cached(
                "SELECT c.family, c.start, c.prefix FROM pool_cidrs c JOIN pools p ON p.id = c.pool_id \
                 WHERE c.top_level = 1 AND p.public_ip_source = 'amazon' AND c.family = 6 ORDER BY c.start",
            )
            .map_err(|e| self.err(e))?;
        let rows = st.query_map([], |r| cidr_from(r, 0)).map_err(|e| self.err(e))?;
        let all: Vec<Cidr> = rows.collect::<rusqlite::Result<_>>().map_err(|e| self.err(e))?;
        Ok(all.into_iter().filter(|c| block.contains(c)).collect())
    }

    /// Inserts a pool CIDR.
    pub fn insert_pool_cidr(&self, c: &PoolCidr, scope_id: &str, top_level: bool) -> Result<()> {
        self.write_sql(
            "INSERT INTO pool_cidrs (id, pool_id, scope_id, top_level, family, start, prefix, cidr, netmask_length, auth_message, auth_signature, state) \
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
            params![
                c.id,
                c.pool_id,
                scope_id,
                top_level,
                family_code(c.cidr.family),
                c.cidr.start_bytes().to_vec(),
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
        self.write_sql("DELETE FROM pool_cidrs WHERE id = ?1", [id])
    }

    /// The allocation with this ID.
    pub fn allocation(&self, id: &str) -> Result<Option<Allocation>> {
        self.row(
            &format!("SELECT {ALLOC_COLS} FROM allocations WHERE id = ?1"),
            [id],
            alloc_row,
        )
        .optional()
        .map_err(|e| self.err(e))
    }

    /// The allocations of a pool, in address order.
    pub fn allocations_of(&self, pool_id: &str) -> Result<Vec<Allocation>> {
        self.rows(
            &format!("SELECT {ALLOC_COLS} FROM allocations WHERE pool_id = ?1 ORDER BY family, start"),
            [pool_id],
            alloc_row,
        )
    }

    /// The allocation of exactly this CIDR in this pool.
    pub fn allocation_at(&self, pool_id: &str, cidr: &Cidr) -> Result<Option<Allocation>> {
        self.row(
            &format!(
                "SELECT {ALLOC_COLS} FROM allocations WHERE pool_id = ?1 AND family = ?2 AND start = ?3 AND prefix = ?4"
            ),
            params![
                pool_id,
                family_code(cidr.family),
                cidr.start_bytes().to_vec(),
                cidr.prefix
            ],
            alloc_row,
        )
        .optional()
        .map_err(|e| self.err(e))
    }

    /// The allocation holding a child pool's CIDR in its parent.
    pub fn pool_allocation_for(&self, parent_id: &str, child_id: &str, cidr: &Cidr) -> Result<Option<Allocation>> {
        Ok(self
            .allocation_at(parent_id, cidr)?
            .filter(|a| a.resource_type == "ipam-pool" && a.resource_id.as_deref() == Some(child_id)))
    }

    /// How many allocations lie inside `cidr` in this pool.
    pub fn count_allocations_within(&self, pool_id: &str, cidr: &Cidr) -> Result<i64> {
        let last = u128_bytes(cidr.last());
        self.count(
            "SELECT count(*) FROM allocations WHERE pool_id = ?1 AND family = ?2 AND start >= ?3 AND start <= ?4",
            params![
                pool_id,
                family_code(cidr.family),
                cidr.start_bytes().to_vec(),
                last.to_vec()
            ],
        )
    }

    /// Allocation counts of a pool per (child pool?, compliant?, block size in addresses).
    pub fn allocation_counts(&self, pool_id: &str) -> Result<Vec<(bool, bool, u128, i64)>> {
        let mut st = self
            .prepare_cached(
                "SELECT resource_type = 'ipam-pool', compliance_status = 'compliant', family, prefix, count(*) \
                 FROM allocations WHERE pool_id = ?1 GROUP BY 1, 2, 3, 4",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([pool_id], |r| {
                let bits: u32 = if r.get::<_, i64>(2)? == 4 { 32 } else { 128 };
                let host = bits.saturating_sub(r.get::<_, u32>(3)?);
                let block = if host >= 128 { u128::MAX } else { 1u128 << host };
                Ok((r.get(0)?, r.get(1)?, block, r.get(4)?))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>().map_err(|e| self.err(e))
    }

    /// How many allocations a pool has.
    pub fn count_allocations(&self, pool_id: &str) -> Result<i64> {
        self.count("SELECT count(*) FROM allocations WHERE pool_id = ?1", [pool_id])
    }

    /// Inserts an allocation.
    pub fn insert_allocation(&self, a: &Allocation) -> Result<()> {
        self.write_sql(
            &format!("INSERT INTO allocations ({ALLOC_COLS}, cidr) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)"),
            params![
                a.id,
                a.pool_id,
                family_code(a.cidr.family),
                a.cidr.start_bytes().to_vec(),
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
                a.cidr.to_string()
            ],
        )
    }

    /// Updates an allocation's tags and compliance.
    pub fn update_allocation_tags(&self, id: &str, tags: &crate::ipam::model::Tags, compliance: &str) -> Result<()> {
        self.write_sql(
            "UPDATE allocations SET tags = ?2, compliance_status = ?3 WHERE id = ?1",
            params![id, tags_to_json(tags), compliance],
        )
    }

    /// Deletes an allocation row.
    pub fn delete_allocation(&self, id: &str) -> Result<()> {
        self.write_sql("DELETE FROM allocations WHERE id = ?1", [id])
    }

    /// Opens an address-history record.
    pub fn history_open(&self, ipam_id: &str, scope_id: &str, pool_id: &str, a: &Allocation, now: &str) -> Result<()> {
        self.write_sql(
            "INSERT INTO history (ipam_id, scope_id, pool_id, family, start, prefix, cidr, resource_type, resource_id, resource_owner, \
             resource_region, compliance_status, start_time) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
            params![
                ipam_id,
                scope_id,
                pool_id,
                family_code(a.cidr.family),
                a.cidr.start_bytes().to_vec(),
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
            params![scope_id, family_code(cidr.family), cidr.start_bytes().to_vec(), resource_id, now, cidr.prefix],
        )
    }

    /// The free space of one pool, for the allocator.
    pub fn free_space<'t>(&'t self, pool_id: &'t str) -> SqlFreeSpace<'t> {
        SqlFreeSpace { tx: self, pool_id }
    }

    /// Deletes every free block of a pool inside `cidr`.
    pub fn delete_free_blocks_within(&self, pool_id: &str, cidr: &Cidr) -> Result<()> {
        self.write_sql(
            "DELETE FROM free_blocks WHERE pool_id = ?1 AND family = ?2 AND start >= ?3 AND start <= ?4",
            params![
                pool_id,
                family_code(cidr.family),
                cidr.start_bytes().to_vec(),
                u128_bytes(cidr.last()).to_vec()
            ],
        )
    }

    /// How many free blocks a pool has (diagnostics and tests).
    pub fn count_free_blocks(&self, pool_id: &str) -> Result<i64> {
        self.count("SELECT count(*) FROM free_blocks WHERE pool_id = ?1", [pool_id])
    }
}

fn u128_bytes(v: u128) -> [u8; 16] {
    v.to_be_bytes()
}

/// One pool's free blocks in the `free_blocks` table; every method is one indexed query.
pub struct SqlFreeSpace<'t> {
    tx: &'t Tx<'t>,
    pool_id: &'t str,
}

impl SqlFreeSpace<'_> {
    /// Every free block of the pool, in address order.
    pub fn all_blocks(&mut self) -> Result<Vec<Cidr>> {
        let mut out = Vec::new();
        for family in [Family::V4, Family::V6] {
            out.extend(self.ascending_from(family, 0, usize::MAX >> 1)?);
        }
        Ok(out)
    }

    fn one(&self, sql: &str, p: impl rusqlite::Params) -> Result<Option<Cidr>> {
        let mut st = self.tx.prepare_cached(sql).map_err(|e| self.tx.err(e))?;
        st.query_row(p, |r| cidr_from(r, 0))
            .optional()
            .map_err(|e| self.tx.err(e))
    }
}

impl FreeSpace for SqlFreeSpace<'_> {
    type Error = crate::ipam::Error;

    fn lowest_with_prefix(&mut self, family: Family, prefix: u8) -> Result<Option<Cidr>> {
        self.one(
            "SELECT family, start, prefix FROM free_blocks WHERE pool_id = ?1 AND family = ?2 AND prefix = ?3 ORDER BY start LIMIT 1",
            params![self.pool_id, family_code(family), prefix],
        )
    }

    fn lowest_fitting(&mut self, family: Family, max_prefix: u8) -> Result<Option<Cidr>> {
        // A skip scan over the distinct prefix lengths present (at most 33 or 129, usually a
        // handful), each followed by one seek for its lowest start: all on free_blocks_prefix.
        self.one(
            "WITH RECURSIVE lv(prefix) AS ( \
               SELECT (SELECT prefix FROM free_blocks WHERE pool_id = ?1 AND family = ?2 ORDER BY prefix LIMIT 1) \
               UNION ALL \
               SELECT (SELECT prefix FROM free_blocks WHERE pool_id = ?1 AND family = ?2 AND prefix > lv.prefix ORDER BY prefix LIMIT 1) \
               FROM lv WHERE lv.prefix IS NOT NULL AND lv.prefix < ?3) \
             SELECT ?2, (SELECT start FROM free_blocks WHERE pool_id = ?1 AND family = ?2 AND prefix = lv.prefix ORDER BY start LIMIT 1) AS s, lv.prefix \
             FROM lv WHERE lv.prefix IS NOT NULL AND lv.prefix <= ?3 ORDER BY s LIMIT 1",
            params![self.pool_id, family_code(family), max_prefix],
        )
    }

    fn floor(&mut self, family: Family, start: u128) -> Result<Option<Cidr>> {
        self.one(
            "SELECT family, start, prefix FROM free_blocks WHERE pool_id = ?1 AND family = ?2 AND start <= ?3 ORDER BY start DESC LIMIT 1",
            params![self.pool_id, family_code(family), u128_bytes(start).to_vec()],
        )
    }

    fn ascending_from(&mut self, family: Family, from: u128, limit: usize) -> Result<Vec<Cidr>> {
        let mut st = self
            .tx
            .prepare_cached(
                "SELECT family, start, prefix FROM free_blocks WHERE pool_id = ?1 AND family = ?2 AND start >= ?3 ORDER BY start LIMIT ?4",
            )
            .map_err(|e| self.tx.err(e))?;
        let rows = st
            .query_map(
                params![
                    self.pool_id,
                    family_code(family),
                    u128_bytes(from).to_vec(),
                    limit as i64
                ],
                |r| cidr_from(r, 0),
            )
            .map_err(|e| self.tx.err(e))?;
        rows.collect::<rusqlite::Result<_>>().map_err(|e| self.tx.err(e))
    }

    fn contains_block(&mut self, block: Cidr) -> Result<bool> {
        let n: i64 = self
            .tx
            .prepare_cached(
                "SELECT count(*) FROM free_blocks WHERE pool_id = ?1 AND family = ?2 AND start = ?3 AND prefix = ?4",
            )
            .and_then(|mut st| {
                st.query_row(
                    params![
                        self.pool_id,
                        family_code(block.family),
                        block.start_bytes().to_vec(),
                        block.prefix
                    ],
                    |r| r.get(0),
                )
            })
            .map_err(|e| self.tx.err(e))?;
        Ok(n > 0)
    }

    fn insert(&mut self, block: Cidr) -> Result<()> {
        self.tx
            .prepare_cached("INSERT INTO free_blocks (pool_id, family, start, prefix) VALUES (?1, ?2, ?3, ?4)")
            .and_then(|mut st| {
                st.execute(params![
                    self.pool_id,
                    family_code(block.family),
                    block.start_bytes().to_vec(),
                    block.prefix
                ])
            })
            .map_err(|e| self.tx.err(e))?;
        Ok(())
    }

    fn remove(&mut self, block: Cidr) -> Result<()> {
        self.tx
            .prepare_cached("DELETE FROM free_blocks WHERE pool_id = ?1 AND family = ?2 AND start = ?3 AND prefix = ?4")
            .and_then(|mut st| {
                st.execute(params![
                    self.pool_id,
                    family_code(block.family),
                    block.start_bytes().to_vec(),
                    block.prefix
                ])
            })
            .map_err(|e| self.tx.err(e))?;
        Ok(())
    }
}
