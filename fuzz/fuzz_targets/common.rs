// Shared by the reader targets: small limits (so the fuzzer spends its time on
// parsing, not on filling memory) and one scratch file per process, because
// the readers take paths.

use std::path::PathBuf;

use reident::data::{Limits, ReadOptions};

pub fn small_limits() -> Limits {
    Limits {
        max_field_bytes: 64 << 10,
        max_record_bytes: 256 << 10,
        max_columns: 512,
        max_gzip_ratio: 100,
        max_file_bytes: 1 << 20,
    }
}

pub fn options() -> ReadOptions {
    ReadOptions::default().with_limits(small_limits())
}

/// Writes `data` to this process's scratch file with extension `ext`.
pub fn scratch(data: &[u8], ext: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("reident-fuzz-{}.{ext}", std::process::id()));
    std::fs::write(&path, data).expect("write the scratch file");
    path
}
