package dev.queuectl.worker;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The command socket of a real worker host, spoken to by the real fast client and by a raw
 * client that sends what no real client would: cut-off input, huge and negative lengths,
 * garbage, stalls, a crowd, random bytes, and another user. The host only takes jobs from a queue
 * nothing is put in, so no job enqueued here ever runs.
 */
class CommandSocketIT {

	private static final Path CLIENT = Path.of("target", "queuectl.jar.original").toAbsolutePath();

	private static final Duration ANSWER = Duration.ofSeconds(20);

	@TempDir
	Path dir;

	Queuectl q;

	Queuectl.Worker host;

	Path socket;

	String cwd;

	@BeforeEach
	void startHost() throws Exception {
		this.q = new Queuectl(this.dir);
		this.host = this.q.worker(List.of("-Dqueuectl.socket.header-timeout=2s"), "--no-http", "--queue",
				"socket-it-nothing");
		this.socket = Path.of(this.q.db + ".sock");
		await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(this.socket));
		this.cwd = this.dir.toRealPath().toString();
	}

	@AfterEach
	void stopHost() {
		this.host.close();
	}

	// ---- enqueue - is all or nothing over the socket

	@Test
	void aClientKilledMidStreamStoresNothingAndAWholeStreamStoresAll() throws Exception {
		Process client = fastClient("enqueue", "-").redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.redirectError(ProcessBuilder.Redirect.DISCARD)
			.start();
		AtomicLong written = new AtomicLong();
		Thread feeder = new Thread(() -> feed(client.getOutputStream(), 200_000, written));
		feeder.start();
		// past the pipe's, the client's and the socket's buffers: thousands of lines reached the host
		await().atMost(ANSWER).until(() -> written.get() > (1 << 20));
		client.destroyForcibly(); // SIGKILL: no end frame
		assertThat(client.waitFor(10, TimeUnit.SECONDS)).isTrue();
		feeder.join(10_000);
		await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> jobs() == 0);
		assertThat(this.host.process().isAlive()).isTrue();

		Path lines = this.dir.resolve("jobs.jsonl");
		try (OutputStream out = Files.newOutputStream(lines)) {
			feed(out, 5000, new AtomicLong());
		}
		Queuectl.Result whole = runFastClient(lines, "enqueue", "-");
		assertThat(whole.exit()).as(whole.err()).isZero();
		assertThat(whole.out().lines()).hasSize(5000);
		assertThat(jobs()).isEqualTo(5000);
	}

	@Test
	void inputThatEndsWithoutItsEndFrameFailsTheEnqueueAndStoresNothing() throws Exception {
		RawSocketClient.Bytes req = new RawSocketClient.Bytes()
			.raw(RawSocketClient.request(this.cwd, List.of("enqueue", "-"), true))
			.frame("{\"command\":\"true\"}\n{\"command\":\"true\"}\n");
		RawSocketClient.Answer cut = RawSocketClient.send(this.socket, req.toByteArray(), true, ANSWER);
		assertThat(cut.exit()).isEqualTo(1);
		assertThat(cut.err()).isEqualTo("queuectl: the client's input was cut off before its end (the client was interrupted)\n");
		assertThat(jobs()).isZero();

		RawSocketClient.Answer whole = RawSocketClient.send(this.socket, req.i32(0).toByteArray(), true, ANSWER);
		assertThat(whole.exit()).as(whole.err()).isZero();
		assertThat(whole.out().lines()).hasSize(2);
		assertThat(jobs()).isEqualTo(2);
	}

	// ---- a peer that lies, stalls or crowds

	@Test
	void hugeNegativeAndGarbageLengthsAreAnsweredAsBadRequestsAndTheHostGoesOn() throws Exception {
		int magic = RawSocketClient.MAGIC;
		List<byte[]> bad = List.of(
				new RawSocketClient.Bytes().i32(magic).str(this.cwd).i32(Integer.MAX_VALUE).toByteArray(),
				new RawSocketClient.Bytes().i32(magic).str(this.cwd).i32(-1).toByteArray(),
				new RawSocketClient.Bytes().i32(magic).i32(Integer.MAX_VALUE).toByteArray(),
				new RawSocketClient.Bytes().i32(magic).i32(-7).toByteArray(),
				new RawSocketClient.Bytes().i32(magic).str(this.cwd).i32(1).i32((64 << 20) - 1).toByteArray(),
				new RawSocketClient.Bytes().raw("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)).toByteArray(),
				new RawSocketClient.Bytes().i32(0x51434C31).str(this.cwd).i32(1).str("status").u8(0).toByteArray(),
				new RawSocketClient.Bytes().i32(0x51434C32).str(this.cwd).i32(1).str("status").u8(0).toByteArray(),
				new RawSocketClient.Bytes().i32(0x51434C33).str(this.cwd).i32(1).str("status").u8(0).toByteArray(),
				new RawSocketClient.Bytes().i32(magic).str(this.cwd).i32(1).str("status").u8(2).i32(1).str("PATH").str("/x").toByteArray(),
				new RawSocketClient.Bytes().i32(magic).str(this.cwd).i32(1).str("status").u8(2).i32(3).toByteArray(),
				new RawSocketClient.Bytes().i32(magic).str("relative").i32(1).str("status").u8(0).toByteArray(),
				new RawSocketClient.Bytes().i32(magic).str(this.cwd).i32(1).str("status").u8(7).toByteArray(),
				fiveArgumentsOfOneMiB());
		for (byte[] request : bad) {
			RawSocketClient.Answer a = RawSocketClient.send(this.socket, request, true, ANSWER);
			assertThat(a.exit()).as(a.err()).isEqualTo(2);
			assertThat(a.err()).startsWith("queuectl: bad request: ").endsWith("\n").hasLineCount(1);
		}
		RawSocketClient.Answer hugeFrame = RawSocketClient.send(this.socket,
				new RawSocketClient.Bytes().raw(RawSocketClient.request(this.cwd, List.of("enqueue", "-"), true))
					.i32(Integer.MAX_VALUE)
					.toByteArray(),
				true, ANSWER);
		assertThat(hugeFrame.exit()).isEqualTo(1);
		assertThat(hugeFrame.err()).contains("a stdin frame of 2147483647 bytes");
		assertServesNormally();
		assertThat(this.host.logText()).doesNotContain("Exception").doesNotContain("Error");
		assertThat(jobs()).isZero();
	}

	@Test
	void aPeerThatSendsHalfARequestAndStallsIsAnsweredAndClosedAfterTheHeaderTimeout() throws Exception {
		try (SocketChannel stalled = RawSocketClient.connect(this.socket)) {
			byte[] full = RawSocketClient.request(this.cwd, List.of("status"), false);
			RawSocketClient.write(stalled, Arrays.copyOf(full, full.length / 2));
			long start = System.nanoTime();
			RawSocketClient.Answer a = RawSocketClient.read(stalled, ANSWER);
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1500),
					Duration.ofSeconds(10));
			assertThat(a.exit()).isEqualTo(2);
			assertThat(a.err()).isEqualTo("queuectl: the request was not complete within 2 s\n");
		}
		assertServesNormally();
	}

	@Test
	void aHundredSilentConnectionsHoldNoHandlerAndAreAllAnsweredAfterTheHeaderTimeout() throws Exception {
		List<SocketChannel> crowd = new ArrayList<>();
		try {
			for (int i = 0; i < 100; i++) {
				crowd.add(RawSocketClient.connect(this.socket)); // each sends nothing
			}
			// while they are silent, a command is served at once: they hold no handler
			Queuectl.Result served = runFastClient(null, "status");
			assertThat(served.exit()).as(served.err()).isZero();
			assertThat(served.err()).isEmpty();
			for (SocketChannel c : crowd) {
				RawSocketClient.Answer a = RawSocketClient.read(c, ANSWER);
				assertThat(a.exit()).as("every connection is answered").isEqualTo(2);
				assertThat(a.err()).isEqualTo("queuectl: the request was not complete within 2 s\n");
			}
		}
		finally {
			for (SocketChannel c : crowd) {
				c.close();
			}
		}
		assertServesNormally();
		assertThat(threads("queuectl-serve")).as("handler threads are bounded").isLessThanOrEqualTo(33);
	}

	@Test
	void aSeededFuzzOfTheProtocolLeavesTheHostServing() throws Exception {
		Random random = new Random(20260801L);
		List<byte[]> valid = List.of(RawSocketClient.request(this.cwd, List.of("status"), false),
				RawSocketClient.request(this.cwd, List.of("list", "--limit", "3"), false),
				RawSocketClient.request(this.cwd, List.of("show", "nope"), false),
				RawSocketClient.request(this.cwd, List.of("config", "get", "max-retries"), false),
				new RawSocketClient.Bytes().raw(RawSocketClient.request(this.cwd, List.of("enqueue", "-"), true))
					.frame("{\"command\":\"true\",\"queue\":\"fuzz\"}\n")
					.i32(0)
					.toByteArray());
		for (int i = 0; i < 300; i++) {
			byte[] request;
			if (i % 3 == 0) {
				request = new byte[random.nextInt(256)];
				random.nextBytes(request);
			}
			else {
				request = mutate(valid.get(random.nextInt(valid.size())), random);
			}
			RawSocketClient.Answer a = RawSocketClient.send(this.socket, request, true, ANSWER);
			assertThat(a).isNotNull();
			assertThat(this.host.process().isAlive()).as("case " + i).isTrue();
		}
		assertServesNormally();
		assertThat(this.host.logText()).doesNotContain("OutOfMemoryError");
	}

	// ---- other users

	@Test
	void aSocketAnotherUserOwnsIsRefusedByTheClientAndNothingIsSent() throws Exception {
		assumeTrue(isRoot(), "needs root to hand the socket to another user");
		Files.setAttribute(this.socket, "unix:uid", 65534);
		Queuectl.Result r = runFastClient(null, "enqueue", "{\"command\":\"true\"}");
		assertThat(r.exit()).isEqualTo(1);
		assertThat(r.out()).isEmpty();
		assertThat(r.err()).isEqualTo("queuectl: " + this.socket
				+ " belongs to another user (uid 65534); refusing to send commands there\n");
		assertThat(jobs()).isZero();
	}

	@Test
	void aPlainFileAnotherUserLeftAtTheSocketsPathIsRefusedNotFallenBackFrom() throws Exception {
		assumeTrue(isRoot(), "needs root to hand a file to another user");
		this.host.close();
		this.host.waitFor(Duration.ofSeconds(30));
		Files.deleteIfExists(this.socket);
		Files.createFile(this.socket);
		Files.setAttribute(this.socket, "unix:uid", 65534);
		Queuectl.Result r = runFastClient(null, "status");
		assertThat(r.exit()).as("not 125: the launcher would run the command on the side").isEqualTo(1);
		assertThat(r.err()).contains("belongs to another user (uid 65534)");
	}

	@Test
	void aPeerRunningAsAnotherUserIsRefusedByTheServer() throws Exception {
		assumeTrue(isRoot() && Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs root and setpriv");
		Path probe = this.dir.resolve("probe");
		Files.createDirectory(probe);
		Files.writeString(probe.resolve("Probe.java"), PROBE);
		for (Path p : List.of(this.dir, probe, probe.resolve("Probe.java"))) {
			Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
		}
		Files.setPosixFilePermissions(this.socket, PosixFilePermissions.fromString("rwxrwxrwx")); // as if the mode failed
		ProcessBuilder pb = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
				Queuectl.JAVA, probe.resolve("Probe.java").toString(), this.socket.toString(), "/")
			.redirectErrorStream(true);
		pb.environment().put("HOME", probe.toString());
		Process p = pb.start();
		String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(said).contains("connected").contains("exit 1").contains("serves only its owner");
		assertThat(jobs()).isZero();
		assertServesNormally();
	}

	/** Run as another user: connects and sends an enqueue the way a raw client would. */
	private static final String PROBE = """
			import java.io.*;
			import java.net.*;
			import java.nio.channels.*;
			import java.nio.charset.StandardCharsets;
			public class Probe {
				public static void main(String[] a) throws Exception {
					try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
						c.connect(UnixDomainSocketAddress.of(a[0]));
						System.out.println("connected");
						DataOutputStream out = new DataOutputStream(Channels.newOutputStream(c));
						try {
							out.writeInt(0x51434C33);
							str(out, a[1]);
							out.writeInt(2);
							str(out, "enqueue");
							str(out, "{\\"command\\":\\"echo pwned\\"}");
							out.writeByte(0);
							out.flush();
						}
						catch (IOException refusedBeforeTheEnd) {
							// the server may answer and close before the request is all written: its answer is still there to read
						}
						DataInputStream in = new DataInputStream(Channels.newInputStream(c));
						while (true) {
							byte type = in.readByte();
							int n = in.readInt();
							if (type == 0) { System.out.println("exit " + n); return; }
							System.out.print(new String(in.readNBytes(n), StandardCharsets.UTF_8));
						}
					}
				}
				static void str(DataOutputStream out, String s) throws IOException {
					byte[] b = s.getBytes(StandardCharsets.UTF_8);
					out.writeInt(b.length);
					out.write(b);
				}
			}
			""";

	// ---- helpers

	private void assertServesNormally() throws Exception {
		RawSocketClient.Answer ok = RawSocketClient.send(this.socket,
				RawSocketClient.request(this.cwd, List.of("status"), false), true, ANSWER);
		assertThat(ok.exit()).as(ok.err()).isZero();
		assertThat(ok.out()).contains("pending");
		assertThat(this.host.process().isAlive()).isTrue();
	}

	private ProcessBuilder fastClient(String... args) {
		List<String> cmd = new ArrayList<>(List.of(Queuectl.JAVA, "-Dqueuectl.remote=only", "-cp", CLIENT.toString(),
				"dev.queuectl.Main", "--db", this.q.db.toString()));
		cmd.addAll(List.of(args));
		return new ProcessBuilder(cmd).directory(this.dir.toFile());
	}

	private Queuectl.Result runFastClient(Path stdin, String... args) throws Exception {
		Path out = Files.createTempFile(this.dir, "out", ".txt");
		Path err = Files.createTempFile(this.dir, "err", ".txt");
		Process p = fastClient(args).redirectOutput(out.toFile())
			.redirectError(err.toFile())
			.redirectInput(stdin != null ? stdin.toFile() : new java.io.File("/dev/null"))
			.start();
		assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
		return new Queuectl.Result(p.exitValue(), Files.readString(out), Files.readString(err));
	}

	private static void feed(OutputStream out, int lines, AtomicLong written) {
		byte[] line = "{\"command\":\"true\"}\n".getBytes(StandardCharsets.UTF_8);
		try (out) {
			for (int i = 0; i < lines; i++) {
				out.write(line);
				written.addAndGet(line.length);
			}
		}
		catch (IOException ex) {
			// the client was killed
		}
	}

	private byte[] fiveArgumentsOfOneMiB() {
		RawSocketClient.Bytes b = new RawSocketClient.Bytes().i32(RawSocketClient.MAGIC).str(this.cwd).i32(5);
		String mib = "x".repeat(1 << 20);
		for (int i = 0; i < 5; i++) {
			b.str(mib);
		}
		return b.u8(0).toByteArray();
	}

	private static byte[] mutate(byte[] valid, Random random) {
		byte[] b = valid.clone();
		switch (random.nextInt(4)) {
			case 0 -> { // flip a few bytes
				for (int k = 1 + random.nextInt(4); k > 0; k--) {
					b[random.nextInt(b.length)] ^= (byte) (1 + random.nextInt(255));
				}
			}
			case 1 -> b = Arrays.copyOf(b, random.nextInt(b.length)); // cut short
			case 2 -> { // a random int somewhere: a length, a count, a flag
				int at = random.nextInt(Math.max(1, b.length - 4));
				int v = random.nextBoolean() ? random.nextInt() : random.nextInt(5) - 1;
				b[at] = (byte) (v >>> 24);
				b[at + 1] = (byte) (v >>> 16);
				b[at + 2] = (byte) (v >>> 8);
				b[at + 3] = (byte) v;
			}
			default -> { // random bytes appended
				byte[] tail = new byte[random.nextInt(64)];
				random.nextBytes(tail);
				b = Arrays.copyOf(b, b.length + tail.length);
				System.arraycopy(tail, 0, b, b.length - tail.length, tail.length);
			}
		}
		return b;
	}

	private long threads(String prefix) throws IOException {
		Path tasks = Path.of("/proc", Long.toString(this.host.process().pid()), "task");
		try (var s = Files.list(tasks)) {
			return s.filter(t -> {
				try {
					return Files.readString(t.resolve("comm")).trim().startsWith(prefix.substring(0, Math.min(15, prefix.length())))
							&& !Files.readString(t.resolve("comm")).contains("timer");
				}
				catch (IOException gone) {
					return false;
				}
			}).count();
		}
	}

	private static boolean isRoot() {
		return "root".equals(System.getProperty("user.name"));
	}

	private long jobs() throws SQLException {
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + this.q.db + "?busy_timeout=10000");
				ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM jobs")) {
			rs.next();
			return rs.getLong(1);
		}
	}
}
