//! A catalogue of bad input across the provider block, every resource, data sources and import:
//! each gives an error diagnostic with the expected summary, a detail and (read from Terraform's
//! `-json` output: the attribute whose value it highlights) the attribute, never a panic or a
//! plugin crash, and the database is unchanged.

use crate::common;

use common::fixtures::{HOME_IPAM, pool_with_cidr_on};
use common::{Tf, flat};
use serde_json::Value as J;

/// The IPAM, a private IPv4 pool `p` with CIDR `c`, and a public IPv6 pool `v6`: what the cases
/// are added to.
fn base() -> String {
    format!(
        r#"{}
resource "ipam_pool" "v6" {{
  ipam_scope_id  = ipam.main.public_default_scope_id
  address_family = "ipv6"
}}
"#,
        pool_with_cidr_on(HOME_IPAM, "10.0.0.0/16")
    )
}

/// What the provider-block cases try to create: with a valid provider block this apply writes a
/// scope, so an unchanged database shows the bad block stopped it.
const WOULD_WRITE: &str = "resource \"ipam_scope\" \"extra\" {\n  ipam_id = ipam.main.id\n}\n";

enum Phase {
    Plan,
    Apply,
}

/// One bad input and the error diagnostic it must give.
struct Case {
    /// Extra lines for the provider block; a provider-block case when not empty.
    provider: &'static str,
    /// Configuration added to `base()`.
    body: &'static str,
    phase: Phase,
    /// The diagnostic's summary, exactly; a trailing `*` stands for an object ID.
    summary: &'static str,
    /// Text the (non-empty) detail must contain.
    detail: &'static [&'static str],
    /// The attribute the diagnostic is about: Terraform highlights its value.
    attr: Option<&'static str>,
}

impl Case {
    /// The same case, about an attribute.
    const fn at(self, attr: &'static str) -> Case {
        Case {
            attr: Some(attr),
            ..self
        }
    }
}

/// A case refused by `terraform plan`.
const fn plan(body: &'static str, summary: &'static str, detail: &'static [&'static str]) -> Case {
    Case {
        provider: "",
        body,
        phase: Phase::Plan,
        summary,
        detail,
        attr: None,
    }
}

/// A case that plans but is refused by `terraform apply`.
const fn apply(body: &'static str, summary: &'static str, detail: &'static [&'static str]) -> Case {
    Case {
        phase: Phase::Apply,
        ..plan(body, summary, detail)
    }
}

/// A bad provider block (its extra lines), refused before anything is written.
const fn provider(extra: &'static str, summary: &'static str, detail: &'static [&'static str]) -> Case {
    Case {
        provider: extra,
        phase: Phase::Apply,
        ..plan(WOULD_WRITE, summary, detail)
    }
}

