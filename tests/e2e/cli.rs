//! The command line on databases built through Terraform: tree, export (JSON and CSV), history,
//! check, report, orphans and release, and its errors.

use crate::common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::fixtures::amazon_ipv6_pool_with_vpc;
use common::{PROVIDER_BIN, Tf};
use serde_json::Value as J;

/// A private hierarchy (top pool, regional child pool with netmask rules and required tags) and
/// an Amazon-provided IPv6 pool in the public scope.
fn config() -> String {
    format!(
        r#"
resource "ipam" "main" {{
  description = "Organisation IPAM"
  operating_regions {{ region_name = "us-east-1" }}
}}
resource "ipam_pool" "top" {{
  ipam_scope_id                 = ipam.main.private_default_scope_id
  address_family                = "ipv4"
  description                   = "corporate"
  allocation_max_netmask_length = 28
}}
resource "ipam_pool_cidr" "top" {{
  ipam_pool_id = ipam_pool.top.id
  cidr         = "10.0.0.0/24"
}}
resource "ipam_pool" "child" {{
  ipam_scope_id                     = ipam.main.private_default_scope_id
  address_family                    = "ipv4"
  locale                            = "us-east-1"
  source_ipam_pool_id               = ipam_pool.top.id
  allocation_min_netmask_length     = 26
  allocation_default_netmask_length = 28
  allocation_max_netmask_length     = 28
  allocation_resource_tags          = {{ env = "dev" }}
}}
resource "ipam_pool_cidr" "child" {{
  ipam_pool_id = ipam_pool.child.id
  cidr         = "10.0.0.0/25"
  depends_on   = [ipam_pool_cidr.top]
}}
resource "ipam_pool_allocation" "a" {{
  ipam_pool_id = ipam_pool.top.id
  cidr         = "10.0.0.128/26"
  description  = "app, \"quoted\""
  depends_on   = [ipam_pool_cidr.top]
}}
resource "ipam_pool_allocation" "vpc" {{
  ipam_pool_id  = ipam_pool.child.id
  cidr          = "10.0.0.0/28"
  resource_type = "vpc"
  resource_id   = "vpc-0123456789abcdef0"
  tags          = {{ env = "dev" }}
  depends_on    = [ipam_pool_cidr.child]
}}
resource "ipam_pool_allocation" "untagged" {{
  ipam_pool_id = ipam_pool.child.id
  cidr         = "10.0.0.64/26"
  depends_on   = [ipam_pool_cidr.child]
}}
{}"#,
        amazon_ipv6_pool_with_vpc(54)
    )
}

/// The database and the IDs Terraform reported for it.
pub(super) struct Built {
    pub(super) tf: Tf,
    values: HashMap<String, J>,
}

impl Built {
    pub(super) fn new() -> Built {
        let tf = Tf::new();
        tf.config(&config());
        tf.apply();
        let values = tf.resources().into_iter().collect();
        Built { tf, values }
    }

    /// A string attribute of a resource.
    pub(super) fn attr(&self, addr: &str, name: &str) -> String {
        self.values[addr][name]
            .as_str()
            .unwrap_or_else(|| panic!("{addr}.{name}"))
            .to_string()
    }

    pub(super) fn id(&self, addr: &str) -> String {
        self.attr(addr, "id")
    }

    pub(super) fn cli(&self, args: &[&str]) -> Output {
        cli_on(&self.tf.db, args)
    }
}

/// Runs the binary on a database, without colour settings from the environment.
pub(super) fn cli_on(db: &Path, args: &[&str]) -> Output {
    Command::new(PROVIDER_BIN)
        .arg("--database")
        .arg(db)
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("IPAM_DATABASE")
        .output()
        .expect("run the CLI")
}

pub(super) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub(super) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The command succeeded; its standard output.
pub(super) fn ok(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout(o),
        stderr(o)
    );
    stdout(o)
}

fn json(o: &Output) -> J {
    serde_json::from_str(&ok(o)).expect("valid JSON")
}

/// A consistent copy of a database (`VACUUM INTO`), to damage or reorder without touching the
/// original.
fn copy_db(from: &Path, to: &Path) {
    let c = rusqlite::Connection::open(from).expect("open");
    c.execute("VACUUM INTO ?1", [to.display().to_string()])
        .expect("vacuum into");
}

pub(super) fn sql(db: &Path, sql: &str) {
    let c = rusqlite::Connection::open(db).expect("open");
    c.execute_batch(sql).expect("sql");
}

fn line_with<'a>(text: &'a str, needle: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{text}"))
}

