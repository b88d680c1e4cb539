#!/usr/bin/env python3
"""Generate x837's grammar files from pyx12's XML maps.

Reads pyx12's implementation-guide maps (837.5010.X222.A1.xml for 837P,
837Q3.I.5010.X223.A1.xml for 837I, 999.5010X231.A1.xml for the 999,
277.5010.X214.xml for the 277CA, 835.5010.X221.A1.xml for the 835) and its data element dictionary
(dataele.xml), applies the hand-reviewed corrections listed in CORRECTIONS,
and writes the indentation-based text format described in grammars/README.md.

Standard library only. Run it with a Python that has pyx12 installed (to find
the maps), or point --map-dir at pyx12's map directory:

    /tmp/pyx12venv/bin/python grammars/tools/from_pyx12.py
    python3 grammars/tools/from_pyx12.py --map-dir /path/to/pyx12/map --check

pyx12 is Copyright (c) John Holland, BSD-licensed; see grammars/README.md.
"""

import argparse
import importlib.util
import pathlib
import sys
import xml.etree.ElementTree as ET

HERE = pathlib.Path(__file__).resolve().parent
GRAMMARS = HERE.parent

GUIDES = [
    {
        "map": "837.5010.X222.A1.xml",
        "out": "837p.x222a1.grammar",
        "version": "005010X222A1",
        "errata": ["005010X222A2"],
        "kind": "P",
        "name": "Health Care Claim: Professional",
        "twin_claims": True,
    },
    {
        "map": "837Q3.I.5010.X223.A1.xml",
        "out": "837i.x223a2.grammar",
        "version": "005010X223A2",
        "errata": ["005010X223A3"],
        "kind": "I",
        "name": "Health Care Claim: Institutional",
        "twin_claims": True,
    },
    {
        "map": "999.5010X231.A1.xml",
        "out": "999.x231a1.grammar",
        "version": "005010X231A1",
        "errata": ["005010X231"],
        "kind": "999",
        "name": "Implementation Acknowledgment For Health Care Insurance",
        "twin_claims": False,
    },
    {
        "map": "277.5010.X214.xml",
        "out": "277ca.x214.grammar",
        "version": "005010X214",
        "errata": [],
        "kind": "277CA",
        "name": "Health Care Claim Acknowledgment",
        "twin_claims": False,
    },
    {
        "map": "835.5010.X221.A1.xml",
        "out": "835.x221a1.grammar",
        "version": "005010X221A1",
        "errata": [],
        "kind": "835",
        "name": "Health Care Claim Payment/Advice",
        "twin_claims": False,
    },
]

CLAIMS = ["837p.x222a1.grammar", "837i.x223a2.grammar"]

# Hand-reviewed corrections, applied on top of pyx12. Each entry names the
# loop id (the innermost loop holding the segment), the segment id, the
# element reference and the fields to set. An entry that matches nothing is
# an error: the converter must not silently drift from what was reviewed.
# "{version}"/"{errata}" in a code are replaced per guide. `guides` names the
# output files an entry applies to (all of them when absent).
CORRECTIONS = [
    {
        "guides": CLAIMS,
        "loop": "2410",
        "segment": "CTP",
        "element": "CTP05-01",
        "set": {"codes": ["F2", "GR", "ME", "ML", "UN"]},
        "short": "pyx12 issue #29, codes F2,GR,ME,ML,UN",
        "why": "pyx12 issue #29: the unit-of-measure list differed between the "
        "2000B and 2000C paths (ME missing); the guides list F2, GR, ME, ML, UN",
    },
    {
        "guides": CLAIMS,
        "loop": "2410",
        "segment": "CTP",
        "element": "CTP03",
        "set": {"usage": "N"},
        "short": "pyx12 issue #29, usage N",
        "why": "pyx12 issue #29: CTP03 (unit price) usage differed between the "
        "two 2410 paths; it is not used in 5010",
    },
    {
        "guides": CLAIMS + ["999.x231a1.grammar", "277ca.x214.grammar"],
        "loop": "ST_LOOP",
        "segment": "ST",
        "element": "ST03",
        "set": {"usage": "R", "codes": ["{version}", "{errata}"]},
        "short": "usage R, codes: the guide version and its errata",
        "why": "ST03 is required in 5010 and carries the guide version; pyx12's "
        "837P map has it situational with no code, and the errata versions read "
        "with the same grammar must be accepted",
    },
    {
        "guides": ["999.x231a1.grammar"],
        "loop": "2100",
        "segment": "CTX",
        "element": "CTX01-01",
        "set": {"type": "ID"},
        "short": "type ID, so that its code list tells the two CTX apart",
        "why": "the 2100 loop holds two CTX segments, Segment Context "
        "(CTX01-01 SITUATIONAL TRIGGER) and Business Unit Identifier (CTX01-01 "
        "CLM01, TRN02...); element 9999 is AN in the dictionary, but the guide "
        "lists its values as codes, and a tree builder tells namesakes apart by "
        "the codes of their first identifier",
    },
]

