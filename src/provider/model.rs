//! Typed models: a resource's or data source's attributes declared once, as the fields of a
//! struct, from which the schema, the reading of a Terraform object and the writing of one are
//! generated.

#[cfg(test)]
mod tests {
    use serde_json::{Value as J, json};

    use crate::plugin::grpc::Backend;
    use crate::plugin::schema::{Block, Nesting, Schema};
    use crate::provider::IpamProvider;

    /// A block as `terraform providers schema -json` shows it, with `force_new` (the provider's own
    /// flag, which Terraform never sees) and without false flags. Keys are sorted.
    fn block_json(b: &Block) -> J {
        let attributes: serde_json::Map<String, J> = b
            .attributes
            .iter()
            .map(|a| {
                let mut o = serde_json::Map::new();
                o.insert("type".into(), a.ty.to_json());
                o.insert("description".into(), J::from(a.description));
                for (flag, on) in [
                    ("required", a.required),
                    ("optional", a.optional),
                    ("computed", a.computed),
                    ("sensitive", a.sensitive),
                    ("force_new", a.force_new),
                ] {
                    if on {
                        o.insert(flag.into(), J::Bool(true));
                    }
                }
                (a.name.to_string(), J::Object(o))
            })
            .collect();
        let block_types: serde_json::Map<String, J> = b
            .blocks
            .iter()
            .map(|n| {
                let nesting = match n.nesting {
                    Nesting::Single => "single",
                    Nesting::List => "list",
                    Nesting::Set => "set",
                };
                (
                    n.name.to_string(),
                    json!({
                        "nesting_mode": nesting,
                        "min_items": n.min_items,
                        "max_items": n.max_items,
                        "force_new": n.force_new,
                        "block": block_json(&n.block),
                    }),
                )
            })
            .collect();
        json!({"description": b.description, "attributes": attributes, "block_types": block_types})
    }

    fn schema_json(s: &Schema) -> J {
        json!({"version": s.version, "block": block_json(&s.block)})
    }

    /// Every schema the provider serves, by kind and type name.
    fn all_schemas() -> J {
        let p = IpamProvider::new();
        let by_name = |m: &std::collections::BTreeMap<String, Schema>| -> J {
            J::Object(m.iter().map(|(k, s)| (k.clone(), schema_json(s))).collect())
        };
        json!({
            "provider": schema_json(p.provider_schema()),
            "resource_schemas": by_name(p.resource_schemas()),
            "data_source_schemas": by_name(p.data_source_schemas()),
        })
    }

    /// Sorts object keys, so the comparison and the checked-in text ignore declaration order.
    fn sorted(j: J) -> J {
        match j {
            J::Object(m) => {
                let mut v: Vec<(String, J)> = m.into_iter().map(|(k, v)| (k, sorted(v))).collect();
                v.sort_by(|a, b| a.0.cmp(&b.0));
                J::Object(v.into_iter().collect())
            }
            J::Array(a) => J::Array(a.into_iter().map(sorted).collect()),
            other => other,
        }
    }

    /// The schemas served are the ones checked in at `tests/fixtures/schemas.json`: converting a
    /// type to a model (or any other refactoring) must not change a name, type, flag or
    /// description. An intended change regenerates the file with `IPAM_UPDATE_SCHEMAS=1`
    /// and shows up in review as a diff of it.
    #[test]
    fn schemas_match_the_checked_in_fixture() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schemas.json");
        let now = sorted(all_schemas());
        if std::env::var_os("IPAM_UPDATE_SCHEMAS").is_some() {
            let text = serde_json::to_string_pretty(&now).expect("schemas serialise") + "\n";
            std::fs::write(&path, text).expect("fixture written");
        }
        let text = std::fs::read_to_string(&path).expect("tests/fixtures/schemas.json exists");
        let fixture: J = serde_json::from_str(&text).expect("fixture is JSON");
        if now != fixture {
            let (now, fixture) = (now.as_object().unwrap(), fixture.as_object().unwrap());
            let mut differ = Vec::new();
            for kind in ["resource_schemas", "data_source_schemas"] {
                let (a, b) = (now[kind].as_object().unwrap(), fixture[kind].as_object().unwrap());
                for name in a.keys().chain(b.keys()) {
                    if a.get(name) != b.get(name) && !differ.contains(name) {
                        differ.push(name.clone());
                    }
                }
            }
            if now["provider"] != fixture["provider"] {
                differ.push("provider".into());
            }
            panic!(
                "the schemas of {differ:?} differ from tests/fixtures/schemas.json; if the change is intended, \
                 regenerate it with IPAM_UPDATE_SCHEMAS=1 and review the diff"
            );
        }
    }
}
