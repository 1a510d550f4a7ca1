#!/usr/bin/env bash
# Soak benchmark (not a test): N short jobs run through worker hosts while retention keeps only
# the last few minutes of finished jobs. Samples the database file, its WAL and the output folder
# over time, and the claim rate at the start and at the end, into docs/soak-LABEL.csv and a plot,
# docs/soak-LABEL.svg (plain SVG text written here: no plotting library needed).
#   bench/soak.sh                 1,000,000 jobs, retention 3m
#   bench/soak.sh --quick         20,000 jobs, retention 5s (keeps the script working)
#   bench/soak.sh N [RETENTION]   N jobs, retention RETENTION
# Uses a throwaway database under a temporary directory; never the user's queue. Needs sqlite3.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

N=1000000; RETENTION=3m; LABEL=1m; SLOTS=4; CHUNK=50000
if [ "${1:-}" = "--quick" ]; then N=20000; RETENTION=5s; LABEL=quick; CHUNK=10000
elif [ -n "${1:-}" ]; then N=$1; RETENTION=${2:-3m}; LABEL=$N; fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/queuectl-soak.XXXXXX")
export XDG_DATA_HOME=$WORK/data XDG_CACHE_HOME=${XDG_CACHE_HOME:-$HOME/.cache}
export QUEUECTL_DB=$WORK/data/queuectl/q.db
# worker hosts prune every 5 s instead of every minute, so that minutes of retention show
export QUEUECTL_WORKER_HOUSEKEEPING_INTERVAL=5s
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

Q="$ROOT/bin/queuectl"
CSV=docs/soak-$LABEL.csv
SVG=docs/soak-$LABEL.svg
"$Q" config set retention-completed "$RETENTION" >/dev/null
"$Q" config set retention-dead "$RETENTION" >/dev/null

size() { stat -c %s "$1" 2>/dev/null || echo 0; }
done_count() { sqlite3 "file:$QUEUECTL_DB?mode=ro" "PRAGMA busy_timeout=10000; SELECT COALESCE(SUM(n),0) FROM (SELECT COUNT(*) n FROM jobs WHERE state='completed');" 2>/dev/null | tail -1; }

# the jobs, enqueued in chunks as the queue drains (a producer that keeps up)
feed() {
  local sent=0 f=$WORK/chunk.jsonl
  while [ $sent -lt $N ]; do
    local n=$(( N - sent < CHUNK ? N - sent : CHUNK ))
    awk -v n=$n 'BEGIN { for (i = 0; i < n; i++) print "{\"command\":\"echo x\"}" }' > "$f"
    "$Q" enqueue --file "$f" >/dev/null
    sent=$(( sent + n ))
    echo $sent > "$WORK/sent"
    # keep at most two chunks waiting
    while [ "$(sqlite3 "file:$QUEUECTL_DB?mode=ro" "PRAGMA busy_timeout=10000; SELECT COUNT(*) FROM jobs WHERE state='pending';" | tail -1)" -gt $CHUNK ]; do sleep 1; done
  done
}

echo "soak: $N jobs, retention $RETENTION, 2 worker hosts x $SLOTS slots; $CSV"
"$Q" worker start --no-http --count $SLOTS 2>"$WORK/w1.log" & PIDS+=($!)
"$Q" worker start --no-http --count $SLOTS 2>"$WORK/w2.log" & PIDS+=($!)
feed & FEED=$!; PIDS+=($FEED)

