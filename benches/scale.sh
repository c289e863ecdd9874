#!/usr/bin/env bash
# Scale: a database with N allocations (default 100,000) in one pool; times and peak memory of
# the provider (terraform plan reading the pool with utilisation, and adding one allocation) and
# of the CLI (export, check).
# Usage: benches/scale.sh [N]
set -euo pipefail
n="${1:-100000}"
root="$(cd "$(dirname "$0")/.." && pwd)"
tf="${TERRAFORM:-terraform}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --release --manifest-path "$root/Cargo.toml" >/dev/null 2>&1
pool=$(cd "$root" && SCALE_DB="$work/scale.db" SCALE_N="$n" cargo bench --bench scale 2>/dev/null | tail -1)
bin="$root/target/release/terraform-provider-ipam"
# Terraform starts the provider through this wrapper, which records each process's peak RSS.
mkdir -p "$work/bin" "$work/cfg"
cat > "$work/bin/terraform-provider-ipam" <<SH
#!/bin/sh
exec /usr/bin/time -f "%M" -a -o "$work/rss" "$bin" "\$@"
SH
chmod +x "$work/bin/terraform-provider-ipam"
cat > "$work/terraform.rc" <<RC
provider_installation {
  dev_overrides {
    "local/ipam" = "$work/bin"
  }
  direct {}
}
RC
cat > "$work/cfg/main.tf" <<HCL
terraform {
  required_providers {
    ipam = { source = "local/ipam" }
  }
}
provider "ipam" {
  database = "$work/scale.db"
}
data "ipam_pool" "p" {
  ipam_pool_id = "$pool"
}
resource "ipam_pool_allocation" "one_more" {
  ipam_pool_id   = "$pool"
  netmask_length = 28
}
output "percent_assigned" {
  value = data.ipam_pool.p.percent_assigned
}
HCL
export TF_CLI_CONFIG_FILE="$work/terraform.rc" CHECKPOINT_DISABLE=1
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); awk -v a="$s" -v b="$e" 'BEGIN { printf "%.2f s", b - a }'; }
echo "database: $n allocations, $(du -h "$work/scale.db" | cut -f1)"
echo "terraform plan:  $(cd "$work/cfg" && t "$tf" plan -input=false)"
echo "terraform apply: $(cd "$work/cfg" && t "$tf" apply -auto-approve -input=false)"
echo "provider peak RSS: $(sort -n "$work/rss" | tail -1) KiB (max over $(wc -l < "$work/rss") provider processes)"
for cmd in export check; do
  s=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/cli_rss" "$bin" --database "$work/scale.db" $cmd >/dev/null
  e=$(date +%s.%N)
  echo "cli $cmd: $(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.2f s", b - a }'), peak RSS $(cat "$work/cli_rss") KiB"
done
