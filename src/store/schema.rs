//! The database schema and its migrations, one list for both engines. SQLite keeps the version
//! in `PRAGMA user_version`, PostgreSQL in the `ipam_schema` table, so an up-to-date database is
//! recognised with one read. PostgreSQL gets the same tables with its names for the same types
//! (see [`postgres_sql`]).

use rusqlite::Transaction;

use crate::ipam::{Error, ErrorKind};

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = 7;

/// Each migration brings the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the whole IPAM model. CIDRs are kept as family (4/6), start address as 16 big-endian
    // bytes and prefix length, so overlap and first-fit searches are index range scans.
    r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

    CREATE TABLE ipams (
        id TEXT PRIMARY KEY,
        owner_id TEXT NOT NULL,
        home_region TEXT NOT NULL,
        description TEXT,
        operating_regions TEXT NOT NULL,
        public_default_scope_id TEXT NOT NULL,
        private_default_scope_id TEXT NOT NULL,
        tags TEXT NOT NULL DEFAULT '{}',
        cascade INTEGER,
        state TEXT NOT NULL
    );
    CREATE INDEX ipams_owner_region ON ipams(owner_id, home_region);

    CREATE TABLE scopes (
        id TEXT PRIMARY KEY,
        ipam_id TEXT NOT NULL REFERENCES ipams(id) ON DELETE CASCADE,
        owner_id TEXT NOT NULL,
        scope_type TEXT NOT NULL CHECK (scope_type IN ('public', 'private')),
        is_default INTEGER NOT NULL,
        description TEXT,
        tags TEXT NOT NULL DEFAULT '{}',
        state TEXT NOT NULL
    );
    CREATE INDEX scopes_ipam ON scopes(ipam_id);

    CREATE TABLE pools (
        id TEXT PRIMARY KEY,
        scope_id TEXT NOT NULL REFERENCES scopes(id) ON DELETE CASCADE,
        ipam_id TEXT NOT NULL REFERENCES ipams(id) ON DELETE CASCADE,
        owner_id TEXT NOT NULL,
        address_family TEXT NOT NULL CHECK (address_family IN ('ipv4', 'ipv6')),
        locale TEXT NOT NULL,
        source_pool_id TEXT REFERENCES pools(id),
        depth INTEGER NOT NULL,
        description TEXT,
        auto_import INTEGER,
        min_netmask INTEGER,
        max_netmask INTEGER,
        default_netmask INTEGER,
        allocation_resource_tags TEXT NOT NULL DEFAULT '{}',
        aws_service TEXT,
        public_ip_source TEXT,
        publicly_advertisable INTEGER,
        tags TEXT NOT NULL DEFAULT '{}',
        cascade INTEGER,
        state TEXT NOT NULL
    );
    CREATE INDEX pools_scope ON pools(scope_id);
    CREATE INDEX pools_source ON pools(source_pool_id);

    CREATE TABLE pool_cidrs (
        id TEXT PRIMARY KEY,
        pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
        scope_id TEXT NOT NULL,
        top_level INTEGER NOT NULL,
        family INTEGER NOT NULL,
        start BLOB NOT NULL,
        prefix INTEGER NOT NULL,
        cidr TEXT NOT NULL,
        netmask_length INTEGER,
        auth_message TEXT,
        auth_signature TEXT,
        state TEXT NOT NULL
    );
    CREATE UNIQUE INDEX pool_cidrs_pool_start ON pool_cidrs(pool_id, family, start);
    CREATE INDEX pool_cidrs_scope_top ON pool_cidrs(scope_id, top_level, family, start);

    CREATE TABLE allocations (
        id TEXT PRIMARY KEY,
        pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
        family INTEGER NOT NULL,
        start BLOB NOT NULL,
        prefix INTEGER NOT NULL,
        cidr TEXT NOT NULL,
        netmask_length INTEGER,
        resource_type TEXT NOT NULL,
        resource_id TEXT,
        resource_owner TEXT NOT NULL,
        resource_region TEXT,
        description TEXT,
        disallowed_cidrs TEXT NOT NULL DEFAULT '[]',
        tags TEXT NOT NULL DEFAULT '{}',
        compliance_status TEXT NOT NULL
    );
    CREATE UNIQUE INDEX allocations_pool_start ON allocations(pool_id, family, start);

    CREATE TABLE free_blocks (
        pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
        family INTEGER NOT NULL,
        start BLOB NOT NULL,
        prefix INTEGER NOT NULL,
        PRIMARY KEY (pool_id, family, start)
    ) WITHOUT ROWID;
    CREATE INDEX free_blocks_prefix ON free_blocks(pool_id, family, prefix, start);

    CREATE TABLE history (
        id INTEGER PRIMARY KEY,
        ipam_id TEXT NOT NULL REFERENCES ipams(id) ON DELETE CASCADE,
        scope_id TEXT NOT NULL,
        pool_id TEXT,
        family INTEGER NOT NULL,
        start BLOB NOT NULL,
        prefix INTEGER NOT NULL,
        cidr TEXT NOT NULL,
        resource_type TEXT NOT NULL,
        resource_id TEXT,
        resource_owner TEXT NOT NULL,
        resource_region TEXT,
        compliance_status TEXT,
        start_time TEXT NOT NULL,
        end_time TEXT
    );
    CREATE INDEX history_cidr ON history(scope_id, family, start, prefix);

    CREATE TABLE shares (
        arn TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        owner_id TEXT NOT NULL,
        region TEXT NOT NULL,
        allow_external_principals INTEGER,
        permission_arns TEXT NOT NULL,
        resource_arns TEXT NOT NULL,
        principals TEXT NOT NULL,
        tags TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL
    );
    "#,
    // 2: the open history record of a CIDR (`end_time IS NULL`) is found by one index seek
    // instead of reading every record of the CIDR, however often it was handed out and released
    // before; lookups by address use the same index.
    r#"
    DROP INDEX history_cidr;
    CREATE INDEX history_cidr ON history(scope_id, family, start, prefix, end_time);
    "#,
    // 3: free blocks in one B-tree ordered by prefix length, then start. Every change to the
    // free space writes one tree instead of two (a table by start and an index by prefix), and
    // each search stays bounded by the number of prefix lengths (33 or 129), not the blocks.
    r#"
    CREATE TABLE free_blocks_v3 (
        pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
        family INTEGER NOT NULL,
        start BLOB NOT NULL,
        prefix INTEGER NOT NULL,
        PRIMARY KEY (pool_id, family, prefix, start)
    ) WITHOUT ROWID;
    INSERT INTO free_blocks_v3 (pool_id, family, start, prefix) SELECT pool_id, family, start, prefix FROM free_blocks;
    DROP TABLE free_blocks;
    ALTER TABLE free_blocks_v3 RENAME TO free_blocks;
    "#,
    // 4: every tagged object keeps its `tags_all` (its own tags over the provider's default
    // tags) as written at the last apply, so drift shows and tag rules see default tags. Older
    // rows start from their own tags; the next apply adds the default tags.
    r#"
    ALTER TABLE ipams ADD COLUMN tags_all TEXT NOT NULL DEFAULT '{}';
    UPDATE ipams SET tags_all = tags;
    ALTER TABLE scopes ADD COLUMN tags_all TEXT NOT NULL DEFAULT '{}';
    UPDATE scopes SET tags_all = tags;
    ALTER TABLE pools ADD COLUMN tags_all TEXT NOT NULL DEFAULT '{}';
    UPDATE pools SET tags_all = tags;
    ALTER TABLE allocations ADD COLUMN tags_all TEXT NOT NULL DEFAULT '{}';
    UPDATE allocations SET tags_all = tags;
    ALTER TABLE shares ADD COLUMN tags_all TEXT NOT NULL DEFAULT '{}';
    UPDATE shares SET tags_all = tags;
    "#,
    // 5: an IPAM's `enable_private_gua` as configured (NULL = not set, which means off): whether
    // its private scopes may hold global unicast IPv6 besides ULA. Older IPAMs keep NULL.
    r#"
    ALTER TABLE ipams ADD COLUMN enable_private_gua INTEGER;
    "#,
    // 6: whether a pool's `locale` was configured (`aws_vpc_ipam_pool` shows the configured
    // value, null when not set). Older pools count a stored `None`, the default, as not set.
    r#"
    ALTER TABLE pools ADD COLUMN locale_configured INTEGER NOT NULL DEFAULT 0;
    UPDATE pools SET locale_configured = 1 WHERE locale <> 'None';
    "#,
    // 7: an IPAM's `tier` as configured (NULL = not set, which means `advanced`) and its
    // `metered_account`. Older IPAMs keep NULL and the default, `ipam-owner`.
    r#"
    ALTER TABLE ipams ADD COLUMN tier TEXT CHECK (tier IN ('free', 'advanced'));
    ALTER TABLE ipams ADD COLUMN metered_account TEXT NOT NULL DEFAULT 'ipam-owner'
        CHECK (metered_account IN ('ipam-owner', 'resource-owner'));
    "#,
];

