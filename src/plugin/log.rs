//! Logs as go-plugin hosts read them: one JSON object a line on stderr with `@level`,
//! `@message` and `@timestamp`, which Terraform re-logs at that level under `TF_LOG`.

use std::fmt::Write as _;
use std::io::Write as _;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

struct JsonLines {
    max: Level,
}

#[derive(Default)]
struct Fields {
    message: String,
    extra: serde_json::Map<String, serde_json::Value>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_string();
        } else {
            self.extra.insert(field.name().to_string(), value.into());
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut s = String::new();
        let _ = write!(s, "{value:?}");
        if field.name() == "message" {
            self.message = s;
        } else {
            self.extra.insert(field.name().to_string(), s.into());
        }
    }
}

fn level_name(l: &Level) -> &'static str {
    match *l {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

impl<S: Subscriber> Layer<S> for JsonLines {
    fn enabled(&self, meta: &tracing::Metadata<'_>, _: Context<'_, S>) -> bool {
        // The transport crates (h2, hyper, tonic) log every frame at debug: keep their warnings only.
        let ours = meta.target().starts_with("terraform_provider_ipam");
        *meta.level() <= if ours { self.max } else { self.max.min(Level::WARN) }
    }
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut f = Fields::default();
        event.record(&mut f);
        let mut obj = f.extra;
        obj.insert("@level".into(), level_name(event.metadata().level()).into());
        obj.insert("@message".into(), f.message.into());
        obj.insert("@module".into(), "ipam".into());
        obj.insert(
            "@timestamp".into(),
            humantime::format_rfc3339_micros(std::time::SystemTime::now())
                .to_string()
                .into(),
        );
        let line = serde_json::Value::Object(obj).to_string();
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{line}");
    }
}

/// The level from `TF_LOG_PROVIDER` or `TF_LOG`; `None` when logging is off (Terraform then
/// discards provider stderr, so nothing is formatted at all).
pub fn level_from_env() -> Option<Level> {
    let v = std::env::var("TF_LOG_PROVIDER")
        .or_else(|_| std::env::var("TF_LOG"))
        .ok()?;
    match v.trim().to_ascii_uppercase().as_str() {
        "TRACE" | "JSON" => Some(Level::TRACE),
        "DEBUG" => Some(Level::DEBUG),
        "INFO" => Some(Level::INFO),
        "WARN" => Some(Level::WARN),
        "ERROR" => Some(Level::ERROR),
        "" | "OFF" => None,
        _ => Some(Level::TRACE),
    }
}

/// Installs the JSON stderr logger and a panic hook whose `panic: ` line Terraform reports.
pub fn init() {
    if let Some(max) = level_from_env() {
        let _ = tracing_subscriber::registry().with(JsonLines { max }).try_init();
    }
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let loc = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        // go-plugin switches to panic mode on a line starting "panic: " and logs it as an error.
        eprintln!("panic: {msg}\n\n{loc}");
    }));
}
