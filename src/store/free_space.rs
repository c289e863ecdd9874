//! The free blocks of one pool in the `free_blocks` table, as the allocator's `FreeSpace`, and the
//! statements on that table outside the allocator.

use super::Tx;
use super::free_cache::MAX_CACHED_BLOCKS;
use super::pools::{cidr_from, family_code, u128_bytes};
use super::sql::args;
use crate::ipam::Result;
use crate::ipam::allocator::{FreeSpace, MemFreeSpace};
use crate::ipam::cidr::{Cidr, Family};

impl<'a> Tx<'a> {
    /// The free space of one pool, for the allocator.
    pub fn free_space<'t>(&'t self, pool_id: &'t str) -> SqlFreeSpace<'t, 'a> {
        SqlFreeSpace { tx: self, pool_id }
    }

    /// Deletes every free block of a pool inside `cidr`.
    pub fn delete_free_blocks_within(&self, pool_id: &str, cidr: &Cidr) -> Result<()> {
        self.invalidate_free_space();
        self.write_sql(
            // Blocks inside `cidr` have at least its prefix length: one range per prefix length.
            "WITH RECURSIVE lv(prefix) AS (SELECT CAST(?5 AS INTEGER) UNION ALL SELECT prefix + 1 FROM lv WHERE prefix < ?6) \
             DELETE FROM free_blocks WHERE pool_id = ?1 AND family = ?2 AND prefix IN (SELECT prefix FROM lv) \
             AND start >= ?3 AND start <= ?4",
            args![
                pool_id,
                family_code(cidr.family),
                cidr.start_bytes(),
                u128_bytes(cidr.last()),
                cidr.prefix,
                cidr.family.bits()
            ],
        )
    }

    /// How many free blocks a pool has (diagnostics and tests).
    pub fn count_free_blocks(&self, pool_id: &str) -> Result<i64> {
        self.scalar("SELECT count(*) FROM free_blocks WHERE pool_id = ?1", args![pool_id])
    }
}

/// The start of a statement that lists the prefix lengths present among a pool's free blocks of
/// one family (`?1` pool, `?2` family) as the rows of `lv`, ascending: a skip scan of at most 33
/// or 129 seeks, each for the next larger prefix length, whatever the number of blocks. With a
/// condition, the scan stops at the first length that fails it.
macro_rules! prefixes_present {
    ($($stop:literal)?) => {
        concat!(
            "WITH RECURSIVE lv(prefix) AS ( \
               SELECT (SELECT prefix FROM free_blocks WHERE pool_id = ?1 AND family = ?2 ORDER BY prefix LIMIT 1) \
               UNION ALL \
               SELECT (SELECT prefix FROM free_blocks WHERE pool_id = ?1 AND family = ?2 AND prefix > lv.prefix ORDER BY prefix LIMIT 1) \
               FROM lv WHERE lv.prefix IS NOT NULL",
            $($stop,)?
            ") "
        )
    };
}

/// One pool's free blocks in the `free_blocks` table; every method is one indexed query, or, in a
/// SQLite write transaction, a lookup in the pool's in-memory copy (see `free_cache`), with every
/// change written to both.
pub struct SqlFreeSpace<'t, 'a> {
    tx: &'t Tx<'a>,
    pool_id: &'t str,
}

impl SqlFreeSpace<'_, '_> {
    /// Every free block of the pool, in address order.
    pub fn all_blocks(&mut self) -> Result<Vec<Cidr>> {
        let mut out = Vec::new();
        for family in [Family::V4, Family::V6] {
            out.extend(self.ascending_from(family, 0, usize::MAX >> 1)?);
        }
        Ok(out)
    }

    fn one(&self, sql: &str, args: &[super::sql::Param]) -> Result<Option<Cidr>> {
        self.tx.opt(sql, args, |r| cidr_from(r, 0))
    }

