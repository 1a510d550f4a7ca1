# Helpers the benchmark scripts share (sourced, not run).

now_ns() { date +%s%N; }
# the P-th percentile of numbers on stdin, one a line (nearest rank)
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100+0.999); if (i<1) i=1; print a[i]}'; }

# pickup_latencies DB N DIR: N times, enqueue a job that writes the time it starts into DIR, and
# print the ms from `enqueue` returning to the job starting (negative: it started before the
# enqueue command had exited), one a line. A worker host must be running on DB.
pickup_latencies() {
  local db=$1 n=$2 dir=$3 i e
  rm -f "$dir"/lat.*
  for i in $(seq "$n"); do
    QUEUECTL_DB=$db "$Q" enqueue "{\"command\":\"date +%s%N > $dir/lat.$i\"}" >/dev/null
    e=$(now_ns)
    until [ -s "$dir/lat.$i" ]; do sleep 0.005; done
    echo $(( ($(cat "$dir/lat.$i") - e) / 1000000 ))
  done
}
