//! Data source `ipam_ipams`: the acting account's IPAMs.

use crate::ipam::Result;
use crate::plugin::schema::{Attribute, Block, Schema};
use crate::plugin::value::{Obj, Type, Value};

use super::common::ObjExt;
use super::data::{find_ipams, ipam_attrs};
use super::filter::{filter_block, filters, object_type};
use super::framework::{Ctx, DataSource};

/// `ipam_ipams`: IPAMs by ID list and filters.
pub struct IpamsData;

impl DataSource for IpamsData {
    fn name(&self) -> &'static str {
        "ipam_ipams"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new(
                "Lists the acting account's IPAMs. An empty result is not an error.",
                vec![
                    Attribute::computed("id", Type::String, "The provider region."),
                    Attribute::optional("ipam_ids", Type::list_of(Type::String), "Only these IPAMs."),
                    Attribute::computed("ipams", Type::list_of(object_type(&ipam_attrs())), "The matching IPAMs, by ID."),
                ],
            )
            .with_block(filter_block("Filters: `ipam-id`, `description`, `owner-id`, `ipam-region`, `operating-region`, `state`, `tag:<key>`, `tag-key`.")),
        }
    }
    fn read(&self, ctx: &Ctx, config: &Obj) -> Result<Obj> {
        let found = ctx
            .store
            .read(|tx| find_ipams(ctx, tx, &config.strings("ipam_ids"), &filters(config)))?;
        let mut o = config.clone();
        o.insert("id".into(), Value::str(&ctx.config.region));
        o.insert(
            "ipams".into(),
            Value::List(found.into_iter().map(Value::Object).collect()),
        );
        Ok(o)
    }
}
