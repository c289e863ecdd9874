//! Data source `ipam_pool_cidrs`: the CIDRs provisioned to a pool.

use crate::ipam::Result;
use crate::plugin::schema::{Attribute, Block, Schema};
use crate::plugin::value::{Obj, Type, Value};

use super::common::{ObjExt, pool_cidr_state};
use super::data::visible_pool;
use super::filter::{canonical_cidr_values, check_names, filter_block, filters, matches, object_type, project};
use super::framework::{Ctx, DataSource};

fn cidr_attrs() -> Vec<Attribute> {
    vec![
        Attribute::computed("cidr", Type::String, "The provisioned CIDR."),
        Attribute::computed("state", Type::String, "`provisioned`."),
        Attribute::computed("netmask_length", Type::Number, "The CIDR's prefix length."),
        Attribute::computed("ipam_pool_cidr_id", Type::String, "The pool CIDR's ID."),
    ]
}

/// `ipam_pool_cidrs`: the CIDRs provisioned to a pool.
pub struct PoolCidrsData;

impl DataSource for PoolCidrsData {
    fn name(&self) -> &'static str {
        "ipam_pool_cidrs"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new(
                "Lists the CIDRs provisioned to a pool, in address order.",
                vec![
                    Attribute::computed("id", Type::String, "The pool ID."),
                    Attribute::required("ipam_pool_id", Type::String, "The pool."),
                    Attribute::computed(
                        "ipam_pool_cidrs",
                        Type::list_of(object_type(&cidr_attrs())),
                        "The provisioned CIDRs.",
                    ),
                ],
            )
            .with_block(filter_block("Filters: `cidr`, `state`, `ipam-pool-cidr-id`.")),
        }
    }
    fn read(&self, ctx: &Ctx, config: &Obj) -> Result<Obj> {
        let pool_id = config.string("ipam_pool_id").unwrap_or_default();
        let mut fs = filters(config);
        canonical_cidr_values(&mut fs, "cidr")?;
        let list = ctx.store.read(|tx| {
            let p = visible_pool(ctx, tx, &pool_id)?;
            check_names(&fs, &["cidr", "state", "ipam-pool-cidr-id"], "pool CIDRs")?;
            let mut out = Vec::new();
            for pc in tx.pool_cidrs(&p.id)? {
                let field = |n: &str| match n {
                    "cidr" => Some(vec![pc.cidr.to_string()]),
                    "state" => Some(vec![pc.state.to_string()]),
                    "ipam-pool-cidr-id" => Some(vec![pc.id.clone()]),
                    _ => None,
                };
                if matches(&fs, &field, &Default::default(), "pool CIDRs")? {
                    out.push(Value::Object(project(pool_cidr_state(&pc), &cidr_attrs())));
                }
            }
            Ok(out)
        })?;
        let mut o = config.clone();
        o.insert("id".into(), Value::str(&pool_id));
        o.insert("ipam_pool_cidrs".into(), Value::List(list));
        Ok(o)
    }
}
