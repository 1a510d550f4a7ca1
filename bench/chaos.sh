#!/usr/bin/env bash
# Chaos benchmark: worker hosts are killed (SIGKILL, the JVM) while they run jobs, and replaced,
# until every job is terminal; then the queue's records and a ledger the jobs wrote themselves
# tell whether at-least-once delivery held: no job lost, every extra run explained by a lease
# taken back from a killed host, and no job process outliving its host. A script, not a test:
# it measures, and exits 1 when it finds a defect (lost > 0, unexplained > 0 or orphans > 0).
#   bench/chaos.sh [--hosts N] [--jobs M] [--kill-every S] [--slots K] [--time-limit S] [--seed X]
#   bench/chaos.sh --quick    3 hosts, 300 jobs, a kill every 3 s (about a minute; CI runs this)
# Each job appends "<id> <token> start <ms>" and, after a random sleep of 0-300 ms,
# "<id> <token> end <ms>" to the ledger under flock; <token> is unique per execution.
# Uses a throwaway database and data directory under a temporary directory; never the user's queue.
# Every process it starts carries QCTL_CHAOS=<run>/<host> in its environment (jobs inherit it
# from their host), which is how stragglers and orphans are found and, on exit, cleaned up.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

usage() { echo "usage: bench/chaos.sh [--quick] [--hosts N] [--jobs M] [--kill-every S] [--slots K] [--time-limit S] [--seed X]" >&2; exit 2; }
HOSTS=4 JOBS=3000 KILL_EVERY=2 SLOTS=2 TIME_LIMIT=540 SEED=
for a in "$@"; do [ "$a" = --quick ] && HOSTS=3 JOBS=300 KILL_EVERY=3 TIME_LIMIT=100; done
while [ $# -gt 0 ]; do
  case $1 in
  --quick) ;;
  --hosts | --jobs | --kill-every | --slots | --time-limit | --seed)
    [ $# -ge 2 ] && [[ $2 =~ ^[0-9]+$ ]] || usage
    case $1 in
    --hosts) HOSTS=$2 ;; --jobs) JOBS=$2 ;; --kill-every) KILL_EVERY=$2 ;;
    --slots) SLOTS=$2 ;; --time-limit) TIME_LIMIT=$2 ;; --seed) SEED=$2 ;;
    esac
    shift ;;
  *) usage ;;
  esac
  shift
done
[ "$HOSTS" -ge 1 ] && [ "$JOBS" -ge 1 ] && [ "$KILL_EVERY" -ge 1 ] && [ "$SLOTS" -ge 1 ] || usage
[ -n "$SEED" ] || SEED=$(( $$ * 7919 + ${EPOCHSECONDS:-0} % 100000 ))
RANDOM=$SEED

command -v sqlite3 >/dev/null || { echo "chaos needs the sqlite3 command (apt-get install sqlite3)" >&2; exit 1; }
for c in flock pgrep ps; do
  command -v $c >/dev/null || { echo "chaos needs the $c command (util-linux, procps)" >&2; exit 1; }
done

RUN=$$-$RANDOM
MARK=queuectl-chaos-$RUN
WORK=$(mktemp -d "${TMPDIR:-/tmp}/queuectl-chaos.XXXXXX")
export XDG_DATA_HOME=$WORK/data XDG_CACHE_HOME=${XDG_CACHE_HOME:-$HOME/.cache}
DB=$WORK/queue.db
LEDGER=$WORK/ledger
Q="$ROOT/bin/queuectl"

declare -A HOST_PID=() # host number -> JVM pid, live hosts only
HOST_SEQ=0

now_ms() { local t=${EPOCHREALTIME/./}; echo $(( t / 1000 )); }
sql() { sqlite3 -cmd '.timeout 10000' "$DB" "$@"; }
# pids of processes whose environment holds QCTL_CHAOS=<what> (a grep -x pattern)
tagged() { { grep -zlx -- "QCTL_CHAOS=$1" /proc/[0-9]*/environ 2>/dev/null || true; } | awk -F/ '{print $3}'; }
describe() { # PIDS...: one line each
  local p; for p in "$@"; do ps -o pid=,pgid=,stat=,args= -p "$p" 2>/dev/null || true; done
}

