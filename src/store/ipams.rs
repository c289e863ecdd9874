//! Queries on IPAMs and scopes.

use super::sql::{Row, args};
use super::{Tx, tags_from_json, tags_to_json};
use crate::ipam::Result;
use crate::ipam::model::{Ipam, Scope, ScopeType};

const IPAM_COLS: &str = "id, owner_id, home_region, description, operating_regions, public_default_scope_id, \
                         private_default_scope_id, tags, state, cascade, tags_all, enable_private_gua, tier, \
                         metered_account";
const SCOPE_COLS: &str = "id, ipam_id, owner_id, scope_type, is_default, description, tags, state, tags_all";

fn ipam_row(r: &Row) -> Result<Ipam> {
    let regions: String = r.get(4)?;
    let tags: String = r.get(7)?;
    Ok(Ipam {
        id: r.get(0)?,
        owner_id: r.get(1)?,
        home_region: r.get(2)?,
        description: r.get(3)?,
        operating_regions: serde_json::from_str(&regions).unwrap_or_default(),
        public_default_scope_id: r.get(5)?,
        private_default_scope_id: r.get(6)?,
        tags: tags_from_json(&tags),
        tags_all: tags_from_json(&r.get::<String>(10)?),
        state: r.parse(8, "ipams.state")?,
        cascade: r.get(9)?,
        enable_private_gua: r.get(11)?,
        tier: r.parse_opt(12, "ipams.tier")?,
        metered_account: r.parse(13, "ipams.metered_account")?,
    })
}

fn scope_row(r: &Row) -> Result<Scope> {
    let tags: String = r.get(6)?;
    Ok(Scope {
        id: r.get(0)?,
        ipam_id: r.get(1)?,
        owner_id: r.get(2)?,
        scope_type: r.parse(3, "scopes.scope_type")?,
        is_default: r.get(4)?,
        description: r.get(5)?,
        tags: tags_from_json(&tags),
        tags_all: tags_from_json(&r.get::<String>(8)?),
        state: r.parse(7, "scopes.state")?,
    })
}

