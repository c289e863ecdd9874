#!/usr/bin/env bash
# Builds the provider, installs it into Terraform's implied local mirror under your HOME
# (~/.terraform.d/plugins), then runs `terraform init` and `terraform apply` in examples/quickstart
# on the embedded SQLite default. No CLI configuration and no development overrides.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cargo build --release --manifest-path "$root/Cargo.toml"
"$root/target/release/terraform-provider-ipam" install
export CHECKPOINT_DISABLE=1
cd "$root/examples/quickstart"
# -upgrade: a rebuilt binary of the same version has a new hash; the lock file takes it.
if ! terraform init -upgrade -input=false; then
  echo >&2
  echo "terraform init did not find local/ipam. A CLI configuration with a provider_installation block" >&2
  echo "(TF_CLI_CONFIG_FILE or ~/.terraformrc) turns the implied mirror off: add a filesystem_mirror for" >&2
  echo "~/.terraform.d/plugins to it (see docs/index.md#installation)." >&2
  exit 1
fi
terraform apply -auto-approve -input=false
echo
echo "Done. The database is examples/quickstart/terraform-ipam.db; .terraform.lock.hcl records the"
echo "provider's hash. Run terraform there yourself, or in any configuration with:"
echo '  ipam = { source = "local/ipam" }'
