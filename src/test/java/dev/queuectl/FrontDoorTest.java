package dev.queuectl;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The native client as bin/queuectl's front door ({@code queuectl-client --launcher LAUNCHER ARG...},
 * src/main/c/client-door.c), against installs made up in a temporary folder: a release (lib/) or a
 * clone (pom.xml, target/, src/main), whose bin/queuectl is a stand-in that prints what the door
 * handed it (QUEUECTL_DOOR, its ignored signals, each argument, its standard input). What a real
 * server answers through the door is LauncherNativeClientIT's and ServerIT's; here the door's own
 * decisions: which build id it names, when it hands over, and that it hands over intact. And the
 * client as a release's bin/queuectl itself, the launcher (the stand-in) then lib/queuectl.
 */
class FrontDoorTest {

	private static final Path PROJECT = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
		.toAbsolutePath();

	private static final Path CLIENT = PROJECT.resolve("target").resolve("queuectl-client");

	private static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));

	/** Prints what it was handed; exits 7 so that its run shows. */
	private static final String STAND_IN = """
			#!/bin/sh
			printf 'door=%s\\n' "${QUEUECTL_DOOR-unset}"
			grep '^SigIgn:' /proc/self/status
			for a in "$@"; do printf '[%s]\\n' "$a"; done
			cat
			exit 7
			""";

	private static final Instant OLD = Instant.parse("2025-01-01T00:00:00Z");

	@TempDir
	Path tmp;

	private final Map<String, String> env = new HashMap<>();

	@BeforeEach
	void builtWhereCcIs() {
		assumeThat(Files.exists(Path.of("/usr/bin/cc"))).as("the native client is built where /usr/bin/cc is").isTrue();
		assertThat(CLIENT).isExecutable();
		this.env.put("PATH", System.getenv("PATH"));
		this.env.put("HOME", this.tmp.toString());
		this.env.put("JAVA_HOME", JAVA_HOME.toString());
	}

	@Test
	void withNothingServingItHandsTheLauncherEveryArgumentAndStandardInputIntactAndSigpipeNotIgnored() throws Exception {
		Path install = release("rel");
		// a socket nothing listens on (a killed server's): the client has set its signals by then
		try (ServerSocketChannel stale = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
			stale.bind(UnixDomainSocketAddress.of(db() + ".sock"));
		}
		Ran r = door(install.resolve("bin/queuectl"), "line one\nline two\n", "--db", db(), "enqueue", "-", "a  b", "",
				"'q' \"x\"");
		assertThat(r.exit).as(r.toString()).isEqualTo(7);
		assertThat(r.out).as(r.toString())
			.startsWith("door=not-served\n")
			.endsWith("[--db]\n[" + db() + "]\n[enqueue]\n[-]\n[a  b]\n[]\n['q' \"x\"]\nline one\nline two\n");
		long ignored = Long.parseLong(r.out.lines().toList().get(1).replace("SigIgn:", "").trim(), 16);
		assertThat(ignored & (1L << (13 - 1))).as("SIGPIPE ignored in the launcher: %s", r).isZero();
	}

	@Test
	void aSymlinkToTheLauncherFindsItsInstall() throws Exception {
		Path install = release("rel");
		Path link = Files.createDirectories(this.tmp.resolve("path-bin")).resolve("queuectl");
		Files.createSymbolicLink(link, install.resolve("bin/queuectl"));
		Ran r = door(link, "", "--db", db(), "status");
		assertThat(r.out).as(r.toString()).startsWith("door=not-served\n");
	}

	@Test
	void itNamesTheBuildAsTheLauncherDoesTheJarsAndJavasSizeTimeAndInode() throws Exception {
		Path install = release("rel");
		Path jar = install.resolve("lib/queuectl.jar");
		Path java = JAVA_HOME.resolve("bin/java");
		String build = key(jar) + "-" + key(java);
		assertThat(serve(install, build, "status")).as("the server of this build answers").isEqualTo("served: status\n");
		assertThat(serve(install, "1-2-3-4-5-6", "status")).as("one of another build is never used")
			.startsWith("door=not-served\n");

		// java from PATH (a symlink to it there counts as what it points to) when JAVA_HOME is unset
		Path bin = Files.createDirectories(this.tmp.resolve("java-bin"));
		Files.createSymbolicLink(bin.resolve("java"), java);
		this.env.remove("JAVA_HOME");
		this.env.put("PATH", this.tmp.resolve("nothing-here") + ":" + bin);
		assertThat(serve(install, build, "status")).isEqualTo("served: status\n");
	}

	@Test
	void withNoJavaItDeclinesAndTheLauncherSaysWhy() throws Exception {
		Path install = release("rel");
		this.env.put("JAVA_HOME", this.tmp.resolve("no-jdk").toString());
		assertThat(door(install.resolve("bin/queuectl"), "", "status").out).startsWith("door=declined\n");
		this.env.remove("JAVA_HOME");
		this.env.put("PATH", this.tmp.resolve("nothing-here").toString());
		assertThat(door(install.resolve("bin/queuectl"), "", "status").out).startsWith("door=declined\n");
	}

	@Test
	void inACloneASourceNewerThanTheJarSendsTheCommandToTheBuild() throws Exception {
		Path clone = this.tmp.resolve("clone");
		Path launcher = standIn(clone);
		Files.writeString(clone.resolve("pom.xml"), "<project/>");
		Path jar = Files.createDirectories(clone.resolve("target")).resolve("queuectl.jar");
		Files.writeString(jar, "a jar");
		Path source = Files.createDirectories(clone.resolve("src/main/java/dev")).resolve("A.java");
		Files.writeString(source, "class A {}");
		age(clone.resolve("pom.xml"), clone.resolve("src/main/java/dev"), clone.resolve("src/main/java"),
				clone.resolve("src/main"), source);
		Files.setLastModifiedTime(jar, FileTime.from(OLD.plusSeconds(60)));
		assertThat(door(launcher, "", "--db", db(), "status").out).as("current: it asks").startsWith("door=not-served\n");

		// what the launcher's glob does not see: hidden names, what is under them, editor backups
		Files.writeString(clone.resolve("src/main/java/dev/.A.java.swp"), "x");
		Files.writeString(clone.resolve("src/main/java/dev/A.java~"), "x");
		Files.writeString(Files.createDirectories(clone.resolve("src/main/.idea")).resolve("x.xml"), "x");
		age(clone.resolve("src/main/java/dev"), clone.resolve("src/main"));
		assertThat(door(launcher, "", "--db", db(), "status").out).as("still current").startsWith("door=not-served\n");

		Files.setLastModifiedTime(source, FileTime.from(OLD.plusSeconds(60).plusNanos(1000)));
		assertThat(door(launcher, "", "--db", db(), "status").out).as("a source newer, if by a microsecond")
			.startsWith("door=declined\n");
		age(source);
		Files.setLastModifiedTime(clone.resolve("pom.xml"), FileTime.from(Instant.now()));
		assertThat(door(launcher, "", "--db", db(), "status").out).as("pom.xml newer").startsWith("door=declined\n");
		Files.delete(jar);
		Files.delete(clone.resolve("pom.xml"));
		assertThat(door(launcher, "", "--db", db(), "status").out).as("no jar").startsWith("door=declined\n");
	}

	@Test
	void servedOnlyExitsNotServedWithoutTheLauncher() throws Exception {
		Path install = release("rel");
		this.env.put("QUEUECTL_SERVED_ONLY", "1");
		Ran r = door(install.resolve("bin/queuectl"), "", "--db", db(), "list");
		assertThat(r.exit).as(r.toString()).isEqualTo(125);
		assertThat(r.out).as(r.toString()).isEmpty();
		assertThat(r.err).as(r.toString()).isEmpty();
	}

	@Test
	void aReleasesBinQueuectlIsTheClientItselfAndHandsTheLauncherInLibWhatTheShLinesWouldHandBash() throws Exception {
		Path install = nativeRelease("native");
		Path front = install.resolve("bin/queuectl");
		Ran served = run(front, "line one\n", "--db", db(), "enqueue", "-", "a  b", "");
		assertThat(served.exit).as(served.toString()).isEqualTo(7);
		assertThat(served.out).as("nothing serves: the launcher runs it, told so")
			.startsWith("door=not-served\n")
			.endsWith("[--db]\n[" + db() + "]\n[enqueue]\n[-]\n[a  b]\n[]\nline one\n");
		for (List<String> args : List.<List<String>>of(List.of("worker", "start"), List.of("--version"), List.of("--db", db(), "--debug", "status"),
				List.of())) {
			Ran r = run(front, "", args.toArray(String[]::new));
			StringBuilder handed = new StringBuilder();
			args.forEach(a -> handed.append('[').append(a).append("]\n"));
			assertThat(r.out).as("not a served word: straight to the launcher, untouched: %s", r)
				.startsWith("door=unset\n")
				.endsWith("\n" + handed);
		}
		this.env.put("QUEUECTL_CLIENT", "java");
		assertThat(run(front, "", "--db", db(), "status").out).as("the JVM client asked for").startsWith("door=unset\n");
		this.env.remove("QUEUECTL_CLIENT");
		this.env.put("QUEUECTL_DOOR", "declined");
		assertThat(run(front, "", "--db", db(), "status").out).as("the door spoke already").startsWith("door=declined\n");
	}

	@Test
	void aReleasesBinQueuectlAnswersAServedCommandItselfAlsoThroughASymlink() throws Exception {
		Path install = nativeRelease("native");
		String build = key(install.resolve("lib/queuectl.jar")) + "-" + key(JAVA_HOME.resolve("bin/java"));
		Path link = Files.createDirectories(this.tmp.resolve("path-bin")).resolve("queuectl");
		Files.createSymbolicLink(link, install.resolve("bin/queuectl"));
		assertThat(serveThrough(install.resolve("bin/queuectl"), build, "status")).isEqualTo("served: status\n");
		assertThat(serveThrough(link, build, "list")).isEqualTo("served: list\n");
		assertThat(serveThrough(link, "1-2-3-4-5-6", "status")).as("another build's server is never used")
			.startsWith("door=not-served\n");
	}

	/** An unpacked release as a build with a C compiler makes it: bin/queuectl the client, lib/queuectl the launcher (here the stand-in). */
	private Path nativeRelease(String name) throws IOException {
		Path install = this.tmp.resolve(name);
		Path lib = Files.createDirectories(install.resolve("lib"));
		Files.writeString(lib.resolve("queuectl.jar"), "a jar");
		Files.writeString(lib.resolve("queuectl"), STAND_IN);
		Files.setPosixFilePermissions(lib.resolve("queuectl"), PosixFilePermissions.fromString("rwx------"));
		Files.copy(CLIENT, Files.createDirectories(install.resolve("bin")).resolve("queuectl"));
		return install;
	}

	/** An unpacked release: bin/queuectl (the stand-in), lib/queuectl.jar, no pom.xml. */
	private Path release(String name) throws IOException {
		Path install = this.tmp.resolve(name);
		standIn(install);
		Files.writeString(Files.createDirectories(install.resolve("lib")).resolve("queuectl.jar"), "a jar");
		return install;
	}

	private static Path standIn(Path install) throws IOException {
		Path launcher = Files.createDirectories(install.resolve("bin")).resolve("queuectl");
		Files.writeString(launcher, STAND_IN);
		Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
		return launcher;
	}

	private String db() {
		return this.tmp.resolve("q.db").toString();
	}

	private static void age(Path... paths) throws IOException {
		for (Path p : paths) {
			Files.setLastModifiedTime(p, FileTime.from(OLD));
		}
	}

	/** What {@code stat -L -c '%s-%Y-%i'} prints for the file. */
	private static String key(Path file) throws IOException {
		Map<String, Object> a = Files.readAttributes(file, "unix:size,lastModifiedTime,ino");
		return a.get("size") + "-" + ((FileTime) a.get("lastModifiedTime")).toInstant().getEpochSecond() + "-" + a.get("ino");
	}

	/**
	 * Runs the door against a server of this build on the database's socket that answers any
	 * command with "served: WORD"; returns the door's stdout.
	 */
	private String serve(Path install, String build, String word) throws Exception {
		return serve(install.resolve("bin/queuectl"), build, word, true);
	}

	/** {@link #serve} through {@code program} run as it is (a release's bin/queuectl), not as the door of a launcher. */
	private String serveThrough(Path program, String build, String word) throws Exception {
		return serve(program, build, word, false);
	}

	private String serve(Path launcher, String build, String word, boolean asDoor) throws Exception {
		Path socket = Path.of(db() + ".sock");
		Files.deleteIfExists(socket);
		try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
			server.bind(UnixDomainSocketAddress.of(socket));
			CompletableFuture<Void> answered = CompletableFuture.runAsync(() -> {
				try (SocketChannel c = server.accept()) {
					DataOutputStream out = new DataOutputStream(Channels.newOutputStream(c));
					DataInputStream in = new DataInputStream(Channels.newInputStream(c));
					byte[] hello = ("server " + build).getBytes(StandardCharsets.UTF_8);
					out.writeByte(3);
					out.writeInt(hello.length);
					out.write(hello);
					out.flush();
					in.readInt(); // the request's magic: the client sent it, so this server answers
					byte[] text = ("served: " + word + "\n").getBytes(StandardCharsets.UTF_8);
					out.writeByte(1);
					out.writeInt(text.length);
					out.write(text);
					out.writeByte(0);
					out.writeInt(0);
					out.flush();
				}
				catch (IOException ex) {
					// the client of another build hangs up after asking this one to stop
				}
			});
			Ran r = asDoor ? door(launcher, "", "--db", db(), word) : run(launcher, "", "--db", db(), word);
			answered.get(60, TimeUnit.SECONDS);
			return r.out;
		}
		finally {
			Files.deleteIfExists(socket);
		}
	}

	private Ran door(Path launcher, String stdin, String... args) throws Exception {
		List<String> command = new ArrayList<>(List.of(CLIENT.toString(), "--launcher", launcher.toString()));
		command.addAll(List.of(args));
		return run(command, stdin);
	}

	/** Runs {@code program ARG...} with this test's environment. */
	private Ran run(Path program, String stdin, String... args) throws Exception {
		List<String> command = new ArrayList<>(List.of(program.toString()));
		command.addAll(List.of(args));
		return run(command, stdin);
	}

	private Ran run(List<String> command, String stdin) throws Exception {
		Path in = Files.writeString(Files.createTempFile(this.tmp, "stdin", ""), stdin);
		Path out = Files.createTempFile(this.tmp, "out", "");
		Path err = Files.createTempFile(this.tmp, "err", "");
		ProcessBuilder pb = new ProcessBuilder(command).directory(this.tmp.toFile())
			.redirectInput(in.toFile())
			.redirectOutput(out.toFile())
			.redirectError(err.toFile());
		pb.environment().clear();
		pb.environment().putAll(this.env);
		Process p = pb.start();
		if (!p.waitFor(60, TimeUnit.SECONDS)) {
			p.destroyForcibly();
			throw new AssertionError("it did not finish: " + command);
		}
		return new Ran(p.exitValue(), Files.readString(out), Files.readString(err));
	}

	private record Ran(int exit, String out, String err) {
	}
}
