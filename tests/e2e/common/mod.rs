//! End-to-end harness: runs the real `terraform` binary (or `$TERRAFORM`) offline against the
//! provider binary cargo built, each test in its own temporary directory and database, with the
//! steps of terraform-plugin-testing (apply, empty plans, import-verify, destroy) as methods.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Once;

use serde_json::Value as J;

pub mod fixtures;
pub mod pg;

/// The database engine a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

thread_local! {
    static BACKEND: std::cell::Cell<Backend> = const { std::cell::Cell::new(Backend::Sqlite) };
}

/// The engine of the test running on this thread.
pub fn backend() -> Backend {
    BACKEND.get()
}

/// Runs a test body with new working directories on `backend` (a fresh PostgreSQL database on
/// the tests' own server, or a fresh SQLite file).
pub fn with_backend(backend: Backend, test: fn()) {
    BACKEND.set(backend);
    test();
}

/// Declares each named function (without a `#[test]` of its own) as two tests: `on_sqlite::name`
/// and `on_postgres::name`, the same body on each database engine.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(#[test]
            fn $name() {
                $crate::common::with_backend($crate::common::Backend::Sqlite, super::$name)
            })*
        }
        mod on_postgres {
            $(#[test]
            fn $name() {
                $crate::common::with_backend($crate::common::Backend::Postgres, super::$name)
            })*
        }
    };
}

/// Whether a `database` value is a PostgreSQL URL.
pub fn is_postgres(db: &Path) -> bool {
    db.to_str().is_some_and(|s| s.starts_with("postgres://"))
}

/// A connection to a PostgreSQL database of the tests' server.
pub fn pg_client(db: &Path) -> postgres::Client {
    postgres::Client::connect(db.to_str().expect("URL"), postgres::NoTls)
        .expect("connect to the test PostgreSQL server")
}

/// The provider binary cargo built for these tests.
pub const PROVIDER_BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-ipam");

/// The terraform binary: `$TERRAFORM`, else `terraform` on the PATH. Fails clearly when missing.
pub fn terraform_bin() -> String {
    static CHECK: Once = Once::new();
    let bin = std::env::var("TERRAFORM").unwrap_or_else(|_| "terraform".to_string());
    CHECK.call_once(|| {
        let ok = Command::new(&bin)
            .arg("version")
            .env("CHECKPOINT_DISABLE", "1")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            ok,
            "terraform was not found (tried {bin:?}). The end-to-end tests need Terraform v1.11.4 on the PATH, \
             or its path in the TERRAFORM environment variable. `.ci/run` installs it; see the README."
        );
    });
    bin
}

/// One Terraform working directory with its own CLI configuration.
pub struct Tf {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub account: String,
    provider_extra: String,
    extra_env: Vec<(String, String)>,
}

impl Tf {
    /// A fresh working directory and database, on the engine of the running test.
    pub fn new() -> Tf {
        let dir = tempfile::Builder::new()
            .prefix("ipam-e2e-")
            .tempdir()
            .expect("temp dir");
        let db = match backend() {
            Backend::Sqlite => dir.path().join("ipam.db"),
            Backend::Postgres => PathBuf::from(pg::server().fresh_database()),
        };
        Tf::at(dir, db)
    }

    /// A fresh working directory on an existing database (another workspace, or an import).
    pub fn sharing(db: &Path) -> Tf {
        let dir = tempfile::Builder::new()
            .prefix("ipam-e2e-")
            .tempdir()
            .expect("temp dir");
        Tf::at(dir, db.to_path_buf())
    }

    fn at(dir: tempfile::TempDir, db: PathBuf) -> Tf {
        let plugin_dir = Path::new(PROVIDER_BIN)
            .parent()
            .expect("binary dir")
            .display()
            .to_string();
        let rc = format!(
            "provider_installation {{\n  dev_overrides {{\n    \"local/ipam\" = \"{plugin_dir}\"\n  }}\n  direct {{}}\n}}\n"
        );
        std::fs::write(dir.path().join("terraform.rc"), rc).expect("write CLI config");
        Tf {
            dir,
            db,
            account: "123456789012".into(),
            provider_extra: String::new(),
            extra_env: Vec::new(),
        }
    }

    /// Extra lines for the provider block (e.g. `quotas { scopes_per_ipam = 3 }`).
    pub fn provider_extra(mut self, extra: &str) -> Tf {
        self.provider_extra = extra.to_string();
        self
    }

