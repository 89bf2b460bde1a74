//! Document linkage as mergeable partials (`link_documents_partitioned`):
//! candidate generation split over the LSH bands or over the originals, in
//! 1, 2 and 7 groups and random splits, gives exactly the one-pass result
//! (links, similarities, candidate counts, truth figures), with Jaccard and
//! cosine verification. Duplicated originals make ties, which must go to
//! the lower original index whatever group finds them first.

use reident::attacks::text::{
    link_documents, link_documents_partitioned, Corpus, DocumentPartitioning, LinkageConfig,
    LinkageResult, TruthKey, Verification,
};

struct Lcg(u64);
impl Lcg {
    fn next(&mut self, m: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % m
    }
}

const WORDS: [&str; 40] = [
    "deploy",
    "build",
    "ticket",
    "sprint",
    "review",
    "merge",
    "branch",
    "release",
    "outage",
    "customer",
    "billing",
    "invoice",
    "login",
    "error",
    "timeout",
    "cache",
    "query",
    "index",
    "backup",
    "restore",
    "alert",
    "pager",
    "incident",
    "rollback",
    "config",
    "secret",
    "token",
    "vpn",
    "proxy",
    "queue",
    "worker",
    "schema",
    "migration",
    "latency",
    "dashboard",
    "metric",
    "quota",
    "region",
    "cluster",
    "node",
];

/// 80 originals (3 = 10 and 25 = 40 word for word), 70 release documents
/// copied from originals with some words replaced, and the truth key.
fn corpora() -> (Corpus, Corpus, TruthKey) {
    let mut rng = Lcg(99);
    let mut originals: Vec<String> = (0..80)
        .map(|_| {
            (0..(20 + rng.next(30)))
                .map(|_| WORDS[rng.next(40) as usize])
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    originals[10] = originals[3].clone();
    originals[40] = originals[25].clone();
    let mut release = Vec::new();
    let mut pairs = Vec::new();
    for r in 0..70usize {
        let o = match r {
            0 => 10,
            1 => 40,
            _ => rng.next(80) as usize,
        };
        let words: Vec<&str> = originals[o]
            .split(' ')
            .map(|w| {
                if rng.next(6) == 0 {
                    WORDS[rng.next(40) as usize]
                } else {
                    w
                }
            })
            .collect();
        release.push(words.join(" "));
        pairs.push((format!("r{r}"), format!("o{o}")));
    }
    let original = Corpus::new(
        "originals",
        (0..80).map(|i| Some(format!("o{i}"))).collect(),
        originals.into_iter().map(Some).collect(),
    )
    .unwrap();
    let release = Corpus::new(
        "release",
        (0..70).map(|i| Some(format!("r{i}"))).collect(),
        release.into_iter().map(Some).collect(),
    )
    .unwrap();
    let truth = TruthKey::from_pairs(&release, &original, &pairs).unwrap();
    (original, release, truth)
}

fn json(r: &LinkageResult) -> String {
    serde_json::to_string(r).unwrap()
}

/// `n` items into `k` groups: contiguous, or randomly (seeded) when `seed`
/// is given; groups may come out in any order.
fn split(n: usize, k: usize, seed: Option<u64>) -> Vec<Vec<usize>> {
    let mut groups = vec![Vec::new(); k];
    match seed {
        None => {
            let size = n.div_ceil(k);
            for i in 0..n {
                groups[i / size].push(i);
            }
        }
        Some(s) => {
            let mut rng = Lcg(s);
            for i in 0..n {
                groups[rng.next(k as u64) as usize].push(i);
            }
        }
    }
    // Reversed, so a later original is met before an earlier one.
    groups.reverse();
    groups
}

#[test]
fn partials_over_bands_and_originals_equal_one_pass() {
    let (original, release, truth) = corpora();
    for verification in [Verification::Jaccard, Verification::Cosine] {
        let config = LinkageConfig {
            bands: 16,
            rows: 2,
            verification,
            threshold: 0.3,
            ..LinkageConfig::default()
        };
        let one_pass = link_documents(&original, &release, Some(&truth), &config).unwrap();
        // Not vacuous: links, overlapping band candidates, ties resolved
        // to the lower index (release 0 comes from original 10 = 3).
        assert!(one_pass.linked > 30, "{}", one_pass.linked);
        // Releases 0 and 1 meet both copies of their original.
        assert!(one_pass.release_with_candidates > 50);
        assert!(one_pass.candidate_pairs >= one_pass.release_with_candidates + 2);
        let tie = |r: &LinkageResult, i: usize| {
            r.links
                .iter()
                .find(|l| l.release_index == i)
                .map(|l| l.original_index)
        };
        assert_eq!(tie(&one_pass, 0), Some(3));
        assert_eq!(tie(&one_pass, 1), Some(25));
        let expected = json(&one_pass);
        let mut splits = Vec::new();
        for k in [1, 2, 7] {
            splits.push(DocumentPartitioning::Bands(split(config.bands, k, None)));
            splits.push(DocumentPartitioning::Originals(
                split(original.len(), k, None)
                    .into_iter()
                    .map(|g| g.into_iter().map(|i| i as u32).collect())
                    .collect(),
            ));
        }
        for seed in [1, 2, 3] {
            splits.push(DocumentPartitioning::Bands(split(
                config.bands,
                5,
                Some(seed),
            )));
            splits.push(DocumentPartitioning::Originals(
                split(original.len(), 4, Some(seed))
                    .into_iter()
                    .map(|g| g.into_iter().map(|i| i as u32).collect())
                    .collect(),
            ));
        }
        // Original 10 (a copy of 3) alone, merged before and after the rest:
        // the tie must go to 3 either way.
        let rest: Vec<u32> = (0..original.len() as u32).filter(|&i| i != 10).collect();
        splits.push(DocumentPartitioning::Originals(vec![
            vec![10],
            rest.clone(),
        ]));
        splits.push(DocumentPartitioning::Originals(vec![rest, vec![10]]));
        for parts in &splits {
            let got = link_documents_partitioned(&original, &release, Some(&truth), &config, parts)
                .unwrap();
            assert_eq!(json(&got), expected, "{verification:?} {parts:?}");
        }
    }
}

#[test]
fn groups_that_are_not_a_partition_are_an_error() {
    let (original, release, truth) = corpora();
    let config = LinkageConfig {
        bands: 4,
        rows: 2,
        ..LinkageConfig::default()
    };
    for parts in [
        DocumentPartitioning::Bands(vec![vec![0, 1], vec![1, 2, 3]]),
        DocumentPartitioning::Bands(vec![vec![0, 1]]),
        DocumentPartitioning::Bands(vec![vec![0, 1, 2, 3, 4]]),
        DocumentPartitioning::Originals(vec![(0..79).collect()]),
    ] {
        let e = link_documents_partitioned(&original, &release, Some(&truth), &config, &parts)
            .unwrap_err()
            .to_string();
        assert!(e.contains("group") || e.contains("range"), "{e}");
    }
}
