//! Terraform values from untrusted bytes: msgpack and JSON, decoded against the schema types of
//! every resource and data source. Decoding may fail; it must never panic, and whatever decodes
//! must encode again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use terraform_provider_ipam::plugin::codec;
use terraform_provider_ipam::plugin::grpc::Backend;
use terraform_provider_ipam::provider::IpamProvider;

fuzz_target!(|data: &[u8]| {
    let provider = IpamProvider::new();
    let types = provider
        .resource_schemas()
        .values()
        .chain(provider.data_source_schemas().values())
        .chain(std::iter::once(provider.provider_schema()))
        .map(|s| s.block.implied_type());
    for ty in types {
        if let Ok(v) = codec::from_msgpack(&ty, data) {
            codec::to_msgpack(&ty, &v).expect("a decoded value encodes again");
        }
        let _ = codec::from_json(&ty, data);
    }
});
