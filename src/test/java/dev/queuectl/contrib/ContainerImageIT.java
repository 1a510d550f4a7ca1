package dev.queuectl.contrib;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.queuectl.PostgresTestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The container image as `./mvnw -Pimage package` leaves it in target/queuectl-image.tar (Jib, no
 * daemon; tag "image": only that profile runs this class). Its config is read from the tar as a
 * runtime reads it (manifest.json, then the config it names); then podman loads and runs it against
 * the PostgreSQL server at 127.0.0.1:5432: a job enqueued inside the container runs there, the
 * health check answers, and `podman stop` lets a running job finish and ends the host with exit 0.
 * podman runs in storage of the test's own (--root, --runroot, vfs), with runc and cgroupfs (these
 * machines mount cgroups v1 and v2 side by side, which crun refuses) and rlimits no higher than this
 * process has. Where podman or runc is missing the test fails and says what to install: this class
 * runs only when asked (-Pimage), so it never passes without having run the image.
 */
@Tag("image")
class ContainerImageIT {

	static final Path PROJECT = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
			.toAbsolutePath();

	static final Path TAR = PROJECT.resolve("target").resolve("queuectl-image.tar");

	static JsonNode config;

	@TempDir
	static Path tmp;

	@BeforeAll
	static void readConfig() throws Exception {
		assertThat(TAR).as("./mvnw -Pimage package builds it (after contrib/image/base-image.sh)").exists();
		JsonNode manifest = JsonMapper.shared().readTree(entry("manifest.json"));
		config = JsonMapper.shared().readTree(entry(manifest.get(0).get("Config").asString()));
	}

	@Test
	void theImageRunsTheWorkerHostAsAUserOtherThanRootByDefault() {
		JsonNode c = config.get("config");
		assertThat(c.get("User").asString()).isEqualTo("10001:10001");
		assertThat(strings(c.get("Entrypoint"))).containsExactly("/usr/bin/tini", "--", "/usr/local/bin/queuectl");
		assertThat(strings(c.get("Cmd"))).containsExactly("worker", "start", "--count", "4");
		assertThat(c.get("WorkingDir").asString()).isEqualTo("/data");
	}

	@Test
	void theQueueLivesOnTheDataVolume() {
		JsonNode c = config.get("config");
		assertThat(c.get("Volumes").has("/data")).isTrue();
		assertThat(strings(c.get("Env"))).contains("XDG_DATA_HOME=/data", "HOME=/data", "XDG_CACHE_HOME=/data/cache");
	}

	@Test
	void theHealthCheckAsksTheHostOnTheContainersLoopbackAndNoPortIsExposed() {
		JsonNode c = config.get("config");
		assertThat(strings(c.get("Healthcheck").get("Test"))).containsExactly("CMD", "/usr/local/bin/queuectl-healthcheck");
		assertThat(strings(c.get("Env"))).contains("QUEUECTL_WORKER_HTTPPORT=8080");
		// a worker host serves /actuator on 127.0.0.1 only (ConfigLockdown): a published port would reach nothing
		JsonNode ports = c.get("ExposedPorts");
		assertThat(ports == null || ports.isNull() ? 0 : ports.size()).as("exposed ports").isZero();
	}

	@Test
	void theImageHoldsTheWrapperTheHealthCheckAndTheApplication() throws Exception {
		List<String> listing = new ArrayList<>();
		JsonNode manifest = JsonMapper.shared().readTree(entry("manifest.json"));
		Path layers = Files.createDirectories(tmp.resolve("layers"));
		run(List.of("tar", "-xf", TAR.toString(), "-C", layers.toString()), Duration.ofMinutes(2));
		for (JsonNode layer : manifest.get(0).get("Layers")) {
			listing.addAll(run(List.of("tar", "-tvzf", layers.resolve(layer.asString()).toString()), Duration.ofMinutes(2))
					.lines().toList());
		}
		assertThat(listing).anySatisfy(l -> assertThat(l).startsWith("-rwxr-xr-x").endsWith(" usr/local/bin/queuectl"));
		assertThat(listing).anySatisfy(l -> assertThat(l).startsWith("-rwxr-xr-x").endsWith(" usr/local/bin/queuectl-healthcheck"));
		assertThat(listing).anySatisfy(l -> assertThat(l).endsWith(" app/classes/dev/queuectl/Main.class"));
		// the base's /data belongs to the image's user, so a fresh volume there does too
		assertThat(listing).anySatisfy(l -> assertThat(l).startsWith("drwx------ 10001/10001").endsWith(" ./data/"));
	}

