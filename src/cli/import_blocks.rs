//! `import-blocks`: one Terraform `import {}` block per object in the database (or under one IPAM
//! or pool), in dependency order, with readable resource addresses, ready for
//! `terraform plan -generate-config-out`. Objects a configuration never manages (default scopes,
//! child pools' CIDRs held in their parents) are noted in comments instead.

use std::collections::{BTreeMap, BTreeSet};

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::ipam::model::ResourceType;
use crate::ipam::model::{Pool, Tags};
use crate::ipam::{Error, ErrorKind, Result, ids};
use crate::store::Tx;

/// Which objects to list.
#[derive(Clone, Copy, Debug)]
pub enum Selection<'a> {
    /// Everything in the database.
    All,
    /// One IPAM, its scopes and pools, and the shares of those pools.
    Ipam(&'a str),
    /// One pool, its child pools, their CIDRs and allocations, and the shares of those pools.
    Pool(&'a str),
}

/// A line of the output: an object to import, or a comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    Import {
        resource: &'static str,
        name: String,
        id: String,
        /// A comment above the block: what the user must do beyond generating configuration.
        note: Option<String>,
    },
    Note(String),
}

/// The longest resource name made from a description or tag (whole words are kept).
const MAX_NAME: usize = 40;

/// `text` as a Terraform resource name: lowercase ASCII letters, digits and underscores (accents
/// dropped: `é` is `e`), words joined by one underscore, at most [`MAX_NAME`] characters; `None`
/// when nothing readable is left.
pub fn ident(text: &str) -> Option<String> {
    let plain: String = text.nfkd().filter(|c| !is_combining_mark(*c)).collect();
    let words: Vec<String> = plain
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let mut out = String::new();
    for w in words {
        if !out.is_empty() && out.len() + 1 + w.len() > MAX_NAME {
            break;
        }
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(&w);
    }
    out.truncate(MAX_NAME);
    (!out.is_empty()).then_some(out)
}

/// Whether `s` is a valid HCL identifier (a letter or underscore, then letters, digits,
/// underscores or dashes).
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Hands out resource names: unique per resource type, from the first hint that gives a readable
/// name, else `word`; a name that would start with a digit starts with `word_`.
#[derive(Default)]
pub struct Names {
    used: BTreeMap<&'static str, BTreeSet<String>>,
}

impl Names {
    /// A new name for an object of `resource`.
    pub fn name(&mut self, resource: &'static str, hints: &[Option<&str>], word: &str) -> String {
        let base = hints
            .iter()
            .flatten()
            .find_map(|h| ident(h))
            .map(|n| {
                if n.starts_with(|c: char| c.is_ascii_digit()) {
                    format!("{word}_{n}")
                } else {
                    n
                }
            })
            .unwrap_or_else(|| word.to_string());
        let used = self.used.entry(resource).or_default();
        let name = (1..)
            .map(|i| if i == 1 { base.clone() } else { format!("{base}_{i}") })
            .find(|n| !used.contains(n))
            .unwrap_or(base);
        used.insert(name.clone());
        name
    }
}

fn name_tag(tags: &Tags) -> Option<&str> {
    tags.get("Name").map(String::as_str)
}

