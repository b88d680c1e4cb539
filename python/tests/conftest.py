"""What the tests of the Python package share: the ``x837`` command to compare against
(``X837_BIN``), the repository's samples and the shared corpus (``X837_SHARED``).

They are run by the repository's ``cargo test`` (tests/python.rs), which builds the wheel
into a venv under ``target/`` and sets these variables; by hand::

    X837_BIN=target/release/x837 X837_SHARED=../shared target/py-venv/bin/python -m pytest python/tests
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import List, Optional, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set (tests/python.rs sets it)")
    return value


def x837_bin() -> str:
    return _required("X837_BIN")


def corpus_dir() -> Path:
    return Path(_required("X837_SHARED")) / "corpus"


def run(args: List[str], cwd: Optional[Path] = None) -> subprocess.CompletedProcess:
    """The command with `args`, its output captured."""
    return subprocess.run([x837_bin(), *args], cwd=cwd, capture_output=True, timeout=600)


def cli_scrub(path: Path, extra: Tuple[str, ...] = ()) -> Tuple[int, dict, Optional[bytes]]:
    """`x837 scrub NAME -o OUT --report R` run in the file's directory (so the report
    names it by its file name): exit status, the report, the corrected bytes (None when
    no file was written)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.x12"
        report = Path(tmp) / "report.json"
        p = run(["scrub", path.name, "-o", str(out), "--report", str(report), *extra], cwd=path.parent)
        assert report.exists(), p.stderr.decode(errors="replace")
        corrected = out.read_bytes() if out.exists() else None
        return p.returncode, json.loads(report.read_text()), corrected


def cli_json(command: str, path: Path) -> Tuple[int, Optional[dict]]:
    """`x837 validate|info --format json NAME` in the file's directory (None when it
    writes nothing: info on input that is not X12)."""
    p = run([command, "--format", "json", path.name], cwd=path.parent)
    return p.returncode, json.loads(p.stdout) if p.stdout.strip() else None


def inputs() -> List[Path]:
    """The bundled samples and every corpus file (those named with a leading digit)."""
    files = sorted(SAMPLES.glob("*.x12")) + sorted((SAMPLES / "scrub").glob("*.x12"))
    files += sorted(p for p in corpus_dir().iterdir() if p.name[:1].isdigit())
    assert len(files) > 60, f"only {len(files)} inputs"
    return files


def synth(path: Path, claims: int, seed: int, kind: str = "mixed", error_rate: str = "0.3") -> Path:
    """A synthetic batch written by `x837 synth`."""
    p = run(["synth", "--claims", str(claims), "--seed", str(seed), "--kind", kind,
             "--error-rate", error_rate, "-o", str(path)])
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    return path


@pytest.fixture(scope="session")
def sample() -> Path:
    return SAMPLES / "scrub" / "ndc-missing.x12"
