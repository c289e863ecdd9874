//! `ipam_preview_next_cidr`: the CIDR the next allocation of a size would get, computed once at
//! create and kept (unlike an allocation it reserves nothing). Importable by `<cidr>_<pool-id>`.

use crate::ipam::cidr::Cidr;
use crate::ipam::{Error, Result};
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::{Attribute, Block, Schema};
use crate::plugin::value::{Obj, Type, Value};

use super::common::{ObjExt, diag, obj, parse_cidr, preview, split_id};
use super::framework::{Ctx, Resource};

pub struct PreviewResource;

fn state(cidr: &Cidr, pool_id: &str, netmask: Value, disallowed: Value) -> Obj {
    obj([
        ("id", Value::str(format!("{cidr}_{pool_id}"))),
        ("ipam_pool_id", Value::str(pool_id)),
        ("cidr", Value::str(cidr.to_string())),
        ("netmask_length", netmask),
        ("disallowed_cidrs", disallowed),
    ])
}

impl Resource for PreviewResource {
    fn name(&self) -> &'static str {
        "ipam_preview_next_cidr"
    }

    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new(
                "Previews the CIDR the next allocation of a size would get, once, at create. It reserves nothing: \
                 use `ipam_pool_allocation` with `netmask_length` to reserve space.",
                vec![
                    Attribute::computed("id", Type::String, "`<cidr>_<pool-id>`."),
                    Attribute::required("ipam_pool_id", Type::String, "The pool to preview.").force_new(),
                    Attribute::optional_computed(
                        "netmask_length",
                        Type::Number,
                        "Size to preview; default: the pool's default netmask length.",
                    )
                    .force_new(),
                    Attribute::optional(
                        "disallowed_cidrs",
                        Type::set_of(Type::String),
                        "CIDRs the preview must not overlap.",
                    )
                    .force_new(),
                    Attribute::computed("cidr", Type::String, "The previewed CIDR, fixed at create."),
                ],
            ),
        }
    }

    fn cidr_attributes(&self) -> &'static [&'static str] {
        &["disallowed_cidrs"]
    }

    fn validate(&self, config: &Obj, diags: &mut Diagnostics) {
        for s in config.strings("disallowed_cidrs") {
            if let Err(e) = parse_cidr(&s, "disallowed_cidrs") {
                diags.push(diag(&e));
            }
        }
    }

    fn create(&self, ctx: &Ctx, planned: &Obj) -> Result<Obj> {
        let pool_id = planned.string("ipam_pool_id").unwrap_or_default();
        let disallowed: Vec<Cidr> = planned
            .strings("disallowed_cidrs")
            .iter()
            .map(|s| parse_cidr(s, "disallowed_cidrs"))
            .collect::<Result<_>>()?;
        let cidr = ctx
            .store
            .read(|tx| preview(tx, &pool_id, planned.int("netmask_length"), &disallowed))?;
        Ok(state(
            &cidr,
            &pool_id,
            Value::int(i64::from(cidr.prefix)),
            planned.get("disallowed_cidrs").cloned().unwrap_or_default(),
        ))
    }

    fn update(&self, _ctx: &Ctx, prior: &Obj, _planned: &Obj) -> Result<Obj> {
        Ok(prior.clone())
    }

    fn delete(&self, _ctx: &Ctx, _prior: &Obj) -> Result<()> {
        Ok(())
    }

    fn read(&self, ctx: &Ctx, state: &Obj) -> Result<Option<Obj>> {
        // The preview stays as it was; it disappears only with its pool.
        let pool_id = state.str("ipam_pool_id").unwrap_or_default();
        Ok(ctx.store.read(|tx| tx.pool(pool_id))?.map(|_| state.clone()))
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
        let disallowed = if listed.is_empty() {
            Value::Null
        } else {
            Value::str_set(listed)
        };
        Ok(state(&c, pool_id, Value::int(i64::from(c.prefix)), disallowed))
    }
}
