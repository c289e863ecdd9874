//! Entry point: the go-plugin server when Terraform starts the binary, the CLI otherwise.

use std::sync::Arc;

use terraform_provider_ipam::plugin::{log, server};
use terraform_provider_ipam::provider::{IpamProvider, View};

fn main() {
    log::init();
    let code = if server::launched_by_terraform() {
        let view = View::of_program(std::env::args_os().next().as_deref());
        server::serve(Arc::new(IpamProvider::for_view(view)))
    } else {
        terraform_provider_ipam::cli::main()
    };
    std::process::exit(code);
}
