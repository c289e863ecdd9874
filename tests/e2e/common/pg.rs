//! A throwaway PostgreSQL server for the end-to-end tests, started from the tests themselves.
//!
//! [`server`] starts one server per test process: `initdb` into a fresh temporary directory, then
//! `postgres` listening on a free loopback port with durability turned off (the data is thrown
//! away). Each test takes its own database from [`PgServer::fresh_database`] and may change rows
//! behind Terraform's back with [`PgServer::psql`].
//!
//! The server never outlives the test process: `postgres` runs under a small shell watchdog whose
//! standard input is a pipe held by the test process. When the test process exits, however it
//! exits, the pipe closes, the watchdog stops the server with a fast shutdown and removes the
//! temporary directory.
//!
//! `initdb` and `postgres` refuse to run as root, so when the tests run as root both run as the
//! `postgres` system user (which Debian's `postgresql` package creates).

use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long the server gets to start accepting connections.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How many free ports are tried when another process takes the chosen one first.
const START_ATTEMPTS: usize = 5;

/// The watchdog: starts `postgres` (the arguments after the first two) and, on end of file on its
/// standard input (the test process is gone), stops it with SIGINT, a fast shutdown, then SIGKILL
/// if it is still up 10 s later. Once the server stopped, for whatever reason, it writes the exit
/// status to `$dir/exited` (a test process still waiting for the server sees it died), and after
/// end of file it removes `$dir`. fd 3 keeps the pipe: in a non-interactive shell a background
/// list's standard input is /dev/null.
const WATCHDOG: &str = r#"dir=$1; log=$2; shift 2
exec 3<&0
"$@" >"$log" 2>&1 </dev/null 3<&- &
pg=$!
{
  cat <&3 >/dev/null
  [ -e "$dir/exited" ] && exit 0
  kill -INT "$pg" 2>/dev/null
  n=0
  while [ ! -e "$dir/exited" ] && [ "$n" -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
  [ -e "$dir/exited" ] || kill -KILL "$pg" 2>/dev/null
} &
guard=$!
wait "$pg"
echo "$?" >"$dir/exited"
wait "$guard"
rm -rf "$dir"
"#;

const MISSING_BINARIES: &str = "The PostgreSQL tests need PostgreSQL 15 server binaries (initdb, postgres): \
    none were found on the PATH or in /usr/lib/postgresql/*/bin. `.ci/run` installs Debian's `postgresql` package \
    (apt-get install postgresql).";

/// The running server of this test process.
pub struct PgServer {
    port: u16,
    /// The directory of `psql` and `pg_isready`, when they sit beside `initdb`.
    bin_dir: PathBuf,
    /// Holding it keeps the server up; the test process exiting closes it and stops the server.
    _watchdog_stdin: ChildStdin,
    /// Statics are never dropped: the watchdog removes the directory once the server stopped.
    _dir: tempfile::TempDir,
}

/// The server of this test process, started on first use. Every test thread shares it; a failure to
/// start is remembered, so every test that needs the server fails fast with the same message.
pub fn server() -> &'static PgServer {
    static SERVER: OnceLock<Result<PgServer, String>> = OnceLock::new();
    match SERVER.get_or_init(start) {
        Ok(server) => server,
        Err(message) => panic!("{message}"),
    }
}

impl PgServer {
    /// The loopback TCP port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The superuser's URL for the `postgres` maintenance database (trust authentication).
    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Creates a new, empty database with a name unique to this call and returns its URL.
    /// Safe to call from many test threads at once.
    pub fn fresh_database(&self) -> String {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!("ipam_{}_{n}_{nanos}", std::process::id());
        // template0 accepts no connections, so a session on template1 can never make this fail.
        self.psql(
            "postgres",
            &format!("CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"),
        );
        format!("postgres://postgres@127.0.0.1:{}/{name}?sslmode=disable", self.port)
    }

