//! Configurations many tests start from, as HCL bodies for [`Tf::config`](super::Tf::config):
//! an IPAM, a top-level pool with a provisioned CIDR, Amazon-provided IPv6 pools and a private
//! IPv6 pool. A test whose configuration is what it tests writes it inline instead.

/// An IPAM `main` operating in the provider's region, us-east-1, and in us-west-2.
pub const IPAM: &str = r#"
resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
  operating_regions { region_name = "us-west-2" }
}
"#;

/// An IPAM `main` operating in the provider's region, us-east-1, only.
pub const HOME_IPAM: &str = r#"
resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
}
"#;

/// [`IPAM`] with a private IPv4 pool `p` holding one provisioned CIDR `c`.
pub fn pool_with_cidr(cidr: &str) -> String {
    pool_with_cidr_on(IPAM, cidr)
}

/// `ipam` (a configuration declaring the IPAM `main`, e.g. [`HOME_IPAM`]) with a private IPv4
/// pool `p` holding one provisioned CIDR `c`.
pub fn pool_with_cidr_on(ipam: &str, cidr: &str) -> String {
    format!(
        r#"{ipam}
resource "ipam_pool" "p" {{
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
}}
resource "ipam_pool_cidr" "c" {{
  ipam_pool_id = ipam_pool.p.id
  cidr         = "{cidr}"
}}
"#
    )
}

/// [`IPAM`] with a public IPv6 pool `v6` holding a /52 of Amazon-provided space, and its child
/// pool `vpcs` provisioned with `vpcs_cidr` (an argument line) from it.
pub fn amazon_ipv6_pools(vpcs_cidr: &str) -> String {
    format!(
        r#"{IPAM}{}
resource "ipam_pool" "vpcs" {{
  ipam_scope_id       = ipam.main.public_default_scope_id
  address_family      = "ipv6"
  locale              = "us-east-1"
  aws_service         = "ec2"
  source_ipam_pool_id = ipam_pool.v6.id
}}
resource "ipam_pool_cidr" "vpcs" {{
  ipam_pool_id = ipam_pool.vpcs.id
  {vpcs_cidr}
  depends_on   = [ipam_pool_cidr.v6]
}}
"#,
        amazon_ipv6_pool("publicly_advertisable = true")
    )
}

/// A public IPv6 pool `v6` of Amazon-provided space in the IPAM `main`, a /52 provisioned to it,
/// and an allocation `v6` of a /`netmask_length` from it for the VPC `vpc-0a1b2c`.
pub fn amazon_ipv6_pool_with_vpc(netmask_length: u8) -> String {
    format!(
        r#"{}
resource "ipam_pool_allocation" "v6" {{
  ipam_pool_id   = ipam_pool.v6.id
  netmask_length = {netmask_length}
  resource_type  = "vpc"
  resource_id    = "vpc-0a1b2c"
  depends_on     = [ipam_pool_cidr.v6]
}}
"#,
        amazon_ipv6_pool("")
    )
}

/// A public IPv6 pool `v6` of Amazon-provided space in the IPAM `main` (with `setting` in its
/// block) and a /52 provisioned to it.
fn amazon_ipv6_pool(setting: &str) -> String {
    format!(
        r#"
resource "ipam_pool" "v6" {{
  ipam_scope_id    = ipam.main.public_default_scope_id
  address_family   = "ipv6"
  public_ip_source = "amazon"
  aws_service      = "ec2"
  locale           = "us-east-1"
  {setting}
}}
resource "ipam_pool_cidr" "v6" {{
  ipam_pool_id   = ipam_pool.v6.id
  netmask_length = 52
}}
"#
    )
}

/// An IPAM `main` in the provider's region (with `ipam_flag` in its block) and a top-level
/// private IPv6 pool `v6`.
pub fn private_ipv6_pool(ipam_flag: &str) -> String {
    format!(
        r#"
resource "ipam" "main" {{
  operating_regions {{ region_name = "us-east-1" }}
  {ipam_flag}
}}
resource "ipam_pool" "v6" {{
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv6"
}}
"#
    )
}