    /// `f` on the pool's in-memory copy, made first if there is none yet; `None` when no copy
    /// is used (a read transaction, PostgreSQL, a pool with too many free blocks).
    fn in_memory<T>(&self, f: impl FnOnce(&mut MemFreeSpace) -> T) -> Result<Option<T>> {
        let Some(mut cache) = self.tx.free_cache() else {
            return Ok(None);
        };
        if cache.get_mut(self.pool_id).is_none() {
            let blocks = self.tx.rows(
                "SELECT family, start, prefix FROM free_blocks WHERE pool_id = ?1 LIMIT ?2",
                args![self.pool_id, MAX_CACHED_BLOCKS as i64 + 1],
                |r| cidr_from(r, 0),
            )?;
            let copy = (blocks.len() <= MAX_CACHED_BLOCKS).then(|| {
                let mut m = MemFreeSpace::default();
                for b in blocks {
                    let Ok(()) = m.insert(b);
                }
                m
            });
            cache.put(self.pool_id, copy);
        }
        Ok(cache.get_mut(self.pool_id).and_then(Option::as_mut).map(f))
    }

    /// Applies a change already written to the table to the pool's copy, if it has one.
    fn also_in_memory(&self, f: impl FnOnce(&mut MemFreeSpace)) {
        if let Some(mut cache) = self.tx.free_cache()
            && let Some(Some(m)) = cache.get_mut(self.pool_id)
        {
            f(m);
        }
    }
}

impl FreeSpace for SqlFreeSpace<'_, '_> {
    type Error = crate::ipam::Error;

    fn lowest_with_prefix(&mut self, family: Family, prefix: u8) -> Result<Option<Cidr>> {
        if let Some(Ok(found)) = self.in_memory(|m| m.lowest_with_prefix(family, prefix))? {
            return Ok(found);
        }
        self.one(
            "SELECT family, start, prefix FROM free_blocks WHERE pool_id = ?1 AND family = ?2 AND prefix = ?3 ORDER BY start LIMIT 1",
            args![self.pool_id, family_code(family), prefix],
        )
    }

    fn lowest_fitting(&mut self, family: Family, max_prefix: u8) -> Result<Option<Cidr>> {
        if let Some(Ok(found)) = self.in_memory(|m| m.lowest_fitting(family, max_prefix))? {
            return Ok(found);
        }
        // A skip scan over the distinct prefix lengths present (at most 33 or 129, usually a
        // handful), each followed by one seek for its lowest start: all on the table's key.
        self.one(
            concat!(
                prefixes_present!(" AND lv.prefix < ?3"),
                "SELECT ?2, (SELECT start FROM free_blocks WHERE pool_id = ?1 AND family = ?2 AND prefix = lv.prefix \
                 ORDER BY start LIMIT 1) AS s, lv.prefix \
                 FROM lv WHERE lv.prefix IS NOT NULL AND lv.prefix <= ?3 ORDER BY s LIMIT 1"
            ),
            args![self.pool_id, family_code(family), max_prefix],
        )
    }

    fn floor(&mut self, family: Family, start: u128) -> Result<Option<Cidr>> {
        if let Some(Ok(found)) = self.in_memory(|m| m.floor(family, start))? {
            return Ok(found);
        }
        // Free blocks never overlap, so the block with the greatest start at or below `start`
        // over every prefix length present is the floor: the same skip scan as above, each
        // prefix length followed by one backward seek.
        self.one(
            concat!(
                prefixes_present!(),
                "SELECT * FROM (SELECT ?2 AS family, (SELECT start FROM free_blocks WHERE pool_id = ?1 AND family = ?2 \
                 AND prefix = lv.prefix AND start <= ?3 ORDER BY start DESC LIMIT 1) AS s, lv.prefix FROM lv \
                 WHERE lv.prefix IS NOT NULL) AS f WHERE s IS NOT NULL ORDER BY s DESC LIMIT 1"
            ),
            args![self.pool_id, family_code(family), u128_bytes(start)],
        )
    }