impl Tx<'_> {
    /// The IPAM with this ID.
    pub fn ipam(&self, id: &str) -> Result<Option<Ipam>> {
        self.opt(
            &format!("SELECT {IPAM_COLS} FROM ipams WHERE id = ?1"),
            args![id],
            ipam_row,
        )
    }

    /// Every IPAM, by ID.
    pub fn ipams(&self) -> Result<Vec<Ipam>> {
        self.rows(&format!("SELECT {IPAM_COLS} FROM ipams ORDER BY id"), args![], ipam_row)
    }

    /// How many IPAMs an account has in a region.
    pub fn count_ipams_in_region(&self, owner: &str, region: &str) -> Result<i64> {
        self.scalar(
            "SELECT count(*) FROM ipams WHERE owner_id = ?1 AND home_region = ?2",
            args![owner, region],
        )
    }

    /// Inserts an IPAM (its default scopes are inserted separately).
    pub fn insert_ipam(&self, i: &Ipam) -> Result<()> {
        self.write_sql(
            &format!(
                "INSERT INTO ipams ({IPAM_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
            ),
            args![
                i.id,
                i.owner_id,
                i.home_region,
                i.description,
                serde_json::to_string(&i.operating_regions).unwrap_or_default(),
                i.public_default_scope_id,
                i.private_default_scope_id,
                tags_to_json(&i.tags),
                i.state,
                i.cascade,
                tags_to_json(&i.tags_all),
                i.enable_private_gua,
                i.tier,
                i.metered_account
            ],
        )
    }

    /// Updates the mutable fields of an IPAM.
    pub fn update_ipam(&self, i: &Ipam) -> Result<()> {
        self.write_sql(
            "UPDATE ipams SET description = ?2, operating_regions = ?3, tags = ?4, state = ?5, cascade = ?6, tags_all = ?7, \
             enable_private_gua = ?8, tier = ?9, metered_account = ?10 WHERE id = ?1",
            args![
                i.id,
                i.description,
                serde_json::to_string(&i.operating_regions).unwrap_or_default(),
                tags_to_json(&i.tags),
                i.state,
                i.cascade,
                tags_to_json(&i.tags_all),
                i.enable_private_gua,
                i.tier,
                i.metered_account
            ],
        )
    }

    /// Deletes an IPAM and, through the foreign keys, everything in it.
    pub fn delete_ipam(&self, id: &str) -> Result<()> {
        self.invalidate_free_space();
        // Pools refer to their parents; clear those links first so the cascade can run in any order.
        self.write_sql("UPDATE pools SET source_pool_id = NULL WHERE ipam_id = ?1", args![id])?;
        self.write_sql("DELETE FROM ipams WHERE id = ?1", args![id])
    }

    /// The scope with this ID.
    pub fn scope(&self, id: &str) -> Result<Option<Scope>> {
        self.opt(
            &format!("SELECT {SCOPE_COLS} FROM scopes WHERE id = ?1"),
            args![id],
            scope_row,
        )
    }

    /// The type of a scope; in a SQLite write transaction from memory once read (it never
    /// changes).
    pub fn scope_type(&self, id: &str) -> Result<Option<ScopeType>> {
        if let Some(cache) = self.free_cache()
            && let Some(t) = cache.scope_types.get(id)
        {
            return Ok(Some(*t));
        }
        let found = self.scope(id)?.map(|s| s.scope_type);
        if let (Some(t), Some(mut cache)) = (found, self.free_cache()) {
            cache.scope_types.insert(id.to_string(), t);
        }
        Ok(found)
    }

    /// The scopes of an IPAM, defaults first.
    pub fn scopes_of(&self, ipam_id: &str) -> Result<Vec<Scope>> {
        self.rows(
            &format!("SELECT {SCOPE_COLS} FROM scopes WHERE ipam_id = ?1 ORDER BY is_default DESC, id"),
            args![ipam_id],
            scope_row,
        )
    }

    /// Every scope.
    pub fn all_scopes(&self) -> Result<Vec<Scope>> {
        self.rows(
            &format!("SELECT {SCOPE_COLS} FROM scopes ORDER BY ipam_id, id"),
            args![],
            scope_row,
        )
    }

    /// How many scopes an IPAM has.
    pub fn count_scopes(&self, ipam_id: &str) -> Result<i64> {
        self.scalar("SELECT count(*) FROM scopes WHERE ipam_id = ?1", args![ipam_id])
    }

    /// How many pools a scope has.
    pub fn count_pools_in_scope(&self, scope_id: &str) -> Result<i64> {
        self.scalar("SELECT count(*) FROM pools WHERE scope_id = ?1", args![scope_id])
    }

    /// Inserts a scope.
    pub fn insert_scope(&self, s: &Scope) -> Result<()> {
        self.write_sql(
            &format!("INSERT INTO scopes ({SCOPE_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
            args![
                s.id,
                s.ipam_id,
                s.owner_id,
                s.scope_type.as_str(),
                s.is_default,
                s.description,
                tags_to_json(&s.tags),
                s.state,
                tags_to_json(&s.tags_all)
            ],
        )
    }

    /// Updates the mutable fields of a scope.
    pub fn update_scope(&self, s: &Scope) -> Result<()> {
        self.write_sql(
            "UPDATE scopes SET description = ?2, tags = ?3, state = ?4, tags_all = ?5 WHERE id = ?1",
            args![
                s.id,
                s.description,
                tags_to_json(&s.tags),
                s.state,
                tags_to_json(&s.tags_all)
            ],
        )
    }

    /// Deletes a scope.
    pub fn delete_scope(&self, id: &str) -> Result<()> {
        self.invalidate_free_space();
        self.write_sql("DELETE FROM scopes WHERE id = ?1", args![id])
    }
}

impl Tx<'_> {
    /// The permissions of every active share that names `resource_arn` and `principal`.
    pub fn share_permissions_for(&self, resource_arn: &str, principal: &str) -> Result<Vec<String>> {
        let rows = self.rows(
            "SELECT permission_arns, resource_arns, principals FROM shares WHERE status = 'ACTIVE'",
            args![],
            |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?, r.get::<String>(2)?)),
        )?;
        let mut out = Vec::new();
        for (perms, resources, principals) in rows {
            let list = |s: &str| serde_json::from_str::<Vec<String>>(s).unwrap_or_default();
            if list(&resources).iter().any(|r| r == resource_arn) && list(&principals).iter().any(|p| p == principal) {
                out.extend(list(&perms));
            }
        }
        Ok(out)
    }
}
