//! Data source `aws_caller_identity` (aws view): the acting account, as root credentials of it
//! would see themselves.

use crate::ipam::Result;
use crate::plugin::schema::{Attribute, Block, Schema};
use crate::plugin::value::{Obj, Type, Value};

use super::common::obj;
use super::framework::{Ctx, DataSource};

/// `aws_caller_identity`: the provider's account.
pub struct CallerIdentityData;

impl DataSource for CallerIdentityData {
    fn name(&self) -> &'static str {
        "aws_caller_identity"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new(
                "The acting account (`IPAM_ACCOUNT_ID`, else the first of `allowed_account_ids`, else 123456789012), as its root user.",
                vec![
                    Attribute::computed("account_id", Type::String, "The acting account ID."),
                    Attribute::computed(
                        "arn",
                        Type::String,
                        "The caller's ARN: `arn:aws:iam::<account_id>:root`.",
                    ),
                    Attribute::optional_computed("id", Type::String, "The acting account ID."),
                    Attribute::computed(
                        "user_id",
                        Type::String,
                        "The caller's unique ID: the account ID, as for root credentials.",
                    ),
                ],
            ),
        }
    }
    fn read(&self, ctx: &Ctx, _config: &Obj) -> Result<Obj> {
        let account = &ctx.config.account_id;
        Ok(obj([
            ("account_id", Value::str(account)),
            ("arn", Value::str(format!("arn:aws:iam::{account}:root"))),
            ("id", Value::str(account)),
            ("user_id", Value::str(account)),
        ]))
    }
}
