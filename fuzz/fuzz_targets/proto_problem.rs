//! The gRPC request conversion: any bytes that decode as a `Problem`
//! message go through `problem_from_proto` (sizes, conversion, the one
//! validation) and, when refused, into the INVALID_ARGUMENT status.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prost::Message;
use senroute_service::convert::{invalid_argument, problem_from_proto};
use senroute_service::pb::v1 as pb;

fuzz_target!(|data: &[u8]| {
    let Ok(p) = pb::Problem::decode(data) else {
        return;
    };
    if let Err(e) = problem_from_proto(&p) {
        let status = invalid_argument(&e);
        assert!(status.message().len() < 8_000);
    }
});
