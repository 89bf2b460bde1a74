//! `reident anonymize paraphrase` is deterministic per seed and rewrites only
//! the named column; `reident text --embedding-model` on an incomplete folder
//! exits 2 naming the missing files and the fetch script.

use std::process::Command;

fn reident(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_reident"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn paraphrase_is_seeded_and_rewrites_only_its_column() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(
        &input,
        "id,text\nA-1,\"The issue is fixed. Thanks Robert, the error happens again.\"\nA-2,Short one\n",
    )
    .unwrap();
    let run = |seed: &str, name: &str| {
        let out = dir.path().join(name);
        let o = reident(&[
            "anonymize",
            "paraphrase",
            "--input",
            input.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--column",
            "text",
            "--seed",
            seed,
            "--no-reorder",
            "--drop-probability",
            "0",
            "--stop-word-drop-probability",
            "0",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::read_to_string(out).unwrap()
    };
    let a = run("3", "a.csv");
    assert_eq!(a, run("3", "b.csv"));
    let lines: Vec<&str> = a.lines().collect();
    assert_eq!(lines[0], "id,text");
    assert!(lines[1].starts_with("A-1,"));
    // "issue", "fixed", "Thanks", "error", "happens" are in the synonym list;
    // "Robert" is a census first name.
    for gone in ["issue", "fixed", "Thanks", "error", "happens", "Robert"] {
        assert!(!lines[1].contains(gone), "{gone} in {}", lines[1]);
    }
    assert!(lines[1].contains("[NAME]"));
    assert_eq!(lines[2], "A-2,Short one");
}

#[test]
fn incomplete_model_folder_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs.csv");
    std::fs::write(&docs, "id,text\n1,hello world\n").unwrap();
    let release = dir.path().join("release.csv");
    std::fs::write(&release, "id,text\n1,hello there\n").unwrap();
    let model = dir.path().join("model");
    std::fs::create_dir(&model).unwrap();
    std::fs::write(model.join("config.json"), "{}").unwrap();
    let o = reident(&[
        "text",
        "--original",
        docs.to_str().unwrap(),
        "--release",
        release.to_str().unwrap(),
        "--same-ids",
        "--id-column",
        "id",
        "--text-column",
        "text",
        "--embedding-model",
        model.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    if cfg!(feature = "semantic") {
        assert!(
            stderr.contains("missing model.safetensors, tokenizer.json, 1_Pooling/config.json"),
            "{stderr}"
        );
        assert!(stderr.contains("fetch-embedding-model.sh"), "{stderr}");
    } else {
        assert!(
            stderr.contains("without the cargo feature `semantic`"),
            "{stderr}"
        );
    }
}
