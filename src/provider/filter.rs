//! `filter { name values }` blocks with EC2 filter names and `*` / `?` wildcards, and the error of
//! a singular lookup that does not match exactly one object.

use crate::ipam::cidr::{Cidr, CidrError};
use crate::ipam::model::Tags;
use crate::ipam::{AttrPath, Error, ErrorKind, Result};

use super::model::{Set, model};

model! {
    /// One `filter { name values }` block: a name and the values any of which may match. Each data
    /// source gives the block its own description, listing its filter names.
    pub struct Filter {
        name: String = required("The filter name, e.g. `description` or `tag:env`."),
        values: Set<String> = required("Values to match; `*` matches any run of characters, `?` one character."),
    }
}

/// Glob matching with `*` (any run of characters) and `?` (one character), in time linear in
/// the text: the pattern splits at `*` into segments; the first must match at the start, the last
/// at the end, and each one between at its leftmost place after the one before (taking the
/// leftmost place never loses a match). Each segment is searched in one pass over the text with
/// one Knuth-Morris-Pratt automaton per run of literal characters between its `?`s, so the
/// work is the text's length times the largest number of such runs in a segment, plus the
/// pattern's length; no backtracking.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let segments: Vec<&[char]> = p.split(|c| *c == '*').collect();
    let (first, last) = (segments[0], segments[segments.len() - 1]);
    if segments.len() == 1 {
        return t.len() == first.len() && fits(first, &t);
    }
    if t.len() < first.len() + last.len() || !fits(first, &t[..first.len()]) || !fits(last, &t[t.len() - last.len()..])
    {
        return false;
    }
    let (mut at, end) = (first.len(), t.len() - last.len());
    for seg in &segments[1..segments.len() - 1] {
        match find_segment(seg, &t, at, end) {
            Some(p) => at = p + seg.len(),
            None => return false,
        }
    }
    true
}

/// Whether a segment (literals and `?`) matches text of its own length.
fn fits(seg: &[char], text: &[char]) -> bool {
    seg.iter().zip(text).all(|(p, c)| *p == '?' || p == c)
}

/// A Knuth-Morris-Pratt automaton for one literal run of a segment, `offset` characters into it.
struct Run<'a> {
    offset: usize,
    chars: &'a [char],
    fail: Vec<usize>,
    state: usize,
}

