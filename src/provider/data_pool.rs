//! Data source `ipam_pool`: one pool the acting account sees, with its utilisation.

use crate::ipam::{ErrorKind, Result};
use crate::plugin::diag::Diagnostics;

use super::aws_data::{DataSourceView, Shape};
use super::data::{POOL_FILTERS, PoolView, Usage, check_same_id, find_pools, invisible_hint, pool_utilisation};
use super::filter::{Filter, single};
use super::framework::Ctx;
use super::model::{ModelDataSource, Set, model};
use super::view::{ButId, ReadOnly};

model! {
    /// `ipam_pool`.
    pub struct PoolModel("Reads one pool (owned, or shared with the acting account) by ID or filters; exactly one must match. Includes utilisation.") {
        id: Option<String> = optional_computed("The pool ID to read (same as `ipam_pool_id`)."),
        ipam_pool_id: Option<String> = optional_computed("The pool ID to read."),
        pool: ReadOnly<ButId<PoolView>> = flatten(),
        usage: Usage = flatten(),
        filter: Set<Filter> = set_block(POOL_FILTERS),
    }
}

/// `ipam_pool`: one pool by `ipam_pool_id`, `id` or filters, with utilisation.
pub struct PoolData;

impl ModelDataSource for PoolData {
    type Model = PoolModel;
    const NAME: &'static str = "ipam_pool";
    fn validate(&self, config: &PoolModel, diags: &mut Diagnostics) {
        check_same_id(
            config.id.as_ref(),
            config.ipam_pool_id.as_ref(),
            "ipam_pool_id",
            "pools",
            diags,
        );
    }
    fn read(&self, ctx: &Ctx, config: PoolModel) -> Result<PoolModel> {
        let id = config.ipam_pool_id.as_deref().or(config.id.as_deref());
        let (found, usage) = ctx
            .store
            .read(|tx| {
                let found = single(find_pools(ctx, tx, id, &config.filter)?, "IPAM Pool")?;
                let usage = pool_utilisation(tx, found.0.id.as_deref().unwrap_or_default())?;
                Ok((found, usage))
            })
            .map_err(|mut e| {
                if e.kind == ErrorKind::NotFound {
                    e.detail = format!("{} {}", e.detail, invisible_hint(&ctx.config.account_id));
                }
                e
            })?;
        let id = found.0.id.clone();
        Ok(PoolModel {
            id: id.clone(),
            ipam_pool_id: id,
            pool: found.view(),
            usage: Usage::from(&usage),
            filter: config.filter,
        })
    }
}

/// `aws_vpc_ipam_pool`: upstream's pool data source over this one. Upstream has no utilisation,
/// `owner_id`, `provisioned_cidrs` or `public_ip_source`; its `id`, `tags` and
/// `allocation_resource_tags` are accepted and not used for the lookup (upstream issue #25465).
pub static AWS_VIEW: DataSourceView = DataSourceView {
    name: "aws_vpc_ipam_pool",
    shape: Shape {
        hidden: &[
            "size",
            "allocated_size",
            "assigned_size",
            "available_size",
            "percent_allocated",
            "percent_assigned",
            "percent_available",
            "compliant_allocations",
            "noncompliant_allocations",
            "owner_id",
            "provisioned_cidrs",
            "public_ip_source",
        ],
        ..Shape::SAME
    },
    arguments: &["id", "tags", "allocation_resource_tags"],
    optional_only: &["id", "ipam_pool_id"],
    timeouts: &["read"],
};
