//! `aws_ram_resource_association` and `aws_ram_principal_association` (aws view only): one pool
//! or one principal of a resource share, added and removed inside one write transaction with
//! the share's rules (R-79, R-82; principals as `ipam_resource_share` takes them). The share
//! holds the element, so `ipam_resource_share` shows it too; an association reads as present
//! while the share holds its element. No update: every argument replaces the association.
//! Import IDs are upstream's, `<share-arn>,<resource-arn>` and `<share-arn>,<principal>`.

use crate::ipam::ops::{self, ShareMember};
use crate::ipam::{Error, Result, ids, share_rules};
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::{Attribute, Block, Schema};
use crate::plugin::value::{Obj, Type, Value};

use super::aws_resource::ResourceView;
use super::common::{ObjExt, diag, obj};
use super::framework::{Ctx, Resource};

/// One association type: which element of the share it manages, and its words.
pub struct AssociationResource {
    member: ShareMember,
    description: &'static str,
    element_description: &'static str,
}

/// `aws_ram_resource_association`: one pool of a share.
pub const RESOURCE: AssociationResource = AssociationResource {
    member: ShareMember::Resource,
    description: "Shares one IPAM pool through a resource share (`aws_ram_resource_share`): the pool becomes one of the share's \
                  resources. Only IPAM pools can be shared here, by the pool owner, from the IPAM's home region.",
    element_description: "The ARN of the IPAM pool to share (`arn:aws:ec2::<account>:ipam-pool/ipam-pool-...`).",
};

/// `aws_ram_principal_association`: one principal of a share.
pub const PRINCIPAL: AssociationResource = AssociationResource {
    member: ShareMember::Principal,
    description: "Shares a resource share's pools with one principal: a 12-digit account ID, an organisation ARN or an OU ARN \
                  (organisations and units stand for the accounts the IPAM_ORGANIZATION file lists for them).",
    element_description: "A 12-digit account ID, `arn:aws:organizations::<management-account>:organization/o-...` or \
                          `arn:aws:organizations::<management-account>:ou/o-.../ou-...`.",
};

/// The IPAM of the pool a resource association names, whose operating regions `region` may name.
fn ipam_of_pool(ctx: &Ctx, o: &Obj) -> Result<Option<String>> {
    let Some((_, "ipam-pool", pool)) = o.str("resource_arn").and_then(ids::parse_ec2_arn) else {
        return Ok(None);
    };
    Ok(ctx.store.read(|tx| tx.pool(pool))?.map(|p| p.ipam_id))
}

/// `aws_ram_resource_association` as served.
pub static RESOURCE_VIEW: ResourceView = ResourceView {
    name: "aws_ram_resource_association",
    ipam_of: ipam_of_pool,
    ..ResourceView::SAME
};

/// `aws_ram_principal_association` as served.
pub static PRINCIPAL_VIEW: ResourceView = ResourceView {
    name: "aws_ram_principal_association",
    ..ResourceView::SAME
};

impl AssociationResource {
    /// The share ARN and the element an object names, when both are known.
    fn parts<'o>(&self, o: &'o Obj) -> Option<(&'o str, &'o str)> {
        Some((o.str("resource_share_arn")?, o.str(self.member.attribute())?))
    }

    /// The association of `element` with the share `share_arn`, by the provider's account in its
    /// region.
    fn request<'a>(&self, ctx: &'a Ctx, share_arn: &'a str, element: &'a str) -> ops::Association<'a> {
        ops::Association {
            member: self.member,
            share_arn,
            element,
            account: &ctx.config.account_id,
            region: &ctx.config.region,
            org: ctx.config.organization.as_ref(),
        }
    }

    /// The state of the association of `element` with the share `share_arn`.
    fn state(&self, share_arn: &str, element: &str) -> Obj {
        obj([
            ("id", Value::str(self.member.id(share_arn, element))),
            ("resource_share_arn", Value::str(share_arn)),
            (self.member.attribute(), Value::str(element)),
        ])
    }

    /// The state when the share still holds the element; `None` when it is gone.
    fn load(&self, ctx: &Ctx, share_arn: &str, element: &str) -> Result<Option<Obj>> {
        let present = ctx
            .store
            .read(|tx| ops::is_associated(tx, self.member, share_arn, element))?;
        Ok(present.then(|| self.state(share_arn, element)))
    }

    /// An object whose arguments are missing (Terraform never sends one; a broken state might).
    fn incomplete(&self) -> Error {
        Error::invalid(
            format!("Incomplete {}", self.member.association()),
            format!(
                "The object has no `resource_share_arn` or `{}`. Remove it from the state and import it by `<resource-share-arn>,<{}>`.",
                self.member.attribute(),
                self.member.attribute()
            ),
        )
    }
}

