"""Errors: the documented exception classes, with the CLI's message."""

import pytest

import reident


def test_missing_file_is_file_not_found(cli, tmp_path):
    missing = tmp_path / "nope.csv"
    expected = cli.error("metrics", "--data", missing, "--qi", "age", "--format", "json")
    with pytest.raises(reident.ReidentFileNotFoundError) as err:
        reident.privacy_metrics(missing, quasi_identifiers=["age"])
    assert isinstance(err.value, FileNotFoundError)
    assert isinstance(err.value, reident.ReidentError)
    assert str(err.value) == expected
    assert str(missing) in str(err.value)


def test_missing_column_is_value_error(cli, root):
    data = root / "tests/fixtures/linkage/adult400_release.csv"
    expected = cli.error("metrics", "--data", data, "--qi", "sex,agee", "--format", "json")
    with pytest.raises(reident.ReidentValueError) as err:
        reident.privacy_metrics(data, quasi_identifiers=["sex", "agee"])
    assert isinstance(err.value, ValueError)
    assert str(err.value) == expected
    assert "agee" in str(err.value) and str(data) in str(err.value)


def test_missing_column_in_dataframe_names_the_argument(root):
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(root / "tests/fixtures/linkage/adult400_release.csv")
    with pytest.raises(reident.ReidentValueError) as err:
        reident.privacy_metrics(frame, quasi_identifiers=["sex", "agee"])
    message = str(err.value)
    assert "agee" in message and "<DataFrame release>" in message
    assert "reident-" not in message  # the temporary file's path is not shown


def test_bad_flag_value_is_value_error_with_clap_message(root):
    data = root / "tests/fixtures/linkage/adult400_release.csv"
    with pytest.raises(reident.ReidentValueError) as err:
        reident.privacy_metrics(data, quasi_identifiers=["sex"], risk_threshold=1.5)
    assert "--risk-threshold" in str(err.value) and "is not in [0, 1]" in str(err.value)


def test_release_given_as_its_own_original(cli, root):
    data = root / "tests/fixtures/linkage/adult400_release.csv"
    expected = cli.error("link", "--original", data, "--release", data, "--qi", "sex")
    with pytest.raises(reident.ReidentValueError) as err:
        reident.link(data, data, quasi_identifiers=["sex"])
    assert str(err.value) == expected


def test_not_a_table():
    with pytest.raises(TypeError, match="release: expected a file path or a table"):
        reident.privacy_metrics(42, quasi_identifiers=["age"])


def test_missing_audit_config(cli, tmp_path):
    missing = tmp_path / "absent.toml"
    expected = cli.error("audit", "--config", missing, "--out", tmp_path / "out")
    with pytest.raises(reident.ReidentFileNotFoundError) as err:
        reident.audit(missing, out=tmp_path / "out")
    assert str(err.value) == expected