    /// A working directory whose Terraform finds the provider as users install it, with no
    /// development overrides: `home` is its HOME (where the implied mirror and `~/.terraformrc`
    /// live) and `cli_config` its CLI configuration file, if any (none: TF_CLI_CONFIG_FILE unset).
    pub fn installed(home: &Path, cli_config: Option<&str>) -> Tf {
        let tf = Tf::new();
        let rc = tf.path().join("terraform.rc");
        match cli_config {
            Some(c) => std::fs::write(&rc, c).expect("write CLI config"),
            None => std::fs::remove_file(&rc).expect("remove CLI config"),
        }
        tf.env("HOME", home.to_str().expect("HOME"))
    }

    /// An environment variable for every terraform command.
    pub fn env(mut self, k: &str, v: &str) -> Tf {
        self.extra_env.push((k.into(), v.into()));
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The provider block this directory uses.
    pub fn provider_block(&self) -> String {
        format!(
            "provider \"ipam\" {{\n  database = \"{}\"\n  {}\n}}\n",
            self.db.display(),
            self.provider_extra
        )
    }

    /// Another provider block, `alias`, on this directory's database, with `settings` (e.g.
    /// `account_id = "444455556666"`: another account; `region = "us-west-2"`: another region).
    pub fn provider_alias(&self, alias: &str, settings: &str) -> String {
        format!(
            "provider \"ipam\" {{\n  alias    = \"{alias}\"\n  database = \"{}\"\n  {settings}\n}}\n",
            self.db.display()
        )
    }

    /// Writes `main.tf`: the required_providers header, the provider block, then `body`.
    pub fn config(&self, body: &str) {
        let hcl = format!(
            "terraform {{\n  required_providers {{\n    ipam = {{ source = \"local/ipam\" }}\n  }}\n}}\n{}\n{body}\n",
            self.provider_block()
        );
        std::fs::write(self.path().join("main.tf"), hcl).expect("write main.tf");
    }

    /// Writes `main.tf` exactly as given (for configurations with their own provider blocks).
    pub fn raw_config(&self, hcl: &str) {
        std::fs::write(self.path().join("main.tf"), hcl).expect("write main.tf");
    }

    /// Runs terraform with the given arguments.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(terraform_bin());
        let rc = self.path().join("terraform.rc");
        if rc.exists() {
            cmd.env("TF_CLI_CONFIG_FILE", rc);
        } else {
            cmd.env_remove("TF_CLI_CONFIG_FILE").env_remove("TERRAFORM_CONFIG");
        }
        cmd.args(args)
            .current_dir(self.path())
            .env_remove("TF_PLUGIN_CACHE_DIR")
            .env_remove("XDG_DATA_HOME")
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .env_remove("IPAM_DATABASE")
            .env_remove("IPAM_ACCOUNT_ID")
            .env_remove("IPAM_REGION");
        for (k, v) in &self.extra_env {
            cmd.env(k, v);
        }
        cmd.output().expect("run terraform")
    }

    fn text(o: &Output) -> String {
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    }

