//! The `aws` view of a resource: upstream's name and schema (`hashicorp/aws` v6) over the same
//! resource, the same code path and the same rows. A [`ResourceView`] says, for one resource,
//! how upstream's object differs from ours: renamed, hidden and re-flagged attributes, the
//! per-resource `region` argument, the `timeouts` block, the import ID. [`AwsResource`] derives
//! upstream's schema from the resource's own and converts objects both ways around every call,
//! so a rule or a fix in the resource reaches both names.
//!
//! What the view adds that no resource of the ipam view has:
//! * `region` (optional + computed): the region the object is managed in, the provider's when not
//!   configured. It must be the provider's region or one of the operating regions of the
//!   object's IPAM (checked at apply, warned at plan), a change replaces the object, and an import
//!   ID may end with `@<region>`. Calls run with that region as the provider's. Where the object
//!   itself holds a region (an IPAM's home region), `region` is that attribute.
//! * `timeouts {}`: accepted and kept as configured (operations are synchronous), never read back.
//! * `ignore_tags {}` of the provider block: matching keys are left out of `tags` and `tags_all`,
//!   and stored tags with those keys are kept on update, never written from the configuration.

use std::collections::BTreeMap;

use crate::ipam::{Error, Result, rules};
use crate::plugin::diag::{Diagnostics, Path, Step};
use crate::plugin::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use crate::plugin::value::{Obj, Type, Value};

use super::common::{ObjExt, checked_at_apply, diag};
use super::config::{Config, IgnoreTags};
use super::framework::{Ctx, Resource};

/// How upstream's object of one resource type differs from ours.
pub struct ResourceView {
    /// Upstream's type name.
    pub name: &'static str,
    /// `(ours, upstream's)` attribute names that differ.
    pub renames: &'static [(&'static str, &'static str)],
    /// Our attributes and blocks upstream's type does not have.
    pub hidden: &'static [&'static str],
    /// Attributes optional and not computed upstream (ours fills them in when not set):
    /// upstream's names.
    pub optional_only: &'static [&'static str],
    /// Our arguments that are read-only upstream: upstream's names.
    pub computed_only: &'static [&'static str],
    /// Attributes that replace the object upstream and not here: upstream's names.
    pub force_new: &'static [&'static str],
    /// Attributes sensitive here and not upstream: upstream's names, `block.attribute` for an
    /// attribute of a nested block.
    pub not_sensitive: &'static [&'static str],
    /// The durations of the `timeouts {}` block; empty when upstream's type has none.
    pub timeouts: &'static [&'static str],
    /// Where `region` comes from: `Some(attribute)` when it is the object's own attribute of
    /// that name (an IPAM's `home_region`: set at create from the planned region, read back from
    /// the row), `None` when it is the region the object is managed in (planned, kept in state,
    /// not stored).
    pub region_attribute: Option<&'static str>,
    /// The IPAM whose operating regions a managed `region` may name, from our object; `None`
    /// when the object is not found (the resource reports that itself).
    pub ipam_of: fn(&Ctx, &Obj) -> Result<Option<String>>,
    /// Upstream's import ID and `id` from ours, when they differ.
    pub id_to_upstream: Option<fn(&Obj) -> String>,
    /// Our import ID from upstream's.
    pub id_from_upstream: Option<fn(&str) -> Result<String>>,
    /// Adjusts upstream's object made from ours: `reference` is the plan or the prior state it
    /// is made for, `None` at import. For an optional-only attribute whose effective value our
    /// object holds: show the configured value (from `reference`), or at import what a
    /// configuration most likely said.
    pub shown: fn(&Ctx, reference: Option<&Obj>, upstream: &mut Obj) -> Result<()>,
}

impl ResourceView {
    /// A view that changes nothing but the name: start a view from it
    /// (`ResourceView { name: "aws_...", hidden: &[...], ..ResourceView::SAME }`).
    pub const SAME: ResourceView = ResourceView {
        name: "",
        renames: &[],
        hidden: &[],
        optional_only: &[],
        computed_only: &[],
        force_new: &[],
        not_sensitive: &[],
        timeouts: &[],
        region_attribute: None,
        ipam_of: |_, _| Ok(None),
        id_to_upstream: None,
        id_from_upstream: None,
        shown: |_, _, _| Ok(()),
    };

