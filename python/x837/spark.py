"""x837 as a Spark step: the scrub mapped over a DataFrame of files, one file per call,
through ``mapInArrow``. Spark schedules; x837 does the work per file.

Each function takes a DataFrame from ``spark.read.format("binaryFile")`` (its ``path``
and ``content`` columns; files up to that source's 2 GB limit) and returns a DataFrame:

- :func:`scrub_files`: one row per file, ``path``, ``sha256``, ``claims``, ``errors``,
  ``warnings``, ``fixed``, ``exit``, ``corrected`` (binary; null when nothing complete
  was read), ``report`` (the JSON report ``x837 scrub --report`` writes for that file),
  ``error`` (what stopped the reading, if anything did; else null);
- :func:`findings`: one row per finding, ``path`` and the report's finding keys;
- :func:`claims`: one row per claim of the corrected output, ``path``, ``clm01``,
  ``kind``, ``billed`` (CLM02 as a decimal string), ``lines``, ``j2326``, ``errors``,
  ``warnings``, and its ``interchange`` (ISA13) and ``transaction`` (ST02).

A file's name in its report and findings is its ``path`` as Spark gives it. A file that
is not X12 at all is a row with ``exit`` 2 and its ``error``, never a failed job. Each
file is one run: the cross-claim rules see that file; a history across files is a Spark
aggregation over :func:`claims` rows. Each function scrubs the files it is given: to
have several of the three, cache the input DataFrame, not the results.

>>> from x837.spark import scrub_files                                # doctest: +SKIP
>>> files = spark.read.format("binaryFile").load("/data/837/incoming")  # doctest: +SKIP
>>> scrub_files(files).select("path", "exit", "errors").show()      # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Union

import pyarrow as pa

from . import _scrub_native

__all__ = ["scrub_files", "findings", "claims", "FILE_SCHEMA", "FINDING_SCHEMA", "CLAIM_SCHEMA"]

#: Columns of :func:`scrub_files`, as Spark DDL.
FILE_SCHEMA = (
    "path string, sha256 string, claims long, errors long, warnings long, fixed long, "
    "exit int, corrected binary, report string, error string"
)

#: Columns of :func:`findings`: ``path``, then the keys of a report's finding (``element``
#: and ``missing`` are structs, as in the report).
FINDING_SCHEMA = (
    "path string, rule string, severity string, fixed boolean, would_fix boolean, "
    "fix_class string, claim string, message string, file string, interchange string, "
    "transaction string, segment long, byte long, text_line long, loop string, "
    "service_line string, before string, after string, "
    "element struct<position:int,component:int,repetition:int,number:int>, "
    "missing struct<segment:string,loop:string>"
)

#: Columns of :func:`claims`.
CLAIM_SCHEMA = (
    "path string, clm01 string, kind string, billed string, lines long, j2326 boolean, "
    "errors long, warnings long, interchange string, transaction string"
)

_ARROW = {
    "string": pa.string(),
    "long": pa.int64(),
    "int": pa.int32(),
    "boolean": pa.bool_(),
    "binary": pa.binary(),
}


def _arrow_type(kind: str) -> pa.DataType:
    if kind.startswith("struct<"):
        fields = [f.split(":") for f in kind[len("struct<"):-1].split(",")]
        return pa.struct([(name, _ARROW[t]) for name, t in fields])
    return _ARROW[kind]


def _arrow_schema(ddl: str) -> pa.Schema:
    """The Arrow schema of a DDL string of these columns (structs of plain fields)."""
    fields = []
    depth, start = 0, 0
    for i, ch in enumerate(ddl + ","):
        depth += ch == "<"
        depth -= ch == ">"
        if ch == "," and depth == 0:
            name, kind = ddl[start:i].strip().split(" ", 1)
            fields.append((name, _arrow_type(kind.strip())))
            start = i + 1
    return pa.schema(fields)


_FILE = _arrow_schema(FILE_SCHEMA)
_FINDING = _arrow_schema(FINDING_SCHEMA)
_CLAIM = _arrow_schema(CLAIM_SCHEMA)

#: A batch is handed back to Spark once it holds this many rows or bytes of EDI.
_ROWS = 4096
_BYTES = 64 << 20

Options = Dict[str, Any]


def _options(profile, config, fixes, fail_on) -> Options:
    """The options, checked on the driver: a wrong one is refused (ValueError) before any
    task starts."""
    options = {
        "profile": profile,
        "config": None if config is None else os.fspath(config),
        "fixes": fixes,
        "fail_on": fail_on,
    }
    _scrub_native(b"", "<options>", **options)
    return options


def _files(batches: Iterable[pa.RecordBatch]) -> Iterator[tuple]:
    """Each (path, content) of the input batches."""
    for batch in batches:
        paths = batch.column("path").to_pylist()
        contents = batch.column("content")
        for i, path in enumerate(paths):
            yield path, contents[i].as_py()


def _rows_to_batches(
    rows: Iterable[Dict[str, Any]], schema: pa.Schema, size: Callable[[Dict[str, Any]], int]
) -> Iterator[pa.RecordBatch]:
    """Rows gathered into Arrow batches of at most `_ROWS` rows or about `_BYTES` bytes."""
    pending: List[Dict[str, Any]] = []
    held = 0
    for row in rows:
        pending.append(row)
        held += size(row)
        if len(pending) >= _ROWS or held >= _BYTES:
            yield pa.RecordBatch.from_pylist(pending, schema=schema)
            pending, held = [], 0
    if pending:
        yield pa.RecordBatch.from_pylist(pending, schema=schema)


def _scrub(path: str, content: Optional[bytes], options: Options, claims: bool = False):
    return _scrub_native(b"" if content is None else content, path, **options, claims=claims)[0]


def _file_row(path: str, content: Optional[bytes], options: Options) -> Dict[str, Any]:
    s = _scrub(path, content, options)
    entry = s.report["inputs"][0]
    return {
        "path": path,
        "sha256": entry["sha256"],
        "claims": entry["claims"],
        "errors": entry["errors"],
        "warnings": entry["warnings"],
        "fixed": entry["fixed"],
        "exit": s.exit,
        "corrected": s.corrected,
        "report": s.report_json,
        "error": None if s.error is None else s.error.message,
    }


def _finding_rows(path: str, content: Optional[bytes], options: Options) -> Iterator[Dict[str, Any]]:
    for f in _scrub(path, content, options).findings:
        yield {"path": path, **f}


def _claim_rows(path: str, content: Optional[bytes], options: Options) -> Iterator[Dict[str, Any]]:
    for c in _scrub(path, content, options, claims=True).claims:
        yield {"path": path, **c}


def _edi_size(row: Dict[str, Any]) -> int:
    return len(row["corrected"] or b"") + len(row["report"])


def _text_size(row: Dict[str, Any]) -> int:
    return 256 + len(row.get("before") or "") + len(row.get("after") or "")


def _map(df, schema_ddl: str, per_file: Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]):
    return df.select("path", "content").mapInArrow(per_file, schema_ddl)


def scrub_files(
    df,
    *,
    profile: Optional[str] = None,
    config: Union[str, "os.PathLike[str]", None] = None,
    fixes: str = "all",
    fail_on: str = "error",
):
    """Scrubs every file of `df` (from ``spark.read.format("binaryFile")``): one row per
    file with the columns of :data:`FILE_SCHEMA`. ``profile``, ``config`` (a path every
    worker can read), ``fixes`` and ``fail_on`` are those of :func:`x837.scrub`."""
    options = _options(profile, config, fixes, fail_on)

    def per_file(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        rows = (_file_row(p, c, options) for p, c in _files(batches))
        return _rows_to_batches(rows, _FILE, _edi_size)

    return _map(df, FILE_SCHEMA, per_file)


def findings(
    df,
    *,
    profile: Optional[str] = None,
    config: Union[str, "os.PathLike[str]", None] = None,
    fixes: str = "all",
    fail_on: str = "error",
):
    """Scrubs every file of `df` and returns one row per finding of its report: ``path``
    and the report's finding keys (:data:`FINDING_SCHEMA`), in input order per file."""
    options = _options(profile, config, fixes, fail_on)

    def per_file(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        rows = (r for p, c in _files(batches) for r in _finding_rows(p, c, options))
        return _rows_to_batches(rows, _FINDING, _text_size)

    return _map(df, FINDING_SCHEMA, per_file)


def claims(
    df,
    *,
    profile: Optional[str] = None,
    config: Union[str, "os.PathLike[str]", None] = None,
    fixes: str = "all",
    fail_on: str = "error",
):
    """Scrubs every file of `df` and returns one row per claim of its corrected output
    (:data:`CLAIM_SCHEMA`): what it bills, its service lines, whether it bills J2326, and
    the error- and warning-level findings that remain on it. Claims of parts left out of
    the corrected output (not closed) are not rows; the file's report lists them."""
    options = _options(profile, config, fixes, fail_on)

    def per_file(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        rows = (r for p, c in _files(batches) for r in _claim_rows(p, c, options))
        return _rows_to_batches(rows, _CLAIM, lambda _: 128)

    return _map(df, CLAIM_SCHEMA, per_file)

