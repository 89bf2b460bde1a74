//! The Rust sentence embeddings (candle BERT + tokenizers, mean pooling, L2
//! normalisation) equal the reference implementation's (sentence-transformers
//! in Python) on the sentences of `tests/fixtures/minilm_reference.json`, to
//! 1e-4 in every component. The fixture and the command that made it are
//! described in `tests/fixtures/minilm_reference.md`.
//!
//! Needs all-MiniLM-L6-v2 in `target/models/all-MiniLM-L6-v2` (or
//! `$REIDENT_EMBEDDING_MODEL`): the test FAILS with a message saying to run
//! `scripts/fetch-embedding-model.sh` when it is absent.
#![cfg(feature = "semantic")]

use std::path::PathBuf;

use reident::attacks::text::embedding::SentenceEmbedder;

use crate::embedding_support;
use embedding_support::model_dir;

fn fixture() -> (Vec<String>, Vec<Vec<f32>>) {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minilm_reference.json");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let sentences = v["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    let vectors = v["embeddings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap() as f32)
                .collect()
        })
        .collect();
    (sentences, vectors)
}

fn max_error(a: &[Vec<f32>], b: &[Vec<f32>]) -> f32 {
    a.iter()
        .zip(b)
        .flat_map(|(x, y)| {
            assert_eq!(x.len(), y.len());
            x.iter().zip(y).map(|(p, q)| (p - q).abs())
        })
        .fold(0.0, f32::max)
}

#[test]
fn embeddings_equal_sentence_transformers_to_1e4() {
    let (sentences, reference) = fixture();
    assert_eq!(sentences.len(), reference.len());
    let model = SentenceEmbedder::load(&model_dir()).unwrap();
    assert_eq!(model.dimension(), 384);
    let texts: Vec<&str> = sentences.iter().map(String::as_str).collect();
    // One at a time (as the fixture was made) and all in one padded batch.
    let single: Vec<Vec<f32>> = texts
        .iter()
        .map(|t| model.embed(&[t], 1).unwrap().remove(0))
        .collect();
    let batched = model.embed(&texts, 8).unwrap();
    let (e1, e2) = (
        max_error(&single, &reference),
        max_error(&batched, &reference),
    );
    eprintln!("max |rust - reference|: {e1:e} one at a time, {e2:e} batched");
    assert!(e1 < 1e-4, "{e1}");
    assert!(e2 < 1e-4, "{e2}");
    for v in &batched {
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5);
    }
}
