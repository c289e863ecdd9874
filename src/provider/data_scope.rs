//! Data source `ipam_scope`: one scope, with its utilisation.

use std::collections::BTreeMap;

use crate::ipam::{Result, ids};
use crate::plugin::diag::Diagnostics;

use super::data::{SCOPE_FILTERS, ScopeView, Usage, check_same_id, find_scopes, scope_utilisation};
use super::filter::{Filter, single};
use super::framework::Ctx;
use super::model::{ModelDataSource, Set, model};
use super::view::{ButId, ReadOnly};

model! {
    /// `ipam_scope`.
    pub struct ScopeModel("Reads one scope, by `ipam_scope_id`, `id` or filters (exactly one must match), with its utilisation.") {
        id: Option<String> = optional_computed("The scope ID to read (same as `ipam_scope_id`)."),
        ipam_scope_id: Option<String> = optional_computed("The scope ID to read."),
        scope: ReadOnly<ButId<ScopeView>> = flatten(),
        usage: Usage = flatten(),
        by_address_family: BTreeMap<String, Usage> = computed("The same figures per address family (`ipv4`, `ipv6`) of the scope's pools; the totals above add both families up."),
        filter: Set<Filter> = set_block(SCOPE_FILTERS),
    }
}

/// `ipam_scope`: one scope by `ipam_scope_id`, `id` or filters, with utilisation.
pub struct ScopeData;

impl ModelDataSource for ScopeData {
    type Model = ScopeModel;
    const NAME: &'static str = "ipam_scope";
    fn validate(&self, config: &ScopeModel, diags: &mut Diagnostics) {
        check_same_id(
            config.id.as_ref(),
            config.ipam_scope_id.as_ref(),
            "ipam_scope_id",
            "scopes",
            diags,
        );
    }
    fn read(&self, ctx: &Ctx, config: ScopeModel) -> Result<ScopeModel> {
        let id = match (&config.ipam_scope_id, &config.id) {
            (Some(id), _) => Some((id.as_str(), "ipam_scope_id")),
            (None, Some(id)) => Some((id.as_str(), "id")),
            (None, None) => None,
        };
        if let Some((id, attr)) = id {
            ids::check_id(id, "ipam-scope", 17, "scope").map_err(|e| e.at(attr))?;
        }
        let (found, total, by_family) = ctx.store.read(|tx| {
            let found = single(find_scopes(ctx, tx, id.map(|(id, _)| id), &config.filter)?, "scope")?;
            let (total, by_family) = scope_utilisation(tx, found.0.id.known().map_or("", String::as_str))?;
            Ok((found, total, by_family))
        })?;
        let id = found.0.id.known().cloned();
        Ok(ScopeModel {
            id: id.clone(),
            ipam_scope_id: id,
            scope: found.view(),
            usage: Usage::from(&total),
            by_address_family: by_family.iter().map(|(f, u)| (f.clone(), Usage::from(u))).collect(),
            filter: config.filter,
        })
    }
}
