package dev.queuectl.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A long-lived helper process that starts one job at a time for a worker slot, so the JVM never
 * forks per job: the compiled spawner (src/main/c/spawner.c) where the build had a C compiler,
 * else a bash (spawner.sh) whose job control gives each job its own process group. Both speak
 * the same protocol. Not thread-safe: one slot uses one spawner. It runs with the environment
 * {@link JobEnvironment} leaves a job of the host's, and every job inherits it.
 * <p>
 * A request is three fields, each the decimal length of its bytes, a newline, then exactly that
 * many bytes: an end marker, a directory, a command. Job text never delimits anything, so no byte
 * sequence in a directory or command can shift the framing. A field may not hold a NUL byte (it
 * could not reach {@code sh -c} as a C string anyway): {@link #run} refuses one before writing,
 * and the compiled spawner answers {@code refused} to one it is sent. The marker that ends a
 * job's output is 128 random bits drawn anew for every job from a {@link SecureRandom}; a job
 * never sees it, so it cannot end its own output early or write into the next job's.
 */
final class Spawner implements AutoCloseable {

	static final Path BASH = Path.of("/bin/bash");

	/** The compiled spawner, or null: {@code -Dqueuectl.spawner=bash} asks for the bash one. */
	static final Path NATIVE = "bash".equals(System.getProperty("queuectl.spawner")) ? null
			: NativeSpawner.install();

	/** util-linux's setsid: starts a program in a session of its own. */
	static final Path SETSID_PATH = Path.of("/usr/bin/setsid");

	static final boolean SETSID = Files.isExecutable(SETSID_PATH);

	private static final String SCRIPT = loadScript();

	private static final SecureRandom RANDOM = new SecureRandom();

	private final Process process;

	private final OutputStream requests;

	private final InputStream output;

	/** What the spawner says (its stderr), line by line. */
	private final Lines events;

	/**
	 * The buffer output is copied through, kept from job to job: a host's young generation is a few
	 * MiB (bin/queuectl), and 64 KiB a job made a collection every few dozen `true` jobs.
	 */
	private final byte[] buf = new byte[64 * 1024];

	/** A spawner whose jobs get the environment {@code rule} leaves of the host's. */
	Spawner(JobEnvironment rule) throws IOException {
		this(NATIVE, rule);
	}

	/** A spawner running {@code nativeProgram}, or the bash one when it is null; jobs inherit as without --clean-env. */
	Spawner(Path nativeProgram) throws IOException {
		this(nativeProgram, JobEnvironment.INHERITED);
	}

	/**
	 * A spawner running {@code nativeProgram}, or the bash one when it is null, started with the
	 * environment its jobs get (both spawners hand theirs to every job).
	 */
	Spawner(Path nativeProgram, JobEnvironment rule) throws IOException {
		// its own session: Ctrl-C on the worker's terminal reaches neither the spawner nor its jobs,
		// not even while it starts (setsid execs the spawner in place: its parent is still the JVM)
		List<String> command = new ArrayList<>();
		if (SETSID) {
			command.add(SETSID_PATH.toString());
		}
		command.addAll(nativeProgram != null ? List.of(nativeProgram.toString()) : List.of(BASH.toString(), "-c", SCRIPT));
		ProcessBuilder builder = new ProcessBuilder(command);
		rule.applyTo(builder.environment());
		this.process = builder.start();
		this.requests = this.process.getOutputStream();
		this.output = this.process.getInputStream();
		this.events = new Lines(this.process.getErrorStream());
	}

	static boolean available() {
		return NATIVE != null || !System.getProperty("os.name", "").startsWith("Windows") && Files.isExecutable(BASH);
	}

	boolean isAlive() {
		return this.process.isAlive();
	}

	/** What the spawner said about one job. */
	interface Listener {

		/** The job runs as {@code pid}, the leader of its own process group. */
		void started(long pid);
	}

	/**
	 * Runs one command to its end, its output into {@code sink}. Returns the exit code, or
	 * {@code null} when the directory could not be entered. A directory or command holding a NUL
	 * character is refused with an {@link IllegalArgumentException} before anything is sent: the
	 * spawner stays usable.
	 */
	Integer run(String dir, String command, OutputSink sink, Listener listener) throws IOException {
		if (dir.indexOf('\0') >= 0 || command.indexOf('\0') >= 0) {
			throw new IllegalArgumentException("the " + (command.indexOf('\0') >= 0 ? "command" : "directory")
					+ " contains a NUL character, which no shell command can hold");
		}
		byte[] marker = ("queuectl-end-" + HexFormat.of().formatHex(randomBytes())).getBytes(StandardCharsets.US_ASCII);
		writeField(marker);
		writeField(dir.getBytes(StandardCharsets.UTF_8));
		writeField(command.getBytes(StandardCharsets.UTF_8));
		this.requests.flush();
		String first = readEvent();
		if (first.equals("refused")) {
			copyUntil(marker, sink);
			throw new IOException("the job spawner refused the request");
		}
		if (first.equals("nodir")) {
			copyUntil(marker, sink);
			return null;
		}
		if (!first.startsWith("pid ")) {
			throw new IOException("spawner said: " + first);
		}
		listener.started(Long.parseLong(first.substring(4).trim()));
		copyUntil(marker, sink);
		String exit = readEvent();
		if (!exit.startsWith("exit ")) {
			throw new IOException("spawner said: " + exit);
		}
		return Integer.parseInt(exit.substring(5).trim());
	}

	/** One field: its length in decimal, a newline, its bytes. */
	private void writeField(byte[] bytes) throws IOException {
		this.requests.write((bytes.length + "\n").getBytes(StandardCharsets.US_ASCII));
		this.requests.write(bytes);
	}

	private String readEvent() throws IOException {
		String line;
		while ((line = this.events.next()) != null) {
			if (line.equals("nodir") || line.equals("refused") || line.startsWith("pid ") || line.startsWith("exit ")) {
				return line;
			}
			// anything else is bash talking about itself: not part of the protocol
		}
		throw new IOException("the job spawner exited");
	}

	/** Copies the job's output to the sink until the marker, which is not copied. */
	private void copyUntil(byte[] marker, OutputSink sink) throws IOException {
		byte[] buf = this.buf;
		int held = 0; // bytes at the start of buf that may begin the marker
		while (true) {
			int n = this.output.read(buf, held, buf.length - held);
			if (n < 0) {
				throw new IOException("the job spawner exited");
			}
			int len = held + n;
			int at = indexOf(buf, len, marker);
			if (at >= 0) {
				// anything after the marker was written by a process that outlived its job: dropped
				sink.write(buf, 0, at);
				return;
			}
			// hold back only a tail that could begin the marker: output must flow while the job runs
			int safe = len - partialMarkerAtEnd(buf, len, marker);
			sink.write(buf, 0, safe);
			held = len - safe;
			System.arraycopy(buf, safe, buf, 0, held);
		}
	}

	/** The length of the longest tail of {@code buf[0..len)} that is a proper prefix of the marker. */
	static int partialMarkerAtEnd(byte[] buf, int len, byte[] marker) {
		for (int k = Math.min(len, marker.length - 1); k > 0; k--) {
			boolean match = true;
			for (int j = 0; j < k && match; j++) {
				match = buf[len - k + j] == marker[j];
			}
			if (match) {
				return k;
			}
		}
		return 0;
	}

	private static int indexOf(byte[] buf, int len, byte[] marker) {
		outer:
		for (int i = 0; i + marker.length <= len; i++) {
			for (int j = 0; j < marker.length; j++) {
				if (buf[i + j] != marker[j]) {
					continue outer;
				}
			}
			return i;
		}
		return -1;
	}

	private static byte[] randomBytes() {
		byte[] b = new byte[16];
		RANDOM.nextBytes(b);
		return b;
	}

	/**
	 * Lines of a stream of mostly ASCII (the spawner's events), as BufferedReader.readLine gives them,
	 * without a charset decoder: a reader and its decoder asked the Process stream for
	 * {@code available()} (an fstat and an ioctl) twice a line, this asks once a read. Package-private
	 * for its test.
	 */
	static final class Lines {

		private final InputStream in;

		/** Read and not yet taken: {@code [start, end)}. */
		private final byte[] buf;

		private int start;

		private int end;

		Lines(InputStream in) {
			this(in, 256);
		}

		Lines(InputStream in, int size) {
			this.in = in;
			this.buf = new byte[size];
		}

		/**
		 * The next line, without its end ({@code \n}, or {@code \r\n} / {@code \r} as
		 * BufferedReader took them), or null at the end of the stream (a last line without its end is
		 * returned first). A line longer than the buffer (only bash talking about itself) comes whole.
		 */
		String next() throws IOException {
			java.io.ByteArrayOutputStream longLine = null;
			while (true) {
				for (int i = this.start; i < this.end; i++) {
					byte b = this.buf[i];
					if (b == '\n' || b == '\r') {
						if (b == '\r' && i + 1 == this.end) {
							break; // a \r last: read on, a \n may follow it
						}
						String line = text(longLine, this.start, i);
						this.start = i + (b == '\r' && this.buf[i + 1] == '\n' ? 2 : 1);
						return line;
					}
				}
				if (this.start > 0) {
					System.arraycopy(this.buf, this.start, this.buf, 0, this.end - this.start);
					this.end -= this.start;
					this.start = 0;
				}
				if (this.end == this.buf.length) { // no end in a full buffer: keep all but a last \r
					int keep = this.buf[this.end - 1] == '\r' ? 1 : 0;
					longLine = longLine != null ? longLine : new java.io.ByteArrayOutputStream();
					longLine.write(this.buf, 0, this.end - keep);
					System.arraycopy(this.buf, this.end - keep, this.buf, 0, keep);
					this.end = keep;
				}
				int n = this.in.read(this.buf, this.end, this.buf.length - this.end);
				if (n < 0) {
					if (this.end == 0 && longLine == null) {
						return null;
					}
					String last = text(longLine, 0, this.end); // a lone \r at the end ends the line too
					if (last.endsWith("\r")) {
						last = last.substring(0, last.length() - 1);
					}
					this.end = 0;
					return last;
				}
				this.end += n;
			}
		}

		private String text(java.io.ByteArrayOutputStream head, int from, int to) {
			if (head == null) {
				return new String(this.buf, from, to - from, StandardCharsets.UTF_8);
			}
			head.write(this.buf, from, to - from);
			return head.toString(StandardCharsets.UTF_8);
		}
	}

	@Override
	public void close() {
		try {
			this.requests.close();
		}
		catch (IOException ex) {
			// already gone
		}
		this.process.destroy();
	}

	private static String loadScript() {
		try (InputStream in = Spawner.class.getResourceAsStream("spawner.sh")) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException | NullPointerException ex) {
			throw new IllegalStateException("spawner.sh missing from the jar", ex);
		}
	}
}
