package dev.queuectl.server;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A command request as the server reads it off the socket ({@link Wire}), every length checked
 * against its bound before anything is allocated: a peer that claims 2^31 arguments or a
 * negative length gets a {@link Malformed} answer, not an OutOfMemoryError in the host.
 */
record Request(Path workingDir, List<String> words, boolean stdin) {

	static Request read(DataInputStream in) throws IOException {
		if (in.readInt() != Wire.MAGIC) {
			throw new Malformed("not a queuectl request, or one from another version of queuectl"
					+ " (restart the worker host or the REPL after an upgrade)");
		}
		int[] budget = { Wire.MAX_REQUEST };
		String dir = readString(in, budget, "the working directory");
		Path cwd;
		try {
			cwd = Path.of(dir);
		}
		catch (InvalidPathException ex) {
			throw new Malformed("the working directory is not a path");
		}
		if (!cwd.isAbsolute()) {
			throw new Malformed("the working directory is not absolute");
		}
		int n = in.readInt();
		if (n < 0 || n > Wire.MAX_ARGS) {
			throw new Malformed("argument count " + n + " is not from 0 to " + Wire.MAX_ARGS);
		}
		List<String> words = new ArrayList<>(Math.min(n, 64));
		for (int i = 0; i < n; i++) {
			words.add(readString(in, budget, "argument " + (i + 1)));
		}
		int stdin = in.readUnsignedByte();
		if (stdin > 1) {
			throw new Malformed("the stdin flag is " + stdin + ", not 0 or 1");
		}
		return new Request(cwd, List.copyOf(words), stdin == 1);
	}

	private static String readString(DataInputStream in, int[] budget, String what) throws IOException {
		int n = in.readInt();
		if (n < 0 || n > Wire.MAX_STRING) {
			throw new Malformed(what + " claims " + n + " bytes (at most " + Wire.MAX_STRING + ")");
		}
		if (n > budget[0]) {
			throw new Malformed("the request is over " + Wire.MAX_REQUEST + " bytes");
		}
		budget[0] -= n;
		byte[] b = new byte[n];
		in.readFully(b);
		return new String(b, StandardCharsets.UTF_8);
	}

	/** A request the server answers with one line and exit code 2 instead of running it. */
	static final class Malformed extends IOException {

		private static final long serialVersionUID = 1L;

		Malformed(String message) {
			super(message);
		}
	}
}
