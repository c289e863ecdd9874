//! What a `database` value may be: a path to a SQLite file, or a `postgres://` /
//! `postgresql://` URL (the scheme in any case). SQLite URIs (which can switch off locking or keep
//! the database in memory), in-memory databases, other URLs, directories, devices, FIFOs and
//! sockets are refused with a message that says what was given and what to give instead. Every
//! message shows the value with its password redacted, whatever the value's shape.

use std::path::{Path, PathBuf};

use crate::ipam::{Error, ErrorKind, Result};

/// Where a database is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file (which may not exist yet).
    Sqlite(PathBuf),
    /// A PostgreSQL URL, its scheme in lower case.
    Postgres(String),
}

/// The scheme of a value that starts like a URL (`letters:`), and what follows the colon.
fn scheme(s: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = s.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && scheme.len() >= 2
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some((scheme, rest))
}

fn is_postgres_scheme(scheme: &str) -> bool {
    scheme.eq_ignore_ascii_case("postgres") || scheme.eq_ignore_ascii_case("postgresql")
}

/// The value as a PostgreSQL URL with its scheme in lower case, when it is one.
pub fn postgres_url(s: &str) -> Option<String> {
    let (scheme, rest) = scheme(s)?;
    (is_postgres_scheme(scheme) && rest.starts_with("//")).then(|| format!("{}:{rest}", scheme.to_ascii_lowercase()))
}

/// Whether a `database` value names a PostgreSQL database.
pub fn is_postgres_url(s: &str) -> bool {
    postgres_url(s).is_some()
}

const REDACTED: &str = "****";

/// `s` with every password it may hold replaced by `****`: the password of a URL's user
/// information (`scheme:[//]user:password@host`, any scheme, any number of slashes) and the
/// value of every `password=` parameter (URL query or `key=value` form).
pub fn redact(s: &str) -> String {
    let mut out = match scheme(s) {
        Some((scheme, rest)) => {
            let slashes = rest.len() - rest.trim_start_matches('/').len();
            let (slash, after) = rest.split_at(slashes);
            // The user information ends at the last `@` before the path or query (a password
            // may itself hold `@`, `/` or `?` when the URL is not percent-encoded, so the last
            // `@` of the whole value is the safer bound).
            match after.rfind('@') {
                Some(at) => match after[..at].split_once(':') {
                    Some((user, _)) => format!("{scheme}:{slash}{user}:{REDACTED}{}", &after[at..]),
                    None => s.to_string(),
                },
                None => s.to_string(),
            }
        }
        None => s.to_string(),
    };
    let mut from = 0;
    while let Some(i) = out[from..].to_ascii_lowercase().find("password=") {
        let start = from + i + "password=".len();
        let end = out[start..]
            .find(|c: char| c == '&' || c.is_whitespace())
            .map_or(out.len(), |e| start + e);
        out.replace_range(start..end, REDACTED);
        from = start + REDACTED.len();
    }
    out
}

/// A path as messages show it: redacted like a URL when it looks like one.
pub fn shown(path: &Path) -> String {
    redact(&path.display().to_string())
}

fn refused(summary: &str, detail: String) -> Error {
    Error::new(ErrorKind::Storage, summary, detail)
}

/// What a `database` value names, refusing what cannot hold an IPAM safely. `setting` names where
/// the value came from in messages (`` `database` ``, `IPAM_DATABASE`, `--database`). Existing
/// paths are checked for their kind; a path that does not exist passes (see [`check_location`]).
pub fn classify(value: &str, setting: &str) -> Result<Location> {
    let given = redact(value);
    if value.trim().is_empty() {
        return Err(refused(
            "Empty database path",
            format!(
                "{setting} is empty. Give the path of a SQLite file, e.g. \"terraform-ipam.db\", or a postgres:// URL."
            ),
        ));
    }
    if value.trim() == ":memory:" {
        return Err(refused(
            "In-memory databases are not supported",
            format!(
                "{setting} is {given:?}, an in-memory SQLite database: it would keep nothing after the provider exits, while Terraform's state records the objects. \
                 Give the path of a SQLite file, e.g. \"terraform-ipam.db\"."
            ),
        ));
    }
    if let Some((scheme, rest)) = scheme(value) {
        if is_postgres_scheme(scheme) {
            return match postgres_url(value) {
                Some(url) => Ok(Location::Postgres(url)),
                None => Err(refused(
                    "Invalid PostgreSQL URL",
                    format!(
                        "{setting} is {given:?}: a PostgreSQL URL needs `//` after `{scheme}:`. \
                         Use postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]."
                    ),
                )),
            };
        }
        if scheme.eq_ignore_ascii_case("file") {
            let path = rest
                .split(['?', '#'])
                .next()
                .unwrap_or_default()
                .trim_start_matches("//");
            let hint = if path.is_empty() || path.contains(":memory:") {
                "terraform-ipam.db"
            } else {
                path
            };
            return Err(refused(
                "SQLite URIs are not supported",
                format!(
                    "{setting} is the SQLite URI {given:?}. URI parameters can switch off locking (nolock, vfs=unix-none) or keep the database in memory \
                     (mode=memory), which would corrupt or lose the IPAM. Give the plain path of the file instead, e.g. {hint:?}."
                ),
            ));
        }
        if rest.starts_with("//") {
            return Err(refused(
                "Unsupported database URL",
                format!(
                    "{setting} is the URL {given:?}. The ipam provider stores its data in a SQLite file or a PostgreSQL database: \
                     give the path of a file, e.g. \"terraform-ipam.db\", or a postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE URL."
                ),
            ));
        }
    }
    let path = PathBuf::from(value);
    if let Ok(meta) = std::fs::metadata(&path) {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        let kind = if t.is_dir() {
            Some("a directory")
        } else if t.is_char_device() || t.is_block_device() {
            Some("a device")
        } else if t.is_fifo() {
            Some("a FIFO (named pipe)")
        } else if t.is_socket() {
            Some("a socket")
        } else {
            None
        };
        if let Some(kind) = kind {
            let example = if t.is_dir() {
                path.join("terraform-ipam.db").display().to_string()
            } else {
                "terraform-ipam.db".to_string()
            };
            return Err(refused(
                "Database is not a regular file",
                format!(
                    "{setting} is {given:?}, which is {kind}. Give the path of a regular SQLite file (created if it does not exist), e.g. {:?}.",
                    redact(&example)
                ),
            ));
        }
    }
    Ok(Location::Sqlite(path))
}

