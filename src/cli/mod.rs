//! The command line a person uses: the same binary as the provider. `tree`, `export`, `history`,
//! `check`, `report`, `orphans` and `import-blocks` read the database; `release` frees allocations;
//! `install` puts the binary where `terraform init` finds it.

mod common;
mod export;
mod import_blocks;
mod install;
mod output;
mod report;
mod tree;

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use clap::{Parser, Subcommand};

use crate::ipam::cidr::Cidr;
use crate::plugin::server;
use crate::provider::IpamProvider;
use crate::store::location::classify;
use crate::store::{Location, Store, shown};

use common::{CliError, write_error};
pub use common::{ExportFormat, Output};

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
    /// The database: the provider's `database` argument (a SQLite file, or a postgres:// URL).
    /// Never created by these commands.
    #[arg(long, global = true, env = "IPAM_DATABASE", default_value = "terraform-ipam.db")]
    pub database: PathBuf,
    /// Output format of tree, history, check and orphans: text for people, json for programs.
    #[arg(long, global = true, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// IPAMs, scopes, pools (nested by source pool), CIDRs and allocations as a tree, with the
    /// utilisation of every pool and CIDR. Colour on a terminal unless NO_COLOR is set.
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
        /// Only records still open at or after this time (RFC 3339, e.g. 2026-01-31T12:00:00Z).
        #[arg(long)]
        since: Option<String>,
        /// Only records started at or before this time (RFC 3339, e.g. 2026-01-31T12:00:00Z).
        #[arg(long)]
        until: Option<String>,
    },
    /// Integrity check: SQLite's own and its foreign keys; no overlapping allocations or
    /// top-level CIDRs; every allocation inside its pool; child-pool CIDRs held in their source
    /// pool; free-space index consistent. Exit code 1 with one line per problem.
    Check,
    /// A self-contained HTML page with utilisation charts, the pools (CIDRs, locale,
    /// description) and the allocations.
    Report {
        /// Where to write the page (`-` for standard output). Never a database or a symbolic
        /// link; an existing file only when it is a report, unless --force.
        #[arg(long)]
        html: PathBuf,
        /// Replace an existing file that is not a report (or a symbolic link, never what it
        /// points to). A database is never replaced.
        #[arg(long)]
        force: bool,
    },
    /// Allocations that none of the given Terraform state files knows (left by a killed apply).
    Orphans {
        /// State files (`terraform.tfstate`) of every workspace that uses the database.
        #[arg(long = "state", required = true)]
        states: Vec<PathBuf>,
    },
    /// Releases allocations by ID (e.g. orphans): every ID is checked first, then all are
    /// released in one transaction, or none.
    Release {
        /// Allocation IDs (`ipam-pool-alloc-…`), or the import IDs `orphans` prints
        /// (`ipam-pool-alloc-…_ipam-pool-…`).
        #[arg(required = true)]
        ids: Vec<String>,
        /// Releases without asking (on a terminal the command asks first; elsewhere --yes is
        /// required). The space is reusable at once.
        #[arg(long)]
        yes: bool,
    },
    /// Terraform `import {}` blocks for the objects in the database (or under one IPAM or pool),
    /// in dependency order with readable resource names, for `terraform plan
    /// -generate-config-out=generated.tf`.
    ImportBlocks {
        /// Only this IPAM: its scopes, pools, CIDRs and allocations, and the shares of its pools.
        #[arg(long, conflicts_with = "pool")]
        ipam: Option<String>,
        /// Only this pool and its child pools, with their CIDRs and allocations and the shares
        /// of these pools.
        #[arg(long)]
        pool: Option<String>,
        /// Import through this alias of an `ipam` provider block (`provider = ipam.ALIAS`).
        #[arg(long, value_name = "ALIAS")]
        provider: Option<String>,
    },
    /// Copies a whole IPAM database, history included, into a new empty one: SQLite to
    /// PostgreSQL (or back). Verified by the row count and checksum of every table before the
    /// copy commits.
    Migrate {
        /// The database to copy (a SQLite file or a postgres:// URL).
        #[arg(long)]
        from: PathBuf,
        /// The new database (a SQLite file to create, or an existing, empty PostgreSQL database).
        #[arg(long)]
        to: PathBuf,
    },
    /// Copies this binary into Terraform's local mirror
    /// (`<plugin-dir>/registry.terraform.io/local/ipam/<version>/<os>_<arch>/`), after which
    /// `terraform init` installs `local/ipam` with no CLI configuration and records its hash in
    /// `.terraform.lock.hcl`. Writes nothing when the same binary is already there.
    Install {
        /// The mirror directory; default `~/.terraform.d/plugins`, which Terraform searches
        /// itself. Another directory (e.g. /usr/local/share/terraform/plugins, or one named in a
        /// `filesystem_mirror` block) works too.
        #[arg(long, value_name = "DIR")]
        plugin_dir: Option<PathBuf>,
        /// Instead: links `DIR/terraform-provider-aws` to this binary and prints the CLI
        /// configuration (`dev_overrides`) under which Terraform runs it for `hashicorp/aws`, so
        /// configurations written for the AWS provider use the local IPAM unchanged.
        #[arg(long, value_name = "DIR", conflicts_with = "plugin_dir")]
        as_aws: Option<PathBuf>,
    },
}

