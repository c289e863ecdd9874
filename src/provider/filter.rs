//! `filter { name values }` blocks with EC2 filter names and `*` / `?` wildcards, and the helpers
//! data sources share: computed copies of resource schemas and singular-lookup errors.

use crate::ipam::model::Tags;
use crate::ipam::{Error, ErrorKind, Result};
use crate::plugin::schema::{Attribute, Block, NestedBlock, Nesting};
use crate::plugin::value::{Obj, Type, Value};

use super::framework::ObjExt;

/// One filter: a name and the values any of which may match.
#[derive(Clone, Debug)]
pub struct Filter {
    pub name: String,
    pub values: Vec<String>,
}

/// The `filter` block type.
pub fn filter_block(names: &'static str) -> NestedBlock {
    NestedBlock {
        name: "filter",
        nesting: Nesting::Set,
        block: Block::new(
            names,
            vec![
                Attribute::required(
                    "name",
                    Type::String,
                    "The filter name, e.g. `description` or `tag:env`.",
                ),
                Attribute::required(
                    "values",
                    Type::set_of(Type::String),
                    "Values to match; `*` matches any run of characters, `?` one character.",
                ),
            ],
        ),
        min_items: 0,
        max_items: 0,
        force_new: false,
    }
}

/// The filters in a configuration.
pub fn filters(config: &Obj) -> Vec<Filter> {
    config
        .get("filter")
        .and_then(Value::as_elems)
        .unwrap_or(&[])
        .iter()
        .filter_map(Value::as_obj)
        .map(|f| Filter {
            name: f.string("name").unwrap_or_default(),
            values: f.strings("values"),
        })
        .collect()
}

/// Glob matching with `*` and `?`.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// The error for a filter name the object type does not know. It points at the block's `name`:
/// Terraform shows that line when there is one `filter` block, and the data source otherwise.
fn unknown_name(f: &Filter, kind: &str) -> Error {
    Error::invalid(
        "Unknown filter name",
        format!("{:?} is not a filter name for {kind}.", f.name),
    )
    .at("filter.name")
}

/// Checks every filter name against the names an object type knows (`tag:<key>` and `tag-key`
/// are always known) before any object is read, so a misspelt name is an error also when there
/// is nothing to filter.
pub fn check_names(filters: &[Filter], known: &[&str], kind: &str) -> Result<()> {
    match filters
        .iter()
        .find(|f| !f.name.starts_with("tag:") && f.name != "tag-key" && !known.contains(&f.name.as_str()))
    {
        Some(f) => Err(unknown_name(f, kind)),
        None => Ok(()),
    }
}

/// True when the object passes every filter. `field` gives an object's values for a filter
/// name (`None` for a name the object type does not know, which is an error).
pub fn matches(
    filters: &[Filter],
    field: &dyn Fn(&str) -> Option<Vec<String>>,
    tags: &Tags,
    kind: &str,
) -> Result<bool> {
    for f in filters {
        let values: Vec<String> = if let Some(k) = f.name.strip_prefix("tag:") {
            tags.get(k).cloned().into_iter().collect()
        } else if f.name == "tag-key" {
            tags.keys().cloned().collect()
        } else {
            field(&f.name).ok_or_else(|| unknown_name(f, kind))?
        };
        if !f.values.iter().any(|pat| values.iter().any(|v| glob(pat, v))) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Exactly one match, or an error that says how many and what to do.
pub fn single<T>(mut found: Vec<T>, what: &str) -> Result<T> {
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Error::new(
            ErrorKind::NotFound,
            format!("no matching {what} found"),
            format!(
                "No {what} matches the given ID and filters. Check them, or use the plural data source to list what exists."
            ),
        )),
        n => Err(Error::invalid(
            format!("multiple {what}s matched"),
            format!(
                "{n} {what}s match; use additional constraints (an ID or more filters) to reduce matches to a single {what}."
            ),
        )),
    }
}

/// The attributes of a resource schema as read-only data source attributes (nested blocks become
/// attributes of the block's type), without the names in `skip`.
pub fn computed_copy(block: &Block, skip: &[&str]) -> Vec<Attribute> {
    let mut out: Vec<Attribute> = block
        .attributes
        .iter()
        .filter(|a| !skip.contains(&a.name))
        .map(|a| Attribute::computed(a.name, a.ty.clone(), a.description))
        .collect();
    for b in block.blocks.iter().filter(|b| !skip.contains(&b.name)) {
        let t = match b.nesting {
            Nesting::Single => b.block.implied_type(),
            Nesting::List => Type::list_of(b.block.implied_type()),
            Nesting::Set => Type::set_of(b.block.implied_type()),
        };
        out.push(Attribute::computed(b.name, t, b.block.description));
    }
    out
}

/// The object type of a list element built from attributes.
pub fn object_type(attrs: &[Attribute]) -> Type {
    Type::object(attrs.iter().map(|a| (a.name.to_string(), a.ty.clone())))
}

/// Keeps only the keys of `attrs` in `o` (dropping resource-only attributes).
pub fn project(mut o: Obj, attrs: &[Attribute]) -> Obj {
    o.retain(|k, _| attrs.iter().any(|a| a.name == k));
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("10.*", "10.0.0.0/8"));
        assert!(glob("*prod*", "my-prod-pool"));
        assert!(glob("us-?ast-1", "us-east-1"));
        assert!(!glob("us-?ast-1", "us-west-1"));
        assert!(glob("*", ""));
        assert!(!glob("a", "ab"));
    }

    #[test]
    fn filters_and_tags() {
        let tags: Tags = [("env".to_string(), "prod".to_string())].into();
        let f = |name: &str| (name == "description").then(|| vec!["main pool".to_string()]);
        let by = |n: &str, v: &str| {
            vec![Filter {
                name: n.into(),
                values: vec![v.into()],
            }]
        };
        assert!(matches(&by("description", "main*"), &f, &tags, "pools").unwrap());
        assert!(!matches(&by("description", "other"), &f, &tags, "pools").unwrap());
        assert!(matches(&by("tag:env", "prod"), &f, &tags, "pools").unwrap());
        assert!(!matches(&by("tag:env", "dev"), &f, &tags, "pools").unwrap());
        assert!(matches(&by("tag-key", "env"), &f, &tags, "pools").unwrap());
        assert!(matches(&by("nonsense", "x"), &f, &tags, "pools").is_err());
        assert!(check_names(&by("description", "x"), &["description"], "pools").is_ok());
        assert!(check_names(&by("tag:env", "x"), &[], "pools").is_ok());
        let e = check_names(&by("nonsense", "x"), &["description"], "pools").unwrap_err();
        assert_eq!(e.attribute.as_deref(), Some("filter.name"));
    }

    #[test]
    fn single_match_rules() {
        assert_eq!(single(vec![1], "pool").unwrap(), 1);
        assert!(
            single::<i32>(vec![], "pool")
                .unwrap_err()
                .summary
                .contains("no matching pool")
        );
        assert!(
            single(vec![1, 2], "pool")
                .unwrap_err()
                .detail
                .contains("additional constraints")
        );
    }
}
