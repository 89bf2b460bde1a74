"""unicity, epsilon_estimate and epsilon_bound: equal to the CLI on the same input."""

import json
import math

import pytest

import reident

EVENTS = "datasets/atlassian_demo/original/events.ndjson.gz"


def test_unicity_equals_cli(cli, root):
    events = root / EVENTS
    _, expected, code = cli.json(
        "unicity", "--events", events, "--points", "1,2", "--action-columns", "product,feature",
        "--bucket-seconds", "3600,86400",
    )
    u = reident.unicity(events, action_columns=["product", "feature"], points=[1, 2], bucket_seconds=[3600, 86400])
    assert u.to_dict() == expected
    assert u.exit_code == code == 0
    curve = u.curve()
    rows = curve.to_dict("records") if hasattr(curve, "to_dict") else curve
    assert len(rows) == 4
    assert [r["unicity"] for r in rows] == [p["unicity"] for c in expected["curves"] for p in c["curve"]]
    first = expected["curves"][0]["curve"][0]
    assert f"<td style='text-align:left'>{first['unicity']:.4f}</td>" in u._repr_html_()


def test_unicity_from_polars_equals_path(cli, root):
    pl = pytest.importorskip("polars")
    events = root / EVENTS
    text, _, _ = cli.json("unicity", "--events", events, "--points", "1,3", "--action-columns", "product,feature")
    frame = pl.read_ndjson(events)
    u = reident.unicity(frame, action_columns=["product", "feature"], points=[1, 3])
    assert u.to_dict() == json.loads(text.replace(str(events), "<DataFrame events>"))


def test_epsilon_estimate_equals_cli_and_hand_value(cli, tmp_path):
    o, r = tmp_path / "o.csv", tmp_path / "r.csv"
    o.write_text("id,x\n1,0\n2,1\n3,2\n4,3\n")
    r.write_text("id,x\n1,1\n2,0\n3,4\n4,1\n")
    _, expected, _ = cli.json("epsilon", "estimate", "--original", o, "--release", r, "--column", "x",
                              "--sensitivity", "3")
    e = reident.epsilon_estimate(o, r, column="x", sensitivity=3)
    assert e.to_dict() == expected
    # Noise 1, -1, 2, -2: Laplace scale (mean |noise|) 1.5, epsilon = 3 / 1.5 = 2
    # (the value tests/dp_cli.rs checks for the CLI).
    assert e["laplace"]["epsilon"]["point"] == 2.0


def test_epsilon_bound_equals_cli_and_hand_value(cli, tmp_path):
    pd = pytest.importorskip("pandas")
    scores = tmp_path / "s.csv"
    scores.write_text("score,member\n" + "1,member\n0,non-member\n" * 60)
    _, expected, _ = cli.json("epsilon", "bound", "--scores", scores, "--selection", "bonferroni")
    b = reident.epsilon_bound(scores, selection="bonferroni")
    assert b.to_dict() == expected
    # 60 members scored 1, 60 non-members 0; Bonferroni over the 2 thresholds
    # bounds each rate at 1 - 0.05/4 on 60 trials: u = 1 - 0.0125^(1/60),
    # epsilon >= ln((1 - u) / u) (the value tests/dp_cli.rs checks).
    u = 1.0 - 0.0125 ** (1.0 / 60.0)
    assert abs(b["epsilon_lower"] - math.log((1.0 - u) / u)) < 1e-9
    from_frame = reident.epsilon_bound(pd.read_csv(scores), selection="bonferroni")
    assert from_frame.to_dict() == json.loads(json.dumps(expected).replace(str(scores), "<DataFrame scores>"))
