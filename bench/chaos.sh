#!/usr/bin/env bash
# Chaos benchmark: faults are injected while worker hosts run jobs, until every job is terminal;
# then the queue's records and a ledger the jobs wrote themselves tell whether at-least-once
# delivery held: no job lost, every extra run explained by a lease the queue took back (a lost
# attempt), stale results of a host that lost its lease rejected, and no job process outliving
# its host. A script, not a test: it measures, and exits 1 when it finds a defect (lost > 0,
# unexplained > 0 or orphans > 0). docs/reliability.md publishes its matrix.
#   bench/chaos.sh [--quick] [--backend sqlite|postgres] [--fault kill|pause|restart|partition]
#                  [--hosts N] [--jobs M] [--every S] [--outage S] [--slots K] [--time-limit S] [--seed X]
# The faults (--every S: the period of kills; for the others, S s of calm between one fault's end
# and the next one's start; --outage S: how long a pause, partition or restart lasts):
#   kill       a random host that is up gets SIGKILL (its JVM) and is replaced at once
#   pause      a random host's JVM gets SIGSTOP for longer than the lease, then SIGCONT: its jobs are
#              taken back by the others, and what it reports on waking must be rejected (fencing)
#   restart    PostgreSQL only: a private cluster (started by this script on a free port, never the
#              shared server) is stopped (-m immediate and -m fast in turn) and started again
#   partition  PostgreSQL only: every host reaches the database through a loopback TCP proxy of its
#              own (bench/freezeproxy.py); a random host's proxy freezes (forwards nothing, keeps
#              every connection open) for longer than the lease, then resumes
# A SQLite file has no server to restart and no network to partition: sqlite takes kill and pause.
#   bench/chaos.sh --quick    3 hosts, 300 jobs (600 for pause/partition), small: CI runs three rows
# Each job appends "<id> <token> start <ms>" and, after a random sleep of 0-300 ms,
# "<id> <token> end <ms>" to the ledger under flock; <token> is unique per execution.
# Uses a throwaway queue (SQLite: under a temporary directory; PostgreSQL: a database created on
# PGHOST:PGPORT, default 127.0.0.1:5432, user postgres, dropped after) and never the user's queue.
# Every process it starts carries QCTL_CHAOS=<run>/<host> in its environment (jobs inherit it from
# their host: a job inherits no QUEUECTL_* variable), which is how stragglers and orphans are found
# and, on exit, cleaned up.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. "$ROOT/bench/lib.sh"

usage() { echo "usage: bench/chaos.sh [--quick] [--backend sqlite|postgres] [--fault kill|pause|restart|partition] [--hosts N] [--jobs M] [--every S] [--outage S] [--slots K] [--time-limit S] [--seed X]" >&2; exit 2; }
QUICK=0 BACKEND=sqlite FAULT=kill
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
  --quick) QUICK=1 ;;
  --backend) BACKEND=${args[i + 1]:-} ;;
  --fault) FAULT=${args[i + 1]:-} ;;
  esac
done
case $BACKEND in sqlite | postgres) ;; *) usage ;; esac
case $FAULT in kill | pause | restart | partition) ;; *) usage ;; esac
if [ "$BACKEND" = sqlite ] && { [ "$FAULT" = restart ] || [ "$FAULT" = partition ]; }; then
  echo "chaos: --fault $FAULT needs --backend postgres: a SQLite file has no server to restart and no network to partition" >&2
  exit 2
fi
# defaults: full size, then --quick
SLOTS=2 OUTAGE=0 SEED=
# (kills every 4 s: on a 2-core machine shared by several people a JVM took 3-10 s to start, and
# a kill every 2 s left most hosts booting; 3000 jobs then took longer than 9 minutes)
case $FAULT in
kill) HOSTS=4 JOBS=2000 EVERY=4 TIME_LIMIT=540 ;;
pause | partition) HOSTS=4 JOBS=2000 EVERY=10 OUTAGE=8 TIME_LIMIT=540 ;; # lease-timeout 5 s
restart) HOSTS=4 JOBS=2000 EVERY=10 OUTAGE=3 TIME_LIMIT=540 ;;
esac
if [ $QUICK = 1 ]; then
  case $FAULT in
  kill) HOSTS=3 JOBS=300 EVERY=3 TIME_LIMIT=100 ;;
  pause | partition) HOSTS=3 JOBS=600 EVERY=3 OUTAGE=7 TIME_LIMIT=120 ;;
  restart) HOSTS=3 JOBS=300 EVERY=4 OUTAGE=2 TIME_LIMIT=120 ;;
  esac
