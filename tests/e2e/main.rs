//! The end-to-end tests: one binary, the shared harness compiled once, one module per resource,
//! data source and theme.

#[macro_use]
mod common;

mod adoption;
mod allocation;
mod architecture;
mod aws;
mod aws_allocation;
mod aws_data;
mod aws_ipam;
mod aws_modules;
mod aws_pool;
mod aws_ram;
mod aws_scope;
mod bad_input;
mod byoip;
mod cli;
mod concurrency;
mod crash;
mod data_sources;
mod db_faults;
mod decided_at_apply;
mod docs;
mod examples;
mod ipam;
mod plugin;
mod pool;
mod pool_cidr;
mod postgres;
mod preview;
mod protocol;
mod provider_config;
mod resource_share;
mod schema_upgrade;
mod scope;
mod tags;
mod whole_configurations;
