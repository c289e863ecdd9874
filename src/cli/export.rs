//! `export` (JSON, CSV), `history` output and `orphans`.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value as J;

use super::common::{CliError, ExportFormat, Output, write_error};
use super::tree::clean;
use crate::ipam::model::{
    Allocation, AwsService, CidrState, ComplianceStatus, Family, HistoryRecord, PublicIpSource, ResourceType,
    ScopeType, ShareStatus, State, Tags,
};
use crate::ipam::utilisation::Addresses;
use crate::store::Store;

/// The export document. Typed (not a JSON tree) so that a database with 100k allocations is
/// written with little memory; field order is the output order.
#[derive(Serialize)]
pub struct Document {
    ipams: Vec<IpamOut>,
    shares: Vec<ShareOut>,
    history: Vec<HistoryOut>,
}

#[derive(Serialize)]
struct IpamOut {
    id: String,
    owner_id: String,
    home_region: String,
    description: Option<String>,
    operating_regions: Vec<String>,
    public_default_scope_id: String,
    private_default_scope_id: String,
    cascade: Option<bool>,
    /// Effective: off unless set.
    enable_private_gua: bool,
    state: State,
    tags: Tags,
    scopes: Vec<ScopeOut>,
}

#[derive(Serialize)]
struct ScopeOut {
    id: String,
    #[serde(rename = "type")]
    scope_type: ScopeType,
    is_default: bool,
    owner_id: String,
    description: Option<String>,
    state: State,
    tags: Tags,
    pools: Vec<PoolOut>,
}

#[derive(Serialize)]
struct PoolOut {
    id: String,
    address_family: Family,
    locale: String,
    depth: i64,
    source_ipam_pool_id: Option<String>,
    description: Option<String>,
    owner_id: String,
    auto_import: Option<bool>,
    allocation_min_netmask_length: Option<i64>,
    allocation_max_netmask_length: Option<i64>,
    allocation_default_netmask_length: Option<i64>,
    allocation_resource_tags: Tags,
    aws_service: Option<AwsService>,
    public_ip_source: Option<PublicIpSource>,
    publicly_advertisable: Option<bool>,
    cascade: Option<bool>,
    state: State,
    tags: Tags,
    cidrs: Vec<CidrOut>,
    allocations: Vec<AllocationOut>,
}

#[derive(Serialize)]
struct CidrOut {
    cidr: String,
    id: String,
    netmask_length: Option<i64>,
    cidr_authorization_context: Option<AuthOut>,
    state: CidrState,
}

#[derive(Serialize)]
struct AuthOut {
    message: Option<String>,
    signature: Option<String>,
}

#[derive(Serialize)]
struct AllocationOut {
    id: String,
    pool_id: String,
    cidr: String,
    netmask_length: Option<i64>,
    resource_type: ResourceType,
    resource_id: Option<String>,
    resource_owner: String,
    resource_region: Option<String>,
    description: Option<String>,
    compliance_status: ComplianceStatus,
    tags: Tags,
    disallowed_cidrs: Vec<String>,
}

impl From<&Allocation> for AllocationOut {
    fn from(a: &Allocation) -> AllocationOut {
        AllocationOut {
            id: a.id.clone(),
            pool_id: a.pool_id.clone(),
            cidr: a.cidr.to_string(),
            netmask_length: a.netmask_length,
            resource_type: a.resource_type,
            resource_id: a.resource_id.clone(),
            resource_owner: a.resource_owner.clone(),
            resource_region: a.resource_region.clone(),
            description: a.description.clone(),
            compliance_status: a.compliance_status,
            tags: a.tags_all.clone(),
            disallowed_cidrs: a.disallowed_cidrs.clone(),
        }
    }
}

#[derive(Serialize)]
struct ShareOut {
    arn: String,
    name: String,
    owner_id: String,
    region: String,
    allow_external_principals: Option<bool>,
    permission_arns: Vec<String>,
    resource_arns: Vec<String>,
    principals: Vec<String>,
    status: ShareStatus,
    tags: Tags,
}

