//! `tree`: IPAMs → scopes → pools (nested by source pool) → provisioned CIDRs → allocations, with
//! utilisation per pool and per CIDR. The text and the JSON show the same tree; `report` draws it.

use std::collections::BTreeSet;
use std::io::Write;

use serde::Serialize;

use super::common::CliError;
use crate::ipam::cidr::{Cidr, Family};
use crate::ipam::model::{Allocation, ComplianceStatus, Pool, ResourceType, ScopeType, Tags};
use crate::ipam::utilisation::{Addresses, Utilisation};
use crate::store::{Store, Tx};

/// Utilisation as output: sizes in addresses as decimal strings (an IPv6 size does not fit a JSON
/// number exactly), percentages rounded to two places.
#[derive(Serialize)]
pub struct Usage {
    pub addresses: String,
    pub used: String,
    pub allocated: String,
    pub assigned: String,
    pub available: String,
    pub percent_used: f64,
    pub percent_allocated: f64,
    pub percent_assigned: f64,
    pub percent_available: f64,
    pub compliant: i64,
    pub noncompliant: i64,
    #[serde(skip)]
    pub exact: Utilisation,
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

impl From<Utilisation> for Usage {
    fn from(u: Utilisation) -> Usage {
        // The exact sizes: an IPv6 /0 has 2^128 addresses, one more than a `u128` holds.
        let x = u.exact;
        Usage {
            addresses: x.size.to_string(),
            used: x.allocated.saturating_add(x.assigned).to_string(),
            allocated: x.allocated.to_string(),
            assigned: x.assigned.to_string(),
            available: x.available.to_string(),
            percent_used: round2(u.percent_allocated + u.percent_assigned),
            percent_allocated: round2(u.percent_allocated),
            percent_assigned: round2(u.percent_assigned),
            percent_available: round2(u.percent_available),
            compliant: u.compliant,
            noncompliant: u.noncompliant,
            exact: u,
        }
    }
}

impl Usage {
    /// Addresses held by allocations (child pools and everything else).
    pub fn used(&self) -> Addresses {
        self.exact.exact.allocated.saturating_add(self.exact.exact.assigned)
    }

    /// The used share in percent, unrounded.
    pub fn percent(&self) -> f64 {
        self.exact.percent_allocated + self.exact.percent_assigned
    }

