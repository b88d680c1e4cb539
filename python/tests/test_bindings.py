"""The bindings against the command: bytes in, the same report, corrected bytes, exit
status, findings and counts out as ``x837 scrub|validate|info`` give for the same file;
errors raised with their position; the GIL let go; one call one run; no personal data."""

from __future__ import annotations

import json
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

import x837
from conftest import ROOT, cli_json, cli_scrub, inputs, run, synth


def test_scrub_gives_the_commands_report_bytes_and_exit_status():
    compared = 0
    for path in inputs():
        status, report, corrected = cli_scrub(path)
        data = path.read_bytes()
        if status == 2 and report["inputs"][0]["sha256"] and report["summary"]["claims"] == 0 \
                and not report["findings"] and report["inputs"][0]["incomplete"] \
                and not report["inputs"][0]["left_out"]:
            # Not one segment read: the command says "not X12"; Python raises.
            with pytest.raises(x837.Error):
                x837.scrub(data, name=path.name)
            continue
        s = x837.scrub(data, name=path.name)
        assert s.report == report, path
        assert json.loads(s.report_json) == report, path
        assert s.exit == status, path
        assert s.corrected == corrected, path
        compared += 1
    assert compared > 60


def test_scrub_options_are_the_commands():
    for path in sorted((ROOT / "samples" / "scrub").glob("*.x12"))[:12]:
        for extra, kwargs in [
            (("--fixes", "none"), {"fixes": "none"}),
            (("--fixes", "repair", "--fail-on", "warning"), {"fixes": "repair", "fail_on": "warning"}),
            (("--profile", "noridian"), {"profile": "noridian"}),
        ]:
            status, report, corrected = cli_scrub(path, extra)
            s = x837.scrub(path.read_bytes(), name=path.name, **kwargs)
            assert (s.exit, s.report, s.corrected) == (status, report, corrected), (path, extra)
    with pytest.raises(ValueError, match="fixes"):
        x837.scrub(b"", fixes="some")
    with pytest.raises(ValueError, match="profile"):
        x837.scrub(b"", profile="no-such-profile")
    with pytest.raises(TypeError):
        x837.scrub("ISA*00*")  # text, not bytes


def test_a_config_file_is_the_commands(tmp_path):
    config = tmp_path / "x837.toml"
    config.write_text('profile = "cpt-lumbar"\ndisable = ["ndc-missing"]\n[severity]\nprior-auth = "error"\n')
    for path in sorted((ROOT / "samples" / "scrub").glob("*.x12"))[:20]:
        status, report, corrected = cli_scrub(path, ("--config", str(config)))
        s = x837.scrub(path.read_bytes(), name=path.name, config=config)
        assert (s.exit, s.report, s.corrected) == (status, report, corrected), path
        assert s.report["tool"]["profile"] == "cpt-lumbar"
    bad = tmp_path / "bad.toml"
    bad.write_text('nonsense = 1\n')
    with pytest.raises(ValueError):
        x837.scrub(b"", config=str(bad))
    with pytest.raises(ValueError):
        x837.scrub(b"", config=tmp_path / "missing.toml")


def test_validate_and_info_give_the_commands_json():
    for path in inputs():
        data = path.read_bytes()
        v_status, v = cli_json("validate", path)
        i_status, i = cli_json("info", path)
        if i is None:
            assert i_status == 2 and v_status == 2 and not v["findings"], path
            with pytest.raises(x837.Error):
                x837.validate(data, name=path.name)
            with pytest.raises(x837.Error):
                x837.info(data, name=path.name)
            continue
        assert x837.validate(data, name=path.name) == v["findings"], path
        assert x837.info(data, name=path.name) == i, path
        assert x837.validate(bytearray(data), name=path.name) == v["findings"]
        assert x837.info(memoryview(data), name=path.name) == i


def test_unreadable_input_raises_with_its_position(tmp_path):
    for data in [b"hello", b"", b"GS*HC*A*B~ST*837*1~"]:
        for call in (x837.scrub, x837.validate, x837.info):
            with pytest.raises(x837.Error) as e:
                call(data, name="junk.txt")
            err = e.value
            assert (err.file, err.segment, err.byte, err.line) == ("junk.txt", 0, 0, 1)
            assert "junk.txt" in str(err) and "not X12" in str(err)
    # The command says the same and exits 2.
    junk = tmp_path / "junk.txt"
    junk.write_bytes(b"hello")
    p = run(["scrub", "junk.txt", "-o", "out.x12"], cwd=tmp_path)
    assert p.returncode == 2 and b"not X12" in p.stderr
    with pytest.raises(x837.Error) as e:
        x837.scrub(b"hello", name="junk.txt")
    assert str(e.value) in p.stderr.decode()
    assert isinstance(e.value, Exception)
    import pickle

    again = pickle.loads(pickle.dumps(e.value))
    assert (again.file, again.segment, again.byte, str(again)) == ("junk.txt", 0, 0, str(e.value))


