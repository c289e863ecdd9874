//! Organisations and organisational units as resource share principals: the provider's
//! `organization {}` map says which accounts an organisation ARN or an OU ARN stands for.

use std::collections::BTreeSet;

use serde::Deserialize;

use super::{AttrPath, Error, Result, rules};

/// One organisational unit: its accounts, and the unit it sits under (`None`: the root).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    pub id: String,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub accounts: Vec<String>,
}

/// An organisation: its ID, the management account its ARNs carry, the accounts directly under
/// the root, and its units.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    pub id: String,
    pub management_account: String,
    #[serde(default)]
    pub accounts: Vec<String>,
    #[serde(default, rename = "unit")]
    pub units: Vec<Unit>,
}

/// What a share principal names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal<'a> {
    Account(&'a str),
    Organization {
        management: &'a str,
        org: &'a str,
    },
    Unit {
        management: &'a str,
        org: &'a str,
        unit: &'a str,
    },
}

const ARN_PREFIX: &str = "arn:aws:organizations::";

fn lower_alnum(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// `o-` and 10 to 32 lowercase letters or digits.
pub fn is_org_id(id: &str) -> bool {
    id.strip_prefix("o-").is_some_and(|r| lower_alnum(r, 10, 32))
}

/// `ou-`, 4 to 32 lowercase letters or digits, `-`, 8 to 32 more.
pub fn is_unit_id(id: &str) -> bool {
    id.strip_prefix("ou-")
        .and_then(|r| r.split_once('-'))
        .is_some_and(|(a, b)| lower_alnum(a, 4, 32) && lower_alnum(b, 8, 32))
}

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The organisation's ARN.
pub fn org_arn(management: &str, org: &str) -> String {
    format!("{ARN_PREFIX}{management}:organization/{org}")
}

/// A unit's ARN.
pub fn unit_arn(management: &str, org: &str, unit: &str) -> String {
    format!("{ARN_PREFIX}{management}:ou/{org}/{unit}")
}

/// Reads a principal: a 12-digit account ID, an organisation ARN or an OU ARN.
pub fn parse_principal(p: &str) -> Result<Principal<'_>> {
    let parsed = if is_account(p) {
        Some(Principal::Account(p))
    } else {
        p.strip_prefix(ARN_PREFIX)
            .and_then(|r| r.split_once(':'))
            .filter(|(m, _)| is_account(m))
            .and_then(|(management, res)| {
                if let Some(org) = res.strip_prefix("organization/") {
                    is_org_id(org).then_some(Principal::Organization { management, org })
                } else {
                    let (org, unit) = res.strip_prefix("ou/")?.split_once('/')?;
                    (is_org_id(org) && is_unit_id(unit)).then_some(Principal::Unit { management, org, unit })
                }
            })
    };
    parsed.ok_or_else(|| {
        Error::invalid(
            "Invalid principal",
            format!(
                "{p:?} is not a principal. A principal is a 12-digit account ID (\"123456789012\"), an organisation ARN \
                 (\"arn:aws:organizations::<management-account>:organization/o-<10-32 lowercase letters or digits>\") or an OU ARN \
                 (\"arn:aws:organizations::<management-account>:ou/o-<...>/ou-<4-32>-<8-32>\")."
            ),
        )
        .at("principals")
    })
}

fn at(path: &[(&str, Option<usize>)]) -> AttrPath {
    let mut p = AttrPath::default();
    for (name, index) in path {
        p = p.then(name);
        if let Some(i) = index {
            p = p.index(*i);
        }
    }
    p
}

