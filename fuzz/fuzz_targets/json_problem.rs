//! The problem JSON reader and the one validation behind it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(e) = senroute_model::problem_from_json("problem.json", &text) {
        for i in e.issues() {
            assert!(i.to_string().len() < 8_000, "{} bytes", i.to_string().len());
        }
    }
});
