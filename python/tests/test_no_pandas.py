"""With only paths, nothing needs pandas, polars or pyarrow: tables come back
as lists of dicts when pandas cannot be imported."""

import sys

import reident


def test_paths_work_without_pandas(monkeypatch, root):
    # `import pandas` raises ImportError while sys.modules maps it to None.
    monkeypatch.setitem(sys.modules, "pandas", None)
    data = root / "tests/fixtures/linkage/adult400_release.csv"
    m = reident.privacy_metrics(data, quasi_identifiers=["sex", "race"], hidden_qi=False)
    classes = m.classes()
    assert isinstance(classes, list)
    assert sum(c["size"] for c in classes) == m.to_dict()["n_rows_in_classes"] == 400
    # 2 sexes x 5 races in the 400 rows: every combination present is a class.
    assert len(classes) == m.n_classes
    assert {tuple(sorted(c)) for c in classes} == {("race", "sex", "size")}
    assert isinstance(m.class_sizes(), list)