cleanup() {
  local p pids
  for p in "${HOST_PID[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  for p in "${HOST_PID[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=$(tagged "$RUN/[0-9]*")
  [ -n "$pids" ] && { kill -KILL $pids 2>/dev/null || true; }
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

start_host() {
  local n=$(( ++HOST_SEQ ))
  QCTL_CHAOS=$RUN/$n "$Q" --db "$DB" worker start --count "$SLOTS" --no-http \
    </dev/null >/dev/null 2>"$WORK/host-$n.log" &
  HOST_PID[$n]=$! # the launcher execs java: this is the JVM
}

echo "queuectl chaos: $HOSTS hosts x $SLOTS slots, $JOBS jobs, a kill every ${KILL_EVERY} s, time limit ${TIME_LIMIT} s, seed $SEED; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$Q" --version >/dev/null # builds and trains the start-up archive on first use, outside the timing

# The queue: leases expire as soon as the setting allows, so killed hosts' jobs come back fast.
"$Q" --db "$DB" config set lease-timeout 5s >/dev/null
"$Q" --db "$DB" config set max-retries 10 >/dev/null
: >"$LEDGER"
: >"$WORK/killed" # the worker ids of the hosts killed
awk -v n="$JOBS" -v seed="$SEED" -v mark="$MARK" -v ledger="$LEDGER" 'BEGIN {
  srand(seed)
  for (i = 1; i <= n; i++) {
    id = sprintf("j%06d", i)
    c = ": " mark "; t=$(date +%s%3N); exec 9>>" ledger "; flock 9; echo " id " $$.$t start $t >&9; flock -u 9; "
    c = c sprintf("sleep %.3f", rand() * 0.3) "; flock 9; echo " id " $$.$t end $(date +%s%3N) >&9"
    printf "{\"id\":\"%s\",\"command\":\"%s\",\"max_retries\":10}\n", id, c
  }
}' >"$WORK/jobs.jsonl"

T0=$(now_ms)
for _ in $(seq "$HOSTS"); do start_host; done
for _ in $(seq 600); do [ -S "$DB.sock" ] && break; sleep 0.1; done
T_ENQ=$(now_ms)
"$Q" --db "$DB" enqueue --file "$WORK/jobs.jsonl" >/dev/null
echo "hosts up after $(( T_ENQ - T0 )) ms; $JOBS jobs enqueued"

# The kills: one random live host every KILL_EVERY s, replaced at once. Each killed host's
# processes (its spawners and the jobs they ran) are watched until they are gone.
KILLS=0 KILL_WAIT=0 IN_FLIGHT=0 STRAGGLE_MAX=0 ORPHANS=0 TIMED_OUT=0
ORPHAN_LINES=()
declare -A SLOW=() # host number -> its processes still alive 1 s after its kill (the first 10 such hosts)
declare -A KILLED_AT=() # host number -> kill time, while any of its processes lives
check_killed() { # FINAL: 1 = the last look, after every host stopped
  local n pids age t
  t=$(now_ms)
  for n in "${!KILLED_AT[@]}"; do
    pids=$(tagged "$RUN/$n")
    age=$(( t - KILLED_AT[$n] ))
    if [ -z "$pids" ]; then
      [ "$1" = 0 ] && [ "$age" -gt "$STRAGGLE_MAX" ] && STRAGGLE_MAX=$age
      unset "KILLED_AT[$n]"
    elif [ "$age" -gt 1000 ] && [ "$1" = 0 ] && [ -z "${SLOW[$n]:-}" ] && [ ${#SLOW[@]} -lt 10 ]; then
      # shellcheck disable=SC2086
      SLOW[$n]=$(describe $pids | sed "s/^/host $n, ${age} ms after its kill: /")
    elif [ "$age" -gt 10000 ] || [ "$1" = 1 ]; then
      # shellcheck disable=SC2086
      while IFS= read -r line; do ORPHAN_LINES+=("host $n ($([ "$1" = 1 ] && echo stopped || echo killed) ${age} ms ago): $line"); done < <(describe $pids)
      ORPHANS=$(( ORPHANS + $(wc -w <<<"$pids") ))
      # shellcheck disable=SC2086
      kill -KILL $pids 2>/dev/null || true
      unset "KILLED_AT[$n]"
    fi
  done
}
kill_one() { # false when no host is up yet (registered: a host still starting has claimed nothing)
  local n pid claimed up=()
  for n in "${!HOST_PID[@]}"; do
    [ -n "$(sql "SELECT 1 FROM workers WHERE pid = ${HOST_PID[$n]}")" ] && up+=("$n")
  done
  [ ${#up[@]} -gt 0 ] || return 1
  n=${up[RANDOM % ${#up[@]}]}
  pid=${HOST_PID[$n]}
  claimed=$(sql "SELECT COUNT(*) FROM jobs j JOIN workers w ON w.id = j.worker_id WHERE w.pid = $pid AND j.state = 'processing'")
  sql "SELECT id FROM workers WHERE pid = $pid" >>"$WORK/killed"
  IN_FLIGHT=$(( IN_FLIGHT + claimed ))
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  KILLED_AT[$n]=$(now_ms)
  unset "HOST_PID[$n]"
  KILLS=$(( KILLS + 1 ))
  start_host
}
# A kill is due KILL_EVERY s after the last one and happens as soon as a host is up: on a loaded
# machine a JVM may take longer than that to start, and killing hosts that never ran a job
# would test nothing but stall the queue.
DEADLINE=$(( T_ENQ + TIME_LIMIT * 1000 ))
NEXT_KILL=$(( T_ENQ + KILL_EVERY * 1000 ))
while :; do
  left=$(sql "SELECT COUNT(*) FROM jobs WHERE state NOT IN ('completed', 'dead')")
  [ "$left" = 0 ] && break
  t=$(now_ms)
  if [ "$t" -ge "$DEADLINE" ]; then TIMED_OUT=1; break; fi
  if [ "$t" -ge "$NEXT_KILL" ] && kill_one; then
    KILL_WAIT=$(( KILL_WAIT + t - NEXT_KILL ))
    NEXT_KILL=$(( t + KILL_EVERY * 1000 ))
  fi
  check_killed 0
  sleep 0.2
done
T_DONE=$(now_ms)

# Stop the hosts gracefully (SIGTERM = worker stop), then look for anything left behind.
for p in "${HOST_PID[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
STOP_DEADLINE=$(( $(now_ms) + 90000 ))
for n in "${!HOST_PID[@]}"; do
  p=${HOST_PID[$n]}
  while kill -0 "$p" 2>/dev/null && [ "$(now_ms)" -lt "$STOP_DEADLINE" ]; do sleep 0.1; done
  kill -0 "$p" 2>/dev/null && { echo "host $n (pid $p) did not stop within 90 s: killed" >&2; kill -KILL "$p" 2>/dev/null || true; }
  wait "$p" 2>/dev/null || true
  unset "HOST_PID[$n]"
done
check_killed 0 # the last kills' stragglers
for n in $(seq "$HOST_SEQ"); do KILLED_AT[$n]=$(now_ms); done # what lives 5 s from now was left behind
for _ in $(seq 50); do
  [ -z "$(tagged "$RUN/[0-9]*")$(pgrep -f -- "$MARK" || true)" ] && break
  sleep 0.1
done
check_killed 1
stray=$(pgrep -f -- "$MARK" || true) # job shells not tagged (cannot happen unless the environment was cleared)
if [ -n "$stray" ]; then
  # shellcheck disable=SC2086
  while IFS= read -r line; do ORPHAN_LINES+=("untagged: $line"); done < <(describe $stray)
  ORPHANS=$(( ORPHANS + $(wc -w <<<"$stray") ))
  # shellcheck disable=SC2086
  kill -KILL $stray 2>/dev/null || true
fi
T_END=$(now_ms)

# --- the report: the queue's records against the ledger -----------------------------------------
A=$WORK/analysis.db
sqlite3 "$A" <<EOF
CREATE TABLE ledger (job TEXT, token TEXT, kind TEXT, ts INTEGER);
CREATE TABLE killed (worker_id TEXT);
.mode list
.separator " "
.import '$LEDGER' ledger
.import '$WORK/killed' killed
EOF
an() { sqlite3 -cmd '.timeout 10000' -cmd "ATTACH '$DB' AS q" "$A" "$@"; }
an >/dev/null <<'EOF'
-- each start mapped to the run of the job whose window (claimed .. recorded) holds it
CREATE TABLE starts AS
  SELECT l.job, l.token, l.ts,
         (SELECT r.id FROM q.job_runs r WHERE r.job_id = l.job AND r.started_at <= l.ts
            AND l.ts <= COALESCE(r.finished_at, 9e18) ORDER BY r.started_at DESC LIMIT 1) AS run_id
  FROM ledger l WHERE l.kind = 'start';
CREATE TABLE per_job AS
  SELECT s.job, COUNT(*) AS starts,
         SUM(r.outcome = 'completed') AS on_completed,
         SUM(r.outcome = 'lost') AS on_lost,
         COUNT(DISTINCT CASE WHEN r.outcome = 'lost' THEN r.id END) AS lost_runs
  FROM starts s LEFT JOIN q.job_runs r ON r.id = s.run_id GROUP BY s.job;
-- two executions of one job at once: a start inside another execution's start..end
CREATE TABLE overlaps AS
  SELECT DISTINCT a.job FROM ledger a JOIN ledger e ON e.job = a.job AND e.token = a.token AND e.kind = 'end'
  JOIN ledger b ON b.job = a.job AND b.kind = 'start' AND b.token <> a.token AND b.ts >= a.ts AND b.ts < e.ts
  WHERE a.kind = 'start';
CREATE TABLE lost AS
  SELECT j.id, j.state FROM q.jobs j
  WHERE j.state <> 'completed' OR NOT EXISTS (SELECT 1 FROM ledger l WHERE l.job = j.id AND l.kind = 'end');
CREATE TABLE dup AS SELECT * FROM per_job WHERE starts > 1;
CREATE TABLE unexplained AS
  SELECT * FROM dup WHERE NOT (on_completed = 1 AND on_lost = starts - 1 AND lost_runs = starts - 1)
                       OR job IN (SELECT job FROM overlaps);
EOF
LOST=$(an "SELECT COUNT(*) FROM lost")
DUPS=$(an "SELECT COUNT(*) FROM dup")
UNEXPLAINED=$(an "SELECT COUNT(*) FROM unexplained")
EXPLAINED=$(( DUPS - UNEXPLAINED ))
IFS='|' read -r COMPLETED DEAD <<<"$(an "SELECT SUM(state = 'completed'), SUM(state = 'dead') FROM q.jobs")"
IFS='|' read -r R_DONE R_LOST R_OTHER MAX_ATT <<<"$(an "SELECT SUM(outcome = 'completed'), SUM(outcome = 'lost'),
  SUM(outcome NOT IN ('completed', 'lost')), MAX(attempt) FROM q.job_runs")"
IFS='|' read -r L_START L_END <<<"$(an "SELECT SUM(kind = 'start'), SUM(kind = 'end') FROM ledger")"
Q_SECS=$(an "SELECT (MAX(finished_at) - MIN(created_at)) / 1000.0 FROM q.jobs WHERE finished_at IS NOT NULL")

printf 'chaos: %d hosts, %d jobs, %d kills: lost %d, duplicates %d (explained %d), unexplained %d, orphans %d\n' \
  "$HOSTS" "$JOBS" "$KILLS" "$LOST" "$DUPS" "$EXPLAINED" "$UNEXPLAINED" "$ORPHANS"
awk -v w=$(( T_END - T0 )) -v d=$(( T_DONE - T_ENQ )) -v q="${Q_SECS:-0}" -v n="$JOBS" 'BEGIN {
  printf "  wall %.1f s in all; enqueue to every job terminal %.1f s; %.1f jobs/s (%d jobs / %.1f s, first enqueued to last finished)\n", w / 1000, d / 1000, (q > 0 ? n / q : 0), n, q }'
echo "  jobs: ${COMPLETED:-0} completed, ${DEAD:-0} dead$([ $TIMED_OUT = 1 ] && echo ", time limit of ${TIME_LIMIT} s reached")"
echo "  runs recorded: ${R_DONE:-0} completed, ${R_LOST:-0} lost (taken back after a kill), ${R_OTHER:-0} other; highest attempt ${MAX_ATT:-0}"
echo "  leases taken from hosts never killed (a stall longer than lease-timeout): $(an "SELECT COUNT(*) FROM q.job_runs
  WHERE outcome = 'lost' AND worker_id NOT IN (SELECT worker_id FROM killed)") runs; results dropped because of it: $(cat "$WORK"/host-*.log | grep -c 'lease was taken over' || true)"
echo "  kills: $KILLS (due kills waited $(( KILL_WAIT / 1000 )) s in all for a host to be up), with $IN_FLIGHT jobs claimed by the killed hosts; their processes were all gone at most ${STRAGGLE_MAX} ms after a kill (looked for every ~200 ms)"
echo "  ledger: ${L_START:-0} starts, ${L_END:-0} ends ($(an "SELECT COUNT(*) FROM ledger e JOIN starts s ON s.job = e.job AND s.token = e.token
  JOIN q.job_runs r ON r.id = s.run_id WHERE e.kind = 'end' AND r.outcome = 'lost'") of them by an execution whose host died before recording it); executions of one job at once: $(an "SELECT COUNT(*) FROM overlaps")"
echo "  host start-ups: $HOST_SEQ (logs had $(cat "$WORK"/host-*.log | grep -c ' ERROR ' || true) ERROR lines)"

show_job() { # ID: its state, ledger lines and runs
  an "SELECT '    job ' || id || ': ' || state || ', attempts ' || attempts || ', last_error ' || IFNULL(last_error, '-') FROM q.jobs WHERE id = '$1'"
  an "SELECT '    ledger: ' || job || ' ' || token || ' ' || kind || ' ' || ts FROM ledger WHERE job = '$1' ORDER BY ts"
  an "SELECT '    run #' || attempt || ' ' || IFNULL(outcome, '-') || ' on ' || IFNULL(worker_id, '-') || ' ' || started_at || '..' ||
        IFNULL(finished_at, '-') || ' exit ' || IFNULL(exit_code, '-') || ' ' || IFNULL(error, '') FROM q.job_runs WHERE job_id = '$1' ORDER BY id"
}
if [ ${#SLOW[@]} -gt 0 ]; then
  echo "  processes alive 1 s after their host's kill:"
  printf '    %s\n' "${SLOW[@]}"
fi
if [ "$LOST" -gt 0 ]; then
  echo "  lost jobs: $(an "SELECT group_concat(n || ' ' || what, ', ') FROM (SELECT COUNT(*) AS n, CASE WHEN state = 'completed'
    THEN 'completed without an end in the ledger' ELSE state END AS what FROM lost GROUP BY what ORDER BY what)")$([ $TIMED_OUT = 1 ] && echo ' (the time limit passed)')"
  echo "  lost jobs (first 20 of $LOST):"
  for id in $(an "SELECT id FROM lost ORDER BY id LIMIT 20"); do show_job "$id"; done
fi
if [ "$UNEXPLAINED" -gt 0 ]; then
  echo "  unexplained duplicates (first 20 of $UNEXPLAINED):"
  for id in $(an "SELECT job FROM unexplained ORDER BY job LIMIT 20"); do show_job "$id"; done
fi
if [ "$ORPHANS" -gt 0 ]; then
  echo "  orphans (killed now):"
  printf '    %s\n' "${ORPHAN_LINES[@]}"
fi
if [ "$LOST" -gt 0 ] || [ "$UNEXPLAINED" -gt 0 ] || [ "$ORPHANS" -gt 0 ]; then
  exit 1
fi