impl Resource for AssociationResource {
    fn name(&self) -> &'static str {
        match self.member {
            ShareMember::Resource => "ram_resource_association",
            ShareMember::Principal => "ram_principal_association",
        }
    }

    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new(
                self.description,
                vec![
                    Attribute::computed("id", Type::String, "`<resource-share-arn>,<element>`."),
                    Attribute::required(
                        "resource_share_arn",
                        Type::String,
                        "The ARN of the resource share. Changing it replaces the association.",
                    )
                    .force_new(),
                    Attribute::required(self.member.attribute(), Type::String, self.element_description).force_new(),
                ],
            ),
        }
    }

    fn validate(&self, config: &Obj, diags: &mut Diagnostics) {
        if let Some(arn) = config.str("resource_share_arn")
            && let Err(e) = share_rules::parse_share_arn(arn)
        {
            diags.push(diag(&e.at("resource_share_arn")));
        }
        if let Some(element) = config.str(self.member.attribute())
            && let Err(e) = self.member.check_form(element)
        {
            diags.push(diag(&e));
        }
    }

    fn modify_plan(&self, ctx: &Ctx, prior: Option<&Obj>, planned: &mut Obj, _config: &Obj, diags: &mut Diagnostics) {
        let Some((share_arn, element)) = self.parts(planned) else {
            return;
        };
        if prior.is_some_and(|p| self.parts(p) == Some((share_arn, element))) {
            return;
        }
        let id = self.member.id(share_arn, element);
        // What the database already shows against the association (the share, its owner and
        // region, the pool or the principal); whether the share holds the element already is
        // decided at apply, as upstream does.
        let request = self.request(ctx, share_arn, element);
        if let Err(e) = ctx.store.read(|tx| ops::check_association(tx, &request)) {
            diags.push(diag(&e));
        }
        planned.insert("id".into(), Value::str(id));
    }

    fn create(&self, ctx: &Ctx, planned: &Obj) -> Result<Obj> {
        let (share_arn, element) = self.parts(planned).ok_or_else(|| self.incomplete())?;
        let request = self.request(ctx, share_arn, element);
        ctx.store.write(|tx| ops::associate(tx, &request))?;
        Ok(self.state(share_arn, element))
    }

    fn update(&self, _ctx: &Ctx, _prior: &Obj, _planned: &Obj) -> Result<Obj> {
        // Every argument replaces the association; Terraform never plans an update of it.
        Err(Error::invalid(
            format!("{} cannot be updated", self.member.association()),
            "Every argument of an association replaces it.",
        ))
    }

    fn delete(&self, ctx: &Ctx, prior: &Obj) -> Result<()> {
        let (share_arn, element) = self.parts(prior).ok_or_else(|| self.incomplete())?;
        ctx.store
            .write(|tx| ops::disassociate(tx, self.member, share_arn, element, &ctx.config.account_id))
    }

    fn read(&self, ctx: &Ctx, state: &Obj) -> Result<Option<Obj>> {
        let (share_arn, element) = self.parts(state).ok_or_else(|| self.incomplete())?;
        self.load(ctx, share_arn, element)
    }

    fn import(&self, ctx: &Ctx, id: &str) -> Result<Obj> {
        let (share_arn, element) = self.member.parse_id(id)?;
        self.load(ctx, &share_arn, &element)?.ok_or_else(|| {
            Error::new(
                crate::ipam::ErrorKind::NotFound,
                format!("{} not found", self.member.association()),
                format!(
                    "Resource share {share_arn} does not hold {element} (or the share does not exist). \
                     Check the ID (<resource-share-arn>,<{}>), or create the association instead.",
                    self.member.attribute()
                ),
            )
        })
    }
}