    /// The used share for people: never "0.0%" for space in use nor "100.0%" for space left,
    /// which one /64 in an IPv6 /32 would otherwise show.
    pub fn percent_text(&self) -> String {
        let (used, size, p) = (self.used(), self.exact.exact.size, self.percent());
        if !used.is_zero() && p < 0.05 {
            "<0.1%".to_string()
        } else if used < size && p >= 99.95 {
            ">99.9%".to_string()
        } else {
            format!("{p:.1}%")
        }
    }
}

/// An IPAM and its scopes.
#[derive(Serialize)]
pub struct IpamNode {
    pub id: String,
    pub owner_id: String,
    pub home_region: String,
    /// Whether the private scopes may hold global unicast IPv6 (off unless set).
    pub enable_private_gua: bool,
    pub description: Option<String>,
    /// The tags as stored (`tags_all`: default tags included).
    pub tags: Tags,
    pub scopes: Vec<ScopeNode>,
}

/// A scope, its top-level space per address family, and its pools (top-level pools first level).
#[derive(Serialize)]
pub struct ScopeNode {
    pub id: String,
    #[serde(rename = "type")]
    pub scope_type: ScopeType,
    pub is_default: bool,
    pub description: Option<String>,
    pub tags: Tags,
    /// Utilisation of the top-level pools' CIDRs, per family present (`ipv4`, `ipv6`).
    pub usage: Vec<FamilyUsage>,
    pub pools: Vec<PoolNode>,
}

/// The utilisation of one address family of a scope.
#[derive(Serialize)]
pub struct FamilyUsage {
    pub address_family: Family,
    #[serde(flatten)]
    pub usage: Usage,
}

/// A pool with its CIDRs and its child pools.
#[derive(Serialize)]
pub struct PoolNode {
    pub id: String,
    pub description: Option<String>,
    pub address_family: Family,
    pub locale: String,
    pub depth: i64,
    pub owner_id: String,
    pub source_ipam_pool_id: Option<String>,
    pub allocation_min_netmask_length: Option<i64>,
    pub allocation_default_netmask_length: Option<i64>,
    pub allocation_max_netmask_length: Option<i64>,
    pub tags: Tags,
    pub usage: Usage,
    pub cidrs: Vec<CidrNode>,
    /// Allocations inside none of the pool's CIDRs: only in a damaged database (`check`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allocations_outside_cidrs: Vec<AllocationNode>,
    pub pools: Vec<PoolNode>,
}

/// A provisioned CIDR and the allocations inside it.
#[derive(Serialize)]
pub struct CidrNode {
    pub cidr: String,
    pub usage: Usage,
    pub allocations: Vec<AllocationNode>,
}

/// An allocation.
#[derive(Serialize)]
pub struct AllocationNode {
    pub id: String,
    pub cidr: String,
    pub resource_type: ResourceType,
    pub resource_id: Option<String>,
    pub resource_owner: String,
    pub resource_region: Option<String>,
    pub description: Option<String>,
    pub compliance_status: ComplianceStatus,
    pub tags: Tags,
}

impl From<&Allocation> for AllocationNode {
    fn from(a: &Allocation) -> AllocationNode {
        AllocationNode {
            id: a.id.clone(),
            cidr: a.cidr.to_string(),
            resource_type: a.resource_type,
            resource_id: a.resource_id.clone(),
            resource_owner: a.resource_owner.clone(),
            resource_region: a.resource_region.clone(),
            description: a.description.clone(),
            compliance_status: a.compliance_status,
            tags: a.tags_all.clone(),
        }
    }
}

/// A pool with what the tree needs of it, loaded once.
struct Loaded {
    pool: Pool,
    cidrs: Vec<Cidr>,
    allocations: Vec<Allocation>,
}

fn pool_node(loaded: &[Loaded], i: usize, placed: &mut BTreeSet<usize>) -> PoolNode {
    placed.insert(i);
    let l = &loaded[i];
    let inside: Vec<Allocation> = l
        .allocations
        .iter()
        .filter(|a| l.cidrs.iter().any(|c| c.contains(&a.cidr)))
        .cloned()
        .collect();
    let cidrs = l
        .cidrs
        .iter()
        .map(|c| {
            let held: Vec<Allocation> = inside.iter().filter(|a| c.contains(&a.cidr)).cloned().collect();
            CidrNode {
                cidr: c.to_string(),
                usage: Utilisation::of(std::slice::from_ref(c), &held).into(),
                allocations: held.iter().map(AllocationNode::from).collect(),
            }
        })
        .collect();
    let mut children = Vec::new();
    for (j, child) in loaded.iter().enumerate() {
        if child.pool.source_pool_id.as_deref() == Some(l.pool.id.as_str()) && !placed.contains(&j) {
            children.push(pool_node(loaded, j, placed));
        }
    }
    let p = &l.pool;
    PoolNode {
        id: p.id.clone(),
        description: p.description.clone(),
        address_family: p.address_family,
        locale: p.locale.clone(),
        depth: p.depth,
        owner_id: p.owner_id.clone(),
        source_ipam_pool_id: p.source_pool_id.clone(),
        allocation_min_netmask_length: p.min_netmask,
        allocation_default_netmask_length: p.default_netmask,
        allocation_max_netmask_length: p.max_netmask,
        tags: p.tags_all.clone(),
        usage: Utilisation::of(&l.cidrs, &inside).into(),
        cidrs,
        allocations_outside_cidrs: l
            .allocations
            .iter()
            .filter(|a| !l.cidrs.iter().any(|c| c.contains(&a.cidr)))
            .map(AllocationNode::from)
            .collect(),
        pools: children,
    }
}

fn scope_pools(tx: &Tx, pools: Vec<Pool>) -> crate::ipam::Result<(Vec<PoolNode>, Vec<FamilyUsage>)> {
    let mut loaded = Vec::new();
    for pool in pools {
        let cidrs = tx.pool_cidrs(&pool.id)?.into_iter().map(|c| c.cidr).collect();
        let allocations = tx.allocations_of(&pool.id)?;
        loaded.push(Loaded {
            pool,
            cidrs,
            allocations,
        });
    }
    let ids: BTreeSet<&str> = loaded.iter().map(|l| l.pool.id.as_str()).collect();
    let mut placed = BTreeSet::new();
    let mut nodes = Vec::new();
    // Top-level pools first; then any pool whose source pool is missing or that sits in a cycle
    // (a damaged database), so that the tree never hides a pool.
    for i in 0..loaded.len() {
        let top = loaded[i]
            .pool
            .source_pool_id
            .as_deref()
            .is_none_or(|s| !ids.contains(s));
        if top && !placed.contains(&i) {
            nodes.push(pool_node(&loaded, i, &mut placed));
        }
    }
    for i in 0..loaded.len() {
        if !placed.contains(&i) {
            nodes.push(pool_node(&loaded, i, &mut placed));
        }
    }
    let mut usage = Vec::new();
    for family in [Family::V4, Family::V6] {
        let mut total: Option<Utilisation> = None;
        for l in loaded
            .iter()
            .filter(|l| l.pool.source_pool_id.is_none() && l.pool.address_family == family)
        {
            let inside: Vec<Allocation> = l
                .allocations
                .iter()
                .filter(|a| l.cidrs.iter().any(|c| c.contains(&a.cidr)))
                .cloned()
                .collect();
            total
                .get_or_insert_with(Utilisation::default)
                .add(&Utilisation::of(&l.cidrs, &inside));
        }
        if let Some(u) = total {
            usage.push(FamilyUsage {
                address_family: family,
                usage: u.into(),
            });
        }
    }
    Ok((nodes, usage))
}

/// The tree of the whole database: pools by ID, CIDRs and allocations by address.
pub fn build(store: &Store) -> Result<Vec<IpamNode>, CliError> {
    Ok(store.read(|tx| {
        let mut all_pools = tx.all_pools()?;
        all_pools.sort_by(|a, b| a.id.cmp(&b.id));
        let mut ipams = Vec::new();
        for i in tx.ipams()? {
            let mut scopes = Vec::new();
            for s in tx.scopes_of(&i.id)? {
                let pools = all_pools.iter().filter(|p| p.scope_id == s.id).cloned().collect();
                let (pools, usage) = scope_pools(tx, pools)?;
                scopes.push(ScopeNode {
                    id: s.id.clone(),
                    scope_type: s.scope_type,
                    is_default: s.is_default,
                    description: s.description.clone(),
                    tags: s.tags_all.clone(),
                    usage,
                    pools,
                });
            }
            // The default scopes first (private, then public), then the others by ID.
            scopes.sort_by_key(|s| (!s.is_default, s.scope_type != ScopeType::Private, s.id.clone()));
            ipams.push(IpamNode {
                id: i.id.clone(),
                owner_id: i.owner_id.clone(),
                home_region: i.home_region.clone(),
                enable_private_gua: i.private_gua(),
                description: i.description.clone(),
                tags: i.tags_all.clone(),
                scopes,
            });
        }
        Ok(ipams)
    })?)
}

/// A bar of `width` cells filled to `percent`.
pub fn bar(percent: f64, width: usize) -> String {
    let filled = ((percent / 100.0) * width as f64).round().clamp(0.0, width as f64) as usize;
    format!("[{}{}]", "#".repeat(filled), ".".repeat(width - filled))
}

/// Text from the database made safe for a terminal, a spreadsheet or a page: control characters
/// (newlines, escape sequences) and the invisible characters that reorder or hide text (bidi
/// overrides and isolates, line and paragraph separators, zero-width space, byte-order mark)
/// become spaces.
pub fn clean(s: &str) -> String {
    s.chars().map(|c| if unsafe_char(c) { ' ' } else { c }).collect()
}

fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
        )
}

