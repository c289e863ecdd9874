//! The provider block when Terraform addresses this binary as `hashicorp/aws` (the aws view):
//! upstream's 29 arguments and 5 blocks, read into the same [`Config`] as the ipam view's block.
//! Credentials, endpoints, retries and proxies are accepted with upstream's value checks and not
//! used: nothing reaches AWS, and configure says so once, as a warning.

use std::collections::BTreeSet;
use std::ffi::OsStr;

use crate::ipam::model::Tags;
use crate::ipam::rules;
use crate::plugin::diag::{Diagnostic, Diagnostics, Path};
use crate::plugin::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use crate::plugin::value::{Obj, Type, Value};
use crate::store::redact;

use super::common::{ObjExt, region_description};
use super::config::{Config, IgnoreTags, env, first_block, organization, setting_diag};

/// The names the binary serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// `local/ipam`: the `ipam_*` types and the ipam provider block.
    Ipam,
    /// `hashicorp/aws`: the `aws_*` types and upstream's provider block.
    Aws,
}

/// The executable name (prefix) under which the binary serves the aws view.
pub const AWS_EXECUTABLE: &str = "terraform-provider-aws";

impl View {
    /// The view of a program started as `argv0`. Terraform never tells a provider its address,
    /// so the name it was launched under decides: `terraform-provider-aws…` (the link
    /// `install --as-aws` makes, which Terraform runs for `hashicorp/aws` under `dev_overrides`)
    /// serves the aws view. `argv[0]`, not `current_exe()`, which resolves that link.
    pub fn of_program(argv0: Option<&OsStr>) -> View {
        let name = argv0
            .and_then(|a| std::path::Path::new(a).file_name())
            .and_then(OsStr::to_str);
        match name {
            Some(n) if n.starts_with(AWS_EXECUTABLE) => View::Aws,
            _ => View::Ipam,
        }
    }
}

const UNUSED: &str = "Accepted for compatibility with `hashicorp/aws`; not used: nothing reaches AWS.";

/// An upstream argument accepted and not used.
fn unused(name: &'static str, ty: Type) -> Attribute {
    Attribute::optional(name, ty, UNUSED)
}

fn strings(of: fn(Type) -> Type) -> Type {
    of(Type::String)
}

