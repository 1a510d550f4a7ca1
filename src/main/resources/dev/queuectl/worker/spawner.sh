# queuectl's job spawner: one bash per worker slot, so the JVM never forks.
# Reads requests of three NUL-terminated fields: an end marker, a directory, a command.
# For each it runs `sh -c COMMAND` in that directory as a job of its own (set -m: its own
# process group, so Ctrl-C on the worker's terminal does not reach it), with the job's stdout
# and stderr on this script's stdout. It reports "pid N" and "exit N" on stderr, then
# terminates whatever the job left running in its group and writes the marker on stdout,
# which ends the job's output.
set -m
while IFS= read -r -d '' marker && IFS= read -r -d '' dir && IFS= read -r -d '' cmd; do
  if cd -- "$dir" 2>/dev/null; then
    sh -c "$cmd" </dev/null 2>&1 &
    pid=$!
    printf 'pid %s\n' "$pid" >&2
    wait "$pid"
    rc=$?
    kill -TERM -- "-$pid" 2>/dev/null
    printf 'exit %s\n' "$rc" >&2
  else
    printf 'nodir\n' >&2
  fi
  printf '%s' "$marker"
done
