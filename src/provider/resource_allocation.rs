//! `ipam_pool_allocation`: space reserved from a pool, by exact CIDR or first fit. The CIDR is
//! chosen inside the apply transaction, never promised at plan time.

use crate::ipam::cidr::Cidr;
use crate::ipam::ids;
use crate::ipam::model::{ComplianceStatus, ResourceType};
use crate::ipam::pool_rules;
use crate::ipam::{Error, Result, access, ops};
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::{Attribute, Block, Schema};
use crate::plugin::value::{Obj, Type, Value};

use super::common::{ObjExt, allocation_state, checked_at_apply, diag, parse_cidr, split_id, validate_cidr_netmask};
use super::framework::{Ctx, Resource, TAGS_ALL_DOC};
use super::model::kind::read_value;
use super::model::planned_tags_all;

pub struct AllocationResource;

/// The requested `resource_type`; `custom` (a manual reservation) when not set.
fn resource_type(o: &Obj) -> Result<ResourceType> {
    o.str("resource_type")
        .map_or(Ok(ResourceType::Custom), ResourceType::requested)
}

fn load(ctx: &Ctx, alloc_id: &str, pool_id: &str) -> Result<Option<Obj>> {
    ctx.store.read(|tx| {
        Ok(tx
            .allocation(alloc_id)?
            .filter(|a| a.pool_id == pool_id)
            .map(|a| allocation_state(&a)))
    })
}

fn disallowed(o: &Obj) -> Result<Vec<Cidr>> {
    o.strings("disallowed_cidrs")
        .iter()
        .map(|s| parse_cidr(s, "disallowed_cidrs"))
        .collect()
}

