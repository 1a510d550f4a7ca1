#!/usr/bin/env bash
# The store's claim+complete rate of two commits side by side: StoreBench (a real worker host over
# a real SQLite file, a runner that spawns nothing) alternating between a build of REV and this
# work tree, ROUNDS times; prints each round and the medians. On a shared machine the ratio of
# medians of one run is the figure; absolute rates move with the load. The CPU a cycle costs the
# process (medians) moves less with the load than the rate: on a busy machine, trust that ratio.
#   bench/store-ab.sh REV [JOBS] [ROUNDS]      e.g. bench/store-ab.sh 3782896 20000 7
# WARMUP=N (default: JOBS) cycles run first in each process and are not measured: the JIT's
# compiling of the host's code is start-up, and a build with more code paid more of it inside a
# short measured run (WARMUP=0: as before, everything measured).
set -euo pipefail
cd "$(dirname "$0")/.."
REV=${1:?usage: bench/store-ab.sh REV [JOBS] [ROUNDS]}
JOBS=${2:-20000}
ROUNDS=${3:-7}
WARMUP=${WARMUP:-$JOBS}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/queuectl-store-ab.XXXXXX")
cleanup() {
  git worktree remove --force "$WORK/old" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
git worktree add -q --detach "$WORK/old" "$REV"
# an older StoreBench learns to print the CPU a cycle too (a no-op where it already does)
grep -q getProcessCpuTime "$WORK/old/src/test/java/dev/queuectl/worker/StoreBench.java" \
  || git -C "$WORK/old" apply -C1 "$PWD/bench/storebench-cpu.patch" 2>/dev/null || true
# and the warm-up (a no-op where it has it; where it cannot, WARMUP is ignored by that side: said below)
python3 bench/storebench-warmup.py "$WORK/old/src/test/java/dev/queuectl/worker/StoreBench.java" \
  || echo "store-ab: $REV's StoreBench takes no warm-up: its figures include the JIT's" >&2
build() { # DIR CPFILE
  (cd "$1" && ./mvnw -q -B -o -DskipTests package test-compile >/dev/null 2>&1 || ./mvnw -q -B -DskipTests package test-compile >/dev/null)
  (cd "$1" && ./mvnw -q -B -o dependency:build-classpath -Dmdep.outputFile="$2" -Dmdep.includeScope=test >/dev/null 2>&1 \
    || ./mvnw -q -B dependency:build-classpath -Dmdep.outputFile="$2" -Dmdep.includeScope=test >/dev/null)
}
build "$WORK/old" "$WORK/cp-old"
build "$PWD" "$WORK/cp-new"
rate() { # DIR CPFILE
  (cd "$1" && java -Dqueuectl.bench.warmup="$WARMUP" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "target/classes:target/test-classes:$(cat "$2")" \
    dev.queuectl.worker.StoreBench "$JOBS" 8 2>/dev/null | awk '{print int($(NF-1)), $(NF-6)}')
}
old=(); new=(); oldcpu=(); newcpu=()
for ((i = 1; i <= ROUNDS; i++)); do
  read -r o oc < <(rate "$WORK/old" "$WORK/cp-old"); read -r n nc < <(rate "$PWD" "$WORK/cp-new")
  old+=("$o"); new+=("$n"); oldcpu+=("$oc"); newcpu+=("$nc")
  printf 'round %d: %s %s cycles/s (%s CPU us a cycle), this tree %s cycles/s (%s CPU us a cycle)\n' "$i" "$REV" "$o" "$oc" "$n" "$nc"
done
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }
mo=$(printf '%s\n' "${old[@]}" | median); mn=$(printf '%s\n' "${new[@]}" | median)
printf 'store, 8 slots, %d jobs: this tree %s vs %s %s cycles/s (medians) = %s\n' "$JOBS" "$mn" "$REV" "$mo" \
  "$(awk -v n="$mn" -v o="$mo" 'BEGIN {printf "%.2fx", n / o}')"
# CPU a cycle (the whole process's, every thread): the figure to trust on a loaded machine. An old
# StoreBench the patch did not apply to prints no CPU figure: n/a.
mco=$(printf '%s\n' "${oldcpu[@]}" | sed 's/[^0-9.]//g; s/^$/0/' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
mcn=$(printf '%s\n' "${newcpu[@]}" | sed 's/[^0-9.]//g; s/^$/0/' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
printf 'CPU a cycle (medians): this tree %s us vs %s %s us = %s\n' "$mcn" "$REV" "$mco" \
  "$(awk -v n="$mcn" -v o="$mco" 'BEGIN {if (o > 0) printf "%.2fx", n / o; else print "n/a"}')"
