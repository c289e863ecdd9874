//! `ipam_scope`: a private scope of an IPAM.

use crate::ipam::ids;
use crate::ipam::model::{Scope, State};
use crate::ipam::{Error, Result, access, rules};
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::{Attribute, Block, Schema};
use crate::plugin::value::{Obj, Type, Value};

use super::common::{ObjExt, diag, obj, tags_all_value, tags_value};
use super::framework::{Ctx, Resource, TAGS_ALL_DOC, planned_tags_all};

pub struct ScopeResource;

pub(crate) fn state_of(s: &Scope, ipam_owner: &str, pool_count: i64) -> Obj {
    obj([
        ("id", Value::str(&s.id)),
        ("arn", Value::str(ids::ec2_arn(&s.owner_id, "ipam-scope", &s.id))),
        ("ipam_arn", Value::str(ids::ec2_arn(ipam_owner, "ipam", &s.ipam_id))),
        ("ipam_id", Value::str(&s.ipam_id)),
        ("description", Value::opt_str(s.description.clone())),
        ("ipam_scope_type", Value::str(s.scope_type.as_str())),
        ("is_default", Value::Bool(s.is_default)),
        ("pool_count", Value::int(pool_count)),
        ("state", Value::str(s.state.as_str())),
        ("tags", tags_value(&s.tags)),
        ("tags_all", tags_all_value(&s.tags_all)),
    ])
}

fn load(ctx: &Ctx, id: &str) -> Result<Option<Obj>> {
    ctx.store.read(|tx| {
        let Some(s) = tx.scope(id)? else { return Ok(None) };
        let owner = tx
            .ipam(&s.ipam_id)?
            .map(|i| i.owner_id)
            .unwrap_or_else(|| s.owner_id.clone());
        let n = tx.count_pools_in_scope(id)?;
        Ok(Some(state_of(&s, &owner, n)))
    })
}

