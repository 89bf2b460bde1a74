//! Semantic document linkage (feature `semantic`): sentence embeddings per
//! second with all-MiniLM-L6-v2, and nearest-original search, exact against
//! the HNSW index, at growing corpus sizes.
//!
//! * `embed`: the 105 real Jira issues of `datasets/jira_rewritten` embedded
//!   in batches of 32 (the audit's batch), throughput in documents. Needs the
//!   model in `target/models/all-MiniLM-L6-v2` (or
//!   `$REIDENT_EMBEDDING_MODEL`); without it the group is skipped with a
//!   message (`scripts/fetch-embedding-model.sh` installs it).
//! * `search`: `link_semantic` on seeded random unit vectors of 384
//!   dimensions (clustered, as sentence embeddings are), originals =
//!   releases = `REIDENT_BENCH_DOCS` (comma separated, default `2000`; the
//!   figures in benches/README.md use `2000,20000`), exact search against the
//!   HNSW index (index build included).
//!
//! Run: `cargo bench --bench semantic` (release profile).

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reident::attacks::text::hnsw::HnswParams;
use reident::attacks::text::semantic::{link_semantic, NeighbourSearch, SemanticConfig};
use reident::attacks::text::Corpus;

fn doc_counts() -> Vec<usize> {
    std::env::var("REIDENT_BENCH_DOCS")
        .unwrap_or_else(|_| "2000".to_string())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// `n` unit vectors of `dim` dimensions around `n / 10` random centres.
fn clustered(n: usize, dim: usize, seed: u64) -> Vec<Vec<f32>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let centres: Vec<Vec<f32>> = (0..(n / 10).max(1))
        .map(|_| (0..dim).map(|_| rng.gen::<f32>() - 0.5).collect())
        .collect();
    (0..n)
        .map(|i| {
            let v: Vec<f32> = centres[i % centres.len()]
                .iter()
                .map(|x| x + 0.15 * (rng.gen::<f32>() - 0.5))
                .collect();
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.into_iter().map(|x| x / norm).collect()
        })
        .collect()
}

fn corpus(name: &str, n: usize) -> Corpus {
    Corpus::new(
        name,
        (0..n).map(|i| Some(format!("d{i}"))).collect(),
        (0..n).map(|i| Some(format!("document {i}"))).collect(),
    )
    .expect("corpus")
}

fn bench_search(c: &mut Criterion) {
    let mut group = c.benchmark_group("semantic_search");
    group.sample_size(10);
    for n in doc_counts() {
        let original = corpus("o", n);
        let release = corpus("r", n);
        let ov = clustered(n, 384, 1);
        let rv = clustered(n, 384, 1)
            .into_iter()
            .zip(clustered(n, 384, 2))
            .map(|(a, b)| a.iter().zip(&b).map(|(x, y)| x + 0.2 * y).collect())
            .collect::<Vec<Vec<f32>>>();
        group.throughput(Throughput::Elements(n as u64));
        for (label, search) in [
            ("exact", NeighbourSearch::Exact),
            ("hnsw", NeighbourSearch::Hnsw(HnswParams::default())),
        ] {
            let config = SemanticConfig {
                search,
                ..SemanticConfig::default()
            };
            group.bench_with_input(BenchmarkId::new(label, n), &n, |b, _| {
                b.iter(|| {
                    link_semantic(&original, &release, &ov, &rv, None, &config).expect("linkage")
                })
            });
        }
    }
    group.finish();
}

fn bench_embed(c: &mut Criterion) {
    use reident::attacks::text::embedding::SentenceEmbedder;
    let dir = std::env::var_os("REIDENT_EMBEDDING_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/models/all-MiniLM-L6-v2")
        });
    let model = match SentenceEmbedder::load(&dir) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("semantic bench `embed` skipped: {e}");
            return;
        }
    };
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("datasets/jira_rewritten/original.csv.gz");
    let frame = reident::data::read_frame(&path, &reident::data::ReadOptions::default())
        .expect("datasets/jira_rewritten/original.csv.gz");
    let column = frame
        .column("text")
        .expect("text column")
        .str()
        .expect("text is a string column");
    let texts: Vec<String> = column
        .iter()
        .map(|t| t.unwrap_or_default().to_string())
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let mut group = c.benchmark_group("semantic_embed");
    group.sample_size(10);
    group.throughput(Throughput::Elements(refs.len() as u64));
    group.bench_function(BenchmarkId::new("all-MiniLM-L6-v2", refs.len()), |b| {
        b.iter(|| model.embed(&refs, 32).expect("embed"))
    });
    group.finish();
}

criterion_group!(benches, bench_search, bench_embed);
criterion_main!(benches);
