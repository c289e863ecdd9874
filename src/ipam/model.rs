//! The IPAM entities as the database holds them.

use std::collections::BTreeMap;

use super::Error;
use super::api_enum::{accepted, api_enum};
pub use super::cidr::Family;

/// Tags: key → value.
pub type Tags = BTreeMap<String, String>;

api_enum! {
    /// The lifecycle state of an IPAM, a scope or a pool.
    State, "Invalid state", "a state" {
        /// Reached after create.
        CreateComplete = "create-complete",
        /// Reached after an update.
        ModifyComplete = "modify-complete",
    }
}

api_enum! {
    /// The state of a CIDR provisioned to a pool.
    CidrState, "Invalid pool CIDR state", "a pool CIDR state" {
        Provisioned = "provisioned",
    }
}

api_enum! {
    /// Scope visibility.
    ScopeType, "Invalid scope type", "a scope type" {
        Public = "public",
        Private = "private",
    }
}

api_enum! {
    /// Where a public pool's space comes from.
    PublicIpSource, "Invalid public IP source", "a public IP source" {
        /// Addresses the account brings (BYOIP), proven by an authorization message.
        Byoip = "byoip",
        /// Amazon-provided IPv6 space.
        Amazon = "amazon",
    }
}

api_enum! {
    /// The AWS service that may use a public pool's space.
    AwsService, "Invalid AWS service", "a supported AWS service (R-27)" {
        Ec2 = "ec2",
    }
}

api_enum! {
    /// What an allocation holds space for.
    ResourceType, "Invalid resource type", "a resource type" {
        /// A manual reservation.
        Custom = "custom",
        Vpc = "vpc",
        Subnet = "subnet",
        Ec2PublicIpv4Pool = "ec2-public-ipv4-pool",
        Eip = "eip",
        /// A child pool's CIDR in its parent: made by provisioning the child, never requested.
        IpamPool = "ipam-pool",
    }
}

impl ResourceType {
    /// The types an allocation may be requested for (every type but `ipam-pool`).
    pub const REQUESTABLE: [ResourceType; 5] = [
        ResourceType::Custom,
        ResourceType::Vpc,
        ResourceType::Subnet,
        ResourceType::Ec2PublicIpv4Pool,
        ResourceType::Eip,
    ];

    /// Parses a requested `resource_type`: a child pool's type is not one a request may name.
    pub fn requested(s: &str) -> Result<ResourceType, Error> {
        s.parse()
            .ok()
            .filter(|t| ResourceType::REQUESTABLE.contains(t))
            .ok_or_else(|| ResourceType::not_requestable(s))
    }

    /// The error for a `resource_type` a request may not name.
    pub fn not_requestable(s: &str) -> Error {
        Error::invalid(
            "Invalid resource type",
            format!(
                "{s:?} is not a resource type. Use {}.",
                accepted(&ResourceType::REQUESTABLE.map(ResourceType::as_str))
            ),
        )
        .at("resource_type")
    }
}

api_enum! {
    /// Whether an allocation keeps its pool's rules.
    ComplianceStatus, "Invalid compliance status", "a compliance status" {
        Compliant = "compliant",
        /// The allocation breaks a pool rule it was allowed to break.
        Noncompliant = "noncompliant",
    }
}

api_enum! {
    /// An IPAM's tier: `free` covers public IP space only on AWS; `advanced` (the default) is the
    /// full feature set. Stored and reported; no feature is withheld from either here.
    Tier, "Invalid IPAM tier", "an IPAM tier" {
        Free = "free",
        Advanced = "advanced",
    }
}

api_enum! {
    /// Which account AWS bills for an IPAM's active IP addresses. Stored and reported only.
    MeteredAccount, "Invalid metered account", "a metered account" {
        /// The account that owns the IPAM (the default).
        IpamOwner = "ipam-owner",
        /// The account that owns the resource using the address.
        ResourceOwner = "resource-owner",
    }
}

