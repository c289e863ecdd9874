//! Adopting what exists: `import-blocks` writes import blocks, Terraform generates the
//! configuration, and nothing is planned afterwards.

use crate::common;

use std::collections::HashMap;

use super::cli::{Built, cli_on, ok, stderr, stdout};
use common::Tf;
use serde_json::Value as J;

/// Every resource type, made in one working directory and adopted by another.
const ADOPT: &str = r#"
resource "ipam" "main" {
  description = "Organisation IPAM"
  operating_regions { region_name = "us-east-1" }
  operating_regions { region_name = "eu-west-1" }
  tags = { Name = "org", Team = "network" }
}
resource "ipam_scope" "lab" {
  ipam_id     = ipam.main.id
  description = "Lab networks"
}
resource "ipam_pool" "top" {
  ipam_scope_id                     = ipam.main.private_default_scope_id
  address_family                    = "ipv4"
  description                       = "Corporate space"
  allocation_min_netmask_length     = 16
  allocation_default_netmask_length = 24
  allocation_max_netmask_length     = 28
  tags                              = { Env = "prod" }
}
resource "ipam_pool_cidr" "top" {
  ipam_pool_id = ipam_pool.top.id
  cidr         = "10.0.0.0/16"
}
resource "ipam_pool" "regional" {
  ipam_scope_id            = ipam.main.private_default_scope_id
  address_family           = "ipv4"
  source_ipam_pool_id      = ipam_pool.top.id
  locale                   = "eu-west-1"
  allocation_resource_tags = { CostCenter = "42" }
  tags                     = { Name = "eu west" }
}
resource "ipam_pool_cidr" "regional" {
  ipam_pool_id   = ipam_pool.regional.id
  netmask_length = 20
  depends_on     = [ipam_pool_cidr.top]
}
resource "ipam_pool" "lab" {
  ipam_scope_id  = ipam_scope.lab.id
  address_family = "ipv4"
}
resource "ipam_pool_cidr" "lab" {
  ipam_pool_id = ipam_pool.lab.id
  cidr         = "10.0.0.0/24"
}
resource "ipam_pool_allocation" "exact" {
  ipam_pool_id     = ipam_pool.top.id
  cidr             = "10.0.128.0/24"
  description      = "on-premises"
  disallowed_cidrs = ["10.0.0.0/24"]
  depends_on       = [ipam_pool_cidr.top]
}
resource "ipam_pool_allocation" "first" {
  ipam_pool_id     = ipam_pool.regional.id
  netmask_length   = 24
  disallowed_cidrs = ["10.0.0.0/24"]
  resource_type    = "vpc"
  resource_id      = "vpc-0123456789abcdef0"
  resource_region  = "eu-west-1"
  tags             = { CostCenter = "42" }
  depends_on       = [ipam_pool_cidr.regional]
}
resource "ipam_preview_next_cidr" "next" {
  ipam_pool_id   = ipam_pool.top.id
  netmask_length = 26
  depends_on     = [ipam_pool_allocation.exact]
}
resource "ipam_resource_share" "regional" {
  name          = "regional pools"
  resource_arns = [ipam_pool.regional.arn]
  principals    = ["210987654321"]
}
"#;

/// The `(to, id)` of every import block.
fn import_targets(blocks: &str) -> Vec<(String, String)> {
    let value = |line: &str| {
        line.split_once('=')
            .map(|(_, v)| v.trim().trim_matches('"').to_string())
    };
    let lines: Vec<&str> = blocks.lines().map(str::trim).collect();
    lines
        .windows(2)
        .filter(|w| w[0].starts_with("to ") && w[1].starts_with("id "))
        .filter_map(|w| Some((value(w[0])?, value(w[1])?)))
        .collect()
}

