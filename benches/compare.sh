#!/usr/bin/env bash
# benches/compare.sh: x837 against pyx12 on the same synth 837P batch, in one run.
#
# Builds x837 (release), makes pyx12's venv under the target dir if it is missing (the one
# tests/oracle.rs uses: TARGET/pyx12-venv, `pip install pyx12`), writes two synth 837P
# batches of the same seed, without newlines (pyx12 cannot read newline-terminated files):
#   small: `x837 synth --claims 1730 --seed 1 --line-endings none`   (about 1 MB)
#   big:   `x837 synth --claims 173000 --seed 1 --line-endings none` (about 100 MB)
# then times, best of RUNS wall times each:
#   pyx12:  `x12valid small.x12` on a copy in a scratch directory (it writes small.997
#           beside its input; its exit code is always 1, the verdict is read from stderr:
#           `FILE: OK` or `FILE: Failure`);
#   x837:   `x837 scrub --jobs 1 big.x12 -o out.x12 --report r.json`, `x837 validate
#           --jobs 1 big.x12`, and the same scrub on small.x12 (mostly process start-up);
# and prints MB/s (1 MB = 10^6 bytes) of each and the ratios x837/pyx12. Issue 16's target:
# scrub on the big batch at least 750 times pyx12's MB/s on the small one (pyx12 on 100 MB
# would take hours).
#
# Usage: benches/compare.sh            (from anywhere; needs cargo, python3 with venv, and
#                                       PyPI on first use)
# Environment:
#   CARGO_TARGET_DIR     where cargo builds and the venv lives (default: ./target)
#   COMPARE_RUNS         runs of each command, best kept (default 3)
#   COMPARE_SMALL        claims in the small batch (default 1730)
#   COMPARE_BIG          claims in the big batch (default 173000)
#   COMPARE_ERROR_RATE   synth --error-rate for both batches (default 0: clean)
#   COMPARE_DIR          where the batches and outputs go (default TARGET/compare)
#   X837                 an x837 binary to use instead of building one
set -euo pipefail
cd "$(dirname "$0")/.."

target=${CARGO_TARGET_DIR:-$PWD/target}
mkdir -p "$target"
target=$(cd "$target" && pwd)
runs=${COMPARE_RUNS:-3}
small_claims=${COMPARE_SMALL:-1730}
big_claims=${COMPARE_BIG:-173000}
rate=${COMPARE_ERROR_RATE:-0}
dir=${COMPARE_DIR:-$target/compare}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

if [ -z "${X837:-}" ]; then
  cargo build --release --quiet
  X837=$target/release/x837
fi

venv=$target/pyx12-venv
x12valid=$venv/bin/x12valid
if [ ! -x "$x12valid" ]; then
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    echo "compare.sh needs python3 with venv (Debian: apt-get install python3-venv)" >&2
    exit 1
  fi
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet pyx12
fi

# Seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }

# best CMD...: runs CMD (its stdout to $dir/stdout.txt) $runs times, prints the best wall
# time in seconds. Exit codes 0 and 1 are results; any other stops the script.
best() {
  local b="" start end code
  for _ in $(seq "$runs"); do
    start=$(now)
    code=0
    "$@" >"$dir/stdout.txt" 2>"$dir/stderr.txt" || code=$?
    end=$(now)
    if [ "$code" -gt 1 ]; then
      echo "failed ($code): $*" >&2
      cat "$dir/stderr.txt" >&2
      exit 1
    fi
    b=$(awk -v s="$start" -v e="$end" -v b="$b" 'BEGIN { t = e - s; if (b == "" || t < b) b = t; printf "%.3f", b }')
  done
  echo "$b"
}

mbs() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.2f", n / 1e6 / t }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", a / b }'; }

synth() {
  "$X837" synth --claims "$1" --seed 1 --kind 837p --error-rate "$rate" \
    --line-endings none -o "$2" 2>/dev/null
}
synth "$small_claims" "$dir/small.x12"
synth "$big_claims" "$dir/big.x12"
small_bytes=$(wc -c <"$dir/small.x12")
big_bytes=$(wc -c <"$dir/big.x12")

# pyx12 on a copy in a scratch directory (it writes STEM.997 beside its input).
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp "$dir/small.x12" "$scratch/small.x12"
pyx12_run() { (cd "$scratch" && "$x12valid" small.x12); }
pyx12_s=$(best pyx12_run)
if grep -q 'small.x12: OK' "$dir/stderr.txt"; then
  verdict=OK
elif grep -q 'small.x12: Failure' "$dir/stderr.txt"; then
  verdict=Failure
else
  echo "pyx12 gave no verdict:" >&2
  tail -n 20 "$dir/stderr.txt" >&2
  exit 1
fi

scrub_s=$(best "$X837" scrub --jobs 1 "$dir/big.x12" -o "$dir/out.x12" --report "$dir/r.json")
validate_s=$(best "$X837" validate --jobs 1 "$dir/big.x12")
small_s=$(best "$X837" scrub --jobs 1 "$dir/small.x12" -o "$dir/out-small.x12" --report "$dir/r-small.json")

pyx12_mbs=$(mbs "$small_bytes" "$pyx12_s")
scrub_mbs=$(mbs "$big_bytes" "$scrub_s")
validate_mbs=$(mbs "$big_bytes" "$validate_s")
small_mbs=$(mbs "$small_bytes" "$small_s")
headline=$(ratio "$scrub_mbs" "$pyx12_mbs")

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
echo "x837 $("$X837" --version | awk '{print $2}') (commit $commit, $X837), best of $runs runs, synth 837P seed 1, error rate $rate"
printf '%-58s %10s %9s %12s\n' "run" "bytes" "best s" "MB/s"
printf '%-58s %10s %9s %12s\n' "pyx12 x12valid small.x12 ($verdict)" "$small_bytes" "$pyx12_s" "$pyx12_mbs"
printf '%-58s %10s %9s %12s\n' "x837 scrub --jobs 1 big.x12 -o out.x12 --report r.json" "$big_bytes" "$scrub_s" "$scrub_mbs"
printf '%-58s %10s %9s %12s\n' "x837 validate --jobs 1 big.x12" "$big_bytes" "$validate_s" "$validate_mbs"
printf '%-58s %10s %9s %12s\n' "x837 scrub --jobs 1 small.x12 -o ... --report r.json" "$small_bytes" "$small_s" "$small_mbs"
echo "ratio x837 scrub (big) / pyx12 (small): ${headline}x (target 750x: $(awk -v r="$headline" 'BEGIN { print (r >= 750 ? "met" : "not met") }'))"
echo "ratio x837 validate (big) / pyx12 (small): $(ratio "$validate_mbs" "$pyx12_mbs")x"
echo "ratio x837 scrub / pyx12, both on small.x12: $(ratio "$small_mbs" "$pyx12_mbs")x"
