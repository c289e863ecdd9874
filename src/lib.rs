//! terraform-provider-ipam: the Amazon VPC IPAM model as a Terraform provider on SQLite.
//!
//! Layers (see ARCHITECTURE.md): `plugin` (Terraform transport) → `provider` (resources and data
//! sources) → `ipam` (domain rules, pure) → `store` (SQLite). `cli` is the human front end.

pub mod cli;
pub mod ipam;
pub mod plugin;
pub mod provider;
pub mod store;
