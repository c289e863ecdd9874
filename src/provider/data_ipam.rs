//! Data sources `ipam`, `ipam_ipams`, `ipam_scope`, `ipam_scopes`, with scope utilisation.

use crate::ipam::model::{Ipam, Scope};
use std::collections::BTreeMap;

use crate::ipam::utilisation::{Addresses, Utilisation};
use crate::ipam::{Error, Result, ids};
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::{Attribute, Block, Schema};
use crate::plugin::value::{Obj, Type, Value};
use crate::store::Tx;

use super::filter::{Filter, check_names, computed_copy, filter_block, filters, matches, object_type, project, single};
use super::framework::{Ctx, DataSource, ObjExt, Resource, diag};
use super::{resource_ipam, resource_scope};

const IPAM_SKIP: &[&str] = &["cascade", "tags_all"];

fn ipam_attrs() -> Vec<Attribute> {
    computed_copy(&resource_ipam::IpamResource.schema().block, IPAM_SKIP)
}

/// The filter names `ipam_fields` knows.
const IPAM_FILTER_NAMES: &[&str] = &[
    "ipam-id",
    "description",
    "owner-id",
    "ipam-region",
    "operating-region",
    "state",
];

fn ipam_fields(i: &Ipam, name: &str) -> Option<Vec<String>> {
    Some(match name {
        "ipam-id" => vec![i.id.clone()],
        "description" => i.description.clone().into_iter().collect(),
        "owner-id" => vec![i.owner_id.clone()],
        "ipam-region" => vec![i.home_region.clone()],
        "operating-region" => i.operating_regions.clone(),
        "state" => vec![i.state.clone()],
        _ => return None,
    })
}

/// The IPAMs the acting account owns that pass the filters, as data objects.
fn find_ipams(ctx: &Ctx, tx: &Tx, ids: &[String], fs: &[Filter]) -> Result<Vec<Obj>> {
    check_names(fs, IPAM_FILTER_NAMES, "IPAMs")?;
    let attrs = ipam_attrs();
    let mut out = Vec::new();
    for i in tx.ipams()? {
        if i.owner_id != ctx.config.account_id || (!ids.is_empty() && !ids.contains(&i.id)) {
            continue;
        }
        if matches(fs, &|n| ipam_fields(&i, n), &i.tags_all, "IPAMs")? {
            out.push(project(resource_ipam::state_of(&i, tx.count_scopes(&i.id)?), &attrs));
        }
    }
    Ok(out)
}

/// `ipam`: one IPAM by `id`.
pub struct IpamData;

impl DataSource for IpamData {
    fn name(&self) -> &'static str {
        "ipam"
    }
    fn schema(&self) -> Schema {
        let mut attrs = ipam_attrs();
        attrs.retain(|a| a.name != "id");
        attrs.push(Attribute::required("id", Type::String, "The IPAM ID."));
        Schema {
            version: 0,
            block: Block::new("Reads one IPAM by ID.", attrs),
        }
    }
    fn read(&self, ctx: &Ctx, config: &Obj) -> Result<Obj> {
        let id = config.string("id").unwrap_or_default();
        ids::check_id(&id, "ipam", 17, "IPAM").map_err(|e| e.at("id"))?;
        ctx.store
            .read(|tx| single(find_ipams(ctx, tx, std::slice::from_ref(&id), &[])?, "IPAM"))
    }
}

/// `ipam_ipams`: IPAMs by ID list and filters.
pub struct IpamsData;

impl DataSource for IpamsData {
    fn name(&self) -> &'static str {
        "ipam_ipams"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new(
                "Lists the acting account's IPAMs. An empty result is not an error.",
                vec![
                    Attribute::computed("id", Type::String, "The provider region."),
                    Attribute::optional("ipam_ids", Type::list_of(Type::String), "Only these IPAMs."),
                    Attribute::computed("ipams", Type::list_of(object_type(&ipam_attrs())), "The matching IPAMs, by ID."),
                ],
            )
            .with_block(filter_block("Filters: `ipam-id`, `description`, `owner-id`, `ipam-region`, `operating-region`, `state`, `tag:<key>`, `tag-key`.")),
        }
    }
    fn read(&self, ctx: &Ctx, config: &Obj) -> Result<Obj> {
        let found = ctx
            .store
            .read(|tx| find_ipams(ctx, tx, &config.strings("ipam_ids"), &filters(config)))?;
        let mut o = config.clone();
        o.insert("id".into(), Value::str(&ctx.config.region));
        o.insert(
            "ipams".into(),
            Value::List(found.into_iter().map(Value::Object).collect()),
        );
        Ok(o)
    }
}

