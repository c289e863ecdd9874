//! The tfplugin6 `Provider` service: decodes requests with the schemas, calls a [`Backend`] on a
//! blocking thread, and encodes its answers. A backend panic becomes an error diagnostic.

use std::collections::BTreeMap;
use std::sync::Arc;

use tonic::{Request, Response, Status};

use super::codec;
use super::diag::{Diagnostic, Diagnostics};
use super::proto::tfplugin6 as pb;
use super::schema::Schema;
use super::value::{Type, Value};

/// What Terraform asks for when it plans a managed resource.
#[derive(Debug, Clone)]
pub struct PlanRequest {
    pub prior_state: Value,
    pub proposed_new_state: Value,
    pub config: Value,
    pub prior_private: Vec<u8>,
}

/// The provider's plan.
#[derive(Debug, Clone, Default)]
pub struct PlanResponse {
    pub planned_state: Value,
    pub requires_replace: Vec<super::diag::Path>,
    pub planned_private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

/// What Terraform asks for when it applies a planned change.
#[derive(Debug, Clone)]
pub struct ApplyRequest {
    pub prior_state: Value,
    pub planned_state: Value,
    pub config: Value,
    pub planned_private: Vec<u8>,
}

/// New state with private data and diagnostics.
#[derive(Debug, Clone, Default)]
pub struct StateResponse {
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

/// The provider behind the transport. Every method runs on a blocking thread.
pub trait Backend: Send + Sync + 'static {
    fn provider_schema(&self) -> &Schema;
    fn resource_schemas(&self) -> &BTreeMap<String, Schema>;
    fn data_source_schemas(&self) -> &BTreeMap<String, Schema>;
    fn validate_provider_config(&self, config: &Value) -> Diagnostics;
    fn configure(&self, config: &Value) -> Diagnostics;
    fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics;
    fn validate_data_source_config(&self, type_name: &str, config: &Value) -> Diagnostics;
    /// Brings a state written by schema `version` up to date; `state` is already decoded with the
    /// current schema's type.
    fn upgrade_resource_state(&self, type_name: &str, version: i64, state: Value) -> Result<Value, Diagnostics>;
    fn read_resource(&self, type_name: &str, state: Value, private: Vec<u8>) -> StateResponse;
    fn plan_resource_change(&self, type_name: &str, req: PlanRequest) -> PlanResponse;
    fn apply_resource_change(&self, type_name: &str, req: ApplyRequest) -> StateResponse;
    fn import_resource_state(&self, type_name: &str, id: &str) -> Result<Vec<Value>, Diagnostics>;
    fn read_data_source(&self, type_name: &str, config: Value) -> Result<Value, Diagnostics>;
    /// Terraform asked the provider to stop in-flight work.
    fn stop(&self);
}

/// The gRPC service wrapping a backend.
pub struct ProviderService<B: Backend> {
    backend: Arc<B>,
}

impl<B: Backend> ProviderService<B> {
    pub fn new(backend: Arc<B>) -> Self {
        ProviderService { backend }
    }

    async fn blocking<T: Send + 'static>(&self, f: impl FnOnce(&B) -> T + Send + 'static) -> Result<T, Diagnostics> {
        let b = self.backend.clone();
        tokio::task::spawn_blocking(move || f(&b)).await.map_err(|e| {
            let detail = if e.is_panic() {
                let p = e.into_panic();
                p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default()
            } else {
                e.to_string()
            };
            Diagnostic::error(
                "Internal error in the ipam provider",
                format!("The provider stopped on an internal error: {detail}\nNothing was written for this operation. Please report this with the configuration that caused it."),
            )
            .into()
        })
    }

    fn resource_type(&self, name: &str) -> Result<Type, Diagnostics> {
        self.backend
            .resource_schemas()
            .get(name)
            .map(|s| s.block.implied_type())
            .ok_or_else(|| unknown_type("resource", name))
    }
    fn data_type(&self, name: &str) -> Result<Type, Diagnostics> {
        self.backend
            .data_source_schemas()
            .get(name)
            .map(|s| s.block.implied_type())
            .ok_or_else(|| unknown_type("data source", name))
    }
}

fn unknown_type(kind: &str, name: &str) -> Diagnostics {
    Diagnostic::error(
        format!("Unknown {kind} type"),
        format!("The ipam provider has no {kind} type {name:?}."),
    )
    .into()
}

fn decode(ty: &Type, dv: Option<&pb::DynamicValue>) -> Result<Value, Diagnostics> {
    let Some(dv) = dv else { return Ok(Value::Null) };
    let r = if !dv.msgpack.is_empty() {
        codec::from_msgpack(ty, &dv.msgpack)
    } else {
        codec::from_json(ty, &dv.json)
    };
    r.map_err(|e| {
        Diagnostic::error(
            "Invalid value from Terraform",
            format!("The provider could not decode a value: {e}"),
        )
        .into()
    })
}

