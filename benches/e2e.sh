#!/usr/bin/env bash
# End-to-end timings: terraform apply, plan (no changes) and destroy of N ipam_pool_allocation
# resources, beside the same commands on N terraform_data resources (Terraform's own floor: no
# provider process): alone, with the allocations' dependency graph, and with that graph and as
# many bytes of state per instance. Prints every time and the ratio to each floor.
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
# Where the CPU time goes, when /usr/bin/time is there: Terraform starts the provider through a
# wrapper that appends each provider process's user and system seconds to $work/provider.cpu.
provider_dir="$root/target/release"
if [ -x /usr/bin/time ]; then
  provider_dir="$work/bin"
  mkdir -p "$provider_dir"
  cat > "$provider_dir/terraform-provider-ipam" <<SH
#!/bin/sh
exec /usr/bin/time -f "%U %S" -a -o "$work/provider.cpu" "$root/target/release/terraform-provider-ipam" "\$@"
SH
  chmod +x "$provider_dir/terraform-provider-ipam"
fi
cat > "$work/terraform.rc" <<RC
provider_installation {
  dev_overrides {
    "local/ipam" = "$provider_dir"
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
# The same N terraform_data with the dependency graph of the ipam configuration: each refers to
# a "pool" and depends on a "CIDR" resource, which depend on an "IPAM" one (Terraform's graph work
# grows with the edges, so this floor has the same edges as the ipam side).
mkdir -p "$work/deps"
cat > "$work/deps/main.tf" <<HCL
resource "terraform_data" "ipam" {
  input = "ipam"
}
resource "terraform_data" "pool" {
  input = terraform_data.ipam.id
}
resource "terraform_data" "cidr" {
  input = terraform_data.pool.id
}
resource "terraform_data" "a" {
  count      = $n
  input      = terraform_data.pool.id
  depends_on = [terraform_data.cidr]
}
HCL
# The same again, each terraform_data holding as many bytes in the state as an allocation does
# (its input, a string, is sized after the ipam apply; input and output both hold it). Terraform's
# local backend rewrites the whole state file after every resource it creates or destroys, so
# apply and destroy grow with the bytes each instance keeps in the state, and this floor has as
# many. Needs python3 (to read the state); without it this floor is left out.
sized=""
if command -v python3 >/dev/null; then
  sized="$work/sized"
  mkdir -p "$sized"
  cp "$work/deps/main.tf" "$sized/main.tf"
fi
# Writes the sized floor's configuration: an input string that makes its instances' state as
# large as the mean allocation instance in the ipam state.
size_floor() {
  python3 - "$work/ipam/terraform.tfstate" "$n" >"$sized/main.tf" <<'PY'
import json, sys
state = json.load(open(sys.argv[1]))
sizes = [len(json.dumps(i)) for r in state["resources"] if r["type"] == "ipam_pool_allocation"
         for i in r["instances"]]
target = sum(sizes) / len(sizes)
def instance(s):
    return {"index_key": 999, "schema_version": 0, "attributes": {
        "id": "00000000-0000-0000-0000-000000000000", "input": {"value": s, "type": "string"},
        "output": {"value": s, "type": "string"}, "triggers_replace": None},
        "sensitive_attributes": [], "dependencies": ["terraform_data.cidr", "terraform_data.ipam", "terraform_data.pool"]}
pad = max(0, round((target - len(json.dumps(instance("")))) / 2))
print(f"""resource "terraform_data" "ipam" {{
  input = "ipam"
}}
resource "terraform_data" "pool" {{
  input = terraform_data.ipam.id
}}
resource "terraform_data" "cidr" {{
  input = terraform_data.pool.id
}}
# {pad} bytes each way: {round(target)} bytes of state per instance, as an allocation has
resource "terraform_data" "a" {{
  count      = {sys.argv[2]}
  input      = "{'x' * pad}"
  depends_on = [terraform_data.cidr]
}}""")
PY
}
# The three setup resources of the ipam configuration exist before timing starts, so both
# sides create exactly N resources.
(cd "$work/ipam" && "$tf" apply -auto-approve -input=false -target=ipam_pool_cidr.c >"$work/setup.log" 2>&1) || {
  cat "$work/setup.log" >&2
  exit 1
}
(cd "$work/data" && "$tf" init -input=false >/dev/null)
for floor in "$work/deps" $sized; do
  (cd "$floor" && "$tf" init -input=false >/dev/null &&
    "$tf" apply -auto-approve -input=false -target=terraform_data.cidr >"$work/setup.log" 2>&1) || {
    cat "$work/setup.log" >&2
    exit 1
  }
done
# Seconds taken by a command in a directory; a failure (or a plan that shows changes) stops the run.
# With /usr/bin/time, the CPU seconds of the command and its children (the provider processes
# among them) go to $work/cmd.cpu.
t() {
  local dir=$1 s e rc=0
  shift
  : >"$work/provider.cpu"
  s=$(date +%s.%N)
  if [ -x /usr/bin/time ]; then
    (cd "$dir" && /usr/bin/time -f "%U %S" -o "$work/cmd.cpu" "$@" >"$work/cmd.log" 2>&1) || rc=$?
  else
    (cd "$dir" && "$@" >"$work/cmd.log" 2>&1) || rc=$?
  fi
  e=$(date +%s.%N)
  if [ "$rc" -ne 0 ]; then
    echo "e2e.sh: \`$*\` in $dir exited with $rc:" >&2
    tail -40 "$work/cmd.log" >&2
    exit 1
  fi
  awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", b - a }'
}
# Sum of "user system" lines in a file.
cpu() { awk '{ s += $1 + $2 } END { printf "%.2f", s }' "$1" 2>/dev/null || printf 'n/a'; }
# $1 / $2 to two places.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "$n resources each; ipam_pool_allocation on $backend ($shown)"
printf '%-8s %18s %12s %8s %16s %8s %16s %8s   %s\n' command "ipam/$backend (s)" "tf_data (s)" "ratio" \
  "tf_data+deps (s)" "ratio" "+state size (s)" "ratio" \
  "CPU s: ipam run (of it provider) / tf_data / tf_data+deps / +state size"
for cmd in apply plan destroy; do
  case $cmd in
    apply) args=(apply -auto-approve -input=false) ;;
    plan) args=(plan -input=false -detailed-exitcode) ;;
    destroy) args=(destroy -auto-approve -input=false) ;;
  esac
  a=$(t "$work/ipam" "$tf" "${args[@]}")
  cpu_a=$(cpu "$work/cmd.cpu") cpu_p=$(cpu "$work/provider.cpu")
  b=$(t "$work/data" "$tf" "${args[@]}")
  cpu_b=$(cpu "$work/cmd.cpu")
  d=$(t "$work/deps" "$tf" "${args[@]}")
  cpu_d=$(cpu "$work/cmd.cpu")
  z=n/a rz=n/a cpu_z=n/a
  if [ -n "$sized" ]; then
    [ "$cmd" = apply ] && size_floor
    z=$(t "$sized" "$tf" "${args[@]}" | awk '{ printf "%.2f", $1 }')
    cpu_z=$(cpu "$work/cmd.cpu")
    rz=$(ratio "$a" "$z")
  fi
  printf '%-8s %18.2f %12.2f %8s %16.2f %8s %16s %8s   %s (%s) / %s / %s / %s\n' "$cmd" "$a" "$b" \
    "$(ratio "$a" "$b")" "$d" "$(ratio "$a" "$d")" "$z" "$rz" "$cpu_a" "$cpu_p" "$cpu_b" "$cpu_d" "$cpu_z"
done
[ -n "$sized" ] && grep -o '^# [0-9]* bytes.*' "$sized/main.tf" | sed 's/^# /state size floor: /'
echo "ratio = ipam_pool_allocation on $backend / terraform_data (alone; with the same dependencies;"
echo "        and with the same dependencies and state bytes per instance)"
