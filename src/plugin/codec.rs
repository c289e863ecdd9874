//! Schema-driven encoding of [`Value`]s: msgpack both ways (Terraform's wire format) and JSON
//! (the state format `UpgradeResourceState` receives).
//!
//! The wire format is not self-describing: an object is a msgpack map with exactly one entry per
//! attribute of its type, so both directions are driven by the [`Type`].

use std::collections::BTreeMap;

use super::value::{Number, Type, Value};

/// A value that does not fit its type, with the attribute path where it happened.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{path}: {message}")]
pub struct CodecError {
    pub path: String,
    pub message: String,
}

fn err(path: &str, message: impl Into<String>) -> CodecError {
    CodecError {
        path: if path.is_empty() { "(root)".into() } else { path.into() },
        message: message.into(),
    }
}

/// go-cty's encoding of a plain unknown: fixext1, type 0, one zero byte.
const UNKNOWN_EXT: i8 = 0;

/// Decodes msgpack bytes of the given type. Empty input is null (Terraform's convention).
pub fn from_msgpack(ty: &Type, bytes: &[u8]) -> Result<Value, CodecError> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    let mut rd = bytes;
    let raw = rmpv::decode::read_value(&mut rd).map_err(|e| err("", format!("invalid msgpack: {e}")))?;
    if !rd.is_empty() {
        return Err(err("", format!("{} trailing bytes after the value", rd.len())));
    }
    from_rmpv(ty, raw, "")
}

/// Encodes a value of the given type as msgpack.
pub fn to_msgpack(ty: &Type, v: &Value) -> Result<Vec<u8>, CodecError> {
    let raw = to_rmpv(ty, v, "")?;
    let mut out = Vec::with_capacity(256);
    rmpv::encode::write_value(&mut out, &raw).map_err(|e| err("", e.to_string()))?;
    Ok(out)
}

