//! Fills a database with one pool holding N allocations, for `benches/scale.sh`.
//! `SCALE_DB=path SCALE_N=100000 cargo bench --bench scale` (prints the pool ID).

use std::time::Instant;

mod common;

fn main() {
    // cargo bench passes `--bench`; only the environment matters here.
    let path = std::env::var("SCALE_DB").unwrap_or_else(|_| "scale.db".into());
    let n: usize = std::env::var("SCALE_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let _ = std::fs::remove_file(&path);
    let t = Instant::now();
    let (_store, pool) = common::file_pool_at(std::path::Path::new(&path), n);
    eprintln!("filled {path} with {n} allocations in {:.1?}", t.elapsed());
    println!("{}", pool.id);
}
