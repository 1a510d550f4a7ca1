package dev.queuectl.server;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * Who asked for the command that is running on this thread: the caller's working directory, its
 * standard input and its error stream. A one-shot run and the REPL use this process's own; a
 * command served to another process gets that process's, and the variables of its environment that
 * cross the socket ({@code variables}: its trace context, {@link Wire#PASSED_VARIABLES}; empty for a
 * command this process runs for itself, whose environment is its own).
 */
public record Invocation(Path workingDir, InputStream stdin, PrintWriter err, boolean served,
		java.util.Map<String, String> variables) {

	/** A command run by this process for itself (one-shot, script, REPL). */
	public Invocation(Path workingDir, InputStream stdin, PrintWriter err) {
		this(workingDir, stdin, err, false, java.util.Map.of());
	}

	private static final ThreadLocal<Invocation> CURRENT = new ThreadLocal<>();

	public static Invocation current() {
		Invocation invocation = CURRENT.get();
		return invocation != null ? invocation : ofThisProcess();
	}

	public static Invocation ofThisProcess() {
		return new Invocation(Path.of(System.getProperty("user.dir")), System.in, new PrintWriter(System.err, true));
	}

	public <T> T run(java.util.function.Supplier<T> action) {
		Invocation previous = CURRENT.get();
		CURRENT.set(this);
		try {
			return action.get();
		}
		finally {
			if (previous == null) {
				CURRENT.remove();
			}
			else {
				CURRENT.set(previous);
			}
		}
	}
}
