//! CIDR blocks as numbers: a family, a start address (IPv4 in the low 32 bits) and a prefix.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

super::api_enum::api_enum! {
    /// IPv4 or IPv6.
    Family, "Invalid address family", "an address family" {
        V4 = "ipv4",
        V6 = "ipv6",
    }
}

impl Family {
    /// Address width in bits.
    pub fn bits(self) -> u8 {
        match self {
            Family::V4 => 32,
            Family::V6 => 128,
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
    #[error("prefix length {prefix} is out of range for {family} (0-{max})")]
    Prefix { family: &'static str, prefix: u8, max: u8 },
    #[error("start address is not aligned to a /{0} block")]
    Unaligned(u8),
    /// Blanks around the CIDR, or leading zeros in an IPv4 octet or the prefix length: other
    /// tools read these differently (`010` is octal 8 to `inet_aton`), so they are refused.
    #[error("{given:?} {problem}; did you mean {suggestion:?}?")]
    Careless {
        given: String,
        problem: &'static str,
        suggestion: String,
    },
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

    /// Parses `addr/len` strictly: host bits must be zero, and there may be no blanks around it
    /// and no leading zeros in an IPv4 octet or the prefix length. IPv6 may be written in any
    /// case, with or without zero padding and compression.
    pub fn parse(s: &str) -> Result<Cidr, CidrError> {
        let trimmed = s.trim();
        if trimmed.len() != s.len() {
            return Err(Cidr::careless(s, trimmed, "has blanks around it"));
        }
        let Some((addr, len)) = s.split_once('/') else {
            return Err(CidrError::Syntax(s.to_string()));
        };
        if len.is_empty() || !len.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CidrError::Syntax(s.to_string()));
        }
        let fixed = format!("{}/{}", strip_octet_zeros(addr), strip_zeros(len));
        if fixed != s {
            return Err(Cidr::careless(
                s,
                &fixed,
                "has leading zeros, which some tools read as octal",
            ));
        }
        let net: ipnet::IpNet = s.parse().map_err(|_| CidrError::Syntax(s.to_string()))?;
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

    /// The refusal of a careless spelling, suggesting the block `fixed` denotes when it is one.
    fn careless(given: &str, fixed: &str, problem: &'static str) -> CidrError {
        match Cidr::parse(fixed) {
            Ok(c) => CidrError::Careless {
                given: given.to_string(),
                problem,
                suggestion: c.to_string(),
            },
            Err(
                CidrError::HostBits {
                    network: suggestion, ..
                }
                | CidrError::Careless { suggestion, .. },
            ) => CidrError::Careless {
                given: given.to_string(),
                problem,
                suggestion,
            },
            Err(_) => CidrError::Syntax(given.to_string()),
        }
    }

    /// True when both texts are CIDRs that denote the same block, however each is spelt.
    pub fn same_block(a: &str, b: &str) -> bool {
        matches!((Cidr::parse(a), Cidr::parse(b)), (Ok(x), Ok(y)) if x == y)
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

/// A decimal number without its leading zeros (`"0"` stays).
fn strip_zeros(n: &str) -> &str {
    let t = n.trim_start_matches('0');
    if t.is_empty() && !n.is_empty() { "0" } else { t }
}

/// An address with the leading zeros of its dotted-decimal part (IPv4, or the IPv4 tail of an
/// IPv6 address) removed; IPv6 groups are hexadecimal and keep their zero padding.
fn strip_octet_zeros(addr: &str) -> String {
    let (head, tail) = match addr.rfind(':') {
        Some(i) => addr.split_at(i + 1),
        None => ("", addr),
    };
    if !tail.contains('.') {
        return addr.to_string();
    }
    let octets: Vec<&str> = tail
        .split('.')
        .map(|o| {
            if o.bytes().all(|b| b.is_ascii_digit()) {
                strip_zeros(o)
            } else {
                o
            }
        })
        .collect();
    format!("{head}{}", octets.join("."))
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
    fn any_ipv6_spelling_denotes_the_same_block() {
        let canonical = Cidr::parse("2001:db8::/32").unwrap();
        for s in [
            "2001:DB8::/32",
            "2001:0db8::/32",
            "2001:0DB8:0000:0000:0000:0000:0000:0000/32",
            "2001:db8:0:0:0:0:0:0/32",
            "2001:Db8:0::0/32",
        ] {
            assert_eq!(Cidr::parse(s), Ok(canonical), "{s}");
            assert!(Cidr::same_block(s, "2001:db8::/32"), "{s}");
        }
        assert_eq!(
            Cidr::parse("::FFFF:10.0.0.0/104").unwrap().to_string(),
            "::ffff:10.0.0.0/104"
        );
        assert!(!Cidr::same_block("2001:db8::/32", "2001:db8::/33"));
        assert!(!Cidr::same_block("2001:db8::/32", "banana"));
    }

    #[test]
    fn careless_spellings_are_refused_with_a_suggestion() {
        for (given, problem, suggestion) in [
            ("010.0.0.0/8", "leading zeros", "10.0.0.0/8"),
            ("10.001.0.0/16", "leading zeros", "10.1.0.0/16"),
            ("10.0.0.0/08", "leading zeros", "10.0.0.0/8"),
            ("2001:db8::/032", "leading zeros", "2001:db8::/32"),
            ("::ffff:010.0.0.0/104", "leading zeros", "::ffff:10.0.0.0/104"),
            ("010.0.0.1/24", "leading zeros", "10.0.0.0/24"),
            (" 10.1.0.0/16", "blanks", "10.1.0.0/16"),
            ("10.1.0.0/16\n", "blanks", "10.1.0.0/16"),
            ("\t2001:DB8::/32 ", "blanks", "2001:db8::/32"),
            (" 010.0.0.0/8", "blanks", "10.0.0.0/8"),
        ] {
            let e = Cidr::parse(given).unwrap_err();
            let text = e.to_string();
            assert!(matches!(e, CidrError::Careless { .. }), "{given:?}: {e:?}");
            assert!(text.contains(problem), "{given:?}: {text}");
            assert!(
                text.ends_with(&format!("did you mean {suggestion:?}?")),
                "{given:?}: {text}"
            );
        }
        assert_eq!(
            Cidr::parse("010.0.0.0/8").unwrap_err().to_string(),
            "\"010.0.0.0/8\" has leading zeros, which some tools read as octal; did you mean \"10.0.0.0/8\"?"
        );
        // Nothing to suggest when the fixed text is no CIDR either.
        assert!(matches!(Cidr::parse(" banana "), Err(CidrError::Syntax(_))));
        assert!(matches!(Cidr::parse("10.0.0.0/+8"), Err(CidrError::Syntax(_))));
        assert!(Cidr::parse("0.0.0.0/0").is_ok());
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

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// An aligned block from any start address.
        fn block(family: Family, start: u128, prefix: u8) -> Cidr {
            let b = Cidr {
                family,
                start: 0,
                prefix,
            };
            Cidr {
                start: start & !b.host_mask(),
                ..b
            }
        }

        proptest! {
            /// Every spelling of an IPv6 block (any case, padded or not, compressed or not)
            /// parses to the block; blanks around it are refused, suggesting the block.
            #[test]
            fn ipv6_spellings_and_blanks(
                groups in prop::array::uniform8(prop_oneof![3 => Just(0u16), 1 => any::<u16>()]),
                prefix in 0u8..=128,
                upper: bool,
                pad: bool,
                compress: bool,
                blank in prop::sample::select(vec![" ", "\t", "\n", "\r\n"]),
            ) {
                let start = groups.iter().fold(0u128, |acc, g| acc << 16 | u128::from(*g));
                let b = block(Family::V6, start, prefix);
                let addr = Ipv6Addr::from(b.start);
                let mut text = if compress {
                    addr.to_string()
                } else {
                    let width = if pad { 4 } else { 1 };
                    addr.segments().iter().map(|g| format!("{g:0width$x}")).collect::<Vec<_>>().join(":")
                };
                if upper {
                    text = text.to_uppercase();
                }
                let text = format!("{text}/{prefix}");
                prop_assert_eq!(Cidr::parse(&text), Ok(b));
                prop_assert!(Cidr::same_block(&text, &b.to_string()));
                let careless = format!("{blank}{text}");
                prop_assert_eq!(
                    Cidr::parse(&careless),
                    Err(CidrError::Careless {
                        given: careless.clone(),
                        problem: "has blanks around it",
                        suggestion: b.to_string()
                    })
                );
            }

            /// A leading zero in any IPv4 octet is refused, suggesting the block without it.
            #[test]
            fn ipv4_leading_zeros(octets: [u8; 4], prefix in 0u8..=32, which in 0usize..4) {
                let b = block(Family::V4, u128::from(u32::from_be_bytes(octets)), prefix);
                let mut parts: Vec<String> =
                    Ipv4Addr::from(b.start as u32).octets().iter().map(u8::to_string).collect();
                prop_assert_eq!(Cidr::parse(&format!("{}/{prefix}", parts.join("."))), Ok(b));
                parts[which] = format!("0{}", parts[which]);
                let careless = format!("{}/{prefix}", parts.join("."));
                prop_assert_eq!(
                    Cidr::parse(&careless),
                    Err(CidrError::Careless {
                        given: careless.clone(),
                        problem: "has leading zeros, which some tools read as octal",
                        suggestion: b.to_string()
                    })
                );
            }
        }
    }
}
