//! Shared by the benchmarks: a database (a SQLite file, or a PostgreSQL database named by
//! `IPAM_BENCH_POSTGRES`) holding one pool with many allocations.
#![allow(dead_code)]

use terraform_provider_ipam::ipam::cidr::{Cidr, Family};
use terraform_provider_ipam::ipam::model::{
    Ipam, LOCALE_NONE, MeteredAccount, Pool, Quotas, ResourceType, Scope, ScopeType, State, Tags,
};
use terraform_provider_ipam::ipam::ops;
use terraform_provider_ipam::store::Store;

fn c(s: &str) -> Cidr {
    Cidr::parse(s).unwrap()
}

/// The address space of a benchmark pool: its family, its provisioned CIDR and the size of each
/// allocation.
#[derive(Clone, Copy, Debug)]
pub struct Space {
    pub family: Family,
    pub cidr: &'static str,
    pub netmask: u8,
}

/// /28s from 10.0.0.0/8.
pub const V4: Space = Space {
    family: Family::V4,
    cidr: "10.0.0.0/8",
    netmask: 28,
};

/// /64s from an IPv6 /32.
pub const V6: Space = Space {
    family: Family::V6,
    cidr: "2001:db8::/32",
    netmask: 64,
};

/// A file database with one IPAM, scope and pool (10.0.0.0/8) holding `n` /28 allocations.
pub fn file_pool(dir: &std::path::Path, n: usize) -> (Store, Pool) {
    file_pool_at(&dir.join("bench.db"), n)
}

/// The same, at a given database path.
pub fn file_pool_at(path: &std::path::Path, n: usize) -> (Store, Pool) {
    fill(path, V4, n, 10_000, &mut || {})
}

/// A file database whose pool holds `n` allocations of `space`.
pub fn file_pool_of(dir: &std::path::Path, space: Space, n: usize) -> (Store, Pool) {
    fill(&dir.join("bench.db"), space, n, 10_000, &mut || {})
}

/// One IPAM, scope and pool of `space` holding `n` allocations at `location` (a SQLite path or a
/// `postgres://` URL), made `batch` allocations to a transaction, calling `between` after each.
fn fill(location: &std::path::Path, space: Space, n: usize, batch: usize, between: &mut dyn FnMut()) -> (Store, Pool) {
    let store = Store::open(location).unwrap();
    let acct = "123456789012".to_string();
    let scope = |id: &str, t| Scope {
        id: id.into(),
        ipam_id: "ipam-00000000000000001".into(),
        owner_id: acct.clone(),
        scope_type: t,
        is_default: true,
        description: None,
        tags: Tags::new(),
        tags_all: Tags::new(),
        state: State::CreateComplete,
    };
    let pool = Pool {
        id: "ipam-pool-00000000000000001".into(),
        scope_id: "ipam-scope-00000000000000002".into(),
        ipam_id: "ipam-00000000000000001".into(),
        owner_id: acct.clone(),
        address_family: space.family,
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
                tags_all: Tags::new(),
                state: State::CreateComplete,
                cascade: None,
                enable_private_gua: None,
                tier: None,
                metered_account: MeteredAccount::IpamOwner,
            })?;
            tx.insert_scope(&scope("ipam-scope-00000000000000001", ScopeType::Public))?;
            tx.insert_scope(&scope("ipam-scope-00000000000000002", ScopeType::Private))?;
            tx.insert_pool(&pool)?;
            let req = ops::ProvisionRequest {
                cidr: Some(c(space.cidr)),
                netmask_length: None,
                auth_message: None,
                auth_signature: None,
            };
            ops::provision(tx, &pool, &req, &acct, &Quotas::default(), &ops::now())?;
            Ok(())
        })
        .unwrap();
    // Fill in batches: the fill is setup, not what is measured.
    let tags = Tags::new();
    let mut left = n;
    while left > 0 {
        let count = left.min(batch);
        store
            .write(|tx| {
                for _ in 0..count {
                    ops::allocate(tx, &pool, &request_of(&tags, space.netmask), &ops::now())?;
                }
                Ok(())
            })
            .unwrap();
        left -= count;
        between();
    }
    (store, pool)
}

/// A request for the next free /28.
pub fn request(tags: &Tags) -> ops::AllocationRequest<'_> {
    request_of(tags, V4.netmask)
}

/// A request for the next free block of `netmask` bits.
pub fn request_of(tags: &Tags, netmask: u8) -> ops::AllocationRequest<'_> {
    ops::AllocationRequest {
        cidr: None,
        netmask_length: Some(i64::from(netmask)),
        disallowed: &[],
        resource_type: ResourceType::Custom,
        resource_id: None,
        resource_region: None,
        description: None,
        tags,
        tags_all: tags,
        owner: "123456789012",
    }
}

/// The PostgreSQL database the benchmarks may use: `IPAM_BENCH_POSTGRES` (set by `benches/pg.sh`).
/// The benchmarks empty it, and reach it without TLS (`sslmode=disable` or `prefer`).
pub fn postgres_url() -> Option<String> {
    std::env::var("IPAM_BENCH_POSTGRES").ok().filter(|u| !u.is_empty())
}

/// Empties the PostgreSQL database at `url` (every table of the provider, and the schema
/// version), so that the next `Store::open` starts from nothing.
pub fn reset_postgres(url: &str) {
    let mut client = postgres::Client::connect(url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("connecting to {url} (IPAM_BENCH_POSTGRES): {e}"));
    client
        .batch_execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        .unwrap_or_else(|e| panic!("emptying {url}: {e}"));
}

/// The PostgreSQL database at `url`, emptied, then holding the same IPAM, scope and pool with `n`
/// /28 allocations as [`file_pool`], vacuumed and analysed: the state autovacuum keeps a database
/// in that is used for a while. Each allocation deletes and inserts free-space rows, and the dead
/// index entries that a long fill transaction leaves behind would slow the first-fit search
/// until autovacuum passes; so the fill commits every 1,000 allocations and vacuums the
/// free-space table in between.
pub fn postgres_pool(url: &str, n: usize) -> (Store, Pool) {
    reset_postgres(url);
    let mut client = postgres::Client::connect(url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("connecting to {url} (IPAM_BENCH_POSTGRES): {e}"));
    let made = fill(std::path::Path::new(url), V4, n, 1_000, &mut || {
        client.batch_execute("VACUUM free_blocks").expect("VACUUM free_blocks");
    });
    client.batch_execute("VACUUM ANALYZE").expect("VACUUM ANALYZE");
    made
}
