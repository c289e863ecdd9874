//! Pool and scope utilisation, as the IPAM CloudWatch metrics define it: the share of a pool's
//! provisioned space held by child pools (allocated), by everything else (assigned), and free.

use std::cmp::Ordering;
use std::fmt;

use super::cidr::Cidr;
use super::model::{Allocation, ComplianceStatus, ResourceType};

/// An exact number of addresses. `u128` holds every block but an IPv6 /0 (2^128 addresses, one
/// more than `u128::MAX`), and a scope adds pools up, so a count has 256 bits: four 64-bit limbs,
/// least significant first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Addresses([u64; 4]);

impl Addresses {
    /// No addresses.
    pub const ZERO: Addresses = Addresses([0; 4]);

    /// 2^`bits` addresses (`bits` < 256): the size of a block with that many host bits.
    pub fn pow2(bits: u32) -> Addresses {
        let mut l = [0u64; 4];
        l[(bits / 64) as usize % 4] = 1u64 << (bits % 64);
        Addresses(l)
    }

    /// The addresses of a CIDR block, exact also for an IPv6 /0.
    pub fn of(c: &Cidr) -> Addresses {
        Addresses::pow2(u32::from(c.family.bits() - c.prefix))
    }

    /// A count that fits `u128`.
    pub fn from_u128(n: u128) -> Addresses {
        Addresses([n as u64, (n >> 64) as u64, 0, 0])
    }

    /// The sum (saturating at 2^256 - 1, far beyond any address space).
    pub fn saturating_add(self, o: Addresses) -> Addresses {
        let mut out = [0u64; 4];
        let mut carry = false;
        for (i, limb) in out.iter_mut().enumerate() {
            let (s, c1) = self.0[i].overflowing_add(o.0[i]);
            let (s, c2) = s.overflowing_add(u64::from(carry));
            *limb = s;
            carry = c1 || c2;
        }
        if carry {
            Addresses([u64::MAX; 4])
        } else {
            Addresses(out)
        }
    }

    /// The difference, or zero when `o` is larger.
    pub fn saturating_sub(self, o: Addresses) -> Addresses {
        if o >= self {
            return Addresses::ZERO;
        }
        let mut out = [0u64; 4];
        let mut borrow = false;
        for (i, limb) in out.iter_mut().enumerate() {
            let (d, b1) = self.0[i].overflowing_sub(o.0[i]);
            let (d, b2) = d.overflowing_sub(u64::from(borrow));
            *limb = d;
            borrow = b1 || b2;
        }
        Addresses(out)
    }

    /// `n` times this count (saturating, as `saturating_add`).
    pub fn times(self, n: u64) -> Addresses {
        let mut out = [0u64; 4];
        let mut carry = 0u128;
        for (i, limb) in out.iter_mut().enumerate() {
            let p = u128::from(self.0[i]) * u128::from(n) + carry;
            *limb = p as u64;
            carry = p >> 64;
        }
        if carry != 0 {
            Addresses([u64::MAX; 4])
        } else {
            Addresses(out)
        }
    }

    /// True for no addresses.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 4]
    }

    /// The count as `u128`, saturating (an IPv6 /0 gives `u128::MAX`).
    pub fn saturating_u128(&self) -> u128 {
        if self.0[2] != 0 || self.0[3] != 0 {
            u128::MAX
        } else {
            u128::from(self.0[0]) | (u128::from(self.0[1]) << 64)
        }
    }

    /// The count as `i64`, if it fits.
    pub fn to_i64(&self) -> Option<i64> {
        i64::try_from(self.saturating_u128()).ok()
    }

    /// The count as a float (for percentages).
    pub fn to_f64(&self) -> f64 {
        self.0
            .iter()
            .rev()
            .fold(0.0, |acc, &l| acc * 18_446_744_073_709_551_616.0 + l as f64)
    }

    /// `self / d` and the remainder, for a small divisor.
    fn div_rem(self, d: u64) -> (Addresses, u64) {
        let mut out = [0u64; 4];
        let mut rem = 0u128;
        for i in (0..4).rev() {
            let cur = (rem << 64) | u128::from(self.0[i]);
            out[i] = (cur / u128::from(d)) as u64;
            rem = cur % u128::from(d);
        }
        (Addresses(out), rem as u64)
    }
}

impl Ord for Addresses {
    fn cmp(&self, o: &Addresses) -> Ordering {
        self.0.iter().rev().cmp(o.0.iter().rev())
    }
}

impl PartialOrd for Addresses {
    fn partial_cmp(&self, o: &Addresses) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// Decimal digits, exact.
impl fmt::Display for Addresses {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const CHUNK: u64 = 10_000_000_000_000_000_000; // 10^19, the largest power of ten in a u64
        let mut chunks = Vec::new();
        let mut n = *self;
        loop {
            let (q, r) = n.div_rem(CHUNK);
            chunks.push(r);
            n = q;
            if n.is_zero() {
                break;
            }
        }
        let mut s = chunks.pop().unwrap_or_default().to_string();
        for c in chunks.iter().rev() {
            s.push_str(&format!("{c:019}"));
        }
        f.pad(&s)
    }
}

