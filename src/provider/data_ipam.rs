//! Data source `ipam`: one IPAM by ID.

use crate::ipam::{Result, ids};
use crate::plugin::schema::{Attribute, Block, Schema};
use crate::plugin::value::{Obj, Type};

use super::common::ObjExt;
use super::data::{find_ipams, ipam_attrs};
use super::filter::single;
use super::framework::{Ctx, DataSource};

/// `ipam`: one IPAM by `id`.
pub struct IpamData;

impl DataSource for IpamData {
    fn name(&self) -> &'static str {
        "ipam"
    }
    fn schema(&self) -> Schema {
        let mut attrs = ipam_attrs();
        attrs.retain(|a| a.name != "id");
        attrs.push(Attribute::required("id", Type::String, "The IPAM ID."));
        Schema {
            version: 0,
            block: Block::new("Reads one IPAM by ID.", attrs),
        }
    }
    fn read(&self, ctx: &Ctx, config: &Obj) -> Result<Obj> {
        let id = config.string("id").unwrap_or_default();
        ids::check_id(&id, "ipam", 17, "IPAM").map_err(|e| e.at("id"))?;
        ctx.store
            .read(|tx| single(find_ipams(ctx, tx, std::slice::from_ref(&id), &[])?, "IPAM"))
    }
}