/// Walks the database in dependency order (IPAM, its scopes, then each pool followed by its
/// CIDRs, its allocations and its child pools; shares last) and names every object.
pub fn collect(tx: &Tx, selection: Selection) -> Result<Vec<Entry>> {
    let mut walk = Walk {
        tx,
        names: Names::default(),
        pools: tx.all_pools()?,
        entries: Vec::new(),
        pool_arns: BTreeSet::new(),
    };
    walk.pools.sort_by(|a, b| a.id.cmp(&b.id));
    let mut ipams = tx.ipams()?;
    ipams.sort_by(|a, b| a.id.cmp(&b.id));
    match selection {
        Selection::All => {}
        Selection::Ipam(id) => {
            ipams.retain(|i| i.id == id);
            if ipams.is_empty() {
                return Err(missing("IPAM", id, "ipam-0123456789abcdef0"));
            }
        }
        Selection::Pool(id) => {
            let pool = walk
                .pools
                .iter()
                .find(|p| p.id == id)
                .cloned()
                .ok_or_else(|| missing("pool", id, "ipam-pool-0123456789abcdef0"))?;
            ipams.clear();
            walk.pool(&pool)?;
        }
    }
    for ipam in &ipams {
        let name = walk
            .names
            .name("ipam", &[name_tag(&ipam.tags), ipam.description.as_deref()], "main");
        walk.import("ipam", name.clone(), ipam.id.clone(), None);
        walk.note(format!(
            "The default scopes came with {}: ipam.{name}.private_default_scope_id ({}) and ipam.{name}.public_default_scope_id ({}).",
            ipam.id, ipam.private_default_scope_id, ipam.public_default_scope_id
        ));
        let mut scopes = tx.scopes_of(&ipam.id)?;
        scopes.sort_by(|a, b| a.id.cmp(&b.id));
        for s in scopes.iter().filter(|s| !s.is_default) {
            let name = walk
                .names
                .name("ipam_scope", &[name_tag(&s.tags), s.description.as_deref()], "scope");
            walk.import("ipam_scope", name, s.id.clone(), None);
        }
        for s in &scopes {
            let top: Vec<Pool> = walk
                .pools
                .iter()
                .filter(|p| p.scope_id == s.id && p.source_pool_id.is_none())
                .cloned()
                .collect();
            for p in &top {
                walk.pool(p)?;
            }
        }
    }
    let mut shares = tx.all_shares()?;
    shares.sort_by(|a, b| a.arn.cmp(&b.arn));
    for s in shares {
        if matches!(selection, Selection::All) || s.resource_arns.iter().any(|a| walk.pool_arns.contains(a)) {
            let name = walk
                .names
                .name("ipam_resource_share", &[name_tag(&s.tags), Some(&s.name)], "share");
            walk.import("ipam_resource_share", name, s.arn, None);
        }
    }
    walk.note(
        "ipam_preview_next_cidr: previews are not stored, so none are listed. Import one with its CIDR, \
         the disallowed CIDRs it was made with and its pool: id = \"<cidr>,<disallowed-cidr>,..._<pool-id>\"."
            .into(),
    );
    Ok(walk.entries)
}

fn missing(what: &str, id: &str, example: &str) -> Error {
    Error::new(
        ErrorKind::NotFound,
        format!("no {what} {id} in the database"),
        format!("{what} IDs look like {example}; `terraform-provider-ipam tree` lists them"),
    )
}

struct Walk<'t, 'a> {
    tx: &'t Tx<'a>,
    names: Names,
    pools: Vec<Pool>,
    entries: Vec<Entry>,
    /// ARNs of the pools listed, to pick the shares that lend them.
    pool_arns: BTreeSet<String>,
}

impl Walk<'_, '_> {
    fn import(&mut self, resource: &'static str, name: String, id: String, note: Option<String>) {
        self.entries.push(Entry::Import {
            resource,
            name,
            id,
            note,
        });
    }

    fn note(&mut self, text: String) {
        self.entries.push(Entry::Note(text));
    }