impl Resource for ScopeResource {
    fn name(&self) -> &'static str {
        "ipam_scope"
    }

    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new(
                "A private scope of an IPAM: a separate address space, for example for overlapping networks. At most 5 scopes per IPAM, the two default scopes included.",
                vec![
                    Attribute::computed("id", Type::String, "The scope ID (`ipam-scope-` and 17 hex digits)."),
                    Attribute::computed("arn", Type::String, "The scope's ARN."),
                    Attribute::computed("ipam_arn", Type::String, "The ARN of the IPAM the scope belongs to."),
                    Attribute::required(
                        "ipam_id",
                        Type::String,
                        "The IPAM to create the scope in. Changing it replaces the scope.",
                    )
                    .force_new(),
                    Attribute::optional("description", Type::String, "A description."),
                    Attribute::computed(
                        "ipam_scope_type",
                        Type::String,
                        "`private` (only private scopes can be created).",
                    ),
                    Attribute::computed(
                        "is_default",
                        Type::Bool,
                        "Whether this is a default scope (false for created scopes).",
                    ),
                    Attribute::computed("pool_count", Type::Number, "Number of pools in the scope."),
                    Attribute::computed(
                        "state",
                        Type::String,
                        "`create-complete`, or `modify-complete` after an update.",
                    ),
                    Attribute::optional("tags", Type::map_of(Type::String), "Tags."),
                    Attribute::computed("tags_all", Type::map_of(Type::String), TAGS_ALL_DOC),
                ],
            ),
        }
    }

    fn validate(&self, config: &Obj, diags: &mut Diagnostics) {
        if let Some(id) = config.str("ipam_id")
            && let Err(e) = ids::check_id(id, "ipam", 17, "IPAM")
        {
            diags.push(diag(&e.at("ipam_id")));
        }
    }

    fn volatile(&self) -> &'static [&'static str] {
        &["pool_count"]
    }

    fn modify_plan(&self, ctx: &Ctx, prior: Option<&Obj>, planned: &mut Obj, _config: &Obj, diags: &mut Diagnostics) {
        if prior.is_some() {
            return;
        }
        planned.insert(
            "ipam_scope_type".into(),
            Value::str(rules::creatable_scope_type().as_str()),
        );
        planned.insert("is_default".into(), Value::Bool(false));
        planned.insert("pool_count".into(), Value::int(0));
        planned.insert("state".into(), Value::str(State::CreateComplete.as_str()));
        if let Some(ipam_id) = planned.string("ipam_id") {
            match ctx.store.read(|tx| tx.ipam(&ipam_id)) {
                Ok(Some(i)) => {
                    planned.insert("ipam_arn".into(), Value::str(ids::ec2_arn(&i.owner_id, "ipam", &i.id)));
                }
                Ok(None) => diags.push(diag(&Error::not_found("IPAM", &ipam_id).at("ipam_id"))),
                Err(e) => diags.push(diag(&e)),
            }
        }
    }

    fn create(&self, ctx: &Ctx, planned: &Obj) -> Result<Obj> {
        let ipam_id = planned.string("ipam_id").unwrap_or_default();
        let scope = Scope {
            id: ids::new_id("ipam-scope"),
            ipam_id: ipam_id.clone(),
            owner_id: ctx.config.account_id.clone(),
            scope_type: rules::creatable_scope_type(),
            is_default: false,
            description: planned.string("description"),
            tags: planned.tags("tags"),
            tags_all: planned_tags_all(ctx, planned),
            state: State::CreateComplete,
        };
        let owner = ctx.store.write(|tx| {
            let ipam = tx
                .ipam(&ipam_id)?
                .ok_or_else(|| Error::not_found("IPAM", &ipam_id).at("ipam_id"))?;
            access::check_owner(&ctx.config.account_id, "IPAM", &ipam_id, &ipam.owner_id)?;
            rules::check_scope_quota(tx.count_scopes(&ipam_id)?, &ctx.config.quotas, &ipam_id)?;
            tx.insert_scope(&scope)?;
            Ok(ipam.owner_id)
        })?;
        Ok(state_of(&scope, &owner, 0))
    }

    fn update(&self, ctx: &Ctx, prior: &Obj, planned: &Obj) -> Result<Obj> {
        let id = prior.str("id").unwrap_or_default();
        ctx.store.write(|tx| {
            let mut s = tx.scope(id)?.ok_or_else(|| Error::not_found("scope", id))?;
            access::check_owner(&ctx.config.account_id, "Scope", id, &s.owner_id)?;
            s.description = planned.string("description");
            s.tags = planned.tags("tags");
            s.tags_all = planned_tags_all(ctx, planned);
            s.state = State::ModifyComplete;
            tx.update_scope(&s)?;
            let owner = tx
                .ipam(&s.ipam_id)?
                .map(|i| i.owner_id)
                .unwrap_or_else(|| s.owner_id.clone());
            Ok(state_of(&s, &owner, tx.count_pools_in_scope(id)?))
        })
    }

    fn delete(&self, ctx: &Ctx, prior: &Obj) -> Result<()> {
        let id = prior.str("id").unwrap_or_default();
        ctx.store.write(|tx| {
            let Some(s) = tx.scope(id)? else { return Ok(()) };
            access::check_owner(&ctx.config.account_id, "Scope", id, &s.owner_id)?;
            rules::check_scope_deletable(&s, tx.count_pools_in_scope(id)?)?;
            tx.delete_scope(id)
        })
    }

    fn read(&self, ctx: &Ctx, state: &Obj) -> Result<Option<Obj>> {
        load(ctx, state.str("id").unwrap_or_default())
    }

    fn import(&self, ctx: &Ctx, id: &str) -> Result<Obj> {
        ids::check_id(id, "ipam-scope", 17, "scope")?;
        load(ctx, id)?.ok_or_else(|| Error::not_found("scope", id))
    }
}
