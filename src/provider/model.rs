//! Typed models: the attributes of a resource or data source declared once, as the fields of a
//! struct, from which its schema, the reading of a Terraform object and the writing of one are
//! generated (as terraform-plugin-framework's `tfsdk:"name"` struct tags do).
//!
//! ```ignore
//! model! {
//!     /// `ipam_pool_cidrs`.
//!     pub struct PoolCidrsModel("Lists the CIDRs provisioned to a pool, in address order.") {
//!         id: Option<String> = computed("The pool ID."),
//!         ipam_pool_id: String = required("The pool."),
//!         ipam_pool_cidrs: Vec<PoolCidrItem> = computed("The provisioned CIDRs."),
//!         filter: Set<Filter> = set_block("Filters: `cidr`, `state`, `ipam-pool-cidr-id`."),
//!     }
//! }
//! ```
//!
//! * **The field is the attribute.** Its name is the attribute's name, its Rust type decides the
//!   Terraform type ([`TfValue`]), and the kind after `=` decides the rest: `required`,
//!   `optional`, `computed`, `optional_computed` (attributes), `list_block`, `set_block`,
//!   `single_block` (nested blocks, of a `Vec<M>`, [`Set<M>`] or `Option<M>` of a model `M`; the
//!   argument is the block's description), or `flatten()`: the fields of another model, in this
//!   object (shared groups of attributes such as a pool's, or utilisation figures). Modifiers
//!   follow: `.force_new()`, `.sensitive()`, `.min_items(n)`, `.max_items(n)`, and two the
//!   framework reads instead of lists of names: `.volatile()` (a computed attribute that may
//!   change on any update, such as a count: unknown in a plan that changes anything else) and
//!   `.cidr()` (a CIDR or a collection of CIDRs: the state keeps the configuration's spelling
//!   of the blocks the database keeps in canonical form). The description in parentheses after
//!   the struct's name is the schema's (empty for models used only nested).
//! * **Types.** `String`, `bool`, `i64` (whole numbers), `f64` and [`Number`] (exact, also beyond
//!   64 bits) are known, non-null values, and so are the API's enumerations (`Family`, `State`,
//!   `ResourceType`, ...: strings in Terraform). `Option<T>` is null as `None`. `Vec<T>` is a list,
//!   [`Set<T>`] a set, `BTreeMap<String, T>` a map (`tags` is `Option<BTreeMap<String, String>>`:
//!   null when there are none); a model is an object, or a block's element.
//! * **Unknown values** (configuration and plans, never state or a data source's read):
//!   [`Maybe<T>`] keeps null, unknown and known apart, like the framework's `types.String`;
//!   `Option<T>` reads unknown as `None`, collections read it as empty and leave unknown elements
//!   out (what "check what is known" needs), and a plain type refuses it. A field that plan code must ask "is this known"
//!   about, or that is written back into a plan, is a `Maybe<T>`. Validation sees the
//!   configuration before it is known: a model with a plain field that is unknown there does not
//!   decode and is not validated, so arguments that validation checks are `Option` or `Maybe`.
//! * **Blocks that may be unknown.** A block's value is unknown as a whole in a plan when a
//!   `dynamic` block iterates over a value known only at apply, and partly unknown when one of its
//!   arguments references such a value. `Maybe<Vec<M>>`, `Maybe<Set<M>>` or `Maybe<Option<M>>`
//!   (of a `list_block`, `set_block` or `single_block`) read either as `Unknown`, so plan code
//!   asks `block.is_unknown()` and waits for apply; a plain `Vec<M>` would read it as no block at
//!   all. A partly unknown block is not rebuilt by `to_obj()` (it writes it wholly unknown):
//!   plans are written back with `write_changed`, which keeps it as it was.
//! * **Use.** `M::schema()` is the schema; `M::from_obj(&obj)` reads, `m.to_obj()` writes. A data
//!   source implements [`ModelDataSource`] (its `read` takes and returns its model) and gets
//!   [`DataSource`] from it.
//!
//! Converting a resource: declare its model in its file with one field per attribute and block of
//! today's `schema()` (same kinds, flags, descriptions; nested blocks as models of their own),
//! with `Maybe<T>` for every computed attribute (unknown in a plan until apply) and for arguments
//! that may reference one; `schema()` becomes `M::schema()`; `create`, `update`, `delete` and
//! `read` start with `M::from_obj(planned)` / `M::from_obj(prior)` and end with `.to_obj()`; a
//! constructor from the domain entity (`impl From<&Pool> for PoolModel`) replaces `state_of`
//! and the `obj([...])` lists; `modify_plan` reads `planned` and `config` into the model, asks
//! `field.known()` / `field.is_unknown()`, and writes the model back; each `o.str("name")` becomes
//! the field. Data sources that show a resource's objects hold that model through a read-only
//! view (`view.rs`: `ReadOnly`; `data.rs`: `IpamView`, `ScopeView`,
//! `PoolView`) built from the same constructor. The test `schemas_match_the_checked_in_fixture`
//! proves each schema unchanged. Serving another name for the same object (upstream `aws_*`
//! types) is another view of the same model: rename, drop or add attributes there, not in a
//! second model.

use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut};

use crate::ipam::cidr::Family;
use crate::ipam::model::{
    AwsService, CidrState, ComplianceStatus, MeteredAccount, PublicIpSource, ResourceType, ScopeType, ShareStatus,
    State, Tags, Tier,
};
use crate::ipam::{Error, Result};
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::{Attribute, Block, NestedBlock, Schema};
use crate::plugin::value::{Number, Obj, Type, Value};

