#!/usr/bin/env python3
"""A/B wall time of commands on a shared machine: the commands alternate run by run (the order
flips every round), so a burst of load hits all of them alike; hyperfine runs one command's runs
back to back.

    bench/ab.py RUNS 'COMMAND A' 'COMMAND B' ...

Each command is split like a shell would (shlex), runs with stdin and stdout on /dev/null after 3
warm-up rounds; prints the median, mean and min wall ms and the median CPU ms (user+sys).
"""
import os, resource, shlex, statistics, subprocess, sys, time

runs = int(sys.argv[1])
cmds = [shlex.split(c) for c in sys.argv[2:]]
wall = [[] for _ in cmds]
cpu = [[] for _ in cmds]
with open(os.devnull, 'w') as devnull:
    for i in range(runs + 3):
        order = list(range(len(cmds)))
        if i % 2:
            order.reverse()
        for k in order:
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(cmds[k], stdout=devnull, stdin=subprocess.DEVNULL)
            t1 = time.perf_counter()
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            if i >= 3:
                wall[k].append((t1 - t0) * 1000)
                cpu[k].append((r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) * 1000)
for k, c in enumerate(sys.argv[2:]):
    print("median %6.1f  mean %6.1f  min %6.1f  cpu %6.1f  %s" % (statistics.median(wall[k]),
        statistics.mean(wall[k]), min(wall[k]), statistics.median(cpu[k]), c))
