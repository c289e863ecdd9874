//! `tree`: IPAMs → scopes → pools (nested by parent) → CIDRs → allocations, with utilisation.

use std::io::{IsTerminal, Write};

use super::Output;
use super::export::document;
use crate::ipam::cidr::Cidr;
use crate::store::Store;
use serde_json::Value as J;

/// A bar of `width` cells filled to `percent`.
pub fn bar(percent: f64, width: usize) -> String {
    let filled = ((percent / 100.0) * width as f64).round().clamp(0.0, width as f64) as usize;
    format!("[{}{}]", "#".repeat(filled), ".".repeat(width - filled))
}

/// Share of `within` held by `held` CIDRs, in percent (exact sizes, also for IPv6).
pub fn used_percent(within: &[Cidr], held: &[Cidr]) -> f64 {
    let size: u128 = within.iter().fold(0u128, |s, c| s.saturating_add(c.size()));
    let used: u128 = held
        .iter()
        .filter(|h| within.iter().any(|w| w.contains(h)))
        .fold(0u128, |s, c| s.saturating_add(c.size()));
    if size == 0 {
        0.0
    } else {
        used as f64 * 100.0 / size as f64
    }
}

struct Style {
    colour: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

fn cidrs(v: &J, key: &str) -> Vec<Cidr> {
    v[key]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["cidr"].as_str().and_then(|s| Cidr::parse(s).ok()))
        .collect()
}

fn print_pool(out: &mut impl Write, st: &Style, pools: &[J], pool: &J, indent: usize) -> std::io::Result<()> {
    let pad = "  ".repeat(indent);
    let pc = cidrs(pool, "cidrs");
    let held = cidrs(pool, "allocations");
    let pct = used_percent(&pc, &held);
    let mut rules = Vec::new();
    for (k, label) in [
        ("allocation_min_netmask_length", "min"),
        ("allocation_default_netmask_length", "default"),
        ("allocation_max_netmask_length", "max"),
    ] {
        if let Some(n) = pool[k].as_i64() {
            rules.push(format!("{label} /{n}"));
        }
    }
    writeln!(
        out,
        "{pad}{} {} depth {} locale {}{} {} {:.1}%",
        st.paint("1;34", pool["id"].as_str().unwrap_or("")),
        pool["address_family"].as_str().unwrap_or(""),
        pool["depth"],
        pool["locale"].as_str().unwrap_or(""),
        if rules.is_empty() {
            String::new()
        } else {
            format!(" ({})", rules.join(", "))
        },
        bar(pct, 20),
        pct
    )?;
    for c in &pc {
        let p = used_percent(std::slice::from_ref(c), &held);
        writeln!(
            out,
            "{pad}  cidr {} {} {:.1}%",
            st.paint("32", &c.to_string()),
            bar(p, 20),
            p
        )?;
        for a in pool["allocations"].as_array().into_iter().flatten() {
            let Some(ac) = a["cidr"].as_str().and_then(|s| Cidr::parse(s).ok()) else {
                continue;
            };
            if !c.contains(&ac) {
                continue;
            }
            let compliance = a["compliance_status"].as_str().unwrap_or("");
            let comp = if compliance == "compliant" {
                st.paint("32", compliance)
            } else {
                st.paint("31", compliance)
            };
            writeln!(
                out,
                "{pad}    {} {} {} owner {} {}",
                ac,
                a["resource_type"].as_str().unwrap_or(""),
                a["resource_id"].as_str().unwrap_or(a["id"].as_str().unwrap_or("")),
                a["resource_owner"].as_str().unwrap_or(""),
                comp
            )?;
        }
    }
    for child in pools.iter().filter(|p| p["source_ipam_pool_id"] == pool["id"]) {
        print_pool(out, st, pools, child, indent + 1)?;
    }
    Ok(())
}

/// Prints the tree (or the same structure as JSON).
pub fn print(store: &Store, output: Output, out: &mut impl Write) -> std::io::Result<()> {
    let doc = document(store).map_err(|e| std::io::Error::other(e.message))?;
    if output == Output::Json {
        return writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&doc["ipams"]).unwrap_or_default()
        );
    }
    let st = Style {
        colour: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let ipams = doc["ipams"].as_array().cloned().unwrap_or_default();
    if ipams.is_empty() {
        return writeln!(out, "no IPAMs in this database");
    }
    for i in &ipams {
        writeln!(
            out,
            "{} (owner {}, home {})",
            st.paint("1", i["id"].as_str().unwrap_or("")),
            i["owner_id"].as_str().unwrap_or(""),
            i["home_region"].as_str().unwrap_or("")
        )?;
        for s in i["scopes"].as_array().into_iter().flatten() {
            writeln!(
                out,
                "  {} {}{}",
                s["id"].as_str().unwrap_or(""),
                s["type"].as_str().unwrap_or(""),
                if s["is_default"] == true { " (default)" } else { "" }
            )?;
            let pools = s["pools"].as_array().cloned().unwrap_or_default();
            for p in pools.iter().filter(|p| p["source_ipam_pool_id"].is_null()) {
                print_pool(out, &st, &pools, p, 2)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_and_percentages() {
        assert_eq!(bar(50.0, 10), "[#####.....]");
        assert_eq!(bar(0.0, 4), "[....]");
        assert_eq!(bar(100.0, 4), "[####]");
        let within = [Cidr::parse("10.0.0.0/24").unwrap()];
        let held = [Cidr::parse("10.0.0.0/26").unwrap(), Cidr::parse("10.9.0.0/26").unwrap()];
        assert_eq!(used_percent(&within, &held), 25.0);
        let v6 = [Cidr::parse("::/0").unwrap()];
        assert!((used_percent(&v6, &[Cidr::parse("8000::/1").unwrap()]) - 50.0).abs() < 1e-9);
    }
}
