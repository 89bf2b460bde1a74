//! Generalized-value parsing ("[30-40)", "123**", "{a,b}", "*", ...) and the
//! containment test on arbitrary text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reident::data::GeneralizedValue;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (value, original) = match text.split_once('\u{1f}') {
        Some((v, o)) => (v, o),
        None => (text.as_ref(), "30"),
    };
    if let Ok(g) = GeneralizedValue::parse(value) {
        let _ = g.contains(original);
        let _ = g.contains(value);
        let _ = format!("{g:?}");
    }
});