# pyx12 wraps tables in pseudo-loops; their children belong to the parent.
WRAPPERS = {"HEADER", "DETAIL", "FOOTER"}


def field(node, key):
    """pyx12 maps keep properties as child elements (v1) or attributes (v2)."""
    value = node.get(key)
    if value is None:
        child = node.find(key)
        value = child.text if child is not None else None
    return value.strip() if value is not None else None


def load_dataele(path):
    table = {}
    for de in ET.parse(path).getroot().iter("data_ele"):
        table[de.get("ele_num")] = (
            de.get("data_type"),
            int(de.get("min_len")),
            int(de.get("max_len")),
        )
    return table


def token(text, what):
    """A bare token in the output: no whitespace, quote or '=' inside."""
    if not text or any(c.isspace() or c in "\"=," for c in text):
        raise SystemExit(f"cannot write {what} {text!r} as a bare token")
    return text


def code_token(text):
    """A code in a list: bare, or in double quotes when it holds spaces (the 999's
    CTX01-01 `SITUATIONAL TRIGGER`)."""
    if " " in text and not any(c in "\"=,\t\n" for c in text):
        return f'"{text}"'
    return token(text, "code")


def quoted(text, what):
    text = " ".join(text.split())
    if '"' in text:
        raise SystemExit(f"cannot quote {what} {text!r}")
    return f'"{text}"'


class Converter:
    def __init__(self, guide, dataele):
        self.guide = guide
        self.dataele = dataele
        self.lines = []
        self.loop_stack = []
        self.used = {
            i: 0
            for i, c in enumerate(CORRECTIONS)
            if guide["out"] in c.get("guides", [g["out"] for g in GUIDES])
        }
        self.notes = []
        self.claims = []

    def emit(self, depth, text):
        self.lines.append("  " * depth + text)

    def run(self, root):
        st_loop = next(x for x in root.iter("loop") if x.get("xid") == "ST_LOOP")
        self.emit(
            0,
            f"grammar {self.guide['version']} {self.guide['kind']} "
            + quoted(self.guide["name"], "grammar name"),
        )
        self.loop(st_loop, 0)
        if self.guide["twin_claims"]:
            self.check_claims()
        for i, n in self.used.items():
            c = CORRECTIONS[i]
            if n == 0:
                raise SystemExit(
                    f"{self.guide['map']}: correction for {c['loop']}/{c['segment']}/"
                    f"{c['element']} matched nothing"
                )

    def loop(self, node, depth):
        xid = token(field(node, "xid") or node.get("xid"), "loop id")
        usage = field(node, "usage")
        repeat = field(node, "repeat")
        start = len(self.lines)
        self.emit(
            depth,
            f"loop {xid} {usage} {repeat} " + quoted(field(node, "name"), "loop name"),
        )
        self.loop_stack.append(xid)
        self.children(node, depth + 1)
        self.loop_stack.pop()
        if xid == "2300" and self.guide["twin_claims"]:
            body = [line[2 * depth :] for line in self.lines[start + 1 :]]
            self.claims.append(body)

    def check_claims(self):
        """pyx12 copies the 2300 loop under 2000B and 2000C; pyx12 issues #28 and #29
        were copies that drifted apart. Below the loop line they must be identical."""
        if len(self.claims) != 2:
            raise SystemExit(f"expected 2300 under 2000B and 2000C, found {len(self.claims)}")
        a, b = self.claims
        if a != b:
            diff = next(i for i, (x, y) in enumerate(zip(a + [""], b + [""])) if x != y)
            raise SystemExit(
                f"{self.guide['map']}: the two 2300 copies differ: {a[diff]!r} vs {b[diff]!r}"
            )
        self.notes.append("2300 under 2000B and under 2000C: checked identical below the loop line")

    def children(self, node, depth):
        for child in node:
            if child.tag == "segment":
                self.segment(child, depth)
            elif child.tag == "loop":
                if child.get("xid") in WRAPPERS:
                    self.children(child, depth)
                else:
                    self.loop(child, depth)

    def segment(self, node, depth):
        xid = token(node.get("xid"), "segment id")
        pos = int(field(node, "pos"))
        line = (
            f"segment {xid} {field(node, 'usage')} {field(node, 'max_use')} @{pos:04} "
            + quoted(field(node, "name"), "segment name")
        )
        syntax = [s.text.strip() for s in node.findall("syntax") if s.text]
        syntax += [s for s in (node.get("syntax") or "").split() if s]
        if syntax:
            line += " syntax=" + ",".join(token(s, "syntax rule") for s in syntax)
        self.emit(depth, line)
        for child in node:
            if child.tag == "element":
                self.element(xid, child, depth + 1)
            elif child.tag == "composite":
                self.composite(xid, child, depth + 1)

    def corrections_for(self, segment, ref):
        loop = self.loop_stack[-1]
        for i, c in enumerate(CORRECTIONS):
            if i not in self.used:
                continue
            if (c["loop"], c["segment"], c["element"]) == (loop, segment, ref):
                self.used[i] += 1
                yield c

    def codes_of(self, node):
        vc = node.find("valid_codes")
        if vc is None:
            return [], None
        return [c.text.strip() for c in vc.findall("code")], vc.get("external")

    def element(self, segment, node, depth):
        ref = token(node.get("xid"), "element reference")
        de = field(node, "data_ele")
        if de not in self.dataele:
            raise SystemExit(f"{ref}: data element {de} not in dataele.xml")
        data_type, min_len, max_len = self.dataele[de]
        usage = field(node, "usage")
        codes, external = self.codes_of(node)
        for c in self.corrections_for(segment, ref):
            want = c["set"]
            before = {"usage": usage, "codes": codes, "type": data_type}
            if "usage" in want:
                usage = want["usage"]
            if "type" in want:
                data_type = want["type"]
            if "codes" in want:
                codes = [
                    x.replace("{version}", self.guide["version"])
                    for x in want["codes"]
                    if x != "{errata}"
                ]
                if "{errata}" in want["codes"]:
                    codes += self.guide["errata"]
            changed = before != {"usage": usage, "codes": codes, "type": data_type}
            where = "/".join(self.loop_stack) + f"/{segment}/{ref}"
            self.notes.append(
                f"{where}: {'corrected' if changed else 'checked, pyx12 already right'}"
                f" ({c['short']})"
            )
        line = f"element {ref} {data_type} {min_len}-{max_len} {usage} " + quoted(
            field(node, "name"), "element name"
        )
        if de.isdigit():
            line += f" de={de}"
        repeat = field(node, "repeat")
        if repeat and repeat != "1":
            line += f" repeat={token(repeat, 'repeat')}"
        if codes:
            line += " codes=" + ",".join(code_token(c) for c in codes)
        if external:
            line += f" external={token(external, 'external code list')}"
        regex = field(node, "regex")
        if regex:
            line += f" regex={token(regex, 'regex')}"
        self.emit(depth, line)

    def composite(self, segment, node, depth):
        # Some maps (999, 277) leave a composite's xid out; its seq places it.
        xid = node.get("xid") or f"{segment}{int(field(node, 'seq')):02}"
        ref = token(xid, "composite reference")
        line = f"composite {ref} {field(node, 'usage')} " + quoted(
            field(node, "name"), "composite name"
        )
        repeat = field(node, "repeat")
        if repeat and repeat != "1":
            line += f" repeat={token(repeat, 'repeat')}"
        self.emit(depth, line)
        for child in node.findall("element"):
            self.element(segment, child, depth + 1)


