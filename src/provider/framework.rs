//! The typed plumbing every resource and data source shares: the [`Resource`] and
//! [`DataSource`] traits, the generic plan (computed values unknown when they will change,
//! `requires_replace` for replacing attributes, `tags_all`), and conversions of domain errors into
//! diagnostics on the right attribute.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::ipam::cidr::Cidr;
use crate::ipam::model::Tags;
use crate::ipam::{ErrorKind, Result};
use crate::plugin::diag::{Diagnostic, Diagnostics, Path};
use crate::plugin::grpc::{ApplyRequest, PlanRequest, PlanResponse, StateResponse};
use crate::plugin::schema::{Block, Schema};
use crate::plugin::value::{Number, Obj, Type, Value};
use crate::store::Store;

use super::common::{ObjExt, diag, tags_all_value};
use super::config::Config;

/// What a resource or data source works with: the provider configuration and the database.
pub struct Ctx<'a> {
    pub config: &'a Config,
    pub store: Arc<Store>,
}

/// A managed resource type.
pub trait Resource: Send + Sync {
    /// The type name (`ipam`, `ipam_scope`, ...).
    fn name(&self) -> &'static str;
    /// The schema.
    fn schema(&self) -> Schema;
    /// Checks that need only the configuration (values may be unknown: check what is known).
    fn validate(&self, _config: &Obj, _diags: &mut Diagnostics) {}
    /// Computed attributes that may change on any update (counts, states kept elsewhere): the
    /// model's fields marked `.volatile()` ([`Model::volatile`](super::model::Model::volatile)).
    fn volatile(&self) -> Vec<&'static str> {
        Vec::new()
    }
    /// Attributes holding a CIDR or a collection of CIDRs: the database keeps the canonical
    /// form, the state keeps the configuration's spelling while it denotes the same blocks. The
    /// model's fields marked `.cidr()` ([`Model::cidr_attributes`](super::model::Model::cidr_attributes)).
    fn cidr_attributes(&self) -> Vec<&'static str> {
        Vec::new()
    }
    /// Fills in arguments whose value when not configured depends on the provider configuration
    /// (the aws view's `region`), before the generic planning compares the plan with the prior
    /// state: a change there can replace the object.
    fn plan_defaults(&self, _ctx: &Ctx, _config: &Obj, _planned: &mut Obj) {}
    /// Adjusts a create or update plan after the generic planning; may consult the database.
    fn modify_plan(
        &self,
        _ctx: &Ctx,
        _prior: Option<&Obj>,
        _planned: &mut Obj,
        _config: &Obj,
        _diags: &mut Diagnostics,
    ) {
    }
    /// Creates the object and returns its state.
    fn create(&self, ctx: &Ctx, planned: &Obj) -> Result<Obj>;
    /// Updates the object in place and returns its state.
    fn update(&self, ctx: &Ctx, prior: &Obj, planned: &Obj) -> Result<Obj>;
    /// Deletes the object; deleting a missing object succeeds.
    fn delete(&self, ctx: &Ctx, prior: &Obj) -> Result<()>;
    /// Reads the object; `None` when it no longer exists.
    fn read(&self, ctx: &Ctx, state: &Obj) -> Result<Option<Obj>>;
    /// The state of the object with this import ID.
    fn import(&self, ctx: &Ctx, id: &str) -> Result<Obj>;
}

/// A data source type.
pub trait DataSource: Send + Sync {
    /// The type name.
    fn name(&self) -> &'static str;
    /// The schema.
    fn schema(&self) -> Schema;
    /// Checks that need only the configuration.
    fn validate(&self, _config: &Obj, _diags: &mut Diagnostics) {}
    /// Reads the data.
    fn read(&self, ctx: &Ctx, config: &Obj) -> Result<Obj>;
}

/// What `tags_all` is, in every tagged resource's schema.
pub const TAGS_ALL_DOC: &str = "All the object's tags: `tags` over the provider's `default_tags`, stored with the object. \
     A change of `default_tags` updates every tagged resource in place.";

/// The provider's default tags overlaid with the resource's own, as the AWS provider merges them.
pub fn merged_tags(config: &Config, tags: &Tags) -> Tags {
    let mut all = config.default_tags.clone();
    all.extend(tags.iter().map(|(k, v)| (k.clone(), v.clone())));
    all
}

