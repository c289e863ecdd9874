//! `ipam_pool`: an address pool in a scope, top-level or the child of another pool.

use crate::ipam::cidr::Family;
use crate::ipam::ids;
use crate::ipam::model::{AwsService, Ipam, LOCALE_NONE, Pool, PublicIpSource, Scope, ScopeType, State, Tags};
use crate::ipam::ops;
use crate::ipam::pool_rules::{self, PoolSpec};
use crate::ipam::{Error, Result, access};
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::Schema;
use crate::plugin::value::Obj;
use crate::store::Tx;

use super::common::{checked_at_apply, diag};
use super::framework::{Ctx, Resource, TAGS_ALL_DOC, planned_tags_all};
use super::model::{Maybe, Model, model};

model! {
    /// `ipam_pool`: its arguments, and its state.
    pub struct PoolModel("An IPAM pool: a set of CIDRs in a scope, from which allocations and child pools take space.") {
        id: Option<String> = computed("The pool ID (`ipam-pool-` and 17 hex digits)."),
        arn: Option<String> = computed("The pool's ARN."),
        ipam_scope_id: Maybe<String> = required("The scope the pool lives in. Changing it replaces the pool.").force_new(),
        ipam_scope_type: Maybe<ScopeType> = computed("`public` or `private`, from the scope."),
        address_family: Maybe<Family> = required("`ipv4` or `ipv6`. A private scope's top-level IPv6 pools take unique local space (`fd00::/8`), or global unicast space when the IPAM has `enable_private_gua`. Changing it replaces the pool.").force_new(),
        locale: Maybe<String> = optional_computed("`None` (default: usable only for manual allocations) or one of the IPAM's operating regions. Never changes in place.").force_new(),
        source_ipam_pool_id: Maybe<String> = optional("The parent pool; makes this a child pool with the parent's family and scope.").force_new(),
        aws_service: Option<AwsService> = optional("`ec2`: the service that may use public space from this pool (public scope only).").force_new(),
        public_ip_source: Option<PublicIpSource> = optional("`byoip` (default in the public scope) or `amazon` (Amazon-provided IPv6).").force_new(),
        publicly_advertisable: Option<bool> = optional("Whether public IPv6 space from this pool can be advertised (public IPv6 pools only).").force_new(),
        description: Option<String> = optional("A description."),
        auto_import: Option<bool> = optional("Import discovered resources in the pool's CIDRs as allocations (needs a locale)."),
        allocation_min_netmask_length: Option<i64> = optional("Smallest netmask length (largest block) a compliant allocation may have."),
        allocation_max_netmask_length: Option<i64> = optional("Largest netmask length (smallest block) a compliant allocation may have."),
        allocation_default_netmask_length: Option<i64> = optional("Netmask length of allocations that give neither `cidr` nor `netmask_length`."),
        allocation_resource_tags: Maybe<Tags> = optional("Tags an allocation must carry to be compliant (in its `tags_all`: its own tags or the provider's `default_tags`)."),
        cascade: Option<bool> = optional("On destroy, also delete child pools, CIDRs and allocations in the pool."),
        pool_depth: Maybe<i64> = computed("1 for a top-level pool, parent + 1 for a child."),
        state: Maybe<State> = computed("`create-complete`, or `modify-complete` after an update."),
        owner_id: Maybe<String> = computed("The account that owns the pool."),
        provisioned_cidrs: Maybe<Vec<String>> = computed("The CIDRs provisioned to the pool, in address order (shows drift)."),
        tags: Maybe<Tags> = optional("Tags."),
        tags_all: Maybe<Tags> = computed(TAGS_ALL_DOC),
    }
}

pub struct PoolResource;