    fn ascending_from(&mut self, family: Family, from: u128, limit: usize) -> Result<Vec<Cidr>> {
        if let Some(Ok(found)) = self.in_memory(|m| m.ascending_from(family, from, limit))? {
            return Ok(found);
        }
        // The table is ordered by prefix length first: the lowest `limit` blocks of each prefix
        // length present, merged.
        let prefixes: Vec<i64> = self.tx.rows(
            concat!(prefixes_present!(), "SELECT prefix FROM lv WHERE prefix IS NOT NULL"),
            args![self.pool_id, family_code(family)],
            |r| r.get(0),
        )?;
        let mut out = Vec::new();
        for prefix in prefixes {
            out.extend(self.tx.rows(
                "SELECT family, start, prefix FROM free_blocks WHERE pool_id = ?1 AND family = ?2 AND prefix = ?3 \
                 AND start >= ?4 ORDER BY start LIMIT ?5",
                args![
                    self.pool_id,
                    family_code(family),
                    prefix,
                    u128_bytes(from),
                    limit as i64
                ],
                |r| cidr_from(r, 0),
            )?);
        }
        out.sort_unstable_by_key(|b| b.start);
        out.truncate(limit);
        Ok(out)
    }

    fn contains_block(&mut self, block: Cidr) -> Result<bool> {
        if let Some(Ok(found)) = self.in_memory(|m| m.contains_block(block))? {
            return Ok(found);
        }
        let n: i64 = self.tx.scalar(
            "SELECT count(*) FROM free_blocks WHERE pool_id = ?1 AND family = ?2 AND start = ?3 AND prefix = ?4",
            args![
                self.pool_id,
                family_code(block.family),
                block.start_bytes(),
                block.prefix
            ],
        )?;
        Ok(n > 0)
    }

    fn insert(&mut self, block: Cidr) -> Result<()> {
        self.tx.exec(
            "INSERT INTO free_blocks (pool_id, family, start, prefix) VALUES (?1, ?2, ?3, ?4)",
            args![
                self.pool_id,
                family_code(block.family),
                block.start_bytes(),
                block.prefix
            ],
        )?;
        self.also_in_memory(|m| {
            let Ok(()) = m.insert(block);
        });
        Ok(())
    }