def find_map_dir():
    spec = importlib.util.find_spec("pyx12")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("pyx12 is not installed here; pass --map-dir")
    return pathlib.Path(list(spec.submodule_search_locations)[0]) / "map"


def pyx12_version(map_dir):
    meta = sorted(map_dir.parent.parent.glob("pyx12-*.dist-info"))
    return meta[-1].name[len("pyx12-") : -len(".dist-info")] if meta else "unknown"


def convert(guide, map_dir, dataele, version):
    root = ET.parse(map_dir / guide["map"]).getroot()
    conv = Converter(guide, dataele)
    conv.run(root)
    header = [
        f"# {guide['version']} ({guide['name']}), generated by grammars/tools/from_pyx12.py",
        f"# from pyx12 {version} map/{guide['map']} and map/dataele.xml.",
        "# pyx12: Copyright (c) John Holland, BSD licence (see grammars/README.md).",
        "# Do not edit by hand: change the converter or its CORRECTIONS and regenerate.",
        "# Hand-reviewed corrections:",
    ]
    header += [f"#   {n}" for n in conv.notes]
    return "\n".join(header + conv.lines) + "\n", conv.notes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--map-dir", type=pathlib.Path, help="pyx12's map directory")
    ap.add_argument("--out-dir", type=pathlib.Path, default=GRAMMARS)
    ap.add_argument(
        "--check", action="store_true", help="fail if a written file would change"
    )
    args = ap.parse_args()
    map_dir = args.map_dir or find_map_dir()
    dataele = load_dataele(map_dir / "dataele.xml")
    version = pyx12_version(map_dir)
    stale = False
    for guide in GUIDES:
        text, notes = convert(guide, map_dir, dataele, version)
        out = args.out_dir / guide["out"]
        for n in notes:
            print(f"{guide['out']}: {n}", file=sys.stderr)
        if args.check:
            if not out.exists() or out.read_text() != text:
                print(f"{out} is out of date", file=sys.stderr)
                stale = True
        else:
            out.write_text(text)
            print(f"wrote {out} ({text.count(chr(10))} lines)", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