/// True when two values denote the same CIDRs: two spellings of one block, or two collections
/// whose elements spell the same blocks.
fn same_cidrs(a: &Value, b: &Value) -> bool {
    fn blocks(v: &[Value]) -> Option<BTreeSet<Cidr>> {
        v.iter().map(|e| e.as_str().and_then(|s| Cidr::parse(s).ok())).collect()
    }
    match (a, b) {
        (Value::String(x), Value::String(y)) => Cidr::same_block(x, y),
        _ => match (a.as_elems(), b.as_elems()) {
            (Some(x), Some(y)) => matches!((blocks(x), blocks(y)), (Some(p), Some(q)) if p == q),
            _ => false,
        },
    }
}

/// Semantic equality of CIDRs: wherever `state` spells a CIDR attribute differently from
/// `reference` (the configuration's plan, or the prior state) and both denote the same blocks,
/// keep the reference's spelling, so `2001:DB8::/32` in a configuration never shows a diff
/// against the `2001:db8::/32` the database keeps.
pub fn keep_cidr_spelling(names: &[&str], reference: &Obj, state: &mut Obj) {
    for name in names {
        if let (Some(r), Some(v)) = (reference.get(*name), state.get_mut(*name))
            && r != v
            && same_cidrs(r, v)
        {
            *v = r.clone();
        }
    }
}

/// A number for a message: long decimal texts (Terraform sends `1e300` as 301 digits) in
/// scientific notation.
fn show_number(n: &Number) -> String {
    let text = match n {
        // Whole floats exactly (2^63 is 9223372036854775808, not its shortest form).
        Number::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
        n => n.to_string(),
    };
    match text.parse::<f64>() {
        Ok(f) if text.len() > 20 => format!("{f:e}"),
        _ => text,
    }
}

/// Every number argument must be a whole number that fits a 64-bit integer: a fraction, an
/// exponent beyond that range or a huge integer is refused on its attribute, never read as unset.
pub fn check_whole_numbers(schema: &Schema, config: &Obj, diags: &mut Diagnostics) {
    for a in schema
        .block
        .attributes
        .iter()
        .filter(|a| a.ty == Type::Number && (a.optional || a.required))
    {
        if let Some(Value::Number(n)) = config.get(a.name)
            && n.as_i64().is_none()
        {
            diags.push(Diagnostic::attr_error(
                Path::attr(a.name),
                "Not a whole number",
                format!(
                    "`{}` is {}, but it must be a whole number (e.g. 24); fractions and numbers beyond ±9223372036854775807 have no meaning here.",
                    a.name,
                    show_number(n)
                ),
            ));
        }
    }
}

