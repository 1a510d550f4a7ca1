#!/usr/bin/env python3
"""Teaches a StoreBench (this tree's, once; an older commit's in bench/store-ab.sh) the warm-up:
-Dqueuectl.bench.warmup=N runs N cycles first and measures only the cycles after them, so the
CPU the JIT spends compiling the host's code (start-up, not a cycle's) stays out of the figure.
A no-op on a StoreBench that has it. Usage: storebench-warmup.py PATH/StoreBench.java"""
import re
import sys

path = sys.argv[1]
s = open(path).read()
if "queuectl.bench.warmup" in s:
    sys.exit(0)
edits = [
    ("""			enqueue(service, jobs);
			com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
				.getOperatingSystemMXBean();
			long cpu0 = os.getProcessCpuTime();
			long t0 = System.nanoTime();
""", """			// -Dqueuectl.bench.warmup=N: N cycles first, not measured (the JIT compiles the host's code
			// during them: its CPU is the start-up's, not a cycle's)
			int warmup = Integer.getInteger("queuectl.bench.warmup", 0);
			enqueue(service, warmup + jobs);
			com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
				.getOperatingSystemMXBean();
			Mark.at = warmup;
			Mark.cpu = os.getProcessCpuTime();
			Mark.nanos = System.nanoTime();
"""),
    ("""ctx.getBean(WorkerMetrics.class), slots, jobs,""", """ctx.getBean(WorkerMetrics.class), slots, warmup + jobs,"""),
    ("""			double seconds = (System.nanoTime() - t0) / 1e9;
			double cpuMicros = (os.getProcessCpuTime() - cpu0) / 1e3 / jobs;""",
     """			double seconds = (System.nanoTime() - Mark.nanos) / 1e9;
			double cpuMicros = (os.getProcessCpuTime() - Mark.cpu) / 1e3 / jobs;"""),
    ("""		while (metrics.completedCount() < total) {
			Thread.sleep(5);
		}""", """		while (metrics.completedCount() < total) {
			if (Mark.at > 0 && metrics.completedCount() >= Mark.at) { // the warm-up is over: measure from here
				Mark.at = 0;
				Mark.cpu = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
					.getOperatingSystemMXBean()).getProcessCpuTime();
				Mark.nanos = System.nanoTime();
			}
			Thread.sleep(5);
		}"""),
    ("""	private StoreBench() {""", """	/** Where the measured part starts: after {@code at} completed cycles (0: at once), its CPU and time. */
	private static final class Mark {

		static volatile long at;

		static volatile long cpu;

		static volatile long nanos;
	}

	private StoreBench() {"""),
]
for old, new in edits:
    if s.count(old) != 1:
        sys.exit("storebench-warmup: %s: no single place for the warm-up edit" % path)
    s = s.replace(old, new, 1)
open(path, "w").write(s)