/// ANSI colour, or none.
pub struct Style {
    pub colour: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn usage(&self, u: &Usage) -> String {
        let p = u.percent();
        let code = if p > 85.0 {
            "31"
        } else if p > 60.0 {
            "33"
        } else {
            "32"
        };
        format!("{} {}", self.paint(code, &bar(p, 20)), u.percent_text())
    }

    fn description(&self, d: &Option<String>) -> String {
        match d.as_deref() {
            Some(d) if !d.trim().is_empty() => format!("  {}", self.paint("2", &format!("{:?}", d.trim()))),
            _ => String::new(),
        }
    }

    /// The tags as stored, `{key=value, ...}`; nothing for an untagged object.
    fn tags(&self, tags: &Tags) -> String {
        if tags.is_empty() {
            return String::new();
        }
        let pairs: Vec<String> = tags.iter().map(|(k, v)| format!("{}={}", clean(k), clean(v))).collect();
        format!("  {}", self.paint("36", &format!("{{{}}}", pairs.join(", "))))
    }
}

fn print_allocation(out: &mut impl Write, st: &Style, pad: &str, a: &AllocationNode) -> std::io::Result<()> {
    let colour = match a.compliance_status {
        ComplianceStatus::Compliant => "32",
        ComplianceStatus::Noncompliant => "31",
    };
    let comp = st.paint(colour, a.compliance_status.as_str());
    writeln!(
        out,
        "{pad}{} {} {} owner {} {}{}{}",
        a.cidr,
        a.resource_type,
        clean(a.resource_id.as_deref().unwrap_or(&a.id)),
        clean(&a.resource_owner),
        comp,
        st.description(&a.description),
        st.tags(&a.tags)
    )
}

