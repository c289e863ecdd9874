//! `ipam_pool`: an address pool in a scope, top-level or the child of another pool.

use crate::ipam::cidr::Family;
use crate::ipam::ids;
use crate::ipam::model::{AwsService, LOCALE_NONE, Pool, PublicIpSource, ScopeType, State, Tags};
use crate::ipam::ops;
use crate::ipam::pool_rules;
use crate::ipam::{Error, Result};
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::Schema;
use crate::plugin::value::Obj;
use crate::store::Tx;

use super::aws_resource::ResourceView;

use super::common::{ObjExt, checked_at_apply, diag};
use super::framework::{Ctx, Resource, TAGS_ALL_DOC};
use super::model::{Maybe, Model, model, planned_tags_all};

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
        provisioned_cidrs: Maybe<Vec<String>> = computed("The CIDRs provisioned to the pool, in address order (shows drift).").volatile(),
        tags: Maybe<Tags> = optional("Tags."),
        tags_all: Maybe<Tags> = computed(TAGS_ALL_DOC),
    }
}

pub struct PoolResource;

impl PoolModel {
    /// What the pool is created with (unknown values as absent); `tags_all` as the plan has it.
    fn new_pool(&self, tags_all: Tags) -> ops::NewPool {
        ops::NewPool {
            scope_id: self.ipam_scope_id.known().cloned().unwrap_or_default(),
            address_family: self.address_family.known().copied(),
            locale: self.locale.known().cloned(),
            source_pool_id: self.source_ipam_pool_id.known().cloned(),
            aws_service: self.aws_service,
            public_ip_source: self.public_ip_source,
            publicly_advertisable: self.publicly_advertisable,
            settings: self.settings(tags_all),
        }
    }

    /// What the pool changes in place.
    fn settings(&self, tags_all: Tags) -> ops::PoolSettings {
        ops::PoolSettings {
            description: self.description.clone(),
            auto_import: self.auto_import,
            min_netmask: self.allocation_min_netmask_length,
            max_netmask: self.allocation_max_netmask_length,
            default_netmask: self.allocation_default_netmask_length,
            allocation_resource_tags: self.allocation_resource_tags.known().cloned().unwrap_or_default(),
            tags: self.tags.known().cloned().unwrap_or_default(),
            tags_all,
            cascade: self.cascade,
        }
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

/// The state of a pool, as an object: `locale` as configured (null when not set) where the
/// context shows configured values, else its effective value.
fn pool_state(ctx: &Ctx, tx: &Tx, p: &Pool) -> Result<Obj> {
    let mut m = PoolModel::from_domain(tx, p)?;
    if ctx.config.show_configured && !p.locale_configured {
        m.locale = Maybe::Null;
    }
    Ok(m.to_obj())
}

/// The pool ID of a state.
fn id_of(state: &Obj) -> Result<String> {
    Ok(PoolModel::from_obj(state)?.id.unwrap_or_default())
}

fn load(ctx: &Ctx, id: &str) -> Result<Option<Obj>> {
    ctx.store.read(|tx| match tx.pool(id)? {
        Some(p) => pool_state(ctx, tx, &p).map(Some),
        None => Ok(None),
    })
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
        if let Err(e) = pool_rules::check_pool_spec(&config.new_pool(Tags::new()).spec()) {
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

    fn volatile(&self) -> Vec<&'static str> {
        PoolModel::volatile()
    }

    fn modify_plan(&self, ctx: &Ctx, prior: Option<&Obj>, planned: &mut Obj, config: &Obj, diags: &mut Diagnostics) {
        let before = match PoolModel::from_obj(planned) {
            Ok(m) => m,
            Err(e) => return diags.push(diag(&e)),
        };
        if let Err(e) = pool_rules::check_pool_spec(&before.new_pool(Tags::new()).spec()) {
            diags.push(diag(&e));
        }
        if prior.is_some() {
            return;
        }
        let mut m = before.clone();
        if !ctx.config.show_configured && PoolModel::from_config(config).is_ok_and(|c| c.locale.is_null()) {
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
            let new = m.new_pool(Tags::new());
            let account = &ctx.config.account_id;
            match ctx
                .store
                .read(|tx| ops::place_pool(tx, &new, account, &ctx.config.quotas))
            {
                Ok(ops::PoolPlacement { scope, ipam, depth, .. }) => {
                    m.ipam_scope_type = scope.scope_type.into();
                    m.pool_depth = depth.into();
                    if let Err(e) = pool_rules::check_locale(new.locale.as_deref(), &ipam.id, &ipam.operating_regions) {
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
        let mut new = m.new_pool(planned_tags_all(ctx, m.tags.known(), &m.tags_all));
        if !ctx.config.show_configured {
            // The plan has the default when `locale` is not set: `None` counts as not set.
            new.locale = new.locale.filter(|l| l != LOCALE_NONE);
        }
        ctx.store.write(|tx| {
            let p = ops::create_pool(tx, new, &ctx.config.account_id, &ctx.config.quotas)?;
            pool_state(ctx, tx, &p)
        })
    }

    fn update(&self, ctx: &Ctx, prior: &Obj, planned: &Obj) -> Result<Obj> {
        let id = id_of(prior)?;
        let m = PoolModel::from_obj(planned)?;
        let set = m.settings(planned_tags_all(ctx, m.tags.known(), &m.tags_all));
        ctx.store.write(|tx| {
            let p = ops::update_pool(tx, &id, set, &ctx.config.account_id)?;
            pool_state(ctx, tx, &p)
        })
    }

    fn delete(&self, ctx: &Ctx, prior: &Obj) -> Result<()> {
        let id = id_of(prior)?;
        ctx.store
            .write(|tx| ops::delete_pool(tx, &id, &ctx.config.account_id, &ops::now()))
    }

    fn read(&self, ctx: &Ctx, state: &Obj) -> Result<Option<Obj>> {
        load(ctx, &id_of(state)?)
    }

    fn import(&self, ctx: &Ctx, id: &str) -> Result<Obj> {
        ids::check_id(id, "ipam-pool", 17, "pool")?;
        load(ctx, id)?.ok_or_else(|| Error::not_found("pool", id))
    }
}

/// `aws_vpc_ipam_pool`: upstream's pool shows `locale` as configured (null when not set) and has
/// no `owner_id` or `provisioned_cidrs`.
pub static AWS_VIEW: ResourceView = ResourceView {
    name: "aws_vpc_ipam_pool",
    hidden: &["owner_id", "provisioned_cidrs"],
    optional_only: &["locale"],
    timeouts: &["create", "update", "delete"],
    ipam_of: scope_ipam,
    ..ResourceView::SAME
};

/// The IPAM of the pool's scope.
fn scope_ipam(ctx: &Ctx, pool: &Obj) -> Result<Option<String>> {
    let Some(scope_id) = pool.string("ipam_scope_id") else {
        return Ok(None);
    };
    Ok(ctx.store.read(|tx| tx.scope(&scope_id))?.map(|s| s.ipam_id))
}
