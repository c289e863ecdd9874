//! Data source `ipam_pool_allocations`: a pool's allocations, child-pool CIDRs included.

use crate::ipam::Result;
use crate::ipam::model::{ComplianceStatus, ResourceType};

use super::data::visible_pool;
use super::filter::{Filter, canonical_cidr_values, check_names, matches};
use super::framework::Ctx;
use super::model::{Model, ModelDataSource, Set, model};
use super::resource_allocation::AllocationModel;

model! {
    /// One allocation.
    pub struct AllocationItem {
        ipam_pool_allocation_id: String = computed("The allocation ID."),
        cidr: String = computed("The allocated CIDR."),
        resource_type: ResourceType = computed("`custom`, `vpc`, `subnet`, `ec2-public-ipv4-pool`, `eip`, or `ipam-pool` for a child pool's CIDR."),
        resource_id: Option<String> = computed("The resource holding the space (the child pool for `ipam-pool`)."),
        resource_owner: String = computed("The account that owns the allocation."),
        resource_region: Option<String> = computed("The resource's region."),
        description: Option<String> = computed("The allocation's description."),
        compliance_status: ComplianceStatus = computed("`compliant` or `noncompliant` against the pool's rules."),
    }
}

model! {
    /// `ipam_pool_allocations`.
    pub struct PoolAllocationsModel("Lists a pool's allocations in address order, including the `ipam-pool` allocations that hold child pools' CIDRs.") {
        id: Option<String> = computed("The pool ID."),
        ipam_pool_id: String = required("The pool."),
        ipam_pool_allocations: Vec<AllocationItem> = computed("The allocations."),
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
                    out.push(AllocationItem::from_obj(&AllocationModel::from_domain(&a).to_obj())?);
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