/// Plans a change generically, then lets the resource adjust it.
pub fn plan(res: &dyn Resource, ctx: Option<&Ctx>, req: PlanRequest) -> PlanResponse {
    let mut out = PlanResponse {
        planned_private: req.prior_private.clone(),
        ..Default::default()
    };
    let prior = req.prior_state.as_obj();
    let Some(proposed) = req.proposed_new_state.as_obj() else {
        // Destroy. Dependants destroyed in the same run are not visible here, so the checks that
        // refuse a delete run at apply, after Terraform has removed them.
        out.planned_state = Value::Null;
        return out;
    };
    let empty = Obj::new();
    let config = req.config.as_obj().unwrap_or(&empty);
    let schema = res.schema();
    let mut planned = proposed.clone();
    if let Some(ctx) = ctx {
        res.plan_defaults(ctx, config, &mut planned);
    }
    check_whole_numbers(&schema, config, &mut out.diagnostics);
    if let Some(prior) = prior {
        keep_cidr_spelling(&res.cidr_attributes(), prior, &mut planned);
    }
    // `tags_all` follows the configuration: `tags` over the provider's current `default_tags`.
    // A change of either (or of the stored value, behind Terraform's back) is an in-place update.
    let tags_all = schema
        .block
        .attribute("tags_all")
        .map(|_| match (ctx, planned.get("tags")) {
            (Some(ctx), Some(t)) if t.is_wholly_known() => {
                tags_all_value(&merged_tags(ctx.config, &planned.tags("tags")))
            }
            _ => Value::Unknown,
        });

    match prior {
        None => {
            for a in schema.block.attributes.iter().filter(|a| a.computed) {
                if config.get(a.name).is_none_or(Value::is_null) {
                    planned.insert(a.name.to_string(), Value::Unknown);
                }
            }
        }
        Some(prior) => {
            for a in schema.block.attributes.iter().filter(|a| a.force_new) {
                let before = prior.get(a.name).unwrap_or(&Value::Null);
                let after = planned.get(a.name).unwrap_or(&Value::Null);
                if !before.semantically_eq(after) {
                    out.requires_replace.push(Path::attr(a.name));
                }
            }
            for b in schema.block.blocks.iter().filter(|b| b.force_new) {
                let before = prior.get(b.name).unwrap_or(&Value::Null);
                let after = planned.get(b.name).unwrap_or(&Value::Null);
                if !before.semantically_eq(after) {
                    out.requires_replace.push(Path::attr(b.name));
                }
            }
            let changed = schema
                .block
                .attributes
                .iter()
                .filter(|a| !a.computed || a.optional)
                .map(|a| a.name)
                .chain(schema.block.blocks.iter().map(|b| b.name))
                .any(|n| {
                    !prior
                        .get(n)
                        .unwrap_or(&Value::Null)
                        .semantically_eq(planned.get(n).unwrap_or(&Value::Null))
                })
                || tags_all
                    .as_ref()
                    .is_some_and(|t| !prior.get("tags_all").unwrap_or(&Value::Null).semantically_eq(t));
            if !out.requires_replace.is_empty() {
                for a in schema.block.attributes.iter().filter(|a| a.computed) {
                    if config.get(a.name).is_none_or(Value::is_null) {
                        planned.insert(a.name.to_string(), Value::Unknown);
                    }
                }
            } else if changed {
                for name in res.volatile() {
                    planned.insert(name.to_string(), Value::Unknown);
                }
                if schema.block.attribute("state").is_some() {
                    planned.insert(
                        "state".into(),
                        Value::str(crate::ipam::model::State::ModifyComplete.as_str()),
                    );
                }
            }
        }
    }
    if let Some(t) = tags_all {
        planned.insert("tags_all".into(), t);
    }
    if let Some(ctx) = ctx {
        // Again: the values are known at plan, not the unknown of an unset computed attribute.
        res.plan_defaults(ctx, config, &mut planned);
        res.modify_plan(ctx, prior, &mut planned, config, &mut out.diagnostics);
    }
    out.planned_state = Value::Object(planned);
    out
}

/// An empty collection and null both mean "none"; Terraform still tells them apart. Wherever
/// `reference` (the plan, or the prior state) has one and `state` the other, keep the reference's.
pub fn reconcile_empty(reference: &Obj, state: &mut Obj) {
    let empty = |v: &Value| match v {
        Value::List(x) | Value::Set(x) => x.is_empty(),
        Value::Map(m) => m.is_empty(),
        _ => false,
    };
    for (k, r) in reference {
        if let Some(v) = state.get_mut(k)
            && ((empty(r) && v.is_null()) || (r.is_null() && empty(v)))
        {
            *v = r.clone();
        }
    }
}

/// Applies a planned change.
pub fn apply(res: &dyn Resource, ctx: &Ctx, req: ApplyRequest) -> StateResponse {
    let prior = req.prior_state.as_obj();
    let planned = req.planned_state.as_obj();
    let result = match (prior, planned) {
        (Some(prior), None) => res.delete(ctx, prior).map(|_| Value::Null),
        (None, Some(planned)) => res.create(ctx, planned).map(|mut o| {
            reconcile_empty(planned, &mut o);
            keep_cidr_spelling(&res.cidr_attributes(), planned, &mut o);
            Value::Object(o)
        }),
        (Some(prior), Some(planned)) => res.update(ctx, prior, planned).map(|mut o| {
            reconcile_empty(planned, &mut o);
            keep_cidr_spelling(&res.cidr_attributes(), planned, &mut o);
            Value::Object(o)
        }),
        (None, None) => Ok(Value::Null),
    };
    match result {
        Ok(v) => StateResponse {
            new_state: v,
            private: req.planned_private,
            diagnostics: Diagnostics::default(),
        },
        // A failed apply keeps the prior state: nothing was written.
        Err(e) => StateResponse {
            new_state: req.prior_state,
            private: Vec::new(),
            diagnostics: diag(&e).into(),
        },
    }
}

