#!/usr/bin/env bash
# The CPU a resident command server spends on one served command (issue 30): a `server run` of
# TREE's build on a fresh SQLite queue, 500 commands to warm it, then N more through TREE's native
# client; prints the server's user and system CPU per command, from /proc. Run two trees
# alternately to compare builds (a ratio in one sitting; the machine's load moves both).
#   bench/servecpu.sh [TREE] [N]      CMD='enqueue {"command":"true"}' (default: status)
set -euo pipefail
T=$(cd "${1:-$(dirname "$0")/..}" && pwd)
N=${2:-2000}
CMD=${CMD:-status}
D=$(mktemp -d "${TMPDIR:-/tmp}/queuectl-servecpu.XXXXXX")
SP=
cleanup() { [ -n "$SP" ] && kill "$SP" 2>/dev/null; rm -rf "$D"; }
trap cleanup EXIT
export XDG_DATA_HOME=$D/xdg QUEUECTL_SERVER=off XDG_CACHE_HOME=${XDG_CACHE_HOME:-$HOME/.cache}
Q=$T/bin/queuectl
C=$T/target/queuectl-client
"$Q" --db "$D/q.db" enqueue '{"command":"true"}' >/dev/null
"$Q" --db "$D/q.db" server run 2>"$D/server.log" &
for _ in $(seq 300); do grep -q "command server serving" "$D/server.log" 2>/dev/null && break; sleep 0.2; done
SP=$(pgrep -f "$D/q.db server run" | tail -1)
# shellcheck disable=SC2086 # CMD is words
for _ in $(seq 500); do "$C" '' --db "$D/q.db" $CMD >/dev/null; done
read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$SP/stat")
# shellcheck disable=SC2086
for _ in $(seq "$N"); do "$C" '' --db "$D/q.db" $CMD >/dev/null; done
read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$SP/stat")
awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v n="$N" -v hz="$(getconf CLK_TCK)" -v t="$T" -v c="$CMD" 'BEGIN {
	printf "%s, %s: server CPU %.0f us user + %.0f us system a command (%d commands)\n", t, c, u * 1e6 / hz / n, s * 1e6 / hz / n, n }'
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