fi
while [ $# -gt 0 ]; do
  case $1 in
  --quick) ;;
  --backend | --fault) shift ;;
  --hosts | --jobs | --every | --kill-every | --outage | --slots | --time-limit | --seed)
    [ $# -ge 2 ] && [[ $2 =~ ^[0-9]+$ ]] || usage
    case $1 in
    --hosts) HOSTS=$2 ;; --jobs) JOBS=$2 ;; --every | --kill-every) EVERY=$2 ;; --outage) OUTAGE=$2 ;;
    --slots) SLOTS=$2 ;; --time-limit) TIME_LIMIT=$2 ;; --seed) SEED=$2 ;;
    esac
    shift ;;
  *) usage ;;
  esac
  shift
done
[ "$HOSTS" -ge 1 ] && [ "$JOBS" -ge 1 ] && [ "$EVERY" -ge 1 ] && [ "$SLOTS" -ge 1 ] || usage
[ "$FAULT" = kill ] || [ "$OUTAGE" -ge 1 ] || usage
[ -n "$SEED" ] || SEED=$(( $$ * 7919 + ${EPOCHSECONDS:-0} % 100000 ))
RANDOM=$SEED

command -v sqlite3 >/dev/null || { echo "chaos needs the sqlite3 command (apt-get install sqlite3)" >&2; exit 1; }
for c in flock pgrep ps; do
  command -v $c >/dev/null || { echo "chaos needs the $c command (util-linux, procps)" >&2; exit 1; }
done
if [ "$BACKEND" = postgres ]; then
  for c in psql createdb; do
    command -v $c >/dev/null || { echo "chaos needs the $c command (postgresql-client)" >&2; exit 1; }
  done
fi
[ "$FAULT" != partition ] || command -v python3 >/dev/null || { echo "chaos --fault partition needs python3 (its proxy)" >&2; exit 1; }
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ "$FAULT" != restart ] || [ -x "$PG_BIN/pg_ctl" ] || { echo "chaos --fault restart needs PostgreSQL's server binaries (initdb, pg_ctl; set PG_BIN)" >&2; exit 1; }

RUN=$$-$RANDOM
MARK=queuectl-chaos-$RUN
WORK=$(mktemp -d "${TMPDIR:-/tmp}/queuectl-chaos.XXXXXX")
export XDG_DATA_HOME=$WORK/data XDG_CACHE_HOME=${XDG_CACHE_HOME:-$HOME/.cache}
export QUEUECTL_SERVER=off # no background command server: it would outlive the run
LEDGER=$WORK/ledger
Q="$ROOT/bin/queuectl"

declare -A HOST_PID=() # host number -> JVM pid, live hosts only
declare -A PROXY_PID=() # host number -> its proxy's pid (partition)
declare -A PROXY_PORT=()
HOST_SEQ=0
PG_NAME= PG_DIR= PG_PORT= PG_UP=0

