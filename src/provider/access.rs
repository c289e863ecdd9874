//! Who may use a pool: its owner, or a principal of a resource share that names the pool with the
//! default permission; the BYOIP-import permission only shows the pool.

use crate::ipam::model::Pool;
use crate::ipam::{Error, ErrorKind, Result, ids};
use crate::store::Tx;

pub use crate::ipam::share_rules::{BYOIP_IMPORT_PERMISSION, DEFAULT_PERMISSION};

/// Refuses an allocation by `account` from a pool it neither owns nor has been shared.
pub fn check_can_allocate(tx: &Tx, pool: &Pool, account: &str) -> Result<()> {
    if pool.owner_id == account {
        return Ok(());
    }
    let arn = ids::ec2_arn(&pool.owner_id, "ipam-pool", &pool.id);
    let perms = tx.share_permissions_for(&arn, account)?;
    if perms.iter().any(|p| p == DEFAULT_PERMISSION) {
        return Ok(());
    }
    let detail = if perms.is_empty() {
        format!(
            "Pool {} belongs to account {}, and no resource share grants it to account {account} (R-37, R-84). \
             The owner must share the pool with an `ipam_resource_share` naming {account} as a principal.",
            pool.id, pool.owner_id
        )
    } else {
        format!(
            "Pool {} is shared with account {account} only with the BYOIP import permission, which lets it see the pool but not allocate (R-82, R-83). \
             The owner must share it with `AWSRAMDefaultPermissionsIpamPool`.",
            pool.id
        )
    };
    Err(Error::new(ErrorKind::Forbidden, "Pool is not shared with this account", detail).at("ipam_pool_id"))
}
