//! `ipam_pool_cidr`: a CIDR provisioned to a pool, given exactly or carved from the parent pool by
//! netmask length.

use crate::ipam::cidr::Cidr;
use crate::ipam::model::{CidrState, PoolCidr};
use crate::ipam::{Error, Result};
use crate::ipam::{byoip, ops, pool_rules};
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::Schema;
use crate::plugin::value::Obj;

use super::aws_resource::{ResourceView, ipam_of_pool};
use super::common::{checked_at_apply, diag, parse_cidr, split_id, validate_cidr_netmask};
use super::framework::{Ctx, Resource};
use super::model::{Maybe, Model, model};

model! {
    /// The BYOIP authorization of a pool CIDR.
    pub struct AuthContextModel {
        message: Option<String> = optional("`1|aws|<account>|<cidr>|<YYYYMMDD expiry>|SHA256|RSAPSS`."),
        signature: Option<String> = optional("The message signed with the key of your RDAP certificate.").sensitive(),
    }
}

model! {
    /// `ipam_pool_cidr`: its arguments, and its state.
    pub struct PoolCidrModel("A CIDR provisioned to a pool. For a child pool the CIDR must be free in the parent pool, and provisioning it allocates it there.") {
        id: Maybe<String> = computed("`<cidr>_<pool-id>`."),
        ipam_pool_id: Maybe<String> = required("The pool to provision to.").force_new(),
        cidr: Maybe<String> = optional_computed("The CIDR to provision. Given together with `netmask_length` (as generated configuration is), the two must agree.").force_new().cidr(),
        netmask_length: Maybe<i64> = optional_computed("Provision the first free block of this size from the parent pool (or Amazon-provided IPv6). Given together with `cidr`, it must be the CIDR's prefix length.").force_new(),
        ipam_pool_cidr_id: Maybe<String> = computed("The pool CIDR's own ID."),
        state: Maybe<CidrState> = computed("`provisioned`."),
        cidr_authorization_context: Maybe<Vec<AuthContextModel>> = list_block("Proof that you own a BYOIP CIDR: needed when provisioning to a top-level public pool, never for child pools.").max_items(1).force_new(),
    }
}

pub struct PoolCidrResource;

impl PoolCidrModel {
    /// The state of a pool CIDR.
    pub fn from_domain(pc: &PoolCidr) -> PoolCidrModel {
        let auth = match (&pc.auth_message, &pc.auth_signature) {
            (None, None) => vec![],
            (m, s) => vec![AuthContextModel {
                message: m.clone(),
                signature: s.clone(),
            }],
        };
        PoolCidrModel {
            id: format!("{}_{}", pc.cidr, pc.pool_id).into(),
            ipam_pool_id: pc.pool_id.clone().into(),
            cidr: pc.cidr.to_string().into(),
            netmask_length: i64::from(pc.cidr.prefix).into(),
            ipam_pool_cidr_id: pc.id.clone().into(),
            state: pc.state.into(),
            cidr_authorization_context: auth.into(),
        }
    }

    fn pool_id(&self) -> &str {
        self.ipam_pool_id.known().map_or("", String::as_str)
    }

    /// The BYOIP message and signature.
    fn auth(&self) -> (Option<String>, Option<String>) {
        let b = self.cidr_authorization_context.known().and_then(|b| b.first());
        (b.and_then(|b| b.message.clone()), b.and_then(|b| b.signature.clone()))
    }
}