    fn remove(&mut self, block: Cidr) -> Result<()> {
        self.tx.exec(
            "DELETE FROM free_blocks WHERE pool_id = ?1 AND family = ?2 AND start = ?3 AND prefix = ?4",
            args![
                self.pool_id,
                family_code(block.family),
                block.start_bytes(),
                block.prefix
            ],
        )?;
        // Exactly what the statement deleted: the block with this start and prefix, if any.
        self.also_in_memory(|m| {
            if let Ok(true) = m.contains_block(block) {
                let Ok(()) = m.remove(block);
            }
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! The allocator on the SQL free space (`SqlFreeSpace`, with its own `lowest_fitting` query)
    //! against the in-memory index and a brute-force search, so the SQL first fit is proven too.
    use super::super::fixtures::{IPAM, POOL, SCOPE, c, objects, pool, pool_cidr, scope, store};
    use super::super::{Store, Tx};
    use crate::ipam::allocator::{self, FreeSpace, MemFreeSpace, Op};
    use crate::ipam::cidr::{Cidr, Family};
    use crate::ipam::model::ScopeType;
    use proptest::prelude::*;

    fn storage(e: allocator::AllocError<crate::ipam::Error>) -> crate::ipam::Error {
        crate::ipam::Error::storage(e.to_string())
    }

    /// A first-fit /24 in its own write transaction.
    fn first_24(store: &Store) -> Cidr {
        store
            .write(|tx| {
                allocator::allocate_first_fit(&mut tx.free_space(POOL), Family::V4, 24, &[], &roots()).map_err(storage)
            })
            .unwrap()
    }

    /// The pool's free blocks as the table holds them (a read transaction never uses a copy).
    fn table_blocks(store: &Store) -> Vec<Cidr> {
        sorted(store.read(|tx| tx.free_space(POOL).all_blocks()).unwrap())
    }

    fn provisioned(store: &Store) {
        store
            .write(|tx| {
                for r in roots() {
                    allocator::provision(&mut tx.free_space(POOL), r).map_err(storage)?;
                }
                Ok(())
            })
            .unwrap();
    }

    /// Two stores on one file (two provider processes) take turns: each sees what the other
    /// committed, although each keeps a copy of the free blocks in memory.
    #[test]
    fn a_copy_in_memory_sees_what_another_connection_committed() {
        let (dir, a) = store();
        provisioned(&a);
        let b = Store::open(dir.path().join("fs.db")).unwrap();
        let mut got = Vec::new();
        for _ in 0..4 {
            got.push(first_24(&a));
            got.push(first_24(&b));
        }
        let want: Vec<Cidr> = (0..8).map(|i| c(&format!("10.0.{i}.0/24"))).collect();
        assert_eq!(got, want, "first fit on alternating connections");
        let mut mem = MemFreeSpace::default();
        for r in roots() {
            allocator::provision(&mut mem, r).unwrap();
        }
        for g in &got {
            allocator::allocate_exact(&mut mem, *g, &roots()).unwrap();
        }
        assert_eq!(table_blocks(&a), sorted(mem.blocks()));
    }

    /// A refused step rolls back the table; the copy in memory must not keep its changes.
    #[test]
    fn a_rolled_back_transaction_leaves_no_change_in_the_copy() {
        let (_dir, store) = store();
        provisioned(&store);
        let first = first_24(&store);
        let before = table_blocks(&store);
        let r: crate::ipam::Result<Cidr> = store.write(|tx| {
            let mut fs = tx.free_space(POOL);
            allocator::allocate_first_fit(&mut fs, Family::V4, 24, &[], &roots()).map_err(storage)?;
            Err(crate::ipam::Error::invalid("refused", "a later step failed"))
        });
        assert!(r.is_err());
        assert_eq!(table_blocks(&store), before);
        // The block the rolled-back transaction had taken is handed out again.
        assert_eq!(first_24(&store), c("10.0.1.0/24"));
        assert_ne!(first, c("10.0.1.0/24"));
        // So is the one taken by a transaction that panicked.
        let s = &store;
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _: crate::ipam::Result<()> = s.write(|tx| {
                allocator::allocate_first_fit(&mut tx.free_space(POOL), Family::V4, 24, &[], &roots())
                    .map_err(storage)?;
                panic!("a bug in a later step");
            });
        }));
        assert!(panicked.is_err());
        assert_eq!(first_24(&store), c("10.0.2.0/24"));
    }

    /// Free blocks deleted by a statement outside the allocator (deprovisioning) are gone from
    /// the copy too.
    #[test]
    fn free_blocks_deleted_outside_the_allocator_leave_the_copy() {
        let (_dir, store) = store();
        provisioned(&store);
        assert_eq!(first_24(&store), c("10.0.0.0/24"));
        store
            .write(|tx| {
                tx.delete_free_blocks_within(POOL, &c("10.0.0.0/20"))?;
                let next = allocator::allocate_first_fit(&mut tx.free_space(POOL), Family::V4, 24, &[], &roots())
                    .map_err(storage)?;
                assert_eq!(next, c("10.0.16.0/24"), "only the /22 is left");
                Ok(())
            })
            .unwrap();
    }

    /// A CIDR provisioned as the store's operations do it: its row, then its free block.
    fn provision_row(tx: &Tx, id: &str, cidr: &str) -> crate::ipam::Result<()> {
        tx.insert_pool_cidr(&pool_cidr(id, cidr), SCOPE, true)?;
        allocator::provision(&mut tx.free_space(POOL), c(cidr)).map_err(storage)
    }

    type Seen = (Vec<Cidr>, Option<ScopeType>, Vec<Cidr>);

    /// The pool's provisioned CIDRs, the scope's type and the pool's free blocks, as a
    /// transaction sees them.
    fn look(tx: &Tx) -> crate::ipam::Result<Seen> {
        Ok((
            tx.pool_roots(POOL)?,
            tx.scope_type(SCOPE)?,
            sorted(tx.free_space(POOL).all_blocks()?),
        ))
    }