def test_partly_readable_input_gives_its_complete_parts_and_exit_2(tmp_path, sample):
    whole = sample.read_bytes()
    # Two interchanges, the second cut short: the first is the corrected output.
    second = whole.replace(b"000000101", b"000000102")
    data = whole + second[: len(second) // 2]
    path = tmp_path / "cut.x12"
    path.write_bytes(data)
    status, report, corrected = cli_scrub(path)
    s = x837.scrub(data, name="cut.x12")
    assert status == 2 and s.exit == 2
    assert s.report == report and s.corrected == corrected
    assert s.corrected == x837.scrub(whole, name="cut.x12").corrected
    left = s.report["inputs"][0]["left_out"]
    assert [(e["what"], e["control"]) for e in left] == [("interchange", "000000102")]
    assert any(f["rule"] == "envelope-structure" for f in s.findings)
    assert [c["clm01"] for c in s.claims] == ["CLAIM0001"]
    # validate reports what does not close with its position; info counts what it read.
    findings = x837.validate(data, name="cut.x12")
    assert findings == cli_json("validate", path)[1]["findings"]
    assert any(f["rule"] == "envelope-structure" and f["byte"] > len(whole) for f in findings)
    assert x837.info(data, name="cut.x12")["interchanges"] == 2


def test_a_stop_part_way_is_kept_not_raised(tmp_path, sample):
    whole = sample.read_bytes()
    data = whole + b"\x00\x01 this is not X12 at all"
    path = tmp_path / "tail.x12"
    path.write_bytes(data)
    status, report, corrected = cli_scrub(path)
    s = x837.scrub(data, name="tail.x12")
    assert (s.exit, s.report, s.corrected) == (status, report, corrected)
    if s.error is not None:
        assert s.error.segment > 0 and s.error.byte >= len(whole) - 1
        assert s.error.file == "tail.x12"


def test_claims_of_the_corrected_output(tmp_path):
    path = synth(tmp_path / "batch.x12", claims=40, seed=7)
    s = x837.scrub(path.read_bytes(), name="batch.x12")
    out = tmp_path / "out.x12"
    out.write_bytes(s.corrected)
    counts = x837.info(s.corrected)
    assert counts == json.loads(run(["info", "--format", "json", str(out)]).stdout) | {"file": "<bytes>"}
    assert len(s.claims) == counts["claims"] == s.report["summary"]["claims"]
    assert sum(c["lines"] for c in s.claims) == counts["lines"]
    assert sum(Decimal(c["billed"]) for c in s.claims) == Decimal(counts["billed"])
    remaining = [f for f in s.findings if not f["fixed"] and not f["would_fix"] and f["claim"]]
    for severity in ("error", "warning"):
        assert sum(c[severity + "s"] for c in s.claims) == sum(
            1 for f in remaining if f["severity"] == severity)
    assert {c["kind"] for c in s.claims} <= {"837P", "837I"}
    # Claim by claim in file order: CLM01, and whether an SV1/SV2 bills J2326.
    seen = []
    for seg in s.corrected.decode().replace("\n", "").split("~"):
        if seg.startswith("CLM*"):
            seen.append([seg.split("*")[1], False])
        elif seg.startswith(("SV1*", "SV2*")) and ":J2326" in seg:
            seen[-1][1] = True
    assert [[c["clm01"], c["j2326"]] for c in s.claims] == seen
    assert any(j for _, j in seen) and not all(j for _, j in seen)


def test_one_call_is_one_run(tmp_path, sample):
    a = synth(tmp_path / "a.x12", claims=30, seed=11).read_bytes()
    b = synth(tmp_path / "b.x12", claims=30, seed=12, error_rate="0.8").read_bytes()
    first = x837.scrub(a, name="a")
    x837.scrub(b, name="b")
    again = x837.scrub(a, name="a")
    assert first.report_json == again.report_json and first.corrected == again.corrected
    assert x837.validate(a, name="a") == x837.validate(a, name="a")
    # The cross-claim rules see the call's input: a claim billed twice in one input is
    # found, as the command finds it ...
    dup = ROOT / "samples" / "scrub" / "duplicate-service.x12"
    s = x837.scrub(dup.read_bytes(), name=dup.name)
    assert "duplicate-service" in {f["rule"] for f in s.findings}
    assert (s.exit, s.report) == cli_scrub(dup)[:2]
    # ... and one input scrubbed after another does not see it: the command over both in
    # one run finds the second a duplicate, a call each finds nothing across them.
    (tmp_path / "one.x12").write_bytes(sample.read_bytes())
    (tmp_path / "two.x12").write_bytes(sample.read_bytes())
    p = run(["scrub", "one.x12", "two.x12", "--out-dir", "out", "--report", "r.json"], cwd=tmp_path)
    both = json.loads((tmp_path / "r.json").read_text())
    assert p.returncode == 1
    assert [(f["file"], f["rule"]) for f in both["findings"] if f["rule"] == "duplicate-service"] \
        == [("two.x12", "duplicate-service")]
    for name in ("one.x12", "two.x12"):
        alone = x837.scrub(sample.read_bytes(), name=name)
        assert "duplicate-service" not in {f["rule"] for f in alone.findings}
        assert (alone.exit, alone.report) == cli_scrub(tmp_path / name)[:2]


def _spins_while(call) -> float:
    """How much this thread spins while `call` runs in another thread, as a share of how
    much it spins alone in the same time. Near 0 when `call` holds the GIL throughout."""
    def spin(until: threading.Event) -> int:
        n = 0
        while not until.is_set():
            n += 1
        return n

    alone = threading.Event()
    threading.Timer(0.1, alone.set).start()
    start = time.perf_counter()
    rate = spin(alone) / (time.perf_counter() - start)
    calling, done = threading.Event(), threading.Event()
    took = {}

    def work():
        calling.set()
        t0 = time.perf_counter()
        call()
        took["s"] = time.perf_counter() - t0
        done.set()

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)  # so that a call holding the GIL leaves almost no turns
    try:
        t = threading.Thread(target=work)
        t.start()
        calling.wait()
        spins = spin(done)
        t.join()
    finally:
        sys.setswitchinterval(old)
    return spins / (rate * took["s"])