#[derive(Serialize)]
struct HistoryOut {
    cidr: String,
    ipam_id: String,
    scope_id: String,
    pool_id: Option<String>,
    resource_type: ResourceType,
    resource_id: Option<String>,
    resource_owner: String,
    resource_region: Option<String>,
    compliance_status: Option<ComplianceStatus>,
    start_time: String,
    end_time: Option<String>,
}

impl From<&HistoryRecord> for HistoryOut {
    fn from(r: &HistoryRecord) -> HistoryOut {
        HistoryOut {
            cidr: r.cidr.clone(),
            ipam_id: r.ipam_id.clone(),
            scope_id: r.scope_id.clone(),
            pool_id: r.pool_id.clone(),
            resource_type: r.resource_type,
            resource_id: r.resource_id.clone(),
            resource_owner: r.resource_owner.clone(),
            resource_region: r.resource_region.clone(),
            compliance_status: r.compliance_status,
            start_time: r.start_time.clone(),
            end_time: r.end_time.clone(),
        }
    }
}

/// The whole database, every list sorted by ID or address.
pub fn typed_document(store: &Store) -> Result<Document, CliError> {
    Ok(store.read(|tx| {
        let all_pools = tx.all_pools()?;
        let mut ipams = Vec::new();
        for i in tx.ipams()? {
            let mut scopes = Vec::new();
            for s in tx.scopes_of(&i.id)? {
                let mut pools = Vec::new();
                for p in all_pools.iter().filter(|p| p.scope_id == s.id) {
                    let cidrs =
                        tx.pool_cidrs(&p.id)?
                            .iter()
                            .map(|c| CidrOut {
                                cidr: c.cidr.to_string(),
                                id: c.id.clone(),
                                netmask_length: c.netmask_length,
                                cidr_authorization_context: (c.auth_message.is_some() || c.auth_signature.is_some())
                                    .then(|| AuthOut {
                                        message: c.auth_message.clone(),
                                        signature: c.auth_signature.clone(),
                                    }),
                                state: c.state,
                            })
                            .collect();
                    let allocations = tx.allocations_of(&p.id)?.iter().map(AllocationOut::from).collect();
                    pools.push(PoolOut {
                        id: p.id.clone(),
                        address_family: p.address_family,
                        locale: p.locale.clone(),
                        depth: p.depth,
                        source_ipam_pool_id: p.source_pool_id.clone(),
                        description: p.description.clone(),
                        owner_id: p.owner_id.clone(),
                        auto_import: p.auto_import,
                        allocation_min_netmask_length: p.min_netmask,
                        allocation_max_netmask_length: p.max_netmask,
                        allocation_default_netmask_length: p.default_netmask,
                        allocation_resource_tags: p.allocation_resource_tags.clone(),
                        aws_service: p.aws_service,
                        public_ip_source: p.public_ip_source,
                        publicly_advertisable: p.publicly_advertisable,
                        cascade: p.cascade,
                        state: p.state,
                        tags: p.tags_all.clone(),
                        cidrs,
                        allocations,
                    });
                }
                pools.sort_by(|a, b| a.id.cmp(&b.id));
                scopes.push(ScopeOut {
                    id: s.id.clone(),
                    scope_type: s.scope_type,
                    is_default: s.is_default,
                    owner_id: s.owner_id.clone(),
                    description: s.description.clone(),
                    state: s.state,
                    tags: s.tags_all.clone(),
                    pools,
                });
            }
            scopes.sort_by(|a, b| a.id.cmp(&b.id));
            let mut operating_regions = i.operating_regions.clone();
            operating_regions.sort();
            ipams.push(IpamOut {
                id: i.id.clone(),
                owner_id: i.owner_id.clone(),
                home_region: i.home_region.clone(),
                description: i.description.clone(),
                operating_regions,
                public_default_scope_id: i.public_default_scope_id.clone(),
                private_default_scope_id: i.private_default_scope_id.clone(),
                cascade: i.cascade,
                enable_private_gua: i.private_gua(),
                state: i.state,
                tags: i.tags_all.clone(),
                scopes,
            });
        }
        let shares = tx
            .all_shares()?
            .into_iter()
            .map(|s| {
                let sorted = |mut v: Vec<String>| {
                    v.sort();
                    v
                };
                ShareOut {
                    arn: s.arn,
                    name: s.name,
                    owner_id: s.owner_id,
                    region: s.region,
                    allow_external_principals: s.allow_external_principals,
                    permission_arns: sorted(s.permission_arns),
                    resource_arns: sorted(s.resource_arns),
                    principals: sorted(s.principals),
                    status: s.status,
                    tags: s.tags_all,
                }
            })
            .collect();
        let history = tx.history_by_address()?.iter().map(HistoryOut::from).collect();
        Ok(Document { ipams, shares, history })
    })?)
}

