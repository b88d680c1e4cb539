#!/usr/bin/env bash
# The HTML worklist on large batches: for synth batches of N claims at 30% errors, the
# size of the page, the time to write it (scrub with the HTML report against scrub with
# none), and the time headless Chromium takes to show and load it: from navigation start
# to the first contentful paint (the summary on screen) and to the load event, and the
# WebDriver navigation as a whole.
#
#   scripts/benchmarks/worklist.sh [N ...]        (default: 10000 200000)
#
# Needs a release build (cargo build --release), chromium, chromium-driver, curl and jq.
# Work files go to target/bench-worklist/ (or $CARGO_TARGET_DIR/bench-worklist/).
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${CARGO_TARGET_DIR:-target}"
bin="$target/release/x837"
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 1; }
work="$target/bench-worklist"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 200000)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
chromedriver --port="$port" >/dev/null 2>&1 &
driver=$!
trap 'kill "$driver" 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -s "http://127.0.0.1:$port/status" >/dev/null && break; sleep 0.1; done
wd="http://127.0.0.1:$port/session"
caps='{"capabilities":{"alwaysMatch":{"browserName":"chrome","goog:chromeOptions":{"binary":"/usr/bin/chromium","args":["--headless","--no-sandbox","--disable-gpu","--disable-dev-shm-usage","--disable-background-networking","--disable-component-update","--no-first-run","--window-size=1400,1000","--user-data-dir='"$work"'/profile"]}}}}'
session=$(curl -s -X POST -H 'Content-Type: application/json' -d "$caps" "$wd" | jq -r .value.sessionId)

seconds() { /usr/bin/time -f %e "$@" 2>&1 >/dev/null | tail -1; }

printf "%-8s %11s %12s %14s %14s %12s %12s\n" claims "page bytes" "no report s" "html report s" "first paint ms" "load ms" "navigate ms"
for n in "${sizes[@]}"; do
  edi="$work/synth-$n.x12"
  [ -f "$edi" ] || "$bin" synth --claims "$n" --seed 14 --error-rate 0.3 -o "$edi" 2>/dev/null
  plain=$(seconds "$bin" scrub "$edi" --check -q --fail-on never)
  html=$(seconds "$bin" scrub "$edi" --check -q --fail-on never --report "$work/worklist-$n.html")
  bytes=$(stat -c %s "$work/worklist-$n.html")
  start=$(date +%s%N)
  curl -s -X POST -H 'Content-Type: application/json' -d '{"url":"file://'"$work"'/worklist-'"$n"'.html"}' "$wd/$session/url" >/dev/null
  nav=$(( ($(date +%s%N) - start) / 1000000 ))
  load=$(curl -s -X POST -H 'Content-Type: application/json' \
    -d '{"script":"var t=performance.getEntriesByType(\"navigation\")[0],p=performance.getEntriesByName(\"first-contentful-paint\")[0];return Math.round(p?p.startTime:-1)+\" \"+Math.round(t.loadEventEnd-t.startTime);","args":[]}' \
    "$wd/$session/execute/sync" | jq -r .value)
  printf '%-8s %11s %12s %14s %14s %12s %12s\n' "$n" "$bytes" "$plain" "$html" ${load% *} ${load#* } "$nav"
done
curl -s -X DELETE "$wd/$session" >/dev/null