/// The provider block's schema in the aws view: upstream's attributes, types and blocks.
pub fn schema() -> Schema {
    let attributes = vec![
        unused("access_key", Type::String),
        Attribute::optional(
            "allowed_account_ids",
            strings(Type::set_of),
            "Accounts this configuration may act as. The acting account is `IPAM_ACCOUNT_ID`, else the first of these (sorted), else 123456789012; one outside this list fails configure. Conflicts with `forbidden_account_ids`.",
        ),
        unused("custom_ca_bundle", Type::String),
        unused("ec2_metadata_service_endpoint", Type::String),
        Attribute::optional(
            "ec2_metadata_service_endpoint_mode",
            Type::String,
            "`IPv4` or `IPv6`. Accepted; not used: nothing reaches AWS.",
        ),
        Attribute::optional(
            "forbidden_account_ids",
            strings(Type::set_of),
            "Accounts this configuration must not act as: an acting account in this list fails configure. Conflicts with `allowed_account_ids`.",
        ),
        unused("http_proxy", Type::String),
        unused("https_proxy", Type::String),
        unused("insecure", Type::Bool),
        unused("max_retries", Type::Number),
        unused("no_proxy", Type::String),
        unused("profile", Type::String),
        Attribute::optional(
            "region",
            Type::String,
            "The region requests are made in; an IPAM's home region. Default: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `IPAM_REGION`; one of them is required.",
        ),
        Attribute::optional(
            "retry_mode",
            Type::String,
            "`standard` or `adaptive`. Accepted; not used: nothing reaches AWS.",
        ),
        Attribute::optional(
            "s3_us_east_1_regional_endpoint",
            Type::String,
            "`regional` or `legacy` (deprecated). Accepted; not used: nothing reaches AWS.",
        ),
        unused("s3_use_path_style", Type::Bool),
        unused("secret_key", Type::String),
        unused("shared_config_files", strings(Type::list_of)),
        unused("shared_credentials_files", strings(Type::list_of)),
        unused("skip_credentials_validation", Type::Bool),
        Attribute::optional(
            "skip_metadata_api_check",
            Type::String,
            "`true` or `false`, as a string. Accepted; not used: nothing reaches AWS.",
        ),
        Attribute::optional(
            "skip_region_validation",
            Type::Bool,
            "Accept a well-formed region this provider does not know (one opened recently). Default false.",
        ),
        unused("skip_requesting_account_id", Type::Bool),
        unused("sts_region", Type::String),
        Attribute::optional(
            "tag_policy_compliance",
            Type::String,
            "`error`, `warning` or `disabled`. Accepted; not used: nothing reaches AWS.",
        ),
        unused("token", Type::String),
        unused("token_bucket_rate_limiter_capacity", Type::Number),
        unused("use_dualstack_endpoint", Type::Bool),
        unused("use_fips_endpoint", Type::Bool),
    ];
    let list = |name, max_items, block| NestedBlock {
        name,
        nesting: Nesting::List,
        block,
        min_items: 0,
        max_items,
        force_new: false,
    };
    let assume_role = Block::new(
        "A role to assume. Accepted (`role_arn` is required); not used: nothing reaches AWS.",
        vec![
            unused("duration", Type::String),
            unused("external_id", Type::String),
            unused("policy", Type::String),
            unused("policy_arns", strings(Type::set_of)),
            unused("role_arn", Type::String),
            unused("session_name", Type::String),
            unused("source_identity", Type::String),
            unused("tags", strings(Type::map_of)),
            unused("transitive_tag_keys", strings(Type::set_of)),
        ],
    );
    let web_identity = Block::new(
        "A role to assume with a web identity token. Accepted (one of `web_identity_token` and `web_identity_token_file`); not used: nothing reaches AWS.",
        vec![
            unused("duration", Type::String),
            unused("policy", Type::String),
            unused("policy_arns", strings(Type::set_of)),
            unused("role_arn", Type::String),
            unused("session_name", Type::String),
            unused("web_identity_token", Type::String),
            unused("web_identity_token_file", Type::String),
        ],
    );
    let default_tags = Block::new(
        "Tags on every tagged object, merged into each resource's `tags_all` (a resource's own `tags` win). Also `TF_AWS_DEFAULT_TAGS_<key>` variables; the configuration wins.",
        vec![Attribute::optional(
            "tags",
            strings(Type::map_of),
            "Tags merged into every resource's `tags_all`.",
        )],
    );
    let ignore_tags = Block::new(
        "Tag keys the provider leaves alone: left out of `tags` and `tags_all`. Also `TF_AWS_IGNORE_TAGS_KEYS` and `TF_AWS_IGNORE_TAGS_KEY_PREFIXES` (comma-separated).",
        vec![
            Attribute::optional("key_prefixes", strings(Type::set_of), "Tag key prefixes to ignore."),
            Attribute::optional("keys", strings(Type::set_of), "Tag keys to ignore."),
        ],
    );
    let endpoints = Block::new(
        "Custom service endpoints. Accepted; not used: nothing reaches AWS.",
        ENDPOINT_KEYS.iter().map(|k| unused(k, Type::String)).collect(),
    );
    Schema {
        version: 0,
        block: Block::new(
            "The ipam provider addressed as `hashicorp/aws`: serves the `aws_*` IPAM types from the local database named by `IPAM_DATABASE`. Nothing reaches AWS.",
            attributes,
        )
        .with_block(list("assume_role", 0, assume_role))
        .with_block(list("assume_role_with_web_identity", 1, web_identity))
        .with_block(list("default_tags", 1, default_tags))
        .with_block(NestedBlock {
            nesting: Nesting::Set,
            ..list("endpoints", 0, endpoints)
        })
        .with_block(list("ignore_tags", 1, ignore_tags)),
    }
}

/// The regions' environment variables, in the order they are read.
const REGION_VARS: [&str; 3] = ["AWS_REGION", "AWS_DEFAULT_REGION", "IPAM_REGION"];

