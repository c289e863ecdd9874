//! Queries on address history.

use super::Tx;
use super::sql::{Row, args};
use crate::ipam::Result;
use crate::ipam::cidr::Cidr;
use crate::ipam::model::HistoryRecord;

pub(super) fn record(r: &Row) -> Result<HistoryRecord> {
    Ok(HistoryRecord {
        ipam_id: r.get(0)?,
        scope_id: r.get(1)?,
        pool_id: r.get(2)?,
        cidr: r.get(3)?,
        resource_type: r.parse(4, "history.resource_type")?,
        resource_id: r.get(5)?,
        resource_owner: r.get(6)?,
        resource_region: r.get(7)?,
        compliance_status: r.parse_opt(8, "history.compliance_status")?,
        start_time: r.get(9)?,
        end_time: r.get(10)?,
    })
}

impl Tx<'_> {
    /// The history of exactly `cidr` in a scope (every scope when `None`), oldest first, limited to
    /// records that overlap the window [`since`, `until`] (RFC 3339 text compares in time order).
    pub fn history(
        &self,
        scope_id: Option<&str>,
        cidr: &Cidr,
        since: Option<&str>,
        until: Option<&str>,
    ) -> Result<Vec<HistoryRecord>> {
        let family = super::pools::family_code(cidr.family);
        self.rows(
            "SELECT ipam_id, scope_id, pool_id, cidr, resource_type, resource_id, resource_owner, resource_region, \
             compliance_status, start_time, end_time FROM history \
             WHERE (CAST(?1 AS TEXT) IS NULL OR scope_id = ?1) AND family = ?2 AND start = ?3 AND prefix = ?4 \
             AND (CAST(?5 AS TEXT) IS NULL OR end_time IS NULL OR end_time >= ?5) \
             AND (CAST(?6 AS TEXT) IS NULL OR start_time <= ?6) \
             ORDER BY start_time, id",
            args![scope_id, family, cidr.start_bytes(), cidr.prefix, since, until],
            record,
        )
    }
}

impl Tx<'_> {
    /// Every history record, oldest first.
    pub fn all_history(&self) -> Result<Vec<HistoryRecord>> {
        self.rows(
            "SELECT ipam_id, scope_id, pool_id, cidr, resource_type, resource_id, resource_owner, resource_region, \
             compliance_status, start_time, end_time FROM history ORDER BY start_time, id",
            args![],
            record,
        )
    }
}