/// Reads a resource; a missing object reads as null, which Terraform plans to re-create.
pub fn read(res: &dyn Resource, ctx: &Ctx, state: Value, private: Vec<u8>) -> StateResponse {
    let Some(obj) = state.as_obj() else {
        return StateResponse {
            new_state: Value::Null,
            private,
            diagnostics: Diagnostics::default(),
        };
    };
    match res.read(ctx, obj) {
        Ok(Some(mut o)) => {
            reconcile_empty(obj, &mut o);
            keep_cidr_spelling(&res.cidr_attributes(), obj, &mut o);
            StateResponse {
                new_state: Value::Object(o),
                private,
                diagnostics: Diagnostics::default(),
            }
        }
        Ok(None) => StateResponse {
            new_state: Value::Null,
            private,
            diagnostics: Diagnostics::default(),
        },
        Err(e) if e.kind == ErrorKind::NotFound => StateResponse {
            new_state: Value::Null,
            private,
            diagnostics: Diagnostics::default(),
        },
        Err(e) => StateResponse {
            new_state: state,
            private,
            diagnostics: diag(&e).into(),
        },
    }
}

/// A configured (non-null) value for a read-only attribute, anywhere in `block` (nested blocks
/// included), is an error on that attribute. Terraform itself accepts such values and hands them
/// to the provider, which would otherwise ignore them without a word. Null is "not configured",
/// and Terraform's generated configuration leaves read-only attributes out.
pub fn refuse_read_only(block: &Block, config: &Obj, diags: &mut Diagnostics) {
    read_only_in(block, config, &Path::default(), None, diags);
}

/// `name` is the path shown in the message; `inside_set` the set block the diagnostic points at
/// instead (a set element has no index an attribute path could name).
fn read_only_in(block: &Block, config: &Obj, name: &Path, inside_set: Option<&Path>, diags: &mut Diagnostics) {
    for a in block
        .attributes
        .iter()
        .filter(|a| a.computed && !a.optional && !a.required)
    {
        if config.get(a.name).is_some_and(|v| !v.is_null()) {
            let path = name.clone().then(a.name);
            diags.push(Diagnostic::attr_error(
                inside_set.cloned().unwrap_or_else(|| path.clone()),
                "Read-only attribute",
                format!(
                    "`{path}` is read-only; remove it from the configuration. The provider sets it and shows it in the state; a configured value would be ignored."
                ),
            ));
        }
    }
    for b in &block.blocks {
        let here = name.clone().then(b.name);
        match config.get(b.name) {
            Some(Value::Object(o)) => read_only_in(&b.block, o, &here, inside_set, diags),
            Some(Value::List(elems)) => {
                for (i, o) in elems.iter().enumerate().filter_map(|(i, e)| Some((i, e.as_obj()?))) {
                    read_only_in(&b.block, o, &here.clone().index(i as i64), inside_set, diags);
                }
            }
            Some(Value::Set(elems)) => {
                for o in elems.iter().filter_map(Value::as_obj) {
                    read_only_in(&b.block, o, &here, Some(inside_set.unwrap_or(&here)), diags);
                }
            }
            _ => {}
        }
    }
}