/// `hcl` without the lines of the block opened by `header` that `drop` selects (trimmed); the whole
/// block when `drop` selects its first line.
fn without_lines(hcl: &str, header: &str, drop: impl Fn(&str) -> bool) -> String {
    let mut out = String::new();
    let mut inside = false;
    let mut whole = false;
    for line in hcl.lines() {
        if line == header {
            inside = true;
            whole = drop(line);
        }
        let skip = inside && (whole || drop(line.trim()));
        if inside && line == "}" {
            inside = false;
        }
        if !skip {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The resources of a state by their `id`, with every attribute.
fn by_id(tf: &Tf) -> HashMap<String, (String, J)> {
    tf.resources()
        .into_iter()
        .map(|(addr, v)| (v["id"].as_str().expect("id").to_string(), (addr, v)))
        .collect()
}

/// Issue 21: what one directory made, another adopts with no hand edit: `import-blocks`, then
/// `terraform plan -generate-config-out` (valid configuration, including `cidr` with
/// `netmask_length`), `apply` imports everything and changes nothing, the next plan is empty. The
/// same configuration also adopts everything through `terraform import` commands, and the
/// original configuration imports every resource type (the preview by its ID).
fn adopting_with_import_blocks_and_generated_configuration() {
    let original = Tf::new();
    original.config(ADOPT);
    original.apply();
    // Counts in the state are as of each resource's last apply; compare with what a refresh reads.
    original.ok(&["apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color"]);
    let before = original.db_dump();
    let made = by_id(&original);

    let blocks = ok(&cli_on(&original.db, &["import-blocks"]));
    let targets = import_targets(&blocks);
    let expected: Vec<&String> = made
        .iter()
        .filter(|(_, (addr, _))| !addr.starts_with("ipam_preview_next_cidr."))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(targets.len(), expected.len(), "one block per stored object:\n{blocks}");
    for id in &expected {
        assert!(
            targets.iter().any(|(_, i)| i == *id),
            "{id} has no import block:\n{blocks}"
        );
    }
    for (to, want) in [
        ("ipam.org", "ipam.main"),
        ("ipam_scope.lab_networks", "ipam_scope.lab"),
        ("ipam_pool.corporate_space", "ipam_pool.top"),
        ("ipam_pool_cidr.corporate_space_10_0_0_0_16", "ipam_pool_cidr.top"),
        ("ipam_pool.eu_west", "ipam_pool.regional"),
        ("ipam_pool_allocation.on_premises", "ipam_pool_allocation.exact"),
        (
            "ipam_pool_allocation.vpc_0123456789abcdef0",
            "ipam_pool_allocation.first",
        ),
        ("ipam_resource_share.regional_pools", "ipam_resource_share.regional"),
    ] {
        let id = original.attr(want, "id");
        assert!(
            targets.contains(&(to.to_string(), id)),
            "{want} should be imported as {to}:\n{blocks}"
        );
    }
    let order: Vec<&str> = targets.iter().map(|(to, _)| to.as_str()).collect();
    let at = |to: &str| {
        order
            .iter()
            .position(|t| *t == to)
            .unwrap_or_else(|| panic!("{to} in {order:?}"))
    };
    assert!(at("ipam.org") < at("ipam_scope.lab_networks"), "{order:?}");
    assert!(at("ipam_pool.corporate_space") < at("ipam_pool.eu_west"), "{order:?}");
    assert!(
        at("ipam_pool_cidr.corporate_space_10_0_0_0_16") < at("ipam_pool_cidr.eu_west_10_0_0_0_20"),
        "{order:?}"
    );
    assert!(
        at("ipam_pool_cidr.eu_west_10_0_0_0_20") < at("ipam_pool_allocation.vpc_0123456789abcdef0"),
        "{order:?}"
    );
    assert!(
        at("ipam_pool.eu_west") < at("ipam_resource_share.regional_pools"),
        "{order:?}"
    );
    let regional = original.attr("ipam_pool.regional", "id");
    assert!(
        blocks.contains(&format!("held by child pool {regional}")),
        "the child pool's allocation in its parent is a comment, not a block:\n{blocks}"
    );
    assert!(blocks.contains("ipam.org.private_default_scope_id"), "{blocks}");
    assert!(blocks.contains("previews are not stored"), "{blocks}");
    assert_eq!(
        blocks,
        ok(&cli_on(&original.db, &["import-blocks"])),
        "the same database gives the same blocks"
    );

    let adopt = Tf::sharing(&original.db);
    adopt.config("");
    std::fs::write(adopt.path().join("imports.tf"), &blocks).expect("write imports.tf");
    adopt.ok(&["fmt", "-check", "-diff", "imports.tf"]);
    let plan = adopt.ok(&["plan", "-input=false", "-no-color", "-generate-config-out=generated.tf"]);
    let n = expected.len();
    assert!(
        plan.contains(&format!("Plan: {n} to import, 0 to add, 0 to change, 0 to destroy.")),
        "{plan}"
    );
    let generated = std::fs::read_to_string(adopt.path().join("generated.tf")).expect("generated.tf");
    assert!(
        generated.contains("cidr           = \"10.0.0.0/20\"") && generated.contains("netmask_length = 20"),
        "the netmask-provisioned CIDR is generated with both arguments:\n{generated}"
    );
    let applied = adopt.apply();
    assert!(
        applied.contains(&format!("Resources: {n} imported, 0 added, 0 changed, 0 destroyed.")),
        "{applied}"
    );
    adopt.assert_plan_empty();
    assert_eq!(original.db_dump(), before, "adopting wrote nothing");
    let adopted = by_id(&adopt);
    for id in &expected {
        let (addr, values) = &made[*id];
        assert_eq!(&adopted[*id].1, values, "{addr} reads back the same when adopted");
    }

    // Generated configuration trimmed as the guide says: either of `cidr` and `netmask_length`
    // may go and the plan stays empty; a `removed {}` block forgets an object and keeps it.
    let full = generated.clone();
    let generated = without_lines(
        &generated,
        "resource \"ipam_pool_cidr\" \"eu_west_10_0_0_0_20\" {",
        |l| l.starts_with("netmask_length "),
    );
    let generated = without_lines(
        &generated,
        "resource \"ipam_pool_allocation\" \"vpc_0123456789abcdef0\" {",
        |l| l.starts_with("cidr "),
    );
    std::fs::write(adopt.path().join("generated.tf"), &generated).expect("write generated.tf");
    adopt.assert_plan_empty();
    // Import blocks have done their work; one left for a forgotten object would be an error.
    std::fs::remove_file(adopt.path().join("imports.tf")).expect("remove imports.tf");
    adopt.assert_plan_empty();
    let forget = without_lines(
        &generated,
        "resource \"ipam_pool_allocation\" \"on_premises\" {",
        |_| true,
    );
    assert_ne!(forget, generated);
    std::fs::write(adopt.path().join("generated.tf"), forget).expect("write generated.tf");
    std::fs::write(
        adopt.path().join("removed.tf"),
        "removed {\n  from = ipam_pool_allocation.on_premises\n  lifecycle {\n    destroy = false\n  }\n}\n",
    )
    .expect("write removed.tf");
    adopt.apply();
    adopt.assert_plan_empty();
    assert!(!by_id(&adopt).contains_key(&original.attr("ipam_pool_allocation.exact", "id")));
    assert_eq!(original.db_dump(), before, "a removed block keeps the object");

    // The same generated configuration, adopted through `terraform import` commands.
    let commands = Tf::sharing(&original.db);
    commands.config("");
    std::fs::write(commands.path().join("generated.tf"), &full).expect("write generated.tf");
    for (to, id) in &targets {
        commands.ok(&["import", "-input=false", "-no-color", to, id]);
    }
    commands.assert_plan_empty();

    // The original configuration, every resource type (the preview included) by `terraform import`.
    original.import_verify();
    assert_eq!(original.db_dump(), before, "importing wrote nothing");
}

/// Public pools, adopted: BYOIP IPv4 with proof of ownership, Amazon-provided IPv6 by netmask with
/// an allocation, a BYOIP-import share to an external account, and `cascade` / `auto_import` set.
const ADOPT_PUBLIC: &str = r#"
resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
  cascade = true
}
resource "ipam_pool" "byoip" {
  ipam_scope_id    = ipam.main.public_default_scope_id
  address_family   = "ipv4"
  public_ip_source = "byoip"
  aws_service      = "ec2"
  locale           = "us-east-1"
  auto_import      = true
  cascade          = false
  description      = "BYOIP"
}
resource "ipam_pool_cidr" "byoip" {
  ipam_pool_id = ipam_pool.byoip.id
  cidr         = "130.137.245.0/24"
  cidr_authorization_context {
    message   = "1|aws|123456789012|130.137.245.0/24|20991231|SHA256|RSAPSS"
    signature = "c2lnbmVkIGJ5IHRoZSBSRVAga2V5"
  }
}
resource "ipam_pool" "v6" {
  ipam_scope_id         = ipam.main.public_default_scope_id
  address_family        = "ipv6"
  public_ip_source      = "amazon"
  aws_service           = "ec2"
  publicly_advertisable = false
  locale                = "us-east-1"
  description           = "Amazon IPv6"
}
resource "ipam_pool_cidr" "v6" {
  ipam_pool_id   = ipam_pool.v6.id
  netmask_length = 52
}
resource "ipam_pool_allocation" "v6" {
  ipam_pool_id   = ipam_pool.v6.id
  netmask_length = 56
  resource_type  = "vpc"
  resource_id    = "vpc-0a1b2c3d"
  depends_on     = [ipam_pool_cidr.v6]
}
resource "ipam_resource_share" "import" {
  name                      = "byoip import"
  resource_arns             = [ipam_pool.byoip.arn]
  principals                = ["210987654321"]
  permission_arns           = ["arn:aws:ram::aws:permission/AWSRAMPermissionIpamPoolByoipCidrImport"]
  allow_external_principals = true
}
"#;

/// Terraform never generates a sensitive value: the BYOIP CIDR's signature is the one thing the
/// guide has the user add. Until then the plan says what is missing; with it, everything imports
/// with no change and the next plan is empty.
fn adopting_public_pools_needs_only_the_byoip_signature() {
    let original = Tf::new();
    original.config(ADOPT_PUBLIC);
    original.apply();
    let before = original.db_dump();
    let blocks = ok(&cli_on(&original.db, &["import-blocks"]));
    let n = import_targets(&blocks).len();
    assert_eq!(n, original.resources().len(), "{blocks}");
    assert!(blocks.contains("cidr_authorization_context.signature"), "{blocks}");

    let adopt = Tf::sharing(&original.db);
    adopt.config("");
    std::fs::write(adopt.path().join("imports.tf"), &blocks).expect("write imports.tf");
    let refused =
        common::flat(&adopt.fails(&["plan", "-input=false", "-no-color", "-generate-config-out=generated.tf"]));
    assert!(
        refused.contains("BYOIP authorization signature missing") && refused.contains("ipam_pool_cidr.byoip"),
        "{refused}"
    );
    let generated = std::fs::read_to_string(adopt.path().join("generated.tf")).expect("generated.tf");
    let placeholder = "signature = null # sensitive";
    assert_eq!(generated.matches(placeholder).count(), 1, "{generated}");
    let signed = generated.replace(placeholder, "signature = \"c2lnbmVkIGJ5IHRoZSBSRVAga2V5\"");
    std::fs::write(adopt.path().join("generated.tf"), signed).expect("write generated.tf");
    let applied = adopt.apply();
    assert!(
        applied.contains(&format!("Resources: {n} imported, 0 added, 0 changed, 0 destroyed.")),
        "{applied}"
    );
    adopt.assert_plan_empty();
    assert_eq!(original.db_dump(), before, "adopting wrote nothing");
}

/// `--ipam` and `--pool` list a part of the database, `--provider` imports through an alias, and a
/// wrong ID or alias is an error that says what to give.
fn import_blocks_select_and_refuse() {
    let b = Built::new();
    let child = b.id("ipam_pool.child");
    let part = ok(&b.cli(&["import-blocks", "--pool", &child]));
    let ids: Vec<String> = import_targets(&part).into_iter().map(|(_, id)| id).collect();
    assert_eq!(
        ids,
        [
            child.clone(),
            b.id("ipam_pool_cidr.child"),
            b.id("ipam_pool_allocation.vpc"),
            b.id("ipam_pool_allocation.untagged"),
        ],
        "{part}"
    );
    let ipam = b.id("ipam.main");
    let whole = ok(&b.cli(&["import-blocks", "--ipam", &ipam]));
    assert_eq!(import_targets(&whole), import_targets(&ok(&b.cli(&["import-blocks"]))));
    let aliased = ok(&b.cli(&["import-blocks", "--pool", &child, "--provider", "ipam.lab"]));
    assert_eq!(aliased.matches("  provider = ipam.lab\n").count(), 4, "{aliased}");
    // An allocation another account made (from a shared pool) says which account imports it.
    let vpc = b.attr("ipam_pool_allocation.vpc", "ipam_pool_allocation_id");
    b.tf.sql(&format!(
        "UPDATE allocations SET resource_owner = '210987654321' WHERE id = '{vpc}'"
    ));
    let shared = ok(&b.cli(&["import-blocks", "--pool", &child]));
    assert!(
        shared.contains("# Made by account 210987654321 from a pool of account 123456789012: import it with a provider block\n# acting as 210987654321.\nimport {\n  to = ipam_pool_allocation.vpc_0123456789abcdef0\n"),
        "{shared}"
    );
    for (args, message) in [
        (
            vec!["--ipam", "ipam-0123456789abcdef0"],
            "no IPAM ipam-0123456789abcdef0 in the database",
        ),
        (
            vec!["--pool", "ipam-pool-0123456789abcdef0"],
            "no pool ipam-pool-0123456789abcdef0",
        ),
        (vec!["--provider", "ipam.a b"], "is not a provider alias"),
    ] {
        let mut all = vec!["import-blocks"];
        all.extend(args);
        let o = b.cli(&all);
        assert_eq!(o.status.code(), Some(1), "{all:?}");
        assert!(
            stderr(&o).contains(message) && stderr(&o).contains("hint: "),
            "{}",
            stderr(&o)
        );
        assert!(stdout(&o).is_empty());
    }
    let both = b.cli(&["import-blocks", "--ipam", &ipam, "--pool", &child]);
    assert_eq!(both.status.code(), Some(2), "--ipam and --pool exclude each other");
}

backend_tests!(
    adopting_with_import_blocks_and_generated_configuration,
    import_blocks_select_and_refuse,
    adopting_public_pools_needs_only_the_byoip_signature,
);
