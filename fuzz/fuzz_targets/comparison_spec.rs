//! The linkage mini-languages: comparison specs
//! (`name:jw(0.9,0.8)+tf; age:num(1,5); zip=zip3:gen`) and blocking rules
//! (`education & sex; zip:prefix(3)`), on arbitrary text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reident::attacks::linkage::{parse_blocking_rules, parse_comparisons};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_comparisons(text);
        let _ = parse_blocking_rules(text);
    }
});
