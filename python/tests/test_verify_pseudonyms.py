"""verify and pseudonyms: equal to the CLI on the same input."""

import json

import pytest

import reident

PAN = "datasets/pan_jira"
COMMITS = "datasets/atlassian_demo/{}/commits.ndjson.gz"
PSEUDONYM_ARGS = ["--text", "message", "--id", "commit_hash", "--author", "author", "--timestamp", "timestamp",
                  "--group", "repo", "--identifier-columns", "author_email",
                  "--users", "datasets/atlassian_demo/original/users.ndjson.gz"]


def test_verify_equals_cli(cli, monkeypatch, root):
    monkeypatch.chdir(root)
    _, expected, code = cli.json("verify", "--train", f"{PAN}/train", "--test", f"{PAN}/test", "--method", "pairwise",
                                 cwd=root)
    v = reident.verify(f"{PAN}/train", f"{PAN}/test", method="pairwise")
    assert v.to_dict() == expected
    assert v.exit_code == code
    assert v.scores()["problems"] == expected["scores"]["problems"] == 204
    assert 0.0 <= v.scores()["auc"] <= 1.0


def test_verify_bad_method_raises_value_error(monkeypatch, root):
    monkeypatch.chdir(root)
    with pytest.raises(ValueError, match="method"):
        reident.verify(f"{PAN}/train", f"{PAN}/test", method="no-such-method")


def test_pseudonyms_equals_cli(cli, monkeypatch, root):
    monkeypatch.chdir(root)
    _, expected, code = cli.json("pseudonyms", "--original", COMMITS.format("original"),
                                 "--release", COMMITS.format("release"), *PSEUDONYM_ARGS, cwd=root)
    p = reident.pseudonyms(COMMITS.format("original"), COMMITS.format("release"), text="message", id="commit_hash",
                           author="author", timestamp="timestamp", group="repo", identifier_columns=["author_email"],
                           users="datasets/atlassian_demo/original/users.ndjson.gz")
    assert p.to_dict() == expected
    assert p.exit_code == code
    rows = p.signals()
    rows = rows.to_dict("records") if hasattr(rows, "to_dict") else rows
    assert rows[0]["name"] == "fused"
    assert rows[0]["named_at_precision"] == expected["scores"]["fused"]["named_at_precision"]
    assert len(rows) == 1 + len(expected["scores"]["signals"])


def test_pseudonyms_from_pandas_equals_path(cli, monkeypatch, root):
    pd = pytest.importorskip("pandas")
    monkeypatch.chdir(root)
    original = pd.read_json(COMMITS.format("original"), lines=True, dtype=str)
    release = pd.read_json(COMMITS.format("release"), lines=True, dtype=str)
    from_path = reident.pseudonyms(COMMITS.format("original"), COMMITS.format("release"), text="message",
                                   id="commit_hash", timestamp="timestamp", group="repo",
                                   identifier_columns=["author_email"], progress=False)
    from_frames = reident.pseudonyms(original, release, text="message", id="commit_hash", timestamp="timestamp",
                                     group="repo", identifier_columns=["author_email"], progress=False)
    assert from_frames.to_dict()["scores"] == from_path.to_dict()["scores"]