const CASES: &[Case] = &[
    // Provider block.
    provider("account_id = \"abc\"", "Invalid account ID", &["exactly 12 digits"]).at("account_id"),
    provider("region = \"mars\"", "Invalid region name", &["\"mars\" is not an AWS region name"]).at("region"),
    provider(
        "quotas { pools_per_scope = -1 }",
        "Invalid quota",
        &["`pools_per_scope` must be a whole number of at least 1"],
    )
    .at("pools_per_scope"),
    provider(
        "quotas { scopes_per_ipam = 1 }",
        "Invalid quota",
        &["two default scopes"],
    )
    .at("scopes_per_ipam"),
    // ipam. The home region is a rule over the whole `operating_regions` set, not one attribute.
    plan(
        "resource \"ipam\" \"x\" {\n  operating_regions { region_name = \"eu-west-1\" }\n}",
        "Operating regions must include the home region",
        &["must include it (R-03)", "operating_regions"],
    ),
    // Two blocks of a set: Terraform cannot tell which one a path means, so it shows the resource.
    plan(
        "resource \"ipam\" \"x\" {\n  operating_regions { region_name = \"us-east-1\" }\n  operating_regions { region_name = \"Mars\" }\n}",
        "Invalid region name",
        &["\"Mars\" is not an AWS region name"],
    ),
    plan(
        "resource \"ipam\" \"x\" {\n  operating_regions { region_name = \"\" }\n}",
        "Invalid region name",
        &["\"\" is not an AWS region name"],
    )
    .at("region_name"),
    apply(
        "resource \"ipam\" \"x\" {\n  operating_regions { region_name = \"us-east-1\" }\n}",
        "IPAM quota reached",
        &["the quota is 1 per region", "ipams_per_region"],
    )
    .at("region_name"),
    // ipam_scope
    plan(
        "resource \"ipam_scope\" \"x\" {\n  ipam_id = \"vpc-123\"\n}",
        "Invalid IPAM ID",
        &["\"vpc-123\" is not a IPAM ID"],
    )
    .at("ipam_id"),
    plan(
        "resource \"ipam_scope\" \"x\" {\n  ipam_id = \"ipam-0123456789abcdef0\"\n}",
        "IPAM not found",
        &["ipam-0123456789abcdef0"],
    )
    .at("ipam_id"),
    plan(
        "resource \"ipam_scope\" \"x\" {\n  ipam_id = \"\"\n}",
        "Invalid IPAM ID",
        &["\"\" is not a IPAM ID"],
    )
    .at("ipam_id"),
    // ipam_pool
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.private_default_scope_id\n  address_family = \"ipv5\"\n}",
        "Invalid address family",
        &["\"ipv5\" is not an address family"],
    )
    .at("address_family"),
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.private_default_scope_id\n  address_family = \"ipv6\"\n  public_ip_source = \"byoip\"\n}",
        "public_ip_source is for public pools",
        &["public scope", "Remove it"],
    )
    .at("public_ip_source"),
    // The IPAM's operating regions can change in the same plan: decided at apply.
    apply(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.private_default_scope_id\n  address_family = \"ipv4\"\n  locale = \"eu-west-3\"\n}",
        "Locale is not an operating region",
        &["eu-west-3"],
    )
    .at("locale"),
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.private_default_scope_id\n  address_family = \"ipv4\"\n  allocation_min_netmask_length = 33\n}",
        "Netmask length out of range",
        &["`allocation_min_netmask_length` is 33"],
    )
    .at("allocation_min_netmask_length"),
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.private_default_scope_id\n  address_family = \"ipv4\"\n  allocation_max_netmask_length = -1\n}",
        "Netmask length out of range",
        &["`allocation_max_netmask_length` is -1"],
    )
    .at("allocation_max_netmask_length"),
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.private_default_scope_id\n  address_family = \"ipv4\"\n  allocation_min_netmask_length = 21\n  allocation_max_netmask_length = 20\n}",
        "Minimum netmask length greater than the maximum",
        &["(21) must not be greater than"],
    )
    .at("allocation_min_netmask_length"),
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.private_default_scope_id\n  address_family = \"ipv4\"\n  allocation_max_netmask_length = 24\n  allocation_default_netmask_length = 28\n}",
        "Default netmask length outside the allowed range",
        &["28"],
    )
    .at("allocation_default_netmask_length"),
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.private_default_scope_id\n  address_family = \"ipv4\"\n  auto_import = true\n}",
        "Auto-import needs a locale",
        &["locale"],
    )
    .at("auto_import"),
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.public_default_scope_id\n  address_family = \"ipv4\"\n  aws_service = \"s3\"\n}",
        "Invalid AWS service",
        &["\"s3\""],
    )
    .at("aws_service"),
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.public_default_scope_id\n  address_family = \"ipv6\"\n  public_ip_source = \"cloud\"\n}",
        "Invalid public IP source",
        &["\"cloud\""],
    )
    .at("public_ip_source"),
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.public_default_scope_id\n  address_family = \"ipv4\"\n  publicly_advertisable = true\n}",
        "publicly_advertisable is for IPv6 pools",
        &["Remove it from this IPv4 pool"],
    )
    .at("publicly_advertisable"),
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.private_default_scope_id\n  address_family = \"ipv4\"\n  source_ipam_pool_id = \"pool-1\"\n}",
        "Invalid pool ID",
        &["\"pool-1\" is not a pool ID"],
    )
    .at("source_ipam_pool_id"),
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = \"ipam-scope-0123456789abcdef0\"\n  address_family = \"ipv4\"\n}",
        "scope not found",
        &["ipam-scope-0123456789abcdef0"],
    )
    .at("ipam_scope_id"),
    // ipam_pool_cidr
    plan(
        "resource \"ipam_pool_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = \"10.1.0.1/16\"\n}",
        "Invalid CIDR",
        &["has host bits set", "did you mean 10.1.0.0/16"],
    )
    .at("cidr"),
    plan(
        "resource \"ipam_pool_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = \"banana\"\n}",
        "Invalid CIDR",
        &["\"banana\" is not a CIDR"],
    )
    .at("cidr"),
    plan(
        "resource \"ipam_pool_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = \"10.0.0.0/33\"\n}",
        "Invalid CIDR",
        &["10.0.0.0/33"],
    )
    .at("cidr"),
    plan(
        "resource \"ipam_pool_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = \"10.1.0.0/16\"\n  netmask_length = 24\n}",
        "Conflicting arguments",
        &["`cidr` is 10.1.0.0/16, a /16, but `netmask_length` is 24"],
    )
    .at("netmask_length"),
    // Neither argument is in the configuration, so Terraform shows the resource.
    plan(
        "resource \"ipam_pool_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n}",
        "Missing CIDR",
        &["Give `cidr`"],
    ),
    plan(
        "resource \"ipam_pool_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  netmask_length = 200\n}",
        "Netmask length out of range",
        &["200"],
    )
    .at("netmask_length"),
    plan(
        "resource \"ipam_pool_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = \"2001:db8::/32\"\n}",
        "Address family mismatch",
        &["2001:db8::/32 is ipv6", "an ipv4 pool"],
    )
    .at("cidr"),
    plan(
        "resource \"ipam_pool_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.v6.id\n  cidr = \"10.2.0.0/16\"\n}",
        "Address family mismatch",
        &["10.2.0.0/16 is ipv4", "an ipv6 pool"],
    )
    .at("cidr"),
    apply(
        "resource \"ipam_pool\" \"q\" {\n  ipam_scope_id = ipam.main.private_default_scope_id\n  address_family = \"ipv4\"\n}\nresource \"ipam_pool_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.q.id\n  cidr = \"10.0.128.0/17\"\n}",
        "CIDR overlaps another pool",
        &["R-40"],
    )
    .at("cidr"),
    // ipam_pool_allocation
    plan(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  resource_type = \"database\"\n}",
        "Invalid resource type",
        &["\"database\" is not a resource type"],
    )
    .at("resource_type"),
    plan(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = \"10.0.0.0/24\"\n  netmask_length = 28\n}",
        "Conflicting arguments",
        &["`cidr` is 10.0.0.0/24, a /24, but `netmask_length` is 28"],
    )
    .at("netmask_length"),
    plan(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  netmask_length = 24\n  disallowed_cidrs = [\"nope\"]\n}",
        "Invalid CIDR",
        &["\"nope\""],
    )
    .at("disallowed_cidrs"),
    plan(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  netmask_length = -5\n}",
        "Netmask length out of range",
        &["-5"],
    )
    .at("netmask_length"),
    plan(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = \"ipam-pool-x\"\n  netmask_length = 24\n}",
        "Invalid pool ID",
        &["\"ipam-pool-x\" is not a pool ID"],
    )
    .at("ipam_pool_id"),
    // Neither argument is in the configuration, so Terraform shows the resource. The pool's
    // default netmask length can change in the same plan: decided at apply.
    apply(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n}",
        "Netmask length required",
        &["Exactly one of them"],
    ),
    plan(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = \"2001:db8::/64\"\n}",
        "Address family mismatch",
        &["2001:db8::/64 is ipv6", "an ipv4 pool"],
    )
    .at("cidr"),
    plan(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.v6.id\n  cidr = \"10.2.0.0/24\"\n}",
        "Address family mismatch",
        &["10.2.0.0/24 is ipv4", "an ipv6 pool"],
    )
    .at("cidr"),
    plan(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  netmask_length = 24\n  resource_type = \"vpc\"\n}",
        "Pool without locale cannot serve resources",
        &["R-19"],
    )
    .at("resource_type"),
    apply(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  netmask_length = 4\n  depends_on = [ipam_pool_cidr.c]\n}",
        "Cannot allocate from pool *",
        &[
            "The allocation size is too big for the pool",
            "largest free block is a /16",
        ],
    )
    .at("netmask_length"),
    // An exhausted pool: the message says what is left.
    apply(
        "resource \"ipam_pool_allocation\" \"fill\" {\n  ipam_pool_id = ipam_pool.p.id\n  netmask_length = 16\n  depends_on = [ipam_pool_cidr.c]\n}\nresource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  netmask_length = 28\n  depends_on = [ipam_pool_allocation.fill]\n}",
        "Cannot allocate from pool *",
        &["The pool has no free ipv4 space left for a /28"],
    )
    .at("netmask_length"),
    apply(
        "resource \"ipam_pool_allocation\" \"fill\" {\n  ipam_pool_id = ipam_pool.p.id\n  netmask_length = 17\n  depends_on = [ipam_pool_cidr.c]\n}\nresource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  netmask_length = 16\n  depends_on = [ipam_pool_allocation.fill]\n}",
        "Cannot allocate from pool *",
        &["no free /16 is left; the largest free block is a /17"],
    )
    .at("netmask_length"),
    apply(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = \"10.9.0.0/24\"\n  depends_on = [ipam_pool_cidr.c]\n}",
        "Cannot allocate from pool *",
        &["is not inside any CIDR provisioned to the pool"],
    )
    .at("cidr"),
    // ipam_resource_share
    plan(
        "resource \"ipam_resource_share\" \"x\" {\n  name = \"s\"\n  permission_arns = [\"arn:aws:ram::aws:permission/AWSRAMDefaultPermissionsIpamPool\", \"arn:aws:ram::aws:permission/AWSRAMPermissionIpamPoolByoipCidrImport\"]\n}",
        "Choose one permission",
        &["exactly one permission (R-82)"],
    )
    .at("permission_arns"),
    plan(
        "resource \"ipam_resource_share\" \"x\" {\n  name = \"s\"\n  principals = [\"123\"]\n}",
        "Invalid principal",
        &["\"123\" is not a principal", "12-digit account ID", "organisation ARN", "OU ARN"],
    )
    .at("principals"),
    plan(
        "resource \"ipam_resource_share\" \"x\" {\n  name = \"s\"\n  resource_arns = [\"arn:aws:s3:::bucket\"]\n}",
        "Only IPAM pools can be shared",
        &["arn:aws:s3:::bucket"],
    )
    .at("resource_arns"),
    plan(
        "resource \"ipam_resource_share\" \"x\" {\n  name = \"\"\n}",
        "Empty name",
        &["name"],
    )
    .at("name"),
    // ipam_preview_next_cidr
    plan(
        "resource \"ipam_preview_next_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  disallowed_cidrs = [\"x\"]\n}",
        "Invalid CIDR",
        &["\"x\""],
    )
    .at("disallowed_cidrs"),
    // Careless CIDR spellings, refused wherever a CIDR is an argument, with the CIDR meant.
    plan(
        "resource \"ipam_pool_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = \"010.1.0.0/16\"\n}",
        "Invalid CIDR",
        &["\"010.1.0.0/16\" has leading zeros", "did you mean \"10.1.0.0/16\"?"],
    )
    .at("cidr"),
    plan(
        "resource \"ipam_pool_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = \" 10.1.0.0/16\"\n}",
        "Invalid CIDR",
        &["\" 10.1.0.0/16\" has blanks around it", "did you mean \"10.1.0.0/16\"?"],
    )
    .at("cidr"),
    plan(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = \"10.0.1.0/24\\n\"\n}",
        "Invalid CIDR",
        &["has blanks around it", "did you mean \"10.0.1.0/24\"?"],
    )
    .at("cidr"),
    plan(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  netmask_length = 24\n  disallowed_cidrs = [\"10.0.000.0/24\"]\n}",
        "Invalid CIDR",
        &["has leading zeros", "did you mean \"10.0.0.0/24\"?"],
    )
    .at("disallowed_cidrs"),
    plan(
        "resource \"ipam_preview_next_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  disallowed_cidrs = [\"10.0.0.0/24 \"]\n}",
        "Invalid CIDR",
        &["has blanks around it", "did you mean \"10.0.0.0/24\"?"],
    )
    .at("disallowed_cidrs"),
    plan(
        "data \"ipam_address_history\" \"x\" {\n  ipam_scope_id = ipam.main.private_default_scope_id\n  cidr = \"10.0.0.0/016\"\n}",
        "Invalid CIDR",
        &["has leading zeros", "did you mean \"10.0.0.0/16\"?"],
    )
    .at("cidr"),
    plan(
        "data \"ipam_preview_next_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  disallowed_cidrs = [\"010.0.0.0/24\"]\n}",
        "Invalid CIDR",
        &["has leading zeros", "did you mean \"10.0.0.0/24\"?"],
    )
    .at("disallowed_cidrs"),
    plan(
        "data \"ipam_pool_allocations\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  filter {\n    name = \"cidr\"\n    values = [\"010.0.0.0/24\"]\n  }\n}",
        "Invalid CIDR",
        &["has leading zeros", "did you mean \"10.0.0.0/24\"?"],
    )
    .at("values"),
    // Numbers that are not whole, or beyond any integer: refused on the attribute, never unset.
    plan(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  netmask_length = 20.5\n}",
        "Not a whole number",
        &["`netmask_length` is 20.5, but it must be a whole number"],
    )
    .at("netmask_length"),
    plan(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  netmask_length = 1e300\n}",
        "Not a whole number",
        &["`netmask_length` is 1e300"],
    )
    .at("netmask_length"),
    plan(
        "resource \"ipam_pool_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  netmask_length = 9223372036854775808\n}",
        "Not a whole number",
        &["`netmask_length` is 9223372036854775808"],
    )
    .at("netmask_length"),
    plan(
        "resource \"ipam_pool\" \"x\" {\n  ipam_scope_id = ipam.main.private_default_scope_id\n  address_family = \"ipv4\"\n  allocation_default_netmask_length = 24.5\n}",
        "Not a whole number",
        &["`allocation_default_netmask_length` is 24.5"],
    )
    .at("allocation_default_netmask_length"),
    plan(
        "resource \"ipam_preview_next_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  netmask_length = -20.5\n}",
        "Not a whole number",
        &["`netmask_length` is -20.5"],
    )
    .at("netmask_length"),
    plan(
        "data \"ipam_preview_next_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  netmask_length = 28.5\n}",
        "Not a whole number",
        &["`netmask_length` is 28.5"],
    )
    .at("netmask_length"),
    provider(
        "quotas { pools_per_scope = 2.5 }",
        "Invalid quota",
        &["`pools_per_scope` must be a whole number of at least 1"],
    )
    .at("pools_per_scope"),
    // Disallowed CIDRs that contradict the request.
    plan(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = \"10.0.4.0/24\"\n  disallowed_cidrs = [\"10.0.0.0/21\"]\n}",
        "CIDR overlaps a disallowed CIDR",
        &["asks for 10.0.4.0/24", "excludes 10.0.0.0/21"],
    )
    .at("disallowed_cidrs"),
    apply(
        "resource \"ipam_pool_allocation\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  netmask_length = 24\n  disallowed_cidrs = [\"10.0.0.0/16\"]\n  depends_on = [ipam_pool_cidr.c]\n}",
        "Cannot allocate from pool *",
        &["Every free block that could hold a /24 overlaps `disallowed_cidrs`"],
    )
    .at("disallowed_cidrs"),
    apply(
        "resource \"ipam_preview_next_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  netmask_length = 24\n  disallowed_cidrs = [\"10.0.0.0/17\", \"10.0.128.0/17\"]\n  depends_on = [ipam_pool_cidr.c]\n}",
        "Nothing to preview in pool *",
        &["Every free block that could hold a /24 overlaps `disallowed_cidrs`"],
    )
    .at("disallowed_cidrs"),
    // Data sources.
    plan(
        "data \"ipam\" \"x\" {\n  id = \"nope\"\n}",
        "Invalid IPAM ID",
        &["\"nope\" is not a IPAM ID"],
    )
    .at("id"),
    plan(
        "data \"ipam_ipams\" \"x\" {\n  filter {\n    name = \"colour\"\n    values = [\"blue\"]\n  }\n}",
        "Unknown filter name",
        &["\"colour\" is not a filter name for IPAMs"],
    )
    .at("name"),
    plan(
        "data \"ipam_scope\" \"x\" {\n  ipam_scope_id = \"ipam-0123456789abcdef0\"\n}",
        "Invalid scope ID",
        &["\"ipam-0123456789abcdef0\" is not a scope ID", "ipam-scope-"],
    )
    .at("ipam_scope_id"),
    plan(
        "data \"ipam_scope\" \"x\" {\n  id = \"scope-1\"\n}",
        "Invalid scope ID",
        &["\"scope-1\" is not a scope ID"],
    )
    .at("id"),
    plan(
        "data \"ipam_scopes\" \"x\" {\n  filter {\n    name = \"scope-type\"\n    values = [\"private\"]\n  }\n}",
        "Unknown filter name",
        &["\"scope-type\" is not a filter name for scopes"],
    )
    .at("name"),
    plan(
        "data \"ipam_pool\" \"x\" {\n  filter {\n    name = \"colour\"\n    values = [\"blue\"]\n  }\n}",
        "Unknown filter name",
        &["\"colour\" is not a filter name for pools"],
    )
    .at("name"),
    plan(
        "data \"ipam_pools\" \"x\" {\n  filter {\n    name = \"address_family\"\n    values = [\"ipv4\"]\n  }\n}",
        "Unknown filter name",
        &["\"address_family\" is not a filter name for pools"],
    )
    .at("name"),
    plan(
        "data \"ipam_pool_allocations\" \"x\" {\n  ipam_pool_id = \"ipam-pool-x\"\n}",
        "Invalid pool ID",
        &["\"ipam-pool-x\" is not a pool ID"],
    )
    .at("ipam_pool_id"),
    plan(
        "data \"ipam_pool_allocations\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  filter {\n    name = \"owner\"\n    values = [\"me\"]\n  }\n}",
        "Unknown filter name",
        &["\"owner\" is not a filter name for allocations"],
    )
    .at("name"),
    plan(
        "data \"ipam_address_history\" \"x\" {\n  cidr = \"x\"\n  ipam_scope_id = ipam.main.private_default_scope_id\n}",
        "Invalid CIDR",
        &["\"x\" is not a CIDR"],
    )
    .at("cidr"),
    plan(
        "data \"ipam_address_history\" \"x\" {\n  cidr = \"10.0.0.0/16\"\n  ipam_scope_id = ipam.main.private_default_scope_id\n  start_time = \"yesterday\"\n}",
        "Invalid time",
        &["yesterday"],
    )
    .at("start_time"),
    plan(
        "data \"ipam_pool_cidrs\" \"x\" {\n  ipam_pool_id = \"ipam-pool-0123456789abcdef0\"\n}",
        "pool not found",
        &["ipam-pool-0123456789abcdef0"],
    )
    .at("ipam_pool_id"),
    plan(
        "data \"ipam_preview_next_cidr\" \"x\" {\n  ipam_pool_id = ipam_pool.p.id\n  netmask_length = 40\n}",
        "Netmask length out of range",
        &["40"],
    )
    .at("netmask_length"),
];

