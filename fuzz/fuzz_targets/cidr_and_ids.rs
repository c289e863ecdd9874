//! CIDRs, netmask lengths, object IDs and ARNs from untrusted input: parsing may fail, never
//! panic; a parsed CIDR prints back to text that parses to the same block; a refused careless
//! spelling suggests a CIDR that parses; a netmask length decodes to a number that is either a
//! whole number or refused, never to nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use terraform_provider_ipam::ipam::cidr::{Cidr, CidrError};
use terraform_provider_ipam::ipam::{ids, share_rules};
use terraform_provider_ipam::plugin::codec;
use terraform_provider_ipam::plugin::diag::Diagnostics;
use terraform_provider_ipam::plugin::schema::{Attribute, Block, Schema};
use terraform_provider_ipam::plugin::value::{Type, Value};
use terraform_provider_ipam::provider::framework::check_whole_numbers;

fuzz_target!(|data: &[u8]| {
    netmask(data);
    let Ok(s) = std::str::from_utf8(data) else { return };
    match Cidr::parse(s) {
        Ok(c) => {
            assert_eq!(Cidr::parse(&c.to_string()), Ok(c));
            assert!(Cidr::same_block(s, &c.to_string()));
            assert!(c.contains(&c));
            let _ = (c.parent(), c.buddy(), c.halves(), c.size(), c.last());
        }
        Err(CidrError::Careless { suggestion, .. }) => {
            let c = Cidr::parse(&suggestion).expect("the suggestion is a CIDR");
            assert_eq!(c.to_string(), suggestion);
        }
        Err(_) => {}
    }
    let _ = ids::check_id(s, "ipam-pool", 17, "pool");
    let _ = ids::parse_ec2_arn(s);
    let _ = share_rules::parse_share_arn(s);
    let _ = share_rules::check_resource_arns(&[s.to_string()]);
    if let Some((a, b)) = s.rsplit_once('_') {
        let _ = (Cidr::parse(a), ids::is_id(b, "ipam-pool", 17));
    }
});

/// A `netmask_length` as Terraform sends it (msgpack or JSON): whatever decodes is null,
/// unknown, a whole number, or refused on the attribute.
fn netmask(data: &[u8]) {
    let schema = Schema {
        version: 0,
        block: Block::new("", vec![Attribute::optional("netmask_length", Type::Number, "")]),
    };
    let ty = schema.block.implied_type();
    for v in [codec::from_msgpack(&ty, data), codec::from_json(&ty, data)].into_iter().flatten() {
        let Some(o) = v.as_obj() else { continue };
        let mut d = Diagnostics::default();
        check_whole_numbers(&schema, o, &mut d);
        match o.get("netmask_length") {
            Some(Value::Number(n)) => assert_eq!(n.as_i64().is_none(), d.has_errors()),
            _ => assert!(!d.has_errors()),
        }
    }
}
