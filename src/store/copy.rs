//! Copying a whole database to another one, on either engine (SQLite to PostgreSQL when a team
//! moves to a shared server, or back), verified by the row count and a checksum of every table.

use sha2::{Digest, Sha256};

use super::sql::{Param, Row, Val};
use super::{Store, Tx};
use crate::ipam::{Error, ErrorKind, Result};

/// Every table with its columns, in an order that satisfies the foreign keys.
const TABLES: &[(&str, &str, &str)] = &[
    ("meta", "key, value", "key"),
    (
        "ipams",
        "id, owner_id, home_region, description, operating_regions, public_default_scope_id, private_default_scope_id, tags, cascade, state, tags_all, \
         enable_private_gua, tier, metered_account",
        "id",
    ),
    (
        "scopes",
        "id, ipam_id, owner_id, scope_type, is_default, description, tags, state, tags_all",
        "id",
    ),
    (
        "pools",
        "id, scope_id, ipam_id, owner_id, address_family, locale, source_pool_id, depth, description, auto_import, min_netmask, \
         max_netmask, default_netmask, allocation_resource_tags, aws_service, public_ip_source, publicly_advertisable, tags, cascade, state, tags_all, \
         locale_configured",
        // Parents before their children.
        "depth, id",
    ),
    (
        "pool_cidrs",
        "id, pool_id, scope_id, top_level, family, start, prefix, cidr, netmask_length, auth_message, auth_signature, state",
        "id",
    ),
    (
        "allocations",
        "id, pool_id, family, start, prefix, cidr, netmask_length, resource_type, resource_id, resource_owner, resource_region, \
         description, disallowed_cidrs, tags, compliance_status, tags_all",
        "id",
    ),
    (
        "free_blocks",
        "pool_id, family, start, prefix",
        "pool_id, family, start",
    ),
    (
        "history",
        "id, ipam_id, scope_id, pool_id, family, start, prefix, cidr, resource_type, resource_id, resource_owner, resource_region, \
         compliance_status, start_time, end_time",
        "id",
    ),
    (
        "shares",
        "arn, name, owner_id, region, allow_external_principals, permission_arns, resource_arns, principals, tags, status, tags_all",
        "arn",
    ),
];

/// One table's row count and checksum.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TableSummary {
    pub table: &'static str,
    pub rows: u64,
    /// The sum of the rows' SHA-256 digests (their first 16 bytes): independent of row order,
    /// so both engines agree whatever their collation.
    pub checksum: String,
}

fn row_digest(r: &Row) -> u128 {
    let mut h = Sha256::new();
    for v in &r.0 {
        let (tag, bytes): (u8, Vec<u8>) = match v {
            Val::Null => (0, Vec::new()),
            Val::Int(i) => (1, i.to_be_bytes().to_vec()),
            Val::Real(f) => (2, f.to_be_bytes().to_vec()),
            Val::Text(s) => (3, s.as_bytes().to_vec()),
            Val::Blob(b) => (4, b.clone()),
        };
        h.update([tag]);
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(&bytes);
    }
    let d = h.finalize();
    u128::from_be_bytes(d[..16].try_into().expect("a SHA-256 digest has 32 bytes"))
}

fn param(v: &Val) -> Param {
    match v {
        Val::Null => Param::Null,
        Val::Int(i) => Param::Int(*i),
        Val::Real(f) => Param::Text(f.to_string()),
        Val::Text(s) => Param::Text(s.clone()),
        Val::Blob(b) => Param::Blob(b.clone()),
    }
}

impl Tx<'_> {
    fn table_rows(&self, table: &str, cols: &str, order: &str) -> Result<Vec<Row>> {
        self.query(&format!("SELECT {cols} FROM {table} ORDER BY {order}"), &[])
    }

    /// The row count and checksum of every table.
    pub fn table_summaries(&self) -> Result<Vec<TableSummary>> {
        TABLES
            .iter()
            .map(|(table, cols, order)| {
                let rows = self.table_rows(table, cols, order)?;
                let sum = rows.iter().fold(0u128, |s, r| s.wrapping_add(row_digest(r)));
                Ok(TableSummary {
                    table,
                    rows: rows.len() as u64,
                    checksum: format!("{sum:032x}"),
                })
            })
            .collect()
    }
}