	@Test
	void podmanRunsTheImageAgainstPostgresqlAndStopsItGracefully() throws Exception {
		String name = "queuectl-it-" + UUID.randomUUID().toString().substring(0, 8);
		Podman podman = new Podman(tmp.resolve("podman"));
		try (PostgresTestDatabase db = PostgresTestDatabase.create()) {
			podman.run(Duration.ofMinutes(5), "load", "-q", "-i", TAR.toString());
			int port = freePort();
			podman.run(Duration.ofMinutes(3), "run", "-d", "--name", name, "--network", "host",
					"--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096",
					"--health-interval", "disable", "-v", name + ":/data",
					"-e", "QUEUECTL_DB=" + db.url(), "-e", "QUEUECTL_WORKER_HTTPPORT=" + port,
					"queuectl:" + version(), "worker", "start", "--count", "2");
			try {
				// the host migrates the database the test reads and registers there
				await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(
						() -> db.jdbc().queryForObject("SELECT count(*) FROM workers", Integer.class) == 1);
				String id = podman.run(Duration.ofMinutes(2), "exec", name, "queuectl", "enqueue",
						"{\"command\":\"echo ran in $(id -u) at $PWD\"}").strip();
				await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(
						() -> "completed".equals(db.jdbc().queryForObject("SELECT state FROM jobs WHERE id = ?", String.class, id)));
				assertThat(podman.run(Duration.ofMinutes(2), "exec", name, "queuectl", "logs", id)).contains("ran in 10001 at /data");
				// the image's own health check, as podman runs it
				await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
						.until(() -> podman.exit(Duration.ofMinutes(1), "healthcheck", "run", name) == 0);
				// a stop while a job runs: tini passes SIGTERM to the host, which lets the job finish
				String running = podman.run(Duration.ofMinutes(2), "exec", name, "queuectl", "enqueue",
						"{\"command\":\"echo started && sleep 4 && echo finished\"}").strip();
				await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).until(
						() -> db.jdbc().queryForObject("SELECT count(*) FROM job_output WHERE job_id = ?", Integer.class, running) > 0);
				podman.run(Duration.ofMinutes(2), "stop", "-t", "60", name);
				assertThat(db.jdbc().queryForObject("SELECT state FROM jobs WHERE id = ?", String.class, running))
						.as("the job running at the stop").isEqualTo("completed");
				assertThat(db.jdbc().queryForObject("SELECT count(*) FROM job_runs WHERE job_id = ?", Integer.class, running))
						.as("one attempt: it finished, not killed and run again").isEqualTo(1);
				assertThat(podman.run(Duration.ofMinutes(1), "inspect", "--format", "{{.State.ExitCode}}", name).strip())
						.as("exit status of the stopped worker host").isEqualTo("0");
				assertThat(db.jdbc().queryForObject("SELECT count(*) FROM workers", Integer.class))
						.as("the stopped host unregistered").isZero();
			}
			finally {
				podman.exit(Duration.ofMinutes(2), "rm", "-f", "-t", "0", name);
				podman.exit(Duration.ofMinutes(2), "volume", "rm", "-f", name);
				podman.exit(Duration.ofMinutes(5), "system", "reset", "-f");
			}
		}
	}

	/** podman with storage of its own under {@code dir}, runc and cgroupfs. */
	record Podman(Path dir) {

		List<String> command(String... args) {
			String runc = Files.isExecutable(Path.of("/usr/sbin/runc")) ? "/usr/sbin/runc" : "/usr/bin/runc";
			assertThat(Path.of("/usr/bin/podman")).as("podman is not installed: apt-get install podman runc").exists();
			assertThat(Path.of(runc)).as("runc is not installed: apt-get install runc").exists();
			List<String> c = new ArrayList<>(List.of("/usr/bin/podman", "--root", dir.resolve("root").toString(),
					"--runroot", dir.resolve("run").toString(), "--tmpdir", dir.resolve("tmp").toString(),
					"--storage-driver", "vfs", "--runtime", runc, "--cgroup-manager", "cgroupfs",
					"--events-backend", "file"));
			c.addAll(List.of(args));
			return c;
		}

		String run(Duration limit, String... args) throws Exception {
			return ContainerImageIT.run(command(args), limit);
		}

		int exit(Duration limit, String... args) throws Exception {
			Process p = new ProcessBuilder(command(args)).redirectErrorStream(true)
					.redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
			if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
				p.destroyForcibly().waitFor();
				return -1;
			}
			return p.exitValue();
		}
	}

	static String version() throws IOException {
		String pom = Files.readString(PROJECT.resolve("pom.xml"));
		int project = pom.indexOf("<artifactId>queuectl</artifactId>");
		int start = pom.indexOf("<version>", project) + "<version>".length();
		return pom.substring(start, pom.indexOf("</version>", start));
	}

	static int freePort() throws IOException {
		try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return s.getLocalPort();
		}
	}

	static List<String> strings(JsonNode array) {
		List<String> out = new ArrayList<>();
		array.forEach(n -> out.add(n.asString()));
		return out;
	}

	static byte[] entry(String name) throws Exception {
		return run(List.of("tar", "-xOf", TAR.toString(), name), Duration.ofMinutes(1)).getBytes(StandardCharsets.UTF_8);
	}

	/** Runs a command, returns its stdout; fails with its output when it fails. */
	static String run(List<String> command, Duration limit) throws Exception {
		Path err = Files.createTempFile(tmp, "stderr", ".txt");
		Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
		p.getOutputStream().close();
		byte[] out = p.getInputStream().readAllBytes();
		if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
			p.destroyForcibly().waitFor();
			throw new AssertionError(command + " took longer than " + limit);
		}
		String stdout = new String(out, StandardCharsets.UTF_8);
		assertThat(p.exitValue()).as(command + " failed: " + stdout + Files.readString(err)).isZero();
		return stdout;
	}
}
