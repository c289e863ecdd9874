//! Data source `ipam_scopes`: the acting account's scopes.

use crate::ipam::Result;

use super::data::{SCOPE_FILTERS, ScopeItem, find_scopes};
use super::filter::Filter;
use super::framework::Ctx;
use super::model::{ModelDataSource, Set, model};

model! {
    /// `ipam_scopes`.
    pub struct ScopesModel("Lists the acting account's scopes. An empty result is not an error.") {
        id: Option<String> = computed("The provider region."),
        ipam_scopes: Vec<ScopeItem> = computed("The matching scopes."),
        filter: Set<Filter> = set_block(SCOPE_FILTERS),
    }
}

/// `ipam_scopes`: scopes by filters.
pub struct ScopesData;

impl ModelDataSource for ScopesData {
    type Model = ScopesModel;
    const NAME: &'static str = "ipam_scopes";
    fn read(&self, ctx: &Ctx, config: ScopesModel) -> Result<ScopesModel> {
        let ipam_scopes = ctx.store.read(|tx| find_scopes(ctx, tx, None, &config.filter))?;
        Ok(ScopesModel {
            id: Some(ctx.config.region.clone()),
            ipam_scopes,
            ..config
        })
    }
}
