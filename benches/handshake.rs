//! Time from exec to the go-plugin handshake line on stdout, as Terraform starts the provider
//! (magic cookie, protocol versions and an AutoMTLS client certificate in the environment).
//!
//! Run: `cargo bench --bench handshake`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

fn client_cert_pem() -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.self_signed(&key).unwrap().pem()
}

fn handshake(c: &mut Criterion) {
    let bin = env!("CARGO_BIN_EXE_terraform-provider-ipam");
    let pem = client_cert_pem();
    let mut g = c.benchmark_group("provider process");
    g.sample_size(50).measurement_time(Duration::from_secs(5));
    g.bench_function("exec to handshake line", |b| {
        b.iter(|| {
            let mut child = Command::new(bin)
                .env(
                    "TF_PLUGIN_MAGIC_COOKIE",
                    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
                )
                .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
                .env("PLUGIN_CLIENT_CERT", &pem)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let mut line = String::new();
            BufReader::new(child.stdout.take().unwrap())
                .read_line(&mut line)
                .unwrap();
            assert!(line.starts_with("1|6|unix|"), "{line}");
            child.kill().unwrap();
            child.wait().unwrap();
        })
    });
    g.finish();
}

criterion_group!(benches, handshake);
criterion_main!(benches);
