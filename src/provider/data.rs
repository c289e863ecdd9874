//! What the data sources share: how they show IPAMs, scopes and pools (read-only views of the
//! resources' own models, so an attribute added to a resource reaches its data sources), the
//! finders behind each singular and plural pair (with their filter names), pool visibility,
//! and utilisation figures.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use crate::ipam::model::{Ipam, Pool, Scope, ScopeType};
use crate::ipam::utilisation::{Addresses, Utilisation};
use crate::ipam::{Error, ErrorKind, Result, access, ids};
use crate::plugin::diag::Diagnostics;
use crate::plugin::value::Number;
use crate::store::Tx;

use super::common::diag;
use super::filter::{Filter, check_names, matches};
use super::framework::Ctx;
use super::model::{Maybe, Model, model};
use super::resource_ipam::IpamModel;
use super::resource_pool::PoolModel;
use super::resource_scope::ScopeModel;
use super::view::{DataView, ReadOnly};

/// What a data source's `tags` are.
pub const DATA_TAGS: &str =
    "The object's tags as stored: its own `tags` over the `default_tags` of the provider that last applied it.";

/// A resource's model as data sources show it: without `cascade` (it steers the resource's
/// destroy) and with `tags_all` as `tags`: a data source's `tags` are the tags the object carries,
/// as AWS describes them (default tags included; null when there are none, which the finders
/// set); the rest as the resource declares it.
pub struct AsData<M>(PhantomData<M>);

impl<M: Model + 'static> DataView for AsData<M> {
    type Model = M;
    fn hides(name: &str) -> bool {
        matches!(name, "cascade" | "tags")
    }
    fn shows(name: &'static str, description: &'static str) -> (&'static str, &'static str) {
        match name {
            "tags_all" => ("tags", DATA_TAGS),
            _ => (name, description),
        }
    }
}

/// IPAMs as data sources show them, with the effective `enable_private_gua`.
pub struct IpamView;

impl DataView for IpamView {
    type Model = IpamModel;
    fn hides(name: &str) -> bool {
        AsData::<IpamModel>::hides(name)
    }
    fn shows(name: &'static str, description: &'static str) -> (&'static str, &'static str) {
        match name {
            "enable_private_gua" => (
                name,
                "Whether the private scopes may hold global unicast IPv6 (inside `2000::/3`) besides unique local space (`fd00::/8`, always allowed): the IPAM's setting, false unless set.",
            ),
            _ => AsData::<IpamModel>::shows(name, description),
        }
    }
}

/// An IPAM in a list.
pub type IpamItem = ReadOnly<IpamView>;

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

/// The IPAMs the acting account owns that pass the filters.
pub fn find_ipams(ctx: &Ctx, tx: &Tx, ids: &[String], fs: &[Filter]) -> Result<Vec<IpamItem>> {
    check_names(fs, IPAM_FILTER_NAMES, "IPAMs")?;
    let mut out = Vec::new();
    for i in tx.ipams()? {
        if i.owner_id != ctx.config.account_id || (!ids.is_empty() && !ids.contains(&i.id)) {
            continue;
        }
        if matches(fs, &|n| ipam_fields(&i, n), &i.tags_all, "IPAMs")? {
            let mut m = IpamModel::of(&i, tx.count_scopes(&i.id)?);
            // Data sources show the effective settings: off, and `advanced`, unless set.
            m.enable_private_gua = Some(i.private_gua());
            m.tier = Some(i.tier());
            m.tags_all = Maybe::null_if_empty(&i.tags_all);
            out.push(ReadOnly(m));
        }
    }
    Ok(out)
}

model! {
    /// Utilisation figures of a pool, a scope, or a scope's pools of one address family.
    pub struct Usage {
        size: Option<Number> = computed("Addresses provisioned (exact, also for IPv6)."),
        allocated_size: Option<Number> = computed("Addresses held by child pools."),
        assigned_size: Option<Number> = computed("Addresses held by other allocations."),
        available_size: Option<Number> = computed("Addresses free."),
        percent_allocated: Option<f64> = computed("Share of the space held by child pools, in percent."),
        percent_assigned: Option<f64> = computed("Share of the space held by other allocations, in percent."),
        percent_available: Option<f64> = computed("Share of the space that is free, in percent; the three percentages sum to 100."),
        compliant_allocations: Option<i64> = computed("Allocations that meet the pool rules."),
        noncompliant_allocations: Option<i64> = computed("Allocations that break a pool rule."),
    }
}

/// An exact size: a plain number while it fits, else decimal text (Terraform numbers are exact).
fn big(n: Addresses) -> Number {
    match n.to_i64() {
        Some(i) => Number::Int(i),
        None => Number::Big(n.to_string()),
    }
}

