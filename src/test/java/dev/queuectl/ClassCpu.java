package dev.queuectl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Where a test run's CPU goes, per test class: the test JVM's own CPU and that of the processes it
 * started and reaped (worker hosts, one-shot JVMs, bin/queuectl, Chromium), read from
 * /proc/self/stat when the class starts and ends, one line per class appended to
 * target/test-cpu/&lt;pid&gt;.tsv (class, wall s, own CPU s, children's CPU s). CPU, unlike wall
 * time, hardly changes with the machine's load, so a class's figure before and after a change
 * compare within one session (docs/benchmarks.md, "verify time, session 17"). A class runs whole
 * in one fork, so the children counted are its own; a process left running (a background
 * command server) is not counted. Registered by META-INF/services; nothing is written off Linux.
 */
public final class ClassCpu implements TestExecutionListener {

	private static final Path STAT = Path.of("/proc/self/stat");

	/** The system property that names the class running now (a fork runs one class at a time), for the tests' own counts. */
	public static final String CURRENT = "queuectl.test.class";

	private final Map<String, long[]> started = new ConcurrentHashMap<>();

	@Override
	public void executionStarted(TestIdentifier test) {
		String name = className(test);
		if (name != null) {
			long[] now = ticks();
			if (now != null) {
				this.started.put(name, now);
			}
			System.setProperty(CURRENT, name);
		}
	}

	@Override
	public void executionFinished(TestIdentifier test, TestExecutionResult result) {
		String name = className(test);
		long[] start = name == null ? null : this.started.remove(name);
		long[] end = ticks();
		if (start == null || end == null) {
			return;
		}
		String line = String.format(java.util.Locale.ROOT, "%s\t%.1f\t%.2f\t%.2f%n", name, (end[0] - start[0]) / 1e9,
				(end[1] - start[1]) / 100.0, (end[2] - start[2]) / 100.0);
		Path dir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target", "test-cpu");
		try {
			Files.createDirectories(dir);
			Files.writeString(dir.resolve(ProcessHandle.current().pid() + ".tsv"), line, StandardCharsets.UTF_8,
					StandardOpenOption.CREATE, StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			// a measurement only: never fail a test run over it
		}
	}

	private static String className(TestIdentifier test) {
		return test.getSource().filter(ClassSource.class::isInstance).map(s -> ((ClassSource) s).getClassName()).orElse(null);
	}

	/** Now in ns, this JVM's CPU and its reaped children's, in clock ticks (100 a second); null off Linux. */
	private static long[] ticks() {
		try {
			String stat = Files.readString(STAT);
			String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			// after the name: state is field 3, utime 14, stime 15, cutime 16, cstime 17 (1-based)
			return new long[] { System.nanoTime(), Long.parseLong(f[11]) + Long.parseLong(f[12]),
					Long.parseLong(f[13]) + Long.parseLong(f[14]) };
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}
}
