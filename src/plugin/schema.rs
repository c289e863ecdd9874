//! Schemas for the provider, resources and data sources, and the value types they imply.

use std::collections::BTreeMap;

use super::proto::tfplugin6 as pb;
use super::value::Type;

/// One attribute of a block.
#[derive(Clone, Debug)]
pub struct Attribute {
    pub name: &'static str,
    pub ty: Type,
    pub description: &'static str,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    /// Changing it replaces the object (the provider plans `requires_replace`).
    pub force_new: bool,
}

impl Attribute {
    fn new(name: &'static str, ty: Type, description: &'static str) -> Attribute {
        Attribute {
            name,
            ty,
            description,
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            force_new: false,
        }
    }
    /// A required argument.
    pub fn required(name: &'static str, ty: Type, description: &'static str) -> Attribute {
        Attribute {
            required: true,
            ..Attribute::new(name, ty, description)
        }
    }
    /// An optional argument.
    pub fn optional(name: &'static str, ty: Type, description: &'static str) -> Attribute {
        Attribute {
            optional: true,
            ..Attribute::new(name, ty, description)
        }
    }
    /// An optional argument the provider fills in when it is not set.
    pub fn optional_computed(name: &'static str, ty: Type, description: &'static str) -> Attribute {
        Attribute {
            optional: true,
            computed: true,
            ..Attribute::new(name, ty, description)
        }
    }
    /// A read-only attribute.
    pub fn computed(name: &'static str, ty: Type, description: &'static str) -> Attribute {
        Attribute {
            computed: true,
            ..Attribute::new(name, ty, description)
        }
    }
    /// Marks the attribute as replacing the object when it changes.
    pub fn force_new(mut self) -> Attribute {
        self.force_new = true;
        self
    }
    /// Marks the attribute as sensitive.
    pub fn sensitive(mut self) -> Attribute {
        self.sensitive = true;
        self
    }

    fn to_proto(&self) -> pb::schema::Attribute {
        pb::schema::Attribute {
            name: self.name.to_string(),
            r#type: self.ty.to_json().to_string().into_bytes(),
            nested_type: None,
            description: self.description.to_string(),
            required: self.required,
            optional: self.optional,
            computed: self.computed,
            sensitive: self.sensitive,
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: false,
            write_only: false,
        }
    }
}

/// How a nested block repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
    Set,
}

/// A nested block type such as `operating_regions { ... }`.
#[derive(Clone, Debug)]
pub struct NestedBlock {
    pub name: &'static str,
    pub nesting: Nesting,
    pub block: Block,
    pub min_items: i64,
    pub max_items: i64,
    pub force_new: bool,
}

/// A block: attributes and nested blocks.
#[derive(Clone, Debug, Default)]
pub struct Block {
    pub description: &'static str,
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
}

impl Block {
    /// A block with a description and attributes.
    pub fn new(description: &'static str, attributes: Vec<Attribute>) -> Block {
        Block {
            description,
            attributes,
            blocks: Vec::new(),
        }
    }
    /// Adds a nested block type.
    pub fn with_block(mut self, b: NestedBlock) -> Block {
        self.blocks.push(b);
        self
    }

    /// The object type this block's values have.
    pub fn implied_type(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|a| (a.name.to_string(), a.ty.clone()))
            .collect();
        for b in &self.blocks {
            let inner = b.block.implied_type();
            let t = match b.nesting {
                Nesting::Single => inner,
                Nesting::List => Type::list_of(inner),
                Nesting::Set => Type::set_of(inner),
            };
            attrs.insert(b.name.to_string(), t);
        }
        Type::object(attrs)
    }

    /// The attribute with this name.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    fn to_proto(&self, version: i64) -> pb::schema::Block {
        pb::schema::Block {
            version,
            attributes: self.attributes.iter().map(Attribute::to_proto).collect(),
            block_types: self
                .blocks
                .iter()
                .map(|b| pb::schema::NestedBlock {
                    type_name: b.name.to_string(),
                    block: Some(b.block.to_proto(0)),
                    nesting: match b.nesting {
                        Nesting::Single => pb::schema::nested_block::NestingMode::Single,
                        Nesting::List => pb::schema::nested_block::NestingMode::List,
                        Nesting::Set => pb::schema::nested_block::NestingMode::Set,
                    } as i32,
                    min_items: b.min_items,
                    max_items: b.max_items,
                })
                .collect(),
            description: self.description.to_string(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: false,
        }
    }
}

/// A versioned schema.
#[derive(Clone, Debug)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

impl Schema {
    /// The wire form.
    pub fn to_proto(&self) -> pb::Schema {
        pb::Schema {
            version: self.version,
            block: Some(self.block.to_proto(self.version)),
        }
    }
}
