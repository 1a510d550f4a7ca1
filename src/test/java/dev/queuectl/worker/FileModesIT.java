package dev.queuectl.worker;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Everything queuectl creates in a data folder that already existed, open to others (0755, umask
 * 022), is its owner's alone: the database and its lock, job output and its folders, the socket,
 * REPL history. An output folder an older version left open is closed by the next worker host.
 */
class FileModesIT {

	private static final List<String> UMASK_022 = List.of("/bin/sh", "-c", "umask 022; exec \"$@\"", "sh");

	@TempDir
	Path dir;

	@Test
	void everythingQueuectlCreatesUnderAnOpenDataFolderIsOwnerOnly() throws Exception {
		Path data = this.dir.resolve("data");
		Files.createDirectory(data);
		Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
		// as an older version left it: output folders made under the umask
		Path oldJob = data.resolve("output").resolve("old-job");
		Files.createDirectories(oldJob);
		Files.setPosixFilePermissions(data.resolve("output"), PosixFilePermissions.fromString("rwxr-xr-x"));
		Files.setPosixFilePermissions(oldJob, PosixFilePermissions.fromString("rwxr-xr-x"));
		Queuectl q = new Queuectl(this.dir, data.resolve("q.db"));
		try (Queuectl.Worker w = q.workerVia(UMASK_022, List.of(), "--no-http")) {
			await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(Path.of(q.db + ".sock")));
			for (int i = 0; i < 3; i++) {
				q.ok("enqueue", "{\"id\":\"job" + i + "\",\"command\":\"echo out " + i + "; echo err >&2\"}");
			}
			await().atMost(Duration.ofSeconds(30))
				.until(() -> q.ok("list", "--state", "completed").lines().count() == 4);
			assertThat(modes(data)).containsEntry(data.resolve("q.db.sock"), "rw-------");
			w.process().destroy(); // SIGTERM: a graceful stop
			assertThat(w.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
		}
		// the REPL, under the same umask, with a line of history
		Path script = Files.writeString(this.dir.resolve("repl.txt"), "status\nexit\n");
		Process repl = new ProcessBuilder(concat(UMASK_022, List.of(Queuectl.JAVA, "-Dqueuectl.stdin.tty=true", "-jar",
				Queuectl.JAR.toString(), "--db", q.db.toString())))
			.directory(this.dir.toFile())
			.redirectInput(script.toFile())
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.redirectError(ProcessBuilder.Redirect.DISCARD)
			.start();
		assertThat(repl.waitFor(120, TimeUnit.SECONDS)).isTrue();

		List<String> modes = modes(data).entrySet()
			.stream()
			.map(e -> data.relativize(e.getKey()) + " " + e.getValue())
			.sorted()
			.toList();
		assertThat(modes).contains("repl-history rw-------", "q.db rw-------", "output rwx------",
				"output/job0 rwx------");
		assertThat(modes.stream().filter(m -> m.startsWith("output/job0/"))).hasSize(1);
		// the old job's folder keeps its mode, but nobody else can reach it through output/ now
		for (String m : modes.stream().filter(m -> !m.startsWith("output/old-job ")).toList()) {
			assertThat(m).as("owner-only").matches(".* (rw-------|rwx------)");
		}
	}

	/** Every path under the folder (not the folder itself) and its mode. */
	private static java.util.Map<Path, String> modes(Path root) throws Exception {
		java.util.Map<Path, String> modes = new java.util.TreeMap<>();
		try (Stream<Path> all = Files.walk(root)) {
			for (Path p : all.filter(p -> !p.equals(root)).toList()) {
				modes.put(p, PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)));
			}
		}
		return modes;
	}

	private static List<String> concat(List<String> a, List<String> b) {
		List<String> all = new ArrayList<>(a);
		all.addAll(b);
		return all;
	}
}