/// A CSV field (RFC 4180): control and invisible characters replaced as `tree` does, a cell a
/// spreadsheet would take for a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return) prefixed with `'` (OWASP's advice on CSV injection), then quoted when it holds a
/// separator, a quote or surrounding spaces, with quotes doubled.
fn csv_field(s: &str) -> String {
    let formula = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let mut s = clean(s);
    if formula {
        s.insert(0, '\'');
    }
    if s.contains([',', '"']) || s.trim() != s {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The columns of `export --format csv`, one row per allocation.
pub const CSV_HEADER: &str = "allocation_id,pool_id,cidr,resource_type,resource_id,resource_owner,resource_region,\
                              compliance_status,description,scope_id,ipam_id,addresses";

fn write_csv(store: &Store, out: &mut impl Write) -> Result<(), CliError> {
    let rows = store.read(|tx| {
        let mut pools = tx.all_pools()?;
        pools.sort_by(|a, b| a.id.cmp(&b.id));
        let mut rows = Vec::new();
        for p in pools {
            let allocations = tx.allocations_of(&p.id)?;
            rows.push((p, allocations));
        }
        Ok(rows)
    })?;
    writeln!(out, "{CSV_HEADER}").map_err(write_error)?;
    for (p, allocations) in rows {
        for a in allocations {
            let fields = [
                a.id,
                a.pool_id,
                a.cidr.to_string(),
                a.resource_type.to_string(),
                a.resource_id.unwrap_or_default(),
                a.resource_owner,
                a.resource_region.unwrap_or_default(),
                a.compliance_status.to_string(),
                a.description.unwrap_or_default(),
                p.scope_id.clone(),
                p.ipam_id.clone(),
                Addresses::of(&a.cidr).to_string(),
            ];
            let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            writeln!(out, "{}", line.join(",")).map_err(write_error)?;
        }
    }
    Ok(())
}

/// Writes the export.
pub fn export(store: &Store, format: ExportFormat, out: &mut impl Write) -> Result<(), CliError> {
    match format {
        ExportFormat::Json => {
            let doc = typed_document(store)?;
            serde_json::to_writer_pretty(&mut *out, &doc).map_err(|e| write_error(e.into()))?;
            writeln!(out).map_err(write_error)
        }
        ExportFormat::Csv => write_csv(store, out),
    }
}

/// Prints history records: a table, or a JSON list.
pub fn print_history(records: &[HistoryRecord], output: Output, out: &mut impl Write) -> std::io::Result<()> {
    if output == Output::Json {
        let list: Vec<HistoryOut> = records.iter().map(HistoryOut::from).collect();
        serde_json::to_writer_pretty(&mut *out, &list)?;
        return writeln!(out);
    }
    if records.is_empty() {
        return writeln!(out, "no history for this CIDR (with these filters)");
    }
    writeln!(
        out,
        "{:<20}  {:<20}  {:<14} {:<48} {:<12}  {:<28} pool",
        "start", "end", "type", "resource", "owner", "scope"
    )?;
    for r in records {
        writeln!(
            out,
            "{:<20}  {:<20}  {:<14} {:<48} {:<12}  {:<28} {}",
            clean(&r.start_time),
            clean(r.end_time.as_deref().unwrap_or("(held)")),
            r.resource_type.as_str(),
            clean(r.resource_id.as_deref().unwrap_or("-")),
            clean(&r.resource_owner),
            clean(&r.scope_id),
            clean(r.pool_id.as_deref().unwrap_or("-"))
        )?;
    }
    Ok(())
}

const STATE_HINT: &str = "give the terraform.tfstate of each workspace (`terraform state pull > state.json` for a remote backend); \
                          `terraform show -json` output is not a state file";

/// Refuses anything but a Terraform state file (format version 4, with a `resources` list):
/// taken for an empty state, any other JSON would make every live allocation an orphan.
fn check_state(path: &std::path::Path, state: &J) -> Result<(), CliError> {
    let what = if state.get("format_version").is_some() && state.get("values").is_some() {
        " (it is `terraform show -json` output)".to_string()
    } else {
        match (&state["version"], state["resources"].is_array()) {
            (J::Number(n), true) if n.as_u64() == Some(4) => return Ok(()),
            (J::Number(n), true) => {
                format!(" (its format version is {n}; this command reads version 4, Terraform 0.12 and later)")
            }
            (_, _) => " (it has no `version` 4 and `resources` list)".to_string(),
        }
    };
    Err(CliError::new(
        format!(
            "{} is not a Terraform state file{what}; nothing was listed",
            path.display()
        ),
        STATE_HINT,
    ))
}

/// Allocations (not child-pool CIDRs) that no state file references.
pub fn orphans(store: &Store, states: &[PathBuf]) -> Result<Vec<Allocation>, CliError> {
    let mut known = BTreeSet::new();
    for path in states {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::new(format!("cannot read {}: {e}", path.display()), STATE_HINT))?;
        let state: J = serde_json::from_str(&text)
            .map_err(|e| CliError::new(format!("{} is not a Terraform state: {e}", path.display()), STATE_HINT))?;
        check_state(path, &state)?;
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
                    .filter(|a| a.resource_type != ResourceType::IpamPool && !known.contains(&a.id)),
            );
        }
        Ok(out)
    })?)
}

