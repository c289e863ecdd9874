//! `ipam_preview_next_cidr`: the CIDR the next allocation of a size would get, computed once at
//! create and kept (unlike an allocation it reserves nothing). Importable by `<cidr>_<pool-id>`.

use crate::ipam::cidr::Cidr;
use crate::ipam::{Error, Result};
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::Schema;
use crate::plugin::value::{Obj, Value};

use super::aws_resource::{ResourceView, ipam_of_pool};
use super::common::{ObjExt, diag, parse_cidr, preview, split_id};
use super::framework::{Ctx, Resource};
use super::model::{Maybe, Model, Set, model};

model! {
    /// `ipam_preview_next_cidr`: its arguments, and its state.
    pub struct PreviewResourceModel(
        "Previews the CIDR the next allocation of a size would get, once, at create. It reserves nothing: \
         use `ipam_pool_allocation` with `netmask_length` to reserve space."
    ) {
        id: Option<String> = computed("`<cidr>_<pool-id>`."),
        ipam_pool_id: Maybe<String> = required("The pool to preview.").force_new(),
        netmask_length: Maybe<i64> = optional_computed("Size to preview; default: the pool's default netmask length.").force_new(),
        disallowed_cidrs: Option<Set<String>> = optional("CIDRs the preview must not overlap.").force_new().cidr(),
        cidr: Option<String> = computed("The previewed CIDR, fixed at create."),
    }
}

pub struct PreviewResource;

impl PreviewResourceModel {
    /// The state of a preview of `cidr` in pool `pool_id`.
    fn new(cidr: &Cidr, pool_id: &str, disallowed_cidrs: Option<Set<String>>) -> Self {
        PreviewResourceModel {
            id: Some(format!("{cidr}_{pool_id}")),
            ipam_pool_id: pool_id.to_string().into(),
            netmask_length: i64::from(cidr.prefix).into(),
            disallowed_cidrs,
            cidr: Some(cidr.to_string()),
        }
    }

    fn pool_id(&self) -> &str {
        self.ipam_pool_id.known().map_or("", String::as_str)
    }

    /// The disallowed CIDRs that are known, parsed.
    fn disallowed(&self) -> Result<Vec<Cidr>> {
        self.disallowed_cidrs
            .iter()
            .flat_map(|s| s.iter())
            .map(|s| parse_cidr(s, "disallowed_cidrs"))
            .collect()
    }
}

impl Resource for PreviewResource {
    fn name(&self) -> &'static str {
        "ipam_preview_next_cidr"
    }

    fn schema(&self) -> Schema {
        PreviewResourceModel::schema()
    }

    fn cidr_attributes(&self) -> Vec<&'static str> {
        PreviewResourceModel::cidr_attributes()
    }

    fn validate(&self, config: &Obj, diags: &mut Diagnostics) {
        let config = match PreviewResourceModel::from_config(config) {
            Ok(m) => m,
            Err(e) => return diags.push(diag(&e)),
        };
        for s in config.disallowed_cidrs.iter().flat_map(|s| s.iter()) {
            if let Err(e) = parse_cidr(s, "disallowed_cidrs") {
                diags.push(diag(&e));
            }
        }
    }

    fn create(&self, ctx: &Ctx, planned: &Obj) -> Result<Obj> {
        let m = PreviewResourceModel::from_obj(planned)?;
        let disallowed = m.disallowed()?;
        let cidr = ctx
            .store
            .read(|tx| preview(tx, m.pool_id(), m.netmask_length.known().copied(), &disallowed))?;
        Ok(PreviewResourceModel::new(&cidr, m.pool_id(), m.disallowed_cidrs.clone()).to_obj())
    }

    fn update(&self, _ctx: &Ctx, prior: &Obj, _planned: &Obj) -> Result<Obj> {
        Ok(prior.clone())
    }

    fn delete(&self, _ctx: &Ctx, _prior: &Obj) -> Result<()> {
        Ok(())
    }

    fn read(&self, ctx: &Ctx, state: &Obj) -> Result<Option<Obj>> {
        // The preview stays as it was; it disappears only with its pool.
        let m = PreviewResourceModel::from_obj(state)?;
        Ok(ctx.store.read(|tx| tx.pool(m.pool_id()))?.map(|_| state.clone()))
    }

    /// The ID is `<cidr>_<pool-id>`, which does not carry `disallowed_cidrs` (a preview stores
    /// nothing, and the AWS provider has no importer at all). So that a preview made with
    /// `disallowed_cidrs` imports without a replacement, the import ID may list them after the
    /// CIDR: `<cidr>,<disallowed-cidr>,..._<pool-id>`, written as in the configuration.
    fn import(&self, ctx: &Ctx, id: &str) -> Result<Obj> {
        let (left, pool_id) = split_id(
            id,
            "<cidr>_<pool-id> or <cidr>,<disallowed-cidr>,..._<pool-id>, e.g. 10.0.0.16/28,10.0.0.0/28_ipam-pool-0123456789abcdef0",
        )?;
        let mut parts = left.split(',').map(str::trim);
        let c = parse_cidr(parts.next().unwrap_or_default(), "cidr")?;
        let listed: Vec<&str> = parts.collect();
        for d in &listed {
            let d = parse_cidr(d, "disallowed_cidrs")?;
            if d.overlaps(&c) {
                return Err(Error::invalid(
                    "Invalid import ID",
                    format!(
                        "{id:?}: the previewed CIDR {c} overlaps the disallowed CIDR {d}, so no preview was made with these disallowed CIDRs."
                    ),
                ));
            }
        }
        ctx.store
            .read(|tx| tx.pool(pool_id))?
            .ok_or_else(|| Error::not_found("pool", pool_id))?;
        let disallowed = (!listed.is_empty()).then(|| listed.iter().map(|d| d.to_string()).collect());
        Ok(PreviewResourceModel::new(&c, pool_id, disallowed).to_obj())
    }
}

/// `aws_vpc_ipam_preview_next_cidr`: `netmask_length` is optional only upstream, so it shows what
/// was configured (null: the pool's default was used).
pub static AWS_VIEW: ResourceView = ResourceView {
    name: "aws_vpc_ipam_preview_next_cidr",
    optional_only: &["netmask_length"],
    ipam_of: ipam_of_pool,
    shown: |ctx, reference, up| {
        let netmask = match reference {
            Some(r) => r.get("netmask_length").cloned().unwrap_or(Value::Null),
            None => imported_netmask(ctx, up)?,
        };
        up.insert("netmask_length".into(), netmask);
        Ok(())
    },
    ..ResourceView::SAME
};

/// The `netmask_length` an imported preview was most likely configured with: none when its size
/// is the pool's default netmask length, else its size.
fn imported_netmask(ctx: &Ctx, up: &Obj) -> Result<Value> {
    let pool_id = up.str("ipam_pool_id").unwrap_or_default();
    let default = ctx.store.read(|tx| tx.pool(pool_id))?.and_then(|p| p.default_netmask);
    Ok(match up.int("netmask_length") {
        Some(n) if Some(n) != default => Value::int(n),
        _ => Value::Null,
    })
}
