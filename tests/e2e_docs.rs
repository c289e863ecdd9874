//! The docs and the schema agree: every resource and data source has a page, every attribute and
//! nested-block attribute appears in it, no page documents a type that does not exist, and every
//! attribute has a description (shown in editors and `terraform providers schema`).
//! `scripts/gen_docs.py` rewrites the pages' reference sections from the schema.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::Tf;
use serde_json::Value as J;

fn names_in_block(block: &J, prefix: &str, out: &mut Vec<(String, String)>, problems: &mut Vec<String>) {
    if let Some(attrs) = block["attributes"].as_object() {
        for (name, a) in attrs {
            out.push((name.clone(), format!("{prefix}{name}")));
            if a["description"].as_str().unwrap_or("").trim().is_empty() {
                problems.push(format!("{prefix}{name} has no description"));
            }
            // Attributes of objects inside lists (data source results) are documented too.
            if let Some(obj) = a["type"]
                .as_array()
                .and_then(|t| t.get(1))
                .and_then(|t| t.as_array())
                .filter(|t| t[0] == "object")
            {
                for sub in obj[1].as_object().unwrap().keys() {
                    out.push((sub.clone(), format!("{prefix}{name}.{sub}")));
                }
            }
        }
    }
    if let Some(blocks) = block["block_types"].as_object() {
        for (name, b) in blocks {
            out.push((name.clone(), format!("{prefix}{name}")));
            names_in_block(&b["block"], &format!("{prefix}{name}."), out, problems);
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
            let path = root.join(folder).join(format!("{name}.md"));
            let Ok(page) = std::fs::read_to_string(&path) else {
                problems.push(format!("docs/{folder}/{name}.md is missing"));
                continue;
            };
            if !page.contains("## Example Usage") {
                problems.push(format!("docs/{folder}/{name}.md has no example"));
            }
            if folder == "resources" && !page.contains("## Import") {
                problems.push(format!("docs/{folder}/{name}.md has no import section"));
            }
            let mut names = Vec::new();
            names_in_block(&s["block"], "", &mut names, &mut problems);
            for (short, full) in names {
                if !page.contains(&format!("`{short}`")) {
                    problems.push(format!("docs/{folder}/{name}.md does not document `{full}`"));
                }
            }
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
