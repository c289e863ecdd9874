//! `report --html`: one self-contained page (inline CSS and SVG; no scripts, fonts, images or
//! links to fetch) with utilisation per scope and per pool as bar charts, and the allocations.

use std::fmt::Write as _;

use super::common::CliError;
use super::output::REPORT_MARK;
use super::tree::{self, AllocationNode, IpamNode, PoolNode, Usage, clean};
use crate::ipam::model::ComplianceStatus;
use crate::store::Store;

/// Colours of the two kinds of held space, and of the free rest.
const POOLS: &str = "#4a7bd0";
const ASSIGNED: &str = "#2f9e5e";
const FREE: &str = "#e8e8e8";

fn esc(s: &str) -> String {
    clean(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// One bar of a chart.
struct Bar<'a> {
    label: String,
    indent: usize,
    usage: &'a Usage,
}

const LABEL_CHARS: usize = 50;
const ROW: usize = 24;
const BAR_X: f64 = 380.0;
const BAR_W: f64 = 360.0;

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Width of a segment: at least a pixel when any address is held, so a small share in a large
/// IPv6 block stays visible.
fn width(percent: f64, held: u128) -> f64 {
    let w = percent.clamp(0.0, 100.0) * BAR_W / 100.0;
    if held > 0 && w < 1.0 {
        1.0
    } else {
        (w * 10.0).round() / 10.0
    }
}

/// A horizontal bar chart: a label, a bar split into space held by child pools and by other
/// allocations, and the used percentage; each row has a tooltip with the exact numbers.
fn chart(title: &str, bars: &[Bar]) -> String {
    let h = ROW * bars.len().max(1) + 6;
    let mut svg = format!(
        "<svg class=\"chart\" width=\"820\" height=\"{h}\" viewBox=\"0 0 820 {h}\" role=\"img\" aria-label=\"{}\">",
        esc(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 4 + i * ROW;
        let u = &b.usage.exact;
        let wp = width(u.percent_allocated, u.allocated);
        let wa = width(u.percent_assigned, u.assigned).min(BAR_W - wp);
        let label = truncate(&b.label, LABEL_CHARS.saturating_sub(2 * b.indent));
        let pct_colour = if b.usage.percent() > 85.0 { "#b3261e" } else { "#222" };
        let _ = write!(
            svg,
            "<g><title>{}: {} used ({} of {} addresses: {} in child pools, {} assigned)</title>\
             <text x=\"{}\" y=\"{}\" class=\"label\">{}</text>\
             <rect x=\"{BAR_X}\" y=\"{y}\" width=\"{BAR_W}\" height=\"16\" fill=\"{FREE}\"/>\
             <rect x=\"{BAR_X}\" y=\"{y}\" width=\"{wp}\" height=\"16\" fill=\"{POOLS}\"/>\
             <rect x=\"{}\" y=\"{y}\" width=\"{wa}\" height=\"16\" fill=\"{ASSIGNED}\"/>\
             <text x=\"{}\" y=\"{}\" class=\"pct\" fill=\"{pct_colour}\">{}</text></g>",
            esc(&b.label),
            esc(&b.usage.percent_text()),
            b.usage.used,
            b.usage.addresses,
            b.usage.allocated,
            b.usage.assigned,
            b.indent * 14,
            y + 12,
            esc(&label),
            BAR_X + wp,
            BAR_X + BAR_W + 8.0,
            y + 12,
            esc(&b.usage.percent_text()),
        );
    }
    svg.push_str("</svg>");
    svg
}

fn describe(id: &str, description: &Option<String>) -> String {
    match description.as_deref().map(str::trim) {
        Some(d) if !d.is_empty() => format!("{id} {d}"),
        _ => id.to_string(),
    }
}

fn pool_bars<'a>(p: &'a PoolNode, indent: usize, bars: &mut Vec<Bar<'a>>) {
    bars.push(Bar {
        label: describe(&p.id, &p.description),
        indent,
        usage: &p.usage,
    });
    for c in &p.pools {
        pool_bars(c, indent + 1, bars);
    }
}

fn allocation_rows(p: &PoolNode, rows: &mut String, counts: &mut (usize, usize)) {
    let mut row = |a: &AllocationNode| {
        let bad = a.compliance_status != ComplianceStatus::Compliant;
        counts.0 += 1;
        if bad {
            counts.1 += 1;
        }
        let _ = write!(
            rows,
            "<tr{}><td class=\"mono\">{}</td><td class=\"mono\">{}</td><td>{}</td>\
             <td class=\"mono\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            if bad { " class=\"bad\"" } else { "" },
            esc(&a.cidr),
            esc(&p.id),
            a.resource_type,
            esc(a.resource_id.as_deref().unwrap_or(&a.id)),
            esc(&a.resource_owner),
            esc(a.resource_region.as_deref().unwrap_or("")),
            a.compliance_status,
            esc(a.description.as_deref().unwrap_or("")),
        );
    };
    for c in &p.cidrs {
        c.allocations.iter().for_each(&mut row);
    }
    p.allocations_outside_cidrs.iter().for_each(&mut row);
    for c in &p.pools {
        allocation_rows(c, rows, counts);
    }
}

