//! The Parquet reader on arbitrary bytes. The reader turns a panic inside the
//! third-party decoder into an error (as the binary does); libfuzzer's
//! aborting panic hook is replaced by a silent one so that this conversion is
//! what is tested. A panic that escapes the reader still aborts the run.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use reident::data::{load_table, Format, MissingPolicy};

fuzz_target!(|data: &[u8]| {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let path = common::scratch(data, "parquet");
    let opts = common::options().with_format(Format::Parquet);
    let _ = load_table(&path, &[], &opts, &MissingPolicy::default());
});
