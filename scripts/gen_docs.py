#!/usr/bin/env python3
"""Writes the reference sections of docs/resources/*.md and docs/data-sources/*.md from the schema.

The Argument Reference and Attribute Reference sections come from `terraform providers schema -json`
(tests/e2e/docs.rs fails when a page misses an attribute, nested ones included, or documents one the
schema does not have). In an existing page only those two sections are rewritten: its title, prose,
example, import section and any other section stay as they are. A new page is written whole, with
the example and import ID below.

Conventions (the ones tests/e2e/docs.rs reads): each attribute is a bullet "* `name` - (...)";
the attributes of an object type (and of the objects in a list, set or map) are nested bullets
under it, two spaces deeper a level; a nested block is a bullet "* `name` - (Block)" plus a section
"### `path` block" listing its attributes, where path is dotted for a block inside a block
(`outer.inner`). Usage: scripts/gen_docs.py SCHEMA_JSON (see tests/e2e/docs.rs for how to get one), or
with no argument it builds the provider and asks terraform itself.
"""

import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

IPAM = """resource "ipam" "main" {
  description = "Organisation IPAM"
  operating_regions { region_name = "us-east-1" }
  operating_regions { region_name = "us-west-2" }
}
"""

POOL = """resource "ipam_pool" "top" {
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
  description    = "top-level pool"
}

resource "ipam_pool_cidr" "top" {
  ipam_pool_id = ipam_pool.top.id
  cidr         = "10.0.0.0/8"
}
"""

EXAMPLES = {
    ("resource", "ipam"): IPAM,
    ("resource", "ipam_scope"): IPAM + """
resource "ipam_scope" "lab" {
  ipam_id     = ipam.main.id
  description = "Lab networks (may overlap production)"
}
""",
    ("resource", "ipam_pool"): IPAM + POOL + """
# A regional child pool with allocation rules: its CIDRs come out of the parent pool.
resource "ipam_pool" "us_east_1" {
  ipam_scope_id                     = ipam.main.private_default_scope_id
  address_family                    = "ipv4"
  locale                            = "us-east-1"
  source_ipam_pool_id               = ipam_pool.top.id
  allocation_default_netmask_length = 24
  allocation_min_netmask_length     = 20
  allocation_max_netmask_length     = 28
  allocation_resource_tags          = { env = "prod" }
}
""",
    ("resource", "ipam_pool_cidr"): IPAM + POOL + """
resource "ipam_pool" "regional" {
  ipam_scope_id       = ipam.main.private_default_scope_id
  address_family      = "ipv4"
  locale              = "us-east-1"
  source_ipam_pool_id = ipam_pool.top.id
}

# The first free /16 of the parent pool, chosen at apply.
resource "ipam_pool_cidr" "regional" {
  ipam_pool_id   = ipam_pool.regional.id
  netmask_length = 16
  depends_on     = [ipam_pool_cidr.top]
}

# A top-level public BYOIP pool needs proof of ownership.
resource "ipam_pool" "byoip" {
  ipam_scope_id    = ipam.main.public_default_scope_id
  address_family   = "ipv4"
  public_ip_source = "byoip"
}

resource "ipam_pool_cidr" "byoip" {
  ipam_pool_id = ipam_pool.byoip.id
  cidr         = "130.137.245.0/24"
  cidr_authorization_context {
    message   = "1|aws|123456789012|130.137.245.0/24|20991231|SHA256|RSAPSS"
    signature = var.byoip_signature
  }
}
""",
    ("resource", "ipam_pool_allocation"): IPAM + POOL + """
# The first free /24 (lowest aligned address), decided at apply.
resource "ipam_pool_allocation" "app" {
  ipam_pool_id   = ipam_pool.top.id
  netmask_length = 24
  description    = "app network"
  depends_on     = [ipam_pool_cidr.top]
}

# An exact CIDR, reserved for on-premises space.
resource "ipam_pool_allocation" "onprem" {
  ipam_pool_id = ipam_pool.top.id
  cidr         = "10.255.0.0/16"
  depends_on   = [ipam_pool_cidr.top]
}
""",
    ("resource", "ipam_preview_next_cidr"): IPAM + POOL + """
resource "ipam_preview_next_cidr" "next" {
  ipam_pool_id     = ipam_pool.top.id
  netmask_length   = 24
  disallowed_cidrs = ["10.0.0.0/24"]
  depends_on       = [ipam_pool_cidr.top]
}
""",
    ("resource", "ipam_resource_share"): IPAM + POOL + """
resource "ipam_resource_share" "pools" {
  name          = "shared-pools"
  resource_arns = [ipam_pool.top.arn]
  principals    = ["444455556666"]
}

# The member account allocates through its own provider block.
provider "ipam" {
  alias      = "member"
  account_id = "444455556666"
}
""",
    ("data", "ipam"): """data "ipam" "main" {
  id = "ipam-0123456789abcdef0"
}
""",
    ("data", "ipam_ipams"): """data "ipam_ipams" "all" {
  filter {
    name   = "ipam-region"
    values = ["us-east-1"]
  }
}
""",
    ("data", "ipam_scope"): """data "ipam_scope" "private" {
  id = "ipam-scope-0123456789abcdef0"
}

output "private_space_used_percent" {
  value = data.ipam_scope.private.percent_allocated + data.ipam_scope.private.percent_assigned
}
""",
    ("data", "ipam_scopes"): """data "ipam_scopes" "private" {
  filter {
    name   = "ipam-scope-type"
    values = ["private"]
  }
}
""",
    ("data", "ipam_pool"): """# Look a pool up by tag from another workspace.
data "ipam_pool" "prod" {
  filter {
    name   = "tag:env"
    values = ["prod"]
  }
  filter {
    name   = "address-family"
    values = ["ipv4"]
  }
}

output "prod_pool_free_percent" {
  value = data.ipam_pool.prod.percent_available
}
""",
    ("data", "ipam_pools"): """data "ipam_pools" "regional" {
  filter {
    name   = "locale"
    values = ["us-*"]
  }
}
""",
    ("data", "ipam_pool_cidrs"): """data "ipam_pool_cidrs" "top" {
  ipam_pool_id = "ipam-pool-0123456789abcdef0"
}
""",
    ("data", "ipam_pool_allocations"): """data "ipam_pool_allocations" "top" {
  ipam_pool_id = "ipam-pool-0123456789abcdef0"
  filter {
    name   = "compliance-status"
    values = ["noncompliant"]
  }
}
""",
    ("data", "ipam_preview_next_cidr"): """# Recomputed on every read and reserves nothing: several previews of one pool return the
# same CIDR, and once it is allocated the next read moves on. To reserve space, use
# ipam_pool_allocation with netmask_length; to keep a preview, use the resource of this name.
data "ipam_preview_next_cidr" "next" {
  ipam_pool_id   = "ipam-pool-0123456789abcdef0"
  netmask_length = 24
}
""",
    ("data", "ipam_address_history"): """data "ipam_address_history" "app" {
  cidr          = "10.0.0.0/24"
  ipam_scope_id = "ipam-scope-0123456789abcdef0"
  start_time    = "2026-01-01T00:00:00Z"
}
""",
}