now_ms() { local t=${EPOCHREALTIME/./}; echo $(( t / 1000 )); }
# pids of processes whose environment holds QCTL_CHAOS=<what> (a grep -x pattern)
tagged() { { grep -zlx -- "QCTL_CHAOS=$1" /proc/[0-9]*/environ 2>/dev/null || true; } | awk -F/ '{print $3}'; }
describe() { # PIDS...: one line each
  local p; for p in "$@"; do ps -o pid=,pgid=,stat=,args= -p "$p" 2>/dev/null || true; done
}
as_postgres() { # the server binaries refuse root: run them as the postgres user then
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
pg_ctl_() { as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" "$@"; }

cleanup() {
  local p pids
  for p in "${HOST_PID[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  for p in "${HOST_PID[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=$(tagged "$RUN/[0-9]*")
  [ -n "$pids" ] && { kill -KILL $pids 2>/dev/null || true; }
  for p in "${PROXY_PID[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  if [ -n "$PG_DIR" ]; then
    pg_ctl_ stop -m immediate -w >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  elif [ -n "$PG_NAME" ]; then
    dropdb -h "$PG_HOST" -p "$PG_PORT" -U postgres --if-exists --force "$PG_NAME" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# The queue: a file, or a throwaway database on the shared server, or (restart) on a private cluster.
if [ "$BACKEND" = sqlite ]; then
  DB=$WORK/queue.db
  sql() { sqlite3 -cmd '.timeout 10000' "$DB" "$@"; }
else
  PG_HOST=${PGHOST:-127.0.0.1} PG_PORT=${PGPORT:-5432}
  if [ "$FAULT" = restart ]; then
    PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/queuectl-chaos-pg.XXXXXX")
    [ "$(id -u)" = 0 ] && chown postgres: "$PG_DIR"
    PG_HOST=127.0.0.1
    PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
      || echo $(( 20000 + RANDOM % 20000 )))
    as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres >"$WORK/initdb.log" 2>&1 \
      || { cat "$WORK/initdb.log" >&2; echo "chaos: initdb failed" >&2; exit 1; }
    pg_ctl_ -l "$PG_DIR/server.log" -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1" -w start >/dev/null \
      || { cat "$PG_DIR/server.log" >&2; echo "chaos: the private cluster did not start" >&2; exit 1; }
    PG_UP=1
  fi
  PG_NAME=queuectl_chaos_$$_$RANDOM
  createdb -h "$PG_HOST" -p "$PG_PORT" -U postgres "$PG_NAME"
  DB=postgresql://postgres@$PG_HOST:$PG_PORT/$PG_NAME
  sql() { psql -X -Atq -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }
fi

start_host() {
  local n=$(( ++HOST_SEQ )) db=$DB
  if [ "$FAULT" = partition ]; then # a proxy of its own between the host and the server
    python3 "$ROOT/bench/freezeproxy.py" "$PG_HOST" "$PG_PORT" "$WORK/proxy-$n.port" 2>"$WORK/proxy-$n.log" &
    PROXY_PID[$n]=$!
    for _ in $(seq 100); do [ -s "$WORK/proxy-$n.port" ] && break; sleep 0.05; done
    PROXY_PORT[$n]=$(cat "$WORK/proxy-$n.port")
    db=postgresql://postgres@127.0.0.1:${PROXY_PORT[$n]}/$PG_NAME
  fi
  QCTL_CHAOS=$RUN/$n "$Q" --db "$db" worker start --count "$SLOTS" --no-http \
    </dev/null >/dev/null 2>"$WORK/host-$n.log" &
  HOST_PID[$n]=$! # the launcher execs java: this is the JVM
  echo "$n ${HOST_PID[$n]}" >>"$WORK/hosts"
}

echo "queuectl chaos: fault $FAULT on $BACKEND$([ -n "$PG_DIR" ] && echo " (a private cluster on port $PG_PORT)"), $HOSTS hosts x $SLOTS slots, $JOBS jobs, $( [ "$FAULT" = kill ] && echo "a kill every ${EVERY} s" || echo "faults of ${OUTAGE} s, ${EVERY} s apart"), time limit ${TIME_LIMIT} s, seed $SEED; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$Q" --version >/dev/null # builds and trains the start-up archive on first use, outside the timing

# The queue: leases expire as soon as the setting allows, so a faulted host's jobs come back fast.
"$Q" --db "$DB" config set lease-timeout 5s >/dev/null
"$Q" --db "$DB" config set max-retries 10 >/dev/null
: >"$LEDGER"
: >"$WORK/faulted" # the worker ids of the hosts a fault hit
: >"$WORK/faults"  # n start-ms end-ms: each fault
: >"$WORK/held"    # n job-id: the jobs the faulted hosts held when fault n began
: >"$WORK/hosts"   # n pid: each host started
awk -v n="$JOBS" -v seed="$SEED" -v mark="$MARK" -v ledger="$LEDGER" 'BEGIN {
  srand(seed)
  for (i = 1; i <= n; i++) {
    id = sprintf("j%06d", i)
    c = ": " mark "; t=$(date +%s%3N); h=${QCTL_CHAOS##*/}; exec 9>>" ledger "; flock 9; echo " id " $$.$t start $t $h >&9; flock -u 9; "
    c = c sprintf("sleep %.3f", rand() * 0.3) "; flock 9; echo " id " $$.$t end $(date +%s%3N) $h >&9"
    printf "{\"id\":\"%s\",\"command\":\"%s\",\"max_retries\":10}\n", id, c
  }
}' >"$WORK/jobs.jsonl"

T0=$(now_ms)
for _ in $(seq "$HOSTS"); do start_host; done
for _ in $(seq 600); do [ "$(sql "SELECT COUNT(*) FROM workers")" -ge 1 ] && break; sleep 0.1; done
T_ENQ=$(now_ms)
"$Q" --db "$DB" enqueue --file "$WORK/jobs.jsonl" >/dev/null
echo "hosts up after $(( T_ENQ - T0 )) ms; $JOBS jobs enqueued"

# The faults. Kills: one random live host every EVERY s, replaced at once; each killed host's
# processes (its spawners and the jobs they ran) are watched until they are gone. Pauses and
# partitions: one random host at a time, for OUTAGE s. Restarts: the whole cluster, for OUTAGE s.
FAULTS=0 FAULT_WAIT=0 HELD=0 STRAGGLE_MAX=0 ORPHANS=0 TIMED_OUT=0 HOST_EXITS=0
STALLS=0 C_START=0 FAULT_ON=0 FAULT_START=0 FAULT_DUE_END=0 VICTIM= RESTART_MODE=immediate
ORPHAN_LINES=()
RECOVERY=() # ms from each fault's end to the first job the database records completed after it
WATCH_T=() WATCH_C=() # pending: a fault's end and the completed count then
declare -A SLOW=() # host number -> its processes still alive 1 s after its kill (the first 10 such hosts)
declare -A KILLED_AT=() # host number -> kill time, while any of its processes lives
declare -A SEEN=() # host number -> 1 once it was seen registered
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
up_hosts() { # UP: the numbers of the hosts seen registered (a host still starting has claimed
  local n    # nothing; seen once is enough: a host silent past the lease is forgotten for good)
  UP=()
  for n in "${!HOST_PID[@]}"; do
    [ -n "${SEEN[$n]:-}" ] || [ -z "$(sql "SELECT 1 FROM workers WHERE pid = ${HOST_PID[$n]}")" ] || SEEN[$n]=1
    [ -z "${SEEN[$n]:-}" ] || UP+=("$n")
  done
}
note_held() { # WHERE: the jobs held now by the hosts faulted, as fault FAULTS+1's
  local f=$(( FAULTS + 1 )) ids
  ids=$(sql "SELECT id FROM jobs WHERE state = 'processing' AND $1")
  [ -n "$ids" ] && sed "s/^/$f /" <<<"$ids" >>"$WORK/held"
  HELD=$(( HELD + $(grep -c . <<<"$ids" || true) ))
}
begin_fault() { # false when no host is up yet
  local n pid
  C_START=$(sql "SELECT COUNT(*) FROM jobs WHERE state = 'completed'" 2>/dev/null || echo 0)
  if [ "$FAULT" = restart ]; then # every host registered first: none must start during the outage
    for n in "${!HOST_PID[@]}"; do # (seen once is enough: a host silent past the lease is forgotten)
      [ -n "${SEEN[$n]:-}" ] || [ -z "$(sql "SELECT 1 FROM workers WHERE pid = ${HOST_PID[$n]}")" ] || SEEN[$n]=1
      [ -n "${SEEN[$n]:-}" ] || return 1
    done
    sql "SELECT id FROM workers" >>"$WORK/faulted"
    note_held "1 = 1"
    FAULT_START=$(now_ms)
    pg_ctl_ stop -m "$RESTART_MODE" -w >/dev/null
    PG_UP=0
    RESTART_MODE=$([ "$RESTART_MODE" = immediate ] && echo fast || echo immediate)
  else
    up_hosts
    [ ${#UP[@]} -gt 0 ] || return 1
    n=${UP[RANDOM % ${#UP[@]}]}
    pid=${HOST_PID[$n]}
    FAULT_START=$(now_ms)
    case $FAULT in
    kill) kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; KILLED_AT[$n]=$(now_ms) ;; # (waited at once: no "Killed" notice)
    pause) kill -STOP "$pid" ;;
    partition) kill -USR1 "${PROXY_PID[$n]}" ;;
    esac
    # what it held, read once it can change nothing more (read before, a job it claimed meanwhile
    # would be missed); its row stays until another host forgets it
    sql "SELECT id FROM workers WHERE pid = $pid" >>"$WORK/faulted"
    note_held "worker_id IN (SELECT id FROM workers WHERE pid = $pid)"
    if [ "$FAULT" = kill ]; then
      unset "HOST_PID[$n]"
      start_host
    fi
    VICTIM=$n
  fi
  FAULTS=$(( FAULTS + 1 ))
  FAULT_ON=1
  FAULT_DUE_END=$(( FAULT_START + OUTAGE * 1000 ))
}
end_fault() {
  case $FAULT in
  pause) kill -CONT "${HOST_PID[$VICTIM]}" 2>/dev/null || true ;;
  partition) kill -USR2 "${PROXY_PID[$VICTIM]}" 2>/dev/null || true ;;
  restart)
    pg_ctl_ -l "$PG_DIR/server.log" -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1" -w start >/dev/null
    PG_UP=1 ;;
  esac
  local t c
  t=$(now_ms)
  echo "$FAULTS $FAULT_START $t" >>"$WORK/faults"
  FAULT_ON=0
  for _ in $(seq 50); do c=$(sql "SELECT COUNT(*) FROM jobs WHERE state = 'completed'" 2>/dev/null) && break; sleep 0.1; done
  WATCH_T+=("$t") WATCH_C+=("${c:-0}")
  [ "$FAULT" = kill ] || [ "${c:-0}" -gt "$C_START" ] || STALLS=$(( STALLS + 1 ))
}
replace_dead() { # a host that exited by itself (not killed by this script): noted and replaced
  local n p st
  [ "$PG_UP" = 1 ] || [ -z "$PG_DIR" ] || return 0 # after the cluster is back
  for n in "${!HOST_PID[@]}"; do
    p=${HOST_PID[$n]} st=
    read -r _ _ st _ <"/proc/$p/stat" 2>/dev/null || true
    if [ -z "$st" ] || [ "$st" = Z ]; then
      wait "$p" 2>/dev/null || true
      echo "host $n (pid $p) exited by itself: $(tail -1 "$WORK/host-$n.log")" >&2
      HOST_EXITS=$(( HOST_EXITS + 1 ))
      KILLED_AT[$n]=$(now_ms)
      unset "HOST_PID[$n]"
      start_host
    fi
  done
}
# A fault is due EVERY s after the last one (kills) or after the last one's end (the others), and
# happens as soon as a host is up: on a loaded machine a JVM may take longer than that to start,
# and faulting hosts that never ran a job would test nothing but stall the queue.
DEADLINE=$(( T_ENQ + TIME_LIMIT * 1000 ))
NEXT_FAULT=$(( T_ENQ + EVERY * 1000 ))
while :; do
  t=$(now_ms)
  if [ "$FAULT_ON" = 1 ] && { [ "$t" -ge "$FAULT_DUE_END" ] || [ "$t" -ge "$DEADLINE" ]; }; then
    end_fault
    t=$(now_ms)
    [ "$FAULT" = kill ] || NEXT_FAULT=$(( t + EVERY * 1000 ))
  fi
  left= done_now=
  if [ "$PG_UP" = 1 ] || [ -z "$PG_DIR" ]; then
    IFS='|' read -r left done_now <<<"$(sql "SELECT SUM(CASE WHEN state NOT IN ('completed', 'dead') THEN 1 ELSE 0 END),
      SUM(CASE WHEN state = 'completed' THEN 1 ELSE 0 END) FROM jobs" 2>/dev/null || true)"
  fi
  if [ -n "$done_now" ]; then
    for i in "${!WATCH_T[@]}"; do
      if [ "$done_now" -gt "${WATCH_C[$i]}" ]; then
        RECOVERY+=($(( t - WATCH_T[i] )))
        unset "WATCH_T[$i]" "WATCH_C[$i]"
      fi
    done
  fi
  [ "$left" = 0 ] && [ "$FAULT_ON" = 0 ] && break
  if [ "$t" -ge "$DEADLINE" ] && [ "$FAULT_ON" = 0 ]; then TIMED_OUT=1; break; fi
  if [ "$FAULT_ON" = 0 ] && [ "$t" -ge "$NEXT_FAULT" ] && [ "$t" -lt "$DEADLINE" ] && begin_fault; then
    FAULT_WAIT=$(( FAULT_WAIT + t - NEXT_FAULT ))
    [ "$FAULT" = kill ] && { end_fault; NEXT_FAULT=$(( t + EVERY * 1000 )); }
  fi
  check_killed 0
  replace_dead
  sleep 0.2
done
T_DONE=$(now_ms)
# a live host whose row is gone (forgotten after a silence longer than the lease) is invisible to
# `status` and out of reach of `worker stop`
UNREGISTERED=0
for n in "${!HOST_PID[@]}"; do # (registered: its log says it started; a host still starting is not missing)
  grep -q 'worker .* started: ' "$WORK/host-$n.log" && [ -z "$(sql "SELECT 1 FROM workers WHERE pid = ${HOST_PID[$n]}")" ] \
    && UNREGISTERED=$(( UNREGISTERED + 1 ))
done
LIVE=${#HOST_PID[@]}

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
# The queue's two tables, as sqlite3 reads them: the file itself, or a copy of PostgreSQL's.
if [ "$BACKEND" = sqlite ]; then
  QDB=$DB
else
  QDB=$WORK/copy.db
  sqlite3 "$QDB" "CREATE TABLE jobs (id TEXT, state TEXT, attempts INTEGER, last_error TEXT, created_at INTEGER, finished_at INTEGER);
    CREATE TABLE job_runs (id INTEGER, job_id TEXT, attempt INTEGER, worker_id TEXT, started_at INTEGER, finished_at INTEGER,
      exit_code INTEGER, outcome TEXT, error TEXT)"
  sql "\\copy (SELECT id, state, attempts, last_error, created_at, finished_at FROM jobs) TO '$WORK/jobs.csv' WITH (FORMAT csv)"
  sql "\\copy (SELECT id, job_id, attempt, worker_id, started_at, finished_at, exit_code, outcome, error FROM job_runs) TO '$WORK/runs.csv' WITH (FORMAT csv)"
  sqlite3 "$QDB" ".import --csv '$WORK/jobs.csv' jobs" ".import --csv '$WORK/runs.csv' job_runs" \
    "UPDATE jobs SET last_error = NULLIF(last_error, ''), finished_at = NULLIF(finished_at, '');
     UPDATE job_runs SET worker_id = NULLIF(worker_id, ''), finished_at = NULLIF(finished_at, ''),
       exit_code = NULLIF(exit_code, ''), outcome = NULLIF(outcome, ''), error = NULLIF(error, '')"
fi
A=$WORK/analysis.db
sqlite3 "$A" <<EOF2
CREATE TABLE ledger (job TEXT, token TEXT, kind TEXT, ts INTEGER, host INTEGER);
CREATE TABLE hosts (n INTEGER, pid INTEGER);
CREATE TABLE faulted (worker_id TEXT);
CREATE TABLE faults (n INTEGER, start INTEGER, "end" INTEGER);
CREATE TABLE held (n INTEGER, job TEXT);
.mode list
.separator " "
.import '$LEDGER' ledger
.import '$WORK/faulted' faulted
.import '$WORK/faults' faults
.import '$WORK/held' held
.import '$WORK/hosts' hosts
EOF2
an() { sqlite3 -cmd '.timeout 10000' -cmd "ATTACH '$QDB' AS q" "$A" "$@"; }
an >/dev/null <<'EOF2'
-- each start mapped to the run it executed: the latest run of the job claimed before it by the host
-- that ran it (the ledger names the host; a worker id holds its pid), else the run whose window
-- (claimed .. recorded) holds it
CREATE TABLE starts AS
  SELECT l.job, l.token, l.ts,
         COALESCE((SELECT r.id FROM q.job_runs r JOIN hosts h ON h.n = l.host
                   WHERE r.job_id = l.job AND r.worker_id LIKE '%:' || h.pid || ':%' AND r.started_at <= l.ts
                   ORDER BY r.started_at DESC LIMIT 1),
                  (SELECT r.id FROM q.job_runs r WHERE r.job_id = l.job AND r.started_at <= l.ts
                   AND l.ts <= COALESCE(r.finished_at, 9e18) ORDER BY r.started_at DESC LIMIT 1)) AS run_id
  FROM ledger l WHERE l.kind = 'start';
-- executions that began after the queue had taken their attempt back (the host did not know yet)
CREATE TABLE late AS
  SELECT s.* FROM starts s JOIN q.job_runs r ON r.id = s.run_id WHERE r.outcome = 'lost' AND s.ts > r.finished_at;
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
-- per fault: from its start until the queue had taken back the last job the hit hosts held then
CREATE TABLE taken_back AS
  SELECT f.n, MAX(r.finished_at) - f.start AS ms, COUNT(*) AS jobs FROM faults f JOIN held h ON h.n = f.n
  JOIN q.job_runs r ON r.job_id = h.job AND r.outcome = 'lost' AND r.started_at <= f.start AND r.finished_at >= f.start
  GROUP BY f.n;
EOF2
LOST=$(an "SELECT COUNT(*) FROM lost")
DUPS=$(an "SELECT COUNT(*) FROM dup")
UNEXPLAINED=$(an "SELECT COUNT(*) FROM unexplained")
EXPLAINED=$(( DUPS - UNEXPLAINED ))
LATE=$(an "SELECT COUNT(*) FROM late")
STALE=$(cat "$WORK"/host-*.log | grep -c 'lease was taken over; result dropped' || true)
IFS='|' read -r COMPLETED DEAD <<<"$(an "SELECT SUM(state = 'completed'), SUM(state = 'dead') FROM q.jobs")"
IFS='|' read -r R_DONE R_LOST R_OTHER MAX_ATT <<<"$(an "SELECT SUM(outcome = 'completed'), SUM(outcome = 'lost'),
  SUM(outcome NOT IN ('completed', 'lost')), MAX(attempt) FROM q.job_runs")"
IFS='|' read -r L_START L_END <<<"$(an "SELECT SUM(kind = 'start'), SUM(kind = 'end') FROM ledger")"
Q_SECS=$(an "SELECT (MAX(finished_at) - MIN(created_at)) / 1000.0 FROM q.jobs WHERE finished_at IS NOT NULL")
secs() { awk -v ms="${1:-}" 'BEGIN { if (ms == "") print "-"; else printf "%.1f s", ms / 1000 }'; }
REC_MED=$(printf '%s\n' "${RECOVERY[@]}" | grep . | pct 50 || true)
REC_MAX=$(printf '%s\n' "${RECOVERY[@]}" | grep . | pct 100 || true)
BACK_MED=$(an "SELECT ms FROM taken_back" | pct 50 || true)
BACK_MAX=$(an "SELECT ms FROM taken_back" | pct 100 || true)
FAULT_MS=$(an "SELECT AVG(\"end\" - start) FROM faults")
case $FAULT in kill) WHAT=kills ;; pause) WHAT=pauses ;; restart) WHAT=restarts ;; partition) WHAT=partitions ;; esac

