//! The binary addressed as `hashicorp/aws`: `install --as-aws`, upstream's provider block and the
//! `aws_*` types, compared with upstream's schema (`tests/data/aws/schema.json`) and driven by
//! unchanged upstream-style configurations through `dev_overrides`.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value as J;

use crate::common::{PROVIDER_BIN, Tf, flat};

/// Runs `terraform-provider-ipam install --as-aws DIR`.
fn install_as_aws(dir: &Path) -> Output {
    Command::new(PROVIDER_BIN)
        .arg("install")
        .arg("--as-aws")
        .arg(dir)
        .output()
        .expect("run install --as-aws")
}

/// A working directory whose Terraform runs the binary as `hashicorp/aws`, under the CLI
/// configuration `install --as-aws` printed, on the test's database (`IPAM_DATABASE`) and with
/// no region from the environment.
pub fn aws_tf() -> Tf {
    aws_tf_at(Tf::new())
}

/// [`aws_tf`] on the database of another working directory.
pub fn aws_tf_sharing(db: &Path) -> Tf {
    aws_tf_at(Tf::sharing(db))
}

fn aws_tf_at(tf: Tf) -> Tf {
    let o = install_as_aws(&tf.path().join("aws-provider"));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "install --as-aws failed: {out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let start = out
        .find("provider_installation {")
        .expect("the CLI configuration is printed");
    let end = start + out[start..].find("\n}\n").expect("the block ends") + 3;
    std::fs::write(tf.path().join("terraform.rc"), &out[start..end]).expect("write CLI config");
    let db = tf.db.display().to_string();
    tf.env("IPAM_DATABASE", &db)
        .env("AWS_REGION", "")
        .env("AWS_DEFAULT_REGION", "")
}

/// `terraform {}` as configurations written for the AWS provider have it.
pub const REQUIRED_AWS: &str = r#"terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
}
"#;

/// Upstream's schemas: `provider_schemas["registry.terraform.io/hashicorp/aws"]`.
fn upstream() -> J {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/aws/schema.json");
    let j: J = serde_json::from_str(&std::fs::read_to_string(path).expect("schema.json")).expect("JSON");
    j["provider_schemas"]["registry.terraform.io/hashicorp/aws"].clone()
}

/// How a block of ours differs from upstream's, one line per difference, each naming its path:
/// attribute names, types and required/optional/computed/sensitive flags; nested blocks'
/// nesting mode and min/max items. `provider_block` relaxes what `tests/data/aws/README.md`
/// says not to insist on there: `max_items`, and `endpoints`, whose upstream keys must each be
/// accepted (the list changes with every upstream release).
pub fn block_differences(ours: &J, upstream: &J, path: &str, provider_block: bool) -> Vec<String> {
    let mut out = Vec::new();
    let empty = serde_json::Map::new();
    let map = |b: &J, k: &str| b[k].as_object().cloned().unwrap_or_else(|| empty.clone());
    let (our_attrs, their_attrs) = (map(ours, "attributes"), map(upstream, "attributes"));
    let endpoints = provider_block && path == "provider.endpoints";
    for (name, theirs) in &their_attrs {
        let Some(mine) = our_attrs.get(name) else {
            out.push(format!("{path}.{name}: missing"));
            continue;
        };
        if mine["type"] != theirs["type"] {
            out.push(format!(
                "{path}.{name}: type {} (upstream {})",
                mine["type"], theirs["type"]
            ));
        }
        for flag in ["required", "optional", "computed", "sensitive"] {
            let (a, b) = (mine[flag].as_bool() == Some(true), theirs[flag].as_bool() == Some(true));
            if a != b {
                out.push(format!("{path}.{name}: {flag} is {a} (upstream {b})"));
            }
        }
    }
    if !endpoints {
        for name in our_attrs.keys().filter(|n| !their_attrs.contains_key(*n)) {
            out.push(format!("{path}.{name}: not upstream's"));
        }
    }
    let (our_blocks, their_blocks) = (map(ours, "block_types"), map(upstream, "block_types"));
    for (name, theirs) in &their_blocks {
        let Some(mine) = our_blocks.get(name) else {
            out.push(format!("{path}.{name}: block missing"));
            continue;
        };
        let mut keys = vec!["nesting_mode", "min_items"];
        if !provider_block {
            keys.push("max_items");
        }
        for key in keys {
            let (a, b) = (mine[key].as_i64().unwrap_or(0), theirs[key].as_i64().unwrap_or(0));
            let differ = match key {
                "nesting_mode" => mine[key] != theirs[key],
                _ => a != b,
            };
            if differ {
                out.push(format!("{path}.{name}: {key} {} (upstream {})", mine[key], theirs[key]));
            }
        }
        out.extend(block_differences(
            &mine["block"],
            &theirs["block"],
            &format!("{path}.{name}"),
            provider_block,
        ));
    }
    for name in our_blocks.keys().filter(|n| !their_blocks.contains_key(*n)) {
        out.push(format!("{path}.{name}: block not upstream's"));
    }
    out
}