IMPORTS = {
    "ipam": ("ipam-0123456789abcdef0", "The IPAM ID."),
    "ipam_scope": ("ipam-scope-0123456789abcdef0", "The scope ID."),
    "ipam_pool": ("ipam-pool-0123456789abcdef0", "The pool ID."),
    "ipam_pool_cidr": ("10.0.0.0/16_ipam-pool-0123456789abcdef0", "`<cidr>_<pool-id>`, with the CIDR as provisioned."),
    "ipam_pool_allocation": (
        "ipam-pool-alloc-0123456789abcdef0123456789abcdef_ipam-pool-0123456789abcdef0",
        "`<allocation-id>_<pool-id>`.",
    ),
    "ipam_preview_next_cidr": (
        "10.0.1.0/24_ipam-pool-0123456789abcdef0",
        "`<cidr>_<pool-id>` (unlike the AWS provider, previews can be imported; `disallowed_cidrs` is not recovered).",
    ),
    "ipam_resource_share": (
        "arn:aws:ram:us-east-1:123456789012:resource-share/0123abcd-0123-4567-a89b-0123456789ab",
        "The share's ARN.",
    ),
}


def type_name(t):
    if isinstance(t, str):
        return t
    kind = t[0]
    if kind in ("list", "set", "map"):
        return f"{kind}({type_name(t[1])})"
    if kind == "object":
        return "object"
    return kind


def object_attrs(t):
    """The attributes of the object type `t`, or of the objects in a list, set or map `t`."""
    if not isinstance(t, list):
        return None
    if t[0] == "object":
        return t[1]
    if t[0] in ("list", "set", "map"):
        return object_attrs(t[1])
    return None


def nested_lines(t, depth):
    """Nested bullets for the attributes of an object type (recursively), indented two spaces a level."""
    lines = []
    for sub, st in sorted((object_attrs(t) or {}).items()):
        lines.append(f"{'  ' * depth}* `{sub}` ({type_name(st)})")
        lines += nested_lines(st, depth + 1)
    return lines


def attr_line(name, a):
    if a.get("required"):
        kind = "Required"
    elif a.get("optional") and a.get("computed"):
        kind = "Optional, computed when not set"
    elif a.get("optional"):
        kind = "Optional"
    else:
        kind = "Read-only"
    desc = a.get("description", "").strip()
    return "\n".join([f"* `{name}` - ({kind}, {type_name(a['type'])}) {desc}"] + nested_lines(a["type"], 1))


def anchor(path):
    """GitHub's anchor of the heading "`path` block"."""
    return path.replace(".", "") + "-block"


