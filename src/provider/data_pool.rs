//! Data sources on pools: `ipam_pool` (with utilisation), `ipam_pools`, `ipam_pool_cidrs`,
//! `ipam_pool_allocations`, `ipam_preview_next_cidr` and `ipam_address_history`.

use crate::ipam::cidr::Cidr;
use crate::ipam::model::Pool;
use crate::ipam::{Error, ErrorKind, Result, ids};
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::{Attribute, Block, Schema};
use crate::plugin::value::{Obj, Type, Value};
use crate::store::Tx;

use super::data_ipam::{pool_utilisation, put_utilisation, utilisation_attrs};
use super::filter::{
    Filter, canonical_cidr_values, check_names, computed_copy, filter_block, filters, matches, object_type, project,
    single,
};
use super::framework::{Ctx, DataSource, ObjExt, Resource, diag, obj};
use super::resource_pool_cidr::parse_cidr;
use super::{resource_allocation, resource_pool, resource_pool_cidr, resource_preview};

const POOL_FILTERS: &str = "Filters: `ipam-pool-id`, `description`, `address-family`, `locale`, `ipam-scope-id`, `ipam-scope-type`, \
     `source-ipam-pool-id`, `pool-depth`, `state`, `owner-id`, `aws-service`, `tag:<key>`, `tag-key`.";

fn pool_attrs(with_utilisation: bool) -> Vec<Attribute> {
    let mut a = computed_copy(&resource_pool::PoolResource.schema().block, &["cascade", "tags_all"]);
    if with_utilisation {
        a.extend(utilisation_attrs());
    }
    a
}

/// The filter names `pool_fields` knows.
const POOL_FILTER_NAMES: &[&str] = &[
    "ipam-pool-id",
    "description",
    "address-family",
    "locale",
    "ipam-scope-id",
    "ipam-scope-type",
    "source-ipam-pool-id",
    "pool-depth",
    "state",
    "owner-id",
    "aws-service",
];

fn pool_fields(p: &Pool, scope_type: &str, name: &str) -> Option<Vec<String>> {
    Some(match name {
        "ipam-pool-id" => vec![p.id.clone()],
        "description" => p.description.clone().into_iter().collect(),
        "address-family" => vec![p.address_family.clone()],
        "locale" => vec![p.locale.clone()],
        "ipam-scope-id" => vec![p.scope_id.clone()],
        "ipam-scope-type" => vec![scope_type.to_string()],
        "source-ipam-pool-id" => p.source_pool_id.clone().into_iter().collect(),
        "pool-depth" => vec![p.depth.to_string()],
        "state" => vec![p.state.clone()],
        "owner-id" => vec![p.owner_id.clone()],
        "aws-service" => p.aws_service.clone().into_iter().collect(),
        _ => return None,
    })
}

/// Whether the acting account may see a pool: it owns it, or a share names it as a principal.
fn visible(tx: &Tx, p: &Pool, account: &str) -> Result<bool> {
    if p.owner_id == account {
        return Ok(true);
    }
    Ok(!tx
        .share_permissions_for(&ids::ec2_arn(&p.owner_id, "ipam-pool", &p.id), account)?
        .is_empty())
}

fn find_pools(ctx: &Ctx, tx: &Tx, id: Option<&str>, fs: &[Filter], with_utilisation: bool) -> Result<Vec<Obj>> {
    check_names(fs, POOL_FILTER_NAMES, "pools")?;
    let attrs = pool_attrs(with_utilisation);
    let mut out = Vec::new();
    for p in tx.all_pools()? {
        if id.is_some_and(|i| i != p.id) || !visible(tx, &p, &ctx.config.account_id)? {
            continue;
        }
        let scope_type = tx
            .scope(&p.scope_id)?
            .map(|s| s.scope_type.as_str())
            .unwrap_or("private");
        if matches(fs, &|n| pool_fields(&p, scope_type, n), &p.tags_all, "pools")? {
            let mut o = resource_pool::pool_state(tx, &p)?;
            if with_utilisation {
                put_utilisation(&mut o, &pool_utilisation(tx, &p.id)?);
            }
            out.push(project(o, &attrs));
        }
    }
    Ok(out)
}

