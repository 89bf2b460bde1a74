"""reident: does this "anonymized" release still leak its sources?

The Python face of the ``reident`` Rust library. Each function runs the
library entry point of one ``reident`` command in process (the GIL is released
while it runs), so the numbers, the JSON and the error messages are exactly
the command line's:

* :func:`privacy_metrics` -- ``reident metrics`` (k, l, t, beta, delta, risks);
* :func:`link` -- ``reident link`` (QI join or Fellegi-Sunter linkage);
* :func:`risks` -- ``reident risk`` (Anonymeter-style singling out,
  linkability, attribute inference);
* :func:`unicity` -- ``reident unicity`` (trace unicity);
* :func:`epsilon_estimate` -- ``reident epsilon estimate`` (epsilon from pairs);
* :func:`epsilon_bound` -- ``reident epsilon bound`` (epsilon from attack scores);
* :func:`stylometry` -- ``reident stylometry`` (authorship attribution);
* :func:`verify` -- ``reident verify`` (PAN-style pairwise authorship
  verification);
* :func:`pseudonyms` -- ``reident pseudonyms`` (the joint pseudonym attack:
  every signal fused into one assignment of pseudonyms to people);
* :func:`text_leakage` -- ``reident text`` (document linkage, identifier scan);
* :func:`audit` -- ``reident audit`` (claims from a TOML config, report);
* :func:`epsilon_audit` -- ``reident epsilon audit`` with a Python callable
  as the mechanism (black-box epsilon audit).

Tables are given as file paths (CSV, Parquet, NDJSON, optionally gzipped,
read exactly as the CLI reads them) or as pandas, polars or pyarrow tables
(anything with ``__arrow_c_stream__``, the Arrow PyCapsule interface). A table
is imported through the Arrow C stream on the Rust side, every column is cast
to text as the CLI casts Parquet columns, and the command reads it: generalized
values (``[41-70]``, ``123**``, ``*``) stay text, nulls are missing values, and a
float column prints as the float does (``39.0``), so read CSV files with
``dtype=str`` when they hold whole numbers and missing values.

While a command runs the GIL is released. Ctrl-C (a Jupyter kernel
interrupt) cancels the run: the library stops at its next cancellation point
(a trial, a fold, an attack, a linkage stage, an audit step; usually well
under a second), frees its threads, and :class:`KeyboardInterrupt` is raised.
Work with no cancellation point inside (reading a large file, one long text
attack stage) is waited for at most 20 seconds before the exception is
raised anyway. Long calls show a progress bar (``tqdm.auto`` when tqdm is
installed, so a widget in Jupyter; else a plain text line on stderr);
``progress=False`` turns it off for one call, :func:`set_progress` for all.

Errors raise :class:`ReidentError`; bad arguments or data raise
:class:`ReidentValueError` (also a :class:`ValueError`), a missing input
:class:`ReidentFileNotFoundError` (also a :class:`FileNotFoundError`), each
with the CLI's message.

Example::

    >>> import reident
    >>> m = reident.privacy_metrics("datasets/adult/adult.csv",
    ...                             quasi_identifiers=["age", "sex", "race"],
    ...                             sensitive=["occupation"], delimiter=";")
    >>> m.k
    1
"""

from __future__ import annotations

import contextvars
import copy
import functools
import html
import inspect
import json
import os
import shutil
import sys
import tempfile
import time
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _reident

__all__ = [
    "ReidentError",
    "ReidentValueError",
    "ReidentFileNotFoundError",
    "privacy_metrics",
    "PrivacyMetrics",
    "link",
    "Linkage",
    "risks",
    "Risks",
    "audit",
    "AuditReport",
    "unicity",
    "Unicity",
    "epsilon_estimate",
    "EpsilonEstimate",
    "stylometry",
    "Stylometry",
    "verify",
    "Verification",
    "pseudonyms",
    "PseudonymLinkage",
    "text_leakage",
    "epsilon_bound",
    "epsilon_audit",
    "EpsilonAudit",
    "set_progress",
    "run_cli",
]

__version__: str = _reident.__version__


class ReidentError(Exception):
    """Base class of every error reident raises; the message is the CLI's."""


class ReidentValueError(ReidentError, ValueError):
    """Bad arguments or bad input data (a missing column, a malformed value)."""


class ReidentFileNotFoundError(ReidentError, FileNotFoundError):
    """An input file does not exist."""


_ERRORS = {
    "not_found": ReidentFileNotFoundError,
    "value": ReidentValueError,
    "error": ReidentError,
}


class _Inputs:
    """Turns each table argument into a path the command can read.

    Paths pass through. A table with ``__arrow_c_stream__`` is imported through
    the Arrow C stream (no copy of its buffers), its columns cast to text as
    the CLI's readers do, and registered in the library's in-memory table
    registry for the duration of the call: the command reads it under a
    ``mem://`` name, and no file is written. With ``files=True`` (inputs a
    separate process may read) it is written to a Parquet file in a temporary
    folder removed on exit instead. Either way its name is replaced by
    ``<DataFrame NAME>`` in results and messages.
    """

    def __init__(self, files: bool = False) -> None:
        self._dir: Optional[str] = None
        self._files = files
        self._tables: List[Any] = []
        self.labels: Dict[str, str] = {}

    def __enter__(self) -> "_Inputs":
        return self

    def __exit__(self, *exc: object) -> None:
        self._tables.clear()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)

    def path(self, value: Any, name: str) -> str:
        if isinstance(value, (str, os.PathLike)):
            return os.fspath(value)
        if hasattr(value, "__arrow_c_stream__"):
            label = f"<DataFrame {name}>"
            if not self._files:
                table = _reident.register_table(value, name)
                self._tables.append(table)
                self.labels[table.name] = label
                return table.name
            if self._dir is None:
                self._dir = tempfile.mkdtemp(prefix="reident-")
            path = os.path.join(self._dir, f"{name}.parquet")
            _reident.arrow_to_parquet(value, path, label)
            self.labels[path] = label
            return path
        raise TypeError(
            f"{name}: expected a file path or a table with __arrow_c_stream__ "
            f"(pandas, polars, pyarrow), got {type(value).__name__}"
        )

    def relabel(self, text: str) -> str:
        for path, label in self.labels.items():
            text = text.replace(path, label)
        return text


