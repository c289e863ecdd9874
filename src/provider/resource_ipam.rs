//! `ipam`: an IPAM with its two default scopes.

use std::collections::BTreeMap;

use crate::ipam::ids;
use crate::ipam::model::{Ipam, MeteredAccount, State, Tier};
use crate::ipam::{Error, Result, ops, rules};
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::Schema;
use crate::plugin::value::Obj;

use super::aws_resource::ResourceView;
use super::common::{checked_at_apply, diag};
use super::framework::{Ctx, Resource, TAGS_ALL_DOC};
use super::model::{Maybe, Model, Set, model, planned_tags_all};

model! {
    /// One of an IPAM's operating regions.
    pub struct OperatingRegion {
        region_name: String = required("Region name, e.g. `us-east-1`."),
    }
}

model! {
    /// `ipam`.
    pub struct IpamModel("An IPAM: the top of the address hierarchy. Creating it creates a public and a private default scope. One per region per account by default.") {
        id: Maybe<String> = computed("The IPAM ID (`ipam-` and 17 hex digits)."),
        arn: Maybe<String> = computed("The IPAM's ARN."),
        description: Option<String> = optional("A description."),
        cascade: Option<bool> = optional("On destroy, also delete the private scopes, their pools, CIDRs and allocations. Refused while the public scope has pools."),
        enable_private_gua: Option<bool> = optional("Whether the private scopes may hold global unicast IPv6 (inside `2000::/3`) besides unique local space (`fd00::/8`, always allowed). Off unless set. Turning it off is refused while a private pool holds global unicast space."),
        tier: Option<Tier> = optional("`free` or `advanced`; `advanced` when not set. Stored and reported: no feature is withheld from the free tier here. Changing it updates the IPAM in place."),
        metered_account: Maybe<MeteredAccount> = optional_computed("The account billed for the IPAM's active IP addresses: `ipam-owner` (the default) or `resource-owner`. Stored and reported; nothing is billed. Changing it updates the IPAM in place."),
        default_resource_discovery_id: Maybe<String> = computed("ID of the IPAM's default resource discovery (`ipam-res-disco-` and the IPAM ID's hex digits)."),
        default_resource_discovery_association_id: Maybe<String> = computed("ID of the association of the default resource discovery with the IPAM (`ipam-res-disco-assoc-` and the IPAM ID's hex digits)."),
        home_region: Maybe<String> = computed("The region the IPAM was created in (the provider's `region`)."),
        owner_id: Maybe<String> = computed("The account that owns the IPAM."),
        public_default_scope_id: Maybe<String> = computed("ID of the default public scope."),
        private_default_scope_id: Maybe<String> = computed("ID of the default private scope."),
        scope_count: Maybe<i64> = computed("Number of scopes, the two default scopes included.").volatile(),
        state: Maybe<State> = computed("`create-complete`, or `modify-complete` after an update."),
        tags: Option<BTreeMap<String, String>> = optional("Tags."),
        tags_all: Maybe<BTreeMap<String, String>> = computed(TAGS_ALL_DOC),
        operating_regions: Maybe<Set<OperatingRegion>> = set_block("A region where the IPAM manages addresses.").min_items(1),
    }
}

impl IpamModel {
    /// The state of an IPAM with `scope_count` scopes.
    pub fn of(i: &Ipam, scope_count: i64) -> IpamModel {
        IpamModel {
            id: i.id.clone().into(),
            arn: ids::ec2_arn(&i.owner_id, "ipam", &i.id).into(),
            description: i.description.clone(),
            cascade: i.cascade,
            enable_private_gua: i.enable_private_gua,
            tier: i.tier,
            metered_account: i.metered_account.into(),
            default_resource_discovery_id: i.default_resource_discovery_id().into(),
            default_resource_discovery_association_id: i.default_resource_discovery_association_id().into(),
            home_region: i.home_region.clone().into(),
            owner_id: i.owner_id.clone().into(),
            public_default_scope_id: i.public_default_scope_id.clone().into(),
            private_default_scope_id: i.private_default_scope_id.clone().into(),
            scope_count: scope_count.into(),
            state: i.state.into(),
            tags: (!i.tags.is_empty()).then(|| i.tags.clone()),
            tags_all: i.tags_all.clone().into(),
            operating_regions: i
                .operating_regions
                .iter()
                .map(|r| OperatingRegion { region_name: r.clone() })
                .collect::<Set<_>>()
                .into(),
        }
    }

    /// The IPAM's ID, as the state holds it.
    fn id(&self) -> &str {
        self.id.known().map_or("", String::as_str)
    }

    /// The operating region names; `None` while any is unknown or the block is null.
    fn regions(&self) -> Option<Vec<String>> {
        let rs = self.operating_regions.known()?;
        Some(rs.iter().map(|r| r.region_name.clone()).collect())
    }
}

pub struct IpamResource;

fn load(ctx: &Ctx, id: &str) -> Result<Option<IpamModel>> {
    ctx.store.read(|tx| {
        let Some(i) = tx.ipam(id)? else { return Ok(None) };
        let n = tx.count_scopes(id)?;
        Ok(Some(IpamModel::of(&i, n)))
    })
}

