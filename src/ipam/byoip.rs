//! BYOIP authorization (seed rules ): which pools need proof that the account owns the
//! CIDR it provisions, and the checks of the signed authorization message.

use super::cidr::Cidr;
use super::model::{Pool, PublicIpSource, ScopeType};
use super::{AttrPath, Error, Result};

/// Whether provisioning to this pool needs BYOIP proof: a top-level public pool whose source is
/// BYOIP (the default in the public scope).
pub fn needs_byoip_proof(pool: &Pool, scope_type: ScopeType) -> bool {
    scope_type == ScopeType::Public
        && pool.source_pool_id.is_none()
        && pool.public_ip_source != Some(PublicIpSource::Amazon)
}

/// the BYOIP authorization message is `1|aws|<account>|<cidr>|<YYYYMMDD>|SHA256|RSAPSS`
/// for this account and CIDR, not expired, with a non-empty signature. `today` is `YYYYMMDD`.
pub fn check_byoip_authorization(
    message: Option<&str>,
    signature: Option<&str>,
    account: &str,
    cidr: &Cidr,
    today: &str,
) -> Result<()> {
    // The block is a list of at most one element.
    let block = || AttrPath::attr("cidr_authorization_context");
    let Some(message) = message.filter(|m| !m.trim().is_empty()) else {
        // An empty `message` in a block points at the message; no block points at the block.
        let at = if message.is_some() {
            block().index(0).then("message")
        } else {
            block()
        };
        return Err(Error::invalid(
            "BYOIP authorization required",
            format!(
                "Provisioning {cidr} to a top-level BYOIP pool needs a `cidr_authorization_context {{ message, signature }}` block proving you own it (R-45). \
                 Add the block: the message is \"1|aws|{account}|{cidr}|<expiry YYYYMMDD>|SHA256|RSAPSS\", signed with your RDAP certificate's key."
            ),
        )
        .at_path(at));
    };
    let fields: Vec<&str> = message.split('|').collect();
    let expected = format!("1|aws|{account}|{cidr}|<expiry YYYYMMDD>|SHA256|RSAPSS");
    let field_err = |what: &str, detail: String| {
        Err(Error::invalid(
            format!("BYOIP authorization message: wrong {what}"),
            format!("{detail} Sign a corrected message of the form {expected} (R-46) and set it with its signature."),
        )
        .at_path(block().index(0).then("message")))
    };
    if fields.len() != 7 {
        return field_err(
            "format",
            format!("The message has {} fields separated by '|'; it needs 7.", fields.len()),
        );
    }
    if fields[0] != "1" {
        return field_err(
            "version",
            format!("The first field (version) is {:?}; it must be \"1\".", fields[0]),
        );
    }
    if fields[1] != "aws" {
        return field_err(
            "partition",
            format!("The second field (partition) is {:?}; it must be \"aws\".", fields[1]),
        );
    }
    if fields[2] != account {
        return field_err(
            "account",
            format!(
                "The third field (account) is {:?}, but this provider acts as account {account}.",
                fields[2]
            ),
        );
    }
    if Cidr::parse(fields[3]).ok() != Some(*cidr) {
        return field_err(
            "CIDR",
            format!(
                "The fourth field (CIDR) is {:?}, but the CIDR being provisioned is {cidr}.",
                fields[3]
            ),
        );
    }
    let date = fields[4];
    if !is_calendar_date(date) {
        return field_err(
            "expiry date",
            format!(
                "The fifth field (expiry date) is {date:?}, which is not a calendar date YYYYMMDD such as 20991231."
            ),
        );
    }
    if date < today {
        return field_err(
            "expiry date",
            format!(
                "The fifth field (expiry date) is {date}: the authorization expired; today is {today}. Use a date not in the past."
            ),
        );
    }
    if fields[5] != "SHA256" {
        return field_err(
            "hash",
            format!("The sixth field (hash) is {:?}; it must be \"SHA256\".", fields[5]),
        );
    }
    if fields[6] != "RSAPSS" {
        return field_err(
            "signing scheme",
            format!(
                "The seventh field (signing scheme) is {:?}; it must be \"RSAPSS\".",
                fields[6]
            ),
        );
    }
    if signature.is_none_or(|s| s.trim().is_empty()) {
        return Err(Error::invalid(
            "BYOIP authorization signature missing",
            format!(
                "`cidr_authorization_context.signature` is missing or empty; set it to the message {message:?} signed with the private key of the \
                 X.509 certificate in your RIR's RDAP record (R-45, R-46)."
            ),
        )
        .at_path(block().index(0).then("signature")));
    }
    Ok(())
}

