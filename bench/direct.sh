#!/usr/bin/env bash
# The first command with nothing serving its database (issue 30, target <= 5x `java -Xshare:auto
# -version`): `enqueue`, `status`, `list` and `show ID` through bin/queuectl of this clone answered by the native
# client from the database (src/main/c/client-direct.c) against the same commands with
# QUEUECTL_DIRECT=off (the JVM, as before) and `java -Xshare:auto -version`, side by side in ONE
# hyperfine run. No server
# runs (QUEUECTL_SERVER=off through env), so every run is a first command. Prints each median, its
# minimum, its mean CPU (user + system) and the median's ratio to `java -version`.
# Everything runs on a throwaway database and cache; the user's are never touched.
#
# Usage: bench/direct.sh [--quick] [--postgres] > results.md    (progress on stderr, a Markdown report on stdout)
#        --quick: 5 runs a command (CI: keeps the script working)
#        --postgres: a throwaway database on the PostgreSQL server at 127.0.0.1:5432 (user postgres,
#        trust; psql makes and drops it) instead of an SQLite file
# Env:   RUNS (20), BENCH_CACHE (a start-up archive cache to reuse),
#        JOB (the enqueued job's JSON, {"command":"true"}; also the shown job's fields, with id "shown"),
#        e.g. JOB='{"command":"true","tags":["nightly"],"env":{"A":"1"},"timeout":"1h"}'
# Needs hyperfine and python3, and target/queuectl.jar (./mvnw package). Do not run it next to a
# build or another benchmark: on 2 cores that doubles the figures.
set -eu -o pipefail

project=$(readlink -f -- "${BASH_SOURCE[0]}")
project=${project%/*/*}
runs=${RUNS:-20}
postgres=
for arg in "$@"; do
	case $arg in
	--quick) runs=${RUNS:-5} ;;
	--postgres) postgres=queuectl_bench_$$_$RANDOM ;;
	*) printf 'unknown argument: %s\n' "$arg" >&2; exit 2 ;;
	esac
done

log() { printf '%s\n' "$*" >&2; }
command -v hyperfine >/dev/null || { log "hyperfine is needed (apt-get install hyperfine)"; exit 1; }
command -v python3 >/dev/null || { log "python3 is needed"; exit 1; }
[ -f "$project/target/queuectl.jar" ] || { log "run ./mvnw package first"; exit 1; }

work=$(mktemp -d "$project/target/bench-direct.XXXXXX")
export XDG_CACHE_HOME=${BENCH_CACHE:-$work/cache} XDG_DATA_HOME=$work/data QUEUECTL_SERVER=off
unset QUEUECTL_DB QUEUECTL_JAVA_OPTS QUEUECTL_CLIENT QUEUECTL_DIRECT
db=$work/q.db
clone=$project/bin/queuectl
trap 'rm -rf -- "$work"' EXIT
if [ -n "$postgres" ]; then
	command -v psql >/dev/null || { log "psql is needed for --postgres"; exit 1; }
	psql -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE $postgres" >&2
	db=postgresql://postgres@127.0.0.1:5432/$postgres
	trap 'rm -rf -- "$work"; psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $postgres WITH (FORCE)" >&2' EXIT
fi

log "warming up: the start-up archive (trained once per jar and java), then the database"
QUEUECTL_DIRECT=off "$clone" --db "$db" enqueue '{"command":"true"}' >/dev/null
QUEUECTL_DIRECT=only "$clone" --db "$db" enqueue '{"command":"true"}' >/dev/null ||
	{ log "the direct path declined: nothing to measure"; exit 1; }
QUEUECTL_DIRECT=only "$clone" --db "$db" list >/dev/null || { log "the direct path declined list"; exit 1; }
job_json=${JOB:-'{"command":"true"}'}
QUEUECTL_DIRECT=off "$clone" --db "$db" enqueue "{\"id\":\"shown\",${job_json#\{}" >/dev/null
QUEUECTL_DIRECT=only "$clone" --db "$db" show shown >/dev/null || { log "the direct path declined show"; exit 1; }

QUEUECTL_DIRECT=only "$clone" --db "$db" enqueue "$job_json" >/dev/null || { log "the direct path declined $job_json"; exit 1; }
job="'$job_json'"
commands=("java -Xshare:auto -version"
	"env QUEUECTL_DIRECT=only $clone --db $db enqueue $job"
	"env QUEUECTL_DIRECT=off $clone --db $db enqueue $job"
	"env QUEUECTL_DIRECT=only $clone --db $db status"
	"env QUEUECTL_DIRECT=off $clone --db $db status"
	"env QUEUECTL_DIRECT=only $clone --db $db list"
	"env QUEUECTL_DIRECT=off $clone --db $db list"
	"env QUEUECTL_DIRECT=only $clone --db $db show shown"
	"env QUEUECTL_DIRECT=off $clone --db $db show shown")

log "hyperfine: ${#commands[@]} commands x $runs runs, one run"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
hyperfine -N --warmup 2 --runs "$runs" --export-json "$work/h.json" "${commands[@]}" >&2
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

printf 'Machine: %s cores, load average %s before, %s after; %s, -N, %s runs after 2 warm-ups in one run; %s\n' \
	"$(nproc)" "$load_before" "$load_after" "$(hyperfine --version)" "$runs" "$(java -version 2>&1 | head -1)"
printf 'Nothing serves the database (QUEUECTL_SERVER=off): every run is a first command. Job: %s. Database: %s.\n\n' \
	"$job_json" "$([ -n "$postgres" ] && echo "PostgreSQL $(psql -XAtq -h 127.0.0.1 -U postgres -d postgres -c 'SHOW server_version') on 127.0.0.1 (TCP)" || echo 'an SQLite file')"
python3 - "$work/h.json" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["results"]
java = runs[0]["median"]
labels = ["`java -Xshare:auto -version`", "`enqueue` answered from the database (client-direct.c)",
          "`enqueue` by the JVM (QUEUECTL_DIRECT=off)", "`status` answered from the database (client-direct.c)",
          "`status` by the JVM (QUEUECTL_DIRECT=off)", "`list` answered from the database (client-direct.c)",
          "`list` by the JVM (QUEUECTL_DIRECT=off)", "`show ID` answered from the database (client-direct.c)",
          "`show ID` by the JVM (QUEUECTL_DIRECT=off)"]
print("| command | median ms | min ms | CPU ms | x `java -version` (<= 5) |\n|---|---|---|---|---|")
for label, r in zip(labels, runs):
    print(f"| {label} | {r['median'] * 1000:.2f} | {r['min'] * 1000:.2f} | {(r['user'] + r['system']) * 1000:.2f} | {r['median'] / java:.2f} |")
PY
