package dev.queuectl.server;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * The local socket protocol between a one-shot client and a running queuectl process (a worker
 * host or a REPL) on the same database. Plain Java only: the client side must not load Spring.
 * <p>
 * On connecting, the client waits for the server's {@code HELLO} frame (type 3, an int length and
 * UTF-8 text: {@code "server BUILD"} from a resident command server, {@code "host BUILD"} from a
 * worker host or REPL) before it sends a byte: a client that gets none within a second falls back
 * to running the command itself, and since it sent nothing, the command can never run twice. A
 * refused connection (another user's, or too many at once) gets its {@code ERR}/{@code EXIT}
 * answer instead of a HELLO.
 * <p>
 * Request: {@code MAGIC}, working directory, argument count and arguments (each an int length
 * and UTF-8 bytes), a flags byte. With {@link #VARIABLES_FLAG}, the caller's own values of the
 * {@link #PASSED_VARIABLES} it has set follow (an int count, 1 to {@link #MAX_VARIABLES}, and that
 * many names and values, as strings): its W3C trace context, which a served enqueue continues as a
 * one-shot one continues its own process's. With {@link #STDIN_FLAG}, the client's standard input
 * follows as frames of an int length (1 to {@link #MAX_FRAME}) and that many bytes, closed by a
 * frame of length 0: input that ends without it was cut off (the client was killed), and the
 * command reading it fails instead of taking a part for the whole. Every length is bounded, so a
 * peer cannot make the server allocate more than {@link #MAX_REQUEST} for a request.
 * <p>
 * Response: frames of {@code OUT}/{@code ERR} bytes, then one {@code EXIT} frame with the exit
 * code. A request the server refuses (malformed, too large, too slow, another user's, or more at
 * once than it serves) is answered with one {@code ERR} line and an {@code EXIT} frame.
 * <p>
 * The native client (src/main/c/client.h) holds the same constants under the same names;
 * WireConstantsTest fails when they differ.
 */
final class Wire {

	static final int MAGIC = 0x51434C34; // "QCL4": a HELLO before the request, stdin in frames, the caller's variables

	static final byte EXIT = 0;

	static final byte OUT = 1;

	static final byte ERR = 2;

	static final byte HELLO = 3;

	/** How long a client waits for the HELLO (and for connecting) before it runs the command itself. */
	static final int HELLO_TIMEOUT_MS = 1000;

	/** At most this many bytes of text in a HELLO. */
	static final int MAX_HELLO = 4096;

	/** At most this many arguments in a request. */
	static final int MAX_ARGS = 4096;

	/** At most this many bytes in one argument (or the working directory). */
	static final int MAX_STRING = 1 << 20;

	/** At most this many bytes of strings in one request, all arguments together. */
	static final int MAX_REQUEST = 4 << 20;

	/** At most this many bytes in one stdin frame. */
	static final int MAX_FRAME = 64 << 10;

	/** A request's flags: the client's standard input follows in frames. */
	static final int STDIN_FLAG = 1;

	/** A request's flags: some of the caller's {@link #PASSED_VARIABLES} follow. */
	static final int VARIABLES_FLAG = 2;

	/** At most this many variables in a request. */
	static final int MAX_VARIABLES = 2;

	/**
	 * The caller's environment variables a client passes with a request, only those and only when
	 * set: a served command runs in another process, which cannot see its caller's environment (the
	 * other variables a command may read cross as its words: {@link JobWords}).
	 */
	static final List<String> PASSED_VARIABLES = List.of("TRACEPARENT", "TRACESTATE");

	/**
	 * Commands a running process may serve; everything else runs in the caller's own process. The
	 * one list: BackgroundServer asks {@link RemoteClient#serves}, and bin/queuectl's copy (no JVM on
	 * its hot path) is held equal by ServedCommandsTest.
	 */
	static final Set<String> SERVED = Set.of("enqueue", "list", "show", "status", "logs", "dlq", "config", "help",
			"cancel", "queue", "limit", "wait", "run-now", "schedule", "prune", "server", "progress", "result", "edit",
			"rerun", "rm", "add", "notify");

	/**
	 * Commands of a group a running process may serve though the group's others it may not, as
	 * "WORD SUB-WORD": {@code worker stop} answers in milliseconds from a running host (issue 29),
	 * {@code worker start} runs in a process of its own; {@code batch list}, {@code show} and
	 * {@code cancel} are served, {@code batch add} (which may read standard input) is not.
	 * bin/queuectl and the C client hold their copies too (ServedCommandsTest).
	 */
	static final Set<String> SERVED_PAIRS = Set.of("worker stop", "batch list", "batch show", "batch cancel");

	private Wire() {
	}

	/** Whether the command reads the client's standard input ({@code enqueue -}, {@code result set -}). */
	static boolean readsStdin(List<String> words) {
		return !words.isEmpty() && (words.get(0).equals("enqueue")
				|| words.get(0).equals("result") && words.size() > 1 && words.get(1).equals("set")) && words.contains("-");
	}

	/** The caller's {@link #PASSED_VARIABLES} that are set (not empty) in {@code env}, in that order. */
	static java.util.Map<String, String> passed(java.util.Map<String, String> env) {
		java.util.Map<String, String> passed = new java.util.LinkedHashMap<>();
		for (String name : PASSED_VARIABLES) {
			String value = env.get(name);
			if (value != null && !value.isEmpty()) {
				passed.put(name, value);
			}
		}
		return passed;
	}

	static void writeString(DataOutputStream out, String s) throws IOException {
		byte[] b = s.getBytes(StandardCharsets.UTF_8);
		out.writeInt(b.length);
		out.write(b);
	}
}