/// The utilisation attributes shared by the scope and pool data sources.
pub fn utilisation_attrs() -> Vec<Attribute> {
    vec![
        Attribute::computed("size", Type::Number, "Addresses provisioned (exact, also for IPv6)."),
        Attribute::computed("allocated_size", Type::Number, "Addresses held by child pools."),
        Attribute::computed("assigned_size", Type::Number, "Addresses held by other allocations."),
        Attribute::computed("available_size", Type::Number, "Addresses free."),
        Attribute::computed(
            "percent_allocated",
            Type::Number,
            "Share of the space held by child pools, in percent.",
        ),
        Attribute::computed(
            "percent_assigned",
            Type::Number,
            "Share of the space held by other allocations, in percent.",
        ),
        Attribute::computed(
            "percent_available",
            Type::Number,
            "Share of the space that is free, in percent; the three percentages sum to 100.",
        ),
        Attribute::computed(
            "compliant_allocations",
            Type::Number,
            "Allocations that meet the pool rules.",
        ),
        Attribute::computed(
            "noncompliant_allocations",
            Type::Number,
            "Allocations that break a pool rule.",
        ),
    ]
}

/// An exact size: a plain number while it fits, else decimal text (Terraform numbers are exact).
fn big(n: Addresses) -> Value {
    match n.to_i64() {
        Some(i) => Value::int(i),
        None => Value::Number(crate::plugin::value::Number::Big(n.to_string())),
    }
}

fn float(f: f64) -> Value {
    Value::Number(crate::plugin::value::Number::Float(f))
}

/// Writes utilisation figures into a data object.
pub fn put_utilisation(o: &mut Obj, u: &Utilisation) {
    o.insert("size".into(), big(u.exact.size));
    o.insert("allocated_size".into(), big(u.exact.allocated));
    o.insert("assigned_size".into(), big(u.exact.assigned));
    o.insert("available_size".into(), big(u.exact.available));
    o.insert("percent_allocated".into(), float(u.percent_allocated));
    o.insert("percent_assigned".into(), float(u.percent_assigned));
    o.insert("percent_available".into(), float(u.percent_available));
    o.insert("compliant_allocations".into(), Value::int(u.compliant));
    o.insert("noncompliant_allocations".into(), Value::int(u.noncompliant));
}

/// Utilisation of one pool.
pub fn pool_utilisation(tx: &Tx, pool_id: &str) -> Result<Utilisation> {
    let cidrs: Vec<_> = tx.pool_cidrs(pool_id)?.into_iter().map(|c| c.cidr).collect();
    Ok(Utilisation::from_counts(&cidrs, &tx.allocation_counts(pool_id)?))
}

/// Utilisation of a scope: its top-level pools' space; compliance counts over every pool. Also
/// per address family (as the CloudWatch scope metrics' `AddressFamily` dimension), since the
/// public scope holds IPv4 and IPv6 pools and IPv6 sizes dwarf IPv4 ones in the total.
fn scope_utilisation(tx: &Tx, scope_id: &str) -> Result<(Utilisation, BTreeMap<String, Utilisation>)> {
    let mut total = Utilisation::default();
    let mut by_family: BTreeMap<String, Utilisation> = BTreeMap::new();
    for p in tx.all_pools()?.into_iter().filter(|p| p.scope_id == scope_id) {
        let pu = pool_utilisation(tx, &p.id)?;
        let part = if p.source_pool_id.is_none() {
            pu
        } else {
            Utilisation {
                compliant: pu.compliant,
                noncompliant: pu.noncompliant,
                ..Default::default()
            }
        };
        total.add(&part);
        by_family.entry(p.address_family.clone()).or_default().add(&part);
    }
    Ok((total, by_family))
}

fn scope_attrs(with_utilisation: bool) -> Vec<Attribute> {
    let mut a = computed_copy(&resource_scope::ScopeResource.schema().block, &["tags_all"]);
    if with_utilisation {
        a.extend(utilisation_attrs());
        a.push(Attribute::computed(
            "by_address_family",
            Type::map_of(object_type(&utilisation_attrs())),
            "The same figures per address family (`ipv4`, `ipv6`) of the scope's pools; the totals above add both families up.",
        ));
    }
    a
}

/// The filter names `scope_fields` knows.
const SCOPE_FILTER_NAMES: &[&str] = &[
    "ipam-scope-id",
    "ipam-id",
    "ipam-scope-type",
    "is-default",
    "description",
    "owner-id",
];

fn scope_fields(s: &Scope, name: &str) -> Option<Vec<String>> {
    Some(match name {
        "ipam-scope-id" => vec![s.id.clone()],
        "ipam-id" => vec![s.ipam_id.clone()],
        "ipam-scope-type" => vec![s.scope_type.as_str().to_string()],
        "is-default" => vec![s.is_default.to_string()],
        "description" => s.description.clone().into_iter().collect(),
        "owner-id" => vec![s.owner_id.clone()],
        _ => return None,
    })
}

