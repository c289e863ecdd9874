//! Read-only views of a model: a data source that shows a resource's objects (`ipam`,
//! `ipam_pools`, ...) shows the resource's own model, so each attribute is declared once, in the
//! resource's file.
//!
//! ```ignore
//! /// Pools as data sources show them.
//! pub struct PoolView;
//! impl DataView for PoolView {
//!     type Model = PoolModel;
//!     fn hides(name: &str) -> bool {
//!         name == "cascade"
//!     }
//! }
//! model! {
//!     pub struct PoolData("Reads one pool.") {
//!         id: String = required("The pool ID."),
//!         pool: ReadOnly<ButId<PoolView>> = flatten(),
//!     }
//! }
//! ```
//!
//! [`ReadOnly<V>`] holds a value of the model and is itself a [`Model`] (flattened into a data
//! source's model, or the element of a list of objects): its schema is the model's, every
//! attribute computed (no `required`, `optional` or `force_new`; `sensitive` kept), each nested
//! block a computed attribute of the block's value type, and what the [`DataView`] says differs:
//! attributes left out, or shown under another name or description. Its object is the model's
//! object with the same renames, written once from the typed value (no state object in between).
//! Other views of the same models (the upstream `aws_*` names) are further [`DataView`]s.

use std::fmt;
use std::marker::PhantomData;

use crate::ipam::Result;
use crate::plugin::schema::{Attribute, Nesting};
use crate::plugin::value::{Obj, Type, Value};

use super::model::{Model, Spec, Specs, TfValue};

/// How a data source shows a model: what it leaves out and what it names or describes otherwise.
/// Every attribute not mentioned is shown as the model declares it, read-only.
pub trait DataView: 'static {
    /// The model shown.
    type Model: Model;
    /// Whether the view leaves out the model's attribute (or block) `name`.
    fn hides(name: &str) -> bool;
    /// The name and description under which the view shows the model's attribute `name`,
    /// which the model describes as `description`.
    fn shows(name: &'static str, description: &'static str) -> (&'static str, &'static str) {
        (name, description)
    }
}

/// The view `V` without the model's `id`: for data sources that declare their own (the ID they
/// look an object up by).
pub struct ButId<V>(PhantomData<V>);

impl<V: DataView> DataView for ButId<V> {
    type Model = V::Model;
    fn hides(name: &str) -> bool {
        name == "id" || V::hides(name)
    }
    fn shows(name: &'static str, description: &'static str) -> (&'static str, &'static str) {
        V::shows(name, description)
    }
}

/// A value of a model, shown through the view `V`.
pub struct ReadOnly<V: DataView>(pub V::Model);

impl<V: DataView> ReadOnly<V> {
    /// The same value through another view of its model.
    pub fn view<W: DataView<Model = V::Model>>(self) -> ReadOnly<W> {
        ReadOnly(self.0)
    }

    /// The model's attribute and block names the view shows, each with the name it shows it under.
    fn shown() -> impl Iterator<Item = (&'static str, &'static str)> {
        V::Model::specs().into_iter().filter_map(|s| {
            let (name, description) = match &s {
                Spec::Attribute(a) => (a.name, a.description),
                Spec::Block(b) => (b.name, b.block.description),
            };
            (!V::hides(name)).then(|| (name, V::shows(name, description).0))
        })
    }
}

impl<V: DataView> Clone for ReadOnly<V>
where
    V::Model: Clone,
{
    fn clone(&self) -> Self {
        ReadOnly(self.0.clone())
    }
}

impl<V: DataView> fmt::Debug for ReadOnly<V>
where
    V::Model: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ReadOnly").field(&self.0).finish()
    }
}

