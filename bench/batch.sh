#!/usr/bin/env bash
# Issue 28: what a batch costs.
#  1. bulk enqueue of N jobs (one-shot `enqueue --file`, a fresh SQLite database each run), with
#     `--batch` and without, by hyperfine (RUNS runs each, alternated);
#  2. the settling cost: StoreBench's claim+complete cycles of M jobs on 8 slots (no process
#     spawned), the jobs one batch with an on_complete callback beside plain jobs, ROUNDS rounds
#     alternated (each completion keeps the batch's counters; each turn looks for a batch to settle).
# Usage: bench/batch.sh [N] [RUNS] [M] [ROUNDS]   (defaults 100000 5 20000 5)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}; RUNS=${2:-5}; M=${3:-20000}; ROUNDS=${4:-5}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
export QUEUECTL_SERVER=off
python3 -c "
import sys
with open('$W/jobs.jsonl', 'w') as f:
    for i in range($N):
        f.write('{\"command\":\"true\"}\n')"
QUEUECTL_DB=$W/warm.db bin/queuectl status >/dev/null   # builds and trains the launcher once
hyperfine -N --runs "$RUNS" \
  --prepare "rm -f $W/q.db $W/q.db-wal $W/q.db-shm" \
  "bin/queuectl --db $W/q.db enqueue --file $W/jobs.jsonl" \
  "bin/queuectl --db $W/q.db enqueue --file $W/jobs.jsonl --batch b --on-complete '{\"command\":\"true\"}'" \
  --export-markdown "$W/enqueue.md" >/dev/null
cat "$W/enqueue.md"
./mvnw -B -q -DskipTests package test-compile >/dev/null
./mvnw -B -q dependency:build-classpath -Dmdep.outputFile="$W/cp" -Dmdep.includeScope=test >/dev/null
CP="target/classes:target/test-classes:$(cat "$W/cp")"
for r in $(seq 1 "$ROUNDS"); do
  for b in false true; do
    printf 'round %d batch=%s: ' "$r" "$b"
    java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dqueuectl.bench.batch=$b -cp "$CP" dev.queuectl.worker.StoreBench "$M" 8
  done
done
