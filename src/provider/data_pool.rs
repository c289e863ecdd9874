//! Data source `ipam_pool`: one pool the acting account sees, with its utilisation.

use crate::ipam::{Error, ErrorKind, Result};
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::{Attribute, Block, Schema};
use crate::plugin::value::{Obj, Type, Value};

use super::common::{ObjExt, diag};
use super::data::{POOL_FILTERS, find_pools, invisible_hint, pool_attrs};
use super::filter::{filter_block, filters, single};
use super::framework::{Ctx, DataSource};

/// `ipam_pool`: one pool by `ipam_pool_id`, `id` or filters, with utilisation.
pub struct PoolData;

impl DataSource for PoolData {
    fn name(&self) -> &'static str {
        "ipam_pool"
    }
    fn schema(&self) -> Schema {
        let mut attrs = pool_attrs(true);
        for a in attrs.iter_mut().filter(|a| a.name == "id") {
            *a = Attribute::optional_computed("id", Type::String, "The pool ID to read (same as `ipam_pool_id`).");
        }
        attrs.push(Attribute::optional_computed(
            "ipam_pool_id",
            Type::String,
            "The pool ID to read.",
        ));
        Schema {
            version: 0,
            block: Block::new(
                "Reads one pool (owned, or shared with the acting account) by ID or filters; exactly one must match. Includes utilisation.",
                attrs,
            )
            .with_block(filter_block(POOL_FILTERS)),
        }
    }
    fn validate(&self, config: &Obj, diags: &mut Diagnostics) {
        if let (Some(a), Some(b)) = (config.str("id"), config.str("ipam_pool_id"))
            && a != b
        {
            diags.push(diag(
                &Error::invalid(
                    "Conflicting IDs",
                    format!("`id` ({a}) and `ipam_pool_id` ({b}) name different pools; give one."),
                )
                .at("ipam_pool_id"),
            ));
        }
    }
    fn read(&self, ctx: &Ctx, config: &Obj) -> Result<Obj> {
        let id = config.str("ipam_pool_id").or(config.str("id"));
        let mut o = ctx
            .store
            .read(|tx| single(find_pools(ctx, tx, id, &filters(config), true)?, "IPAM Pool"))
            .map_err(|mut e| {
                if e.kind == ErrorKind::NotFound {
                    e.detail = format!("{} {}", e.detail, invisible_hint(&ctx.config.account_id));
                }
                e
            })?;
        let pool_id = o.get("id").cloned().unwrap_or_default();
        o.insert("ipam_pool_id".into(), pool_id);
        o.insert(
            "filter".into(),
            config.get("filter").cloned().unwrap_or(Value::Set(vec![])),
        );
        Ok(o)
    }
}
