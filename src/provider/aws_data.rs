//! The `aws` view of a data source: upstream's name and schema (`hashicorp/aws` v6) over the same
//! data source, the same lookup and the same rows. A [`DataSourceView`] says, for one data source,
//! how upstream's object differs from ours: renamed, hidden and added attributes, collections
//! upstream holds as sets where ours are lists (or the reverse), the elements of a collection of
//! objects (a [`Shape`] of their own), read-only attributes upstream also accepts as arguments,
//! and the `timeouts` block. [`AwsDataSource`] derives upstream's schema from the data source's
//! own and converts the configuration to ours and the result to upstream's around every read.
//!
//! What the view adds that no data source of the ipam view has:
//! * `region` (optional + computed): the region the lookup is made in, the provider's when not
//!   configured; the read runs with it as the provider's region (a plural data source's `id`).
//! * `timeouts {}`: accepted and echoed as configured (reads are synchronous).
//! * `ignore_tags {}` of the provider block: matching keys are left out of every `tags`.

use crate::ipam::{Error, PathStep, Result, rules};
use crate::plugin::diag::{Diagnostics, Path, Step};
use crate::plugin::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use crate::plugin::value::{Obj, Type, Value};

use super::aws_resource::{timeouts_block, without_ignored};
use super::common::diag;
use super::config::IgnoreTags;
use super::framework::{Ctx, DataSource};

/// An attribute upstream's object has and ours has not, derived from ours.
pub struct Added {
    /// Upstream's name.
    pub name: &'static str,
    /// Its type.
    pub ty: fn() -> Type,
    /// Its description.
    pub description: &'static str,
    /// Its value, from our object.
    pub value: fn(&Obj) -> Value,
}

/// How one object of upstream's differs from ours: a data source's own attributes, or the
/// elements of one of its collections of objects.
pub struct Shape {
    /// `(ours, upstream's)` attribute names that differ.
    pub renames: &'static [(&'static str, &'static str)],
    /// Our attributes and blocks upstream's object does not have.
    pub hidden: &'static [&'static str],
    /// Our lists that upstream holds as sets: upstream's names.
    pub as_set: &'static [&'static str],
    /// Our sets that upstream holds as lists: upstream's names.
    pub as_list: &'static [&'static str],
    /// Number attributes upstream shows as 0 when ours are null: upstream's names.
    pub zero_when_null: &'static [&'static str],
    /// Attributes upstream has and ours has not.
    pub added: &'static [Added],
    /// Collections of objects whose elements differ too: upstream's name and the elements' shape.
    pub items: &'static [(&'static str, &'static Shape)],
}

impl Shape {
    /// A shape that changes nothing: start a shape from it (`Shape { hidden: &[...], ..Shape::SAME }`).
    pub const SAME: Shape = Shape {
        renames: &[],
        hidden: &[],
        as_set: &[],
        as_list: &[],
        zero_when_null: &[],
        added: &[],
        items: &[],
    };

