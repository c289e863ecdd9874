//! Data source `ipam_preview_next_cidr`: the CIDR the next allocation would get.

use crate::ipam::Result;
use crate::ipam::cidr::Cidr;

use super::aws_data::DataSourceView;
use super::common::{parse_cidr, preview};
use super::data::visible_pool;
use super::framework::Ctx;
use super::model::{ModelDataSource, Set, model};

model! {
    /// `ipam_preview_next_cidr` (data source).
    pub struct PreviewModel(
        "Previews the CIDR the next allocation would get. Recomputed on every read and reserves nothing: N previews of one pool \
         return the same CIDR, and once it is allocated the next read moves on. To reserve space, use `ipam_pool_allocation` with `netmask_length`."
    ) {
        id: Option<String> = computed("`<cidr>_<pool-id>`."),
        ipam_pool_id: String = required("The pool."),
        netmask_length: Option<i64> = optional("Size to preview; default: the pool's default netmask length."),
        disallowed_cidrs: Option<Set<String>> = optional("CIDRs the preview must not overlap."),
        cidr: Option<String> = computed("The CIDR the next allocation would get now."),
    }
}

/// `ipam_preview_next_cidr` (data source): computed again on every read, reserving nothing.
pub struct PreviewData;

impl ModelDataSource for PreviewData {
    type Model = PreviewModel;
    const NAME: &'static str = "ipam_preview_next_cidr";
    fn read(&self, ctx: &Ctx, config: PreviewModel) -> Result<PreviewModel> {
        let pool_id = &config.ipam_pool_id;
        let disallowed: Vec<Cidr> = config
            .disallowed_cidrs
            .iter()
            .flat_map(|s| s.iter())
            .map(|s| parse_cidr(s, "disallowed_cidrs"))
            .collect::<Result<_>>()?;
        let cidr = ctx.store.read(|tx| {
            visible_pool(ctx, tx, pool_id)?;
            preview(tx, pool_id, config.netmask_length, &disallowed)
        })?;
        Ok(PreviewModel {
            id: Some(format!("{cidr}_{pool_id}")),
            cidr: Some(cidr.to_string()),
            ..config
        })
    }
}

/// `aws_vpc_ipam_preview_next_cidr` (data source): upstream's preview over this one.
pub static AWS_VIEW: DataSourceView = DataSourceView {
    name: "aws_vpc_ipam_preview_next_cidr",
    arguments: &["id"],
    timeouts: &["read"],
    ..DataSourceView::SAME
};
