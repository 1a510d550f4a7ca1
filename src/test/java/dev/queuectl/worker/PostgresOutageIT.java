package dev.queuectl.worker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * PostgreSQL out of reach, as real processes see it: a server of the test's own that it stops and
 * starts ({@link PrivateCluster}), a port that accepts connections and never answers (a frozen
 * server), a host name that does not exist, a wrong password and a missing database. A command
 * fails in one line naming host, port and reason, exit 1, within 5 s more than the application's
 * same command takes against a server that answers (the JVM's start, which a loaded machine makes
 * slow, is not the database's to count; the native client's try before it is); a worker host
 * started while the server is down waits and then runs jobs; a running host rides out a restart.
 */
@Tag("postgresql")
class PostgresOutageIT {

	private static final Duration LIMIT = Duration.ofSeconds(5);

	private static PrivateCluster cluster;

	@TempDir
	Path dir;

	@BeforeAll
	static void makeCluster() throws Exception {
		Path bin = PrivateCluster.binaries();
		assumeTrue(bin != null, "needs root and PostgreSQL's initdb to make a server of its own");
		cluster = PrivateCluster.create(bin);
	}

	@AfterAll
	static void dropCluster() {
		if (cluster != null) {
			cluster.close();
		}
	}

	@BeforeEach
	void startCluster() throws Exception {
		cluster.start(); // every test starts from a server that runs (pg_ctl start on a running one fails)
	}

	@org.junit.jupiter.api.AfterEach
	void stopCluster() throws Exception {
		try {
			cluster.stop();
		}
		catch (IllegalStateException alreadyStopped) {
			// the test left it stopped
		}
	}

	@Test
	void aCommandFailsInOneLineNamingHostPortAndReasonWithinSecondsWhileTheServerIsDown() throws Exception {
		Queuectl q = Queuectl.postgres(this.dir, cluster.url("postgres"));
		Duration normal = jvmStatus(cluster.url("postgres"));
		cluster.stop();
		long t0 = System.nanoTime();
		Queuectl.Result r = q.run("status");
		Duration took = Duration.ofNanos(System.nanoTime() - t0);
		assertThat(r.err()).isEqualTo("queuectl: cannot reach PostgreSQL at 127.0.0.1:" + cluster.port + ": connection refused\n");
		assertThat(r.exit()).isEqualTo(1);
		assertThat(r.out()).isEmpty();
		assertThat(took).as("a normal status took %s", normal).isLessThan(normal.plus(LIMIT));
	}

	@Test
	void aServerThatAcceptsAndNeverAnswersTimesOutInOneLineWithinSeconds() throws Exception {
		Duration normal = jvmStatus(cluster.url("postgres"));
		try (ServerSocket frozen = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
			// never accepted: the kernel completes the handshake, nothing ever answers the login
			Queuectl q = Queuectl.postgres(this.dir, "postgresql://postgres@127.0.0.1:" + frozen.getLocalPort() + "/queue");
			long t0 = System.nanoTime();
			Queuectl.Result r = q.run("status");
			Duration took = Duration.ofNanos(System.nanoTime() - t0);
			assertThat(r.err()).isEqualTo("queuectl: cannot reach PostgreSQL at 127.0.0.1:" + frozen.getLocalPort() + ": timed out\n");
			assertThat(r.exit()).isEqualTo(1);
			assertThat(took).as("a normal status took %s", normal).isLessThan(normal.plus(LIMIT));
		}
	}

