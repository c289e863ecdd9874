//! The IPAM entities as the database holds them.

use std::collections::BTreeMap;

/// Tags: key → value.
pub type Tags = BTreeMap<String, String>;

/// The state an object reaches after create.
pub const CREATE_COMPLETE: &str = "create-complete";
/// The state an object reaches after an update.
pub const MODIFY_COMPLETE: &str = "modify-complete";

/// Quotas of the acting account (seed values by default).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quotas {
    pub ipams_per_region: i64,
    pub scopes_per_ipam: i64,
    pub pools_per_scope: i64,
    pub cidrs_per_pool: i64,
    pub pool_depth: i64,
}

impl Default for Quotas {
    fn default() -> Quotas {
        Quotas {
            ipams_per_region: 1,
            scopes_per_ipam: 5,
            pools_per_scope: 50,
            cidrs_per_pool: 50,
            pool_depth: 10,
        }
    }
}

/// An IPAM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ipam {
    pub id: String,
    pub owner_id: String,
    pub home_region: String,
    pub description: Option<String>,
    pub operating_regions: Vec<String>,
    pub public_default_scope_id: String,
    pub private_default_scope_id: String,
    pub tags: Tags,
    /// `tags` over the provider's `default_tags` as last applied: the object's tags as AWS holds them.
    pub tags_all: Tags,
    pub state: String,
    /// Delete private scopes, pools, CIDRs and allocations with the IPAM.
    pub cascade: Option<bool>,
}

/// Scope visibility.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeType {
    Public,
    Private,
}

impl ScopeType {
    /// The API string.
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeType::Public => "public",
            ScopeType::Private => "private",
        }
    }
    /// Parses the API string.
    pub fn parse(s: &str) -> Option<ScopeType> {
        match s {
            "public" => Some(ScopeType::Public),
            "private" => Some(ScopeType::Private),
            _ => None,
        }
    }
}

/// A scope of an IPAM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    pub id: String,
    pub ipam_id: String,
    pub owner_id: String,
    pub scope_type: ScopeType,
    pub is_default: bool,
    pub description: Option<String>,
    pub tags: Tags,
    /// `tags` over the provider's `default_tags` as last applied: the object's tags as AWS holds them.
    pub tags_all: Tags,
    pub state: String,
}

/// The locale of a pool that is usable in no region (only manual allocations).
pub const LOCALE_NONE: &str = "None";

/// An address pool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pool {
    pub id: String,
    pub scope_id: String,
    pub ipam_id: String,
    pub owner_id: String,
    /// `ipv4` or `ipv6`.
    pub address_family: String,
    /// `None` or a region.
    pub locale: String,
    pub source_pool_id: Option<String>,
    pub depth: i64,
    pub description: Option<String>,
    pub auto_import: Option<bool>,
    pub min_netmask: Option<i64>,
    pub max_netmask: Option<i64>,
    pub default_netmask: Option<i64>,
    pub allocation_resource_tags: Tags,
    pub aws_service: Option<String>,
    pub public_ip_source: Option<String>,
    pub publicly_advertisable: Option<bool>,
    pub tags: Tags,
    /// `tags` over the provider's `default_tags` as last applied: the object's tags as AWS holds them.
    pub tags_all: Tags,
    pub cascade: Option<bool>,
    pub state: String,
}

/// A CIDR provisioned to a pool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolCidr {
    pub id: String,
    pub pool_id: String,
    pub cidr: super::cidr::Cidr,
    /// The netmask length asked for, when the CIDR was chosen by the provider.
    pub netmask_length: Option<i64>,
    pub auth_message: Option<String>,
    pub auth_signature: Option<String>,
    pub state: String,
}

/// An allocation from a pool: a manual reservation, a resource's CIDR, or a child pool's CIDR.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    pub id: String,
    pub pool_id: String,
    pub cidr: super::cidr::Cidr,
    /// The netmask length asked for, when the CIDR was chosen by the provider.
    pub netmask_length: Option<i64>,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub resource_owner: String,
    pub resource_region: Option<String>,
    pub description: Option<String>,
    pub disallowed_cidrs: Vec<String>,
    pub tags: Tags,
    /// `tags` over the provider's `default_tags` as last applied: the object's tags as AWS holds them.
    pub tags_all: Tags,
    pub compliance_status: String,
}

/// A resource share (AWS RAM) that lends pools to other accounts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Share {
    pub arn: String,
    pub name: String,
    pub owner_id: String,
    pub region: String,
    pub allow_external_principals: Option<bool>,
    pub permission_arns: Vec<String>,
    pub resource_arns: Vec<String>,
    pub principals: Vec<String>,
    pub tags: Tags,
    /// `tags` over the provider's `default_tags` as last applied: the object's tags as AWS holds them.
    pub tags_all: Tags,
    pub status: String,
}

/// One address-history record: who held a CIDR in a scope, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryRecord {
    pub ipam_id: String,
    pub scope_id: String,
    pub pool_id: Option<String>,
    pub cidr: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub resource_owner: String,
    pub resource_region: Option<String>,
    pub compliance_status: Option<String>,
    pub start_time: String,
    pub end_time: Option<String>,
}
