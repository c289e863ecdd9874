//! Read-only queries for the command line: the schema version of a file without opening it as a
//! store, history in a content-only order, and the hierarchy checks `check` adds to
//! [`Store::check`](super::Store::check).

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::Tx;
use super::history::record;
use super::sql::args;
use crate::ipam::Result;
use crate::ipam::model::{HistoryRecord, ResourceType};

/// The schema version (`PRAGMA user_version`) of an existing file, read through a read-only
/// connection that neither creates, migrates nor locks it. `None` when SQLite cannot read it;
/// `Store::open` then says why.
pub fn schema_version(path: &Path) -> Option<i64> {
    let conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX).ok()?;
    conn.query_row("PRAGMA user_version", [], |r| r.get(0)).ok()
}

impl Tx<'_> {
    /// Every history record in address order, then by scope and time. Only stored content decides
    /// the order (never the row number), so two databases with the same records list them alike.
    pub fn history_by_address(&self) -> Result<Vec<HistoryRecord>> {
        self.rows(
            "SELECT ipam_id, scope_id, pool_id, cidr, resource_type, resource_id, resource_owner, resource_region, \
             compliance_status, start_time, end_time FROM history \
             ORDER BY family, start, prefix, scope_id, start_time, end_time IS NULL, end_time, resource_id, \
             pool_id, resource_type, resource_owner, resource_region, compliance_status, ipam_id",
            args![],
            record,
        )
    }

    /// Breaks of the pool hierarchy, one line each: a free block outside every CIDR of its pool
    /// (the allocator would hand out space the pool does not have), a child pool's CIDR without
    /// its allocation in the parent pool, and a child-pool allocation whose CIDR the child pool
    /// does not have (space lost to the parent).
    pub fn hierarchy_problems(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        for p in self.all_pools()? {
            let cidrs: Vec<_> = self.pool_cidrs(&p.id)?.into_iter().map(|c| c.cidr).collect();
            for b in self.free_space(&p.id).all_blocks()? {
                if !cidrs.iter().any(|c| c.contains(&b)) {
                    problems.push(format!("pool {}: free block {b} lies outside the pool's CIDRs", p.id));
                }
            }
            if let Some(parent) = &p.source_pool_id {
                for c in &cidrs {
                    if self.pool_allocation_for(parent, &p.id, c)?.is_none() {
                        problems.push(format!(
                            "pool {}: CIDR {c} has no allocation in its source pool {parent}",
                            p.id
                        ));
                    }
                }
            }
            for a in self.allocations_of(&p.id)? {
                if a.resource_type != ResourceType::IpamPool {
                    continue;
                }
                let child = a.resource_id.as_deref().unwrap_or_default();
                if self.pool_cidr(child, &a.cidr)?.is_none() {
                    problems.push(format!(
                        "pool {}: allocation {} ({}) is for pool {child:?}, which has no such CIDR",
                        p.id, a.id, a.cidr
                    ));
                }
            }
        }
        Ok(problems)
    }
}
