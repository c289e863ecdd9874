//! The ipam provider: one file per resource and data source, each mapping Terraform values to
//! domain calls. Knows nothing about SQL.

pub mod aws_config;
mod aws_data;
mod aws_resource;
pub mod common;
pub mod config;
mod data;
mod data_address_history;
mod data_aws_caller_identity;
mod data_aws_partition;
mod data_aws_region;
mod data_ipam;
mod data_ipams;
mod data_pool;
mod data_pool_allocations;
mod data_pool_cidrs;
mod data_pools;
mod data_preview_next_cidr;
mod data_scope;
mod data_scopes;
mod filter;
pub mod framework;
pub mod model;
mod resource_allocation;
mod resource_ipam;
mod resource_pool;
mod resource_pool_cidr;
mod resource_preview;
mod resource_ram_association;
mod resource_scope;
mod resource_share;
mod view;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use crate::ipam::Error;
use crate::plugin::diag::{Diagnostic, Diagnostics};
use crate::plugin::grpc::{ApplyRequest, Backend, PlanRequest, PlanResponse, StateResponse};
use crate::plugin::schema::Schema;
use crate::plugin::value::Value;
use crate::store::Store;

pub use aws_config::View;
use common::diag;
use config::Config;
use framework::{Ctx, DataSource, Resource};

/// The provider: schemas, configuration, and the database opened on first use.
pub struct IpamProvider {
    view: View,
    provider_schema: Schema,
    resources: BTreeMap<String, Box<dyn Resource>>,
    data_sources: BTreeMap<String, Box<dyn DataSource>>,
    resource_schemas: BTreeMap<String, Schema>,
    data_source_schemas: BTreeMap<String, Schema>,
    config: RwLock<Option<Config>>,
    store: Mutex<Option<(String, Arc<Store>)>>,
    stopped: AtomicBool,
}

impl Default for IpamProvider {
    fn default() -> Self {
        Self::new()
    }
}

/// Every resource type.
fn all_resources() -> Vec<Box<dyn Resource>> {
    vec![
        Box::new(resource_ipam::IpamResource),
        Box::new(resource_scope::ScopeResource),
        Box::new(resource_pool::PoolResource),
        Box::new(resource_pool_cidr::PoolCidrResource),
        Box::new(resource_allocation::AllocationResource),
        Box::new(resource_preview::PreviewResource),
        Box::new(resource_share::ShareResource::IPAM),
    ]
}

/// Every data source type.
fn all_data_sources() -> Vec<Box<dyn DataSource>> {
    vec![
        Box::new(data_ipam::IpamData),
        Box::new(data_ipams::IpamsData),
        Box::new(data_scope::ScopeData),
        Box::new(data_scopes::ScopesData),
        Box::new(data_pool::PoolData),
        Box::new(data_pools::PoolsData),
        Box::new(data_pool_cidrs::PoolCidrsData),
        Box::new(data_pool_allocations::PoolAllocationsData),
        Box::new(data_preview_next_cidr::PreviewData),
        Box::new(data_address_history::HistoryData),
    ]
}

/// The resource types of the aws view: upstream's names over the same resources.
fn aws_resources() -> Vec<Box<dyn Resource>> {
    vec![
        Box::new(aws_resource::AwsResource::new(
            Box::new(resource_ipam::IpamResource),
            &resource_ipam::AWS_VIEW,
        )),
        Box::new(aws_resource::AwsResource::new(
            Box::new(resource_scope::ScopeResource),
            &resource_scope::AWS_VIEW,
        )),
        Box::new(aws_resource::AwsResource::new(
            Box::new(resource_preview::PreviewResource),
            &resource_preview::AWS_VIEW,
        )),
        Box::new(aws_resource::AwsResource::new(
            Box::new(resource_share::ShareResource {
                associated_members: true,
            }),
            &resource_share::AWS_VIEW,
        )),
        Box::new(aws_resource::AwsResource::new(
            Box::new(resource_ram_association::RESOURCE),
            &resource_ram_association::RESOURCE_VIEW,
        )),
        Box::new(aws_resource::AwsResource::new(
            Box::new(resource_ram_association::PRINCIPAL),
            &resource_ram_association::PRINCIPAL_VIEW,
        )),
        Box::new(aws_resource::AwsResource::new(
            Box::new(resource_allocation::AllocationResource),
            &resource_allocation::AWS_VIEW,
        )),
        Box::new(aws_resource::AwsResource::new(
            Box::new(resource_pool::PoolResource),
            &resource_pool::AWS_VIEW,
        )),
        Box::new(aws_resource::AwsResource::new(
            Box::new(resource_pool_cidr::PoolCidrResource),
            &resource_pool_cidr::AWS_VIEW,
        )),
    ]
}

