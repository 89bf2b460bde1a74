//! The PAN 2020/2021 verification measures against the official evaluator's
//! output on a small input (tests/fixtures/pan/README.md says how it was run).

use std::path::Path;

use reident::data::pan::{align_answers, read_answers, read_truth};
use reident::eval::verification::pan_scores;

#[test]
fn pan_scores_match_the_official_evaluator() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pan");
    let truth = read_truth(&dir.join("truth.jsonl")).unwrap();
    let answers = read_answers(&dir.join("answers.jsonl")).unwrap();
    let aligned = align_answers(&truth, &answers, "answers.jsonl").unwrap();
    assert_eq!(aligned.missing, 1);
    let s = pan_scores(&aligned.values, &aligned.same).unwrap();
    let official = [
        ("auc", s.auc, 0.8359375),
        ("c@1", s.c_at_1, 0.7421875),
        ("f_05_u", s.f_05_u, 0.6756756756756757),
        ("F1", s.f1, 0.7692307692307693),
        ("brier", s.brier, 0.83359375),
    ];
    for (name, ours, theirs) in official {
        assert!((ours - theirs).abs() < 1e-12, "{name}: {ours} vs {theirs}");
    }
    // The official script's rounded overall.
    assert!((s.overall - 0.771).abs() < 5e-4, "{}", s.overall);
    assert_eq!((s.problems, s.answered), (16, 13));
}