impl Organization {
    /// Checks the map's forms: IDs, accounts, parents that exist, no cycles, no unit twice.
    /// Errors point at the attribute under `root` (`organization[0]...`).
    pub fn check(&self, root: &str) -> Vec<Error> {
        let mut errs = Vec::new();
        let top = |name: &str| at(&[(root, Some(0)), (name, None)]);
        let in_unit = |i: usize, name: &str| at(&[(root, Some(0)), ("unit", Some(i)), (name, None)]);
        if !is_org_id(&self.id) {
            errs.push(
                Error::invalid(
                    "Invalid organization ID",
                    format!("{:?} is not an organization ID: `o-` and 10 to 32 lowercase letters or digits, e.g. \"o-a1b2c3d4e5\".", self.id),
                )
                .at_path(top("id")),
            );
        }
        let account_errs = |accounts: &[String], path: AttrPath, errs: &mut Vec<Error>| {
            for a in accounts {
                if let Err(e) = rules::check_account_id(a, "accounts") {
                    errs.push(e.at_path(path.clone()));
                }
            }
        };
        if let Err(e) = rules::check_account_id(&self.management_account, "management_account") {
            errs.push(e.at_path(top("management_account")));
        }
        account_errs(&self.accounts, top("accounts"), &mut errs);
        let ids: Vec<&str> = self.units.iter().map(|u| u.id.as_str()).collect();
        for (i, u) in self.units.iter().enumerate() {
            if !is_unit_id(&u.id) {
                errs.push(
                    Error::invalid(
                        "Invalid organizational unit ID",
                        format!("{:?} is not an OU ID: `ou-`, 4 to 32 lowercase letters or digits, `-`, 8 to 32 more, e.g. \"ou-a1b2-c3d4e5f6\".", u.id),
                    )
                    .at_path(in_unit(i, "id")),
                );
            } else if ids[..i].contains(&u.id.as_str()) {
                errs.push(
                    Error::invalid(
                        "Duplicate unit",
                        format!("Unit {} is listed twice; list each unit once.", u.id),
                    )
                    .at_path(in_unit(i, "id")),
                );
            }
            if let Some(parent) = &u.parent
                && !ids.contains(&parent.as_str())
            {
                errs.push(
                    Error::invalid(
                        "Unknown parent unit",
                        format!("Unit {} names parent {parent:?}, which is not a `unit` of this organization. Add `unit {{ id = \"{parent}\" }}`, or leave `parent` unset for a unit under the root.", u.id),
                    )
                    .at_path(in_unit(i, "parent")),
                );
            } else if self.ancestors(&u.id).is_none() {
                errs.push(
                    Error::invalid(
                        "Units form a cycle",
                        format!("Unit {} is its own ancestor through `parent`; every chain of parents must end at a unit under the root.", u.id),
                    )
                    .at_path(in_unit(i, "parent")),
                );
            }
            account_errs(&u.accounts, in_unit(i, "accounts"), &mut errs);
        }
        errs
    }