    /// A pool, its CIDRs, its allocations, then its child pools.
    fn pool(&mut self, p: &Pool) -> Result<()> {
        let cidrs = self.tx.pool_cidrs(&p.id)?;
        let first = cidrs.first().map(|c| format!("pool {}", c.cidr));
        let pool_name = self.names.name(
            "ipam_pool",
            &[name_tag(&p.tags), p.description.as_deref(), first.as_deref()],
            "pool",
        );
        self.import("ipam_pool", pool_name.clone(), p.id.clone(), None);
        self.pool_arns.insert(ids::ec2_arn(&p.owner_id, "ipam-pool", &p.id));
        for c in &cidrs {
            // A pool named after its first CIDR gives that CIDR the same name.
            let hint = match ident(&c.cidr.to_string()) {
                Some(cidr) if pool_name.ends_with(&cidr) => pool_name.clone(),
                _ => format!("{pool_name} {}", c.cidr),
            };
            let name = self.names.name("ipam_pool_cidr", &[Some(&hint)], "cidr");
            let note = c.auth_signature.is_some().then(|| {
                "Terraform does not generate the sensitive cidr_authorization_context.signature: \
                 set it in the generated block to the signature this CIDR was provisioned with \
                 (`terraform-provider-ipam export` shows it), or the plan replaces the CIDR."
                    .to_string()
            });
            self.import("ipam_pool_cidr", name, format!("{}_{}", c.cidr, p.id), note);
        }
        for a in self.tx.allocations_of(&p.id)? {
            if a.resource_type == ResourceType::IpamPool {
                self.note(format!(
                    "{} in {pool_name} is held by child pool {}: it comes with that pool's ipam_pool_cidr.",
                    a.cidr,
                    a.resource_id.as_deref().unwrap_or("?")
                ));
                continue;
            }
            let cidr = format!("{pool_name} {}", a.cidr);
            let name = self.names.name(
                "ipam_pool_allocation",
                &[
                    name_tag(&a.tags),
                    a.description.as_deref(),
                    a.resource_id.as_deref(),
                    Some(&cidr),
                ],
                "allocation",
            );
            let note = (a.resource_owner != p.owner_id).then(|| {
                format!(
                    "Made by account {} from a pool of account {}: import it with a provider block acting as {}.",
                    a.resource_owner, p.owner_id, a.resource_owner
                )
            });
            self.import("ipam_pool_allocation", name, format!("{}_{}", a.id, a.pool_id), note);
        }
        let children: Vec<Pool> = self
            .pools
            .iter()
            .filter(|c| c.source_pool_id.as_deref() == Some(p.id.as_str()))
            .cloned()
            .collect();
        for c in &children {
            self.pool(c)?;
        }
        Ok(())
    }
}

/// The width comments are wrapped at.
const COMMENT_WIDTH: usize = 100;

/// `text` as comment lines wrapped at [`COMMENT_WIDTH`] (a longer word stays whole), with
/// control characters replaced.
fn comment(out: &mut String, text: &str) {
    for line in text.lines() {
        let clean: String = line.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        let mut current = String::from("#");
        for word in clean.split(' ').filter(|w| !w.is_empty()) {
            if current.len() > 1 && current.len() + 1 + word.len() > COMMENT_WIDTH {
                out.push_str(&current);
                out.push('\n');
                current = String::from("#");
            }
            current.push(' ');
            current.push_str(word);
        }
        out.push_str(&current);
        out.push('\n');
    }
}

