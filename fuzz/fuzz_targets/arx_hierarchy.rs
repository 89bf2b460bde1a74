//! ARX hierarchy parsing on arbitrary bytes, then every query on what parsed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reident::data::Hierarchy;

fuzz_target!(|data: &[u8]| {
    if let Ok(h) = Hierarchy::from_arx_bytes("fuzz.csv", "a", data) {
        let leaves: Vec<String> = h.leaves().take(64).map(str::to_string).collect();
        for leaf in &leaves {
            for level in 0..=h.levels() {
                if let Some(g) = h.generalize(leaf, level) {
                    let _ = h.level_of(g);
                }
            }
            assert!(h.contains_leaf(leaf));
        }
    }
});
