//! The allocator: first fit at the lowest aligned address, over a free-space index.
//!
//! A pool's free space is kept as its *free blocks*: the maximal aligned blocks of free addresses
//! that do not cross a provisioned CIDR's boundary (a buddy decomposition). The lowest aligned
//! free /n is then the start of the lowest free block whose prefix is at most n, so a search is at
//! most one indexed lookup per prefix length (33 for IPv4, 129 for IPv6), whatever the number of
//! allocations. Allocating splits a block along one path; releasing merges buddies back.
//!
//! Storage sits behind [`FreeSpace`], so the same code runs in memory ([`MemFreeSpace`]) and on
//! SQLite (`store::free_space::SqlFreeSpace`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::cidr::{Cidr, Family};

/// One pool's free blocks. Each method maps to one indexed query.
pub trait FreeSpace {
    /// The storage's error.
    type Error;
    /// The lowest-start free block with exactly this prefix length.
    fn lowest_with_prefix(&mut self, family: Family, prefix: u8) -> Result<Option<Cidr>, Self::Error>;
    /// The free block with the greatest start not above `start`.
    fn floor(&mut self, family: Family, start: u128) -> Result<Option<Cidr>, Self::Error>;
    /// Up to `limit` free blocks starting at or after `from`, in address order.
    fn ascending_from(&mut self, family: Family, from: u128, limit: usize) -> Result<Vec<Cidr>, Self::Error>;
    /// The lowest-start free block whose prefix is at most `max_prefix`. Storage that can answer
    /// this in one query overrides it; the default asks once per prefix length.
    fn lowest_fitting(&mut self, family: Family, max_prefix: u8) -> Result<Option<Cidr>, Self::Error> {
        let mut best: Option<Cidr> = None;
        for p in 0..=max_prefix {
            if let Some(b) = self.lowest_with_prefix(family, p)?
                && best.is_none_or(|x| b.start < x.start)
            {
                best = Some(b);
            }
        }
        Ok(best)
    }
    /// Whether exactly this block is free.
    fn contains_block(&mut self, block: Cidr) -> Result<bool, Self::Error>;
    /// Records a free block.
    fn insert(&mut self, block: Cidr) -> Result<(), Self::Error>;
    /// Forgets a free block.
    fn remove(&mut self, block: Cidr) -> Result<(), Self::Error>;
}

/// Why an allocator operation failed.
#[derive(Debug, PartialEq, Eq)]
pub enum AllocError<E> {
    /// The storage failed.
    Storage(E),
    /// No free block of the requested size.
    Exhausted {
        family: Family,
        requested: u8,
        largest_free: Option<u8>,
    },
    /// Free blocks of the requested size exist, but every one overlaps a disallowed CIDR.
    AllDisallowed { requested: u8 },
    /// The CIDR is not inside any provisioned CIDR of the pool.
    NotInPool(Cidr),
    /// The CIDR is inside the pool but not (wholly) free.
    NotFree(Cidr),
    /// Releasing space that is already free.
    NotAllocated(Cidr),
}

impl<E> AllocError<E> {
    /// The attribute to blame: `disallowed_cidrs` when they alone stand in the way, else the
    /// attribute that asked for the space.
    pub fn attribute<'a>(&self, asked_by: &'a str) -> &'a str {
        match self {
            AllocError::AllDisallowed { .. } => "disallowed_cidrs",
            _ => asked_by,
        }
    }
}

impl<E: fmt::Display> fmt::Display for AllocError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AllocError::Storage(e) => write!(f, "{e}"),
            AllocError::Exhausted {
                family,
                requested,
                largest_free: None,
            } => {
                write!(
                    f,
                    "The pool has no free {} space left for a /{requested}. Provision another CIDR to the pool or release allocations.",
                    family.as_str()
                )
            }
            AllocError::Exhausted {
                requested,
                largest_free: Some(l),
                ..
            } => write!(
                f,
                "The allocation size is too big for the pool: no free /{requested} is left; the largest free block is a /{l}. \
                 Ask for a /{l} or longer, provision another CIDR to the pool, or release allocations."
            ),
            AllocError::AllDisallowed { requested } => write!(
                f,
                "Every free block that could hold a /{requested} overlaps `disallowed_cidrs`, so no /{requested} can be allocated. \
                 Remove or narrow `disallowed_cidrs`, provision another CIDR to the pool, or release allocations."
            ),
            AllocError::NotInPool(c) => write!(
                f,
                "{c} is not inside any CIDR provisioned to the pool. Choose a CIDR inside the pool's CIDRs."
            ),
            AllocError::NotFree(c) => write!(
                f,
                "{c} overlaps space that is already allocated in the pool (to an allocation or a child pool). Choose a free CIDR, or give `netmask_length` to take the first free block."
            ),
            AllocError::NotAllocated(c) => write!(f, "{c} is not allocated in the pool."),
        }
    }
}

