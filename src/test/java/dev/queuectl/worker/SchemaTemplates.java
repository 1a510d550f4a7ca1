package dev.queuectl.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import dev.queuectl.PostgresTestDatabase;

/**
 * New queues already migrated, for the process tests whose first command would only migrate one
 * (a {@code status} JVM, ~1.4 s of CPU a test): a clone of a template that the built jar migrated
 * once, through the same {@link TrainedJar} start as the tests, so the schema is the one the jar
 * makes, never one written here. Tests of migration itself, or of what a first command does to a
 * new database (SchemaUpgradeIT, MigrateCommandTest, PostgresOutageIT, ContainerImageIT...), start
 * from an empty database instead.
 *
 * <p>A template is keyed by what makes the schema: the jar's {@code db/migration} files, its Flyway
 * jars, the class that configures Flyway, and the version Flyway records as {@code installed_by}.
 * Nothing in a new queue is its own: the migrations write no token, secret or host id (the web
 * token is a file beside the database, made on first use), only the schema history and
 * {@code output_usage}'s one zero row, so a copy is as new as the original.
 *
 * <p>PostgreSQL: {@code queuectl_template_KEY} on the shared server, made once by whichever JVM
 * needs it first, under an advisory lock that every build's forks share (PostgreSQL serves all the
 * builds of the machine); made as {@code ..._new} and renamed when migrated, so a template exists
 * only whole; no connections allowed to it, as {@code CREATE DATABASE ... TEMPLATE} needs. Each
 * JVM holds a shared advisory lock on its template for its life, and the maker drops the templates
 * of other keys that no JVM holds (another build's schema, still in use, stays). SQLite: the file
 * the jar made, in {@code target/it-templates/KEY/q.db} (made under a file lock; other keys'
 * folders removed), copied owner-only.
 */
public final class SchemaTemplates {

	private static final String PREFIX = "queuectl_template_";

	/** The advisory locks' first key ("qtpl"): the making is (this, 0); a template held is (this, hash of its name). */
	private static final int LOCKS = 0x7174706c;

	private static String key;

	private static String postgresTemplate;

	/** Kept open for the JVM's life: its session holds the shared lock on {@link #postgresTemplate}. */
	private static Connection holder;

	private static Path sqliteTemplate;

	private SchemaTemplates() {
	}

	/** A new database of its own on the test server, a clone of the migrated template. */
	public static PostgresTestDatabase postgres() {
		return PostgresTestDatabase.cloneOf(postgresTemplate());
	}

	/** Makes {@code db} (not there yet) a new SQLite queue: a copy of the migrated template, owner-only. */
	static void sqlite(Path db) throws IOException {
		Files.copy(sqliteTemplate(), db, StandardCopyOption.COPY_ATTRIBUTES);
	}