fn print_pool(out: &mut impl Write, st: &Style, p: &PoolNode, indent: usize) -> std::io::Result<()> {
    let pad = "  ".repeat(indent);
    let rules: Vec<String> = [
        (p.allocation_min_netmask_length, "min"),
        (p.allocation_default_netmask_length, "default"),
        (p.allocation_max_netmask_length, "max"),
    ]
    .iter()
    .filter_map(|(n, label)| n.map(|n| format!("{label} /{n}")))
    .collect();
    writeln!(
        out,
        "{pad}{} {} depth {} locale {}{} {}{}{}",
        st.paint("1;34", &p.id),
        p.address_family,
        p.depth,
        clean(&p.locale),
        if rules.is_empty() {
            String::new()
        } else {
            format!(" ({})", rules.join(", "))
        },
        st.usage(&p.usage),
        st.description(&p.description),
        st.tags(&p.tags)
    )?;
    for c in &p.cidrs {
        writeln!(out, "{pad}  cidr {} {}", st.paint("32", &c.cidr), st.usage(&c.usage))?;
        for a in &c.allocations {
            print_allocation(out, st, &format!("{pad}    "), a)?;
        }
    }
    if !p.allocations_outside_cidrs.is_empty() {
        writeln!(out, "{pad}  {} (run `check`)", st.paint("31", "outside every CIDR"))?;
        for a in &p.allocations_outside_cidrs {
            print_allocation(out, st, &format!("{pad}    "), a)?;
        }
    }
    for child in &p.pools {
        print_pool(out, st, child, indent + 1)?;
    }
    Ok(())
}

