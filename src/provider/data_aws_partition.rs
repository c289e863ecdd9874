//! Data source `aws_partition` (aws view): the `aws` partition, the only one the provider serves.

use crate::ipam::Result;
use crate::plugin::schema::{Attribute, Block, Schema};
use crate::plugin::value::{Obj, Type, Value};

use super::common::obj;
use super::data_aws_region::DNS_SUFFIX;
use super::framework::{Ctx, DataSource};

/// `aws_partition`: `aws`, `amazonaws.com`, `com.amazonaws`.
pub struct PartitionData;

impl DataSource for PartitionData {
    fn name(&self) -> &'static str {
        "aws_partition"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new(
                "The partition of the provider's region: always `aws`.",
                vec![
                    Attribute::computed(
                        "dns_suffix",
                        Type::String,
                        "The partition's DNS suffix: `amazonaws.com`.",
                    ),
                    Attribute::optional_computed(
                        "id",
                        Type::String,
                        "The partition (deprecated upstream: use `partition`).",
                    ),
                    Attribute::computed("partition", Type::String, "The partition: `aws`."),
                    Attribute::computed(
                        "reverse_dns_prefix",
                        Type::String,
                        "The partition's reverse DNS prefix: `com.amazonaws`.",
                    ),
                ],
            ),
        }
    }
    fn read(&self, _ctx: &Ctx, _config: &Obj) -> Result<Obj> {
        let reverse: Vec<&str> = DNS_SUFFIX.rsplit('.').collect();
        Ok(obj([
            ("dns_suffix", Value::str(DNS_SUFFIX)),
            ("id", Value::str("aws")),
            ("partition", Value::str("aws")),
            ("reverse_dns_prefix", Value::str(reverse.join("."))),
        ]))
    }
}