/// The data source types of the aws view.
fn aws_data_sources() -> Vec<Box<dyn DataSource>> {
    vec![
        Box::new(data_aws_region::RegionData),
        Box::new(data_aws_caller_identity::CallerIdentityData),
        Box::new(data_aws_partition::PartitionData),
        aws(data_ipam::IpamData, &data_ipam::AWS_VIEW),
        aws(data_ipams::IpamsData, &data_ipams::AWS_VIEW),
        aws(data_pool::PoolData, &data_pool::AWS_VIEW),
        aws(data_pools::PoolsData, &data_pools::AWS_VIEW),
        aws(data_pool_cidrs::PoolCidrsData, &data_pool_cidrs::AWS_VIEW),
        aws(data_preview_next_cidr::PreviewData, &data_preview_next_cidr::AWS_VIEW),
    ]
}

/// A data source served under upstream's name.
fn aws(inner: impl DataSource + 'static, view: &'static aws_data::DataSourceView) -> Box<dyn DataSource> {
    Box::new(aws_data::AwsDataSource::new(Box::new(inner), view))
}

impl IpamProvider {
    /// Builds the provider of the ipam view and its schemas.
    pub fn new() -> IpamProvider {
        IpamProvider::for_view(View::Ipam)
    }

    /// Builds the provider serving `view`'s names and provider block.
    pub fn for_view(view: View) -> IpamProvider {
        let (provider_schema, resources, data_sources) = match view {
            View::Ipam => (config::schema(), all_resources(), all_data_sources()),
            View::Aws => (aws_config::schema(), aws_resources(), aws_data_sources()),
        };
        let resources: BTreeMap<String, Box<dyn Resource>> =
            resources.into_iter().map(|r| (r.name().to_string(), r)).collect();
        let data_sources: BTreeMap<String, Box<dyn DataSource>> =
            data_sources.into_iter().map(|d| (d.name().to_string(), d)).collect();
        IpamProvider {
            view,
            provider_schema,
            resource_schemas: resources.iter().map(|(k, r)| (k.clone(), r.schema())).collect(),
            data_source_schemas: data_sources.iter().map(|(k, d)| (k.clone(), d.schema())).collect(),
            resources,
            data_sources,
            config: RwLock::new(None),
            store: Mutex::new(None),
            stopped: AtomicBool::new(false),
        }
    }

    fn current_config(&self) -> Config {
        self.config
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .unwrap_or_default()
    }

    /// The database, opened on first use (so processes that only validate never touch it).
    fn store(&self, config: &Config) -> Result<Arc<Store>, Error> {
        let mut slot = self.store.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((path, s)) = slot.as_ref()
            && *path == config.database
        {
            return Ok(s.clone());
        }
        let s = Arc::new(Store::open(&config.database)?);
        *slot = Some((config.database.clone(), s.clone()));
        Ok(s)
    }

    fn with_ctx<T>(&self, f: impl FnOnce(&Ctx) -> T) -> Result<T, Diagnostics> {
        if self.stopped.load(Ordering::SeqCst) {
            return Err(Diagnostic::error(
                "Provider stopped",
                "Terraform asked the ipam provider to stop (StopProvider, sent when a run is interrupted), so this operation was not started and nothing was written. Run the Terraform command again to continue.",
            )
            .into());
        }
        let config = self.current_config();
        let store = self.store(&config).map_err(|e| Diagnostics::from(diag(&e)))?;
        Ok(f(&Ctx { config: &config, store }))
    }

    fn resource(&self, name: &str) -> Result<&dyn Resource, Diagnostics> {
        self.resources.get(name).map(|r| r.as_ref()).ok_or_else(|| {
            Diagnostic::error(
                "Unknown resource type",
                format!("The ipam provider has no resource {name:?}."),
            )
            .into()
        })
    }
}

impl Backend for IpamProvider {
    fn provider_schema(&self) -> &Schema {
        &self.provider_schema
    }
    fn resource_schemas(&self) -> &BTreeMap<String, Schema> {
        &self.resource_schemas
    }
    fn data_source_schemas(&self) -> &BTreeMap<String, Schema> {
        &self.data_source_schemas
    }

    fn validate_provider_config(&self, config: &Value) -> Diagnostics {
        match self.view {
            View::Ipam => config::parse(config, true).err().unwrap_or_default(),
            View::Aws => aws_config::parse(config, true).map_or_else(|d| d, |(_, warnings)| warnings),
        }
    }