    /// Upstream's name of our attribute.
    fn upstream_name<'a>(&self, ours: &'a str) -> &'a str {
        self.renames.iter().find(|(o, _)| *o == ours).map_or(ours, |(_, u)| u)
    }

    /// Our name of upstream's attribute.
    fn our_name<'a>(&self, upstream: &'a str) -> &'a str {
        self.renames
            .iter()
            .find(|(_, u)| *u == upstream)
            .map_or(upstream, |(o, _)| o)
    }

    /// Upstream's schema, derived from ours.
    pub fn schema(&self, ours: &Schema) -> Schema {
        let mut attributes: Vec<Attribute> = ours
            .block
            .attributes
            .iter()
            .filter(|a| !self.hidden.contains(&a.name))
            .map(|a| {
                let mut a = a.clone();
                a.name = self.upstream_name(a.name);
                if a.name == "id" || a.name == "tags_all" {
                    a.optional = true;
                    a.computed = true;
                }
                if self.optional_only.contains(&a.name) {
                    a.optional = true;
                    a.required = false;
                    a.computed = false;
                }
                if self.computed_only.contains(&a.name) {
                    a.optional = false;
                    a.required = false;
                    a.computed = true;
                    a.force_new = false;
                }
                if self.force_new.contains(&a.name) {
                    a.force_new = true;
                }
                if self.not_sensitive.contains(&a.name) {
                    a.sensitive = false;
                }
                a
            })
            .collect();
        if !attributes.iter().any(|a| a.name == "region") {
            attributes.push(
                Attribute::optional_computed(
                    "region",
                    Type::String,
                    "The region the object is managed in: the provider's region when not set, or one of the operating regions of the object's IPAM. Changing it replaces the object.",
                )
                .force_new(),
            );
        } else if let Some(r) = attributes.iter_mut().find(|a| a.name == "region") {
            r.optional = true;
            r.computed = true;
            r.force_new = true;
        }
        let mut blocks: Vec<NestedBlock> = ours
            .block
            .blocks
            .iter()
            .filter(|b| !self.hidden.contains(&b.name))
            .cloned()
            .map(|mut b| {
                b.name = self.upstream_name(b.name);
                for a in &mut b.block.attributes {
                    if self.not_sensitive.contains(&format!("{}.{}", b.name, a.name).as_str()) {
                        a.sensitive = false;
                    }
                }
                b
            })
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

/// [`ResourceView::ipam_of`] for objects in a pool (`ipam_pool_id`): the pool's IPAM.
pub fn ipam_of_pool(ctx: &Ctx, ours: &Obj) -> Result<Option<String>> {
    let Some(pool_id) = ours.str("ipam_pool_id") else {
        return Ok(None);
    };
    Ok(ctx.store.read(|tx| tx.pool(pool_id))?.map(|p| p.ipam_id))
}

/// A resource served under upstream's name.
pub struct AwsResource {
    inner: Box<dyn Resource>,
    view: &'static ResourceView,
    schema: Schema,
    ours: Schema,
}

impl AwsResource {
    pub fn new(inner: Box<dyn Resource>, view: &'static ResourceView) -> AwsResource {
        let ours = inner.schema();
        AwsResource {
            schema: view.schema(&ours),
            ours,
            inner,
            view,
        }
    }

    /// Our object from upstream's: renamed back, without `region` and `timeouts`, hidden
    /// attributes `hidden` (null, or unknown in a plan whose computed values are still open).
    fn to_ours(&self, up: &Obj, hidden: &Value) -> Obj {
        let mut o = Obj::new();
        for name in self.ours.block.attributes.iter().map(|a| a.name) {
            let v = if self.view.hidden.contains(&name) {
                match self.ours.block.attribute(name) {
                    // Upstream's type has no tags: the provider's `default_tags` do not reach it.
                    Some(a) if a.computed && name != "tags_all" => hidden.clone(),
                    _ => Value::Null,
                }
            } else {
                up.get(self.view.upstream_name(name)).cloned().unwrap_or(Value::Null)
            };
            o.insert(name.to_string(), v);
        }
        for b in &self.ours.block.blocks {
            let v = if self.view.hidden.contains(&b.name) {
                empty_block(b)
            } else {
                up.get(self.view.upstream_name(b.name))
                    .cloned()
                    .unwrap_or_else(|| empty_block(b))
            };
            o.insert(b.name.to_string(), v);
        }
        if let Some(name) = self.view.region_attribute
            && let Some(r) = up.get("region")
        {
            o.insert(name.to_string(), r.clone());
        }
        if let (Some(from), Some(id)) = (self.view.id_from_upstream, up.str("id"))
            && let Ok(ours) = from(id)
        {
            o.insert("id".into(), Value::str(ours));
        }
        o
    }

    /// Upstream's object from ours: `region` and `timeouts` from `reference` (the plan or the
    /// prior state) or `region`, ignored tag keys left out.
    fn to_upstream(&self, ours: &Obj, reference: Option<&Obj>, region: &str, ignore: &IgnoreTags) -> Obj {
        let mut o = Obj::new();
        for a in &self.schema.block.attributes {
            let v = match a.name {
                "region" => match self.view.region_attribute {
                    Some(name) => ours.get(name).cloned().unwrap_or(Value::Null),
                    None => reference
                        .and_then(|r| r.get("region"))
                        .filter(|v| !v.is_null() && !v.is_unknown())
                        .cloned()
                        .unwrap_or_else(|| Value::str(region)),
                },
                "tags" | "tags_all" => without_ignored(ours.get(a.name), ignore),
                "id" => match (self.view.id_to_upstream, ours.get("id")) {
                    (Some(to), Some(Value::String(_))) => Value::str(to(ours)),
                    (_, v) => v.cloned().unwrap_or(Value::Null),
                },
                name => ours.get(self.view.our_name(name)).cloned().unwrap_or(Value::Null),
            };
            o.insert(a.name.to_string(), v);
        }
        for b in &self.schema.block.blocks {
            let v = if b.name == "timeouts" {
                reference
                    .and_then(|r| r.get("timeouts"))
                    .cloned()
                    .unwrap_or(Value::Null)
            } else {
                ours.get(self.view.our_name(b.name))
                    .cloned()
                    .unwrap_or_else(|| empty_block(b))
            };
            o.insert(b.name.to_string(), v);
        }
        o
    }

    /// Upstream's object from ours as [`Self::to_upstream`] makes it, adjusted by the view.
    fn shown(&self, ctx: &Ctx, ours: &Obj, reference: Option<&Obj>, region: &str) -> Result<Obj> {
        let mut up = self.to_upstream(ours, reference, region, &ctx.config.ignore_tags);
        (self.view.shown)(ctx, reference, &mut up)?;
        Ok(up)
    }

    /// The context with the object's region as the provider's, showing configured values.
    fn config_for(&self, ctx: &Ctx, region: Option<&str>) -> Config {
        let mut c = ctx.config.clone();
        c.show_configured = true;
        if let Some(r) = region.filter(|r| !r.is_empty()) {
            c.region = r.to_string();
        }
        c
    }

    /// Our diagnostics' paths in upstream's names.
    fn rename_paths(&self, diags: &mut Diagnostics) {
        for d in &mut diags.0 {
            if let Some(Path(steps)) = &mut d.path
                && let Some(Step::Attr(first)) = steps.first_mut()
            {
                let renamed = self.view.upstream_name(first);
                if renamed != first {
                    *first = renamed.to_string();
                }
            }
        }
    }

    /// Our error's path in upstream's names.
    fn rename_error(&self, mut e: Error) -> Error {
        if let Some(p) = &mut e.attribute
            && let Some(crate::ipam::PathStep::Attr(first)) = p.0.first_mut()
        {
            *first = self.view.upstream_name(first).to_string();
        }
        e
    }

    /// A managed region must be the provider's or one of the operating regions of the object's
    /// IPAM.
    fn check_region(&self, ctx: &Ctx, provider_region: &str, ours: &Obj, region: &str) -> Result<()> {
        if self.view.region_attribute.is_some() || region == provider_region {
            return Ok(());
        }
        let Some(ipam_id) = (self.view.ipam_of)(ctx, ours)? else {
            return Ok(());
        };
        let ipam = ctx.store.read(|tx| tx.ipam(&ipam_id))?;
        let Some(ipam) = ipam else { return Ok(()) };
        if ipam.operating_regions.iter().any(|r| r == region) {
            return Ok(());
        }
        Err(Error::invalid(
            "Region not operated by the IPAM",
            format!(
                "`region` is {region:?}, which is neither the provider's region ({provider_region:?}) nor an operating region of IPAM {} ({}). Manage the object in one of those regions, or add {region:?} to the IPAM's `operating_regions`.",
                ipam.id,
                ipam.operating_regions.join(", ")
            ),
        )
        .at("region"))
    }

    /// Tags with ignored keys in the stored object, put back into what is written.
    fn keep_ignored(&self, ctx: &Ctx, prior: &Obj, planned: &mut Obj) -> Result<()> {
        let ignore = &ctx.config.ignore_tags;
        if ignore.keys.is_empty() && ignore.key_prefixes.is_empty() {
            return Ok(());
        }
        let Some(stored) = self.inner.read(ctx, prior)? else {
            return Ok(());
        };
        for name in ["tags", "tags_all"] {
            let kept: BTreeMap<String, String> = stored
                .tags(name)
                .into_iter()
                .filter(|(k, _)| ignored(k, ignore))
                .collect();
            if kept.is_empty() || !planned.known(name) {
                continue;
            }
            let mut all = planned.tags(name);
            all.extend(kept);
            planned.insert(name.into(), Value::str_map(&all));
        }
        Ok(())
    }
}

/// Upstream's `timeouts {}` block with these durations: accepted, not used.
pub(super) fn timeouts_block(durations: &[&'static str]) -> NestedBlock {
    NestedBlock {
        name: "timeouts",
        nesting: Nesting::Single,
        block: Block::new(
            "Accepted as `hashicorp/aws` accepts it; operations here are synchronous and finish well inside any timeout.",
            durations
                .iter()
                .map(|t| Attribute::optional(t, Type::String, "A duration such as \"10m\" (not used)."))
                .collect(),
        ),
        min_items: 0,
        max_items: 0,
        force_new: false,
    }
}

/// A block's value when it has no element.
fn empty_block(b: &NestedBlock) -> Value {
    match b.nesting {
        Nesting::Single => Value::Null,
        Nesting::List => Value::List(Vec::new()),
        Nesting::Set => Value::Set(Vec::new()),
    }
}

fn ignored(key: &str, ignore: &IgnoreTags) -> bool {
    ignore.keys.contains(key) || ignore.key_prefixes.iter().any(|p| key.starts_with(p.as_str()))
}

/// A tags value without the ignored keys.
pub(super) fn without_ignored(v: Option<&Value>, ignore: &IgnoreTags) -> Value {
    match v {
        Some(Value::Map(m)) => Value::Map(
            m.iter()
                .filter(|(k, _)| !ignored(k, ignore))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        Some(v) => v.clone(),
        None => Value::Null,
    }
}

/// The region an import ID names with an `@<region>` suffix, and the ID without it.
fn split_region(id: &str) -> (&str, Option<&str>) {
    match id.rsplit_once('@') {
        Some((id, region)) if !id.is_empty() && rules::check_region_name(region, "region").is_ok() => {
            (id, Some(region))
        }
        _ => (id, None),
    }
}

impl Resource for AwsResource {
    fn name(&self) -> &'static str {
        self.view.name
    }

    fn schema(&self) -> Schema {
        self.schema.clone()
    }

    fn validate(&self, config: &Obj, diags: &mut Diagnostics) {
        if let Some(r) = config.str("region")
            && let Err(e) = rules::check_region_name(r, "region")
        {
            diags.push(diag(&e));
        }
        let mut inner = Diagnostics::default();
        self.inner.validate(&self.to_ours(config, &Value::Null), &mut inner);
        self.rename_paths(&mut inner);
        diags.0.extend(inner.0);
    }

    fn volatile(&self) -> Vec<&'static str> {
        self.inner
            .volatile()
            .into_iter()
            .filter(|n| !self.view.hidden.contains(n))
            .map(|n| self.view.upstream_name(n))
            .collect()
    }

    fn cidr_attributes(&self) -> Vec<&'static str> {
        self.inner.cidr_attributes()
    }

    fn plan_defaults(&self, ctx: &Ctx, config: &Obj, planned: &mut Obj) {
        // Not configured: the provider's region, so a changed provider region (or removing
        // `region` from the configuration) replaces the object, as upstream plans it.
        if config.get("region").is_none_or(Value::is_null) {
            planned.insert("region".into(), Value::str(&ctx.config.region));
        }
    }

    fn modify_plan(&self, ctx: &Ctx, prior: Option<&Obj>, planned: &mut Obj, config: &Obj, diags: &mut Diagnostics) {
        let region = planned.string("region");
        let cfg = self.config_for(ctx, region.as_deref());
        let inner_ctx = Ctx {
            config: &cfg,
            store: ctx.store.clone(),
        };
        let prior_ours = prior.map(|p| self.to_ours(p, &Value::Null));
        let mut ours = self.to_ours(planned, &Value::Unknown);
        let mut inner = Diagnostics::default();
        self.inner.modify_plan(
            &inner_ctx,
            prior_ours.as_ref(),
            &mut ours,
            &self.to_ours(config, &Value::Null),
            &mut inner,
        );
        if !inner.has_errors()
            && let Some(r) = &region
            && let Err(e) = self.check_region(&inner_ctx, &ctx.config.region, &ours, r)
        {
            inner.push(checked_at_apply(&e));
        }
        self.rename_paths(&mut inner);
        diags.0.extend(inner.0);
        let region = planned.string("region").unwrap_or_default();
        match self.shown(&inner_ctx, &ours, Some(planned), &region) {
            Ok(up) => *planned = up,
            Err(e) => diags.push(diag(&self.rename_error(e))),
        }
    }

    fn create(&self, ctx: &Ctx, planned: &Obj) -> Result<Obj> {
        let region = planned.string("region").unwrap_or_else(|| ctx.config.region.clone());
        let cfg = self.config_for(ctx, Some(&region));
        let inner_ctx = Ctx {
            config: &cfg,
            store: ctx.store.clone(),
        };
        let ours = self.to_ours(planned, &Value::Unknown);
        self.check_region(&inner_ctx, &ctx.config.region, &ours, &region)
            .map_err(|e| self.rename_error(e))?;
        let created = self.inner.create(&inner_ctx, &ours).map_err(|e| self.rename_error(e))?;
        self.shown(&inner_ctx, &created, Some(planned), &region)
    }

    fn update(&self, ctx: &Ctx, prior: &Obj, planned: &Obj) -> Result<Obj> {
        let region = planned.string("region").unwrap_or_else(|| ctx.config.region.clone());
        let cfg = self.config_for(ctx, Some(&region));
        let inner_ctx = Ctx {
            config: &cfg,
            store: ctx.store.clone(),
        };
        let prior_ours = self.to_ours(prior, &Value::Null);
        let mut ours = self.to_ours(planned, &Value::Unknown);
        self.keep_ignored(&inner_ctx, &prior_ours, &mut ours)?;
        let updated = self
            .inner
            .update(&inner_ctx, &prior_ours, &ours)
            .map_err(|e| self.rename_error(e))?;
        self.shown(&inner_ctx, &updated, Some(planned), &region)
    }

    fn delete(&self, ctx: &Ctx, prior: &Obj) -> Result<()> {
        let region = prior.string("region");
        let cfg = self.config_for(ctx, region.as_deref());
        let inner_ctx = Ctx {
            config: &cfg,
            store: ctx.store.clone(),
        };
        self.inner
            .delete(&inner_ctx, &self.to_ours(prior, &Value::Null))
            .map_err(|e| self.rename_error(e))
    }

    fn read(&self, ctx: &Ctx, state: &Obj) -> Result<Option<Obj>> {
        let region = state.string("region").unwrap_or_else(|| ctx.config.region.clone());
        let cfg = self.config_for(ctx, Some(&region));
        let inner_ctx = Ctx {
            config: &cfg,
            store: ctx.store.clone(),
        };
        self.inner
            .read(&inner_ctx, &self.to_ours(state, &Value::Null))?
            .map(|o| self.shown(&inner_ctx, &o, Some(state), &region))
            .transpose()
    }

    fn import(&self, ctx: &Ctx, id: &str) -> Result<Obj> {
        let (id, region) = split_region(id);
        let region = region.unwrap_or(&ctx.config.region).to_string();
        let ours_id = match self.view.id_from_upstream {
            Some(from) => from(id)?,
            None => id.to_string(),
        };
        let cfg = self.config_for(ctx, Some(&region));
        let inner_ctx = Ctx {
            config: &cfg,
            store: ctx.store.clone(),
        };
        let o = self.inner.import(&inner_ctx, &ours_id)?;
        self.shown(&inner_ctx, &o, None, &region)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_import_id_may_end_with_a_region() {
        assert_eq!(
            split_region("ipam-scope-1@eu-west-1"),
            ("ipam-scope-1", Some("eu-west-1"))
        );
        assert_eq!(split_region("ipam-scope-1"), ("ipam-scope-1", None));
        // Not a region: the whole ID.
        assert_eq!(split_region("a@b"), ("a@b", None));
        assert_eq!(split_region("@eu-west-1"), ("@eu-west-1", None));
    }

    #[test]
    fn ignored_tags_are_left_out() {
        let ignore = IgnoreTags {
            keys: ["a".to_string()].into(),
            key_prefixes: ["x:".to_string()].into(),
        };
        let tags = Value::str_map(&BTreeMap::from([
            ("a".to_string(), "1".to_string()),
            ("b".to_string(), "2".to_string()),
            ("x:y".to_string(), "3".to_string()),
        ]));
        assert_eq!(
            without_ignored(Some(&tags), &ignore),
            Value::str_map(&BTreeMap::from([("b".to_string(), "2".to_string())]))
        );
        assert_eq!(without_ignored(None, &ignore), Value::Null);
    }

    static VIEW: ResourceView = ResourceView {
        name: "aws_thing",
        renames: &[("home_region", "region"), ("mine", "theirs")],
        hidden: &["state"],
        optional_only: &["locale"],
        computed_only: &["resource_id"],
        force_new: &["theirs"],
        not_sensitive: &["proof.signature"],
        timeouts: &["create"],
        region_attribute: Some("home_region"),
        ipam_of: |_, _| Ok(None),
        id_to_upstream: None,
        id_from_upstream: None,
        shown: |_, _, _| Ok(()),
    };

    #[test]
    fn the_schema_is_derived_from_ours() {
        let mut ours = Schema {
            version: 1,
            block: Block::new(
                "",
                vec![
                    Attribute::computed("id", Type::String, ""),
                    Attribute::computed("state", Type::String, ""),
                    Attribute::computed("home_region", Type::String, ""),
                    Attribute::optional("mine", Type::String, ""),
                    Attribute::optional_computed("locale", Type::String, ""),
                    Attribute::optional("resource_id", Type::String, "").force_new(),
                ],
            ),
        };
        ours.block.blocks.push(NestedBlock {
            name: "proof",
            nesting: Nesting::List,
            block: Block::new(
                "",
                vec![
                    Attribute::optional("message", Type::String, "").sensitive(),
                    Attribute::optional("signature", Type::String, "").sensitive(),
                ],
            ),
            min_items: 0,
            max_items: 1,
            force_new: true,
        });
        let up = VIEW.schema(&ours);
        let flags = |n: &str| {
            let a = up.block.attribute(n).unwrap_or_else(|| panic!("{n}"));
            (a.required, a.optional, a.computed, a.force_new)
        };
        assert!(up.block.attribute("state").is_none());
        assert!(up.block.attribute("home_region").is_none());
        assert_eq!(flags("id"), (false, true, true, false));
        assert_eq!(flags("region"), (false, true, true, true));
        assert_eq!(flags("theirs"), (false, true, false, true));
        assert_eq!(flags("locale"), (false, true, false, false));
        assert_eq!(flags("resource_id"), (false, false, true, false));
        assert_eq!(up.block.blocks.len(), 2);
        let proof = &up.block.blocks[0].block;
        let sensitive = |n: &str| proof.attributes.iter().find(|a| a.name == n).map(|a| a.sensitive);
        assert_eq!(
            (sensitive("message"), sensitive("signature")),
            (Some(true), Some(false))
        );
        assert_eq!(up.block.blocks[1].name, "timeouts");
        assert_eq!(up.version, 1);
    }
}
