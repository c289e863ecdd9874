//! `install`: puts the running binary where `terraform init` finds it without any CLI
//! configuration, Terraform's implied local mirror (unpacked layout).

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use sha2::{Digest, Sha256};

use super::common::{CliError, write_error};
use crate::provider::aws_config::AWS_EXECUTABLE;

/// The provider's version: Cargo.toml's, the one place it is set.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The provider's address in a mirror: `registry.terraform.io/local/ipam`.
const ADDRESS: [&str; 3] = ["registry.terraform.io", "local", "ipam"];

/// Terraform's name for this machine's platform (Go's `GOOS_GOARCH`), e.g. `linux_amd64`.
pub fn platform() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        os => os,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        arch => arch,
    };
    format!("{os}_{arch}")
}

/// The executable's name in a mirror: `terraform-provider-ipam_v<version>`.
pub fn executable_name() -> String {
    format!("terraform-provider-ipam_v{VERSION}{}", std::env::consts::EXE_SUFFIX)
}

/// Terraform's package hash (`h1:`, Go's dirhash "Hash1") of a package holding one file: the
/// SHA-256 of the line `<hex SHA-256 of the file>  <name>\n`, in base64. The same value whether
/// Terraform hashes the unpacked directory or the release zip.
pub fn package_hash(name: &str, content: &[u8]) -> String {
    let line = format!("{:x}  {name}\n", Sha256::digest(content));
    let sum = Sha256::digest(line.as_bytes());
    format!("h1:{}", base64::engine::general_purpose::STANDARD.encode(sum))
}

/// The implied local mirror in the user's home directory, `~/.terraform.d/plugins`.
fn default_plugin_dir() -> Result<PathBuf, CliError> {
    let home = if cfg!(windows) {
        std::env::var_os("APPDATA").map(|d| PathBuf::from(d).join("terraform.d").join("plugins"))
    } else {
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".terraform.d").join("plugins"))
    }
    .filter(|p| p.is_absolute());
    home.ok_or_else(|| {
        CliError::new(
            "cannot tell where Terraform's plugin directory is: HOME is not set",
            "set HOME, or give the mirror directory with --plugin-dir",
        )
    })
}

/// Directories Terraform searches without a CLI configuration (Unix; `terraform.d/plugins` in
/// the working directory too).
fn implied_mirrors() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = default_plugin_dir().into_iter().collect();
    let home = std::env::var_os("HOME").map(PathBuf::from);
    match std::env::var_os("XDG_DATA_HOME") {
        Some(d) if !d.is_empty() => dirs.push(PathBuf::from(d).join("terraform/plugins")),
        _ => dirs.extend(home.map(|h| h.join(".local/share/terraform/plugins"))),
    }
    match std::env::var("XDG_DATA_DIRS") {
        Ok(d) if !d.is_empty() => dirs.extend(
            d.split(':')
                .filter(|s| !s.is_empty())
                .map(|s| Path::new(s).join("terraform/plugins")),
        ),
        _ => dirs.extend(["/usr/local/share/terraform/plugins", "/usr/share/terraform/plugins"].map(PathBuf::from)),
    }
    dirs
}

/// Error for a plugin directory that cannot be written.
fn unwritable(path: &Path, what: &str, e: std::io::Error) -> CliError {
    CliError::new(
        format!("cannot {what} {}: {e}; nothing was installed", path.display()),
        "give a directory you can write with --plugin-dir (e.g. ~/.terraform.d/plugins, the default), \
         or run with the rights to write there (e.g. sudo for /usr/local/share/terraform/plugins)",
    )
}

/// Copies the running binary into the mirror at `plugin_dir` (default `~/.terraform.d/plugins`)
/// and prints what it did and the `required_providers` block. Writes nothing when the same
/// binary is already there; replaces a different one by an atomic rename.
pub fn install(plugin_dir: Option<PathBuf>, out: &mut impl Write) -> Result<i32, CliError> {
    let plugin_dir = match plugin_dir {
        Some(d) => std::path::absolute(&d).unwrap_or(d),
        None => default_plugin_dir()?,
    };
    let exe = running_executable()?;
    let content = std::fs::read(&exe).map_err(|e| {
        CliError::new(
            format!("cannot read the running executable {}: {e}", exe.display()),
            "check its permissions",
        )
    })?;
    let mut dir = plugin_dir.clone();
    dir.extend(ADDRESS);
    dir.push(VERSION);
    dir.push(platform());
    let name = executable_name();
    let target = dir.join(&name);

    let previous = std::fs::read(&target).ok();
    let action = match &previous {
        Some(p) if *p == content => "already installed (unchanged)",
        _ => {
            std::fs::create_dir_all(&dir).map_err(|e| unwritable(&dir, "create", e))?;
            write_executable(&dir, &target, &content).map_err(|e| unwritable(&dir, "write to", e))?;
            if previous.is_some() { "replaced" } else { "installed" }
        }
    };
    let hash = package_hash(&name, &content);
    let w = |out: &mut dyn Write, s: String| writeln!(out, "{s}").map_err(write_error);
    w(
        out,
        format!(
            "{action} terraform-provider-ipam {VERSION} ({}): {}",
            platform(),
            target.display()
        ),
    )?;
    w(out, format!("package hash: {hash}"))?;
    if previous.as_deref().is_some_and(|p| p != content) {
        w(
            out,
            "working directories whose .terraform.lock.hcl holds the previous build's hash need `terraform init -upgrade`".into(),
        )?;
    }
    let block = format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"registry.terraform.io/local/*\"]\n  }}\n  direct {{\n    exclude = [\"registry.terraform.io/local/*\"]\n  }}\n}}\n",
        plugin_dir.display()
    );
    let implied = implied_mirrors().iter().any(|m| same_dir(m, &plugin_dir));
    let source = match (implied, explicit_installation()) {
        (true, None) => "`terraform init` finds it there with no CLI configuration.".to_string(),
        (true, Some(rc)) => format!(
            "{} has a provider_installation block, so Terraform does not search its implied mirrors: add this mirror to it:\n\n{block}",
            rc.display()
        ),
        (false, _) => format!(
            "{} is not one of Terraform's implied mirrors: name it in the CLI configuration (TF_CLI_CONFIG_FILE or ~/.terraformrc):\n\n{block}",
            plugin_dir.display()
        ),
    };
    w(out, source)?;
    w(
        out,
        format!(
            "\nUse it in a configuration with:\n\nterraform {{\n  required_providers {{\n    ipam = {{\n      source  = \"local/ipam\"\n      version = \"{VERSION}\"\n    }}\n  }}\n}}"
        ),
    )?;
    Ok(0)
}

