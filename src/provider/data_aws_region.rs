//! Data source `aws_region` (aws view): a region of the `aws` partition, by `region`, the
//! deprecated `name`, or its EC2 `endpoint`; the provider's region when none is given.

use crate::ipam::{Error, ErrorKind, Result};
use crate::plugin::diag::{Diagnostic, Diagnostics, Path};

use super::framework::Ctx;
use super::model::{Maybe, ModelDataSource, model};

/// The regions of the `aws` partition with their descriptions, as the AWS SDKs' partition data
/// names them.
pub const REGIONS: &[(&str, &str)] = &[
    ("af-south-1", "Africa (Cape Town)"),
    ("ap-east-1", "Asia Pacific (Hong Kong)"),
    ("ap-east-2", "Asia Pacific (Taipei)"),
    ("ap-northeast-1", "Asia Pacific (Tokyo)"),
    ("ap-northeast-2", "Asia Pacific (Seoul)"),
    ("ap-northeast-3", "Asia Pacific (Osaka)"),
    ("ap-south-1", "Asia Pacific (Mumbai)"),
    ("ap-south-2", "Asia Pacific (Hyderabad)"),
    ("ap-southeast-1", "Asia Pacific (Singapore)"),
    ("ap-southeast-2", "Asia Pacific (Sydney)"),
    ("ap-southeast-3", "Asia Pacific (Jakarta)"),
    ("ap-southeast-4", "Asia Pacific (Melbourne)"),
    ("ap-southeast-5", "Asia Pacific (Malaysia)"),
    ("ap-southeast-6", "Asia Pacific (New Zealand)"),
    ("ap-southeast-7", "Asia Pacific (Thailand)"),
    ("ca-central-1", "Canada (Central)"),
    ("ca-west-1", "Canada West (Calgary)"),
    ("eu-central-1", "Europe (Frankfurt)"),
    ("eu-central-2", "Europe (Zurich)"),
    ("eu-north-1", "Europe (Stockholm)"),
    ("eu-south-1", "Europe (Milan)"),
    ("eu-south-2", "Europe (Spain)"),
    ("eu-west-1", "Europe (Ireland)"),
    ("eu-west-2", "Europe (London)"),
    ("eu-west-3", "Europe (Paris)"),
    ("il-central-1", "Israel (Tel Aviv)"),
    ("me-central-1", "Middle East (UAE)"),
    ("me-south-1", "Middle East (Bahrain)"),
    ("mx-central-1", "Mexico (Central)"),
    ("sa-east-1", "South America (Sao Paulo)"),
    ("us-east-1", "US East (N. Virginia)"),
    ("us-east-2", "US East (Ohio)"),
    ("us-west-1", "US West (N. California)"),
    ("us-west-2", "US West (Oregon)"),
];

/// The DNS suffix of the `aws` partition.
pub const DNS_SUFFIX: &str = "amazonaws.com";

/// A known region's description.
pub fn description(region: &str) -> Option<&'static str> {
    REGIONS.iter().find(|(r, _)| *r == region).map(|(_, d)| *d)
}

/// A region's EC2 endpoint host.
fn ec2_endpoint(region: &str) -> String {
    format!("ec2.{region}.{DNS_SUFFIX}")
}

/// The region named `name`, or upstream's error (on `attribute` when the configuration gave it).
fn by_name(name: &str, attribute: Option<&str>) -> Result<&'static str> {
    if let Some(r) = REGIONS.iter().find(|(r, _)| *r == name) {
        return Ok(r.0);
    }
    let fix = match attribute {
        Some(_) => "Give a region of the aws partition, such as \"us-east-1\" or \"eu-west-1\".",
        None => {
            "It is the provider's region: give a region of the aws partition in `region` of this data source or of the provider block."
        }
    };
    let e = Error::new(
        ErrorKind::NotFound,
        "Region not found",
        format!("finding Region by name: region not found for name {name:?}. {fix}"),
    );
    Err(match attribute {
        Some(a) => e.at(a),
        None => e,
    })
}

/// The region whose EC2 endpoint host is `endpoint`.
fn by_endpoint(endpoint: &str) -> Result<&'static str> {
    REGIONS
        .iter()
        .find(|(r, _)| ec2_endpoint(r) == endpoint)
        .map(|(r, _)| *r)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                "Region not found",
                format!(
                    "finding Region by EC2 Endpoint: region not found for endpoint {endpoint:?}. Give an EC2 endpoint host such as \"ec2.eu-west-1.amazonaws.com\"."
                ),
            )
            .at("endpoint")
        })
}

model! {
    /// `aws_region`.
    pub struct RegionModel("A region of the `aws` partition: by `region`, `name` or `endpoint`, else the provider's region.") {
        description: Option<String> = computed("The region's description, e.g. `Europe (Ireland)`."),
        endpoint: Option<String> = optional_computed("The region's EC2 endpoint host, e.g. `ec2.eu-west-1.amazonaws.com`."),
        id: Option<String> = optional_computed("The region name."),
        name: Maybe<String> = optional_computed("Deprecated: use `region`. The region name."),
        region: Option<String> = optional_computed("The region name. Default: the provider's region."),
    }
}

/// `aws_region`: one region of the provider's partition.
pub struct RegionData;

impl ModelDataSource for RegionData {
    type Model = RegionModel;
    const NAME: &'static str = "aws_region";
    fn validate(&self, config: &RegionModel, diags: &mut Diagnostics) {
        if !config.name.is_null() {
            diags.push(
                Diagnostic::warning("Attribute Deprecated", "name is deprecated. Use region instead.")
                    .at(Path::attr("name")),
            );
        }
    }
    fn read(&self, ctx: &Ctx, config: RegionModel) -> Result<RegionModel> {
        let mut found: Option<&'static str> = None;
        let mut agree = |r: &'static str, attribute: &str| -> Result<()> {
            match found {
                Some(f) if f != r => Err(Error::invalid(
                    "Multiple Regions matched",
                    format!("multiple Regions matched: the arguments name {f:?} and {r:?}. Give one of `region`, `name` or `endpoint`, or values naming the same region."),
                )
                .at(attribute)),
                _ => {
                    found = Some(r);
                    Ok(())
                }
            }
        };
        if let Some(e) = &config.endpoint {
            agree(by_endpoint(e)?, "endpoint")?;
        }
        for (attribute, given) in [("name", config.name.known()), ("region", config.region.as_ref())] {
            if let Some(n) = given {
                agree(by_name(n, Some(attribute))?, attribute)?;
            }
        }
        let region = match found {
            Some(r) => r,
            None => by_name(&ctx.config.region, None)?,
        };
        Ok(RegionModel {
            description: description(region).map(str::to_string),
            endpoint: Some(ec2_endpoint(region)),
            id: Some(region.to_string()),
            name: Maybe::Known(region.to_string()),
            region: Some(region.to_string()),
        })
    }
}