/// Refuses a string outside `allowed` (null and unknown pass).
fn one_of(block: &Obj, path: Path, name: &str, allowed: &[&str], expected: &str, diags: &mut Diagnostics) {
    if let Some(v) = block.str(name)
        && !allowed.contains(&v)
    {
        diags.push(Diagnostic::attr_error(
            path,
            format!("Invalid {name}"),
            format!("`{name}` must be {expected}; got {v:?}."),
        ));
    }
}

/// A string set by the configuration (not null, not unknown, not empty).
fn given(block: &Obj, name: &str) -> bool {
    block.str(name).is_some_and(|s| !s.is_empty())
}

/// Upstream's value checks of the arguments that are otherwise unused: the values' forms at
/// validation; what upstream checks when it configures (a role to assume, a token to assume it
/// with) only when `configuring`.
fn check_unused(cfg: &Obj, configuring: bool, diags: &mut Diagnostics) {
    let top = |name: &str| Path::attr(name);
    one_of(
        cfg,
        top("retry_mode"),
        "retry_mode",
        &["standard", "adaptive"],
        "\"standard\" or \"adaptive\"",
        diags,
    );
    one_of(
        cfg,
        top("s3_us_east_1_regional_endpoint"),
        "s3_us_east_1_regional_endpoint",
        &["regional", "legacy"],
        "\"regional\" or \"legacy\"",
        diags,
    );
    if cfg.str("s3_us_east_1_regional_endpoint") == Some("legacy") {
        diags.push(Diagnostic::warning(
            "Deprecated value",
            "`s3_us_east_1_regional_endpoint = \"legacy\"` is deprecated upstream; remove it (\"regional\" is the default).",
        )
        .at(top("s3_us_east_1_regional_endpoint")));
    }
    one_of(
        cfg,
        top("tag_policy_compliance"),
        "tag_policy_compliance",
        &["error", "warning", "disabled"],
        "\"error\", \"warning\" or \"disabled\"",
        diags,
    );
    one_of(
        cfg,
        top("ec2_metadata_service_endpoint_mode"),
        "ec2_metadata_service_endpoint_mode",
        &["IPv4", "IPv6"],
        "\"IPv4\" or \"IPv6\"",
        diags,
    );
    // A nullable boolean given as a string: what Go's strconv.ParseBool accepts, or empty.
    one_of(
        cfg,
        top("skip_metadata_api_check"),
        "skip_metadata_api_check",
        &[
            "", "true", "false", "1", "0", "t", "f", "T", "F", "TRUE", "FALSE", "True", "False",
        ],
        "\"true\" or \"false\"",
        diags,
    );
    for (i, role) in blocks(cfg, "assume_role").iter().enumerate() {
        if !configuring || given(role, "role_arn") {
            continue;
        }
        diags.push(Diagnostic::attr_error(
            Path::attr("assume_role").index(i as i64).then("role_arn"),
            "Missing role_arn",
            "An `assume_role` block needs `role_arn`, the role to assume (e.g. \"arn:aws:iam::123456789012:role/ipam\"), or remove the block. It is not used: nothing reaches AWS.",
        ));
    }
    if let Some(web) = blocks(cfg, "assume_role_with_web_identity").first() {
        let path = Path::attr("assume_role_with_web_identity").index(0);
        let (token, file) = (given(web, "web_identity_token"), given(web, "web_identity_token_file"));
        if token && file {
            diags.push(Diagnostic::attr_error(
                path.then("web_identity_token_file"),
                "Conflicting configuration arguments",
                "\"assume_role_with_web_identity.0.web_identity_token_file\": conflicts with web_identity_token. Give one of them.",
            ));
        } else if configuring && !token && !file && env("AWS_WEB_IDENTITY_TOKEN_FILE").is_none() {
            diags.push(Diagnostic::attr_error(
                path,
                "Missing web identity token",
                "`assume_role_with_web_identity` needs one of `web_identity_token` and `web_identity_token_file` (or the environment variable AWS_WEB_IDENTITY_TOKEN_FILE), or remove the block. It is not used: nothing reaches AWS.",
            ));
        }
    }
}