_PROGRESS_DEFAULT = [True]
_PROGRESS: "contextvars.ContextVar[Optional[bool]]" = contextvars.ContextVar("reident_progress", default=None)


def set_progress(enabled: bool) -> None:
    """Turns the progress bar of every later call on or off (default: on).

    Example::

        >>> reident.set_progress(False)   # quiet notebook
    """
    _PROGRESS_DEFAULT[0] = bool(enabled)


class _Progress:
    """Draws the progress the library reports: a ``tqdm.auto`` bar (a widget
    in Jupyter) when tqdm is installed, else a text line on stderr at most
    once a second. Nothing is drawn for calls shorter than half a second."""

    def __init__(self) -> None:
        self._start = time.monotonic()
        self._bar: Any = None
        self._what: Optional[str] = None
        self._last_text = 0.0
        self._text_shown = False
        self._width = 0
        try:
            from tqdm.auto import tqdm
        except ImportError:
            tqdm = None
        self._tqdm = tqdm

    def __call__(self, what: str, position: int, length: Optional[int], message: str) -> None:
        if time.monotonic() - self._start < 0.5:
            return
        if self._tqdm is not None:
            if self._bar is None or what != self._what:
                self.close()
                self._bar = self._tqdm(total=length, desc=what)
                self._what = what
            self._bar.n = position
            if message:
                self._bar.set_postfix_str(message, refresh=False)
            self._bar.refresh()
            return
        now = time.monotonic()
        if now - self._last_text < 1.0 and position != length and what == self._what:
            return
        self._last_text, self._what = now, what
        total = f"/{length}" if length is not None else ""
        suffix = f" {message}" if message else ""
        line = f"{position}{total} {what}{suffix}"
        # Spaces wipe what is left of a longer previous line.
        print("\r" + line.ljust(self._width), end="", file=sys.stderr, flush=True)
        self._width = len(line)
        self._text_shown = True

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        if self._text_shown:
            print(file=sys.stderr, flush=True)
            self._text_shown = False


def _progress_wanted() -> bool:
    chosen = _PROGRESS.get()
    return _PROGRESS_DEFAULT[0] if chosen is None else chosen


def _with_progress(fn: Any) -> Any:
    """Adds the ``progress`` keyword (``True``/``False``; default: the value
    of :func:`set_progress`) to a public function."""

    @functools.wraps(fn)
    def wrapper(*args: Any, progress: Optional[bool] = None, **kwargs: Any) -> Any:
        token = _PROGRESS.set(progress)
        try:
            return fn(*args, **kwargs)
        finally:
            _PROGRESS.reset(token)

    return wrapper


def _call(native: Any, *args: Any) -> Tuple[int, str, Any]:
    """Calls a native command function with the progress bar when wanted."""
    if not _progress_wanted():
        return native(*args, None)
    bar = _Progress()
    try:
        return native(*args, bar)
    finally:
        bar.close()


def _raise_or_return(result: Tuple[int, str, Any], inputs: Optional[_Inputs]) -> Tuple[int, str]:
    code, out, error = result
    if error is not None:
        kind, message = error
        if inputs is not None:
            message = inputs.relabel(message)
        raise _ERRORS.get(kind, ReidentError)(message)
    if inputs is not None:
        out = inputs.relabel(out)
    return code, out


def run_cli(args: Sequence[str], inputs: Optional[_Inputs] = None, progress: Optional[bool] = None) -> Tuple[int, str]:
    """Runs ``reident ARGS...`` in process; returns ``(exit_code, stdout)``.

    The lowest level of the package: every function here is built on it.
    Raises :class:`ReidentError` (or a subclass) with the CLI's message when
    the command fails (exit code 2). ``progress`` as in every function (see
    :func:`set_progress`).

    Example::

        >>> code, out = reident.run_cli(["metrics", "--demo", "--format", "json"])
    """
    token = _PROGRESS.set(progress) if progress is not None else None
    try:
        return _raise_or_return(_call(_reident.run_cli, [str(a) for a in args]), inputs)
    finally:
        if token is not None:
            _PROGRESS.reset(token)


def _csv(values: Iterable[str]) -> str:
    return ",".join(values)


def _common(args: List[str], delimiter: Optional[str], missing: Optional[Sequence[str]]) -> None:
    if delimiter is not None:
        args += ["--delimiter", delimiter]
    if missing is not None:
        args += ["--missing", _csv(missing)]


def _hierarchies(args: List[str], hierarchies: Optional[Mapping[str, Union[str, "os.PathLike[str]"]]]) -> None:
    for column, path in (hierarchies or {}).items():
        args += ["--hierarchy", f"{column}={os.fspath(path)}"]


def _kinds(args: List[str], kinds: Optional[Mapping[str, str]]) -> None:
    for column, kind in (kinds or {}).items():
        args += ["--kind", f"{column}={kind}"]


def _frame(rows: List[Dict[str, Any]], columns: Optional[List[str]] = None) -> Any:
    """A pandas DataFrame of ``rows`` when pandas is importable, else the list."""
    try:
        import pandas as pd
    except ImportError:
        return rows
    return pd.DataFrame(rows, columns=columns)


def _table_html(title: str, rows: Sequence[Tuple[str, Any]]) -> str:
    body = "".join(
        f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
        f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>"
        for k, v in rows
    )
    return f"<div><strong>{html.escape(title)}</strong><table>{body}</table></div>"


def _fmt(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:.4f}"
    return "n/a" if x is None else str(x)


class _Result:
    """A command's JSON result: ``to_dict()``, ``to_json()`` and item access."""

    def __init__(self, data: Dict[str, Any], text: str, exit_code: int) -> None:
        self._data = data
        self._text = text
        #: The exit code the CLI gives the same call (0, 1 refuted, 3 inconclusive).
        self.exit_code = exit_code

    def to_dict(self) -> Dict[str, Any]:
        """The command's JSON output as a dict (a deep copy)."""
        return copy.deepcopy(self._data)

    def to_json(self) -> str:
        """The command's JSON output, as the CLI prints it."""
        return self._text

    def __getitem__(self, key: str) -> Any:
        return self._data[key]


