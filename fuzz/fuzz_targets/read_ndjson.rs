//! The NDJSON reader on arbitrary bytes (gzip when they start with 1f 8b).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use reident::data::{load_table, read_frame, Format, MissingPolicy};

fuzz_target!(|data: &[u8]| {
    let path = common::scratch(data, "ndjson");
    let opts = common::options().with_format(Format::Ndjson);
    if let Ok(table) = load_table(&path, &[], &opts, &MissingPolicy::default()) {
        assert!(table.columns.iter().all(|c| c.codes.len() == table.n_rows));
    }
    let _ = read_frame(&path, &opts);
});
