//! CIDRs, object IDs and ARNs from untrusted text: parsing may fail, never panic, and a parsed
//! CIDR prints back to text that parses to the same block.
#![no_main]

use libfuzzer_sys::fuzz_target;
use terraform_provider_ipam::ipam::cidr::Cidr;
use terraform_provider_ipam::ipam::{ids, share_rules};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(c) = Cidr::parse(s) {
        assert_eq!(Cidr::parse(&c.to_string()), Ok(c));
        assert!(c.contains(&c));
        let _ = (c.parent(), c.buddy(), c.halves(), c.size(), c.last());
    }
    let _ = ids::check_id(s, "ipam-pool", 17, "pool");
    let _ = ids::parse_ec2_arn(s);
    let _ = share_rules::parse_share_arn(s);
    let _ = share_rules::check_resource_arns(&[s.to_string()]);
    if let Some((a, b)) = s.rsplit_once('_') {
        let _ = (Cidr::parse(a), ids::is_id(b, "ipam-pool", 17));
    }
});