    fn configure(&self, config: &Value) -> Diagnostics {
        let parsed = match self.view {
            View::Ipam => config::parse(config, false).map(|c| (c, Diagnostics::default())),
            View::Aws => aws_config::parse(config, false),
        };
        match parsed {
            // A `database` that cannot hold an IPAM (a directory that does not exist, a SQLite URI,
            // a device...) and invalid environment settings are reported here, where Terraform
            // shows them on the provider's `database`; the database itself is opened on first use.
            Ok((c, mut diags)) => {
                match c.check_storage() {
                    Ok(()) => {
                        if self.view == View::Aws {
                            diags.push(aws_config::nothing_reaches_aws(&c));
                        }
                        *self.config.write().unwrap_or_else(|p| p.into_inner()) = Some(c);
                    }
                    Err(d) => diags.extend(d),
                }
                diags
            }
            Err(d) => d,
        }
    }

    fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        match self.resource(type_name) {
            Ok(r) => framework::validate(&self.resource_schemas[type_name], config, |o, d| r.validate(o, d)),
            Err(d) => d,
        }
    }

    fn validate_data_source_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        match self.data_sources.get(type_name) {
            Some(ds) => framework::validate(&self.data_source_schemas[type_name], config, |o, d| ds.validate(o, d)),
            None => Diagnostic::error(
                "Unknown data source",
                format!("The ipam provider has no data source {type_name:?}."),
            )
            .into(),
        }
    }

    fn upgrade_resource_state(&self, type_name: &str, _version: i64, state: Value) -> Result<Value, Diagnostics> {
        // Version 0 is the only schema version so far: the decoded state is already current.
        self.resource(type_name)?;
        Ok(state)
    }

    fn read_resource(&self, type_name: &str, state: Value, private: Vec<u8>) -> StateResponse {
        let r = match self.resource(type_name) {
            Ok(r) => r,
            Err(d) => {
                return StateResponse {
                    new_state: state,
                    private,
                    diagnostics: d,
                };
            }
        };
        let fallback = state.clone();
        self.with_ctx(|ctx| framework::read(r, ctx, state, private.clone()))
            .unwrap_or_else(|d| StateResponse {
                new_state: fallback,
                private,
                diagnostics: d,
            })
    }

    fn plan_resource_change(&self, type_name: &str, req: PlanRequest) -> PlanResponse {
        let r = match self.resource(type_name) {
            Ok(r) => r,
            Err(d) => {
                return PlanResponse {
                    diagnostics: d,
                    ..Default::default()
                };
            }
        };
        let req2 = req.clone();
        match self.with_ctx(|ctx| framework::plan(r, Some(ctx), req)) {
            Ok(p) => p,
            // Without a database the plan is still made, from the configuration alone; the
            // database problem is reported so it is fixed before apply.
            Err(d) => {
                let mut p = framework::plan(r, None, req2);
                p.diagnostics.extend(d);
                p
            }
        }
    }

    fn apply_resource_change(&self, type_name: &str, req: ApplyRequest) -> StateResponse {
        let r = match self.resource(type_name) {
            Ok(r) => r,
            Err(d) => {
                return StateResponse {
                    new_state: req.prior_state,
                    diagnostics: d,
                    ..Default::default()
                };
            }
        };
        let prior = req.prior_state.clone();
        self.with_ctx(|ctx| framework::apply(r, ctx, req))
            .unwrap_or_else(|d| StateResponse {
                new_state: prior,
                private: Vec::new(),
                diagnostics: d,
            })
    }

    fn import_resource_state(&self, type_name: &str, id: &str) -> Result<Vec<Value>, Diagnostics> {
        let r = self.resource(type_name)?;
        self.with_ctx(|ctx| {
            r.import(ctx, id)
                .map(|o| vec![Value::Object(o)])
                .map_err(|e| Diagnostics::from(diag(&e)))
        })?
    }

    fn read_data_source(&self, type_name: &str, config: Value) -> Result<Value, Diagnostics> {
        let ds = self.data_sources.get(type_name).ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Unknown data source",
                format!("No data source {type_name:?}."),
            ))
        })?;
        let empty = Default::default();
        let cfg = config.as_obj().unwrap_or(&empty);
        // Arguments unknown at validation are known here: refuse what validation would have.
        let mut numbers = Diagnostics::default();
        framework::check_whole_numbers(&self.data_source_schemas[type_name], cfg, &mut numbers);
        if numbers.has_errors() {
            return Err(numbers);
        }
        self.with_ctx(|ctx| {
            ds.read(ctx, cfg)
                .map(Value::Object)
                .map_err(|e| Diagnostics::from(diag(&e)))
        })?
    }

    fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
    }
}
