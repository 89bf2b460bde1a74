"""privacy_metrics: equal to `reident metrics --format json` on the same input,
from a path and from pandas, polars and pyarrow tables."""

import json

import pytest

import reident

# A generalized release: intervals, masks, a fully suppressed row, a `?` and an
# empty value (both missing by default).
GENERALIZED = """age,zip,sex,disease
[41-70],123**,M,flu
[41-70],123**,M,cancer
[41-70],123**,M,flu
[20-40],124**,F,?
[20-40],124**,F,flu
*,*,*,flu
[20-40],124**,,ulcer
"""

QI = ["age", "zip", "sex"]


@pytest.fixture()
def generalized(tmp_path):
    path = tmp_path / "release.csv"
    path.write_text(GENERALIZED)
    return path


def test_path_equals_cli(cli, generalized):
    text, expected, code = cli.json(
        "metrics", "--data", generalized, "--qi", "age,zip,sex", "--sensitive", "disease", "--format", "json"
    )
    m = reident.privacy_metrics(generalized, quasi_identifiers=QI, sensitive=["disease"])
    assert m.to_dict() == expected
    assert m.to_json().rstrip("\n") == text.rstrip("\n")
    assert m.exit_code == code == 0
    # Hand-computed: the suppressed row is excluded; classes
    # ([41-70],123**,M) x3, ([20-40],124**,F) x2, ([20-40],124**,missing) x1.
    assert (m.k, m.n_classes, m.n_rows) == (1, 3, 7)
    assert expected["n_suppressed_rows"] == 1


def test_options_equal_cli(cli, root):
    data = root / "tests/fixtures/pycanon/adult_generalized.csv.gz"
    args = [
        "metrics", "--data", data, "--qi", "age,education,marital-status", "--sensitive", "salary-class",
        "--delimiter", ";", "--target-k", "5", "--suppressed", "one-class", "--sampling-fraction", "0.1",
        "--no-hidden-qi", "--risk-threshold", "0.5", "--format", "json",
    ]
    _, expected, _ = cli.json(*args)
    m = reident.privacy_metrics(
        data, quasi_identifiers=["age", "education", "marital-status"], sensitive=["salary-class"],
        delimiter=";", target_k=5, suppressed="one-class", sampling_fraction=0.1, hidden_qi=False,
        risk_threshold=0.5,
    )
    assert m.to_dict() == expected
    hist = m.class_sizes()
    rows = hist.to_dict("records") if hasattr(hist, "to_dict") else hist
    assert rows == expected["class_size_histogram"]
    # The per-class table agrees with the JSON's histogram and totals.
    classes = m.classes()
    sizes = [int(x) for x in classes["size"]]
    assert len(sizes) == expected["n_classes"]
    assert sum(sizes) == expected["n_rows_in_classes"]
    assert min(sizes) == expected["k"]


def _expected_for_frame(cli, path, *flags):
    text, _, _ = cli.json("metrics", "--data", path, *flags, "--format", "json")
    return json.loads(text.replace(str(path), "<DataFrame release>"))


def test_pandas_polars_pyarrow_equal_path(cli, generalized):
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    expected = _expected_for_frame(cli, generalized, "--qi", "age,zip,sex", "--sensitive", "disease")
    frames = {
        "pandas str": pd.read_csv(generalized, dtype=str, keep_default_na=False),
        "pandas default (NaN for empty)": pd.read_csv(generalized),
        "polars": pl.read_csv(generalized, infer_schema=False),
        "pyarrow": pa.Table.from_pandas(pd.read_csv(generalized, dtype=str), preserve_index=False),
    }
    for name, frame in frames.items():
        m = reident.privacy_metrics(frame, quasi_identifiers=QI, sensitive=["disease"])
        assert m.to_dict() == expected, name


def test_typed_columns_read_as_the_cli_reads_them(cli, root):
    """pandas infers `age` as int64; cast to text it is the CSV's text again."""
    pd = pytest.importorskip("pandas")
    data = root / "tests/fixtures/linkage/adult400_release.csv"
    frame = pd.read_csv(data)
    assert str(frame["age"].dtype) == "int64"
    expected = _expected_for_frame(cli, data, "--qi", "sex,age,race", "--sensitive", "salary-class")
    m = reident.privacy_metrics(frame, quasi_identifiers=["sex", "age", "race"], sensitive=["salary-class"])
    assert m.to_dict() == expected


def _records(table):
    return table.to_dict("records") if hasattr(table, "to_dict") else table


def test_classes_hand_computed(generalized):
    m = reident.privacy_metrics(generalized, quasi_identifiers=QI, sensitive=["disease"])
    assert _records(m.classes()) == [
        {"age": "[41-70]", "zip": "123**", "sex": "M", "size": 3},
        {"age": "[20-40]", "zip": "124**", "sex": "F", "size": 2},
        {"age": "[20-40]", "zip": "124**", "sex": "?", "size": 1},
    ]


def test_classes_from_polars_equal_path(generalized):
    pl = pytest.importorskip("polars")
    from_path = reident.privacy_metrics(generalized, quasi_identifiers=QI)
    from_frame = reident.privacy_metrics(pl.read_csv(generalized, infer_schema=False), quasi_identifiers=QI)
    assert _records(from_frame.classes()) == _records(from_path.classes())


def test_repr_html_names_k(generalized):
    m = reident.privacy_metrics(generalized, quasi_identifiers=QI)
    html = m._repr_html_()
    assert "<th style='text-align:left'>k</th><td style='text-align:left'>1</td>" in html
