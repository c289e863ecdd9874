//! Data source `ipam_pool_cidrs`: the CIDRs provisioned to a pool.

use crate::ipam::Result;
use crate::ipam::model::CidrState;

use super::data::visible_pool;
use super::filter::{Filter, canonical_cidr_values, check_names, matches};
use super::framework::Ctx;
use super::model::{Model, ModelDataSource, Set, model};
use super::resource_pool_cidr::PoolCidrModel;

model! {
    /// One provisioned CIDR.
    pub struct PoolCidrItem {
        cidr: String = computed("The provisioned CIDR."),
        state: CidrState = computed("`provisioned`."),
        netmask_length: i64 = computed("The CIDR's prefix length."),
        ipam_pool_cidr_id: String = computed("The pool CIDR's ID."),
    }
}

model! {
    /// `ipam_pool_cidrs`.
    pub struct PoolCidrsModel("Lists the CIDRs provisioned to a pool, in address order.") {
        id: Option<String> = computed("The pool ID."),
        ipam_pool_id: String = required("The pool."),
        ipam_pool_cidrs: Vec<PoolCidrItem> = computed("The provisioned CIDRs."),
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
                    out.push(PoolCidrItem::from_obj(&PoolCidrModel::from_domain(&pc).to_obj())?);
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
