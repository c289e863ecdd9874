//! `ipam_pool_allocation`: space reserved from a pool, by exact CIDR or first fit. The CIDR is
//! chosen inside the apply transaction, never promised at plan time.

use std::collections::BTreeMap;

use crate::ipam::cidr::Cidr;
use crate::ipam::ids;
use crate::ipam::model::{Allocation, ComplianceStatus, ResourceType};
use crate::ipam::pool_rules;
use crate::ipam::{Error, Result, access, ops};
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::Schema;
use crate::plugin::value::Obj;

use super::aws_resource::{ResourceView, ipam_of_pool};
use super::common::{checked_at_apply, diag, parse_cidr, split_id, validate_cidr_netmask};
use super::framework::{Ctx, Resource, TAGS_ALL_DOC};
use super::model::{Maybe, Model, Set, model, planned_tags_all};

model! {
    /// `ipam_pool_allocation`: its arguments, and its state.
    pub struct AllocationModel("An allocation from a pool: an exact CIDR, or the first free block of a netmask length (lowest aligned address first). \
                 Two allocations never overlap, whatever runs at once.") {
        id: Maybe<String> = computed("`<allocation-id>_<pool-id>`."),
        ipam_pool_allocation_id: Maybe<String> = computed("The allocation ID (`ipam-pool-alloc-` and 32 hex digits)."),
        ipam_pool_id: Maybe<String> = required("The pool to allocate from.").force_new(),
        cidr: Maybe<String> = optional_computed("The CIDR to allocate; chosen at apply when `netmask_length` is given instead. Given together with `netmask_length` (as generated configuration is), the two must agree.").force_new().cidr(),
        netmask_length: Maybe<i64> = optional_computed("Allocate the first free block of this size. Without `cidr` and `netmask_length`, the pool's default netmask length is used. Given together with `cidr`, it must be the CIDR's prefix length.").force_new(),
        disallowed_cidrs: Maybe<Set<String>> = optional("CIDRs the allocation must not overlap.").force_new().cidr(),
        description: Option<String> = optional("A description.").force_new(),
        /// A string rather than a [`ResourceType`]: a request may name only some of the types
        /// (never `ipam-pool`), which [`ResourceType::requested`] decides with its own error.
        resource_type: Maybe<String> = optional_computed("`custom` (default: a manual reservation), `vpc`, `subnet`, `ec2-public-ipv4-pool` or `eip`.").force_new(),
        resource_id: Option<String> = optional("The resource the space is for.").force_new(),
        resource_region: Maybe<String> = optional_computed("The resource's region (default: the provider's region for resource allocations); must be the pool's locale.").force_new(),
        resource_owner: Maybe<String> = computed("The account that made the allocation."),
        compliance_status: Maybe<ComplianceStatus> = computed("`compliant`, or `noncompliant` when the allocation breaks the pool's netmask or tag rules.").volatile(),
        tags: Maybe<BTreeMap<String, String>> = optional("Tags. With the provider's `default_tags` (`tags_all`) they are checked against the pool's `allocation_resource_tags`."),
        tags_all: Maybe<BTreeMap<String, String>> = computed(TAGS_ALL_DOC),
    }
}

impl AllocationModel {
    /// The state of an allocation, and what an element of `ipam_pool_allocations` shows of it.
    pub fn from_domain(a: &Allocation) -> AllocationModel {
        AllocationModel {
            id: format!("{}_{}", a.id, a.pool_id).into(),
            ipam_pool_allocation_id: a.id.clone().into(),
            ipam_pool_id: a.pool_id.clone().into(),
            cidr: a.cidr.to_string().into(),
            netmask_length: i64::from(a.cidr.prefix).into(),
            disallowed_cidrs: if a.disallowed_cidrs.is_empty() {
                Maybe::Null
            } else {
                Maybe::Known(a.disallowed_cidrs.iter().cloned().collect())
            },
            description: a.description.clone(),
            resource_type: a.resource_type.as_str().to_string().into(),
            resource_id: a.resource_id.clone(),
            resource_region: a.resource_region.clone().map_or(Maybe::Null, Maybe::Known),
            resource_owner: a.resource_owner.clone().into(),
            compliance_status: a.compliance_status.into(),
            tags: Maybe::null_if_empty(&a.tags),
            tags_all: a.tags_all.clone().into(),
        }
    }

    fn allocation_id(&self) -> &str {
        self.ipam_pool_allocation_id.known().map_or("", String::as_str)
    }

    fn pool_id(&self) -> &str {
        self.ipam_pool_id.known().map_or("", String::as_str)
    }

    /// The requested `resource_type`; `custom` (a manual reservation) when not set.
    fn resource_type(&self) -> Result<ResourceType> {
        self.resource_type
            .known()
            .map_or(Ok(ResourceType::Custom), |t| ResourceType::requested(t))
    }

