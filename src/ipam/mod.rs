//! The IPAM domain: entities, identifiers, rules and the allocator. Pure: no I/O.
//!
//! Rules carry the seed rule number (R-nn, see `notes/seed-rules.md`) they implement.

pub mod allocator;
pub mod byoip;
pub mod cidr;
pub mod ids;
pub mod model;
pub mod pool_rules;
pub mod rules;
pub mod share_rules;
pub mod utilisation;

/// What kind of failure an [`Error`] is; decides how it is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The object does not exist.
    NotFound,
    /// The request breaks a rule.
    Invalid,
    /// A quota is reached.
    Quota,
    /// Another object is in the way (overlap, dependants).
    Conflict,
    /// The acting account may not do this.
    Forbidden,
    /// The database failed.
    Storage,
}

/// A domain error: what is wrong, which object, what to do, and the attribute it is about.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{summary}: {detail}")]
pub struct Error {
    pub kind: ErrorKind,
    pub summary: String,
    pub detail: String,
    /// The configuration attribute the error is about, as a dotted path (`operating_regions`).
    pub attribute: Option<String>,
}

impl Error {
    /// A new error.
    pub fn new(kind: ErrorKind, summary: impl Into<String>, detail: impl Into<String>) -> Error {
        Error {
            kind,
            summary: summary.into(),
            detail: detail.into(),
            attribute: None,
        }
    }
    /// A broken rule.
    pub fn invalid(summary: impl Into<String>, detail: impl Into<String>) -> Error {
        Error::new(ErrorKind::Invalid, summary, detail)
    }
    /// A missing object.
    pub fn not_found(what: &str, id: &str) -> Error {
        Error::new(
            ErrorKind::NotFound,
            format!("{what} not found"),
            format!("There is no {what} with ID {id:?} in the database. Check the ID, or create the {what} first."),
        )
    }
    /// A database failure.
    pub fn storage(detail: impl Into<String>) -> Error {
        Error::new(ErrorKind::Storage, "Database error", detail)
    }
    /// The same error, about an attribute.
    pub fn at(mut self, attribute: &str) -> Error {
        self.attribute = Some(attribute.to_string());
        self
    }
}

/// Result of domain operations.
pub type Result<T> = std::result::Result<T, Error>;
