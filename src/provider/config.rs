//! The provider block: `database`, `account_id`, `region`, `quotas {}`, `default_tags {}`.

use crate::ipam::model::{Quotas, Tags};
use crate::ipam::organization::{Organization, Unit};
use crate::ipam::rules;
use crate::plugin::diag::{Diagnostic, Diagnostics, Path};
use crate::plugin::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use crate::plugin::value::{Obj, Type, Value};

use super::common::{ObjExt, diag};

/// The account used when neither `account_id` nor `IPAM_ACCOUNT_ID` is set.
pub const DEFAULT_ACCOUNT: &str = "123456789012";
/// The region used when neither `region` nor `IPAM_REGION` is set.
pub const DEFAULT_REGION: &str = "us-east-1";
/// The database used when neither `database` nor `IPAM_DATABASE` is set.
pub const DEFAULT_DATABASE: &str = "terraform-ipam.db";

/// The provider's configuration after defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub database: String,
    pub account_id: String,
    pub region: String,
    pub quotas: Quotas,
    pub default_tags: Tags,
    /// The aws view's `ignore_tags {}`.
    pub ignore_tags: IgnoreTags,
    /// The `organization {}` block (or the `IPAM_ORGANIZATION` file): which accounts organisation
    /// and OU principals stand for.
    pub organization: Option<Organization>,
    /// The environment variables `database`, `account_id` and `region` came from, if any.
    pub from_env: Vec<&'static str>,
    /// Arguments whose default a resource fills in are planned, kept and shown as configured
    /// (null when not set) rather than as their effective value, as upstream's optional-only
    /// attributes are: set for the calls of the aws view.
    pub show_configured: bool,
}

/// Tag keys to leave out of `tags` and `tags_all` (the aws view's `ignore_tags {}`): these keys,
/// and keys starting with one of these prefixes. None of the types served so far has tags.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IgnoreTags {
    pub keys: std::collections::BTreeSet<String>,
    pub key_prefixes: std::collections::BTreeSet<String>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            database: DEFAULT_DATABASE.into(),
            account_id: DEFAULT_ACCOUNT.into(),
            region: DEFAULT_REGION.into(),
            quotas: Quotas::default(),
            default_tags: Tags::new(),
            ignore_tags: IgnoreTags::default(),
            organization: None,
            from_env: Vec::new(),
            show_configured: false,
        }
    }
}

const QUOTA_NAMES: [&str; 5] = [
    "ipams_per_region",
    "scopes_per_ipam",
    "pools_per_scope",
    "cidrs_per_pool",
    "pool_depth",
];

/// The provider block's schema.
pub fn schema() -> Schema {
    let quotas = Block::new(
        "Limits of the acting account. Defaults are the AWS IPAM quotas.",
        vec![
            Attribute::optional(
                "ipams_per_region",
                Type::Number,
                "IPAMs per region per account (default 1).",
            ),
            Attribute::optional(
                "scopes_per_ipam",
                Type::Number,
                "Scopes per IPAM, the two default scopes included (default 5).",
            ),
            Attribute::optional("pools_per_scope", Type::Number, "Pools per scope (default 50)."),
            Attribute::optional(
                "cidrs_per_pool",
                Type::Number,
                "CIDRs provisioned per pool (default 50).",
            ),
            Attribute::optional("pool_depth", Type::Number, "Depth of a pool hierarchy (default 10)."),
        ],
    );
    let default_tags = Block::new(
        "Tags on every tagged object: merged into each resource's `tags_all` and stored with it. Changing them updates every tagged resource in place.",
        vec![Attribute::optional(
            "tags",
            Type::map_of(Type::String),
            "Tags merged into every resource's `tags_all`; a resource's own `tags` win. They count for pools' `allocation_resource_tags`.",
        )],
    );
    Schema {
        version: 0,
        block: Block::new(
            "The ipam provider keeps an Amazon VPC IPAM model (IPAMs, scopes, pools, CIDRs, allocations, shares) in a local SQLite database, or in a shared PostgreSQL database.",
            vec![
                Attribute::optional("database", Type::String, "Path of the SQLite database file, or a PostgreSQL URL (`postgres://USER[:PASSWORD]@HOST[:PORT]/DB?sslmode=disable|prefer|require`, `sslrootcert=FILE` for a private CA). Default: `IPAM_DATABASE`, else `terraform-ipam.db` in the working directory."),
                Attribute::optional("account_id", Type::String, "The acting AWS account ID (12 digits): owner of what this provider creates. Default: `IPAM_ACCOUNT_ID`, else `123456789012`."),
                Attribute::optional("region", Type::String, "The region requests are made in; an IPAM's home region. Default: `IPAM_REGION`, else `us-east-1`."),
            ],
        )
        .with_block(NestedBlock { name: "quotas", nesting: Nesting::List, block: quotas, min_items: 0, max_items: 1, force_new: false })
        .with_block(NestedBlock { name: "default_tags", nesting: Nesting::List, block: default_tags, min_items: 0, max_items: 1, force_new: false })
        .with_block(organization_block()),
    }
}

