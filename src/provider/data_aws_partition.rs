//! Data source `aws_partition` (aws view): the `aws` partition, the only one the provider serves.

use crate::ipam::Result;

use super::common::DNS_SUFFIX;
use super::framework::Ctx;
use super::model::{ModelDataSource, model};

model! {
    /// `aws_partition`.
    pub struct PartitionModel("The partition of the provider's region: always `aws`.") {
        dns_suffix: Option<String> = computed("The partition's DNS suffix: `amazonaws.com`."),
        id: Option<String> = optional_computed("The partition (deprecated upstream: use `partition`)."),
        partition: Option<String> = computed("The partition: `aws`."),
        reverse_dns_prefix: Option<String> = computed("The partition's reverse DNS prefix: `com.amazonaws`."),
    }
}

/// `aws_partition`: `aws`, `amazonaws.com`, `com.amazonaws`.
pub struct PartitionData;

impl ModelDataSource for PartitionData {
    type Model = PartitionModel;
    const NAME: &'static str = "aws_partition";
    fn read(&self, _ctx: &Ctx, _config: PartitionModel) -> Result<PartitionModel> {
        let reverse: Vec<&str> = DNS_SUFFIX.rsplit('.').collect();
        Ok(PartitionModel {
            dns_suffix: Some(DNS_SUFFIX.to_string()),
            id: Some("aws".to_string()),
            partition: Some("aws".to_string()),
            reverse_dns_prefix: Some(reverse.join(".")),
        })
    }
}