def block_lines(block, prefix, nested):
    """Bullets of a block's nested blocks, each also described (recursively) in a `### `path` block`
    section appended to `nested`."""
    lines = []
    for name, b in sorted(block.get("block_types", {}).items()):
        path = prefix + name
        inner = b["block"]
        desc = inner.get("description", "").strip()
        mode = b.get("nesting_mode", "")
        section = [f"### `{path}` block\n", desc + f" (nesting: {mode})", ""]
        for n, a in sorted(inner.get("attributes", {}).items()):
            section.append(attr_line(n, a))
        index = len(nested)
        nested.append(None)
        section += block_lines(inner, path + ".", nested)
        nested[index] = "\n".join(section)
        lines.append(f"* `{name}` - (Block) {desc} See [below](#{anchor(path)}).")
    return lines


def block_sections(block):
    args, attrs, nested = [], [], []
    for name, a in sorted(block.get("attributes", {}).items()):
        (args if a.get("required") or a.get("optional") else attrs).append(attr_line(name, a))
    args += block_lines(block, "", nested)
    return args, attrs, nested


def reference(kind, block):
    """The Argument Reference and Attribute Reference sections, generated from the schema."""
    args, attrs, nested = block_sections(block)
    out = ["## Argument Reference", ""]
    out += args or ["This data source takes no arguments."]
    out.append("")
    for n in nested:
        out += [n, ""]
    out += ["## Attribute Reference", "", "In addition to the arguments, these attributes are exported:", ""]
    out += attrs
    out.append("")
    return out


def import_section(name):
    id_example, id_doc = IMPORTS[name]
    return [
        "## Import",
        "",
        f"Import ID: {id_doc}",
        "",
        "```sh",
        f"terraform import {name}.example {id_example}",
        "```",
        "",
        "or, with Terraform 1.5 and later:",
        "",
        "```hcl",
        "import {",
        f"  to = {name}.example",
        f'  id = "{id_example}"',
        "}",
        "```",
        "",
        "After an import, `terraform plan` shows no changes: every argument is read back.",
        "",
    ]


def page(kind, name, schema):
    """A whole new page: title, description, example, reference sections and (resources) import."""
    block = schema["block"]
    title = "Resource" if kind == "resource" else "Data Source"
    out = [f"# {name} ({title})", "", block.get("description", "").strip(), "", "## Example Usage", "", "```hcl"]
    out.append(EXAMPLES[(kind, name)].rstrip())
    out += ["```", ""]
    out += reference(kind, block)
    if kind == "resource":
        out += import_section(name)
    return "\n".join(out)


def update(text, kind, schema, where):
    """An existing page with only its reference sections regenerated: from `## Argument Reference`
    to the first `## ` heading after `## Attribute Reference` (or the end). The title, prose,
    example, import section and any other section are kept as they are."""
    lines = text.split("\n")
    try:
        start = lines.index("## Argument Reference")
        attrs = lines.index("## Attribute Reference", start)
    except ValueError:
        raise SystemExit(f"{where}: no '## Argument Reference' followed by '## Attribute Reference'")
    end = next((i for i in range(attrs + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join(lines[:start] + reference(kind, schema["block"]) + lines[end:])


def schema_from_terraform():
    subprocess.run(["cargo", "build", "--quiet"], cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory() as d:
        rc = os.path.join(d, "terraform.rc")
        with open(rc, "w") as f:
            f.write('provider_installation {\n  dev_overrides {\n    "local/ipam" = "%s/target/debug"\n  }\n  direct {}\n}\n' % ROOT)
        with open(os.path.join(d, "main.tf"), "w") as f:
            f.write('terraform {\n  required_providers {\n    ipam = { source = "local/ipam" }\n  }\n}\n')
        env = dict(os.environ, TF_CLI_CONFIG_FILE=rc, CHECKPOINT_DISABLE="1")
        out = subprocess.run([os.environ.get("TERRAFORM", "terraform"), "providers", "schema", "-json"], cwd=d, env=env, check=True, capture_output=True)
        return json.loads(out.stdout)


def main():
    s = json.load(open(sys.argv[1])) if len(sys.argv) > 1 else schema_from_terraform()
    p = next(iter(s["provider_schemas"].values()))
    for kind, key, folder in (("resource", "resource_schemas", "resources"), ("data", "data_source_schemas", "data-sources")):
        os.makedirs(os.path.join(ROOT, "docs", folder), exist_ok=True)
        for name, schema in sorted(p[key].items()):
            path = os.path.join(ROOT, "docs", folder, f"{name}.md")
            if os.path.exists(path):
                with open(path) as f:
                    text = update(f.read(), kind, schema, path)
            else:
                text = page(kind, name, schema)
            with open(path, "w") as f:
                f.write(text)
            print(f"docs/{folder}/{name}.md")


if __name__ == "__main__":
    main()
