//! Integrity checks of a database: SQLite's own (PostgreSQL checks its pages and foreign keys
//! itself), and the IPAM invariants.

use super::{Engine, Store, Tx};
use crate::ipam::Result;
use crate::ipam::cidr::Cidr;

impl Store {
    /// Every problem found, one line each; empty when the database is sound.
    pub fn check(&self) -> Result<Vec<String>> {
        self.read(|tx| {
            let mut problems = Vec::new();
            if tx.engine() == Engine::Sqlite {
                let ok: String = tx.scalar("PRAGMA integrity_check", &[])?;
                if ok != "ok" {
                    problems.push(format!("SQLite integrity check: {ok}"));
                }
                let fk: i64 = tx.scalar("SELECT count(*) FROM pragma_foreign_key_check", &[])?;
                if fk > 0 {
                    problems.push(format!("{fk} row(s) refer to objects that do not exist"));
                }
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
        // Allocations and free blocks are each sorted by address: one sweep over both finds
        // every overlap.
        let free = tx.free_space(&p.id).all_blocks()?;
        let mut all: Vec<(Cidr, String)> = allocs
            .iter()
            .map(|a| (a.cidr, format!("allocation {}", a.id)))
            .collect();
        all.extend(free.iter().map(|f| (*f, "free block".to_string())));
        all.sort_by_key(|(c, _)| (c.family, c.start, c.prefix));
        for w in all.windows(2) {
            let ((a, an), (b, bn)) = (&w[0], &w[1]);
            if a.overlaps(b) {
                problems.push(format!("pool {}: {an} ({a}) and {bn} ({b}) overlap", p.id));
            }
        }
        // Free blocks and allocations must tile every pool CIDR exactly.
        for c in &cidrs {
            let covered: u128 = all
                .iter()
                .filter(|(x, _)| c.contains(x))
                .fold(0u128, |s, (x, _)| s.saturating_add(x.size()));
            if covered != c.size() {
                problems.push(format!("pool {} CIDR {c}: allocations and free-space index do not add up (deprovision and provision it again)", p.id));
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