/// `ipam_pool`: one pool by `ipam_pool_id`, `id` or filters, with utilisation.
pub struct PoolData;

impl DataSource for PoolData {
    fn name(&self) -> &'static str {
        "ipam_pool"
    }
    fn schema(&self) -> Schema {
        let mut attrs = pool_attrs(true);
        for a in attrs.iter_mut().filter(|a| a.name == "id") {
            *a = Attribute::optional_computed("id", Type::String, "The pool ID to read (same as `ipam_pool_id`).");
        }
        attrs.push(Attribute::optional_computed(
            "ipam_pool_id",
            Type::String,
            "The pool ID to read.",
        ));
        Schema {
            version: 0,
            block: Block::new(
                "Reads one pool (owned, or shared with the acting account) by ID or filters; exactly one must match. Includes utilisation.",
                attrs,
            )
            .with_block(filter_block(POOL_FILTERS)),
        }
    }
    fn validate(&self, config: &Obj, diags: &mut Diagnostics) {
        if let (Some(a), Some(b)) = (config.str("id"), config.str("ipam_pool_id"))
            && a != b
        {
            diags.push(diag(
                &Error::invalid(
                    "Conflicting IDs",
                    format!("`id` ({a}) and `ipam_pool_id` ({b}) name different pools; give one."),
                )
                .at("ipam_pool_id"),
            ));
        }
    }
    fn read(&self, ctx: &Ctx, config: &Obj) -> Result<Obj> {
        let id = config.str("ipam_pool_id").or(config.str("id"));
        let mut o = ctx
            .store
            .read(|tx| single(find_pools(ctx, tx, id, &filters(config), true)?, "IPAM Pool"))
            .map_err(|mut e| {
                if e.kind == ErrorKind::NotFound {
                    e.detail = format!("{} {}", e.detail, invisible_hint(&ctx.config.account_id));
                }
                e
            })?;
        let pool_id = o.get("id").cloned().unwrap_or_default();
        o.insert("ipam_pool_id".into(), pool_id);
        o.insert(
            "filter".into(),
            config.get("filter").cloned().unwrap_or(Value::Set(vec![])),
        );
        Ok(o)
    }
}

/// `ipam_pools`: pools by filters.
pub struct PoolsData;

impl DataSource for PoolsData {
    fn name(&self) -> &'static str {
        "ipam_pools"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new(
                "Lists pools owned by, or shared with, the acting account. An empty result is not an error.",
                vec![
                    Attribute::computed("id", Type::String, "The provider region."),
                    Attribute::computed(
                        "ipam_pools",
                        Type::list_of(object_type(&pool_attrs(false))),
                        "The matching pools, each with its `id`.",
                    ),
                ],
            )
            .with_block(filter_block(POOL_FILTERS)),
        }
    }
    fn read(&self, ctx: &Ctx, config: &Obj) -> Result<Obj> {
        let found = ctx
            .store
            .read(|tx| find_pools(ctx, tx, None, &filters(config), false))?;
        let mut o = config.clone();
        o.insert("id".into(), Value::str(&ctx.config.region));
        o.insert(
            "ipam_pools".into(),
            Value::List(found.into_iter().map(Value::Object).collect()),
        );
        Ok(o)
    }
}

/// Why a pool is not there for the acting account. The same words whether the pool does not exist
/// or belongs to an account that has not shared it, so a lookup reveals nothing of other accounts.
fn invisible_hint(account: &str) -> String {
    format!(
        "Account {account} sees the pools it owns and the pools a resource share names it a principal of; \
         a pool of another account appears once its owner shares it with {account} (`ipam_resource_share`)."
    )
}

/// A visible pool, or an invalid-ID or not-found error on `ipam_pool_id`.
fn visible_pool(ctx: &Ctx, tx: &Tx, id: &str) -> Result<Pool> {
    ids::check_id(id, "ipam-pool", 17, "pool").map_err(|e| e.at("ipam_pool_id"))?;
    match tx.pool(id)? {
        Some(p) if visible(tx, &p, &ctx.config.account_id)? => Ok(p),
        _ => Err(Error::new(
            ErrorKind::NotFound,
            "pool not found",
            format!(
                "No pool with ID {id:?} is visible to account {}. {}",
                ctx.config.account_id,
                invisible_hint(&ctx.config.account_id)
            ),
        )
        .at("ipam_pool_id")),
    }
}