/// Writes the tree as text.
pub fn print_text(ipams: &[IpamNode], st: &Style, out: &mut impl Write) -> std::io::Result<()> {
    if ipams.is_empty() {
        return writeln!(out, "no IPAMs in this database");
    }
    for i in ipams {
        writeln!(
            out,
            "{} (owner {}, home {}{}){}{}",
            st.paint("1", &i.id),
            clean(&i.owner_id),
            clean(&i.home_region),
            if i.enable_private_gua { ", private GUA" } else { "" },
            st.description(&i.description),
            st.tags(&i.tags)
        )?;
        for s in &i.scopes {
            writeln!(
                out,
                "  {} {}{}{}{}",
                s.id,
                s.scope_type,
                if s.is_default { " (default)" } else { "" },
                st.description(&s.description),
                st.tags(&s.tags)
            )?;
            for p in &s.pools {
                print_pool(out, st, p, 2)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(cidrs: &[&str], held: &[&str]) -> Usage {
        let cidrs: Vec<Cidr> = cidrs.iter().map(|c| Cidr::parse(c).unwrap()).collect();
        let held: Vec<Allocation> = held
            .iter()
            .map(|c| Allocation {
                id: String::new(),
                pool_id: String::new(),
                cidr: Cidr::parse(c).unwrap(),
                netmask_length: None,
                resource_type: ResourceType::Custom,
                resource_id: None,
                resource_owner: String::new(),
                resource_region: None,
                description: None,
                disallowed_cidrs: Vec::new(),
                tags: Default::default(),
                tags_all: Default::default(),
                compliance_status: ComplianceStatus::Compliant,
            })
            .collect();
        Utilisation::of(&cidrs, &held).into()
    }

    #[test]
    fn bars_and_percentages() {
        assert_eq!(bar(50.0, 10), "[#####.....]");
        assert_eq!(bar(0.0, 4), "[....]");
        assert_eq!(bar(100.0, 4), "[####]");
        let u = usage(&["10.0.0.0/24"], &["10.0.0.0/26"]);
        assert_eq!(
            (u.percent_text(), u.used.as_str(), u.addresses.as_str()),
            ("25.0%".into(), "64", "256")
        );
        let v6 = usage(&["2001:db8::/32"], &["2001:db8::/64"]);
        assert_eq!(v6.percent_text(), "<0.1%");
        assert_eq!(v6.used, (1u128 << 64).to_string());
        let almost = usage(
            &["2001:db8::/32"],
            &["2001:db8::/33", "2001:db8:8000::/34", "2001:db8:c000::/35"],
        );
        assert_eq!(almost.percent_text(), "87.5%");
        let nearly_full = usage(
            &["10.0.0.0/8"],
            &["10.0.0.0/9", "10.128.0.0/10", "10.192.0.0/11", "10.224.0.0/12"],
        );
        assert_eq!(nearly_full.percent_text(), "93.8%");
        // Everything but the last address of a /8.
        let base = u128::from(u32::from(std::net::Ipv4Addr::new(10, 0, 0, 0)));
        let blocks: Vec<String> = (9u8..=32)
            .map(|p| {
                let start = base + (1u128 << 24) - (1u128 << (33 - p));
                Cidr::new(Family::V4, start, p).unwrap().to_string()
            })
            .collect();
        let blocks: Vec<&str> = blocks.iter().map(String::as_str).collect();
        assert_eq!(usage(&["10.0.0.0/8"], &blocks).percent_text(), ">99.9%");
        let whole_v6 = usage(&["::/0"], &["8000::/1"]);
        assert_eq!(whole_v6.percent_text(), "50.0%");
        // 2^128 addresses, not u128::MAX (2^128 - 1), and halves of it exactly.
        assert_eq!(whole_v6.addresses, "340282366920938463463374607431768211456");
        assert_eq!(whole_v6.used, "170141183460469231731687303715884105728");
        assert_eq!(whole_v6.available, "170141183460469231731687303715884105728");
        let full_v6 = usage(&["::/0"], &["::/0"]);
        assert_eq!(
            (
                full_v6.percent_text(),
                full_v6.used.as_str(),
                full_v6.available.as_str()
            ),
            ("100.0%".into(), "340282366920938463463374607431768211456", "0")
        );
        assert_eq!(usage(&[], &[]).percent_text(), "0.0%");
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        assert_eq!(clean("a\x1b[31mb\nc"), "a [31mb c");
        assert_eq!(clean("invoice\u{202E}fdp.exe\u{2066}x\u{FEFF}"), "invoice fdp.exe x ");
        assert_eq!(clean("naïve 日本 👩\u{200D}💻"), "naïve 日本 👩\u{200D}💻");
    }
}
