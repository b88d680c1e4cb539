"""x837.spark in a real PySpark session (local[2], the UI off) over a directory of synth
files, corpus files, a cut file and one that is not X12: every row of ``scrub_files``,
``findings`` and ``claims`` checked against the command's JSON report for the same file.

Needs a Java runtime (Spark's JVM); tests/python.rs builds this test ignored without one.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

import x837
from conftest import ROOT, cli_scrub, corpus_dir, run, synth

pyspark = pytest.importorskip("pyspark")


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    warehouse = tmp_path_factory.mktemp("warehouse")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("x837-test")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.warehouse.dir", str(warehouse))
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    """The directory: synth batches of both kinds, every corpus file, a cut file, junk."""
    d = tmp_path_factory.mktemp("incoming")
    for seed, kind in enumerate(["837p", "837i", "mixed", "mixed"]):
        synth(d / f"synth-{seed}.x12", claims=25 + 10 * seed, seed=100 + seed, kind=kind)
    for p in sorted(corpus_dir().iterdir()):
        if p.name[:1].isdigit():
            shutil.copyfile(p, d / p.name)
    whole = (ROOT / "samples" / "scrub" / "ndc-missing.x12").read_bytes()
    (d / "cut.x12").write_bytes(whole + whole.replace(b"000000101", b"000000102")[:600])
    (d / "junk.txt").write_bytes(b"this is not an 837\n")
    return d


def local(path: str) -> Path:
    """The file a Spark path (``file:/...``) names."""
    return Path(unquote(urlparse(path).path))


def renamed(report: dict, name: str) -> dict:
    """The command's report with its `file` keys the name Spark gives the file."""
    text = json.dumps(report)
    report = json.loads(text)
    for entry in report["inputs"] + report["findings"]:
        entry["file"] = name
    for entry in report["inputs"]:
        for left in entry["left_out"]:
            left["file"] = name
    return report


@pytest.fixture(scope="module")
def expected(files):
    """Per file in the directory: the command's exit status, report and corrected bytes."""
    return {p.name: cli_scrub(p) for p in sorted(files.iterdir())}


@pytest.fixture(scope="module")
def df(spark, files):
    return spark.read.format("binaryFile").load(str(files)).cache()


def test_scrub_files_one_row_per_file_as_the_command(df, expected):
    from x837.spark import scrub_files

    out = scrub_files(df)
    assert out.columns[:8] == ["path", "sha256", "claims", "errors", "warnings", "fixed", "exit", "corrected"]
    assert "report" in out.columns
    rows = out.collect()
    assert sorted(local(r.path).name for r in rows) == sorted(expected)
    for r in rows:
        status, report, corrected = expected[local(r.path).name]
        entry = report["inputs"][0]
        assert json.loads(r.report) == renamed(report, r.path), r.path
        assert r.sha256 == entry["sha256"]
        assert (r.claims, r.errors, r.warnings, r.fixed) == (
            entry["claims"], entry["errors"], entry["warnings"], entry["fixed"]), r.path
        assert r.exit == status, r.path
        assert (None if r.corrected is None else bytes(r.corrected)) == corrected, r.path
    junk = [r for r in rows if r.path.endswith("junk.txt")][0]
    assert junk.exit == 2 and junk.corrected is None and "not X12" in junk.error
    cut = [r for r in rows if r.path.endswith("cut.x12")][0]
    assert cut.exit == 2 and cut.corrected is not None and cut.claims == 1


def test_findings_one_row_per_finding(df, expected):
    from x837.spark import findings

    rows = findings(df).collect()
    got = defaultdict(list)
    for r in rows:
        got[local(r.path).name].append({k: v for k, v in r.asDict(recursive=True).items() if k != "path"})
    total = 0
    for name, (_, report, _) in expected.items():
        path = [r.path for r in rows if local(r.path).name == name][:1]
        want = renamed(report, path[0])["findings"] if path else []
        assert got.get(name, []) == want, name
        total += len(want)
    assert total == len(rows) and total > 50


def test_claims_one_row_per_claim(df, expected, files, tmp_path):
    from x837.spark import claims

    rows = claims(df).collect()
    by_file = defaultdict(list)
    for r in rows:
        by_file[local(r.path).name].append(r)
    for name, (_, report, corrected) in expected.items():
        mine = by_file.get(name, [])
        assert len(mine) == report["inputs"][0]["claims"], name
        if corrected is None:
            assert not mine
            continue
        out = tmp_path / "out.x12"
        out.write_bytes(corrected)
        counts = json.loads(run(["info", "--format", "json", str(out)]).stdout)
        assert len(mine) == counts["claims"], name
        assert sum(r.lines for r in mine) == counts["lines"], name
        assert sum(Decimal(r.billed) for r in mine if r.billed) == Decimal(counts["billed"]), name
        remaining = [f for f in report["findings"] if f["claim"] and not f["fixed"] and not f["would_fix"]]
        for severity in ("error", "warning"):
            want = sum(1 for f in remaining if f["severity"] == severity)
            assert sum(getattr(r, severity + "s") for r in mine) == want, (name, severity)
        assert all(r.kind in ("837P", "837I") for r in mine)
        assert all(r.clm01 for r in mine)
    assert len(rows) > 100 and any(r.j2326 for r in rows)


def test_options_reach_the_workers(df, expected):
    from x837.spark import scrub_files

    rows = scrub_files(df, fixes="none").select("path", "exit", "fixed", "report").collect()
    assert all(r.fixed == 0 for r in rows)
    some = [r for r in rows if local(r.path).name.startswith("synth-")]
    for r in some:
        status, report, _ = cli_scrub(local(r.path), ("--fixes", "none"))
        assert (r.exit, json.loads(r.report)) == (status, renamed(report, r.path))
    with pytest.raises(ValueError, match="fixes"):
        scrub_files(df, fixes="sometimes")
