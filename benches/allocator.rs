//! Allocator cost per allocation at 1k, 10k and 100k existing allocations in one pool: in memory,
//! and persisted on a file database with one transaction per allocation.
//!
//! Run: `cargo bench --bench allocator`.

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use terraform_provider_ipam::ipam::allocator::{self, MemFreeSpace};
use terraform_provider_ipam::ipam::cidr::{Cidr, Family};
use terraform_provider_ipam::ipam::model::{CREATE_COMPLETE, Ipam, LOCALE_NONE, Pool, Quotas, Scope, ScopeType, Tags};
use terraform_provider_ipam::store::{Store, ops};

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

fn c(s: &str) -> Cidr {
    Cidr::parse(s).unwrap()
}

/// A pool of 10.0.0.0/8 with `n` /28 allocations; with `fragmented`, every other one released.
fn mem_pool(n: usize, fragmented: bool) -> (MemFreeSpace, Vec<Cidr>) {
    let root = c("10.0.0.0/8");
    let mut fs = MemFreeSpace::default();
    allocator::provision(&mut fs, root).unwrap();
    let mut held = Vec::with_capacity(n);
    for _ in 0..n * if fragmented { 2 } else { 1 } {
        held.push(allocator::allocate_first_fit(&mut fs, Family::V4, 28, &[], &[root]).unwrap());
    }
    if fragmented {
        for a in held.iter().step_by(2) {
            allocator::release(&mut fs, *a, &[root]).unwrap();
        }
    }
    (fs, vec![root])
}

fn in_memory(cr: &mut Criterion) {
    let mut g = cr.benchmark_group("memory");
    g.sample_size(30)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    for n in SIZES {
        let (mut fs, roots) = mem_pool(n, false);
        g.bench_with_input(BenchmarkId::new("allocate+release /28, packed", n), &n, |b, _| {
            b.iter(|| {
                let a = allocator::allocate_first_fit(&mut fs, Family::V4, 28, &[], &roots).unwrap();
                allocator::release(&mut fs, a, &roots).unwrap();
            })
        });
        // Every other /28 free: a naive scan would visit all n holes before finding a /27.
        let (mut fs, roots) = mem_pool(n, true);
        g.bench_with_input(BenchmarkId::new("allocate+release /27, fragmented", n), &n, |b, _| {
            b.iter(|| {
                let a = allocator::allocate_first_fit(&mut fs, Family::V4, 27, &[], &roots).unwrap();
                allocator::release(&mut fs, a, &roots).unwrap();
            })
        });
    }
    let root = c("2001:db8::/32");
    let mut fs = MemFreeSpace::default();
    allocator::provision(&mut fs, root).unwrap();
    for _ in 0..100_000 {
        allocator::allocate_first_fit(&mut fs, Family::V6, 64, &[], &[root]).unwrap();
    }
    g.bench_function("allocate+release IPv6 /64 from a /32, 100000", |b| {
        b.iter(|| {
            let a = allocator::allocate_first_fit(&mut fs, Family::V6, 64, &[], &[root]).unwrap();
            allocator::release(&mut fs, a, &[root]).unwrap();
        })
    });
    g.finish();
}

/// A file database with one IPAM, scope and pool (10.0.0.0/8) holding `n` /28 allocations.
fn file_pool(dir: &std::path::Path, n: usize) -> (Store, Pool) {
    let store = Store::open(dir.join("bench.db")).unwrap();
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

fn request(tags: &Tags) -> ops::AllocationRequest<'_> {
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

fn on_file(cr: &mut Criterion) {
    let mut g = cr.benchmark_group("sqlite-file");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_millis(500));
    let tags = Tags::new();
    for n in SIZES {
        let dir = tempfile::tempdir().unwrap();
        let (store, pool) = file_pool(dir.path(), n);
        g.bench_with_input(BenchmarkId::new("allocate /28, one transaction", n), &n, |b, _| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    store.write(|tx| ops::allocate(tx, &pool, &request(&tags))).unwrap();
                }
                start.elapsed()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, in_memory, on_file);
criterion_main!(benches);