impl PoolModel {
    /// The pool's arguments as the rules take them (unknown values as absent).
    fn spec(&self) -> PoolSpec<'_> {
        PoolSpec {
            address_family: self.address_family.known().copied(),
            locale: self.locale(),
            auto_import: self.auto_import,
            min_netmask: self.allocation_min_netmask_length,
            max_netmask: self.allocation_max_netmask_length,
            default_netmask: self.allocation_default_netmask_length,
            aws_service: self.aws_service,
            public_ip_source: self.public_ip_source,
            publicly_advertisable: self.publicly_advertisable,
        }
    }

    fn locale(&self) -> Option<&str> {
        self.locale.known().map(String::as_str)
    }

    /// The state of a pool.
    pub fn from_domain(tx: &Tx, p: &Pool) -> Result<PoolModel> {
        let scope_type = tx.scope(&p.scope_id)?.map_or(ScopeType::Private, |s| s.scope_type);
        let cidrs = tx.pool_cidrs(&p.id)?.iter().map(|c| c.cidr.to_string()).collect();
        Ok(PoolModel {
            id: Some(p.id.clone()),
            arn: Some(ids::ec2_arn(&p.owner_id, "ipam-pool", &p.id)),
            ipam_scope_id: p.scope_id.clone().into(),
            ipam_scope_type: scope_type.into(),
            address_family: p.address_family.into(),
            locale: p.locale.clone().into(),
            source_ipam_pool_id: p.source_pool_id.clone().map_or(Maybe::Null, Maybe::Known),
            aws_service: p.aws_service,
            public_ip_source: p.public_ip_source,
            publicly_advertisable: p.publicly_advertisable,
            description: p.description.clone(),
            auto_import: p.auto_import,
            allocation_min_netmask_length: p.min_netmask,
            allocation_max_netmask_length: p.max_netmask,
            allocation_default_netmask_length: p.default_netmask,
            allocation_resource_tags: Maybe::null_if_empty(&p.allocation_resource_tags),
            cascade: p.cascade,
            pool_depth: p.depth.into(),
            state: p.state.into(),
            owner_id: p.owner_id.clone().into(),
            provisioned_cidrs: Maybe::Known(cidrs),
            tags: Maybe::null_if_empty(&p.tags),
            tags_all: p.tags_all.clone().into(),
        })
    }
}

/// The state of a pool, as an object.
pub fn pool_state(tx: &Tx, p: &Pool) -> Result<Obj> {
    PoolModel::from_domain(tx, p).map(|m| m.to_obj())
}

