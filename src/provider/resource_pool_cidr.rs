//! `ipam_pool_cidr`: a CIDR provisioned to a pool, given exactly or carved from the parent pool by
//! netmask length.

use crate::ipam::cidr::Cidr;
use crate::ipam::model::CidrState;
use crate::ipam::{Error, Result};
use crate::ipam::{access, byoip, ops, pool_rules};
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use crate::plugin::value::{Obj, Type, Value};

use super::common::{ObjExt, checked_at_apply, diag, parse_cidr, pool_cidr_state, split_id, validate_cidr_netmask};
use super::framework::{Ctx, Resource};

pub struct PoolCidrResource;

fn load(ctx: &Ctx, pool_id: &str, cidr: &Cidr) -> Result<Option<Obj>> {
    ctx.store
        .read(|tx| Ok(tx.pool_cidr(pool_id, cidr)?.map(|pc| pool_cidr_state(&pc))))
}

fn auth(o: &Obj) -> (Option<String>, Option<String>) {
    let b = o
        .get("cidr_authorization_context")
        .and_then(Value::as_elems)
        .and_then(|v| v.first())
        .and_then(Value::as_obj);
    (
        b.and_then(|b| b.string("message")),
        b.and_then(|b| b.string("signature")),
    )
}

/// The plan-time checks against the pool in the database: family, R-16 private IPv6 space,
/// public prefix limits, R-45/R-46 BYOIP authorization of a top-level public pool.
/// Returns what apply decides again (the IPAM's `enable_private_gua` for global unicast space in
/// a private scope), for the plan to warn about.
fn plan_checks(
    ctx: &Ctx,
    tx: &crate::store::Tx,
    pool_id: &str,
    cidr: Option<Cidr>,
    planned: &Obj,
) -> Result<Option<Error>> {
    let pool = tx
        .pool(pool_id)?
        .ok_or_else(|| Error::not_found("pool", pool_id).at("ipam_pool_id"))?;
    let Some(scope) = tx.scope(&pool.scope_id)? else {
        return Ok(None);
    };
    let source = ops::root_source(tx, &pool)?;
    let mut warning = None;
    let (prefix, attribute) = match (cidr, planned.int("netmask_length")) {
        (Some(c), _) => {
            pool_rules::check_family(&pool, &c, "cidr")?;
            // The kind of space is the configuration's; whether the IPAM allows global unicast
            // space can change in the same plan, so it only warns here.
            pool_rules::check_private_ipv6_cidr(&pool, scope.scope_type, &c, true, "cidr")?;
            let gua = tx.ipam(&pool.ipam_id)?.is_some_and(|i| i.private_gua());
            warning = pool_rules::check_private_ipv6_cidr(&pool, scope.scope_type, &c, gua, "cidr").err();
            (Some(c.prefix), "cidr")
        }
        (None, Some(n)) => (u8::try_from(n).ok(), "netmask_length"),
        (None, None) => (None, "cidr"),
    };
    if let Some(p) = prefix {
        pool_rules::check_public_prefix(&pool, scope.scope_type, source, p, attribute)?;
    }
    if let Some(c) = cidr
        && pool.source_pool_id.is_none()
        && byoip::needs_byoip_proof(&pool, scope.scope_type)
        && planned
            .get("cidr_authorization_context")
            .is_none_or(Value::is_wholly_known)
    {
        let (message, signature) = auth(planned);
        byoip::check_byoip_authorization(
            message.as_deref(),
            signature.as_deref(),
            &ctx.config.account_id,
            &c,
            &ops::today(),
        )?;
    }
    Ok(warning)
}

