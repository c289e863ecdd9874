//! The binary as a process: run by hand, run wrongly, run in debug mode for Terraform to attach.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{PROVIDER_BIN, Tf};

#[test]
fn run_by_a_person_it_prints_help_not_a_stack_trace() {
    let out = Command::new(PROVIDER_BIN)
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(text.contains("Usage: terraform-provider-ipam"), "{text}");
    assert!(!text.contains("panicked"), "{text}");
    let v = Command::new(PROVIDER_BIN).arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&v.stdout).starts_with("terraform-provider-ipam "));
}

#[test]
fn wrong_cookie_or_protocol_is_refused_with_a_message() {
    let out = Command::new(PROVIDER_BIN)
        .env("TF_PLUGIN_MAGIC_COOKIE", "nope")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("started by Terraform"));
    assert!(out.stdout.is_empty(), "nothing on stdout, where the handshake would go");
    let out = Command::new(PROVIDER_BIN)
        .env(
            "TF_PLUGIN_MAGIC_COOKIE",
            "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
        )
        .env("PLUGIN_PROTOCOL_VERSIONS", "4,5")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("only version 6"));
}

#[test]
fn handshake_line_is_first_on_stdout_with_the_server_certificate() {
    let key = rcgen::KeyPair::generate().unwrap();
    let pem = rcgen::CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap()
        .pem();
    let mut child = Command::new(PROVIDER_BIN)
        .env(
            "TF_PLUGIN_MAGIC_COOKIE",
            "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
        )
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_CLIENT_CERT", pem)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let f: Vec<&str> = line.trim_end().split('|').collect();
    assert_eq!(&f[..3], &["1", "6", "unix"], "{line}");
    assert_eq!(f[4], "grpc");
    assert!(
        f[5].len() > 50 && !f[5].contains('='),
        "unpadded base64 DER certificate: {line}"
    );
}

#[test]
fn debug_mode_serves_terraform_through_reattach() {
    let mut child = Command::new(PROVIDER_BIN)
        .arg("--debug")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut reattach = None;
    for _ in 0..10 {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if let Some(v) = line.trim().strip_prefix("TF_REATTACH_PROVIDERS='") {
            reattach = Some(v.trim_end_matches('\'').to_string());
            break;
        }
    }
    let reattach = reattach.expect("debug mode prints TF_REATTACH_PROVIDERS");
    let v: serde_json::Value = serde_json::from_str(&reattach).unwrap();
    assert_eq!(v["registry.terraform.io/local/ipam"]["Test"], true);
    let tf = Tf::new().env("TF_REATTACH_PROVIDERS", &reattach);
    tf.config("resource \"ipam\" \"x\" {\n  operating_regions { region_name = \"us-east-1\" }\n}\n");
    tf.apply();
    tf.assert_plan_empty();
    tf.destroy();
    child.kill().unwrap();
    child.wait().unwrap();
}
