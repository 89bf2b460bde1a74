//! Fellegi-Sunter linkage of seeded synthetic person records: the comparison
//! kernel (comparison vectors of the blocked pairs) and the whole `link` run
//! (blocking, u, lambda, EM, scoring, evaluation) with the benchmark model of
//! benches/README.md section 5.
//!
//! Sizes come from `REIDENT_BENCH_ROWS` (comma separated, default `100000`);
//! CI sets a small size so `cargo test --benches` stays quick. The records are
//! generated here (seeded), in the spirit of `benches/make_linkage_data.py`
//! but smaller: synthetic names from syllables with Zipf-like frequencies,
//! dates of birth over 66 years, zip codes in cities, e-mail addresses, and a
//! release that is a shuffled copy with typos, shifted dates, moved zips and
//! missing values. The 1M x 1M comparison with Splink and recordlinkage uses
//! the Python generator's files and the CLI (see the README).

use std::collections::HashMap;

mod support;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reident::attacks::linkage::{
    blocking, comparison_vectors, link, parse_blocking_rules, parse_comparisons, AssignmentMethod,
    LinkageConfig, PriorSpec,
};
use reident::data::{CategoricalColumn, EncodedTable};

const FIELDS: &str = "first_name:jw(0.92,0.8)+tf;surname:jw(0.92,0.8)+tf;dob:date(1,31);\
                      gender:exact;city:exact+tf;zip:exact;email:jw(0.88)";
const BLOCKING: &str = "first_name & surname; dob; zip & surname";

const SYLLABLES: [&str; 24] = [
    "an", "bel", "cor", "da", "el", "fin", "gar", "ha", "is", "jo", "ka", "lin", "mar", "no", "or",
    "pe", "ri", "sa", "ta", "ul", "vin", "wen", "ya", "zo",
];

/// A name from `n` syllables chosen by `index` (distinct indexes, distinct names).
fn name_of(mut index: usize, n: usize) -> String {
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(SYLLABLES[index % SYLLABLES.len()]);
        index /= SYLLABLES.len();
    }
    s
}

/// An index in `0..n` with a Zipf-like (1/rank) distribution.
fn zipf(rng: &mut ChaCha8Rng, n: usize) -> usize {
    // Inverse of the continuous 1/x density on [1, n + 1).
    let u: f64 = rng.gen();
    ((((n + 1) as f64).powf(u)) as usize - 1).min(n - 1)
}

/// One character edit: swap two neighbours, drop one or double one.
fn typo(rng: &mut ChaCha8Rng, s: &str) -> String {
    let mut b: Vec<u8> = s.bytes().collect();
    if b.len() < 3 {
        return s.to_string();
    }
    let i = rng.gen_range(1..b.len() - 1);
    match rng.gen_range(0..3) {
        0 => b.swap(i, i + 1),
        1 => {
            b.remove(i);
        }
        _ => b.insert(i, b[i]),
    }
    String::from_utf8(b).expect("ASCII")
}

fn table(name: &str, rows: &[[String; 8]]) -> EncodedTable {
    let headers = [
        "id",
        "first_name",
        "surname",
        "dob",
        "gender",
        "city",
        "zip",
        "email",
    ];
    let columns = headers
        .iter()
        .enumerate()
        .map(|(c, h)| {
            CategoricalColumn::encode(
                h,
                rows.iter().map(|r| Some(r[c].as_str())),
                str::is_empty,
                "",
            )
        })
        .collect();
    EncodedTable::new(name, columns)
}

/// `n` original people and a corrupted, shuffled release of the same people.
fn people(n: usize, seed: u64) -> (EncodedTable, EncodedTable) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let first_names: Vec<String> = (0..2_000).map(|i| name_of(i, 3)).collect();
    let surnames: Vec<String> = (0..40_000).map(|i| name_of(i * 7 + 3, 4)).collect();
    let domains = ["example.org", "mail.test", "post.test", "web.test"];
    let original: Vec<[String; 8]> = (0..n)
        .map(|i| {
            let first = first_names[zipf(&mut rng, first_names.len())].clone();
            let surname = surnames[zipf(&mut rng, surnames.len())].clone();
            let day = rng.gen_range(0..66 * 365);
            let (year, rest) = (1940 + day / 365, day % 365);
            let dob = format!("{year}-{:02}-{:02}", rest / 28 % 12 + 1, rest % 28 + 1);
            let zip = zipf(&mut rng, 5_000);
            let email = if rng.gen_bool(0.15) {
                String::new()
            } else {
                format!(
                    "{first}.{surname}{}@{}",
                    rng.gen_range(0..100),
                    domains[rng.gen_range(0..domains.len())]
                )
            };
            [
                i.to_string(),
                first,
                surname,
                dob,
                ["f", "m"][rng.gen_range(0..2)].to_string(),
                format!("city{}", zip / 7),
                format!("{:05}", 10_000 + zip),
                email,
            ]
        })
        .collect();
    let mut release: Vec<[String; 8]> = original
        .iter()
        .map(|row| {
            let mut r = row.clone();
            for c in [1, 2] {
                if rng.gen_bool(0.12) {
                    r[c] = typo(&mut rng, &r[c]);
                }
            }
            if rng.gen_bool(0.08) {
                let day: u32 = r[3][8..].parse().expect("day");
                r[3] = format!("{}{:02}", &r[3][..8], if day > 1 { day - 1 } else { 2 });
            }
            if rng.gen_bool(0.08) {
                let zip = zipf(&mut rng, 5_000);
                r[5] = format!("city{}", zip / 7);
                r[6] = format!("{:05}", 10_000 + zip);
            }
            for (c, p) in [(1, 0.03), (2, 0.02), (3, 0.02), (6, 0.04), (7, 0.3)] {
                if rng.gen_bool(p) {
                    r[c] = String::new();
                }
            }
            r
        })
        .collect();
    release.shuffle(&mut rng);
    (table("original", &original), table("release", &release))
}

fn config() -> LinkageConfig {
    let mut config = LinkageConfig::new(
        parse_comparisons(FIELDS).expect("fields"),
        parse_blocking_rules(BLOCKING).expect("blocking"),
    );
    config.training_blocking = parse_blocking_rules("first_name & surname; dob").expect("train");
    config.prior = PriorSpec::Deterministic {
        rules: parse_blocking_rules("first_name & surname & dob").expect("rule"),
        recall: 0.6,
    };
    config.assignment = AssignmentMethod::None;
    config.truth = Some(("id".into(), "id".into()));
    config.explain_links = 0;
    config
}

fn bench_linkage(c: &mut Criterion) {
    let mut group = c.benchmark_group("linkage");
    group.sample_size(10);
    let config = config();
    let hierarchies = HashMap::new();
    for n in support::sizes("100000") {
        let (original, release) = people(n, 7);
        let pairs = blocking::block(&config.blocking, &original, &release, u64::MAX, u64::MAX)
            .expect("blocking")
            .pairs;
        group.throughput(Throughput::Elements(pairs.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("comparison_vectors", n),
            &pairs,
            |b, pairs| {
                b.iter(|| {
                    comparison_vectors(
                        &original,
                        &release,
                        &config.comparisons,
                        &hierarchies,
                        pairs,
                    )
                    .expect("vectors")
                })
            },
        );
        group.bench_with_input(BenchmarkId::new("link", n), &config, |b, config| {
            b.iter(|| link(&original, &release, config, &hierarchies, &mut |_| {}).expect("link"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_linkage);
criterion_main!(benches);
