//! The binary as a process: run by hand, run wrongly, run in debug mode for Terraform to attach.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::fixtures::{HOME_IPAM, pool_with_cidr_on};
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

/// The magic cookie go-plugin hosts pass to Terraform providers.
const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// A client identity as go-plugin makes one for AutoMTLS: a self-signed `localhost` certificate
/// marked `CA:TRUE`, and its key.
struct ClientIdentity {
    pem: String,
    der: Vec<u8>,
    key: Vec<u8>,
}

impl ClientIdentity {
    fn generate() -> ClientIdentity {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let cert = params.self_signed(&key).unwrap();
        ClientIdentity {
            pem: cert.pem(),
            der: cert.der().to_vec(),
            key: key.serialize_der(),
        }
    }
}

/// Trusts exactly the server certificate of the handshake line, as go-plugin's client does.
#[derive(Debug)]
struct PinnedServer {
    cert: Vec<u8>,
    algorithms: rustls::crypto::WebPkiSupportedAlgorithms,
}

impl rustls::client::danger::ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &rustls::pki_types::CertificateDer<'_>,
        _: &[rustls::pki_types::CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.cert.as_slice() {
            Ok(rustls::client::danger::ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "not the server certificate of the handshake line".into(),
            ))
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The provider binary launched the way go-plugin launches it (cookie, protocol versions, client
/// certificate in `PLUGIN_CLIENT_CERT`, `TF_LOG_PROVIDER=debug`), with its handshake line read
/// and its stderr collected. The process is killed on drop if it is still running.
struct Plugin {
    child: std::process::Child,
    socket: std::path::PathBuf,
    server_cert: Vec<u8>,
    stderr: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    dir: tempfile::TempDir,
}

impl Plugin {
    fn launch(client_cert_pem: &str) -> Plugin {
        use base64::Engine;
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(PROVIDER_BIN)
            .current_dir(dir.path())
            .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
            .env("PLUGIN_CLIENT_CERT", client_cert_pem)
            .env("TF_LOG_PROVIDER", "debug")
            .env_remove("TF_LOG")
            .env_remove("IPAM_DATABASE")
            .env_remove("IPAM_ACCOUNT_ID")
            .env_remove("IPAM_REGION")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let f: Vec<&str> = line.trim_end().split('|').collect();
        assert_eq!(f.len(), 6, "handshake line: {line:?}");
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let lines = stderr.clone();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for l in BufReader::new(err).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(l);
            }
        });
        Plugin {
            socket: f[3].into(),
            server_cert: base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(f[5])
                .expect("certificate in the handshake line"),
            child,
            stderr,
            dir,
        }
    }

    /// The stderr lines so far.
    fn stderr(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }

    /// A gRPC channel to the plugin over mutual TLS, presenting `identity` (`None`: no client
    /// certificate). tonic's channel speaks HTTP/2 to a loopback relay that opens one TLS session
    /// on the plugin's unix socket per connection, as go-plugin's client does.
    async fn channel(&self, identity: Option<&ClientIdentity>) -> tonic::transport::Channel {
        use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap()
            .dangerous()
            .with_custom_certificate_verifier(std::sync::Arc::new(PinnedServer {
                cert: self.server_cert.clone(),
                algorithms: provider.signature_verification_algorithms,
            }));
        let config = match identity {
            Some(id) => builder
                .with_client_auth_cert(
                    vec![CertificateDer::from(id.der.clone())],
                    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(id.key.clone())),
                )
                .unwrap(),
            None => builder.with_no_client_auth(),
        };
        let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
        let relay = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = relay.local_addr().unwrap();
        let socket = self.socket.clone();
        tokio::spawn(async move {
            while let Ok((mut tcp, _)) = relay.accept().await {
                let connector = connector.clone();
                let socket = socket.clone();
                tokio::spawn(async move {
                    let Ok(unix) = tokio::net::UnixStream::connect(&socket).await else {
                        return;
                    };
                    let name = ServerName::try_from("localhost").unwrap();
                    let Ok(mut tls) = connector.connect(name, unix).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut tcp, &mut tls).await;
                });
            }
        });
        tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
            .unwrap()
            .connect_lazy()
    }

    /// The tfplugin6 client, with the 256 MiB limits Terraform's client allows itself.
    fn provider(
        channel: &tonic::transport::Channel,
    ) -> tfplugin6::provider_client::ProviderClient<tonic::transport::Channel> {
        tfplugin6::provider_client::ProviderClient::new(channel.clone())
            .max_decoding_message_size(256 << 20)
            .max_encoding_message_size(256 << 20)
    }
}