/// Copies every row of `from` into `to`, which must hold no IPAM data yet. One read snapshot of
/// the source, one write transaction on the destination, checked table by table before it
/// commits: a copy that does not match leaves the destination as it was. `progress` hears of
/// each table (its name and row count) before it is copied.
pub fn copy_all(from: &Store, to: &Store, progress: &mut dyn FnMut(&str, usize)) -> Result<Vec<TableSummary>> {
    if from.location() == to.location() {
        return Err(Error::new(
            ErrorKind::Invalid,
            "Source and destination are the same database",
            format!("Both name {}. Give another destination.", from.location()),
        ));
    }
    from.read(|src| {
        let expected = src.table_summaries()?;
        to.write(|dst| {
            for s in dst.table_summaries()? {
                if s.rows > 0 {
                    return Err(Error::new(
                        ErrorKind::Conflict,
                        "Destination is not empty",
                        format!(
                            "{} already holds {} row(s) in {}. Copy into a new, empty database (the provider creates the tables), \
                             so that nothing is mixed.",
                            to.location(),
                            s.rows,
                            s.table
                        ),
                    ));
                }
            }
            dst.invalidate_free_space();
            for (table, cols, order) in TABLES {
                let n = cols.split(',').count();
                let marks: Vec<String> = (1..=n).map(|i| format!("?{i}")).collect();
                let insert = format!("INSERT INTO {table} ({cols}) VALUES ({})", marks.join(", "));
                let rows = src.table_rows(table, cols, order)?;
                progress(table, rows.len());
                for row in rows {
                    let args: Vec<Param> = row.0.iter().map(param).collect();
                    dst.write_sql(&insert, &args)?;
                }
            }
            if dst.engine() == super::Engine::Postgres {
                // History IDs were copied: new records continue after them.
                dst.query(
                    "SELECT setval(pg_get_serial_sequence('history', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM history), false)",
                    &[],
                )?;
            }
            let got = dst.table_summaries()?;
            for (e, g) in expected.iter().zip(&got) {
                if e != g {
                    return Err(Error::storage(format!(
                        "the copy of table {} does not match ({} rows, checksum {} in the source; {} rows, checksum {} in the copy); \
                         nothing was written",
                        e.table, e.rows, e.checksum, g.rows, g.checksum
                    )));
                }
            }
            Ok(got)
        })
    })
}

/// Drops the provider's tables from a PostgreSQL destination whose tables its opening created, so
/// that a copy that failed leaves the database as it was before (PostgreSQL drops tables inside
/// the transaction: all or nothing). Refused while any table holds a row.
pub fn remove_created_schema(to: &Store) -> Result<()> {
    if !to.created_schema() {
        return Ok(());
    }
    to.write(|dst| {
        if let Some(s) = dst.table_summaries()?.into_iter().find(|s| s.rows > 0) {
            return Err(Error::storage(format!(
                "{} holds {} row(s) in {}: its tables are kept",
                to.location(),
                s.rows,
                s.table
            )));
        }
        let tables: Vec<&str> = TABLES.iter().map(|(t, _, _)| *t).chain(["ipam_schema"]).collect();
        dst.write_sql(&format!("DROP TABLE IF EXISTS {} CASCADE", tables.join(", ")), &[])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_ignore_row_order_but_not_content() {
        let a = Row(vec![Val::Int(1), Val::Text("x".into())]);
        let b = Row(vec![Val::Int(2), Val::Blob(vec![0, 1])]);
        let c = Row(vec![Val::Int(1), Val::Text("y".into())]);
        let sum = |rows: &[&Row]| rows.iter().fold(0u128, |s, r| s.wrapping_add(row_digest(r)));
        assert_eq!(sum(&[&a, &b]), sum(&[&b, &a]));
        assert_ne!(sum(&[&a, &b]), sum(&[&c, &b]));
        // Text and bytes with the same content differ.
        assert_ne!(
            row_digest(&Row(vec![Val::Text("ab".into())])),
            row_digest(&Row(vec![Val::Blob(b"ab".to_vec())]))
        );
    }

    #[test]
    fn sqlite_to_sqlite_copies_everything_and_refuses_a_second_time() {
        let dir = tempfile::tempdir().unwrap();
        let from = Store::open(dir.path().join("a.db")).unwrap();
        from.write(|tx| tx.write_sql("INSERT INTO meta (key, value) VALUES ('k', 'v')", &[]))
            .unwrap();
        let to = Store::open(dir.path().join("b.db")).unwrap();
        let mut seen = Vec::new();
        let copied = copy_all(&from, &to, &mut |t, n| seen.push((t.to_string(), n))).unwrap();
        assert_eq!(seen.len(), TABLES.len());
        assert!(seen.contains(&("meta".to_string(), 1)));
        assert_eq!(copied.iter().find(|s| s.table == "meta").unwrap().rows, 1);
        assert_eq!(from.read(|tx| tx.table_summaries()).unwrap(), copied);
        let again = copy_all(&from, &to, &mut |_, _| {}).unwrap_err();
        assert_eq!(again.summary, "Destination is not empty");
        assert_eq!(
            copy_all(&from, &from, &mut |_, _| {}).unwrap_err().summary,
            "Source and destination are the same database"
        );
    }
}
