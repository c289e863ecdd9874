#!/usr/bin/env bash
# End-to-end timings: terraform apply, plan (no changes) and destroy of N ipam_pool_allocation
# resources, beside the same commands on N terraform_data resources (Terraform's own floor: no
# provider process). Prints both times and the ratio for each command.
#
# Usage: benches/e2e.sh [N]   (default 1000; needs terraform on the PATH, or TERRAFORM)
set -euo pipefail
n="${1:-1000}"
root="$(cd "$(dirname "$0")/.." && pwd)"
tf="${TERRAFORM:-terraform}"
cargo build --release --manifest-path "$root/Cargo.toml" >/dev/null 2>&1
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/terraform.rc" <<RC
provider_installation {
  dev_overrides {
    "local/ipam" = "$root/target/release"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$work/terraform.rc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
mkdir -p "$work/ipam" "$work/data"
cat > "$work/ipam/main.tf" <<HCL
terraform {
  required_providers {
    ipam = { source = "local/ipam" }
  }
}
provider "ipam" {
  database = "$work/ipam/bench.db"
}
resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
}
resource "ipam_pool" "p" {
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
}
resource "ipam_pool_cidr" "c" {
  ipam_pool_id = ipam_pool.p.id
  cidr         = "10.0.0.0/8"
}
resource "ipam_pool_allocation" "a" {
  count          = $n
  ipam_pool_id   = ipam_pool.p.id
  netmask_length = 28
  depends_on     = [ipam_pool_cidr.c]
}
HCL
cat > "$work/data/main.tf" <<HCL
resource "terraform_data" "a" {
  count = $n
  input = count.index
}
HCL
# The three setup resources of the ipam configuration exist before timing starts, so both
# sides create exactly N resources.
(cd "$work/ipam" && "$tf" apply -auto-approve -input=false -target=ipam_pool_cidr.c >/dev/null)
(cd "$work/data" && "$tf" init -input=false >/dev/null)
t() { local s e; s=$(date +%s.%N); (cd "$1" && shift && "$@" >/dev/null); e=$(date +%s.%N); awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", b - a }'; }
printf '%-8s %12s %12s %8s\n' command "ipam (s)" "tf_data (s)" ratio
for cmd in apply plan destroy; do
  case $cmd in
    apply) args=(apply -auto-approve -input=false) ;;
    plan) args=(plan -input=false -detailed-exitcode) ;;
    destroy) args=(destroy -auto-approve -input=false) ;;
  esac
  a=$(t "$work/ipam" "$tf" "${args[@]}" || true)
  b=$(t "$work/data" "$tf" "${args[@]}" || true)
  printf '%-8s %12.2f %12.2f %8.2f\n' "$cmd" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { print a / b }')"
done