/// The `organization {}` block of both views: the organisation that resource share principals
/// (organisation and OU ARNs) stand for.
pub(super) fn organization_block() -> NestedBlock {
    let accounts = || Type::list_of(Type::String);
    let unit = Block::new(
        "An organizational unit.",
        vec![
            Attribute::required(
                "id",
                Type::String,
                "The unit's ID, `ou-<4-32 lowercase letters or digits>-<8-32 more>`.",
            ),
            Attribute::optional(
                "parent",
                Type::String,
                "The ID of the unit it sits under, another `unit` of this block; unset: under the root.",
            ),
            Attribute::optional("accounts", accounts(), "Account IDs (12 digits) directly in the unit."),
        ],
    );
    let org = Block::new(
        "The organisation resource share principals name: an organisation ARN (`arn:aws:organizations::<management_account>:organization/<id>`) \
         stands for every account listed here, an OU ARN (`arn:aws:organizations::<management_account>:ou/<id>/<unit id>`) for the unit's accounts \
         and its descendants'. Default: the JSON file named by `IPAM_ORGANIZATION`, of the same shape (`unit` is a list of objects).",
        vec![
            Attribute::required("id", Type::String, "The organisation's ID, `o-<10-32 lowercase letters or digits>`."),
            Attribute::required("management_account", Type::String, "The management account (12 digits), the account in the organisation's ARNs."),
            Attribute::optional("accounts", accounts(), "Account IDs (12 digits) directly under the root."),
        ],
    )
    .with_block(NestedBlock { name: "unit", nesting: Nesting::List, block: unit, min_items: 0, max_items: 0, force_new: false });
    NestedBlock {
        name: "organization",
        nesting: Nesting::List,
        block: org,
        min_items: 0,
        max_items: 1,
        force_new: false,
    }
}

/// Reads the `organization {}` block, else the JSON file named by `IPAM_ORGANIZATION`, and checks
/// it. Unknown values (at validation) skip the block.
pub(super) fn organization(cfg: &Obj, diags: &mut Diagnostics) -> Option<Organization> {
    let (org, var) = match first_block(cfg, "organization") {
        Some(b) if !Value::Object(b.clone()).is_wholly_known() => return None,
        Some(b) => (
            Organization {
                id: b.string("id").unwrap_or_default(),
                management_account: b.string("management_account").unwrap_or_default(),
                accounts: b.strings("accounts"),
                units: b
                    .get("unit")
                    .and_then(Value::as_elems)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Value::as_obj)
                    .map(|u| Unit {
                        id: u.string("id").unwrap_or_default(),
                        parent: u.string("parent"),
                        accounts: u.strings("accounts"),
                    })
                    .collect(),
            },
            None,
        ),
        None => {
            let file = env("IPAM_ORGANIZATION")?;
            let read = std::fs::read_to_string(&file)
                .map_err(|e| e.to_string())
                .and_then(|text| serde_json::from_str::<Organization>(&text).map_err(|e| e.to_string()));
            match read {
                Ok(o) => (o, Some("IPAM_ORGANIZATION")),
                Err(e) => {
                    diags.push(Diagnostic::error(
                        "Invalid organization file",
                        format!(
                            "The environment variable IPAM_ORGANIZATION names {file:?}, which could not be read as an organization: {e}. \
                             It must be a JSON object like {{\"id\": \"o-a1b2c3d4e5\", \"management_account\": \"111111111111\", \"accounts\": [...], \
                             \"unit\": [{{\"id\": \"ou-a1b2-c3d4e5f6\", \"parent\": null, \"accounts\": [...]}}]}}."
                        ),
                    ));
                    return None;
                }
            }
        }
    };
    let errs = org.check("organization");
    for e in &errs {
        diags.push(setting_diag(e, var));
    }
    errs.is_empty().then_some(org)
}

pub(super) fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// An error about a setting: on the attribute when the configuration gave it, naming the
/// environment variable (and on no attribute) when that gave it.
pub(super) fn setting_diag(e: &crate::ipam::Error, env_name: Option<&str>) -> Diagnostic {
    match env_name {
        Some(var) => Diagnostic::error(
            e.summary.clone(),
            format!("Set by the environment variable {var}: {}", e.detail),
        ),
        None => diag(e),
    }
}

/// The provider arguments an environment variable gives when the configuration does not, with
/// that variable.
const FROM_ENV: [(&str, &str); 3] = [
    ("database", "IPAM_DATABASE"),
    ("account_id", "IPAM_ACCOUNT_ID"),
    ("region", "IPAM_REGION"),
];

