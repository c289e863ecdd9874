#!/usr/bin/env bash
# End-to-end timings: terraform apply, plan (no changes) and destroy of N ipam_pool_allocation
# resources, beside the same commands on N terraform_data resources (Terraform's own floor: no
# provider process). Prints both times and the ratio for each command.
#
# Usage: benches/e2e.sh [N]   (default 1000; needs terraform on the PATH, or TERRAFORM)
#
# The ipam side uses a SQLite file in a temporary directory, or, when IPAM_BENCH_POSTGRES is set,
# that PostgreSQL database, which is emptied first (DROP SCHEMA public CASCADE; needs psql):
#   benches/pg.sh benches/e2e.sh 1000
set -euo pipefail
n="${1:-1000}"
root="$(cd "$(dirname "$0")/.." && pwd)"
tf="${TERRAFORM:-terraform}"
cargo build --release --manifest-path "$root/Cargo.toml" >/dev/null 2>&1 || {
  cargo build --release --manifest-path "$root/Cargo.toml" 2>&1 | tail -20 >&2
  exit 1
}
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -n "${IPAM_BENCH_POSTGRES:-}" ]; then
  backend=postgres
  database="$IPAM_BENCH_POSTGRES"
  psql -X -q -v ON_ERROR_STOP=1 -d "$database" -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" >/dev/null
  # The URL without its password, for the report.
  shown="$(printf '%s' "$database" | sed -E 's#^(postgres(ql)?://[^:/@]*):[^@]*@#\1@#')"
else
  backend=sqlite
  database="$work/ipam/bench.db"
  shown="a SQLite file in $work/ipam"
fi
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
  database = "$database"
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
(cd "$work/ipam" && "$tf" apply -auto-approve -input=false -target=ipam_pool_cidr.c >"$work/setup.log" 2>&1) || {
  cat "$work/setup.log" >&2
  exit 1
}
(cd "$work/data" && "$tf" init -input=false >/dev/null)
# Seconds taken by a command in a directory; a failure (or a plan that shows changes) stops the run.
t() {
  local dir=$1 s e rc=0
  shift
  s=$(date +%s.%N)
  (cd "$dir" && "$@" >"$work/cmd.log" 2>&1) || rc=$?
  e=$(date +%s.%N)
  if [ "$rc" -ne 0 ]; then
    echo "e2e.sh: \`$*\` in $dir exited with $rc:" >&2
    tail -40 "$work/cmd.log" >&2
    exit 1
  fi
  awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", b - a }'
}
echo "$n resources each; ipam_pool_allocation on $backend ($shown)"
printf '%-8s %18s %12s %8s\n' command "ipam/$backend (s)" "tf_data (s)" "ratio"
for cmd in apply plan destroy; do
  case $cmd in
    apply) args=(apply -auto-approve -input=false) ;;
    plan) args=(plan -input=false -detailed-exitcode) ;;
    destroy) args=(destroy -auto-approve -input=false) ;;
  esac
  a=$(t "$work/ipam" "$tf" "${args[@]}")
  b=$(t "$work/data" "$tf" "${args[@]}")
  printf '%-8s %18.2f %12.2f %8.2f\n' "$cmd" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { print a / b }')"
done
echo "ratio = ipam_pool_allocation on $backend / terraform_data"
