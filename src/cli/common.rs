//! What the commands share: their output formats, and the one-line error with a hint every
//! command reports.

use clap::ValueEnum;

/// Text for people, JSON for programs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Text,
    Json,
}

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Json,
    Csv,
}

/// A one-line error with a hint.
#[derive(Debug)]
pub struct CliError {
    pub(super) message: String,
    pub(super) hint: String,
    /// The reader of the output went away (`tree | head`): not an error, end quietly.
    pub(super) pipe_closed: bool,
}

impl CliError {
    pub(super) fn new(message: impl Into<String>, hint: impl Into<String>) -> CliError {
        CliError {
            message: message.into(),
            hint: hint.into(),
            pipe_closed: false,
        }
    }
}

impl From<crate::ipam::Error> for CliError {
    fn from(e: crate::ipam::Error) -> CliError {
        CliError::new(e.summary, e.detail)
    }
}

/// A failed write to the output.
pub(super) fn write_error(e: std::io::Error) -> CliError {
    let mut err = CliError::new(
        format!("cannot write the output: {e}"),
        "check where the output goes (disk space, permissions)",
    );
    err.pipe_closed = e.kind() == std::io::ErrorKind::BrokenPipe;
    err
}
