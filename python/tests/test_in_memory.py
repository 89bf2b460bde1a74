"""DataFrames reach the library in memory: no file is written for them, the
results equal the CLI's on the same file, and the input guards still apply
(the same table given as release and original is refused)."""

import tempfile

import pytest

import reident
from reident import _reident


@pytest.fixture()
def no_files(monkeypatch):
    """Fails any attempt to stage a table on disk."""

    def refuse(*args, **kwargs):
        raise AssertionError("a DataFrame input was written to a file")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    monkeypatch.setattr(_reident, "arrow_to_parquet", refuse)


def test_link_from_polars_frames_writes_no_file_and_equals_the_cli(cli, root, no_files):
    pl = pytest.importorskip("polars")
    d = root / "tests/fixtures/linkage"
    o, r = d / "adult400_original.csv", d / "adult400_release.csv"
    _, expected, _ = cli.json("link", "--original", o, "--release", r, "--qi", "sex,age,race", "--truth", "rec_id")
    res = reident.link(
        pl.read_csv(o, infer_schema=False), pl.read_csv(r, infer_schema=False),
        quasi_identifiers=["sex", "age", "race"], truth="rec_id",
    )
    got = res.to_dict()
    # The inputs are named after the arguments, not after a file.
    for key in ("original", "release"):
        if key in expected:
            assert got[key] == f"<DataFrame {key}>", got[key]
            expected[key] = got[key]
    assert got == expected
    # Hand-checkable: every one of the 400 release rows is scored.
    assert got["n_release"] == 400


def test_the_same_frame_as_release_and_original_is_refused(root, no_files):
    pl = pytest.importorskip("polars")
    r = pl.read_csv(root / "tests/fixtures/linkage/adult400_release.csv", infer_schema=False)
    with pytest.raises(ValueError, match="identical contents"):
        reident.link(r, r.clone(), quasi_identifiers=["sex", "age", "race"], truth="rec_id")


def test_registered_tables_are_named_and_sized(root):
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame({"a": ["x", "y", None], "b": [1, 2, 3]})
    table = _reident.register_table(frame, "my frame")
    assert table.name.startswith("mem://") and table.name.endswith("/my_frame")
    assert table.rows == 3
