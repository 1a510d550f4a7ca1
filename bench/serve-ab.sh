#!/usr/bin/env bash
# Two builds' resident command servers side by side (issue 30): a `server run` of each tree on a
# fresh SQLite queue of its own, both warmed by WARM commands, then ROUNDS alternating batches of
# BATCH commands through each tree's native client, printing each server's CPU (user + system, from
# /proc) per command and the ratio B/A; then one hyperfine run of both clients and task-spooler
# (TSP: `tsp`, or `tsp true` against enqueue), printing the medians and their ratio to tsp. A ratio
# in one sitting: the machine's load moves both. The user's queue is never touched (a temporary
# folder; the start-up archives in XDG_CACHE_HOME, as bin/queuectl keeps them).
#   bench/serve-ab.sh TREE_A TREE_B [CMD...]        (default CMD: status)
#   env: WARM (1500), BATCH (600), ROUNDS (6), RUNS (600, hyperfine), TSP (tsp)
# For the commit before: git worktree add /tmp/base HEAD~1 && (cd /tmp/base && ./mvnw -q -DskipTests package)
set -euo pipefail
TA=$(cd "$1" && pwd)
TB=$(cd "$2" && pwd)
shift 2
[ $# -gt 0 ] || set -- status
WARM=${WARM:-1500} BATCH=${BATCH:-600} ROUNDS=${ROUNDS:-6} RUNS=${RUNS:-600}
D=$(mktemp -d "${TMPDIR:-/tmp}/queuectl-serve-ab.XXXXXX")
export QUEUECTL_SERVER=off XDG_CACHE_HOME=${XDG_CACHE_HOME:-$HOME/.cache} TS_SOCKET=$D/tsp.socket
PIDS=()
cleanup() {
	if [ ${#PIDS[@]} -gt 0 ]; then
		kill "${PIDS[@]}" 2>/dev/null || true
		for _ in $(seq 100); do kill -0 "${PIDS[@]}" 2>/dev/null || break; sleep 0.1; done
	fi
	command -v tsp >/dev/null && tsp -K >/dev/null 2>&1
	rm -rf "$D"
}
trap cleanup EXIT
start() { # TREE NAME: a resident server of TREE's build on D/NAME/q.db; its pid in PIDS
	mkdir -p "$D/$2"
	XDG_DATA_HOME=$D/$2/xdg "$1/bin/queuectl" --db "$D/$2/q.db" enqueue '{"command":"true"}' >/dev/null
	XDG_DATA_HOME=$D/$2/xdg "$1/bin/queuectl" --db "$D/$2/q.db" server run </dev/null >/dev/null 2>"$D/$2/server.log" &
	for _ in $(seq 300); do grep -q "command server serving" "$D/$2/server.log" 2>/dev/null && break; sleep 0.2; done
	PIDS+=("$(pgrep -f "$D/$2/q.db server run" | tail -1)")
}
run() { # NAME TREE N CMD...
	local name=$1 tree=$2 n=$3
	shift 3
	for _ in $(seq "$n"); do XDG_DATA_HOME=$D/$name/xdg "$tree/target/queuectl-client" '' --db "$D/$name/q.db" "$@" >/dev/null; done
}
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
start "$TA" a
start "$TB" b
run a "$TA" "$WARM" "$@"
run b "$TB" "$WARM" "$@"
echo "server CPU a command, $* (A = $TA, B = $TB):"
for _ in $(seq "$ROUNDS"); do
	a0=$(cpu "${PIDS[0]}"); run a "$TA" "$BATCH" "$@"; a1=$(cpu "${PIDS[0]}")
	b0=$(cpu "${PIDS[1]}"); run b "$TB" "$BATCH" "$@"; b1=$(cpu "${PIDS[1]}")
	awk -v a=$((a1 - a0)) -v b=$((b1 - b0)) -v n="$BATCH" -v hz="$(getconf CLK_TCK)" \
		'BEGIN { printf "  A %.0f us  B %.0f us  B/A %.2f\n", a * 1e6 / hz / n, b * 1e6 / hz / n, b / a }'
done
if command -v hyperfine >/dev/null && command -v tsp >/dev/null; then
	tsp true >/dev/null # starts its server
	q=$(printf "'%s' " "$@")
	hyperfine -N --warmup 30 --runs "$RUNS" --export-json "$D/h.json" \
		"$TA/target/queuectl-client '' --db $D/a/q.db $q" \
		"$TB/target/queuectl-client '' --db $D/b/q.db $q" "${TSP:-tsp}" >/dev/null 2>&1
	python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))['results']
for name, x in zip(['A (native client)', 'B (native client)', sys.argv[2]], r):
    print('  %-18s median %.3f ms (%.2fx %s)' % (name, x['median'] * 1000, x['median'] / r[2]['median'], sys.argv[2]))
" "$D/h.json" "${TSP:-tsp}"
fi
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
