//! Data source `ipam_scopes`: the acting account's scopes.

use crate::ipam::Result;
use crate::plugin::schema::{Attribute, Block, Schema};
use crate::plugin::value::{Obj, Type, Value};

use super::data::{SCOPE_FILTERS, find_scopes, scope_attrs};
use super::filter::{filter_block, filters, object_type};
use super::framework::{Ctx, DataSource};

/// `ipam_scopes`: scopes by filters.
pub struct ScopesData;

impl DataSource for ScopesData {
    fn name(&self) -> &'static str {
        "ipam_scopes"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new(
                "Lists the acting account's scopes. An empty result is not an error.",
                vec![
                    Attribute::computed("id", Type::String, "The provider region."),
                    Attribute::computed(
                        "ipam_scopes",
                        Type::list_of(object_type(&scope_attrs(false))),
                        "The matching scopes.",
                    ),
                ],
            )
            .with_block(filter_block(SCOPE_FILTERS)),
        }
    }
    fn read(&self, ctx: &Ctx, config: &Obj) -> Result<Obj> {
        let found = ctx
            .store
            .read(|tx| find_scopes(ctx, tx, None, &filters(config), false))?;
        let mut o = config.clone();
        o.insert("id".into(), Value::str(&ctx.config.region));
        o.insert(
            "ipam_scopes".into(),
            Value::List(found.into_iter().map(Value::Object).collect()),
        );
        Ok(o)
    }
}