/// Whether `s` is a real calendar date written `YYYYMMDD` (Gregorian, leap years included).
pub fn is_calendar_date(s: &str) -> bool {
    const YYYYMMDD: &[time::format_description::BorrowedFormatItem] =
        time::macros::format_description!("[year][month][day]");
    s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) && time::Date::parse(s, YYYYMMDD).is_ok_and(|d| d.year() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r45_r46_byoip_message() {
        let c = Cidr::parse("130.137.245.0/24").unwrap();
        let acct = "470889052444";
        let good = "1|aws|470889052444|130.137.245.0/24|20991231|SHA256|RSAPSS";
        assert!(check_byoip_authorization(Some(good), Some("sig"), acct, &c, "20261124").is_ok());
        assert!(
            check_byoip_authorization(None, None, acct, &c, "20261124")
                .unwrap_err()
                .summary
                .contains("required")
        );
        let e = check_byoip_authorization(Some(good), Some("sig"), "123456789012", &c, "20261124").unwrap_err();
        assert!(e.summary.contains("account"));
        let e = check_byoip_authorization(
            Some(&good.replace("20991231", "20250101")),
            Some("sig"),
            acct,
            &c,
            "20261124",
        )
        .unwrap_err();
        assert!(e.summary.contains("expiry"));
        let e = check_byoip_authorization(Some(&good.replace("/24", "/23")), Some("sig"), acct, &c, "20261124")
            .unwrap_err();
        assert!(e.summary.contains("CIDR"));
        let e = check_byoip_authorization(Some(good), Some(""), acct, &c, "20261124").unwrap_err();
        assert_eq!(
            e.attribute().as_deref(),
            Some("cidr_authorization_context[0].signature")
        );
        let e = check_byoip_authorization(Some(&good.replace("RSAPSS", "RSA")), Some("s"), acct, &c, "20261124")
            .unwrap_err();
        assert!(e.summary.contains("scheme"));
    }

    const ACCT: &str = "470889052444";
    const GOOD_MESSAGE: &str = "1|aws|470889052444|130.137.245.0/24|20991231|SHA256|RSAPSS";

    /// The message with field `i` (0-based) replaced.
    fn with_field(i: usize, value: &str) -> String {
        let mut f: Vec<&str> = GOOD_MESSAGE.split('|').collect();
        f[i] = value;
        f.join("|")
    }

    fn byoip(message: Option<&str>, signature: Option<&str>) -> Result<()> {
        let c = Cidr::parse("130.137.245.0/24").unwrap();
        check_byoip_authorization(message, signature, ACCT, &c, "20261124")
    }

    /// every field of `1|aws|<account>|<cidr>|<YYYYMMDD>|SHA256|RSAPSS` is checked, and a wrong
    /// value gives an error on `cidr_authorization_context.message` that names the field and the value.
    #[test]
    fn r46_each_wrong_field_of_the_byoip_message_is_named() {
        assert!(byoip(Some(GOOD_MESSAGE), Some("sig")).is_ok());
        let cases = [
            (0, "2", "wrong version", "(version)"),
            (1, "aws-cn", "wrong partition", "(partition)"),
            (2, "123456789012", "wrong account", "(account)"),
            (3, "130.137.244.0/24", "wrong CIDR", "(CIDR)"),
            (3, "not-a-cidr", "wrong CIDR", "(CIDR)"),
            (4, "20250101", "wrong expiry date", "(expiry date)"),
            (4, "20991399", "wrong expiry date", "(expiry date)"),
            (5, "SHA1", "wrong hash", "(hash)"),
            (6, "RSA", "wrong signing scheme", "(signing scheme)"),
        ];
        for (i, bad, summary, field) in cases {
            let m = with_field(i, bad);
            let e = byoip(Some(&m), Some("sig")).unwrap_err();
            assert_eq!(e.summary, format!("BYOIP authorization message: {summary}"), "{m}");
            assert!(e.detail.contains(field) && e.detail.contains(bad), "{m}: {}", e.detail);
            assert!(
                e.detail.contains("1|aws|470889052444|130.137.245.0/24|"),
                "says how to fix: {}",
                e.detail
            );
            assert_eq!(
                e.attribute().as_deref(),
                Some("cidr_authorization_context[0].message"),
                "{m}"
            );
        }
        let e = byoip(Some("1|aws|470889052444|130.137.245.0/24|20991231|SHA256"), Some("sig")).unwrap_err();
        assert!(
            e.summary.contains("format") && e.detail.contains("6 fields"),
            "{}",
            e.detail
        );
    }

    /// the context itself, the message and the signature must be present.
    #[test]
    fn r45_context_message_and_signature_are_required() {
        let e = byoip(None, None).unwrap_err();
        assert_eq!(e.summary, "BYOIP authorization required");
        assert_eq!(e.attribute().as_deref(), Some("cidr_authorization_context"));
        let e = byoip(Some(""), Some("sig")).unwrap_err();
        assert_eq!(e.attribute().as_deref(), Some("cidr_authorization_context[0].message"));
        for sig in [None, Some(""), Some("  ")] {
            let e = byoip(Some(GOOD_MESSAGE), sig).unwrap_err();
            assert_eq!(e.summary, "BYOIP authorization signature missing");
            assert_eq!(
                e.attribute().as_deref(),
                Some("cidr_authorization_context[0].signature")
            );
        }
    }

    /// the expiry is a real `YYYYMMDD` date, not just 8 digits, and may be today.
    #[test]
    fn r46_expiry_is_a_calendar_date() {
        for ok in ["20991231", "20960229", "24000229", "20990430", "20990131"] {
            assert!(is_calendar_date(ok), "{ok}");
        }
        for bad in [
            "20991399",
            "20991301",
            "20990001",
            "20990100",
            "20990132",
            "20990431",
            "20990229",
            "21000229",
            "00000101",
            "2099123",
            "209912310",
            "2099-1231",
            "+2099123",
            "",
        ] {
            assert!(!is_calendar_date(bad), "{bad}");
            let e = byoip(Some(&with_field(4, bad)), Some("sig")).unwrap_err();
            assert!(e.detail.contains("not a calendar date"), "{bad}: {}", e.detail);
        }
        let c = Cidr::parse("130.137.245.0/24").unwrap();
        let today = with_field(4, "20261124");
        assert!(check_byoip_authorization(Some(&today), Some("s"), ACCT, &c, "20261124").is_ok());
        assert!(check_byoip_authorization(Some(&today), Some("s"), ACCT, &c, "20261125").is_err());
    }
}
