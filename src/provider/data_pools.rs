//! Data source `ipam_pools`: the pools the acting account owns or is shared.

use crate::ipam::Result;

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