/// The pool ID of a state.
fn id_of(state: &Obj) -> Result<String> {
    Ok(PoolModel::from_obj(state)?.id.unwrap_or_default())
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
fn placement(ctx: &Ctx, tx: &Tx, m: &PoolModel) -> Result<(Scope, i64, Option<Pool>, Ipam)> {
    let scope_id = m.ipam_scope_id.known().map_or("", String::as_str);
    let scope = tx
        .scope(scope_id)?
        .ok_or_else(|| Error::not_found("scope", scope_id).at("ipam_scope_id"))?;
    let ipam = tx
        .ipam(&scope.ipam_id)?
        .ok_or_else(|| Error::not_found("IPAM", &scope.ipam_id))?;
    let account = &ctx.config.account_id;
    access::check_can_create_pool_in(account, &scope, &ipam)?;
    let parent = match m.source_ipam_pool_id.known() {
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
        &m.spec(),
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
        PoolModel::schema()
    }

    fn validate(&self, config: &Obj, diags: &mut Diagnostics) {
        let config = match PoolModel::from_config(config) {
            Ok(m) => m,
            Err(e) => return diags.push(diag(&e)),
        };
        if let Err(e) = pool_rules::check_pool_spec(&config.spec()) {
            diags.push(diag(&e));
        }
        for (id, attr, prefix, what) in [
            (&config.ipam_scope_id, "ipam_scope_id", "ipam-scope", "scope"),
            (&config.source_ipam_pool_id, "source_ipam_pool_id", "ipam-pool", "pool"),
        ] {
            if let Some(id) = id.known()
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
        let before = match PoolModel::from_obj(planned) {
            Ok(m) => m,
            Err(e) => return diags.push(diag(&e)),
        };
        if let Err(e) = pool_rules::check_pool_spec(&before.spec()) {
            diags.push(diag(&e));
        }
        if prior.is_some() {
            return;
        }
        let mut m = before.clone();
        if PoolModel::from_config(config).is_ok_and(|c| c.locale.is_null()) {
            m.locale = Maybe::Known(LOCALE_NONE.into());
        }
        m.state = State::CreateComplete.into();
        m.owner_id = ctx.config.account_id.clone().into();
        m.provisioned_cidrs = Maybe::Known(vec![]);
        let known = [&m.ipam_scope_id, &m.source_ipam_pool_id, &m.locale]
            .iter()
            .all(|v| !v.is_unknown())
            && !m.address_family.is_unknown();
        if known {
            match ctx.store.read(|tx| placement(ctx, tx, &m)) {
                Ok((scope, depth, _, ipam)) => {
                    m.ipam_scope_type = scope.scope_type.into();
                    m.pool_depth = depth.into();
                    if let Err(e) = pool_rules::check_locale(m.locale(), &ipam.id, &ipam.operating_regions) {
                        diags.push(checked_at_apply(&e));
                    }
                }
                Err(e) => diags.push(diag(&e)),
            }
        }
        m.write_changed(&before, planned);
    }

    fn create(&self, ctx: &Ctx, planned: &Obj) -> Result<Obj> {
        let m = PoolModel::from_obj(planned)?;
        ctx.store.write(|tx| {
            let (scope, depth, parent, ipam) = placement(ctx, tx, &m)?;
            pool_rules::check_locale(m.locale(), &ipam.id, &ipam.operating_regions)?;
            pool_rules::check_pool_quota(tx.count_pools_in_scope(&scope.id)?, &ctx.config.quotas, &scope.id)?;
            // the pool's rules are its own, never the parent's.
            let spec = m.spec();
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
                locale: m.locale().unwrap_or(LOCALE_NONE).to_string(),
                source_pool_id: m.source_ipam_pool_id.known().cloned(),
                depth,
                description: m.description.clone(),
                auto_import: m.auto_import,
                min_netmask: rules.min,
                max_netmask: rules.max,
                default_netmask: rules.default,
                allocation_resource_tags: m.allocation_resource_tags.known().cloned().unwrap_or_default(),
                aws_service: spec.aws_service,
                public_ip_source: spec.public_ip_source,
                publicly_advertisable: m.publicly_advertisable,
                tags: m.tags.known().cloned().unwrap_or_default(),
                tags_all: planned_tags_all(ctx, planned),
                cascade: m.cascade,
                state: State::CreateComplete,
            };
            tx.insert_pool(&p)?;
            pool_state(tx, &p)
        })
    }

    fn update(&self, ctx: &Ctx, prior: &Obj, planned: &Obj) -> Result<Obj> {
        let id = id_of(prior)?;
        let m = PoolModel::from_obj(planned)?;
        pool_rules::check_pool_spec(&m.spec())?;
        ctx.store.write(|tx| {
            let mut p = tx.pool(&id)?.ok_or_else(|| Error::not_found("pool", &id))?;
            access::check_owner(&ctx.config.account_id, "Pool", &id, &p.owner_id)?;
            p.description = m.description.clone();
            p.auto_import = m.auto_import;
            p.min_netmask = m.allocation_min_netmask_length;
            p.max_netmask = m.allocation_max_netmask_length;
            p.default_netmask = m.allocation_default_netmask_length;
            p.allocation_resource_tags = m.allocation_resource_tags.known().cloned().unwrap_or_default();
            p.tags = m.tags.known().cloned().unwrap_or_default();
            p.tags_all = planned_tags_all(ctx, planned);
            p.cascade = m.cascade;
            p.state = State::ModifyComplete;
            tx.update_pool(&p)?;
            pool_state(tx, &p)
        })
    }

    fn delete(&self, ctx: &Ctx, prior: &Obj) -> Result<()> {
        let id = id_of(prior)?;
        ctx.store.write(|tx| {
            let Some(p) = tx.pool(&id)? else { return Ok(()) };
            access::check_owner(&ctx.config.account_id, "Pool", &id, &p.owner_id)?;
            ops::delete_pool(tx, &p, &ops::now())
        })
    }

    fn read(&self, ctx: &Ctx, state: &Obj) -> Result<Option<Obj>> {
        load(ctx, &id_of(state)?)
    }

    fn import(&self, ctx: &Ctx, id: &str) -> Result<Obj> {
        ids::check_id(id, "ipam-pool", 17, "pool")?;
        load(ctx, id)?.ok_or_else(|| Error::not_found("pool", id))
    }
}
