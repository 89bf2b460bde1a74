"""stylometry and text_leakage: equal to the CLI on the same input."""

import csv
import json

import pytest

import reident

ALICE = [
    "the cat sat on the mat and the dog sat on the log",
    "the bird sat on the tree and the cat sat on the mat",
    "the fish swam in the pond and the cat sat on the mat",
]
BOB = [
    "a very big house with a very red door in a very quiet street",
    "a very small boat with a very white sail on a very calm sea",
    "a very old car with a very loud horn in a very busy town",
]
TEST = [
    ("alice", "the cow sat on the grass and the cat sat on the mat"),
    ("bob", "a very long road with a very dark tunnel"),
]


def write(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture()
def corpus(tmp_path):
    train = write(tmp_path / "train.csv", ["author", "text"], [("alice", t) for t in ALICE] + [("bob", t) for t in BOB])
    test = write(tmp_path / "test.csv", ["author", "text"], TEST)
    return train, test


def test_stylometry_equals_cli(cli, corpus):
    train, test = corpus
    _, expected, _ = cli.json("stylometry", "--train", train, "--test", test, "--features", "mfw:20",
                              "--classifier", "cosine", "--normalization", "z-score")
    s = reident.stylometry(train, test, features="mfw:20", classifier="cosine", normalization="z-score")
    assert s.to_dict() == expected
    docs = s.documents()
    rows = docs.to_dict("records") if hasattr(docs, "to_dict") else docs
    assert [r["predicted"] for r in rows] == ["alice", "bob"]


def test_stylometry_pandas_equals_path(cli, corpus):
    pd = pytest.importorskip("pandas")
    train, test = corpus
    text, _, _ = cli.json("stylometry", "--train", train, "--test", test, "--features", "mfw:20")
    expected = json.loads(text.replace(str(train), "<DataFrame train>").replace(str(test), "<DataFrame test>"))
    s = reident.stylometry(pd.read_csv(train), pd.read_csv(test), features="mfw:20")
    assert s.to_dict() == expected


def test_text_leakage_equals_cli(cli, tmp_path):
    o = write(tmp_path / "o.csv", ["id", "body"], [
        ("1", "alice.smith@example.com reported the login bug on the staging server"),
        ("2", "the build fails on main since the last merge of the parser branch"),
        ("3", "please ask bob.jones@example.com about the quarterly invoice numbers"),
    ])
    r = write(tmp_path / "r.csv", ["id", "body"], [
        ("1", "[EMAIL] reported the login bug on the staging server"),
        ("2", "the build fails on main since the last merge of the parser branch"),
        ("3", "please ask bob.jones@example.com about the quarterly invoice numbers"),
    ])
    _, expected, code = cli.json("text", "--original", o, "--release", r, "--text-column", "body",
                                 "--id-column", "id", "--same-ids")
    t = reident.text_leakage(o, r, text_column="body", id_column="id", same_ids=True)
    assert t.to_dict() == expected
    assert t.exit_code == code
