//! Protocol edges: a plan whose inputs are all unknown, Ctrl-C (SIGINT to the whole process
//! group) during an apply, and state written with attributes this schema no longer has.

use crate::common;

use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::fixtures::{HOME_IPAM, pool_with_cidr_on};
use common::{Tf, flat, terraform_bin};

fn unknown_inputs_everywhere_plan_and_apply() {
    let tf = Tf::new();
    tf.config(
        r#"
resource "terraform_data" "v" {
  input = { region = "us-east-1", family = "ipv4", cidr = "10.0.0.0/16", netmask = 24, desc = "from elsewhere", account = "444455556666" }
}
resource "ipam" "main" {
  description = terraform_data.v.output.desc
  operating_regions { region_name = terraform_data.v.output.region }
  tags = { source = terraform_data.v.output.desc }
}
resource "ipam_scope" "s" {
  ipam_id     = ipam.main.id
  description = terraform_data.v.output.desc
}
resource "ipam_pool" "p" {
  ipam_scope_id                     = ipam.main.private_default_scope_id
  address_family                    = terraform_data.v.output.family
  locale                            = terraform_data.v.output.region
  description                       = terraform_data.v.output.desc
  allocation_default_netmask_length = terraform_data.v.output.netmask
  allocation_resource_tags          = { env = terraform_data.v.output.desc }
}
resource "ipam_pool_cidr" "c" {
  ipam_pool_id = ipam_pool.p.id
  cidr         = terraform_data.v.output.cidr
}
resource "ipam_pool_allocation" "a" {
  ipam_pool_id     = ipam_pool.p.id
  netmask_length   = terraform_data.v.output.netmask
  disallowed_cidrs = [cidrsubnet(terraform_data.v.output.cidr, 8, 0)]
  resource_type    = "vpc"
  resource_region  = terraform_data.v.output.region
  tags             = { env = terraform_data.v.output.desc }
  depends_on       = [ipam_pool_cidr.c]
}
resource "ipam_preview_next_cidr" "n" {
  ipam_pool_id   = ipam_pool.p.id
  netmask_length = terraform_data.v.output.netmask
  depends_on     = [ipam_pool_cidr.c]
}
resource "ipam_resource_share" "sh" {
  name          = terraform_data.v.output.desc
  resource_arns = [ipam_pool.p.arn]
  principals    = [terraform_data.v.output.account]
}
"#,
    );
    let plan = flat(&tf.assert_plan_changes());
    assert!(plan.contains("Plan: 8 to add"), "{plan}");
    tf.apply();
    assert_eq!(
        tf.attr("ipam_pool_allocation.a", "cidr"),
        "10.0.1.0/24",
        "first fit after the disallowed 10.0.0.0/24"
    );
    assert_eq!(tf.values("ipam_pool_allocation.a")["compliance_status"], "compliant");
    tf.assert_plan_empty();
    tf.destroy();
}

