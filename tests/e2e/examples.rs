//! Every example in `examples/` applies on a fresh database, plans empty afterwards, and destroys.

use crate::common;

use std::collections::BTreeSet;
use std::path::Path;

use common::Tf;
use serde_json::Value as J;

fn run_example(name: &str) -> (Tf, J) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name);
    let tf = Tf::new();
    let db = match common::backend() {
        common::Backend::Sqlite => tf.path().join("example.db"),
        common::Backend::Postgres => tf.db.clone(),
    };
    let tf = tf.env("IPAM_DATABASE", db.to_str().unwrap());
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "tf") {
            std::fs::copy(&p, tf.path().join(p.file_name().unwrap())).unwrap();
        }
    }
    tf.apply();
    tf.assert_plan_empty();
    let outputs = tf.outputs();
    match common::backend() {
        common::Backend::Sqlite => assert!(db.exists(), "the example used IPAM_DATABASE"),
        common::Backend::Postgres => assert!(
            tf.sql_count("SELECT count(*) FROM ipams") > 0,
            "the example used IPAM_DATABASE"
        ),
    }
    (tf, outputs)
}

fn quickstart() {
    let (tf, o) = run_example("quickstart");
    assert_eq!(o["app_cidr"]["value"], "10.0.0.0/24");
    assert_eq!(o["onprem_cidr"]["value"], "10.0.128.0/20");
    tf.destroy();
}

/// The tutorial's plan: a top-level pool, a regional pool per operating region, a development and a
/// production pool per business unit in each region, and a VPC in each, at the first free block
/// of the pool's default size.
fn multi_region() {
    let (tf, o) = run_example("multi-region");
    let strings = |name: &str| -> Vec<(String, String)> {
        let map = o[name]["value"]
            .as_object()
            .unwrap_or_else(|| panic!("output {name}: {o}"));
        map.iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect()
    };
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    };
    assert_eq!(
        strings("regional_cidrs"),
        pairs(&[("us-east-1", "10.0.0.0/16"), ("us-west-2", "10.1.0.0/16")])
    );
    assert_eq!(
        strings("pool_cidrs"),
        pairs(&[
            ("us-east-1/analytics/dev", "10.0.32.0/20"),
            ("us-east-1/analytics/prod", "10.0.48.0/20"),
            ("us-east-1/payments/dev", "10.0.0.0/20"),
            ("us-east-1/payments/prod", "10.0.16.0/20"),
            ("us-west-2/analytics/dev", "10.1.32.0/20"),
            ("us-west-2/analytics/prod", "10.1.48.0/20"),
            ("us-west-2/payments/dev", "10.1.0.0/20"),
            ("us-west-2/payments/prod", "10.1.16.0/20"),
        ])
    );
    // First fit at the pools' default sizes: dev /24, prod /22.
    assert_eq!(
        strings("vpc_cidrs"),
        pairs(&[
            ("us-east-1/analytics/dev", "10.0.32.0/24"),
            ("us-east-1/analytics/prod", "10.0.48.0/22"),
            ("us-east-1/payments/dev", "10.0.0.0/24"),
            ("us-east-1/payments/prod", "10.0.16.0/22"),
            ("us-west-2/analytics/dev", "10.1.32.0/24"),
            ("us-west-2/analytics/prod", "10.1.48.0/22"),
            ("us-west-2/payments/dev", "10.1.0.0/24"),
            ("us-west-2/payments/prod", "10.1.16.0/22"),
        ])
    );
    assert_eq!(o["noncompliant_vpcs"]["value"], serde_json::json!([]));
    assert_eq!(o["pool_count"]["value"], 11);

    // The hierarchy in the state: 11 pools, each under the parent and in the locale it should be.
    let resources = tf.resources();
    let of_type = |ty: &str| -> Vec<&(String, J)> {
        resources
            .iter()
            .filter(|(a, _)| a.split('[').next().unwrap().starts_with(&format!("{ty}.")))
            .collect()
    };
    assert_eq!(of_type("ipam_pool").len(), 11, "{resources:#?}");
    assert_eq!(of_type("ipam_pool_cidr").len(), 11);
    assert_eq!(of_type("ipam_pool_allocation").len(), 8);
    let pool = |addr: &str| tf.values(addr);
    let top = pool("ipam_pool.top");
    assert_eq!(top["pool_depth"], 1);
    assert_eq!(top["locale"], "None");
    for region in ["us-east-1", "us-west-2"] {
        let regional = pool(&format!("ipam_pool.regional[\"{region}\"]"));
        assert_eq!(regional["source_ipam_pool_id"], top["id"]);
        assert_eq!(regional["locale"], region);
        assert_eq!(regional["pool_depth"], 2);
        for bu in ["payments", "analytics"] {
            for (stage, default) in [("dev", 24), ("prod", 22)] {
                let key = format!("{region}/{bu}/{stage}");
                let p = pool(&format!("ipam_pool.stage[\"{key}\"]"));
                assert_eq!(p["source_ipam_pool_id"], regional["id"], "{key}");
                assert_eq!(p["locale"], region, "{key}");
                assert_eq!(p["pool_depth"], 3, "{key}");
                assert_eq!(p["allocation_default_netmask_length"], default, "{key}");
                assert_eq!(p["allocation_resource_tags"]["env"], stage, "{key}");
                assert_eq!(p["allocation_resource_tags"]["business_unit"], bu, "{key}");
                let vpc = pool(&format!("ipam_pool_allocation.vpc[\"{key}\"]"));
                assert_eq!(vpc["ipam_pool_id"], p["id"], "{key}");
                assert_eq!(vpc["resource_type"], "vpc", "{key}");
                assert_eq!(vpc["resource_region"], region, "{key}");
                assert_eq!(vpc["compliance_status"], "compliant", "{key}");
            }
        }
    }
    tf.destroy();
}