impl Resource for PoolCidrResource {
    fn name(&self) -> &'static str {
        "ipam_pool_cidr"
    }

    fn schema(&self) -> Schema {
        let ctx_block = Block::new(
            "Proof that you own a BYOIP CIDR: needed when provisioning to a top-level public pool, never for child pools.",
            vec![
                Attribute::optional(
                    "message",
                    Type::String,
                    "`1|aws|<account>|<cidr>|<YYYYMMDD expiry>|SHA256|RSAPSS`.",
                ),
                Attribute::optional(
                    "signature",
                    Type::String,
                    "The message signed with the key of your RDAP certificate.",
                )
                .sensitive(),
            ],
        );
        Schema {
            version: 0,
            block: Block::new(
                "A CIDR provisioned to a pool. For a child pool the CIDR must be free in the parent pool, and provisioning it allocates it there.",
                vec![
                    Attribute::computed("id", Type::String, "`<cidr>_<pool-id>`."),
                    Attribute::required("ipam_pool_id", Type::String, "The pool to provision to.").force_new(),
                    Attribute::optional_computed("cidr", Type::String, "The CIDR to provision. Given together with `netmask_length` (as generated configuration is), the two must agree.").force_new(),
                    Attribute::optional_computed("netmask_length", Type::Number, "Provision the first free block of this size from the parent pool (or Amazon-provided IPv6). Given together with `cidr`, it must be the CIDR's prefix length.").force_new(),
                    Attribute::computed("ipam_pool_cidr_id", Type::String, "The pool CIDR's own ID."),
                    Attribute::computed("state", Type::String, "`provisioned`."),
                ],
            )
            .with_block(NestedBlock { name: "cidr_authorization_context", nesting: Nesting::List, block: ctx_block, min_items: 0, max_items: 1, force_new: true }),
        }
    }

    fn cidr_attributes(&self) -> &'static [&'static str] {
        &["cidr"]
    }

    fn validate(&self, config: &Obj, diags: &mut Diagnostics) {
        let given = |k: &str| config.get(k).is_some_and(|v| !v.is_null());
        if !given("cidr") && !given("netmask_length") {
            diags.push(diag(&Error::invalid("Missing CIDR", "Give `cidr` (an exact CIDR) or `netmask_length` (carve the first free block from the parent pool).").at("cidr")));
        }
        validate_cidr_netmask(config, diags);
    }

    fn modify_plan(&self, ctx: &Ctx, prior: Option<&Obj>, planned: &mut Obj, config: &Obj, diags: &mut Diagnostics) {
        if prior.is_some() {
            return;
        }
        planned.insert("state".into(), Value::str(CidrState::Provisioned.as_str()));
        let cidr = planned.str("cidr").and_then(|s| Cidr::parse(s).ok());
        if let Some(c) = cidr
            && config.get("netmask_length").is_none_or(Value::is_null)
        {
            planned.insert("netmask_length".into(), Value::int(i64::from(c.prefix)));
        }
        let Some(pool_id) = planned.string("ipam_pool_id") else {
            return;
        };
        if let Some(c) = cidr {
            planned.insert("id".into(), Value::str(format!("{c}_{pool_id}")));
        }
        // Rules whose facts are the pool's own (immutable) attributes and the configuration are
        // checked here, as at apply. Rules on other objects' space wait
        // for apply: the same plan may free that space first (e.g. a replacement).
        match ctx.store.read(|tx| plan_checks(ctx, tx, &pool_id, cidr, planned)) {
            Ok(Some(w)) => diags.push(checked_at_apply(&w)),
            Ok(None) => {}
            Err(e) => diags.push(diag(&e)),
        }
    }

    fn create(&self, ctx: &Ctx, planned: &Obj) -> Result<Obj> {
        let pool_id = planned.string("ipam_pool_id").unwrap_or_default();
        let cidr = planned.str("cidr").map(|s| parse_cidr(s, "cidr")).transpose()?;
        let (message, signature) = auth(planned);
        let req = ops::ProvisionRequest {
            cidr,
            netmask_length: if cidr.is_some() {
                None
            } else {
                planned.int("netmask_length")
            },
            auth_message: message.as_deref(),
            auth_signature: signature.as_deref(),
        };
        ctx.store.write(|tx| {
            let pool = tx
                .pool(&pool_id)?
                .ok_or_else(|| Error::not_found("pool", &pool_id).at("ipam_pool_id"))?;
            access::check_owner(&ctx.config.account_id, "Pool", &pool_id, &pool.owner_id)?;
            let pc = ops::provision(tx, &pool, &req, &ctx.config.account_id, &ctx.config.quotas, &ops::now())?;
            Ok(pool_cidr_state(&pc))
        })
    }

    fn update(&self, ctx: &Ctx, prior: &Obj, _planned: &Obj) -> Result<Obj> {
        // Every argument replaces the object; nothing changes in place.
        let (pool_id, cidr) = (
            prior.str("ipam_pool_id").unwrap_or_default(),
            prior.str("cidr").unwrap_or_default(),
        );
        let c = parse_cidr(cidr, "cidr")?;
        load(ctx, pool_id, &c)?.ok_or_else(|| Error::not_found("pool CIDR", cidr))
    }

    fn delete(&self, ctx: &Ctx, prior: &Obj) -> Result<()> {
        let pool_id = prior.str("ipam_pool_id").unwrap_or_default();
        let Some(c) = prior.str("cidr").and_then(|s| Cidr::parse(s).ok()) else {
            return Ok(());
        };
        ctx.store.write(|tx| {
            let Some(pool) = tx.pool(pool_id)? else { return Ok(()) };
            let Some(pc) = tx.pool_cidr(pool_id, &c)? else {
                return Ok(());
            };
            access::check_owner(&ctx.config.account_id, "Pool", pool_id, &pool.owner_id)?;
            ops::deprovision(tx, &pool, &pc, &ops::now())
        })
    }

    fn read(&self, ctx: &Ctx, state: &Obj) -> Result<Option<Obj>> {
        let pool_id = state.str("ipam_pool_id").unwrap_or_default();
        let Some(c) = state.str("cidr").and_then(|s| Cidr::parse(s).ok()) else {
            return Ok(None);
        };
        load(ctx, pool_id, &c)
    }

    fn import(&self, ctx: &Ctx, id: &str) -> Result<Obj> {
        let (cidr, pool_id) = split_id(id, "<cidr>_<pool-id>, e.g. 10.0.0.0/16_ipam-pool-0123456789abcdef0")?;
        let c = parse_cidr(cidr, "cidr")?;
        load(ctx, pool_id, &c)?.ok_or_else(|| Error::not_found("pool CIDR", id))
    }
}
