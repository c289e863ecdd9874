//! `ipam_scope`: a private scope of an IPAM.

use std::collections::BTreeMap;

use crate::ipam::ids;
use crate::ipam::model::{Scope, ScopeType, State};
use crate::ipam::{Error, Result, ops, rules};
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::Schema;
use crate::plugin::value::Obj;

use super::aws_resource::ResourceView;
use super::common::{ObjExt, diag};
use super::framework::{Ctx, Resource, TAGS_ALL_DOC};
use super::model::{Maybe, Model, model, planned_tags_all};

model! {
    /// `ipam_scope`.
    pub struct ScopeModel("A private scope of an IPAM: a separate address space, for example for overlapping networks. At most 5 scopes per IPAM, the two default scopes included.") {
        id: Maybe<String> = computed("The scope ID (`ipam-scope-` and 17 hex digits)."),
        arn: Maybe<String> = computed("The scope's ARN."),
        ipam_arn: Maybe<String> = computed("The ARN of the IPAM the scope belongs to."),
        ipam_id: Option<String> = required("The IPAM to create the scope in. Changing it replaces the scope.").force_new(),
        description: Option<String> = optional("A description."),
        ipam_scope_type: Maybe<ScopeType> = computed("`private` (only private scopes can be created)."),
        is_default: Maybe<bool> = computed("Whether this is a default scope (false for created scopes)."),
        pool_count: Maybe<i64> = computed("Number of pools in the scope.").volatile(),
        state: Maybe<State> = computed("`create-complete`, or `modify-complete` after an update."),
        tags: Option<BTreeMap<String, String>> = optional("Tags."),
        tags_all: Maybe<BTreeMap<String, String>> = computed(TAGS_ALL_DOC),
    }
}

impl ScopeModel {
    /// The state of a scope of an IPAM owned by `ipam_owner`, holding `pool_count` pools.
    pub fn of(s: &Scope, ipam_owner: &str, pool_count: i64) -> ScopeModel {
        ScopeModel {
            id: s.id.clone().into(),
            arn: ids::ec2_arn(&s.owner_id, "ipam-scope", &s.id).into(),
            ipam_arn: ids::ec2_arn(ipam_owner, "ipam", &s.ipam_id).into(),
            ipam_id: Some(s.ipam_id.clone()),
            description: s.description.clone(),
            ipam_scope_type: s.scope_type.into(),
            is_default: s.is_default.into(),
            pool_count: pool_count.into(),
            state: s.state.into(),
            tags: (!s.tags.is_empty()).then(|| s.tags.clone()),
            tags_all: s.tags_all.clone().into(),
        }
    }

    /// The scope's ID, as the state holds it.
    fn id(&self) -> &str {
        self.id.known().map_or("", String::as_str)
    }
}

pub struct ScopeResource;

fn load(ctx: &Ctx, id: &str) -> Result<Option<ScopeModel>> {
    ctx.store.read(|tx| {
        let Some(s) = tx.scope(id)? else { return Ok(None) };
        let owner = tx
            .ipam(&s.ipam_id)?
            .map(|i| i.owner_id)
            .unwrap_or_else(|| s.owner_id.clone());
        let n = tx.count_pools_in_scope(id)?;
        Ok(Some(ScopeModel::of(&s, &owner, n)))
    })
}

