//! Data source `ipam_pools`: the pools the acting account owns or is shared.

use crate::ipam::Result;

use super::aws_data::{DataSourceView, Shape};
use super::data::{POOL_FILTERS, PoolItem, find_pools};
use super::filter::Filter;
use super::framework::Ctx;
use super::model::{ModelDataSource, Set, model};

model! {
    /// `ipam_pools`.
    pub struct PoolsModel("Lists pools owned by, or shared with, the acting account. An empty result is not an error.") {
        id: Option<String> = computed("The provider region."),
        ipam_pools: Vec<PoolItem> = computed("The matching pools, each with its `id`."),
        filter: Set<Filter> = set_block(POOL_FILTERS),
    }
}

/// `ipam_pools`: pools by filters.
pub struct PoolsData;

impl ModelDataSource for PoolsData {
    type Model = PoolsModel;
    const NAME: &'static str = "ipam_pools";
    fn read(&self, ctx: &Ctx, config: PoolsModel) -> Result<PoolsModel> {
        let ipam_pools = ctx.store.read(|tx| find_pools(ctx, tx, None, &config.filter))?;
        Ok(PoolsModel {
            id: Some(ctx.config.region.clone()),
            ipam_pools,
            ..config
        })
    }
}

/// A pool in `aws_vpc_ipam_pools`: no `owner_id`, `provisioned_cidrs` or `public_ip_source`, and
/// netmask rules 0 when not set, as upstream lists them.
static AWS_POOL_ITEM: Shape = Shape {
    hidden: &["owner_id", "provisioned_cidrs", "public_ip_source"],
    zero_when_null: &[
        "allocation_default_netmask_length",
        "allocation_max_netmask_length",
        "allocation_min_netmask_length",
    ],
    ..Shape::SAME
};

/// `aws_vpc_ipam_pools`: upstream's pools data source over this one; `ipam_pools` is a set.
pub static AWS_VIEW: DataSourceView = DataSourceView {
    name: "aws_vpc_ipam_pools",
    shape: Shape {
        as_set: &["ipam_pools"],
        items: &[("ipam_pools", &AWS_POOL_ITEM)],
        ..Shape::SAME
    },
    arguments: &["id"],
    ..DataSourceView::SAME
};
