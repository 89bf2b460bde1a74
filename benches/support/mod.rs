//! What the benches share: the row counts to run at.

/// Row counts from `REIDENT_BENCH_ROWS` (comma separated), else `default`
/// (same syntax). CI sets a small size so `cargo test --benches` stays quick.
pub fn sizes(default: &str) -> Vec<usize> {
    std::env::var("REIDENT_BENCH_ROWS")
        .unwrap_or_else(|_| default.to_string())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}