/// The running executable's path, links resolved.
fn running_executable() -> Result<PathBuf, CliError> {
    std::env::current_exe().map_err(|e| {
        CliError::new(
            format!("cannot find the running executable: {e}"),
            "run the binary by its path, e.g. target/release/terraform-provider-ipam install",
        )
    })
}

/// Makes `dir/terraform-provider-aws` run this binary: a symbolic link to it (a copy where the
/// file system refuses links), so Terraform serves `hashicorp/aws` from it under the printed
/// `dev_overrides`. Writes nothing when the link (or an identical copy) is already there;
/// replaces anything else by an atomic rename.
pub fn install_as_aws(dir: &Path, out: &mut impl Write) -> Result<i32, CliError> {
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let exe = running_executable()?;
    let target = dir.join(format!("{AWS_EXECUTABLE}{}", std::env::consts::EXE_SUFFIX));
    let unwritable = |what: &str, e: std::io::Error| {
        CliError::new(
            format!("cannot {what} {}: {e}; nothing was installed", dir.display()),
            "give --as-aws a directory you can write, e.g. ~/.terraform.d/aws-ipam",
        )
    };
    let linked = std::fs::read_link(&target).is_ok_and(|t| t == exe);
    let copied = || {
        std::fs::symlink_metadata(&target).is_ok_and(|m| m.is_file())
            && std::fs::read(&target).ok() == std::fs::read(&exe).ok()
    };
    let action = if linked || copied() {
        "already installed (unchanged)"
    } else {
        std::fs::create_dir_all(&dir).map_err(|e| unwritable("create", e))?;
        let tmp = dir.join(format!(".{AWS_EXECUTABLE}.tmp-{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        let placed = match symlink(&exe, &tmp) {
            Ok(()) => std::fs::rename(&tmp, &target).map(|()| "linked"),
            Err(_) => {
                let content = std::fs::read(&exe).map_err(|e| {
                    CliError::new(
                        format!("cannot read the running executable {}: {e}", exe.display()),
                        "check its permissions",
                    )
                })?;
                write_executable(&dir, &target, &content).map(|()| "copied (this file system refuses links)")
            }
        };
        if placed.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        placed.map_err(|e| unwritable("write to", e))?
    };
    let dir_hcl = format!("{:?}", dir.display().to_string());
    writeln!(
        out,
        "{action}: {} -> {}\n\n\
         Terraform runs it as hashicorp/aws under this CLI configuration (put it in ~/.terraformrc, or in a file named by TF_CLI_CONFIG_FILE):\n\n\
         provider_installation {{\n  dev_overrides {{\n    \"hashicorp/aws\" = {dir_hcl}\n  }}\n  direct {{}}\n}}\n\n\
         Configurations with source = \"hashicorp/aws\" then plan and apply against the local IPAM unchanged. Skip `terraform init` \
         (it would look hashicorp/aws up in the registry); `terraform get` installs local modules. The database is IPAM_DATABASE \
         (default terraform-ipam.db in the working directory).",
        target.display(),
        exe.display()
    )
    .map_err(write_error)?;
    Ok(0)
}

#[cfg(unix)]
fn symlink(original: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(original, link)
}

#[cfg(windows)]
fn symlink(original: &Path, link: &Path) -> std::io::Result<()> {
    std::os::windows::fs::symlink_file(original, link)
}

#[cfg(not(any(unix, windows)))]
fn symlink(_original: &Path, _link: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// The CLI configuration Terraform reads (`TF_CLI_CONFIG_FILE`, else `~/.terraformrc`) when it
/// has a `provider_installation` block, which turns the implied mirrors off.
fn explicit_installation() -> Option<PathBuf> {
    let file = match std::env::var_os("TF_CLI_CONFIG_FILE").filter(|f| !f.is_empty()) {
        Some(f) => PathBuf::from(f),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".terraformrc"),
    };
    let text = std::fs::read_to_string(&file).ok()?;
    text.lines()
        .any(|l| l.trim_start().starts_with("provider_installation"))
        .then_some(file)
}

/// Two paths naming the same directory (either may not exist yet).
fn same_dir(a: &Path, b: &Path) -> bool {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    canon(a) == canon(b)
}

/// Writes the executable beside its final name, then renames it into place: a Terraform that
/// runs the old file meanwhile, or an interrupted copy, never sees half a binary.
fn write_executable(dir: &Path, target: &Path, content: &[u8]) -> std::io::Result<()> {
    let tmp = dir.join(format!(".{}.tmp-{}", executable_name(), std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(content)?;
        f.sync_all()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            f.set_permissions(std::fs::Permissions::from_mode(0o755))?;
        }
        std::fs::rename(&tmp, target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
