#!/usr/bin/env bash
# HTTP API benchmark (not a test): `queuectl dashboard` on a throwaway database, then
#  1. single-job enqueues, POST /api/jobs over keep-alive with wrk (2 threads, C connections), and
#  2. BULK_RUNS (default 3) JSON Lines bulk enqueues of N jobs each with curl,
# and the server time of the overview and of a jobs page, p95 of R requests each.
#   [C=16] bench/api.sh [N]   N jobs in the bulk request (default 200000); C wrk connections (default 16)
# Needs wrk and curl (Debian's). Never the user's queue.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
N=${1:-200000}
C=${C:-16}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/queuectl-api.XXXXXX")
export XDG_DATA_HOME=$WORK/data XDG_CACHE_HOME=${XDG_CACHE_HOME:-$HOME/.cache}
export QUEUECTL_DB=$WORK/q.db
SERVER=
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
PORT=$((20000 + RANDOM % 20000))
"$ROOT/bin/queuectl" status >/dev/null
"$ROOT/bin/queuectl" dashboard --port "$PORT" 2>"$WORK/server.log" &
SERVER=$!
B=http://127.0.0.1:$PORT
for _ in $(seq 300); do curl -fs "$B/api/csrf" >/dev/null 2>&1 && break; sleep 0.1; done
TOKEN=$(curl -fs "$B/api/csrf" | sed 's/.*"token":"\([^"]*\)".*/\1/')
cat >"$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"command":"true","queue":"bench"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Queuectl-Csrf"] = "$TOKEN"
LUA
wrk -t2 -c"$C" -d3s -s "$WORK/post.lua" "$B/api/jobs" >/dev/null # warm-up
echo "single enqueue, POST /api/jobs, wrk -t2 -c$C -d10s:"
wrk -t2 -c"$C" -d10s --latency -s "$WORK/post.lua" "$B/api/jobs" | grep -E "Requests/sec|50%|99%|Non-2xx"
python3 -c "
import sys
with open('$WORK/bulk.jsonl','w') as f:
    for i in range($N): f.write('{\"command\":\"true\",\"queue\":\"bulk\"}\n')
"
cpu() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; } # the server's user+system CPU, in 1/100 s
for run in $(seq "${BULK_RUNS:-3}"); do # the machine is shared: several runs, read the median and the CPU
  c0=$(cpu)
  t0=$(date +%s%N)
  code=$(curl -s -o "$WORK/bulk.out" -w '%{http_code}' -X POST -H "X-Queuectl-Csrf: $TOKEN" \
    -H 'Content-Type: application/x-ndjson' --data-binary @"$WORK/bulk.jsonl" "$B/api/jobs")
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  cs=$(( $(cpu) - c0 ))
  echo "bulk enqueue $run, $N jobs as JSON Lines: HTTP $code in $ms ms = $(( N * 1000 / (ms > 0 ? ms : 1) )) jobs/s;" \
    "server CPU $(( cs * 10 )) ms = $(( N * 100 / (cs > 0 ? cs : 1) )) jobs per CPU-second"
done
p95() { # PATH: server time p95 of 50 requests, ms
  for _ in $(seq 50); do curl -s -o /dev/null -w '%{time_total}\n' "$B$1"; done | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int(NR*0.95)]*1000}'
}
jobs=$(sqlite3 "$QUEUECTL_DB" "SELECT COUNT(*) FROM jobs")
echo "with $jobs jobs: overview p95 $(p95 /) ms, jobs page p95 $(p95 /jobs) ms, /api/status p95 $(p95 /api/status) ms"