printf 'chaos: %s on %s, %d hosts, %d jobs, %d %s: lost %d, duplicates %d (explained %d), unexplained %d, stale results rejected %d, orphans %d\n' \
  "$FAULT" "$BACKEND" "$HOSTS" "$JOBS" "$FAULTS" "$WHAT" "$LOST" "$DUPS" "$EXPLAINED" "$UNEXPLAINED" "$STALE" "$ORPHANS"
awk -v w=$(( T_END - T0 )) -v d=$(( T_DONE - T_ENQ )) -v q="${Q_SECS:-0}" -v n="$JOBS" 'BEGIN {
  printf "  wall %.1f s in all; enqueue to every job terminal %.1f s; %.1f jobs/s (%d jobs / %.1f s, first enqueued to last finished)\n", w / 1000, d / 1000, (q > 0 ? n / q : 0), n, q }'
echo "  jobs: ${COMPLETED:-0} completed, ${DEAD:-0} dead$([ $TIMED_OUT = 1 ] && echo ", time limit of ${TIME_LIMIT} s reached")"
echo "  runs recorded: ${R_DONE:-0} completed, ${R_LOST:-0} lost (taken back after a fault), ${R_OTHER:-0} other; highest attempt ${MAX_ATT:-0}"
echo "  leases taken from hosts no fault hit (a stall longer than lease-timeout): $(an "SELECT COUNT(*) FROM q.job_runs
  WHERE outcome = 'lost' AND worker_id NOT IN (SELECT worker_id FROM faulted)") runs; results rejected because the lease was taken over: $STALE"