use super::framework::{Ctx, DataSource, merged_tags};

/// A Rust type a schema attribute can hold: its Terraform type and its conversions.
pub trait TfValue: Sized {
    /// The Terraform type.
    fn ty() -> Type;
    /// Reads a value of that type; the error says what was found instead.
    fn decode(v: &Value) -> std::result::Result<Self, String>;
    /// Writes the value.
    fn encode(&self) -> Value;
    /// Reads the value of attribute `name`; the error is about that attribute. A value that
    /// does not fit is an unexpected one, an enumeration's unknown string the error naming the
    /// accepted values.
    fn decode_at(v: &Value, name: &'static str) -> Result<Self> {
        Self::decode(v).or_else(|_| unexpected(v, name))
    }
}

/// The error of a value that does not hold the type its attribute's schema declares.
fn unexpected<T>(v: &Value, name: &'static str) -> Result<T> {
    Err(Error::invalid(
        "Unexpected value",
        format!(
            "`{name}` does not hold the type its schema declares: found {}.",
            found(v)
        ),
    )
    .at(name))
}

/// What a value that does not fit is, for decoding errors.
fn found(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Unknown => "an unknown value".into(),
        other => format!("{other:?}"),
    }
}

impl TfValue for String {
    fn ty() -> Type {
        Type::String
    }
    fn decode(v: &Value) -> std::result::Result<Self, String> {
        v.as_str().map(str::to_string).ok_or_else(|| found(v))
    }
    fn encode(&self) -> Value {
        Value::str(self)
    }
}

impl TfValue for bool {
    fn ty() -> Type {
        Type::Bool
    }
    fn decode(v: &Value) -> std::result::Result<Self, String> {
        v.as_bool().ok_or_else(|| found(v))
    }
    fn encode(&self) -> Value {
        Value::Bool(*self)
    }
}

impl TfValue for i64 {
    fn ty() -> Type {
        Type::Number
    }
    fn decode(v: &Value) -> std::result::Result<Self, String> {
        v.as_i64().ok_or_else(|| found(v))
    }
    fn encode(&self) -> Value {
        Value::int(*self)
    }
}

impl TfValue for f64 {
    fn ty() -> Type {
        Type::Number
    }
    fn decode(v: &Value) -> std::result::Result<Self, String> {
        match v {
            Value::Number(Number::Int(i)) => Ok(*i as f64),
            Value::Number(Number::Float(f)) => Ok(*f),
            Value::Number(Number::Big(s)) => s.parse().map_err(|_| found(v)),
            _ => Err(found(v)),
        }
    }
    fn encode(&self) -> Value {
        Value::Number(Number::Float(*self))
    }
}

impl TfValue for Number {
    fn ty() -> Type {
        Type::Number
    }
    fn decode(v: &Value) -> std::result::Result<Self, String> {
        match v {
            Value::Number(n) => Ok(n.clone()),
            _ => Err(found(v)),
        }
    }
    fn encode(&self) -> Value {
        Value::Number(self.clone())
    }
}

impl<T: TfValue> TfValue for Option<T> {
    fn ty() -> Type {
        T::ty()
    }
    fn decode(v: &Value) -> std::result::Result<Self, String> {
        match v {
            Value::Null | Value::Unknown => Ok(None),
            v => T::decode(v).map(Some),
        }
    }
    fn encode(&self) -> Value {
        self.as_ref().map_or(Value::Null, T::encode)
    }
    fn decode_at(v: &Value, name: &'static str) -> Result<Self> {
        match v {
            Value::Null | Value::Unknown => Ok(None),
            v => T::decode_at(v, name).map(Some),
        }
    }
}

/// The API's enumerations (address family, states, resource types, ...) are strings in
/// Terraform; a string that is none of a type's values reads as an error naming the accepted ones.
macro_rules! api_strings {
    ($($t:ty),* $(,)?) => {$(
        impl TfValue for $t {
            fn ty() -> Type {
                Type::String
            }
            fn decode(v: &Value) -> std::result::Result<Self, String> {
                v.as_str().ok_or_else(|| found(v))?.parse().map_err(|e: Error| e.detail)
            }
            fn encode(&self) -> Value {
                Value::str(self.as_str())
            }
            fn decode_at(v: &Value, name: &'static str) -> Result<Self> {
                match v.as_str() {
                    Some(s) => s.parse().map_err(|e: Error| e.at(name)),
                    None => unexpected(v, name),
                }
            }
        }
    )*};
}
api_strings!(
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
    MeteredAccount,
);

/// The elements of a collection value; null and unknown read as none, and unknown elements are
/// left out.
fn elements<T: TfValue>(v: &Value) -> std::result::Result<Vec<T>, String> {
    match v {
        Value::Null | Value::Unknown => Ok(Vec::new()),
        Value::List(e) | Value::Set(e) | Value::Tuple(e) => {
            e.iter().filter(|e| !e.is_unknown()).map(T::decode).collect()
        }
        _ => Err(found(v)),
    }
}

impl<T: TfValue> TfValue for Vec<T> {
    fn ty() -> Type {
        Type::list_of(T::ty())
    }
    fn decode(v: &Value) -> std::result::Result<Self, String> {
        elements(v)
    }
    fn encode(&self) -> Value {
        Value::List(self.iter().map(T::encode).collect())
    }
}

