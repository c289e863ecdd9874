//! `ipam`: an IPAM with its two default scopes.

use crate::ipam::ids;
use crate::ipam::model::{Ipam, Scope, ScopeType, State};
use crate::ipam::{Error, Result, access, rules};
use crate::plugin::diag::Diagnostics;
use crate::plugin::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use crate::plugin::value::{Obj, Type, Value};

use super::common::{ObjExt, diag, obj, tags_all_value, tags_value};
use super::framework::{Ctx, Resource, TAGS_ALL_DOC, planned_tags_all};

pub struct IpamResource;

/// The region names in an `operating_regions` block set; `None` while any is unknown.
fn operating_regions(o: &Obj) -> Option<Vec<String>> {
    let v = o.get("operating_regions")?;
    let elems = v.as_elems()?;
    elems
        .iter()
        .map(|e| {
            e.as_obj()
                .and_then(|b| b.get("region_name"))
                .and_then(|r| r.as_str().map(str::to_string))
        })
        .collect()
}

fn regions_value(regions: &[String]) -> Value {
    Value::Set(
        regions
            .iter()
            .map(|r| Value::Object(obj([("region_name", Value::str(r))])))
            .collect(),
    )
}

pub(crate) fn state_of(i: &Ipam, scope_count: i64) -> Obj {
    obj([
        ("id", Value::str(&i.id)),
        ("arn", Value::str(ids::ec2_arn(&i.owner_id, "ipam", &i.id))),
        ("description", Value::opt_str(i.description.clone())),
        ("operating_regions", regions_value(&i.operating_regions)),
        ("cascade", i.cascade.map_or(Value::Null, Value::Bool)),
        (
            "enable_private_gua",
            i.enable_private_gua.map_or(Value::Null, Value::Bool),
        ),
        ("home_region", Value::str(&i.home_region)),
        ("owner_id", Value::str(&i.owner_id)),
        ("public_default_scope_id", Value::str(&i.public_default_scope_id)),
        ("private_default_scope_id", Value::str(&i.private_default_scope_id)),
        ("scope_count", Value::int(scope_count)),
        ("state", Value::str(i.state.as_str())),
        ("tags", tags_value(&i.tags)),
        ("tags_all", tags_all_value(&i.tags_all)),
    ])
}

fn load(ctx: &Ctx, id: &str) -> Result<Option<Obj>> {
    ctx.store.read(|tx| {
        let Some(i) = tx.ipam(id)? else { return Ok(None) };
        let n = tx.count_scopes(id)?;
        Ok(Some(state_of(&i, n)))
    })
}

