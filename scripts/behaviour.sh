#!/usr/bin/env bash
# Prints one line per command and output: what every command of the x837 binary writes
# (standard output, standard error, output and report files, exit code) over the samples,
# the shared corpus and three synth batches, as SHA-256 sums. Run it before and after a
# change that must not change behaviour, and diff the two:
#
#   scripts/behaviour.sh > /tmp/before.txt   # on the old commit
#   scripts/behaviour.sh > /tmp/after.txt    # on the new one
#   diff /tmp/before.txt /tmp/after.txt
#
# X837 names the binary (default target/release/x837, built if missing); X837_SHARED the
# shared material (default ../shared).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
x837="${X837:-$root/target/release/x837}"
[ -x "$x837" ] || (cd "$root" && cargo build --release -q)
shared="${X837_SHARED:-$root/../shared}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/in"
cp "$root"/samples/*.x12 "$root"/samples/scrub/*.x12 "$work/in/"
if [ -d "$shared/corpus" ]; then
  for f in "$shared"/corpus/*; do
    case "$(basename "$f")" in MANIFEST.tsv|README.md) ;; *) cp "$f" "$work/in/" ;; esac
  done
fi
cd "$work/in"
"$x837" synth --claims 800 --seed 3 --error-rate 0.3 -o synth-p.x12 2>/dev/null
"$x837" synth --claims 800 --seed 4 --kind 837i --error-rate 0.3 -o synth-i.x12 2>/dev/null
"$x837" synth --claims 800 --seed 5 --kind mixed --error-rate 0.3 -o synth-m.x12 2>/dev/null
sum() { if [ -e "$1" ]; then sha256sum < "$1" | cut -c1-16; else echo absent; fi; }
# run NAME ARGS...: runs x837 in $work/in, prints exit code and sums of what it wrote.
run() {
  local name=$1; shift
  rm -f "$work"/out.* "$work"/r.*
  set +e
  "$x837" "$@" > "$work/stdout" 2> "$work/stderr"
  local code=$?
  set -e
  echo "$name exit=$code stdout=$(sum "$work/stdout") stderr=$(sum "$work/stderr") out=$(sum "$work/out.x12") json=$(sum "$work/r.json") text=$(sum "$work/r.txt") html=$(sum "$work/r.html")"
}
for f in $(ls | sort); do
  run "info $f" info "$f"
  run "info-json $f" info --format json "$f"
  run "validate $f" validate "$f"
  run "validate-json $f" validate --format json "$f"
  run "parse $f" parse "$f"
  run "scrub $f" scrub "$f" -o "$work/out.x12" --report "$work/r.json"
  run "scrub-text $f" scrub "$f" -o "$work/out.x12" --report "$work/r.txt"
  run "scrub-html $f" scrub "$f" -o "$work/out.x12" --report "$work/r.html"
  run "scrub-stdout $f" scrub "$f"
  run "scrub-check $f" scrub "$f" --check --format json
  run "scrub-repair $f" scrub "$f" --fixes repair -o "$work/out.x12" --report "$work/r.json"
done
run "rules" rules
for id in $("$x837" rules | awk '{print $1}'); do run "rules $id" rules "$id"; done
