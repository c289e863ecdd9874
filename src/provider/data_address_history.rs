//! Data source `ipam_address_history`: who held exactly a CIDR in a scope, and when.

use crate::ipam::{Error, Result};
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::{Attribute, Block, Schema};
use crate::plugin::value::{Obj, Type, Value};

use super::common::{ObjExt, diag, obj, parse_cidr};
use super::filter::object_type;
use super::framework::{Ctx, DataSource};

fn history_attrs() -> Vec<Attribute> {
    vec![
        Attribute::computed("resource_cidr", Type::String, "The CIDR."),
        Attribute::computed(
            "resource_type",
            Type::String,
            "What held it (`custom`, `vpc`, `ipam-pool`, ...).",
        ),
        Attribute::computed(
            "resource_id",
            Type::String,
            "The resource (the pool for `ipam-pool`, the allocation for `custom`).",
        ),
        Attribute::computed("resource_owner_id", Type::String, "The account that held it."),
        Attribute::computed("resource_region", Type::String, "The resource's region."),
        Attribute::computed(
            "resource_compliance_status",
            Type::String,
            "Compliance when it was allocated.",
        ),
        Attribute::computed("ipam_pool_id", Type::String, "The pool the space came from."),
        Attribute::computed(
            "sampled_start_time",
            Type::String,
            "When the record started (RFC 3339).",
        ),
        Attribute::computed(
            "sampled_end_time",
            Type::String,
            "When it ended; null while the CIDR is still held.",
        ),
    ]
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

impl DataSource for HistoryData {
    fn name(&self) -> &'static str {
        "ipam_address_history"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new(
                "The address history of exactly one CIDR in a scope: allocations, child-pool CIDRs and provisions, open records without an end time. \
                 History survives release, deprovision and pool deletion; it ends only with the IPAM.",
                vec![
                    Attribute::computed("id", Type::String, "`<cidr>_<scope-id>`."),
                    Attribute::required("cidr", Type::String, "The exact CIDR."),
                    Attribute::required("ipam_scope_id", Type::String, "The scope."),
                    Attribute::optional(
                        "start_time",
                        Type::String,
                        "Only records still open at or after this time (RFC 3339).",
                    ),
                    Attribute::optional(
                        "end_time",
                        Type::String,
                        "Only records started at or before this time (RFC 3339).",
                    ),
                    Attribute::computed(
                        "history_records",
                        Type::list_of(object_type(&history_attrs())),
                        "The records, oldest first.",
                    ),
                ],
            ),
        }
    }
    fn validate(&self, config: &Obj, diags: &mut Diagnostics) {
        if let Some(c) = config.str("cidr")
            && let Err(e) = parse_cidr(c, "cidr")
        {
            diags.push(diag(&e));
        }
        for a in ["start_time", "end_time"] {
            if let Err(e) = normalise_time(config.str(a), a) {
                diags.push(diag(&e));
            }
        }
    }
    fn read(&self, ctx: &Ctx, config: &Obj) -> Result<Obj> {
        let cidr = parse_cidr(config.str("cidr").unwrap_or_default(), "cidr")?;
        let scope = config.string("ipam_scope_id").unwrap_or_default();
        let since = normalise_time(config.str("start_time"), "start_time")?;
        let until = normalise_time(config.str("end_time"), "end_time")?;
        let records = ctx.store.read(|tx| {
            let s = tx
                .scope(&scope)?
                .ok_or_else(|| Error::not_found("scope", &scope).at("ipam_scope_id"))?;
            if s.owner_id != ctx.config.account_id {
                return Err(Error::not_found("scope", &scope).at("ipam_scope_id"));
            }
            tx.history(Some(&scope), &cidr, since.as_deref(), until.as_deref())
        })?;
        let list = records
            .into_iter()
            .map(|r| {
                Value::Object(obj([
                    ("resource_cidr", Value::str(r.cidr)),
                    ("resource_type", Value::str(r.resource_type.as_str())),
                    ("resource_id", Value::opt_str(r.resource_id)),
                    ("resource_owner_id", Value::str(r.resource_owner)),
                    ("resource_region", Value::opt_str(r.resource_region)),
                    (
                        "resource_compliance_status",
                        Value::opt_str(r.compliance_status.map(|c| c.as_str())),
                    ),
                    ("ipam_pool_id", Value::opt_str(r.pool_id)),
                    ("sampled_start_time", Value::str(r.start_time)),
                    ("sampled_end_time", Value::opt_str(r.end_time)),
                ]))
            })
            .collect();
        let mut o = config.clone();
        o.insert("id".into(), Value::str(format!("{cidr}_{scope}")));
        o.insert("history_records".into(), Value::List(list));
        Ok(o)
    }
}
