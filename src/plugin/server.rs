//! The go-plugin server: environment checks, the stdout handshake line, AutoMTLS, the gRPC
//! services Terraform talks to, and process lifecycle (Shutdown, SIGINT, panics).

use std::io::Write;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use base64::Engine;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{UnixListener, UnixStream};
use tokio_rustls::server::TlsStream;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::server::Connected;

use super::grpc::{Backend, ProviderService};
use super::proto::plugin as gp;
use super::proto::tfplugin6::provider_server::ProviderServer;

/// The magic cookie go-plugin hosts set for Terraform providers; fixed forever.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// The cookie's value.
pub const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// gRPC message limit in both directions, as terraform-plugin-go sets it.
const MAX_MESSAGE: usize = 256 << 20;

/// True when the process was started by a go-plugin host (Terraform).
pub fn launched_by_terraform() -> bool {
    std::env::var_os(MAGIC_COOKIE_KEY).is_some()
}

/// Why the server refused to start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "This binary is a Terraform plugin. It is started by Terraform, not by hand.\n\
         To use it, run `terraform-provider-ipam install` and then `terraform init`, or run `terraform-provider-ipam --help` for the command line."
    )]
    NoCookie,
    #[error(
        "Terraform offered plugin protocol versions {0:?}, but this provider speaks only version 6 (Terraform 1.0 or newer is required)."
    )]
    NoProtocol6(String),
    #[error("{0}")]
    Setup(String),
}

/// Checks the environment a go-plugin host provides: the magic cookie and protocol 6.
pub fn check_environment(cookie: Option<&str>, versions: Option<&str>) -> Result<(), ServeError> {
    if cookie != Some(MAGIC_COOKIE_VALUE) {
        return Err(ServeError::NoCookie);
    }
    if let Some(v) = versions
        && !v.split(',').any(|x| x.trim() == "6")
    {
        return Err(ServeError::NoProtocol6(v.to_string()));
    }
    Ok(())
}

/// The handshake line go-plugin expects first on stdout.
pub fn handshake_line(socket: &str, server_cert_der: Option<&[u8]>) -> String {
    let cert = server_cert_der
        .map(|d| base64::engine::general_purpose::STANDARD_NO_PAD.encode(d))
        .unwrap_or_default();
    format!("1|6|unix|{socket}|grpc|{cert}\n")
}

/// A connection, plain (debug mode) or TLS.
enum Conn {
    Plain(UnixStream),
    Tls(Box<TlsStream<UnixStream>>),
}

impl Connected for Conn {
    type ConnectInfo = ();
    fn connect_info(&self) {}
}

impl AsyncRead for Conn {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

struct Controller {
    shutdown: Arc<tokio::sync::Notify>,
}

#[tonic::async_trait]
impl gp::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(&self, _: tonic::Request<gp::Empty>) -> Result<tonic::Response<gp::Empty>, tonic::Status> {
        tracing::debug!("shutdown requested by Terraform");
        self.shutdown.notify_one();
        Ok(tonic::Response::new(gp::Empty {}))
    }
}

struct Stdio;

#[tonic::async_trait]
impl gp::grpc_stdio_server::GrpcStdio for Stdio {
    type StreamStdioStream = tokio_stream::Empty<Result<gp::StdioData, tonic::Status>>;
    async fn stream_stdio(
        &self,
        _: tonic::Request<gp::Empty>,
    ) -> Result<tonic::Response<Self::StreamStdioStream>, tonic::Status> {
        // The provider writes nothing to stdout after the handshake, so the stream stays empty.
        Ok(tonic::Response::new(tokio_stream::empty()))
    }
}

/// The first wait after a failed `accept`, doubled on each further failure up to the longest.
const ACCEPT_BACKOFF_FIRST: std::time::Duration = std::time::Duration::from_millis(5);
const ACCEPT_BACKOFF_MAX: std::time::Duration = std::time::Duration::from_secs(1);

/// Accepts connections and hands each to `handle` until `accept` returns `Ok(None)`. A failed
/// `accept` (out of file descriptors, EMFILE or ENFILE; out of memory, ENOMEM...) is retried after
/// a wait that doubles up to a second, so the loop never spins while the condition lasts; the
/// first success resets the wait.
pub async fn accept_loop<T, F, Fut>(mut accept: F, mut handle: impl FnMut(T))
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = std::io::Result<Option<T>>>,
{
    let mut wait = ACCEPT_BACKOFF_FIRST;
    loop {
        match accept().await {
            Ok(Some(conn)) => {
                wait = ACCEPT_BACKOFF_FIRST;
                handle(conn);
            }
            Ok(None) => return,
            Err(e) => {
                if wait == ACCEPT_BACKOFF_FIRST {
                    tracing::warn!(error = %e, "accepting a plugin connection failed; retrying with backoff");
                }
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(ACCEPT_BACKOFF_MAX);
            }
        }
    }
}

