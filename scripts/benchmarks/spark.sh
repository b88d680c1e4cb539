#!/usr/bin/env bash
# Throughput of x837.spark.scrub_files in PySpark local[2] against `x837 scrub --jobs 2`
# over the same directory: 200 synth files of about 5 MB (mixed 837P/837I).
#
#   scripts/benchmarks/spark.sh [FILES] [CLAIMS_PER_FILE] [ERROR_RATE]
#
# Needs the venv and wheel that `cargo test --test python` makes under target/ (and a
# Java runtime). Data and outputs go to target/bench-spark/.
set -euo pipefail
cd "$(dirname "$0")/../.."
files=${1:-200}
claims=${2:-7800}
rate=${3:-0}
target=${CARGO_TARGET_DIR:-target}
venv=$target/py-venv
[ -x "$venv/bin/python" ] || { echo "no $venv: run cargo test --test python first" >&2; exit 1; }
cargo build --release -q
x837=$target/release/x837
work=$target/bench-spark
data=$work/in-$files-$claims-$rate
if [ ! -d "$data" ]; then
  mkdir -p "$data.part"
  for i in $(seq 1 "$files"); do
    "$x837" synth --claims "$claims" --seed "$i" --kind mixed --error-rate "$rate" 2>/dev/null \
      -o "$data.part/$(printf 'batch-%04d.x12' "$i")"
  done
  mv "$data.part" "$data"
fi
bytes=$(cat "$data"/* | wc -c)
echo "input: $(ls "$data" | wc -l) files, $((bytes / 1000000)) MB (10^6 bytes); load average $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$work/cli-out" "$work/spark-out"
start=$(date +%s.%N)
set +e
"$x837" scrub "$data" --out-dir "$work/cli-out" --report "$work/cli-report.json" --jobs 2 --quiet
status=$?
set -e
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v st="$status" -v mb="$((bytes / 1000000))" \
  'BEGIN { printf "x837 scrub --jobs 2: exit %d, %.1f s, %.1f MB/s\n", st, e - s, mb / (e - s) }'
PYSPARK_PYTHON="$venv/bin/python" SPARK_LOCAL_IP=127.0.0.1 \
  "$venv/bin/python" scripts/benchmarks/spark_scrub_files.py "$(realpath "$data")" "$(realpath -m "$work/spark-out")" "local[2]"
ls -l "$target"/wheels/*.whl | awk '{ printf "wheel: %s, %.2f MB\n", $NF, $5 / 1e6 }'