fn tree_shows_pools_cidrs_allocations_and_utilisation() {
    let b = Built::new();
    let (top, child, v6) = (b.id("ipam_pool.top"), b.id("ipam_pool.child"), b.id("ipam_pool.v6"));
    let t = ok(&b.cli(&["tree"]));
    assert!(!t.contains('\x1b'), "no colour when stdout is not a terminal:\n{t}");
    assert!(
        t.starts_with(&format!(
            "{} (owner 123456789012, home us-east-1)  \"Organisation IPAM\"\n",
            b.id("ipam.main")
        )),
        "{t}"
    );
    // The top pool holds the child pool's /25 and a /26 of its /24: 192 of 256 addresses.
    assert_eq!(
        line_with(&t, &top),
        format!("    {top} ipv4 depth 1 locale None (max /28) [###############.....] 75.0%  \"corporate\"")
    );
    assert_eq!(
        line_with(&t, "cidr 10.0.0.0/24"),
        "      cidr 10.0.0.0/24 [###############.....] 75.0%"
    );
    assert_eq!(
        line_with(&t, "10.0.0.0/25 ipam-pool"),
        format!("        10.0.0.0/25 ipam-pool {child} owner 123456789012 compliant")
    );
    assert_eq!(
        line_with(&t, "10.0.0.128/26"),
        format!(
            "        10.0.0.128/26 custom {} owner 123456789012 compliant  \"app, \\\"quoted\\\"\"",
            b.attr("ipam_pool_allocation.a", "ipam_pool_allocation_id")
        )
    );
    // The child pool, one level deeper: a /28 and a /26 of its /25 = 80 of 128 addresses.
    assert_eq!(
        line_with(&t, &format!("{child} ipv4")),
        format!(
            "      {child} ipv4 depth 2 locale us-east-1 (min /26, default /28, max /28) [#############.......] 62.5%"
        )
    );
    assert_eq!(
        line_with(&t, "cidr 10.0.0.0/25"),
        "        cidr 10.0.0.0/25 [#############.......] 62.5%"
    );
    assert_eq!(
        line_with(&t, "10.0.0.0/28"),
        "          10.0.0.0/28 vpc vpc-0123456789abcdef0 owner 123456789012 compliant  {env=dev}",
        "an object's tags as stored"
    );
    assert!(
        line_with(&t, "10.0.0.64/26 custom").ends_with(" noncompliant"),
        "missing env tag:\n{t}"
    );
    // Nesting: the child pool follows its parent's allocations.
    assert!(t.find(&format!("{top} ipv4")) < t.find("10.0.0.128/26"));
    assert!(t.find("10.0.0.128/26") < t.find(&format!("{child} ipv4")));
    // IPv6: a /54 of a /52.
    assert_eq!(
        line_with(&t, &v6),
        format!("    {v6} ipv6 depth 1 locale us-east-1 [#####...............] 25.0%")
    );
    let v6_cidr = b.attr("ipam_pool_cidr.v6", "cidr");
    assert!(
        line_with(&t, &format!("cidr {v6_cidr}")).ends_with("[#####...............] 25.0%"),
        "{t}"
    );
    assert!(t.contains(&format!("{} vpc vpc-0a1b2c", b.attr("ipam_pool_allocation.v6", "cidr"))));
    // The same tree as JSON, with exact sizes.
    let j = json(&b.cli(&["--output", "json", "tree"]));
    assert_eq!(j[0]["id"], b.id("ipam.main"));
    let private = j[0]["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == b.attr("ipam.main", "private_default_scope_id"))
        .unwrap();
    let p = &private["pools"][0];
    assert_eq!(p["id"], top);
    assert_eq!(p["usage"]["percent_used"], 75.0);
    assert_eq!(p["usage"]["percent_allocated"], 50.0, "child pools");
    assert_eq!(p["usage"]["percent_assigned"], 25.0, "everything else");
    assert_eq!(
        (p["usage"]["addresses"].as_str(), p["usage"]["used"].as_str()),
        (Some("256"), Some("192"))
    );
    assert_eq!(p["cidrs"][0]["cidr"], "10.0.0.0/24");
    assert_eq!(p["cidrs"][0]["allocations"].as_array().unwrap().len(), 2);
    let c = &p["pools"][0];
    assert_eq!((c["id"].as_str(), c["depth"].as_i64()), (Some(child.as_str()), Some(2)));
    assert_eq!(c["usage"]["percent_used"], 62.5);
    assert_eq!(c["usage"]["noncompliant"], 1);
    assert_eq!(c["allocation_min_netmask_length"], 26);
    assert_eq!(private["usage"][0]["address_family"], "ipv4");
    assert_eq!(private["usage"][0]["percent_used"], 75.0);
    let public = j[0]["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == b.attr("ipam.main", "public_default_scope_id"))
        .unwrap();
    let u = &public["pools"][0]["usage"];
    assert_eq!(u["addresses"], (1u128 << 76).to_string(), "a /52, exactly");
    assert_eq!(u["used"], (1u128 << 74).to_string(), "a /54, exactly");
    assert_eq!(u["percent_used"], 25.0);
}

#[test]
fn export_is_stable_sorted_json_and_csv() {
    let b = Built::new();
    let first = b.cli(&["export"]);
    let doc = json(&first);
    assert_eq!(
        first.stdout,
        b.cli(&["export"]).stdout,
        "byte-identical on a second run"
    );
    let t = stdout(&first);
    for cidr in ["10.0.0.128/26", "10.0.0.0/25", "10.0.0.0/28", "10.0.0.64/26"] {
        assert!(t.contains(&format!("\"cidr\": \"{cidr}\"")), "{cidr}");
    }
    let ipam = &doc["ipams"][0];
    assert_eq!(ipam["id"], b.id("ipam.main"));
    let scopes = ipam["scopes"].as_array().unwrap();
    assert_eq!(scopes.len(), 2);
    assert!(
        scopes.windows(2).all(|w| w[0]["id"].as_str() < w[1]["id"].as_str()),
        "scopes by ID"
    );
    let private = scopes
        .iter()
        .find(|s| s["id"] == b.attr("ipam.main", "private_default_scope_id"))
        .unwrap();
    let pools = private["pools"].as_array().unwrap();
    assert_eq!(pools.len(), 2);
    assert!(pools[0]["id"].as_str() < pools[1]["id"].as_str(), "pools by ID");
    let child = pools.iter().find(|p| p["id"] == b.id("ipam_pool.child")).unwrap();
    assert_eq!(child["source_ipam_pool_id"], b.id("ipam_pool.top"));
    let cidrs: Vec<&str> = child["allocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["cidr"].as_str().unwrap())
        .collect();
    assert_eq!(cidrs, ["10.0.0.0/28", "10.0.0.64/26"], "allocations by address");
    let history = doc["history"].as_array().unwrap();
    assert_eq!(
        history.len(),
        7,
        "one record per pool CIDR (3) and per other allocation (4)"
    );
    assert!(history.iter().all(|h| h["end_time"].is_null()));

    // The same content with every row stored in another order exports byte for byte the same.
    let copy = b.tf.path().join("reordered.db");
    copy_db(&b.tf.db, &copy);
    sql(
        &copy,
        "CREATE TEMP TABLE h AS SELECT * FROM history; DELETE FROM history;
         INSERT INTO history (ipam_id, scope_id, pool_id, family, start, prefix, cidr, resource_type, resource_id,
           resource_owner, resource_region, compliance_status, start_time, end_time)
         SELECT ipam_id, scope_id, pool_id, family, start, prefix, cidr, resource_type, resource_id, resource_owner,
           resource_region, compliance_status, start_time, end_time FROM h ORDER BY id DESC;
         CREATE TEMP TABLE a AS SELECT * FROM allocations; DELETE FROM allocations;
         INSERT INTO allocations SELECT * FROM a ORDER BY id DESC;",
    );
    assert_eq!(cli_on(&copy, &["export"]).stdout, first.stdout, "order of rows on disk");

    // CSV: a header and one quoted row per allocation.
    let csv = ok(&b.cli(&["export", "--format", "csv"]));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "allocation_id,pool_id,cidr,resource_type,resource_id,resource_owner,resource_region,compliance_status,\
         description,scope_id,ipam_id,addresses"
    );
    assert_eq!(
        lines.len(),
        1 + 5,
        "header + 5 allocations (2 child-pool CIDRs among them):\n{csv}"
    );
    let a = line_with(&csv, "10.0.0.128/26");
    assert_eq!(
        a,
        format!(
            "{},{},10.0.0.128/26,custom,,123456789012,,compliant,\"app, \"\"quoted\"\"\",{},{},64",
            b.attr("ipam_pool_allocation.a", "ipam_pool_allocation_id"),
            b.id("ipam_pool.top"),
            b.attr("ipam.main", "private_default_scope_id"),
            b.id("ipam.main"),
        )
    );
    assert!(
        line_with(&csv, "vpc-0a1b2c").ends_with(&format!(",{}", 1u128 << 74)),
        "{csv}"
    );
}

fn history_shows_released_space_with_its_end_time() {
    let b = Built::new();
    let alloc = b.attr("ipam_pool_allocation.a", "ipam_pool_allocation_id");
    let scope = b.attr("ipam.main", "private_default_scope_id");
    b.tf.ok(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-target=ipam_pool_allocation.a",
    ]);
    let t = ok(&b.cli(&["history", "10.0.0.128/26"]));
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines.len(), 2, "a header and one record:\n{t}");
    assert!(lines[0].starts_with("start ") && lines[0].ends_with(" pool"), "{t}");
    assert!(
        lines[1].contains(&alloc) && lines[1].contains(&scope) && lines[1].contains(" custom "),
        "{t}"
    );
    assert!(!lines[1].contains("(held)"), "released: {t}");
    let j = json(&b.cli(&["--output", "json", "history", "10.0.0.128/26"]));
    let r = &j[0];
    assert_eq!(
        (r["cidr"].as_str(), r["resource_id"].as_str()),
        (Some("10.0.0.128/26"), Some(alloc.as_str()))
    );
    let start = r["start_time"].as_str().unwrap().to_string();
    let end = r["end_time"].as_str().expect("an end time").to_string();
    assert!(start <= end);
    assert!(lines[1].starts_with(&format!("{start}  {end}")), "{t}");

    // Held again: the old record keeps its end, the new one is open.
    b.tf.apply();
    let t = ok(&b.cli(&["history", "10.0.0.128/26", "--scope", &scope]));
    let records: Vec<&str> = t.lines().skip(1).collect();
    assert_eq!(records.len(), 2, "{t}");
    assert!(records[0].contains(&alloc) && records[0].contains(&end), "{t}");
    assert!(records[1].contains("(held)") && !records[1].contains(&alloc), "{t}");

    // Time windows (RFC 3339, with offsets) and scopes.
    let history = |args: &[&str]| -> Vec<J> {
        let mut all = vec!["--output", "json", "history", "10.0.0.128/26"];
        all.extend_from_slice(args);
        json(&b.cli(&all)).as_array().unwrap().clone()
    };
    let end_t = humantime::parse_rfc3339(&end).unwrap();
    let in_plus_two = |t: std::time::SystemTime| {
        humantime::format_rfc3339_seconds(t + Duration::from_secs(7200))
            .to_string()
            .replace('Z', "+02:00")
    };
    assert_eq!(
        history(&["--since", &in_plus_two(end_t)]).len(),
        2,
        "ended at --since: still inside"
    );
    let after = history(&["--since", &in_plus_two(end_t + Duration::from_secs(1))]);
    assert_eq!(after.len(), 1, "only the open record is still held after the end");
    assert!(after[0]["end_time"].is_null());
    assert_eq!(history(&["--until", "2000-01-01"]).len(), 0);
    assert_eq!(
        history(&["--since", "2000-01-01T00:00:00Z", "--until", "2999-12-31T23:59:59Z"]).len(),
        2
    );
    assert_eq!(
        history(&["--scope", &b.attr("ipam.main", "public_default_scope_id")]).len(),
        0
    );
    assert_eq!(
        ok(&b.cli(&["history", "10.0.0.128/25"])).trim(),
        "no history for this CIDR (with these filters)"
    );

    // Mistakes are one line and a hint.
    for (args, says) in [
        (&["history", "10.0.0.1/24"][..], "host bits"),
        (
            &["history", "10.0.0.0/24", "--since", "yesterday"],
            "--since \"yesterday\" is not a time",
        ),
        (
            &["history", "10.0.0.0/24", "--scope", "ipam-scope-00000000000000000"],
            "no scope ipam-scope-00000000000000000",
        ),
        (
            &[
                "history",
                "10.0.0.0/24",
                "--since",
                "2026-01-02",
                "--until",
                "2026-01-01",
            ],
            "is after --until",
        ),
    ] {
        let o = b.cli(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let e = stderr(&o);
        assert_eq!(e.lines().count(), 2, "{e}");
        assert!(
            e.starts_with("error: ") && e.contains(says) && e.contains("\nhint: "),
            "{args:?}: {e}"
        );
    }
}

#[test]
fn check_passes_and_finds_damage() {
    let b = Built::new();
    assert_eq!(
        ok(&b.cli(&["check"])),
        format!("ok: {} is consistent\n", b.tf.db.display())
    );
    let j = json(&b.cli(&["--output", "json", "check"]));
    assert_eq!(
        (j["ok"].as_bool(), j["problems"].as_array().map(Vec::len)),
        (Some(true), Some(0))
    );
    let (top, child) = (b.id("ipam_pool.top"), b.id("ipam_pool.child"));

    let damaged = |name: &str, sql_text: &str| -> String {
        let db = b.tf.path().join(format!("{name}.db"));
        copy_db(&b.tf.db, &db);
        sql(&db, sql_text);
        let o = cli_on(&db, &["check"]);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", stdout(&o));
        let t = stdout(&o);
        assert!(
            t.lines().all(|l| l.starts_with("problem: ")),
            "{name}: one line per problem:\n{t}"
        );
        let j = json_of(&cli_on(&db, &["--output", "json", "check"]));
        assert_eq!(j["ok"], false);
        assert_eq!(j["problems"].as_array().unwrap().len(), t.lines().count());
        t
    };
    fn json_of(o: &Output) -> J {
        assert_eq!(o.status.code(), Some(1));
        serde_json::from_slice(&o.stdout).unwrap()
    }

    // An allocation overlapping the /26 at .128 (10.0.0.160/27).
    let t = damaged(
        "overlap",
        &format!(
            "INSERT INTO allocations (id, pool_id, family, start, prefix, cidr, resource_type, resource_owner, compliance_status) \
             VALUES ('ipam-pool-alloc-bad', '{top}', 4, X'0000000000000000000000000A0000A0', 27, '10.0.0.160/27', 'custom', '123456789012', 'compliant')"
        ),
    );
    assert!(
        t.contains("allocation ipam-pool-alloc-bad (10.0.0.160/27)") && t.contains("overlap"),
        "{t}"
    );
    // An allocation outside every CIDR of its pool (10.9.0.0/28).
    let t = damaged(
        "outside",
        &format!(
            "INSERT INTO allocations (id, pool_id, family, start, prefix, cidr, resource_type, resource_owner, compliance_status) \
             VALUES ('ipam-pool-alloc-out', '{child}', 4, X'0000000000000000000000000A090000', 28, '10.9.0.0/28', 'custom', '123456789012', 'compliant')"
        ),
    );
    assert!(
        t.contains("ipam-pool-alloc-out (10.9.0.0/28)") && t.contains("outside the pool's CIDRs"),
        "{t}"
    );
    // Two top-level CIDRs of one scope that overlap (10.0.0.128/25 inside 10.0.0.0/24).
    let t = damaged(
        "top-level",
        &format!(
            "INSERT INTO pool_cidrs (id, pool_id, scope_id, top_level, family, start, prefix, cidr, state) \
             VALUES ('ipam-pool-cidr-bad', '{top}', '{}', 1, 4, X'0000000000000000000000000A000080', 25, '10.0.0.128/25', 'provisioned')",
            b.attr("ipam.main", "private_default_scope_id")
        ),
    );
    assert!(
        t.contains("top-level CIDRs 10.0.0.0/24") && t.contains("10.0.0.128/25"),
        "{t}"
    );
    // The free-space index lost a block: free blocks and allocations no longer tile the CIDR.
    let t = damaged("free-lost", &format!("DELETE FROM free_blocks WHERE pool_id = '{top}'"));
    assert!(
        t.contains(&format!("pool {top} CIDR 10.0.0.0/24")) && t.contains("do not add up"),
        "{t}"
    );
    // A free block outside every CIDR of its pool (the allocator would hand it out).
    let t = damaged(
        "free-stray",
        &format!(
            "INSERT INTO free_blocks (pool_id, family, start, prefix) VALUES ('{child}', 4, X'0000000000000000000000000B000000', 24)"
        ),
    );
    assert!(t.contains("free block 11.0.0.0/24 lies outside"), "{t}");
    // The child pool's CIDR without its allocation in the parent.
    let t = damaged(
        "no-parent-allocation",
        &format!("DELETE FROM allocations WHERE pool_id = '{top}' AND resource_type = 'ipam-pool'"),
    );
    assert!(
        t.contains(&format!("CIDR 10.0.0.0/25 has no allocation in its source pool {top}")),
        "{t}"
    );
    // A row that refers to a pool that does not exist.
    let t = damaged(
        "foreign-key",
        "PRAGMA foreign_keys = OFF; INSERT INTO free_blocks (pool_id, family, start, prefix) \
         VALUES ('ipam-pool-00000000000000000', 4, X'0000000000000000000000000C000000', 24)",
    );
    assert!(t.contains("refer to objects that do not exist"), "{t}");
}

fn report_is_one_self_contained_page() {
    let b = Built::new();
    let page = b.tf.path().join("report.html");
    let o = b.cli(&["report", "--html", page.to_str().unwrap()]);
    assert_eq!(ok(&o), format!("wrote {}\n", page.display()));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert!(
        html.matches("<svg").count() >= 3,
        "a scope chart and a pool chart per scope with pools"
    );
    for id in ["ipam.main", "ipam_pool.top", "ipam_pool.child", "ipam_pool.v6"] {
        assert!(html.contains(&b.id(id)), "{id}");
    }
    for cidr in ["10.0.0.128/26", "10.0.0.0/28", "10.0.0.64/26"] {
        assert!(
            html.contains(&format!("<td class=\"mono\">{cidr}</td>")),
            "{cidr} in the table"
        );
    }
    assert!(html.contains("app, &quot;quoted&quot;"), "escaped");
    assert!(html.contains(">75.0%<") && html.contains(">62.5%<") && html.contains(">25.0%<"));
    assert_eq!(
        html.matches("<tr class=\"bad\">").count(),
        1,
        "the noncompliant allocation stands out"
    );
    for outside in ["<script", "http:", "https:", "<link", "src=", "url(", "@import"] {
        assert!(!html.contains(outside), "self-contained: {outside}");
    }
    let to_stdout = ok(&b.cli(&["report", "--html", "-"]));
    assert!(to_stdout.starts_with("<!DOCTYPE html>") && to_stdout.contains("<svg"));
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let b = Built::new();
    let page = b.tf.path().join("report.html");
    ok(&b.cli(&["report", "--html", page.to_str().unwrap()]));
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".into());
    let shot = b.tf.path().join("report.png");
    let run = Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
        ])
        .args([
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg("--window-size=900,500")
        .arg(format!("--user-data-dir={}", b.tf.path().join("chromium").display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{chromium} could not be run ({e}): the report test needs Debian's chromium \
                 (`apt-get install chromium`; .ci/run installs it)"
            )
        });
    assert!(run.status.success(), "{}", stderr(&run));
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((width, height), (900, 500));
    // A blank page compresses to a few hundred bytes; text, bars and a table do not.
    assert!(png.len() > 10_000, "the page rendered content ({} bytes)", png.len());
    // The utilisation bars are drawn: pixels of the child-pool and the assigned colour.
    let decoder = png::Decoder::new(std::io::Cursor::new(&png));
    let mut reader = decoder.read_info().expect("a PNG chromium wrote");
    let mut buf = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buf).expect("decode the screenshot");
    let channels = frame.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..frame.buffer_size()].chunks(channels).collect();
    let near = |p: &[u8], rgb: [u8; 3]| (0..3).all(|i| p[i].abs_diff(rgb[i]) <= 4);
    for (name, rgb) in [
        ("child pools (#4a7bd0)", [0x4a, 0x7b, 0xd0]),
        ("assigned (#2f9e5e)", [0x2f, 0x9e, 0x5e]),
    ] {
        let n = pixels.iter().filter(|p| near(p, rgb)).count();
        assert!(n > 100, "the {name} bar is drawn: {n} pixels of that colour");
    }
    let distinct: std::collections::HashSet<&[u8]> = pixels.iter().copied().collect();
    assert!(
        distinct.len() > 20,
        "text and charts, not a flat page: {} colours",
        distinct.len()
    );
}

