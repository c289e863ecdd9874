//! The values that cross the store boundary, the same for every backend: statement arguments
//! ([`Param`]) and result rows ([`Row`] of [`Val`]). The store's queries are written once, in the
//! SQL both SQLite and PostgreSQL understand, with `?N` placeholders; PostgreSQL receives them as
//! `$N` (see [`to_postgres`]).

use std::str::FromStr;

use crate::ipam::model::{
    AwsService, CidrState, ComplianceStatus, Family, MeteredAccount, PublicIpSource, ResourceType, ScopeType,
    ShareStatus, State, Tier,
};
use crate::ipam::{Error, Result};

/// A statement argument.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Null,
    Int(i64),
    Text(String),
    Blob(Vec<u8>),
}

/// Conversion of a Rust value into a statement argument (booleans are stored as 0/1).
pub trait ToParam {
    fn to_param(&self) -> Param;
}

impl ToParam for Param {
    fn to_param(&self) -> Param {
        self.clone()
    }
}
impl ToParam for str {
    fn to_param(&self) -> Param {
        Param::Text(self.to_string())
    }
}
impl ToParam for String {
    fn to_param(&self) -> Param {
        Param::Text(self.clone())
    }
}
impl ToParam for [u8] {
    fn to_param(&self) -> Param {
        Param::Blob(self.to_vec())
    }
}
impl ToParam for Vec<u8> {
    fn to_param(&self) -> Param {
        Param::Blob(self.clone())
    }
}
impl<const N: usize> ToParam for [u8; N] {
    fn to_param(&self) -> Param {
        Param::Blob(self.to_vec())
    }
}
impl ToParam for bool {
    fn to_param(&self) -> Param {
        Param::Int(i64::from(*self))
    }
}
macro_rules! int_param {
    ($($t:ty),*) => {$(
        impl ToParam for $t {
            fn to_param(&self) -> Param {
                Param::Int(*self as i64)
            }
        }
    )*};
}
int_param!(i64, i32, u8, u32, u16, usize);

impl<T: ToParam + ?Sized> ToParam for &T {
    fn to_param(&self) -> Param {
        (**self).to_param()
    }
}
impl<T: ToParam> ToParam for Option<T> {
    fn to_param(&self) -> Param {
        self.as_ref().map_or(Param::Null, ToParam::to_param)
    }
}

macro_rules! enum_param {
    ($($t:ty),*) => {$(
        impl ToParam for $t {
            fn to_param(&self) -> Param {
                Param::Text(self.as_str().to_string())
            }
        }
    )*};
}
enum_param!(
    Family,
    State,
    CidrState,
    ScopeType,
    PublicIpSource,
    AwsService,
    ResourceType,
    ComplianceStatus,
    ShareStatus,
    Tier,
    MeteredAccount
);

/// The arguments of a statement: `args![a, b, c]`.
macro_rules! args {
    () => { &[] as &[$crate::store::sql::Param] };
    ($($e:expr),+ $(,)?) => {
        &[$($crate::store::sql::ToParam::to_param(&$e)),+] as &[$crate::store::sql::Param]
    };
}
pub(crate) use args;

/// A value read from a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Val {
    fn kind(&self) -> &'static str {
        match self {
            Val::Null => "null",
            Val::Int(_) => "an integer",
            Val::Real(_) => "a real number",
            Val::Text(_) => "text",
            Val::Blob(_) => "bytes",
        }
    }
}

/// One result row.
#[derive(Debug, Clone)]
pub struct Row(pub Vec<Val>);

impl Row {
    /// Column `i` as `T`.
    pub fn get<T: FromVal>(&self, i: usize) -> Result<T> {
        let v = self
            .0
            .get(i)
            .ok_or_else(|| Error::storage(format!("the query returned no column {i}")))?;
        T::from_val(v).map_err(|want| {
            Error::storage(format!(
                "column {i} holds {}, not {want}: the database was changed by something other than this provider",
                v.kind()
            ))
        })
    }
}