class PrivacyMetrics(_Result):
    """Release-only privacy metrics (the JSON of ``reident metrics``).

    ``to_dict()`` is that JSON object; ``k``, ``n_classes`` and ``n_rows`` are
    shortcuts; ``classes()`` is the per-class table, ``class_sizes()`` the
    class-size histogram, ``sensitive()`` one row per sensitive attribute.
    """

    def __init__(
        self, data: Dict[str, Any], text: str, exit_code: int, source: Tuple[Any, ...] = (None, (), None, None, False)
    ) -> None:
        super().__init__(data, text, exit_code)
        self._source = source
        #: k of k-anonymity (the smallest equivalence class).
        self.k: int = data["k"]
        #: Number of equivalence classes.
        self.n_classes: int = data["n_classes"]
        #: Rows of the release.
        self.n_rows: int = data["n_rows"]

    def classes(self) -> Any:
        """One row per equivalence class: its quasi-identifier values (the
        missing-value label where one is missing) and ``size`` (rows), in the
        library's class order, as a pandas DataFrame (a list of dicts without
        pandas). Rows with every quasi-identifier suppressed are left out
        unless ``suppressed="one-class"``.

        Example::

            >>> m.classes().sort_values("size").head()
        """
        release, qis, delimiter, missing, one_class = self._source
        with _Inputs() as inputs:
            path = inputs.path(release, "release")
            result, error = _reident.equivalence_classes(path, list(qis), delimiter, missing, one_class)
            if error is not None:
                kind, message = error
                raise _ERRORS.get(kind, ReidentError)(inputs.relabel(message))
        rows = [dict(zip(qis, values), size=size) for values, size in result or []]
        return _frame(rows, columns=[*qis, "size"])

    def class_sizes(self) -> Any:
        """The class-size histogram of the JSON (``class_size_histogram``) as
        a DataFrame (a list of dicts without pandas)."""
        return _frame([dict(b) for b in self._data["class_size_histogram"]])

    def sensitive(self) -> Any:
        """One row per sensitive attribute: distinct l, alpha, t (equal
        distance), delta disclosure ... as a DataFrame (list without pandas)."""
        rows = []
        for s in self._data["sensitive"]:
            rows.append(
                {
                    "attribute": s["attribute"],
                    "n_distinct_values": s["n_distinct_values"],
                    "l_distinct": s["l_distinct"],
                    "alpha": s["alpha"],
                    "t_equal_distance": s["t_equal_distance"],
                    "enhanced_beta": s["enhanced_beta"],
                }
            )
        return _frame(rows)

    def _repr_html_(self) -> str:
        d = self._data
        rows: List[Tuple[str, Any]] = [
            ("source", d["inputs"]["source"]),
            ("quasi-identifiers", ", ".join(d["inputs"]["quasi_identifiers"])),
            ("rows", d["n_rows"]),
            ("equivalence classes", d["n_classes"]),
            ("k", d["k"]),
            ("unique classes", d["n_unique_classes"]),
        ]
        for s in d["sensitive"]:
            rows.append((f"distinct l ({s['attribute']})", s["l_distinct"]))
        return _table_html("reident privacy metrics", rows)

    def __repr__(self) -> str:
        return f"PrivacyMetrics(k={self.k}, n_classes={self.n_classes}, n_rows={self.n_rows})"


@_with_progress
def privacy_metrics(
    release: Any,
    quasi_identifiers: Sequence[str],
    sensitive: Sequence[str] = (),
    *,
    numeric: Sequence[str] = (),
    hierarchies: Optional[Mapping[str, Union[str, "os.PathLike[str]"]]] = None,
    target_k: int = 2,
    suppressed: str = "exclude",
    missing: Optional[Sequence[str]] = None,
    delimiter: Optional[str] = None,
    risk_threshold: float = 0.2,
    sampling_fraction: Optional[float] = None,
    population: Any = None,
    subject: Optional[str] = None,
    hidden_qi: bool = True,
    near_unique: float = 0.9,
    min_lambda: float = 0.95,
) -> PrivacyMetrics:
    """Privacy metrics of a release: ``reident metrics --format json``.

    ``release`` (and ``population``) is a path or a pandas/polars/pyarrow
    table. The other arguments are the command's flags (``hidden_qi=False``
    is ``--no-hidden-qi``; ``hierarchies`` maps a sensitive column to an ARX
    hierarchy file; ``missing`` lists the tokens that mean missing).

    Example::

        >>> m = reident.privacy_metrics("datasets/adult/adult.csv",
        ...     quasi_identifiers=["age", "sex"], sensitive=["occupation"], delimiter=";")
        >>> m.to_dict()["sensitive"][0]["l_distinct"]
    """
    with _Inputs() as inputs:
        args = ["metrics", "--data", inputs.path(release, "release")]
        args += ["--qi", _csv(quasi_identifiers)]
        if sensitive:
            args += ["--sensitive", _csv(sensitive)]
        if numeric:
            args += ["--numeric", _csv(numeric)]
        _hierarchies(args, hierarchies)
        args += ["--target-k", str(target_k), "--suppressed", suppressed]
        args += ["--risk-threshold", repr(float(risk_threshold))]
        if sampling_fraction is not None:
            args += ["--sampling-fraction", repr(float(sampling_fraction))]
        if population is not None:
            args += ["--population", inputs.path(population, "population")]
        if subject is not None:
            args += ["--subject", subject]
        if not hidden_qi:
            args.append("--no-hidden-qi")
        args += ["--near-unique", repr(float(near_unique)), "--min-lambda", repr(float(min_lambda))]
        _common(args, delimiter, missing)
        args += ["--format", "json"]
        code, out = run_cli(args, inputs)
    source = (release, tuple(quasi_identifiers), delimiter, list(missing) if missing is not None else None,
              suppressed == "one-class")
    return PrivacyMetrics(json.loads(out), out, code, source)


