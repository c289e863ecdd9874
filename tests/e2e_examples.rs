//! Every example in `examples/` applies on a fresh database, plans empty afterwards, and destroys.

mod common;

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
    let out = tf.ok(&["output", "-json"]);
    let outputs: J = serde_json::from_str(&out[out.find('{').unwrap()..]).unwrap();
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

fn multi_region() {
    let (tf, o) = run_example("multi-region");
    let regional = o["regional_cidrs"]["value"].as_object().unwrap();
    let mut cidrs: Vec<&str> = regional.values().map(|v| v.as_str().unwrap()).collect();
    cidrs.sort();
    assert_eq!(cidrs, vec!["10.0.0.0/12", "10.16.0.0/12"]);
    assert_eq!(o["vpc_cidrs"]["value"].as_object().unwrap().len(), 2);
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