impl Resource for IpamResource {
    fn name(&self) -> &'static str {
        "ipam"
    }

    fn schema(&self) -> Schema {
        let region = Block::new(
            "A region where the IPAM manages addresses.",
            vec![Attribute::required(
                "region_name",
                Type::String,
                "Region name, e.g. `us-east-1`.",
            )],
        );
        Schema {
            version: 0,
            block: Block::new(
                "An IPAM: the top of the address hierarchy. Creating it creates a public and a private default scope. One per region per account by default.",
                vec![
                    Attribute::computed("id", Type::String, "The IPAM ID (`ipam-` and 17 hex digits)."),
                    Attribute::computed("arn", Type::String, "The IPAM's ARN."),
                    Attribute::optional("description", Type::String, "A description."),
                    Attribute::optional("cascade", Type::Bool, "On destroy, also delete the private scopes, their pools, CIDRs and allocations. Refused while the public scope has pools."),
                    Attribute::optional("enable_private_gua", Type::Bool, "Whether the private scopes may hold global unicast IPv6 (inside `2000::/3`) besides unique local space (`fd00::/8`, always allowed). Off unless set."),
                    Attribute::computed("home_region", Type::String, "The region the IPAM was created in (the provider's `region`)."),
                    Attribute::computed("owner_id", Type::String, "The account that owns the IPAM."),
                    Attribute::computed("public_default_scope_id", Type::String, "ID of the default public scope."),
                    Attribute::computed("private_default_scope_id", Type::String, "ID of the default private scope."),
                    Attribute::computed("scope_count", Type::Number, "Number of scopes, the two default scopes included."),
                    Attribute::computed("state", Type::String, "`create-complete`, or `modify-complete` after an update."),
                    Attribute::optional("tags", Type::map_of(Type::String), "Tags."),
                    Attribute::computed("tags_all", Type::map_of(Type::String), TAGS_ALL_DOC),
                ],
            )
            .with_block(NestedBlock { name: "operating_regions", nesting: Nesting::Set, block: region, min_items: 1, max_items: 0, force_new: false }),
        }
    }

    fn validate(&self, config: &Obj, diags: &mut Diagnostics) {
        if let Some(regions) = operating_regions(config) {
            for r in &regions {
                if let Err(e) = rules::check_region_name(r, rules::operating_region_name()) {
                    diags.push(diag(&e));
                }
            }
        }
    }

    fn volatile(&self) -> &'static [&'static str] {
        &["scope_count"]
    }

    fn modify_plan(&self, ctx: &Ctx, prior: Option<&Obj>, planned: &mut Obj, _config: &Obj, diags: &mut Diagnostics) {
        let home = prior
            .and_then(|p| p.string("home_region"))
            .unwrap_or_else(|| ctx.config.region.clone());
        if let Some(regions) = operating_regions(planned)
            && let Err(e) = rules::check_operating_regions(&home, &regions)
        {
            diags.push(diag(&e));
        }
        if prior.is_none() {
            planned.insert("home_region".into(), Value::str(&ctx.config.region));
            planned.insert("owner_id".into(), Value::str(&ctx.config.account_id));
            planned.insert("scope_count".into(), Value::int(2));
            planned.insert("state".into(), Value::str(State::CreateComplete.as_str()));
        }
    }

    fn create(&self, ctx: &Ctx, planned: &Obj) -> Result<Obj> {
        let regions = operating_regions(planned).unwrap_or_default();
        rules::check_operating_regions(&ctx.config.region, &regions)?;
        let id = ids::new_id("ipam");
        let scope = |t: ScopeType| Scope {
            id: ids::new_id("ipam-scope"),
            ipam_id: id.clone(),
            owner_id: ctx.config.account_id.clone(),
            scope_type: t,
            is_default: true,
            description: None,
            tags: Default::default(),
            tags_all: Default::default(),
            state: State::CreateComplete,
        };
        let public = scope(ScopeType::Public);
        let private = scope(ScopeType::Private);
        let ipam = Ipam {
            id: id.clone(),
            owner_id: ctx.config.account_id.clone(),
            home_region: ctx.config.region.clone(),
            description: planned.string("description"),
            operating_regions: regions,
            public_default_scope_id: public.id.clone(),
            private_default_scope_id: private.id.clone(),
            tags: planned.tags("tags"),
            tags_all: planned_tags_all(ctx, planned),
            state: State::CreateComplete,
            cascade: planned.boolean("cascade"),
            enable_private_gua: planned.boolean("enable_private_gua"),
        };
        ctx.store.write(|tx| {
            let n = tx.count_ipams_in_region(&ctx.config.account_id, &ctx.config.region)?;
            rules::check_ipam_quota(n, &ctx.config.quotas, &ctx.config.region, &ctx.config.account_id)?;
            tx.insert_ipam(&ipam)?;
            tx.insert_scope(&public)?;
            tx.insert_scope(&private)?;
            Ok(())
        })?;
        Ok(state_of(&ipam, 2))
    }

    fn update(&self, ctx: &Ctx, prior: &Obj, planned: &Obj) -> Result<Obj> {
        let id = prior.str("id").unwrap_or_default();
        ctx.store.write(|tx| {
            let mut i = tx.ipam(id)?.ok_or_else(|| Error::not_found("IPAM", id))?;
            access::check_owner(&ctx.config.account_id, "IPAM", id, &i.owner_id)?;
            let regions = operating_regions(planned).unwrap_or_default();
            rules::check_operating_regions(&i.home_region, &regions)?;
            i.description = planned.string("description");
            i.operating_regions = regions;
            i.tags = planned.tags("tags");
            i.tags_all = planned_tags_all(ctx, planned);
            i.cascade = planned.boolean("cascade");
            i.enable_private_gua = planned.boolean("enable_private_gua");
            i.state = State::ModifyComplete;
            tx.update_ipam(&i)?;
            Ok(state_of(&i, tx.count_scopes(id)?))
        })
    }

    fn delete(&self, ctx: &Ctx, prior: &Obj) -> Result<()> {
        let id = prior.str("id").unwrap_or_default();
        ctx.store.write(|tx| {
            let Some(i) = tx.ipam(id)? else { return Ok(()) };
            access::check_owner(&ctx.config.account_id, "IPAM", id, &i.owner_id)?;
            deletable(tx, &i)?;
            tx.delete_ipam(id)
        })
    }

    fn read(&self, ctx: &Ctx, state: &Obj) -> Result<Option<Obj>> {
        load(ctx, state.str("id").unwrap_or_default())
    }

    fn import(&self, ctx: &Ctx, id: &str) -> Result<Obj> {
        ids::check_id(id, "ipam", 17, "IPAM")?;
        load(ctx, id)?.ok_or_else(|| Error::not_found("IPAM", id))
    }
}

/// with the IPAM's own `cascade` setting.
fn deletable(tx: &crate::store::Tx, i: &Ipam) -> Result<()> {
    let scopes = tx.scopes_of(&i.id)?;
    let extra = scopes.iter().filter(|s| !s.is_default).count() as i64;
    let mut private_pools = 0;
    let mut public_pools = 0;
    for s in &scopes {
        let n = tx.count_pools_in_scope(&s.id)?;
        match s.scope_type {
            ScopeType::Public => public_pools += n,
            ScopeType::Private => private_pools += n,
        }
    }
    rules::check_ipam_deletable(&i.id, i.cascade.unwrap_or(false), extra, private_pools, public_pools)
}