/// A set: the elements in the order Terraform sent them or the provider found them.
#[derive(Clone, Debug, PartialEq)]
pub struct Set<T>(pub Vec<T>);

impl<T> Default for Set<T> {
    fn default() -> Self {
        Set(Vec::new())
    }
}

impl<T> Deref for Set<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.0
    }
}

impl<T> DerefMut for Set<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        &mut self.0
    }
}

impl<T> FromIterator<T> for Set<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Set(iter.into_iter().collect())
    }
}

impl<T: TfValue> TfValue for Set<T> {
    fn ty() -> Type {
        Type::set_of(T::ty())
    }
    fn decode(v: &Value) -> std::result::Result<Self, String> {
        elements(v).map(Set)
    }
    fn encode(&self) -> Value {
        Value::Set(self.iter().map(T::encode).collect())
    }
}

impl<T: TfValue> TfValue for BTreeMap<String, T> {
    fn ty() -> Type {
        Type::map_of(T::ty())
    }
    fn decode(v: &Value) -> std::result::Result<Self, String> {
        match v {
            Value::Null | Value::Unknown => Ok(BTreeMap::new()),
            Value::Map(m) | Value::Object(m) => m
                .iter()
                .filter(|(_, v)| !v.is_unknown())
                .map(|(k, v)| Ok((k.clone(), T::decode(v)?)))
                .collect(),
            _ => Err(found(v)),
        }
    }
    fn encode(&self) -> Value {
        Value::Map(self.iter().map(|(k, v)| (k.clone(), v.encode())).collect())
    }
}

/// A value that may be null or not known yet (a plan's computed values, a configuration's
/// references to them), as terraform-plugin-framework's values are.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Maybe<T> {
    #[default]
    Null,
    Unknown,
    Known(T),
}

impl<T> Maybe<T> {
    /// The value, when it is known and not null.
    pub fn known(&self) -> Option<&T> {
        match self {
            Maybe::Known(v) => Some(v),
            _ => None,
        }
    }
    /// True when the value (or anything inside it) is not known yet.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Maybe::Unknown)
    }
    /// True when the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Maybe::Null)
    }
}

impl<K: Clone, V: Clone> Maybe<BTreeMap<K, V>> {
    /// A map, null when empty (`tags`, so an absent argument reads back as absent).
    pub fn null_if_empty(m: &BTreeMap<K, V>) -> Self {
        if m.is_empty() {
            Maybe::Null
        } else {
            Maybe::Known(m.clone())
        }
    }
}

impl<T> From<T> for Maybe<T> {
    fn from(v: T) -> Self {
        Maybe::Known(v)
    }
}

impl<T: TfValue> TfValue for Maybe<T> {
    fn ty() -> Type {
        T::ty()
    }
    fn decode(v: &Value) -> std::result::Result<Self, String> {
        match v {
            Value::Null => Ok(Maybe::Null),
            v if !v.is_wholly_known() => Ok(Maybe::Unknown),
            v => T::decode(v).map(Maybe::Known),
        }
    }
    fn encode(&self) -> Value {
        match self {
            Maybe::Null => Value::Null,
            Maybe::Unknown => Value::Unknown,
            Maybe::Known(v) => v.encode(),
        }
    }
    fn decode_at(v: &Value, name: &'static str) -> Result<Self> {
        match v {
            Value::Null => Ok(Maybe::Null),
            v if !v.is_wholly_known() => Ok(Maybe::Unknown),
            v => T::decode_at(v, name).map(Maybe::Known),
        }
    }
}

/// One schema entry a field declares.
#[derive(Clone, Debug)]
pub enum Spec {
    Attribute(Attribute),
    Block(NestedBlock),
}

/// The schema entries of one field (several for `flatten`), with the modifiers applied to each,
/// and the attributes among them that the framework plans or reconciles in its own way.
#[derive(Clone, Debug, Default)]
pub struct Specs {
    /// The attributes and blocks.
    pub entries: Vec<Spec>,
    /// The attributes marked `.volatile()`.
    pub volatile: Vec<&'static str>,
    /// The attributes marked `.cidr()`.
    pub cidr: Vec<&'static str>,
}

impl Specs {
    /// Entries with no special treatment.
    pub fn of(entries: Vec<Spec>) -> Specs {
        Specs {
            entries,
            ..Specs::default()
        }
    }
    /// Adds another field's entries and facts.
    pub fn extend(&mut self, other: Specs) {
        self.entries.extend(other.entries);
        self.volatile.extend(other.volatile);
        self.cidr.extend(other.cidr);
    }
    /// The names of the attributes (not blocks) among the entries.
    fn attribute_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.entries.iter().filter_map(|s| match s {
            Spec::Attribute(a) => Some(a.name),
            Spec::Block(_) => None,
        })
    }
    /// A computed attribute that may change on any update of the object (a count, a state kept
    /// elsewhere): a plan that changes anything else shows it unknown.
    pub fn volatile(mut self) -> Specs {
        let names: Vec<_> = self.attribute_names().collect();
        self.volatile.extend(names);
        self
    }
    /// An attribute holding a CIDR or a collection of CIDRs: the database keeps the canonical
    /// form, the state keeps the configuration's spelling while it denotes the same blocks.
    pub fn cidr(mut self) -> Specs {
        let names: Vec<_> = self.attribute_names().collect();
        self.cidr.extend(names);
        self
    }
    /// Changing the value replaces the object.
    pub fn force_new(mut self) -> Specs {
        for s in &mut self.entries {
            match s {
                Spec::Attribute(a) => a.force_new = true,
                Spec::Block(b) => b.force_new = true,
            }
        }
        self
    }
    /// The value is hidden in Terraform's output.
    pub fn sensitive(mut self) -> Specs {
        for s in &mut self.entries {
            if let Spec::Attribute(a) = s {
                a.sensitive = true;
            }
        }
        self
    }
    /// The fewest elements a block takes.
    pub fn min_items(mut self, n: i64) -> Specs {
        for s in &mut self.entries {
            if let Spec::Block(b) = s {
                b.min_items = n;
            }
        }
        self
    }
    /// The most elements a block takes.
    pub fn max_items(mut self, n: i64) -> Specs {
        for s in &mut self.entries {
            if let Spec::Block(b) = s {
                b.max_items = n;
            }
        }
        self
    }
}