class Linkage(_Result):
    """The result of a linkage attack (the JSON of ``reident link``).

    ``links()``: the links as a DataFrame (Fellegi-Sunter: the explained
    links with their match weight; QI join: one row per release row when
    ``rows=True``). ``scores``: precision, recall, rates (Fellegi-Sunter) or
    the QI join's counts. ``m_u()``: m and u per comparison level.
    """

    @property
    def method(self) -> str:
        """``"qi_join"`` or ``"fellegi_sunter"``."""
        return "qi_join" if "quasi_identifiers" in self._data else "fellegi_sunter"

    def links(self) -> Any:
        """The links as a DataFrame (a list of dicts without pandas)."""
        if self.method == "qi_join":
            return _frame([dict(r) for r in self._data.get("rows", [])])
        rows = []
        for link in self._data["explained_links"]:
            rows.append({k: v for k, v in link.items() if k != "contributions"})
        return _frame(rows)

    @property
    def scores(self) -> Dict[str, Any]:
        """Scores against the truth key (Fellegi-Sunter) or the QI join's
        re-identification counts, as a dict."""
        if self.method == "fellegi_sunter":
            return copy.deepcopy(self._data.get("scores") or {})
        skip = {"rows", "candidate_size_histogram", "column_kinds", "unmatched_by_column", "quasi_identifiers"}
        return {k: copy.deepcopy(v) for k, v in self._data.items() if k not in skip}

    def m_u(self) -> Any:
        """Fellegi-Sunter m and u per comparison and level as a DataFrame."""
        if self.method != "fellegi_sunter":
            raise ReidentValueError("m and u exist for Fellegi-Sunter linkage only (give fields=..., not quasi_identifiers=...)")
        rows = []
        for c in self._data["model"]["comparisons"]:
            for level in c["levels"]:
                rows.append({"column": c["left_column"], "release_column": c["right_column"], **level})
        return _frame(rows)

    def _repr_html_(self) -> str:
        s = self.scores
        rows = [(k, _fmt(v)) for k, v in s.items() if not isinstance(v, (list, dict))]
        return _table_html(f"reident linkage ({self.method.replace('_', ' ')})", rows)

    def __repr__(self) -> str:
        return f"Linkage(method={self.method!r})"


@_with_progress
def link(
    original: Any,
    release: Any,
    *,
    quasi_identifiers: Sequence[str] = (),
    fields: Optional[str] = None,
    block: Optional[str] = None,
    train_block: Optional[str] = None,
    truth: Optional[str] = None,
    truth_map: Optional[Union[str, "os.PathLike[str]"]] = None,
    lambda_: Optional[float] = None,
    deterministic: Optional[str] = None,
    recall: float = 1.0,
    threshold: float = 0.0,
    assignment: str = "hungarian",
    max_pairs: int = 50_000_000,
    u_pairs: int = 1_000_000,
    seed: int = 42,
    hierarchies: Optional[Mapping[str, Union[str, "os.PathLike[str]"]]] = None,
    kinds: Optional[Mapping[str, str]] = None,
    explain: int = 100,
    rows: bool = False,
    max_rate: Optional[float] = None,
    delimiter: Optional[str] = None,
) -> Linkage:
    """Record linkage of a release to its originals: ``reident link``.

    With ``quasi_identifiers`` it runs the QI-join attack (generalization
    aware); with ``fields`` (the CLI's ``--fields`` syntax, e.g.
    ``"age:num(1,5);sex:exact"``) Fellegi-Sunter with EM-estimated m/u.
    ``lambda_`` is ``--lambda``; ``max_rate`` checks "at most R re-identified"
    and sets ``exit_code`` as the CLI does.

    Example::

        >>> r = reident.link("orig.csv", "release.csv", quasi_identifiers=["sex", "age"], truth="id")
        >>> r.scores["actual_reidentifications"]
    """
    with _Inputs() as inputs:
        args = ["link", "--original", inputs.path(original, "original"), "--release", inputs.path(release, "release")]
        if quasi_identifiers:
            args += ["--qi", _csv(quasi_identifiers)]
        for flag, value in (
            ("--fields", fields),
            ("--block", block),
            ("--train-block", train_block),
            ("--truth", truth),
            ("--deterministic", deterministic),
        ):
            if value is not None:
                args += [flag, value]
        if truth_map is not None:
            args += ["--truth-map", os.fspath(truth_map)]
        if lambda_ is not None:
            args += ["--lambda", repr(float(lambda_))]
        args += ["--recall", repr(float(recall)), f"--threshold={float(threshold)!r}"]
        args += ["--assignment", assignment, "--max-pairs", str(max_pairs), "--u-pairs", str(u_pairs)]
        args += ["--seed", str(seed), "--explain", str(explain)]
        _hierarchies(args, hierarchies)
        _kinds(args, kinds)
        if rows:
            args.append("--rows")
        if max_rate is not None:
            args += ["--max-rate", repr(float(max_rate))]
        _common(args, delimiter, None)
        code, out = run_cli(args, inputs)
    return Linkage(json.loads(out), out, code)


class Risks(_Result):
    """Anonymeter-style risks (the JSON of ``reident risk``).

    ``table()``: one row per evaluation (singling out, linkability, each
    inferred secret) with its risk and interval, as a DataFrame.
    """

    def table(self) -> Any:
        """One row per evaluation: ``evaluation`` (``singling_out_univariate``,
        ``singling_out_multivariate``, ``linkability``, ``inference:SECRET``),
        ``risk``, ``ci_low``, ``ci_high``, the attack, control and baseline
        rates (a DataFrame; a list of dicts without pandas)."""
        entries: List[Tuple[str, Dict[str, Any]]] = []
        for key in ("singling_out_univariate", "singling_out_multivariate", "linkability"):
            if self._data.get(key):
                entries.append((key, self._data[key]))
        for item in self._data.get("inference") or []:
            entries.append((f"inference:{item['secret']}", item))
        rows = []
        for name, entry in entries:
            e = entry["estimate"]
            rows.append(
                {
                    "evaluation": name,
                    "risk": e["risk"],
                    "ci_low": e["ci"][0],
                    "ci_high": e["ci"][1],
                    "attack_rate": e["attack"]["rate"],
                    "control_rate": e["control"]["rate"],
                    "baseline_rate": e["baseline"]["rate"],
                    "n_attacks": e["attack"]["n_attacks"],
                }
            )
        return _frame(rows)

    def _repr_html_(self) -> str:
        t = self.table()
        records = t.to_dict("records") if hasattr(t, "to_dict") else t
        return _table_html(
            "reident risks (risk [confidence interval])",
            [(r["evaluation"], f"{r['risk']:.4f} [{r['ci_low']:.4f}, {r['ci_high']:.4f}]") for r in records],
        )


