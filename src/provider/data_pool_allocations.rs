//! Data source `ipam_pool_allocations`: a pool's allocations, child-pool CIDRs included.

use crate::ipam::Result;
use crate::plugin::schema::{Attribute, Block, Schema};
use crate::plugin::value::{Obj, Type, Value};

use super::common::{ObjExt, allocation_state};
use super::data::visible_pool;
use super::filter::{canonical_cidr_values, check_names, filter_block, filters, matches, object_type, project};
use super::framework::{Ctx, DataSource};

fn allocation_attrs() -> Vec<Attribute> {
    vec![
        Attribute::computed("ipam_pool_allocation_id", Type::String, "The allocation ID."),
        Attribute::computed("cidr", Type::String, "The allocated CIDR."),
        Attribute::computed(
            "resource_type",
            Type::String,
            "`custom`, `vpc`, `subnet`, `ec2-public-ipv4-pool`, `eip`, or `ipam-pool` for a child pool's CIDR.",
        ),
        Attribute::computed(
            "resource_id",
            Type::String,
            "The resource holding the space (the child pool for `ipam-pool`).",
        ),
        Attribute::computed("resource_owner", Type::String, "The account that owns the allocation."),
        Attribute::computed("resource_region", Type::String, "The resource's region."),
        Attribute::computed("description", Type::String, "The allocation's description."),
        Attribute::computed(
            "compliance_status",
            Type::String,
            "`compliant` or `noncompliant` against the pool's rules.",
        ),
    ]
}

/// `ipam_pool_allocations`: every allocation of a pool, child-pool CIDRs included.
pub struct PoolAllocationsData;

impl DataSource for PoolAllocationsData {
    fn name(&self) -> &'static str {
        "ipam_pool_allocations"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new(
                "Lists a pool's allocations in address order, including the `ipam-pool` allocations that hold child pools' CIDRs.",
                vec![
                    Attribute::computed("id", Type::String, "The pool ID."),
                    Attribute::required("ipam_pool_id", Type::String, "The pool."),
                    Attribute::computed("ipam_pool_allocations", Type::list_of(object_type(&allocation_attrs())), "The allocations."),
                ],
            )
            .with_block(filter_block("Filters: `cidr`, `resource-type`, `resource-id`, `resource-owner`, `compliance-status`, `ipam-pool-allocation-id`, `tag:<key>`, `tag-key`.")),
        }
    }
    fn read(&self, ctx: &Ctx, config: &Obj) -> Result<Obj> {
        let pool_id = config.string("ipam_pool_id").unwrap_or_default();
        let mut fs = filters(config);
        canonical_cidr_values(&mut fs, "cidr")?;
        let attrs = allocation_attrs();
        let list = ctx.store.read(|tx| {
            let p = visible_pool(ctx, tx, &pool_id)?;
            check_names(
                &fs,
                &[
                    "cidr",
                    "resource-type",
                    "resource-id",
                    "resource-owner",
                    "compliance-status",
                    "ipam-pool-allocation-id",
                ],
                "allocations",
            )?;
            let mut out = Vec::new();
            for a in tx.allocations_of(&p.id)? {
                let field = |n: &str| match n {
                    "cidr" => Some(vec![a.cidr.to_string()]),
                    "resource-type" => Some(vec![a.resource_type.to_string()]),
                    "resource-id" => Some(a.resource_id.clone().into_iter().collect()),
                    "resource-owner" => Some(vec![a.resource_owner.clone()]),
                    "compliance-status" => Some(vec![a.compliance_status.to_string()]),
                    "ipam-pool-allocation-id" => Some(vec![a.id.clone()]),
                    _ => None,
                };
                if matches(&fs, &field, &a.tags_all, "allocations")? {
                    out.push(Value::Object(project(allocation_state(&a), &attrs)));
                }
            }
            Ok(out)
        })?;
        let mut o = config.clone();
        o.insert("id".into(), Value::str(&pool_id));
        o.insert("ipam_pool_allocations".into(), Value::List(list));
        Ok(o)
    }
}
