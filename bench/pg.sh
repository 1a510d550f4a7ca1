#!/usr/bin/env bash
# The PostgreSQL figures of issue 12, each beside its target; where the target is relative to
# SQLite, both are measured side by side in the same run. Benchmarks, not tests.
#   bench/pg.sh           full sizes (a few minutes)
#   bench/pg.sh --quick   small sizes, to keep the script working
#   bench/pg.sh --true    only the 10,000 `true` jobs on 2 slots, SQLite beside PostgreSQL (ROUNDS=N)
# The server: PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres), as psql reads them. Every
# database is a throwaway one (queuectl_bench_*), dropped at the end; never the user's queue.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}

QUICK=0 TRUE_ONLY=0
[ "${1:-}" = "--quick" ] && QUICK=1
[ "${1:-}" = "--true" ] && TRUE_ONLY=1
if [ $QUICK = 1 ]; then
  STORE_JOBS=3000; HOSTS=3; HOST_SLOTS="8"; LAT_JOBS=10; TP_JOBS=300; ROUNDS=1; IDLE_S=5; BACKLOG=10000
else
  STORE_JOBS=60000; HOSTS=3; HOST_SLOTS="8 16"; LAT_JOBS=100; TP_JOBS=10000; ROUNDS=${ROUNDS:-2}; IDLE_S=30; BACKLOG=100000
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/queuectl-pgbench.XXXXXX")
export XDG_DATA_HOME=$WORK/data XDG_CACHE_HOME=${XDG_CACHE_HOME:-$HOME/.cache}
export QUEUECTL_SERVER=off
PIDS=()
DBS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  for d in "${DBS[@]}"; do dropdb --if-exists "$d" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

Q="$ROOT/bin/queuectl"
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
. "$ROOT/bench/lib.sh"
say() { printf '%-62s %s\n' "$1" "$2"; }
jsonl() { awk -v n="$1" -v c="$2" 'BEGIN {for (i = 0; i < n; i++) printf "{\"command\":\"%s\"}\n", c}'; }
# newdb: a new database, named in $DB (not echoed: a $(...) subshell would not record it for cleanup)
newdb() { DB="queuectl_bench_$$_$RANDOM"; createdb "$DB"; DBS+=("$DB"); }
url() { echo "postgresql://$PGUSER@$PGHOST:$PGPORT/$1"; }
sql() { psql -d "$1" -Atqc "$2"; } # DB SQL
rate_sql="SELECT ROUND(COUNT(*) / ((MAX(finished_at) - MIN(started_at)) / 1000.0)) FROM jobs WHERE state = 'completed'"

echo "queuectl PostgreSQL benchmarks ($([ $QUICK = 1 ] && echo quick || echo full)): $(nproc) cores, $(sql postgres 'SELECT version()' | cut -d, -f1), $("$JAVA" -version 2>&1 | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$Q" --version >/dev/null 2>&1 # builds on first use

if [ $TRUE_ONLY = 0 ]; then
# 1. store: claim+complete without spawning, HOSTS processes (each its own JVM and pool) on one database
CP_FILE=$WORK/cp.txt
./mvnw -q -B -o dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test >/dev/null 2>&1 \
  || ./mvnw -q -B dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test >/dev/null
