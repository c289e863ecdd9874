//! Queries on resource shares.

use rusqlite::{OptionalExtension, Row, params};

use super::{Tx, tags_from_json, tags_to_json};
use crate::ipam::Result;
use crate::ipam::model::Share;

const COLS: &str =
    "arn, name, owner_id, region, allow_external_principals, permission_arns, resource_arns, principals, tags, status";

fn list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

fn json(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn share_row(r: &Row) -> rusqlite::Result<Share> {
    Ok(Share {
        arn: r.get(0)?,
        name: r.get(1)?,
        owner_id: r.get(2)?,
        region: r.get(3)?,
        allow_external_principals: r.get(4)?,
        permission_arns: list(&r.get::<_, String>(5)?),
        resource_arns: list(&r.get::<_, String>(6)?),
        principals: list(&r.get::<_, String>(7)?),
        tags: tags_from_json(&r.get::<_, String>(8)?),
        status: r.get(9)?,
    })
}

impl Tx<'_> {
    /// The share with this ARN.
    pub fn share(&self, arn: &str) -> Result<Option<Share>> {
        self.row(&format!("SELECT {COLS} FROM shares WHERE arn = ?1"), [arn], share_row)
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Every share, by ARN.
    pub fn all_shares(&self) -> Result<Vec<Share>> {
        let mut st = self
            .prepare_cached(&format!("SELECT {COLS} FROM shares ORDER BY arn"))
            .map_err(|e| self.err(e))?;
        let rows = st.query_map([], share_row).map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>().map_err(|e| self.err(e))
    }

    /// Inserts or replaces a share.
    pub fn put_share(&self, s: &Share) -> Result<()> {
        self.write_sql(
            &format!("INSERT OR REPLACE INTO shares ({COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)"),
            params![
                s.arn,
                s.name,
                s.owner_id,
                s.region,
                s.allow_external_principals,
                json(&s.permission_arns),
                json(&s.resource_arns),
                json(&s.principals),
                tags_to_json(&s.tags),
                s.status
            ],
        )
    }

    /// Deletes a share.
    pub fn delete_share(&self, arn: &str) -> Result<()> {
        self.write_sql("DELETE FROM shares WHERE arn = ?1", [arn])
    }
}