/// [`classify`], and for a SQLite file that does not exist yet, that its directory does (nothing
/// is created).
pub fn check_location(value: &str, setting: &str) -> Result<Location> {
    let location = classify(value, setting)?;
    if let Location::Sqlite(path) = &location
        && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        return Err(refused(
            "Database directory does not exist",
            format!(
                "The directory {} of the database {} does not exist. Create it, or set {setting} to a path in an existing directory.",
                shown(dir),
                shown(path)
            ),
        ));
    }
    Ok(location)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(value: &str) -> Error {
        classify(value, "`database`").expect_err(value)
    }

    #[test]
    fn postgres_urls_in_any_case_and_plain_paths_are_accepted() {
        for (given, url) in [
            ("postgres://u@h/db", "postgres://u@h/db"),
            ("postgresql://u:pw@h/db", "postgresql://u:pw@h/db"),
            ("Postgresql://u:pw@h/db", "postgresql://u:pw@h/db"),
            (
                "POSTGRES://u@h:5433/db?sslmode=require",
                "postgres://u@h:5433/db?sslmode=require",
            ),
        ] {
            assert_eq!(
                classify(given, "`database`").unwrap(),
                Location::Postgres(url.into()),
                "{given}"
            );
        }
        for path in ["terraform-ipam.db", "./postgres://x", "/tmp/x.db", "backup:2026.db"] {
            assert_eq!(
                classify(path, "`database`").unwrap(),
                Location::Sqlite(path.into()),
                "{path}"
            );
        }
    }

    #[test]
    fn sqlite_uris_and_memory_databases_are_refused_saying_what_to_give() {
        for (given, summary, hint) in [
            ("file:s.db?nolock=1", "SQLite URIs are not supported", "e.g. \"s.db\""),
            (
                "file:s.db?vfs=unix-none",
                "SQLite URIs are not supported",
                "e.g. \"s.db\"",
            ),
            ("FILE:/abs/s.db", "SQLite URIs are not supported", "e.g. \"/abs/s.db\""),
            (
                "file:///abs/s.db",
                "SQLite URIs are not supported",
                "e.g. \"/abs/s.db\"",
            ),
            ("file:m.db?mode=memory", "SQLite URIs are not supported", "mode=memory"),
            (
                "file::memory:",
                "SQLite URIs are not supported",
                "\"terraform-ipam.db\"",
            ),
            (
                ":memory:",
                "In-memory databases are not supported",
                "\"terraform-ipam.db\"",
            ),
            ("mysql://u@h/db", "Unsupported database URL", "postgres://USER"),
            ("postgres:/u@h/db", "Invalid PostgreSQL URL", "needs `//`"),
            ("  ", "Empty database path", "terraform-ipam.db"),
        ] {
            let e = refusal(given);
            assert_eq!(e.summary, summary, "{given}: {e:?}");
            assert!(e.detail.contains(hint), "{given}: {e:?}");
            assert!(e.detail.contains("`database`"), "{given}: {e:?}");
        }
    }

    #[test]
    fn directories_devices_and_fifos_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        for (p, kind) in [
            (dir.path().to_path_buf(), "a directory"),
            (PathBuf::from("/dev/null"), "a device"),
            (fifo, "a FIFO"),
        ] {
            let e = refusal(p.to_str().unwrap());
            assert_eq!(e.summary, "Database is not a regular file", "{e:?}");
            assert!(e.detail.contains(kind), "{e:?}");
            assert!(e.detail.contains(&format!("{:?}", p.display().to_string())), "{e:?}");
        }
        assert!(!Path::new("/dev/null-journal").exists());
    }

    #[test]
    fn passwords_are_redacted_whatever_the_shape() {
        for (given, shown) in [
            ("postgres://u:s3cret@h/db", "postgres://u:****@h/db"),
            ("Postgresql://u:s3cret@h/db", "Postgresql://u:****@h/db"),
            ("postgres:/u:s3cret@h/db", "postgres:/u:****@h/db"),
            ("mysql://u:s3cr@t@h/db", "mysql://u:****@h/db"),
            (
                "postgres://u@h/db?password=s3cret&sslmode=disable",
                "postgres://u@h/db?password=****&sslmode=disable",
            ),
            ("host=h PASSWORD=s3cret dbname=x", "host=h PASSWORD=**** dbname=x"),
            ("terraform-ipam.db", "terraform-ipam.db"),
            ("a@b.db", "a@b.db"),
        ] {
            assert_eq!(redact(given), shown, "{given}");
        }
        for value in [
            "postgres:/u:s3cret@h/db",
            "mysql://u:s3cret@h/db",
            "file:x.db?password=s3cret",
        ] {
            let e = refusal(value);
            assert!(!e.detail.contains("s3cret"), "{e:?}");
        }
    }
}
