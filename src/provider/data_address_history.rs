//! Data source `ipam_address_history`: who held exactly a CIDR in a scope, and when.

use crate::ipam::model::{ComplianceStatus, HistoryRecord, ResourceType};
use crate::ipam::{Error, Result};
use crate::plugin::diag::Diagnostics;

use super::common::{diag, parse_cidr};
use super::framework::Ctx;
use super::model::{Maybe, ModelDataSource, model};

model! {
    /// One record of who held the CIDR.
    pub struct HistoryItem {
        resource_cidr: String = computed("The CIDR."),
        resource_type: ResourceType = computed("What held it (`custom`, `vpc`, `ipam-pool`, ...)."),
        resource_id: Option<String> = computed("The resource (the pool for `ipam-pool`, the allocation for `custom`)."),
        resource_owner_id: String = computed("The account that held it."),
        resource_region: Option<String> = computed("The resource's region."),
        resource_compliance_status: Option<ComplianceStatus> = computed("Compliance when it was allocated."),
        ipam_pool_id: Option<String> = computed("The pool the space came from."),
        sampled_start_time: String = computed("When the record started (RFC 3339)."),
        sampled_end_time: Option<String> = computed("When it ended; null while the CIDR is still held."),
    }
}

impl From<HistoryRecord> for HistoryItem {
    fn from(r: HistoryRecord) -> HistoryItem {
        HistoryItem {
            resource_cidr: r.cidr,
            resource_type: r.resource_type,
            resource_id: r.resource_id,
            resource_owner_id: r.resource_owner,
            resource_region: r.resource_region,
            resource_compliance_status: r.compliance_status,
            ipam_pool_id: r.pool_id,
            sampled_start_time: r.start_time,
            sampled_end_time: r.end_time,
        }
    }
}

model! {
    /// `ipam_address_history`.
    pub struct HistoryModel(
        "The address history of exactly one CIDR in a scope: allocations, child-pool CIDRs and provisions, open records without an end time. \
         History survives release, deprovision and pool deletion; it ends only with the IPAM."
    ) {
        id: Option<String> = computed("`<cidr>_<scope-id>`."),
        cidr: Maybe<String> = required("The exact CIDR."),
        ipam_scope_id: Maybe<String> = required("The scope."),
        start_time: Option<String> = optional("Only records still open at or after this time (RFC 3339)."),
        end_time: Option<String> = optional("Only records started at or before this time (RFC 3339)."),
        history_records: Vec<HistoryItem> = computed("The records, oldest first."),
    }
}

fn normalise_time(v: Option<&str>, attribute: &str) -> Result<Option<String>> {
    v.map(|s| {
        humantime::parse_rfc3339_weak(s)
            .map(|t| humantime::format_rfc3339_seconds(t).to_string())
            .map_err(|_| {
                Error::invalid(
                    "Invalid time",
                    format!("{s:?} is not an RFC 3339 time such as \"2026-01-31T12:00:00Z\"."),
                )
                .at(attribute)
            })
    })
    .transpose()
}

/// `ipam_address_history`: who held exactly a CIDR in a scope, and when.
pub struct HistoryData;

impl ModelDataSource for HistoryData {
    type Model = HistoryModel;
    const NAME: &'static str = "ipam_address_history";
    fn validate(&self, config: &HistoryModel, diags: &mut Diagnostics) {
        if let Some(c) = config.cidr.known()
            && let Err(e) = parse_cidr(c, "cidr")
        {
            diags.push(diag(&e));
        }
        for (value, a) in [(&config.start_time, "start_time"), (&config.end_time, "end_time")] {
            if let Err(e) = normalise_time(value.as_deref(), a) {
                diags.push(diag(&e));
            }
        }
    }
    fn read(&self, ctx: &Ctx, config: HistoryModel) -> Result<HistoryModel> {
        let cidr = parse_cidr(config.cidr.known().map_or("", String::as_str), "cidr")?;
        let scope = config.ipam_scope_id.known().cloned().unwrap_or_default();
        let since = normalise_time(config.start_time.as_deref(), "start_time")?;
        let until = normalise_time(config.end_time.as_deref(), "end_time")?;
        let records = ctx.store.read(|tx| {
            let s = tx
                .scope(&scope)?
                .ok_or_else(|| Error::not_found("scope", &scope).at("ipam_scope_id"))?;
            if s.owner_id != ctx.config.account_id {
                return Err(Error::not_found("scope", &scope).at("ipam_scope_id"));
            }
            tx.history(Some(&scope), &cidr, since.as_deref(), until.as_deref())
        })?;
        Ok(HistoryModel {
            id: Some(format!("{cidr}_{scope}")),
            history_records: records.into_iter().map(HistoryItem::from).collect(),
            ..config
        })
    }
}