echo "seconds,jobs_done,db_bytes,wal_bytes,output_bytes,jobs_kept" > "$CSV"
T0=$(date +%s)
ran=0
while :; do
  sleep 5
  t=$(( $(date +%s) - T0 ))
  # ran = completed jobs counted by the worker logs (pruned ones are gone from the table)
  ran=$(cat "$WORK"/w*.log | grep -c ' completed in ' || true)
  kept=$( (sqlite3 "file:$QUEUECTL_DB?mode=ro" "PRAGMA busy_timeout=10000; SELECT COUNT(*) FROM jobs;" || true) | tail -1)
  out=$( (du -sb "$XDG_DATA_HOME/queuectl/output" 2>/dev/null || true) | cut -f1); out=${out:-0} # files vanish as it counts
  echo "$t,$ran,$(size "$QUEUECTL_DB"),$(size "$QUEUECTL_DB-wal"),$out,$kept" >> "$CSV"
  printf '\r%5ss  %9s done  db %6s KiB  wal %6s KiB  output %6s KiB  kept %8s' "$t" "$ran" \
    $(( $(size "$QUEUECTL_DB") / 1024 )) $(( $(size "$QUEUECTL_DB-wal") / 1024 )) $(( out / 1024 )) "$kept" >&2
  grep -q "retention: deleted" "$WORK"/w*.log && echo "$t" > "$WORK/pruned"
  [ "$ran" -ge "$N" ] && break
done
echo >&2
grep -h "retention: deleted\|WARN" "$WORK"/w*.log | tail -3 >&2 || true

python3 - "$CSV" "$SVG" "$N" "$RETENTION" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1]))]
t = [int(r['seconds']) for r in rows]
done = [int(r['jobs_done']) for r in rows]
series = [('db_bytes', '#1f77b4', 'database file'), ('wal_bytes', '#ff7f0e', 'WAL'), ('output_bytes', '#2ca02c', 'output folder')]
W, H, L, B = 720, 360, 70, 40
tmax = max(t) or 1
ymax = max(max(int(r[k]) for r in rows) for k, _, _ in series) / 2**20 or 1
def x(v): return L + (W - L - 20) * v / tmax
def y(v): return H - B - (H - B - 30) * v / ymax
out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">' % (W, H),
       '<rect width="100%" height="100%" fill="white"/>',
       '<text x="%d" y="18" font-size="14">queuectl soak: %s jobs, retention %s (MiB over seconds)</text>' % (L, format(int(sys.argv[3]), ','), sys.argv[4]),
       '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (L, H - B, W - 20, H - B),
       '<line x1="%d" y1="30" x2="%d" y2="%d" stroke="black"/>' % (L, L, H - B)]
for i in range(6):
    v = ymax * i / 5
    out.append('<text x="%d" y="%d" text-anchor="end">%.1f</text>' % (L - 6, y(v) + 4, v))
    s = tmax * i / 5
    out.append('<text x="%d" y="%d" text-anchor="middle">%d s</text>' % (x(s), H - B + 16, s))
for n, (k, color, name) in enumerate(series):
    pts = ' '.join('%.1f,%.1f' % (x(a), y(int(r[k]) / 2**20)) for a, r in zip(t, rows))
    out.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' % (color, pts))
    out.append('<rect x="%d" y="%d" width="12" height="3" fill="%s"/><text x="%d" y="%d">%s</text>' % (L + 20, 38 + 16 * n, color, L + 38, 43 + 16 * n, name))
out.append('</svg>')
open(sys.argv[2], 'w').write('\n'.join(out) + '\n')
# claim rate: jobs done per second over the first and the last fifth of the run
k = max(1, len(rows) // 5)
def rate(a, b): return (done[b] - done[a]) / max(1, t[b] - t[a])
print('jobs/s at the start: %.0f, at the end: %.0f' % (rate(0, k), rate(len(rows) - 1 - k, len(rows) - 1)))
last = rows[-1]
print('at the end: database %.1f MiB, WAL %.1f MiB, output %.1f MiB, %s jobs kept; peak database %.1f MiB' % (
    int(last['db_bytes']) / 2**20, int(last['wal_bytes']) / 2**20, int(last['output_bytes']) / 2**20, last['jobs_kept'],
    max(int(r['db_bytes']) for r in rows) / 2**20))
PY
echo "wrote $CSV and $SVG"
