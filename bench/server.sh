#!/usr/bin/env bash
# Background command server benchmark (issue 11), all in one run so the ratios compare like with
# like: `java -Xshare:auto -version` against `status`, `list`, `show`, `enqueue` and `config get`
# served by the background server with no worker running; the first command with nothing running,
# server on and off; a bash loop of 1,000 `queuectl enqueue` with the server and with a worker
# host; the idle server's CPU; its RSS idle and after 100,000 commands.
# Everything runs on throwaway databases and a throwaway cache; the user's queue is never touched.
#
# Usage: bench/server.sh > results.md    (progress on stderr, a Markdown report on stdout)
# Env:   RUNS (20), LOOP (1000), MANY (100000: commands before the second RSS reading), IDLE_S (60),
#        FIRST_ONLY=1: only the first command, server off and on in alternate runs
# Needs hyperfine (apt-get install hyperfine) and python3 (the 100,000 commands go over the socket
# from one Python process; each is its own connection, as from a client).
set -eu -o pipefail

project=$(readlink -f -- "${BASH_SOURCE[0]}")
project=${project%/*/*}
q=$project/bin/queuectl
runs=${RUNS:-20}
loop=${LOOP:-1000}
many=${MANY:-100000}
idle_s=${IDLE_S:-60}

work=$(mktemp -d "${TMPDIR:-/tmp}/queuectl-bench.XXXXXX")
export XDG_CACHE_HOME=${BENCH_CACHE:-$work/cache} XDG_DATA_HOME=$work/data QUEUECTL_SERVER=on CI=
unset QUEUECTL_DB QUEUECTL_JAVA_OPTS
db=$work/q.db
cleanup() {
	[ -f "$work/stop.sh" ] && bash "$work/stop.sh" # a server the last run started may still be starting
	"$q" --db "$db" server stop >/dev/null 2>&1 || true
	[ -n "${worker:-}" ] && kill "$worker" 2>/dev/null && wait "$worker" 2>/dev/null
	rm -rf -- "$work"
}
trap cleanup EXIT

log() { printf '%s\n' "$*" >&2; }
command -v hyperfine >/dev/null || { log "hyperfine is needed"; exit 1; }

# median ms of a command over $runs runs (hyperfine -N: no shell in between)
median() {
	hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/h.json" "$@" >&2
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f" % (r["median"]*1000))' "$work/h.json"
}

server_pid() { "$q" --db "$db" server status 2>/dev/null | awk '$1 == "pid" { print $2 }'; }
await_server() {
	local i
	for ((i = 0; i < 600; i++)); do
		pid=$(server_pid) && [ -n "$pid" ] && return 0
		sleep 0.1
	done
	log "no server came up"
	exit 1
}
await_gone() { while [ -e "$db.sock" ] || kill -0 "$1" 2>/dev/null; do sleep 0.05; done; }

log "warming up the launcher's cache"
QUEUECTL_DB=$db QUEUECTL_SERVER=off "$q" status >/dev/null
"$q" --db "$db" enqueue '{"id":"bench-job","command":"true"}' >/dev/null
await_server
rss() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }

echo "# bench/server.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(java -version 2>&1 | head -1)"
echo
echo "| what | median ms |"
echo "|---|---|"
jv=$(median "java -Xshare:auto -version")
echo "| \`java -Xshare:auto -version\` | $jv |"
for c in "status" "list" "show bench-job" "enqueue '{\"command\":\"true\"}'" "config get max-retries"; do
	m=$(median -n "$c" "$q --db $db $c")
	echo "| \`queuectl $c\` (served) | $m ($(python3 -c "print('%.2f' % ($m / $jv))")x java -version) |"
done

# First command, nothing serving: off (as before this issue) against on (it starts a server after).
# before each run: stop the server the last run started (its pid is in the start lock file; it may
# still be starting), and wait until its process is gone
cat >"$work/stop.sh" <<EOF
p=\$(cat "$db.server-start.lock" 2>/dev/null)
if [ -n "\$p" ] && kill -0 "\$p" 2>/dev/null; then
	while kill -0 "\$p" 2>/dev/null && ! "$q" --db "$db" server status >/dev/null 2>&1; do sleep 0.1; done
	"$q" --db "$db" server stop >/dev/null 2>&1
	while kill -0 "\$p" 2>/dev/null; do sleep 0.05; done
fi
EOF
if [ -n "${FIRST_ONLY:-}" ]; then
	# off and on in alternate runs (a shared machine's load shifts: pairs keep them comparable)
	for ((i = 0; i < runs; i++)); do
		bash "$work/stop.sh"
		t=$(date +%s%N); QUEUECTL_SERVER=off "$q" --db "$db" status >/dev/null; echo $((($(date +%s%N) - t) / 1000000)) >>"$work/off"
		bash "$work/stop.sh"
		t=$(date +%s%N); "$q" --db "$db" status >/dev/null; echo $((($(date +%s%N) - t) / 1000000)) >>"$work/on"
	done
	python3 - "$work/off" "$work/on" <<'PY'
import statistics, sys
off, on = ([int(x) for x in open(f)] for f in sys.argv[1:3])
print("| first `status`, nothing serving, QUEUECTL_SERVER=off (%d runs, alternating) | %d (range %d-%d) |" % (len(off), statistics.median(off), min(off), max(off)))
print("| first `status`, nothing serving, server on (starts one after) | %d (range %d-%d; on/off %.2fx) |" % (statistics.median(on), min(on), max(on), statistics.median(on) / statistics.median(off)))
PY
	exit 0
fi
first_off=$(QUEUECTL_SERVER=off median -n first-off --prepare "bash $work/stop.sh" "$q --db $db status")
first_on=$(median -n first-on --prepare "bash $work/stop.sh" "$q --db $db status")
echo "| first \`status\`, nothing serving, QUEUECTL_SERVER=off | $first_off |"
echo "| first \`status\`, nothing serving, server on (starts one after) | $first_on |"

await_server
loop_s() {
	local start end
	start=$(date +%s%N)
	for ((i = 0; i < loop; i++)); do "$q" --db "$db" enqueue '{"command":"true","queue":"bench-idle"}' >/dev/null; done
	end=$(date +%s%N)
	echo $(((end - start) / 1000000))
}
with_server=$(loop_s)
echo "| $loop x \`queuectl enqueue\` in bash, background server, no worker | $with_server total |"

# Idle CPU and RSS of the server.
pid=$(server_pid)
rss_idle=$(rss "$pid")
t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
sleep "$idle_s"
t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
cpu=$(python3 -c "print('%.3f' % (($t1 - $t0) / $(getconf CLK_TCK) / $idle_s * 100))")
echo "| idle server CPU over ${idle_s}s | $cpu % of one core |"

log "$many commands over the socket"
python3 - "$db.sock" "$many" <<'EOF'
import os, socket, struct, sys
path, n = sys.argv[1], int(sys.argv[2])
def s(x): b = x.encode(); return struct.pack(">i", len(b)) + b
reqs = [["status"], ["list", "-n", "5"], ["show", "bench-job"], ["config", "get", "max-retries"],
        ["enqueue", '{"command":"true","queue":"bench-idle"}']]
for i in range(n):
    words = reqs[i % len(reqs)]
    c = socket.socket(socket.AF_UNIX); c.connect(path)
    f = c.makefile("rb")
    assert f.read(1) == b"\x03"; f.read(struct.unpack(">i", f.read(4))[0])
    c.sendall(struct.pack(">i", 0x51434C33) + s(os.getcwd()) + struct.pack(">i", len(words)) + b"".join(s(w) for w in words) + b"\x00")
    while True:
        t = f.read(1); m = struct.unpack(">i", f.read(4))[0]
        if t == b"\x00":
            assert m == 0, (words, m); break
        f.read(m)
    f.close(); c.close()
EOF
rss_after=$(rss "$pid")
echo "| server RSS idle after start | $((rss_idle / 1024)) MiB |"
echo "| server RSS after $many more commands | $((rss_after / 1024)) MiB |"

# The same loop with a worker host serving (it takes only a queue nothing is in).
"$q" --db "$db" server stop >/dev/null
await_gone "$pid"
QUEUECTL_SERVER=off "$q" --db "$db" worker start --no-http --queue nothing-here >/dev/null 2>&1 &
worker=$!
for ((i = 0; i < 600; i++)); do [ -S "$db.sock" ] && "$q" --db "$db" status >/dev/null 2>&1 && break; sleep 0.1; done
with_worker=$(loop_s)
echo "| $loop x \`queuectl enqueue\` in bash, worker host serving | $with_worker total ($(python3 -c "print('%.2f' % ($with_server / $with_worker))")x: server / worker) |"
kill "$worker"
wait "$worker" 2>/dev/null || true
worker=
