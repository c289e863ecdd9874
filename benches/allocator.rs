//! Allocator cost per allocation at 1k, 10k and 100k existing allocations in one pool: in memory,
//! and persisted on a file database with one transaction per allocation.
//!
//! Run: `cargo bench --bench allocator`.

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use terraform_provider_ipam::ipam::allocator::{self, MemFreeSpace};
use terraform_provider_ipam::ipam::cidr::{Cidr, Family};
use terraform_provider_ipam::ipam::model::Tags;
use terraform_provider_ipam::store::ops;

mod common;
use common::{file_pool, request};

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
