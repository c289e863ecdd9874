#!/usr/bin/env bash
# Builds the provider, writes a Terraform CLI configuration that points `local/ipam` at the build
# (dev_overrides, no registry), and applies examples/quickstart on the embedded SQLite default.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cargo build --release --manifest-path "$root/Cargo.toml"
mkdir -p "$root/target/quickstart"
cat > "$root/target/quickstart/terraform.rc" <<RC
provider_installation {
  dev_overrides {
    "local/ipam" = "$root/target/release"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$root/target/quickstart/terraform.rc" CHECKPOINT_DISABLE=1
cd "$root/examples/quickstart"
terraform apply -auto-approve -input=false
echo
echo "Done. The database is examples/quickstart/terraform-ipam.db. To use terraform here yourself:"
echo "  export TF_CLI_CONFIG_FILE=$root/target/quickstart/terraform.rc"