/// One error diagnostic as Terraform reports it.
#[derive(Debug)]
struct Diag {
    summary: String,
    detail: String,
    /// The attribute whose value Terraform highlights (the name before the last `=` ahead of the
    /// highlight), or `None` when it highlights a block.
    attr: Option<String>,
}

/// The attribute name in `code` just before byte `at`: the identifier before the last `=`.
fn attribute_before(code: &str, at: usize) -> Option<String> {
    let before = code.get(..at)?;
    let (lhs, _) = before.rsplit_once('=')?;
    let name: String = lhs
        .trim_end()
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The error diagnostics in Terraform's `-json` output (one JSON object a line).
fn json_errors(stdout: &str) -> Vec<Diag> {
    stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<J>(l).ok())
        .filter(|m| m["type"] == "diagnostic" && m["diagnostic"]["severity"] == "error")
        .map(|m| {
            let d = &m["diagnostic"];
            let s = &d["snippet"];
            let attr = s["code"]
                .as_str()
                .and_then(|code| attribute_before(code, s["highlight_start_offset"].as_u64()? as usize));
            Diag {
                summary: d["summary"].as_str().unwrap_or_default().to_string(),
                detail: d["detail"].as_str().unwrap_or_default().to_string(),
                attr,
            }
        })
        .collect()
}