@_with_progress
def risks(
    original: Any,
    release: Any,
    control: Any,
    *,
    columns: Sequence[str] = (),
    numeric: Optional[Sequence[str]] = None,
    n_attacks: int = 500,
    confidence: float = 0.95,
    seed: int = 0,
    singling_out: bool = True,
    singling_out_columns: int = 3,
    max_attempts: int = 100_000,
    link_a: Sequence[str] = (),
    link_b: Sequence[str] = (),
    n_neighbors: int = 1,
    secret: Sequence[str] = (),
    aux: Sequence[str] = (),
    tolerance: float = 0.05,
    hierarchies: Optional[Mapping[str, Union[str, "os.PathLike[str]"]]] = None,
    kinds: Optional[Mapping[str, str]] = None,
    max_risk: Optional[float] = None,
    missing: Optional[Sequence[str]] = None,
    delimiter: Optional[str] = None,
) -> Risks:
    """Singling out, linkability and attribute inference against a control
    set of held-out originals: ``reident risk``.

    Example::

        >>> r = reident.risks("original.csv", "release.csv", "control.csv",
        ...                   link_a=["age", "sex"], link_b=["education"], secret=["salary-class"])
        >>> r.table()
    """
    with _Inputs() as inputs:
        args = [
            "risk",
            "--original", inputs.path(original, "original"),
            "--release", inputs.path(release, "release"),
            "--control", inputs.path(control, "control"),
        ]
        if columns:
            args += ["--columns", _csv(columns)]
        if numeric is not None:
            args += ["--numeric", _csv(numeric)]
        args += ["--n-attacks", str(n_attacks), "--confidence", repr(float(confidence)), "--seed", str(seed)]
        args += ["--singling-out-columns", str(singling_out_columns), "--max-attempts", str(max_attempts)]
        if not singling_out:
            args.append("--no-singling-out")
        if link_a or link_b:
            args += ["--link-a", _csv(link_a), "--link-b", _csv(link_b)]
        args += ["--n-neighbors", str(n_neighbors), "--tolerance", repr(float(tolerance))]
        if secret:
            args += ["--secret", _csv(secret)]
        if aux:
            args += ["--aux", _csv(aux)]
        _hierarchies(args, hierarchies)
        _kinds(args, kinds)
        if max_risk is not None:
            args += ["--max-risk", repr(float(max_risk))]
        _common(args, delimiter, missing)
        code, out = run_cli(args, inputs)
    return Risks(json.loads(out), out, code)


class Unicity(_Result):
    """Trace unicity (the JSON of ``reident unicity``): ``curve()`` is one row
    per bucket width and number of known points."""

    def curve(self) -> Any:
        """One row per (bucket_seconds, points): users, unique users, unicity,
        mean anonymity set (a DataFrame; a list of dicts without pandas)."""
        rows = []
        for c in self._data["curves"]:
            for point in c["curve"]:
                rows.append({"bucket_seconds": c["spec"]["bucket_seconds"], **point})
        return _frame(rows)

    def _repr_html_(self) -> str:
        t = self.curve()
        records = t.to_dict("records") if hasattr(t, "to_dict") else t
        return _table_html(
            "reident trace unicity",
            [(f"{r['points']} points, {r['bucket_seconds']} s buckets", _fmt(r["unicity"])) for r in records],
        )


@_with_progress
def unicity(
    events: Any,
    *,
    user_column: str = "user",
    timestamp_column: str = "timestamp",
    action_columns: Sequence[str] = ("product", "feature", "action"),
    time_only: bool = False,
    bucket_seconds: Sequence[int] = (3600,),
    points: Sequence[int] = (1, 2, 4, 8),
    seed: int = 0,
    release: Any = None,
    release_user_column: Optional[str] = None,
    truth: Any = None,
    truth_user_column: str = "login",
    truth_pseudonym_column: str = "pseudonym",
    max_unicity: Optional[float] = None,
) -> Unicity:
    """Share of users singled out by ``p`` random points of their trace:
    ``reident unicity``.

    Example::

        >>> u = reident.unicity("datasets/atlassian_demo/original/events.ndjson.gz",
        ...                     action_columns=["product", "feature"], points=[1, 2])
        >>> u.curve()
    """
    with _Inputs() as inputs:
        args = ["unicity", "--events", inputs.path(events, "events")]
        args += ["--user-column", user_column, "--timestamp-column", timestamp_column]
        if time_only:
            args.append("--time-only")
        else:
            args += ["--action-columns", _csv(action_columns)]
        args += ["--bucket-seconds", _csv(map(str, bucket_seconds)), "--points", _csv(map(str, points))]
        args += ["--seed", str(seed)]
        if release is not None:
            args += ["--release", inputs.path(release, "release")]
        if release_user_column is not None:
            args += ["--release-user-column", release_user_column]
        if truth is not None:
            args += ["--truth", inputs.path(truth, "truth")]
        args += ["--truth-user-column", truth_user_column, "--truth-pseudonym-column", truth_pseudonym_column]
        if max_unicity is not None:
            args += ["--max-unicity", repr(float(max_unicity))]
        code, out = run_cli(args, inputs)
    return Unicity(json.loads(out), out, code)


class EpsilonEstimate(_Result):
    """Epsilon implied by the noise between originals and release (the JSON
    of ``reident epsilon estimate``); ``to_dict()`` holds the fits."""