	/** The template's name, made first when this build's schema has none yet. */
	static synchronized String postgresTemplate() {
		if (postgresTemplate != null) {
			return postgresTemplate;
		}
		String template = PREFIX + key();
		try {
			Connection c = DriverManager.getConnection(PostgresTestDatabase.SERVER, "postgres", "");
			try (Statement s = c.createStatement()) {
				s.execute("SELECT pg_advisory_lock_shared(" + LOCKS + ", " + template.hashCode() + ")");
				s.execute("SELECT pg_advisory_lock(" + LOCKS + ", 0)");
				try {
					if (!exists(c, template)) {
						make(s, template);
					}
					dropOthers(c, template);
				}
				finally {
					s.execute("SELECT pg_advisory_unlock(" + LOCKS + ", 0)");
				}
			}
			catch (SQLException | IOException | InterruptedException | RuntimeException ex) {
				c.close();
				throw ex;
			}
			holder = c;
		}
		catch (SQLException | IOException ex) {
			throw new IllegalStateException("cannot make the PostgreSQL template " + template + ": " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		postgresTemplate = template;
		return template;
	}

	private static void make(Statement s, String template) throws SQLException, IOException, InterruptedException {
		String building = template + "_new";
		s.execute("DROP DATABASE IF EXISTS " + building + " WITH (FORCE)"); // left by a JVM that died making it
		s.execute("CREATE DATABASE " + building);
		Path work = Files.createTempDirectory("queuectl-template");
		try {
			Queuectl.postgres(work, "postgresql://postgres@127.0.0.1:5432/" + building).ok("status"); // migrates it
		}
		finally {
			KeyedCache.delete(work);
		}
		s.execute("ALTER DATABASE " + building + " RENAME TO " + template); // waits for the jar's sessions to end
		s.execute("ALTER DATABASE " + template + " WITH IS_TEMPLATE true ALLOW_CONNECTIONS false");
	}

	/** Drops the templates of other keys (and any half-made one) that no JVM holds. */
	private static void dropOthers(Connection c, String template) throws SQLException {
		List<String> others = new ArrayList<>();
		try (PreparedStatement ps = c.prepareStatement("SELECT datname FROM pg_database WHERE datname LIKE ? AND datname <> ?")) {
			ps.setString(1, PREFIX.replace("_", "\\_") + "%");
			ps.setString(2, template);
			try (ResultSet rs = ps.executeQuery()) {
				while (rs.next()) {
					others.add(rs.getString(1));
				}
			}
		}
		try (Statement s = c.createStatement()) {
			for (String other : others) {
				if (!other.matches("[a-z0-9_]+")) {
					continue;
				}
				int lock = (other.endsWith("_new") ? other.substring(0, other.length() - 4) : other).hashCode();
				boolean free;
				try (ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + LOCKS + ", " + lock + ")")) {
					rs.next();
					free = rs.getBoolean(1);
				}
				if (free) {
					try {
						s.execute("ALTER DATABASE " + other + " WITH IS_TEMPLATE false");
						s.execute("DROP DATABASE " + other + " WITH (FORCE)");
					}
					finally {
						s.execute("SELECT pg_advisory_unlock(" + LOCKS + ", " + lock + ")");
					}
				}
			}
		}
	}

	private static boolean exists(Connection c, String database) throws SQLException {
		try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
			ps.setString(1, database);
			try (ResultSet rs = ps.executeQuery()) {
				return rs.next();
			}
		}
	}

	/** The SQLite template, made first when this build's schema has none yet. */
	static synchronized Path sqliteTemplate() throws IOException {
		if (sqliteTemplate != null) {
			return sqliteTemplate;
		}
		Path home = Queuectl.JAR.resolveSibling("it-templates").resolve(key());
		try {
			KeyedCache.made(home.getParent(), home.getFileName().toString(), h -> {
				new Queuectl(h).created();
				if (Files.exists(h.resolve("q.db-wal")) && Files.size(h.resolve("q.db-wal")) > 0) {
					throw new IllegalStateException("the template's WAL was not checkpointed: " + h);
				}
				return true;
			});
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		Path db = home.resolve("q.db");
		sqliteTemplate = db;
		return db;
	}

	/** What makes the schema, hashed: 12 hex digits. */
	static synchronized String key() {
		if (key != null) {
			return key;
		}
		try (JarFile jar = new JarFile(Queuectl.JAR.toFile())) {
			MessageDigest sha = MessageDigest.getInstance("SHA-256");
			List<ZipEntry> entries = jar.stream()
				.filter(e -> e.getName().startsWith("BOOT-INF/classes/db/migration/") || e.getName().startsWith("BOOT-INF/lib/flyway")
						|| e.getName().equals("BOOT-INF/classes/dev/queuectl/store/DatabaseConfiguration.class"))
				.sorted(Comparator.comparing(ZipEntry::getName))
				.map(e -> (ZipEntry) e)
				.toList();
			for (ZipEntry e : entries) {
				sha.update(e.getName().getBytes(StandardCharsets.UTF_8));
				if (!e.getName().startsWith("BOOT-INF/lib/")) { // a library by its name and version
					try (InputStream in = jar.getInputStream(e)) {
						sha.update(in.readAllBytes());
					}
				}
			}
			String version = jar.getManifest().getMainAttributes().getValue("Implementation-Version");
			sha.update(String.valueOf(version).getBytes(StandardCharsets.UTF_8)); // Flyway's installed_by
			key = HexFormat.of().formatHex(sha.digest()).substring(0, 12);
			return key;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}
}
