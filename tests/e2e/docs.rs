//! The docs and the schema agree: every resource and data source has a page, every attribute appears
//! in its page's reference sections at every depth (nested blocks, and the attributes of object types
//! and of lists, sets and maps of objects), no page documents an attribute or a type the provider
//! does not have, and every attribute has a description (shown in editors and
//! `terraform providers schema`). `scripts/gen_docs.py` rewrites the pages' reference sections from
//! the schema.
//!
//! The convention this test reads, the one `scripts/gen_docs.py` writes: in a page's
//! `## Argument Reference` and `## Attribute Reference` sections each attribute is a bullet that
//! starts with its backticked name. The attributes of an object type (or of the objects of a list,
//! set or map) are bullets nested under it, two spaces deeper a level, or a bullet that names the
//! dotted path (`operating_regions.region_name`). A nested block is a bullet in its parent's list
//! and a `` ### `path` block `` section listing its attributes, with a dotted path for a block inside a
//! block (`outer.inner`). Arguments (required or optional attributes, and blocks) are under Argument
//! Reference, read-only attributes under Attribute Reference. Bullets under any other `###` heading
//! of those sections, and text outside them, are prose and not read.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::Tf;
use serde_json::Value as J;

/// The reference section an attribute belongs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Arguments,
    Attributes,
}

impl Section {
    fn heading(self) -> &'static str {
        match self {
            Section::Arguments => "Argument Reference",
            Section::Attributes => "Attribute Reference",
        }
    }
}

/// Every path of a schema block (`name`, `block.name`, `list_attr.object_attr.name`, ...) with
/// the section it belongs in. A nested path belongs where its top-level attribute or block does.
fn schema_paths(
    block: &J,
    prefix: &str,
    inherited: Option<Section>,
    what: &str,
    out: &mut BTreeMap<String, Section>,
    problems: &mut Vec<String>,
) {
    if let Some(attrs) = block["attributes"].as_object() {
        for (name, a) in attrs {
            let path = format!("{prefix}{name}");
            let section = inherited.unwrap_or(
                if a["required"].as_bool().unwrap_or(false) || a["optional"].as_bool().unwrap_or(false) {
                    Section::Arguments
                } else {
                    Section::Attributes
                },
            );
            if a["description"].as_str().unwrap_or("").trim().is_empty() {
                problems.push(format!("{what}: `{path}` has no description in the schema"));
            }
            out.insert(path.clone(), section);
            type_paths(&a["type"], &path, section, out);
            // Nested attributes (protocol 6) are documented like blocks' attributes.
            if a["nested_type"].is_object() {
                schema_paths(
                    &a["nested_type"],
                    &format!("{path}."),
                    Some(section),
                    what,
                    out,
                    problems,
                );
            }
        }
    }
    if let Some(blocks) = block["block_types"].as_object() {
        for (name, b) in blocks {
            let path = format!("{prefix}{name}");
            let section = inherited.unwrap_or(Section::Arguments);
            out.insert(path.clone(), section);
            schema_paths(&b["block"], &format!("{path}."), Some(section), what, out, problems);
        }
    }
}

/// The attribute paths inside a type: the attributes of an object, and of the objects of a list,
/// set or map, recursively.
fn type_paths(t: &J, path: &str, section: Section, out: &mut BTreeMap<String, Section>) {
    let Some(t) = t.as_array() else { return };
    match t.first().and_then(J::as_str) {
        Some("object") => {
            for (name, sub) in t[1].as_object().into_iter().flatten() {
                let p = format!("{path}.{name}");
                out.insert(p.clone(), section);
                type_paths(sub, &p, section, out);
            }
        }
        Some("list" | "set" | "map") => type_paths(&t[1], path, section, out),
        _ => {}
    }
}

