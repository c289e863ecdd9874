//! CIDR blocks as numbers: a family, a start address (IPv4 in the low 32 bits) and a prefix.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// IPv4 or IPv6.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    /// Address width in bits.
    pub fn bits(self) -> u8 {
        match self {
            Family::V4 => 32,
            Family::V6 => 128,
        }
    }
    /// `ipv4` or `ipv6`.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::V4 => "ipv4",
            Family::V6 => "ipv6",
        }
    }
}

impl FromStr for Family {
    type Err = CidrError;
    fn from_str(s: &str) -> Result<Family, CidrError> {
        match s {
            "ipv4" => Ok(Family::V4),
            "ipv6" => Ok(Family::V6),
            _ => Err(CidrError::Family(s.to_string())),
        }
    }
}

/// Why a CIDR was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    #[error("{0:?} is not a CIDR; write an address and a prefix length, e.g. \"10.0.0.0/16\" or \"2600:1f00::/40\"")]
    Syntax(String),
    #[error("{given} has host bits set; did you mean {network}?")]
    HostBits { given: String, network: String },
    #[error("{0:?} is not an address family; use \"ipv4\" or \"ipv6\"")]
    Family(String),
    #[error("prefix length {prefix} is out of range for {family} (0-{max})")]
    Prefix { family: &'static str, prefix: u8, max: u8 },
    #[error("start address is not aligned to a /{0} block")]
    Unaligned(u8),
}

/// An aligned block of addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cidr {
    pub family: Family,
    pub start: u128,
    pub prefix: u8,
}

impl Cidr {
    /// A block from its parts; the start must be aligned to the prefix.
    pub fn new(family: Family, start: u128, prefix: u8) -> Result<Cidr, CidrError> {
        let bits = family.bits();
        if prefix > bits {
            return Err(CidrError::Prefix {
                family: family.as_str(),
                prefix,
                max: bits,
            });
        }
        if bits == 32 && start > u128::from(u32::MAX) {
            return Err(CidrError::Unaligned(prefix));
        }
        let c = Cidr { family, start, prefix };
        if start & c.host_mask() != 0 {
            return Err(CidrError::Unaligned(prefix));
        }
        Ok(c)
    }

    /// Parses `addr/len` strictly: host bits must be zero.
    pub fn parse(s: &str) -> Result<Cidr, CidrError> {
        let net: ipnet::IpNet = s.trim().parse().map_err(|_| CidrError::Syntax(s.to_string()))?;
        if !s.contains('/') {
            return Err(CidrError::Syntax(s.to_string()));
        }
        let (family, start) = match net.addr() {
            std::net::IpAddr::V4(a) => (Family::V4, u128::from(u32::from(a))),
            std::net::IpAddr::V6(a) => (Family::V6, u128::from(a)),
        };
        let c = Cidr {
            family,
            start,
            prefix: net.prefix_len(),
        };
        if start & c.host_mask() != 0 {
            return Err(CidrError::HostBits {
                given: s.to_string(),
                network: net.trunc().to_string(),
            });
        }
        Ok(c)
    }

    /// The mask of host bits (the addresses inside the block relative to its start).
    pub fn host_mask(&self) -> u128 {
        let host_bits = u32::from(self.family.bits() - self.prefix);
        if host_bits >= 128 {
            u128::MAX
        } else {
            (1u128 << host_bits) - 1
        }
    }

    /// The last address of the block.
    pub fn last(&self) -> u128 {
        self.start | self.host_mask()
    }

    /// The number of addresses, saturating at `u128::MAX` for an IPv6 /0.
    pub fn size(&self) -> u128 {
        self.host_mask().saturating_add(1)
    }

    /// True when `other` lies wholly inside this block.
    pub fn contains(&self, other: &Cidr) -> bool {
        self.family == other.family && self.prefix <= other.prefix && other.start & !self.host_mask() == self.start
    }

    /// True when the two blocks share an address.
    pub fn overlaps(&self, other: &Cidr) -> bool {
        self.family == other.family && self.start <= other.last() && other.start <= self.last()
    }