/// Exact sizes in addresses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sizes {
    pub size: Addresses,
    pub allocated: Addresses,
    pub assigned: Addresses,
    pub available: Addresses,
}

/// Sizes in addresses and percentages that sum to 100. The `u128` sizes saturate (an IPv6 /0
/// shows `u128::MAX`), which is close enough for charts; `exact` has every figure exactly.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Utilisation {
    pub size: u128,
    pub allocated: u128,
    pub assigned: u128,
    pub available: u128,
    pub percent_allocated: f64,
    pub percent_assigned: f64,
    pub percent_available: f64,
    pub compliant: i64,
    pub noncompliant: i64,
    pub exact: Sizes,
}

/// The total size of some CIDRs.
fn total(cidrs: &[Cidr]) -> Addresses {
    cidrs
        .iter()
        .fold(Addresses::ZERO, |s, c| s.saturating_add(Addresses::of(c)))
}

/// A block size as the store counts it: a power of two, where `u128::MAX` stands for the 2^128
/// addresses of an IPv6 /0 (which `u128` cannot hold).
fn block_addresses(block: u128) -> Addresses {
    if block == u128::MAX {
        Addresses::pow2(128)
    } else {
        Addresses::from_u128(block)
    }
}

impl Utilisation {
    /// Utilisation of space `cidrs` holding `allocations`.
    pub fn of(cidrs: &[Cidr], allocations: &[Allocation]) -> Utilisation {
        let mut u = Utilisation::default();
        u.exact.size = total(cidrs);
        for a in allocations {
            let n = Addresses::of(&a.cidr);
            if a.resource_type == ResourceType::IpamPool {
                u.exact.allocated = u.exact.allocated.saturating_add(n);
            } else {
                u.exact.assigned = u.exact.assigned.saturating_add(n);
                if a.compliance_status == ComplianceStatus::Compliant {
                    u.compliant += 1;
                } else {
                    u.noncompliant += 1;
                }
            }
        }
        u.recompute();
        u
    }

    /// Utilisation from allocation counts per (child pool?, compliant?, block size), so a pool
    /// with many allocations is summed without loading them.
    pub fn from_counts(cidrs: &[Cidr], counts: &[(bool, bool, u128, i64)]) -> Utilisation {
        let mut u = Utilisation::default();
        u.exact.size = total(cidrs);
        for &(is_pool, compliant, block, n) in counts {
            let held = block_addresses(block).times(n.max(0) as u64);
            if is_pool {
                u.exact.allocated = u.exact.allocated.saturating_add(held);
            } else {
                u.exact.assigned = u.exact.assigned.saturating_add(held);
                if compliant {
                    u.compliant += n;
                } else {
                    u.noncompliant += n;
                }
            }
        }
        u.recompute();
        u
    }

    /// Adds another pool's figures (for a scope); percentages are recomputed.
    pub fn add(&mut self, o: &Utilisation) {
        self.exact.size = self.exact.size.saturating_add(o.exact.size);
        self.exact.allocated = self.exact.allocated.saturating_add(o.exact.allocated);
        self.exact.assigned = self.exact.assigned.saturating_add(o.exact.assigned);
        self.compliant += o.compliant;
        self.noncompliant += o.noncompliant;
        self.recompute();
    }

