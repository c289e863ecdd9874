//! The command line on a database built through Terraform.

mod common;

use std::process::{Command, Output};

use common::{PROVIDER_BIN, Tf};

const CONFIG: &str = r#"
resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
}
resource "ipam_pool" "top" {
  ipam_scope_id                 = ipam.main.private_default_scope_id
  address_family                = "ipv4"
  description                   = "top"
  allocation_max_netmask_length = 28
}
resource "ipam_pool_cidr" "top" {
  ipam_pool_id = ipam_pool.top.id
  cidr         = "10.0.0.0/24"
}
resource "ipam_pool" "child" {
  ipam_scope_id       = ipam.main.private_default_scope_id
  address_family      = "ipv4"
  source_ipam_pool_id = ipam_pool.top.id
}
resource "ipam_pool_cidr" "child" {
  ipam_pool_id = ipam_pool.child.id
  cidr         = "10.0.0.0/25"
  depends_on   = [ipam_pool_cidr.top]
}
resource "ipam_pool_allocation" "a" {
  ipam_pool_id = ipam_pool.top.id
  cidr         = "10.0.0.128/26"
  description  = "app, \"quoted\""
  depends_on   = [ipam_pool_cidr.top]
}
"#;

fn cli(tf: &Tf, args: &[&str]) -> Output {
    Command::new(PROVIDER_BIN)
        .arg("--database")
        .arg(&tf.db)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn built() -> Tf {
    let tf = Tf::new();
    tf.config(CONFIG);
    tf.apply();
    tf
}

#[test]
fn tree_shows_the_hierarchy_with_utilisation() {
    let tf = built();
    let o = cli(&tf, &["tree"]);
    assert!(o.status.success());
    let t = text(&o);
    let top = tf.attr("ipam_pool.top", "id");
    let child = tf.attr("ipam_pool.child", "id");
    assert!(t.contains(&tf.attr("ipam.main", "id")), "{t}");
    // The top pool: /25 child + /26 allocation of a /24 = 75 %.
    assert!(
        t.contains(&format!(
            "{top} ipv4 depth 1 locale None (max /28) [###############.....] 75.0%"
        )),
        "{t}"
    );
    assert!(t.contains(&format!("{child} ipv4 depth 2")), "{t}");
    assert!(t.contains("10.0.0.128/26 custom"), "{t}");
    assert!(t.contains(&format!("10.0.0.0/25 ipam-pool {child}")), "{t}");
    let j: serde_json::Value = serde_json::from_slice(&cli(&tf, &["--output", "json", "tree"]).stdout).unwrap();
    assert_eq!(j[0]["id"], tf.attr("ipam.main", "id"));
}

#[test]
fn export_is_stable_json_and_csv() {
    let tf = built();
    let a = cli(&tf, &["export"]);
    let b = cli(&tf, &["export"]);
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout, "byte-identical for identical content");
    let doc: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    let t = text(&a);
    assert!(t.contains("10.0.0.128/26") && t.contains("10.0.0.0/25"));
    assert_eq!(doc["ipams"][0]["scopes"].as_array().unwrap().len(), 2);
    let csv = text(&cli(&tf, &["export", "--format", "csv"]));
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("allocation_id,pool_id,cidr,"));
    assert_eq!(lines.len(), 3, "header + two allocations:\n{csv}");
    assert!(csv.contains("\"app, \"\"quoted\"\"\""), "CSV quoting:\n{csv}");
}