/// The listening socket's file, removed when dropped: on Shutdown, on a signal, when the parent
/// Terraform dies, when the server fails, and when the serving code unwinds from a panic.
struct SocketFile(PathBuf);

impl Drop for SocketFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// How often the provider checks that the Terraform that started it still runs.
const PARENT_CHECK: std::time::Duration = std::time::Duration::from_millis(500);

fn socket_path() -> PathBuf {
    let dir = std::env::var_os("PLUGIN_UNIX_SOCKET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    dir.join(format!("plugin{:016x}", rand::random::<u64>()))
}

/// Runs the plugin server as Terraform launches it. Returns the process exit code.
pub fn serve<B: Backend>(backend: Arc<B>) -> i32 {
    let cookie = std::env::var(MAGIC_COOKIE_KEY).ok();
    let versions = std::env::var("PLUGIN_PROTOCOL_VERSIONS").ok();
    if let Err(e) = check_environment(cookie.as_deref(), versions.as_deref()) {
        eprintln!("{e}");
        return 1;
    }
    let tls = match std::env::var("PLUGIN_CLIENT_CERT") {
        Ok(pem) if !pem.is_empty() => match super::tls::server_tls(&pem) {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!("cannot set up TLS: {e}");
                return 1;
            }
        },
        _ => None,
    };
    run(backend, tls, false)
}

/// Runs the server without Terraform launching it: plaintext, and prints a
/// `TF_REATTACH_PROVIDERS` value so Terraform can attach to a process under a debugger.
pub fn serve_debug<B: Backend>(backend: Arc<B>) -> i32 {
    run(backend, None, true)
}

