//! The library's pseudonym-level attack (`attacks::stylometry::pseudonym`)
//! reproduces the stylometry figures of the demo audit: the expected values
//! below are copied from `report.json` of
//! `cargo run -- audit --demo --out /tmp/demo-before` run at commit 4c074ac,
//! before the attack moved out of `audit/run.rs` (section "corpus
//! `comments`", result `stylometry`; datasets/audit-demo.toml: features
//! `mfw:200`, Cosine Delta, known share 0.5, min 4 documents, seed 20240601).

use std::path::Path;

use reident::attacks::stylometry::features::FeatureKind;
use reident::attacks::stylometry::pipeline::ClassifierKind;
use reident::attacks::stylometry::pooling::PoolingMethod;
use reident::attacks::stylometry::pseudonym::{
    pseudonym_attack, PseudonymAttackInput, PseudonymAttackParams,
};
use reident::data::{read_frame, text_column, Corpus, ReadOptions};
use reident::eval::attribution::score_release;

/// The corpus (ids, texts; a missing text is empty) and the authors of one
/// demo corpus file, read as the audit reads a corpus with one text column.
fn load(rel: &str) -> (Corpus, Vec<Option<String>>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("datasets/atlassian_demo")
        .join(rel);
    let source = path.display().to_string();
    let frame = read_frame(&path, &ReadOptions::default()).unwrap();
    let ids = text_column(&frame, "comment_id", &source).unwrap();
    let texts = text_column(&frame, "body", &source).unwrap();
    let authors = text_column(&frame, "author", &source).unwrap();
    (Corpus::new(&source, ids, texts).unwrap(), authors)
}

#[test]
fn reproduces_the_demo_audit_figures() {
    let (original, o_authors) = load("original/comments.ndjson.gz");
    let (release, r_pseudonyms) = load("release/comments.ndjson.gz");
    let params = PseudonymAttackParams {
        seed: 20240601,
        ..PseudonymAttackParams::new(
            vec!["mfw:200".parse::<FeatureKind>().unwrap()],
            ClassifierKind::Cosine,
        )
    };
    assert_eq!(params.known_share, 0.5);
    assert_eq!(params.min_documents, 4);
    assert_eq!(params.pooling, PoolingMethod::SumScores);
    let r = pseudonym_attack(
        PseudonymAttackInput {
            original: &original,
            original_authors: &o_authors,
            release: &release,
            release_pseudonyms: &r_pseudonyms,
        },
        &params,
    )
    .unwrap();
    assert_eq!(r.authors.len(), 182);
    assert_eq!(r.authors_left_out, 18);
    assert_eq!(r.known_documents, 834);
    assert_eq!((r.held_out_documents, r.held_out_in_release), (759, 759));
    let scores = score_release(&r.attribution, &r.authors).unwrap();
    let docs = &scores.documents;
    assert_eq!(docs.n_documents, 759);
    assert_eq!(docs.top1_accuracy, 0.05928853754940711); // 45 / 759
    assert_eq!(docs.macro_f1, 0.04673045657208552);
    let doc_top_k = [
        0.05928853754940711,
        0.0922266139657444,
        0.11725955204216074,
        0.1422924901185771,
        0.16996047430830039,
        0.18708827404479578,
        0.19894598155467721,
        0.2028985507246377,
        0.22002635046113306,
        0.24110671936758893,
        0.25823451910408435,
        0.2766798418972332,
        0.2885375494071146,
        0.3069828722002635,
        0.31752305665349145,
        0.3372859025032938,
        0.35046113306982873,
        0.3675889328063241,
        0.37549407114624506,
        0.3939393939393939,
    ];
    let got: Vec<f64> = docs.top_k.iter().take(20).map(|p| p.accuracy).collect();
    assert_eq!(got, doc_top_k);

    assert_eq!(r.attribution.documents_without_pseudonym, 0);
    let p = r.attribution.pseudonyms.as_ref().unwrap();
    assert_eq!(p.names.len(), 182);
    let pe = scores.pseudonyms.as_ref().unwrap();
    assert_eq!(pe.n_documents, 182);
    assert_eq!(pe.top1_accuracy, 0.13736263736263737); // 25 / 182
    let pseudonym_top_k = [
        0.13736263736263737,
        0.1978021978021978,
        0.2802197802197802,
        0.3131868131868132,
        0.34615384615384615,
        0.3516483516483517,
        0.3791208791208791,
        0.4010989010989011,
        0.43956043956043955,
        0.46153846153846156,
        0.47802197802197804,
        0.4835164835164835,
        0.5,
        0.510989010989011,
        0.5164835164835165,
        0.521978021978022,
        0.5439560439560439,
        0.554945054945055,
        0.5659340659340659,
        0.5714285714285714,
    ];
    let got: Vec<f64> = pe.top_k.iter().take(20).map(|p| p.accuracy).collect();
    assert_eq!(got, pseudonym_top_k);
    // The demo's pseudonymizer maps each author to one pseudonym.
    assert_eq!(p.shared, 0);
}