    /// The enclosing block one bit shorter, if any.
    pub fn parent(&self) -> Option<Cidr> {
        if self.prefix == 0 {
            return None;
        }
        let p = Cidr {
            family: self.family,
            start: 0,
            prefix: self.prefix - 1,
        };
        Some(Cidr {
            start: self.start & !p.host_mask(),
            ..p
        })
    }

    /// The other half of this block's parent.
    pub fn buddy(&self) -> Option<Cidr> {
        self.parent().map(|_| Cidr {
            start: self.start ^ (self.host_mask() + 1),
            ..*self
        })
    }

    /// The two halves of this block, if it has any.
    pub fn halves(&self) -> Option<(Cidr, Cidr)> {
        if self.prefix >= self.family.bits() {
            return None;
        }
        let lo = Cidr {
            prefix: self.prefix + 1,
            ..*self
        };
        let hi = Cidr {
            start: self.start | (lo.host_mask() + 1),
            ..lo
        };
        Some((lo, hi))
    }

    /// The start address as 16 big-endian bytes (the storage index key).
    pub fn start_bytes(&self) -> [u8; 16] {
        self.start.to_be_bytes()
    }

    /// A block from stored parts.
    pub fn from_parts(family: Family, start: [u8; 16], prefix: u8) -> Result<Cidr, CidrError> {
        Cidr::new(family, u128::from_be_bytes(start), prefix)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.family {
            Family::V4 => write!(f, "{}/{}", Ipv4Addr::from(self.start as u32), self.prefix),
            Family::V6 => write!(f, "{}/{}", Ipv6Addr::from(self.start), self.prefix),
        }
    }
}

impl FromStr for Cidr {
    type Err = CidrError;
    fn from_str(s: &str) -> Result<Cidr, CidrError> {
        Cidr::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display() {
        assert_eq!(Cidr::parse("10.0.0.0/8").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(Cidr::parse("2600:1F00:0::/40").unwrap().to_string(), "2600:1f00::/40");
        assert_eq!(Cidr::parse("0.0.0.0/0").unwrap().size(), 1 << 32);
        assert_eq!(Cidr::parse("::/0").unwrap().size(), u128::MAX);
    }

    #[test]
    fn strict_parsing() {
        let e = Cidr::parse("10.0.0.1/24").unwrap_err();
        assert_eq!(
            e.to_string(),
            "10.0.0.1/24 has host bits set; did you mean 10.0.0.0/24?"
        );
        assert!(matches!(Cidr::parse("10.0.0.0"), Err(CidrError::Syntax(_))));
        assert!(matches!(Cidr::parse("10.0.0.0/33"), Err(CidrError::Syntax(_))));
        assert!(matches!(Cidr::parse("banana"), Err(CidrError::Syntax(_))));
        assert!(matches!(Cidr::parse(""), Err(CidrError::Syntax(_))));
    }

    #[test]
    fn relations() {
        let a = Cidr::parse("10.0.0.0/16").unwrap();
        let b = Cidr::parse("10.0.1.0/24").unwrap();
        let c = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(a.contains(&b) && !b.contains(&a));
        assert!(a.overlaps(&b) && !a.overlaps(&c));
        assert_eq!(b.buddy().unwrap().to_string(), "10.0.0.0/24");
        assert_eq!(b.parent().unwrap().to_string(), "10.0.0.0/23");
        let (lo, hi) = a.halves().unwrap();
        assert_eq!(
            (lo.to_string(), hi.to_string()),
            ("10.0.0.0/17".into(), "10.0.128.0/17".into())
        );
        let v6 = Cidr::parse("::/0").unwrap();
        assert!(v6.parent().is_none() && v6.buddy().is_none());
        assert!(Cidr::parse("::1/128").unwrap().halves().is_none());
        assert!(
            !Cidr::parse("::/96")
                .unwrap()
                .overlaps(&Cidr::parse("0.0.0.0/0").unwrap())
        );
    }

    #[test]
    fn storage_round_trip() {
        for s in ["10.2.3.0/24", "2001:db8::/32", "::/0", "255.255.255.255/32"] {
            let c = Cidr::parse(s).unwrap();
            assert_eq!(Cidr::from_parts(c.family, c.start_bytes(), c.prefix).unwrap(), c);
        }
        assert!(Cidr::new(Family::V4, 1, 24).is_err());
    }
}