fn reading_commands_change_nothing() {
    let b = Built::new();
    let before = b.tf.db_dump();
    let page = b.tf.path().join("r.html");
    for args in [
        &["tree"][..],
        &["--output", "json", "tree"],
        &["export"],
        &["export", "--format", "csv"],
        &["history", "10.0.0.0/25"],
        &["check"],
        &["report", "--html", page.to_str().unwrap()],
    ] {
        ok(&b.cli(args));
    }
    assert_eq!(b.tf.db_dump(), before);
    // A reader that goes away early is no error.
    let mut child = Command::new(PROVIDER_BIN)
        .arg("--database")
        .arg(&b.tf.db)
        .arg("export")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!((o.status.code(), stderr(&o)), (Some(0), String::new()));
}

/// Runs the binary on a pseudo-terminal (`script`), as a person at a terminal would; stdout and
/// stderr both arrive on it.
fn on_terminal(db: &Path, args: &str, env: &[(&str, &str)]) -> String {
    on_terminal_answering(db, args, env, None).1
}

/// The same, typing `answer` at the terminal; (exit status, what the terminal showed).
fn on_terminal_answering(db: &Path, args: &str, env: &[(&str, &str)], answer: Option<&str>) -> (bool, String) {
    let mut cmd = Command::new("script");
    cmd.args([
        "-qec",
        &format!("{PROVIDER_BIN} --database '{}' {args}", db.display()),
        "/dev/null",
    ])
    .env("TERM", "xterm")
    .env_remove("NO_COLOR")
    .env_remove("IPAM_DATABASE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = match answer {
        None => {
            let o = cmd.output().expect("run script (util-linux) for a pseudo-terminal");
            assert!(o.status.success(), "{args}: {}{}", stdout(&o), stderr(&o));
            o
        }
        Some(text) => {
            use std::io::Write as _;
            let mut child = cmd
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("run script (util-linux) for a pseudo-terminal");
            // Type the answer once the prompt is up.
            std::thread::sleep(Duration::from_millis(300));
            child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
            child.wait_with_output().unwrap()
        }
    };
    (o.status.success(), stdout(&o))
}

