//! Data source `ipam_pool_cidrs`: the CIDRs provisioned to a pool.

use crate::ipam::Result;

use super::aws_data::{DataSourceView, Shape};
use super::data::visible_pool;
use super::filter::{Filter, canonical_cidr_values, check_names, matches};
use super::framework::Ctx;
use super::model::{ModelDataSource, Set, model};
use super::resource_pool_cidr::PoolCidrModel;
use super::view::{DataView, ReadOnly};

/// Pool CIDRs as this data source lists them: the CIDR, its prefix length, ID and state.
pub struct PoolCidrView;

impl DataView for PoolCidrView {
    type Model = PoolCidrModel;
    fn hides(name: &str) -> bool {
        !matches!(name, "cidr" | "netmask_length" | "ipam_pool_cidr_id" | "state")
    }
}

model! {
    /// `ipam_pool_cidrs`.
    pub struct PoolCidrsModel("Lists the CIDRs provisioned to a pool, in address order.") {
        id: Option<String> = computed("The pool ID."),
        ipam_pool_id: String = required("The pool."),
        ipam_pool_cidrs: Vec<ReadOnly<PoolCidrView>> = computed("The provisioned CIDRs."),
        filter: Set<Filter> = set_block("Filters: `cidr`, `state`, `ipam-pool-cidr-id`."),
    }
}

/// `ipam_pool_cidrs`: the CIDRs provisioned to a pool.
pub struct PoolCidrsData;

impl ModelDataSource for PoolCidrsData {
    type Model = PoolCidrsModel;
    const NAME: &'static str = "ipam_pool_cidrs";
    fn read(&self, ctx: &Ctx, config: PoolCidrsModel) -> Result<PoolCidrsModel> {
        let mut fs = config.filter.clone();
        canonical_cidr_values(&mut fs, "cidr")?;
        let list = ctx.store.read(|tx| {
            let p = visible_pool(ctx, tx, &config.ipam_pool_id)?;
            check_names(&fs, &["cidr", "state", "ipam-pool-cidr-id"], "pool CIDRs")?;
            let mut out = Vec::new();
            for pc in tx.pool_cidrs(&p.id)? {
                let field = |n: &str| match n {
                    "cidr" => Some(vec![pc.cidr.to_string()]),
                    "state" => Some(vec![pc.state.to_string()]),
                    "ipam-pool-cidr-id" => Some(vec![pc.id.clone()]),
                    _ => None,
                };
                if matches(&fs, &field, &Default::default(), "pool CIDRs")? {
                    out.push(ReadOnly(PoolCidrModel::from_domain(&pc)));
                }
            }
            Ok(out)
        })?;
        Ok(PoolCidrsModel {
            id: Some(config.ipam_pool_id.clone()),
            ipam_pool_cidrs: list,
            ..config
        })
    }
}

/// A CIDR in `aws_vpc_ipam_pool_cidrs`: its `cidr` and `state`.
static AWS_CIDR_ITEM: Shape = Shape {
    hidden: &["netmask_length", "ipam_pool_cidr_id"],
    ..Shape::SAME
};

/// `aws_vpc_ipam_pool_cidrs`: upstream's pool CIDRs data source over this one; `ipam_pool_cidrs`
/// is a set of `{cidr, state}`.
pub static AWS_VIEW: DataSourceView = DataSourceView {
    name: "aws_vpc_ipam_pool_cidrs",
    shape: Shape {
        as_set: &["ipam_pool_cidrs"],
        items: &[("ipam_pool_cidrs", &AWS_CIDR_ITEM)],
        ..Shape::SAME
    },
    arguments: &["id"],
    timeouts: &["read"],
    ..DataSourceView::SAME
};
