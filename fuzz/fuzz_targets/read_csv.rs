//! The CSV reader (delimiter detection, header checks, streaming records,
//! gzip when the bytes start with 1f 8b) on arbitrary bytes: it must return
//! Ok or a DataError, never panic, hang or exhaust memory.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use reident::data::{load_table, read_frame, Format, MissingPolicy};

fuzz_target!(|data: &[u8]| {
    let path = common::scratch(data, "csv");
    let opts = common::options().with_format(Format::Csv);
    if let Ok(table) = load_table(&path, &[], &opts, &MissingPolicy::default()) {
        assert!(table.columns.iter().all(|c| c.codes.len() == table.n_rows));
    }
    let _ = read_frame(&path, &opts.with_delimiter(b';'));
});
