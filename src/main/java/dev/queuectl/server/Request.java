package dev.queuectl.server;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A command request as the server reads it off the socket ({@link Wire}), every length checked
 * against its bound before anything is allocated: a peer that claims 2^31 arguments or a
 * negative length gets a {@link Malformed} answer, not an OutOfMemoryError in the host.
 */
record Request(Path workingDir, List<String> words, boolean stdin, Map<String, String> variables) {

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
		int flags = in.readUnsignedByte();
		if ((flags & ~(Wire.STDIN_FLAG | Wire.VARIABLES_FLAG)) != 0) {
			throw new Malformed("the flags byte is " + flags + ", not a sum of " + Wire.STDIN_FLAG + " and " + Wire.VARIABLES_FLAG);
		}
		Map<String, String> variables = Map.of();
		if ((flags & Wire.VARIABLES_FLAG) != 0) {
			variables = readVariables(in, budget);
		}
		return new Request(cwd, List.copyOf(words), (flags & Wire.STDIN_FLAG) != 0, variables);
	}

	/** The caller's variables: each one of {@link Wire#PASSED_VARIABLES}, at most once. */
	private static Map<String, String> readVariables(DataInputStream in, int[] budget) throws IOException {
		int n = in.readInt();
		if (n < 1 || n > Wire.MAX_VARIABLES) {
			throw new Malformed("variable count " + n + " is not from 1 to " + Wire.MAX_VARIABLES);
		}
		Map<String, String> variables = new LinkedHashMap<>();
		for (int i = 0; i < n; i++) {
			String name = readString(in, budget, "a variable's name");
			if (!Wire.PASSED_VARIABLES.contains(name) || variables.containsKey(name)) {
				throw new Malformed("variable " + (i + 1) + " is not one of " + String.join(", ", Wire.PASSED_VARIABLES)
						+ " (or came twice)");
			}
			variables.put(name, readString(in, budget, name));
		}
		return java.util.Collections.unmodifiableMap(variables);
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
