package dev.queuectl.cli;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * The local socket protocol between a one-shot client and a running queuectl process (a worker
 * host or a REPL) on the same database. Plain Java only: the client side must not load Spring.
 * <p>
 * Request: {@code MAGIC}, working directory, argument count and arguments, a stdin flag; when
 * the flag is set the rest of the stream is the client's standard input. Response: frames of
 * {@code OUT}/{@code ERR} bytes, then one {@code EXIT} frame with the exit code.
 */
final class Wire {

	static final int MAGIC = 0x51434C31; // "QCL1"

	static final byte EXIT = 0;

	static final byte OUT = 1;

	static final byte ERR = 2;

	/** Commands a running process may serve; everything else runs in the caller's own process. */
	static final Set<String> SERVED = Set.of("enqueue", "list", "show", "status", "logs", "dlq", "config", "help",
			"cancel", "queue", "wait");

	private Wire() {
	}

	/** Whether the command reads the client's standard input ({@code enqueue -}). */
	static boolean readsStdin(List<String> words) {
		return !words.isEmpty() && words.get(0).equals("enqueue") && words.contains("-");
	}

	static void writeString(DataOutputStream out, String s) throws IOException {
		byte[] b = s.getBytes(StandardCharsets.UTF_8);
		out.writeInt(b.length);
		out.write(b);
	}

	static String readString(DataInputStream in) throws IOException {
		int n = in.readInt();
		if (n < 0 || n > (64 << 20)) {
			throw new IOException("bad string length " + n);
		}
		return new String(in.readNBytes(n), StandardCharsets.UTF_8);
	}
}