fn a_terminal_gets_colour_and_progress() {
    let b = Built::new();
    let db = &b.tf.db;
    let coloured = on_terminal(db, "tree", &[]);
    assert!(coloured.contains("\x1b["), "colour on a terminal:\n{coloured}");
    assert!(coloured.contains(&b.id("ipam_pool.top")), "{coloured}");
    let plain = on_terminal(db, "tree", &[("NO_COLOR", "1")]);
    assert!(!plain.contains("\x1b["), "NO_COLOR:\n{plain}");
    assert!(!on_terminal(db, "tree", &[("TERM", "dumb")]).contains("\x1b["));
    let n = b.tf.sql_count("SELECT count(*) FROM allocations");
    let export = on_terminal(db, "export", &[]);
    assert!(export.contains(&format!("exporting {n} allocation(s)…")), "{export}");
    let check = on_terminal(db, "check", &[]);
    assert!(check.contains(&format!("checking {n} allocation(s)…")), "{check}");
    let copy = b.tf.path().join("copy.db");
    let migrate = on_terminal(
        db,
        &format!("migrate --from '{}' --to '{}'", db.display(), copy.display()),
        &[],
    );
    for table in ["ipams", "pools", "allocations", "history"] {
        assert!(migrate.contains(&format!("copying {table} (")), "{migrate}");
    }
    assert!(migrate.contains("verifying every table…"), "{migrate}");
    // Progress is for people: piped output has none.
    let piped = cli_on(db, &["export"]);
    assert!(!stderr(&piped).contains("exporting"), "{}", stderr(&piped));
}