/// The attribute paths a page documents in its reference sections, each with its section and
/// line number (see the convention at the top).
fn documented_paths(page: &str) -> Vec<(String, Section, usize)> {
    let mut out = Vec::new();
    let mut section = None;
    // The path prefix of the bullets here: "" in a section's own list, "block." in a block's
    // section, None under a heading that is not a block's (prose).
    let mut prefix: Option<String> = None;
    // The enclosing bullets: (indent level, path).
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut fenced = false;
    for (i, line) in page.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        if let Some(h) = line.strip_prefix("## ") {
            section = match h.trim() {
                "Argument Reference" => Some(Section::Arguments),
                "Attribute Reference" => Some(Section::Attributes),
                _ => None,
            };
            prefix = Some(String::new());
            stack.clear();
            continue;
        }
        if line.starts_with("###") {
            let h = line.trim_start_matches('#').trim();
            prefix = h
                .strip_prefix('`')
                .and_then(|h| h.strip_suffix("` block"))
                .filter(|p| is_path(p))
                .map(|p| format!("{p}."));
            stack.clear();
            continue;
        }
        let (Some(section), Some(prefix)) = (section, &prefix) else {
            continue;
        };
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = line.trim_start_matches(' ');
        let name = rest
            .strip_prefix("* `")
            .or_else(|| rest.strip_prefix("- `"))
            .and_then(|r| r.split('`').next())
            .filter(|n| is_path(n));
        match name {
            Some(name) => {
                let level = indent / 2;
                while stack.last().is_some_and(|(l, _)| *l >= level) {
                    stack.pop();
                }
                let path = match stack.last() {
                    Some((_, parent)) => format!("{parent}.{name}"),
                    None => format!("{prefix}{name}"),
                };
                stack.push((level, path.clone()));
                out.push((path, section, i + 1));
            }
            // A paragraph (or a bullet that names no attribute) at the margin ends the list.
            None if indent == 0 && !rest.is_empty() => stack.clear(),
            None => {}
        }
    }
    out
}