    fn unit(&self, id: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.id == id)
    }

    /// The unit `id` and its ancestors, nearest first; `None` on a cycle.
    fn ancestors<'a>(&'a self, id: &'a str) -> Option<Vec<&'a str>> {
        let mut chain = vec![id];
        let mut cur = self.unit(id)?;
        while let Some(p) = cur.parent.as_deref() {
            if chain.contains(&p) {
                return None;
            }
            chain.push(p);
            match self.unit(p) {
                Some(u) => cur = u,
                None => break,
            }
        }
        Some(chain)
    }

    /// Every account of the organisation.
    pub fn all_accounts(&self) -> BTreeSet<&str> {
        self.accounts
            .iter()
            .chain(self.units.iter().flat_map(|u| u.accounts.iter()))
            .map(String::as_str)
            .collect()
    }

    /// The accounts an organisation or OU principal stands for: every account for the
    /// organisation's ARN; the unit's and its descendants' for an OU ARN. An error on
    /// `principals` when the map does not know the organisation or the unit.
    pub fn expand(&self, principal: &str) -> Result<BTreeSet<&str>> {
        match parse_principal(principal)? {
            Principal::Account(_) => Err(Error::invalid("Not an organisation principal", principal.to_string())),
            Principal::Organization { management, org } => {
                self.check_same_org(principal, management, org)?;
                Ok(self.all_accounts())
            }
            Principal::Unit { management, org, unit } => {
                self.check_same_org(principal, management, org)?;
                if self.unit(unit).is_none() {
                    return Err(Error::invalid(
                        "Unknown organizational unit",
                        format!(
                            "Principal {principal} names unit {unit}, which the provider's `organization` block does not list, so it \
                             cannot tell which accounts the unit holds. Add it to the provider block (or to the IPAM_ORGANIZATION file):\n\n  \
                             organization {{\n    ...\n    unit {{\n      id       = \"{unit}\"\n      accounts = [\"<account ID>\", ...]\n    }}\n  }}"
                        ),
                    )
                    .at("principals"));
                }
                Ok(self
                    .units
                    .iter()
                    .filter(|u| self.ancestors(&u.id).is_some_and(|a| a.contains(&unit)))
                    .flat_map(|u| u.accounts.iter().map(String::as_str))
                    .collect())
            }
        }
    }

    fn check_same_org(&self, principal: &str, management: &str, org: &str) -> Result<()> {
        if org == self.id && management == self.management_account {
            return Ok(());
        }
        Err(Error::invalid(
            "Unknown organization",
            format!(
                "Principal {principal} names organization {org} of management account {management}, but the provider's `organization` \
                 block describes {} of management account {}. Name {} in the principal, or describe that organization in the provider block.",
                self.id,
                self.management_account,
                org_arn(&self.management_account, &self.id)
            ),
        )
        .at("principals"))
    }

    /// The principals that cover `account`: the account itself, the organisation's ARN when the
    /// account is in it, and the ARNs of the account's units and their ancestors.
    pub fn principals_covering(&self, account: &str) -> Vec<String> {
        let mut out = vec![account.to_string()];
        if !self.all_accounts().contains(account) {
            return out;
        }
        out.push(org_arn(&self.management_account, &self.id));
        let units: BTreeSet<&str> = self
            .units
            .iter()
            .filter(|u| u.accounts.iter().any(|a| a == account))
            .filter_map(|u| self.ancestors(&u.id))
            .flatten()
            .collect();
        out.extend(
            units
                .into_iter()
                .map(|u| unit_arn(&self.management_account, &self.id, u)),
        );
        out
    }
}

