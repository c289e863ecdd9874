//! Data source `ipam_scope`: one scope, with its utilisation.

use crate::ipam::{Error, Result, ids};
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::{Attribute, Block, Schema};
use crate::plugin::value::{Obj, Type, Value};

use super::common::{ObjExt, diag};
use super::data::{SCOPE_FILTERS, find_scopes, scope_attrs};
use super::filter::{filter_block, filters, single};
use super::framework::{Ctx, DataSource};

/// `ipam_scope`: one scope by `ipam_scope_id`, `id` or filters, with utilisation.
pub struct ScopeData;

impl DataSource for ScopeData {
    fn name(&self) -> &'static str {
        "ipam_scope"
    }
    fn schema(&self) -> Schema {
        let mut attrs = scope_attrs(true);
        for a in attrs.iter_mut().filter(|a| a.name == "id") {
            *a = Attribute::optional_computed("id", Type::String, "The scope ID to read (same as `ipam_scope_id`).");
        }
        attrs.push(Attribute::optional_computed(
            "ipam_scope_id",
            Type::String,
            "The scope ID to read.",
        ));
        Schema {
            version: 0,
            block: Block::new(
                "Reads one scope, by `ipam_scope_id`, `id` or filters (exactly one must match), with its utilisation.",
                attrs,
            )
            .with_block(filter_block(SCOPE_FILTERS)),
        }
    }
    fn validate(&self, config: &Obj, diags: &mut Diagnostics) {
        if let (Some(a), Some(b)) = (config.str("id"), config.str("ipam_scope_id"))
            && a != b
        {
            diags.push(diag(
                &Error::invalid(
                    "Conflicting IDs",
                    format!("`id` ({a}) and `ipam_scope_id` ({b}) name different scopes; give one."),
                )
                .at("ipam_scope_id"),
            ));
        }
    }
    fn read(&self, ctx: &Ctx, config: &Obj) -> Result<Obj> {
        let fs = filters(config);
        let id = config.str("ipam_scope_id").or(config.str("id"));
        if let Some(id) = id {
            let attr = if config.str("ipam_scope_id").is_some() {
                "ipam_scope_id"
            } else {
                "id"
            };
            ids::check_id(id, "ipam-scope", 17, "scope").map_err(|e| e.at(attr))?;
        }
        let mut o = ctx
            .store
            .read(|tx| single(find_scopes(ctx, tx, id, &fs, true)?, "scope"))?;
        let scope_id = o.get("id").cloned().unwrap_or_default();
        o.insert("ipam_scope_id".into(), scope_id);
        o.insert(
            "filter".into(),
            config.get("filter").cloned().unwrap_or(Value::Set(vec![])),
        );
        Ok(o)
    }
}
