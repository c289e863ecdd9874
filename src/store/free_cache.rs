//! The free blocks of pools, kept in memory by a SQLite store between its write transactions, so
//! that the allocator's searches (first fit, the block below an address, buddy checks) are
//! lookups in memory instead of statements. The `free_blocks` table stays the truth: every change
//! is written to it and to the copy in the same transaction. Beside them, the provisioned CIDRs
//! of pools and the types of scopes, which every allocation reads.
//!
//! A copy is trusted only while no one else could have changed the table:
//!
//! * each write transaction starts by reading `PRAGMA data_version` under the write lock; when
//!   another connection (another provider process, another store in this process) committed
//!   since, every copy is dropped;
//! * a transaction that rolls back (a refused step, a failed commit, a panic) drops every copy;
//! * a writer that changes what is copied other than through the allocator (provisioning or
//!   deprovisioning a CIDR, deleting free blocks, deleting a pool, an IPAM or a scope and the rows
//!   that cascade from them, a copy between databases) drops every copy at once: it calls
//!   `Tx::invalidate_free_space` itself (the tests in `free_space` check each one).
//!
//! Read transactions and PostgreSQL do not use it: there other connections commit at any time.

use std::collections::HashMap;

use crate::ipam::allocator::MemFreeSpace;
use crate::ipam::cidr::Cidr;
use crate::ipam::model::ScopeType;

/// Pools with more free blocks than this are searched in SQL rather than copied to memory
/// (bounds the memory a heavily fragmented pool can take).
pub const MAX_CACHED_BLOCKS: usize = 200_000;

/// The copies, and the database version they belong to.
pub struct FreeCache {
    /// Off: every search is a statement.
    pub enabled: bool,
    data_version: Option<i64>,
    /// `None`: the pool has too many free blocks to copy.
    pools: HashMap<String, Option<MemFreeSpace>>,
    /// The provisioned CIDRs of pools, in address order.
    pub roots: HashMap<String, Vec<Cidr>>,
    /// The types of scopes (which never change).
    pub scope_types: HashMap<String, ScopeType>,
}

impl Default for FreeCache {
    fn default() -> Self {
        FreeCache {
            enabled: true,
            data_version: None,
            pools: HashMap::new(),
            roots: HashMap::new(),
            scope_types: HashMap::new(),
        }
    }
}

impl FreeCache {
    /// Called in each write transaction, under the write lock, with SQLite's `data_version`.
    pub fn begin(&mut self, data_version: i64) {
        if self.data_version != Some(data_version) {
            self.clear();
            self.data_version = Some(data_version);
        }
    }

    /// Forgets every copy.
    pub fn clear(&mut self) {
        self.pools.clear();
        self.roots.clear();
        self.scope_types.clear();
    }

    /// The copy of a pool's free blocks: `Some(None)` when the pool is too large to copy, `None`
    /// when there is no copy yet.
    pub fn get_mut(&mut self, pool_id: &str) -> Option<&mut Option<MemFreeSpace>> {
        self.pools.get_mut(pool_id)
    }

    /// Keeps a pool's copy (`None`: too large, search in SQL).
    pub fn put(&mut self, pool_id: &str, blocks: Option<MemFreeSpace>) {
        self.pools.insert(pool_id.to_string(), blocks);
    }
}
