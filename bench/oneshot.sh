#!/usr/bin/env bash
# One-shot command benchmark (issue 2): wall time of `status` and `enqueue` through bin/queuectl
# with a warm start-up archive, on JDK 17 (java on PATH) and JDK 25, and the rate of
# `enqueue --file` with 100,000 JSON Lines jobs. Everything runs on throwaway databases and a
# throwaway cache under a temporary directory; the user's queue and cache are never touched.
#
# Usage: bench/oneshot.sh > results.md     (progress on stderr, a Markdown report on stdout)
# Env:   RUNS (10), FILE_JOBS (100000), FILE_RUNS (3), JDK25 (/usr/lib/jvm/temurin-25-jdk-amd64),
#        TIMER=loop to time with date +%s%N even when hyperfine is installed
# Uses hyperfine when installed, else a loop timing each run with date +%s%N.
# Do not run it next to a Maven build or another benchmark: on 2 cores that doubles the figures.
set -eu -o pipefail

project=$(readlink -f -- "${BASH_SOURCE[0]}")
project=${project%/*/*}
queuectl=$project/bin/queuectl
runs=${RUNS:-10}
file_jobs=${FILE_JOBS:-100000}
file_runs=${FILE_RUNS:-3}
jdk25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}

work=$(mktemp -d "${TMPDIR:-/tmp}/queuectl-bench.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
export XDG_CACHE_HOME=$work/cache XDG_DATA_HOME=$work/data
unset QUEUECTL_DB QUEUECTL_JAVA_OPTS
# One-shot start-up as before the background command server (bench/server.sh measures that).
export QUEUECTL_SERVER=off

log() { printf '%s\n' "$*" >&2; }

# Wall time of a command line over $runs runs after 2 warm-ups, in ms: "median (min-max), CPU c"
# where c is the mean user+system CPU time of a run.
time_ms() {
	local cmd=$1 i start end
	if [ "${TIMER:-}" != loop ] && command -v hyperfine >/dev/null; then
		hyperfine -N --warmup 2 --runs "$runs" --export-json "$work/h.json" "$cmd" >&2
		field() { grep -o "\"$1\": *[0-9.e+-]*" "$work/h.json" | head -1 | cut -d: -f2; }
		awk -v med="$(field median)" -v min="$(field min)" -v max="$(field max)" -v u="$(field user)" -v s="$(field system)" \
			'BEGIN { printf "%.0f (%.0f-%.0f), CPU %.0f\n", med * 1000, min * 1000, max * 1000, (u + s) * 1000 }'
	else
		for i in 1 2; do bash -c "$cmd" >/dev/null 2>&1; done
		for ((i = 0; i < runs; i++)); do
			start=$(date +%s%N)
			bash -c "$cmd" >/dev/null 2>&1
			end=$(date +%s%N)
			echo $(((end - start) / 1000000))
		done | sort -n | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.0f (%d-%d)\n", m, v[1], v[NR] }'
	fi
}

# Rate of `enqueue --file` of $file_jobs jobs, median of $file_runs runs, each on a fresh database.
file_rate() {
	local label=$1 i start end ms rates=() extra=${2:-}
	for ((i = 1; i <= file_runs; i++)); do
		rm -f -- "$work/file.db" "$work/file.db-wal" "$work/file.db-shm"
		QUEUECTL_DB=$work/file.db "$queuectl" status >/dev/null # migrate first: time the import alone
		start=$(date +%s%N)
		QUEUECTL_JAVA_OPTS=$extra "$queuectl" --db "$work/file.db" enqueue --file "$work/jobs.jsonl" >"$work/ids.txt"
		end=$(date +%s%N)
		out=$(wc -l <"$work/ids.txt") # one id a line
		[ "$out" = "$file_jobs" ] || { log "enqueue --file printed $out ids, expected $file_jobs"; exit 1; }
		ms=$(((end - start) / 1000000))
		log "  $label run $i: $ms ms"
		rates+=("$((file_jobs * 1000 / ms)) $ms")
	done
	printf '%s\n' "${rates[@]}" | sort -n | awk -v n="$file_runs" 'NR == int((n + 1) / 2) { print $1 " jobs/s (" $2 " ms)" }'
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
awk -v n="$file_jobs" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"id\":\"b%d\",\"command\":\"echo %d\",\"priority\":%d}\n", i, i, i % 10 }' >"$work/jobs.jsonl"

declare -A status_ms enqueue_ms file_c1 file_c2 version
jdks=(17 25)
for jdk in "${jdks[@]}"; do
	if [ "$jdk" = 25 ]; then
		export JAVA_HOME=$jdk25
		java=$JAVA_HOME/bin/java
	else
		unset JAVA_HOME
		java=$(command -v java)
	fi
	version[$jdk]=$("$java" -version 2>&1 | head -1)
	log "== JDK $jdk: ${version[$jdk]}"
	db=$work/q$jdk.db
	QUEUECTL_DB=$db "$queuectl" status >/dev/null # builds the jar if needed, the archive, and the schema
	status_ms[$jdk]=$(time_ms "$queuectl --db $db status")
	log "  status: ${status_ms[$jdk]} ms"
	enqueue_ms[$jdk]=$(time_ms "$queuectl --db $db enqueue '{\"command\":\"true\"}'")
	log "  enqueue: ${enqueue_ms[$jdk]} ms"
	file_c1[$jdk]=$(file_rate "JDK $jdk enqueue --file")
	file_c2[$jdk]=$(file_rate "JDK $jdk enqueue --file, full JIT" -XX:TieredStopAtLevel=4)
done

cat <<EOF
Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load average before the run: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)
Timer: $([ "${TIMER:-}" != loop ] && command -v hyperfine >/dev/null && hyperfine --version || echo 'date +%s%N loop'); $runs runs after 2 warm-ups.
Start-up: median wall ms (min-max) and mean CPU ms (user+sys) per run. File: median of $file_runs runs on fresh
(migrated) databases, jobs/s with the wall time of the whole command, JVM start included.

| JDK | \`status\` ms | \`enqueue\` ms | \`enqueue --file\` $file_jobs jobs (C1, as launched) | same with full JIT |
|---|---|---|---|---|
EOF
for jdk in "${jdks[@]}"; do
	printf '| %s | %s | %s | %s | %s |\n' "${version[$jdk]}" "${status_ms[$jdk]}" "${enqueue_ms[$jdk]}" "${file_c1[$jdk]}" "${file_c2[$jdk]}"
done