impl From<&Utilisation> for Usage {
    fn from(u: &Utilisation) -> Usage {
        Usage {
            size: Some(big(u.exact.size)),
            allocated_size: Some(big(u.exact.allocated)),
            assigned_size: Some(big(u.exact.assigned)),
            available_size: Some(big(u.exact.available)),
            percent_allocated: Some(u.percent_allocated),
            percent_assigned: Some(u.percent_assigned),
            percent_available: Some(u.percent_available),
            compliant_allocations: Some(u.compliant),
            noncompliant_allocations: Some(u.noncompliant),
        }
    }
}

/// Utilisation of one pool.
pub fn pool_utilisation(tx: &Tx, pool_id: &str) -> Result<Utilisation> {
    let cidrs: Vec<_> = tx.pool_cidrs(pool_id)?.into_iter().map(|c| c.cidr).collect();
    Ok(Utilisation::from_counts(&cidrs, &tx.allocation_counts(pool_id)?))
}

/// Utilisation of a scope: its top-level pools' space; compliance counts over every pool. Also
/// per address family (as the CloudWatch scope metrics' `AddressFamily` dimension), since the
/// public scope holds IPv4 and IPv6 pools and IPv6 sizes dwarf IPv4 ones in the total.
pub fn scope_utilisation(tx: &Tx, scope_id: &str) -> Result<(Utilisation, BTreeMap<String, Utilisation>)> {
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

/// Scopes as data sources show them.
pub type ScopeView = AsData<ScopeModel>;

/// A scope in a list.
pub type ScopeItem = ReadOnly<ScopeView>;

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

/// The acting account's scopes (or the one with ID `id`) that pass the filters.
pub fn find_scopes(ctx: &Ctx, tx: &Tx, id: Option<&str>, fs: &[Filter]) -> Result<Vec<ScopeItem>> {
    check_names(fs, SCOPE_FILTER_NAMES, "scopes")?;
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
            let mut m = ScopeModel::of(&s, &owner, tx.count_pools_in_scope(&s.id)?);
            m.tags_all = Maybe::null_if_empty(&s.tags_all);
            out.push(ReadOnly(m));
        }
    }
    Ok(out)
}

/// The `filter` block's description for pools.
pub const POOL_FILTERS: &str = "Filters: `ipam-pool-id`, `description`, `address-family`, `locale`, `ipam-scope-id`, `ipam-scope-type`, \
     `source-ipam-pool-id`, `pool-depth`, `state`, `owner-id`, `aws-service`, `tag:<key>`, `tag-key`.";

/// Pools as data sources show them.
pub type PoolView = AsData<PoolModel>;

/// A pool in a list.
pub type PoolItem = ReadOnly<PoolView>;

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
fn visible(tx: &Tx, p: &Pool, ctx: &Ctx) -> Result<bool> {
    let account = ctx.config.account_id.as_str();
    if p.owner_id == account {
        return Ok(true);
    }
    let arn = ids::ec2_arn(&p.owner_id, "ipam-pool", &p.id);
    Ok(!access::share_permissions_covering(tx, &arn, account, ctx.config.organization.as_ref())?.is_empty())
}

/// The pools the acting account sees (or the one with ID `id`) that pass the filters.
pub fn find_pools(ctx: &Ctx, tx: &Tx, id: Option<&str>, fs: &[Filter]) -> Result<Vec<PoolItem>> {
    check_names(fs, POOL_FILTER_NAMES, "pools")?;
    let mut out = Vec::new();
    for p in tx.all_pools()? {
        if id.is_some_and(|i| i != p.id) || !visible(tx, &p, ctx)? {
            continue;
        }
        let scope_type = tx
            .scope(&p.scope_id)?
            .map_or(ScopeType::Private, |s| s.scope_type)
            .as_str();
        if matches(fs, &|n| pool_fields(&p, scope_type, n), &p.tags_all, "pools")? {
            let mut m = PoolModel::from_domain(tx, &p)?;
            m.tags_all = Maybe::null_if_empty(&p.tags_all);
            out.push(ReadOnly(m));
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
        Some(p) if visible(tx, &p, ctx)? => Ok(p),
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

/// The singular data sources take their object's ID as `id` or as `attribute`
/// (`ipam_scope_id`, `ipam_pool_id`): when both are given they must agree.
pub fn check_same_id(
    id: Option<&String>,
    named: Option<&String>,
    attribute: &str,
    what: &str,
    diags: &mut Diagnostics,
) {
    if let (Some(a), Some(b)) = (id, named)
        && a != b
    {
        diags.push(diag(
            &Error::invalid(
                "Conflicting IDs",
                format!("`id` ({a}) and `{attribute}` ({b}) name different {what}; give one."),
            )
            .at(attribute),
        ));
    }
}
