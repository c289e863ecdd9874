//! What the data sources share: the finders behind each singular and plural pair (IPAMs, scopes,
//! pools, with their filter names), pool visibility, and utilisation figures.

use std::collections::BTreeMap;

use crate::ipam::model::{Ipam, Pool, Scope, ScopeType};
use crate::ipam::utilisation::{Addresses, Utilisation};
use crate::ipam::{Error, ErrorKind, Result, ids};
use crate::plugin::schema::Attribute;
use crate::plugin::value::{Obj, Type, Value};
use crate::store::Tx;

use super::filter::{Filter, check_names, computed_copy, matches, object_type, project};
use super::framework::{Ctx, Resource};
use super::{resource_ipam, resource_pool, resource_scope};

const IPAM_SKIP: &[&str] = &["cascade", "tags_all"];

pub fn ipam_attrs() -> Vec<Attribute> {
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
        "state" => vec![i.state.to_string()],
        _ => return None,
    })
}

/// The IPAMs the acting account owns that pass the filters, as data objects.
pub fn find_ipams(ctx: &Ctx, tx: &Tx, ids: &[String], fs: &[Filter]) -> Result<Vec<Obj>> {
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
        by_family.entry(p.address_family.to_string()).or_default().add(&part);
    }
    Ok((total, by_family))
}

pub fn scope_attrs(with_utilisation: bool) -> Vec<Attribute> {
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

/// The `filter` block's description for scopes.
pub const SCOPE_FILTERS: &str = "Filters: `ipam-scope-id`, `ipam-id`, `ipam-scope-type`, `is-default`, `description`, `owner-id`, `tag:<key>`, `tag-key`.";

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

pub fn find_scopes(ctx: &Ctx, tx: &Tx, id: Option<&str>, fs: &[Filter], with_utilisation: bool) -> Result<Vec<Obj>> {
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

pub const POOL_FILTERS: &str = "Filters: `ipam-pool-id`, `description`, `address-family`, `locale`, `ipam-scope-id`, `ipam-scope-type`, \
     `source-ipam-pool-id`, `pool-depth`, `state`, `owner-id`, `aws-service`, `tag:<key>`, `tag-key`.";

pub fn pool_attrs(with_utilisation: bool) -> Vec<Attribute> {
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
        "address-family" => vec![p.address_family.to_string()],
        "locale" => vec![p.locale.clone()],
        "ipam-scope-id" => vec![p.scope_id.clone()],
        "ipam-scope-type" => vec![scope_type.to_string()],
        "source-ipam-pool-id" => p.source_pool_id.clone().into_iter().collect(),
        "pool-depth" => vec![p.depth.to_string()],
        "state" => vec![p.state.to_string()],
        "owner-id" => vec![p.owner_id.clone()],
        "aws-service" => p.aws_service.iter().map(ToString::to_string).collect(),
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

pub fn find_pools(ctx: &Ctx, tx: &Tx, id: Option<&str>, fs: &[Filter], with_utilisation: bool) -> Result<Vec<Obj>> {
    check_names(fs, POOL_FILTER_NAMES, "pools")?;
    let attrs = pool_attrs(with_utilisation);
    let mut out = Vec::new();
    for p in tx.all_pools()? {
        if id.is_some_and(|i| i != p.id) || !visible(tx, &p, &ctx.config.account_id)? {
            continue;
        }
        let scope_type = tx
            .scope(&p.scope_id)?
            .map_or(ScopeType::Private, |s| s.scope_type)
            .as_str();
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

/// Why a pool is not there for the acting account. The same words whether the pool does not exist
/// or belongs to an account that has not shared it, so a lookup reveals nothing of other accounts.
pub fn invisible_hint(account: &str) -> String {
    format!(
        "Account {account} sees the pools it owns and the pools a resource share names it a principal of; \
         a pool of another account appears once its owner shares it with {account} (`ipam_resource_share`)."
    )
}

/// A visible pool, or an invalid-ID or not-found error on `ipam_pool_id`.
pub fn visible_pool(ctx: &Ctx, tx: &Tx, id: &str) -> Result<Pool> {
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