    /// The disallowed CIDRs, parsed (none while unknown).
    fn disallowed(&self) -> Result<Vec<Cidr>> {
        self.disallowed_cidrs
            .known()
            .map_or(&[][..], |d| d.as_slice())
            .iter()
            .map(|s| parse_cidr(s, "disallowed_cidrs"))
            .collect()
    }
}

pub struct AllocationResource;

fn load(ctx: &Ctx, alloc_id: &str, pool_id: &str) -> Result<Option<Obj>> {
    ctx.store.read(|tx| {
        Ok(tx
            .allocation(alloc_id)?
            .filter(|a| a.pool_id == pool_id)
            .map(|a| AllocationModel::from_domain(&a).to_obj()))
    })
}

impl Resource for AllocationResource {
    fn name(&self) -> &'static str {
        "ipam_pool_allocation"
    }

    fn schema(&self) -> Schema {
        AllocationModel::schema()
    }

    fn cidr_attributes(&self) -> Vec<&'static str> {
        AllocationModel::cidr_attributes()
    }

    fn validate(&self, config: &Obj, diags: &mut Diagnostics) {
        // A number that is no 64-bit whole number does not decode; the framework refuses it on
        // its attribute.
        let Ok(m) = AllocationModel::from_config(config) else {
            return;
        };
        let cidr = validate_cidr_netmask(
            m.cidr.known().map(String::as_str),
            m.netmask_length.known().copied(),
            diags,
        );
        if !m.disallowed_cidrs.is_unknown() {
            match (m.disallowed(), cidr) {
                (Err(e), _) => diags.push(diag(&e)),
                (Ok(d), Some(c)) => {
                    if let Err(e) = pool_rules::check_outside_disallowed(&c, &d) {
                        diags.push(diag(&e));
                    }
                }
                _ => {}
            }
        }
        if let Some(t) = m.resource_type.known()
            && let Err(e) = ResourceType::requested(t)
        {
            diags.push(diag(&e));
        }
        if let Some(id) = m.ipam_pool_id.known()
            && let Err(e) = ids::check_id(id, "ipam-pool", 17, "pool")
        {
            diags.push(diag(&e.at("ipam_pool_id")));
        }
    }

    fn volatile(&self) -> Vec<&'static str> {
        AllocationModel::volatile()
    }

    fn modify_plan(&self, ctx: &Ctx, prior: Option<&Obj>, planned: &mut Obj, config: &Obj, diags: &mut Diagnostics) {
        if prior.is_some() {
            return;
        }
        let (before, config) = match (AllocationModel::from_obj(planned), AllocationModel::from_config(config)) {
            (Ok(p), Ok(c)) => (p, c),
            (Err(e), _) | (_, Err(e)) => return diags.push(diag(&e)),
        };
        let mut m = before.clone();
        m.resource_owner = ctx.config.account_id.clone().into();
        if config.resource_type.is_null() {
            m.resource_type = ResourceType::Custom.as_str().to_string().into();
        }
        if config.resource_region.is_null() && !m.resource_type.is_unknown() {
            m.resource_region = if m.resource_type().is_ok_and(|t| t == ResourceType::Custom) {
                Maybe::Null
            } else {
                ctx.config.region.clone().into()
            };
        }
        let cidr = m.cidr.known().and_then(|s| Cidr::parse(s).ok());
        if let Some(c) = cidr
            && config.netmask_length.is_null()
        {
            m.netmask_length = i64::from(c.prefix).into();
        }
        m.write_changed(&before, planned);
        let Some(pool_id) = m.ipam_pool_id.known() else {
            return;
        };
        let (pool, scope_type) = match ctx.store.read(|tx| {
            let Some(p) = tx.pool(pool_id)? else { return Ok(None) };
            Ok(tx.scope_type(&p.scope_id)?.map(|t| (p, t)))
        }) {
            Ok(Some(found)) => found,
            Ok(None) => return diags.push(diag(&Error::not_found("pool", pool_id).at("ipam_pool_id"))),
            Err(e) => return diags.push(diag(&e)),
        };
        // Refused at plan: what the configuration shows against the pool's facts that never change
        // in place (family, scope type, locale).
        if let Some(c) = cidr
            && let Err(e) = pool_rules::check_family(&pool, &c, "cidr")
        {
            return diags.push(diag(&e));
        }
        let configured = !config.netmask_length.is_null() || !config.cidr.is_null();
        let requested = if configured {
            m.netmask_length.known().copied()
        } else {
            None
        };
        if let Some(n) = requested
            && let Err(e) = pool_rules::allocation_netmask(&pool, Some(n))
        {
            return diags.push(diag(&e));
        }
        if !m.resource_type.is_unknown()
            && !m.resource_region.is_unknown()
            && let Err(e) = m.resource_type().and_then(|t| {
                pool_rules::check_allocation_target(&pool, scope_type, t, m.resource_region.known().map(String::as_str))
            })
        {
            return diags.push(diag(&e));
        }
        // Warned at plan, decided at apply: shares of another account's pool, which the same plan
        // may create.
        if pool.owner_id != ctx.config.account_id {
            match ctx.store.read(|tx| {
                access::check_can_allocate(tx, &pool, &ctx.config.account_id, ctx.config.organization.as_ref())
            }) {
                Ok(()) => {}
                Err(e) if e.is_forbidden() => diags.push(checked_at_apply(&e)),
                Err(e) => return diags.push(diag(&e)),
            }
        }
        // Warned at plan, decided at apply: the pool's default netmask length and netmask rules,
        // which the same plan may change (the planned netmask length stays unknown when it comes
        // from the pool's default).
        if requested.is_none() && configured {
            return;
        }
        let prefix = match pool_rules::allocation_netmask(&pool, requested) {
            Ok(p) => p,
            Err(e) => return diags.push(checked_at_apply(&e)),
        };
        let tags = m.tags_all.known().cloned().unwrap_or_default();
        let resource_type = match m.resource_type() {
            Ok(t) => t,
            Err(e) => return diags.push(diag(&e)),
        };
        let spec = pool_rules::AllocationSpec {
            resource_type,
            resource_region: m.resource_region.known().map(String::as_str),
            netmask: Some(i64::from(prefix)),
            tags: &tags,
        };
        if let Err(e) = pool_rules::allocation_compliance(&pool, &spec, prefix) {
            diags.push(checked_at_apply(&e));
        }
    }

    fn create(&self, ctx: &Ctx, planned: &Obj) -> Result<Obj> {
        let m = AllocationModel::from_obj(planned)?;
        let pool_id = m.pool_id();
        let cidr = m.cidr.known().map(|s| parse_cidr(s, "cidr")).transpose()?;
        let disallowed = m.disallowed()?;
        let tags = m.tags.known().cloned().unwrap_or_default();
        let tags_all = planned_tags_all(ctx, Some(&tags), &m.tags_all);
        let req = ops::AllocationRequest {
            cidr,
            netmask_length: if cidr.is_some() {
                None
            } else {
                m.netmask_length.known().copied()
            },
            disallowed: &disallowed,
            resource_type: m.resource_type()?,
            resource_id: m.resource_id.as_deref(),
            resource_region: m.resource_region.known().map(String::as_str),
            description: m.description.as_deref(),
            tags: &tags,
            tags_all: &tags_all,
            owner: &ctx.config.account_id,
        };
        let org = ctx.config.organization.as_ref();
        let a = ctx
            .store
            .write(|tx| ops::create_allocation(tx, pool_id, &req, org, &ops::now()))?;
        Ok(AllocationModel::from_domain(&a).to_obj())
    }

    fn update(&self, ctx: &Ctx, prior: &Obj, planned: &Obj) -> Result<Obj> {
        let prior = AllocationModel::from_obj(prior)?;
        let plan = AllocationModel::from_obj(planned)?;
        let tags = plan.tags.known().cloned().unwrap_or_default();
        let set = ops::AllocationSettings {
            tags_all: planned_tags_all(ctx, Some(&tags), &plan.tags_all),
            tags,
        };
        let a = ctx
            .store
            .write(|tx| ops::update_allocation(tx, prior.allocation_id(), set, &ctx.config.account_id))?;
        Ok(AllocationModel::from_domain(&a).to_obj())
    }

    fn delete(&self, ctx: &Ctx, prior: &Obj) -> Result<()> {
        let prior = AllocationModel::from_obj(prior)?;
        ctx.store
            .write(|tx| ops::delete_allocation(tx, prior.allocation_id(), &ctx.config.account_id, &ops::now()))
    }

    fn read(&self, ctx: &Ctx, state: &Obj) -> Result<Option<Obj>> {
        let state = AllocationModel::from_obj(state)?;
        load(ctx, state.allocation_id(), state.pool_id())
    }

    fn import(&self, ctx: &Ctx, id: &str) -> Result<Obj> {
        let (alloc, pool) = split_id(
            id,
            "<allocation-id>_<pool-id>, e.g. ipam-pool-alloc-0123…_ipam-pool-0123456789abcdef0",
        )?;
        ids::check_id(alloc, "ipam-pool-alloc", 32, "allocation")?;
        load(ctx, alloc, pool)?.ok_or_else(|| Error::not_found("allocation", id))
    }
}

/// `aws_vpc_ipam_pool_cidr_allocation`: upstream's allocation (6.22.1) has no tags, no resource
/// region and no compliance status; it makes `custom` allocations only, so `resource_id` and
/// `resource_type` are read-only (an allocation made for a resource through `ipam_pool_allocation`
/// shows its own). Every argument replaces, as here.
pub static AWS_VIEW: ResourceView = ResourceView {
    name: "aws_vpc_ipam_pool_cidr_allocation",
    hidden: &["resource_region", "compliance_status", "tags", "tags_all"],
    computed_only: &["resource_id", "resource_type"],
    ipam_of: ipam_of_pool,
    ..ResourceView::SAME
};
