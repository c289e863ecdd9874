//! `ipam_resource_share`: lends IPAM pools to other accounts (AWS RAM). A principal of a share
//! with the default permission may allocate from the shared pools; one with the BYOIP-import
//! permission only sees them. Removing a principal stops new allocations and keeps existing ones.

use crate::ipam::model::{Share, ShareStatus};
use crate::ipam::share_rules::{self, DEFAULT_PERMISSION};
use crate::ipam::{Error, Result, access, ops, organization};
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::{Attribute, Block, Schema};
use crate::plugin::value::{Obj, Type, Value};

use super::common::{ObjExt, diag, obj, tags_all_value, tags_value};
use super::framework::{Ctx, Resource, TAGS_ALL_DOC, planned_tags_all};

pub struct ShareResource;

fn set_or_null(v: &[String]) -> Value {
    if v.is_empty() { Value::Null } else { Value::str_set(v) }
}

fn state_of(s: &Share) -> Obj {
    obj([
        ("id", Value::str(&s.arn)),
        ("arn", Value::str(&s.arn)),
        ("name", Value::str(&s.name)),
        ("resource_arns", set_or_null(&s.resource_arns)),
        ("principals", set_or_null(&s.principals)),
        ("permission_arns", Value::str_set(&s.permission_arns)),
        (
            "allow_external_principals",
            s.allow_external_principals.map_or(Value::Null, Value::Bool),
        ),
        ("owner_id", Value::str(&s.owner_id)),
        ("status", Value::str(s.status.as_str())),
        ("tags", tags_value(&s.tags)),
        ("tags_all", tags_all_value(&s.tags_all)),
    ])
}

fn permissions(o: &Obj) -> Vec<String> {
    let p = o.strings("permission_arns");
    if p.is_empty() {
        vec![DEFAULT_PERMISSION.to_string()]
    } else {
        p
    }
}

fn share_from(ctx: &Ctx, arn: String, o: &Obj) -> Share {
    Share {
        arn,
        name: o.string("name").unwrap_or_default(),
        owner_id: ctx.config.account_id.clone(),
        region: ctx.config.region.clone(),
        allow_external_principals: o.boolean("allow_external_principals"),
        permission_arns: permissions(o),
        resource_arns: o.strings("resource_arns"),
        principals: o.strings("principals"),
        tags: o.tags("tags"),
        tags_all: planned_tags_all(ctx, o),
        status: ShareStatus::Active,
    }
}

fn load(ctx: &Ctx, arn: &str) -> Result<Option<Obj>> {
    ctx.store.read(|tx| Ok(tx.share(arn)?.map(|s| state_of(&s))))
}