/// How the schemas `terraform providers schema -json` printed for the aws view differ from
/// upstream's: the provider block and every type served (which must all be upstream types).
pub fn schema_differences(printed: &J) -> Vec<String> {
    let ours = &printed["provider_schemas"]["registry.terraform.io/hashicorp/aws"];
    let theirs = upstream();
    let mut out = block_differences(
        &ours["provider"]["block"],
        &theirs["provider"]["block"],
        "provider",
        true,
    );
    for kind in ["resource_schemas", "data_source_schemas"] {
        for (name, mine) in ours[kind].as_object().into_iter().flatten() {
            match theirs[kind].get(name) {
                Some(t) => out.extend(block_differences(&mine["block"], &t["block"], name, false)),
                None => out.push(format!("{kind}.{name}: served, not an upstream type")),
            }
        }
    }
    out
}

fn printed_schemas(tf: &Tf) -> J {
    tf.raw_config(REQUIRED_AWS);
    let o = tf.run(&["providers", "schema", "-json"]);
    assert!(
        o.status.success(),
        "providers schema failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("schema JSON")
}

/// The provider block and the `aws_*` types served match upstream's names, types and flags;
/// the aws view serves no `ipam_*` type.
#[test]
fn schemas_match_upstream() {
    let tf = aws_tf();
    let printed = printed_schemas(&tf);
    let differences = schema_differences(&printed);
    assert!(
        differences.is_empty(),
        "differences from upstream:\n{}",
        differences.join("\n")
    );
    let ours = &printed["provider_schemas"]["registry.terraform.io/hashicorp/aws"];
    let data: Vec<&String> = ours["data_source_schemas"]
        .as_object()
        .expect("data sources")
        .keys()
        .collect();
    assert_eq!(
        data,
        [
            "aws_caller_identity",
            "aws_partition",
            "aws_region",
            "aws_vpc_ipam",
            "aws_vpc_ipam_pool",
            "aws_vpc_ipam_pool_cidrs",
            "aws_vpc_ipam_pools",
            "aws_vpc_ipam_preview_next_cidr",
            "aws_vpc_ipams"
        ]
    );
    let resources: Vec<&String> = ours["resource_schemas"]
        .as_object()
        .expect("resources")
        .keys()
        .collect();
    assert_eq!(
        resources,
        [
            "aws_ram_principal_association",
            "aws_ram_resource_association",
            "aws_ram_resource_share",
            "aws_vpc_ipam",
            "aws_vpc_ipam_pool",
            "aws_vpc_ipam_pool_cidr",
            "aws_vpc_ipam_pool_cidr_allocation",
            "aws_vpc_ipam_preview_next_cidr",
            "aws_vpc_ipam_scope"
        ]
    );
    let provider = &ours["provider"]["block"];
    assert_eq!(provider["attributes"].as_object().map(|a| a.len()), Some(29));
    assert_eq!(provider["block_types"].as_object().map(|b| b.len()), Some(5));
}

/// The comparison catches what it is for: a flag, a type, a missing or extra name, a nesting.
#[test]
fn schema_comparison_reports_each_difference() {
    let theirs = upstream();
    let region = &theirs["data_source_schemas"]["aws_region"]["block"];
    assert!(block_differences(region, region, "aws_region", false).is_empty());
    let mut changed = region.clone();
    changed["attributes"]["endpoint"]["computed"] = J::Bool(false);
    changed["attributes"]["id"]["type"] = J::from("number");
    changed["attributes"].as_object_mut().unwrap().remove("description");
    changed["attributes"]["extra"] = serde_json::json!({"type": "string", "optional": true});
    let d = block_differences(&changed, region, "aws_region", false).join("\n");
    for expected in [
        "aws_region.endpoint: computed is false",
        "aws_region.id: type",
        "aws_region.description: missing",
        "aws_region.extra: not upstream's",
    ] {
        assert!(d.contains(expected), "{expected:?} not in:\n{d}");
    }
    let provider = &theirs["provider"]["block"];
    let mut p = provider.clone();
    p["block_types"]["ignore_tags"]["nesting_mode"] = J::from("set");
    p["block_types"]["default_tags"]["max_items"] = J::from(0);
    p["block_types"]["endpoints"]["block"]["attributes"]
        .as_object_mut()
        .unwrap()
        .remove("ec2");
    let d = block_differences(&p, provider, "provider", true).join("\n");
    assert!(d.contains("provider.ignore_tags: nesting_mode"), "{d}");
    assert!(d.contains("provider.endpoints.ec2: missing"), "{d}");
    assert!(
        !d.contains("default_tags"),
        "max_items is not insisted on in the provider block: {d}"
    );
}

/// Counts Terraform's displays of the configure warning.
fn warnings(out: &str) -> usize {
    out.matches("Warning: Nothing reaches AWS").count()
}

/// An unchanged upstream-style configuration plans and applies through the `dev_overrides`
/// `install --as-aws` printed; the outputs are upstream's values, the warning shows once.
fn upstream_configuration_applies() {
    let tf = aws_tf();
    tf.raw_config(&format!(
        r#"{REQUIRED_AWS}
provider "aws" {{
  region  = "eu-west-1"
  profile = "x"
  default_tags {{
    tags = {{ a = "b" }}
  }}
}}

data "aws_region" "current" {{}}
data "aws_region" "by_name" {{
  region = "us-west-2"
}}
data "aws_region" "by_endpoint" {{
  endpoint = "ec2.ap-southeast-2.amazonaws.com"
}}
data "aws_region" "by_old_name" {{
  name = "eu-west-3"
}}
data "aws_caller_identity" "current" {{}}
data "aws_partition" "current" {{}}

output "region" {{ value = data.aws_region.current }}
output "by_name" {{ value = data.aws_region.by_name.description }}
output "by_endpoint" {{ value = data.aws_region.by_endpoint.region }}
output "by_old_name" {{ value = data.aws_region.by_old_name.description }}
output "caller" {{ value = data.aws_caller_identity.current }}
output "partition" {{ value = data.aws_partition.current }}
"#
    ));
    let (code, plan) = tf.plan_code(&[]);
    assert_eq!(code, 2, "the plan shows the outputs:\n{plan}");
    assert_eq!(warnings(&plan), 1, "{plan}");
    assert!(
        flat(&plan).contains("Attribute Deprecated") && flat(&plan).contains("Use region instead"),
        "{plan}"
    );
    assert!(
        plan.contains(&tf.db.display().to_string()) || plan.contains("****"),
        "{plan}"
    );
    let applied = tf.apply();
    assert_eq!(warnings(&applied), 1, "{applied}");
    let out: J = serde_json::from_str(&tf.ok(&["output", "-json"])).expect("outputs");
    let value = |k: &str| out[k]["value"].clone();
    assert_eq!(
        value("region"),
        serde_json::json!({"description": "Europe (Ireland)", "endpoint": "ec2.eu-west-1.amazonaws.com",
            "id": "eu-west-1", "name": "eu-west-1", "region": "eu-west-1"})
    );
    assert_eq!(value("by_name"), "US West (Oregon)");
    assert_eq!(value("by_endpoint"), "ap-southeast-2");
    assert_eq!(value("by_old_name"), "Europe (Paris)");
    assert_eq!(
        value("caller"),
        serde_json::json!({"account_id": "123456789012", "arn": "arn:aws:iam::123456789012:root",
            "id": "123456789012", "user_id": "123456789012"})
    );
    assert_eq!(
        value("partition"),
        serde_json::json!({"dns_suffix": "amazonaws.com", "id": "aws", "partition": "aws",
            "reverse_dns_prefix": "com.amazonaws"})
    );
    tf.assert_plan_empty();
    tf.destroy();
}

backend_tests!(upstream_configuration_applies);

/// A provider block and data sources for the configure tests.
fn with_provider(tf: &Tf, provider: &str) {
    tf.raw_config(&format!(
        "{REQUIRED_AWS}\nprovider \"aws\" {{\n{provider}\n}}\n\ndata \"aws_caller_identity\" \"current\" {{}}\ndata \"aws_region\" \"current\" {{}}\n\
         output \"account\" {{ value = data.aws_caller_identity.current.account_id }}\noutput \"region\" {{ value = data.aws_region.current.region }}\n"
    ));
}

fn output(tf: &Tf, name: &str) -> String {
    tf.apply();
    tf.ok(&["output", "-raw", name])
}

/// The account: an account outside `allowed_account_ids` or inside `forbidden_account_ids` fails
/// configure, naming it; both lists are upstream's conflict; the first allowed ID (sorted) acts
/// when `IPAM_ACCOUNT_ID` is unset.
#[test]
fn account_checks() {
    let tf = aws_tf();
    with_provider(
        &tf,
        "region = \"eu-west-1\"\nforbidden_account_ids = [\"123456789012\"]",
    );
    let out = flat(&tf.plan_fails());
    assert!(out.contains("AWS account ID not allowed: 123456789012"), "{out}");
    assert!(out.contains("forbidden_account_ids"), "{out}");

    with_provider(
        &tf,
        "region = \"eu-west-1\"\nallowed_account_ids = [\"333333333333\", \"111111111111\"]",
    );
    assert_eq!(output(&tf, "account"), "111111111111");

    let tf = aws_tf().env("IPAM_ACCOUNT_ID", "222222222222");
    with_provider(&tf, "region = \"eu-west-1\"\nallowed_account_ids = [\"111111111111\"]");
    let out = flat(&tf.plan_fails());
    assert!(out.contains("AWS account ID not allowed: 222222222222"), "{out}");
    assert!(out.contains("IPAM_ACCOUNT_ID"), "{out}");

    with_provider(
        &tf,
        "region = \"eu-west-1\"\nallowed_account_ids = [\"222222222222\"]\nforbidden_account_ids = [\"111111111111\"]",
    );
    let out = flat(&tf.plan_fails());
    assert!(out.contains("Conflicting configuration arguments"), "{out}");
}

/// The region: the argument, else AWS_REGION, AWS_DEFAULT_REGION, IPAM_REGION in that order;
/// none is an error naming all four when configuring (not at validation); an unknown region
/// needs `skip_region_validation`.
#[test]
fn region_sources() {
    let tf = aws_tf();
    with_provider(&tf, "profile = \"x\"");
    // As upstream: the region is needed to configure, not to validate.
    tf.ok(&["validate", "-no-color"]);
    let out = flat(&tf.plan_fails());
    for name in ["No region", "region", "AWS_REGION", "AWS_DEFAULT_REGION", "IPAM_REGION"] {
        assert!(out.contains(name), "{name} not in:\n{out}");
    }
    let tf = tf.env("IPAM_REGION", "ap-south-1");
    assert_eq!(output(&tf, "region"), "ap-south-1");
    let tf = tf.env("AWS_DEFAULT_REGION", "eu-north-1");
    assert_eq!(output(&tf, "region"), "eu-north-1");
    let tf = tf.env("AWS_REGION", "sa-east-1");
    assert_eq!(output(&tf, "region"), "sa-east-1");
    with_provider(&tf, "region = \"us-east-2\"");
    assert_eq!(output(&tf, "region"), "us-east-2");

    tf.raw_config(&format!(
        "{REQUIRED_AWS}\nprovider \"aws\" {{\n  region = \"us-east-1\"\n}}\n\
         data \"aws_region\" \"nowhere\" {{\n  region = \"xx-west-1\"\n}}\n\
         data \"aws_region\" \"two\" {{\n  region = \"us-east-1\"\n  endpoint = \"ec2.us-west-2.amazonaws.com\"\n}}\n"
    ));
    let out = flat(&tf.plan_fails());
    assert!(out.contains("region not found for name \"xx-west-1\""), "{out}");
    assert!(out.contains("multiple Regions matched"), "{out}");

    with_provider(&tf, "region = \"xx-nowhere-9\"");
    let out = flat(&tf.plan_fails());
    assert!(out.contains("Invalid AWS Region: xx-nowhere-9"), "{out}");
    assert!(out.contains("skip_region_validation"), "{out}");
}

/// Upstream's value checks on arguments that are otherwise unused, each on its attribute: the
/// forms at validation, a role to assume when configuring.
#[test]
fn unused_arguments_are_checked() {
    let tf = aws_tf();
    with_provider(
        &tf,
        r#"region = "eu-west-1"
access_key = "AKIA"
secret_key = "s"
max_retries = 3
retry_mode = "sometimes"
tag_policy_compliance = "strict"
skip_metadata_api_check = "maybe"
assume_role {
  session_name = "s"
}
assume_role_with_web_identity {
  web_identity_token      = "t"
  web_identity_token_file = "/f"
}
endpoints {
  ec2 = "http://localhost:4566"
  ram = "http://localhost:4566"
}
ignore_tags {
  keys = ["k"]
}"#,
    );
    let out = flat(&tf.fails(&["validate", "-no-color"]));
    for expected in [
        "Invalid retry_mode",
        "Invalid tag_policy_compliance",
        "Invalid skip_metadata_api_check",
        "Conflicting configuration arguments",
    ] {
        assert!(out.contains(expected), "{expected} not in:\n{out}");
    }
    // Checked when configuring, as upstream does.
    with_provider(&tf, "region = \"eu-west-1\"\nassume_role {\n  session_name = \"s\"\n}");
    let out = flat(&tf.plan_fails());
    assert!(out.contains("Missing role_arn") && out.contains("assume_role"), "{out}");
    with_provider(
        &tf,
        r#"region = "eu-west-1"
retry_mode = "adaptive"
tag_policy_compliance = "warning"
skip_metadata_api_check = "true"
assume_role {
  role_arn = "arn:aws:iam::123456789012:role/ipam"
}
endpoints {
  ec2 = "http://localhost:4566"
}"#,
    );
    assert_eq!(output(&tf, "region"), "eu-west-1");
}

/// `install --as-aws`: a link to the binary, idempotent, and a clear error where DIR cannot be
/// made.
#[test]
fn install_as_aws_links_the_binary() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("nested/bin");
    let first = install_as_aws(&dir);
    assert!(first.status.success());
    let link = dir.join("terraform-provider-aws");
    let target = std::fs::read_link(&link).expect("a symbolic link");
    assert_eq!(
        std::fs::canonicalize(target).unwrap(),
        std::fs::canonicalize(PROVIDER_BIN).unwrap()
    );
    let text = String::from_utf8_lossy(&first.stdout).into_owned();
    assert!(text.starts_with("linked"), "{text}");
    assert!(
        text.contains(&format!("\"hashicorp/aws\" = \"{}\"", dir.display())),
        "{text}"
    );
    let again = install_as_aws(&dir);
    assert!(String::from_utf8_lossy(&again.stdout).starts_with("already installed (unchanged)"));

    // A stale file of the same name is replaced by the link.
    std::fs::remove_file(&link).unwrap();
    std::fs::write(&link, "old").unwrap();
    let replaced = install_as_aws(&dir);
    assert!(replaced.status.success());
    assert!(std::fs::read_link(&link).is_ok());

    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let refused = install_as_aws(&file.join("bin"));
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr).into_owned();
    assert!(
        err.contains("cannot create") && err.contains("nothing was installed"),
        "{err}"
    );
    assert!(err.contains("--as-aws"), "{err}");
}

/// The configure warning names the database, with a password redacted as everywhere else.
#[test]
fn warning_names_the_database_without_its_password() {
    let tf = aws_tf().env(
        "IPAM_DATABASE",
        "postgres://ipam:s3cret@127.0.0.1:1/ipam?sslmode=disable",
    );
    with_provider(&tf, "region = \"eu-west-1\"");
    let o = tf.run(&["plan", "-no-color"]);
    let out = flat(&format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    ));
    assert_eq!(warnings(&out), 1, "{out}");
    assert!(out.contains("postgres://ipam:****@127.0.0.1:1/ipam"), "{out}");
    assert!(!out.contains("s3cret"), "{out}");
}
