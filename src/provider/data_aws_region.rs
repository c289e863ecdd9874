//! Data source `aws_region` (aws view): a region of the `aws` partition, by `region`, the
//! deprecated `name`, or its EC2 `endpoint`; the provider's region when none is given.

use crate::ipam::{Error, ErrorKind, Result};
use crate::plugin::diag::{Diagnostic, Diagnostics, Path};

use super::common::{DNS_SUFFIX, REGIONS, region_description};
use super::framework::Ctx;
use super::model::{Maybe, ModelDataSource, model};

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
            description: region_description(region).map(str::to_string),
            endpoint: Some(ec2_endpoint(region)),
            id: Some(region.to_string()),
            name: Maybe::Known(region.to_string()),
            region: Some(region.to_string()),
        })
    }
}