impl Resource for ShareResource {
    fn name(&self) -> &'static str {
        "ipam_resource_share"
    }

    fn schema(&self) -> Schema {
        let set = || Type::set_of(Type::String);
        Schema {
            version: 0,
            block: Block::new(
                "A resource share that lends IPAM pools to other accounts, as AWS RAM does. A principal of a share with the default \
                 permission may allocate from the shared pools (its allocations show it as `resource_owner`); with the BYOIP-import \
                 permission it sees the pools but cannot allocate. Removing a principal stops new allocations and keeps existing ones.",
                vec![
                    Attribute::computed("id", Type::String, "The share's ARN."),
                    Attribute::computed("arn", Type::String, "`arn:aws:ram:<region>:<account>:resource-share/<uuid>`."),
                    Attribute::required("name", Type::String, "The share's name."),
                    Attribute::optional("resource_arns", set(), "ARNs of the IPAM pools to share (only pools can be shared)."),
                    Attribute::optional("principals", set(), "Who the pools are shared with: account IDs (12 digits), organisation ARNs (`arn:aws:organizations::<management-account>:organization/o-...`: every account of the provider's `organization` block) or OU ARNs (`arn:aws:organizations::<management-account>:ou/o-.../ou-...`: the unit's accounts and its descendants')."),
                    Attribute::optional_computed("permission_arns", set(), "One permission: `arn:aws:ram::aws:permission/AWSRAMDefaultPermissionsIpamPool` (default: view, allocate, release) or `arn:aws:ram::aws:permission/AWSRAMPermissionIpamPoolByoipCidrImport` (import BYOIP CIDRs only).").force_new(),
                    Attribute::optional("allow_external_principals", Type::Bool, "Whether principals outside the organization may be named; `false` with the provider's `organization` block refuses accounts outside it."),
                    Attribute::computed("owner_id", Type::String, "The account that owns the share."),
                    Attribute::computed("status", Type::String, "`ACTIVE`."),
                    Attribute::optional("tags", Type::map_of(Type::String), "Tags."),
                    Attribute::computed("tags_all", Type::map_of(Type::String), TAGS_ALL_DOC),
                ],
            ),
        }
    }

    fn validate(&self, config: &Obj, diags: &mut Diagnostics) {
        if config.known("resource_arns")
            && let Err(e) = share_rules::check_resource_arns(&config.strings("resource_arns"))
        {
            diags.push(diag(&e));
        }
        if config.known("principals")
            && let Err(e) = share_rules::check_principals(&config.strings("principals"))
        {
            diags.push(diag(&e));
        }
        if config.known("permission_arns")
            && config.get("permission_arns").is_some_and(|v| !v.is_null())
            && let Err(e) = share_rules::check_permissions(&config.strings("permission_arns"))
        {
            diags.push(diag(&e));
        }
    }

    fn modify_plan(&self, ctx: &Ctx, prior: Option<&Obj>, planned: &mut Obj, config: &Obj, diags: &mut Diagnostics) {
        if prior.is_none() {
            planned.insert("owner_id".into(), Value::str(&ctx.config.account_id));
            planned.insert("status".into(), Value::str(ShareStatus::Active.as_str()));
            if config.get("permission_arns").is_none_or(Value::is_null) {
                planned.insert("permission_arns".into(), Value::str_set([DEFAULT_PERMISSION]));
            }
        }
        // Organisation and OU principals must be known to the provider's `organization` map.
        if planned.known("principals")
            && let Err(e) = organization::check_share_principals(
                ctx.config.organization.as_ref(),
                &planned.strings("principals"),
                planned.boolean("allow_external_principals"),
            )
        {
            diags.push(diag(&e));
        }
        // What the database already shows about the pools to share (they exist, belong to the
        // acting account, and live in an IPAM of this region), when the pools are new to the share.
        // A share of another account is refused by the owner check at apply instead.
        let arns_changed = prior.is_none_or(|p| {
            p.str("owner_id") == Some(ctx.config.account_id.as_str())
                && !p
                    .get("resource_arns")
                    .unwrap_or(&Value::Null)
                    .semantically_eq(planned.get("resource_arns").unwrap_or(&Value::Null))
        });
        if arns_changed
            && planned.known("resource_arns")
            && let Err(e) = ctx.store.read(|tx| {
                access::check_can_share(
                    tx,
                    &ctx.config.account_id,
                    &ctx.config.region,
                    &planned.strings("resource_arns"),
                )
            })
        {
            diags.push(diag(&e));
        }
    }

    fn create(&self, ctx: &Ctx, planned: &Obj) -> Result<Obj> {
        let share = share_from(
            ctx,
            share_rules::new_share_arn(&ctx.config.region, &ctx.config.account_id),
            planned,
        );
        ctx.store
            .write(|tx| ops::create_share(tx, &share, &ctx.config.account_id, &ctx.config.region))?;
        Ok(state_of(&share))
    }

    fn update(&self, ctx: &Ctx, prior: &Obj, planned: &Obj) -> Result<Obj> {
        let arn = prior.string("arn").unwrap_or_default();
        let share = share_from(ctx, arn, planned);
        let share = ctx
            .store
            .write(|tx| ops::update_share(tx, share, &ctx.config.account_id, &ctx.config.region))?;
        Ok(state_of(&share))
    }

    fn delete(&self, ctx: &Ctx, prior: &Obj) -> Result<()> {
        let arn = prior.string("arn").unwrap_or_default();
        ctx.store
            .write(|tx| ops::delete_share(tx, &arn, &ctx.config.account_id))
    }

    fn read(&self, ctx: &Ctx, state: &Obj) -> Result<Option<Obj>> {
        load(ctx, state.str("arn").unwrap_or_default())
    }

    fn import(&self, ctx: &Ctx, id: &str) -> Result<Obj> {
        share_rules::parse_share_arn(id)?;
        load(ctx, id)?.ok_or_else(|| Error::not_found("resource share", id))
    }
}
