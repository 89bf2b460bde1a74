//! The audit config (TOML, then every check on keys, claims and paths) on
//! arbitrary text; paths resolve against the crate's datasets/ folder, so the
//! demo config's files exist and the checks past them are reached.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reident::audit::AuditConfig;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let base = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../datasets"));
        let _ = AuditConfig::from_toml(text, "fuzz.toml", base);
    }
});
