#!/usr/bin/env bash
# The launcher's own cost on served commands (issue 30): `status`, `list`, `show`, `enqueue` and
# `config get` answered by a background command server, through bin/queuectl of this clone,
# through the release archive's bin/queuectl (unpacked as .ci/run does), and through a symlink to
# it on PATH (README's install), side by side in ONE hyperfine run with `java -Xshare:auto
# -version` and Debian's task-spooler (`tsp` for status, `tsp true` for enqueue) and the native
# client alone, the server first warmed by WARM rounds of each served command (300; 100 with
# --quick). Prints each median, its minimum, its mean CPU (user + system, which a loaded machine
# changes less), and the median's ratio to `java -version` (target <= 0.1) and to tsp (target <= 2).
# Everything runs on a throwaway database, cache and tsp socket; the user's are never touched.
#
# Usage: bench/first.sh [--quick] > results.md    (progress on stderr, a Markdown report on stdout)
#        --quick: 20 runs a command (CI: keeps the script working; about 30 s when the cache is warm)
# Env:   RUNS (100), WARM (300), BENCH_CACHE (a start-up archive cache to reuse, e.g. CI's)
# Needs hyperfine and python3; task-spooler for its rows (apt-get install hyperfine task-spooler).
# Needs target/queuectl.jar and target/queuectl-VERSION.tar.gz (./mvnw package). Do not run it next
# to a build or another benchmark: on 2 cores that doubles the figures.
#
# The unpacked release's lib/queuectl.jar is made a hard link to target/queuectl.jar (the same
# bytes): one build id, so one start-up archive and one server serve both launchers (a copy would
# train a second archive, ~20 s). Where a hard link cannot be made, it stays a copy.
set -eu -o pipefail

