//! terraform-provider-ipam: the Amazon VPC IPAM model as a Terraform provider on SQLite.
pub mod plugin;