/// Prints orphans with the import ID that adopts each, and the command that releases them.
pub fn print_orphans(orphans: &[Allocation], output: Output, out: &mut impl Write) -> std::io::Result<()> {
    if output == Output::Json {
        let list: Vec<AllocationOut> = orphans.iter().map(AllocationOut::from).collect();
        serde_json::to_writer_pretty(&mut *out, &list)?;
        return writeln!(out);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_never_start_a_formula_or_hold_control_characters() {
        for (given, cell) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
            ),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "' =1"),
            ("\r=1", "' =1"),
            ("a\x1b[31mb", "a [31mb"),
            ("line\nbreak", "line break"),
            ("rtl\u{202E}txt", "rtl txt"),
            ("10.0.0.0/24", "10.0.0.0/24"),
            ("a, b", "\"a, b\""),
            (" padded", "\" padded\""),
        ] {
            assert_eq!(csv_field(given), cell, "{given:?}");
        }
    }

    #[test]
    fn only_terraform_state_files_are_read() {
        let p = std::path::Path::new("x.json");
        let state = serde_json::json!({"version": 4, "terraform_version": "1.11.4", "resources": []});
        assert!(check_state(p, &state).is_ok());
        for (doc, why) in [
            (serde_json::json!({}), "no `version` 4"),
            (
                serde_json::json!({"version": 3, "resources": []}),
                "format version is 3",
            ),
            (serde_json::json!({"version": 4}), "no `version` 4"),
            (
                serde_json::json!({"format_version": "1.0", "values": {}}),
                "terraform show -json",
            ),
            (serde_json::json!([1, 2]), "no `version` 4"),
        ] {
            let e = check_state(p, &doc).expect_err("refused");
            assert!(
                e.message.contains(why) && e.message.contains("not a Terraform state file"),
                "{doc}: {}",
                e.message
            );
        }
    }
}
