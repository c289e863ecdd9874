//! The end-to-end tests: one binary, the shared harness compiled once, one module per resource,
//! data source and theme.

#[macro_use]
mod common;

mod architecture;
mod aws;
mod bad_input;
mod cli;
mod concurrency;
mod crash;
mod data;
mod db_faults;
mod docs;
mod examples;
mod ipam;
mod plugin;
mod pools;
mod postgres;
mod protocol;
mod sharing;