/// The elements of a list or set block.
fn blocks(cfg: &Obj, name: &str) -> Vec<Obj> {
    cfg.get(name)
        .and_then(Value::as_elems)
        .map(|v| v.iter().filter_map(Value::as_obj).cloned().collect())
        .unwrap_or_default()
}

/// `TF_AWS_DEFAULT_TAGS_<key>` variables, under the block's `tags`.
fn default_tags(cfg: &Obj) -> Tags {
    let mut tags: Tags = std::env::vars()
        .filter_map(|(k, v)| {
            k.strip_prefix("TF_AWS_DEFAULT_TAGS_")
                .filter(|key| !key.is_empty())
                .map(|key| (key.to_string(), v))
        })
        .collect();
    if let Some(block) = first_block(cfg, "default_tags") {
        tags.extend(block.tags("tags"));
    }
    tags
}

/// The block's keys and prefixes, with `TF_AWS_IGNORE_TAGS_KEYS` and `_KEY_PREFIXES`.
fn ignore_tags(cfg: &Obj) -> IgnoreTags {
    let block = first_block(cfg, "ignore_tags").unwrap_or_default();
    let read = |name: &str, var: &str| -> BTreeSet<String> {
        let from_env = env(var).unwrap_or_default();
        from_env
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .chain(block.strings(name))
            .collect()
    };
    IgnoreTags {
        keys: read("keys", "TF_AWS_IGNORE_TAGS_KEYS"),
        key_prefixes: read("key_prefixes", "TF_AWS_IGNORE_TAGS_KEY_PREFIXES"),
    }
}

/// The region: `region`, else the environment; checked as upstream checks it.
fn region(cfg: &Obj, c: &mut Config, diags: &mut Diagnostics) {
    if cfg.get("region").is_some_and(Value::is_unknown) {
        return;
    }
    let found = match cfg.string("region") {
        Some(r) => Some((r, None)),
        None => REGION_VARS.iter().find_map(|var| env(var).map(|r| (r, Some(*var)))),
    };
    let Some((region, var)) = found else {
        diags.push(Diagnostic::attr_error(
            Path::attr("region"),
            "No region",
            "The aws provider needs a region: set `region` in the provider block (e.g. region = \"us-east-1\"), or the environment variable AWS_REGION, AWS_DEFAULT_REGION or IPAM_REGION.",
        ));
        return;
    };
    if let Err(e) = rules::check_region_name(&region, "region") {
        diags.push(setting_diag(&e, var));
    } else if region_description(&region).is_none() && cfg.boolean("skip_region_validation") != Some(true) {
        let e = crate::ipam::Error::invalid(
            format!("Invalid AWS Region: {region}"),
            format!(
                "{region:?} is not a region of the aws partition this provider knows. Use a region such as \"us-east-1\" or \"eu-west-1\", or set skip_region_validation = true for a region opened recently."
            ),
        )
        .at("region");
        diags.push(setting_diag(&e, var));
    }
    if var == Some("IPAM_REGION") {
        c.from_env.push("IPAM_REGION");
    }
    c.region = region;
}