    /// What a write transaction sees (from the copies in memory, made by the first look) and
    /// what the tables hold (a read transaction uses no copy).
    fn seen_and_truth(store: &Store) -> (Seen, Seen) {
        (store.write(look).unwrap(), store.read(look).unwrap())
    }

    /// A store with two CIDRs provisioned in the pool and every copy warm.
    fn warm() -> (tempfile::TempDir, Store) {
        let (dir, store) = store();
        store
            .write(|tx| {
                provision_row(tx, "ipam-pool-cidr-1", "10.0.0.0/24")?;
                provision_row(tx, "ipam-pool-cidr-2", "10.1.0.0/24")
            })
            .unwrap();
        let (seen, truth) = seen_and_truth(&store);
        assert_eq!(seen, truth);
        assert_eq!(seen.0.len(), 2, "two provisioned CIDRs");
        (dir, store)
    }

    /// Each writer that changes what is copied outside the allocator drops the copies: the next
    /// write transaction sees what the tables hold.
    #[test]
    fn every_writer_outside_the_allocator_invalidates_the_copies() {
        type Writer = fn(&Tx) -> crate::ipam::Result<()>;
        let writers: [(&str, Writer); 6] = [
            ("provisioning a CIDR", |tx| {
                provision_row(tx, "ipam-pool-cidr-3", "10.2.0.0/24")
            }),
            ("deleting a pool CIDR row", |tx| tx.delete_pool_cidr("ipam-pool-cidr-1")),
            ("deleting free blocks", |tx| {
                tx.delete_free_blocks_within(POOL, &c("10.1.0.0/16"))
            }),
            ("deleting a pool", |tx| {
                tx.delete_pool_row(POOL)?;
                tx.insert_pool(&pool())
            }),
            ("deleting a scope", |tx| {
                tx.delete_scope(SCOPE)?;
                tx.insert_scope(&scope(ScopeType::Public))?;
                tx.insert_pool(&pool())
            }),
            ("deleting an IPAM", |tx| {
                tx.delete_ipam(IPAM)?;
                objects(tx)
            }),
        ];
        let mut stale = Vec::new();
        for (what, writer) in writers {
            let (_dir, store) = warm();
            let before = store.read(look).unwrap();
            store.write(writer).unwrap();
            let (seen, truth) = seen_and_truth(&store);
            assert_ne!(truth, before, "{what} changes what is copied");
            if seen != truth {
                stale.push(format!("after {what}: {seen:?} instead of {truth:?}"));
            }
        }
        assert!(stale.is_empty(), "stale copies:\n{}", stale.join("\n"));
    }

    /// Rows copied in from another database are seen by the next write transaction, whatever
    /// it had copied into memory before.
    #[test]
    fn a_copy_between_databases_invalidates_the_copies() {
        let (_a, from) = warm();
        let dir = tempfile::tempdir().unwrap();
        let to = Store::open(dir.path().join("to.db")).unwrap();
        let (empty, _) = seen_and_truth(&to);
        assert_eq!(empty, (vec![], None, vec![]));
        super::super::copy::copy_all(&from, &to, &mut |_, _| {}).unwrap();
        let (seen, truth) = seen_and_truth(&to);
        assert_eq!(truth, from.read(look).unwrap());
        assert_eq!(seen, truth);
    }

    fn ops() -> impl Strategy<Value = Vec<Op>> {
        prop::collection::vec(
            prop_oneof![
                3 => (18u8..=32, prop::collection::vec(0u8..20, 0..3)).prop_map(|(p, d)| Op::First(p, d)),
                1 => (0u32..5120, 20u8..=32).prop_map(|(o, p)| Op::Exact(o, p)),
                2 => (0usize..64).prop_map(Op::Release),
            ],
            1..50,
        )
    }

    /// Two provisioned CIDRs, given out of address order: a /20 and a /22 above it.
    fn roots() -> Vec<Cidr> {
        vec![c("10.0.16.0/22"), c("10.0.0.0/20")]
    }