api_enum! {
    /// The status of a resource share.
    ShareStatus, "Invalid share status", "a share status" {
        Active = "ACTIVE",
    }
}

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
    pub state: State,
    /// Delete private scopes, pools, CIDRs and allocations with the IPAM.
    pub cascade: Option<bool>,
    /// Whether private scopes may hold global unicast IPv6 besides ULA, as configured (`None`:
    /// not set, which means off; see [`Ipam::private_gua`]).
    pub enable_private_gua: Option<bool>,
    /// The tier as configured (`None`: not set, which means `advanced`; see [`Ipam::tier`]).
    pub tier: Option<Tier>,
    /// Which account is billed for the IPAM's addresses (the effective value).
    pub metered_account: MeteredAccount,
}

impl Ipam {
    /// The IPAM's tier: as configured, `advanced` unless set.
    pub fn tier(&self) -> Tier {
        self.tier.unwrap_or(Tier::Advanced)
    }

    /// The ID of the IPAM's default resource discovery, which AWS creates with every IPAM:
    /// derived from the IPAM's own hex digits, so it is the same at every read and import.
    pub fn default_resource_discovery_id(&self) -> String {
        format!("ipam-res-disco-{}", self.id_hex())
    }

    /// The ID of the association of the default resource discovery with the IPAM (derived as
    /// [`Ipam::default_resource_discovery_id`]).
    pub fn default_resource_discovery_association_id(&self) -> String {
        format!("ipam-res-disco-assoc-{}", self.id_hex())
    }

    /// The hex digits of the IPAM's ID.
    fn id_hex(&self) -> &str {
        self.id.strip_prefix("ipam-").unwrap_or(&self.id)
    }

    /// Whether the IPAM's private scopes may hold global unicast IPv6 (`enable_private_gua`,
    /// off unless set).
    pub fn private_gua(&self) -> bool {
        self.enable_private_gua == Some(true)
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
    pub state: State,
}

/// The locale of a pool that is usable in no region (only manual allocations).
pub const LOCALE_NONE: &str = "None";

/// The region a pool locale names: `None` for [`LOCALE_NONE`].
pub fn locale_region(locale: &str) -> Option<&str> {
    (locale != LOCALE_NONE).then_some(locale)
}

/// An address pool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pool {
    pub id: String,
    pub scope_id: String,
    pub ipam_id: String,
    pub owner_id: String,
    pub address_family: Family,
    /// `None` or a region.
    pub locale: String,
    /// Whether `locale` was configured; not configured means [`LOCALE_NONE`].
    pub locale_configured: bool,
    pub source_pool_id: Option<String>,
    pub depth: i64,
    pub description: Option<String>,
    pub auto_import: Option<bool>,
    pub min_netmask: Option<i64>,
    pub max_netmask: Option<i64>,
    pub default_netmask: Option<i64>,
    pub allocation_resource_tags: Tags,
    pub aws_service: Option<AwsService>,
    pub public_ip_source: Option<PublicIpSource>,
    pub publicly_advertisable: Option<bool>,
    pub tags: Tags,
    /// `tags` over the provider's `default_tags` as last applied: the object's tags as AWS holds them.
    pub tags_all: Tags,
    pub cascade: Option<bool>,
    pub state: State,
}

impl Pool {
    /// The region whose resources the pool serves; `None` for a pool of locale `None`.
    pub fn region(&self) -> Option<&str> {
        locale_region(&self.locale)
    }
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
    pub state: CidrState,
}

/// An allocation from a pool: a manual reservation, a resource's CIDR, or a child pool's CIDR.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    pub id: String,
    pub pool_id: String,
    pub cidr: super::cidr::Cidr,
    /// The netmask length asked for, when the CIDR was chosen by the provider.
    pub netmask_length: Option<i64>,
    pub resource_type: ResourceType,
    pub resource_id: Option<String>,
    pub resource_owner: String,
    pub resource_region: Option<String>,
    pub description: Option<String>,
    pub disallowed_cidrs: Vec<String>,
    pub tags: Tags,
    /// `tags` over the provider's `default_tags` as last applied: the object's tags as AWS holds them.
    pub tags_all: Tags,
    pub compliance_status: ComplianceStatus,
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
    pub status: ShareStatus,
}