/// The refusal to touch a database written by a newer provider.
pub fn newer_error(location: &str, version: i64) -> Error {
    Error::new(
        ErrorKind::Storage,
        "Database is from a newer provider",
        format!(
            "{location} has schema version {version}, but this terraform-provider-ipam knows versions up to {SCHEMA_VERSION}. \
             Upgrade the provider; this version will not touch the database."
        ),
    )
}

/// Migration `i` (0-based) in PostgreSQL's words: 64-bit integers, `BYTEA` for blobs, identity
/// columns for SQLite's integer primary keys.
pub fn postgres_sql(i: usize) -> String {
    to_postgres_ddl(MIGRATIONS[i])
}

/// A piece of SQL text: a bare word (keyword or name), or anything else kept as written
/// (spaces, punctuation, a string literal, a quoted identifier, a comment).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    Word(&'a str),
    Space(&'a str),
    Other(&'a str),
}

/// Splits SQL into tokens; joined again they give back the text unchanged.
fn tokens(sql: &str) -> Vec<Token<'_>> {
    let b = sql.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let end = match b[i] {
            q @ (b'\'' | b'"') => {
                // To the closing quote; a doubled quote is part of the text.
                i += 1;
                loop {
                    match b.get(i) {
                        None => break b.len(),
                        Some(&c) if c == q && b.get(i + 1) == Some(&q) => i += 2,
                        Some(&c) if c == q => break i + 1,
                        Some(_) => i += 1,
                    }
                }
            }
            b'-' if b.get(i + 1) == Some(&b'-') => sql[i..].find('\n').map_or(b.len(), |n| i + n),
            b'/' if b.get(i + 1) == Some(&b'*') => sql[i + 2..].find("*/").map_or(b.len(), |n| i + 2 + n + 2),
            c if word(c) => i + b[i..].iter().take_while(|&&c| word(c)).count(),
            c if c.is_ascii_whitespace() => i + b[i..].iter().take_while(|c| c.is_ascii_whitespace()).count(),
            // One character (UTF-8 continuation bytes stay with it).
            _ => i + sql[i..].chars().next().map_or(1, char::len_utf8),
        };
        let text = &sql[start..end];
        out.push(match b[start] {
            c if word(c) => Token::Word(text),
            c if c.is_ascii_whitespace() => Token::Space(text),
            _ => Token::Other(text),
        });
        i = end;
    }
    out
}