fn child(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn from_rmpv(ty: &Type, raw: rmpv::Value, path: &str) -> Result<Value, CodecError> {
    use rmpv::Value as R;
    match raw {
        R::Nil => return Ok(Value::Null),
        // Any extension is an unknown; refinements (type 12) are accepted and dropped.
        R::Ext(_, _) => return Ok(Value::Unknown),
        _ => {}
    }
    match ty {
        Type::String => match raw {
            R::String(s) => s
                .into_str()
                .map(Value::String)
                .ok_or_else(|| err(path, "string is not valid UTF-8")),
            other => Err(err(path, format!("string required, got {other}"))),
        },
        Type::Bool => match raw {
            R::Boolean(b) => Ok(Value::Bool(b)),
            other => Err(err(path, format!("bool required, got {other}"))),
        },
        Type::Number => match raw {
            R::Integer(i) => {
                if let Some(x) = i.as_i64() {
                    Ok(Value::Number(Number::Int(x)))
                } else {
                    Ok(Value::Number(Number::Big(i.to_string())))
                }
            }
            R::F32(f) => Ok(Value::Number(Number::Float(f64::from(f)))),
            R::F64(f) => Ok(Value::Number(Number::Float(f))),
            R::String(s) => {
                let s = s.into_str().ok_or_else(|| err(path, "number text is not UTF-8"))?;
                parse_decimal(&s).ok_or_else(|| err(path, format!("{s:?} is not a number")))
            }
            other => Err(err(path, format!("number required, got {other}"))),
        },
        Type::List(et) | Type::Set(et) => match raw {
            R::Array(items) => {
                let vals = items
                    .into_iter()
                    .enumerate()
                    .map(|(i, r)| from_rmpv(et, r, &format!("{path}[{i}]")))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(if matches!(ty, Type::List(_)) {
                    Value::List(vals)
                } else {
                    Value::Set(vals)
                })
            }
            other => Err(err(path, format!("list or set required, got {other}"))),
        },
        Type::Tuple(ets) => match raw {
            R::Array(items) if items.len() == ets.len() => Ok(Value::Tuple(
                items
                    .into_iter()
                    .zip(ets)
                    .enumerate()
                    .map(|(i, (r, et))| from_rmpv(et, r, &format!("{path}[{i}]")))
                    .collect::<Result<_, _>>()?,
            )),
            other => Err(err(
                path,
                format!("tuple of {} elements required, got {other}", ets.len()),
            )),
        },
        Type::Map(et) => match raw {
            R::Map(entries) => {
                let mut m = BTreeMap::new();
                for (k, v) in entries {
                    let k = key_string(k, path)?;
                    let val = from_rmpv(et, v, &format!("{path}[{k:?}]"))?;
                    m.insert(k, val);
                }
                Ok(Value::Map(m))
            }
            other => Err(err(path, format!("map required, got {other}"))),
        },
        Type::Object(attrs, optional) => match raw {
            R::Map(entries) => {
                let mut m = BTreeMap::new();
                for (k, v) in entries {
                    let k = key_string(k, path)?;
                    let at = attrs
                        .get(&k)
                        .ok_or_else(|| err(path, format!("unsupported attribute {k:?}")))?;
                    let val = from_rmpv(at, v, &child(path, &k))?;
                    m.insert(k, val);
                }
                for name in attrs.keys() {
                    if !m.contains_key(name) {
                        if optional.contains(name) {
                            m.insert(name.clone(), Value::Null);
                        } else {
                            return Err(err(path, format!("attribute {name:?} is required")));
                        }
                    }
                }
                Ok(Value::Object(m))
            }
            other => Err(err(path, format!("object required, got {other}"))),
        },
        Type::Dynamic => match raw {
            R::Array(mut pair) if pair.len() == 2 => {
                let inner = pair.pop().unwrap_or(R::Nil);
                let type_bytes = match pair.pop() {
                    Some(R::Binary(b)) => b,
                    Some(R::String(s)) => s.into_bytes(),
                    _ => return Err(err(path, "dynamic value must carry its type as JSON bytes")),
                };
                let tj: serde_json::Value = serde_json::from_slice(&type_bytes)
                    .map_err(|e| err(path, format!("dynamic type is not JSON: {e}")))?;
                let t = Type::from_json(&tj).map_err(|e| err(path, e))?;
                let v = from_rmpv(&t, inner, path)?;
                Ok(Value::Dynamic(t, Box::new(v)))
            }
            other => Err(err(
                path,
                format!("dynamic value must be a [type, value] pair, got {other}"),
            )),
        },
    }
}

fn key_string(k: rmpv::Value, path: &str) -> Result<String, CodecError> {
    match k {
        rmpv::Value::String(s) => s.into_str().ok_or_else(|| err(path, "map key is not UTF-8")),
        other => Err(err(path, format!("map keys must be strings, got {other}"))),
    }
}

fn parse_decimal(s: &str) -> Option<Value> {
    if let Ok(i) = s.parse::<i64>() {
        return Some(Value::Number(Number::Int(i)));
    }
    let f: f64 = s.parse().ok()?;
    if !f.is_finite() {
        return None;
    }
    // Keep the text when f64 would lose digits, so the value round-trips exactly.
    if f.to_string() == s {
        Some(Value::Number(Number::Float(f)))
    } else {
        Some(Value::Number(Number::Big(s.into())))
    }
}

fn to_rmpv(ty: &Type, v: &Value, path: &str) -> Result<rmpv::Value, CodecError> {
    use rmpv::Value as R;
    match v {
        Value::Null => return Ok(R::Nil),
        Value::Unknown => return Ok(R::Ext(UNKNOWN_EXT, vec![0])),
        _ => {}
    }
    match (ty, v) {
        (Type::String, Value::String(s)) => Ok(R::from(s.as_str())),
        (Type::Bool, Value::Bool(b)) => Ok(R::Boolean(*b)),
        (Type::Number, Value::Number(n)) => Ok(match n {
            Number::Int(i) => R::from(*i),
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => R::from(*f as i64),
            Number::Float(f) => R::F64(*f),
            Number::Big(s) => R::from(s.as_str()),
        }),
        (Type::List(et), Value::List(items)) | (Type::Set(et), Value::Set(items)) => Ok(R::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, x)| to_rmpv(et, x, &format!("{path}[{i}]")))
                .collect::<Result<_, _>>()?,
        )),
        // A list given where a set is declared (or the reverse) encodes the same way.
        (Type::List(et), Value::Set(items)) | (Type::Set(et), Value::List(items)) => {
            to_rmpv(&Type::List(et.clone()), &Value::List(items.clone()), path)
        }
        (Type::Tuple(ets), Value::Tuple(items)) if ets.len() == items.len() => Ok(R::Array(
            items
                .iter()
                .zip(ets)
                .enumerate()
                .map(|(i, (x, et))| to_rmpv(et, x, &format!("{path}[{i}]")))
                .collect::<Result<_, _>>()?,
        )),
        (Type::Map(et), Value::Map(m)) => Ok(R::Map(
            m.iter()
                .map(|(k, x)| Ok((R::from(k.as_str()), to_rmpv(et, x, &format!("{path}[{k:?}]"))?)))
                .collect::<Result<_, CodecError>>()?,
        )),
        (Type::Object(attrs, _), Value::Object(m)) => {
            if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(err(path, format!("attribute {extra:?} is not in the schema")));
            }
            Ok(R::Map(
                attrs
                    .iter()
                    .map(|(k, at)| {
                        let x = m.get(k).unwrap_or(&Value::Null);
                        Ok((R::from(k.as_str()), to_rmpv(at, x, &child(path, k))?))
                    })
                    .collect::<Result<_, CodecError>>()?,
            ))
        }
        (Type::Dynamic, Value::Dynamic(t, inner)) => {
            let tj = serde_json::to_vec(&t.to_json()).map_err(|e| err(path, e.to_string()))?;
            Ok(R::Array(vec![R::Binary(tj), to_rmpv(t, inner, path)?]))
        }
        (t, v) => Err(err(path, format!("value {v:?} does not fit type {}", t.to_json()))),
    }
}