/// The acting account when `configuring`, checked against `allowed_account_ids` and
/// `forbidden_account_ids` as upstream checks the account its credentials belong to; the two
/// lists' conflict at validation too.
fn account(cfg: &Obj, configuring: bool, c: &mut Config, diags: &mut Diagnostics) {
    let set = |name: &str| cfg.get(name).is_some_and(|v| !v.is_null());
    if set("allowed_account_ids") && set("forbidden_account_ids") {
        diags.push(Diagnostic::attr_error(
            Path::attr("forbidden_account_ids"),
            "Conflicting configuration arguments",
            "\"forbidden_account_ids\": conflicts with allowed_account_ids. Give one of them.",
        ));
    }
    if !configuring {
        return;
    }
    let allowed: BTreeSet<String> = cfg.strings("allowed_account_ids").into_iter().collect();
    let forbidden: BTreeSet<String> = cfg.strings("forbidden_account_ids").into_iter().collect();
    let (account, var, attribute) = match env("IPAM_ACCOUNT_ID") {
        Some(a) => (a, Some("IPAM_ACCOUNT_ID"), "allowed_account_ids"),
        None => match allowed.first() {
            Some(a) => (a.clone(), None, "allowed_account_ids"),
            None => (c.account_id.clone(), None, "account"),
        },
    };
    if let Err(e) = rules::check_account_id(&account, attribute) {
        diags.push(setting_diag(&e, var));
        return;
    }
    let source = match var {
        Some(v) => format!("from the environment variable {v}"),
        None if allowed.is_empty() => "the default".to_string(),
        None => "the first of allowed_account_ids".to_string(),
    };
    let refused = |list: &str, why: &str| {
        Diagnostic::attr_error(
            Path::attr(list),
            format!("AWS account ID not allowed: {account}"),
            format!(
                "The acting account {account} ({source}) {why}. Set IPAM_ACCOUNT_ID to another account, or change `{list}`."
            ),
        )
    };
    if !allowed.is_empty() && !allowed.contains(&account) {
        diags.push(refused("allowed_account_ids", "is not in allowed_account_ids"));
    }
    if forbidden.contains(&account) {
        diags.push(refused("forbidden_account_ids", "is in forbidden_account_ids"));
    }
    if var.is_some() {
        c.from_env.push("IPAM_ACCOUNT_ID");
    }
    c.account_id = account;
}