/// The error diagnostics in Terraform's human output (`Error: <summary>`, then paragraphs; boxed
/// in `│ ` lines without `-no-color`): summary and detail. Source context (`with …`, `on …`, the
/// quoted line) is left out of the detail.
fn human_errors(out: &str) -> Vec<Diag> {
    // Each error's lines, up to the next error or warning.
    let mut errors: Vec<(String, Vec<&str>)> = Vec::new();
    let mut in_error = false;
    for line in out.lines() {
        let line = line.trim_start_matches(['│', '╷', '╵']).trim();
        if let Some(summary) = line.strip_prefix("Error: ") {
            errors.push((summary.to_string(), Vec::new()));
            in_error = true;
        } else if line.starts_with("Warning: ") {
            in_error = false;
        } else if in_error && let Some((_, lines)) = errors.last_mut() {
            lines.push(line);
        }
    }
    errors
        .into_iter()
        .map(|(summary, lines)| {
            let detail: Vec<&str> = lines
                .split(|l| l.is_empty())
                .filter(|para| {
                    !para.first().is_some_and(|l| {
                        l.starts_with("with ")
                            || l.starts_with("on ")
                            || l.split_once(':').is_some_and(|(n, _)| n.parse::<u32>().is_ok())
                    })
                })
                .flatten()
                .copied()
                .collect();
            Diag {
                summary,
                detail: detail.join(" "),
                attr: None,
            }
        })
        .collect()
}

