//! The architecture of `src/`, read from its source: the layers of ARCHITECTURE.md (which top-level
//! module may use which) and no cycle between files. Every `crate::…`, `super::…` and `self::…`
//! path counts, in `use` declarations, in code and inside macro invocations (comments and
//! literals do not); `src/main.rs` is a crate of its own and is left out.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

/// The modules each top-level module may use besides itself. A new top-level module must be added
/// here, with the layers it sits on.
const MAY_USE: &[(&str, &[&str])] = &[
    ("plugin", &[]),
    ("ipam", &[]),
    ("store", &["ipam"]),
    ("provider", &["plugin", "ipam", "store"]),
    ("cli", &["plugin", "ipam", "store", "provider"]),
];

/// One source file: its path under `src/` and the module it is (`ipam/mod.rs` is `ipam`).
struct Source {
    file: String,
    module: Vec<String>,
    text: String,
}

impl Source {
    fn new(file: &str, text: &str) -> Source {
        let stem = file.strip_suffix(".rs").expect("a .rs file");
        let mut module: Vec<String> = stem.split('/').map(str::to_string).collect();
        if matches!(module.last().map(String::as_str), Some("mod" | "lib")) {
            module.pop();
        }
        Source {
            file: file.to_string(),
            module,
            text: text.to_string(),
        }
    }
}

/// Every `.rs` file under `src/` but `main.rs`.
fn crate_sources() -> Vec<Source> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<Source>) {
        for entry in std::fs::read_dir(dir).expect("read src/") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let file = path
                    .strip_prefix(root)
                    .expect("under src/")
                    .to_string_lossy()
                    .replace('\\', "/");
                if file != "main.rs" {
                    let text = std::fs::read_to_string(&path).expect("read a source file");
                    out.push(Source::new(&file, &text));
                }
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    walk(&root, &root, &mut out);
    out.sort_by(|a, b| a.file.cmp(&b.file));
    assert!(out.len() > 10, "src/ holds only {} files", out.len());
    out
}

/// A token of Rust source, as far as paths need: identifiers (keywords included), `::`, and any
/// other punctuation; comments, literals and lifetimes are dropped.
#[derive(Clone, Debug, PartialEq)]
enum Token {
    Ident(String),
    Path,
    Punct(char),
}