    /// The lowest aligned /p in any root (lowest address first) free of `live` and `disallowed`.
    fn brute_force(roots: &[Cidr], p: u8, live: &[Cidr], disallowed: &[Cidr]) -> Option<Cidr> {
        let mut sorted = roots.to_vec();
        sorted.sort_by_key(|r| r.start);
        sorted
            .into_iter()
            .filter(|root| p >= root.prefix)
            .find_map(|root| crate::ipam::allocator::brute_force_first_fit(root, p, live, disallowed))
    }

    fn sorted(mut v: Vec<Cidr>) -> Vec<Cidr> {
        v.sort_by_key(|b| (b.start, b.prefix));
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn sql_first_fit_equals_memory_and_brute_force(ops in ops(), copy_in_memory in any::<bool>()) {
            let (_dir, store) = store();
            store.keep_free_space_in_memory(copy_in_memory);
            let roots = roots();
            let mut mem = MemFreeSpace::default();
            provisioned(&store);
            for r in &roots {
                allocator::provision(&mut mem, *r).unwrap();
            }
            let mut live: Vec<Cidr> = Vec::new();
            for op in ops {
                // One write transaction per operation, as the provider does.
                let (sql, in_mem) = store.write(|tx| {
                    let mut fs = tx.free_space(POOL);
                    Ok(match &op {
                        Op::First(p, ds) => {
                            let disallowed: Vec<Cidr> = ds.iter().map(|d| Cidr { family: Family::V4, start: c("10.0.0.0/20").start + u128::from(*d) * 256, prefix: 24 }).collect();
                            let expected = brute_force(&roots, *p, &live, &disallowed);
                            let sql = allocator::allocate_first_fit(&mut fs, Family::V4, *p, &disallowed, &roots).ok();
                            let m = allocator::allocate_first_fit(&mut mem, Family::V4, *p, &disallowed, &roots).ok();
                            assert_eq!(sql, expected, "SQL first fit for /{p} vs brute force");
                            (sql, m)
                        }
                        Op::Exact(off, p) => {
                            let mask = !((1u128 << (32 - p)) - 1);
                            let cand = Cidr { family: Family::V4, start: (c("10.0.0.0/20").start + u128::from(*off)) & mask, prefix: *p };
                            let sql = allocator::allocate_exact(&mut fs, cand, &roots).ok();
                            let m = allocator::allocate_exact(&mut mem, cand, &roots).ok();
                            (sql, m)
                        }
                        Op::Release(i) => {
                            if !live.is_empty() {
                                let a = live.remove(i % live.len());
                                allocator::release(&mut fs, a, &roots).map_err(storage)?;
                                allocator::release(&mut mem, a, &roots).unwrap();
                            }
                            (None, None)
                        }
                    })
                }).unwrap();
                prop_assert_eq!(sql, in_mem, "SQL and memory agree on {:?}", op);
                if let Some(a) = sql {
                    prop_assert!(!live.iter().any(|x| x.overlaps(&a)), "{} overlaps a live allocation", a);
                    live.push(a);
                }
                // The indexes agree block for block, and the SQL lowest-fitting query agrees with
                // the in-memory one for every size.
                let (blocks, fitting) = store.read(|tx| {
                    let mut fs = tx.free_space(POOL);
                    let blocks = fs.all_blocks()?;
                    let mut fitting = Vec::new();
                    for p in 0..=32u8 {
                        fitting.push(fs.lowest_fitting(Family::V4, p)?);
                    }
                    Ok((blocks, fitting))
                }).unwrap();
                prop_assert_eq!(sorted(blocks), sorted(mem.blocks()));
                for (p, f) in fitting.into_iter().enumerate() {
                    prop_assert_eq!(f, mem.lowest_fitting(Family::V4, p as u8).unwrap(), "lowest fitting /{}", p);
                }
            }
            store.write(|tx| {
                let mut fs = tx.free_space(POOL);
                for a in &live {
                    allocator::release(&mut fs, *a, &roots).map_err(storage)?;
                }
                Ok(())
            }).unwrap();
            let blocks = store.read(|tx| tx.free_space(POOL).all_blocks()).unwrap();
            prop_assert_eq!(sorted(blocks), sorted(roots.clone()));
        }
    }
}
