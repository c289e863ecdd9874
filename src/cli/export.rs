//! `export` (JSON, CSV), `history` output and `orphans`.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

use serde_json::{Value as J, json};

use super::{CliError, ExportFormat, Output};
use crate::ipam::model::{Allocation, HistoryRecord};
use crate::store::Store;

fn allocation_json(a: &Allocation) -> J {
    json!({
        "id": a.id, "pool_id": a.pool_id, "cidr": a.cidr.to_string(), "resource_type": a.resource_type,
        "resource_id": a.resource_id, "resource_owner": a.resource_owner, "resource_region": a.resource_region,
        "description": a.description, "compliance_status": a.compliance_status, "tags": a.tags,
        "disallowed_cidrs": a.disallowed_cidrs,
    })
}

fn history_json(r: &HistoryRecord) -> J {
    json!({
        "cidr": r.cidr, "ipam_id": r.ipam_id, "scope_id": r.scope_id, "pool_id": r.pool_id,
        "resource_type": r.resource_type, "resource_id": r.resource_id, "resource_owner": r.resource_owner,
        "resource_region": r.resource_region, "compliance_status": r.compliance_status,
        "start_time": r.start_time, "end_time": r.end_time,
    })
}

/// The whole database as one JSON document, every list sorted by ID or address.
pub fn document(store: &Store) -> Result<J, CliError> {
    Ok(store.read(|tx| {
        let mut ipams = Vec::new();
        for i in tx.ipams()? {
            let mut scopes = Vec::new();
            for s in tx.scopes_of(&i.id)? {
                let mut pools = Vec::new();
                for p in tx.all_pools()?.into_iter().filter(|p| p.scope_id == s.id) {
                    let cidrs: Vec<J> = tx
                        .pool_cidrs(&p.id)?
                        .iter()
                        .map(|c| json!({"cidr": c.cidr.to_string(), "id": c.id, "state": c.state}))
                        .collect();
                    let allocations: Vec<J> = tx.allocations_of(&p.id)?.iter().map(allocation_json).collect();
                    pools.push(json!({
                        "id": p.id, "address_family": p.address_family, "locale": p.locale, "depth": p.depth,
                        "source_ipam_pool_id": p.source_pool_id, "description": p.description, "owner_id": p.owner_id,
                        "allocation_min_netmask_length": p.min_netmask, "allocation_max_netmask_length": p.max_netmask,
                        "allocation_default_netmask_length": p.default_netmask,
                        "allocation_resource_tags": p.allocation_resource_tags, "aws_service": p.aws_service,
                        "public_ip_source": p.public_ip_source, "publicly_advertisable": p.publicly_advertisable,
                        "tags": p.tags, "cidrs": cidrs, "allocations": allocations,
                    }));
                }
                pools.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
                scopes.push(json!({
                    "id": s.id, "type": s.scope_type.as_str(), "is_default": s.is_default, "description": s.description,
                    "tags": s.tags, "pools": pools,
                }));
            }
            scopes.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
            ipams.push(json!({
                "id": i.id, "owner_id": i.owner_id, "home_region": i.home_region, "description": i.description,
                "operating_regions": i.operating_regions, "tags": i.tags, "scopes": scopes,
            }));
        }
        let shares: Vec<J> = tx
            .all_shares()?
            .iter()
            .map(|s| {
                let mut res = s.resource_arns.clone();
                res.sort();
                let mut pr = s.principals.clone();
                pr.sort();
                json!({"arn": s.arn, "name": s.name, "owner_id": s.owner_id, "permission_arns": s.permission_arns,
                       "resource_arns": res, "principals": pr, "tags": s.tags})
            })
            .collect();
        let history: Vec<J> = tx.all_history()?.iter().map(history_json).collect();
        Ok(json!({"ipams": ipams, "shares": shares, "history": history}))
    })?)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Writes the export.
pub fn export(store: &Store, format: ExportFormat, out: &mut impl Write) -> Result<(), CliError> {
    let io = |e: std::io::Error| CliError::new(format!("cannot write: {e}"), "check the output");
    match format {
        ExportFormat::Json => {
            let doc = document(store)?;
            let text = serde_json::to_string_pretty(&doc).map_err(|e| CliError::new(e.to_string(), "report this"))?;
            writeln!(out, "{text}").map_err(io)?;
        }
        ExportFormat::Csv => {
            writeln!(out, "allocation_id,pool_id,cidr,resource_type,resource_id,resource_owner,resource_region,compliance_status,description").map_err(io)?;
            let rows = store.read(|tx| {
                let mut rows = Vec::new();
                for p in tx.all_pools()? {
                    rows.extend(tx.allocations_of(&p.id)?);
                }
                Ok(rows)
            })?;
            for a in rows {
                let f = [
                    a.id.clone(),
                    a.pool_id.clone(),
                    a.cidr.to_string(),
                    a.resource_type.clone(),
                    a.resource_id.clone().unwrap_or_default(),
                    a.resource_owner.clone(),
                    a.resource_region.clone().unwrap_or_default(),
                    a.compliance_status.clone(),
                    a.description.clone().unwrap_or_default(),
                ];
                writeln!(out, "{}", f.iter().map(|s| csv_field(s)).collect::<Vec<_>>().join(",")).map_err(io)?;
            }
        }
    }
    Ok(())
}

/// Prints history records.
pub fn print_history(records: &[HistoryRecord], output: Output, out: &mut impl Write) -> std::io::Result<()> {
    if output == Output::Json {
        let list: Vec<J> = records.iter().map(history_json).collect();
        return writeln!(out, "{}", serde_json::to_string_pretty(&list).unwrap_or_default());
    }
    if records.is_empty() {
        return writeln!(out, "no history for this CIDR");
    }
    writeln!(
        out,
        "{:<22} {:<22} {:<14} {:<48} {:<14} scope",
        "start", "end", "type", "resource", "owner"
    )?;
    for r in records {
        writeln!(
            out,
            "{:<22} {:<22} {:<14} {:<48} {:<14} {}",
            r.start_time,
            r.end_time.as_deref().unwrap_or("(held)"),
            r.resource_type,
            r.resource_id.as_deref().unwrap_or("-"),
            r.resource_owner,
            r.scope_id
        )?;
    }
    Ok(())
}

/// Allocations (not child-pool CIDRs) that no state file references.
pub fn orphans(store: &Store, states: &[PathBuf]) -> Result<Vec<Allocation>, CliError> {
    let mut known = BTreeSet::new();
    for path in states {
        let text = std::fs::read_to_string(path).map_err(|e| {
            CliError::new(
                format!("cannot read {}: {e}", path.display()),
                "give the terraform.tfstate of each workspace",
            )
        })?;
        let state: J = serde_json::from_str(&text).map_err(|e| {
            CliError::new(
                format!("{} is not a Terraform state: {e}", path.display()),
                "give a terraform.tfstate file",
            )
        })?;
        for r in state["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["type"] == "ipam_pool_allocation")
        {
            for i in r["instances"].as_array().into_iter().flatten() {
                if let Some(id) = i["attributes"]["ipam_pool_allocation_id"].as_str() {
                    known.insert(id.to_string());
                }
            }
        }
    }
    Ok(store.read(|tx| {
        let mut out = Vec::new();
        for p in tx.all_pools()? {
            out.extend(
                tx.allocations_of(&p.id)?
                    .into_iter()
                    .filter(|a| a.resource_type != "ipam-pool" && !known.contains(&a.id)),
            );
        }
        Ok(out)
    })?)
}

/// Prints orphans with the import ID that adopts each, and the command that releases them.
pub fn print_orphans(orphans: &[Allocation], output: Output, out: &mut impl Write) -> std::io::Result<()> {
    if output == Output::Json {
        let list: Vec<J> = orphans.iter().map(allocation_json).collect();
        return writeln!(out, "{}", serde_json::to_string_pretty(&list).unwrap_or_default());
    }
    if orphans.is_empty() {
        return writeln!(out, "no orphaned allocations");
    }
    for a in orphans {
        writeln!(
            out,
            "{}  {:<20} import ID {}_{}",
            a.id,
            a.cidr.to_string(),
            a.id,
            a.pool_id
        )?;
    }
    writeln!(
        out,
        "{} orphaned allocation(s): adopt them with `terraform import` / import blocks, or free them with `release --yes <ids>`",
        orphans.len()
    )
}
