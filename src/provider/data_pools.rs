//! Data source `ipam_pools`: the pools the acting account owns or is shared.

use crate::ipam::Result;
use crate::plugin::schema::{Attribute, Block, Schema};
use crate::plugin::value::{Obj, Type, Value};

use super::data::{POOL_FILTERS, find_pools, pool_attrs};
use super::filter::{filter_block, filters, object_type};
use super::framework::{Ctx, DataSource};

/// `ipam_pools`: pools by filters.
pub struct PoolsData;

impl DataSource for PoolsData {
    fn name(&self) -> &'static str {
        "ipam_pools"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new(
                "Lists pools owned by, or shared with, the acting account. An empty result is not an error.",
                vec![
                    Attribute::computed("id", Type::String, "The provider region."),
                    Attribute::computed(
                        "ipam_pools",
                        Type::list_of(object_type(&pool_attrs(false))),
                        "The matching pools, each with its `id`.",
                    ),
                ],
            )
            .with_block(filter_block(POOL_FILTERS)),
        }
    }
    fn read(&self, ctx: &Ctx, config: &Obj) -> Result<Obj> {
        let found = ctx
            .store
            .read(|tx| find_pools(ctx, tx, None, &filters(config), false))?;
        let mut o = config.clone();
        o.insert("id".into(), Value::str(&ctx.config.region));
        o.insert(
            "ipam_pools".into(),
            Value::List(found.into_iter().map(Value::Object).collect()),
        );
        Ok(o)
    }
}