/// One row per pool, child pools after their source pool: what space it holds (its CIDRs), where
/// (its locale) and what for (its description).
fn pool_rows(p: &PoolNode, rows: &mut String) {
    let cidrs: Vec<&str> = p.cidrs.iter().map(|c| c.cidr.as_str()).collect();
    let _ = write!(
        rows,
        "<tr><td class=\"mono\">{}{}</td><td>{}</td><td>{}</td><td class=\"mono\">{}</td><td>{}</td><td>{}</td></tr>",
        "&nbsp;&nbsp;".repeat(usize::try_from(p.depth).unwrap_or(0).saturating_sub(1)),
        esc(&p.id),
        p.address_family,
        esc(&p.locale),
        if cidrs.is_empty() {
            "(none)".to_string()
        } else {
            esc(&cidrs.join(", "))
        },
        esc(&p.usage.percent_text()),
        esc(p.description.as_deref().unwrap_or("")),
    );
    for c in &p.pools {
        pool_rows(c, rows);
    }
}

fn count_pools(pools: &[PoolNode]) -> usize {
    pools.iter().map(|p| 1 + count_pools(&p.pools)).sum()
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em;color:#222;max-width:1200px}\
h1{margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}h3{margin-bottom:.3em}\
.meta{color:#555}.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 14px;vertical-align:middle}\
svg.chart .label{font:12px ui-monospace,Menlo,Consolas,monospace;fill:#222}svg.chart .pct{font:12px sans-serif}\
table{border-collapse:collapse;margin-top:.5em}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left;white-space:nowrap}\
th{background:#f4f4f4}.mono{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:nowrap}\
.wide{overflow-x:auto}tr.bad td{background:#fdecea}\
.empty{color:#777}";

/// The page for the database of `store`.
pub fn html(store: &Store) -> Result<String, CliError> {
    let ipams = tree::build(store)?;
    Ok(page(&ipams, store.location()))
}

fn page(ipams: &[IpamNode], database: &str) -> String {
    let mut body = String::new();
    let mut rows = String::new();
    let mut pool_table = String::new();
    let mut counts = (0, 0);
    let mut pools = 0;
    for i in ipams {
        let _ = write!(body, "<h2>IPAM {}</h2>", esc(&describe(&i.id, &i.description)));
        let mut scope_bars = Vec::new();
        for s in &i.scopes {
            for f in &s.usage {
                scope_bars.push(Bar {
                    label: format!(
                        "{} {}{} {}",
                        s.id,
                        s.scope_type,
                        if s.is_default { " default" } else { "" },
                        f.address_family
                    ),
                    indent: 0,
                    usage: &f.usage,
                });
            }
        }
        if scope_bars.is_empty() {
            body.push_str("<p class=\"empty\">No pools with CIDRs in this IPAM.</p>");
        } else {
            let _ = write!(
                body,
                "<h3>Scopes</h3><p class=\"meta\">Top-level space of each scope, per address family.</p>{}",
                chart(&format!("Utilisation of the scopes of {}", i.id), &scope_bars)
            );
        }
        for s in &i.scopes {
            if s.pools.is_empty() {
                continue;
            }
            pools += count_pools(&s.pools);
            let mut bars = Vec::new();
            for p in &s.pools {
                pool_bars(p, 0, &mut bars);
            }
            let _ = write!(
                body,
                "<h3>Pools of scope {} ({})</h3>{}",
                esc(&describe(&s.id, &s.description)),
                s.scope_type,
                chart(&format!("Utilisation of the pools of {}", s.id), &bars)
            );
            for p in &s.pools {
                allocation_rows(p, &mut rows, &mut counts);
                pool_rows(p, &mut pool_table);
            }
        }
    }
    if ipams.is_empty() {
        body.push_str("<p class=\"empty\">No IPAMs in this database.</p>");
    }
    let table = if counts.0 == 0 {
        "<p class=\"empty\">No allocations.</p>".to_string()
    } else {
        format!(
            "<div class=\"wide\"><table><thead><tr><th>CIDR</th><th>pool</th><th>type</th><th>resource</th>\
             <th>owner</th><th>region</th><th>compliance</th><th>description</th></tr></thead><tbody>{rows}</tbody>\
             </table></div>"
        )
    };
    let pool_table = if pool_table.is_empty() {
        "<p class=\"empty\">No pools.</p>".to_string()
    } else {
        format!(
            "<div class=\"wide\"><table><thead><tr><th>pool</th><th>family</th><th>locale</th><th>CIDRs</th>\
             <th>used</th><th>description</th></tr></thead><tbody>{pool_table}</tbody></table></div>"
        )
    };
    let generated = humantime::format_rfc3339_seconds(std::time::SystemTime::now());
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">{REPORT_MARK}<title>IPAM utilisation</title>\
         <style>{STYLE}</style></head><body>\n<h1>IPAM utilisation</h1>\
         <p class=\"meta\">Database <code>{}</code>, read {generated}: {} IPAM(s), {pools} pool(s), {} allocation(s), \
         {} noncompliant.</p>\
         <p class=\"legend\">Held by<span style=\"background:{POOLS}\"></span>child pools\
         <span style=\"background:{ASSIGNED}\"></span>other allocations<span style=\"background:{FREE}\"></span>free</p>\n\
         {body}\n<h2>Pools</h2>{pool_table}\n<h2>Allocations</h2>{table}\n</body></html>\n",
        esc(database),
        ipams.len(),
        counts.0,
        counts.1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_truncates() {
        assert_eq!(
            esc("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }

    #[test]
    fn an_empty_database_is_a_page_too() {
        let p = page(&[], "x.db");
        assert!(p.contains("No IPAMs") && p.contains("No allocations") && !p.contains("<script"));
    }
}
