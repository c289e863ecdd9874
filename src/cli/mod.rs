//! The command line a person uses: the same binary as the provider. `tree`, `export`, `history`,
//! `check`, `report` and `orphans` read the database; `release` frees allocations.

mod export;
mod report;
mod tree;

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};

use crate::ipam::cidr::Cidr;
use crate::plugin::server;
use crate::provider::IpamProvider;
use crate::store::Store;

/// terraform-provider-ipam: an Amazon VPC IPAM model for Terraform on a local SQLite database.
///
/// Terraform starts this binary as its `ipam` provider. Run by hand, it is a command line over
/// the same database.
#[derive(Parser, Debug)]
#[command(name = "terraform-provider-ipam", version, about, long_about = None)]
pub struct Cli {
    /// Serve the provider without Terraform launching it and print a TF_REATTACH_PROVIDERS value,
    /// to attach Terraform to a provider running under a debugger.
    #[arg(long)]
    pub debug: bool,
    /// The SQLite database.
    #[arg(long, global = true, env = "IPAM_DATABASE", default_value = "terraform-ipam.db")]
    pub database: PathBuf,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Text for people, JSON for programs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Text,
    Json,
}

/// What to do.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// IPAMs, scopes, pools, CIDRs and allocations as a tree, with utilisation.
    Tree,
    /// The whole database as stable, sorted JSON (byte-identical for identical content), or the
    /// allocations as CSV.
    Export {
        /// `json` (everything) or `csv` (allocations).
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
    },
    /// Who held exactly this CIDR, and when.
    History {
        /// The exact CIDR, e.g. 10.0.0.0/24.
        cidr: String,
        /// Only this scope.
        #[arg(long)]
        scope: Option<String>,
        /// Only records still open at or after this time (RFC 3339).
        #[arg(long)]
        since: Option<String>,
        /// Only records started at or before this time (RFC 3339).
        #[arg(long)]
        until: Option<String>,
    },
    /// Integrity check: SQLite's own, no overlapping allocations, everything inside its pool,
    /// free-space index consistent. Exit code 1 when anything is wrong.
    Check,
    /// A self-contained HTML page with utilisation charts and the allocations.
    Report {
        /// Where to write the page.
        #[arg(long)]
        html: PathBuf,
    },
    /// Allocations that none of the given Terraform state files knows (left by a killed apply).
    Orphans {
        /// State files (`terraform.tfstate`) of every workspace that uses the database.
        #[arg(long = "state", required = true)]
        states: Vec<PathBuf>,
    },
    /// Releases allocations by ID (e.g. orphans), each in its own transaction.
    Release {
        /// Allocation IDs (`ipam-pool-alloc-…`).
        #[arg(required = true)]
        ids: Vec<String>,
        /// Release without asking.
        #[arg(long)]
        yes: bool,
    },
}

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Json,
    Csv,
}

/// A one-line error with a hint.
pub struct CliError {
    message: String,
    hint: String,
}

impl CliError {
    fn new(message: impl Into<String>, hint: impl Into<String>) -> CliError {
        CliError {
            message: message.into(),
            hint: hint.into(),
        }
    }
}

impl From<crate::ipam::Error> for CliError {
    fn from(e: crate::ipam::Error) -> CliError {
        CliError::new(e.summary, e.detail)
    }
}

fn open(path: &std::path::Path) -> Result<Store, CliError> {
    if !path.exists() {
        return Err(CliError::new(
            format!("no database at {}", path.display()),
            "give the file with --database or IPAM_DATABASE (the provider's `database` argument)",
        ));
    }
    Ok(Store::open(path)?)
}

/// Runs the command line; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    if cli.debug {
        return server::serve_debug(Arc::new(IpamProvider::new()));
    }
    let Some(command) = cli.command else {
        use clap::CommandFactory;
        let _ = Cli::command().print_help();
        eprintln!(
            "\nThis binary is also the Terraform provider: Terraform starts it itself; see the README for the CLI configuration that points Terraform at it."
        );
        return 2;
    };
    match run(&cli.database, cli.output, command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}\nhint: {}", e.message, e.hint);
            1
        }
    }
}

fn parse_time(v: Option<String>) -> Result<Option<String>, CliError> {
    v.map(|s| {
        humantime::parse_rfc3339_weak(&s)
            .map(|t| humantime::format_rfc3339_seconds(t).to_string())
            .map_err(|_| {
                CliError::new(
                    format!("{s:?} is not a time"),
                    "use RFC 3339, e.g. 2026-01-31T12:00:00Z",
                )
            })
    })
    .transpose()
}

/// On a terminal, says what a command that reads everything is about to read.
fn progress(store: &Store, what: &str) {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return;
    }
    let n = store.read(|tx| {
        tx.query_row("SELECT count(*) FROM allocations", [], |r| r.get::<_, i64>(0))
            .map_err(|e| tx.err(e))
    });
    if let Ok(n) = n {
        eprintln!("{what} {n} allocation(s)…");
    }
}

fn run(db: &std::path::Path, output: Output, command: Command) -> Result<i32, CliError> {
    let store = open(db)?;
    match &command {
        Command::Export { .. } => progress(&store, "exporting"),
        Command::Check => progress(&store, "checking"),
        Command::Report { .. } => progress(&store, "reporting on"),
        _ => {}
    }
    let mut out = std::io::stdout().lock();
    let w = |e: std::io::Error| CliError::new(format!("cannot write: {e}"), "check the output");
    match command {
        Command::Tree => tree::print(&store, output, &mut out).map_err(w)?,
        Command::Export { format } => export::export(&store, format, &mut out)?,
        Command::History {
            cidr,
            scope,
            since,
            until,
        } => {
            let c = Cidr::parse(&cidr)
                .map_err(|e| CliError::new(e.to_string(), "give an exact CIDR such as 10.0.0.0/24"))?;
            let since = parse_time(since)?;
            let until = parse_time(until)?;
            let records = store.read(|tx| tx.history(scope.as_deref(), &c, since.as_deref(), until.as_deref()))?;
            export::print_history(&records, output, &mut out).map_err(w)?;
        }
        Command::Check => {
            let problems = store.check()?;
            if problems.is_empty() {
                println!("ok: {} is consistent", db.display());
            } else {
                for p in &problems {
                    println!("problem: {p}");
                }
                return Ok(1);
            }
        }
        Command::Report { html } => {
            let page = report::html(&store)?;
            std::fs::write(&html, page)
                .map_err(|e| CliError::new(format!("cannot write {}: {e}", html.display()), "check the path"))?;
            println!("wrote {}", html.display());
        }
        Command::Orphans { states } => {
            let orphans = export::orphans(&store, &states)?;
            export::print_orphans(&orphans, output, &mut out).map_err(w)?;
        }
        Command::Release { ids, yes } => {
            if !yes {
                return Err(CliError::new(
                    format!("releasing {} allocation(s) needs confirmation", ids.len()),
                    "add --yes; released space is reusable at once and any Terraform state that still holds these allocations will plan to re-create them",
                ));
            }
            for id in ids {
                store.write(|tx| match tx.allocation(&id)? {
                    Some(a) => crate::store::ops::release(tx, &a),
                    None => Err(crate::ipam::Error::not_found("allocation", &id)),
                })?;
                println!("released {id}");
            }
        }
    }
    Ok(0)
}
