//! `report --html`: one self-contained page (inline CSS and SVG, no scripts, no network) with
//! utilisation per scope and pool and a table of allocations.

use super::CliError;
use super::export::document;
use super::tree::used_percent;
use crate::ipam::cidr::Cidr;
use crate::store::Store;
use serde_json::Value as J;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn cidrs(v: &J, key: &str) -> Vec<Cidr> {
    v[key]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["cidr"].as_str().and_then(|s| Cidr::parse(s).ok()))
        .collect()
}

/// A horizontal bar chart: one labelled bar per row.
fn chart(rows: &[(String, f64)]) -> String {
    let h = 26 * rows.len().max(1) + 10;
    let mut svg = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"{h}\" role=\"img\">");
    for (i, (label, pct)) in rows.iter().enumerate() {
        let y = 5 + i * 26;
        let w = (pct.clamp(0.0, 100.0) * 4.0).round();
        let colour = if *pct > 85.0 {
            "#c0392b"
        } else if *pct > 60.0 {
            "#e67e22"
        } else {
            "#27ae60"
        };
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text><rect x=\"300\" y=\"{y}\" width=\"400\" height=\"18\" fill=\"#eee\"/>\
             <rect x=\"300\" y=\"{y}\" width=\"{w}\" height=\"18\" fill=\"{colour}\"/><text x=\"706\" y=\"{}\" font-size=\"12\">{pct:.1}%</text>",
            y + 13,
            esc(label),
            y + 13
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// The page.
pub fn html(store: &Store) -> Result<String, CliError> {
    let doc = document(store)?;
    let mut body = String::new();
    let mut allocations = String::new();
    for i in doc["ipams"].as_array().into_iter().flatten() {
        body.push_str(&format!("<h2>IPAM {}</h2>", esc(i["id"].as_str().unwrap_or(""))));
        for s in i["scopes"].as_array().into_iter().flatten() {
            let pools = s["pools"].as_array().cloned().unwrap_or_default();
            if pools.is_empty() {
                continue;
            }
            let mut rows = Vec::new();
            let (mut top, mut held) = (Vec::new(), Vec::new());
            for p in &pools {
                let pc = cidrs(p, "cidrs");
                let pa = cidrs(p, "allocations");
                if p["source_ipam_pool_id"].is_null() {
                    top.extend(pc.iter().copied());
                    held.extend(pa.iter().copied());
                }
                let label = format!(
                    "{} {}",
                    p["id"].as_str().unwrap_or(""),
                    p["description"].as_str().unwrap_or("")
                );
                rows.push((label, used_percent(&pc, &pa)));
                for a in p["allocations"].as_array().into_iter().flatten() {
                    allocations.push_str(&format!(
                        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        esc(a["cidr"].as_str().unwrap_or("")),
                        esc(p["id"].as_str().unwrap_or("")),
                        esc(a["resource_type"].as_str().unwrap_or("")),
                        esc(a["resource_id"].as_str().unwrap_or("")),
                        esc(a["resource_owner"].as_str().unwrap_or("")),
                        esc(a["compliance_status"].as_str().unwrap_or(""))
                    ));
                }
            }
            body.push_str(&format!(
                "<h3>Scope {} ({}) — {:.1}% of its top-level space in use</h3>{}",
                esc(s["id"].as_str().unwrap_or("")),
                esc(s["type"].as_str().unwrap_or("")),
                used_percent(&top, &held),
                chart(&rows)
            ));
        }
    }
    Ok(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>IPAM utilisation</title>\
         <style>body{{font-family:sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse}}\
         td,th{{border:1px solid #ccc;padding:4px 8px;font-size:13px}}th{{background:#f4f4f4}}</style></head><body>\
         <h1>IPAM utilisation</h1>{body}<h2>Allocations</h2><table><tr><th>CIDR</th><th>pool</th><th>type</th><th>resource</th>\
         <th>owner</th><th>compliance</th></tr>{allocations}</table></body></html>\n"
    ))
}
