//! `ipam_pool`: an address pool in a scope, top-level or the child of another pool.

use crate::ipam::ids;
use crate::ipam::model::{Ipam, LOCALE_NONE, Pool, ScopeType, State};
use crate::ipam::ops;
use crate::ipam::pool_rules::{self, PoolSpec};
use crate::ipam::{Error, Result, access};
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::{Attribute, Block, Schema};
use crate::plugin::value::{Obj, Type, Value};
use crate::store::Tx;

use super::common::{ObjExt, checked_at_apply, diag, obj, tags_all_value, tags_value};
use super::framework::{Ctx, Resource, TAGS_ALL_DOC, planned_tags_all};

pub struct PoolResource;

/// The pool's arguments as the rules take them; an enumeration's unknown string is an error
/// about its attribute.
fn spec(o: &Obj) -> Result<PoolSpec<'_>> {
    Ok(PoolSpec {
        address_family: o.parsed("address_family")?,
        locale: o.str("locale"),
        auto_import: o.boolean("auto_import"),
        min_netmask: o.int("allocation_min_netmask_length"),
        max_netmask: o.int("allocation_max_netmask_length"),
        default_netmask: o.int("allocation_default_netmask_length"),
        aws_service: o.parsed("aws_service")?,
        public_ip_source: o.parsed("public_ip_source")?,
        publicly_advertisable: o.boolean("publicly_advertisable"),
    })
}

/// The state of a pool.
pub fn pool_state(tx: &Tx, p: &Pool) -> Result<Obj> {
    let scope_type = tx
        .scope(&p.scope_id)?
        .map_or(ScopeType::Private, |s| s.scope_type)
        .as_str();
    let cidrs: Vec<String> = tx.pool_cidrs(&p.id)?.iter().map(|c| c.cidr.to_string()).collect();
    Ok(obj([
        ("id", Value::str(&p.id)),
        ("arn", Value::str(ids::ec2_arn(&p.owner_id, "ipam-pool", &p.id))),
        ("ipam_scope_id", Value::str(&p.scope_id)),
        ("ipam_scope_type", Value::str(scope_type)),
        ("address_family", Value::str(p.address_family.as_str())),
        ("locale", Value::str(&p.locale)),
        ("source_ipam_pool_id", Value::opt_str(p.source_pool_id.clone())),
        ("aws_service", Value::opt_str(p.aws_service.map(|s| s.as_str()))),
        (
            "public_ip_source",
            Value::opt_str(p.public_ip_source.map(|s| s.as_str())),
        ),
        (
            "publicly_advertisable",
            p.publicly_advertisable.map_or(Value::Null, Value::Bool),
        ),
        ("description", Value::opt_str(p.description.clone())),
        ("auto_import", p.auto_import.map_or(Value::Null, Value::Bool)),
        ("allocation_min_netmask_length", Value::opt_int(p.min_netmask)),
        ("allocation_max_netmask_length", Value::opt_int(p.max_netmask)),
        ("allocation_default_netmask_length", Value::opt_int(p.default_netmask)),
        ("allocation_resource_tags", tags_value(&p.allocation_resource_tags)),
        ("cascade", p.cascade.map_or(Value::Null, Value::Bool)),
        ("pool_depth", Value::int(p.depth)),
        ("state", Value::str(p.state.as_str())),
        ("owner_id", Value::str(&p.owner_id)),
        ("provisioned_cidrs", Value::List(cidrs.iter().map(Value::str).collect())),
        ("tags", tags_value(&p.tags)),
        ("tags_all", tags_all_value(&p.tags_all)),
    ]))
}

fn load(ctx: &Ctx, id: &str) -> Result<Option<Obj>> {
    ctx.store.read(|tx| match tx.pool(id)? {
        Some(p) => pool_state(tx, &p).map(Some),
        None => Ok(None),
    })
}

/// Where the pool goes: its scope, depth, parent pool and IPAM. Checks the facts of the scope,
/// the IPAM and the parent that never change in place (owners, scope type, family, depth); the
/// IPAM's operating regions can change, so the locale is checked by the caller.
fn placement(ctx: &Ctx, tx: &Tx, o: &Obj) -> Result<(crate::ipam::model::Scope, i64, Option<Pool>, Ipam)> {
    let scope_id = o.str("ipam_scope_id").unwrap_or_default();
    let scope = tx
        .scope(scope_id)?
        .ok_or_else(|| Error::not_found("scope", scope_id).at("ipam_scope_id"))?;
    let ipam = tx
        .ipam(&scope.ipam_id)?
        .ok_or_else(|| Error::not_found("IPAM", &scope.ipam_id))?;
    let account = &ctx.config.account_id;
    access::check_can_create_pool_in(account, &scope, &ipam)?;
    let parent = match o.str("source_ipam_pool_id") {
        Some(pid) => {
            let parent = tx
                .pool(pid)?
                .ok_or_else(|| Error::not_found("pool", pid).at("source_ipam_pool_id"))?;
            access::check_can_create_child_of(account, &parent)?;
            Some(parent)
        }
        None => None,
    };
    let depth = pool_rules::check_pool_placement(
        &spec(o)?,
        scope.scope_type,
        &scope.id,
        parent.as_ref(),
        &ctx.config.quotas,
    )?;
    Ok((scope, depth, parent, ipam))
}