/// Checks a share's principals against the provider's map, when it names an organisation or a
/// unit, or when `allow_external_principals` is `false`: organisation and OU ARNs must be known
/// to the map (and there must be a map); with `external == Some(false)`, accounts must be in it.
pub fn check_share_principals(org: Option<&Organization>, principals: &[String], external: Option<bool>) -> Result<()> {
    for p in principals {
        match (parse_principal(p)?, org) {
            (Principal::Account(a), Some(o)) if external == Some(false) && !o.all_accounts().contains(a) => {
                return Err(Error::invalid(
                    "Principal outside the organization",
                    format!(
                        "Account {a} is not in organization {} (the provider's `organization` block), and `allow_external_principals` is false. \
                         Add the account to the organization block, or set `allow_external_principals = true`.",
                        o.id
                    ),
                )
                .at("principals"));
            }
            (Principal::Account(_), _) => {}
            (_, Some(o)) => {
                o.expand(p)?;
            }
            (_, None) => {
                return Err(Error::invalid(
                    "No organization map",
                    format!(
                        "Principal {p} names an organisation or organizational unit, but the provider has no `organization` block \
                         (nor an IPAM_ORGANIZATION file), so it cannot tell which accounts it stands for. Add to the provider block:\n\n  \
                         organization {{\n    id                 = \"o-...\"\n    management_account = \"<12 digits>\"\n    accounts           = [...]\n    \
                         unit {{\n      id       = \"ou-...\"\n      accounts = [...]\n    }}\n  }}"
                    ),
                )
                .at("principals"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: &str = "o-a1b2c3d4e5";
    const MGMT: &str = "111111111111";

    fn org() -> Organization {
        let unit = |id: &str, parent: Option<&str>, accounts: &[&str]| Unit {
            id: id.into(),
            parent: parent.map(Into::into),
            accounts: accounts.iter().map(|a| a.to_string()).collect(),
        };
        Organization {
            id: ORG.into(),
            management_account: MGMT.into(),
            accounts: vec![MGMT.into()],
            units: vec![
                unit("ou-a1b2-00000000", None, &["222222222222"]),
                unit("ou-a1b2-c3d4e5f6", Some("ou-a1b2-00000000"), &["333333333333"]),
                unit("ou-a1b2-99999999", None, &["444444444444"]),
            ],
        }
    }

    #[test]
    fn principal_forms() {
        assert!(parse_principal("123456789012").is_ok());
        assert!(parse_principal(&org_arn(MGMT, ORG)).is_ok());
        assert!(parse_principal(&unit_arn(MGMT, ORG, "ou-a1b2-c3d4e5f6")).is_ok());
        for bad in [
            "12345",
            "arn:aws:organizations::111111111111:organization/o-short",
            "arn:aws:organizations::111111111111:organization/o-A1B2C3D4E5",
            "arn:aws:organizations::1111:organization/o-a1b2c3d4e5",
            "arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-a1b-c3d4e5f6",
            "arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-a1b2-c3d4",
            "arn:aws:iam::111111111111:root",
        ] {
            let e = parse_principal(bad).unwrap_err();
            assert_eq!(e.attribute().as_deref(), Some("principals"), "{bad}");
            assert!(e.detail.contains("OU ARN"), "{}", e.detail);
        }
    }

    #[test]
    fn organisation_stands_for_every_account_and_a_unit_for_its_subtree() {
        let o = org();
        assert_eq!(o.expand(&org_arn(MGMT, ORG)).unwrap().len(), 4);
        let parent = o.expand(&unit_arn(MGMT, ORG, "ou-a1b2-00000000")).unwrap();
        assert_eq!(parent, BTreeSet::from(["222222222222", "333333333333"]));
        let child = o.expand(&unit_arn(MGMT, ORG, "ou-a1b2-c3d4e5f6")).unwrap();
        assert_eq!(child, BTreeSet::from(["333333333333"]));
        let cover = o.principals_covering("333333333333");
        assert!(cover.contains(&unit_arn(MGMT, ORG, "ou-a1b2-00000000")), "{cover:?}");
        assert!(!cover.contains(&unit_arn(MGMT, ORG, "ou-a1b2-99999999")), "{cover:?}");
        assert_eq!(o.principals_covering("555555555555"), ["555555555555"]);
    }

    #[test]
    fn unknown_units_and_organisations_are_refused_on_principals() {
        let o = org();
        let e = o.expand(&unit_arn(MGMT, ORG, "ou-ffff-ffffffff")).unwrap_err();
        assert!(
            e.detail.contains("ou-ffff-ffffffff") && e.detail.contains("unit {"),
            "{}",
            e.detail
        );
        assert!(o.expand(&org_arn(MGMT, "o-zzzzzzzzzz")).is_err());
        let p = vec![unit_arn(MGMT, ORG, "ou-a1b2-c3d4e5f6")];
        assert!(check_share_principals(Some(&o), &p, None).is_ok());
        let e = check_share_principals(None, &p, None).unwrap_err();
        assert_eq!(e.attribute().as_deref(), Some("principals"));
        let outside = vec!["555555555555".to_string()];
        assert!(check_share_principals(Some(&o), &outside, None).is_ok());
        assert!(check_share_principals(Some(&o), &outside, Some(false)).is_err());
        assert!(check_share_principals(None, &outside, Some(false)).is_ok());
    }

    #[test]
    fn map_forms_parents_and_cycles_are_checked() {
        assert!(org().check("organization").is_empty());
        let mut o = org();
        o.id = "o-bad".into();
        o.units[0].parent = Some("ou-a1b2-c3d4e5f6".into());
        o.units[2].parent = Some("ou-zzzz-zzzzzzzz".into());
        o.units[2].accounts.push("12".into());
        let paths: Vec<String> = o.check("organization").iter().filter_map(|e| e.attribute()).collect();
        assert!(paths.contains(&"organization[0].id".to_string()), "{paths:?}");
        assert!(
            paths.contains(&"organization[0].unit[0].parent".to_string()),
            "{paths:?}"
        );
        assert!(
            paths.contains(&"organization[0].unit[2].parent".to_string()),
            "{paths:?}"
        );
        assert!(
            paths.contains(&"organization[0].unit[2].accounts".to_string()),
            "{paths:?}"
        );
    }
}
