//! `ipam_resource_share`: lends IPAM pools to other accounts (AWS RAM). A principal of a share
//! with the default permission may allocate from the shared pools; one with the BYOIP-import
//! permission only sees them. Removing a principal stops new allocations and keeps existing ones.

use std::collections::BTreeMap;

use crate::ipam::model::{Share, ShareStatus};
use crate::ipam::share_rules::{self, DEFAULT_PERMISSION};
use crate::ipam::{Error, Result, access, ops, organization};
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::Schema;
use crate::plugin::value::Obj;

use super::aws_resource::ResourceView;
use super::common::diag;
use super::framework::{Ctx, Resource, TAGS_ALL_DOC};
use super::model::{Maybe, Model, Set, TfValue, model, planned_tags_all};

model! {
    /// `ipam_resource_share`.
    pub struct ShareModel("A resource share that lends IPAM pools to other accounts, as AWS RAM does. A principal of a share with the default \
                 permission may allocate from the shared pools (its allocations show it as `resource_owner`); with the BYOIP-import \
                 permission it sees the pools but cannot allocate. Removing a principal stops new allocations and keeps existing ones.") {
        id: Maybe<String> = computed("The share's ARN."),
        arn: Maybe<String> = computed("`arn:aws:ram:<region>:<account>:resource-share/<uuid>`."),
        name: Option<String> = required("The share's name."),
        resource_arns: Maybe<Set<String>> = optional("ARNs of the IPAM pools to share (only pools can be shared)."),
        principals: Maybe<Set<String>> = optional("Who the pools are shared with: account IDs (12 digits), organisation ARNs (`arn:aws:organizations::<management-account>:organization/o-...`: every account of the provider's `organization` block) or OU ARNs (`arn:aws:organizations::<management-account>:ou/o-.../ou-...`: the unit's accounts and its descendants')."),
        permission_arns: Maybe<Set<String>> = optional_computed("One permission: `arn:aws:ram::aws:permission/AWSRAMDefaultPermissionsIpamPool` (default: view, allocate, release) or `arn:aws:ram::aws:permission/AWSRAMPermissionIpamPoolByoipCidrImport` (import BYOIP CIDRs only).").force_new(),
        allow_external_principals: Option<bool> = optional("Whether principals outside the organization may be named; `false` with the provider's `organization` block refuses accounts outside it."),
        owner_id: Maybe<String> = computed("The account that owns the share."),
        status: Maybe<ShareStatus> = computed("`ACTIVE`."),
        tags: Option<BTreeMap<String, String>> = optional("Tags."),
        tags_all: Maybe<BTreeMap<String, String>> = computed(TAGS_ALL_DOC),
    }
}

/// A set, null when empty (an absent argument reads back as absent).
fn set_or_null(v: &[String]) -> Maybe<Set<String>> {
    if v.is_empty() {
        Maybe::Null
    } else {
        Maybe::Known(v.iter().cloned().collect())
    }
}

/// The strings of a set, none when it is null or not known.
fn strings(v: &Maybe<Set<String>>) -> Vec<String> {
    v.known().map(|s| s.0.clone()).unwrap_or_default()
}

impl ShareModel {
    /// The state of a share.
    pub fn of(s: &Share) -> ShareModel {
        ShareModel {
            id: s.arn.clone().into(),
            arn: s.arn.clone().into(),
            name: Some(s.name.clone()),
            resource_arns: set_or_null(&s.resource_arns),
            principals: set_or_null(&s.principals),
            permission_arns: s.permission_arns.iter().cloned().collect::<Set<_>>().into(),
            allow_external_principals: s.allow_external_principals,
            owner_id: s.owner_id.clone().into(),
            status: s.status.into(),
            tags: (!s.tags.is_empty()).then(|| s.tags.clone()),
            tags_all: s.tags_all.clone().into(),
        }
    }

    /// The share's ARN, as the state holds it.
    fn arn(&self) -> &str {
        self.arn.known().map_or("", String::as_str)
    }

    /// The permissions to share with: the default one unless set.
    fn permissions(&self) -> Vec<String> {
        let p = strings(&self.permission_arns);
        if p.is_empty() {
            vec![DEFAULT_PERMISSION.to_string()]
        } else {
            p
        }
    }

    /// The share a plan describes.
    fn share(&self, ctx: &Ctx, arn: String) -> Share {
        Share {
            arn,
            name: self.name.clone().unwrap_or_default(),
            owner_id: ctx.config.account_id.clone(),
            region: ctx.config.region.clone(),
            allow_external_principals: self.allow_external_principals,
            permission_arns: self.permissions(),
            resource_arns: strings(&self.resource_arns),
            principals: strings(&self.principals),
            tags: self.tags.clone().unwrap_or_default(),
            tags_all: planned_tags_all(ctx, self.tags.as_ref(), &self.tags_all),
            status: ShareStatus::Active,
        }
    }
}

pub struct ShareResource {
    /// The share's pools and principals are managed one by one by association resources (the
    /// aws view's `aws_ram_resource_association` and `aws_ram_principal_association`): not
    /// arguments of the share, and kept as stored when the share is updated.
    pub associated_members: bool,
}

impl ShareResource {
    /// `ipam_resource_share`: the share names its pools and principals.
    pub const IPAM: ShareResource = ShareResource {
        associated_members: false,
    };
}