impl Resource for PoolResource {
    fn name(&self) -> &'static str {
        "ipam_pool"
    }

    fn schema(&self) -> Schema {
        let s = Type::String;
        let n = Type::Number;
        let b = Type::Bool;
        let m = || Type::map_of(Type::String);
        Schema {
            version: 0,
            block: Block::new(
                "An IPAM pool: a set of CIDRs in a scope, from which allocations and child pools take space.",
                vec![
                    Attribute::computed("id", s.clone(), "The pool ID (`ipam-pool-` and 17 hex digits)."),
                    Attribute::computed("arn", s.clone(), "The pool's ARN."),
                    Attribute::required("ipam_scope_id", s.clone(), "The scope the pool lives in. Changing it replaces the pool.").force_new(),
                    Attribute::computed("ipam_scope_type", s.clone(), "`public` or `private`, from the scope."),
                    Attribute::required("address_family", s.clone(), "`ipv4` or `ipv6`. Private scopes hold IPv4 pools only. Changing it replaces the pool.").force_new(),
                    Attribute::optional_computed("locale", s.clone(), "`None` (default: usable only for manual allocations) or one of the IPAM's operating regions. Never changes in place.").force_new(),
                    Attribute::optional("source_ipam_pool_id", s.clone(), "The parent pool; makes this a child pool with the parent's family and scope.").force_new(),
                    Attribute::optional("aws_service", s.clone(), "`ec2`: the service that may use public space from this pool (public scope only).").force_new(),
                    Attribute::optional("public_ip_source", s.clone(), "`byoip` (default in the public scope) or `amazon` (Amazon-provided IPv6).").force_new(),
                    Attribute::optional("publicly_advertisable", b.clone(), "Whether public IPv6 space from this pool can be advertised (public IPv6 pools only).").force_new(),
                    Attribute::optional("description", s.clone(), "A description."),
                    Attribute::optional("auto_import", b.clone(), "Import discovered resources in the pool's CIDRs as allocations (needs a locale)."),
                    Attribute::optional("allocation_min_netmask_length", n.clone(), "Smallest netmask length (largest block) a compliant allocation may have."),
                    Attribute::optional("allocation_max_netmask_length", n.clone(), "Largest netmask length (smallest block) a compliant allocation may have."),
                    Attribute::optional("allocation_default_netmask_length", n.clone(), "Netmask length of allocations that give neither `cidr` nor `netmask_length`."),
                    Attribute::optional("allocation_resource_tags", m(), "Tags an allocation must carry to be compliant (in its `tags_all`: its own tags or the provider's `default_tags`)."),
                    Attribute::optional("cascade", b.clone(), "On destroy, also delete child pools, CIDRs and allocations in the pool."),
                    Attribute::computed("pool_depth", n.clone(), "1 for a top-level pool, parent + 1 for a child."),
                    Attribute::computed("state", s.clone(), "`create-complete`, or `modify-complete` after an update."),
                    Attribute::computed("owner_id", s.clone(), "The account that owns the pool."),
                    Attribute::computed("provisioned_cidrs", Type::list_of(s.clone()), "The CIDRs provisioned to the pool, in address order (shows drift)."),
                    Attribute::optional("tags", m(), "Tags."),
                    Attribute::computed("tags_all", m(), TAGS_ALL_DOC),
                ],
            ),
        }
    }

    fn validate(&self, config: &Obj, diags: &mut Diagnostics) {
        if let Err(e) = spec(config).and_then(|s| pool_rules::check_pool_spec(&s)) {
            diags.push(diag(&e));
        }
        for (attr, prefix, what) in [
            ("ipam_scope_id", "ipam-scope", "scope"),
            ("source_ipam_pool_id", "ipam-pool", "pool"),
        ] {
            if let Some(id) = config.str(attr)
                && let Err(e) = ids::check_id(id, prefix, 17, what)
            {
                diags.push(diag(&e.at(attr)));
            }
        }
    }

    fn volatile(&self) -> &'static [&'static str] {
        &["provisioned_cidrs"]
    }

    fn modify_plan(&self, ctx: &Ctx, prior: Option<&Obj>, planned: &mut Obj, config: &Obj, diags: &mut Diagnostics) {
        if let Err(e) = spec(planned).and_then(|s| pool_rules::check_pool_spec(&s)) {
            diags.push(diag(&e));
        }
        if prior.is_some() {
            return;
        }
        if config.get("locale").is_none_or(Value::is_null) {
            planned.insert("locale".into(), Value::str(LOCALE_NONE));
        }
        planned.insert("state".into(), Value::str(State::CreateComplete.as_str()));
        planned.insert("owner_id".into(), Value::str(&ctx.config.account_id));
        planned.insert("provisioned_cidrs".into(), Value::List(vec![]));
        let known = ["ipam_scope_id", "source_ipam_pool_id", "address_family", "locale"]
            .iter()
            .all(|k| planned.known(k));
        if known {
            match ctx.store.read(|tx| placement(ctx, tx, planned)) {
                Ok((scope, depth, _, ipam)) => {
                    planned.insert("ipam_scope_type".into(), Value::str(scope.scope_type.as_str()));
                    planned.insert("pool_depth".into(), Value::int(depth));
                    if let Err(e) = pool_rules::check_locale(planned.str("locale"), &ipam.id, &ipam.operating_regions) {
                        diags.push(checked_at_apply(&e));
                    }
                }
                Err(e) => diags.push(diag(&e)),
            }
        }
    }

    fn create(&self, ctx: &Ctx, planned: &Obj) -> Result<Obj> {
        ctx.store.write(|tx| {
            let (scope, depth, parent, ipam) = placement(ctx, tx, planned)?;
            pool_rules::check_locale(planned.str("locale"), &ipam.id, &ipam.operating_regions)?;
            pool_rules::check_pool_quota(tx.count_pools_in_scope(&scope.id)?, &ctx.config.quotas, &scope.id)?;
            // the pool's rules are its own, never the parent's.
            let spec = spec(planned)?;
            let rules = pool_rules::own_netmask_rules(&spec, parent.as_ref());
            let p = Pool {
                id: ids::new_id("ipam-pool"),
                scope_id: scope.id.clone(),
                ipam_id: scope.ipam_id.clone(),
                owner_id: ctx.config.account_id.clone(),
                address_family: spec.address_family.ok_or_else(|| {
                    Error::invalid(
                        "Address family required",
                        "Set `address_family` to \"ipv4\" or \"ipv6\".",
                    )
                    .at("address_family")
                })?,
                locale: planned.string("locale").unwrap_or_else(|| LOCALE_NONE.into()),
                source_pool_id: planned.string("source_ipam_pool_id"),
                depth,
                description: planned.string("description"),
                auto_import: planned.boolean("auto_import"),
                min_netmask: rules.min,
                max_netmask: rules.max,
                default_netmask: rules.default,
                allocation_resource_tags: planned.tags("allocation_resource_tags"),
                aws_service: spec.aws_service,
                public_ip_source: spec.public_ip_source,
                publicly_advertisable: planned.boolean("publicly_advertisable"),
                tags: planned.tags("tags"),
                tags_all: planned_tags_all(ctx, planned),
                cascade: planned.boolean("cascade"),
                state: State::CreateComplete,
            };
            tx.insert_pool(&p)?;
            pool_state(tx, &p)
        })
    }

    fn update(&self, ctx: &Ctx, prior: &Obj, planned: &Obj) -> Result<Obj> {
        let id = prior.str("id").unwrap_or_default();
        pool_rules::check_pool_spec(&spec(planned)?)?;
        ctx.store.write(|tx| {
            let mut p = tx.pool(id)?.ok_or_else(|| Error::not_found("pool", id))?;
            access::check_owner(&ctx.config.account_id, "Pool", id, &p.owner_id)?;
            p.description = planned.string("description");
            p.auto_import = planned.boolean("auto_import");
            p.min_netmask = planned.int("allocation_min_netmask_length");
            p.max_netmask = planned.int("allocation_max_netmask_length");
            p.default_netmask = planned.int("allocation_default_netmask_length");
            p.allocation_resource_tags = planned.tags("allocation_resource_tags");
            p.tags = planned.tags("tags");
            p.tags_all = planned_tags_all(ctx, planned);
            p.cascade = planned.boolean("cascade");
            p.state = State::ModifyComplete;
            tx.update_pool(&p)?;
            pool_state(tx, &p)
        })
    }

    fn delete(&self, ctx: &Ctx, prior: &Obj) -> Result<()> {
        let id = prior.str("id").unwrap_or_default();
        ctx.store.write(|tx| {
            let Some(p) = tx.pool(id)? else { return Ok(()) };
            access::check_owner(&ctx.config.account_id, "Pool", id, &p.owner_id)?;
            ops::delete_pool(tx, &p, &ops::now())
        })
    }

    fn read(&self, ctx: &Ctx, state: &Obj) -> Result<Option<Obj>> {
        load(ctx, state.str("id").unwrap_or_default())
    }

    fn import(&self, ctx: &Ctx, id: &str) -> Result<Obj> {
        ids::check_id(id, "ipam-pool", 17, "pool")?;
        load(ctx, id)?.ok_or_else(|| Error::not_found("pool", id))
    }
}