impl Row {
    /// Column `i`, stored as the API string of an enumeration, as `T`; `column` (`table.column`)
    /// names it in the error when the database holds a string this provider never writes.
    pub fn parse<T: FromStr<Err = Error>>(&self, i: usize, column: &str) -> Result<T> {
        let text: String = self.get(i)?;
        text.parse().map_err(|e: Error| unknown_value(column, &text, &e))
    }

    /// [`Row::parse`] of a column that may be null.
    pub fn parse_opt<T: FromStr<Err = Error>>(&self, i: usize, column: &str) -> Result<Option<T>> {
        let text: Option<String> = self.get(i)?;
        text.map(|t| t.parse().map_err(|e: Error| unknown_value(column, &t, &e)))
            .transpose()
    }
}

fn unknown_value(column: &str, text: &str, e: &Error) -> Error {
    Error::storage(format!(
        "{column} holds {text:?}, which this provider does not know ({}): the database was changed by something \
         other than this provider, or by a newer version of it.",
        e.detail
    ))
}

/// Conversion of a stored value; the error names what was expected.
pub trait FromVal: Sized {
    fn from_val(v: &Val) -> std::result::Result<Self, &'static str>;
}

impl FromVal for i64 {
    fn from_val(v: &Val) -> std::result::Result<Self, &'static str> {
        match v {
            Val::Int(i) => Ok(*i),
            _ => Err("an integer"),
        }
    }
}
macro_rules! int_val {
    ($($t:ty),*) => {$(
        impl FromVal for $t {
            fn from_val(v: &Val) -> std::result::Result<Self, &'static str> {
                match v {
                    Val::Int(i) => <$t>::try_from(*i).map_err(|_| concat!("a ", stringify!($t))),
                    _ => Err(concat!("a ", stringify!($t))),
                }
            }
        }
    )*};
}
int_val!(i32, u8, u32, u16, usize);

impl FromVal for bool {
    fn from_val(v: &Val) -> std::result::Result<Self, &'static str> {
        match v {
            Val::Int(i) => Ok(*i != 0),
            _ => Err("a boolean"),
        }
    }
}
impl FromVal for String {
    fn from_val(v: &Val) -> std::result::Result<Self, &'static str> {
        match v {
            Val::Text(s) => Ok(s.clone()),
            _ => Err("text"),
        }
    }
}
impl FromVal for Vec<u8> {
    fn from_val(v: &Val) -> std::result::Result<Self, &'static str> {
        match v {
            Val::Blob(b) => Ok(b.clone()),
            _ => Err("bytes"),
        }
    }
}
impl FromVal for f64 {
    fn from_val(v: &Val) -> std::result::Result<Self, &'static str> {
        match v {
            Val::Real(f) => Ok(*f),
            Val::Int(i) => Ok(*i as f64),
            _ => Err("a number"),
        }
    }
}
impl<T: FromVal> FromVal for Option<T> {
    fn from_val(v: &Val) -> std::result::Result<Self, &'static str> {
        match v {
            Val::Null => Ok(None),
            v => T::from_val(v).map(Some),
        }
    }
}

/// `?N` placeholders as PostgreSQL's `$N` (quoted text is left alone).
pub fn to_postgres(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    for c in sql.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => out.push('$'),
            _ => out.push(c),
        }
    }
    out
}

// SQLite: arguments and values.

impl rusqlite::ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Param::Null => ValueRef::Null,
            Param::Int(i) => ValueRef::Integer(*i),
            Param::Text(s) => ValueRef::Text(s.as_bytes()),
            Param::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

