//! The command line a person uses: the same binary as the provider.

use std::sync::Arc;

use clap::Parser;

use crate::plugin::server;
use crate::provider::IpamProvider;

/// terraform-provider-ipam: an Amazon VPC IPAM model for Terraform on a local SQLite database.
///
/// Terraform starts this binary as its `ipam` provider. Run by hand, it is a command line.
#[derive(Parser, Debug)]
#[command(name = "terraform-provider-ipam", version, about, long_about = None)]
pub struct Cli {
    /// Serve the provider without Terraform launching it and print a TF_REATTACH_PROVIDERS value,
    /// to attach Terraform to a provider running under a debugger.
    #[arg(long)]
    pub debug: bool,
}

/// Runs the command line; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    if cli.debug {
        return server::serve_debug(Arc::new(IpamProvider::new()));
    }
    use clap::CommandFactory;
    let _ = Cli::command().print_help();
    eprintln!(
        "\nThis binary is a Terraform provider. Terraform starts it itself; see the README for the CLI configuration that points Terraform at it."
    );
    2
}