    /// Runs terraform and returns its output; panics with the output when it fails.
    pub fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        let t = Tf::text(&o);
        assert!(o.status.success(), "terraform {args:?} failed:\n{t}");
        t
    }

    /// Runs terraform, expects failure, and returns its output (errors unwrapped onto one line each).
    pub fn fails(&self, args: &[&str]) -> String {
        let o = self.run(args);
        let t = Tf::text(&o);
        assert!(!o.status.success(), "terraform {args:?} unexpectedly succeeded:\n{t}");
        t
    }

    /// `terraform apply`; panics on failure.
    pub fn apply(&self) -> String {
        self.ok(&["apply", "-auto-approve", "-input=false", "-no-color"])
    }

    /// `terraform apply` with extra arguments.
    pub fn apply_with(&self, extra: &[&str]) -> String {
        let mut args = vec!["apply", "-auto-approve", "-input=false", "-no-color"];
        args.extend_from_slice(extra);
        self.ok(&args)
    }

    /// `terraform apply` that must fail; returns the output.
    pub fn apply_fails(&self) -> String {
        self.fails(&["apply", "-auto-approve", "-input=false", "-no-color"])
    }

    /// `terraform plan` that must fail; returns the output.
    pub fn plan_fails(&self) -> String {
        self.fails(&["plan", "-input=false", "-no-color"])
    }

    /// Writes `main.tf` with `body` (as [`Tf::config`]), runs a `terraform plan` that must fail,
    /// and checks that its output (flattened) contains every text of `expected`; returns it.
    pub fn plan_fails_with(&self, body: &str, expected: &[&str]) -> String {
        self.config(body);
        let out = flat(&self.plan_fails());
        for e in expected {
            assert!(out.contains(e), "expected {e:?} in: {out}");
        }
        out
    }

    /// The plan with `-detailed-exitcode`: (exit code, output).
    pub fn plan_code(&self, extra: &[&str]) -> (i32, String) {
        let mut args = vec!["plan", "-input=false", "-no-color", "-detailed-exitcode"];
        args.extend_from_slice(extra);
        let o = self.run(&args);
        (o.status.code().unwrap_or(-1), Tf::text(&o))
    }

    /// Both plans of terraform-plugin-testing must be empty: `-refresh=false`, then with refresh.
    pub fn assert_plan_empty(&self) {
        for extra in [&["-refresh=false"][..], &[][..]] {
            let (code, out) = self.plan_code(extra);
            assert_eq!(code, 0, "plan {extra:?} was not empty:\n{out}");
        }
    }

    /// The plan must show changes; returns it.
    pub fn assert_plan_changes(&self) -> String {
        let (code, out) = self.plan_code(&[]);
        assert_eq!(code, 2, "plan was expected to show changes:\n{out}");
        out
    }

    /// `terraform destroy`; panics on failure.
    pub fn destroy(&self) -> String {
        self.ok(&["destroy", "-auto-approve", "-input=false", "-no-color"])
    }

    /// The state as `terraform show -json`.
    pub fn state(&self) -> J {
        let out = self.run(&["show", "-json"]);
        assert!(out.status.success(), "terraform show failed: {}", Tf::text(&out));
        serde_json::from_slice(&out.stdout).expect("show -json output")
    }

    /// The root module's outputs, as `terraform output -json`.
    pub fn outputs(&self) -> J {
        let out = self.ok(&["output", "-json"]);
        serde_json::from_str(&out[out.find('{').expect("outputs")..]).expect("output -json")
    }

    /// All managed resources in the state (root module), by address; data sources are left out.
    pub fn resources(&self) -> Vec<(String, J)> {
        let s = self.state();
        s["values"]["root_module"]["resources"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r["mode"] == "managed")
            .map(|r| {
                (
                    r["address"].as_str().unwrap_or_default().to_string(),
                    r["values"].clone(),
                )
            })
            .collect()
    }

    /// The attribute values of one resource in the state.
    pub fn values(&self, addr: &str) -> J {
        self.resources()
            .into_iter()
            .find(|(a, _)| a == addr)
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("{addr} is not in the state"))
    }

    /// A string attribute of a resource in the state.
    pub fn attr(&self, addr: &str, name: &str) -> String {
        self.values(addr)[name]
            .as_str()
            .unwrap_or_else(|| panic!("{addr}.{name} is not a string"))
            .to_string()
    }

    /// Imports every managed resource of this directory's state into a fresh directory with the
    /// same configuration and database, compares every attribute with the original state, and
    /// checks that the fresh directory's plans are empty.
    pub fn import_verify(&self) -> Tf {
        // Compare with refreshed state, as terraform-plugin-testing does after its refresh plan.
        self.ok(&["apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color"]);
        let original = self.resources();
        assert!(!original.is_empty(), "nothing to import");
        let fresh = Tf::sharing(&self.db).provider_extra(&self.provider_extra.clone());
        let fresh = Tf {
            extra_env: self.extra_env.clone(),
            ..fresh
        };
        std::fs::copy(self.path().join("main.tf"), fresh.path().join("main.tf")).expect("copy config");
        // The same provider installation (the aws view's `dev_overrides`, for one).
        let rc = self.path().join("terraform.rc");
        if rc.exists() {
            std::fs::copy(&rc, fresh.path().join("terraform.rc")).expect("copy CLI config");
        }
        for (addr, values) in &original {
            let id = values["id"].as_str().unwrap_or_else(|| panic!("{addr} has no id"));
            fresh.ok(&["import", "-input=false", "-no-color", addr, id]);
        }
        let imported = fresh.resources();
        for (addr, values) in &original {
            let got = &imported
                .iter()
                .find(|(a, _)| a == addr)
                .unwrap_or_else(|| panic!("{addr} was not imported"))
                .1;
            assert_eq!(
                got, values,
                "ImportStateVerify: attributes of {addr} differ after import"
            );
        }
        fresh.assert_plan_empty();
        fresh
    }

    /// Runs SQL on the database behind Terraform's back; returns the rows changed.
    pub fn sql(&self, sql: &str) -> usize {
        if is_postgres(&self.db) {
            return pg_client(&self.db).execute(sql, &[]).expect("sql") as usize;
        }
        let c = rusqlite::Connection::open(&self.db).expect("open database");
        c.execute_batch("PRAGMA foreign_keys=ON").expect("pragma");
        c.execute(sql, []).expect("sql")
    }

    /// A single number from the database, or `None` while it cannot be read yet (no tables).
    pub fn try_sql_count(&self, sql: &str) -> Option<i64> {
        if is_postgres(&self.db) {
            let row = pg_client(&self.db).query_one(sql, &[]).ok()?;
            return row.try_get::<_, i64>(0).ok();
        }
        let c = rusqlite::Connection::open(&self.db).ok()?;
        c.query_row(sql, [], |r| r.get(0)).ok()
    }

    /// A single number from the database.
    pub fn sql_count(&self, sql: &str) -> i64 {
        if is_postgres(&self.db) {
            let row = pg_client(&self.db).query_one(sql, &[]).expect("query");
            return row.try_get::<_, i64>(0).unwrap_or_else(|_| row.get::<_, i32>(0).into());
        }
        let c = rusqlite::Connection::open(&self.db).expect("open database");
        c.query_row(sql, [], |r| r.get(0)).expect("query")
    }

    /// Rows of two columns, e.g. `SELECT start, prefix FROM allocations` as (bytes, integer).
    pub fn sql_pairs<A, B>(&self, sql: &str) -> Vec<(A, B)>
    where
        A: rusqlite::types::FromSql + for<'r> postgres::types::FromSql<'r>,
        B: rusqlite::types::FromSql + for<'r> postgres::types::FromSql<'r>,
    {
        if is_postgres(&self.db) {
            return pg_client(&self.db)
                .query(sql, &[])
                .expect("query")
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
        }
        let c = rusqlite::Connection::open(&self.db).expect("open database");
        let mut st = c.prepare(sql).expect("prepare");
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .map(|r| r.expect("row"))
            .collect()
    }

    /// A stable dump of every table, to prove a refused operation wrote nothing.
    pub fn db_dump(&self) -> String {
        self.db_dump_except(&[])
    }

    /// The dump without some tables (e.g. `history`, which keeps records of released space).
    pub fn db_dump_except(&self, skip: &[&str]) -> String {
        use rusqlite::types::ValueRef;
        if is_postgres(&self.db) {
            let mut c = pg_client(&self.db);
            let tables: Vec<String> = c
                .query(
                    "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
                    &[],
                )
                .expect("tables")
                .iter()
                .map(|r| r.get(0))
                .filter(|t: &String| !skip.contains(&t.as_str()))
                .collect();
            let mut out = String::new();
            for t in tables {
                let rows = c
                    .query(&format!("SELECT x::text FROM {t} x ORDER BY 1"), &[])
                    .expect("rows");
                for r in rows {
                    out.push_str(&format!("{t}: {}\n", r.get::<_, String>(0)));
                }
            }
            return out;
        }
        let c = rusqlite::Connection::open(&self.db).expect("open database");
        let mut tables: Vec<String> = c
            .prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("tables");
        tables.retain(|t| !t.starts_with("sqlite_") && !skip.contains(&t.as_str()));
        let mut out = String::new();
        for t in tables {
            let mut st = c.prepare(&format!("SELECT * FROM {t} ORDER BY 1, 2")).expect("select");
            let n = st.column_count();
            let rows = st
                .query_map([], |r| {
                    let cells: Vec<String> = (0..n)
                        .map(|i| match r.get_ref(i) {
                            Ok(ValueRef::Null) => "NULL".to_string(),
                            Ok(ValueRef::Integer(v)) => v.to_string(),
                            Ok(ValueRef::Real(v)) => v.to_string(),
                            Ok(ValueRef::Text(v)) => String::from_utf8_lossy(v).into_owned(),
                            Ok(ValueRef::Blob(v)) => v.iter().map(|b| format!("{b:02x}")).collect(),
                            Err(e) => e.to_string(),
                        })
                        .collect();
                    Ok(cells.join("|"))
                })
                .expect("rows");
            for row in rows {
                out.push_str(&format!("{t}: {}\n", row.expect("row")));
            }
        }
        out
    }
}

/// Collapses Terraform's boxed, wrapped diagnostics into single-spaced text for matching.
pub fn flat(s: &str) -> String {
    s.replace(['│', '╷', '╵'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