type R<T, F> = Result<T, AllocError<<F as FreeSpace>::Error>>;

fn st<T, E>(r: Result<T, E>) -> Result<T, AllocError<E>> {
    r.map_err(AllocError::Storage)
}

/// Adds a provisioned CIDR to the pool's free space. The caller guarantees it overlaps nothing
/// already in the pool.
pub fn provision<F: FreeSpace>(fs: &mut F, cidr: Cidr) -> R<(), F> {
    st(fs.insert(cidr))
}

/// The smallest prefix length any free block has (the largest free block), for error messages.
fn largest_free<F: FreeSpace>(fs: &mut F, family: Family) -> R<Option<u8>, F> {
    for p in 0..=family.bits() {
        if st(fs.lowest_with_prefix(family, p))?.is_some() {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

/// The first block (aligned, at least `size` addresses) at or after `x`, if it fits in u128.
fn align_up(x: u128, block: &Cidr) -> Option<u128> {
    let mask = block.host_mask();
    if x & mask == 0 {
        Some(x)
    } else {
        (x | mask).checked_add(1)
    }
}

/// The lowest aligned /prefix inside `block` that overlaps no disallowed CIDR.
fn lowest_in_block(block: Cidr, prefix: u8, disallowed: &[Cidr]) -> Option<Cidr> {
    let mut cand = Cidr {
        family: block.family,
        start: block.start,
        prefix,
    };
    loop {
        if cand.last() > block.last() || cand.start < block.start {
            return None;
        }
        match disallowed.iter().find(|d| d.overlaps(&cand)) {
            None => return Some(cand),
            Some(d) => {
                let next = d.last().checked_add(1)?;
                cand.start = align_up(next, &cand)?;
            }
        }
    }
}

/// Finds the first fit: the free block to split and the block to take from it.
fn find<F: FreeSpace>(fs: &mut F, family: Family, prefix: u8, disallowed: &[Cidr]) -> R<(Cidr, Cidr), F> {
    if prefix > family.bits() {
        return Err(AllocError::Exhausted {
            family,
            requested: prefix,
            largest_free: None,
        });
    }
    let Some(first) = st(fs.lowest_fitting(family, prefix))? else {
        return Err(AllocError::Exhausted {
            family,
            requested: prefix,
            largest_free: largest_free(fs, family)?,
        });
    };
    let target = Cidr {
        family,
        start: first.start,
        prefix,
    };
    if !disallowed.iter().any(|d| d.overlaps(&target)) {
        return Ok((first, target));
    }
    // Slow path, only with disallowed CIDRs: walk free blocks upward from the first fit; blocks
    // below it are all smaller than requested.
    let mut from = first.start;
    loop {
        let blocks = st(fs.ascending_from(family, from, 256))?;
        for b in blocks.iter().filter(|b| b.prefix <= prefix) {
            if let Some(t) = lowest_in_block(*b, prefix, disallowed) {
                return Ok((*b, t));
            }
        }
        match blocks.last().and_then(|l| l.last().checked_add(1)) {
            Some(next) => from = next,
            // A block of the size was free (`first`): only the disallowed CIDRs stand in the way.
            None => return Err(AllocError::AllDisallowed { requested: prefix }),
        }
    }
}

/// Takes `target` out of the free block `block` that contains it, returning the rest as free blocks.
fn take<F: FreeSpace>(fs: &mut F, block: Cidr, target: Cidr) -> R<(), F> {
    st(fs.remove(block))?;
    let mut cur = block;
    while cur.prefix < target.prefix {
        let Some((lo, hi)) = cur.halves() else { break };
        if lo.contains(&target) {
            st(fs.insert(hi))?;
            cur = lo;
        } else {
            st(fs.insert(lo))?;
            cur = hi;
        }
    }
    Ok(())
}

/// Allocates the lowest aligned free /prefix that overlaps no `disallowed` CIDR.
pub fn allocate_first_fit<F: FreeSpace>(
    fs: &mut F,
    family: Family,
    prefix: u8,
    disallowed: &[Cidr],
    _pool_cidrs: &[Cidr],
) -> R<Cidr, F> {
    let (block, target) = find(fs, family, prefix, disallowed)?;
    take(fs, block, target)?;
    Ok(target)
}

/// The CIDR [`allocate_first_fit`] would return, without reserving it.
pub fn preview_first_fit<F: FreeSpace>(fs: &mut F, family: Family, prefix: u8, disallowed: &[Cidr]) -> R<Cidr, F> {
    find(fs, family, prefix, disallowed).map(|(_, t)| t)
}

/// Allocates exactly `cidr`, which must lie in a provisioned CIDR and be wholly free.
pub fn allocate_exact<F: FreeSpace>(fs: &mut F, cidr: Cidr, pool_cidrs: &[Cidr]) -> R<Cidr, F> {
    if !pool_cidrs.iter().any(|r| r.contains(&cidr)) {
        return Err(AllocError::NotInPool(cidr));
    }
    match st(fs.floor(cidr.family, cidr.start))? {
        Some(b) if b.contains(&cidr) => {
            take(fs, b, cidr)?;
            Ok(cidr)
        }
        _ => Err(AllocError::NotFree(cidr)),
    }
}

/// Returns an allocated block to the free space, merging buddies inside its provisioned CIDR.
pub fn release<F: FreeSpace>(fs: &mut F, cidr: Cidr, pool_cidrs: &[Cidr]) -> R<(), F> {
    let Some(root) = pool_cidrs.iter().find(|r| r.contains(&cidr)).copied() else {
        return Err(AllocError::NotInPool(cidr));
    };
    if let Some(b) = st(fs.floor(cidr.family, cidr.start))?
        && b.overlaps(&cidr)
    {
        return Err(AllocError::NotAllocated(cidr));
    }
    let mut cur = cidr;
    while cur.prefix > root.prefix {
        let (Some(buddy), Some(parent)) = (cur.buddy(), cur.parent()) else {
            break;
        };
        if !st(fs.contains_block(buddy))? {
            break;
        }
        st(fs.remove(buddy))?;
        cur = parent;
    }
    st(fs.insert(cur))
}

/// Free space in memory, for tests and benchmarks.
#[derive(Debug, Default, Clone)]
pub struct MemFreeSpace {
    by_prefix: BTreeSet<(Family, u8, u128)>,
    by_start: BTreeMap<(Family, u128), u8>,
}

impl MemFreeSpace {
    /// The free blocks in address order.
    pub fn blocks(&self) -> Vec<Cidr> {
        self.by_start
            .iter()
            .map(|(&(family, start), &prefix)| Cidr { family, start, prefix })
            .collect()
    }
}

impl FreeSpace for MemFreeSpace {
    type Error = std::convert::Infallible;

    fn lowest_with_prefix(&mut self, family: Family, prefix: u8) -> Result<Option<Cidr>, Self::Error> {
        Ok(self
            .by_prefix
            .range((family, prefix, 0)..=(family, prefix, u128::MAX))
            .next()
            .map(|&(family, prefix, start)| Cidr { family, start, prefix }))
    }
    fn lowest_fitting(&mut self, family: Family, max_prefix: u8) -> Result<Option<Cidr>, Self::Error> {
        // A skip scan: the first entry at or above each prefix length present is the lowest
        // block of that length, so the scan takes one step per distinct length, not per length.
        let mut best: Option<Cidr> = None;
        let mut from = 0u8;
        while let Some(&(f, prefix, start)) = self.by_prefix.range((family, from, 0)..).next() {
            if f != family || prefix > max_prefix {
                break;
            }
            if best.is_none_or(|b| start < b.start) {
                best = Some(Cidr { family, start, prefix });
            }
            match prefix.checked_add(1) {
                Some(next) => from = next,
                None => break,
            }
        }
        Ok(best)
    }
    fn floor(&mut self, family: Family, start: u128) -> Result<Option<Cidr>, Self::Error> {
        Ok(self
            .by_start
            .range((family, 0)..=(family, start))
            .next_back()
            .map(|(&(family, start), &prefix)| Cidr { family, start, prefix }))
    }
    fn ascending_from(&mut self, family: Family, from: u128, limit: usize) -> Result<Vec<Cidr>, Self::Error> {
        Ok(self
            .by_start
            .range((family, from)..=(family, u128::MAX))
            .take(limit)
            .map(|(&(family, start), &prefix)| Cidr { family, start, prefix })
            .collect())
    }
    fn contains_block(&mut self, b: Cidr) -> Result<bool, Self::Error> {
        Ok(self.by_prefix.contains(&(b.family, b.prefix, b.start)))
    }
    fn insert(&mut self, b: Cidr) -> Result<(), Self::Error> {
        self.by_prefix.insert((b.family, b.prefix, b.start));
        self.by_start.insert((b.family, b.start), b.prefix);
        Ok(())
    }
    fn remove(&mut self, b: Cidr) -> Result<(), Self::Error> {
        self.by_prefix.remove(&(b.family, b.prefix, b.start));
        self.by_start.remove(&(b.family, b.start));
        Ok(())
    }
}

/// One step of an allocator property test: first fit of a /n with disallowed /24s (given as
/// offsets), an exact CIDR at an offset, or the release of a live allocation (by index).
#[cfg(test)]
#[derive(Clone, Debug)]
pub(crate) enum Op {
    First(u8, Vec<u8>),
    Exact(u32, u8),
    Release(usize),
}

/// The reference the property tests hold first fit to: the lowest aligned IPv4 /p of `root`
/// overlapping no live allocation and no disallowed block, found by trying every address.
#[cfg(test)]
pub(crate) fn brute_force_first_fit(root: Cidr, p: u8, live: &[Cidr], disallowed: &[Cidr]) -> Option<Cidr> {
    let step = 1u128 << (32 - p);
    let mut s = root.start;
    while s + step - 1 <= root.last() {
        let cand = Cidr {
            family: Family::V4,
            start: s,
            prefix: p,
        };
        if !live.iter().chain(disallowed).any(|x| x.overlaps(&cand)) {
            return Some(cand);
        }
        s += step;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(s: &str) -> Cidr {
        Cidr::parse(s).unwrap()
    }

    fn pool(cidrs: &[&str]) -> (MemFreeSpace, Vec<Cidr>) {
        let mut fs = MemFreeSpace::default();
        let roots: Vec<Cidr> = cidrs.iter().map(|s| c(s)).collect();
        for r in &roots {
            provision(&mut fs, *r).unwrap();
        }
        (fs, roots)
    }

    #[test]
    fn upstream_first_fit_expectations() {
        let (mut fs, roots) = pool(&["172.2.0.0/24"]);
        let mut f2 = fs.clone();
        assert_eq!(
            allocate_first_fit(&mut fs, Family::V4, 28, &[], &roots).unwrap(),
            c("172.2.0.0/28")
        );
        assert_eq!(
            allocate_first_fit(&mut f2, Family::V4, 28, &[c("172.2.0.0/28")], &roots).unwrap(),
            c("172.2.0.16/28")
        );
    }

    #[test]
    fn lowest_aligned_block_skips_allocations() {
        let (mut fs, roots) = pool(&["10.0.0.0/24"]);
        allocate_exact(&mut fs, c("10.0.0.16/28"), &roots).unwrap();
        assert_eq!(
            allocate_first_fit(&mut fs, Family::V4, 28, &[], &roots).unwrap(),
            c("10.0.0.0/28")
        );
        assert_eq!(
            allocate_first_fit(&mut fs, Family::V4, 27, &[], &roots).unwrap(),
            c("10.0.0.32/27")
        );
        assert_eq!(
            allocate_first_fit(&mut fs, Family::V4, 28, &[], &roots).unwrap(),
            c("10.0.0.64/28")
        );
    }

    #[test]
    fn pool_cidrs_are_searched_in_ascending_order() {
        let (mut fs, roots) = pool(&["10.1.0.0/24", "10.0.0.0/24"]);
        assert_eq!(
            allocate_first_fit(&mut fs, Family::V4, 25, &[], &roots).unwrap(),
            c("10.0.0.0/25")
        );
    }

    #[test]
    fn adjacent_pool_cidrs_never_merge() {
        let (mut fs, roots) = pool(&["10.0.0.0/25", "10.0.0.128/25"]);
        let e = allocate_first_fit(&mut fs, Family::V4, 24, &[], &roots).unwrap_err();
        assert_eq!(
            e,
            AllocError::Exhausted {
                family: Family::V4,
                requested: 24,
                largest_free: Some(25)
            }
        );
        assert!(e.to_string().contains("largest free block is a /25"));
        let a = allocate_first_fit(&mut fs, Family::V4, 26, &[], &roots).unwrap();
        release(&mut fs, a, &roots).unwrap();
        assert_eq!(fs.blocks(), vec![c("10.0.0.0/25"), c("10.0.0.128/25")]);
    }

    #[test]
    fn a_pool_wholly_disallowed_says_so_and_never_contradicts_itself() {
        let (mut fs, roots) = pool(&["10.0.0.0/8"]);
        for disallowed in [
            vec![c("10.0.0.0/8")],
            vec![c("10.0.0.0/9"), c("10.128.0.0/9")],
            vec![c("0.0.0.0/0")],
        ] {
            let e = allocate_first_fit(&mut fs, Family::V4, 24, &disallowed, &roots).unwrap_err();
            assert_eq!(e, AllocError::AllDisallowed { requested: 24 });
            assert_eq!(e.attribute("netmask_length"), "disallowed_cidrs");
            let text = e.to_string();
            assert!(text.contains("overlaps `disallowed_cidrs`"), "{text}");
            assert!(!text.contains("largest free block"), "{text}");
            assert_eq!(preview_first_fit(&mut fs, Family::V4, 24, &disallowed), Err(e));
        }
        // Real exhaustion still names the largest free block, which is then always smaller.
        let e = allocate_first_fit(&mut fs, Family::V4, 7, &[], &roots).unwrap_err();
        assert_eq!(e.attribute("netmask_length"), "netmask_length");
        assert!(
            e.to_string()
                .contains("no free /7 is left; the largest free block is a /8")
        );
    }

    #[test]
    fn ipv6_blocks() {
        let (mut fs, roots) = pool(&["2001:db8::/32"]);
        assert_eq!(
            allocate_first_fit(&mut fs, Family::V6, 64, &[], &roots).unwrap(),
            c("2001:db8::/64")
        );
        assert_eq!(
            allocate_first_fit(&mut fs, Family::V6, 64, &[], &roots).unwrap(),
            c("2001:db8:0:1::/64")
        );
        let (mut fs, roots) = pool(&["2001:db8::/127"]);
        assert_eq!(
            allocate_first_fit(&mut fs, Family::V6, 128, &[], &roots).unwrap(),
            c("2001:db8::/128")
        );
        assert_eq!(
            allocate_first_fit(&mut fs, Family::V6, 128, &[], &roots).unwrap(),
            c("2001:db8::1/128")
        );
        assert!(allocate_first_fit(&mut fs, Family::V6, 128, &[], &roots).is_err());
        let (mut fs, roots) = pool(&["::/0"]);
        let top = allocate_first_fit(&mut fs, Family::V6, 1, &[c("::/1")], &roots).unwrap();
        assert_eq!(top, c("8000::/1"));
        release(&mut fs, top, &roots).unwrap();
        assert_eq!(fs.blocks(), vec![c("::/0")]);
    }

    #[test]
    fn exact_allocation_inside_outside_and_taken() {
        let (mut fs, roots) = pool(&["10.0.0.0/16"]);
        assert_eq!(
            allocate_exact(&mut fs, c("10.0.5.0/24"), &roots).unwrap(),
            c("10.0.5.0/24")
        );
        assert_eq!(
            allocate_exact(&mut fs, c("10.0.5.128/25"), &roots),
            Err(AllocError::NotFree(c("10.0.5.128/25")))
        );
        assert_eq!(
            allocate_exact(&mut fs, c("10.0.4.0/23"), &roots),
            Err(AllocError::NotFree(c("10.0.4.0/23")))
        );
        assert_eq!(
            allocate_exact(&mut fs, c("10.1.0.0/24"), &roots),
            Err(AllocError::NotInPool(c("10.1.0.0/24")))
        );
        assert_eq!(
            allocate_exact(&mut fs, c("10.0.0.0/8"), &roots),
            Err(AllocError::NotInPool(c("10.0.0.0/8")))
        );
    }

    #[test]
    fn a_released_block_is_reusable_and_the_pool_whole_again() {
        let (mut fs, roots) = pool(&["10.0.0.0/24"]);
        let a = allocate_first_fit(&mut fs, Family::V4, 26, &[], &roots).unwrap();
        assert!(
            !fs.contains_block(roots[0]).unwrap(),
            "the pool is no longer one free block"
        );
        release(&mut fs, a, &roots).unwrap();
        assert_eq!(release(&mut fs, a, &roots), Err(AllocError::NotAllocated(a)));
        assert_eq!(allocate_first_fit(&mut fs, Family::V4, 26, &[], &roots).unwrap(), a);
        release(&mut fs, a, &roots).unwrap();
        assert_eq!(fs.blocks(), roots, "the buddies merged back into the provisioned CIDR");
    }

    #[test]
    fn preview_reserves_nothing() {
        let (mut fs, _) = pool(&["10.0.0.0/24"]);
        let before = fs.blocks();
        assert_eq!(
            preview_first_fit(&mut fs, Family::V4, 28, &[]).unwrap(),
            c("10.0.0.0/28")
        );
        assert_eq!(fs.blocks(), before);
    }

    fn ops() -> impl Strategy<Value = Vec<Op>> {
        prop::collection::vec(
            prop_oneof![
                (20u8..=32, prop::collection::vec(0u8..16, 0..3)).prop_map(|(p, d)| Op::First(p, d)),
                (0u32..4096, 20u8..=32).prop_map(|(o, p)| Op::Exact(o, p)),
                (0usize..64).prop_map(Op::Release),
            ],
            1..60,
        )
    }

    proptest! {
        #[test]
        fn allocator_properties(ops in ops()) {
            let root = c("10.0.0.0/20");
            let roots = vec![root];
            let mut fs = MemFreeSpace::default();
            provision(&mut fs, root).unwrap();
            let mut live: Vec<Cidr> = Vec::new();
            for op in ops {
                match op {
                    Op::First(p, ds) => {
                        let disallowed: Vec<Cidr> = ds.iter().map(|d| Cidr { family: Family::V4, start: root.start + u128::from(*d) * 256, prefix: 24 }).collect();
                        let expected = brute_force_first_fit(root, p, &live, &disallowed);
                        let got = allocate_first_fit(&mut fs, Family::V4, p, &disallowed, &roots).ok();
                        prop_assert_eq!(got, expected, "first fit for /{}", p);
                        if let Some(g) = got { live.push(g); }
                    }
                    Op::Exact(off, p) => {
                        let mask = !((1u128 << (32 - p)) - 1);
                        let cand = Cidr { family: Family::V4, start: (root.start + u128::from(off)) & mask, prefix: p };
                        let free = root.contains(&cand) && !live.iter().any(|x| x.overlaps(&cand));
                        let got = allocate_exact(&mut fs, cand, &roots);
                        prop_assert_eq!(got.is_ok(), free, "exact {}", cand);
                        if free { live.push(cand); }
                    }
                    Op::Release(i) => {
                        if !live.is_empty() {
                            let a = live.remove(i % live.len());
                            release(&mut fs, a, &roots).unwrap();
                        }
                    }
                }
                for (i, a) in live.iter().enumerate() {
                    prop_assert!(root.contains(a));
                    for b in &live[i + 1..] { prop_assert!(!a.overlaps(b), "{} overlaps {}", a, b); }
                }
                let free: u128 = fs.blocks().iter().map(Cidr::size).sum();
                let used: u128 = live.iter().map(Cidr::size).sum();
                prop_assert_eq!(free + used, root.size());
            }
            for a in live.drain(..) { release(&mut fs, a, &roots).unwrap(); }
            prop_assert_eq!(fs.blocks(), vec![root]);
        }

        #[test]
        fn ipv6_allocations_stay_disjoint(prefixes in prop::collection::vec(40u8..=64, 1..40)) {
            let root = c("2001:db8::/32");
            let roots = vec![root];
            let mut fs = MemFreeSpace::default();
            provision(&mut fs, root).unwrap();
            let mut live = Vec::new();
            for p in prefixes {
                let a = allocate_first_fit(&mut fs, Family::V6, p, &[], &roots).unwrap();
                prop_assert!(root.contains(&a));
                prop_assert!(!live.iter().any(|x: &Cidr| x.overlaps(&a)));
                live.push(a);
            }
            for a in live { release(&mut fs, a, &roots).unwrap(); }
            prop_assert_eq!(fs.blocks(), vec![root]);
        }
    }
}
