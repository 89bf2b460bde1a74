"""link: QI join and Fellegi-Sunter equal to `reident link` on the same input."""

import json

import pytest

import reident

FS_FIELDS = "age:num(1,5);sex:exact;race:exact;education:exact;occupation:exact;workclass:exact"


@pytest.fixture()
def adult400(root):
    d = root / "tests/fixtures/linkage"
    return d / "adult400_original.csv", d / "adult400_release.csv"


def test_qi_join_equals_cli(cli, adult400):
    o, r = adult400
    text, expected, code = cli.json(
        "link", "--original", o, "--release", r, "--qi", "sex,age,race", "--truth", "rec_id", "--rows"
    )
    res = reident.link(o, r, quasi_identifiers=["sex", "age", "race"], truth="rec_id", rows=True)
    assert res.to_dict() == expected
    assert res.exit_code == code
    assert res.method == "qi_join"
    assert res.scores["actual_reidentifications"] == expected["actual_reidentifications"]
    links = res.links()
    rows = links.to_dict("records") if hasattr(links, "to_dict") else links
    assert rows == expected["rows"]
    assert len(rows) == 400


def test_qi_join_max_rate_exit_code(cli, adult400):
    o, r = adult400
    proc = cli.run("link", "--original", o, "--release", r, "--qi", "sex,age,race", "--truth", "rec_id",
                   "--max-rate", "0.01")
    res = reident.link(o, r, quasi_identifiers=["sex", "age", "race"], truth="rec_id", max_rate=0.01)
    assert res.exit_code == proc.returncode
    assert res.to_dict() == json.loads(proc.stdout)


def test_fellegi_sunter_equals_cli(cli, adult400):
    o, r = adult400
    _, expected, _ = cli.json(
        "link", "--original", o, "--release", r, "--fields", FS_FIELDS, "--block", "sex",
        "--lambda", "0.0025", "--truth", "rec_id", "--explain", "1000",
    )
    res = reident.link(o, r, fields=FS_FIELDS, block="sex", lambda_=0.0025, truth="rec_id", explain=1000)
    assert res.to_dict() == expected
    assert res.method == "fellegi_sunter"
    assert res.scores == expected["scores"]
    links = res.links()
    rows = links.to_dict("records") if hasattr(links, "to_dict") else links
    assert len(rows) == expected["links"] == len(expected["explained_links"])
    assert [row["match_weight"] for row in rows] == [l["match_weight"] for l in expected["explained_links"]]
    mu = res.m_u()
    mu_rows = mu.to_dict("records") if hasattr(mu, "to_dict") else mu
    age_exact = [row for row in mu_rows if row["column"] == "age" and row["label"] == "exact"]
    model_age = expected["model"]["comparisons"][0]
    assert age_exact[0]["m"] == [l for l in model_age["levels"] if l["label"] == "exact"][0]["m"]
    assert len(mu_rows) == sum(len(c["levels"]) for c in expected["model"]["comparisons"])
    assert f"{expected['scores']['precision']:.4f}" in res._repr_html_()


def test_dataframes_equal_paths(cli, adult400):
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    o, r = adult400
    text, _, _ = cli.json("link", "--original", o, "--release", r, "--qi", "sex,age,race", "--truth", "rec_id")
    expected = json.loads(text.replace(str(o), "<DataFrame original>").replace(str(r), "<DataFrame release>"))
    for load in (pd.read_csv, pl.read_csv):
        res = reident.link(load(o), load(r), quasi_identifiers=["sex", "age", "race"], truth="rec_id")
        assert res.to_dict() == expected, load
