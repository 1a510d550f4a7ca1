#!/usr/bin/env bash
# Measures queuectl against the targets of the performance issue and prints each figure beside
# its target or baseline. Benchmarks, not tests: nothing here fails on a slow machine.
#   bench/run.sh           full sizes (several minutes)
#   bench/run.sh --quick   small sizes, to keep the script working (CI runs this)
# Uses throwaway databases under a temporary directory; never the user's queue.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
if [ $QUICK = 1 ]; then
  RUNS=3; LAT_JOBS=10; TP_JOBS=300; TP8_JOBS=80; STORE_JOBS=2000; SCALE_ROWS=20000; BULK=5000; BULK_BIG=10000
else
  RUNS=10; LAT_JOBS=100; TP_JOBS=10000; TP8_JOBS=2000; STORE_JOBS=30000; SCALE_ROWS=1000000; BULK=100000; BULK_BIG=1000000
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/queuectl-bench.XXXXXX")
export XDG_DATA_HOME=$WORK/data XDG_CACHE_HOME=${XDG_CACHE_HOME:-$HOME/.cache}
# Measured as before the background command server (issue 11; bench/server.sh measures it): none here.
export QUEUECTL_SERVER=off
WORKER_PID=
cleanup() {
  [ -n "$WORKER_PID" ] && kill "$WORKER_PID" 2>/dev/null && wait "$WORKER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

Q="$ROOT/bin/queuectl"
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java # the java bin/queuectl uses
say() { printf '%-58s %s\n' "$1" "$2"; }
now_ns() { date +%s%N; }
ms_since() { echo $(( ($(now_ns) - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100+0.999); if (i<1) i=1; print a[i]}'; }

# time_cmd DB CMD...: wall ms of one run, output discarded
time_cmd() { local db=$1; shift; local t; t=$(now_ns); QUEUECTL_DB=$db "$Q" "$@" >/dev/null 2>&1 </dev/null; ms_since "$t"; }

start_worker() { # DB SLOTS
  QUEUECTL_DB=$1 "$Q" worker start --no-http --count "$2" 2>"$WORK/worker.log" &
  WORKER_PID=$!
  for _ in $(seq 300); do [ -S "$1.sock" ] && return 0; sleep 0.1; done
  echo "worker did not start: $(tail -3 "$WORK/worker.log")" >&2; return 1
}
stop_worker() { # DB
  QUEUECTL_DB=$1 "$Q" worker stop --timeout 120 >/dev/null
  wait "$WORKER_PID" 2>/dev/null || true
  WORKER_PID=
}
wait_completed() { # DB N
  until [ "$(sqlite3 "$1" "SELECT COUNT(*) FROM jobs WHERE state = 'completed'")" -ge "$2" ]; do sleep 0.05; done
}
jsonl() { # N COMMAND > file
  awk -v n="$1" -v c="$2" 'BEGIN {for (i = 0; i < n; i++) printf "{\"command\":\"%s\"}\n", c}'
}

echo "queuectl benchmarks ($([ $QUICK = 1 ] && echo quick || echo full)): $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $("$JAVA" -version 2>&1 | head -1)"
"$Q" --version >/dev/null 2>&1 # builds on first use
command -v sqlite3 >/dev/null || { echo "bench needs the sqlite3 command (apt-get install sqlite3)" >&2; exit 1; }

# 1. one-shot commands, cold (nothing running) and warm (a worker host serves them)
DB=$WORK/oneshot.db
QUEUECTL_DB=$DB "$Q" enqueue '{"id":"seed","command":"echo seeded"}' >/dev/null
cold=$(for _ in $(seq $RUNS); do time_cmd "$DB" status; done | median)
say "cold one-shot status (median of $RUNS)" "${cold} ms"
start_worker "$DB" 1
wait_completed "$DB" 1
for cmd in "enqueue {\"command\":\"true\"}" "status" "list" "show seed" "logs seed" "dlq list" "config get max-retries"; do
  # shellcheck disable=SC2086
  m=$(for _ in $(seq $RUNS); do time_cmd "$DB" $cmd; done | median)
  say "warm one-shot ${cmd%% \{*} (median of $RUNS; target <= 100)" "${m} ms"
done

# 2. pickup latency: enqueue returns -> the job's first instruction runs
rm -f "$WORK"/lat.*
for i in $(seq $LAT_JOBS); do
  t=$(now_ns)
  QUEUECTL_DB=$DB "$Q" enqueue "{\"command\":\"date +%s%N > $WORK/lat.$i\"}" >/dev/null
  e=$(now_ns)
  until [ -s "$WORK/lat.$i" ]; do sleep 0.005; done
  echo $(( ($(cat "$WORK/lat.$i") - e) / 1000000 ))
done > "$WORK/latencies"
say "pickup p50 (target <= 10)" "$(pct 50 < "$WORK/latencies") ms"
say "pickup p95 (target <= 50)" "$(pct 95 < "$WORK/latencies") ms"
ticks() { awk '{print $14 + $15}' "/proc/$WORKER_PID/stat"; }
t0=$(ticks); sleep 10; t1=$(ticks)
say "idle worker host CPU over 10 s (target < 1%)" "$(awk -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f%%", (b - a) / hz / 10 * 100}')"
stop_worker "$DB"

# 3. throughput against xargs, and 7. memory of an 8-slot host
throughput() { # SLOTS JOBS COMMAND LABEL
  local db=$WORK/tp-$1.db
  jsonl "$2" "$3" > "$WORK/tp.jsonl"
  QUEUECTL_DB=$db "$Q" enqueue --file "$WORK/tp.jsonl" >/dev/null
  start_worker "$db" "$1"
  local t; t=$(now_ns); wait_completed "$db" "$2"
  local secs; secs=$(sqlite3 "$db" "SELECT (MAX(finished_at) - MIN(started_at)) / 1000.0 FROM jobs")
  local rss; rss=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$WORKER_PID/status")
  stop_worker "$db"
  local x0; x0=$(now_ns)
  # shellcheck disable=SC2016
  seq "$2" | xargs -P "$1" -n 1 sh -c "$3" sh
  local xs; xs=$(awk -v ns=$(( $(now_ns) - x0 )) 'BEGIN {print ns / 1e9}')
  awk -v n="$2" -v q="$secs" -v x="$xs" -v l="$4" 'BEGIN {printf "%-58s %.0f jobs/s vs xargs %.0f/s = %.2fx\n", l, n / q, n / x, (n / q) / (n / x)}'
  say "  worker host peak RSS (target < 256 MiB with 8 slots)" "${rss} MiB"
}
throughput 2 "$TP_JOBS" "true" "$TP_JOBS x true, 2 slots (target >= 0.8x)"
throughput 8 "$TP8_JOBS" "sleep 0.05" "$TP8_JOBS x sleep 0.05, 8 slots (target >= 0.9x)"

# 4./5. store: claim+complete without spawning, empty and with SCALE_ROWS completed jobs
CP_FILE=$WORK/cp.txt
./mvnw -q -B -o dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test >/dev/null 2>&1 \
  || ./mvnw -q -B dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test >/dev/null
[ -d target/test-classes/dev ] || ./mvnw -q -B test-compile >/dev/null
CP="target/classes:target/test-classes:$(cat "$CP_FILE")"
store_bench() { "$JAVA" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$CP" dev.queuectl.worker.StoreBench "$@" 2>/dev/null; }
for slots in 2 8 16; do
  store_bench "$STORE_JOBS" "$slots"
done
# empty vs SCALE_ROWS, alternating 5 times: one run moves by up to 30% on a shared machine
store_rate() { store_bench "$@" | awk '{print int($(NF-1))}'; }
empty=(); full=()
for _ in 1 2 3 4 5; do
  empty+=("$(store_rate "$STORE_JOBS" 8)")
  full+=("$(store_rate "$STORE_JOBS" 8 "$SCALE_ROWS")")
done
e=$(printf '%s\n' "${empty[@]}" | median); f=$(printf '%s\n' "${full[@]}" | median)
say "store, 8 slots, with $SCALE_ROWS jobs vs empty (target within 10%)" \
  "$f vs $e cycles/s = $(awk -v f="$f" -v e="$e" 'BEGIN {printf "%.2fx", f / e}') (medians of ${full[*]} / ${empty[*]})"

# 5. status with SCALE_ROWS jobs, in a running process (warm path)
DB=$WORK/scale.db
QUEUECTL_DB=$DB "$Q" status >/dev/null
sqlite3 "$DB" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $SCALE_ROWS)
  INSERT INTO jobs (id, command, state, max_retries, run_at, working_dir, created_at, updated_at, attempts)
  SELECT 'old-' || i, 'true', CASE WHEN i % 100 = 0 THEN 'dead' ELSE 'completed' END, 3, i, '/tmp', i, i, 1 FROM n;"
start_worker "$DB" 1
m=$(for _ in $(seq $RUNS); do time_cmd "$DB" status; done | median)
say "warm status with $SCALE_ROWS jobs (target <= 200)" "${m} ms"
stop_worker "$DB"

# 6. bulk enqueue from JSON Lines: a cold process (JVM start included), then served by a worker host
DB=$WORK/bulk.db
jsonl "$BULK" "true" > "$WORK/bulk.jsonl"
QUEUECTL_DB=$DB "$Q" status >/dev/null
t=$(now_ns); QUEUECTL_DB=$DB "$Q" enqueue --file "$WORK/bulk.jsonl" >/dev/null; ms=$(ms_since "$t")
say "enqueue --file $BULK jobs, cold process (start-up included)" "$(( BULK * 1000 / (ms > 0 ? ms : 1) )) jobs/s (${ms} ms)"
DB=$WORK/bulk-big.db
jsonl "$BULK_BIG" "true" > "$WORK/bulk-big.jsonl"
QUEUECTL_DB=$DB "$Q" status >/dev/null
t=$(now_ns); QUEUECTL_DB=$DB "$Q" enqueue --file "$WORK/bulk-big.jsonl" >/dev/null; ms=$(ms_since "$t")
say "enqueue --file $BULK_BIG jobs, cold process (target >= 50,000/s)" "$(( BULK_BIG * 1000 / (ms > 0 ? ms : 1) )) jobs/s (${ms} ms)"
rm -f "$WORK/bulk-big.jsonl" "$DB"*
DB=$WORK/bulk2.db
QUEUECTL_DB=$DB "$Q" config set max-retries 3 >/dev/null
QUEUECTL_DB=$DB "$Q" worker start --no-http --queue none-such 2>"$WORK/worker.log" &
WORKER_PID=$!
for _ in $(seq 300); do [ -S "$DB.sock" ] && break; sleep 0.1; done
t=$(now_ns); QUEUECTL_DB=$DB "$Q" enqueue --file "$WORK/bulk.jsonl" >/dev/null; ms=$(ms_since "$t")
say "enqueue --file $BULK jobs, warm (target >= 50,000/s)" "$(( BULK * 1000 / (ms > 0 ? ms : 1) )) jobs/s (${ms} ms)"
stop_worker "$DB"
