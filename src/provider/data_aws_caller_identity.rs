//! Data source `aws_caller_identity` (aws view): the acting account, as root credentials of it
//! would see themselves.

use crate::ipam::Result;

use super::framework::Ctx;
use super::model::{ModelDataSource, model};

model! {
    /// `aws_caller_identity`.
    pub struct CallerIdentityModel("The acting account (`IPAM_ACCOUNT_ID`, else the first of `allowed_account_ids`, else 123456789012), as its root user.") {
        account_id: Option<String> = computed("The acting account ID."),
        arn: Option<String> = computed("The caller's ARN: `arn:aws:iam::<account_id>:root`."),
        id: Option<String> = optional_computed("The acting account ID."),
        user_id: Option<String> = computed("The caller's unique ID: the account ID, as for root credentials."),
    }
}

/// `aws_caller_identity`: the provider's account.
pub struct CallerIdentityData;

impl ModelDataSource for CallerIdentityData {
    type Model = CallerIdentityModel;
    const NAME: &'static str = "aws_caller_identity";
    fn read(&self, ctx: &Ctx, _config: CallerIdentityModel) -> Result<CallerIdentityModel> {
        let account = &ctx.config.account_id;
        Ok(CallerIdentityModel {
            account_id: Some(account.clone()),
            arn: Some(format!("arn:aws:iam::{account}:root")),
            id: Some(account.clone()),
            user_id: Some(account.clone()),
        })
    }
}