fn cidr_attrs() -> Vec<Attribute> {
    vec![
        Attribute::computed("cidr", Type::String, "The provisioned CIDR."),
        Attribute::computed("state", Type::String, "`provisioned`."),
        Attribute::computed("netmask_length", Type::Number, "The CIDR's prefix length."),
        Attribute::computed("ipam_pool_cidr_id", Type::String, "The pool CIDR's ID."),
    ]
}

/// `ipam_pool_cidrs`: the CIDRs provisioned to a pool.
pub struct PoolCidrsData;

impl DataSource for PoolCidrsData {
    fn name(&self) -> &'static str {
        "ipam_pool_cidrs"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new(
                "Lists the CIDRs provisioned to a pool, in address order.",
                vec![
                    Attribute::computed("id", Type::String, "The pool ID."),
                    Attribute::required("ipam_pool_id", Type::String, "The pool."),
                    Attribute::computed(
                        "ipam_pool_cidrs",
                        Type::list_of(object_type(&cidr_attrs())),
                        "The provisioned CIDRs.",
                    ),
                ],
            )
            .with_block(filter_block("Filters: `cidr`, `state`, `ipam-pool-cidr-id`.")),
        }
    }
    fn read(&self, ctx: &Ctx, config: &Obj) -> Result<Obj> {
        let pool_id = config.string("ipam_pool_id").unwrap_or_default();
        let mut fs = filters(config);
        canonical_cidr_values(&mut fs, "cidr")?;
        let list = ctx.store.read(|tx| {
            let p = visible_pool(ctx, tx, &pool_id)?;
            check_names(&fs, &["cidr", "state", "ipam-pool-cidr-id"], "pool CIDRs")?;
            let mut out = Vec::new();
            for pc in tx.pool_cidrs(&p.id)? {
                let field = |n: &str| match n {
                    "cidr" => Some(vec![pc.cidr.to_string()]),
                    "state" => Some(vec![pc.state.clone()]),
                    "ipam-pool-cidr-id" => Some(vec![pc.id.clone()]),
                    _ => None,
                };
                if matches(&fs, &field, &Default::default(), "pool CIDRs")? {
                    out.push(Value::Object(project(resource_pool_cidr::state_of(&pc), &cidr_attrs())));
                }
            }
            Ok(out)
        })?;
        let mut o = config.clone();
        o.insert("id".into(), Value::str(&pool_id));
        o.insert("ipam_pool_cidrs".into(), Value::List(list));
        Ok(o)
    }
}

fn allocation_attrs() -> Vec<Attribute> {
    vec![
        Attribute::computed("ipam_pool_allocation_id", Type::String, "The allocation ID."),
        Attribute::computed("cidr", Type::String, "The allocated CIDR."),
        Attribute::computed(
            "resource_type",
            Type::String,
            "`custom`, `vpc`, `subnet`, `ec2-public-ipv4-pool`, `eip`, or `ipam-pool` for a child pool's CIDR.",
        ),
        Attribute::computed(
            "resource_id",
            Type::String,
            "The resource holding the space (the child pool for `ipam-pool`).",
        ),
        Attribute::computed("resource_owner", Type::String, "The account that owns the allocation."),
        Attribute::computed("resource_region", Type::String, "The resource's region."),
        Attribute::computed("description", Type::String, "The allocation's description."),
        Attribute::computed(
            "compliance_status",
            Type::String,
            "`compliant` or `noncompliant` against the pool's rules.",
        ),
    ]
}

/// `ipam_pool_allocations`: every allocation of a pool, child-pool CIDRs included.
pub struct PoolAllocationsData;

