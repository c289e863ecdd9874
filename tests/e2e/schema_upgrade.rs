//! Databases written by older versions: upgraded in place when a provider opens them, and
//! Terraform carries on.

use crate::common;

use super::tags::{TAGGED, stored_tags_all, tagged};
use common::fixtures::{IPAM, pool_with_cidr};
use common::{Tf, flat};

/// The tables of tagged objects.
const TAGGED_TABLES: [&str; 5] = ["ipams", "scopes", "pools", "allocations", "shares"];

/// The engine's schema version query.
fn schema_version(tf: &Tf) -> i64 {
    tf.sql_count(match common::backend() {
        common::Backend::Sqlite => "PRAGMA user_version",
        common::Backend::Postgres => "SELECT version FROM ipam_schema",
    })
}

/// Takes away what schemas 4 to 7 added (the stored `tags_all`, the IPAM's
/// `enable_private_gua`, the pool's `locale_configured`, the IPAM's `tier` and
/// `metered_account`), leaving a database as schema 3 wrote it.
fn schema_3_shape(tf: &Tf) {
    for table in TAGGED_TABLES {
        tf.sql(&format!("ALTER TABLE {table} DROP COLUMN tags_all"));
    }
    for column in ["enable_private_gua", "tier", "metered_account"] {
        tf.sql(&format!("ALTER TABLE ipams DROP COLUMN {column}"));
    }
    tf.sql("ALTER TABLE pools DROP COLUMN locale_configured");
    tf.sql(match common::backend() {
        common::Backend::Sqlite => "PRAGMA user_version = 3",
        common::Backend::Postgres => "UPDATE ipam_schema SET version = 3",
    });
}