def test_the_gil_is_let_go_while_rust_works(tmp_path):
    data = synth(tmp_path / "big.x12", claims=20000, seed=5).read_bytes()
    # While the library works, this thread keeps running Python.
    # The best of three: other work on the machine can take this thread's turns once.
    assert max(_spins_while(lambda: x837.scrub(data, name="big")) for _ in range(3)) > 0.2
    assert max(_spins_while(lambda: x837.validate(data, name="big")) for _ in range(3)) > 0.2
    # The measure tells: a call that holds the GIL (bytes.find in C) leaves almost none.
    big = b"a" * 100_000_000
    assert _spins_while(lambda: big.find(b"ab")) < 0.1


def test_stubs_and_docstrings_are_there():
    pkg = Path(x837.__file__).parent
    assert (pkg / "_x837.pyi").exists() and (pkg / "__init__.pyi").exists()
    assert (pkg / "spark.pyi").exists() and (pkg / "py.typed").exists()
    for f in (x837.scrub, x837.validate, x837.info, x837.Error, x837.Scrubbed):
        assert f.__doc__ and len(f.__doc__) > 80, f
    s = x837.scrub((ROOT / "samples" / "837p-j2326.x12").read_bytes())
    assert x837.__version__ == s.report["tool"]["version"]


PERSONAL = ["QZLASTNAME", "QZFIRSTNAME", "QZKIDLAST", "QZKIDFIRST", "QZMEMBER77",
            "QZ STREET 12", "QZCITYNAME", "QZ LANE 9", "QZOTHERCITY", "20150409", "49999", "QZ7"]


def test_no_output_quotes_personal_data(tmp_path):
    # The claim of tests/privacy.rs, made by `x837 generate`, then broken the same way.
    desc = json.loads((ROOT / "samples" / "claims" / "837p-dependent.json").read_text())
    claim = desc["claims"][0]
    claim["subscriber"].update(member_id="QZMEMBER77", last_name="QZLASTNAME", first_name="QZFIRSTNAME")
    claim["subscriber"]["address"].update(line1="QZ STREET 12", city="QZCITYNAME", zip="49999")
    claim["patient"].update(last_name="QZKIDLAST", first_name="QZKIDFIRST", birth_date="2015-04-09")
    claim["patient"]["address"].update(line1="QZ LANE 9", city="QZOTHERCITY", zip="49999")
    (tmp_path / "claim.json").write_text(json.dumps(desc))
    p = run(["generate", "claim.json", "-o", "claim.x12"], cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    text = (tmp_path / "claim.x12").read_text()
    for value in PERSONAL[:-1]:
        assert value in text, value
    state = claim["patient"]["address"]["state"]
    broken = (text.replace(f"*QZOTHERCITY*{state}*", "*QZOTHERCITY*QZ7*")
              .replace("*QZMEMBER77", "*" + "QZMEMBER77" * 10))
    assert broken != text
    s = x837.scrub(broken.encode(), name="claim.x12", fixes="none")
    outputs = [s.report_json, repr(s), json.dumps(s.claims), json.dumps(x837.validate(broken.encode())),
               json.dumps(x837.info(broken.encode()))]
    assert s.findings, "the broken claim has findings"
    cut = broken.encode()[: broken.index("NM1*QC") + 20]
    outputs.append(x837.scrub(cut).report_json)
    try:
        x837.scrub(b"QZLASTNAME*QZMEMBER77~")
    except x837.Error as e:
        outputs.append(str(e))
    for out in outputs:
        for value in PERSONAL:
            assert value not in out, (value, out)
