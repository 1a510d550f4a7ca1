#!/usr/bin/env bash
# Resident memory of a worker host with 8 slots after it ran 3,000 `true` jobs (issue 15: < 128 MiB),
# with and without its HTTP server, on the JDK that runs bin/queuectl (JAVA_HOME picks another).
# A host serving HTTP is measured again after three scrapes of /actuator/health and
# /actuator/prometheus: its first request loads Spring MVC's request handling.
#   bench/rss.sh [ROUNDS]     each round measures both hosts, alternating; prints VmRSS in KiB
# Uses a throwaway database under a temporary directory; never the user's queue.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-2}
JOBS=3000
WORK=$(mktemp -d "${TMPDIR:-/tmp}/queuectl-rss.XXXXXX")
export XDG_DATA_HOME=$WORK/data QUEUECTL_SERVER=off
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
Q="$PWD/bin/queuectl"
"$Q" --version >/dev/null 2>&1 # builds on first use
for ((i = 0; i < JOBS; i++)); do echo '{"command":"true"}'; done > "$WORK/jobs.jsonl"

# rss LABEL ARGS...: starts `worker start --count 8 ARGS`, waits for every job, prints its VmRSS
rss() {
  local db=$WORK/rss.db
  rm -f "$db"*
  QUEUECTL_DB=$db "$Q" enqueue --file "$WORK/jobs.jsonl" >/dev/null
  QUEUECTL_DB=$db "$Q" worker start --count 8 "${@:2}" >/dev/null 2>"$WORK/host.log" & PID=$!
  until [ "$(sqlite3 "$db" "SELECT COUNT(*) FROM jobs WHERE state = 'completed'" 2>/dev/null || echo 0)" -ge $JOBS ]; do
    sleep 0.5
  done
  sleep 5 # the host settles: its last turn, then a native heap trim (every 3 s)
  printf '%-28s %s KiB\n' "$1" "$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")"
  if [ "${2:-}" != --no-http ]; then
    local port; port=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/host.log" | head -1)
    QUEUECTL_DB=$db "$Q" web-token > "$WORK/web-token" # /actuator/prometheus needs it, as /api does
    for _ in 1 2 3; do
      curl -fsS "$port/actuator/health" >/dev/null \
        && curl -fsS -H "Authorization: Bearer $(cat "$WORK/web-token")" "$port/actuator/prometheus" >/dev/null
    done
    sleep 5
    printf '%-28s %s KiB\n' "  after 3 scrapes" "$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")"
  fi
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
}
echo "worker host RSS, 8 slots, after $JOBS true jobs ($("${JAVA_HOME:+$JAVA_HOME/bin/}java" -version 2>&1 | head -1))"
for ((r = 0; r < ROUNDS; r++)); do
  rss "worker start (HTTP)"
  rss "worker start --no-http" --no-http
done