    /// Runs `sql` (one or more statements, stopping at the first error) with `psql` on a database
    /// given by URL or by name, and returns what it printed, unaligned and without headers,
    /// trimmed. Panics with psql's error output when a statement or the connection fails.
    pub fn psql(&self, url_or_db: &str, sql: &str) -> String {
        let mut cmd = Command::new(self.tool("psql"));
        clear_pg_env(&mut cmd);
        cmd.env("PGCONNECT_TIMEOUT", "10")
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]);
        if url_or_db.contains("://") {
            cmd.arg("-d").arg(url_or_db);
        } else {
            let port = self.port.to_string();
            cmd.args(["-h", "127.0.0.1", "-p", &port, "-U", "postgres", "-d", url_or_db]);
        }
        // The script goes through standard input so that each statement runs on its own.
        cmd.args(["-f", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("could not run psql ({}): {e}", self.tool("psql").display()));
        let mut stdin = child.stdin.take().expect("psql's standard input is piped");
        let script = sql.to_string();
        let writer = std::thread::spawn(move || {
            // psql stopping early (ON_ERROR_STOP) closes the pipe; its stderr tells why.
            let _ = stdin.write_all(script.as_bytes());
        });
        let out = child.wait_with_output().expect("waiting for psql");
        writer.join().expect("the thread feeding psql panicked");
        assert!(
            out.status.success(),
            "psql on {url_or_db} failed ({}):\n{}\nSQL:\n{sql}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// A client program: beside `initdb` when it is there, else on the PATH, else in /usr/bin.
    fn tool(&self, name: &str) -> PathBuf {
        tool_path(&self.bin_dir, name)
    }
}

/// Where the server binaries are: `initdb` and `postgres`, and the directory of the clients.
struct Binaries {
    initdb: PathBuf,
    postgres: PathBuf,
    bin_dir: PathBuf,
}

/// The user the server runs as when the tests run as root.
struct RunAs {
    uid: u32,
    gid: u32,
}

fn start() -> Result<PgServer, String> {
    let bins = find_binaries()?;
    let run_as = if effective_uid()? == 0 {
        Some(postgres_user()?)
    } else {
        None
    };
    let mut last_error = String::new();
    for _ in 0..START_ATTEMPTS {
        match start_once(&bins, run_as.as_ref()) {
            Ok(server) => return Ok(server),
            Err(Attempt::PortTaken(log)) => last_error = log,
            Err(Attempt::Failed(message)) => return Err(message),
        }
    }
    Err(format!(
        "PostgreSQL could not bind a free loopback port in {START_ATTEMPTS} attempts; last server log:\n{last_error}"
    ))
}

enum Attempt {
    /// Another process took the port between choosing it and the server binding it.
    PortTaken(String),
    Failed(String),
}

fn start_once(bins: &Binaries, run_as: Option<&RunAs>) -> Result<PgServer, Attempt> {
    let dir = temp_dir(run_as).map_err(Attempt::Failed)?;
    let root = dir.path().to_path_buf();
    let data = root.join("data");
    let sock = root.join("sock");
    let log = root.join("server.log");
    let exited = root.join("exited");
    fs::create_dir(&sock).map_err(|e| Attempt::Failed(format!("creating {}: {e}", sock.display())))?;
    if let Some(user) = run_as {
        for path in [&root, &sock] {
            std::os::unix::fs::chown(path, Some(user.uid), Some(user.gid))
                .map_err(|e| Attempt::Failed(format!("chown {} to the postgres user: {e}", path.display())))?;
        }
    }

    let mut initdb = as_user(run_as, &bins.initdb);
    initdb.current_dir(&root).arg("-D").arg(&data);
    initdb.args("-U postgres --auth=trust -E UTF8 --locale=C --no-sync".split(' '));
    let out = initdb
        .output()
        .map_err(|e| Attempt::Failed(format!("could not run {}: {e}", bins.initdb.display())))?;
    if !out.status.success() {
        return Err(Attempt::Failed(format!(
            "initdb failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )));
    }

    let port = free_port().map_err(Attempt::Failed)?;
    let mut watchdog = as_user(run_as, Path::new("sh"));
    watchdog
        .current_dir(&root)
        .arg("-c")
        .arg(WATCHDOG)
        .arg("sh")
        .arg(&root)
        .arg(&log)
        .arg(&bins.postgres)
        .arg("-D")
        .arg(&data)
        .arg("-p")
        .arg(port.to_string())
        .arg("-k")
        .arg(&sock)
        .args(["-c", "listen_addresses=127.0.0.1"])
        .args(["-c", "fsync=off"])
        .args(["-c", "synchronous_commit=off"])
        .args(["-c", "full_page_writes=off"])
        .args(["-c", "max_connections=200"])
        .args(["-c", "shared_buffers=32MB"])
        .stdin(Stdio::piped())
        // Nothing may hold the test's output open: `cargo test | tee` would wait for it.
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // Its own process group: a Ctrl-C for the tests reaches it only through the closed pipe, so
    // the watchdog survives to clean up.
    std::os::unix::process::CommandExt::process_group(&mut watchdog, 0);
    let mut child = watchdog
        .spawn()
        .map_err(|e| Attempt::Failed(format!("could not start the PostgreSQL watchdog shell: {e}")))?;
    let stdin = child.stdin.take().expect("the watchdog's standard input is piped");

    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if exited.exists() {
            let text = fs::read_to_string(&log).unwrap_or_default();
            stop(child, stdin);
            let taken = text.contains("could not bind") || text.contains("already in use");
            return Err(if taken {
                Attempt::PortTaken(text)
            } else {
                Attempt::Failed(format!("PostgreSQL exited while starting; its log:\n{text}"))
            });
        }
        if accepting(&bins.bin_dir, port) {
            return Ok(PgServer {
                port,
                bin_dir: bins.bin_dir.clone(),
                _watchdog_stdin: stdin,
                _dir: dir,
            });
        }
        if Instant::now() >= deadline {
            let text = fs::read_to_string(&log).unwrap_or_default();
            stop(child, stdin);
            return Err(Attempt::Failed(format!(
                "PostgreSQL did not accept connections on 127.0.0.1:{port} within {}s; its log:\n{text}",
                START_TIMEOUT.as_secs()
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Stops a server that failed to start: closing the pipe makes the watchdog shut it down.
fn stop(mut child: Child, stdin: ChildStdin) {
    drop(stdin);
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Whether the server accepts connections: `pg_isready` when there is one, else a query.
fn accepting(bin_dir: &Path, port: u16) -> bool {
    let isready = tool_path(bin_dir, "pg_isready");
    let mut cmd = if isready.exists() {
        let mut cmd = Command::new(isready);
        cmd.args(["-q", "-t", "2"]);
        cmd
    } else {
        let mut cmd = Command::new(tool_path(bin_dir, "psql"));
        cmd.args(["-X", "-q", "-At", "-c", "select 1"]);
        cmd
    };
    let port = port.to_string();
    cmd.args(["-h", "127.0.0.1", "-p", &port, "-U", "postgres", "-d", "postgres"]);
    clear_pg_env(&mut cmd);
    cmd.env("PGCONNECT_TIMEOUT", "2")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A temporary directory the server's user can reach. As root it lives in /tmp, which that user
/// can always enter, whatever TMPDIR points at.
fn temp_dir(run_as: Option<&RunAs>) -> Result<tempfile::TempDir, String> {
    let parent = if run_as.is_some() {
        PathBuf::from("/tmp")
    } else {
        std::env::temp_dir()
    };
    tempfile::Builder::new()
        .prefix("ipam-pg-")
        .tempdir_in(&parent)
        .map_err(|e| format!("creating a temporary directory in {}: {e}", parent.display()))
}

/// A loopback port nothing listens on right now.
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("binding 127.0.0.1:0: {e}"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("reading the port bound on 127.0.0.1: {e}"))?
        .port();
    drop(listener);
    Ok(port)
}

/// A command for `program`, run as the postgres user when `run_as` is given.
fn as_user(run_as: Option<&RunAs>, program: &Path) -> Command {
    let mut cmd = match run_as {
        None => Command::new(program),
        Some(user) => {
            let setpriv = find_on_path("setpriv");
            let mut cmd;
            if let Some(setpriv) = setpriv {
                cmd = Command::new(setpriv);
                cmd.arg(format!("--reuid={}", user.uid))
                    .arg(format!("--regid={}", user.gid))
                    .arg("--clear-groups");
            } else {
                let sbin = Path::new("/usr/sbin/runuser");
                let runuser = find_on_path("runuser").unwrap_or_else(|| sbin.to_path_buf());
                cmd = Command::new(runuser);
                cmd.args(["-u", "postgres"]);
            }
            cmd.arg("--").arg(program);
            cmd
        }
    };
    clear_pg_env(&mut cmd);
    cmd
}

/// Drops the libpq and server variables (PGHOST, PGDATA, ...) of the caller's environment, so
/// only the arguments choose the server.
fn clear_pg_env(cmd: &mut Command) {
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("PG") {
            cmd.env_remove(key);
        }
    }
}

/// `initdb` and `postgres` on the PATH, else in the highest `/usr/lib/postgresql/<version>/bin`.
fn find_binaries() -> Result<Binaries, String> {
    if let (Some(initdb), Some(postgres)) = (find_on_path("initdb"), find_on_path("postgres")) {
        let real = fs::canonicalize(&initdb).unwrap_or_else(|_| initdb.clone());
        let bin_dir = real.parent().map(Path::to_path_buf).unwrap_or_default();
        return Ok(Binaries {
            initdb,
            postgres,
            bin_dir,
        });
    }
    let mut versions: Vec<(Vec<u32>, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().to_string();
            let version = name
                .split('.')
                .map(|part| part.parse::<u32>().ok())
                .collect::<Option<Vec<u32>>>()?;
            let bin = entry.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("postgres").is_file()).then_some((version, bin))
        })
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, bin_dir)) => Ok(Binaries {
            initdb: bin_dir.join("initdb"),
            postgres: bin_dir.join("postgres"),
            bin_dir,
        }),
        None => Err(MISSING_BINARIES.to_string()),
    }
}

/// `name` in `bin_dir`, else on the PATH, else in /usr/bin.
fn tool_path(bin_dir: &Path, name: &str) -> PathBuf {
    let beside = bin_dir.join(name);
    if beside.is_file() {
        return beside;
    }
    find_on_path(name).unwrap_or_else(|| Path::new("/usr/bin").join(name))
}

/// The first executable file called `name` in the PATH's directories.
fn find_on_path(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH").unwrap_or_else(|| OsString::from("/usr/local/bin:/usr/bin:/bin"));
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
}

/// The effective user id, from /proc/self/status (its `Uid:` line: real, effective, saved, fs),
/// else from `id -u`.
fn effective_uid() -> Result<u32, String> {
    if let Ok(status) = fs::read_to_string("/proc/self/status") {
        let euid = status
            .lines()
            .find_map(|line| line.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1))
            .and_then(|euid| euid.parse().ok());
        if let Some(euid) = euid {
            return Ok(euid);
        }
    }
    let out = Command::new("id")
        .arg("-u")
        .output()
        .map_err(|e| format!("could not tell whether the tests run as root (`id -u`: {e})"))?;
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|e| format!("could not parse the output of `id -u`: {e}"))
}

/// The uid and gid of the `postgres` system user, from /etc/passwd.
fn postgres_user() -> Result<RunAs, String> {
    let missing = "The tests run as root, which initdb and postgres refuse, and there is no `postgres` user in \
                   /etc/passwd to run them as: Debian's `postgresql` package (which `.ci/run` installs) creates it.";
    let passwd = fs::read_to_string("/etc/passwd").map_err(|e| format!("{missing} (reading /etc/passwd: {e})"))?;
    passwd
        .lines()
        .find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            if fields.len() < 4 || fields[0] != "postgres" {
                return None;
            }
            Some(RunAs {
                uid: fields[2].parse().ok()?,
                gid: fields[3].parse().ok()?,
            })
        })
        .ok_or_else(|| missing.to_string())
}
