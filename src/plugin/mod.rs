//! The tfplugin6 transport: handshake, TLS, gRPC services, value codec, schemas and
//! diagnostics. Knows nothing about IPAM.

pub mod codec;
pub mod diag;
pub mod grpc;
pub mod log;
pub mod schema;
pub mod server;
pub mod tls;
pub mod value;

/// Code generated from `proto/`.
pub mod proto {
    #![allow(clippy::all, missing_docs)]
    /// The Terraform plugin protocol, version 6.
    pub mod tfplugin6 {
        tonic::include_proto!("tfplugin6");
    }
    /// go-plugin's controller and stdio services.
    pub mod plugin {
        tonic::include_proto!("plugin");
    }
}
