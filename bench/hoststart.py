#!/usr/bin/env python3
"""CPU of a worker host's start and of a one-shot `status`, started as the process tests start them
(src/test/java/dev/queuectl/worker/Queuectl.java: java -XX:TieredStopAtLevel=1 -Xshare:auto LAUNCH
--db DB ...), one start-up configuration against another (issue 25, session 21).

    bench/hoststart.py ROUNDS TEMPLATE-DB 'LAUNCH A' 'LAUNCH B' ...

LAUNCH: the JVM options and -jar JAR, space-separated (e.g. '-XX:SharedArchiveFile=X.jsa -jar
DIR/queuectl.jar'). TEMPLATE-DB: a migrated SQLite queue, copied for every process. The
configurations alternate round by round, so a burst of load hits them alike. Per configuration:
  serve   the host's own CPU (/proc utime+stime) when its socket first takes a connection
  total   the host's CPU to its end (wait4: it and the children it reaped), stopped by `worker stop`
          through the native client (target/queuectl-client) once serving
  status  a one-shot `status`'s CPU (wait4)
Prints median, min and max of each, in seconds. CPU, not wall: the machine is shared.
"""
import os, shutil, socket, statistics, subprocess, sys, tempfile, time

CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'target', 'queuectl-client')
TICK = os.sysconf('SC_CLK_TCK')


def own_cpu(pid):
    stat = open(f'/proc/{pid}/stat').read()
    fields = stat[stat.rindex(')') + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def reaped_cpu(p):
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime


def queue(template):
    d = tempfile.mkdtemp(prefix='hoststart.')
    shutil.copy(template, f'{d}/q.db')
    env = {k: v for k, v in os.environ.items() if k != 'QUEUECTL_DB'}
    env.update(XDG_DATA_HOME=f'{d}/xdg', XDG_CACHE_HOME=f'{d}/cache', QUEUECTL_SERVER='off')
    return d, f'{d}/q.db', env


def start(launch, db, *args):
    return ['java', '-XX:TieredStopAtLevel=1', '-Xshare:auto'] + launch + ['--db', db] + list(args)


def host(launch, template):
    d, db, env = queue(template)
    p = subprocess.Popen(start(launch, db, 'worker', 'start', '--no-http'), cwd=d, env=env,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(db + '.sock')
            break
        except OSError:
            if p.poll() is not None:
                sys.exit('the host ended before it served')
            time.sleep(0.02)
    serving = own_cpu(p.pid)
    # Right after the socket binds the host may not be registered yet: `worker stop` then answers
    # "0 worker host(s) stopped" and the host runs on, so it is asked until it says 1.
    for _ in range(100):
        r = subprocess.run([CLIENT, '', '--db', db, 'worker', 'stop'], cwd=d, env=env,
                           stdin=subprocess.DEVNULL, capture_output=True)
        if r.stdout.startswith(b'1 worker host'):
            break
        time.sleep(0.1)
    total = reaped_cpu(p)
    shutil.rmtree(d)
    return serving, total


def status(launch, template):
    d, db, env = queue(template)
    p = subprocess.Popen(start(launch, db, 'status'), cwd=d, env=env,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cpu = reaped_cpu(p)
    shutil.rmtree(d)
    return cpu


rounds, template = int(sys.argv[1]), sys.argv[2]
launches = [arg.split(' ') for arg in sys.argv[3:]]
figures = [{'serve': [], 'total': [], 'status': []} for _ in launches]
for _ in range(rounds):
    for launch, fig in zip(launches, figures):
        serving, total = host(launch, template)
        fig['serve'].append(serving)
        fig['total'].append(total)
        fig['status'].append(status(launch, template))
for launch, fig in zip(launches, figures):
    print(' '.join(launch))
    for name, values in fig.items():
        print(f'  {name:7} median {statistics.median(values):.2f}  min {min(values):.2f}  max {max(values):.2f}  (n={len(values)})')
