//! Data source `ipam_preview_next_cidr`: the CIDR the next allocation would get.

use crate::ipam::Result;
use crate::ipam::cidr::Cidr;
use crate::plugin::schema::{Attribute, Block, Schema};
use crate::plugin::value::{Obj, Type, Value};

use super::common::{ObjExt, parse_cidr, preview};
use super::data::visible_pool;
use super::framework::{Ctx, DataSource};

/// `ipam_preview_next_cidr` (data source): computed again on every read, reserving nothing.
pub struct PreviewData;

impl DataSource for PreviewData {
    fn name(&self) -> &'static str {
        "ipam_preview_next_cidr"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new(
                "Previews the CIDR the next allocation would get. Recomputed on every read and reserves nothing: N previews of one pool \
                 return the same CIDR, and once it is allocated the next read moves on. To reserve space, use `ipam_pool_allocation` with `netmask_length`.",
                vec![
                    Attribute::computed("id", Type::String, "`<cidr>_<pool-id>`."),
                    Attribute::required("ipam_pool_id", Type::String, "The pool."),
                    Attribute::optional(
                        "netmask_length",
                        Type::Number,
                        "Size to preview; default: the pool's default netmask length.",
                    ),
                    Attribute::optional(
                        "disallowed_cidrs",
                        Type::set_of(Type::String),
                        "CIDRs the preview must not overlap.",
                    ),
                    Attribute::computed("cidr", Type::String, "The CIDR the next allocation would get now."),
                ],
            ),
        }
    }
    fn read(&self, ctx: &Ctx, config: &Obj) -> Result<Obj> {
        let pool_id = config.string("ipam_pool_id").unwrap_or_default();
        let disallowed: Vec<Cidr> = config
            .strings("disallowed_cidrs")
            .iter()
            .map(|s| parse_cidr(s, "disallowed_cidrs"))
            .collect::<Result<_>>()?;
        let cidr = ctx.store.read(|tx| {
            visible_pool(ctx, tx, &pool_id)?;
            preview(tx, &pool_id, config.int("netmask_length"), &disallowed)
        })?;
        let mut o = config.clone();
        o.insert("id".into(), Value::str(format!("{cidr}_{pool_id}")));
        o.insert("cidr".into(), Value::str(cidr.to_string()));
        Ok(o)
    }
}