    /// Upstream's name of our attribute.
    fn upstream_name<'a>(&self, ours: &'a str) -> &'a str {
        self.renames.iter().find(|(o, _)| *o == ours).map_or(ours, |(_, u)| u)
    }

    /// The element shape of upstream's collection `name`.
    fn items_of(&self, name: &str) -> Option<&'static Shape> {
        self.items.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
    }

    /// Upstream's type of the attribute upstream calls `name`, from ours.
    fn ty(&self, name: &str, ours: &Type) -> Type {
        let elem = |t: &Type| match self.items_of(name) {
            Some(shape) => shape.object_type(t),
            None => t.clone(),
        };
        match ours {
            Type::List(t) if self.as_set.contains(&name) => Type::set_of(elem(t)),
            Type::Set(t) if self.as_list.contains(&name) => Type::list_of(elem(t)),
            Type::List(t) => Type::list_of(elem(t)),
            Type::Set(t) => Type::set_of(elem(t)),
            other => other.clone(),
        }
    }

    /// Upstream's object type of an element, from ours.
    fn object_type(&self, ours: &Type) -> Type {
        let Type::Object(attrs, optional) = ours else {
            return ours.clone();
        };
        let mut out: std::collections::BTreeMap<String, Type> = attrs
            .iter()
            .filter(|(n, _)| !self.hidden.contains(&n.as_str()))
            .map(|(n, t)| {
                let name = self.upstream_name(n);
                (name.to_string(), self.ty(name, t))
            })
            .collect();
        out.extend(self.added.iter().map(|a| (a.name.to_string(), (a.ty)())));
        Type::Object(out, optional.clone())
    }

    /// Upstream's value of the attribute upstream calls `name`, from ours.
    fn value(&self, name: &str, v: Value, ignore: &IgnoreTags) -> Value {
        if name == "tags" {
            return without_ignored(Some(&v), ignore);
        }
        if v.is_null() && self.zero_when_null.contains(&name) {
            return Value::int(0);
        }
        let elems = |es: Vec<Value>| -> Vec<Value> {
            match self.items_of(name) {
                Some(shape) => es
                    .into_iter()
                    .map(|e| match e {
                        Value::Object(o) => Value::Object(shape.object(&o, ignore)),
                        other => other,
                    })
                    .collect(),
                None => es,
            }
        };
        match v {
            Value::List(es) if self.as_set.contains(&name) => Value::Set(elems(es)),
            Value::Set(es) if self.as_list.contains(&name) => Value::List(elems(es)),
            Value::List(es) => Value::List(elems(es)),
            Value::Set(es) => Value::Set(elems(es)),
            other => other,
        }
    }

    /// Upstream's object from ours.
    fn object(&self, ours: &Obj, ignore: &IgnoreTags) -> Obj {
        let mut o: Obj = ours
            .iter()
            .filter(|(n, _)| !self.hidden.contains(&n.as_str()))
            .map(|(n, v)| {
                let name = self.upstream_name(n);
                (name.to_string(), self.value(name, v.clone(), ignore))
            })
            .collect();
        for a in self.added {
            o.insert(a.name.to_string(), (a.value)(ours));
        }
        o
    }
}

/// How upstream's data source of one type differs from ours.
pub struct DataSourceView {
    /// Upstream's type name.
    pub name: &'static str,
    /// The data source's own attributes.
    pub shape: Shape,
    /// Our read-only attributes upstream also accepts as arguments (optional + computed there):
    /// upstream's names. As upstream, a configured value is not used for the lookup.
    pub arguments: &'static [&'static str],
    /// Attributes optional and not computed upstream: upstream's names.
    pub optional_only: &'static [&'static str],
    /// The durations of the `timeouts {}` block; empty when upstream's type has none.
    pub timeouts: &'static [&'static str],
}

impl DataSourceView {
    /// A view that changes nothing but the name: start a view from it
    /// (`DataSourceView { name: "aws_...", timeouts: &["read"], ..DataSourceView::SAME }`).
    pub const SAME: DataSourceView = DataSourceView {
        name: "",
        shape: Shape::SAME,
        arguments: &[],
        optional_only: &[],
        timeouts: &[],
    };

    /// Upstream's schema, derived from ours.
    pub fn schema(&self, ours: &Schema) -> Schema {
        let shape = &self.shape;
        let mut attributes: Vec<Attribute> = ours
            .block
            .attributes
            .iter()
            .filter(|a| !shape.hidden.contains(&a.name))
            .map(|a| {
                let mut a = a.clone();
                a.name = shape.upstream_name(a.name);
                a.ty = shape.ty(a.name, &a.ty);
                if self.arguments.contains(&a.name) {
                    a.optional = true;
                    a.computed = true;
                }
                if self.optional_only.contains(&a.name) {
                    a.optional = true;
                    a.required = false;
                    a.computed = false;
                }
                a
            })
            .collect();
        attributes.extend(
            shape
                .added
                .iter()
                .map(|a| Attribute::computed(a.name, (a.ty)(), a.description)),
        );
        attributes.push(Attribute::optional_computed(
            "region",
            Type::String,
            "The region the lookup is made in: the provider's region when not set.",
        ));
        let mut blocks: Vec<NestedBlock> = ours
            .block
            .blocks
            .iter()
            .filter(|b| !shape.hidden.contains(&b.name))
            .cloned()
            .collect();
        if !self.timeouts.is_empty() {
            blocks.push(timeouts_block(self.timeouts));
        }
        Schema {
            version: ours.version,
            block: Block {
                description: ours.block.description,
                attributes,
                blocks,
            },
        }
    }
}