impl Resource for ScopeResource {
    fn name(&self) -> &'static str {
        "ipam_scope"
    }

    fn schema(&self) -> Schema {
        ScopeModel::schema()
    }

    fn validate(&self, config: &Obj, diags: &mut Diagnostics) {
        let Ok(config) = ScopeModel::from_obj(config) else {
            return;
        };
        if let Some(id) = &config.ipam_id
            && let Err(e) = ids::check_id(id, "ipam", 17, "IPAM")
        {
            diags.push(diag(&e.at("ipam_id")));
        }
    }

    fn volatile(&self) -> Vec<&'static str> {
        ScopeModel::volatile()
    }

    fn modify_plan(&self, ctx: &Ctx, prior: Option<&Obj>, planned: &mut Obj, _config: &Obj, diags: &mut Diagnostics) {
        if prior.is_some() {
            return;
        }
        let before = match ScopeModel::from_obj(planned) {
            Ok(m) => m,
            Err(e) => return diags.push(diag(&e)),
        };
        let mut plan = before.clone();
        plan.ipam_scope_type = rules::creatable_scope_type().into();
        plan.is_default = false.into();
        plan.pool_count = 0.into();
        plan.state = State::CreateComplete.into();
        if let Some(ipam_id) = &plan.ipam_id {
            match ctx.store.read(|tx| tx.ipam(ipam_id)) {
                Ok(Some(i)) => plan.ipam_arn = ids::ec2_arn(&i.owner_id, "ipam", &i.id).into(),
                Ok(None) => diags.push(diag(&Error::not_found("IPAM", ipam_id).at("ipam_id"))),
                Err(e) => diags.push(diag(&e)),
            }
        }
        plan.write_changed(&before, planned);
    }

    fn create(&self, ctx: &Ctx, planned: &Obj) -> Result<Obj> {
        let plan = ScopeModel::from_obj(planned)?;
        let ipam_id = plan.ipam_id.clone().unwrap_or_default();
        let set = settings(ctx, plan);
        let (scope, owner) = ctx
            .store
            .write(|tx| ops::create_scope(tx, &ipam_id, set, &ctx.config.account_id, &ctx.config.quotas))?;
        Ok(ScopeModel::of(&scope, &owner, 0).to_obj())
    }

    fn update(&self, ctx: &Ctx, prior: &Obj, planned: &Obj) -> Result<Obj> {
        let prior = ScopeModel::from_obj(prior)?;
        let set = settings(ctx, ScopeModel::from_obj(planned)?);
        let id = prior.id();
        ctx.store.write(|tx| {
            let s = ops::update_scope(tx, id, set, &ctx.config.account_id)?;
            let owner = tx
                .ipam(&s.ipam_id)?
                .map(|i| i.owner_id)
                .unwrap_or_else(|| s.owner_id.clone());
            Ok(ScopeModel::of(&s, &owner, tx.count_pools_in_scope(id)?).to_obj())
        })
    }

    fn delete(&self, ctx: &Ctx, prior: &Obj) -> Result<()> {
        let prior = ScopeModel::from_obj(prior)?;
        ctx.store
            .write(|tx| ops::delete_scope(tx, prior.id(), &ctx.config.account_id))
    }

    fn read(&self, ctx: &Ctx, state: &Obj) -> Result<Option<Obj>> {
        let state = ScopeModel::from_obj(state)?;
        Ok(load(ctx, state.id())?.map(|m| m.to_obj()))
    }

    fn import(&self, ctx: &Ctx, id: &str) -> Result<Obj> {
        ids::check_id(id, "ipam-scope", 17, "scope")?;
        Ok(load(ctx, id)?.ok_or_else(|| Error::not_found("scope", id))?.to_obj())
    }
}

/// What the plan sets on the scope.
fn settings(ctx: &Ctx, plan: ScopeModel) -> ops::ScopeSettings {
    ops::ScopeSettings {
        tags_all: planned_tags_all(ctx, plan.tags.as_ref(), &plan.tags_all),
        description: plan.description,
        tags: plan.tags.unwrap_or_default(),
    }
}

/// `aws_vpc_ipam_scope`: upstream's scope has no `state`; a changed `ipam_id` replaces the scope
/// (upstream plans an update that does not move it).
pub static AWS_VIEW: ResourceView = ResourceView {
    name: "aws_vpc_ipam_scope",
    hidden: &["state"],
    timeouts: &["create", "update", "delete"],
    ipam_of: |_, o| Ok(o.string("ipam_id")),
    ..ResourceView::SAME
};