	@Test
	void anUnknownHostAWrongPasswordAndAMissingDatabaseAreOneLineEach() throws Exception {
		Queuectl.Result unknown = Queuectl.postgres(this.dir, "postgresql://postgres@no-such-host.invalid:5432/queue").run("status");
		assertThat(unknown.err()).isEqualTo("queuectl: cannot reach PostgreSQL at no-such-host.invalid:5432: unknown host name\n");
		assertThat(unknown.exit()).isEqualTo(1);
		String at = "postgresql://postgres@127.0.0.1:" + cluster.port;
		Queuectl.Result password = Queuectl.postgres(this.dir, "postgresql://postgres:wrong@127.0.0.1:" + cluster.port + "/postgres")
			.run("status");
		assertThat(password.err()).isEqualTo("queuectl: cannot log in to the PostgreSQL database " + at
				+ "/postgres: FATAL: password authentication failed for user \"postgres\" (set PGPASSWORD or a line in ~/.pgpass)\n");
		assertThat(password.exit()).isEqualTo(1);
		Queuectl.Result missing = Queuectl.postgres(this.dir, cluster.url("nosuchdb")).run("status");
		assertThat(missing.err()).isEqualTo("queuectl: the PostgreSQL database " + at
				+ "/nosuchdb does not exist (create it with createdb or CREATE DATABASE)\n");
		assertThat(missing.exit()).isEqualTo(1);
	}

	@Test
	void aHostStartedWhileTheServerIsDownWaitsRunsJobsOnceItIsBackAndRidesOutARestart() throws Exception {
		Queuectl q = Queuectl.postgres(this.dir, cluster.url("postgres"));
		q.ok("status"); // migrated
		cluster.stop();
		String refused = "cannot reach PostgreSQL at 127.0.0.1:" + cluster.port + ": connection refused";
		try (Queuectl.Worker host = q.worker("--no-http")) {
			await().atMost(Duration.ofSeconds(60))
				.until(() -> host.logText().contains(refused + "; trying again in 2 s (attempt 2)"));
			assertThat(host.process().isAlive()).isTrue();
			cluster.start();
			await().atMost(Duration.ofSeconds(60)).until(() -> host.logText().contains("started: 1 slot(s)"));
			q.ok("enqueue", "{\"id\":\"after\",\"command\":\"echo back\"}");
			await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> q.ok("logs", "after").equals("back\n"));

			// a restart under a running host: a served command fails in one line meanwhile; then jobs run again
			cluster.stop();
			long t0 = System.nanoTime();
			Queuectl.Result r = q.run("status");
			Duration took = Duration.ofNanos(System.nanoTime() - t0);
			// the host's pooled connection may be the one that meets the stop: either way one line of ours
			assertThat(r.err()).isIn("queuectl: " + refused + "\n", "queuectl: the PostgreSQL database postgresql://postgres@127.0.0.1:"
					+ cluster.port + "/postgres shut down or closed the connection: FATAL: terminating connection due to administrator command\n");
			assertThat(r.exit()).isEqualTo(1);
			assertThat(took).isLessThan(LIMIT.plusSeconds(2)); // served by the host: no database to open, a client JVM to start
			// the host's listening connection hears the stop: the pool's connections go with it
			await().atMost(Duration.ofSeconds(30)).until(() -> host.logText().contains("listening for new jobs failed"));
			cluster.start();
			// so the first command the host serves once the server is back gets a new connection, not one the stop closed
			assertThat(q.run("status")).satisfies(back -> assertThat(back.exit()).as(back.err()).isZero());
			q.ok("enqueue", "{\"id\":\"restarted\",\"command\":\"echo again\"}");
			await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> q.ok("logs", "restarted").equals("again\n"));
			assertThat(host.process().isAlive()).isTrue();
			host.process().destroy(); // SIGTERM
			assertThat(host.waitFor(Duration.ofSeconds(30))).isZero();
			String log = host.logText();
			assertThat(log).doesNotContain("\tat ", "Exception", "Hikari", "JDBC");
			assertThat(log.lines().filter(l -> l.contains("trying again in")).count()).isBetween(2L, 10L);
		}
	}

	/**
	 * How long the application's {@code status} takes against a server that answers: the baseline of
	 * a failure, which the application always words (the native client's own answer, milliseconds
	 * when the server answers, gives up within a second when it does not: client-db.c).
	 */
	private Duration jvmStatus(String url) throws Exception {
		Queuectl q = Queuectl.postgres(this.dir, url).env("QUEUECTL_DIRECT", "off");
		return timed(() -> q.ok("status"));
	}

	private static Duration timed(Call call) throws Exception {
		long t0 = System.nanoTime();
		call.run();
		return Duration.ofNanos(System.nanoTime() - t0);
	}

	private interface Call {

		void run() throws IOException, InterruptedException;
	}
}
