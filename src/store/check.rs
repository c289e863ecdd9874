//! Integrity checks of a database: SQLite's own, and the IPAM invariants.

use super::{Store, Tx};
use crate::ipam::Result;
use crate::ipam::cidr::Cidr;

impl Store {
    /// Every problem found, one line each; empty when the database is sound.
    pub fn check(&self) -> Result<Vec<String>> {
        self.read(|tx| {
            let mut problems = Vec::new();
            let ok: String = tx
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .map_err(|e| tx.err(e))?;
            if ok != "ok" {
                problems.push(format!("SQLite integrity check: {ok}"));
            }
            let fk: i64 = tx
                .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))
                .map_err(|e| tx.err(e))?;
            if fk > 0 {
                problems.push(format!("{fk} row(s) refer to objects that do not exist"));
            }
            invariants(tx, &mut problems)?;
            Ok(problems)
        })
    }
}

fn invariants(tx: &Tx, problems: &mut Vec<String>) -> Result<()> {
    let pools = tx.all_pools()?;
    let mut top: Vec<(String, String, Cidr)> = Vec::new();
    for p in &pools {
        let cidrs: Vec<Cidr> = tx.pool_cidrs(&p.id)?.into_iter().map(|c| c.cidr).collect();
        if p.source_pool_id.is_none() {
            top.extend(cidrs.iter().map(|c| (p.scope_id.clone(), p.id.clone(), *c)));
        }
        let allocs = tx.allocations_of(&p.id)?;
        for a in &allocs {
            if !cidrs.iter().any(|c| c.contains(&a.cidr)) {
                problems.push(format!(
                    "allocation {} ({}) in pool {} lies outside the pool's CIDRs",
                    a.id, a.cidr, p.id
                ));
            }
        }
        for (i, a) in allocs.iter().enumerate() {
            for b in &allocs[i + 1..] {
                if a.cidr.overlaps(&b.cidr) {
                    problems.push(format!(
                        "allocations {} ({}) and {} ({}) in pool {} overlap",
                        a.id, a.cidr, b.id, b.cidr, p.id
                    ));
                }
            }
        }
        // Free blocks and allocations must tile every pool CIDR exactly.
        let free = tx.free_space(&p.id).all_blocks()?;
        for c in &cidrs {
            let used: u128 = allocs
                .iter()
                .filter(|a| c.contains(&a.cidr))
                .map(|a| a.cidr.size())
                .sum::<u128>();
            let idle: u128 = free.iter().filter(|f| c.contains(f)).map(Cidr::size).sum::<u128>();
            if used.saturating_add(idle) != c.size() {
                problems.push(format!(
                    "pool {} CIDR {c}: allocations and free-space index do not add up (run a deprovision/re-provision)",
                    p.id
                ));
            }
        }
        for f in &free {
            if allocs.iter().any(|a| a.cidr.overlaps(f)) {
                problems.push(format!("pool {}: free block {f} overlaps an allocation", p.id));
            }
        }
    }
    for (i, (sa, pa, a)) in top.iter().enumerate() {
        for (sb, pb, b) in &top[i + 1..] {
            if sa == sb && a.overlaps(b) {
                problems.push(format!(
                    "top-level CIDRs {a} (pool {pa}) and {b} (pool {pb}) overlap in scope {sa}"
                ));
            }
        }
    }
    Ok(())
}
