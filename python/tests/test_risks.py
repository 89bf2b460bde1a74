"""risks: equal to `reident risk` on the same input."""

import json

import pytest

import reident

FLAGS = ["--link-a", "age,sex,race", "--link-b", "education,workclass", "--secret", "salary-class",
         "--n-attacks", "100", "--max-attempts", "2000", "--seed", "7"]


@pytest.fixture()
def anonymeter(root):
    d = root / "tests/fixtures/anonymeter"
    return d / "original.csv", d / "release.csv", d / "control.csv"


def _call(o, r, c, **extra):
    return reident.risks(o, r, c, link_a=["age", "sex", "race"], link_b=["education", "workclass"],
                         secret=["salary-class"], n_attacks=100, max_attempts=2000, seed=7, **extra)


def test_equals_cli(cli, anonymeter):
    o, r, c = anonymeter
    _, expected, code = cli.json("risk", "--original", o, "--release", r, "--control", c, *FLAGS)
    res = _call(o, r, c)
    assert res.to_dict() == expected
    assert res.exit_code == code == 0
    table = res.table()
    rows = table.to_dict("records") if hasattr(table, "to_dict") else table
    assert [row["evaluation"] for row in rows] == [
        "singling_out_univariate", "singling_out_multivariate", "linkability", "inference:salary-class",
    ]
    assert rows[3]["risk"] == expected["inference"][0]["estimate"]["risk"]
    assert (rows[2]["ci_low"], rows[2]["ci_high"]) == tuple(expected["linkability"]["estimate"]["ci"])
    assert f"{rows[3]['risk']:.4f} [{rows[3]['ci_low']:.4f}, {rows[3]['ci_high']:.4f}]" in res._repr_html_()


def test_max_risk_exit_code(cli, anonymeter):
    o, r, c = anonymeter
    proc = cli.run("risk", "--original", o, "--release", r, "--control", c, *FLAGS, "--max-risk", "0.05")
    res = _call(o, r, c, max_risk=0.05)
    assert res.exit_code == proc.returncode == 1


def test_pyarrow_equals_path(cli, anonymeter):
    pa_csv = pytest.importorskip("pyarrow.csv")
    o, r, c = anonymeter
    text, _, _ = cli.json("risk", "--original", o, "--release", r, "--control", c, *FLAGS)
    for path, name in ((o, "original"), (r, "release"), (c, "control")):
        text = text.replace(str(path), f"<DataFrame {name}>")
    res = _call(pa_csv.read_csv(o), pa_csv.read_csv(r), pa_csv.read_csv(c))
    assert res.to_dict() == json.loads(text)