/// A data source served under upstream's name.
pub struct AwsDataSource {
    inner: Box<dyn DataSource>,
    view: &'static DataSourceView,
    schema: Schema,
    ours: Schema,
}

impl AwsDataSource {
    pub fn new(inner: Box<dyn DataSource>, view: &'static DataSourceView) -> AwsDataSource {
        let ours = inner.schema();
        AwsDataSource {
            schema: view.schema(&ours),
            ours,
            inner,
            view,
        }
    }

    /// Our configuration from upstream's: renamed back, collections in our kind, without what
    /// upstream accepts and does not look up by, `region` and `timeouts`.
    fn to_ours(&self, up: &Obj) -> Obj {
        let shape = &self.view.shape;
        let mut o = Obj::new();
        for a in &self.ours.block.attributes {
            let name = shape.upstream_name(a.name);
            let v = if shape.hidden.contains(&a.name) || self.view.arguments.contains(&name) {
                Value::Null
            } else {
                match up.get(name).cloned().unwrap_or(Value::Null) {
                    Value::List(es) if matches!(a.ty, Type::Set(_)) => Value::Set(es),
                    Value::Set(es) if matches!(a.ty, Type::List(_)) => Value::List(es),
                    v => v,
                }
            };
            o.insert(a.name.to_string(), v);
        }
        for b in &self.ours.block.blocks {
            let v = match up.get(b.name) {
                Some(v) if !shape.hidden.contains(&b.name) => v.clone(),
                _ => match b.nesting {
                    Nesting::Single => Value::Null,
                    Nesting::List => Value::List(Vec::new()),
                    Nesting::Set => Value::Set(Vec::new()),
                },
            };
            o.insert(b.name.to_string(), v);
        }
        o
    }

    /// Upstream's result from ours, with `region` and `timeouts` as configured. Arguments
    /// upstream does not look up by show the object's values, as upstream's do.
    fn to_upstream(&self, ours: &Obj, config: &Obj, region: &str, ignore: &IgnoreTags) -> Obj {
        let mut o = self.view.shape.object(ours, ignore);
        o.insert("region".into(), Value::str(region));
        if !self.view.timeouts.is_empty() {
            o.insert(
                "timeouts".into(),
                config.get("timeouts").cloned().unwrap_or(Value::Null),
            );
        }
        o
    }
}

impl DataSource for AwsDataSource {
    fn name(&self) -> &'static str {
        self.view.name
    }

    fn schema(&self) -> Schema {
        self.schema.clone()
    }

    fn validate(&self, config: &Obj, diags: &mut Diagnostics) {
        if let Some(r) = config.get("region").and_then(Value::as_str)
            && let Err(e) = rules::check_region_name(r, "region")
        {
            diags.push(diag(&e));
        }
        let mut inner = Diagnostics::default();
        self.inner.validate(&self.to_ours(config), &mut inner);
        for d in &mut inner.0 {
            if let Some(Path(steps)) = &mut d.path
                && let Some(Step::Attr(first)) = steps.first_mut()
            {
                *first = self.view.shape.upstream_name(first).to_string();
            }
        }
        diags.0.extend(inner.0);
    }

    fn read(&self, ctx: &Ctx, config: &Obj) -> Result<Obj> {
        let region = config
            .get("region")
            .and_then(Value::as_str)
            .filter(|r| !r.is_empty())
            .unwrap_or(&ctx.config.region)
            .to_string();
        let mut cfg = ctx.config.clone();
        cfg.region = region.clone();
        let inner_ctx = Ctx {
            config: &cfg,
            store: ctx.store.clone(),
        };
        let ours = self
            .inner
            .read(&inner_ctx, &self.to_ours(config))
            .map_err(|e| self.rename_error(e))?;
        Ok(self.to_upstream(&ours, config, &region, &ctx.config.ignore_tags))
    }
}

