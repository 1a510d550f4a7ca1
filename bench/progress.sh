#!/usr/bin/env bash
# Progress reports inside a job (issue 27), a benchmark, not a test: on a throwaway SQLite queue a
# worker host (bin/queuectl worker start --count 1) runs, alternately, RUNS pairs of jobs that each
# loop N times (default 1000) over a step of STEP seconds of work (default 0.01, a `sleep`): one
# loop bare, the other with `queuectl progress $i/N "step $i"` after each step, through bin/queuectl
# (the launcher and the native client, to the host's socket). Prints each job's run time (its
# attempt's duration_ms) and the median ratio, and the cost of one report.
#   [RUNS=3] [STEP=0.01] bench/progress.sh [N]
# Never the user's queue.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
N=${1:-1000}
RUNS=${RUNS:-3}
STEP=${STEP:-0.01}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/queuectl-progress.XXXXXX")
export XDG_DATA_HOME=$WORK/data XDG_CACHE_HOME=${XDG_CACHE_HOME:-$HOME/.cache}
export QUEUECTL_DB=$WORK/q.db PATH=$ROOT/bin:$PATH
HOST=
cleanup() {
  [ -n "$HOST" ] && kill "$HOST" 2>/dev/null && wait "$HOST" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
Q=$ROOT/bin/queuectl
"$Q" status >/dev/null
"$Q" worker start --count 1 --no-http 2>"$WORK/host.log" &
HOST=$!
loop() { # $1: what follows each step
  printf 'i=0; while [ $i -lt %s ]; do i=$((i+1)); sleep %s; %s done' "$N" "$STEP" "$1"
}
duration() {
  "$Q" show "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["runs"][-1]["duration_ms"])'
}
run_job() { # $1 id, $2 command; prints the run's duration in ms
  "$Q" enqueue "$(python3 -c 'import json,sys; print(json.dumps({"id": sys.argv[1], "command": sys.argv[2]}))' "$1" "$2")" >/dev/null
  "$Q" wait "$1" --timeout 30m 2>/dev/null
  duration "$1"
}
bare=() reported=()
for r in $(seq "$RUNS"); do
  bare+=("$(run_job "bare-$r" "$(loop ':;')")")
  reported+=("$(run_job "reported-$r" "$(loop 'queuectl progress $i/'"$N"' "step $i" || exit 9;')")")
  echo "run $r: bare ${bare[-1]} ms, with $N progress reports ${reported[-1]} ms"
done
python3 - "$N" "${bare[*]}" "${reported[*]}" <<'PY'
import statistics, sys
n = int(sys.argv[1])
bare = [int(x) for x in sys.argv[2].split()]
rep = [int(x) for x in sys.argv[3].split()]
ratios = sorted(r / b for b, r in zip(bare, rep))
print(f"median bare {statistics.median(bare):.0f} ms, with reports {statistics.median(rep):.0f} ms: "
      f"{statistics.median(ratios):.2f}x (min {ratios[0]:.2f}, max {ratios[-1]:.2f}); "
      f"one report {(statistics.median(rep) - statistics.median(bare)) / n:.2f} ms")
PY
"$Q" show "reported-$RUNS" --json | python3 -c 'import json,sys; print("last progress:", json.load(sys.stdin)["progress"])'