fn orphans_and_release() {
    let b = Built::new();
    let tf = &b.tf;
    let state = tf.path().join("terraform.tfstate");
    let state = state.to_str().unwrap();
    assert!(ok(&b.cli(&["orphans", "--state", state])).contains("no orphaned allocations"));
    // An allocation another workspace made and lost its state for.
    let other = Tf::sharing(&tf.db);
    other.config(&format!(
        "resource \"ipam_pool_allocation\" \"x\" {{\n  ipam_pool_id = \"{}\"\n  netmask_length = 28\n}}\n",
        b.id("ipam_pool.top")
    ));
    other.apply();
    let lost = other.attr("ipam_pool_allocation.x", "ipam_pool_allocation_id");
    std::fs::remove_file(other.path().join("terraform.tfstate")).unwrap();
    let t = ok(&b.cli(&["orphans", "--state", state]));
    assert!(t.contains(&lost) && t.contains("1 orphaned allocation"), "{t}");
    let j = json(&b.cli(&["--output", "json", "orphans", "--state", state]));
    let list = j.as_array().expect("a JSON list");
    assert_eq!(list.len(), 1, "{j}");
    assert_eq!(list[0]["id"], lost.as_str());
    assert_eq!(list[0]["pool_id"], b.id("ipam_pool.top").as_str());
    assert_eq!(list[0]["netmask_length"], 28);
    let refused = b.cli(&["release", &lost]);
    assert_eq!(refused.status.code(), Some(1), "needs --yes");
    // At a terminal the command asks; anything but yes releases nothing.
    let (ok_no, asked) = on_terminal_answering(&tf.db, &format!("release {lost}"), &[], Some("n\n"));
    assert!(
        !ok_no && asked.contains("[y/N]") && asked.contains("nothing was released"),
        "{asked}"
    );
    assert!(
        ok(&b.cli(&["orphans", "--state", state])).contains(&lost),
        "still allocated"
    );
    assert_eq!(ok(&b.cli(&["release", "--yes", &lost])), format!("released {lost}\n"));
    assert!(ok(&b.cli(&["orphans", "--state", state])).contains("no orphaned allocations"));
    // A second lost allocation, released by answering yes at the terminal.
    other.apply();
    let lost2 = other.attr("ipam_pool_allocation.x", "ipam_pool_allocation_id");
    std::fs::remove_file(other.path().join("terraform.tfstate")).unwrap();
    let (ok_yes, said) = on_terminal_answering(&tf.db, &format!("release {lost2}"), &[], Some("y\n"));
    assert!(ok_yes && said.contains(&format!("released {lost2}")), "{said}");
    assert!(ok(&b.cli(&["orphans", "--state", state])).contains("no orphaned allocations"));
    ok(&b.cli(&["check"]));
}