impl Resource for IpamResource {
    fn name(&self) -> &'static str {
        "ipam"
    }

    fn schema(&self) -> Schema {
        IpamModel::schema()
    }

    fn validate(&self, config: &Obj, diags: &mut Diagnostics) {
        let config = match IpamModel::from_config(config) {
            Ok(m) => m,
            Err(e) => return diags.push(diag(&e)),
        };
        for r in config.regions().unwrap_or_default() {
            if let Err(e) = rules::check_region_name(&r, rules::operating_region_name()) {
                diags.push(diag(&e));
            }
        }
    }

    fn volatile(&self) -> Vec<&'static str> {
        IpamModel::volatile()
    }

    fn modify_plan(&self, ctx: &Ctx, prior: Option<&Obj>, planned: &mut Obj, _config: &Obj, diags: &mut Diagnostics) {
        let (before, prior) = match (IpamModel::from_obj(planned), prior.map(IpamModel::from_obj).transpose()) {
            (Ok(b), Ok(p)) => (b, p),
            (Err(e), _) | (_, Err(e)) => return diags.push(diag(&e)),
        };
        // The planned home region (`region` in the aws view, where a change replaces the IPAM),
        // else the stored one, else the region it is created in.
        let home = before
            .home_region
            .known()
            .or_else(|| prior.as_ref().and_then(|p| p.home_region.known()))
            .cloned()
            .unwrap_or_else(|| ctx.config.region.clone());
        if let Some(regions) = before.regions()
            && let Err(e) = rules::check_operating_regions(&home, &regions)
        {
            diags.push(diag(&e));
        }
        // The pools' CIDRs may be deprovisioned in the same plan: apply decides.
        if let Some(p) = prior.as_ref()
            && let Err(e) = ctx
                .store
                .read(|tx| ops::check_private_gua_setting(tx, p.id(), before.enable_private_gua))
        {
            diags.push(checked_at_apply(&e));
        }
        if prior.is_none() {
            let mut plan = before.clone();
            plan.home_region = ctx.config.region.clone().into();
            if plan.metered_account.is_unknown() {
                plan.metered_account = MeteredAccount::IpamOwner.into();
            }
            plan.owner_id = ctx.config.account_id.clone().into();
            plan.scope_count = 2.into();
            plan.state = State::CreateComplete.into();
            plan.write_changed(&before, planned);
        }
    }

    fn create(&self, ctx: &Ctx, planned: &Obj) -> Result<Obj> {
        let set = settings(ctx, IpamModel::from_obj(planned)?);
        let c = &ctx.config;
        ctx.store.write(|tx| {
            let i = ops::create_ipam(tx, set, &c.account_id, &c.region, &c.quotas)?;
            Ok(IpamModel::of(&i, tx.count_scopes(&i.id)?).to_obj())
        })
    }

    fn update(&self, ctx: &Ctx, prior: &Obj, planned: &Obj) -> Result<Obj> {
        let prior = IpamModel::from_obj(prior)?;
        let set = settings(ctx, IpamModel::from_obj(planned)?);
        let id = prior.id();
        ctx.store.write(|tx| {
            let i = ops::update_ipam(tx, id, set, &ctx.config.account_id)?;
            Ok(IpamModel::of(&i, tx.count_scopes(id)?).to_obj())
        })
    }

    fn delete(&self, ctx: &Ctx, prior: &Obj) -> Result<()> {
        let prior = IpamModel::from_obj(prior)?;
        ctx.store
            .write(|tx| ops::delete_ipam(tx, prior.id(), &ctx.config.account_id))
    }

    fn read(&self, ctx: &Ctx, state: &Obj) -> Result<Option<Obj>> {
        let state = IpamModel::from_obj(state)?;
        Ok(load(ctx, state.id())?.map(|m| m.to_obj()))
    }

    fn import(&self, ctx: &Ctx, id: &str) -> Result<Obj> {
        ids::check_id(id, "ipam", 17, "IPAM")?;
        Ok(load(ctx, id)?.ok_or_else(|| Error::not_found("IPAM", id))?.to_obj())
    }
}

/// What the plan sets on the IPAM.
fn settings(ctx: &Ctx, plan: IpamModel) -> ops::IpamSettings {
    ops::IpamSettings {
        operating_regions: plan.regions().unwrap_or_default(),
        tags_all: planned_tags_all(ctx, plan.tags.as_ref(), &plan.tags_all),
        description: plan.description,
        tags: plan.tags.unwrap_or_default(),
        cascade: plan.cascade,
        enable_private_gua: plan.enable_private_gua,
        tier: plan.tier,
        metered_account: plan.metered_account.known().copied(),
    }
}

/// `aws_vpc_ipam`: upstream's IPAM has `region` for its home region (the IPAM is created in the
/// planned region, and its operating regions must include it), and no `owner_id` or `state`.
pub static AWS_VIEW: ResourceView = ResourceView {
    name: "aws_vpc_ipam",
    renames: &[("home_region", "region")],
    hidden: &["owner_id", "state"],
    timeouts: &["create", "update", "delete"],
    region_attribute: Some("home_region"),
    ..ResourceView::SAME
};
