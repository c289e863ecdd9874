//! Helpers every resource and data source (and the provider block) shares: typed access to a
//! Terraform object's attributes, building objects and tag values, and domain errors as
//! diagnostics on their attribute.

use std::collections::BTreeMap;

use crate::ipam::model::Tags;
use crate::ipam::{AttrPath, Error, PathStep};
use crate::plugin::diag::{Diagnostic, Path};
use crate::plugin::value::{Obj, Value};

/// A domain error's attribute path, step by step, as Terraform addresses it. A set element has
/// no index or key Terraform could resolve, so its step is left out: Terraform resolves the
/// attribute after it when the set has one element (`operating_regions { region_name }` shows
/// `region_name`), and shows the whole resource otherwise; the detail names the element.
pub fn attribute_path(p: &AttrPath) -> Path {
    p.0.iter().fold(Path::default(), |path, step| match step {
        PathStep::Attr(a) => path.then(a),
        PathStep::Index(i) => path.index(*i),
        PathStep::Key(k) => path.key(k),
        PathStep::SetElement => path,
    })
}

/// A domain error as a diagnostic on its attribute.
pub fn diag(e: &Error) -> Diagnostic {
    let d = Diagnostic::error(e.summary.clone(), e.detail.clone());
    match &e.attribute {
        Some(a) => d.at(attribute_path(a)),
        None => d,
    }
}

/// A rule that depends on mutable state of another object (an IPAM's operating regions, a pool's
/// rules, shares, free space, counts) is decided at apply, inside the write transaction: the same
/// plan may change that object first, and Terraform plans each resource on its own. When the
/// stored state would refuse the change today, the plan says so with this warning on the
/// attribute, naming what apply will check.
pub fn checked_at_apply(e: &Error) -> Diagnostic {
    let d = Diagnostic::warning(
        format!("Checked at apply: {}", e.summary),
        format!(
            "{}\n\nThis is how the database stands now. It depends on another object that this plan may change, so apply decides it again, after \
             the changes this resource depends on: if they fix it, apply succeeds; otherwise apply refuses this resource and writes nothing.",
            e.detail
        ),
    );
    match &e.attribute {
        Some(a) => d.at(attribute_path(a)),
        None => d,
    }
}

/// Typed access to an object's attributes.
pub trait ObjExt {
    fn str(&self, k: &str) -> Option<&str>;
    fn string(&self, k: &str) -> Option<String>;
    fn int(&self, k: &str) -> Option<i64>;
    fn boolean(&self, k: &str) -> Option<bool>;
    fn known(&self, k: &str) -> bool;
    fn tags(&self, k: &str) -> Tags;
    fn strings(&self, k: &str) -> Vec<String>;
}

impl ObjExt for Obj {
    fn str(&self, k: &str) -> Option<&str> {
        self.get(k).and_then(Value::as_str)
    }
    fn string(&self, k: &str) -> Option<String> {
        self.str(k).map(str::to_string)
    }
    fn int(&self, k: &str) -> Option<i64> {
        self.get(k).and_then(Value::as_i64)
    }
    fn boolean(&self, k: &str) -> Option<bool> {
        self.get(k).and_then(Value::as_bool)
    }
    fn known(&self, k: &str) -> bool {
        self.get(k).is_some_and(Value::is_wholly_known)
    }
    fn tags(&self, k: &str) -> Tags {
        self.get(k)
            .and_then(Value::as_map)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                    .collect()
            })
            .unwrap_or_default()
    }
    fn strings(&self, k: &str) -> Vec<String> {
        self.get(k)
            .and_then(Value::as_elems)
            .map(|v| v.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }
}

/// `tags` as a value: null when empty, so an absent `tags` argument reads back as absent.
pub fn tags_value(tags: &Tags) -> Value {
    if tags.is_empty() {
        Value::Null
    } else {
        Value::str_map(tags)
    }
}

/// `tags_all` as stored: always a map, empty when the object has no tags.
pub fn tags_all_value(tags_all: &Tags) -> Value {
    Value::str_map(tags_all)
}

/// Builds an object from name/value pairs.
pub fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Obj {
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect::<BTreeMap<_, _>>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::diag::Step;

    #[test]
    fn error_paths_become_terraform_paths_step_by_step() {
        let list = AttrPath::attr("cidr_authorization_context").index(0).then("message");
        assert_eq!(
            attribute_path(&list).0,
            vec![
                Step::Attr("cidr_authorization_context".into()),
                Step::Index(0),
                Step::Attr("message".into())
            ]
        );
        let set = AttrPath::attr("operating_regions").element().then("region_name");
        assert_eq!(
            attribute_path(&set).0,
            vec![Step::Attr("operating_regions".into()), Step::Attr("region_name".into())],
            "a set element has no step Terraform can resolve"
        );
        let map = AttrPath::attr("tags").key("env");
        assert_eq!(
            attribute_path(&map).0,
            vec![Step::Attr("tags".into()), Step::Key("env".into())]
        );
        let e = Error::invalid("Bad", "detail").at_path(list);
        assert_eq!(
            diag(&e).path.map(|p| p.to_string()).as_deref(),
            Some("cidr_authorization_context[0].message")
        );
    }
}