impl AwsDataSource {
    /// Our error's path in upstream's names.
    fn rename_error(&self, mut e: Error) -> Error {
        if let Some(p) = &mut e.attribute
            && let Some(PathStep::Attr(first)) = p.0.first_mut()
        {
            *first = self.view.shape.upstream_name(first).to_string();
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static ELEMENT: Shape = Shape {
        hidden: &["secret"],
        renames: &[("home", "where")],
        ..Shape::SAME
    };

    static VIEW: DataSourceView = DataSourceView {
        name: "aws_things",
        shape: Shape {
            hidden: &["usage"],
            as_set: &["things"],
            as_list: &["regions"],
            zero_when_null: &["size"],
            added: &[Added {
                name: "count",
                ty: || Type::Number,
                description: "",
                value: |_| Value::int(1),
            }],
            items: &[("things", &ELEMENT)],
            ..Shape::SAME
        },
        arguments: &["id"],
        optional_only: &["thing_id"],
        timeouts: &["read"],
    };

    fn ours() -> Schema {
        let element = Type::object([("secret".to_string(), Type::String), ("home".to_string(), Type::String)]);
        Schema {
            version: 0,
            block: Block::new(
                "",
                vec![
                    Attribute::computed("id", Type::String, ""),
                    Attribute::optional_computed("thing_id", Type::String, ""),
                    Attribute::computed("usage", Type::Number, ""),
                    Attribute::computed("size", Type::Number, ""),
                    Attribute::computed("things", Type::list_of(element), ""),
                    Attribute::computed("regions", Type::set_of(Type::String), ""),
                ],
            ),
        }
    }

    #[test]
    fn the_schema_is_derived_from_ours() {
        let up = VIEW.schema(&ours());
        let a = |n: &str| up.block.attribute(n).unwrap_or_else(|| panic!("{n}")).clone();
        let flags = |n: &str| {
            let a = a(n);
            (a.required, a.optional, a.computed)
        };
        assert!(up.block.attribute("usage").is_none());
        assert_eq!(flags("id"), (false, true, true));
        assert_eq!(flags("thing_id"), (false, true, false));
        assert_eq!(flags("region"), (false, true, true));
        assert_eq!(flags("count"), (false, false, true));
        assert_eq!(
            a("things").ty,
            Type::set_of(Type::object([("where".to_string(), Type::String)]))
        );
        assert_eq!(a("regions").ty, Type::list_of(Type::String));
        assert_eq!(up.block.blocks.len(), 1);
        assert_eq!(up.block.blocks[0].name, "timeouts");
    }

    #[test]
    fn values_are_converted_both_ways() {
        let view = AwsDataSource::new(Box::new(Fixed), &VIEW);
        let element = Value::Object(Obj::from([
            ("secret".to_string(), Value::str("s")),
            ("home".to_string(), Value::str("h")),
        ]));
        let ours = Obj::from([
            ("id".to_string(), Value::str("x")),
            ("usage".to_string(), Value::int(3)),
            ("size".to_string(), Value::Null),
            ("things".to_string(), Value::List(vec![element])),
            ("regions".to_string(), Value::str_set(["a"])),
        ]);
        let config = Obj::from([
            ("id".to_string(), Value::str("given")),
            ("regions".to_string(), Value::List(vec![Value::str("a")])),
        ]);
        let up = view.to_upstream(&ours, &config, "eu-west-1", &IgnoreTags::default());
        assert_eq!(up["id"], Value::str("x"), "the object's value, not the configured one");
        assert!(!up.contains_key("usage"));
        assert_eq!(up["size"], Value::int(0));
        assert_eq!(up["count"], Value::int(1));
        assert_eq!(up["region"], Value::str("eu-west-1"));
        assert_eq!(up["timeouts"], Value::Null);
        assert_eq!(
            up["things"],
            Value::Set(vec![Value::Object(Obj::from([("where".to_string(), Value::str("h"))]))])
        );
        assert_eq!(up["regions"], Value::List(vec![Value::str("a")]));
        let back = view.to_ours(&config);
        assert_eq!(back["id"], Value::Null, "not used for the lookup");
        assert_eq!(back["regions"], Value::str_set(["a"]));
        assert!(!back.contains_key("region") && !back.contains_key("count"));
    }

    struct Fixed;
    impl DataSource for Fixed {
        fn name(&self) -> &'static str {
            "things"
        }
        fn schema(&self) -> Schema {
            ours()
        }
        fn read(&self, _: &Ctx, config: &Obj) -> Result<Obj> {
            Ok(config.clone())
        }
    }
}