fn load(ctx: &Ctx, pool_id: &str, cidr: &Cidr) -> Result<Option<Obj>> {
    ctx.store.read(|tx| {
        Ok(tx
            .pool_cidr(pool_id, cidr)?
            .map(|pc| PoolCidrModel::from_domain(&pc).to_obj()))
    })
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
    planned: &PoolCidrModel,
) -> Result<Option<Error>> {
    let pool = tx
        .pool(pool_id)?
        .ok_or_else(|| Error::not_found("pool", pool_id).at("ipam_pool_id"))?;
    let Some(scope) = tx.scope(&pool.scope_id)? else {
        return Ok(None);
    };
    let source = ops::root_source(tx, &pool)?;
    let mut warning = None;
    let (prefix, attribute) = match (cidr, planned.netmask_length.known().copied()) {
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
        // Unknown values anywhere in the block wait for apply.
        && !planned.cidr_authorization_context.is_unknown()
    {
        let (message, signature) = planned.auth();
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
        PoolCidrModel::schema()
    }

    fn cidr_attributes(&self) -> Vec<&'static str> {
        PoolCidrModel::cidr_attributes()
    }

    fn validate(&self, config: &Obj, diags: &mut Diagnostics) {
        let m = match PoolCidrModel::from_config(config) {
            Ok(m) => m,
            Err(e) => return diags.push(diag(&e)),
        };
        if m.cidr.is_null() && m.netmask_length.is_null() {
            diags.push(diag(&Error::invalid("Missing CIDR", "Give `cidr` (an exact CIDR) or `netmask_length` (carve the first free block from the parent pool).").at("cidr")));
        }
        validate_cidr_netmask(
            m.cidr.known().map(String::as_str),
            m.netmask_length.known().copied(),
            diags,
        );
    }

    fn modify_plan(&self, ctx: &Ctx, prior: Option<&Obj>, planned: &mut Obj, config: &Obj, diags: &mut Diagnostics) {
        if prior.is_some() {
            return;
        }
        let before = match PoolCidrModel::from_obj(planned) {
            Ok(m) => m,
            Err(e) => return diags.push(diag(&e)),
        };
        let mut m = before.clone();
        m.state = CidrState::Provisioned.into();
        let cidr = m.cidr.known().and_then(|s| Cidr::parse(s).ok());
        if let Some(c) = cidr
            && PoolCidrModel::from_config(config).is_ok_and(|c| c.netmask_length.is_null())
        {
            m.netmask_length = i64::from(c.prefix).into();
        }
        if let (Some(c), Some(pool_id)) = (cidr, m.ipam_pool_id.known()) {
            m.id = format!("{c}_{pool_id}").into();
        }
        m.write_changed(&before, planned);
        if m.ipam_pool_id.known().is_none() {
            return;
        }
        // Rules whose facts are the pool's own (immutable) attributes and the configuration are
        // checked here, as at apply. Rules on other objects' space wait
        // for apply: the same plan may free that space first (e.g. a replacement).
        match ctx.store.read(|tx| plan_checks(ctx, tx, m.pool_id(), cidr, &m)) {
            Ok(Some(w)) => diags.push(checked_at_apply(&w)),
            Ok(None) => {}
            Err(e) => diags.push(diag(&e)),
        }
    }

    fn create(&self, ctx: &Ctx, planned: &Obj) -> Result<Obj> {
        let m = PoolCidrModel::from_obj(planned)?;
        let pool_id = m.pool_id();
        let cidr = m.cidr.known().map(|s| parse_cidr(s, "cidr")).transpose()?;
        let (message, signature) = m.auth();
        let req = ops::ProvisionRequest {
            cidr,
            netmask_length: if cidr.is_some() {
                None
            } else {
                m.netmask_length.known().copied()
            },
            auth_message: message.as_deref(),
            auth_signature: signature.as_deref(),
        };
        ctx.store.write(|tx| {
            let pool = tx
                .pool(pool_id)?
                .ok_or_else(|| Error::not_found("pool", pool_id).at("ipam_pool_id"))?;
            let pc = ops::provision(tx, &pool, &req, &ctx.config.account_id, &ctx.config.quotas, &ops::now())?;
            Ok(PoolCidrModel::from_domain(&pc).to_obj())
        })
    }

    fn update(&self, ctx: &Ctx, prior: &Obj, _planned: &Obj) -> Result<Obj> {
        // Every argument replaces the object; nothing changes in place.
        let m = PoolCidrModel::from_obj(prior)?;
        let cidr = m.cidr.known().map_or("", String::as_str);
        let c = parse_cidr(cidr, "cidr")?;
        load(ctx, m.pool_id(), &c)?.ok_or_else(|| Error::not_found("pool CIDR", cidr))
    }

    fn delete(&self, ctx: &Ctx, prior: &Obj) -> Result<()> {
        let m = PoolCidrModel::from_obj(prior)?;
        let pool_id = m.pool_id();
        let Some(c) = m.cidr.known().and_then(|s| Cidr::parse(s).ok()) else {
            return Ok(());
        };
        ctx.store.write(|tx| {
            let Some(pool) = tx.pool(pool_id)? else { return Ok(()) };
            let Some(pc) = tx.pool_cidr(pool_id, &c)? else {
                return Ok(());
            };
            ops::deprovision(tx, &pool, &pc, &ctx.config.account_id, &ops::now())
        })
    }

    fn read(&self, ctx: &Ctx, state: &Obj) -> Result<Option<Obj>> {
        let m = PoolCidrModel::from_obj(state)?;
        let Some(c) = m.cidr.known().and_then(|s| Cidr::parse(s).ok()) else {
            return Ok(None);
        };
        load(ctx, m.pool_id(), &c)
    }

    fn import(&self, ctx: &Ctx, id: &str) -> Result<Obj> {
        let (cidr, pool_id) = split_id(id, "<cidr>_<pool-id>, e.g. 10.0.0.0/16_ipam-pool-0123456789abcdef0")?;
        let c = parse_cidr(cidr, "cidr")?;
        load(ctx, pool_id, &c)?.ok_or_else(|| Error::not_found("pool CIDR", id))
    }
}

/// `aws_vpc_ipam_pool_cidr`: upstream's pool CIDR has no `state`, and its BYOIP signature is not
/// sensitive. The ID is upstream's, `<cidr>_<pool-id>`.
pub static AWS_VIEW: ResourceView = ResourceView {
    name: "aws_vpc_ipam_pool_cidr",
    hidden: &["state"],
    not_sensitive: &["cidr_authorization_context.signature"],
    timeouts: &["create", "delete"],
    ipam_of: ipam_of_pool,
    ..ResourceView::SAME
};
