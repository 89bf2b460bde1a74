"""Progress: the command's own bar reaches Python; the text fallback; progress=False."""

import reident
from reident import _reident


def test_the_command_bar_reaches_the_callback(tmp_path):
    d, d1 = tmp_path / "d.csv", tmp_path / "d1.csv"
    d.write_text("x\n0\n1\n0\n1\n")
    d1.write_text("x\n0\n1\n0\n1\n1\n")
    seen = []
    code, out, error = _reident.run_cli(
        ["epsilon", "audit", "--mechanism", "laplace", "--mechanism-epsilon", "1", "--without", str(d),
         "--with", str(d1), "--column", "x", "--trials", "3000"],
        lambda *state: seen.append(state),
    )
    assert error is None and code == 0
    # At least the final state is reported (more on a slow run), in order.
    assert seen and all(s[0] == "trials" and s[2] == 3000 for s in seen)
    positions = [s[1] for s in seen]
    assert positions == sorted(positions) and positions[-1] == 3000


def test_text_fallback_and_quiet_calls(tmp_path, capsys):
    bar = reident._Progress()
    bar._tqdm = None  # as without tqdm installed
    bar._start -= 1.0  # past the half second before anything is drawn
    bar("trials", 5, 10, "")
    bar("trials", 6, 10, "")  # within a second of the last line: not drawn
    bar("audit steps", 2, None, "users: privacy metrics")  # a new bar: drawn at once
    bar("audit steps", 3, None, "")
    bar.close()
    err = capsys.readouterr().err
    assert err == "\r5/10 trials\r2 audit steps users: privacy metrics\n"
    # A call shorter than half a second draws nothing; progress=False never does.
    d = tmp_path / "d.csv"
    d.write_text("x\n0\n1\n")
    reident.run_cli(["metrics", "--data", d, "--qi", "x", "--format", "json"], progress=False)
    assert capsys.readouterr().err == ""