fn byoip_ipv4() {
    let (tf, o) = run_example("byoip-ipv4");
    assert_eq!(o["public_ipv4_pool_cidr"]["value"], "130.137.245.0/24");
    tf.destroy();
}

fn byoip_ipv6() {
    let (tf, o) = run_example("byoip-ipv6");
    assert_eq!(o["vpc_ipv6_cidr"]["value"], "2605:9cc0:409::/56");
    tf.destroy();
}

fn shared_pools() {
    let (tf, o) = run_example("shared-pools");
    assert_eq!(o["app_vpc_cidr"]["value"], "10.50.0.0/24");
    assert_eq!(o["app_vpc_owner"]["value"], "222222222222");
    tf.destroy();
}

fn gitops() {
    let (tf, o) = run_example("gitops");
    let nets = o["networks"]["value"].as_object().unwrap();
    assert_eq!(nets.len(), 4);
    let all: Vec<ipnet::Ipv4Net> = nets.values().map(|v| v.as_str().unwrap().parse().unwrap()).collect();
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            assert!(!a.contains(b) && !b.contains(a), "{a} overlaps {b}");
        }
    }
    tf.destroy();
}

backend_tests!(quickstart, multi_region, byoip_ipv4, byoip_ipv6, shared_pools, gitops,);

/// What is wrong with the coverage of `examples` (directory names) by the tests in `source`
/// (this file): an example that no `run_example` call names, or whose function (its name, `-`
/// read as `_`) is not in `backend_tests!(...)`, and a `run_example` call naming no example.
fn coverage_problems(source: &str, examples: &BTreeSet<String>) -> Vec<String> {
    let tested: BTreeSet<&str> = source
        .split("run_example(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    // The invocation at the start of a line (this function's own strings are not).
    let declared = source
        .split_once("\nbackend_tests!(")
        .map(|(_, list)| list.split(')').next().unwrap_or(""))
        .unwrap_or("");
    let declared: BTreeSet<&str> = declared.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    let mut problems = Vec::new();
    for name in examples {
        if !tested.contains(name.as_str()) {
            problems.push(format!(
                "examples/{name} has no test: add a function calling run_example(\"{name}\") to backend_tests!"
            ));
        }
        let function = name.replace('-', "_");
        if !declared.contains(function.as_str()) {
            problems.push(format!("examples/{name}: no `{function}` in backend_tests!(...)"));
        }
    }
    for name in tested {
        if !examples.contains(name) {
            problems.push(format!("run_example(\"{name}\") names no directory under examples/"));
        }
    }
    problems
}

/// Every directory under `examples/` is applied by a test of this file, and every example a test
/// names exists: a new example without a test fails here.
#[test]
fn every_example_has_a_test() {
    let source = include_str!("examples.rs");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let examples: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    assert!(examples.contains("multi-region"), "{examples:?}");
    let problems = coverage_problems(source, &examples);
    assert!(problems.is_empty(), "examples without tests:\n{}", problems.join("\n"));

    // The check itself: an example without a test, and a test without an example, are reported.
    let mut more = examples.clone();
    more.insert("new-example".to_string());
    more.remove("gitops");
    assert_eq!(
        coverage_problems(source, &more),
        vec![
            "examples/new-example has no test: add a function calling run_example(\"new-example\") to backend_tests!",
            "examples/new-example: no `new_example` in backend_tests!(...)",
            "run_example(\"gitops\") names no directory under examples/",
        ]
    );
}
