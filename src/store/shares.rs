//! Queries on resource shares.

use super::sql::{Row, args};
use super::{Tx, tags_from_json, tags_to_json};
use crate::ipam::Result;
use crate::ipam::model::Share;

const COLS: &str = "arn, name, owner_id, region, allow_external_principals, permission_arns, resource_arns, principals, tags, status, tags_all";

fn list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

fn json(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn share_row(r: &Row) -> Result<Share> {
    Ok(Share {
        arn: r.get(0)?,
        name: r.get(1)?,
        owner_id: r.get(2)?,
        region: r.get(3)?,
        allow_external_principals: r.get(4)?,
        permission_arns: list(&r.get::<String>(5)?),
        resource_arns: list(&r.get::<String>(6)?),
        principals: list(&r.get::<String>(7)?),
        tags: tags_from_json(&r.get::<String>(8)?),
        tags_all: tags_from_json(&r.get::<String>(10)?),
        status: r.parse(9, "shares.status")?,
    })
}

impl Tx<'_> {
    /// The share with this ARN.
    pub fn share(&self, arn: &str) -> Result<Option<Share>> {
        self.opt(
            &format!("SELECT {COLS} FROM shares WHERE arn = ?1"),
            args![arn],
            share_row,
        )
    }

    /// Every share, by ARN.
    pub fn all_shares(&self) -> Result<Vec<Share>> {
        self.rows(&format!("SELECT {COLS} FROM shares ORDER BY arn"), args![], share_row)
    }

    /// Inserts or replaces a share.
    pub fn put_share(&self, s: &Share) -> Result<()> {
        self.write_sql(
            &format!(
                "INSERT INTO shares ({COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11) ON CONFLICT (arn) DO UPDATE SET \
                 name = excluded.name, owner_id = excluded.owner_id, region = excluded.region, \
                 allow_external_principals = excluded.allow_external_principals, permission_arns = excluded.permission_arns, \
                 resource_arns = excluded.resource_arns, principals = excluded.principals, tags = excluded.tags, \
                 status = excluded.status, tags_all = excluded.tags_all"
            ),
            args![
                s.arn,
                s.name,
                s.owner_id,
                s.region,
                s.allow_external_principals,
                json(&s.permission_arns),
                json(&s.resource_arns),
                json(&s.principals),
                tags_to_json(&s.tags),
                s.status,
                tags_to_json(&s.tags_all)
            ],
        )
    }

    /// Deletes a share.
    pub fn delete_share(&self, arn: &str) -> Result<()> {
        self.write_sql("DELETE FROM shares WHERE arn = ?1", args![arn])
    }
}