fn run<B: Backend>(backend: Arc<B>, tls: Option<super::tls::ServerTls>, debug: bool) -> i32 {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return 1;
        }
    };
    // Taken before the handshake, so that a parent that dies as soon as it has read it is seen.
    let parent = std::os::unix::process::parent_id();
    rt.block_on(async move {
        let path = socket_path();
        let listener = match UnixListener::bind(&path) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("cannot listen on {}: {e}", path.display());
                return 1;
            }
        };
        let socket_file = SocketFile(path.clone());
        // SIGTERM and SIGHUP end the provider as Shutdown does (removing its socket file); their
        // handlers are in place before the handshake tells anyone the process is there.
        let terminating: Vec<tokio::signal::unix::Signal> = [
            tokio::signal::unix::SignalKind::terminate(),
            tokio::signal::unix::SignalKind::hangup(),
        ]
        .into_iter()
        .filter_map(|kind| tokio::signal::unix::signal(kind).ok())
        .collect();
        let path_str = path.display().to_string();
        if debug {
            let reattach = serde_json::json!({
                "registry.terraform.io/local/ipam": {
                    "Protocol": "grpc", "ProtocolVersion": 6, "Pid": std::process::id(), "Test": true,
                    "Addr": {"Network": "unix", "String": path_str}
                }
            });
            println!("Provider started. To attach Terraform, set in its environment:\n\n\tTF_REATTACH_PROVIDERS='{reattach}'\n\nPress Ctrl-C to stop.");
        } else {
            let line = handshake_line(&path_str, tls.as_ref().map(|t| t.cert_der.as_slice()));
            let mut out = std::io::stdout().lock();
            if out.write_all(line.as_bytes()).and_then(|_| out.flush()).is_err() {
                return 1;
            }
        }
        tracing::debug!(socket = %path_str, tls = tls.is_some(), "plugin server listening");

        let shutdown = Arc::new(tokio::sync::Notify::new());
        // Ctrl-C reaches every process of the terminal's group; Terraform answers it with
        // StopProvider, so the provider must survive the signal itself (go-plugin does the same).
        if !debug {
            if let Ok(mut sigint) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()) {
                tokio::spawn(async move {
                    while sigint.recv().await.is_some() {
                        tracing::debug!("ignoring SIGINT; Terraform stops the provider with StopProvider");
                    }
                });
            }
        } else {
            let s = shutdown.clone();
            tokio::spawn(async move {
                let _ = tokio::signal::ctrl_c().await;
                s.notify_one();
            });
        }

        for signal in terminating {
            let s = shutdown.clone();
            tokio::spawn(async move {
                let mut signal = signal;
                if signal.recv().await.is_some() {
                    tracing::debug!("terminating on a signal");
                    s.notify_one();
                }
            });
        }
        // A provider whose Terraform died (killed with SIGKILL, so it never sent Shutdown) is
        // adopted by another process: it exits instead of serving no one forever.
        if !debug {
            let s = shutdown.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(PARENT_CHECK).await;
                    if std::os::unix::process::parent_id() != parent {
                        tracing::debug!("the parent Terraform process is gone; exiting");
                        s.notify_one();
                        return;
                    }
                }
            });
        }

        let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Conn>>(16);
        let acceptor = tls.map(|t| tokio_rustls::TlsAcceptor::from(t.config));
        let listener = Arc::new(listener);
        tokio::spawn(accept_loop(
            move || {
                let listener = listener.clone();
                async move { listener.accept().await.map(|(stream, _)| Some(stream)) }
            },
            move |stream| {
                let tx = tx.clone();
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let conn = match acceptor {
                        Some(a) => match a.accept(stream).await {
                            Ok(s) => Conn::Tls(Box::new(s)),
                            Err(e) => {
                                tracing::warn!(error = %e, "TLS handshake with the plugin client failed");
                                return;
                            }
                        },
                        None => Conn::Plain(stream),
                    };
                    let _ = tx.send(Ok(conn)).await;
                });
            },
        ));

        let (health_reporter, health_service) = tonic_health::server::health_reporter();
        health_reporter.set_service_status("plugin", tonic_health::ServingStatus::Serving).await;
        let provider = ProviderServer::new(ProviderService::new(backend))
            .max_decoding_message_size(MAX_MESSAGE)
            .max_encoding_message_size(MAX_MESSAGE);
        let wait = shutdown.clone();
        let server = tonic::transport::Server::builder()
            .add_service(provider)
            .add_service(gp::grpc_controller_server::GrpcControllerServer::new(Controller { shutdown: shutdown.clone() }))
            .add_service(gp::grpc_stdio_server::GrpcStdioServer::new(Stdio))
            .add_service(health_service)
            .serve_with_incoming_shutdown(ReceiverStream::new(rx), async move { wait.notified().await });
        // Shutdown means exit now: go-plugin kills the process two seconds later otherwise, and
        // open client connections would keep a graceful stop waiting. `biased` polls this
        // branch's `notified()` first, so it is the first waiter and the one `notify_one` wakes
        // (tokio wakes waiters in FIFO order); the server's own shutdown signal never wins.
        tokio::select! {
            biased;
            _ = shutdown.notified() => {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            r = server => {
                if let Err(e) = r { tracing::error!(error = %e, "plugin server failed"); }
            }
        }
        drop(socket_file);
        0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_and_protocol_checks() {
        assert!(matches!(
            check_environment(None, Some("5,6")),
            Err(ServeError::NoCookie)
        ));
        assert!(matches!(
            check_environment(Some("wrong"), Some("5,6")),
            Err(ServeError::NoCookie)
        ));
        assert!(matches!(
            check_environment(Some(MAGIC_COOKIE_VALUE), Some("4,5")),
            Err(ServeError::NoProtocol6(_))
        ));
        assert!(check_environment(Some(MAGIC_COOKIE_VALUE), Some("5,6")).is_ok());
        assert!(check_environment(Some(MAGIC_COOKIE_VALUE), None).is_ok());
    }

    /// Accepting while out of file descriptors fails at once every time: the loop waits between
    /// attempts (5 ms doubling to 1 s) instead of spinning. Time is tokio's paused clock, so the
    /// test measures attempts against virtual time, not the machine's speed.
    #[tokio::test(start_paused = true)]
    async fn the_accept_loop_backs_off_while_accepting_fails() {
        let attempts = std::cell::Cell::new(0u32);
        let start = tokio::time::Instant::now();
        accept_loop(
            || {
                attempts.set(attempts.get() + 1);
                let n = attempts.get();
                async move {
                    match n {
                        1..=20 => Err(std::io::Error::from_raw_os_error(24)), // EMFILE
                        21 => Ok(Some(())),
                        22 => Err(std::io::Error::from_raw_os_error(23)), // ENFILE
                        _ => Ok(None),
                    }
                }
            },
            |()| {},
        )
        .await;
        let waited = start.elapsed();
        // 5+10+20+40+80+160+320+640 ms, then 1 s for each of the 12 further failures; the
        // success resets the wait to 5 ms for the failure after it.
        assert_eq!(waited, std::time::Duration::from_millis(1275 + 12_000 + 5));
        assert_eq!(attempts.get(), 23);
    }

    #[test]
    fn handshake_line_format() {
        assert_eq!(handshake_line("/tmp/plugin1", None), "1|6|unix|/tmp/plugin1|grpc|\n");
        // Unpadded standard base64 of the DER.
        assert_eq!(
            handshake_line("/tmp/p", Some(&[0xff, 0xfe])),
            "1|6|unix|/tmp/p|grpc|//4\n"
        );
    }
}
