package dev.queuectl.process;

import dev.queuectl.Main;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One install shared by several users: another user (nobody) runs a copy of the project that root
 * built and owns, whose target/ they cannot write. Every command runs quietly on the jar that is
 * there, whether it is current or its sources have changed since, and leaves the project as it was.
 */
@Timeout(300)
class SharedInstallIT {

	@TempDir
	Path tmp;

	@Test
	void anotherUserRunsTheInstalledJarWithoutTouchingTheBuildLock() throws Exception {
		assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/setpriv")),
				"needs root and setpriv to run as another user");
		Files.setPosixFilePermissions(this.tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
		Path project = this.tmp.resolve("install");
		copy(Cli.PROJECT.resolve("bin"), project.resolve("bin"));
		copy(Cli.PROJECT.resolve("src/main"), project.resolve("src/main"));
		Files.copy(Cli.PROJECT.resolve("pom.xml"), project.resolve("pom.xml"));
		Files.copy(Cli.PROJECT.resolve("application.yml"), project.resolve("application.yml"));
		Path target = Files.createDirectories(project.resolve("target"));
		for (String jar : List.of("queuectl.jar", "queuectl.jar.original")) {
			Files.copy(Cli.PROJECT.resolve("target").resolve(jar), target.resolve(jar), StandardCopyOption.COPY_ATTRIBUTES);
			Files.setLastModifiedTime(target.resolve(jar), FileTime.from(Instant.now().plusSeconds(60))); // current
		}
		Path home = Files.createDirectory(this.tmp.resolve("home"));
		Files.setAttribute(home, "unix:uid", 65534);

		Cli.Result current = asNobody(project, home, "status");
		assertThat(current.exit()).as(current.toString()).isZero();
		assertThat(current.err()).as("nothing on stderr, the first run included (it builds the start-up archive)").isEmpty();
		assertThat(Files.exists(home.resolve("cache/queuectl"))).isTrue();
		assertThat(Files.exists(target.resolve(".build.lock"))).as("never created for a current jar").isFalse();

		// the sources changed after the owner's last build: this user cannot rebuild, and need not
		Files.setLastModifiedTime(project.resolve("src/main/java/dev/queuectl/Main.java"),
				FileTime.from(Instant.now().plusSeconds(120)));
		for (int i = 0; i < 2; i++) {
			Cli.Result stale = asNobody(project, home, "status");
			assertThat(stale.exit()).as(stale.toString()).isZero();
			assertThat(stale.err()).as(stale.toString()).isEmpty();
			assertThat(stale.out()).contains("pending");
		}
		try (Stream<Path> files = Files.list(target)) {
			assertThat(files.map(p -> p.getFileName().toString()))
				.containsExactlyInAnyOrder("queuectl.jar", "queuectl.jar.original");
		}
	}

	private static Cli.Result asNobody(Path project, Path home, String... args) throws IOException, InterruptedException {
		List<String> command = new java.util.ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
				"--clear-groups", project.resolve("bin/queuectl").toString()));
		command.addAll(List.of(args));
		ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile())
			.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
		pb.environment().keySet().removeIf(k -> k.startsWith("QUEUECTL_") || k.startsWith("XDG_"));
		pb.environment().put("QUEUECTL_SERVER", "off");
		pb.environment().put("QUEUECTL_DB", home.resolve("q.db").toString()); // --db refuses a queue not there yet
		pb.environment().put("HOME", home.toString());
		pb.environment().put("XDG_CACHE_HOME", home.resolve("cache").toString());
		pb.environment().put("JAVA_HOME", Path.of(ProcessHandle.current().info().command().orElseThrow())
			.getParent()
			.getParent()
			.toString());
		Path out = Files.createTempFile(home, "out", ".txt");
		Path err = Files.createTempFile(home, "err", ".txt");
		Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
		if (!p.waitFor(240, TimeUnit.SECONDS)) {
			p.destroyForcibly();
			throw new AssertionError("timed out: " + command);
		}
		return new Cli.Result(command, p.exitValue(), Files.readString(out), Files.readString(err));
	}

	private static void copy(Path from, Path to) throws IOException {
		try (Stream<Path> all = Files.walk(from)) {
			for (Path p : all.toList()) {
				Path dest = to.resolve(from.relativize(p).toString());
				if (Files.isDirectory(p)) {
					Files.createDirectories(dest);
					Files.setPosixFilePermissions(dest, PosixFilePermissions.fromString("rwxr-xr-x"));
				}
				else {
					Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES);
				}
			}
		}
	}
}
