# queuectl's job spawner: one bash per worker slot, so the JVM never forks per job.
# Reads requests of three fields, each its length in bytes (decimal), a newline and exactly that
# many bytes: an end marker, a directory, a command. Lengths, not delimiters, end the fields, so
# no text in a command can shift the framing (the worker never sends a NUL, which bash could not
# hold). `LC_ALL=C read -N` counts bytes, not characters, whatever the locale; LC_ALL=C is set for
# that read alone, so jobs keep the worker's locale.
# For each it runs `sh -c COMMAND` in that directory as a job of its own (set -m: its own
# process group, so Ctrl-C on the worker's terminal does not reach it), with the job's stdout
# and stderr on this script's stdout. It reports "pid N" and "exit N" on stderr, then
# terminates whatever the job left running in its group and writes the marker on stdout,
# which ends the job's output.
set -m
# Jobs get this shell's environment, which the worker chose (JobEnvironment); `cd` below would add
# OLDPWD, the previous job's directory, to it. (bash still gives each command SHLVL and _.)
export -n OLDPWD
# The worker starts this shell in a session of its own, so Ctrl-C on the worker's terminal does
# not reach it. Where it could (no setsid), a handler - unlike an ignored signal, not inherited
# by jobs - keeps it alive, and `wait` below resumes.
trap ':' INT
jvm=$PPID
spawner=$$
# If the worker host dies without stopping its jobs (SIGKILL, OOM), kill the running job too:
# its lease will expire and another worker will run it, and it must not run twice at once.
# Every child of this shell but the watchdog leads its own group (set -m): kill those groups.
(
  while kill -0 "$jvm" 2>/dev/null; do sleep 2; done
  for child in $(cat "/proc/$spawner/task/$spawner/children" 2>/dev/null || pgrep -P "$spawner"); do
    [ "$child" != "$BASHPID" ] && kill -KILL -- "-$child" 2>/dev/null
  done
) </dev/null >/dev/null 2>&1 &
# Reads one field into the variable named $1. Returns 1 at end of input, >128 on a signal; exits
# on a malformed length (the stream can no longer be trusted).
field() {
  local len st
  IFS= read -r len
  st=$?
  [ "$st" -ne 0 ] && return "$st"
  [[ $len =~ ^[0-9]{1,9}$ ]] || { printf 'queuectl-spawner: bad field length\n' >&2; exit 65; }
  len=$((10#$len))
  [ "$len" -eq 0 ] && { printf -v "$1" ''; return 0; }
  LC_ALL=C IFS= read -r -N "$len" "$1"
}
while :; do
  field marker && field dir && field cmd
  st=$?
  [ "$st" -gt 128 ] && continue # Ctrl-C while idle: keep reading
  [ "$st" -ne 0 ] && break      # the worker closed our input: done
  if cd -- "$dir" 2>/dev/null; then
    sh -c "$cmd" </dev/null 2>&1 &
    pid=$!
    printf 'pid %s\n' "$pid" >&2
    while :; do
      wait "$pid"
      rc=$?
      kill -0 "$pid" 2>/dev/null || break # a signal ended the wait, not the job: wait on
    done
    kill -TERM -- "-$pid" 2>/dev/null
    printf 'exit %s\n' "$rc" >&2
  else
    printf 'nodir\n' >&2
  fi
  printf '%s' "$marker"
done
