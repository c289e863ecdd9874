#!/usr/bin/env bash
# Builds the release binary and writes the files a provider registry or mirror serves, into OUT
# (default dist/):
#
#   terraform-provider-ipam_<version>_<os>_<arch>.zip     the binary, as terraform-provider-ipam_v<version>
#   terraform-provider-ipam_<version>_SHA256SUMS          SHA-256 of every zip of this version in OUT
#   terraform-provider-ipam_<version>_manifest.json       protocol_versions ["6.0"]
#   mirror/registry.terraform.io/local/ipam/              the zips (packed filesystem-mirror layout)
#     index.json, <version>.json                          the network-mirror protocol, with h1: hashes
#
# Usage: scripts/release.sh [OUT]
#   RELEASE_TARGET=aarch64-unknown-linux-gnu  build for another Rust target (cargo build --target)
#   RELEASE_BINARY=path/to/terraform-provider-ipam  package this binary instead of building one
#                                                   (for RELEASE_TARGET, or the host by default)
# Runs again into the same OUT for each target: the sums and the mirror list every zip there.
# Needs bash, cargo and python3 (standard library only); no network beyond what cargo needs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/dist}"

# The version is set in one place: Cargo.toml's [package] table.
version="$(awk -F'"' '/^\[/ { p = ($0 == "[package]") } p && /^version *=/ { print $2; exit }' "$root/Cargo.toml")"
[ -n "$version" ] || { echo "release.sh: no version in $root/Cargo.toml [package]" >&2; exit 1; }

target="${RELEASE_TARGET:-}"
triple="$target"
if [ -z "$triple" ]; then
  triple="$(rustc -vV | sed -n 's/^host: //p')"
fi
case "$triple" in
  x86_64-*) arch=amd64 ;;
  aarch64-*) arch=arm64 ;;
  i586-* | i686-*) arch=386 ;;
  arm*-*) arch=arm ;;
  *) echo "release.sh: no Terraform architecture for the Rust target $triple" >&2; exit 1 ;;
esac
case "$triple" in
  *-linux-*) os=linux ;;
  *-apple-darwin) os=darwin ;;
  *-windows-*) os=windows ;;
  *-freebsd) os=freebsd ;;
  *) echo "release.sh: no Terraform OS for the Rust target $triple" >&2; exit 1 ;;
esac
exe=""
[ "$os" = windows ] && exe=".exe"

binary="${RELEASE_BINARY:-}"
if [ -z "$binary" ]; then
  cargo build --release --locked --manifest-path "$root/Cargo.toml" ${target:+--target "$target"}
  binary="$root/target/${target:+$target/}release/terraform-provider-ipam$exe"
fi
[ -f "$binary" ] || { echo "release.sh: no binary at $binary" >&2; exit 1; }

mkdir -p "$out"
python3 - "$out" "$version" "${os}_${arch}" "$binary" "terraform-provider-ipam_v$version$exe" <<'PY'
import base64, glob, hashlib, json, os, shutil, sys, time, zipfile

out, version, platform, binary, member = sys.argv[1:]
prefix = f"terraform-provider-ipam_{version}"
archive = f"{prefix}_{platform}.zip"

# The zip: one executable, a fixed timestamp (SOURCE_DATE_EPOCH, else 1980-01-01), so the same
# binary always gives the same archive.
stamp = time.gmtime(max(int(os.environ.get("SOURCE_DATE_EPOCH", "315532800")), 315532800))[:6]
info = zipfile.ZipInfo(member, date_time=stamp)
info.create_system = 3  # Unix: the mode below is what unzip (and Terraform) apply
info.external_attr = 0o100755 << 16
info.compress_type = zipfile.ZIP_DEFLATED
tmp = os.path.join(out, f".{archive}.tmp")
with open(binary, "rb") as f, zipfile.ZipFile(tmp, "w") as z:
    z.writestr(info, f.read())
os.replace(tmp, os.path.join(out, archive))

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()

def h1(path):
    """Terraform's package hash: Go's dirhash Hash1 over the zip's files (golang.org/x/mod/sumdb/dirhash)."""
    with zipfile.ZipFile(path) as z:
        names = sorted(i.filename for i in z.infolist() if not i.is_dir())
        summary = "".join(f"{hashlib.sha256(z.read(n)).hexdigest()}  {n}\n" for n in names)
    return "h1:" + base64.b64encode(hashlib.sha256(summary.encode()).digest()).decode()

def write(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)

zips = sorted(os.path.basename(p) for p in glob.glob(os.path.join(out, f"{prefix}_*_*.zip")))
write(os.path.join(out, f"{prefix}_SHA256SUMS"),
      "".join(f"{sha256(os.path.join(out, z))}  {z}\n" for z in zips))
write(os.path.join(out, f"{prefix}_manifest.json"),
      json.dumps({"version": 1, "metadata": {"protocol_versions": ["6.0"]}}, indent=2) + "\n")

# Packed filesystem mirror, which is also the network mirror's tree: the zips beside the JSON
# documents (archive URLs are relative to <version>.json).
mirror = os.path.join(out, "mirror", "registry.terraform.io", "local", "ipam")
os.makedirs(mirror, exist_ok=True)
archives = {}
for z in zips:
    plat = z[len(prefix) + 1 : -len(".zip")]
    shutil.copyfile(os.path.join(out, z), os.path.join(mirror, z))
    archives[plat] = {"url": z, "hashes": [h1(os.path.join(mirror, z))]}
write(os.path.join(mirror, f"{version}.json"), json.dumps({"archives": archives}, indent=2) + "\n")
versions = sorted(os.path.basename(p)[: -len(".json")] for p in glob.glob(os.path.join(mirror, "*.json"))
                  if os.path.basename(p) != "index.json")
write(os.path.join(mirror, "index.json"), json.dumps({"versions": {v: {} for v in versions}}, indent=2) + "\n")

print(f"wrote {os.path.join(out, archive)} ({archives[platform]['hashes'][0]})")
print(f"wrote {os.path.join(out, prefix + '_SHA256SUMS')}, {os.path.join(out, prefix + '_manifest.json')}")
print(f"wrote {os.path.join(out, 'mirror')}: a filesystem mirror, and a network mirror when served over HTTPS")
PY
