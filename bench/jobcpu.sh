#!/usr/bin/env bash
# Where the CPU of a `true` job goes on a 2-slot worker host (issue 30): N jobs (default 3000) are
# enqueued into a paused queue, the host starts and idles, the queue resumes, and the CPU the host's
# JVM spent per job (each thread, by name, from /proc), and its spawners with the jobs they reaped,
# is printed beside `seq N | xargs -P2 -n1 sh -c true sh` (xargs and its children). CPU, unlike the
# rate, barely moves with the load of a shared machine. JFR=1 also records a flight recording.
#   bench/jobcpu.sh [N]            Q=path/to/bin/queuectl to measure another tree
#   CMD='sleep 0.025' bench/jobcpu.sh [N]   jobs of another command (default: true), xargs runs the same
#   SLOTS=8 bench/jobcpu.sh [N]    a host of 8 slots against xargs -P8 (default: 2)
set -euo pipefail
cd "$(dirname "$0")/.."
Q=${Q:-$PWD/bin/queuectl}
N=${1:-3000}
CMD=${CMD:-true}
SLOTS=${SLOTS:-2}
D=$(mktemp -d "${TMPDIR:-/tmp}/queuectl-jobcpu.XXXXXX")
W=
cleanup() { [ -n "$W" ] && kill "$W" 2>/dev/null; rm -rf "$D"; }
trap cleanup EXIT
export XDG_DATA_HOME=$D/data XDG_CACHE_HOME=${XDG_CACHE_HOME:-$HOME/.cache} QUEUECTL_SERVER=off QUEUECTL_DB=$D/q.db
HZ=$(getconf CLK_TCK)
seq "$N" | awk -v c="$CMD" '{printf "{\"id\":\"j%d\",\"command\":\"%s\"}\n",$1,c}' >"$D/j.jsonl"
"$Q" enqueue --file "$D/j.jsonl" >/dev/null
"$Q" queue pause default >/dev/null
"$Q" worker start --no-http --count "$SLOTS" 2>"$D/worker.log" &
W=$!
until [ -S "$D/q.db.sock" ]; do sleep 0.1; done
sleep 2
JP=$(pgrep -P "$W" -f java || echo "$W") # bin/queuectl execs java: usually $W itself
threads() { for t in /proc/"$JP"/task/*; do echo "${t##*/} $(tr ' ' _ <"$t/comm") $(awk '{print $14 + $15}' "$t/stat")"; done 2>/dev/null; }
threads >"$D/thr0"
[ -n "${JFR:-}" ] && jcmd "$JP" JFR.start name=q filename="$PWD/jobcpu.jfr" settings=profile >/dev/null
j0=$(awk '{print $14 + $15}' "/proc/$JP/stat")
t0=$(date +%s%N)
"$Q" queue resume default >/dev/null
until [ "$(sqlite3 "$D/q.db" "SELECT count(*) FROM jobs WHERE state = 'completed'")" = "$N" ]; do sleep 0.05; done
t1=$(date +%s%N)
j1=$(awk '{print $14 + $15}' "/proc/$JP/stat")
s1=0 # the spawners' own CPU and their reaped jobs' (they live as long as the host)
for p in $(pgrep -P "$JP"); do s1=$((s1 + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$p/stat"))); done
threads >"$D/thr1"
[ -n "${JFR:-}" ] && jcmd "$JP" JFR.stop name=q >/dev/null
join <(sort "$D/thr0") <(sort "$D/thr1") |
	awk -v n="$N" -v hz="$HZ" '{d = $5 - $3; if (d > 0) printf "  thread %-20s %.3f ms CPU/job\n", $2, d * 1000 / hz / n}' | sort -k3 -rn
rate=$(sqlite3 "$D/q.db" "SELECT count(*) * 1000.0 / (MAX(finished_at) - MIN(started_at)) FROM jobs")
"$Q" worker stop --timeout 60 >/dev/null
wait "$W" || true
W=
x0=$(date +%s%N)
xc=$(CMD=$CMD bash -c 'seq '"$N"' | xargs -P '"$SLOTS"' -n 1 sh -c "$CMD" sh; awk "{print \$16 + \$17}" /proc/$$/stat')
x1=$(date +%s%N)
awk -v n="$N" -v hz="$HZ" -v j=$((j1 - j0)) -v s="$s1" -v w=$((t1 - t0)) -v r="$rate" -v xw=$((x1 - x0)) -v xc="$xc" 'BEGIN {
	printf "queuectl %.0f jobs/s: host JVM %.3f ms CPU/job, spawners + jobs %.3f | xargs -P'"$SLOTS"' %.0f jobs/s, %.3f ms CPU/job | %.2fx\n",
		r, j * 1000 / hz / n, s * 1000 / hz / n, n / (xw / 1e9), xc * 1000 / hz / n, r / (n / (xw / 1e9)) }'
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