/// The tokens of a source file. Doc comments are comments here: their examples are not the file's code.
fn tokens(text: &str) -> Vec<Token> {
    let c: Vec<char> = text.chars().collect();
    let ident_start = |ch: char| ch.is_alphabetic() || ch == '_';
    let ident_char = |ch: char| ch.is_alphanumeric() || ch == '_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let at = |k: usize| c.get(k).copied().unwrap_or('\0');
        match c[i] {
            ch if ch.is_whitespace() => i += 1,
            '/' if at(i + 1) == '/' => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            }
            '/' if at(i + 1) == '*' => {
                let mut depth = 0;
                loop {
                    if i >= c.len() {
                        break;
                    } else if c[i] == '/' && at(i + 1) == '*' {
                        depth += 1;
                        i += 2;
                    } else if c[i] == '*' && at(i + 1) == '/' {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            '"' => {
                i += 1;
                while i < c.len() && c[i] != '"' {
                    i += if c[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
            }
            '\'' => {
                // A character literal ('a', '\n', '\u{1F600}', '"'), else a lifetime or label.
                if at(i + 1) == '\\' {
                    i += 2;
                    while i < c.len() && c[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if at(i + 2) == '\'' {
                    i += 3;
                } else {
                    i += 1;
                    while i < c.len() && ident_char(c[i]) {
                        i += 1;
                    }
                }
            }
            ch if ident_start(ch) => {
                let start = i;
                while i < c.len() && ident_char(c[i]) {
                    i += 1;
                }
                let word: String = c[start..i].iter().collect();
                // Raw strings (r"…", r#"…"#, br"…", cr#"…"#) and prefixed strings (b"…", c"…").
                let raw = matches!(word.as_str(), "r" | "br" | "cr") && matches!(at(i), '"' | '#');
                if raw {
                    let mut hashes = 0;
                    while at(i) == '#' {
                        hashes += 1;
                        i += 1;
                    }
                    if at(i) != '"' {
                        // `r#ident`, a raw identifier.
                        let start = i;
                        while i < c.len() && ident_char(c[i]) {
                            i += 1;
                        }
                        out.push(Token::Ident(c[start..i].iter().collect()));
                        continue;
                    }
                    i += 1;
                    while i < c.len() && !(c[i] == '"' && (1..=hashes).all(|k| at(i + k) == '#')) {
                        i += 1;
                    }
                    i += 1 + hashes;
                } else if matches!(word.as_str(), "b" | "c") && matches!(at(i), '"' | '\'') {
                    continue; // the literal is skipped by the next turn of the loop
                } else {
                    out.push(Token::Ident(word));
                }
            }
            ch if ch.is_ascii_digit() => {
                while i < c.len() && (ident_char(c[i]) || (c[i] == '.' && at(i + 1).is_ascii_digit())) {
                    i += 1;
                }
            }
            ':' if at(i + 1) == ':' => {
                out.push(Token::Path);
                i += 2;
            }
            ch => {
                out.push(Token::Punct(ch));
                i += 1;
            }
        }
    }
    out
}

/// The absolute paths (without `crate`) a file refers to through `crate::`, `super::` and `self::`.
struct Collector {
    /// The module of the code being read (inline `mod` blocks included), with the brace depth at
    /// which each inline module ends.
    scope: Vec<String>,
    ends: Vec<usize>,
    found: BTreeSet<Vec<String>>,
}

impl Collector {
    fn of(module: &[String], text: &str) -> BTreeSet<Vec<String>> {
        let mut c = Collector {
            scope: module.to_vec(),
            ends: Vec::new(),
            found: BTreeSet::new(),
        };
        c.read(&tokens(text));
        c.found
    }

    fn add(&mut self, segments: &[String]) {
        let Some(first) = segments.first() else { return };
        let mut base = match first.as_str() {
            "crate" => Vec::new(),
            "super" | "self" => self.scope.clone(),
            _ => return,
        };
        let mut rest = &segments[usize::from(first == "crate")..];
        while let Some(s) = rest.first() {
            match s.as_str() {
                "super" => {
                    base.pop();
                }
                "self" => {}
                _ => break,
            }
            rest = &rest[1..];
        }
        base.extend_from_slice(rest);
        self.found.insert(base);
    }

    fn read(&mut self, t: &[Token]) {
        let ident = |k: usize| match t.get(k) {
            Some(Token::Ident(s)) => Some(s.as_str()),
            _ => None,
        };
        let mut depth = 0;
        let mut i = 0;
        while i < t.len() {
            match &t[i] {
                Token::Punct('{') => depth += 1,
                Token::Punct('}') => {
                    depth -= 1;
                    if self.ends.last() == Some(&depth) {
                        self.ends.pop();
                        self.scope.pop();
                    }
                }
                // `pub(crate)`, `pub(super)`, `pub(in crate::x)` say who may see an item, not what it uses.
                Token::Ident(k) if k == "pub" && t.get(i + 1) == Some(&Token::Punct('(')) => {
                    while i < t.len() && t[i] != Token::Punct(')') {
                        i += 1;
                    }
                }
                Token::Ident(k) if k == "mod" && t.get(i + 2) == Some(&Token::Punct('{')) => {
                    self.scope.push(ident(i + 1).unwrap_or_default().to_string());
                    self.ends.push(depth);
                    depth += 1;
                    i += 2;
                }
                Token::Ident(k) if k == "use" => {
                    i = self.use_tree(t, i + 1, &mut Vec::new());
                }
                Token::Ident(k)
                    if matches!(k.as_str(), "crate" | "super" | "self")
                        && t.get(i + 1) == Some(&Token::Path)
                        && (i == 0 || t[i - 1] != Token::Path) =>
                {
                    let mut path = vec![k.clone()];
                    while t.get(i + 1) == Some(&Token::Path) {
                        let Some(next) = ident(i + 2) else { break };
                        path.push(next.to_string());
                        i += 2;
                    }
                    self.add(&path);
                }
                _ => {}
            }
            i += 1;
        }
    }

    /// Reads the use tree starting at `i` (after `use`, or inside braces) and returns the index of
    /// the token that ends it (`;`, `,` or `}`).
    fn use_tree(&mut self, t: &[Token], mut i: usize, prefix: &mut Vec<String>) -> usize {
        let depth = prefix.len();
        if t.get(i) == Some(&Token::Path) {
            i += 1;
        }
        loop {
            match t.get(i) {
                Some(Token::Ident(name)) => {
                    prefix.push(name.clone());
                    i += 1;
                }
                Some(Token::Punct('*')) => {
                    i += 1;
                    break;
                }
                Some(Token::Punct('{')) => {
                    i += 1;
                    while t.get(i).is_some_and(|x| *x != Token::Punct('}')) {
                        i = self.use_tree(t, i, prefix);
                        if t.get(i) == Some(&Token::Punct(',')) {
                            i += 1;
                        }
                    }
                    prefix.truncate(depth);
                    return i + 1;
                }
                _ => break,
            }
            if t.get(i) == Some(&Token::Path) {
                i += 1;
            } else {
                break;
            }
        }
        // `self` in a group names the module itself; `as x` renames what was named.
        if prefix.last().is_some_and(|s| s == "self") && prefix.len() > 1 {
            prefix.pop();
        }
        self.add(&prefix.clone());
        prefix.truncate(depth);
        while t.get(i).is_some_and(|x| !matches!(x, Token::Punct(';' | ',' | '}'))) {
            i += 1;
        }
        i
    }
}

/// The crate's files and, for each, the files it uses with one path that makes each use.
struct Graph {
    /// Module of each file.
    modules: BTreeMap<String, Vec<String>>,
    /// (from, to) → an example path (`crate::store::Store`).
    edges: BTreeMap<(String, String), String>,
    /// Every path each file refers to, for the layer check.
    refs: BTreeMap<String, BTreeSet<Vec<String>>>,
}

impl Graph {
    fn of(sources: &[Source]) -> Graph {
        let by_module: BTreeMap<&[String], &str> =
            sources.iter().map(|s| (s.module.as_slice(), s.file.as_str())).collect();
        let mut graph = Graph {
            modules: BTreeMap::new(),
            edges: BTreeMap::new(),
            refs: BTreeMap::new(),
        };
        for s in sources {
            let found = Collector::of(&s.module, &s.text);
            for path in &found {
                // The file of the longest module prefix: `crate::ipam::cidr::parse` is ipam/cidr.rs.
                let target = (0..=path.len()).rev().find_map(|n| by_module.get(&path[..n]));
                if let Some(&target) = target.filter(|&&t| t != s.file) {
                    graph
                        .edges
                        .entry((s.file.clone(), target.to_string()))
                        .or_insert_with(|| format!("crate::{}", path.join("::")));
                }
            }
            graph.modules.insert(s.file.clone(), s.module.clone());
            graph.refs.insert(s.file.clone(), found);
        }
        graph
    }

    /// Uses of a top-level module that MAY_USE does not allow, one line each.
    fn layer_problems(&self) -> Vec<String> {
        let tops: BTreeSet<&str> = self
            .modules
            .values()
            .filter_map(|m| m.first())
            .map(String::as_str)
            .collect();
        let mut problems = Vec::new();
        for (file, refs) in &self.refs {
            let Some(from) = self.modules[file].first() else {
                continue;
            };
            let Some((_, allowed)) = MAY_USE.iter().find(|(m, _)| m == from) else {
                problems.push(format!(
                    "src/{file}: the module `{from}` has no row in MAY_USE (tests/e2e/architecture.rs): add the modules it may use"
                ));
                continue;
            };
            for path in refs {
                let to = path.first().map(String::as_str).unwrap_or_default();
                if to != from && tops.contains(to) && !allowed.contains(&to) {
                    problems.push(format!(
                        "src/{file} uses crate::{}: `{from}` may use {} (ARCHITECTURE.md)",
                        path.join("::"),
                        if allowed.is_empty() {
                            "no other module of the crate".to_string()
                        } else {
                            allowed.join(", ")
                        }
                    ));
                }
            }
        }
        problems
    }

    /// Each group of files that use each other (a strongly connected component of more than one
    /// file), as one shortest cycle through its first file with the path behind each step.
    fn cycles(&self) -> Vec<String> {
        let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (from, to) in self.edges.keys() {
            next.entry(from).or_default().push(to);
        }
        fn reach<'a>(next: &BTreeMap<&'a str, Vec<&'a str>>, start: &'a str) -> BTreeSet<&'a str> {
            let mut seen = BTreeSet::from([start]);
            let mut queue = VecDeque::from([start]);
            while let Some(n) = queue.pop_front() {
                for &m in next.get(n).into_iter().flatten() {
                    if seen.insert(m) {
                        queue.push_back(m);
                    }
                }
            }
            seen
        }
        let reaches: BTreeMap<&str, BTreeSet<&str>> =
            self.modules.keys().map(|f| (f.as_str(), reach(&next, f))).collect();
        let mut done = BTreeSet::new();
        let mut out = Vec::new();
        for (&file, reached) in &reaches {
            if done.contains(file) {
                continue;
            }
            let component: BTreeSet<&str> = reached.iter().copied().filter(|r| reaches[r].contains(file)).collect();
            done.extend(component.iter().copied());
            if component.len() < 2 {
                continue;
            }
            // Shortest way back to `file` inside the component.
            let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
            let mut queue = VecDeque::from([file]);
            'search: while let Some(n) = queue.pop_front() {
                for &m in next.get(n).into_iter().flatten() {
                    if m == file {
                        parent.insert("", n);
                        break 'search;
                    }
                    if component.contains(m) && !parent.contains_key(m) {
                        parent.insert(m, n);
                        queue.push_back(m);
                    }
                }
            }
            let mut back = Vec::new();
            let mut at = parent[""];
            while at != file {
                back.push(at);
                at = parent[at];
            }
            let cycle: Vec<&str> = std::iter::once(file)
                .chain(back.into_iter().rev())
                .chain([file])
                .collect();
            let mut line = format!("src/{file}");
            for w in cycle.windows(2) {
                let path = &self.edges[&(w[0].to_string(), w[1].to_string())];
                line.push_str(&format!(" -> src/{} ({path})", w[1]));
            }
            let others = component.len() - (cycle.len() - 1);
            if others > 0 {
                line.push_str(&format!(
                    ", and {others} other file{} in the same knot",
                    if others == 1 { "" } else { "s" }
                ));
            }
            out.push(line);
        }
        out
    }
}

/// plugin and ipam use no other module of the crate; store uses only ipam; provider uses plugin,
/// ipam and store; cli may use them all.
#[test]
fn each_module_uses_only_the_layers_below_it() {
    let problems = Graph::of(&crate_sources()).layer_problems();
    assert!(problems.is_empty(), "uses across layers:\n{}", problems.join("\n"));
}

/// The checks themselves, on a small crate: a use against the layers and a cycle through a macro
/// invocation are found; comments, literals, `pub(in crate::…)` and inline test modules add nothing.
#[test]
fn the_architecture_checks_find_what_they_look_for() {
    let sources = [
        Source::new("lib.rs", "pub mod ipam; pub mod store; pub mod provider;"),
        Source::new("ipam/mod.rs", "pub mod a; pub(in crate::ipam) fn f() {}"),
        Source::new(
            "ipam/a.rs",
            r##"use super::f;
// crate::store::InAComment, /* crate::store::InABlock */
/// Returns crate::store::InADocComment.
fn g<'a>(_: &'a str) -> crate::store::Store {
    let _ = ('"', "crate::store::InAString", r#"crate::store::"InARaw""#, b'x', 1.5);
    todo!()
}
#[cfg(test)]
mod tests {
    use super::*;
}
"##,
        ),
        Source::new("store/mod.rs", "use crate::ipam::{self, a::*};\npub struct Store;"),
        Source::new("provider/mod.rs", "pub mod x; pub mod y;"),
        Source::new("provider/x.rs", "use super::{y::Y as Z};\npub const C: u8 = 1;"),
        Source::new(
            "provider/y.rs",
            "pub struct Y;\nfn f() -> String { format!(\"{}\", crate::provider::x::C) }",
        ),
    ];
    let graph = Graph::of(&sources);
    assert_eq!(
        graph.layer_problems(),
        ["src/ipam/a.rs uses crate::store::Store: `ipam` may use no other module of the crate (ARCHITECTURE.md)"]
    );
    assert_eq!(
        graph.cycles(),
        [
            "src/ipam/a.rs -> src/store/mod.rs (crate::store::Store) -> src/ipam/a.rs (crate::ipam::a)",
            "src/provider/x.rs -> src/provider/y.rs (crate::provider::y::Y) -> src/provider/x.rs (crate::provider::x::C)",
        ]
    );
}

/// No two files use each other, directly or through others.
#[test]
fn no_file_depends_on_itself_through_others() {
    let cycles = Graph::of(&crate_sources()).cycles();
    assert!(
        cycles.is_empty(),
        "files that use each other (move what both need into one of them or a third file):\n{}",
        cycles.join("\n")
    );
}