impl<'a> Run<'a> {
    fn new(offset: usize, chars: &'a [char]) -> Run<'a> {
        let mut fail = vec![0; chars.len()];
        let mut k = 0;
        for i in 1..chars.len() {
            while k > 0 && chars[i] != chars[k] {
                k = fail[k - 1];
            }
            if chars[i] == chars[k] {
                k += 1;
            }
            fail[i] = k;
        }
        Run {
            offset,
            chars,
            fail,
            state: 0,
        }
    }

    /// Feeds one character; true when an occurrence of the run ends with it.
    fn step(&mut self, c: char) -> bool {
        #[cfg(test)]
        tests::STEPS.with(|s| s.set(s.get() + 1));
        while self.state > 0 && (self.state == self.chars.len() || self.chars[self.state] != c) {
            self.state = self.fail[self.state - 1];
        }
        if self.chars[self.state] == c {
            self.state += 1;
        }
        self.state == self.chars.len()
    }
}

/// The leftmost start `p` in `from..` with `seg` matching `t[p..p + seg.len()]` inside `..end`.
/// Every run of the segment votes for the start its occurrence implies; a start with a vote from
/// every run matches. Votes sit in a ring of `seg.len()` counters, each cleared once its start
/// has been decided.
fn find_segment(seg: &[char], t: &[char], from: usize, end: usize) -> Option<usize> {
    let len = seg.len();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < len {
        if seg[i] == '?' {
            i += 1;
            continue;
        }
        let j = seg[i..].iter().position(|c| *c == '?').map_or(len, |n| i + n);
        runs.push(Run::new(i, &seg[i..j]));
        i = j;
    }
    if runs.is_empty() {
        return (from + len <= end).then_some(from);
    }
    let mut votes = vec![0usize; len];
    for (q, c) in t.iter().enumerate().take(end).skip(from) {
        for r in runs.iter_mut() {
            if r.step(*c) {
                let run_start = q + 1 - r.chars.len();
                if run_start >= from + r.offset {
                    votes[(run_start - r.offset) % len] += 1;
                }
            }
        }
        if q + 1 >= from + len {
            let p = q + 1 - len;
            if votes[p % len] == runs.len() {
                return Some(p);
            }
            votes[p % len] = 0;
        }
    }
    None
}

/// Exact CIDRs among the values of the filters with this name are compared as blocks: they are
/// written in the canonical form the data source lists, whatever spelling the configuration
/// uses (`2001:DB8::/32`); a careless spelling (leading zeros, blanks) is refused as everywhere
/// else. Values with wildcards match the canonical text as they are.
pub fn canonical_cidr_values(filters: &mut [Filter], name: &str) -> Result<()> {
    for f in filters.iter_mut().filter(|f| f.name == name) {
        for v in f.values.iter_mut().filter(|v| !v.contains(['*', '?'])) {
            match Cidr::parse(v) {
                Ok(c) => *v = c.to_string(),
                Err(e @ CidrError::Careless { .. }) => {
                    return Err(Error::invalid("Invalid CIDR", e.to_string()).at_path(filter_attribute("values")));
                }
                Err(_) => {}
            }
        }
    }
    Ok(())
}

/// The error for a filter name the object type does not know. It points at the block's `name`:
/// Terraform shows that line when there is one `filter` block, and the data source otherwise.
fn unknown_name(f: &Filter, kind: &str) -> Error {
    Error::invalid(
        "Unknown filter name",
        format!("{:?} is not a filter name for {kind}.", f.name),
    )
    .at_path(filter_attribute("name"))
}

/// An attribute of one `filter` block. The blocks are a set: the error's detail names the
/// block (its name or value).
fn filter_attribute(name: &str) -> AttrPath {
    AttrPath::attr("filter").element().then(name)
}

/// Checks every filter name against the names an object type knows (`tag:<key>` and `tag-key`
/// are always known) before any object is read, so a misspelt name is an error also when there
/// is nothing to filter.
pub fn check_names(filters: &[Filter], known: &[&str], kind: &str) -> Result<()> {
    match filters
        .iter()
        .find(|f| !f.name.starts_with("tag:") && f.name != "tag-key" && !known.contains(&f.name.as_str()))
    {
        Some(f) => Err(unknown_name(f, kind)),
        None => Ok(()),
    }
}

/// True when the object passes every filter. `field` gives an object's values for a filter
/// name (`None` for a name the object type does not know, which is an error).
pub fn matches(
    filters: &[Filter],
    field: &dyn Fn(&str) -> Option<Vec<String>>,
    tags: &Tags,
    kind: &str,
) -> Result<bool> {
    for f in filters {
        let values: Vec<String> = if let Some(k) = f.name.strip_prefix("tag:") {
            tags.get(k).cloned().into_iter().collect()
        } else if f.name == "tag-key" {
            tags.keys().cloned().collect()
        } else {
            field(&f.name).ok_or_else(|| unknown_name(f, kind))?
        };
        if !f.values.iter().any(|pat| values.iter().any(|v| glob(pat, v))) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Exactly one match, or an error that says how many and what to do.
pub fn single<T>(mut found: Vec<T>, what: &str) -> Result<T> {
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Error::new(
            ErrorKind::NotFound,
            format!("no matching {what} found"),
            format!(
                "No {what} matches the given ID and filters. Check them, or use the plural data source to list what exists."
            ),
        )),
        n => Err(Error::invalid(
            format!("multiple {what}s matched"),
            format!(
                "{n} {what}s match; use additional constraints (an ID or more filters) to reduce matches to a single {what}."
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::cell::Cell;

    thread_local! {
        /// Characters fed to the automata of `glob`, counted to bound its work.
        pub static STEPS: Cell<usize> = const { Cell::new(0) };
    }

    /// Glob by the definition: backtracking over every split (exponential; small inputs only).
    fn reference(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => (0..=t.len()).any(|i| reference(rest, &t[i..])),
            Some((c, rest)) => t
                .split_first()
                .is_some_and(|(x, tt)| (*c == '?' || c == x) && reference(rest, tt)),
        }
    }

    #[test]
    fn globs() {
        assert!(glob("10.*", "10.0.0.0/8"));
        assert!(glob("*prod*", "my-prod-pool"));
        assert!(glob("us-?ast-1", "us-east-1"));
        assert!(!glob("us-?ast-1", "us-west-1"));
        assert!(glob("*", ""));
        assert!(!glob("a", "ab"));
        assert!(glob("*a?c*", "xxabcxx"));
        assert!(glob("*ab?ab?*", "abxabyababz"));
        assert!(!glob("a*b*c", "acb"));
        assert!(glob("a*?*c", "abc"));
        assert!(!glob("a*??*c", "abc"));
        assert!(glob("**", "anything"));
        assert!(glob("ü*?", "üñ"));
    }

    /// The work stays linear where backtracking was quadratic: a 100 KB description against a
    /// 50 KB pattern of single characters between stars, and against patterns with `?`.
    #[test]
    fn glob_work_is_linear_in_the_text() {
        let text = "a".repeat(100_000);
        for (pattern, runs_per_segment) in [
            (format!("{}b", "*a".repeat(25_000)), 1),
            (format!("*{}b*", "a".repeat(50_000)), 1),
            (format!("*{}", "a?a?a?ab*".repeat(5_000)), 4),
        ] {
            STEPS.with(|s| s.set(0));
            assert!(!glob(&pattern, &text));
            let steps = STEPS.with(Cell::get);
            let bound = runs_per_segment * text.len() + pattern.len();
            assert!(steps <= bound, "{steps} steps for a bound of {bound}");
        }
    }

    proptest! {
        #[test]
        fn glob_agrees_with_the_definition(p in "[ab?*]{0,10}", t in "[abc]{0,12}") {
            let (pc, tc): (Vec<char>, Vec<char>) = (p.chars().collect(), t.chars().collect());
            prop_assert_eq!(glob(&p, &t), reference(&pc, &tc), "{:?} against {:?}", p, t);
        }
    }

    #[test]
    fn cidr_filter_values_are_compared_as_blocks() {
        let mut fs = vec![Filter {
            name: "cidr".into(),
            values: Set(vec!["2001:DB8::/32".into(), "10.*".into(), "nonsense".into()]),
        }];
        canonical_cidr_values(&mut fs, "cidr").unwrap();
        assert_eq!(fs[0].values.0, ["2001:db8::/32", "10.*", "nonsense"]);
        let mut fs = vec![Filter {
            name: "cidr".into(),
            values: Set(vec!["010.0.0.0/8".into()]),
        }];
        let e = canonical_cidr_values(&mut fs, "cidr").unwrap_err();
        assert!(e.detail.contains("did you mean \"10.0.0.0/8\"?"), "{}", e.detail);
        assert_eq!(e.attribute().as_deref(), Some("filter.values"));
    }

    #[test]
    fn filters_and_tags() {
        let tags: Tags = [("env".to_string(), "prod".to_string())].into();
        let f = |name: &str| (name == "description").then(|| vec!["main pool".to_string()]);
        let by = |n: &str, v: &str| {
            vec![Filter {
                name: n.into(),
                values: Set(vec![v.into()]),
            }]
        };
        assert!(matches(&by("description", "main*"), &f, &tags, "pools").unwrap());
        assert!(!matches(&by("description", "other"), &f, &tags, "pools").unwrap());
        assert!(matches(&by("tag:env", "prod"), &f, &tags, "pools").unwrap());
        assert!(!matches(&by("tag:env", "dev"), &f, &tags, "pools").unwrap());
        assert!(matches(&by("tag-key", "env"), &f, &tags, "pools").unwrap());
        assert!(matches(&by("nonsense", "x"), &f, &tags, "pools").is_err());
        assert!(check_names(&by("description", "x"), &["description"], "pools").is_ok());
        assert!(check_names(&by("tag:env", "x"), &[], "pools").is_ok());
        let e = check_names(&by("nonsense", "x"), &["description"], "pools").unwrap_err();
        assert_eq!(e.attribute().as_deref(), Some("filter.name"));
    }

    #[test]
    fn single_match_rules() {
        assert_eq!(single(vec![1], "pool").unwrap(), 1);
        assert!(
            single::<i32>(vec![], "pool")
                .unwrap_err()
                .summary
                .contains("no matching pool")
        );
        assert!(
            single(vec![1, 2], "pool")
                .unwrap_err()
                .detail
                .contains("additional constraints")
        );
    }
}