/// Decodes the JSON state format. Attributes unknown to `ty` are dropped and missing ones are
/// null, because state written by an older schema version may differ in both directions.
pub fn from_json(ty: &Type, bytes: &[u8]) -> Result<Value, CodecError> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    let j: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| err("", format!("invalid JSON: {e}")))?;
    from_json_value(ty, &j, "")
}

fn from_json_value(ty: &Type, j: &serde_json::Value, path: &str) -> Result<Value, CodecError> {
    use serde_json::Value as J;
    if j.is_null() {
        return Ok(Value::Null);
    }
    match ty {
        Type::String => j
            .as_str()
            .map(Value::str)
            .ok_or_else(|| err(path, format!("string required, got {j}"))),
        Type::Bool => j
            .as_bool()
            .map(Value::Bool)
            .ok_or_else(|| err(path, format!("bool required, got {j}"))),
        Type::Number => match j {
            J::Number(n) => parse_decimal(&n.to_string()).ok_or_else(|| err(path, format!("bad number {n}"))),
            J::String(s) => parse_decimal(s).ok_or_else(|| err(path, format!("{s:?} is not a number"))),
            other => Err(err(path, format!("number required, got {other}"))),
        },
        Type::List(et) | Type::Set(et) => {
            let items = j
                .as_array()
                .ok_or_else(|| err(path, format!("list required, got {j}")))?;
            let vals = items
                .iter()
                .enumerate()
                .map(|(i, x)| from_json_value(et, x, &format!("{path}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, Type::List(_)) {
                Value::List(vals)
            } else {
                Value::Set(vals)
            })
        }
        Type::Tuple(ets) => {
            let items = j
                .as_array()
                .ok_or_else(|| err(path, format!("tuple required, got {j}")))?;
            if items.len() != ets.len() {
                return Err(err(path, "tuple length mismatch"));
            }
            Ok(Value::Tuple(
                items
                    .iter()
                    .zip(ets)
                    .map(|(x, et)| from_json_value(et, x, path))
                    .collect::<Result<_, _>>()?,
            ))
        }
        Type::Map(et) => {
            let m = j
                .as_object()
                .ok_or_else(|| err(path, format!("map required, got {j}")))?;
            Ok(Value::Map(
                m.iter()
                    .map(|(k, x)| Ok((k.clone(), from_json_value(et, x, &format!("{path}[{k:?}]"))?)))
                    .collect::<Result<_, CodecError>>()?,
            ))
        }
        Type::Object(attrs, _) => {
            let m = j
                .as_object()
                .ok_or_else(|| err(path, format!("object required, got {j}")))?;
            let mut out = BTreeMap::new();
            for (name, at) in attrs {
                let v = match m.get(name) {
                    Some(x) => from_json_value(at, x, &child(path, name))?,
                    None => Value::Null,
                };
                out.insert(name.clone(), v);
            }
            Ok(Value::Object(out))
        }
        Type::Dynamic => {
            let t = j
                .get("type")
                .ok_or_else(|| err(path, "dynamic value needs a \"type\""))?;
            let t = Type::from_json(t).map_err(|e| err(path, e))?;
            let v = from_json_value(&t, j.get("value").unwrap_or(&J::Null), path)?;
            Ok(Value::Dynamic(t, Box::new(v)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn obj_type() -> Type {
        Type::object([
            ("id".to_string(), Type::String),
            ("n".to_string(), Type::Number),
            ("on".to_string(), Type::Bool),
            ("tags".to_string(), Type::map_of(Type::String)),
            ("cidrs".to_string(), Type::set_of(Type::String)),
        ])
    }

    #[test]
    fn unknown_is_fixext1_type0() {
        assert_eq!(
            to_msgpack(&Type::String, &Value::Unknown).unwrap(),
            vec![0xd4, 0x00, 0x00]
        );
        assert_eq!(
            from_msgpack(&Type::String, &[0xd4, 0x00, 0x00]).unwrap(),
            Value::Unknown
        );
    }

    #[test]
    fn null_is_nil_and_empty_input_is_null() {
        assert_eq!(to_msgpack(&Type::Number, &Value::Null).unwrap(), vec![0xc0]);
        assert_eq!(from_msgpack(&obj_type(), &[]).unwrap(), Value::Null);
    }

    #[test]
    fn refined_unknown_ext12_decodes_as_unknown() {
        // ext8, len 3, type 12, payload {1: false} (definitely not null).
        let bytes = [0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2];
        assert_eq!(from_msgpack(&Type::String, &bytes).unwrap(), Value::Unknown);
        // fixext1 of type 12 with a prefix refinement payload too short to matter.
        assert_eq!(
            from_msgpack(&Type::list_of(Type::String), &[0xd4, 0x0c, 0x80]).unwrap(),
            Value::Unknown
        );
    }

    #[test]
    fn numbers_accept_int_float_and_decimal_text() {
        assert_eq!(from_msgpack(&Type::Number, &[0x2a]).unwrap(), Value::int(42));
        assert_eq!(from_msgpack(&Type::Number, &[0xd0, 0xfe]).unwrap(), Value::int(-2));
        let f = [0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            from_msgpack(&Type::Number, &f).unwrap(),
            Value::Number(Number::Float(1.5))
        );
        let big = "123456789012345678901234567890";
        let mut b = vec![0xbe];
        b.extend_from_slice(big.as_bytes());
        assert_eq!(
            from_msgpack(&Type::Number, &b).unwrap(),
            Value::Number(Number::Big(big.into()))
        );
        assert_eq!(
            to_msgpack(&Type::Number, &Value::Number(Number::Big(big.into()))).unwrap(),
            b
        );
        assert_eq!(to_msgpack(&Type::Number, &Value::int(42)).unwrap(), vec![0x2a]);
        assert_eq!(
            to_msgpack(&Type::Number, &Value::Number(Number::Float(1.5))).unwrap(),
            f.to_vec()
        );
    }

    /// What Terraform sends for `20.5`, `9223372036854775808` (a float, or a uint64 from other
    /// encoders) and `1e300` (301 digits of text) decodes to a number that is no i64, never to
    /// null, so the provider can refuse it instead of reading it as unset.
    #[test]
    fn fractional_and_huge_numbers_stay_numbers() {
        let mut huge = vec![0xda, 0x01, 0x2d];
        huge.extend_from_slice(format!("1{}", "0".repeat(300)).as_bytes());
        for bytes in [
            vec![0xcb, 0x40, 0x34, 0x80, 0, 0, 0, 0, 0],
            vec![0xcb, 0x43, 0xe0, 0, 0, 0, 0, 0, 0],
            vec![0xcf, 0x80, 0, 0, 0, 0, 0, 0, 0],
            huge,
        ] {
            let v = from_msgpack(&Type::Number, &bytes).unwrap();
            assert!(matches!(v, Value::Number(_)), "{bytes:x?} decoded to {v:?}");
            assert_eq!(v.as_i64(), None, "{bytes:x?} decoded to {v:?}");
        }
        assert_eq!(
            from_msgpack(&Type::Number, &[0xcf, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
                .unwrap()
                .as_i64(),
            Some(i64::MAX)
        );
        // A whole float in range is that integer, however large.
        let f = [0xcb, 0x43, 0xdf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert_eq!(
            from_msgpack(&Type::Number, &f).unwrap().as_i64(),
            Some(9_223_372_036_854_774_784)
        );
    }

    #[test]
    fn object_encodes_every_attribute_sorted_with_nil_for_missing() {
        let mut m = BTreeMap::new();
        m.insert("id".to_string(), Value::str("a"));
        let bytes = to_msgpack(
            &Type::object([("id".into(), Type::String), ("x".into(), Type::Bool)]),
            &Value::Object(m),
        )
        .unwrap();
        assert_eq!(bytes, vec![0x82, 0xa2, b'i', b'd', 0xa1, b'a', 0xa1, b'x', 0xc0]);
    }

    #[test]
    fn object_round_trip_with_unknown_inside() {
        let mut m = BTreeMap::new();
        m.insert("id".into(), Value::Unknown);
        m.insert("n".into(), Value::int(7));
        m.insert("on".into(), Value::Bool(true));
        m.insert("tags".into(), Value::Map([("k".to_string(), Value::str("v"))].into()));
        m.insert(
            "cidrs".into(),
            Value::Set(vec![Value::str("10.0.0.0/8"), Value::Unknown]),
        );
        let v = Value::Object(m);
        let bytes = to_msgpack(&obj_type(), &v).unwrap();
        assert_eq!(from_msgpack(&obj_type(), &bytes).unwrap(), v);
    }

    #[test]
    fn object_with_wrong_attribute_count_or_name_is_refused() {
        // {"nope": nil}
        let bytes = [0x81, 0xa4, b'n', b'o', b'p', b'e', 0xc0];
        let e = from_msgpack(&obj_type(), &bytes).unwrap_err();
        assert!(e.message.contains("unsupported attribute"), "{e}");
        let e = from_msgpack(&obj_type(), &[0x80]).unwrap_err();
        assert!(e.message.contains("required"), "{e}");
    }

    #[test]
    fn optional_object_attributes_may_be_absent() {
        let t = Type::Object(
            [("a".to_string(), Type::String)].into(),
            BTreeSet::from(["a".to_string()]),
        );
        assert_eq!(
            from_msgpack(&t, &[0x80]).unwrap(),
            Value::Object([("a".to_string(), Value::Null)].into())
        );
    }

    #[test]
    fn dynamic_carries_its_type() {
        let v = Value::Dynamic(
            Type::list_of(Type::String),
            Box::new(Value::List(vec![Value::str("x")])),
        );
        let bytes = to_msgpack(&Type::Dynamic, &v).unwrap();
        let mut expected = vec![0x92, 0xc4, 17];
        expected.extend_from_slice(br#"["list","string"]"#);
        expected.extend_from_slice(&[0x91, 0xa1, b'x']);
        assert_eq!(bytes, expected);
        assert_eq!(from_msgpack(&Type::Dynamic, &bytes).unwrap(), v);
    }

    #[test]
    fn type_errors_name_the_path() {
        let bytes = [0x81, 0xa2, b'i', b'd', 0x01];
        let t = Type::object([("id".into(), Type::String)]);
        let e = from_msgpack(&t, &bytes).unwrap_err();
        assert_eq!(e.path, "id");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bytes in [
            &[0x81, 0xa2, b'i'][..],
            &[0xdc, 0xff][..],
            &[0x92, 0x01][..],
            &[0xa1, 0xff][..],
        ] {
            assert!(from_msgpack(&obj_type(), bytes).is_err());
        }
    }

    #[test]
    fn json_state_drops_unknown_and_nulls_missing() {
        let v = from_json(&obj_type(), br#"{"id":"x","n":3,"old_attr":1,"cidrs":["a"]}"#).unwrap();
        let m = v.as_obj().unwrap();
        assert_eq!(m["id"], Value::str("x"));
        assert_eq!(m["n"], Value::int(3));
        assert_eq!(m["on"], Value::Null);
        assert_eq!(m["cidrs"], Value::Set(vec![Value::str("a")]));
        assert!(!m.contains_key("old_attr"));
    }

    #[test]
    fn type_json_round_trip() {
        let t = Type::Object(
            [
                ("a".to_string(), Type::list_of(Type::Number)),
                ("b".to_string(), Type::String),
            ]
            .into(),
            BTreeSet::from(["b".to_string()]),
        );
        let j = t.to_json();
        assert_eq!(
            j.to_string(),
            r#"["object",{"a":["list","number"],"b":"string"},["b"]]"#
        );
        assert_eq!(Type::from_json(&j).unwrap(), t);
    }
}