echo "  $WHAT: $FAULTS$([ "$FAULT" = kill ] || echo " of $(secs "$FAULT_MS") each on average") (due faults waited $(( FAULT_WAIT / 1000 )) s in all for a host to be up), with $HELD jobs held by the hosts hit"
[ "$FAULT" = kill ] || echo "  $WHAT during which the queue completed no job at all: $STALLS of $FAULTS"
echo "  recovery: the database recorded a job completed $(secs "$REC_MED") (median; worst $(secs "$REC_MAX")) after a fault's end (looked every ~200 ms); the jobs the hit hosts held were taken back by the queue $(secs "$BACK_MED") (median; worst $(secs "$BACK_MAX")) after the fault began ($(an "SELECT COUNT(*) FROM taken_back") faults had such jobs)"
[ "$FAULT" = kill ] && echo "  killed hosts' processes were all gone at most ${STRAGGLE_MAX} ms after a kill (looked for every ~200 ms)"
echo "  ledger: ${L_START:-0} starts, ${L_END:-0} ends ($(an "SELECT COUNT(*) FROM ledger e JOIN starts s ON s.job = e.job AND s.token = e.token
  JOIN q.job_runs r ON r.id = s.run_id WHERE e.kind = 'end' AND r.outcome = 'lost'") of them by an execution whose attempt was recorded lost); executions of one job at once: $(an "SELECT COUNT(*) FROM overlaps"); executions that began after their attempt had been taken back: $LATE"