@_with_progress
def epsilon_estimate(
    original: Any,
    release: Any,
    *,
    kind: Optional[str] = None,
    column: Optional[str] = None,
    release_column: Optional[str] = None,
    group_by: Sequence[str] = (),
    sensitivity: Optional[float] = None,
    delta: Optional[float] = None,
    confidence: Optional[float] = None,
    clamp_detection: bool = True,
    rounding_detection: bool = True,
) -> EpsilonEstimate:
    """Estimate epsilon from (original, release) pairs: ``reident epsilon
    estimate`` (numeric noise fit, noisy aggregates by group, or a
    randomized-response channel; ``kind`` is the CLI's ``--kind``).

    Example::

        >>> e = reident.epsilon_estimate("o.csv", "r.csv", column="x", sensitivity=3)
        >>> e["laplace"]["epsilon"]["point"]
    """
    with _Inputs() as inputs:
        args = ["epsilon", "estimate", "--original", inputs.path(original, "original"),
                "--release", inputs.path(release, "release")]
        for flag, value in (("--kind", kind), ("--column", column), ("--release-column", release_column)):
            if value is not None:
                args += [flag, value]
        if group_by:
            args += ["--group-by", _csv(group_by)]
        for flag, number in (("--sensitivity", sensitivity), ("--delta", delta), ("--confidence", confidence)):
            if number is not None:
                args += [flag, repr(float(number))]
        if not clamp_detection:
            args.append("--no-clamp-detection")
        if not rounding_detection:
            args.append("--no-rounding-detection")
        code, out = run_cli(args, inputs)
    return EpsilonEstimate(json.loads(out), out, code)


def _flags(args: List[str], options: Mapping[str, Any]) -> None:
    """Appends ``--flag-name VALUE`` for each option the way the CLI spells it:
    ``snake_case`` becomes ``--kebab-case``, ``True`` a bare flag, ``False``
    and ``None`` nothing, a list or tuple a comma-separated value."""
    for key, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + key.rstrip("_").replace("_", "-")
        if value is True:
            args.append(flag)
        elif isinstance(value, (list, tuple)):
            args.append(f"{flag}={_csv(map(str, value))}")
        else:
            args.append(f"{flag}={value}")


class Stylometry(_Result):
    """Authorship attribution (the JSON of ``reident stylometry``)."""

    def documents(self) -> Any:
        """One row per attributed test document (true author, predicted
        author, ...) as a DataFrame (a list of dicts without pandas); empty
        when the run has no train/test attribution (cross-validation only)."""
        run = self._data.get("attribution") or {}
        rows = [
            {k: v for k, v in d.items() if not isinstance(v, (list, dict))}
            for d in run.get("documents", [])
        ]
        return _frame(rows)


@_with_progress
def stylometry(train: Any, test: Any = None, **options: Any) -> Stylometry:
    """Authorship attribution: ``reident stylometry``.

    ``train`` (and ``test``) are paths or tables with a text and an author
    column. Every other option is the CLI flag of the same name in
    ``snake_case`` (``features="mfw:200"``, ``classifier="cosine"``,
    ``text_column="body"``, ``pseudonym_column="pseudonym"``, ``folds=5``,
    ``sweep_authors=[2, 5, 10]``); ``reident stylometry --help`` lists them.

    Example::

        >>> s = reident.stylometry("train.csv", "test.csv", features="mfw:20", classifier="cosine")
        >>> s.documents()
    """
    with _Inputs() as inputs:
        args = ["stylometry", "--train", inputs.path(train, "train")]
        if test is not None:
            args += ["--test", inputs.path(test, "test")]
        _flags(args, options)
        code, out = run_cli(args, inputs)
    return Stylometry(json.loads(out), out, code)


class Verification(_Result):
    """Pairwise authorship verification (the JSON of ``reident verify``)."""

    def scores(self) -> Dict[str, Any]:
        """The PAN measures of the test pairs (AUC, c@1, F0.5u, F1, Brier,
        overall), as the official PAN evaluator computes them."""
        return dict(self._data.get("scores") or {})


@_with_progress
def verify(train: Any, test: Any = None, **options: Any) -> Verification:
    """Authorship verification in the PAN 2020/2021 format: ``reident verify``.

    ``train`` is a PAN directory (``pairs.jsonl`` + ``truth.jsonl``) or a
    corpus (a path or a table with a text and an author column, from which
    same-author and different-author training pairs are drawn); ``test`` is a
    PAN directory whose pairs are answered and, when it holds
    ``truth.jsonl``, scored with the PAN measures. Every other option is the
    CLI flag of the same name in ``snake_case`` (``method="lambdag"``,
    ``answers="answers.jsonl"``, ``text_column="body"``, ``seed=1``);
    ``reident verify --help`` lists them.

    Example::

        >>> v = reident.verify("datasets/pan_jira/train", "datasets/pan_jira/test", method="pairwise")
        >>> v.scores()["auc"]
    """
    with _Inputs() as inputs:
        args = ["verify", "--train", inputs.path(train, "train")]
        if test is not None:
            args += ["--test", inputs.path(test, "test")]
        _flags(args, options)
        code, out = run_cli(args, inputs)
    return Verification(json.loads(out), out, code)


class PseudonymLinkage(_Result):
    """The joint pseudonym attack (the JSON of ``reident pseudonyms``)."""

    def signals(self) -> Any:
        """One row per attack (the fusion and each signal alone): how many
        pseudonyms it names at the target precision and its correct top-1
        assignments, as a DataFrame (a list of dicts without pandas)."""
        score = self._data.get("scores") or {}
        rows = []
        for entry in [score.get("fused")] + list(score.get("signals") or []):
            if isinstance(entry, dict):
                rows.append({k: v for k, v in entry.items() if not isinstance(v, (list, dict))})
        return _frame(rows)


@_with_progress
def pseudonyms(original: Any, release: Any, *, text: Union[str, Sequence[str]], id: str, **options: Any) -> PseudonymLinkage:
    """The joint pseudonym attack: ``reident pseudonyms``.

    ``original`` and ``release`` are paths or tables of documents (the
    original's author column holds the login, the release's a stable
    pseudonym; document ids are kept, and name the truth). Every signal
    (identifier and unsalted-hash joins, document linkage, rare tokens,
    pooled stylometry, activity profiles) is fused with weights learned on
    the attacker's known writing, and one one-to-one assignment with
    abstention names the pseudonyms. Options are the CLI's flags in
    ``snake_case`` (``author="author"``, ``timestamp="created"``,
    ``group="repo"``, ``identifier_columns=["author_email"]``,
    ``users="users.ndjson"``, ``max_rate=0.05``, ``seed=42``).

    Example::

        >>> p = reident.pseudonyms("orig/commits.ndjson.gz", "rel/commits.ndjson.gz", text="message",
        ...                        id="commit_hash", identifier_columns=["author_email"])
        >>> p.signals()
    """
    with _Inputs() as inputs:
        texts = [text] if isinstance(text, str) else list(text)
        args = ["pseudonyms", "--original", inputs.path(original, "original"),
                "--release", inputs.path(release, "release"), "--text", _csv(texts), "--id", id]
        for name in ("users",):
            if options.get(name) is not None:
                options = {**options, name: inputs.path(options[name], name)}
        _flags(args, options)
        code, out = run_cli(args, inputs)
    return PseudonymLinkage(json.loads(out), out, code)


