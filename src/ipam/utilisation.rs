//! Pool and scope utilisation, as the IPAM CloudWatch metrics define it: the share of a pool's
//! provisioned space held by child pools (allocated), by everything else (assigned), and free.

use super::cidr::Cidr;
use super::model::Allocation;
use super::pool_rules::{COMPLIANT, RESOURCE_TYPE_POOL};

/// Sizes in addresses (exact for IPv6) and percentages that sum to 100.
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
}

impl Utilisation {
    /// Utilisation of space `cidrs` holding `allocations`.
    pub fn of(cidrs: &[Cidr], allocations: &[Allocation]) -> Utilisation {
        let size = cidrs.iter().fold(0u128, |s, c| s.saturating_add(c.size()));
        let mut u = Utilisation {
            size,
            ..Default::default()
        };
        for a in allocations {
            if a.resource_type == RESOURCE_TYPE_POOL {
                u.allocated = u.allocated.saturating_add(a.cidr.size());
            } else {
                u.assigned = u.assigned.saturating_add(a.cidr.size());
                if a.compliance_status == COMPLIANT {
                    u.compliant += 1;
                } else {
                    u.noncompliant += 1;
                }
            }
        }
        u.available = size.saturating_sub(u.allocated).saturating_sub(u.assigned);
        if size > 0 {
            u.percent_allocated = u.allocated as f64 * 100.0 / size as f64;
            u.percent_assigned = u.assigned as f64 * 100.0 / size as f64;
            u.percent_available = 100.0 - u.percent_allocated - u.percent_assigned;
        } else {
            u.percent_available = 0.0;
        }
        u
    }

    /// Utilisation from allocation counts per (child pool?, compliant?, block size), so a pool
    /// with many allocations is summed without loading them.
    pub fn from_counts(cidrs: &[Cidr], counts: &[(bool, bool, u128, i64)]) -> Utilisation {
        let size = cidrs.iter().fold(0u128, |s, c| s.saturating_add(c.size()));
        let mut u = Utilisation {
            size,
            ..Default::default()
        };
        for &(is_pool, compliant, block, n) in counts {
            let total = block.saturating_mul(n.max(0) as u128);
            if is_pool {
                u.allocated = u.allocated.saturating_add(total);
            } else {
                u.assigned = u.assigned.saturating_add(total);
                if compliant {
                    u.compliant += n;
                } else {
                    u.noncompliant += n;
                }
            }
        }
        u.add(&Utilisation::default());
        u
    }

    /// Adds another pool's figures (for a scope); percentages are recomputed.
    pub fn add(&mut self, o: &Utilisation) {
        self.size = self.size.saturating_add(o.size);
        self.allocated = self.allocated.saturating_add(o.allocated);
        self.assigned = self.assigned.saturating_add(o.assigned);
        self.compliant += o.compliant;
        self.noncompliant += o.noncompliant;
        self.available = self.size.saturating_sub(self.allocated).saturating_sub(self.assigned);
        if self.size > 0 {
            self.percent_allocated = self.allocated as f64 * 100.0 / self.size as f64;
            self.percent_assigned = self.assigned as f64 * 100.0 / self.size as f64;
            self.percent_available = 100.0 - self.percent_allocated - self.percent_assigned;
        }
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
            resource_type: rt.into(),
            resource_id: None,
            resource_owner: "123456789012".into(),
            resource_region: None,
            description: None,
            disallowed_cidrs: vec![],
            tags: Default::default(),
            compliance_status: compliance.into(),
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
}
