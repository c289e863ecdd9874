//! The IPAM domain: entities, identifiers, rules and the allocator. Pure: no I/O.
//!
//! Rules carry the seed rule number (R-nn, see `notes/seed-rules.md`) they implement.

pub mod access;
pub mod allocator;
pub mod api_enum;
pub mod byoip;
pub mod cidr;
pub mod ids;
pub mod mem;
pub mod model;
pub mod ops;
pub mod organization;
pub mod pool_rules;
pub mod rules;
pub mod share_rules;
pub mod storage;
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

/// One step of an [`AttrPath`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    /// An attribute or a nested block, by name.
    Attr(String),
    /// An element of a list, by position.
    Index(i64),
    /// An element of a map, by key.
    Key(String),
    /// One element of a set. A set element has no index or key a path could name, so the
    /// error's detail names the element (its value).
    SetElement,
}

/// The configuration attribute an error is about, built by the code that knows the element:
/// `cidr_authorization_context[0].message`, or `operating_regions.region_name` for the
/// `region_name` of one element of the `operating_regions` set (shown without a step: the
/// detail names the element).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct AttrPath(pub Vec<PathStep>);

impl AttrPath {
    /// A top-level attribute. `name` is one attribute name, never a dotted path.
    pub fn attr(name: &str) -> AttrPath {
        AttrPath::default().then(name)
    }
    /// This path, then an attribute of the object it leads to.
    pub fn then(mut self, name: &str) -> AttrPath {
        debug_assert!(
            !name.is_empty() && !name.contains(['.', '[', ']']),
            "{name:?} is not an attribute name: build the path step by step"
        );
        self.0.push(PathStep::Attr(name.to_string()));
        self
    }
    /// This path, then a list element.
    pub fn index(mut self, i: usize) -> AttrPath {
        self.0.push(PathStep::Index(i64::try_from(i).unwrap_or(i64::MAX)));
        self
    }
    /// This path, then a map element.
    pub fn key(mut self, k: &str) -> AttrPath {
        self.0.push(PathStep::Key(k.to_string()));
        self
    }
    /// This path, then one element of the set it leads to.
    pub fn element(mut self) -> AttrPath {
        self.0.push(PathStep::SetElement);
        self
    }
}

impl From<&str> for AttrPath {
    fn from(name: &str) -> AttrPath {
        AttrPath::attr(name)
    }
}

impl std::fmt::Display for AttrPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                PathStep::Attr(a) if i == 0 => write!(f, "{a}")?,
                PathStep::Attr(a) => write!(f, ".{a}")?,
                PathStep::Index(n) => write!(f, "[{n}]")?,
                PathStep::Key(k) => write!(f, "[{k:?}]")?,
                PathStep::SetElement => {}
            }
        }
        Ok(())
    }
}

/// A domain error: what is wrong, which object, what to do, and the attribute it is about.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{summary}: {detail}")]
pub struct Error {
    pub kind: ErrorKind,
    pub summary: String,
    pub detail: String,
    /// The configuration attribute the error is about.
    pub attribute: Option<AttrPath>,
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
    /// Whether the acting account may not do this (an authorization refusal).
    pub fn is_forbidden(&self) -> bool {
        self.kind == ErrorKind::Forbidden
    }
    /// The same error, about a top-level attribute.
    pub fn at(self, attribute: &str) -> Error {
        self.at_path(AttrPath::attr(attribute))
    }
    /// The same error, about the attribute at `path`.
    pub fn at_path(mut self, path: AttrPath) -> Error {
        self.attribute = Some(path);
        self
    }
    /// The attribute the error is about, as text (`cidr_authorization_context[0].message`).
    pub fn attribute(&self) -> Option<String> {
        self.attribute.as_ref().map(AttrPath::to_string)
    }
}

/// Result of domain operations.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_built_step_by_step() {
        let p = AttrPath::attr("cidr_authorization_context").index(0).then("message");
        assert_eq!(p.to_string(), "cidr_authorization_context[0].message");
        let p = AttrPath::attr("operating_regions").element().then("region_name");
        assert_eq!(
            p.0,
            [
                PathStep::Attr("operating_regions".into()),
                PathStep::SetElement,
                PathStep::Attr("region_name".into())
            ]
        );
        assert_eq!(p.to_string(), "operating_regions.region_name");
        assert_eq!(AttrPath::attr("tags").key("env").to_string(), "tags[\"env\"]");
        assert_eq!(Error::invalid("s", "d").at("cidr").attribute().as_deref(), Some("cidr"));
    }

    #[test]
    #[should_panic(expected = "build the path step by step")]
    #[cfg(debug_assertions)]
    fn a_dotted_name_is_refused() {
        let _ = Error::invalid("s", "d").at("filter.name");
    }
}
