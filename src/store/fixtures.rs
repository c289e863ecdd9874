//! A small database the store's unit tests share: one IPAM, its private scope and an empty pool.

use super::{Store, Tx};
use crate::ipam::cidr::{Cidr, Family};
use crate::ipam::model::{CidrState, Ipam, LOCALE_NONE, MeteredAccount, Pool, PoolCidr, Scope, ScopeType, State, Tags};

pub(super) const POOL: &str = "ipam-pool-00000000000000001";

pub(super) fn c(s: &str) -> Cidr {
    Cidr::parse(s).unwrap()
}

pub(super) const IPAM: &str = "ipam-00000000000000001";
pub(super) const SCOPE: &str = "ipam-scope-00000000000000001";

pub(super) fn ipam() -> Ipam {
    Ipam {
        id: IPAM.into(),
        owner_id: "123456789012".into(),
        home_region: "us-east-1".into(),
        description: None,
        operating_regions: vec!["us-east-1".into()],
        public_default_scope_id: "ipam-scope-00000000000000002".into(),
        private_default_scope_id: SCOPE.into(),
        tags: Tags::new(),
        tags_all: Tags::new(),
        state: State::CreateComplete,
        cascade: None,
        enable_private_gua: None,
        tier: None,
        metered_account: MeteredAccount::IpamOwner,
    }
}

pub(super) fn scope(scope_type: ScopeType) -> Scope {
    Scope {
        id: SCOPE.into(),
        ipam_id: IPAM.into(),
        owner_id: "123456789012".into(),
        scope_type,
        is_default: true,
        description: None,
        tags: Tags::new(),
        tags_all: Tags::new(),
        state: State::CreateComplete,
    }
}

pub(super) fn pool() -> Pool {
    Pool {
        id: POOL.into(),
        scope_id: SCOPE.into(),
        ipam_id: IPAM.into(),
        owner_id: "123456789012".into(),
        address_family: Family::V4,
        locale: LOCALE_NONE.into(),
        locale_configured: false,
        source_pool_id: None,
        depth: 1,
        description: None,
        auto_import: None,
        min_netmask: None,
        max_netmask: None,
        default_netmask: None,
        allocation_resource_tags: Tags::new(),
        aws_service: None,
        public_ip_source: None,
        publicly_advertisable: None,
        tags: Tags::new(),
        tags_all: Tags::new(),
        cascade: None,
        state: State::CreateComplete,
    }
}

/// A provisioned CIDR of the pool.
pub(super) fn pool_cidr(id: &str, cidr: &str) -> PoolCidr {
    PoolCidr {
        id: id.into(),
        pool_id: POOL.into(),
        cidr: c(cidr),
        netmask_length: None,
        auth_message: None,
        auth_signature: None,
        state: CidrState::Provisioned,
    }
}

/// The IPAM, its private default scope and the (empty) pool.
pub(super) fn objects(tx: &Tx) -> crate::ipam::Result<()> {
    tx.insert_ipam(&ipam())?;
    tx.insert_scope(&scope(ScopeType::Private))?;
    tx.insert_pool(&pool())
}

/// A file database holding one IPAM, scope and (empty) pool.
pub(super) fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path().join("fs.db")).unwrap();
    s.write(objects).unwrap();
    (dir, s)
}