/// A SQLite row as values.
pub fn sqlite_row(r: &rusqlite::Row, columns: usize) -> rusqlite::Result<Row> {
    use rusqlite::types::ValueRef;
    let mut out = Vec::with_capacity(columns);
    for i in 0..columns {
        out.push(match r.get_ref(i)? {
            ValueRef::Null => Val::Null,
            ValueRef::Integer(v) => Val::Int(v),
            ValueRef::Real(v) => Val::Real(v),
            ValueRef::Text(t) => Val::Text(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => Val::Blob(b.to_vec()),
        });
    }
    Ok(Row(out))
}

// PostgreSQL: arguments typed by what the server inferred, values by the column type.

impl postgres::types::ToSql for Param {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::{IsNull, Type};
        match self {
            Param::Null => Ok(IsNull::Yes),
            Param::Int(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => i.to_string().to_sql(ty, out),
                _ => Err(format!("an integer cannot be sent as {ty}").into()),
            },
            Param::Text(s) => s.as_str().to_sql(ty, out),
            Param::Blob(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// A PostgreSQL row as values.
pub fn postgres_row(r: &postgres::Row) -> std::result::Result<Row, postgres::Error> {
    use postgres::types::Type;
    let mut out = Vec::with_capacity(r.len());
    for (i, col) in r.columns().iter().enumerate() {
        let v = match *col.type_() {
            Type::INT8 => r.try_get::<_, Option<i64>>(i)?.map(Val::Int),
            Type::INT4 => r.try_get::<_, Option<i32>>(i)?.map(|v| Val::Int(v.into())),
            Type::INT2 => r.try_get::<_, Option<i16>>(i)?.map(|v| Val::Int(v.into())),
            Type::BOOL => r.try_get::<_, Option<bool>>(i)?.map(|v| Val::Int(v.into())),
            Type::FLOAT8 => r.try_get::<_, Option<f64>>(i)?.map(Val::Real),
            Type::FLOAT4 => r.try_get::<_, Option<f32>>(i)?.map(|v| Val::Real(v.into())),
            Type::BYTEA => r.try_get::<_, Option<Vec<u8>>>(i)?.map(Val::Blob),
            _ => r.try_get::<_, Option<String>>(i)?.map(Val::Text),
        };
        out.push(v.unwrap_or(Val::Null));
    }
    Ok(Row(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dollars_outside_quotes() {
        assert_eq!(
            to_postgres("SELECT '?' , x FROM t WHERE a = ?1 AND b = ?12"),
            "SELECT '?' , x FROM t WHERE a = $1 AND b = $12"
        );
    }

    #[test]
    fn values_convert_or_name_what_was_expected() {
        let r = Row(vec![Val::Int(7), Val::Null, Val::Text("x".into()), Val::Int(300)]);
        assert_eq!(r.get::<i64>(0).unwrap(), 7);
        assert!(r.get::<bool>(0).unwrap());
        assert_eq!(r.get::<Option<String>>(1).unwrap(), None);
        assert_eq!(r.get::<String>(2).unwrap(), "x");
        assert!(r.get::<u8>(3).unwrap_err().detail.contains("not a u8"));
        assert!(r.get::<i64>(2).is_err());
        assert!(r.get::<i64>(9).is_err());
    }

    #[test]
    fn enumerations_are_stored_as_their_api_strings() {
        assert_eq!(
            args![ResourceType::IpamPool, Some(PublicIpSource::Amazon), None::<State>],
            &[
                Param::Text("ipam-pool".into()),
                Param::Text("amazon".into()),
                Param::Null
            ]
        );
        let r = Row(vec![
            Val::Text("ipv6".into()),
            Val::Null,
            Val::Text("ipv5".into()),
            Val::Int(4),
        ]);
        assert_eq!(r.parse::<Family>(0, "pools.address_family").unwrap(), Family::V6);
        assert_eq!(
            r.parse_opt::<ComplianceStatus>(1, "history.compliance_status").unwrap(),
            None
        );
        let e = r.parse::<Family>(2, "pools.address_family").unwrap_err();
        assert_eq!(e.kind, crate::ipam::ErrorKind::Storage);
        assert!(
            e.detail.contains("pools.address_family holds \"ipv5\"") && e.detail.contains("\"ipv4\" or \"ipv6\""),
            "{e}"
        );
        assert!(
            r.parse::<Family>(3, "pools.address_family").is_err(),
            "an integer is not a family"
        );
    }

    #[test]
    fn arguments_from_rust_values() {
        let s = String::from("a");
        let none: Option<u8> = None;
        let a = args![s, "b", 3u8, true, none, Some(5i64), vec![1u8, 2]];
        assert_eq!(
            a,
            &[
                Param::Text("a".into()),
                Param::Text("b".into()),
                Param::Int(3),
                Param::Int(1),
                Param::Null,
                Param::Int(5),
                Param::Blob(vec![1, 2])
            ]
        );
    }
}