/// Checks that one of `diags` has `summary` (a trailing `*` matches any rest), a detail that contains every `detail`
/// fragment and, when `attr` is given, that attribute; and that the output shows no crash.
fn check_diagnostic(
    out: &str,
    diags: &[Diag],
    summary: &str,
    detail: &[&str],
    attr: Option<&str>,
) -> Result<(), String> {
    let f = flat(out);
    for bad in ["panic", "Plugin did not respond", "crashed", "Internal error"] {
        if f.contains(bad) {
            return Err(format!("{bad:?} in the output:\n{out}"));
        }
    }
    let matches = |s: &str| match summary.strip_suffix('*') {
        Some(prefix) => s.starts_with(prefix),
        None => s == summary,
    };
    let Some(d) = diags.iter().find(|d| matches(&d.summary)) else {
        return Err(format!(
            "no error with the summary {summary:?}; the errors were {diags:#?}"
        ));
    };
    let d_detail = flat(&d.detail);
    if d_detail.is_empty() {
        return Err(format!("{summary:?} has no detail"));
    }
    for e in detail {
        if !d_detail.contains(e) {
            return Err(format!("the detail of {summary:?} lacks {e:?}: {d_detail:?}"));
        }
    }
    if let Some(a) = attr
        && d.attr.as_deref() != Some(a)
    {
        return Err(format!(
            "{summary:?} is about {:?}, expected the attribute {a:?}",
            d.attr
        ));
    }
    Ok(())
}