@_with_progress
def text_leakage(original: Any, release: Any, *, text_column: str, id_column: str, **options: Any) -> _Result:
    """Text leakage: ``reident text`` (document linkage of release documents
    to originals, surviving identifiers, redaction recovery, hash reversal).

    Options are the CLI's flags in ``snake_case`` (``identifier_columns=[...]``,
    ``users="users.ndjson"``, ``same_ids=True``, ``threshold=0.5``,
    ``max_linkage_rate=0.05``); ``to_dict()`` is the command's JSON.

    Example::

        >>> t = reident.text_leakage("orig.ndjson", "rel.ndjson", text_column="body", id_column="id",
        ...                          same_ids=True)
    """
    with _Inputs() as inputs:
        args = ["text", "--original", inputs.path(original, "original"), "--release", inputs.path(release, "release")]
        args += ["--text-column", text_column, "--id-column", id_column]
        for name in ("users", "truth"):
            if options.get(name) is not None:
                options = {**options, name: inputs.path(options[name], name)}
        _flags(args, options)
        code, out = run_cli(args, inputs)
    return _Result(json.loads(out), out, code)


@_with_progress
def epsilon_bound(scores: Any, **options: Any) -> _Result:
    """Lower-bound epsilon from membership-attack scores: ``reident epsilon
    bound`` (Clopper-Pearson, threshold chosen on held-out trials or with
    Bonferroni). ``scores`` is a path or a table with a score and a label
    column; options are the CLI's flags in snake_case (``score_column``,
    ``label_column``, ``delta``, ``confidence``, ``selection="bonferroni"``).

    Example::

        >>> b = reident.epsilon_bound("scores.csv", selection="bonferroni")
        >>> b["epsilon_lower"]
    """
    with _Inputs() as inputs:
        args = ["epsilon", "bound", "--scores", inputs.path(scores, "scores")]
        _flags(args, options)
        code, out = run_cli(args, inputs)
    return _Result(json.loads(out), out, code)


class AuditReport:
    """The result of :func:`audit`: verdicts, report.json, the HTML report.

    ``exit_code`` is the CLI's (0 every claim passes, 1 one is refuted, 3 none
    refuted but one inconclusive); ``out`` is the folder holding report.json,
    report.md, report.html and charts/.
    """

    def __init__(self, out: str, exit_code: int, printed: str) -> None:
        #: The folder the report was written into.
        self.out = out
        #: The exit code the CLI gives the same audit.
        self.exit_code = exit_code
        #: What the CLI prints: the title and one line per claim.
        self.summary = printed
        with open(os.path.join(out, "report.json"), "rb") as f:
            self._json = f.read()
        self._data = json.loads(self._json)

    def to_json(self) -> str:
        """report.json, byte for byte as the CLI writes it."""
        return self._json.decode("utf-8")

    def to_dict(self) -> Dict[str, Any]:
        """report.json as a dict."""
        return json.loads(self._json)

    def verdicts(self) -> Any:
        """One row per claim: claim, verdict, measure, measured value, interval,
        decided by (a DataFrame; a list of dicts without pandas)."""
        rows = []
        for c in self._data["claims"]:
            ci = c.get("confidence_interval")
            rows.append(
                {
                    "claim": c["claim"],
                    "verdict": c["verdict"],
                    "measure": c["measure"],
                    "measured": c.get("measured"),
                    "ci_low": ci[0] if ci else None,
                    "ci_high": ci[1] if ci else None,
                    "decided_by": c.get("decided_by"),
                }
            )
        return _frame(rows)

    def html(self) -> str:
        """report.html (self-contained, charts inline)."""
        with open(os.path.join(self.out, "report.html"), encoding="utf-8") as f:
            return f.read()

    def charts(self) -> Dict[str, str]:
        """Every chart as SVG text, by file name."""
        folder = os.path.join(self.out, "charts")
        charts = {}
        if os.path.isdir(folder):
            for name in sorted(os.listdir(folder)):
                if name.endswith(".svg"):
                    with open(os.path.join(folder, name), encoding="utf-8") as f:
                        charts[name] = f.read()
        return charts

    def _repr_html_(self) -> str:
        doc = html.escape(self.html(), quote=True)
        return f'<iframe srcdoc="{doc}" style="width:100%;height:800px;border:0"></iframe>'

    def __repr__(self) -> str:
        return f"AuditReport(exit_code={self.exit_code}, out={self.out!r})"


@_with_progress
def audit(
    config: Union[str, "os.PathLike[str]", Mapping[str, Any]],
    *,
    out: Optional[Union[str, "os.PathLike[str]"]] = None,
    seed: Optional[int] = None,
    include_examples: bool = False,
    strict: bool = False,
    base_dir: Optional[Union[str, "os.PathLike[str]"]] = None,
) -> AuditReport:
    """Audits a release against the claims of a config: ``reident audit``.

    ``config`` is the path of a TOML config (``datasets/audit-demo.toml``
    documents the format) or a dict with the same keys; a dict's relative
    paths are resolved against ``base_dir`` (default: the current folder).
    The report is written into ``out`` (default: a new temporary folder).

    Example::

        >>> report = reident.audit("datasets/audit-demo.toml")
        >>> report.verdicts()      # one row per claim
        >>> report                 # the HTML report inline in Jupyter
    """
    if out is None:
        out = tempfile.mkdtemp(prefix="reident-report-")
    out = os.fspath(out)
    written: Optional[str] = None
    try:
        if isinstance(config, Mapping):
            text = _reident.json_to_toml(json.dumps(config))
            folder = os.fspath(base_dir) if base_dir is not None else os.getcwd()
            fd, written = tempfile.mkstemp(prefix=".reident-audit-", suffix=".toml", dir=folder)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            path = written
        else:
            path = os.fspath(config)
        args = ["audit", "--config", path, "--out", out]
        if seed is not None:
            args += ["--seed", str(seed)]
        if include_examples:
            args.append("--include-examples")
        if strict:
            args.append("--strict")
        code, printed = run_cli(args)
    finally:
        if written is not None:
            os.unlink(written)
    return AuditReport(out, code, printed)


