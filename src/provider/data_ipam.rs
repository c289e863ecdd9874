//! Data source `ipam`: one IPAM by ID.

use crate::ipam::{Result, ids};
use crate::plugin::value::{Type, Value};

use super::aws_data::{Added, DataSourceView, Shape};
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

/// Upstream's names of an IPAM's attributes that differ from ours.
const AWS_IPAM_RENAMES: &[(&str, &str)] = &[("home_region", "ipam_region")];

/// What upstream's IPAM data sources show that ours do not: a count of resource discovery
/// associations (the default one, the only one here) and a state message (none: an IPAM here is
/// never in a failed state).
const AWS_IPAM_ADDED: &[Added] = &[
    Added {
        name: "resource_discovery_association_count",
        ty: || Type::Number,
        description: "Resource discoveries associated with the IPAM: 1, its default one.",
        value: |_| Value::int(1),
    },
    Added {
        name: "state_message",
        ty: || Type::String,
        description: "Why the IPAM is in its state: null, as an IPAM here is never in a failed state.",
        value: |_| Value::Null,
    },
];

/// An IPAM in `aws_vpc_ipams`: as `aws_vpc_ipam` shows it, without `tags`.
pub static AWS_IPAM_ITEM: Shape = Shape {
    renames: AWS_IPAM_RENAMES,
    hidden: &["tags"],
    as_list: &["operating_regions"],
    added: AWS_IPAM_ADDED,
    ..Shape::SAME
};

/// `aws_vpc_ipam`: upstream's IPAM data source over this one; `ipam_region` is our
/// `home_region`, `operating_regions` a list.
pub static AWS_VIEW: DataSourceView = DataSourceView {
    name: "aws_vpc_ipam",
    shape: Shape {
        renames: AWS_IPAM_RENAMES,
        as_list: &["operating_regions"],
        added: AWS_IPAM_ADDED,
        ..Shape::SAME
    },
    ..DataSourceView::SAME
};
