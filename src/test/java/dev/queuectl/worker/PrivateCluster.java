package dev.queuectl.worker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server of a test's own, on a free port of 127.0.0.1, that the test may stop
 * and start (never the shared server at 5432, which other tests use). Made with the machine's
 * initdb as the postgres user (so the tests must run as root, as CI does); TCP logins need the
 * password {@link #PASSWORD}. {@link #close} stops it by its postmaster's pid if pg_ctl did not,
 * and deletes its folder.
 */
final class PrivateCluster implements AutoCloseable {

	static final String PASSWORD = "outage-secret";

	private final Path dir;

	private final Path bin;

	final int port;

	private PrivateCluster(Path dir, Path bin, int port) {
		this.dir = dir;
		this.bin = bin;
		this.port = port;
	}

	/** The newest PostgreSQL's programs on this machine, or null when there are none (or not root). */
	static Path binaries() {
		if (!"root".equals(System.getProperty("user.name"))) {
			return null;
		}
		try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
			return versions.map(v -> v.resolve("bin"))
				.filter(b -> Files.isExecutable(b.resolve("initdb")))
				.max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
				.orElse(null);
		}
		catch (IOException ex) {
			return null;
		}
	}

	/** A new cluster, not started. */
	static PrivateCluster create(Path bin) throws IOException, InterruptedException {
		Path dir = Files.createTempDirectory("queuectl-pg-outage-");
		UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
		Files.setOwner(dir, postgres);
		Path pw = dir.resolve("pw");
		Files.writeString(pw, PASSWORD + "\n");
		Files.setOwner(pw, postgres);
		PrivateCluster cluster = new PrivateCluster(dir, bin, freePort());
		try {
			cluster.asPostgres(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres",
					"--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + pw, "--no-sync", "-E", "UTF8");
		}
		catch (IOException | InterruptedException | RuntimeException ex) {
			cluster.close();
			throw ex;
		}
		return cluster;
	}

	/** {@code postgresql://postgres:PASSWORD@127.0.0.1:PORT/DB}. */
	String url(String database) {
		return "postgresql://postgres:" + PASSWORD + "@127.0.0.1:" + this.port + "/" + database;
	}

	void start() throws IOException, InterruptedException {
		asPostgres(this.bin.resolve("pg_ctl").toString(), "-D", this.dir.resolve("data").toString(), "-l",
				this.dir.resolve("log").toString(), "-w", "-t", "60", "-o",
				"-p " + this.port + " -k " + this.dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start");
	}

	/** A fast shutdown, as an administrator's restart does: sessions are ended, the port closes. */
	void stop() throws IOException, InterruptedException {
		asPostgres(this.bin.resolve("pg_ctl").toString(), "-D", this.dir.resolve("data").toString(), "-m", "fast",
				"-w", "-t", "60", "stop");
	}

	@Override
	public void close() {
		Path pidFile = this.dir.resolve("data").resolve("postmaster.pid");
		try {
			if (Files.exists(pidFile)) {
				long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
				ProcessHandle.of(pid).ifPresent(p -> {
					p.destroy(); // SIGTERM: PostgreSQL's smart shutdown; then SIGKILL if it lingers
					p.onExit().completeOnTimeout(p, 10, TimeUnit.SECONDS).join();
					p.destroyForcibly();
				});
			}
		}
		catch (IOException | RuntimeException ex) {
			// nothing to stop
		}
		try (Stream<Path> all = Files.walk(this.dir)) {
			all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
		}
		catch (IOException ex) {
			// a temp folder left behind
		}
	}

	private void asPostgres(String... command) throws IOException, InterruptedException {
		List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
		cmd.addAll(List.of(command));
		Path log = Files.createTempFile("queuectl-pg-outage", ".log");
		try {
			Process p = new ProcessBuilder(cmd).directory(this.dir.toFile())
				.redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			if (!p.waitFor(90, TimeUnit.SECONDS)) {
				p.destroyForcibly();
				throw new IllegalStateException(String.join(" ", cmd) + " did not finish");
			}
			if (p.exitValue() != 0) {
				throw new IllegalStateException(String.join(" ", cmd) + " failed: " + Files.readString(log));
			}
		}
		finally {
			Files.deleteIfExists(log);
		}
	}

	static int freePort() throws IOException {
		try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return s.getLocalPort();
		}
	}
}