/// Validates a configuration with the resource's own checks and the schema's basic ones.
pub fn validate(schema: &Schema, config: &Value, extra: impl FnOnce(&Obj, &mut Diagnostics)) -> Diagnostics {
    let mut d = Diagnostics::default();
    if let Some(obj) = config.as_obj() {
        refuse_read_only(&schema.block, obj, &mut d);
        for a in schema.block.attributes.iter().filter(|a| a.optional || a.required) {
            if let Some(Value::String(s)) = obj.get(a.name)
                && s.is_empty()
                && a.name != "description"
            {
                d.push(Diagnostic::attr_error(
                    Path::attr(a.name),
                    format!("Empty {}", a.name),
                    format!(
                        "`{}` must not be an empty string. Remove the argument, or give it a value.",
                        a.name
                    ),
                ));
            }
        }
        check_whole_numbers(schema, obj, &mut d);
        extra(obj, &mut d);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::common::obj;

    #[test]
    fn empty_and_null_keep_the_reference_form() {
        let reference = obj([
            ("a", Value::Set(vec![])),
            ("b", Value::Null),
            ("c", Value::Map(Default::default())),
        ]);
        let mut state = obj([
            ("a", Value::Null),
            ("b", Value::List(vec![])),
            ("c", Value::str_map([(&"k".to_string(), &"v".to_string())])),
        ]);
        reconcile_empty(&reference, &mut state);
        assert_eq!(state["a"], Value::Set(vec![]));
        assert_eq!(state["b"], Value::Null);
        assert_eq!(
            state["c"].as_map().map(|m| m.len()),
            Some(1),
            "real content is never replaced"
        );
    }

    #[test]
    fn read_only_attributes_are_refused_anywhere_and_null_is_not_configured() {
        use crate::plugin::schema::{Attribute, NestedBlock, Nesting};
        use crate::plugin::value::Type;
        let inner = || {
            Block::new(
                "",
                vec![
                    Attribute::optional("name", Type::String, ""),
                    Attribute::computed("state", Type::String, ""),
                ],
            )
        };
        let nested = |name, nesting| NestedBlock {
            name,
            nesting,
            block: inner(),
            min_items: 0,
            max_items: 0,
            force_new: false,
        };
        let schema = Schema {
            version: 0,
            block: Block::new(
                "",
                vec![
                    Attribute::computed("id", Type::String, ""),
                    Attribute::optional_computed("locale", Type::String, ""),
                    Attribute::required("name", Type::String, ""),
                    Attribute::computed("count", Type::Number, ""),
                ],
            )
            .with_block(nested("list", Nesting::List))
            .with_block(nested("set", Nesting::Set)),
        };
        let element = |state: Value| Value::Object(obj([("name", Value::str("n")), ("state", state)]));
        let config = Value::Object(obj([
            ("id", Value::str("x")),
            ("locale", Value::str("us-east-1")),
            ("name", Value::str("n")),
            ("count", Value::Unknown),
            (
                "list",
                Value::List(vec![element(Value::Null), element(Value::str("up"))]),
            ),
            ("set", Value::Set(vec![element(Value::str("up"))])),
        ]));
        let d = validate(&schema, &config, |_, _| {});
        let got: Vec<(String, String)> =
            d.0.iter()
                .map(|d| {
                    (
                        d.path.as_ref().map(Path::to_string).unwrap_or_default(),
                        d.detail.clone(),
                    )
                })
                .collect();
        assert_eq!(got.len(), 4, "{got:#?}");
        for (path, named) in [
            ("id", "id"),
            ("count", "count"),
            ("list[1].state", "list[1].state"),
            ("set", "set.state"),
        ] {
            assert!(
                got.iter()
                    .any(|(p, detail)| p == path && detail.starts_with(&format!("`{named}` is read-only; remove it"))),
                "{path}: {got:#?}"
            );
        }
        assert!(
            d.0.iter()
                .all(|d| d.summary == "Read-only attribute" && d.severity == crate::plugin::diag::Severity::Error)
        );
        let clean = Value::Object(obj([
            ("name", Value::str("n")),
            ("id", Value::Null),
            ("list", Value::List(vec![element(Value::Null)])),
        ]));
        assert!(validate(&schema, &clean, |_, _| {}).0.is_empty());
    }

    #[test]
    fn numbers_that_are_not_whole_are_refused_on_their_attribute() {
        use crate::plugin::schema::Attribute;
        let schema = Schema {
            version: 0,
            block: Block::new(
                "",
                vec![
                    Attribute::optional("netmask_length", Type::Number, ""),
                    Attribute::computed("count", Type::Number, ""),
                ],
            ),
        };
        for (n, shown) in [
            (Number::Float(20.5), "20.5"),
            (Number::Float(2f64.powi(63)), "9223372036854775808"),
            (Number::Big(format!("1{}", "0".repeat(300))), "1e300"),
            (Number::Float(-0.5), "-0.5"),
        ] {
            let mut d = Diagnostics::default();
            check_whole_numbers(&schema, &obj([("netmask_length", Value::Number(n))]), &mut d);
            assert_eq!(d.0.len(), 1);
            assert_eq!(
                d.0[0].path.as_ref().map(|p| p.to_string()).as_deref(),
                Some("netmask_length")
            );
            assert!(
                d.0[0].detail.contains(&format!("`netmask_length` is {shown},")),
                "{}",
                d.0[0].detail
            );
        }
        let mut d = Diagnostics::default();
        let fine = obj([
            ("netmask_length", Value::Number(Number::Float(1e16))),
            ("count", Value::Number(Number::Float(0.5))),
        ]);
        check_whole_numbers(&schema, &fine, &mut d);
        assert!(d.0.is_empty(), "computed attributes are the provider's own");
    }

    /// The attributes each resource plans as volatile and keeps the CIDR spelling of, as its
    /// model declares them: volatile ones are computed only (a plan may not make an argument
    /// unknown), CIDR ones hold strings.
    #[test]
    fn each_resource_declares_its_volatile_and_cidr_attributes() {
        let facts: Vec<(&str, Vec<&str>, Vec<&str>)> = crate::provider::all_resources()
            .iter()
            .map(|r| (r.name(), r.volatile(), r.cidr_attributes()))
            .collect();
        assert_eq!(
            facts,
            [
                ("ipam", vec!["scope_count"], vec![]),
                ("ipam_scope", vec!["pool_count"], vec![]),
                ("ipam_pool", vec!["provisioned_cidrs"], vec![]),
                ("ipam_pool_cidr", vec![], vec!["cidr"]),
                (
                    "ipam_pool_allocation",
                    vec!["compliance_status"],
                    vec!["cidr", "disallowed_cidrs"]
                ),
                ("ipam_preview_next_cidr", vec![], vec!["disallowed_cidrs"]),
                ("ipam_resource_share", vec![], vec![]),
            ]
        );
        for r in crate::provider::all_resources() {
            let schema = r.schema();
            for name in r.volatile() {
                let a = schema.block.attribute(name).unwrap();
                assert!(a.computed && !a.optional && !a.required, "{}.{name}", r.name());
            }
            for name in r.cidr_attributes() {
                let ty = &schema.block.attribute(name).unwrap().ty;
                assert!(
                    [Type::String, Type::list_of(Type::String), Type::set_of(Type::String)].contains(ty),
                    "{}.{name}",
                    r.name()
                );
            }
        }
    }

    #[test]
    fn cidr_spelling_follows_the_reference_when_the_blocks_agree() {
        let reference = obj([
            ("cidr", Value::str("2001:DB8::/32")),
            (
                "disallowed_cidrs",
                Value::str_set(["2001:0DB8:1::/48", "2001:db8:1::/48"]),
            ),
            ("other", Value::str("2001:DB8::/32")),
        ]);
        let mut state = obj([
            ("cidr", Value::str("2001:db8::/32")),
            ("disallowed_cidrs", Value::str_set(["2001:db8:1::/48"])),
            ("other", Value::str("2001:db8::/32")),
        ]);
        keep_cidr_spelling(&["cidr", "disallowed_cidrs"], &reference, &mut state);
        assert_eq!(state["cidr"], reference["cidr"]);
        assert_eq!(state["disallowed_cidrs"], reference["disallowed_cidrs"]);
        assert_eq!(state["other"], Value::str("2001:db8::/32"), "only the named attributes");
        let mut moved = obj([
            ("cidr", Value::str("2001:db8::/33")),
            ("disallowed_cidrs", Value::str_set(["2001:db8:2::/48"])),
        ]);
        keep_cidr_spelling(&["cidr", "disallowed_cidrs"], &reference, &mut moved);
        assert_eq!(
            moved["cidr"],
            Value::str("2001:db8::/33"),
            "another block is drift, kept"
        );
        assert_eq!(moved["disallowed_cidrs"], Value::str_set(["2001:db8:2::/48"]));
    }
}