impl DataSource for PoolAllocationsData {
    fn name(&self) -> &'static str {
        "ipam_pool_allocations"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new(
                "Lists a pool's allocations in address order, including the `ipam-pool` allocations that hold child pools' CIDRs.",
                vec![
                    Attribute::computed("id", Type::String, "The pool ID."),
                    Attribute::required("ipam_pool_id", Type::String, "The pool."),
                    Attribute::computed("ipam_pool_allocations", Type::list_of(object_type(&allocation_attrs())), "The allocations."),
                ],
            )
            .with_block(filter_block("Filters: `cidr`, `resource-type`, `resource-id`, `resource-owner`, `compliance-status`, `ipam-pool-allocation-id`, `tag:<key>`, `tag-key`.")),
        }
    }
    fn read(&self, ctx: &Ctx, config: &Obj) -> Result<Obj> {
        let pool_id = config.string("ipam_pool_id").unwrap_or_default();
        let mut fs = filters(config);
        canonical_cidr_values(&mut fs, "cidr")?;
        let attrs = allocation_attrs();
        let list = ctx.store.read(|tx| {
            let p = visible_pool(ctx, tx, &pool_id)?;
            check_names(
                &fs,
                &[
                    "cidr",
                    "resource-type",
                    "resource-id",
                    "resource-owner",
                    "compliance-status",
                    "ipam-pool-allocation-id",
                ],
                "allocations",
            )?;
            let mut out = Vec::new();
            for a in tx.allocations_of(&p.id)? {
                let field = |n: &str| match n {
                    "cidr" => Some(vec![a.cidr.to_string()]),
                    "resource-type" => Some(vec![a.resource_type.clone()]),
                    "resource-id" => Some(a.resource_id.clone().into_iter().collect()),
                    "resource-owner" => Some(vec![a.resource_owner.clone()]),
                    "compliance-status" => Some(vec![a.compliance_status.clone()]),
                    "ipam-pool-allocation-id" => Some(vec![a.id.clone()]),
                    _ => None,
                };
                if matches(&fs, &field, &a.tags_all, "allocations")? {
                    out.push(Value::Object(project(resource_allocation::state_of(&a), &attrs)));
                }
            }
            Ok(out)
        })?;
        let mut o = config.clone();
        o.insert("id".into(), Value::str(&pool_id));
        o.insert("ipam_pool_allocations".into(), Value::List(list));
        Ok(o)
    }
}

/// `ipam_preview_next_cidr` (data source): computed again on every read, reserving nothing.
pub struct PreviewData;

impl DataSource for PreviewData {
    fn name(&self) -> &'static str {
        "ipam_preview_next_cidr"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new(
                "Previews the CIDR the next allocation would get. Recomputed on every read and reserves nothing: N previews of one pool \
                 return the same CIDR, and once it is allocated the next read moves on. To reserve space, use `ipam_pool_allocation` with `netmask_length`.",
                vec![
                    Attribute::computed("id", Type::String, "`<cidr>_<pool-id>`."),
                    Attribute::required("ipam_pool_id", Type::String, "The pool."),
                    Attribute::optional(
                        "netmask_length",
                        Type::Number,
                        "Size to preview; default: the pool's default netmask length.",
                    ),
                    Attribute::optional(
                        "disallowed_cidrs",
                        Type::set_of(Type::String),
                        "CIDRs the preview must not overlap.",
                    ),
                    Attribute::computed("cidr", Type::String, "The CIDR the next allocation would get now."),
                ],
            ),
        }
    }
    fn read(&self, ctx: &Ctx, config: &Obj) -> Result<Obj> {
        let pool_id = config.string("ipam_pool_id").unwrap_or_default();
        let disallowed: Vec<Cidr> = config
            .strings("disallowed_cidrs")
            .iter()
            .map(|s| parse_cidr(s, "disallowed_cidrs"))
            .collect::<Result<_>>()?;
        let cidr = ctx.store.read(|tx| {
            visible_pool(ctx, tx, &pool_id)?;
            resource_preview::preview(tx, &pool_id, config.int("netmask_length"), &disallowed)
        })?;
        let mut o = config.clone();
        o.insert("id".into(), Value::str(format!("{cidr}_{pool_id}")));
        o.insert("cidr".into(), Value::str(cidr.to_string()));
        Ok(o)
    }
}

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
                    ("resource_type", Value::str(r.resource_type)),
                    ("resource_id", Value::opt_str(r.resource_id)),
                    ("resource_owner_id", Value::str(r.resource_owner)),
                    ("resource_region", Value::opt_str(r.resource_region)),
                    ("resource_compliance_status", Value::opt_str(r.compliance_status)),
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