/// SQLite DDL in PostgreSQL's words, translated word by word: a type name inside a longer
/// name, a string, a quoted identifier or a comment is left alone.
fn to_postgres_ddl(sql: &str) -> String {
    let toks = tokens(sql);
    // The index of the next word after token `k`, skipping spaces only.
    let next_word = |k: usize, want: &str| match toks
        .get(k + 1..)
        .and_then(|r| r.iter().position(|t| !matches!(t, Token::Space(_))))
    {
        Some(n) if matches!(toks[k + 1 + n], Token::Word(w) if w.eq_ignore_ascii_case(want)) => Some(k + 1 + n),
        _ => None,
    };
    let mut out = String::with_capacity(sql.len() + 64);
    let mut k = 0;
    while k < toks.len() {
        match toks[k] {
            Token::Word(w) if w.eq_ignore_ascii_case("INTEGER") => {
                let primary_key = next_word(k, "PRIMARY").and_then(|p| next_word(p, "KEY")).is_some();
                out.push_str(if primary_key {
                    "BIGINT GENERATED BY DEFAULT AS IDENTITY"
                } else {
                    "BIGINT"
                });
            }
            Token::Word(w) if w.eq_ignore_ascii_case("BLOB") => out.push_str("BYTEA"),
            Token::Word(w) if w.eq_ignore_ascii_case("WITHOUT") && next_word(k, "ROWID").is_some() => {
                // A SQLite table option PostgreSQL has no use for; the space before it stays.
                k = next_word(k, "ROWID").unwrap_or(k);
            }
            Token::Word(t) | Token::Space(t) | Token::Other(t) => out.push_str(t),
        }
        k += 1;
    }
    out
}