/// Reads and checks the provider block: the configuration and its warnings, or every
/// diagnostic. At validation (`allow_unknown`: values may be unknown) only what upstream
/// validates: the arguments' forms and conflicts; the region and the account, which may come
/// from the environment, are checked when configuring, as upstream does (so `terraform validate`
/// passes without them).
pub fn parse(value: &Value, allow_unknown: bool) -> Result<(Config, Diagnostics), Diagnostics> {
    let mut diags = Diagnostics::default();
    let empty = Obj::new();
    let cfg = value.as_obj().unwrap_or(&empty);
    let configuring = !allow_unknown;
    if configuring {
        for name in [
            "region",
            "allowed_account_ids",
            "forbidden_account_ids",
            "default_tags",
            "ignore_tags",
        ] {
            if cfg.get(name).is_some_and(|v| !v.is_wholly_known()) {
                diags.push(Diagnostic::attr_error(
                    Path::attr(name),
                    "Provider configuration not known",
                    format!("`{name}` depends on a value that is known only after apply. Use a literal, a variable or an environment variable."),
                ));
            }
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    let mut c = Config::default();
    if let Some(db) = env("IPAM_DATABASE") {
        c.database = db;
        c.from_env.push("IPAM_DATABASE");
    }
    if configuring {
        region(cfg, &mut c, &mut diags);
    }
    account(cfg, configuring, &mut c, &mut diags);
    check_unused(cfg, configuring, &mut diags);
    c.default_tags = default_tags(cfg);
    c.ignore_tags = ignore_tags(cfg);
    c.organization = organization(cfg, &mut diags);
    if diags.has_errors() { Err(diags) } else { Ok((c, diags)) }
}

/// The warning every configure in the aws view gives.
pub fn nothing_reaches_aws(c: &Config) -> Diagnostic {
    Diagnostic::warning(
        "Nothing reaches AWS",
        format!(
            "terraform-provider-ipam serves the aws_* IPAM types from {} (account {}, region {}), not from AWS. \
             Credentials, endpoints, retries and proxies in this provider block are accepted and not used. \
             Set IPAM_DATABASE to choose the database.",
            redact(&c.database),
            c.account_id,
            c.region
        ),
    )
}

const ENDPOINT_KEYS: [&str; 323] = [
    "accessanalyzer",
    "account",
    "accountaccess",
    "acm",
    "acmpca",
    "agentregistry",
    "amg",
    "amp",
    "amplify",
    "apigateway",
    "apigatewayv2",
    "appautoscaling",
    "appconfig",
    "appfabric",
    "appflow",
    "appintegrations",
    "appintegrationsservice",
    "applicationautoscaling",
    "applicationinsights",
    "applicationsignals",
    "appmesh",
    "appregistry",
    "apprunner",
    "appstream",
    "appsync",
    "arcregionswitch",
    "arczonalshift",
    "athena",
    "auditmanager",
    "autoscaling",
    "autoscalingplans",
    "backup",
    "batch",
    "bcmdataexports",
    "beanstalk",
    "bedrock",
    "bedrockagent",
    "bedrockagentcore",
    "bedrockruntime",
    "billing",
    "budgets",
    "ce",
    "chatbot",
    "chime",
    "chimesdkmediapipelines",
    "chimesdkvoice",
    "cleanrooms",
    "cloud9",
    "cloudcontrol",
    "cloudcontrolapi",
    "cloudformation",
    "cloudfront",
    "cloudfrontkeyvaluestore",
    "cloudhsm",
    "cloudhsmv2",
    "cloudsearch",
    "cloudtrail",
    "cloudwatch",
    "cloudwatchevents",
    "cloudwatchevidently",
    "cloudwatchlog",
    "cloudwatchlogs",
    "cloudwatchobservabilityaccessmanager",
    "cloudwatchrum",
    "codeartifact",
    "codebuild",
    "codecatalyst",
    "codecommit",
    "codeconnections",
    "codedeploy",
    "codeguruprofiler",
    "codegurureviewer",
    "codepipeline",
    "codestarconnections",
    "codestarnotifications",
    "cognitoidentity",
    "cognitoidentityprovider",
    "cognitoidp",
    "comprehend",
    "computeoptimizer",
    "config",
    "configservice",
    "connect",
    "connectcases",
    "controltower",
    "costandusagereportservice",
    "costexplorer",
    "costoptimizationhub",
    "cur",
    "customerprofiles",
    "databasemigration",
    "databasemigrationservice",
    "databrew",
    "dataexchange",
    "datapipeline",
    "datasync",
    "datazone",
    "dax",
    "deploy",
    "detective",
    "devicefarm",
    "devopsagent",
    "devopsguru",
    "directconnect",
    "directoryservice",
    "directoryservicedata",
    "dlm",
    "dms",
    "docdb",
    "docdbelastic",
    "drs",
    "ds",
    "dsql",
    "dynamodb",
    "ec2",
    "ecr",
    "ecrpublic",
    "ecs",
    "efs",
    "eks",
    "elasticache",
    "elasticbeanstalk",
    "elasticloadbalancing",
    "elasticloadbalancingv2",
    "elasticsearch",
    "elasticsearchservice",
    "elastictranscoder",
    "elb",
    "elbv2",
    "emr",
    "emrcontainers",
    "emrserverless",
    "es",
    "eventbridge",
    "eventbridgev2",
    "events",
    "evidently",
    "evs",
    "finspace",
    "firehose",
    "fis",
    "fms",
    "fsx",
    "gamelift",
    "glacier",
    "globalaccelerator",
    "glue",
    "gluedatabrew",
    "grafana",
    "greengrass",
    "groundstation",
    "guardduty",
    "healthlake",
    "iam",
    "identitystore",
    "imagebuilder",
    "inspector",
    "inspector2",
    "inspectorv2",
    "interconnect",
    "internetmonitor",
    "invoicing",
    "iot",
    "ivs",
    "ivschat",
    "kafka",
    "kafkaconnect",
    "kendra",
    "keyspaces",
    "kinesis",
    "kinesisanalytics",
    "kinesisanalyticsv2",
    "kinesisvideo",
    "kms",
    "lakeformation",
    "lambda",
    "lambdacore",
    "lambdamicrovms",
    "launchwizard",
    "lex",
    "lexmodelbuilding",
    "lexmodelbuildingservice",
    "lexmodels",
    "lexmodelsv2",
    "lexv2models",
    "licensemanager",
    "lightsail",
    "location",
    "locationservice",
    "logs",
    "m2",
    "macie2",
    "mailmanager",
    "managedgrafana",
    "mediaconnect",
    "mediaconvert",
    "medialive",
    "mediapackage",
    "mediapackagev2",
    "mediapackagevod",
    "mediastore",
    "memorydb",
    "mgn",
    "mpa",
    "mq",
    "msk",
    "mwaa",
    "mwaaserverless",
    "neptune",
    "neptunegraph",
    "networkfirewall",
    "networkflowmonitor",
    "networkmanager",
    "networkmonitor",
    "networksecuritymanager",
    "notifications",
    "notificationscontacts",
    "oam",
    "observabilityadmin",
    "odb",
    "opensearch",
    "opensearchingestion",
    "opensearchserverless",
    "opensearchservice",
    "organizations",
    "osis",
    "outposts",
    "paymentcryptography",
    "pcaconnectorad",
    "pcs",
    "pinpoint",
    "pinpointsmsvoicev2",
    "pipes",
    "polly",
    "pricing",
    "prometheus",
    "prometheusservice",
    "qbusiness",
    "qldb",
    "quicksight",
    "ram",
    "rbin",
    "rds",
    "rdsdata",
    "rdsdataservice",
    "recyclebin",
    "redshift",
    "redshiftdata",
    "redshiftdataapiservice",
    "redshiftserverless",
    "rekognition",
    "resiliencehub",
    "resiliencehubv2",
    "resourceexplorer2",
    "resourcegroups",
    "resourcegroupstagging",
    "resourcegroupstaggingapi",
    "rolesanywhere",
    "route53",
    "route53domains",
    "route53profiles",
    "route53recoverycontrolconfig",
    "route53recoveryreadiness",
    "route53resolver",
    "rum",
    "s3",
    "s3api",
    "s3control",
    "s3files",
    "s3outposts",
    "s3tables",
    "s3vectors",
    "sagemaker",
    "savingsplans",
    "scheduler",
    "schemas",
    "secretsmanager",
    "securityhub",
    "securitylake",
    "serverlessapplicationrepository",
    "serverlessapprepo",
    "serverlessrepo",
    "servicecatalog",
    "servicecatalogappregistry",
    "servicediscovery",
    "servicequotas",
    "ses",
    "sesv2",
    "sfn",
    "shield",
    "signer",
    "sns",
    "sqs",
    "ssm",
    "ssmcontacts",
    "ssmincidents",
    "ssmquicksetup",
    "ssmsap",
    "sso",
    "ssoadmin",
    "stepfunctions",
    "storagegateway",
    "sts",
    "swf",
    "synthetics",
    "taxsettings",
    "timestreaminfluxdb",
    "timestreamquery",
    "timestreamwrite",
    "transcribe",
    "transcribeservice",
    "transfer",
    "uxc",
    "verifiedpermissions",
    "vpclattice",
    "waf",
    "wafregional",
    "wafv2",
    "wellarchitected",
    "workmail",
    "workspaces",
    "workspacesweb",
    "xray",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::grpc::Backend;
    use crate::provider::IpamProvider;
    use crate::provider::config::DEFAULT_ACCOUNT;

    fn config(pairs: Vec<(&str, Value)>) -> Value {
        Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    fn paths(d: &Diagnostics) -> Vec<String> {
        d.0.iter()
            .filter_map(|x| x.path.as_ref().map(|p| p.to_string()))
            .collect()
    }

    #[test]
    fn the_program_name_decides_the_view() {
        for (argv0, view) in [
            ("/x/terraform-provider-aws", View::Aws),
            ("terraform-provider-aws_v6.22.1_x5", View::Aws),
            ("/x/terraform-provider-ipam", View::Ipam),
            ("/terraform-provider-aws/terraform-provider-ipam", View::Ipam),
        ] {
            assert_eq!(View::of_program(Some(OsStr::new(argv0))), view, "{argv0}");
        }
        assert_eq!(View::of_program(None), View::Ipam);
    }

    #[test]
    fn each_view_serves_its_own_names() {
        let aws = IpamProvider::for_view(View::Aws);
        let ipam = IpamProvider::new();
        assert!(aws.provider_schema().block.attribute("profile").is_some());
        assert!(ipam.provider_schema().block.attribute("profile").is_none());
        for (p, prefix) in [(&aws, "aws_"), (&ipam, "ipam")] {
            let names: Vec<&String> = p
                .resource_schemas()
                .keys()
                .chain(p.data_source_schemas().keys())
                .collect();
            assert!(!names.is_empty());
            assert!(names.iter().all(|n| n.starts_with(prefix)), "{names:?}");
        }
    }

    #[test]
    fn account_is_the_first_allowed_and_checked() {
        if std::env::var_os("IPAM_ACCOUNT_ID").is_some() {
            return;
        }
        let allowed = Value::str_set(["333333333333", "111111111111"]);
        let (c, _) = parse(
            &config(vec![
                ("region", Value::str("eu-west-1")),
                ("allowed_account_ids", allowed),
            ]),
            false,
        )
        .unwrap();
        assert_eq!(c.account_id, "111111111111");
        assert_eq!(c.region, "eu-west-1");

        let forbidden = Value::str_set(["123456789012"]);
        let d = parse(
            &config(vec![
                ("region", Value::str("eu-west-1")),
                ("forbidden_account_ids", forbidden.clone()),
            ]),
            false,
        )
        .unwrap_err();
        assert_eq!(paths(&d), ["forbidden_account_ids"]);
        assert!(d.0[0].summary.contains("AWS account ID not allowed: 123456789012"));

        let both = config(vec![
            ("region", Value::str("eu-west-1")),
            ("allowed_account_ids", Value::str_set(["123456789012"])),
            ("forbidden_account_ids", Value::str_set(["111111111111"])),
        ]);
        let d = parse(&both, true).unwrap_err();
        assert_eq!(d.0[0].summary, "Conflicting configuration arguments");
    }

    #[test]
    fn unused_arguments_get_upstream_value_checks_on_their_attribute() {
        let role = Value::List(vec![config(vec![("session_name", Value::str("s"))])]);
        let web = Value::List(vec![config(vec![
            ("web_identity_token", Value::str("t")),
            ("web_identity_token_file", Value::str("/f")),
        ])]);
        let d = parse(
            &config(vec![
                ("region", Value::str("eu-west-1")),
                ("retry_mode", Value::str("never")),
                ("ec2_metadata_service_endpoint_mode", Value::str("ipv4")),
                ("assume_role", role),
                ("assume_role_with_web_identity", web),
            ]),
            false,
        )
        .unwrap_err();
        assert_eq!(
            paths(&d),
            [
                "retry_mode",
                "ec2_metadata_service_endpoint_mode",
                "assume_role[0].role_arn",
                "assume_role_with_web_identity[0].web_identity_token_file"
            ]
        );
        let (_, warnings) = parse(
            &config(vec![
                ("region", Value::str("eu-west-1")),
                ("s3_us_east_1_regional_endpoint", Value::str("legacy")),
                ("retry_mode", Value::Unknown),
            ]),
            true,
        )
        .unwrap();
        assert_eq!(paths(&warnings), ["s3_us_east_1_regional_endpoint"]);
    }

    #[test]
    fn region_and_account_are_checked_when_configuring_not_at_validation() {
        if ["AWS_REGION", "AWS_DEFAULT_REGION", "IPAM_REGION"]
            .iter()
            .any(|v| std::env::var_os(v).is_some())
        {
            return;
        }
        let cfg = config(vec![
            ("forbidden_account_ids", Value::str_set([DEFAULT_ACCOUNT])),
            ("assume_role", Value::List(vec![config(vec![])])),
        ]);
        assert!(parse(&cfg, true).is_ok());
        let d = parse(&cfg, false).unwrap_err();
        assert_eq!(
            paths(&d),
            ["region", "forbidden_account_ids", "assume_role[0].role_arn"]
        );
    }

    #[test]
    fn tags_blocks_are_read() {
        let tags = Value::List(vec![config(vec![(
            "tags",
            Value::str_map(&Tags::from([("a".to_string(), "b".to_string())])),
        )])]);
        let ignore = Value::List(vec![config(vec![
            ("keys", Value::str_set(["k"])),
            ("key_prefixes", Value::str_set(["kubernetes.io/"])),
        ])]);
        let (c, _) = parse(
            &config(vec![
                ("region", Value::str("eu-west-1")),
                ("default_tags", tags),
                ("ignore_tags", ignore),
            ]),
            false,
        )
        .unwrap();
        assert_eq!(c.default_tags.get("a").map(String::as_str), Some("b"));
        assert!(c.ignore_tags.keys.contains("k"));
        assert!(c.ignore_tags.key_prefixes.contains("kubernetes.io/"));
    }
}