fn find_scopes(ctx: &Ctx, tx: &Tx, id: Option<&str>, fs: &[Filter], with_utilisation: bool) -> Result<Vec<Obj>> {
    check_names(fs, SCOPE_FILTER_NAMES, "scopes")?;
    let attrs = scope_attrs(with_utilisation);
    let mut out = Vec::new();
    for s in tx.all_scopes()? {
        if s.owner_id != ctx.config.account_id || id.is_some_and(|i| i != s.id) {
            continue;
        }
        if matches(fs, &|n| scope_fields(&s, n), &s.tags_all, "scopes")? {
            let owner = tx
                .ipam(&s.ipam_id)?
                .map(|i| i.owner_id)
                .unwrap_or_else(|| s.owner_id.clone());
            let mut o = resource_scope::state_of(&s, &owner, tx.count_pools_in_scope(&s.id)?);
            if with_utilisation {
                let (total, by_family) = scope_utilisation(tx, &s.id)?;
                put_utilisation(&mut o, &total);
                let families = by_family
                    .into_iter()
                    .map(|(f, u)| {
                        let mut fo = Obj::new();
                        put_utilisation(&mut fo, &u);
                        (f, Value::Object(fo))
                    })
                    .collect();
                o.insert("by_address_family".into(), Value::Map(families));
            }
            out.push(project(o, &attrs));
        }
    }
    Ok(out)
}

/// `ipam_scope`: one scope by `ipam_scope_id`, `id` or filters, with utilisation.
pub struct ScopeData;

impl DataSource for ScopeData {
    fn name(&self) -> &'static str {
        "ipam_scope"
    }
    fn schema(&self) -> Schema {
        let mut attrs = scope_attrs(true);
        for a in attrs.iter_mut().filter(|a| a.name == "id") {
            *a = Attribute::optional_computed("id", Type::String, "The scope ID to read (same as `ipam_scope_id`).");
        }
        attrs.push(Attribute::optional_computed(
            "ipam_scope_id",
            Type::String,
            "The scope ID to read.",
        ));
        Schema {
            version: 0,
            block: Block::new("Reads one scope, by `ipam_scope_id`, `id` or filters (exactly one must match), with its utilisation.", attrs)
                .with_block(filter_block("Filters: `ipam-scope-id`, `ipam-id`, `ipam-scope-type`, `is-default`, `description`, `owner-id`, `tag:<key>`, `tag-key`.")),
        }
    }
    fn validate(&self, config: &Obj, diags: &mut Diagnostics) {
        if let (Some(a), Some(b)) = (config.str("id"), config.str("ipam_scope_id"))
            && a != b
        {
            diags.push(diag(
                &Error::invalid(
                    "Conflicting IDs",
                    format!("`id` ({a}) and `ipam_scope_id` ({b}) name different scopes; give one."),
                )
                .at("ipam_scope_id"),
            ));
        }
    }
    fn read(&self, ctx: &Ctx, config: &Obj) -> Result<Obj> {
        let fs = filters(config);
        let id = config.str("ipam_scope_id").or(config.str("id"));
        if let Some(id) = id {
            let attr = if config.str("ipam_scope_id").is_some() {
                "ipam_scope_id"
            } else {
                "id"
            };
            ids::check_id(id, "ipam-scope", 17, "scope").map_err(|e| e.at(attr))?;
        }
        let mut o = ctx
            .store
            .read(|tx| single(find_scopes(ctx, tx, id, &fs, true)?, "scope"))?;
        let scope_id = o.get("id").cloned().unwrap_or_default();
        o.insert("ipam_scope_id".into(), scope_id);
        o.insert(
            "filter".into(),
            config.get("filter").cloned().unwrap_or(Value::Set(vec![])),
        );
        Ok(o)
    }
}

/// `ipam_scopes`: scopes by filters.
pub struct ScopesData;

impl DataSource for ScopesData {
    fn name(&self) -> &'static str {
        "ipam_scopes"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new(
                "Lists the acting account's scopes. An empty result is not an error.",
                vec![
                    Attribute::computed("id", Type::String, "The provider region."),
                    Attribute::computed("ipam_scopes", Type::list_of(object_type(&scope_attrs(false))), "The matching scopes."),
                ],
            )
            .with_block(filter_block("Filters: `ipam-scope-id`, `ipam-id`, `ipam-scope-type`, `is-default`, `description`, `owner-id`, `tag:<key>`, `tag-key`.")),
        }
    }
    fn read(&self, ctx: &Ctx, config: &Obj) -> Result<Obj> {
        let found = ctx
            .store
            .read(|tx| find_scopes(ctx, tx, None, &filters(config), false))?;
        let mut o = config.clone();
        o.insert("id".into(), Value::str(&ctx.config.region));
        o.insert(
            "ipam_scopes".into(),
            Value::List(found.into_iter().map(Value::Object).collect()),
        );
        Ok(o)
    }
}
