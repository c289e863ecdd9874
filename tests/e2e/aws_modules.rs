//! An unchanged module-shaped configuration written for `hashicorp/aws` (tests/data/aws/module:
//! nested modules, `for_each` over pools, `dynamic` blocks, RAM shares to an account and to an
//! organizational unit) applied, re-applied with no changes and destroyed; consumers in other
//! accounts allocate from the shared pools; `ipam_*` names read the same database.

use std::path::Path;

use serde_json::Value as J;

use crate::aws::{REQUIRED_AWS, aws_tf};
use crate::common::{Tf, flat};

/// Copies the module tree into the working directory.
fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read module dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn module_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/aws/module")
}

/// A consumer account's working directory on the same database: one allocation from `pool`.
fn consumer(db: &Path, account: &str, pool: &str) -> Tf {
    let tf = crate::aws::aws_tf_sharing(db).env("IPAM_ACCOUNT_ID", account).env(
        "IPAM_ORGANIZATION",
        &module_dir().join("organization.json").display().to_string(),
    );
    tf.raw_config(&format!(
        r#"{REQUIRED_AWS}
provider "aws" {{
  region = "us-east-1"
}}

resource "aws_vpc_ipam_pool_cidr_allocation" "mine" {{
  ipam_pool_id   = "{pool}"
  netmask_length = 26
  description    = "consumer {account}"
}}
"#
    ));
    tf
}

fn module_configuration() {
    let tf = aws_tf().env(
        "IPAM_ORGANIZATION",
        &module_dir().join("organization.json").display().to_string(),
    );
    copy_tree(&module_dir(), tf.path());
    std::fs::remove_file(tf.path().join("organization.json")).expect("not configuration");
    tf.ok(&["get", "-no-color"]);
    let applied = tf.apply();
    assert!(applied.contains("Apply complete!"), "{applied}");
    let out: J = serde_json::from_str(&tf.ok(&["output", "-json"])).expect("outputs");
    let ipam_id = out["ipam_id"]["value"].as_str().expect("ipam id").to_string();
    assert!(ipam_id.starts_with("ipam-"), "{out}");
    let pools = &out["pool_ids"]["value"];
    let east = pools["east"].as_str().expect("east pool").to_string();
    let west = pools["west"].as_str().expect("west pool").to_string();
    // The reserved /24 took the first block of each regional pool; the preview is the next.
    assert_eq!(out["previews"]["value"]["east"], "10.0.1.0/24", "{out}");
    assert_eq!(out["previews"]["value"]["west"], "10.1.1.0/24", "{out}");
    assert_eq!(
        tf.sql_count(&format!("SELECT COUNT(*) FROM pools WHERE id IN ('{east}', '{west}')")),
        2
    );

    // Re-planned and re-applied: nothing to change.
    tf.assert_plan_empty();
    let again = tf.apply();
    assert!(again.contains("0 added, 0 changed, 0 destroyed"), "{again}");

    // The account shared with directly, and one inside the shared OU, allocate from the east
    // pool; an account outside both is refused, and the refusal names the share.
    for account in ["111111111111", "222222222222"] {
        let c = consumer(&tf.db, account, &east);
        c.apply();
        c.assert_plan_empty();
        c.destroy();
    }
    let outsider = consumer(&tf.db, "333333333333", &east);
    let before = tf.db_dump();
    let err = flat(&outsider.apply_fails());
    assert!(
        err.contains("regional-pools") && err.contains("ou-a1b2-c3d4e5f6"),
        "the refusal names the share and its unit: {err}"
    );
    assert_eq!(tf.db_dump(), before, "a refused allocation writes nothing");

    // The ipam view reads the same objects.
    let ipam = Tf::sharing(&tf.db);
    ipam.config(&format!(
        r#"data "ipam_pools" "all" {{}}
output "ids" {{ value = sort([for p in data.ipam_pools.all.ipam_pools : p.id if p.source_ipam_pool_id != null]) }}
data "ipam" "main" {{ id = "{ipam_id}" }}
output "regions" {{ value = data.ipam.main.operating_regions }}"#
    ));
    ipam.apply();
    let ids: J = serde_json::from_str(&ipam.ok(&["output", "-json", "ids"])).expect("ids");
    let mut expected = vec![east.clone(), west.clone()];
    expected.sort();
    assert_eq!(ids, serde_json::json!(expected));

    // Everything goes with one destroy.
    let destroyed = tf.destroy();
    assert!(destroyed.contains("Destroy complete!"), "{destroyed}");
    assert_eq!(tf.sql_count("SELECT COUNT(*) FROM ipams"), 0);
    assert_eq!(tf.sql_count("SELECT COUNT(*) FROM pools"), 0);
}

backend_tests!(module_configuration);