/// The whole database file (and its WAL) on SQLite, to compare before and after.
fn db_bytes(tf: &Tf) -> Vec<u8> {
    if common::is_postgres(&tf.db) {
        return tf.db_dump().into_bytes();
    }
    let mut bytes = std::fs::read(&tf.db).unwrap();
    bytes.extend(std::fs::read(tf.db.with_extension("db-wal")).unwrap_or_default());
    bytes
}

/// `report` writes onto no database (not the one it reads, not through a symbolic link, not
/// another SQLite file) and onto no file that is not its report without --force; `export` to a
/// standard output that is the database is refused. The report shows each pool's CIDRs, locale
/// and description.
fn report_and_export_never_write_onto_a_database_or_a_file_not_theirs() {
    let b = Built::new();
    let tf = &b.tf;
    let d = tf.path();
    let before = db_bytes(tf);
    let mut targets = vec![d.join("link-to-db.html"), d.join("other.db")];
    std::fs::write(d.join("notes.txt"), "my notes").unwrap();
    if !common::is_postgres(&tf.db) {
        std::os::unix::fs::symlink(&tf.db, &targets[0]).unwrap();
        targets.push(tf.db.clone());
        copy_db(&tf.db, &targets[1]);
    } else {
        targets.truncate(0);
    }
    for target in &targets {
        for force in [false, true] {
            let mut args = vec!["report", "--html", target.to_str().unwrap()];
            if force {
                args.push("--force");
            }
            let e = one_error(&b.cli(&args));
            assert!(e.contains("is a database; nothing was written"), "{e}");
        }
    }
    let notes = d.join("notes.txt");
    let e = one_error(&b.cli(&["report", "--html", notes.to_str().unwrap()]));
    assert!(
        e.contains("not a report this command wrote") && e.contains("--force"),
        "{e}"
    );
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my notes");
    let to_notes = d.join("to-notes.html");
    std::os::unix::fs::symlink(&notes, &to_notes).unwrap();
    let e = one_error(&b.cli(&["report", "--html", to_notes.to_str().unwrap()]));
    assert!(e.contains("symbolic link"), "{e}");
    ok(&b.cli(&["report", "--html", to_notes.to_str().unwrap(), "--force"]));
    assert_eq!(
        std::fs::read_to_string(&notes).unwrap(),
        "my notes",
        "never through the link"
    );
    // Its own report is replaced without asking.
    let page = d.join("report.html");
    ok(&b.cli(&["report", "--html", page.to_str().unwrap()]));
    ok(&b.cli(&["report", "--html", page.to_str().unwrap()]));
    if !common::is_postgres(&tf.db) {
        // `export >> ipam.db`
        let appended = std::fs::OpenOptions::new().append(true).open(&tf.db).unwrap();
        let o = Command::new(PROVIDER_BIN)
            .args(["--database", tf.db.to_str().unwrap(), "export"])
            .stdout(appended)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1));
        assert!(
            stderr(&o).contains("standard output is the database itself"),
            "{}",
            stderr(&o)
        );
    }
    assert!(db_bytes(tf) == before, "the database is unchanged");
    ok(&b.cli(&["check"]));
    // Each pool with its CIDRs, locale and description.
    let html = std::fs::read_to_string(&page).unwrap();
    let row = |pool: &str| {
        let id = b.id(pool);
        let start = html
            .find(&format!("{id}</td><td>ipv"))
            .unwrap_or_else(|| panic!("no row for {pool}"));
        html[start..start + html[start..].find("</tr>").unwrap()].to_string()
    };
    let top = row("ipam_pool.top");
    assert!(
        top.contains("10.0.0.0/24") && top.contains("<td>None</td>") && top.contains("corporate"),
        "{top}"
    );
    let child = row("ipam_pool.child");
    assert!(
        child.contains("10.0.0.0/25") && child.contains("<td>us-east-1</td>"),
        "{child}"
    );
    let v6 = row("ipam_pool.v6");
    assert!(v6.contains("/52") && v6.contains("<td>us-east-1</td>"), "{v6}");
}

