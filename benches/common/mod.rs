//! Shared by the benchmarks: a file database holding one pool with many allocations.
#![allow(dead_code)]

use terraform_provider_ipam::ipam::cidr::Cidr;
use terraform_provider_ipam::ipam::model::{CREATE_COMPLETE, Ipam, LOCALE_NONE, Pool, Quotas, Scope, ScopeType, Tags};
use terraform_provider_ipam::store::{Store, ops};

fn c(s: &str) -> Cidr {
    Cidr::parse(s).unwrap()
}

/// A file database with one IPAM, scope and pool (10.0.0.0/8) holding `n` /28 allocations.
pub fn file_pool(dir: &std::path::Path, n: usize) -> (Store, Pool) {
    file_pool_at(&dir.join("bench.db"), n)
}

/// The same, at a given database path.
pub fn file_pool_at(path: &std::path::Path, n: usize) -> (Store, Pool) {
    let store = Store::open(path).unwrap();
    let acct = "123456789012".to_string();
    let scope = |id: &str, t| Scope {
        id: id.into(),
        ipam_id: "ipam-00000000000000001".into(),
        owner_id: acct.clone(),
        scope_type: t,
        is_default: true,
        description: None,
        tags: Tags::new(),
        state: CREATE_COMPLETE.into(),
    };
    let pool = Pool {
        id: "ipam-pool-00000000000000001".into(),
        scope_id: "ipam-scope-00000000000000002".into(),
        ipam_id: "ipam-00000000000000001".into(),
        owner_id: acct.clone(),
        address_family: "ipv4".into(),
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
        cascade: None,
        state: CREATE_COMPLETE.into(),
    };
    store
        .write(|tx| {
            tx.insert_ipam(&Ipam {
                id: "ipam-00000000000000001".into(),
                owner_id: acct.clone(),
                home_region: "us-east-1".into(),
                description: None,
                operating_regions: vec!["us-east-1".into()],
                public_default_scope_id: "ipam-scope-00000000000000001".into(),
                private_default_scope_id: "ipam-scope-00000000000000002".into(),
                tags: Tags::new(),
                state: CREATE_COMPLETE.into(),
                cascade: None,
            })?;
            tx.insert_scope(&scope("ipam-scope-00000000000000001", ScopeType::Public))?;
            tx.insert_scope(&scope("ipam-scope-00000000000000002", ScopeType::Private))?;
            tx.insert_pool(&pool)?;
            let req = ops::ProvisionRequest {
                cidr: Some(c("10.0.0.0/8")),
                netmask_length: None,
                auth_message: None,
                auth_signature: None,
            };
            ops::provision(tx, &pool, &req, &acct, &Quotas::default())?;
            Ok(())
        })
        .unwrap();
    // Fill in batches: the fill is setup, not what is measured.
    let tags = Tags::new();
    let mut left = n;
    while left > 0 {
        let batch = left.min(10_000);
        store
            .write(|tx| {
                for _ in 0..batch {
                    ops::allocate(tx, &pool, &request(&tags))?;
                }
                Ok(())
            })
            .unwrap();
        left -= batch;
    }
    (store, pool)
}

pub fn request(tags: &Tags) -> ops::AllocationRequest<'_> {
    ops::AllocationRequest {
        cidr: None,
        netmask_length: Some(28),
        disallowed: &[],
        resource_type: "custom",
        resource_id: None,
        resource_region: None,
        description: None,
        tags,
        owner: "123456789012",
    }
}
