//! Data source `ipam_pool_allocations`: a pool's allocations, child-pool CIDRs included.

use crate::ipam::Result;

use super::data::visible_pool;
use super::filter::{Filter, canonical_cidr_values, check_names, matches};
use super::framework::Ctx;
use super::model::{ModelDataSource, Set, model};
use super::resource_allocation::AllocationModel;
use super::view::{DataView, ReadOnly};

/// Allocations as this data source lists them: what holds the space and whether it complies,
/// described for every allocation of the pool (child pools' CIDRs included).
pub struct AllocationView;

impl DataView for AllocationView {
    type Model = AllocationModel;
    fn hides(name: &str) -> bool {
        !matches!(
            name,
            "ipam_pool_allocation_id"
                | "cidr"
                | "resource_type"
                | "resource_id"
                | "resource_owner"
                | "resource_region"
                | "description"
                | "compliance_status"
        )
    }
    fn shows(name: &'static str, description: &'static str) -> (&'static str, &'static str) {
        let description = match name {
            "ipam_pool_allocation_id" => "The allocation ID.",
            "cidr" => "The allocated CIDR.",
            "resource_type" => {
                "`custom`, `vpc`, `subnet`, `ec2-public-ipv4-pool`, `eip`, or `ipam-pool` for a child pool's CIDR."
            }
            "resource_id" => "The resource holding the space (the child pool for `ipam-pool`).",
            "resource_owner" => "The account that owns the allocation.",
            "resource_region" => "The resource's region.",
            "description" => "The allocation's description.",
            "compliance_status" => "`compliant` or `noncompliant` against the pool's rules.",
            _ => description,
        };
        (name, description)
    }
}

model! {
    /// `ipam_pool_allocations`.
    pub struct PoolAllocationsModel("Lists a pool's allocations in address order, including the `ipam-pool` allocations that hold child pools' CIDRs.") {
        id: Option<String> = computed("The pool ID."),
        ipam_pool_id: String = required("The pool."),
        ipam_pool_allocations: Vec<ReadOnly<AllocationView>> = computed("The allocations."),
        filter: Set<Filter> = set_block("Filters: `cidr`, `resource-type`, `resource-id`, `resource-owner`, `compliance-status`, `ipam-pool-allocation-id`, `tag:<key>`, `tag-key`."),
    }
}

/// `ipam_pool_allocations`: every allocation of a pool, child-pool CIDRs included.
pub struct PoolAllocationsData;

impl ModelDataSource for PoolAllocationsData {
    type Model = PoolAllocationsModel;
    const NAME: &'static str = "ipam_pool_allocations";
    fn read(&self, ctx: &Ctx, config: PoolAllocationsModel) -> Result<PoolAllocationsModel> {
        let mut fs = config.filter.clone();
        canonical_cidr_values(&mut fs, "cidr")?;
        let list = ctx.store.read(|tx| {
            let p = visible_pool(ctx, tx, &config.ipam_pool_id)?;
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
                    out.push(ReadOnly(AllocationModel::from_domain(&a)));
                }
            }
            Ok(out)
        })?;
        Ok(PoolAllocationsModel {
            id: Some(config.ipam_pool_id.clone()),
            ipam_pool_allocations: list,
            ..config
        })
    }
}