/// Descriptions a hostile user chose reach neither a spreadsheet as formulas nor a terminal or a
/// page as control or bidi characters.
fn hostile_text_is_neutralised_in_csv_and_html() {
    let b = Built::new();
    let tf = &b.tf;
    let id = b.attr("ipam_pool_allocation.a", "ipam_pool_allocation_id");
    tf.sql(&format!(
        "UPDATE allocations SET description = '=HYPERLINK(\"http://evil\",\"x\")\x1b[31m\u{202E}txt' WHERE id = '{id}'"
    ));
    let csv = ok(&b.cli(&["export", "--format", "csv"]));
    let line = line_with(&csv, &id);
    assert!(
        line.contains(",\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\") [31m txt\","),
        "{line}"
    );
    assert!(!csv.contains('\x1b') && !csv.contains('\u{202E}'), "{csv}");
    let html = ok(&b.cli(&["report", "--html", "-"]));
    assert!(!html.contains('\x1b') && !html.contains('\u{202E}'));
    assert!(html.contains("=HYPERLINK(&quot;http://evil&quot;,&quot;x&quot;) [31m txt"));
}

/// `orphans` reads only Terraform state files: any other JSON (an empty object, `terraform show
/// -json` output) would make every live allocation an orphan. `release` checks every ID before
/// it releases any, and takes the import IDs `orphans` prints.
fn orphans_reads_only_state_files_and_release_is_all_or_nothing() {
    let b = Built::new();
    let tf = &b.tf;
    let d = tf.path();
    let empty = d.join("empty.json");
    std::fs::write(&empty, "{}").unwrap();
    let shown = d.join("show.json");
    std::fs::write(&shown, tf.ok(&["show", "-json"])).unwrap();
    for f in [&empty, &shown] {
        let e = one_error(&b.cli(&["orphans", "--state", f.to_str().unwrap()]));
        assert!(
            e.contains("is not a Terraform state file") && e.contains("terraform state pull"),
            "{e}"
        );
        assert!(!e.contains("orphaned allocation"), "{e}");
    }
    let e = one_error(&b.cli(&["orphans", "--state", shown.to_str().unwrap()]));
    assert!(e.contains("terraform show -json"), "{e}");
    // Two lost allocations; orphans prints their import IDs.
    let other = Tf::sharing(&tf.db);
    other.config(&format!(
        "resource \"ipam_pool_allocation\" \"x\" {{\n  count = 2\n  ipam_pool_id = \"{}\"\n  netmask_length = 28\n}}\n",
        b.id("ipam_pool.top")
    ));
    other.apply();
    std::fs::remove_file(other.path().join("terraform.tfstate")).unwrap();
    let state = d.join("terraform.tfstate");
    let listed = ok(&b.cli(&["orphans", "--state", state.to_str().unwrap()]));
    let import_ids: Vec<String> = listed
        .lines()
        .filter_map(|l| l.split_once("import ID ").map(|(_, id)| id.trim().to_string()))
        .collect();
    assert_eq!(import_ids.len(), 2, "{listed}");
    let before = tf.db_dump();
    let mut args = vec![
        "release",
        "--yes",
        &import_ids[0],
        "ipam-pool-alloc-00000000000000000000000000000000",
        &import_ids[1],
    ];
    let e = one_error(&b.cli(&args));
    assert!(
        e.contains("nothing was released") && e.contains("ipam-pool-alloc-00000000000000000000000000000000"),
        "{e}"
    );
    let wrong_pool = format!(
        "{}_{}",
        import_ids[0].split('_').next().unwrap(),
        b.id("ipam_pool.child")
    );
    let e = one_error(&b.cli(&["release", "--yes", &wrong_pool]));
    assert!(e.contains("nothing was released") && e.contains("not "), "{e}");
    assert_eq!(tf.db_dump(), before, "nothing released");
    args.remove(3);
    let released = ok(&b.cli(&args));
    assert_eq!(released.lines().count(), 2, "{released}");
    assert!(ok(&b.cli(&["orphans", "--state", state.to_str().unwrap()])).contains("no orphaned allocations"));
    ok(&b.cli(&["check"]));
}

/// Runs the binary with exactly these arguments and environment changes, in `dir`.
fn bare(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(PROVIDER_BIN);
    c.args(args).current_dir(dir).env_remove("IPAM_DATABASE");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run the CLI")
}