impl Resource for AllocationResource {
    fn name(&self) -> &'static str {
        "ipam_pool_allocation"
    }

    fn schema(&self) -> Schema {
        let s = Type::String;
        let m = || Type::map_of(Type::String);
        Schema {
            version: 0,
            block: Block::new(
                "An allocation from a pool: an exact CIDR, or the first free block of a netmask length (lowest aligned address first). \
                 Two allocations never overlap, whatever runs at once.",
                vec![
                    Attribute::computed("id", s.clone(), "`<allocation-id>_<pool-id>`."),
                    Attribute::computed("ipam_pool_allocation_id", s.clone(), "The allocation ID (`ipam-pool-alloc-` and 32 hex digits)."),
                    Attribute::required("ipam_pool_id", s.clone(), "The pool to allocate from.").force_new(),
                    Attribute::optional_computed("cidr", s.clone(), "The CIDR to allocate; chosen at apply when `netmask_length` is given instead. Given together with `netmask_length` (as generated configuration is), the two must agree.").force_new(),
                    Attribute::optional_computed("netmask_length", Type::Number, "Allocate the first free block of this size. Without `cidr` and `netmask_length`, the pool's default netmask length is used. Given together with `cidr`, it must be the CIDR's prefix length.").force_new(),
                    Attribute::optional("disallowed_cidrs", Type::set_of(s.clone()), "CIDRs the allocation must not overlap.").force_new(),
                    Attribute::optional("description", s.clone(), "A description.").force_new(),
                    Attribute::optional_computed("resource_type", s.clone(), "`custom` (default: a manual reservation), `vpc`, `subnet`, `ec2-public-ipv4-pool` or `eip`.").force_new(),
                    Attribute::optional("resource_id", s.clone(), "The resource the space is for.").force_new(),
                    Attribute::optional_computed("resource_region", s.clone(), "The resource's region (default: the provider's region for resource allocations); must be the pool's locale.").force_new(),
                    Attribute::computed("resource_owner", s.clone(), "The account that made the allocation."),
                    Attribute::computed("compliance_status", s.clone(), "`compliant`, or `noncompliant` when the allocation breaks the pool's netmask or tag rules."),
                    Attribute::optional("tags", m(), "Tags. With the provider's `default_tags` (`tags_all`) they are checked against the pool's `allocation_resource_tags`."),
                    Attribute::computed("tags_all", m(), TAGS_ALL_DOC),
                ],
            ),
        }
    }

    fn cidr_attributes(&self) -> Vec<&'static str> {
        vec!["cidr", "disallowed_cidrs"]
    }

    fn validate(&self, config: &Obj, diags: &mut Diagnostics) {
        validate_cidr_netmask(config, diags);
        if config.known("disallowed_cidrs") {
            match (disallowed(config), config.str("cidr").map(|s| parse_cidr(s, "cidr"))) {
                (Err(e), _) => diags.push(diag(&e)),
                (Ok(d), Some(Ok(c))) => {
                    if let Err(e) = pool_rules::check_outside_disallowed(&c, &d) {
                        diags.push(diag(&e));
                    }
                }
                _ => {}
            }
        }
        if let Some(t) = config.str("resource_type")
            && let Err(e) = ResourceType::requested(t)
        {
            diags.push(diag(&e));
        }
        if let Some(id) = config.str("ipam_pool_id")
            && let Err(e) = ids::check_id(id, "ipam-pool", 17, "pool")
        {
            diags.push(diag(&e.at("ipam_pool_id")));
        }
    }

    fn volatile(&self) -> Vec<&'static str> {
        vec!["compliance_status"]
    }

    fn modify_plan(&self, ctx: &Ctx, prior: Option<&Obj>, planned: &mut Obj, config: &Obj, diags: &mut Diagnostics) {
        if prior.is_some() {
            return;
        }
        planned.insert("resource_owner".into(), Value::str(&ctx.config.account_id));
        if config.get("resource_type").is_none_or(Value::is_null) {
            planned.insert("resource_type".into(), Value::str(ResourceType::Custom.as_str()));
        }
        if config.get("resource_region").is_none_or(Value::is_null) && planned.known("resource_type") {
            let v = if resource_type(planned).is_ok_and(|t| t == ResourceType::Custom) {
                Value::Null
            } else {
                Value::str(&ctx.config.region)
            };
            planned.insert("resource_region".into(), v);
        }
        if let Some(c) = planned.str("cidr").and_then(|s| Cidr::parse(s).ok())
            && config.get("netmask_length").is_none_or(Value::is_null)
        {
            planned.insert("netmask_length".into(), Value::int(i64::from(c.prefix)));
        }
        let Some(pool_id) = planned.string("ipam_pool_id") else {
            return;
        };
        let (pool, scope_type) = match ctx.store.read(|tx| {
            let Some(p) = tx.pool(&pool_id)? else { return Ok(None) };
            Ok(tx.scope_type(&p.scope_id)?.map(|t| (p, t)))
        }) {
            Ok(Some(found)) => found,
            Ok(None) => return diags.push(diag(&Error::not_found("pool", &pool_id).at("ipam_pool_id"))),
            Err(e) => return diags.push(diag(&e)),
        };
        // Refused at plan: what the configuration shows against the pool's facts that never change
        // in place (family, scope type, locale).
        if let Some(c) = planned.str("cidr").and_then(|s| Cidr::parse(s).ok())
            && let Err(e) = pool_rules::check_family(&pool, &c, "cidr")
        {
            return diags.push(diag(&e));
        }
        let configured = |k: &str| config.get(k).is_some_and(|v| !v.is_null());
        let requested = if configured("netmask_length") || configured("cidr") {
            planned.int("netmask_length")
        } else {
            None
        };
        if let Some(n) = requested
            && let Err(e) = pool_rules::allocation_netmask(&pool, Some(n))
        {
            return diags.push(diag(&e));
        }
        if planned.known("resource_type")
            && planned.known("resource_region")
            && let Err(e) = resource_type(planned)
                .and_then(|t| pool_rules::check_allocation_target(&pool, scope_type, t, planned.str("resource_region")))
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
        if requested.is_none() && (configured("cidr") || configured("netmask_length")) {
            return;
        }
        let prefix = match pool_rules::allocation_netmask(&pool, requested) {
            Ok(p) => p,
            Err(e) => return diags.push(checked_at_apply(&e)),
        };
        let tags = planned.tags("tags_all");
        let resource_type = match resource_type(planned) {
            Ok(t) => t,
            Err(e) => return diags.push(diag(&e)),
        };
        let spec = pool_rules::AllocationSpec {
            resource_type,
            resource_region: planned.str("resource_region"),
            netmask: Some(i64::from(prefix)),
            tags: &tags,
        };
        if let Err(e) = pool_rules::allocation_compliance(&pool, &spec, prefix) {
            diags.push(checked_at_apply(&e));
        }
    }

    fn create(&self, ctx: &Ctx, planned: &Obj) -> Result<Obj> {
        let pool_id = planned.string("ipam_pool_id").unwrap_or_default();
        let cidr = planned.str("cidr").map(|s| parse_cidr(s, "cidr")).transpose()?;
        let disallowed = disallowed(planned)?;
        let tags = planned.tags("tags");
        let tags_all = planned_tags_all(ctx, Some(&tags), &read_value(planned, "tags_all")?);
        let req = ops::AllocationRequest {
            cidr,
            netmask_length: if cidr.is_some() {
                None
            } else {
                planned.int("netmask_length")
            },
            disallowed: &disallowed,
            resource_type: resource_type(planned)?,
            resource_id: planned.str("resource_id"),
            resource_region: planned.str("resource_region"),
            description: planned.str("description"),
            tags: &tags,
            tags_all: &tags_all,
            owner: &ctx.config.account_id,
        };
        ctx.store.write(|tx| {
            let pool = tx
                .pool(&pool_id)?
                .ok_or_else(|| Error::not_found("pool", &pool_id).at("ipam_pool_id"))?;
            access::check_can_allocate(tx, &pool, &ctx.config.account_id, ctx.config.organization.as_ref())?;
            let a = ops::allocate(tx, &pool, &req, &ops::now())?;
            Ok(allocation_state(&a))
        })
    }

    fn update(&self, ctx: &Ctx, prior: &Obj, planned: &Obj) -> Result<Obj> {
        let id = prior.str("ipam_pool_allocation_id").unwrap_or_default();
        ctx.store.write(|tx| {
            let mut a = tx.allocation(id)?.ok_or_else(|| Error::not_found("allocation", id))?;
            access::check_can_change_allocation(&ctx.config.account_id, &a)?;
            let pool = tx
                .pool(&a.pool_id)?
                .ok_or_else(|| Error::not_found("pool", &a.pool_id))?;
            let scope = tx
                .scope(&pool.scope_id)?
                .ok_or_else(|| Error::not_found("scope", &pool.scope_id))?;
            a.tags = planned.tags("tags");
            a.tags_all = planned_tags_all(ctx, Some(&a.tags), &read_value(planned, "tags_all")?);
            let spec = pool_rules::AllocationSpec {
                resource_type: a.resource_type,
                resource_region: a.resource_region.as_deref(),
                netmask: Some(i64::from(a.cidr.prefix)),
                tags: &a.tags_all,
            };
            // Tags changed (its own or the default tags): compliance is decided again;
            // the space stays.
            a.compliance_status = pool_rules::check_allocation(&pool, scope.scope_type, &spec, a.cidr.prefix)
                .unwrap_or(ComplianceStatus::Noncompliant);
            tx.update_allocation_tags(&a)?;
            Ok(allocation_state(&a))
        })
    }

    fn delete(&self, ctx: &Ctx, prior: &Obj) -> Result<()> {
        let id = prior.str("ipam_pool_allocation_id").unwrap_or_default();
        ctx.store.write(|tx| {
            let Some(a) = tx.allocation(id)? else { return Ok(()) };
            let pool_owner = tx.pool(&a.pool_id)?.map(|p| p.owner_id).unwrap_or_default();
            access::check_can_release(&ctx.config.account_id, &a, &pool_owner)?;
            ops::release(tx, &a, &ops::now())
        })
    }

    fn read(&self, ctx: &Ctx, state: &Obj) -> Result<Option<Obj>> {
        load(
            ctx,
            state.str("ipam_pool_allocation_id").unwrap_or_default(),
            state.str("ipam_pool_id").unwrap_or_default(),
        )
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