fn is_path(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|part| {
            part.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// The problems of one page against its type's schema.
fn check_page(file: &str, page: &str, block: &J, problems: &mut Vec<String>) {
    let mut expected = BTreeMap::new();
    schema_paths(block, "", None, file, &mut expected, problems);
    let mut seen = BTreeSet::new();
    for (path, section, line) in documented_paths(page) {
        match expected.get(&path) {
            None => problems.push(format!(
                "{file}:{line} documents `{path}`, which the schema does not have"
            )),
            Some(want) if *want != section => problems.push(format!(
                "{file}:{line} documents `{path}` under {}, but it belongs under {}",
                section.heading(),
                want.heading()
            )),
            Some(_) => {}
        }
        if !seen.insert(path.clone()) {
            problems.push(format!("{file}:{line} documents `{path}` a second time"));
        }
    }
    for path in expected.keys() {
        if !seen.contains(path) {
            problems.push(format!("{file} does not document `{path}`"));
        }
    }
}

#[test]
fn docs_match_the_schema() {
    let tf = Tf::new();
    tf.config("");
    let out = tf.ok(&["providers", "schema", "-json"]);
    let schema: J = serde_json::from_str(&out[out.find('{').unwrap()..]).unwrap();
    let p = schema["provider_schemas"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .clone();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let mut problems = Vec::new();
    for (key, folder) in [
        ("resource_schemas", "resources"),
        ("data_source_schemas", "data-sources"),
    ] {
        let types: BTreeSet<String> = p[key].as_object().unwrap().keys().cloned().collect();
        for (name, s) in p[key].as_object().unwrap() {
            let file = format!("docs/{folder}/{name}.md");
            let Ok(page) = std::fs::read_to_string(root.join(folder).join(format!("{name}.md"))) else {
                problems.push(format!("{file} is missing"));
                continue;
            };
            for heading in ["## Example Usage", "## Argument Reference", "## Attribute Reference"] {
                if !page.lines().any(|l| l.trim_end() == heading) {
                    problems.push(format!("{file} has no `{heading}` section"));
                }
            }
            if folder == "resources" && !page.lines().any(|l| l.trim_end() == "## Import") {
                problems.push(format!("{file} has no `## Import` section"));
            }
            check_page(&file, &page, &s["block"], &mut problems);
        }
        for entry in std::fs::read_dir(root.join(folder)).unwrap() {
            let file = entry.unwrap().file_name().to_string_lossy().to_string();
            let ty = file.trim_end_matches(".md");
            if !types.contains(ty) {
                problems.push(format!(
                    "docs/{folder}/{file} documents {ty}, which the provider does not have"
                ));
            }
        }
    }
    if let Some(attrs) = p["provider"]["block"]["attributes"].as_object() {
        let index = std::fs::read_to_string(root.join("index.md")).unwrap_or_default();
        for name in attrs
            .keys()
            .chain(p["provider"]["block"]["block_types"].as_object().unwrap().keys())
        {
            if !index.contains(&format!("`{name}`")) {
                problems.push(format!(
                    "docs/index.md does not document the provider argument `{name}`"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "docs and schema disagree (run scripts/gen_docs.py):\n{}",
        problems.join("\n")
    );
}

/// The reader and the walk on a made-up schema: what a page must say at every depth, and what it
/// must not.
#[test]
fn nested_attributes_are_checked_at_every_depth() {
    let block: J = serde_json::json!({
        "attributes": {
            "id": {"type": "string", "required": true, "description": "ID."},
            "items": {
                "type": ["list", ["object", {
                    "name": "string",
                    "regions": ["set", ["object", {"region_name": "string"}]],
                }]],
                "computed": true,
                "description": "Items.",
            },
        },
        "block_types": {
            "outer": {"nesting_mode": "list", "block": {
                "attributes": {"p": {"type": "string", "optional": true, "description": "P."}},
                "block_types": {"inner": {"nesting_mode": "set", "block": {
                    "attributes": {"q": {"type": "string", "required": true, "description": ""}},
                }}},
            }},
        },
    });
    let good = "# x\n\n* `nothing` here is read\n\n## Argument Reference\n\n\
        * `id` - (Required, string) ID.\n\
        * `outer` - (Block) See below.\n\n\
        ### `outer` block\n\n\
        * `p` - (Optional, string) P.\n\
        * `inner` - (Block)\n\n\
        ### `outer.inner` block\n\n\
        * `q` - (Required, string)\n\n\
        ### Notes\n\n\
        * `prose` is not read.\n\n\
        ## Attribute Reference\n\n\
        * `items` - (Read-only, list(object)) Items.\n\
        \x20 * `name` (string)\n\
        \x20 * `regions` (set(object))\n\
        \x20   * `region_name` (string)\n\n\
        ```hcl\n* `in_code` is not read\n```\n";
    let mut problems = Vec::new();
    check_page("good.md", good, &block, &mut problems);
    assert_eq!(
        problems,
        vec!["good.md: `outer.inner.q` has no description in the schema"]
    );

    // The dotted form documents the same paths.
    let dotted = good.replace(
        "  * `regions` (set(object))\n    * `region_name` (string)",
        "  * `regions` (set(object))\n* `items.regions.region_name` (string)",
    );
    let mut problems = Vec::new();
    check_page("dotted.md", &dotted, &block, &mut problems);
    assert_eq!(problems.len(), 1, "{problems:?}");

    // A missing nested attribute, an unknown one, one in the wrong section and a repeated one are
    // all reported, at once.
    let bad = good
        .replace("    * `region_name` (string)\n", "    * `region_nam` (string)\n")
        .replace("* `id` - (Required", "* `idx` - (Required")
        .replace("* `p` - (Optional, string) P.\n", "")
        .replace(
            "## Attribute Reference\n\n",
            "## Attribute Reference\n\n* `outer` - (Block)\n* `id` - x\n* `id` - x\n",
        );
    let mut problems = Vec::new();
    check_page("bad.md", &bad, &block, &mut problems);
    assert_eq!(
        problems,
        vec![
            "bad.md: `outer.inner.q` has no description in the schema",
            "bad.md:7 documents `idx`, which the schema does not have",
            "bad.md:24 documents `outer` under Attribute Reference, but it belongs under Argument Reference",
            "bad.md:24 documents `outer` a second time",
            "bad.md:25 documents `id` under Attribute Reference, but it belongs under Argument Reference",
            "bad.md:26 documents `id` under Attribute Reference, but it belongs under Argument Reference",
            "bad.md:26 documents `id` a second time",
            "bad.md:30 documents `items.regions.region_nam`, which the schema does not have",
            "bad.md does not document `items.regions.region_name`",
            "bad.md does not document `outer.p`",
        ],
        "{problems:#?}"
    );
}