impl Drop for Plugin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

use terraform_provider_ipam::plugin::proto::{plugin as goplugin, tfplugin6};
use terraform_provider_ipam::plugin::value::Value;

/// The provider configuration as Terraform sends it: msgpack of the provider schema's type.
fn provider_config(attrs: &[(&str, Value)]) -> tfplugin6::DynamicValue {
    let ty = terraform_provider_ipam::provider::config::schema().block.implied_type();
    let v = Value::Object(attrs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect());
    tfplugin6::DynamicValue {
        msgpack: terraform_provider_ipam::plugin::codec::to_msgpack(&ty, &v).unwrap(),
        json: vec![],
    }
}

fn summaries(d: &[tfplugin6::Diagnostic]) -> Vec<String> {
    d.iter().map(|d| format!("{}: {}", d.summary, d.detail)).collect()
}

/// Waits up to `limit` for the process to exit; its status, or `None` if it still runs.
fn wait_exit(child: &mut std::process::Child, limit: std::time::Duration) -> Option<std::process::ExitStatus> {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if let Some(s) = child.try_wait().unwrap() {
            return Some(s);
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_provider_refuses_new_work_and_shutdown_exits_at_once() {
    let id = ClientIdentity::generate();
    let mut plugin = Plugin::launch(&id.pem);
    let channel = plugin.channel(Some(&id)).await;
    let mut p = Plugin::provider(&channel);
    let db = plugin.dir.path().join("ipam.db").display().to_string();
    let r = p
        .configure_provider(tfplugin6::configure_provider::Request {
            config: Some(provider_config(&[("database", Value::str(db))])),
            ..Default::default()
        })
        .await
        .expect("ConfigureProvider over mutual TLS")
        .into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", summaries(&r.diagnostics));
    let import = || tfplugin6::import_resource_state::Request {
        type_name: "ipam".into(),
        id: "ipam-0123456789abcdef0".into(),
        ..Default::default()
    };
    // Before StopProvider the operation runs (and finds nothing to import).
    let r = p.import_resource_state(import()).await.unwrap().into_inner();
    let d = summaries(&r.diagnostics);
    assert!(d.iter().any(|s| s.starts_with("IPAM not found")), "{d:?}");

    let r = p
        .stop_provider(tfplugin6::stop_provider::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.error, "", "StopProvider succeeds");
    let r = p.import_resource_state(import()).await.unwrap().into_inner();
    let d = summaries(&r.diagnostics);
    assert!(
        r.imported_resources.is_empty() && d.iter().any(|s| s.starts_with("Provider stopped")),
        "an operation after StopProvider is refused: {d:?}"
    );
    let r = p
        .read_data_source(tfplugin6::read_data_source::Request {
            type_name: "ipam_ipams".into(),
            config: Some(tfplugin6::DynamicValue::default()),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let d = summaries(&r.diagnostics);
    assert!(d.iter().any(|s| s.starts_with("Provider stopped")), "{d:?}");

    // GRPCController.Shutdown: the process exits at once, though the client connection is open.
    goplugin::grpc_controller_client::GrpcControllerClient::new(channel.clone())
        .shutdown(goplugin::Empty {})
        .await
        .expect("Shutdown answers before the process exits");
    let status = wait_exit(&mut plugin.child, std::time::Duration::from_secs(1))
        .expect("the provider exits within a second of Shutdown");
    assert!(status.success(), "{status:?}");
    assert!(!plugin.socket.exists(), "the socket file is removed");
    drop(channel);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_without_the_pinned_certificate_is_refused() {
    let id = ClientIdentity::generate();
    let plugin = Plugin::launch(&id.pem);
    let stranger = ClientIdentity::generate();
    for (who, identity) in [("another certificate", Some(&stranger)), ("no certificate", None)] {
        let channel = plugin.channel(identity).await;
        let r = Plugin::provider(&channel)
            .get_metadata(tfplugin6::get_metadata::Request {})
            .await;
        assert!(r.is_err(), "a client with {who} must be refused, got {r:?}");
    }
    // The provider logs the refusal on stderr, which a reader thread collects: wait for it.
    let mut log = String::new();
    for _ in 0..200 {
        log = plugin.stderr().join("\n");
        if log.contains("client certificate is not the one given in PLUGIN_CLIENT_CERT") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(
        log.contains("client certificate is not the one given in PLUGIN_CLIENT_CERT"),
        "the refusal is the certificate pinning: {log}"
    );
    // The certificate Terraform passed still works on the same process.
    let channel = plugin.channel(Some(&id)).await;
    let r = Plugin::provider(&channel)
        .get_metadata(tfplugin6::get_metadata::Request {})
        .await
        .expect("the pinned client certificate is accepted")
        .into_inner();
    assert!(r.resources.iter().any(|x| x.type_name == "ipam"), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rpcs_the_provider_does_not_serve_answer_unimplemented() {
    use tonic::codegen::http::uri::PathAndQuery;
    let id = ClientIdentity::generate();
    let plugin = Plugin::launch(&id.pem);
    let channel = plugin.channel(Some(&id)).await;
    // tfplugin6 RPCs of later protocol minors than this provider serves: GetFunctions (6.5),
    // GetResourceIdentitySchemas (6.9, which Terraform 1.12+ calls), and a made-up one.
    for method in [
        "/tfplugin6.Provider/GetFunctions",
        "/tfplugin6.Provider/GetResourceIdentitySchemas",
        "/tfplugin6.Provider/NoSuchMethod",
        "/tfplugin6.NoSuchService/GetMetadata",
    ] {
        let mut grpc = tonic::client::Grpc::new(channel.clone());
        grpc.ready().await.unwrap();
        let codec: tonic_prost::ProstCodec<tfplugin6::get_metadata::Request, tfplugin6::get_metadata::Response> =
            tonic_prost::ProstCodec::default();
        let r = grpc
            .unary(
                tonic::Request::new(tfplugin6::get_metadata::Request {}),
                PathAndQuery::from_static(method),
                codec,
            )
            .await;
        match r {
            Err(s) => assert_eq!(s.code(), tonic::Code::Unimplemented, "{method}: {s:?}"),
            Ok(r) => panic!("{method} answered {r:?}"),
        }
    }
    // The connection is still good for the RPCs the provider serves.
    Plugin::provider(&channel)
        .get_metadata(tfplugin6::get_metadata::Request {})
        .await
        .expect("GetMetadata is served");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_twice_tonics_default_limit_is_accepted() {
    let id = ClientIdentity::generate();
    let plugin = Plugin::launch(&id.pem);
    let channel = plugin.channel(Some(&id)).await;
    // 8 MiB: twice tonic's 4 MiB default decoding limit, well under the 256 MiB go-plugin allows.
    let database = format!("{}/{}.db", plugin.dir.path().display(), "d".repeat(8 << 20));
    let config = provider_config(&[("database", Value::str(database))]);
    assert!(config.msgpack.len() > 8 << 20);
    let r = Plugin::provider(&channel)
        .validate_provider_config(tfplugin6::validate_provider_config::Request { config: Some(config) })
        .await
        .expect("an 8 MiB request is decoded")
        .into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", summaries(&r.diagnostics));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stderr_carries_json_log_lines_at_the_level_asked_for() {
    let id = ClientIdentity::generate();
    let plugin = Plugin::launch(&id.pem);
    let channel = plugin.channel(Some(&id)).await;
    Plugin::provider(&channel)
        .stop_provider(tfplugin6::stop_provider::Request {})
        .await
        .unwrap();
    // The lines go-plugin re-logs: one JSON object each, with @level, @message and @timestamp.
    let mut seen = Vec::new();
    for _ in 0..200 {
        seen = plugin.stderr();
        if seen.iter().any(|l| l.contains("StopProvider received")) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let entries: Vec<serde_json::Value> = seen
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("stderr line is not JSON ({e}): {l}")))
        .collect();
    let find = |msg: &str| {
        entries
            .iter()
            .find(|e| e["@message"] == msg)
            .unwrap_or_else(|| panic!("no {msg:?} in {seen:?}"))
    };
    let listening = find("plugin server listening");
    assert_eq!(listening["@level"], "debug");
    assert_eq!(listening["tls"], "true");
    assert_eq!(find("StopProvider received")["@level"], "info");
    let ts = listening["@timestamp"].as_str().unwrap();
    assert!(humantime::parse_rfc3339(ts).is_ok(), "{ts}");
}

#[test]
fn terraform_shows_provider_logs_at_the_level_of_tf_log_provider() {
    let config = "resource \"ipam\" \"x\" {\n  operating_regions { region_name = \"us-east-1\" }\n}\n";
    let provider_lines = |level: &str| {
        let tf = Tf::new().env("TF_LOG_PROVIDER", level);
        tf.config(config);
        let o = tf.run(&["plan", "-input=false", "-no-color"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stderr)
            .lines()
            .filter(|l| l.contains("provider.terraform-provider-ipam:"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let debug = provider_lines("debug");
    assert!(
        debug
            .iter()
            .any(|l| l.contains("[DEBUG] provider.terraform-provider-ipam: plugin server listening:")),
        "the provider's own debug lines, at DEBUG: {debug:#?}"
    );
    assert!(
        debug.iter().all(|l| !l.contains("{\"@")),
        "every line was parsed as JSON, none passed through raw: {debug:#?}"
    );
    let info = provider_lines("info");
    assert!(
        info.iter().all(|l| !l.contains("[DEBUG]")),
        "TF_LOG_PROVIDER=info hides debug lines: {info:#?}"
    );
    let error = provider_lines("error");
    assert!(error.is_empty(), "TF_LOG_PROVIDER=error shows none: {error:#?}");
}

#[test]
fn a_panic_is_reported_as_a_panic_line_on_stderr() {
    // A real panic of the binary, with no test hook: in debug mode the reattach value is printed
    // with `println!`, which panics when stdout is a pipe nobody reads.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(PROVIDER_BIN)
        .arg("--debug")
        .env_remove("TF_LOG")
        .env_remove("TF_LOG_PROVIDER")
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    let first = err.lines().next().unwrap_or_default();
    // go-plugin logs every line from one starting "panic: " on as an error.
    assert!(
        first.starts_with("panic: ") && first.contains("failed printing to stdout"),
        "first stderr line: {err}"
    );
    assert!(
        err.lines()
            .any(|l| l.rsplit_once(".rs:").is_some_and(|(_, n)| n.parse::<u32>().is_ok())),
        "the location (file:line) follows: {err}"
    );
    assert!(!err.contains("panicked at"), "Rust's default hook is replaced: {err}");
}

// Installed as Terraform installs providers: `install` into the implied mirror, and the files of
// scripts/release.sh through a filesystem mirror and a network mirror. No development overrides,
// no registry.

/// `terraform init` output when a CLI configuration overrides the provider: must never appear.
const OVERRIDES_WARNING: &str = "Provider development overrides are in effect";

/// The provider's version, from Cargo.toml.
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `terraform-provider-ipam install` with `HOME` set to `home` and the given arguments.
fn install(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(PROVIDER_BIN)
        .arg("install")
        .args(args)
        .env("HOME", home)
        .env_remove("TF_CLI_CONFIG_FILE")
        .env_remove("XDG_DATA_HOME")
        .env_remove("XDG_DATA_DIRS")
        .output()
        .unwrap()
}

fn text(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr)
}

/// The `h1:` hashes `.terraform.lock.hcl` records for `local/ipam` (after checking it names it
/// with the version and constraint).
fn locked_hashes(tf: &Tf) -> Vec<String> {
    let lock = std::fs::read_to_string(tf.path().join(".terraform.lock.hcl")).expect("a lock file");
    assert!(lock.contains("provider \"registry.terraform.io/local/ipam\""), "{lock}");
    assert!(lock.contains(&format!("version     = \"{VERSION}\"")), "{lock}");
    lock.split('"')
        .filter(|s| s.starts_with("h1:"))
        .map(String::from)
        .collect()
}

/// `init` (which must record `local/ipam` with `hash` in the lock file), `apply`, empty plans and
/// `destroy` of a configuration that pins the provider's version, none of them warning about
/// development overrides.
fn init_apply_destroy(tf: &Tf, hash: &str) {
    tf.raw_config(&format!(
        "terraform {{\n  required_providers {{\n    ipam = {{\n      source  = \"local/ipam\"\n      version = \"{VERSION}\"\n    }}\n  }}\n}}\n{}\n{}{}",
        tf.provider_block(),
        pool_with_cidr_on(HOME_IPAM, "10.0.0.0/16"),
        r#"
resource "ipam_pool_allocation" "a" {
  ipam_pool_id   = ipam_pool.p.id
  netmask_length = 24
  depends_on     = [ipam_pool_cidr.c]
}
"#
    ));
    let mut outputs = vec![tf.ok(&["init", "-input=false", "-no-color"])];
    assert_eq!(locked_hashes(tf), [hash], "the lock file records the package hash");
    outputs.push(tf.apply());
    assert_eq!(tf.attr("ipam_pool_allocation.a", "cidr"), "10.0.0.0/24");
    for extra in [&["-refresh=false"][..], &[][..]] {
        let (code, out) = tf.plan_code(extra);
        assert_eq!(code, 0, "plan {extra:?} was not empty:\n{out}");
        outputs.push(out);
    }
    outputs.push(tf.destroy());
    for out in outputs {
        assert!(!out.contains(OVERRIDES_WARNING), "{out}");
    }
}

#[test]
fn install_lets_terraform_init_find_the_provider_with_no_cli_configuration() {
    let home = tempfile::tempdir().unwrap();
    let out = install(home.path(), &[]);
    let first = text(&out);
    assert!(out.status.success(), "{first}");
    let platform = format!(
        "{}_{}",
        std::env::consts::OS,
        match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            a => a,
        }
    );
    let installed = home.path().join(format!(
        ".terraform.d/plugins/registry.terraform.io/local/ipam/{VERSION}/{platform}/terraform-provider-ipam_v{VERSION}"
    ));
    assert!(first.starts_with("installed terraform-provider-ipam"), "{first}");
    assert!(first.contains(&installed.display().to_string()), "{first}");
    assert!(first.contains("source  = \"local/ipam\""), "{first}");
    assert!(first.contains(&format!("version = \"{VERSION}\"")), "{first}");
    assert_eq!(std::fs::read(&installed).unwrap(), std::fs::read(PROVIDER_BIN).unwrap());
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let before = std::fs::metadata(&installed).unwrap();
    assert_eq!(before.permissions().mode() & 0o111, 0o111, "executable");
    let hash = first
        .lines()
        .find_map(|l| l.strip_prefix("package hash: "))
        .expect("the package hash is printed")
        .to_string();

    // Twice: nothing is written again.
    let again = install(home.path(), &[]);
    assert!(again.status.success(), "{}", text(&again));
    assert!(text(&again).starts_with("already installed"), "{}", text(&again));
    let after = std::fs::metadata(&installed).unwrap();
    assert_eq!((after.ino(), after.mtime_nsec()), (before.ino(), before.mtime_nsec()));

    // No CLI configuration at all: no TF_CLI_CONFIG_FILE, and HOME has no .terraformrc.
    init_apply_destroy(&Tf::installed(home.path(), None), &hash);

    // A different build of the same version is replaced, with the lock-file hint.
    std::fs::write(&installed, b"an older build").unwrap();
    let replaced = text(&install(home.path(), &[]));
    assert!(replaced.starts_with("replaced"), "{replaced}");
    assert!(replaced.contains("terraform init -upgrade"), "{replaced}");
    assert_eq!(std::fs::read(&installed).unwrap(), std::fs::read(PROVIDER_BIN).unwrap());

    // Where Terraform would not look, the output says what to add to the CLI configuration.
    let elsewhere = home.path().join("mirror");
    let out = text(&install(home.path(), &["--plugin-dir", elsewhere.to_str().unwrap()]));
    assert!(out.contains("is not one of Terraform's implied mirrors"), "{out}");
    assert!(out.contains(&format!("path    = \"{}\"", elsewhere.display())), "{out}");
    std::fs::write(
        home.path().join(".terraformrc"),
        "provider_installation {\n  direct {}\n}\n",
    )
    .unwrap();
    let out = text(&install(home.path(), &[]));
    assert!(out.contains(".terraformrc has a provider_installation block"), "{out}");
    assert!(out.contains("filesystem_mirror {"), "{out}");
}

#[test]
fn install_into_a_directory_it_cannot_write_fails_clearly_and_writes_nothing() {
    let home = tempfile::tempdir().unwrap();
    // A path under a regular file cannot be created, not even by root.
    let file = home.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let under_file = file.join("plugins");
    let out = install(home.path(), &["--plugin-dir", under_file.to_str().unwrap()]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains(&format!("error: cannot create {}", under_file.display())),
        "{t}"
    );
    assert!(
        t.contains("nothing was installed") && t.contains("hint: give a directory you can write with --plugin-dir"),
        "{t}"
    );
    // A read-only file system (root cannot write there either).
    let ro = home.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs"])
        .arg(&ro)
        .status()
        .unwrap();
    assert!(mounted.success(), "mounting a read-only tmpfs needs root, as CI has");
    let out = install(home.path(), &["--plugin-dir", ro.to_str().unwrap()]);
    let listing: Vec<_> = std::fs::read_dir(&ro).unwrap().collect();
    let _ = Command::new("umount").arg(&ro).status();
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("Read-only file system") && t.contains("nothing was installed"),
        "{t}"
    );
    assert!(listing.is_empty(), "nothing written");
    assert!(!home.path().join(".terraform.d").exists());
}

/// A static HTTPS server on loopback serving `root` (Python's http.server with a self-signed
/// certificate for 127.0.0.1); its request log goes to `log`. Killed when dropped.
struct HttpsServer {
    child: std::process::Child,
    port: u16,
}

impl HttpsServer {
    fn start(
        root: &std::path::Path,
        cert: &std::path::Path,
        key: &std::path::Path,
        log: &std::path::Path,
    ) -> HttpsServer {
        const SERVER: &str = r#"
import functools, http.server, ssl, sys
root, cert, key = sys.argv[1:]
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=root)
httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
print(httpd.server_address[1], flush=True)
httpd.serve_forever()
"#;
        let mut child = Command::new("python3")
            .args(["-c", SERVER])
            .args([root, cert, key])
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .expect("python3 (which scripts/release.sh needs too)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().unwrap_or_else(|_| panic!("server port: {line:?}"));
        HttpsServer { child, port }
    }
}

impl Drop for HttpsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn release_files_install_through_a_filesystem_mirror_and_a_network_mirror() {
    use sha2::{Digest, Sha256};
    let work = tempfile::tempdir().unwrap();
    let dist = work.path().join("dist");
    // The binary cargo built for the tests stands in for the release build.
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/release.sh");
    let out = Command::new(&script)
        .arg(&dist)
        .env("RELEASE_BINARY", PROVIDER_BIN)
        .output()
        .unwrap();
    assert!(out.status.success(), "release.sh failed:\n{}", text(&out));

    let platform = "linux_amd64";
    let zip_name = format!("terraform-provider-ipam_{VERSION}_{platform}.zip");
    let zip = std::fs::read(dist.join(&zip_name)).unwrap();
    let sums = std::fs::read_to_string(dist.join(format!("terraform-provider-ipam_{VERSION}_SHA256SUMS"))).unwrap();
    assert_eq!(sums, format!("{:x}  {zip_name}\n", Sha256::digest(&zip)));
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dist.join(format!("terraform-provider-ipam_{VERSION}_manifest.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["metadata"]["protocol_versions"], serde_json::json!(["6.0"]));
    let mirror = dist.join("mirror");
    let package_dir = mirror.join("registry.terraform.io/local/ipam");
    assert_eq!(std::fs::read(package_dir.join(&zip_name)).unwrap(), zip);
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(package_dir.join("index.json")).unwrap()).unwrap();
    assert_eq!(index, serde_json::json!({ "versions": { VERSION: {} } }));
    let version: serde_json::Value =
        serde_json::from_slice(&std::fs::read(package_dir.join(format!("{VERSION}.json"))).unwrap()).unwrap();
    assert_eq!(version["archives"][platform]["url"], zip_name.as_str());
    let hash = version["archives"][platform]["hashes"][0].as_str().unwrap().to_string();
    assert!(hash.starts_with("h1:"), "{version}");

    // The zip holds exactly the executable: what Terraform unpacks is the built binary.
    let unpacked = |tf: &Tf| {
        let dir = tf.path().join(format!(
            ".terraform/providers/registry.terraform.io/local/ipam/{VERSION}/{platform}"
        ));
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, [format!("terraform-provider-ipam_v{VERSION}")]);
        assert_eq!(
            std::fs::read(dir.join(&names[0])).unwrap(),
            std::fs::read(PROVIDER_BIN).unwrap()
        );
    };
    let home = tempfile::tempdir().unwrap();

    // A filesystem mirror (packed layout), as on an offline CI runner.
    let filesystem = Tf::installed(
        home.path(),
        Some(&format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"registry.terraform.io/local/*\"]\n  }}\n  direct {{\n    exclude = [\"registry.terraform.io/local/*\"]\n  }}\n}}\n",
            mirror.display()
        )),
    );
    init_apply_destroy(&filesystem, &hash);
    unpacked(&filesystem);

    // The same directory served over HTTPS as a network mirror, its certificate trusted through
    // SSL_CERT_FILE. Terraform checks the download against the h1: hash the mirror lists.
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let (cert_path, key_path, log) = (
        work.path().join("cert.pem"),
        work.path().join("key.pem"),
        work.path().join("requests.log"),
    );
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    let server = HttpsServer::start(&mirror, &cert_path, &key_path, &log);
    let network = Tf::installed(
        home.path(),
        Some(&format!(
            "provider_installation {{\n  network_mirror {{\n    url     = \"https://127.0.0.1:{}/\"\n    include = [\"registry.terraform.io/local/*\"]\n  }}\n  direct {{\n    exclude = [\"registry.terraform.io/local/*\"]\n  }}\n}}\n",
            server.port
        )),
    )
    .env("SSL_CERT_FILE", cert_path.to_str().unwrap());
    init_apply_destroy(&network, &hash);
    unpacked(&network);
    let requests = std::fs::read_to_string(&log).unwrap();
    for path in ["index.json", &format!("{VERSION}.json"), &zip_name] {
        assert!(
            requests.contains(&format!("GET /registry.terraform.io/local/ipam/{path} HTTP/1.1\" 200")),
            "{path} was served:\n{requests}"
        );
    }
    drop(server);
}

/// Starts the provider as Terraform would, from a shell that stands in for Terraform, with its
/// socket in a directory of its own; returns the shell, the provider's process ID and the socket.
fn launch_under_a_shell(socket_dir: &std::path::Path) -> (std::process::Child, u32, std::path::PathBuf) {
    let mut shell = Command::new("sh")
        .args(["-c", "\"$0\" & echo \"pid $!\"; wait", PROVIDER_BIN])
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("PLUGIN_UNIX_SOCKET_DIR", socket_dir)
        .env_remove("PLUGIN_CLIENT_CERT")
        .env_remove("TF_LOG")
        .env_remove("TF_LOG_PROVIDER")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(shell.stdout.take().unwrap());
    let (mut pid, mut socket) = (None, None);
    while pid.is_none() || socket.is_none() {
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "the provider did not start");
        if let Some(p) = line.trim().strip_prefix("pid ") {
            pid = Some(p.parse().unwrap());
        } else {
            socket = Some(std::path::PathBuf::from(line.split('|').nth(3).unwrap()));
        }
    }
    let socket = socket.unwrap();
    assert!(
        socket.starts_with(socket_dir) && socket.exists(),
        "{}",
        socket.display()
    );
    (shell, pid.unwrap(), socket)
}

fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|s| !s.rsplit(')').next().unwrap_or("").trim_start().starts_with('Z'))
}

/// Waits (up to a generous limit: this is about whether, not how fast) for `pid` to end.
fn ends(pid: u32) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(20) {
        if !running(pid) {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    false
}

/// When the Terraform that started it dies without a word (SIGKILL, so no Shutdown), the provider
/// exits and removes its socket instead of serving no one forever; SIGTERM ends it cleanly too.
#[test]
fn the_provider_exits_with_its_parent_and_on_sigterm_leaving_no_socket() {
    let dir = tempfile::tempdir().unwrap();
    let (mut shell, pid, socket) = launch_under_a_shell(dir.path());
    shell.kill().unwrap();
    shell.wait().unwrap();
    let ended = ends(pid);
    if !ended {
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
    }
    assert!(ended, "the provider outlived its parent");
    assert!(!socket.exists(), "socket file left behind: {}", socket.display());

    let (mut shell, pid, socket) = launch_under_a_shell(dir.path());
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap()
            .success()
    );
    assert!(ends(pid), "SIGTERM did not end the provider");
    shell.wait().unwrap();
    assert!(!socket.exists(), "socket file left behind: {}", socket.display());
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
}
