//! Helpers resources and data sources (and the provider block) share: typed access to a
//! Terraform object's attributes, building objects and tag values, domain errors as
//! diagnostics on their attribute, the checks of CIDR arguments and composite IDs, the
//! next-CIDR preview, and the regions of the `aws` partition.

use std::collections::BTreeMap;
use std::str::FromStr;

use crate::ipam::cidr::Cidr;
use crate::ipam::model::Tags;
use crate::ipam::{AttrPath, Error, ErrorKind, PathStep, Result, allocator, pool_rules};
use crate::plugin::diag::{Diagnostic, Diagnostics, Path};
use crate::plugin::value::{Obj, Value};
use crate::store::Tx;

/// A domain error's attribute path, step by step, as Terraform addresses it. A set element has
/// no index or key Terraform could resolve, so its step is left out: Terraform resolves the
/// attribute after it when the set has one element (`operating_regions { region_name }` shows
/// `region_name`), and shows the whole resource otherwise; the detail names the element.
pub fn attribute_path(p: &AttrPath) -> Path {
    p.0.iter().fold(Path::default(), |path, step| match step {
        PathStep::Attr(a) => path.then(a),
        PathStep::Index(i) => path.index(*i),
        PathStep::Key(k) => path.key(k),
        PathStep::SetElement => path,
    })
}

/// A domain error as a diagnostic on its attribute.
pub fn diag(e: &Error) -> Diagnostic {
    let d = Diagnostic::error(e.summary.clone(), e.detail.clone());
    match &e.attribute {
        Some(a) => d.at(attribute_path(a)),
        None => d,
    }
}

/// A rule that depends on mutable state of another object (an IPAM's operating regions, a pool's
/// rules, shares, free space, counts) is decided at apply, inside the write transaction: the same
/// plan may change that object first, and Terraform plans each resource on its own. When the
/// stored state would refuse the change today, the plan says so with this warning on the
/// attribute, naming what apply will check.
pub fn checked_at_apply(e: &Error) -> Diagnostic {
    let d = Diagnostic::warning(
        format!("Checked at apply: {}", e.summary),
        format!(
            "{}\n\nThis is how the database stands now. It depends on another object that this plan may change, so apply decides it again, after \
             the changes this resource depends on: if they fix it, apply succeeds; otherwise apply refuses this resource and writes nothing.",
            e.detail
        ),
    );
    match &e.attribute {
        Some(a) => d.at(attribute_path(a)),
        None => d,
    }
}

/// Typed access to an object's attributes.
pub trait ObjExt {
    fn str(&self, k: &str) -> Option<&str>;
    fn string(&self, k: &str) -> Option<String>;
    fn int(&self, k: &str) -> Option<i64>;
    fn boolean(&self, k: &str) -> Option<bool>;
    fn known(&self, k: &str) -> bool;
    fn tags(&self, k: &str) -> Tags;
    fn strings(&self, k: &str) -> Vec<String>;
    /// The attribute parsed as an enumeration of the API; a string it does not know is an error
    /// about the attribute.
    fn parsed<T: FromStr<Err = Error>>(&self, k: &str) -> Result<Option<T>>;
}

impl ObjExt for Obj {
    fn str(&self, k: &str) -> Option<&str> {
        self.get(k).and_then(Value::as_str)
    }
    fn string(&self, k: &str) -> Option<String> {
        self.str(k).map(str::to_string)
    }
    fn int(&self, k: &str) -> Option<i64> {
        self.get(k).and_then(Value::as_i64)
    }
    fn boolean(&self, k: &str) -> Option<bool> {
        self.get(k).and_then(Value::as_bool)
    }
    fn known(&self, k: &str) -> bool {
        self.get(k).is_some_and(Value::is_wholly_known)
    }
    fn tags(&self, k: &str) -> Tags {
        self.get(k)
            .and_then(Value::as_map)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                    .collect()
            })
            .unwrap_or_default()
    }
    fn strings(&self, k: &str) -> Vec<String> {
        self.get(k)
            .and_then(Value::as_elems)
            .map(|v| v.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }
    fn parsed<T: FromStr<Err = Error>>(&self, k: &str) -> Result<Option<T>> {
        self.str(k).map(|s| s.parse().map_err(|e: Error| e.at(k))).transpose()
    }
}

/// `tags_all` as stored: always a map, empty when the object has no tags.
pub fn tags_all_value(tags_all: &Tags) -> Value {
    Value::str_map(tags_all)
}

/// Builds an object from name/value pairs.
pub fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Obj {
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect::<BTreeMap<_, _>>()
}

/// Parses a CIDR argument with an error on the attribute.
pub fn parse_cidr(s: &str, attribute: &str) -> Result<Cidr> {
    Cidr::parse(s).map_err(|e| Error::invalid("Invalid CIDR", e.to_string()).at(attribute))
}