fn load(ctx: &Ctx, arn: &str) -> Result<Option<Obj>> {
    ctx.store
        .read(|tx| Ok(tx.share(arn)?.map(|s| ShareModel::of(&s).to_obj())))
}

impl Resource for ShareResource {
    fn name(&self) -> &'static str {
        "ipam_resource_share"
    }

    fn schema(&self) -> Schema {
        ShareModel::schema()
    }

    fn validate(&self, config: &Obj, diags: &mut Diagnostics) {
        let Ok(config) = ShareModel::from_config(config) else {
            return;
        };
        if let Some(arns) = config.resource_arns.known()
            && let Err(e) = share_rules::check_resource_arns(arns)
        {
            diags.push(diag(&e));
        }
        if let Some(principals) = config.principals.known()
            && let Err(e) = share_rules::check_principals(principals)
        {
            diags.push(diag(&e));
        }
        if let Some(permissions) = config.permission_arns.known()
            && let Err(e) = share_rules::check_permissions(permissions)
        {
            diags.push(diag(&e));
        }
    }

    fn modify_plan(&self, ctx: &Ctx, prior: Option<&Obj>, planned: &mut Obj, config: &Obj, diags: &mut Diagnostics) {
        let (before, config) = match (ShareModel::from_obj(planned), ShareModel::from_config(config)) {
            (Ok(b), Ok(c)) => (b, c),
            (Err(e), _) | (_, Err(e)) => return diags.push(diag(&e)),
        };
        let prior = match prior.map(ShareModel::from_obj).transpose() {
            Ok(p) => p,
            Err(e) => return diags.push(diag(&e)),
        };
        let mut plan = before.clone();
        if prior.is_none() {
            plan.owner_id = ctx.config.account_id.clone().into();
            plan.status = ShareStatus::Active.into();
            if config.permission_arns.is_null() {
                plan.permission_arns = Set(vec![DEFAULT_PERMISSION.to_string()]).into();
            }
        }
        // Organisation and OU principals must be known to the provider's `organization` map.
        if let Some(principals) = plan.principals.known()
            && let Err(e) = organization::check_share_principals(
                ctx.config.organization.as_ref(),
                principals,
                plan.allow_external_principals,
            )
        {
            diags.push(diag(&e));
        }
        // What the database already shows about the pools to share (they exist, belong to the
        // acting account, and live in an IPAM of this region), when the pools are new to the share.
        // A share of another account is refused by the owner check at apply instead.
        let arns_changed = prior.as_ref().is_none_or(|p| {
            p.owner_id.known() == Some(&ctx.config.account_id)
                && !p.resource_arns.encode().semantically_eq(&plan.resource_arns.encode())
        });
        if arns_changed
            && let Some(arns) = plan.resource_arns.known()
            && let Err(e) = ctx
                .store
                .read(|tx| access::check_can_share(tx, &ctx.config.account_id, &ctx.config.region, arns))
        {
            diags.push(diag(&e));
        }
        plan.write_changed(&before, planned);
    }

    fn create(&self, ctx: &Ctx, planned: &Obj) -> Result<Obj> {
        let plan = ShareModel::from_obj(planned)?;
        let share = plan.share(
            ctx,
            share_rules::new_share_arn(&ctx.config.region, &ctx.config.account_id),
        );
        ctx.store
            .write(|tx| ops::create_share(tx, &share, &ctx.config.account_id, &ctx.config.region))?;
        Ok(ShareModel::of(&share).to_obj())
    }

    fn update(&self, ctx: &Ctx, prior: &Obj, planned: &Obj) -> Result<Obj> {
        let prior = ShareModel::from_obj(prior)?;
        let share = ShareModel::from_obj(planned)?.share(ctx, prior.arn().to_string());
        let (account, region) = (&ctx.config.account_id, &ctx.config.region);
        let share = ctx.store.write(|tx| {
            if self.associated_members {
                ops::update_share_keeping_members(tx, share, account, region)
            } else {
                ops::update_share(tx, share, account, region)
            }
        })?;
        Ok(ShareModel::of(&share).to_obj())
    }

    fn delete(&self, ctx: &Ctx, prior: &Obj) -> Result<()> {
        let prior = ShareModel::from_obj(prior)?;
        ctx.store
            .write(|tx| ops::delete_share(tx, prior.arn(), &ctx.config.account_id))
    }

    fn read(&self, ctx: &Ctx, state: &Obj) -> Result<Option<Obj>> {
        load(ctx, ShareModel::from_obj(state)?.arn())
    }

    fn import(&self, ctx: &Ctx, id: &str) -> Result<Obj> {
        share_rules::parse_share_arn(id)?;
        load(ctx, id)?.ok_or_else(|| Error::not_found("resource share", id))
    }
}

/// `aws_ram_resource_share`: the same share, whose pools and principals are the elements of
/// `aws_ram_resource_association` and `aws_ram_principal_association` (a share created under
/// this name starts empty); `permission_arns` replaces the share, as it does here.
pub static AWS_VIEW: ResourceView = ResourceView {
    name: "aws_ram_resource_share",
    hidden: &["resource_arns", "principals", "owner_id", "status"],
    timeouts: &["create", "delete"],
    ..ResourceView::SAME
};