impl<V: DataView> PartialEq for ReadOnly<V>
where
    V::Model: PartialEq,
{
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<V: DataView> Model for ReadOnly<V> {
    const DESCRIPTION: &'static str = "";

    fn declared() -> Specs {
        let entries = V::Model::specs()
            .into_iter()
            .filter_map(|s| {
                let (name, ty, description, sensitive) = match s {
                    Spec::Attribute(a) => (a.name, a.ty, a.description, a.sensitive),
                    Spec::Block(b) => {
                        let inner = b.block.implied_type();
                        let ty = match b.nesting {
                            Nesting::Single => inner,
                            Nesting::List => Type::list_of(inner),
                            Nesting::Set => Type::set_of(inner),
                        };
                        (b.name, ty, b.block.description, false)
                    }
                };
                if V::hides(name) {
                    return None;
                }
                let (name, description) = V::shows(name, description);
                let a = Attribute::computed(name, ty, description);
                Some(Spec::Attribute(if sensitive { a.sensitive() } else { a }))
            })
            .collect();
        Specs::of(entries)
    }

    fn from_obj(o: &Obj) -> Result<Self> {
        let model: Obj = Self::shown()
            .filter_map(|(name, shown)| o.get(shown).map(|v| (name.to_string(), v.clone())))
            .collect();
        V::Model::from_obj(&model).map(ReadOnly)
    }

    fn write(&self, o: &mut Obj) {
        let mut model = self.0.to_obj();
        for (name, shown) in Self::shown() {
            o.insert(shown.to_string(), model.remove(name).unwrap_or(Value::Null));
        }
    }
}

impl<V: DataView> TfValue for ReadOnly<V> {
    fn ty() -> Type {
        Self::object_type()
    }
    fn decode(v: &Value) -> std::result::Result<Self, String> {
        match v {
            Value::Object(o) => Self::from_obj(o).map_err(|e| e.detail),
            other => Err(format!("{other:?}")),
        }
    }
    fn encode(&self) -> Value {
        Value::Object(self.to_obj())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::provider::model::{Maybe, Set, model};
    use crate::provider::resource_ipam::OperatingRegion as Region;

    model! {
        /// A resource's model.
        struct Thing("A thing.") {
            id: Maybe<String> = computed("The ID."),
            name: String = required("The name.").force_new(),
            secret: Option<String> = optional("A secret.").sensitive(),
            cascade: Option<bool> = optional("Delete what is inside too."),
            tags: Option<BTreeMap<String, String>> = optional("Tags."),
            tags_all: Maybe<BTreeMap<String, String>> = computed("All tags."),
            regions: Maybe<Set<Region>> = set_block("Where.").min_items(1),
            hosts: Vec<Region> = list_block("Hosts."),
        }
    }

    /// Things as a data source shows them: no `cascade`, `tags_all` as `tags`.
    struct ThingView;
    impl DataView for ThingView {
        type Model = Thing;
        fn hides(name: &str) -> bool {
            matches!(name, "cascade" | "tags")
        }
        fn shows(name: &'static str, description: &'static str) -> (&'static str, &'static str) {
            match name {
                "tags_all" => ("tags", "The tags."),
                _ => (name, description),
            }
        }
    }

    model! {
        /// A data source showing one thing.
        struct ThingData("Reads a thing.") {
            id: String = required("The thing to read."),
            thing: ReadOnly<ButId<ThingView>> = flatten(),
        }
    }

    fn thing() -> Thing {
        let region = |r: &str| Region { region_name: r.into() };
        Thing {
            id: Maybe::Known("t-1".into()),
            name: "n".into(),
            secret: Some("s".into()),
            cascade: Some(true),
            tags: None,
            tags_all: Maybe::Known([("a".to_string(), "b".to_string())].into()),
            regions: Maybe::Known(Set(vec![region("us-east-1")])),
            hosts: vec![region("h")],
        }
    }

    #[test]
    fn the_view_is_the_models_schema_read_only_with_its_changes() {
        let s = ThingData::schema();
        let names: Vec<&str> = s.block.attributes.iter().map(|a| a.name).collect();
        assert_eq!(names, ["id", "name", "secret", "tags", "regions", "hosts"]);
        assert!(s.block.blocks.is_empty(), "blocks become attributes");
        let a = |n: &str| s.block.attribute(n).unwrap().clone();
        assert!(a("id").required, "the data source's own `id`");
        assert_eq!(a("id").description, "The thing to read.");
        for n in &names[1..] {
            let a = a(n);
            assert!(a.computed && !a.optional && !a.required && !a.force_new, "{n}: {a:?}");
        }
        assert_eq!(a("name").description, "The name.");
        assert!(a("secret").sensitive && !a("name").sensitive);
        assert_eq!(a("tags").description, "The tags.");
        assert_eq!(a("tags").ty, Type::map_of(Type::String));
        let region = Type::object([("region_name".to_string(), Type::String)]);
        assert_eq!(
            (a("regions").ty, a("regions").description),
            (Type::set_of(region.clone()), "Where.")
        );
        assert_eq!(a("hosts").ty, Type::list_of(region));
    }

    #[test]
    fn the_view_writes_the_models_object_renamed_and_reads_it_back() {
        let t = thing();
        let o = ReadOnly::<ThingView>(t.clone()).to_obj();
        let keys: Vec<&str> = o.keys().map(String::as_str).collect();
        assert_eq!(keys, ["hosts", "id", "name", "regions", "secret", "tags"]);
        assert_eq!(o["tags"], t.tags_all.encode(), "`tags` shows `tags_all`");
        assert_eq!(o["regions"], t.regions.encode());
        let back = ReadOnly::<ThingView>::from_obj(&o).unwrap().0;
        assert_eq!(
            back,
            Thing {
                cascade: None,
                ..t.clone()
            },
            "what the view hides reads as null"
        );
        let data = ThingData {
            id: "t-1".into(),
            thing: ReadOnly::<ThingView>(t).view(),
        };
        let o = data.to_obj();
        assert_eq!(o["id"], Value::str("t-1"));
        assert!(!o.contains_key("cascade") && !o.contains_key("tags_all"));
        assert_eq!(ReadOnly::<ThingView>::ty(), ReadOnly::<ThingView>::object_type());
    }
}