/// A schema-3 database with tagged objects (its provider computed `tags_all` on every read and
/// judged compliance on the allocation's own tags) is migrated when the provider opens it: each
/// object's `tags_all` starts as its own tags, so the plan adds the default tags to every tagged
/// resource in place, the apply writes them, and the allocation that `default_tags` makes
/// compliant becomes compliant.
fn a_schema_3_database_with_tags_is_migrated_and_default_tags_applied() {
    let tf = Tf::new().provider_extra(r#"default_tags { tags = { env = "prod", team = "net" } }"#);
    tf.config(&tagged(IPAM));
    tf.apply();
    schema_3_shape(&tf);
    let plain = tf.attr("ipam_pool_allocation.plain", "ipam_pool_allocation_id");
    tf.sql(&format!(
        "UPDATE allocations SET compliance_status = 'noncompliant' WHERE id = '{plain}'"
    ));
    let count = |table: &str, filter: &str| tf.sql_count(&format!("SELECT count(*) FROM {table}{filter}"));
    let rows: Vec<i64> = TAGGED_TABLES.iter().map(|t| count(t, "")).collect();

    let plan = flat(&tf.assert_plan_changes());
    assert_eq!(schema_version(&tf), 7);
    for (addr, table) in TAGGED {
        assert!(
            plan.contains(&format!("{addr} will be updated in-place")),
            "{addr}: {plan}"
        );
        let own = tf.values(addr)["tags"].clone();
        let own = if own.is_null() { serde_json::json!({}) } else { own };
        assert_eq!(
            stored_tags_all(&tf, addr, table),
            own,
            "{addr}: tags_all starts as the stored tags"
        );
    }
    assert!(plan.contains("Plan: 0 to add, 6 to change, 0 to destroy"), "{plan}");
    // Every row kept, each with `tags_all` equal to its stored tags until the apply.
    for (table, n) in TAGGED_TABLES.iter().zip(rows) {
        assert_eq!(count(table, ""), n, "{table}");
        assert_eq!(count(table, " WHERE tags_all <> tags"), 0, "{table}");
    }

    tf.apply();
    tf.assert_plan_empty();
    for (addr, table) in TAGGED {
        assert_eq!(stored_tags_all(&tf, addr, table), tf.values(addr)["tags_all"], "{addr}");
    }
    assert_eq!(
        stored_tags_all(&tf, "ipam_pool_allocation.plain", "allocations"),
        serde_json::json!({"env": "prod", "team": "net"})
    );
    assert_eq!(tf.attr("ipam_pool_allocation.plain", "compliance_status"), "compliant");
    tf.import_verify();
    tf.destroy();
}

/// A database written by schema 2 (free blocks ordered by start, with a second index by prefix
/// length) is migrated when the provider opens it: every row is kept, Terraform's plan stays
/// empty, and first fit carries on in the space that released allocations left.
fn a_schema_2_database_is_migrated_and_terraform_carries_on() {
    let tf = Tf::new();
    let base = pool_with_cidr("10.0.0.0/16");
    let config = |n: usize| {
        format!(
            r#"{base}
resource "ipam_pool_allocation" "a" {{
  count          = {n}
  ipam_pool_id   = ipam_pool.p.id
  netmask_length = 24
  depends_on     = [ipam_pool_cidr.c]
}}
"#
        )
    };
    tf.config(&config(5));
    tf.apply();
    // Three released: 10.0.2.0/24 and up are free again, merged with the rest of the /16.
    tf.config(&config(2));
    tf.apply();
    let before = tf.db_dump();
    schema_3_shape(&tf);
    // The schema-2 shape of the free-block table, with the same rows.
    let (text, int, blob, rowid, version) = match common::backend() {
        common::Backend::Sqlite => ("TEXT", "INTEGER", "BLOB", " WITHOUT ROWID", "PRAGMA user_version = 2"),
        common::Backend::Postgres => ("TEXT", "BIGINT", "BYTEA", "", "UPDATE ipam_schema SET version = 2"),
    };
    for sql in [
        format!(
            "CREATE TABLE fb2 (pool_id {text} NOT NULL REFERENCES pools(id) ON DELETE CASCADE, family {int} NOT NULL, \
             start {blob} NOT NULL, prefix {int} NOT NULL, PRIMARY KEY (pool_id, family, start)){rowid}"
        ),
        "INSERT INTO fb2 SELECT pool_id, family, start, prefix FROM free_blocks".into(),
        "DROP TABLE free_blocks".into(),
        "ALTER TABLE fb2 RENAME TO free_blocks".into(),
        "CREATE INDEX free_blocks_prefix ON free_blocks(pool_id, family, prefix, start)".into(),
        version.into(),
    ] {
        tf.sql(&sql);
    }
    let index = match common::backend() {
        common::Backend::Sqlite => "SELECT count(*) FROM sqlite_master WHERE name = 'free_blocks_prefix'",
        common::Backend::Postgres => "SELECT count(*) FROM pg_indexes WHERE indexname = 'free_blocks_prefix'",
    };
    assert_eq!(tf.sql_count(index), 1);
    // Opening migrates it: nothing to change, every row as it was, the extra index gone.
    tf.assert_plan_empty();
    assert_eq!(tf.db_dump(), before);
    assert_eq!(tf.sql_count(index), 0);
    let version = match common::backend() {
        common::Backend::Sqlite => "PRAGMA user_version",
        common::Backend::Postgres => "SELECT version FROM ipam_schema",
    };
    assert_eq!(tf.sql_count(version), 7);
    // First fit on the migrated free space: the two new allocations take the two lowest /24s
    // the kept ones do not hold (the five were created in parallel, in any order).
    let cidr = |i: usize| tf.attr(&format!("ipam_pool_allocation.a[{i}]"), "cidr");
    let kept = [cidr(0), cidr(1)];
    tf.config(&config(4));
    tf.apply();
    tf.assert_plan_empty();
    let lowest_free: Vec<String> = (0..5)
        .map(|i| format!("10.0.{i}.0/24"))
        .filter(|c| !kept.contains(c))
        .take(2)
        .collect();
    let mut added = vec![cidr(2), cidr(3)];
    added.sort();
    assert_eq!(added, lowest_free, "kept {kept:?}");
    tf.destroy();
    assert_eq!(tf.sql_count("SELECT count(*) FROM allocations"), 0);
}

backend_tests!(
    a_schema_2_database_is_migrated_and_terraform_carries_on,
    a_schema_3_database_with_tags_is_migrated_and_default_tags_applied,
);
