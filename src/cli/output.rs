//! Where `report` and `export` may write: never onto a database (the one they read, its `-wal`,
//! `-shm` or `-journal` files, or any other SQLite file), never through a symbolic link, and onto
//! an existing file only when it is a report this command wrote, or with `--force`. A file is
//! written whole or not at all: into a new file beside it, renamed over it at the end.

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::common::CliError;

/// The mark every HTML report carries, by which `report` knows a file it may overwrite.
pub const REPORT_MARK: &str = "<meta name=\"generator\" content=\"terraform-provider-ipam report\">";

/// The files of a SQLite database at `db`: the database and its journals.
pub fn sqlite_files(db: &Path) -> Vec<PathBuf> {
    let mut files = vec![db.to_path_buf()];
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        files.push(PathBuf::from(p));
    }
    files
}

/// The files of a SQLite database at `db` that exist, as device and inode numbers.
fn database_files(db: &Path) -> Vec<(u64, u64)> {
    sqlite_files(db)
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| (m.dev(), m.ino()))
        .collect()
}

/// Whether the file behind `meta` is one of the database's files.
fn is_database(meta: &std::fs::Metadata, db: Option<&Path>) -> bool {
    db.is_some_and(|db| database_files(db).contains(&(meta.dev(), meta.ino())))
}

/// Whether `path` starts like a SQLite database.
fn is_sqlite_file(path: &Path) -> bool {
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok_and(|()| &head == b"SQLite format 3\0")
}

fn refused(message: String, hint: &str) -> CliError {
    CliError::new(message, hint)
}

/// Refuses standard output when it is the database `db` (the shell opened it for `>>` or `<>`):
/// the output would be appended to, or written over, the database being read.
pub fn check_stdout(db: Option<&Path>) -> Result<(), CliError> {
    use std::os::fd::AsFd;
    let Ok(fd) = std::io::stdout().as_fd().try_clone_to_owned() else {
        return Ok(());
    };
    let Ok(meta) = std::fs::File::from(fd).metadata() else {
        return Ok(());
    };
    if is_database(&meta, db) {
        return Err(refused(
            "standard output is the database itself; nothing was written".into(),
            "redirect the output to another file, e.g. `> export.json`",
        ));
    }
    Ok(())
}

/// Writes `content` to `path`, refusing what the module's comment says. `db` is the SQLite file read, if any.
pub fn write_file(path: &Path, content: &[u8], db: Option<&Path>, force: bool) -> Result<(), CliError> {
    let shown = path.display();
    let link = std::fs::symlink_metadata(path).ok();
    if let Some(l) = &link {
        let target = std::fs::metadata(path).ok();
        if target.as_ref().is_some_and(|m| is_database(m, db)) || (target.is_some() && is_sqlite_file(path)) {
            return Err(refused(
                format!("{shown} is a database; nothing was written"),
                "give the report a path of its own, e.g. --html report.html",
            ));
        }
        if l.file_type().is_symlink() && !force {
            return Err(refused(
                format!("{shown} is a symbolic link; nothing was written"),
                "give the path of the file itself, or add --force to replace the link (never what it points to) with the report",
            ));
        }
        if !l.file_type().is_symlink() && !l.is_file() {
            return Err(refused(
                format!("{shown} exists and is not a regular file; nothing was written"),
                "give the report a path of its own, e.g. --html report.html",
            ));
        }
        let ours = std::fs::read(path).is_ok_and(|b| b.windows(REPORT_MARK.len()).any(|w| w == REPORT_MARK.as_bytes()));
        if l.is_file() && !ours && !force {
            return Err(refused(
                format!("{shown} exists and is not a report this command wrote; nothing was written"),
                "give another path, or add --force to replace the file",
            ));
        }
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let cannot = |e: std::io::Error| {
        CliError::new(
            format!("cannot write {shown}: {e}"),
            "check that its directory exists and is writable",
        )
    };
    let tmp = dir.join(format!(".{name}.{:016x}.tmp", rand::random::<u64>()));
    let result = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| f.write_all(content).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(cannot(e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn databases_links_and_foreign_files_are_never_written() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let db = d.join("ipam.db");
        rusqlite::Connection::open(&db)
            .unwrap()
            .execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t(x)")
            .unwrap();
        let before = std::fs::read(&db).unwrap();
        let other_db = d.join("other.db");
        std::fs::copy(&db, &other_db).unwrap();
        let link = d.join("link.html");
        std::os::unix::fs::symlink(&db, &link).unwrap();
        let notes = d.join("notes.txt");
        std::fs::write(&notes, "mine").unwrap();
        let page = format!("<html>{REPORT_MARK}</html>");
        for (path, force, message) in [
            (&db, false, "is a database"),
            (&db, true, "is a database"),
            (&link, true, "is a database"),
            (&other_db, true, "is a database"),
            (&notes, false, "not a report this command wrote"),
        ] {
            let e = write_file(path, page.as_bytes(), Some(&db), force).expect_err("refused");
            assert!(e.message.contains(message), "{}: {}", path.display(), e.message);
        }
        assert_eq!(std::fs::read(&db).unwrap(), before);
        assert_eq!(std::fs::read_to_string(&notes).unwrap(), "mine");
        // A link to a file that is not a database: refused, and with --force the link is
        // replaced, never the file it points to.
        let to_notes = d.join("to-notes.html");
        std::os::unix::fs::symlink(&notes, &to_notes).unwrap();
        let e = write_file(&to_notes, page.as_bytes(), Some(&db), false).expect_err("refused");
        assert!(e.message.contains("symbolic link"), "{}", e.message);
        write_file(&to_notes, page.as_bytes(), Some(&db), true).unwrap();
        assert!(!std::fs::symlink_metadata(&to_notes).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&notes).unwrap(), "mine");
        // Its own report is replaced without --force; a foreign file with it.
        write_file(&to_notes, b"new", Some(&db), false).unwrap();
        write_file(&notes, page.as_bytes(), Some(&db), true).unwrap();
        assert_eq!(std::fs::read_to_string(&notes).unwrap(), page);
        let left: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