/// One address-history record: who held a CIDR in a scope, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryRecord {
    pub ipam_id: String,
    pub scope_id: String,
    pub pool_id: Option<String>,
    pub cidr: String,
    pub resource_type: ResourceType,
    pub resource_id: Option<String>,
    pub resource_owner: String,
    pub resource_region: Option<String>,
    pub compliance_status: Option<ComplianceStatus>,
    pub start_time: String,
    pub end_time: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant reads back from its own string, shows and serializes as that string, and
    /// any other string is refused naming every accepted one.
    fn round_trip<T>(all: &[T], strings: &[&str], kind: &str)
    where
        T: Copy + PartialEq + std::fmt::Debug + std::fmt::Display + std::str::FromStr<Err = Error> + serde::Serialize,
    {
        assert_eq!(all.len(), strings.len(), "{kind}: one string per variant");
        for (v, s) in all.iter().zip(strings) {
            assert_eq!(v.to_string(), *s);
            assert_eq!(s.parse::<T>().unwrap(), *v);
            assert_eq!(serde_json::to_string(v).unwrap(), format!("{s:?}"));
        }
        for bad in ["", "bogus", &strings[0].to_uppercase(), &format!(" {}", strings[0])] {
            if strings.contains(&bad) {
                continue;
            }
            let e = bad.parse::<T>().unwrap_err();
            assert_eq!(e.kind, super::super::ErrorKind::Invalid);
            assert!(e.summary.starts_with("Invalid "), "{e}");
            assert!(e.detail.starts_with(&format!("{bad:?} is not ")), "{e}");
            for s in strings {
                assert!(e.detail.contains(&format!("{s:?}")), "{kind}: {s} missing from {e}");
            }
        }
    }

    #[test]
    fn every_enumeration_round_trips_and_names_its_values() {
        round_trip(Family::ALL, &["ipv4", "ipv6"], "family");
        round_trip(State::ALL, &["create-complete", "modify-complete"], "state");
        round_trip(CidrState::ALL, &["provisioned"], "pool CIDR state");
        round_trip(ScopeType::ALL, &["public", "private"], "scope type");
        round_trip(PublicIpSource::ALL, &["byoip", "amazon"], "public IP source");
        round_trip(AwsService::ALL, &["ec2"], "AWS service");
        round_trip(
            ResourceType::ALL,
            &["custom", "vpc", "subnet", "ec2-public-ipv4-pool", "eip", "ipam-pool"],
            "resource type",
        );
        round_trip(
            ComplianceStatus::ALL,
            &["compliant", "noncompliant"],
            "compliance status",
        );
        round_trip(ShareStatus::ALL, &["ACTIVE"], "share status");
    }

    #[test]
    fn messages_keep_the_wording_users_see() {
        let e = "ipv5".parse::<Family>().unwrap_err();
        assert_eq!(e.summary, "Invalid address family");
        assert_eq!(e.detail, "\"ipv5\" is not an address family. Use \"ipv4\" or \"ipv6\".");
        let e = "s3".parse::<AwsService>().unwrap_err();
        assert_eq!(e.detail, "\"s3\" is not a supported AWS service (R-27). Use \"ec2\".");
        let e = "cloud".parse::<PublicIpSource>().unwrap_err();
        assert_eq!(e.summary, "Invalid public IP source");
        assert_eq!(
            e.detail,
            "\"cloud\" is not a public IP source. Use \"byoip\" or \"amazon\"."
        );
    }

    #[test]
    fn the_locale_none_names_no_region() {
        assert_eq!(locale_region(LOCALE_NONE), None);
        assert_eq!(locale_region("us-east-1"), Some("us-east-1"));
        assert_eq!(locale_region("none"), Some("none"), "only the exact spelling AWS uses");
    }

    #[test]
    fn a_request_may_not_name_the_child_pool_resource_type() {
        for t in ResourceType::REQUESTABLE {
            assert_eq!(ResourceType::requested(t.as_str()).unwrap(), t);
        }
        for bad in ["ipam-pool", "database"] {
            let e = ResourceType::requested(bad).unwrap_err();
            assert_eq!(e.summary, "Invalid resource type");
            assert_eq!(e.attribute().as_deref(), Some("resource_type"));
            assert_eq!(
                e.detail,
                format!(
                    "{bad:?} is not a resource type. Use one of \"custom\", \"vpc\", \"subnet\", \"ec2-public-ipv4-pool\", \"eip\"."
                )
            );
        }
    }
}
