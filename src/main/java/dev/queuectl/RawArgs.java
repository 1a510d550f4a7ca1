package dev.queuectl;

import dev.queuectl.config.QueuectlException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command-line arguments as UTF-8, whatever the locale. The JVM decodes argv with the locale's
 * charset ({@code sun.jnu.encoding}): under {@code LANG=C} every non-ASCII byte becomes U+FFFD,
 * and under a UTF-8 locale an invalid byte silently does too, so a job would be stored as text
 * other than what was typed. On Linux the bytes as given are in {@code /proc/self/cmdline}; this
 * decodes the program's own arguments (its last ones) from there, strictly, and refuses invalid
 * UTF-8 naming the argument. Where there is no such file, or it does not line up with what the
 * JVM was given, the JVM's strings stand. No Spring here: Main runs it on its fast path.
 */
final class RawArgs {

	private RawArgs() {
	}

	/**
	 * The arguments decoded as UTF-8 from their bytes, or {@code args} itself when the bytes
	 * cannot be had. Throws {@link QueuectlException} (exit 2) for an argument that is not UTF-8.
	 */
	static String[] utf8(String[] args) {
		if (args.length == 0) {
			return args;
		}
		List<byte[]> raw;
		try {
			raw = split(Files.readAllBytes(Path.of("/proc/self/cmdline")));
		}
		catch (IOException | RuntimeException ex) {
			return args;
		}
		return fromBytes(args, raw);
	}

	/** {@link #utf8} given the whole command line's words as bytes. */
	static String[] fromBytes(String[] args, List<byte[]> raw) {
		if (raw.size() < args.length) {
			return args;
		}
		List<byte[]> mine = raw.subList(raw.size() - args.length, raw.size());
		for (int i = 0; i < args.length; i++) {
			if (!asciiSkeleton(mine.get(i)).equals(asciiSkeleton(args[i]))) {
				return args; // not the same words: keep what the JVM was given
			}
		}
		String[] decoded = new String[args.length];
		for (int i = 0; i < args.length; i++) {
			try {
				decoded[i] = StandardCharsets.UTF_8.newDecoder()
					.onMalformedInput(CodingErrorAction.REPORT)
					.onUnmappableCharacter(CodingErrorAction.REPORT)
					.decode(ByteBuffer.wrap(mine.get(i)))
					.toString();
			}
			catch (CharacterCodingException ex) {
				throw QueuectlException.usage("argument " + (i + 1) + " is not valid UTF-8 (queuectl reads all input as UTF-8)");
			}
		}
		return decoded;
	}

	/** The words of /proc/self/cmdline: each ends with a NUL. */
	static List<byte[]> split(byte[] cmdline) {
		List<byte[]> words = new ArrayList<>();
		int start = 0;
		for (int i = 0; i < cmdline.length; i++) {
			if (cmdline[i] == 0) {
				words.add(java.util.Arrays.copyOfRange(cmdline, start, i));
				start = i + 1;
			}
		}
		if (start < cmdline.length) {
			words.add(java.util.Arrays.copyOfRange(cmdline, start, cmdline.length));
		}
		return words;
	}

	/**
	 * The ASCII characters but '?' alone: the same in the bytes and in the JVM's string, whatever
	 * its charset (under US-ASCII the JVM turns each other byte into '?', elsewhere into U+FFFD).
	 */
	private static String asciiSkeleton(byte[] bytes) {
		StringBuilder b = new StringBuilder(bytes.length);
		for (byte x : bytes) {
			if (x >= 0 && x != '?') {
				b.append((char) x);
			}
		}
		return b.toString();
	}

	private static String asciiSkeleton(String s) {
		StringBuilder b = new StringBuilder(s.length());
		for (int i = 0; i < s.length(); i++) {
			char c = s.charAt(i);
			if (c < 0x80 && c != '?') {
				b.append(c);
			}
		}
		return b.toString();
	}
}