impl Config {
    /// The environment variable that gave `attribute`, if one did.
    fn env_of(&self, attribute: &str) -> Option<&'static str> {
        FROM_ENV
            .iter()
            .find(|(name, _)| *name == attribute)
            .map(|(_, var)| *var)
            .filter(|var| self.from_env.contains(var))
    }

    /// Checks that `database` names a place a database can be (see
    /// [`check_location`](crate::store::check_location)), and the environment settings the
    /// store reads.
    pub fn check_storage(&self) -> Result<(), Diagnostics> {
        let mut diags = Diagnostics::default();
        let var = self.env_of("database");
        let setting = var.unwrap_or("`database`");
        if let Err(e) = crate::store::check_location(&self.database, setting) {
            diags.push(match var {
                Some(_) => Diagnostic::error(e.summary, e.detail),
                None => diag(&e.at("database")),
            });
        }
        if let Err(e) = crate::store::busy_timeout_setting() {
            diags.push(diag(&e));
        }
        if diags.has_errors() { Err(diags) } else { Ok(()) }
    }
}

pub(super) fn first_block(cfg: &Obj, name: &str) -> Option<Obj> {
    cfg.get(name)
        .and_then(Value::as_elems)
        .and_then(|v| v.first())
        .and_then(Value::as_obj)
        .cloned()
}

/// Reads and validates the provider block. Unknown values are skipped when `allow_unknown`.
pub fn parse(value: &Value, allow_unknown: bool) -> Result<Config, Diagnostics> {
    let mut diags = Diagnostics::default();
    let empty = Obj::new();
    let cfg = value.as_obj().unwrap_or(&empty);
    let mut c = Config::default();
    for name in ["database", "account_id", "region"] {
        if cfg.get(name).is_some_and(Value::is_unknown) && !allow_unknown {
            diags.push(Diagnostic::attr_error(
                Path::attr(name),
                "Provider configuration not known",
                format!("`{name}` depends on a value that is known only after apply. Use a literal, a variable or an environment variable."),
            ));
        }
    }
    for (name, var) in FROM_ENV {
        let value = match cfg.string(name) {
            Some(v) => v,
            None => match env(var) {
                Some(v) => {
                    c.from_env.push(var);
                    v
                }
                None => continue,
            },
        };
        match name {
            "database" => c.database = value,
            "account_id" => c.account_id = value,
            _ => c.region = value,
        }
    }
    if c.database.trim().is_empty() {
        diags.push(Diagnostic::attr_error(
            Path::attr("database"),
            "Empty database path",
            "`database` must name a file, e.g. \"terraform-ipam.db\".",
        ));
    }
    if let Err(e) = rules::check_account_id(&c.account_id, "account_id") {
        diags.push(setting_diag(&e, c.env_of("account_id")));
    }
    if let Err(e) = rules::check_region_name(&c.region, "region") {
        diags.push(setting_diag(&e, c.env_of("region")));
    }
    if let Some(q) = first_block(cfg, "quotas") {
        for name in QUOTA_NAMES {
            let Some(v) = q.get(name) else { continue };
            if v.is_null() || v.is_unknown() {
                continue;
            }
            let path = Path::attr("quotas").index(0).then(name);
            match v.as_i64() {
                Some(n) if n >= 1 => {
                    let slot = match name {
                        "ipams_per_region" => &mut c.quotas.ipams_per_region,
                        "scopes_per_ipam" => &mut c.quotas.scopes_per_ipam,
                        "pools_per_scope" => &mut c.quotas.pools_per_scope,
                        "cidrs_per_pool" => &mut c.quotas.cidrs_per_pool,
                        _ => &mut c.quotas.pool_depth,
                    };
                    *slot = n;
                }
                _ => diags.push(Diagnostic::attr_error(
                    path,
                    "Invalid quota",
                    format!("`{name}` must be a whole number of at least 1."),
                )),
            }
        }
        if c.quotas.scopes_per_ipam < 2 {
            diags.push(Diagnostic::attr_error(
                Path::attr("quotas").index(0).then("scopes_per_ipam"),
                "Invalid quota",
                "`scopes_per_ipam` must be at least 2: every IPAM has two default scopes.",
            ));
        }
    }
    if let Some(t) = first_block(cfg, "default_tags") {
        c.default_tags = t.tags("tags");
    }
    c.organization = organization(cfg, &mut diags);
    if diags.has_errors() { Err(diags) } else { Ok(c) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_account_and_quota_point_at_the_attribute() {
        let q = Value::Object([("scopes_per_ipam".to_string(), Value::int(0))].into());
        let cfg = Value::Object(
            [
                ("account_id".to_string(), Value::str("12")),
                ("quotas".to_string(), Value::List(vec![q])),
            ]
            .into(),
        );
        let d = parse(&cfg, false).unwrap_err();
        let paths: Vec<String> =
            d.0.iter()
                .filter_map(|x| x.path.as_ref().map(|p| p.to_string()))
                .collect();
        assert!(paths.contains(&"account_id".to_string()), "{paths:?}");
        assert!(paths.contains(&"quotas[0].scopes_per_ipam".to_string()), "{paths:?}");
    }

    #[test]
    fn defaults_apply() {
        let c = parse(&Value::Null, false).unwrap();
        assert_eq!(c.quotas, Quotas::default());
        assert_eq!(c.account_id.len(), 12);
    }
}