/// How many migrations there are.
pub fn migration_count() -> usize {
    MIGRATIONS.len()
}

/// Applies every migration after `from`, inside the caller's transaction.
pub fn migrate_sqlite(tx: &Transaction, from: i64) -> rusqlite::Result<()> {
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(from.max(0) as usize) {
        tx.execute_batch(sql)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    /// Type names are translated as whole words only: never inside a longer name, a string,
    /// a quoted identifier or a comment.
    #[test]
    fn postgres_ddl_translates_whole_words_only() {
        let sqlite = "CREATE TABLE t (id INTEGER PRIMARY KEY, n integer NOT NULL, b BLOB, integer_count INTEGER, \
                      note TEXT DEFAULT 'INTEGER or BLOB, it''s INTEGER', \"BLOB\" TEXT, blobby INTEGER\n  PRIMARY KEY) WITHOUT ROWID; \
                      -- INTEGER BLOB\n/* INTEGER */ SELECT 'é' || BLOB_x";
        assert_eq!(
            super::to_postgres_ddl(sqlite),
            "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, n BIGINT NOT NULL, b BYTEA, integer_count BIGINT, \
             note TEXT DEFAULT 'INTEGER or BLOB, it''s INTEGER', \"BLOB\" TEXT, blobby BIGINT GENERATED BY DEFAULT AS IDENTITY\n  PRIMARY KEY) ; \
             -- INTEGER BLOB\n/* INTEGER */ SELECT 'é' || BLOB_x"
        );
        let text = "a 'b''c' \"d\" -- e\n/* f */ g_1 é";
        let joined: String = super::tokens(text)
            .into_iter()
            .map(|t| match t {
                super::Token::Word(s) | super::Token::Space(s) | super::Token::Other(s) => s,
            })
            .collect();
        assert_eq!(joined, text, "tokens give back the text");
    }

    #[test]
    fn version_matches_migration_count() {
        assert_eq!(super::SCHEMA_VERSION as usize, super::MIGRATIONS.len());
    }

    /// A database written by schema version 1 is brought to the current version on opening,
    /// keeping its records: the open history record of a CIDR is then one index seek, and the
    /// free blocks live in one tree ordered by prefix length that the first-fit search seeks in.
    #[test]
    fn version_1_database_is_migrated_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("v1.db");
        {
            let c = rusqlite::Connection::open(&p).unwrap();
            c.execute_batch(super::MIGRATIONS[0]).unwrap();
            c.execute_batch(
                "INSERT INTO ipams (id, owner_id, home_region, operating_regions, public_default_scope_id, \
                 private_default_scope_id, state) VALUES ('ipam-1', '123456789012', 'us-east-1', '[]', 's1', 's2', 'x'); \
                 INSERT INTO history (ipam_id, scope_id, family, start, prefix, cidr, resource_type, resource_owner, start_time) \
                 VALUES ('ipam-1', 's1', 4, x'0000000000000000000000000a000000', 8, '10.0.0.0/8', 'pool', '123456789012', 't'); \
                 INSERT INTO scopes (id, ipam_id, owner_id, scope_type, is_default, state) \
                 VALUES ('s1', 'ipam-1', '123456789012', 'private', 1, 'x'); \
                 INSERT INTO pools (id, scope_id, ipam_id, owner_id, address_family, locale, depth, state) \
                 VALUES ('p1', 's1', 'ipam-1', '123456789012', 'ipv4', 'None', 1, 'x'); \
                 INSERT INTO free_blocks (pool_id, family, start, prefix) VALUES \
                 ('p1', 4, x'0000000000000000000000000a800000', 9), \
                 ('p1', 4, x'0000000000000000000000000a400000', 10), \
                 ('p1', 4, x'0000000000000000000000000a000010', 28); \
                 PRAGMA user_version = 1;",
            )
            .unwrap();
        }
        let store = crate::store::Store::open(&p).unwrap();
        let plan = |tx: &crate::store::Tx, sql: &str| -> crate::ipam::Result<String> {
            let rows = tx.query(&format!("EXPLAIN QUERY PLAN {sql}"), &[])?;
            let detail = rows
                .iter()
                .map(|r| r.get::<String>(3))
                .collect::<crate::ipam::Result<Vec<_>>>()?;
            Ok(detail.join("; "))
        };
        let (version, records, history_plan, free_plan, blocks) = store
            .read(|tx| {
                Ok((
                    tx.scalar::<i64>("PRAGMA user_version", &[])?,
                    tx.scalar::<i64>("SELECT count(*) FROM history", &[])?,
                    plan(
                        tx,
                        "UPDATE history SET end_time = 'now' WHERE scope_id = 's1' AND family = 4 \
                         AND start = x'00' AND prefix = 8 AND resource_id = 'r' AND end_time IS NULL",
                    )?,
                    plan(
                        tx,
                        "SELECT start FROM free_blocks WHERE pool_id = 'p1' AND family = 4 AND prefix = 10 \
                         ORDER BY start LIMIT 1",
                    )?,
                    tx.free_space("p1").all_blocks()?,
                ))
            })
            .unwrap();
        assert_eq!(version, super::SCHEMA_VERSION);
        assert_eq!(records, 1);
        assert!(
            history_plan.contains("history_cidr") && history_plan.contains("end_time=?"),
            "the open record must be found through the index: {history_plan}"
        );
        assert!(
            free_plan.contains("PRIMARY KEY (pool_id=? AND family=? AND prefix=?)")
                && !free_plan.contains("TEMP B-TREE"),
            "the lowest block of a prefix length must be one seek: {free_plan}"
        );
        let c = |s: &str| crate::ipam::cidr::Cidr::parse(s).unwrap();
        assert_eq!(blocks, vec![c("10.0.0.16/28"), c("10.64.0.0/10"), c("10.128.0.0/9")]);
    }

    /// A version-3 database keeps no `tags_all`: on opening, every tagged object's `tags_all`
    /// becomes its stored tags, and the store reads it back.
    #[test]
    fn version_3_tags_become_tags_all() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("v3.db");
        {
            let c = rusqlite::Connection::open(&p).unwrap();
            for sql in &super::MIGRATIONS[..3] {
                c.execute_batch(sql).unwrap();
            }
            c.execute_batch(
                r#"INSERT INTO ipams (id, owner_id, home_region, operating_regions, public_default_scope_id,
                 private_default_scope_id, tags, state) VALUES ('ipam-1', '123456789012', 'us-east-1', '[]', 's1', 's2', '{"a":"1"}', 'create-complete');
                 INSERT INTO scopes (id, ipam_id, owner_id, scope_type, is_default, tags, state)
                 VALUES ('s1', 'ipam-1', '123456789012', 'private', 0, '{"b":"2"}', 'create-complete');
                 INSERT INTO pools (id, scope_id, ipam_id, owner_id, address_family, locale, depth, tags, state)
                 VALUES ('p1', 's1', 'ipam-1', '123456789012', 'ipv4', 'None', 1, '{"c":"3"}', 'create-complete');
                 INSERT INTO allocations (id, pool_id, family, start, prefix, cidr, resource_type, resource_owner, tags, compliance_status)
                 VALUES ('a1', 'p1', 4, x'0000000000000000000000000a000000', 24, '10.0.0.0/24', 'custom', '123456789012', '{"d":"4"}', 'compliant');
                 INSERT INTO shares (arn, name, owner_id, region, permission_arns, resource_arns, principals, tags, status)
                 VALUES ('arn:s', 'n', '123456789012', 'us-east-1', '[]', '[]', '[]', '{"e":"5"}', 'ACTIVE');
                 PRAGMA user_version = 3;"#,
            )
            .unwrap();
        }
        let store = crate::store::Store::open(&p).unwrap();
        let (version, tags) = store
            .read(|tx| {
                let pair = |t: &crate::ipam::model::Tags, all: &crate::ipam::model::Tags| (t.clone(), all.clone());
                let i = tx.ipam("ipam-1")?.unwrap();
                let s = tx.scope("s1")?.unwrap();
                let p = tx.pool("p1")?.unwrap();
                let a = tx.allocation("a1")?.unwrap();
                let sh = tx.share("arn:s")?.unwrap();
                Ok((
                    tx.scalar::<i64>("PRAGMA user_version", &[])?,
                    vec![
                        pair(&i.tags, &i.tags_all),
                        pair(&s.tags, &s.tags_all),
                        pair(&p.tags, &p.tags_all),
                        pair(&a.tags, &a.tags_all),
                        pair(&sh.tags, &sh.tags_all),
                    ],
                ))
            })
            .unwrap();
        assert_eq!(version, super::SCHEMA_VERSION);
        for (i, (own, all)) in tags.iter().enumerate() {
            assert_eq!(own.len(), 1, "object {i} keeps its tags");
            assert_eq!(own, all, "object {i}: tags_all starts as the stored tags");
        }
    }

    /// A version-4 database has no `enable_private_gua`: on opening, its IPAMs keep every row and
    /// read back with the setting not configured (off), and the store then writes and reads it.
    #[test]
    fn version_4_ipams_get_enable_private_gua_unset() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("v4.db");
        {
            let c = rusqlite::Connection::open(&p).unwrap();
            for sql in &super::MIGRATIONS[..4] {
                c.execute_batch(sql).unwrap();
            }
            c.execute_batch(
                r#"INSERT INTO ipams (id, owner_id, home_region, description, operating_regions, public_default_scope_id,
                 private_default_scope_id, tags, tags_all, cascade, state) VALUES ('ipam-1', '123456789012', 'us-east-1', 'd',
                 '["us-east-1"]', 's1', 's2', '{"a":"1"}', '{"a":"1","b":"2"}', 1, 'modify-complete');
                 INSERT INTO scopes (id, ipam_id, owner_id, scope_type, is_default, state)
                 VALUES ('s2', 'ipam-1', '123456789012', 'private', 1, 'create-complete');
                 INSERT INTO pools (id, scope_id, ipam_id, owner_id, address_family, locale, depth, state)
                 VALUES ('p1', 's2', 'ipam-1', '123456789012', 'ipv4', 'None', 1, 'create-complete');
                 PRAGMA user_version = 4;"#,
            )
            .unwrap();
        }
        let store = crate::store::Store::open(&p).unwrap();
        let (version, before, pools) = store
            .read(|tx| {
                Ok((
                    tx.scalar::<i64>("PRAGMA user_version", &[])?,
                    tx.ipam("ipam-1")?.unwrap(),
                    tx.scalar::<i64>("SELECT count(*) FROM pools", &[])?,
                ))
            })
            .unwrap();
        assert_eq!(version, super::SCHEMA_VERSION);
        assert_eq!(pools, 1);
        assert_eq!(before.enable_private_gua, None);
        assert!(!before.private_gua());
        assert_eq!(
            (
                before.description.as_deref(),
                before.operating_regions.len(),
                before.cascade,
                before.tags_all.len()
            ),
            (Some("d"), 1, Some(true), 2),
            "the IPAM keeps its row"
        );
        let mut on = before.clone();
        on.enable_private_gua = Some(true);
        store.write(|tx| tx.update_ipam(&on)).unwrap();
        let after = store.read(|tx| tx.ipam("ipam-1")).unwrap().unwrap();
        assert_eq!(after, on);
        assert!(after.private_gua());
    }

    /// A version-5 database does not say whether a pool's locale was configured: on opening, a
    /// stored `None` (the default) counts as not set and a region as set; new pools keep what
    /// their create said.
    #[test]
    fn version_5_pools_count_locale_none_as_not_configured() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("v5.db");
        {
            let c = rusqlite::Connection::open(&p).unwrap();
            for sql in &super::MIGRATIONS[..5] {
                c.execute_batch(sql).unwrap();
            }
            c.execute_batch(
                r#"INSERT INTO ipams (id, owner_id, home_region, operating_regions, public_default_scope_id,
                 private_default_scope_id, state) VALUES ('ipam-1', '123456789012', 'us-east-1', '["us-east-1"]', 's1', 's2', 'create-complete');
                 INSERT INTO scopes (id, ipam_id, owner_id, scope_type, is_default, state)
                 VALUES ('s2', 'ipam-1', '123456789012', 'private', 1, 'create-complete');
                 INSERT INTO pools (id, scope_id, ipam_id, owner_id, address_family, locale, depth, description, state)
                 VALUES ('p1', 's2', 'ipam-1', '123456789012', 'ipv4', 'None', 1, 'd', 'create-complete'),
                        ('p2', 's2', 'ipam-1', '123456789012', 'ipv4', 'us-east-1', 1, NULL, 'create-complete');
                 PRAGMA user_version = 5;"#,
            )
            .unwrap();
        }
        let store = crate::store::Store::open(&p).unwrap();
        let (version, p1, p2) = store
            .read(|tx| {
                Ok((
                    tx.scalar::<i64>("PRAGMA user_version", &[])?,
                    tx.pool("p1")?.unwrap(),
                    tx.pool("p2")?.unwrap(),
                ))
            })
            .unwrap();
        assert_eq!(version, super::SCHEMA_VERSION);
        assert_eq!((p1.locale.as_str(), p1.locale_configured), ("None", false));
        assert_eq!((p2.locale.as_str(), p2.locale_configured), ("us-east-1", true));
        assert_eq!(p1.description.as_deref(), Some("d"), "the pool keeps its row");
        let explicit = crate::ipam::model::Pool {
            id: "p3".into(),
            locale_configured: true,
            ..p1
        };
        store.write(|tx| tx.insert_pool(&explicit)).unwrap();
        assert_eq!(store.read(|tx| tx.pool("p3")).unwrap(), Some(explicit));
    }

    /// A version-6 database has no `tier` or `metered_account`: on opening, its IPAMs keep every
    /// row and read back with the tier not configured (`advanced`) and the IPAM owner metered;
    /// the store then writes and reads both, and refuses a value that is neither of the API's.
    #[test]
    fn version_6_ipams_get_tier_unset_and_the_owner_metered() {
        use crate::ipam::model::{MeteredAccount, Tier};
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("v6.db");
        {
            let c = rusqlite::Connection::open(&p).unwrap();
            for sql in &super::MIGRATIONS[..6] {
                c.execute_batch(sql).unwrap();
            }
            c.execute_batch(
                r#"INSERT INTO ipams (id, owner_id, home_region, description, operating_regions, public_default_scope_id,
                 private_default_scope_id, tags, tags_all, cascade, state, enable_private_gua) VALUES ('ipam-1', '123456789012',
                 'us-east-1', 'd', '["us-east-1"]', 's1', 's2', '{"a":"1"}', '{"a":"1"}', 1, 'modify-complete', 1);
                 PRAGMA user_version = 6;"#,
            )
            .unwrap();
        }
        let store = crate::store::Store::open(&p).unwrap();
        let (version, before) = store
            .read(|tx| {
                Ok((
                    tx.scalar::<i64>("PRAGMA user_version", &[])?,
                    tx.ipam("ipam-1")?.unwrap(),
                ))
            })
            .unwrap();
        assert_eq!(version, super::SCHEMA_VERSION);
        assert_eq!((before.tier, before.tier()), (None, Tier::Advanced));
        assert_eq!(before.metered_account, MeteredAccount::IpamOwner);
        assert_eq!(
            (before.description.as_deref(), before.cascade, before.enable_private_gua),
            (Some("d"), Some(true), Some(true)),
            "the IPAM keeps its row"
        );
        let mut changed = before.clone();
        changed.tier = Some(Tier::Free);
        changed.metered_account = MeteredAccount::ResourceOwner;
        store.write(|tx| tx.update_ipam(&changed)).unwrap();
        assert_eq!(store.read(|tx| tx.ipam("ipam-1")).unwrap().unwrap(), changed);
        let bad = store.write(|tx| tx.exec("UPDATE ipams SET tier = 'basic'", &[]));
        assert!(bad.is_err(), "a tier that is not the API's is refused");
    }

    #[test]
    fn postgres_schema_has_no_sqlite_types() {
        let sql = super::postgres_sql(0);
        assert!(
            !sql.contains("INTEGER") && !sql.contains("BLOB") && !sql.contains("ROWID"),
            "{sql}"
        );
        assert!(sql.contains("start BYTEA NOT NULL"));
        assert!(sql.contains("id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"));
    }
}
