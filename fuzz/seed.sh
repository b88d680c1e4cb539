#!/usr/bin/env bash
# Seeds the fuzz corpora: fuzz/seed.sh DIR [X837]. Writes DIR/<target>/ for every target:
# the bundled samples, $X837_SHARED/corpus and $X837_SHARED/acks (when set) and small
# synth batches, each as a raw input (a leading `R`, see fuzz/src/shape.rs), and a few
# shaped inputs (random bytes the targets read as a base and edits). X837 is the binary
# that writes the synth batches (default: cargo run --release).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: fuzz/seed.sh DIR [X837]}
x837=${2:-}
mkdir -p "$dir/files"
if [ -z "$x837" ]; then
  cargo build --release -q
  x837="${CARGO_TARGET_DIR:-target}/release/x837"
fi
for s in 1 2 3 4 5; do
  "$x837" synth --claims 5 --seed "$s" -o "$dir/files/synth-$s.x12" 2>/dev/null
  "$x837" synth --claims 5 --seed "$s" --inject all -o "$dir/files/synth-inject-$s.x12" 2>/dev/null
done
files=(samples/*.x12 samples/scrub/*.x12 "$dir"/files/*.x12)
acks=()
if [ -n "${X837_SHARED:-}" ]; then
  files+=("$X837_SHARED"/corpus/*[!V])
  acks+=("$X837_SHARED"/acks/*[!VD])
fi
raw() { # raw TARGET FILE...
  local t=$1; shift
  mkdir -p "$dir/$t"
  for f in "$@"; do
    [ -f "$f" ] || continue
    { printf R; head -c 65536 "$f"; } > "$dir/$t/raw-$(basename "$f")"
  done
}
for t in lex round_trip validate scrub ack; do raw "$t" "${files[@]}"; done
raw readers "${acks[@]}" samples/837p-j2326.x12
raw lex "${acks[@]}"
raw round_trip "${acks[@]}"
for t in lex round_trip validate scrub ack readers generate; do
  mkdir -p "$dir/$t"
  for i in $(seq 1 32); do head -c $((i * 8)) /dev/urandom > "$dir/$t/shaped-$i"; done
done
echo "seeded $(find "$dir" -type f | wc -l) files under $dir"
