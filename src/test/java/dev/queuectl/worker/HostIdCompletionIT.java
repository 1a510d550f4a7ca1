package dev.queuectl.worker;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 29: the bash completion of {@code worker stop} offers the ids of the live worker hosts,
 * which {@code status --hosts} prints first on each line; asked of the running host over its
 * socket (the completion starts nothing), through bin/queuectl as a user's shell runs it.
 */
class HostIdCompletionIT {

	private static final Path PROJECT = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();

	@TempDir
	Path dir;

	@Test
	void bashCompletesWorkerStopWithTheIdsOfTheLiveHostsAndStatusHostsListsThem() throws Exception {
		Queuectl q = new Queuectl(this.dir).copied();
		Path script = this.dir.resolve("queuectl.bash");
		Files.writeString(script, q.ok("completion", "bash"));
		assertThat(q.ok("status", "--hosts")).isEqualTo("no worker hosts running\n");
		try (Queuectl.Worker host = q.worker("--no-http", "--count", "2")) {
			await().atMost(Duration.ofSeconds(60)).until(() -> q.ok("status", "--hosts").lines().count() == 2);
			List<String> lines = q.ok("status", "--hosts").lines().toList();
			assertThat(lines.get(0)).startsWith("WORKER").contains("PID", "BUSY");
			String id = lines.get(1).split("\\s+")[0];
			assertThat(id).endsWith(":" + host.process().pid() + ":" + id.substring(id.lastIndexOf(':') + 1));

			assertThat(complete(script, q, "")).containsExactly(id);
			assertThat(complete(script, q, id.substring(0, 3))).containsExactly(id);
			assertThat(complete(script, q, "zz")).isEmpty();
			assertThat(q.ok("worker", "stop", id)).isEqualTo("1 worker host(s) stopped\n");
			assertThat(host.waitFor(Duration.ofSeconds(30))).isZero();
		}
	}

	/** What the bash completion offers for {@code queuectl --db DB worker stop PREFIX}. */
	private List<String> complete(Path script, Queuectl q, String prefix) throws Exception {
		ProcessBuilder pb = new ProcessBuilder("bash", "--norc", "--noprofile", "-c",
				"source \"$1\" && COMP_WORDS=(queuectl --db \"$2\" worker stop \"$3\") && COMP_CWORD=5 && _queuectl"
						+ " && printf '%s\\n' \"${COMPREPLY[@]}\"",
				"bash", script.toString(), q.dbArg, prefix)
			.directory(this.dir.toFile())
			.redirectErrorStream(true);
		pb.environment().put("PATH", PROJECT.resolve("bin") + ":" + System.getenv("PATH"));
		pb.environment().put("XDG_DATA_HOME", this.dir.resolve("xdg").toString());
		pb.environment().put("XDG_CACHE_HOME", PROJECT.resolve("target").resolve("it-cache").toString());
		pb.environment().put("QUEUECTL_SERVER", "off");
		pb.environment().remove("QUEUECTL_DB");
		Process p = pb.start();
		String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
		return out.lines().filter(l -> !l.isEmpty()).toList();
	}
}