/// Runs terraform with `-json`; (stdout, stdout and stderr), and whether it failed.
fn run_json(tf: &Tf, phase: &Phase) -> (String, String, bool) {
    let o = match phase {
        Phase::Plan => tf.run(&["plan", "-input=false", "-no-color", "-json"]),
        Phase::Apply => tf.run(&["apply", "-auto-approve", "-input=false", "-no-color", "-json"]),
    };
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    let all = format!("{stdout}{}", String::from_utf8_lossy(&o.stderr));
    (stdout, all, !o.status.success())
}

fn bad_input_catalogue() {
    assert!(CASES.len() >= 60, "{} cases", CASES.len());
    let tf = Tf::new();
    tf.config(&base());
    tf.apply();
    let before_without_history = tf.db_dump_except(&["history"]);
    let mut failures = Vec::new();
    for (i, case) in CASES.iter().enumerate() {
        let what = if case.provider.is_empty() {
            format!("case {i} ({}):\n{}", case.summary, case.body)
        } else {
            format!("case {i} ({}): provider block with {}", case.summary, case.provider)
        };
        let before_case = tf.db_dump();
        // A provider-block case runs in a directory of its own with a copy of the state, so the
        // apply would change the database if the provider accepted the block.
        let other;
        let dir = if case.provider.is_empty() {
            &tf
        } else {
            other = Tf::sharing(&tf.db).provider_extra(case.provider);
            std::fs::copy(
                tf.path().join("terraform.tfstate"),
                other.path().join("terraform.tfstate"),
            )
            .expect("copy the state");
            &other
        };
        dir.config(&format!("{}\n{}", base(), case.body));
        let (stdout, all, failed) = run_json(dir, &case.phase);
        let result = if failed {
            check_diagnostic(&all, &json_errors(&stdout), case.summary, case.detail, case.attr)
        } else {
            Err("terraform succeeded".to_string())
        };
        if let Err(e) = result {
            failures.push(format!("{what}\n=> {e}"));
        }
        match case.phase {
            Phase::Apply if case.provider.is_empty() => {
                // Other resources of the same apply may have succeeded; remove them, then compare.
                tf.config(&base());
                tf.apply();
                if tf.db_dump_except(&["history"]) != before_without_history {
                    failures.push(format!("{what}\n=> the database differs after removing the case"));
                }
            }
            _ => {
                if tf.db_dump() != before_case {
                    failures.push(format!("{what}\n=> the refused case changed the database"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n\n")
    );
    tf.config(&base());
    tf.destroy();
}

fn malformed_import_ids_are_clear_errors() {
    let tf = Tf::new();
    tf.config(&base());
    tf.apply();
    let before = tf.db_dump();
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        (
            "resource \"ipam_pool_cidr\" \"i\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = \"10.0.0.0/16\"\n}",
            "ipam_pool_cidr.i",
            "garbage",
            "Invalid import ID",
            "<cidr>_<pool-id>",
        ),
        (
            "resource \"ipam_pool_cidr\" \"i\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = \"10.0.0.0/16\"\n}",
            "ipam_pool_cidr.i",
            "10.0.0.0/99_ipam-pool-0123456789abcdef0",
            "Invalid CIDR",
            "10.0.0.0/99",
        ),
        (
            "resource \"ipam_pool_allocation\" \"i\" {\n  ipam_pool_id = ipam_pool.p.id\n}",
            "ipam_pool_allocation.i",
            "alloc-1_ipam-pool-0123456789abcdef0",
            "Invalid allocation ID",
            "\"alloc-1\" is not a allocation ID",
        ),
        (
            "resource \"ipam_pool\" \"i\" {\n  ipam_scope_id = ipam.main.private_default_scope_id\n  address_family = \"ipv4\"\n}",
            "ipam_pool.i",
            "ipam-pool-0123456789abcdef0",
            "pool not found",
            "ipam-pool-0123456789abcdef0",
        ),
        (
            "resource \"ipam_resource_share\" \"i\" {\n  name = \"s\"\n}",
            "ipam_resource_share.i",
            "share-1",
            "Invalid resource share ARN",
            "share-1",
        ),
        (
            "resource \"ipam_scope\" \"i\" {\n  ipam_id = ipam.main.id\n}",
            "ipam_scope.i",
            "ipam-scope-XYZ",
            "Invalid scope ID",
            "\"ipam-scope-XYZ\" is not a scope ID",
        ),
    ];
    let mut failures = Vec::new();
    for (body, addr, id, summary, detail) in cases {
        tf.config(&format!("{}\n{body}", base()));
        let out = tf.fails(&["import", "-no-color", "-input=false", addr, id]);
        if let Err(e) = check_diagnostic(&out, &human_errors(&out), summary, &[detail], None) {
            failures.push(format!("import {addr} {id}: {e}"));
        }
        if tf.db_dump() != before {
            failures.push(format!("import {addr} {id} changed the database"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    tf.config(&base());
    tf.destroy();
}

/// The arguments each resource and data source needs besides its read-only attributes (on top
/// of `base()`); every type in the provider's schema must have an entry.
const REQUIRED_ARGUMENTS: &[(&str, &str, &str)] = &[
    ("resource", "ipam", "operating_regions { region_name = \"us-east-1\" }"),
    ("resource", "ipam_scope", "ipam_id = ipam.main.id"),
    (
        "resource",
        "ipam_pool",
        "ipam_scope_id = ipam.main.private_default_scope_id\n  address_family = \"ipv4\"",
    ),
    (
        "resource",
        "ipam_pool_cidr",
        "ipam_pool_id = ipam_pool.p.id\n  cidr = \"10.0.1.0/24\"",
    ),
    (
        "resource",
        "ipam_pool_allocation",
        "ipam_pool_id = ipam_pool.p.id\n  netmask_length = 24",
    ),
    (
        "resource",
        "ipam_preview_next_cidr",
        "ipam_pool_id = ipam_pool.p.id\n  netmask_length = 24",
    ),
    ("resource", "ipam_resource_share", "name = \"s\""),
    ("data", "ipam", "id = ipam.main.id"),
    ("data", "ipam_ipams", ""),
    (
        "data",
        "ipam_scope",
        "ipam_scope_id = ipam.main.private_default_scope_id",
    ),
    ("data", "ipam_scopes", ""),
    ("data", "ipam_pool", "ipam_pool_id = ipam_pool.p.id"),
    ("data", "ipam_pools", ""),
    ("data", "ipam_pool_cidrs", "ipam_pool_id = ipam_pool.p.id"),
    ("data", "ipam_pool_allocations", "ipam_pool_id = ipam_pool.p.id"),
    (
        "data",
        "ipam_preview_next_cidr",
        "ipam_pool_id = ipam_pool.p.id\n  netmask_length = 24",
    ),
    (
        "data",
        "ipam_address_history",
        "cidr = \"10.0.0.0/16\"\n  ipam_scope_id = ipam.main.private_default_scope_id",
    ),
];

/// A configuration value of a schema type (JSON type notation), not null.
fn value_of(ty: &J) -> &'static str {
    match ty.as_str().or_else(|| ty[0].as_str()) {
        Some("string") => "\"x\"",
        Some("number") => "1",
        Some("bool") => "true",
        Some("list" | "set") => "[]",
        _ => "{}",
    }
}

/// Every read-only (computed-only) attribute of every resource and data source, read from the
/// provider's schema, set in one configuration: each is an error at validation naming it, and
/// neither plan nor apply writes anything. Null is not configured, and Terraform's generated
/// configuration, which leaves read-only attributes out, is accepted.
fn read_only_attributes_are_refused_at_validation() {
    let tf = Tf::new();
    tf.config(&base());
    tf.apply();
    let before = tf.db_dump();
    let schema: J = serde_json::from_str(&tf.ok(&["providers", "schema", "-json"])).expect("schema");
    let schema = &schema["provider_schemas"]["registry.terraform.io/local/ipam"];
    let mut config = String::new();
    let mut expected = std::collections::BTreeSet::new();
    for (mode, key) in [("resource", "resource_schemas"), ("data", "data_source_schemas")] {
        for (ty, s) in schema[key].as_object().expect("schemas") {
            let (_, _, args) = REQUIRED_ARGUMENTS
                .iter()
                .find(|(m, t, _)| *m == mode && t == ty)
                .unwrap_or_else(|| panic!("{mode} {ty}: add its arguments to REQUIRED_ARGUMENTS"));
            let block = &s["block"];
            for b in block["block_types"].as_object().into_iter().flatten() {
                let inner = b.1["block"]["attributes"].as_object().into_iter().flatten();
                assert!(
                    !inner
                        .clone()
                        .any(|(_, a)| a["computed"] == true && a["optional"] != true),
                    "{mode} {ty}: block {} has read-only attributes; set them here too",
                    b.0
                );
            }
            let mut lines = vec![format!("  {args}")];
            for (name, a) in block["attributes"].as_object().expect("attributes") {
                if a["computed"] == true && a["optional"] != true && a["required"] != true {
                    lines.push(format!("  {name} = {}", value_of(&a["type"])));
                    expected.insert(format!("{mode} {ty}.{name}"));
                }
            }
            config.push_str(&format!("{mode} \"{ty}\" \"ro\" {{\n{}\n}}\n", lines.join("\n")));
        }
    }
    assert!(expected.len() >= 60, "{expected:?}");
    assert!(expected.contains("resource ipam_scope.ipam_scope_type"));
    tf.config(&format!("{}\n{config}", base()));
    let o = tf.run(&["plan", "-input=false", "-no-color", "-json"]);
    assert!(!o.status.success());
    let mut got = std::collections::BTreeSet::new();
    for m in String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<J>(l).ok())
        .filter(|m| m["type"] == "diagnostic" && m["diagnostic"]["severity"] == "error")
    {
        let d = &m["diagnostic"];
        let s = &d["snippet"];
        let attr = s["code"]
            .as_str()
            .and_then(|code| attribute_before(code, s["highlight_start_offset"].as_u64()? as usize))
            .unwrap_or_default();
        assert_eq!(d["summary"], "Read-only attribute", "{d}");
        let detail = d["detail"].as_str().unwrap_or_default();
        assert!(detail.starts_with(&format!("`{attr}` is read-only; remove it")), "{d}");
        // `resource "ipam_pool" "ro"` → `resource ipam_pool`.
        let context: Vec<&str> = s["context"].as_str().unwrap_or_default().split('"').collect();
        let what = format!("{} {}.{attr}", context[0].trim(), context.get(1).unwrap_or(&""));
        assert!(got.insert(what.clone()), "{what} reported twice");
    }
    assert_eq!(got, expected, "one error per read-only attribute, on it");
    let out = flat(&tf.apply_fails());
    assert!(out.contains("`ipam_scope_type` is read-only; remove it"), "{out}");
    assert_eq!(tf.db_dump(), before, "nothing written");

    // Null is not configured, and generated configuration leaves read-only attributes out.
    let nulls: String = expected
        .iter()
        .filter(|e| e.starts_with("resource ipam_scope."))
        .map(|e| format!("  {} = null\n", e.rsplit('.').next().unwrap_or_default()))
        .collect();
    tf.config(&format!(
        "{}\nresource \"ipam_scope\" \"ro\" {{\n  ipam_id = ipam.main.id\n{nulls}}}\nimport {{\n  to = ipam_pool.generated\n  id = ipam_pool.p.id\n}}\n",
        base()
    ));
    let _ = std::fs::remove_file(tf.path().join("generated.tf"));
    tf.ok(&["plan", "-input=false", "-no-color", "-generate-config-out=generated.tf"]);
    let generated = std::fs::read_to_string(tf.path().join("generated.tf")).expect("generated.tf");
    assert!(
        generated.contains("resource \"ipam_pool\" \"generated\""),
        "{generated}"
    );
    tf.ok(&["plan", "-input=false", "-no-color"]);
    assert_eq!(tf.db_dump(), before, "plans write nothing");
    std::fs::remove_file(tf.path().join("generated.tf")).expect("remove generated.tf");
    tf.config(&base());
    tf.destroy();
}

backend_tests!(
    bad_input_catalogue,
    malformed_import_ids_are_clear_errors,
    read_only_attributes_are_refused_at_validation,
);