/// The blocks as HCL (as `terraform fmt` writes them), each import through `provider` when given
/// (the alias of an `ipam` provider block).
pub fn render(entries: &[Entry], provider: Option<&str>) -> String {
    let mut out = String::new();
    comment(
        &mut out,
        "Import blocks written by `terraform-provider-ipam import-blocks`. Save them as imports.tf beside\n\
         the provider block, run `terraform plan -generate-config-out=generated.tf`, review generated.tf,\n\
         then `terraform apply` imports everything. See docs/guides/adopting-an-existing-ipam.md.",
    );
    for e in entries {
        out.push('\n');
        match e {
            Entry::Note(text) => comment(&mut out, text),
            Entry::Import {
                resource,
                name,
                id,
                note,
            } => {
                if let Some(n) = note {
                    comment(&mut out, n);
                }
                out.push_str("import {\n");
                match provider {
                    Some(alias) => out.push_str(&format!(
                        "  to       = {resource}.{name}\n  id       = \"{id}\"\n  provider = ipam.{alias}\n"
                    )),
                    None => out.push_str(&format!("  to = {resource}.{name}\n  id = \"{id}\"\n")),
                }
                out.push_str("}\n");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_readable_valid_identifiers() {
        for (text, want) in [
            ("Corporate space", Some("corporate_space")),
            (
                "  Lab networks (may overlap production) ",
                Some("lab_networks_may_overlap_production"),
            ),
            ("eu-west-1 / prod", Some("eu_west_1_prod")),
            ("10.0.0.0/16", Some("10_0_0_0_16")),
            ("Équipe réseau", Some("equipe_reseau")),
            ("ﬁnance", Some("finance")),
            ("---", None),
            ("", None),
            ("日本", None),
        ] {
            let got = ident(text);
            assert_eq!(got.as_deref(), want, "{text:?}");
        }
        let long = ident("the quick brown fox jumps over the lazy dog and keeps running far away").unwrap();
        assert!(long.len() <= MAX_NAME, "{long}");
        assert_eq!(long, "the_quick_brown_fox_jumps_over_the_lazy");
        let one_long_word = ident(&"x".repeat(100)).unwrap();
        assert_eq!(one_long_word.len(), MAX_NAME);
    }

    #[test]
    fn names_are_unique_per_type_and_never_start_with_a_digit() {
        let mut n = Names::default();
        assert_eq!(n.name("ipam_pool", &[Some("Prod")], "pool"), "prod");
        assert_eq!(n.name("ipam_pool", &[Some("prod")], "pool"), "prod_2");
        assert_eq!(n.name("ipam_pool", &[Some("PROD!")], "pool"), "prod_3");
        assert_eq!(
            n.name("ipam_pool", &[Some("prod 2")], "pool"),
            "prod_2_2",
            "a natural name never reuses a suffixed one"
        );
        assert_eq!(
            n.name("ipam_scope", &[Some("prod")], "scope"),
            "prod",
            "another type has its own names"
        );
        assert_eq!(
            n.name("ipam_pool", &[None, Some("!!"), Some("pool 10.0.0.0/16")], "pool"),
            "pool_10_0_0_0_16"
        );
        assert_eq!(
            n.name("ipam_pool_allocation", &[Some("2nd floor")], "allocation"),
            "allocation_2nd_floor"
        );
        assert_eq!(n.name("ipam", &[None, None], "main"), "main");
        assert_eq!(n.name("ipam", &[None], "main"), "main_2");
        for names in n.used.values() {
            for name in names {
                assert!(is_identifier(name), "{name}");
            }
        }
    }

    #[test]
    fn the_same_input_gives_the_same_names() {
        let run = || {
            let mut n = Names::default();
            ["a", "b", "a", "c", "a"]
                .iter()
                .map(|h| n.name("ipam_pool", &[Some(h)], "pool"))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(), run());
        assert_eq!(run(), ["a", "b", "a_2", "c", "a_3"]);
    }

    #[test]
    fn identifiers() {
        for ok in ["a", "_a", "a-b_c9", "main"] {
            assert!(is_identifier(ok), "{ok}");
        }
        for bad in ["", "9a", "a.b", "a b", "-a", "é"] {
            assert!(!is_identifier(bad), "{bad}");
        }
    }

    #[test]
    fn blocks_render_as_terraform_fmt_writes_them_with_notes_as_comments() {
        let entries = vec![
            Entry::Import {
                resource: "ipam",
                name: "main".into(),
                id: "ipam-0123456789abcdef0".into(),
                note: None,
            },
            Entry::Note("line one\nline\ttwo".into()),
            Entry::Import {
                resource: "ipam_pool_cidr",
                name: "byoip_203_0_113_0_24".into(),
                id: "203.0.113.0/24_ipam-pool-0123456789abcdef0".into(),
                note: Some("set the signature".into()),
            },
        ];
        let out = render(&entries, None);
        assert!(
            out.contains("\nimport {\n  to = ipam.main\n  id = \"ipam-0123456789abcdef0\"\n}\n"),
            "{out}"
        );
        assert!(out.contains("\n# line one\n# line two\n"), "{out}");
        let mut wrapped = String::new();
        comment(&mut wrapped, &"word ".repeat(60));
        assert!(wrapped.lines().count() > 1, "{wrapped}");
        for line in wrapped.lines() {
            assert!(line.starts_with("# ") && line.len() <= COMMENT_WIDTH, "{line:?}");
        }
        assert!(
            out.contains("\n# set the signature\nimport {\n  to = ipam_pool_cidr.byoip_203_0_113_0_24\n"),
            "{out}"
        );
        let aliased = render(&entries, Some("shared"));
        assert!(
            aliased.contains("import {\n  to       = ipam.main\n  id       = \"ipam-0123456789abcdef0\"\n  provider = ipam.shared\n}\n"),
            "{aliased}"
        );
    }
}