fn encode(ty: &Type, v: &Value) -> Result<pb::DynamicValue, Diagnostics> {
    codec::to_msgpack(ty, v)
        .map(|msgpack| pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        })
        .map_err(|e| {
            Diagnostic::error(
                "Internal error in the ipam provider",
                format!("The provider built a value that does not fit its schema: {e}"),
            )
            .into()
        })
}

fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: true,
        move_resource_state: false,
    }
}

type Res<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl<B: Backend> pb::provider_server::Provider for ProviderService<B> {
    async fn get_metadata(&self, _: Request<pb::get_metadata::Request>) -> Res<pb::get_metadata::Response> {
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            diagnostics: vec![],
            data_sources: self
                .backend
                .data_source_schemas()
                .keys()
                .map(|k| pb::get_metadata::DataSourceMetadata { type_name: k.clone() })
                .collect(),
            resources: self
                .backend
                .resource_schemas()
                .keys()
                .map(|k| pb::get_metadata::ResourceMetadata { type_name: k.clone() })
                .collect(),
        }))
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Res<pb::get_provider_schema::Response> {
        let b = &self.backend;
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(b.provider_schema().to_proto()),
            resource_schemas: b
                .resource_schemas()
                .iter()
                .map(|(k, s)| (k.clone(), s.to_proto()))
                .collect(),
            data_source_schemas: b
                .data_source_schemas()
                .iter()
                .map(|(k, s)| (k.clone(), s.to_proto()))
                .collect(),
            diagnostics: vec![],
            provider_meta: None,
            server_capabilities: Some(capabilities()),
        }))
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Res<pb::validate_provider_config::Response> {
        let ty = self.backend.provider_schema().block.implied_type();
        let diags = match decode(&ty, req.get_ref().config.as_ref()) {
            Ok(cfg) => self
                .blocking(move |b| b.validate_provider_config(&cfg))
                .await
                .unwrap_or_else(|d| d),
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: diags.to_proto(),
        }))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Res<pb::validate_resource_config::Response> {
        let r = req.into_inner();
        let diags = match self
            .resource_type(&r.type_name)
            .and_then(|t| decode(&t, r.config.as_ref()))
        {
            Ok(cfg) => self
                .blocking(move |b| b.validate_resource_config(&r.type_name, &cfg))
                .await
                .unwrap_or_else(|d| d),
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: diags.to_proto(),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Res<pb::validate_data_resource_config::Response> {
        let r = req.into_inner();
        let diags = match self.data_type(&r.type_name).and_then(|t| decode(&t, r.config.as_ref())) {
            Ok(cfg) => self
                .blocking(move |b| b.validate_data_source_config(&r.type_name, &cfg))
                .await
                .unwrap_or_else(|d| d),
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: diags.to_proto(),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Res<pb::upgrade_resource_state::Response> {
        let r = req.into_inner();
        let result = async {
            let ty = self.resource_type(&r.type_name)?;
            let current = self.backend.resource_schemas()[&r.type_name].version;
            if r.version > current {
                return Err(Diagnostic::error(
                    "Resource state from a newer provider",
                    format!("The state of this {} was written by schema version {} but this provider knows versions up to {current}. Upgrade terraform-provider-ipam.", r.type_name, r.version),
                )
                .into());
            }
            let raw = r.raw_state.unwrap_or_default();
            if raw.json.is_empty() && !raw.flatmap.is_empty() {
                return Err(Diagnostic::error("Unsupported legacy state", "This state uses the flatmap format from before Terraform 0.12, which this provider does not read. Re-import the object.").into());
            }
            let state = codec::from_json(&ty, &raw.json)
                .map_err(|e| Diagnostics::from(Diagnostic::error("Invalid resource state", format!("The stored state of this {} could not be read: {e}", r.type_name))))?;
            let tn = r.type_name.clone();
            let version = r.version;
            let upgraded = self.blocking(move |b| b.upgrade_resource_state(&tn, version, state)).await??;
            encode(&ty, &upgraded)
        }
        .await;
        Ok(Response::new(match result {
            Ok(v) => pb::upgrade_resource_state::Response {
                upgraded_state: Some(v),
                diagnostics: vec![],
            },
            Err(d) => pb::upgrade_resource_state::Response {
                upgraded_state: None,
                diagnostics: d.to_proto(),
            },
        }))
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Res<pb::configure_provider::Response> {
        let ty = self.backend.provider_schema().block.implied_type();
        let diags = match decode(&ty, req.get_ref().config.as_ref()) {
            Ok(cfg) => self.blocking(move |b| b.configure(&cfg)).await.unwrap_or_else(|d| d),
            Err(d) => d,
        };
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: diags.to_proto(),
        }))
    }

    async fn read_resource(&self, req: Request<pb::read_resource::Request>) -> Res<pb::read_resource::Response> {
        let r = req.into_inner();
        let result = async {
            let ty = self.resource_type(&r.type_name)?;
            let state = decode(&ty, r.current_state.as_ref())?;
            let tn = r.type_name.clone();
            let resp = self.blocking(move |b| b.read_resource(&tn, state, r.private)).await?;
            Ok::<_, Diagnostics>((encode(&ty, &resp.new_state)?, resp.private, resp.diagnostics))
        }
        .await;
        Ok(Response::new(match result {
            Ok((s, private, d)) => pb::read_resource::Response {
                new_state: Some(s),
                diagnostics: d.to_proto(),
                private,
                deferred: None,
            },
            Err(d) => pb::read_resource::Response {
                new_state: None,
                diagnostics: d.to_proto(),
                private: vec![],
                deferred: None,
            },
        }))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Res<pb::plan_resource_change::Response> {
        let r = req.into_inner();
        let result = async {
            let ty = self.resource_type(&r.type_name)?;
            let pr = PlanRequest {
                prior_state: decode(&ty, r.prior_state.as_ref())?,
                proposed_new_state: decode(&ty, r.proposed_new_state.as_ref())?,
                config: decode(&ty, r.config.as_ref())?,
                prior_private: r.prior_private,
            };
            let tn = r.type_name.clone();
            let resp = self.blocking(move |b| b.plan_resource_change(&tn, pr)).await?;
            Ok::<_, Diagnostics>((encode(&ty, &resp.planned_state)?, resp))
        }
        .await;
        Ok(Response::new(match result {
            Ok((planned, resp)) => pb::plan_resource_change::Response {
                planned_state: Some(planned),
                requires_replace: resp.requires_replace.iter().map(|p| p.to_proto()).collect(),
                planned_private: resp.planned_private,
                diagnostics: resp.diagnostics.to_proto(),
                legacy_type_system: false,
                deferred: None,
            },
            Err(d) => pb::plan_resource_change::Response {
                diagnostics: d.to_proto(),
                ..Default::default()
            },
        }))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Res<pb::apply_resource_change::Response> {
        let r = req.into_inner();
        let result = async {
            let ty = self.resource_type(&r.type_name)?;
            let ar = ApplyRequest {
                prior_state: decode(&ty, r.prior_state.as_ref())?,
                planned_state: decode(&ty, r.planned_state.as_ref())?,
                config: decode(&ty, r.config.as_ref())?,
                planned_private: r.planned_private,
            };
            let tn = r.type_name.clone();
            let resp = self.blocking(move |b| b.apply_resource_change(&tn, ar)).await?;
            Ok::<_, Diagnostics>((encode(&ty, &resp.new_state)?, resp))
        }
        .await;
        Ok(Response::new(match result {
            Ok((s, resp)) => pb::apply_resource_change::Response {
                new_state: Some(s),
                private: resp.private,
                diagnostics: resp.diagnostics.to_proto(),
                legacy_type_system: false,
            },
            Err(d) => pb::apply_resource_change::Response {
                diagnostics: d.to_proto(),
                ..Default::default()
            },
        }))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Res<pb::import_resource_state::Response> {
        let r = req.into_inner();
        let result = async {
            let ty = self.resource_type(&r.type_name)?;
            let tn = r.type_name.clone();
            let states = self.blocking(move |b| b.import_resource_state(&tn, &r.id)).await??;
            states
                .iter()
                .map(|s| {
                    Ok(pb::import_resource_state::ImportedResource {
                        type_name: r.type_name.clone(),
                        state: Some(encode(&ty, s)?),
                        private: vec![],
                    })
                })
                .collect::<Result<Vec<_>, Diagnostics>>()
        }
        .await;
        Ok(Response::new(match result {
            Ok(imported) => pb::import_resource_state::Response {
                imported_resources: imported,
                diagnostics: vec![],
                deferred: None,
            },
            Err(d) => pb::import_resource_state::Response {
                imported_resources: vec![],
                diagnostics: d.to_proto(),
                deferred: None,
            },
        }))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Res<pb::read_data_source::Response> {
        let r = req.into_inner();
        let result = async {
            let ty = self.data_type(&r.type_name)?;
            let cfg = decode(&ty, r.config.as_ref())?;
            let tn = r.type_name.clone();
            let v = self.blocking(move |b| b.read_data_source(&tn, cfg)).await??;
            encode(&ty, &v)
        }
        .await;
        Ok(Response::new(match result {
            Ok(s) => pb::read_data_source::Response {
                state: Some(s),
                diagnostics: vec![],
                deferred: None,
            },
            Err(d) => pb::read_data_source::Response {
                state: None,
                diagnostics: d.to_proto(),
                deferred: None,
            },
        }))
    }

    async fn stop_provider(&self, _: Request<pb::stop_provider::Request>) -> Res<pb::stop_provider::Response> {
        tracing::info!("StopProvider received");
        self.backend.stop();
        Ok(Response::new(pb::stop_provider::Response { error: String::new() }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::schema::Attribute;
    use pb::provider_server::Provider as _;

    /// A backend whose provider-configuration methods panic, the way a bug in a resource would.
    struct Panicking {
        schema: Schema,
        none: BTreeMap<String, Schema>,
    }

    impl Panicking {
        fn service() -> ProviderService<Panicking> {
            let block = super::super::schema::Block::new("test", vec![Attribute::optional("x", Type::String, "x")]);
            ProviderService::new(Arc::new(Panicking {
                schema: Schema { version: 0, block },
                none: BTreeMap::new(),
            }))
        }
    }

    impl Backend for Panicking {
        fn provider_schema(&self) -> &Schema {
            &self.schema
        }
        fn resource_schemas(&self) -> &BTreeMap<String, Schema> {
            &self.none
        }
        fn data_source_schemas(&self) -> &BTreeMap<String, Schema> {
            &self.none
        }
        fn validate_provider_config(&self, _: &Value) -> Diagnostics {
            panic!("a static message")
        }
        fn configure(&self, config: &Value) -> Diagnostics {
            panic!("configure saw {config:?}")
        }
        fn validate_resource_config(&self, _: &str, _: &Value) -> Diagnostics {
            Diagnostics::default()
        }
        fn validate_data_source_config(&self, _: &str, _: &Value) -> Diagnostics {
            Diagnostics::default()
        }
        fn upgrade_resource_state(&self, _: &str, _: i64, state: Value) -> Result<Value, Diagnostics> {
            Ok(state)
        }
        fn read_resource(&self, _: &str, state: Value, private: Vec<u8>) -> StateResponse {
            StateResponse {
                new_state: state,
                private,
                diagnostics: Diagnostics::default(),
            }
        }
        fn plan_resource_change(&self, _: &str, _: PlanRequest) -> PlanResponse {
            PlanResponse::default()
        }
        fn apply_resource_change(&self, _: &str, _: ApplyRequest) -> StateResponse {
            StateResponse::default()
        }
        fn import_resource_state(&self, _: &str, _: &str) -> Result<Vec<Value>, Diagnostics> {
            Ok(vec![])
        }
        fn read_data_source(&self, _: &str, config: Value) -> Result<Value, Diagnostics> {
            Ok(config)
        }
        fn stop(&self) {}
    }

    fn one_error(d: &[pb::Diagnostic]) -> &pb::Diagnostic {
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, pb::diagnostic::Severity::Error as i32);
        &d[0]
    }

    #[tokio::test]
    async fn a_panic_inside_an_rpc_is_an_error_diagnostic() {
        let svc = Panicking::service();
        let ty = svc.backend.provider_schema().block.implied_type();
        let config = pb::DynamicValue {
            msgpack: codec::to_msgpack(&ty, &Value::Object([("x".to_string(), Value::str("v"))].into())).unwrap(),
            json: vec![],
        };
        // A `String` payload (panic with arguments).
        let r = svc
            .configure_provider(Request::new(pb::configure_provider::Request {
                config: Some(config.clone()),
                ..Default::default()
            }))
            .await
            .expect("the RPC answers, it does not fail the call")
            .into_inner();
        let d = one_error(&r.diagnostics);
        assert_eq!(d.summary, "Internal error in the ipam provider");
        assert!(d.detail.contains("configure saw Object("), "{}", d.detail);
        assert!(d.detail.contains("Nothing was written"), "{}", d.detail);
        // A `&'static str` payload.
        let r = svc
            .validate_provider_config(Request::new(pb::validate_provider_config::Request {
                config: Some(config),
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(one_error(&r.diagnostics).detail.contains("a static message"));
        // The service survives: the next RPC is served as usual.
        let r = svc
            .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
            .await
            .unwrap()
            .into_inner();
        assert!(r.diagnostics.is_empty() && r.provider.is_some());
    }

    #[tokio::test]
    async fn blocking_returns_the_value_or_the_panic_message() {
        let svc = Panicking::service();
        assert_eq!(svc.blocking(|b| b.schema.version + 1).await.unwrap(), 1);
        let d = svc
            .blocking(|_| -> i64 { panic!("index {} out of range", 7) })
            .await
            .unwrap_err();
        assert!(d.has_errors());
        assert!(d.0[0].detail.contains("index 7 out of range"), "{:?}", d.0[0]);
    }
}