project=$(readlink -f -- "${BASH_SOURCE[0]}")
project=${project%/*/*}
runs=${RUNS:-100}
[ "${1:-}" = --quick ] && runs=${RUNS:-20}

log() { printf '%s\n' "$*" >&2; }
command -v hyperfine >/dev/null || { log "hyperfine is needed (apt-get install hyperfine)"; exit 1; }
command -v python3 >/dev/null || { log "python3 is needed"; exit 1; }
version=$(sed -n 's/^version=//p' "$project/target/classes/queuectl-version.properties")
archive=$project/target/queuectl-$version.tar.gz
[ -f "$project/target/queuectl.jar" ] && [ -f "$archive" ] || { log "run ./mvnw package first"; exit 1; }

# Under target/: the same file system as the jar, for the hard link.
work=$(mktemp -d "$project/target/bench-first.XXXXXX")
export XDG_CACHE_HOME=${BENCH_CACHE:-$work/cache} XDG_DATA_HOME=$work/data QUEUECTL_SERVER=on CI=
export TS_SOCKET=$work/tsp.socket TMPDIR=$work # tsp's server and its jobs' output files
unset QUEUECTL_DB QUEUECTL_JAVA_OPTS QUEUECTL_CLIENT
db=$work/q.db
clone=$project/bin/queuectl
cleanup() {
	"$clone" --db "$db" server stop >/dev/null 2>&1 || true
	command -v tsp >/dev/null && tsp -K >/dev/null 2>&1
	rm -rf -- "$work"
}
trap cleanup EXIT

tar xzf "$archive" -C "$work"
install=$work/queuectl-$version
ln -f -- "$project/target/queuectl.jar" "$install/lib/queuectl.jar" 2>/dev/null ||
	log "could not hard-link the release's jar: it trains an archive of its own"
release=$install/bin/queuectl
mkdir -p "$work/path-bin"
ln -s -- "$release" "$work/path-bin/queuectl"
linked=$work/path-bin/queuectl

log "warming up: the start-up archive (trained once per jar and java), then a server"
QUEUECTL_DB=$db "$clone" status >/dev/null # QUEUECTL_DB: --db refuses a file not there yet
QUEUECTL_DB=$db "$release" status >/dev/null
# 50 jobs: `list` shows a full page from the first run on, as on any busy queue
for i in $(seq 50); do printf '{"id":"fb%d","command":"true"}\n' "$i"; done | "$clone" --db "$db" enqueue - >/dev/null
for ((i = 0; i < 600; i++)); do
	"$clone" --db "$db" server status >/dev/null 2>&1 && break
	sleep 0.1
done
"$clone" --db "$db" server status >/dev/null || { log "no command server came up"; exit 1; }
build=$(stat -L -c '%s-%Y-%i' -- "$project/target/queuectl.jar" "$(command -v java)" | paste -sd-)
[ -n "${JAVA_HOME:-}" ] && build=$(stat -L -c '%s-%Y-%i' -- "$project/target/queuectl.jar" "$JAVA_HOME/bin/java" | paste -sd-)

tsp_rows=()
if command -v tsp >/dev/null; then
	tsp true >/dev/null # starts its server
	tsp_rows=(tsp "tsp true")
else
	log "task-spooler is not installed: no tsp rows (apt-get install task-spooler)"
fi

served=("status" "list" "show fb1" "enqueue '{\"command\":\"true\"}'" "config get max-retries")
# The server's first few hundred commands run partly interpreted (its JIT compiles as they come): a
# resident server answers thousands in its life, so the figures below are of a warm one. WARM rounds
# of every served command first, through the native client (hyperfine's 5 warm-ups a command left
# the first command timed ~1 ms slower than the same command timed last, session 26).
warm=${WARM:-300}
[ "${1:-}" = --quick ] && warm=${WARM:-100}
log "warming the server: $warm rounds of each served command"
for ((i = 0; i < warm; i++)); do
	for c in "${served[@]}"; do
		eval "\"\$project/target/queuectl-client\" \"\$build\" --db \"\$db\" $c" >/dev/null
	done
done
commands=("java -Xshare:auto -version" "${tsp_rows[@]}")
for c in "${served[@]}"; do
	commands+=("$clone --db $db $c" "$release --db $db $c" "$linked --db $db $c")
done
commands+=("$project/target/queuectl-client $build --db $db status")

log "hyperfine: ${#commands[@]} commands x $runs runs, one run"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
hyperfine -N --warmup 5 --runs "$runs" --export-json "$work/h.json" "${commands[@]}" >&2
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
# the server must still be the one of this build (a wrong build id would have replaced it)
"$clone" --db "$db" server status >/dev/null || { log "the server went away during the run"; exit 1; }

cat <<EOF
Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load average before: $load_before, after: $load_after
Timer: $(hyperfine --version), -N (no shell), $runs runs after 5 warm-ups, all in one run, the server warmed by $warm rounds of each served command; java: $(java -version 2>&1 | head -1)
clone = $clone, release = the archive's bin/queuectl, symlink = a link to it on PATH (README's install)

EOF
python3 - "$work/h.json" "$project" "$work" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
med = {r["command"]: r["median"] * 1000 for r in results}
cpu = {r["command"]: (r["user"] + r["system"]) * 1000 for r in results}
low = {r["command"]: r["min"] * 1000 for r in results}
java = med["java -Xshare:auto -version"]
tsp = {"status": med.get("tsp"), "enqueue": med.get("tsp true")}
def name(c):
    c = c.replace(sys.argv[3] + "/", "").replace(sys.argv[2] + "/", "")
    if c.startswith("path-bin/queuectl"):
        return "symlink " + c.split(" ", 3)[3]
    if c.startswith("queuectl-"):
        return "release " + c.split(" ", 3)[3]
    if c.startswith("bin/queuectl"):
        return "clone " + c.split(" ", 3)[3]
    if c.startswith("target/queuectl-client"):
        return "native client alone: " + c.split(" ", 4)[4]
    return c
print("| command | median ms | min ms | CPU ms | x `java -version` (<= 0.1) | x tsp (<= 2) |")
print("|---|---|---|---|---|---|")
for r in results:
    c = r["command"]
    word = name(c).split(" ")
    ref = tsp.get(word[1]) if len(word) > 1 and word[0] in ("clone", "release", "symlink") else None
    print("| `%s` | %.2f | %.2f | %.2f | %.3f | %s |" % (name(c), med[c], low[c], cpu[c], med[c] / java,
          "%.2f" % (med[c] / ref) if ref else ""))
PY