fn ctrl_c_during_an_apply_stops_cleanly_and_loses_nothing() {
    let tf = Tf::new();
    tf.config(&format!(
        r#"{}
resource "ipam_pool_allocation" "a" {{
  count          = 400
  ipam_pool_id   = ipam_pool.p.id
  netmask_length = 28
  depends_on     = [ipam_pool_cidr.c]
}}
"#,
        pool_with_cidr_on(HOME_IPAM, "10.0.0.0/12")
    ));
    let (log, err_log) = (tf.path().join("apply.out"), tf.path().join("apply.err"));
    let child = Command::new(terraform_bin())
        .args(["apply", "-auto-approve", "-input=false", "-no-color"])
        .current_dir(tf.path())
        .env("TF_CLI_CONFIG_FILE", tf.path().join("terraform.rc"))
        .env("CHECKPOINT_DISABLE", "1")
        // Files, not pipes: nobody reads while it runs, and the plan of 400 resources alone is
        // more than a pipe holds.
        .stdout(Stdio::from(std::fs::File::create(&log).unwrap()))
        .stderr(Stdio::from(std::fs::File::create(&err_log).unwrap()))
        .process_group(0)
        .spawn()
        .unwrap();
    let pgid = child.id();
    let mut reached = false;
    for _ in 0..24_000 {
        if tf.try_sql_count("SELECT count(*) FROM allocations").unwrap_or(0) >= 30 {
            reached = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        reached,
        "the apply never got to 30 allocations: {}",
        std::fs::read_to_string(&err_log).unwrap_or_default()
    );
    // Ctrl-C in a terminal: SIGINT to every process of the group, the provider included.
    let sent = Command::new("kill")
        .args(["-s", "INT", "--", &format!("-{pgid}")])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let text = flat(&(std::fs::read_to_string(&log).unwrap() + &std::fs::read_to_string(&err_log).unwrap()));
    // The apply was cut short (400 allocations, interrupted after about 30): Terraform says so
    // and fails, having stopped the provider gracefully.
    assert!(
        !out.status.success(),
        "the interrupted apply should not complete:\n{text}"
    );
    assert!(text.contains("Interrupt received"), "{text}");
    let written = tf.try_sql_count("SELECT count(*) FROM allocations").unwrap_or(0);
    assert!(
        (1..400).contains(&written),
        "interrupted part-way: {written} allocations written"
    );
    assert!(
        !text.contains("Plugin did not respond") && !text.contains("panic"),
        "{text}"
    );
    // The provider processes of the group are gone (signal 0 to the group fails).
    let mut gone = false;
    for _ in 0..200 {
        if !Command::new("kill")
            .args(["-s", "0", "--", &format!("-{pgid}")])
            .stderr(Stdio::null())
            .status()
            .unwrap()
            .success()
        {
            gone = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    assert!(gone, "provider processes still running after the interrupt");
    // Terraform waited for the provider: every allocation written is in the state.
    let in_state = tf
        .resources()
        .into_iter()
        .filter(|(a, _)| a.starts_with("ipam_pool_allocation."))
        .count() as i64;
    assert_eq!(
        in_state,
        tf.sql_count("SELECT count(*) FROM allocations"),
        "no orphans after a graceful stop"
    );
    tf.apply();
    tf.assert_plan_empty();
    tf.destroy();
}

fn state_with_attributes_of_another_schema_is_upgraded() {
    let tf = Tf::new();
    tf.config("resource \"ipam\" \"main\" {\n  operating_regions { region_name = \"us-east-1\" }\n}\n");
    tf.apply();
    // Rewrite the state as an older provider might have left it: an attribute the schema no
    // longer has, and one it has since gained missing.
    let path = tf.path().join("terraform.tfstate");
    let mut state: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let attrs = &mut state["resources"][0]["instances"][0]["attributes"];
    attrs
        .as_object_mut()
        .unwrap()
        .insert("retired".into(), "advanced".into());
    attrs.as_object_mut().unwrap().remove("scope_count");
    state["serial"] = (state["serial"].as_i64().unwrap() + 1).into();
    std::fs::write(&path, serde_json::to_string_pretty(&state).unwrap()).unwrap();
    tf.assert_plan_empty();
    tf.ok(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
    assert_eq!(tf.values("ipam.main")["scope_count"], 2);
    // A state from a newer provider is refused.
    let mut state: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    state["resources"][0]["instances"][0]["schema_version"] = 7.into();
    state["serial"] = (state["serial"].as_i64().unwrap() + 1).into();
    std::fs::write(&path, serde_json::to_string_pretty(&state).unwrap()).unwrap();
    let out = flat(&tf.plan_fails());
    assert!(out.contains("newer"), "{out}");
}

#[test]
fn ten_thousand_resources_plan_through_one_provider_process() {
    let tf = Tf::new();
    tf.config(
        r#"
resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
}
resource "ipam_pool" "p" {
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
}
resource "ipam_pool_allocation" "a" {
  count          = 10000
  ipam_pool_id   = ipam_pool.p.id
  netmask_length = 28
}
"#,
    );
    let plan = flat(&tf.assert_plan_changes());
    assert!(
        plan.contains("Plan: 10002 to add, 0 to change, 0 to destroy"),
        "{}",
        &plan[plan.len().saturating_sub(400)..]
    );
}

backend_tests!(
    unknown_inputs_everywhere_plan_and_apply,
    ctrl_c_during_an_apply_stops_cleanly_and_loses_nothing,
    state_with_attributes_of_another_schema_is_upgraded,
);
