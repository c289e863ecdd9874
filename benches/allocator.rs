//! Allocator cost per allocation at 1k, 10k and 100k existing allocations in one pool: in memory,
//! and persisted with one write transaction per allocation on a SQLite file and, when
//! `IPAM_BENCH_POSTGRES` names a PostgreSQL database, on PostgreSQL.
//!
//! Run: `cargo bench --bench allocator` (SQLite and memory; the PostgreSQL group says on stderr
//! that it is skipped), `benches/pg.sh cargo bench --bench allocator -- postgres` (PostgreSQL on
//! a throwaway server with default durability). The PostgreSQL database is emptied before each
//! benchmark (`DROP SCHEMA public CASCADE`), so point it only at a database made for this.

use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use terraform_provider_ipam::ipam::allocator::{self, MemFreeSpace};
use terraform_provider_ipam::ipam::cidr::{Cidr, Family};
use terraform_provider_ipam::ipam::model::{Pool, Tags};
use terraform_provider_ipam::ipam::ops;
use terraform_provider_ipam::store::Store;

mod common;
use common::{V6, file_pool, file_pool_of, postgres_pool, postgres_url, request, request_of};

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

/// A database for the persisted benchmarks, and what must live as long as it.
struct Db {
    store: Store,
    pool: Pool,
    _dir: Option<tempfile::TempDir>,
}

/// The time of `iters` allocations, each in its own write transaction, timed from begin to
/// durable commit. Each one is released again in a second, untimed transaction, so the pool
/// holds as many allocations throughout, however many iterations the measurement takes.
fn one_per_transaction(store: &Store, pool: &Pool, req: &ops::AllocationRequest, iters: u64) -> Duration {
    let mut timed = Duration::ZERO;
    for _ in 0..iters {
        let start = Instant::now();
        let a = store.write(|tx| ops::allocate(tx, pool, req, &ops::now())).unwrap();
        timed += start.elapsed();
        store.write(|tx| ops::release(tx, &a, &ops::now())).unwrap();
    }
    timed
}

/// The persisted benchmarks, on databases `open(n)` makes with `n` existing allocations. Each
/// database is made only when its benchmark runs (so a filter skips the fill too), and dropped
/// before the next one is made.
fn persisted(g: &mut BenchmarkGroup<'_, WallTime>, open: &dyn Fn(usize) -> Db) {
    let tags = Tags::new();

    // The fixed cost of a write transaction: begin, the write lock, commit (nothing to flush).
    let mut db = None;
    g.throughput(Throughput::Elements(1));
    g.bench_function("empty write transaction", |b| {
        let Db { store, .. } = db.get_or_insert_with(|| open(0));
        b.iter(|| store.write(|_| Ok(())).unwrap())
    });
    drop(db);

    // One allocation per write transaction (see `one_per_transaction`).
    for n in SIZES {
        let mut db = None;
        g.bench_with_input(BenchmarkId::new("allocate /28, one transaction", n), &n, |b, &n| {
            let Db { store, pool, .. } = db.get_or_insert_with(|| open(n));
            b.iter_custom(|iters| one_per_transaction(store, pool, &request(&tags), iters))
        });
    }

    // The same at 10,000 with every free-space search a statement (PostgreSQL always searches
    // so; SQLite does when the copy in memory is switched off).
    let n = 10_000;
    let mut db = None;
    g.bench_with_input(
        BenchmarkId::new("allocate /28, one transaction, searches in SQL", n),
        &n,
        |b, &n| {
            let Db { store, pool, .. } = db.get_or_insert_with(|| {
                let db = open(n);
                db.store.keep_free_space_in_memory(false);
                db
            });
            b.iter_custom(|iters| one_per_transaction(store, pool, &request(&tags), iters))
        },
    );
    drop(db);

    // 100 allocations in one transaction: the statements without the per-commit cost.
    let n = 10_000;
    let mut db = None;
    g.throughput(Throughput::Elements(100));
    g.bench_with_input(
        BenchmarkId::new("allocate /28 x100, one transaction", n),
        &n,
        |b, &n| {
            let Db { store, pool, .. } = db.get_or_insert_with(|| open(n));
            b.iter_custom(|iters| {
                let mut timed = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    let held = store
                        .write(|tx| {
                            (0..100)
                                .map(|_| ops::allocate(tx, pool, &request(&tags), &ops::now()))
                                .collect::<Result<Vec<_>, _>>()
                        })
                        .unwrap();
                    timed += start.elapsed();
                    store
                        .write(|tx| held.iter().try_for_each(|a| ops::release(tx, a, &ops::now())))
                        .unwrap();
                }
                timed
            })
        },
    );
}

fn on_file(cr: &mut Criterion) {
    let mut g = cr.benchmark_group("sqlite-file");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_millis(500));
    persisted(&mut g, &|n| {
        let dir = tempfile::tempdir().unwrap();
        let (store, pool) = file_pool(dir.path(), n);
        Db {
            store,
            pool,
            _dir: Some(dir),
        }
    });
    // IPv6: /64s from a /32, as the IPv4 case at 10,000 (the store keeps every address in 16 bytes).
    let n = 10_000;
    let mut db = None;
    let tags = Tags::new();
    g.throughput(Throughput::Elements(1));
    g.bench_with_input(
        BenchmarkId::new("allocate IPv6 /64 from a /32, one transaction", n),
        &n,
        |b, &n| {
            let (_, store, pool) = db.get_or_insert_with(|| {
                let dir = tempfile::tempdir().unwrap();
                let (store, pool) = file_pool_of(dir.path(), V6, n);
                (dir, store, pool)
            });
            b.iter_custom(|iters| one_per_transaction(store, pool, &request_of(&tags, V6.netmask), iters))
        },
    );
    drop(db);
    g.finish();
}

/// The same on PostgreSQL: a fresh, empty database for each benchmark.
fn on_postgres(cr: &mut Criterion) {
    let Some(url) = postgres_url() else {
        eprintln!(
            "postgres: skipped (IPAM_BENCH_POSTGRES is not set; `benches/pg.sh cargo bench --bench allocator -- postgres` starts a server)"
        );
        return;
    };
    let mut g = cr.benchmark_group("postgres");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(8))
        .warm_up_time(Duration::from_secs(1));
    persisted(&mut g, &|n| {
        let (store, pool) = postgres_pool(&url, n);
        Db {
            store,
            pool,
            _dir: None,
        }
    });
    g.finish();
}

criterion_group!(benches, in_memory, on_file, on_postgres);
criterion_main!(benches);
