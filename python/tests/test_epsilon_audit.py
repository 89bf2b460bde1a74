"""epsilon_audit: a Python callable audited as a DP mechanism.

The reference is the CLI running the same mechanism as an external command
(`laplace_mechanism.py`, the same noise for the same trial seed): the JSON is
equal but for the `mechanism` label. An honest Laplace sum at epsilon = 1 is
not refuted at its claim; the same sum with 1/20 of the noise (epsilon = 20)
claimed as epsilon = 1 is.
"""

import json
import sys
from pathlib import Path

import pytest

import reident

sys.path.insert(0, str(Path(__file__).parent))
from laplace_mechanism import noisy_sum  # noqa: E402

SCRIPT = Path(__file__).parent / "laplace_mechanism.py"


@pytest.fixture
def neighbours(tmp_path):
    d, d1 = tmp_path / "d.csv", tmp_path / "d1.csv"
    d.write_text("x\n" + "0\n1\n" * 5)
    d1.write_text("x\n" + "0\n1\n" * 5 + "1\n")
    return d, d1


def laplace(scale, flavor="pandas"):
    def mechanism(frame, seed):
        if flavor == "polars":
            import polars as pl

            return pl.DataFrame({"x": [noisy_sum(frame["x"].to_list(), seed, scale)]})
        import pandas as pd

        return pd.DataFrame({"x": [noisy_sum(list(frame["x"]), seed, scale)]})

    return mechanism


def without_label(result):
    data = dict(result)
    data.pop("mechanism")
    return data


@pytest.mark.parametrize("scale,claim,code", [(1.0, 1.0, 0), (0.05, 1.0, 1)])
def test_equals_cli_running_the_same_mechanism(cli, neighbours, scale, claim, code):
    d, d1 = neighbours
    command = f"{sys.executable} {SCRIPT} {{input}} {{output}} {{seed}} {scale}"
    _, expected, cli_code = cli.json("epsilon", "audit", "--mechanism", command, "--without", d, "--with", d1,
                                     "--column", "x", "--trials", "200", "--claim-epsilon", str(claim))
    a = reident.epsilon_audit(laplace(scale), d, d1, column="x", trials=200, claimed_epsilon=claim)
    assert without_label(a.to_dict()) == without_label(expected)
    assert a["mechanism"] == "Python callable `laplace.<locals>.mechanism`"
    assert a.exit_code == cli_code == code


def test_honest_laplace_is_not_refuted_and_broken_one_is(neighbours):
    d, d1 = neighbours
    honest = reident.epsilon_audit(laplace(1.0), d, d1, column="x", trials=2000, claimed_epsilon=1.0)
    assert not honest.refuted
    assert honest.verdict == "not_refuted" and honest.exit_code == 0
    assert honest.epsilon_lower <= 1.0
    broken = reident.epsilon_audit(laplace(0.05), d, d1, column="x", trials=2000, claimed_epsilon=1.0)
    assert broken.refuted and broken.verdict == "refuted" and broken.exit_code == 1
    assert broken.epsilon_lower > 1.0


def test_polars_frames_and_tables_in_give_the_same_audit(neighbours):
    pl = pytest.importorskip("polars")
    pd = pytest.importorskip("pandas")
    d, d1 = neighbours
    a = reident.epsilon_audit(laplace(0.5), d, d1, column="x", trials=100, seed=7)
    b = reident.epsilon_audit(laplace(0.5, "polars"), pl.read_csv(d, infer_schema=False),
                              pd.read_csv(d1, dtype=str), column="x", trials=100, seed=7, frame="polars")
    assert a.to_dict()["bound"] == b.to_dict()["bound"]


def test_a_mechanism_without_seed_gets_the_frame_only(neighbours):
    d, d1 = neighbours
    seen = []

    def identity(frame):
        seen.append(list(frame.columns))
        return frame

    a = reident.epsilon_audit(identity, d, d1, column="x", trials=4, target_value="1")
    assert seen == [["x"]] * 4
    # The target row (x = 1) is always visible: 5 ones without it, 6 with it.
    assert a.exit_code == 0


def test_bad_mechanisms_raise_with_the_cause(neighbours):
    d, d1 = neighbours
    with pytest.raises(reident.ReidentValueError, match=r"Python mechanism `.*<lambda>`: TypeError: returned int"):
        reident.epsilon_audit(lambda frame: 3, d, d1, column="x", trials=4)
    with pytest.raises(reident.ReidentValueError, match="ZeroDivisionError"):
        reident.epsilon_audit(lambda frame: 1 / 0, d, d1, column="x", trials=4)
    with pytest.raises(TypeError, match="callable"):
        reident.epsilon_audit("laplace", d, d1, column="x")
    with pytest.raises(reident.ReidentValueError, match="not neighbours"):
        reident.epsilon_audit(lambda f: f, d, d, column="x", trials=4)