[ -d target/test-classes/dev ] || ./mvnw -q -B test-compile >/dev/null
CP="target/classes:target/test-classes:$(cat "$CP_FILE")"
store_bench() { "$JAVA" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$CP" dev.queuectl.worker.StoreBench "$@" 2>>"$WORK/store.log"; }
for _ in $(seq $ROUNDS); do for slots in $HOST_SLOTS; do
  newdb; db=$DB
  store_bench --db "$(url "$db")" --enqueue 0 # creates the tables
  hosts=()
  for h in $(seq $HOSTS); do store_bench --db "$(url "$db")" --host "$slots" > "$WORK/host.$h" & hosts+=($!); done
  until [ "$(sql "$db" 'SELECT COUNT(*) FROM workers')" -ge $HOSTS ]; do sleep 0.2; done
  store_bench --db "$(url "$db")" --enqueue $STORE_JOBS
  for p in "${hosts[@]}"; do wait "$p"; done
  runs=$(sql "$db" "SELECT COUNT(*) || ' runs of ' || COUNT(DISTINCT job_id) || ' jobs by ' || COUNT(DISTINCT worker_id) || ' hosts' FROM job_runs")
  say "store, $HOSTS hosts x $slots slots, $STORE_JOBS jobs (target >= 10000)" "$(sql "$db" "$rate_sql") cycles/s ($runs; per host: $(cat "$WORK"/host.* | paste -sd/))"
  dropdb "$db"
done; done

# 2. pickup after enqueue returns (woken by NOTIFY), and 4. an idle host's queries and CPU
newdb; db=$DB; U=$(url "$db")
QUEUECTL_DB=$U "$Q" status >/dev/null
QUEUECTL_DB=$U "$Q" worker start --no-http --count 1 2>"$WORK/worker.log" & WPID=$!; PIDS+=($WPID)
until [ "$(sql "$db" 'SELECT COUNT(*) FROM workers')" -ge 1 ]; do sleep 0.1; done
sleep 2
pickup_latencies "$U" "$LAT_JOBS" "$WORK" > "$WORK/latencies"
say "pickup p50 (target <= 10)" "$(pct 50 < "$WORK/latencies") ms"
say "pickup p95 (target <= 50)" "$(pct 95 < "$WORK/latencies") ms"
sleep 3
ticks() { awk '{print $14 + $15}' "/proc/$WPID/stat"; }
commits() { sql postgres "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '$db'"; }
c0=$(commits); t0=$(ticks); sleep "$IDLE_S"; t1=$(ticks); c1=$(commits)
# pg_stat_database is updated by each backend at most once a second: a second more of margin
say "idle host: transactions/s on its database over ${IDLE_S} s" "$(awk -v a="$c0" -v b="$c1" -v s="$IDLE_S" 'BEGIN {printf "%.1f", (b - a) / s}')"
say "idle host: CPU over ${IDLE_S} s (target < 1%)" "$(awk -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" -v s="$IDLE_S" 'BEGIN {printf "%.2f%%", (b - a) / hz / s * 100}')"
# the same idle host beside BACKLOG jobs in a paused queue and BACKLOG due in 2100: its CPU and the
# server's (every postgres process) against the same over an empty queue
server_ticks() { local p t=0; for p in $(pgrep -u postgres -x postgres); do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo $t; }
idle_cpu() { # -> "host% + server%" over IDLE_S s
  local h0 s0 h1 s1; h0=$(ticks); s0=$(server_ticks); sleep "$IDLE_S"; h1=$(ticks); s1=$(server_ticks)
  awk -v h="$((h1 - h0))" -v s="$((s1 - s0))" -v hz="$(getconf CLK_TCK)" -v n="$IDLE_S" \
    'BEGIN {printf "%.2f%% + server %.2f%%", h / hz / n * 100, s / hz / n * 100}'
}
empty=$(idle_cpu)
QUEUECTL_DB=$U "$Q" queue pause held >/dev/null
sql "$db" "INSERT INTO jobs (id, command, state, queue, priority, max_retries, run_at, working_dir, created_at, updated_at)
  SELECT 'held-' || i, 'true', 'pending', 'held', 1, 3, i, '/tmp', i, i FROM generate_series(1, $BACKLOG) i
  UNION ALL SELECT 'later-' || i, 'true', 'pending', 'default', 1, 3, 4102444800000 + i, '/tmp', i, i FROM generate_series(1, $BACKLOG) i"
sql "$db" "VACUUM ANALYZE jobs" # now, not by autovacuum during the measurement
sleep 2
say "idle host CPU, $BACKLOG paused + $BACKLOG delayed jobs vs none" "$(idle_cpu) vs $empty"
QUEUECTL_DB=$U "$Q" worker stop --timeout 60 >/dev/null; wait "$WPID" 2>/dev/null || true; PIDS=()
fi

# 3. TP_JOBS x true on 2 slots: SQLite and PostgreSQL alternately, rate = N / (last finish - first start)
throughput() { # DB-ARG  -> jobs/s
  local d=$1
  jsonl "$TP_JOBS" true > "$WORK/tp.jsonl"
  QUEUECTL_DB=$d "$Q" enqueue --file "$WORK/tp.jsonl" >/dev/null
  QUEUECTL_DB=$d "$Q" worker start --no-http --count 2 2>"$WORK/tp-worker.log" & local p=$!; PIDS+=($p)
  if [[ $d == postgresql://* ]]; then
    local n=${d##*/}
    until [ "$(sql "$n" "SELECT COUNT(*) FROM jobs WHERE state = 'completed'")" -ge "$TP_JOBS" ]; do sleep 0.2; done
    sql "$n" "$rate_sql"
  else
    until [ "$(sqlite3 "$d" "SELECT COUNT(*) FROM jobs WHERE state = 'completed'")" -ge "$TP_JOBS" ]; do sleep 0.2; done
    sqlite3 "$d" "SELECT ROUND(COUNT(*) / ((MAX(finished_at) - MIN(started_at)) / 1000.0)) FROM jobs"
  fi
  QUEUECTL_DB=$d "$Q" worker stop --timeout 60 >/dev/null; wait "$p" 2>/dev/null || true; PIDS=()
}
for r in $(seq $ROUNDS); do
  newdb; s=$(throughput "$WORK/tp-$r.db"); p=$(throughput "$(url "$DB")")
  say "$TP_JOBS x true, 2 slots, round $r (target PG within 15% of SQLite)" "SQLite $s jobs/s, PostgreSQL $p jobs/s = $(awk -v a="$p" -v b="$s" 'BEGIN {printf "%.2fx", a / b}')"
done
