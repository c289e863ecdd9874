//! Data source `ipam`: one IPAM by ID.

use crate::ipam::{Result, ids};

use super::data::{IpamView, find_ipams};
use super::filter::single;
use super::framework::Ctx;
use super::model::{ModelDataSource, model};
use super::view::{ButId, ReadOnly};

model! {
    /// `ipam`.
    pub struct IpamModel("Reads one IPAM by ID.") {
        id: String = required("The IPAM ID."),
        ipam: ReadOnly<ButId<IpamView>> = flatten(),
    }
}

/// `ipam`: one IPAM by `id`.
pub struct IpamData;

impl ModelDataSource for IpamData {
    type Model = IpamModel;
    const NAME: &'static str = "ipam";
    fn read(&self, ctx: &Ctx, config: IpamModel) -> Result<IpamModel> {
        ids::check_id(&config.id, "ipam", 17, "IPAM").map_err(|e| e.at("id"))?;
        let found = ctx
            .store
            .read(|tx| single(find_ipams(ctx, tx, std::slice::from_ref(&config.id), &[])?, "IPAM"))?;
        Ok(IpamModel {
            ipam: found.view(),
            ..config
        })
    }
}
