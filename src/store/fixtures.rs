//! A small database the store's unit tests share: one IPAM, its private scope and an empty pool.

use super::Store;
use crate::ipam::cidr::{Cidr, Family};
use crate::ipam::model::{Ipam, LOCALE_NONE, Pool, Scope, ScopeType, State, Tags};

pub(super) const POOL: &str = "ipam-pool-00000000000000001";

pub(super) fn c(s: &str) -> Cidr {
    Cidr::parse(s).unwrap()
}

/// A file database holding one IPAM, scope and (empty) pool.
pub(super) fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path().join("fs.db")).unwrap();
    s.write(|tx| {
        tx.insert_ipam(&Ipam {
            id: "ipam-00000000000000001".into(),
            owner_id: "123456789012".into(),
            home_region: "us-east-1".into(),
            description: None,
            operating_regions: vec!["us-east-1".into()],
            public_default_scope_id: "ipam-scope-00000000000000002".into(),
            private_default_scope_id: "ipam-scope-00000000000000001".into(),
            tags: Tags::new(),
            tags_all: Tags::new(),
            state: State::CreateComplete,
            cascade: None,
        })?;
        tx.insert_scope(&Scope {
            id: "ipam-scope-00000000000000001".into(),
            ipam_id: "ipam-00000000000000001".into(),
            owner_id: "123456789012".into(),
            scope_type: ScopeType::Private,
            is_default: true,
            description: None,
            tags: Tags::new(),
            tags_all: Tags::new(),
            state: State::CreateComplete,
        })?;
        tx.insert_pool(&Pool {
            id: POOL.into(),
            scope_id: "ipam-scope-00000000000000001".into(),
            ipam_id: "ipam-00000000000000001".into(),
            owner_id: "123456789012".into(),
            address_family: Family::V4,
            locale: LOCALE_NONE.into(),
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
        })
    })
    .unwrap();
    (dir, s)
}
