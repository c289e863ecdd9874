//! How long a writer waits for another process's write transaction: `IPAM_BUSY_TIMEOUT_MS`, or
//! 30 seconds.

use std::time::Duration;

use crate::ipam::{Error, Result};

/// How long a writer waits for another process's transaction before giving up, unless
/// `IPAM_BUSY_TIMEOUT_MS` says otherwise.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The environment variable that sets the busy timeout, in milliseconds.
pub const BUSY_TIMEOUT_VAR: &str = "IPAM_BUSY_TIMEOUT_MS";
/// The longest busy timeout accepted: one hour.
pub const MAX_BUSY_TIMEOUT_MS: u64 = 3_600_000;

/// The busy timeout `IPAM_BUSY_TIMEOUT_MS` sets (the default when unset or empty), or an error
/// naming the variable and the accepted range when its value is not a whole number of
/// milliseconds from 1 to one hour (0 would mean "wait forever" on PostgreSQL).
pub fn busy_timeout_setting() -> Result<Duration> {
    let Some(v) = std::env::var_os(BUSY_TIMEOUT_VAR).filter(|v| !v.is_empty()) else {
        return Ok(BUSY_TIMEOUT);
    };
    let text = v.to_string_lossy();
    match text.trim().parse::<u64>() {
        Ok(ms) if (1..=MAX_BUSY_TIMEOUT_MS).contains(&ms) => Ok(Duration::from_millis(ms)),
        _ => Err(Error::invalid(
            "Invalid environment setting",
            format!(
                "{BUSY_TIMEOUT_VAR} is {text:?}; it must be a whole number of milliseconds from 1 to {MAX_BUSY_TIMEOUT_MS} (one hour), e.g. 30000 (the default, used when it is unset). Fix or unset it."
            ),
        )),
    }
}

/// The busy timeout in force (the default when the setting is invalid: `Store::open` refuses
/// such a setting before any transaction waits).
pub fn busy_timeout() -> Duration {
    busy_timeout_setting().unwrap_or(BUSY_TIMEOUT)
}
