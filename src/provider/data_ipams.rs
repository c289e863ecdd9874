//! Data source `ipam_ipams`: the acting account's IPAMs.

use crate::ipam::Result;

use super::aws_data::{DataSourceView, Shape};
use super::data::{IpamItem, find_ipams};
use super::data_ipam::AWS_IPAM_ITEM;
use super::filter::Filter;
use super::framework::Ctx;
use super::model::{ModelDataSource, Set, model};

model! {
    /// `ipam_ipams`.
    pub struct IpamsModel("Lists the acting account's IPAMs. An empty result is not an error.") {
        id: Option<String> = computed("The provider region."),
        ipam_ids: Option<Vec<String>> = optional("Only these IPAMs."),
        ipams: Vec<IpamItem> = computed("The matching IPAMs, by ID."),
        filter: Set<Filter> = set_block("Filters: `ipam-id`, `description`, `owner-id`, `ipam-region`, `operating-region`, `state`, `tag:<key>`, `tag-key`."),
    }
}

/// `ipam_ipams`: IPAMs by ID list and filters.
pub struct IpamsData;

impl ModelDataSource for IpamsData {
    type Model = IpamsModel;
    const NAME: &'static str = "ipam_ipams";
    fn read(&self, ctx: &Ctx, config: IpamsModel) -> Result<IpamsModel> {
        let ids = config.ipam_ids.as_deref().unwrap_or_default();
        let ipams = ctx.store.read(|tx| find_ipams(ctx, tx, ids, &config.filter))?;
        Ok(IpamsModel {
            id: Some(ctx.config.region.clone()),
            ipams,
            ..config
        })
    }
}

/// `aws_vpc_ipams`: upstream's IPAMs data source over this one; no top-level `id`, each IPAM
/// as `aws_vpc_ipam` shows it without `tags`.
pub static AWS_VIEW: DataSourceView = DataSourceView {
    name: "aws_vpc_ipams",
    shape: Shape {
        hidden: &["id"],
        items: &[("ipams", &AWS_IPAM_ITEM)],
        ..Shape::SAME
    },
    ..DataSourceView::SAME
};