fn one_error(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(1), "stdout: {}", stdout(o));
    assert!(o.stdout.is_empty());
    let e = stderr(o);
    let lines: Vec<&str> = e.lines().collect();
    assert_eq!(lines.len(), 2, "one line and a hint:\n{e}");
    assert!(lines[0].starts_with("error: ") && lines[1].starts_with("hint: "), "{e}");
    e
}

#[test]
fn a_missing_or_foreign_database_is_one_line_and_a_hint_and_stays_missing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let missing = d.join("missing.db");
    let m = missing.to_str().unwrap();
    for cmd in [
        &["tree"][..],
        &["export"],
        &["history", "10.0.0.0/24"],
        &["check"],
        &["report", "--html", "r.html"],
    ] {
        let mut args = vec!["--database", m];
        args.extend_from_slice(cmd);
        let e = one_error(&bare(d, &args, &[]));
        assert!(e.starts_with(&format!("error: no database at {m}\n")), "{e}");
        assert!(e.contains("--database") && e.contains("IPAM_DATABASE"), "{e}");
    }
    let e = one_error(&bare(d, &["tree"], &[("IPAM_DATABASE", m)]));
    assert!(e.starts_with(&format!("error: no database at {m}\n")), "{e}");
    let e = one_error(&bare(d, &["tree"], &[]));
    assert!(
        e.starts_with("error: no database at terraform-ipam.db\n"),
        "the default: {e}"
    );
    let created: Vec<PathBuf> = std::fs::read_dir(d).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(created.is_empty(), "nothing was created: {created:?}");

    let empty = d.join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let e = one_error(&bare(d, &["--database", empty.to_str().unwrap(), "tree"], &[]));
    assert!(e.contains("is not an IPAM database"), "{e}");
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0, "left as it was");
    let text = d.join("notes.txt");
    std::fs::write(&text, "not a database at all, just some text that is long enough").unwrap();
    let e = one_error(&bare(d, &["--database", text.to_str().unwrap(), "export"], &[]));
    assert!(
        e.contains("not an IPAM database") || e.contains("not a SQLite database"),
        "{e}"
    );
    let e = one_error(&bare(d, &["--database", d.to_str().unwrap(), "tree"], &[]));
    assert!(e.contains("is a directory"), "{e}");
}

/// `--database` and `IPAM_DATABASE` refuse what the provider's `database` refuses (SQLite URIs,
/// in-memory databases, devices, FIFOs, other URLs) with what was given and what to give instead;
/// passwords never show, whatever the URL's shape; invalid settings name the variable.
#[test]
fn a_database_option_that_cannot_name_a_database_is_refused_without_its_password() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fifo = d.join("fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    for (db, expect) in [
        ("file:x.db?nolock=1", "SQLite URIs are not supported"),
        (":memory:", "In-memory databases are not supported"),
        ("/dev/null", "which is a device"),
        (fifo.to_str().unwrap(), "which is a FIFO"),
        ("mysql://u:s3cret@h/db", "mysql://u:****@h/db"),
        ("postgres:/u:s3cret@h/db", "needs `//`"),
    ] {
        for (args, env) in [
            (vec!["--database", db, "tree"], vec![]),
            (vec!["tree"], vec![("IPAM_DATABASE", db)]),
        ] {
            let e = one_error(&bare(d, &args, &env));
            assert!(e.contains(expect) && e.contains("--database"), "{db}: {e}");
            assert!(!e.contains("s3cret"), "{e}");
        }
    }
    // A PostgreSQL URL in any case is one (here: nothing listens on port 1).
    let e = one_error(&bare(
        d,
        &[
            "--database",
            "POSTGRESQL://u:s3cret@127.0.0.1:1/db?sslmode=disable",
            "tree",
        ],
        &[],
    ));
    assert!(
        e.contains("Cannot connect to the database") && !e.contains("s3cret"),
        "{e}"
    );
    let e = one_error(&bare(d, &["tree"], &[("IPAM_BUSY_TIMEOUT_MS", "soon")]));
    assert!(
        e.contains("IPAM_BUSY_TIMEOUT_MS") && e.contains("from 1 to 3600000"),
        "{e}"
    );
    let left: Vec<PathBuf> = std::fs::read_dir(d).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(left, vec![fifo], "nothing was created");
}

#[test]
fn help_version_and_usage() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let v = bare(d, &["--version"], &[]);
    assert_eq!(
        ok(&v),
        format!("terraform-provider-ipam {}\n", env!("CARGO_PKG_VERSION"))
    );
    let none = bare(d, &[], &[]);
    assert_eq!(none.status.code(), Some(2));
    assert!(stdout(&none).contains("Usage:") && stdout(&none).contains("tree"));
    for (cmd, option) in [
        ("tree", "--output"),
        ("export", "--format"),
        ("history", "--since"),
        ("check", "--database"),
        ("report", "--html"),
        ("orphans", "--state"),
        ("release", "--yes"),
        ("migrate", "--from"),
        ("import-blocks", "--provider"),
    ] {
        let h = ok(&bare(d, &[cmd, "--help"], &[]));
        assert!(h.contains(option) && h.contains("IPAM_DATABASE"), "{cmd} --help:\n{h}");
    }
    let bad = bare(d, &["export", "--format", "xml"], &[]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(std::fs::read_dir(d).unwrap().next().is_none());
}

backend_tests!(
    a_terminal_gets_colour_and_progress,
    tree_shows_pools_cidrs_allocations_and_utilisation,
    history_shows_released_space_with_its_end_time,
    report_is_one_self_contained_page,
    reading_commands_change_nothing,
    orphans_and_release,
    report_and_export_never_write_onto_a_database_or_a_file_not_theirs,
    hostile_text_is_neutralised_in_csv_and_html,
    orphans_reads_only_state_files_and_release_is_all_or_nothing,
);