echo "  live hosts missing from the workers table at the end (forgotten, never registered again): $UNREGISTERED of $LIVE"
echo "  host start-ups: $HOST_SEQ, exits of their own: $HOST_EXITS (logs had $(cat "$WORK"/host-*.log | grep -c ' ERROR ' || true) ERROR lines, $(cat "$WORK"/host-*.log | grep -c ' WARN ' || true) WARN lines)"
# one row of docs/reliability.md's matrix
printf 'matrix: | %s | %s | %d x %d | %d | %d x %s | %s | %d | %d | %d | %d | %d | %s | %s | %d |\n' "$FAULT" "$BACKEND" "$HOSTS" "$SLOTS" "$JOBS" \
  "$FAULTS" "$([ "$FAULT" = kill ] && echo "SIGKILL" || secs "$FAULT_MS")" "$([ "$FAULT" = kill ] && echo - || echo "$STALLS")" "$LOST" "$DUPS" "$EXPLAINED" "$LATE" "$STALE" \
  "$(secs "$REC_MAX")" "$(secs "$BACK_MAX")" "$ORPHANS"

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
if [ -n "${CHAOS_KEEP:-}" ]; then # the logs, for a closer look
  mkdir -p "$CHAOS_KEEP" && cp "$WORK"/host-*.log "$WORK/ledger" "$WORK/faults" "$CHAOS_KEEP/" 2>/dev/null || true
  [ -n "$PG_DIR" ] && cp "$PG_DIR/server.log" "$CHAOS_KEEP/pg-server.log" 2>/dev/null || true
fi
if [ "$LOST" -gt 0 ] || [ "$UNEXPLAINED" -gt 0 ] || [ "$ORPHANS" -gt 0 ]; then
  exit 1
fi
