//! UCI Adult as bundled in `datasets/adult` (ARX's copy, 30,162 rows): its
//! folder, its nine columns and the table, shared by the tests that read it.

#![allow(dead_code)]

use std::path::PathBuf;

use reident::data::{load_table, EncodedTable, MissingPolicy, ReadOptions};

/// Every column of `datasets/adult/adult.csv`, in file order.
pub const ADULT_COLUMNS: [&str; 9] = [
    "sex",
    "age",
    "race",
    "marital-status",
    "education",
    "native-country",
    "workclass",
    "occupation",
    "salary-class",
];

/// `datasets/adult` (the CSV, its hierarchies and releases).
pub fn adult_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("datasets/adult")
}

/// The whole Adult table with default read options (the `;` delimiter is
/// detected; tests/data_formats.rs checks it equals an explicit `;`).
pub fn adult() -> EncodedTable {
    load_table(
        &adult_dir().join("adult.csv"),
        &ADULT_COLUMNS,
        &ReadOptions::default(),
        &MissingPolicy::default(),
    )
    .expect("datasets/adult/adult.csv is in the repository")
}