/// The configuration checks of `cidr` and `netmask_length` that pool CIDRs and allocations share:
/// the CIDR parses, the netmask length is in range, and given together they agree. Returns the
/// CIDR when it parses.
pub fn validate_cidr_netmask(cidr: Option<&str>, netmask_length: Option<i64>, diags: &mut Diagnostics) -> Option<Cidr> {
    let cidr = match cidr.map(|s| parse_cidr(s, "cidr")) {
        Some(Ok(c)) => Some(c),
        Some(Err(e)) => {
            diags.push(diag(&e));
            None
        }
        None => None,
    };
    let Some(n) = netmask_length else {
        return cidr;
    };
    if !(0..=128).contains(&n) {
        diags.push(diag(
            &Error::invalid(
                "Netmask length out of range",
                format!("{n} is not a netmask length (0-32 for IPv4, 0-128 for IPv6)."),
            )
            .at("netmask_length"),
        ));
    } else if let Some(c) = cidr
        && let Err(e) = pool_rules::check_cidr_netmask(&c, n)
    {
        diags.push(diag(&e));
    }
    cidr
}

/// Splits a composite ID `<left>_<pool-id>`.
pub fn split_id<'a>(id: &'a str, form: &str) -> Result<(&'a str, &'a str)> {
    match id.rsplit_once('_') {
        Some((a, b)) if !a.is_empty() && b.starts_with("ipam-pool-") => Ok((a, b)),
        _ => Err(Error::invalid(
            "Invalid import ID",
            format!("{id:?} is not of the form {form}."),
        )),
    }
}

/// The first free block a pool would hand out, without reserving it (`ipam_preview_next_cidr`,
/// the resource and the data source).
pub fn preview(tx: &Tx, pool_id: &str, netmask: Option<i64>, disallowed: &[Cidr]) -> Result<Cidr> {
    let pool = tx
        .pool(pool_id)?
        .ok_or_else(|| Error::not_found("pool", pool_id).at("ipam_pool_id"))?;
    let family = pool.address_family;
    let prefix = pool_rules::allocation_netmask(&pool, netmask)?;
    pool_rules::check_pool_has_cidrs(&pool.id, tx.count_pool_cidrs(&pool.id)?)?;
    allocator::preview_first_fit(&mut tx.free_space(&pool.id), family, prefix, disallowed).map_err(|e| match e {
        allocator::AllocError::Storage(e) => e,
        other => {
            let attribute = other.attribute("netmask_length");
            Error::new(
                ErrorKind::Conflict,
                format!("Nothing to preview in pool {}", pool.id),
                other.to_string(),
            )
            .at(attribute)
        }
    })
}

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
pub fn region_description(region: &str) -> Option<&'static str> {
    REGIONS.iter().find(|(r, _)| *r == region).map(|(_, d)| *d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::diag::Step;

    #[test]
    fn cidr_and_netmask_checks_return_the_cidr_with_or_without_a_netmask() {
        let check = |cidr: Option<&str>, n: Option<i64>| {
            let mut d = Diagnostics::default();
            let c = validate_cidr_netmask(cidr, n, &mut d);
            let found: Vec<(String, Option<String>)> =
                d.0.iter()
                    .map(|d| (d.summary.clone(), d.path.as_ref().map(|p| p.to_string())))
                    .collect();
            (c.map(|c| c.to_string()), found)
        };
        let at = |s: &str, a: &str| (s.to_string(), Some(a.to_string()));
        assert_eq!(check(Some("10.0.4.0/24"), None), (Some("10.0.4.0/24".into()), vec![]));
        assert_eq!(
            check(Some("10.0.4.0/24"), Some(24)),
            (Some("10.0.4.0/24".into()), vec![])
        );
        assert_eq!(check(None, Some(24)), (None, vec![]));
        assert_eq!(
            check(Some("10.0.4.0/33"), None),
            (None, vec![at("Invalid CIDR", "cidr")])
        );
        assert_eq!(
            check(None, Some(129)),
            (None, vec![at("Netmask length out of range", "netmask_length")])
        );
        let (c, found) = check(Some("10.0.4.0/24"), Some(25));
        assert_eq!(c.as_deref(), Some("10.0.4.0/24"));
        assert_eq!(found.len(), 1, "{found:?}");
    }

    #[test]
    fn error_paths_become_terraform_paths_step_by_step() {
        let list = AttrPath::attr("cidr_authorization_context").index(0).then("message");
        assert_eq!(
            attribute_path(&list).0,
            vec![
                Step::Attr("cidr_authorization_context".into()),
                Step::Index(0),
                Step::Attr("message".into())
            ]
        );
        let set = AttrPath::attr("operating_regions").element().then("region_name");
        assert_eq!(
            attribute_path(&set).0,
            vec![Step::Attr("operating_regions".into()), Step::Attr("region_name".into())],
            "a set element has no step Terraform can resolve"
        );
        let map = AttrPath::attr("tags").key("env");
        assert_eq!(
            attribute_path(&map).0,
            vec![Step::Attr("tags".into()), Step::Key("env".into())]
        );
        let e = Error::invalid("Bad", "detail").at_path(list);
        assert_eq!(
            diag(&e).path.map(|p| p.to_string()).as_deref(),
            Some("cidr_authorization_context[0].message")
        );
    }
}