const DATABASE_HINT: &str =
    "give the file with --database or IPAM_DATABASE (the provider's `database` argument, default terraform-ipam.db)";

/// Opens an existing IPAM database. Never creates one: a wrong path would otherwise leave an
/// empty database behind and report an empty IP plan. `setting` names the option that gave it.
fn open(path: &Path, setting: &str) -> Result<Store, CliError> {
    crate::store::busy_timeout_setting()?;
    let shown = shown(path);
    if let Location::Postgres(url) = classify(&path.to_string_lossy(), setting)? {
        return Ok(Store::open(url)?);
    }
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(CliError::new(format!("no database at {shown}"), DATABASE_HINT));
        }
        Err(e) => {
            return Err(CliError::new(
                format!("cannot read {shown}: {e}"),
                "check the file's permissions and those of its directories",
            ));
        }
        Ok(_) => {}
    }
    if crate::store::report::schema_version(path) == Some(0) {
        return Err(CliError::new(
            format!("{shown} is not an IPAM database (it is empty or belongs to another program)"),
            DATABASE_HINT,
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
        let view = crate::provider::View::of_program(std::env::args_os().next().as_deref());
        return server::serve_debug(Arc::new(IpamProvider::for_view(view)));
    }
    let Some(command) = cli.command else {
        use clap::CommandFactory;
        let _ = Cli::command().print_help();
        eprintln!(
            "\nThis binary is also the Terraform provider: Terraform starts it itself. `terraform-provider-ipam install` puts it where `terraform init` finds it."
        );
        return 2;
    };
    let result = match command {
        Command::Migrate { from, to } => migrate(&from, &to, cli.output),
        Command::Install { as_aws: Some(dir), .. } => install::install_as_aws(&dir, &mut std::io::stdout().lock()),
        Command::Install { plugin_dir, .. } => install::install(plugin_dir, &mut std::io::stdout().lock()),
        command => run(&cli.database, cli.output, command),
    };
    match result {
        Ok(code) => code,
        Err(e) if e.pipe_closed => 0,
        Err(e) => {
            eprintln!("error: {}\nhint: {}", e.message, e.hint);
            1
        }
    }
}

/// An instant in RFC 3339 (`Z` or a `±hh:mm` offset; a date alone is midnight UTC).
fn parse_instant(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    if s.len() == 10 {
        return humantime::parse_rfc3339(&format!("{s}T00:00:00Z")).ok();
    }
    let split = s.len().checked_sub(6)?;
    if let (Some(local), Some(offset)) = (s.get(..split), s.get(split..)) {
        let o = offset.as_bytes();
        if matches!(o[0], b'+' | b'-') && o[3] == b':' && local.contains(['T', 't', ' ']) {
            let hours: u64 = offset.get(1..3)?.parse().ok()?;
            let minutes: u64 = offset.get(4..6)?.parse().ok()?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let local = humantime::parse_rfc3339_weak(local).ok()?;
            let by = Duration::from_secs(hours * 3600 + minutes * 60);
            return if o[0] == b'+' {
                local.checked_sub(by)
            } else {
                local.checked_add(by)
            };
        }
    }
    humantime::parse_rfc3339_weak(s).ok()
}

/// A time option in the form history records are stored in (UTC, whole seconds), so that text
/// comparison is time order.
fn parse_time(flag: &str, v: Option<String>) -> Result<Option<String>, CliError> {
    v.map(|s| {
        parse_instant(&s)
            .map(|t| humantime::format_rfc3339_seconds(t).to_string())
            .ok_or_else(|| {
                CliError::new(
                    format!("{flag} {s:?} is not a time"),
                    "use RFC 3339, e.g. 2026-01-31T12:00:00Z, 2026-01-31T13:00:00+01:00 or 2026-01-31",
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
    let n = store.read(|tx| tx.count_all_allocations());
    if let Ok(n) = n {
        eprintln!("{what} {n} allocation(s)…");
    }
}

/// Colour on a terminal, unless NO_COLOR is set or the terminal is dumb.
fn style() -> tree::Style {
    use std::io::IsTerminal;
    tree::Style {
        colour: std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none()
            && std::env::var_os("TERM").is_none_or(|t| t != "dumb"),
    }
}

fn json(out: &mut impl Write, value: &impl serde::Serialize) -> Result<(), CliError> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(|e| write_error(e.into()))?;
    writeln!(out).map_err(write_error)
}

/// The files of a SQLite database at `path` (the database and its journals) that do not exist
/// yet: those a failed `migrate` must not leave behind.
fn new_sqlite_files(path: &Path) -> Vec<PathBuf> {
    let mut files = output::sqlite_files(path);
    files.retain(|f| std::fs::symlink_metadata(f).is_err());
    files
}

fn migrate(from: &Path, to: &Path, output: Output) -> Result<i32, CliError> {
    let source = open(from, "--from")?;
    let created = match crate::store::check_location(&to.to_string_lossy(), "--to")? {
        Location::Sqlite(path) => new_sqlite_files(&path),
        Location::Postgres(_) => Vec::new(),
    };
    let terminal = {
        use std::io::IsTerminal;
        std::io::stderr().is_terminal()
    };
    let copied = Store::open(to).and_then(|dest| {
        let copied = crate::store::copy::copy_all(&source, &dest, &mut |table, rows| {
            if terminal {
                eprintln!("copying {table} ({rows} rows)…");
            }
        });
        match copied {
            Ok(tables) => Ok((tables, dest.location().to_string())),
            Err(e) => {
                // A PostgreSQL database that had no tables before gets none back.
                if let Err(kept) = crate::store::copy::remove_created_schema(&dest) {
                    eprintln!("warning: {}: {}", kept.summary, kept.detail);
                }
                Err(e)
            }
        }
    });
    // A copy that failed (a full disk, a source changed under it...) leaves no new database and no
    // journal beside it: the store is closed by now, so its files can go.
    let (tables, dest_location) = match copied {
        Ok(c) => c,
        Err(e) => {
            for f in &created {
                let _ = std::fs::remove_file(f);
            }
            return Err(e.into());
        }
    };
    if terminal {
        eprintln!("verifying every table…");
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match output {
        Output::Json => json(&mut out, &tables)?,
        Output::Text => {
            for t in &tables {
                writeln!(out, "{:<12} {:>9} rows  checksum {}", t.table, t.rows, t.checksum).map_err(write_error)?;
            }
            writeln!(
                out,
                "copied {} to {}: every table's rows and checksum verified",
                source.location(),
                dest_location
            )
            .map_err(write_error)?;
        }
    }
    out.flush().map_err(write_error)?;
    Ok(0)
}

/// Asks a person at a terminal to confirm a release; `false` without a terminal or without a yes.
fn confirmed(ids: &[String]) -> Result<bool, CliError> {
    use std::io::{BufRead, IsTerminal};
    if !std::io::stdin().is_terminal() {
        return Ok(false);
    }
    eprint!(
        "release {} allocation(s) ({})? The space is reusable at once. [y/N] ",
        ids.len(),
        ids.join(", ")
    );
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).map_err(write_error)?;
    Ok(matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes"))
}

/// Releases the allocations `ids` name (allocation IDs, or import IDs `ALLOCATION_POOL`), all in
/// one transaction after checking every one: an unknown ID, an import ID naming another pool or
/// the space of a child pool releases nothing. Returns the allocation IDs released.
fn release_all(store: &Store, ids: &[String]) -> Result<Vec<String>, CliError> {
    let mut wanted: Vec<(String, Option<String>)> = Vec::new();
    for given in ids {
        let given = given.trim();
        let (id, pool) = match given.split_once('_') {
            Some((id, pool)) => (id.to_string(), Some(pool.to_string())),
            None => (given.to_string(), None),
        };
        if !wanted.iter().any(|(w, _)| *w == id) {
            wanted.push((id, pool));
        }
    }
    let result = store.write(|tx| {
        let mut found = Vec::new();
        let mut problems = Vec::new();
        for (id, pool) in &wanted {
            match tx.allocation(id)? {
                None => problems.push(format!("{id:?} is no allocation in the database")),
                Some(a) if pool.as_ref().is_some_and(|p| *p != a.pool_id) => problems.push(format!(
                    "{id} is in pool {}, not {}",
                    a.pool_id,
                    pool.as_deref().unwrap_or_default()
                )),
                Some(a) if a.resource_type == crate::ipam::model::ResourceType::IpamPool => problems.push(format!(
                    "{id} is the space of child pool {} (deprovision that pool's CIDR instead)",
                    a.resource_id.as_deref().unwrap_or_default()
                )),
                Some(a) => found.push(a),
            }
        }
        if !problems.is_empty() {
            return Err(crate::ipam::Error::invalid(
                format!("nothing was released: {}", problems.join("; ")),
                "",
            ));
        }
        let now = crate::ipam::ops::now();
        for a in &found {
            crate::ipam::ops::release(tx, a, &now)?;
        }
        Ok(found.into_iter().map(|a| a.id).collect())
    });
    result.map_err(|e| match e.kind {
        crate::ipam::ErrorKind::Invalid => CliError::new(
            e.summary,
            "give allocation IDs (ipam-pool-alloc-…) or the import IDs `orphans` prints; `tree` and `orphans` list them",
        ),
        _ => e.into(),
    })
}

fn run(db: &Path, output: Output, command: Command) -> Result<i32, CliError> {
    let store = open(db, "--database")?;
    match &command {
        Command::Export { .. } => progress(&store, "exporting"),
        Command::Check => progress(&store, "checking"),
        Command::Report { .. } => progress(&store, "reporting on"),
        _ => {}
    }
    // The SQLite file read, which the output must never land on.
    let db_file = (store.engine() == crate::store::Engine::Sqlite).then_some(db);
    if matches!(&command, Command::Export { .. })
        || matches!(&command, Command::Report { html, .. } if html.as_os_str() == "-")
    {
        output::check_stdout(db_file)?;
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let code = match command {
        Command::Tree => {
            let ipams = tree::build(&store)?;
            match output {
                Output::Json => json(&mut out, &ipams)?,
                Output::Text => tree::print_text(&ipams, &style(), &mut out).map_err(write_error)?,
            }
            0
        }
        Command::Export { format } => {
            export::export(&store, format, &mut out)?;
            0
        }
        Command::History {
            cidr,
            scope,
            since,
            until,
        } => {
            let c = Cidr::parse(&cidr)
                .map_err(|e| CliError::new(e.to_string(), "give an exact CIDR such as 10.0.0.0/24"))?;
            let since = parse_time("--since", since)?;
            let until = parse_time("--until", until)?;
            if let (Some(s), Some(u)) = (&since, &until)
                && s > u
            {
                return Err(CliError::new(
                    format!("--since {s} is after --until {u}"),
                    "swap them: --since is the start of the window",
                ));
            }
            let (scope_known, records) = store.read(|tx| {
                let known = match scope.as_deref() {
                    Some(id) => tx.scope(id)?.is_some(),
                    None => true,
                };
                Ok((
                    known,
                    tx.history(scope.as_deref(), &c, since.as_deref(), until.as_deref())?,
                ))
            })?;
            if !scope_known {
                return Err(CliError::new(
                    format!("no scope {} in {}", scope.unwrap_or_default(), store.location()),
                    "scope IDs look like ipam-scope-…; `tree` lists them",
                ));
            }
            export::print_history(&records, output, &mut out).map_err(write_error)?;
            0
        }
        Command::Check => {
            let mut problems = store.check()?;
            problems.extend(store.read(|tx| tx.hierarchy_problems())?);
            if output == Output::Json {
                json(
                    &mut out,
                    &serde_json::json!({
                        "database": store.location(),
                        "ok": problems.is_empty(),
                        "problems": problems,
                    }),
                )?;
            } else if problems.is_empty() {
                writeln!(out, "ok: {} is consistent", store.location()).map_err(write_error)?;
            } else {
                for p in &problems {
                    writeln!(out, "problem: {p}").map_err(write_error)?;
                }
            }
            i32::from(!problems.is_empty())
        }
        Command::Report { html, force } => {
            let page = report::html(&store)?;
            if html.as_os_str() == "-" {
                out.write_all(page.as_bytes()).map_err(write_error)?;
            } else {
                output::write_file(&html, page.as_bytes(), db_file, force)?;
                writeln!(out, "wrote {}", html.display()).map_err(write_error)?;
            }
            0
        }
        Command::Orphans { states } => {
            let orphans = export::orphans(&store, &states)?;
            export::print_orphans(&orphans, output, &mut out).map_err(write_error)?;
            0
        }
        Command::ImportBlocks { ipam, pool, provider } => {
            let alias = provider.map(|p| p.strip_prefix("ipam.").unwrap_or(&p).to_string());
            if let Some(a) = &alias
                && !import_blocks::is_identifier(a)
            {
                return Err(CliError::new(
                    format!("--provider {a:?} is not a provider alias"),
                    "give the alias of an `ipam` provider block: --provider shared imports with `provider = ipam.shared`",
                ));
            }
            let selection = match (&ipam, &pool) {
                (Some(id), _) => import_blocks::Selection::Ipam(id),
                (None, Some(id)) => import_blocks::Selection::Pool(id),
                (None, None) => import_blocks::Selection::All,
            };
            let entries = store.read(|tx| import_blocks::collect(tx, selection))?;
            out.write_all(import_blocks::render(&entries, alias.as_deref()).as_bytes())
                .map_err(write_error)?;
            0
        }
        Command::Migrate { .. } | Command::Install { .. } => {
            unreachable!("migrate opens its own databases; install needs none")
        }
        Command::Release { ids, yes } => {
            if !yes && !confirmed(&ids)? {
                return Err(CliError::new(
                    format!(
                        "releasing {} allocation(s) needs confirmation; nothing was released",
                        ids.len()
                    ),
                    "answer y at the prompt, or add --yes; released space is reusable at once and any Terraform state that still holds these allocations will plan to re-create them",
                ));
            }
            let released = release_all(&store, &ids)?;
            for id in released {
                writeln!(out, "released {id}").map_err(write_error)?;
            }
            0
        }
    };
    out.flush().map_err(write_error)?;
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> Option<String> {
        parse_instant(s).map(|t| humantime::format_rfc3339_seconds(t).to_string())
    }

    #[test]
    fn times_in_rfc3339_with_offsets_or_a_date() {
        let noon = Some("2026-01-31T12:00:00Z".to_string());
        for same in [
            "2026-01-31T12:00:00Z",
            "2026-01-31T13:30:00+01:30",
            "2026-01-31T07:00:00-05:00",
            "2026-01-31 12:00:00",
            "2026-01-31T12:00:00.75Z",
            " 2026-01-31T12:00:00Z ",
        ] {
            assert_eq!(utc(same), noon, "{same}");
        }
        assert_eq!(utc("2026-01-31").as_deref(), Some("2026-01-31T00:00:00Z"));
        for bad in [
            "yesterday",
            "",
            "2026-01-31T12:00:00+24:00",
            "2026-01-31T12:00:00+01:60",
            "2026-13-01",
            "2026-01-31T12:00:00+0é:00",
        ] {
            assert_eq!(utc(bad), None, "{bad}");
        }
    }
}