class EpsilonAudit(_Result):
    """A black-box epsilon audit (the JSON of ``reident epsilon audit``).

    ``epsilon_lower``: the lower bound on epsilon at the stated confidence;
    ``verdict``: ``"refuted"`` or ``"not_refuted"`` on the claimed epsilon,
    ``None`` without a claim; ``refuted``: whether the claim was refuted (the CLI's
    exit code 1).
    """

    @property
    def epsilon_lower(self) -> float:
        """The lower bound on epsilon."""
        return self._data["bound"]["epsilon_lower"]

    @property
    def verdict(self) -> Optional[str]:
        """The verdict on the claimed epsilon (``None`` without a claim)."""
        claim = self._data.get("claim")
        return None if claim is None else claim["verdict"]

    @property
    def refuted(self) -> bool:
        """Whether the audit refuted the claimed epsilon."""
        return self.exit_code == 1

    def __repr__(self) -> str:
        return f"EpsilonAudit(epsilon_lower={self.epsilon_lower:.4g}, verdict={self.verdict!r})"


def _table_of(columns: List[str], values: List[List[str]], flavor: str) -> Any:
    """The mechanism's input as a ``flavor`` table of text columns."""
    data = dict(zip(columns, values))
    if flavor == "pandas":
        import pandas as pd

        return pd.DataFrame(data, columns=columns, dtype=object)
    if flavor == "polars":
        import polars as pl

        return pl.DataFrame({c: pl.Series(c, v, dtype=pl.String) for c, v in data.items()})
    if flavor == "pyarrow":
        import pyarrow as pa

        return pa.table({c: pa.array(v, type=pa.string()) for c, v in data.items()})
    raise ReidentValueError(f"frame={flavor!r}: expected 'pandas', 'polars' or 'pyarrow'")


def _takes_seed(mechanism: Any) -> bool:
    """Whether ``mechanism`` accepts a second positional argument (the seed)."""
    try:
        params = list(inspect.signature(mechanism).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in params)


@_with_progress
def epsilon_audit(
    mechanism: Any,
    dataset: Any,
    neighbour: Any,
    *,
    column: str,
    claimed_epsilon: Optional[float] = None,
    claimed_delta: float = 0.0,
    trials: int = 2000,
    target_value: Optional[str] = None,
    delta: float = 0.0,
    seed: Optional[int] = None,
    confidence: Optional[float] = None,
    selection: Optional[str] = None,
    frame: str = "pandas",
) -> EpsilonAudit:
    """Audits a Python callable as a differentially private mechanism:
    ``reident epsilon audit`` (Jagielski, Ullman & Oprea 2020; Nasr et al.
    2021) with the callable in place of ``--mechanism``.

    ``dataset`` (D, without the target record) and ``neighbour`` (D', with
    it: one row added, removed or replaced) are paths or tables. Each of the
    ``trials`` runs (half on D, half on D') calls ``mechanism(frame)`` or,
    when it takes two arguments, ``mechanism(frame, seed)`` with the trial's
    seed (use it for reproducible noise). ``frame`` is a pandas DataFrame
    (``frame="polars"``/``"pyarrow"`` for those) whose cells are the input's
    text, as an external mechanism command reads them from the CLI's CSV; the
    callable returns a table (pandas, polars, pyarrow). Each release is
    scored by the number in ``column`` of its first row (or, with
    ``target_value``, by the number of rows whose ``column`` equals it), and
    epsilon is lower-bounded from the scores with Clopper-Pearson intervals
    (``delta``, ``confidence``, ``selection``: the CLI's flags). With
    ``claimed_epsilon`` the claim is refuted (``refuted``, ``exit_code`` 1)
    only when the bound exceeds it. Trials call the callable one at a time
    (the GIL); Ctrl-C stops the audit after the current trial.

    Example::

        >>> import numpy as np, pandas as pd
        >>> def laplace_sum(df, seed):
        ...     x = df["x"].astype(float).clip(0, 1).sum()
        ...     return pd.DataFrame({"x": [x + np.random.default_rng(seed).laplace(0, 1.0)]})
        >>> a = reident.epsilon_audit(laplace_sum, "d.csv", "d_plus_one.csv", column="x",
        ...                           claimed_epsilon=1.0)
        >>> a.refuted, a.epsilon_lower
    """
    if not callable(mechanism):
        raise TypeError(f"mechanism: expected a callable taking a DataFrame, got {type(mechanism).__name__}")
    name = getattr(mechanism, "__qualname__", None) or getattr(mechanism, "__name__", None) or type(mechanism).__name__
    with_seed = _takes_seed(mechanism)
    _table_of([], [], frame)  # checks `frame` (and that its library imports) before any trial

    def bridge(columns: List[str], values: List[List[str]], trial_seed: int) -> Any:
        table = _table_of(columns, values, frame)
        released = mechanism(table, trial_seed) if with_seed else mechanism(table)
        if not hasattr(released, "__arrow_c_stream__"):
            raise TypeError(
                f"returned {type(released).__name__}; a mechanism must return a table "
                "(pandas >= 2.2 with pyarrow, polars, pyarrow)"
            )
        return released

    with _Inputs() as inputs:
        args = ["--mechanism", f"python:{name}", "--without", inputs.path(dataset, "dataset"),
                "--with", inputs.path(neighbour, "neighbour"), "--column", column,
                "--trials", str(trials), "--delta", repr(float(delta))]
        if claimed_epsilon is not None:
            args += ["--claim-epsilon", repr(float(claimed_epsilon)), "--claim-delta", repr(float(claimed_delta))]
        if target_value is not None:
            args += ["--target-value", str(target_value)]
        if seed is not None:
            args += ["--seed", str(seed)]
        if confidence is not None:
            args += ["--confidence", repr(float(confidence))]
        if selection is not None:
            args += ["--selection", selection]
        code, out = _raise_or_return(_call(_reident.epsilon_audit, args, bridge, name), inputs)
    return EpsilonAudit(json.loads(out), out, code)