    /// Derives the free space, the saturated sizes and the percentages from the exact sizes.
    fn recompute(&mut self) {
        let e = &mut self.exact;
        e.available = e.size.saturating_sub(e.allocated).saturating_sub(e.assigned);
        self.size = e.size.saturating_u128();
        self.allocated = e.allocated.saturating_u128();
        self.assigned = e.assigned.saturating_u128();
        self.available = e.available.saturating_u128();
        if e.size.is_zero() {
            (self.percent_allocated, self.percent_assigned, self.percent_available) = (0.0, 0.0, 0.0);
            return;
        }
        let size = e.size.to_f64();
        self.percent_allocated = e.allocated.to_f64() * 100.0 / size;
        self.percent_assigned = e.assigned.to_f64() * 100.0 / size;
        // The rest, so the three sum to 100; exactly 0 when nothing is free (no float dust).
        self.percent_available = if e.available.is_zero() {
            0.0
        } else {
            (100.0 - self.percent_allocated - self.percent_assigned).max(0.0)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alloc(cidr: &str, rt: &str, compliance: &str) -> Allocation {
        Allocation {
            id: "a".into(),
            pool_id: "p".into(),
            cidr: Cidr::parse(cidr).unwrap(),
            netmask_length: None,
            resource_type: rt.parse().unwrap(),
            resource_id: None,
            resource_owner: "123456789012".into(),
            resource_region: None,
            description: None,
            disallowed_cidrs: vec![],
            tags: Default::default(),
            tags_all: Default::default(),
            compliance_status: compliance.parse().unwrap(),
        }
    }

    #[test]
    fn ipv4_figures_by_hand() {
        let u = Utilisation::of(
            &[Cidr::parse("10.0.0.0/24").unwrap()],
            &[
                alloc("10.0.0.0/26", "ipam-pool", "compliant"),
                alloc("10.0.0.64/28", "custom", "noncompliant"),
            ],
        );
        assert_eq!((u.size, u.allocated, u.assigned, u.available), (256, 64, 16, 176));
        assert_eq!(
            (u.percent_allocated, u.percent_assigned, u.percent_available),
            (25.0, 6.25, 68.75)
        );
        assert_eq!((u.compliant, u.noncompliant), (0, 1));
    }

    #[test]
    fn counts_give_the_same_figures() {
        let cidrs = [Cidr::parse("10.0.0.0/24").unwrap()];
        let u = Utilisation::from_counts(&cidrs, &[(true, true, 64, 1), (false, false, 16, 1)]);
        assert_eq!(
            u,
            Utilisation::of(
                &cidrs,
                &[
                    alloc("10.0.0.0/26", "ipam-pool", "compliant"),
                    alloc("10.0.0.64/28", "custom", "noncompliant")
                ]
            )
        );
    }

    #[test]
    fn ipv6_sizes_do_not_overflow() {
        let u = Utilisation::of(
            &[Cidr::parse("::/0").unwrap()],
            &[alloc("8000::/1", "custom", "compliant")],
        );
        assert_eq!(u.size, u128::MAX);
        assert_eq!(u.assigned, 1u128 << 127);
        assert!((u.percent_assigned - 50.0).abs() < 1e-9);
        let u = Utilisation::of(
            &[Cidr::parse("2600:1f00::/40").unwrap()],
            &[alloc("2600:1f00::/56", "vpc", "compliant")],
        );
        assert_eq!(u.size, 1u128 << 88);
        assert!((u.percent_assigned - 100.0 / 65536.0).abs() < 1e-12);
    }

    #[test]
    fn an_ipv6_slash_0_is_exact() {
        // 2^128 addresses: one more than u128 holds.
        let all = "340282366920938463463374607431768211456";
        let u = Utilisation::of(
            &[Cidr::parse("::/0").unwrap()],
            &[alloc("::/0", "ipam-pool", "compliant")],
        );
        assert_eq!(u.exact.size.to_string(), all);
        assert_eq!(u.exact.allocated.to_string(), all);
        assert!(u.exact.available.is_zero());
        assert_eq!((u.percent_allocated, u.percent_available), (100.0, 0.0));
        // The store counts a /0 block as u128::MAX; the counts path reads it as 2^128.
        let c = Utilisation::from_counts(&[Cidr::parse("::/0").unwrap()], &[(true, true, u128::MAX, 1)]);
        assert_eq!(c, u);
        let half = Utilisation::of(
            &[Cidr::parse("::/0").unwrap()],
            &[alloc("8000::/1", "custom", "compliant")],
        );
        assert_eq!(
            half.exact.assigned.to_string(),
            "170141183460469231731687303715884105728"
        );
        assert_eq!(
            half.exact.available.to_string(),
            "170141183460469231731687303715884105728"
        );
        assert_eq!((half.percent_assigned, half.percent_available), (50.0, 50.0));
        // A scope adding a /0 and an IPv4 /0 goes past 2^128, still exactly.
        let mut scope = u.clone();
        scope.add(&Utilisation::of(&[Cidr::parse("0.0.0.0/0").unwrap()], &[]));
        assert_eq!(scope.exact.size.to_string(), "340282366920938463463374607436063178752");
        assert_eq!(scope.exact.available.to_string(), "4294967296");
    }

    #[test]
    fn address_arithmetic() {
        let a = Addresses::pow2(128);
        assert_eq!(a.saturating_sub(Addresses::from_u128(1)).saturating_u128(), u128::MAX);
        assert_eq!(a.saturating_u128(), u128::MAX);
        assert_eq!(Addresses::from_u128(5).saturating_sub(a), Addresses::ZERO);
        assert_eq!(Addresses::pow2(64).times(3).to_string(), "55340232221128654848");
        assert_eq!(Addresses::ZERO.to_string(), "0");
        assert_eq!(
            Addresses::from_u128(10_000_000_000_000_000_000).to_string(),
            "10000000000000000000"
        );
        assert_eq!(
            Addresses::pow2(255).to_string(),
            "57896044618658097711785492504343953926634992332820282019728792003956564819968"
        );
        assert_eq!(
            Addresses::pow2(200).saturating_add(Addresses::pow2(200)),
            Addresses::pow2(201)
        );
        assert!(Addresses::pow2(130) > Addresses::from_u128(u128::MAX));
        assert_eq!(Addresses::from_u128(256).to_i64(), Some(256));
        assert_eq!(a.to_i64(), None);
        assert_eq!(a.to_f64(), 2f64.powi(128));
    }
}
