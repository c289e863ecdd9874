//! Object identifiers and ARNs in the AWS formats.

/// A new random ID: `prefix-` and 17 lowercase hex digits (`ipam-0a1b…`).
pub fn new_id(prefix: &str) -> String {
    let n: u128 = rand::random();
    format!("{prefix}-{:017x}", n & ((1u128 << 68) - 1))
}

/// A new allocation ID: `ipam-pool-alloc-` and the 32 lowercase hex digits of a UUIDv7 (the
/// first 12 the milliseconds since 1970, then the version digit and a counter and random bits).
/// IDs made later sort after earlier ones, even within one millisecond, so a new allocation's
/// row lands at the end of the ID index, in pages the database has in memory, instead of on a
/// random page of a large table.
pub fn new_allocation_id() -> String {
    format!("ipam-pool-alloc-{}", uuid::Uuid::now_v7().simple())
}

/// A new pool CIDR ID: `ipam-pool-cidr-` and 32 lowercase hex digits.
pub fn new_pool_cidr_id() -> String {
    format!("ipam-pool-cidr-{:032x}", rand::random::<u128>())
}

/// True when `id` is `prefix-` followed by `hex_len` lowercase hex digits.
pub fn is_id(id: &str, prefix: &str, hex_len: usize) -> bool {
    id.strip_prefix(prefix)
        .and_then(|r| r.strip_prefix('-'))
        .is_some_and(|h| h.len() == hex_len && h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

/// Checks an object ID, with an error that shows the expected form.
pub fn check_id(id: &str, prefix: &str, hex_len: usize, what: &str) -> super::Result<()> {
    if is_id(id, prefix, hex_len) {
        Ok(())
    } else {
        Err(super::Error::invalid(
            format!("Invalid {what} ID"),
            format!(
                "{id:?} is not a {what} ID. A {what} ID looks like \"{prefix}-{}\".",
                "0123456789abcdef0123456789abcdef"
                    .get(..hex_len)
                    .unwrap_or("0123456789abcdef0")
            ),
        ))
    }
}

/// The global ARN of an EC2 IPAM object (`arn:aws:ec2::<account>:<kind>/<id>`).
pub fn ec2_arn(account: &str, kind: &str, id: &str) -> String {
    format!("arn:aws:ec2::{account}:{kind}/{id}")
}

/// The object ID at the end of an ARN, with its kind (`ipam-pool`, `ipam-pool-0ab…`).
pub fn parse_ec2_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let rest = arn.strip_prefix("arn:aws:ec2::")?;
    let (account, res) = rest.split_once(':')?;
    let (kind, id) = res.split_once('/')?;
    Some((account, kind, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_formats() {
        let id = new_id("ipam-scope");
        assert!(is_id(&id, "ipam-scope", 17), "{id}");
        assert!(!is_id(&id, "ipam", 17));
        let a = new_allocation_id();
        assert!(is_id(&a, "ipam-pool-alloc", 32), "{a}");
        std::thread::sleep(std::time::Duration::from_millis(2));
        let later = new_allocation_id();
        assert!(
            later > a,
            "a later allocation ID sorts after an earlier one: {a} {later}"
        );
        // Within one millisecond too.
        let ids: Vec<String> = (0..1000).map(|_| new_allocation_id()).collect();
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "allocation IDs made in a burst are ordered"
        );
        assert_ne!(a[16..28], *"000000000000", "the leading digits are the time");
        assert!(!is_id("ipam-0123456789ABCDEF0", "ipam", 17));
        assert_ne!(new_id("ipam"), new_id("ipam"));
    }

    #[test]
    fn arns() {
        let arn = ec2_arn("123456789012", "ipam-pool", "ipam-pool-0123456789abcdef0");
        assert_eq!(arn, "arn:aws:ec2::123456789012:ipam-pool/ipam-pool-0123456789abcdef0");
        assert_eq!(
            parse_ec2_arn(&arn),
            Some(("123456789012", "ipam-pool", "ipam-pool-0123456789abcdef0"))
        );
        assert_eq!(parse_ec2_arn("arn:aws:s3:::bucket"), None);
    }
}