/// A struct whose fields are the attributes and blocks of a schema; implemented by `model!`.
pub trait Model: Sized {
    /// The schema's description.
    const DESCRIPTION: &'static str;
    /// The attributes and blocks in declaration order, and the framework's facts about them.
    fn declared() -> Specs;
    /// Reads an object of the model's type.
    fn from_obj(o: &Obj) -> Result<Self>;
    /// Writes the fields into an object.
    fn write(&self, o: &mut Obj);

    /// The attributes and blocks, in declaration order.
    fn specs() -> Vec<Spec> {
        Self::declared().entries
    }
    /// The computed attributes that may change on any update (fields marked `.volatile()`).
    fn volatile() -> Vec<&'static str> {
        Self::declared().volatile
    }
    /// The attributes holding CIDRs, whose configured spelling the state keeps (fields marked
    /// `.cidr()`).
    fn cidr_attributes() -> Vec<&'static str> {
        Self::declared().cidr
    }

    /// Reads a configuration: its read-only attributes, which the framework refuses with their
    /// own diagnostic, are left out rather than decoded.
    fn from_config(config: &Obj) -> Result<Self> {
        let mut o = config.clone();
        for s in Self::specs() {
            if let Spec::Attribute(a) = s
                && a.computed
                && !a.optional
                && !a.required
            {
                o.remove(a.name);
            }
        }
        Self::from_obj(&o)
    }
    /// Writes into an object (a plan) only the attributes whose value differs from `before`'s,
    /// the model as it was read from that object: what plan code did not set keeps its value,
    /// also an unknown one a field read as `None`.
    fn write_changed(&self, before: &Self, o: &mut Obj) {
        let before = before.to_obj();
        for (k, v) in self.to_obj() {
            if before.get(&k) != Some(&v) {
                o.insert(k, v);
            }
        }
    }
    /// The object.
    fn to_obj(&self) -> Obj {
        let mut o = Obj::new();
        self.write(&mut o);
        o
    }
    /// The block of the model's attributes and nested blocks.
    fn block(description: &'static str) -> Block {
        let mut block = Block::new(description, Vec::new());
        for s in Self::specs() {
            match s {
                Spec::Attribute(a) => block.attributes.push(a),
                Spec::Block(b) => block.blocks.push(b),
            }
        }
        block
    }
    /// The schema (version 0).
    fn schema() -> Schema {
        Schema {
            version: 0,
            block: Self::block(Self::DESCRIPTION),
        }
    }
    /// The object type of the model's values.
    fn object_type() -> Type {
        Self::block("").implied_type()
    }
}