#[test]
fn history_shows_released_space() {
    let tf = built();
    let alloc = tf.attr("ipam_pool_allocation.a", "ipam_pool_allocation_id");
    tf.destroy();
    // The IPAM is gone, and its history with it (R-07); keep one to look at.
    let tf = built();
    let alloc2 = tf.attr("ipam_pool_allocation.a", "ipam_pool_allocation_id");
    assert_ne!(alloc, alloc2);
    tf.config(&CONFIG.replace(
        "resource \"ipam_pool_allocation\" \"a\"",
        "resource \"ipam_pool_allocation\" \"b\"",
    ));
    tf.apply();
    let t = text(&cli(&tf, &["history", "10.0.0.128/26"]));
    let lines: Vec<&str> = t.lines().filter(|l| l.contains("custom")).collect();
    assert_eq!(lines.len(), 2, "{t}");
    assert!(
        lines[0].contains(&alloc2) && !lines[0].contains("(held)"),
        "released record has an end: {t}"
    );
    assert!(lines[1].contains("(held)"), "{t}");
    let j: serde_json::Value = serde_json::from_slice(
        &cli(
            &tf,
            &[
                "--output",
                "json",
                "history",
                "10.0.0.128/26",
                "--until",
                "2000-01-01T00:00:00Z",
            ],
        )
        .stdout,
    )
    .unwrap();
    assert_eq!(j.as_array().unwrap().len(), 0);
    let bad = cli(&tf, &["history", "10.0.0.1/24"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("host bits"));
}

#[test]
fn check_passes_and_finds_damage() {
    let tf = built();
    let o = cli(&tf, &["check"]);
    assert!(o.status.success(), "{}", text(&o));
    let top = tf.attr("ipam_pool.top", "id");
    tf.sql(&format!(
        "INSERT INTO allocations (id, pool_id, family, start, prefix, cidr, resource_type, resource_owner, compliance_status) \
         VALUES ('ipam-pool-alloc-bad', '{top}', 4, X'0000000000000000000000000A0000A0', 27, '10.0.0.160/27', 'custom', '123456789012', 'compliant')"
    ));
    let o = cli(&tf, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let t = text(&o);
    assert!(t.contains("overlap"), "{t}");
}

#[test]
fn orphans_and_release() {
    let tf = built();
    let state = tf.path().join("terraform.tfstate");
    assert!(text(&cli(&tf, &["orphans", "--state", state.to_str().unwrap()])).contains("no orphaned allocations"));
    // An allocation another workspace made and lost its state for.
    let other = Tf::sharing(&tf.db);
    other.config(&format!(
        "resource \"ipam_pool_allocation\" \"x\" {{\n  ipam_pool_id = \"{}\"\n  netmask_length = 28\n}}\n",
        tf.attr("ipam_pool.top", "id")
    ));
    other.apply();
    let lost = other.attr("ipam_pool_allocation.x", "ipam_pool_allocation_id");
    std::fs::remove_file(other.path().join("terraform.tfstate")).unwrap();
    let t = text(&cli(&tf, &["orphans", "--state", state.to_str().unwrap()]));
    assert!(t.contains(&lost) && t.contains("1 orphaned allocation"), "{t}");
    let refused = cli(&tf, &["release", &lost]);
    assert_eq!(refused.status.code(), Some(1), "needs --yes");
    assert!(cli(&tf, &["release", "--yes", &lost]).status.success());
    assert!(text(&cli(&tf, &["orphans", "--state", state.to_str().unwrap()])).contains("no orphaned allocations"));
    assert!(cli(&tf, &["check"]).status.success());
    tf.destroy();
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let tf = built();
    let page = tf.path().join("report.html");
    let o = cli(&tf, &["report", "--html", page.to_str().unwrap()]);
    assert!(o.status.success());
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<svg") && html.contains(&tf.attr("ipam_pool.top", "id")));
    assert!(
        !html.contains("<script") && !html.contains("http://") || html.contains("http://www.w3.org/2000/svg"),
        "self-contained"
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".into());
    let shot = tf.path().join("report.png");
    let run = Command::new(&chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"])
        .args(["--disable-component-update", "--disable-sync", "--window-size=900,500"])
        .arg(format!("--user-data-dir={}", tf.path().join("chromium").display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap_or_else(|e| panic!("{chromium} could not be run ({e}): the report test needs Debian's chromium (`apt-get install chromium`; .ci/run installs it)"));
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((width, height), (900, 500));
    // A blank page compresses to a few hundred bytes; text, bars and a table do not.
    assert!(png.len() > 10_000, "the page rendered content ({} bytes)", png.len());
}

#[test]
fn a_missing_database_is_one_line_and_a_hint() {
    let o = Command::new(PROVIDER_BIN)
        .args(["--database", "/nonexistent/x.db", "tree"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.starts_with("error: no database at /nonexistent/x.db\nhint: "), "{e}");
    assert!(!std::path::Path::new("/nonexistent/x.db").exists());
}