/// The attribute name of a field (`r#type` is `type`).
pub fn field_name(ident: &'static str) -> &'static str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// What each field kind of `model!` declares, reads and writes.
pub mod kind {
    use super::{Model, Spec, Specs, TfValue, field_name};
    use crate::ipam::Result;
    use crate::plugin::schema::{Attribute, NestedBlock, Nesting};
    use crate::plugin::value::{Obj, Value};

    /// Reads the attribute or block `name` of an object.
    pub fn read_value<T: TfValue>(o: &Obj, name: &'static str) -> Result<T> {
        let name = field_name(name);
        T::decode_at(o.get(name).unwrap_or(&Value::Null), name)
    }

    /// Writes the attribute or block `name` of an object.
    pub fn write_value<T: TfValue>(v: &T, o: &mut Obj, name: &'static str) {
        o.insert(field_name(name).to_string(), v.encode());
    }

    macro_rules! attribute_kinds {
        ($($kind:ident => $constructor:ident),*) => {$(
            /// An attribute kind.
            pub mod $kind {
                use super::*;
                pub use super::{read_value as read, write_value as write};
                /// The attribute.
                pub fn spec<T: TfValue>(name: &'static str, description: &'static str) -> Specs {
                    Specs::of(vec![Spec::Attribute(Attribute::$constructor(field_name(name), T::ty(), description))])
                }
            }
        )*};
    }
    attribute_kinds!(required => required, optional => optional, computed => computed, optional_computed => optional_computed);

    /// A collection of a model's values, as a nested block's value is.
    pub trait Nested {
        type Model: Model;
    }
    impl<M: Model> Nested for Vec<M> {
        type Model = M;
    }
    impl<M: Model> Nested for super::Set<M> {
        type Model = M;
    }
    impl<M: Model> Nested for Option<M> {
        type Model = M;
    }
    /// A block that may be unknown in a plan, as a whole (a `dynamic` block over a value known at
    /// apply) or in part.
    impl<T: Nested> Nested for super::Maybe<T> {
        type Model = T::Model;
    }

    fn nested<T: Nested>(name: &'static str, nesting: Nesting, description: &'static str) -> Specs {
        Specs::of(vec![Spec::Block(NestedBlock {
            name: field_name(name),
            nesting,
            block: T::Model::block(description),
            min_items: 0,
            max_items: 0,
            force_new: false,
        })])
    }

    macro_rules! block_kinds {
        ($($kind:ident => $nesting:ident),*) => {$(
            /// A nested block kind.
            pub mod $kind {
                use super::*;
                pub use super::{read_value as read, write_value as write};
                /// The block.
                pub fn spec<T: TfValue + Nested>(name: &'static str, description: &'static str) -> Specs {
                    nested::<T>(name, Nesting::$nesting, description)
                }
            }
        )*};
    }
    block_kinds!(list_block => List, set_block => Set, single_block => Single);

    /// Another model's fields, in this object.
    pub mod flatten {
        use super::*;
        /// The other model's attributes and blocks.
        pub fn spec<M: Model>(_name: &'static str) -> Specs {
            M::declared()
        }
        /// Reads the other model from this object.
        pub fn read<M: Model>(o: &Obj, _name: &'static str) -> Result<M> {
            M::from_obj(o)
        }
        /// Writes the other model's fields into this object.
        pub fn write<M: Model>(v: &M, o: &mut Obj, _name: &'static str) {
            v.write(o)
        }
    }
}

/// Declares a model struct and implements [`Model`] and [`TfValue`] for it (see the module doc).
macro_rules! model {
    (@description) => { "" };
    (@description $d:expr) => { $d };
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident $(($description:expr))? {
            $(
                $(#[$field_meta:meta])*
                $field:ident : $ty:ty = $kind:ident ( $($arg:expr),* $(,)? ) $( . $modifier:ident ( $($modifier_arg:expr),* ) )*
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        $vis struct $name {
            $( $(#[$field_meta])* pub $field: $ty, )*
        }

        impl $crate::provider::model::Model for $name {
            const DESCRIPTION: &'static str = $crate::provider::model::model!(@description $($description)?);
            fn declared() -> $crate::provider::model::Specs {
                let mut specs = $crate::provider::model::Specs::default();
                $(
                    specs.extend(
                        $crate::provider::model::kind::$kind::spec::<$ty>(stringify!($field) $(, $arg)*)
                            $( .$modifier($($modifier_arg),*) )*
                    );
                )*
                specs
            }
            fn from_obj(o: &$crate::plugin::value::Obj) -> $crate::ipam::Result<Self> {
                Ok($name {
                    $( $field: $crate::provider::model::kind::$kind::read::<$ty>(o, stringify!($field))?, )*
                })
            }
            fn write(&self, o: &mut $crate::plugin::value::Obj) {
                $( $crate::provider::model::kind::$kind::write(&self.$field, o, stringify!($field)); )*
            }
        }

        impl $crate::provider::model::TfValue for $name {
            fn ty() -> $crate::plugin::value::Type {
                <$name as $crate::provider::model::Model>::object_type()
            }
            fn decode(v: &$crate::plugin::value::Value) -> std::result::Result<Self, String> {
                match v {
                    $crate::plugin::value::Value::Object(o) => {
                        <$name as $crate::provider::model::Model>::from_obj(o).map_err(|e| e.detail)
                    }
                    other => Err(format!("{other:?}")),
                }
            }
            fn encode(&self) -> $crate::plugin::value::Value {
                $crate::plugin::value::Value::Object(<$name as $crate::provider::model::Model>::to_obj(self))
            }
        }
    };
}
pub(crate) use model;

/// The `tags_all` to write, from a plan's `tags` and `tags_all`: the planned value (known at
/// apply; null is none), else `tags` over the default tags.
pub fn planned_tags_all(ctx: &Ctx, tags: Option<&Tags>, tags_all: &Maybe<Tags>) -> Tags {
    match tags_all {
        Maybe::Known(t) => t.clone(),
        Maybe::Null => Tags::new(),
        Maybe::Unknown => merged_tags(ctx.config, tags.unwrap_or(&Tags::new())),
    }
}

/// A data source whose configuration and result are its model; it is a [`DataSource`].
pub trait ModelDataSource: Send + Sync {
    /// The attributes and blocks.
    type Model: Model;
    /// The type name.
    const NAME: &'static str;
    /// Checks that need only the configuration. Values may be unknown: the model is not checked
    /// when a field that cannot say so (a plain `String`) is unknown.
    fn validate(&self, _config: &Self::Model, _diags: &mut Diagnostics) {}
    /// Fills in the computed attributes of the configuration.
    fn read(&self, ctx: &Ctx, config: Self::Model) -> Result<Self::Model>;
}

impl<D: ModelDataSource> DataSource for D {
    fn name(&self) -> &'static str {
        D::NAME
    }
    fn schema(&self) -> Schema {
        D::Model::schema()
    }
    fn validate(&self, config: &Obj, diags: &mut Diagnostics) {
        if let Ok(m) = D::Model::from_obj(config) {
            ModelDataSource::validate(self, &m, diags);
        }
    }
    fn read(&self, ctx: &Ctx, config: &Obj) -> Result<Obj> {
        let m = D::Model::from_obj(config)?;
        ModelDataSource::read(self, ctx, m).map(|m| m.to_obj())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::value::Obj;

    model! {
        /// A nested block's element.
        struct Region {
            region_name: String = required("A region."),
        }
    }

    model! {
        /// Shared attributes.
        struct Common {
            description: Option<String> = optional("A description."),
            count: Option<i64> = computed("A count.").volatile(),
        }
    }

    model! {
        /// Every kind of field.
        struct Sample("A sample.") {
            id: String = computed("The ID."),
            r#type: String = required("A type.").force_new(),
            secret: Maybe<String> = optional("A secret.").sensitive(),
            sizes: Vec<Number> = optional_computed("Sizes."),
            tags: Option<BTreeMap<String, String>> = optional("Tags."),
            enabled: Option<bool> = optional("On or off."),
            share: Option<f64> = computed("A share."),
            regions: Set<Region> = set_block("Where.").min_items(1),
            common: Common = flatten(),
        }
    }

    model! {
        /// Attributes the framework treats in its own way.
        struct Marked("Marked.") {
            cidr: Option<String> = optional_computed("A CIDR.").force_new().cidr(),
            disallowed: Option<Set<String>> = optional("Not these.").cidr(),
            used: Option<i64> = computed("In use.").volatile(),
            regions: Set<Region> = set_block("Where.").volatile(),
            common: Common = flatten(),
        }
    }

    #[test]
    fn volatile_and_cidr_attributes_come_from_the_fields() {
        assert_eq!(
            Marked::volatile(),
            ["used", "count"],
            "flattened fields keep their marks"
        );
        assert_eq!(Marked::cidr_attributes(), ["cidr", "disallowed"]);
        assert!(Sample::cidr_attributes().is_empty());
        assert_eq!(Sample::volatile(), ["count"]);
        let s = Marked::schema();
        let cidr = s.block.attribute("cidr").unwrap();
        assert!(
            cidr.optional && cidr.computed && cidr.force_new,
            "other modifiers still apply"
        );
        assert_eq!(s.block.blocks.len(), 1, "a block is never a volatile attribute");
    }

    fn sample_obj() -> Obj {
        let region = |r: &str| Value::Object([("region_name".to_string(), Value::str(r))].into());
        [
            ("id", Value::str("s-1")),
            ("type", Value::str("t")),
            ("secret", Value::Unknown),
            (
                "sizes",
                Value::List(vec![Value::int(3), Value::Number(Number::Big("1".repeat(30)))]),
            ),
            ("tags", Value::Null),
            ("enabled", Value::Bool(true)),
            ("share", Value::Number(Number::Float(0.5))),
            ("regions", Value::Set(vec![region("us-east-1"), region("eu-west-1")])),
            ("description", Value::str("d")),
            ("count", Value::Null),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    #[test]
    fn a_model_reads_and_writes_its_object_unchanged() {
        let o = sample_obj();
        let m = Sample::from_obj(&o).unwrap();
        assert_eq!(m.r#type, "t");
        assert!(m.secret.is_unknown());
        assert_eq!(m.regions.len(), 2);
        assert_eq!(m.common.description.as_deref(), Some("d"));
        assert_eq!(m.to_obj(), o);
    }

    #[test]
    fn the_schema_comes_from_the_fields() {
        let s = Sample::schema();
        assert_eq!(s.block.description, "A sample.");
        let names: Vec<&str> = s.block.attributes.iter().map(|a| a.name).collect();
        assert_eq!(
            names,
            [
                "id",
                "type",
                "secret",
                "sizes",
                "tags",
                "enabled",
                "share",
                "description",
                "count"
            ]
        );
        let a = |n: &str| s.block.attribute(n).unwrap().clone();
        assert!(a("id").computed && !a("id").optional && !a("id").required);
        assert!(a("type").required && a("type").force_new);
        assert!(a("secret").optional && a("secret").sensitive && a("secret").ty == Type::String);
        assert!(a("sizes").optional && a("sizes").computed);
        assert_eq!(a("sizes").ty, Type::list_of(Type::Number));
        assert_eq!(a("tags").ty, Type::map_of(Type::String));
        assert_eq!(a("enabled").ty, Type::Bool);
        assert_eq!(a("description").description, "A description.");
        let b = &s.block.blocks[0];
        assert_eq!(
            (b.name, b.nesting, b.min_items, b.block.description),
            ("regions", Nesting::Set, 1, "Where.")
        );
        assert!(b.block.attribute("region_name").unwrap().required);
        assert_eq!(
            Sample::object_type(),
            Type::object([
                ("id".to_string(), Type::String),
                ("type".to_string(), Type::String),
                ("secret".to_string(), Type::String),
                ("sizes".to_string(), Type::list_of(Type::Number)),
                ("tags".to_string(), Type::map_of(Type::String)),
                ("enabled".to_string(), Type::Bool),
                ("share".to_string(), Type::Number),
                ("description".to_string(), Type::String),
                ("count".to_string(), Type::Number),
                (
                    "regions".to_string(),
                    Type::set_of(Type::object([("region_name".to_string(), Type::String)]))
                ),
            ])
        );
    }

    #[test]
    fn null_unknown_and_wrong_values() {
        let mut o = sample_obj();
        o.insert("secret".into(), Value::Null);
        o.insert("description".into(), Value::Unknown);
        o.insert("regions".into(), Value::Unknown);
        let m = Sample::from_obj(&o).unwrap();
        assert!(m.secret.is_null() && m.secret.known().is_none());
        assert_eq!(m.common.description, None, "Option reads unknown as None");
        assert!(m.regions.is_empty(), "collections read unknown as empty");
        o.insert("sizes".into(), Value::List(vec![Value::Unknown, Value::int(2)]));
        o.insert("tags".into(), Value::Map([("a".to_string(), Value::Unknown)].into()));
        let m = Sample::from_obj(&o).unwrap();
        assert_eq!(m.sizes, [Number::Int(2)], "unknown elements are left out");
        assert_eq!(m.tags, Some(BTreeMap::new()));
        for (name, v) in [
            ("type", Value::Unknown),
            ("id", Value::Null),
            ("sizes", Value::str("x")),
        ] {
            let mut o = sample_obj();
            o.insert(name.into(), v);
            let e = Sample::from_obj(&o).unwrap_err();
            assert_eq!(e.attribute().as_deref(), Some(name), "{e:?}");
        }
        assert_eq!(Family::decode(&Value::str("ipv6")), Ok(Family::V6));
        assert_eq!(Family::V4.encode(), Value::str("ipv4"));
        assert_eq!(Family::ty(), Type::String);
        let refused = Family::decode(&Value::str("ipv5")).unwrap_err();
        assert!(refused.contains("\"ipv5\" is not an address family"), "{refused}");
        let e = <Option<Family>>::decode_at(&Value::str("ipv5"), "address_family").unwrap_err();
        assert_eq!(
            e.summary, "Invalid address family",
            "an enumeration keeps its own error"
        );
        assert_eq!(e.attribute().as_deref(), Some("address_family"));
        let mut o = sample_obj();
        o.insert("secret".into(), Value::str("s"));
        assert_eq!(
            Sample::from_obj(&o).unwrap().secret.known().map(String::as_str),
            Some("s")
        );
    }

    #[test]
    fn write_changed_writes_only_what_changed() {
        let mut plan = sample_obj();
        plan.insert("description".into(), Value::Unknown);
        let before = Sample::from_obj(&plan).unwrap();
        let mut m = before.clone();
        m.secret = Maybe::Known("s".into());
        m.write_changed(&before, &mut plan);
        assert_eq!(plan["secret"], Value::str("s"));
        assert_eq!(
            plan["description"],
            Value::Unknown,
            "read as None, not written back as null"
        );
    }

    model! {
        /// A list block that may not be known in a plan.
        struct Proofs("Proofs.") {
            proof: Maybe<Vec<Region>> = list_block("A proof.").max_items(1).force_new(),
        }
    }

    #[test]
    fn a_block_may_be_null_unknown_or_known() {
        let s = Proofs::schema();
        let b = &s.block.blocks[0];
        assert_eq!(
            (b.name, b.nesting, b.max_items, b.force_new, b.block.description),
            ("proof", Nesting::List, 1, true, "A proof.")
        );
        assert!(s.block.attributes.is_empty(), "a block, not an attribute");
        assert_eq!(
            Proofs::object_type(),
            Type::object([(
                "proof".to_string(),
                Type::list_of(Type::object([("region_name".to_string(), Type::String)]))
            )])
        );
        let region = |r: Value| Value::Object([("region_name".to_string(), r)].into());
        let obj = |v: Value| -> Obj { [("proof".to_string(), v)].into() };
        let read = |v: Value| Proofs::from_obj(&obj(v)).unwrap().proof;

        assert!(read(Value::Null).is_null());
        assert!(
            read(Value::Unknown).is_unknown(),
            "a dynamic block over an unknown value"
        );
        assert_eq!(
            <Vec<Region>>::decode(&Value::Unknown),
            Ok(vec![]),
            "what a plain Vec reads"
        );
        assert_eq!(read(Value::List(vec![])), Maybe::Known(vec![]));
        assert_eq!(
            read(Value::List(vec![region(Value::str("us-east-1"))])),
            Maybe::Known(vec![Region {
                region_name: "us-east-1".into()
            }])
        );
        for v in [
            Value::Null,
            Value::Unknown,
            Value::List(vec![]),
            Value::List(vec![region(Value::str("us-east-1"))]),
        ] {
            let o = obj(v);
            assert_eq!(Proofs::from_obj(&o).unwrap().to_obj(), o, "round trip");
        }

        // Unknown inside the block: the block is unknown, and a plan written back keeps it.
        let partial = Value::List(vec![region(Value::Unknown)]);
        let m = Proofs::from_obj(&obj(partial.clone())).unwrap();
        assert!(m.proof.is_unknown() && m.proof.known().is_none());
        let mut plan = obj(partial.clone());
        m.clone().write_changed(&m, &mut plan);
        assert_eq!(plan["proof"], partial);

        let e = Proofs::from_obj(&obj(Value::str("x"))).unwrap_err();
        assert_eq!(e.attribute().as_deref(), Some("proof"), "{e:?}");
        let e = Proofs::from_obj(&obj(Value::List(vec![region(Value::Null)]))).unwrap_err();
        assert_eq!(e.attribute().as_deref(), Some("proof"), "{e:?}");
    }

    use serde_json::{Value as J, json};

    use crate::plugin::grpc::Backend;
    use crate::plugin::schema::{Block, Nesting, Schema};
    use crate::provider::IpamProvider;

    /// A block as `terraform providers schema -json` shows it, with `force_new` (the provider's own
    /// flag, which Terraform never sees) and without false flags. Keys are sorted.
    fn block_json(b: &Block) -> J {
        let attributes: serde_json::Map<String, J> = b
            .attributes
            .iter()
            .map(|a| {
                let mut o = serde_json::Map::new();
                o.insert("type".into(), a.ty.to_json());
                o.insert("description".into(), J::from(a.description));
                for (flag, on) in [
                    ("required", a.required),
                    ("optional", a.optional),
                    ("computed", a.computed),
                    ("sensitive", a.sensitive),
                    ("force_new", a.force_new),
                ] {
                    if on {
                        o.insert(flag.into(), J::Bool(true));
                    }
                }
                (a.name.to_string(), J::Object(o))
            })
            .collect();
        let block_types: serde_json::Map<String, J> = b
            .blocks
            .iter()
            .map(|n| {
                let nesting = match n.nesting {
                    Nesting::Single => "single",
                    Nesting::List => "list",
                    Nesting::Set => "set",
                };
                (
                    n.name.to_string(),
                    json!({
                        "nesting_mode": nesting,
                        "min_items": n.min_items,
                        "max_items": n.max_items,
                        "force_new": n.force_new,
                        "block": block_json(&n.block),
                    }),
                )
            })
            .collect();
        json!({"description": b.description, "attributes": attributes, "block_types": block_types})
    }

    fn schema_json(s: &Schema) -> J {
        json!({"version": s.version, "block": block_json(&s.block)})
    }

    /// Every schema the provider serves, by kind and type name.
    fn all_schemas() -> J {
        let p = IpamProvider::new();
        let by_name = |m: &std::collections::BTreeMap<String, Schema>| -> J {
            J::Object(m.iter().map(|(k, s)| (k.clone(), schema_json(s))).collect())
        };
        json!({
            "provider": schema_json(p.provider_schema()),
            "resource_schemas": by_name(p.resource_schemas()),
            "data_source_schemas": by_name(p.data_source_schemas()),
        })
    }

    /// Sorts object keys, so the comparison and the checked-in text ignore declaration order.
    fn sorted(j: J) -> J {
        match j {
            J::Object(m) => {
                let mut v: Vec<(String, J)> = m.into_iter().map(|(k, v)| (k, sorted(v))).collect();
                v.sort_by(|a, b| a.0.cmp(&b.0));
                J::Object(v.into_iter().collect())
            }
            J::Array(a) => J::Array(a.into_iter().map(sorted).collect()),
            other => other,
        }
    }

    /// The schemas served are the ones checked in at `tests/fixtures/schemas.json`: converting a
    /// type to a model (or any other refactoring) must not change a name, type, flag or
    /// description. An intended change regenerates the file with `IPAM_UPDATE_SCHEMAS=1`
    /// and shows up in review as a diff of it.
    #[test]
    fn schemas_match_the_checked_in_fixture() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schemas.json");
        let now = sorted(all_schemas());
        if std::env::var_os("IPAM_UPDATE_SCHEMAS").is_some() {
            let text = serde_json::to_string_pretty(&now).expect("schemas serialise") + "\n";
            std::fs::write(&path, text).expect("fixture written");
        }
        let text = std::fs::read_to_string(&path).expect("tests/fixtures/schemas.json exists");
        let fixture: J = serde_json::from_str(&text).expect("fixture is JSON");
        if now != fixture {
            let (now, fixture) = (now.as_object().unwrap(), fixture.as_object().unwrap());
            let mut differ = Vec::new();
            for kind in ["resource_schemas", "data_source_schemas"] {
                let (a, b) = (now[kind].as_object().unwrap(), fixture[kind].as_object().unwrap());
                for name in a.keys().chain(b.keys()) {
                    if a.get(name) != b.get(name) && !differ.contains(name) {
                        differ.push(name.clone());
                    }
                }
            }
            if now["provider"] != fixture["provider"] {
                differ.push("provider".into());
            }
            panic!(
                "the schemas of {differ:?} differ from tests/fixtures/schemas.json; if the change is intended, \
                 regenerate it with IPAM_UPDATE_SCHEMAS=1 and review the diff"
            );
        }
    }

    #[test]
    fn planned_tags_all_is_the_plan_s_value_or_tags_over_the_defaults() {
        use crate::provider::config::Config;
        use crate::store::Store;
        use std::sync::Arc;
        let config = Config {
            default_tags: [("team".to_string(), "net".to_string())].into(),
            ..Config::default()
        };
        let dir = tempfile::tempdir().unwrap();
        let ctx = Ctx {
            config: &config,
            store: Arc::new(Store::open(dir.path().join("ipam.db")).unwrap()),
        };
        let tags: Tags = [("env".to_string(), "prod".to_string())].into();
        let stored: Tags = [("k".to_string(), "v".to_string())].into();
        assert_eq!(
            planned_tags_all(&ctx, Some(&tags), &Maybe::Known(stored.clone())),
            stored
        );
        assert_eq!(planned_tags_all(&ctx, Some(&tags), &Maybe::Null), Tags::new());
        let mut merged = tags.clone();
        merged.insert("team".into(), "net".into());
        assert_eq!(planned_tags_all(&ctx, Some(&tags), &Maybe::Unknown), merged);
        assert_eq!(planned_tags_all(&ctx, None, &Maybe::Unknown), config.default_tags);
    }
}
