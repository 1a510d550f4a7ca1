package dev.queuectl.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;

/**
 * Where the queue lives, decided here alone ({@link #find}): {@code --db}, then the
 * {@code QUEUECTL_DB} environment variable, then {@code queuectl.db} in the user's config file, then
 * in the install's application.yml. Both of the JVM's paths ask it: the one-shot client (Main) and
 * the full application (QueuectlApplication puts the answer above every file, so Spring's own
 * property order decides nothing here). Blank means the per-user default, shared by every terminal:
 * {@code ${XDG_DATA_HOME:-~/.local/share}/queuectl/queue.db}. The native client's twin is
 * {@code db_socket} in src/main/c/client-config.c; DatabasePlaceTest runs one table of cases through
 * both.
 *
 * <p>A PostgreSQL URL ({@code postgresql://...} or {@code jdbc:postgresql://...}) names a shared
 * database instead: then {@link #file} is null, {@link #postgres} tells the server, and this
 * machine's files for that database (socket, history, output of jobs it runs) live in a folder of
 * their own under the data folder, named by a hash of the URL without its password.
 */
public record DatabaseLocation(Path file, PostgresUrl postgres) {

	public DatabaseLocation(Path file) {
		this(file, null);
	}

	/**
	 * Where the database is: {@code flag} ({@code --db}'s value; null when not given) wins, then the
	 * {@code QUEUECTL_DB} variable (even blank: then the default), then {@code files}, the
	 * {@code queuectl.db} of the configuration files (the user's, else the install's; null when
	 * unset or blank), else the default. Throws {@link dev.queuectl.config.QueuectlException} (usage) for
	 * a blank flag or a PostgreSQL URL that is not one. The native client's {@code db_socket} is
	 * the same rule in C.
	 */
	public static DatabaseLocation find(String flag, java.util.function.Supplier<String> files) {
		return resolve(configured(flag, files), null);
	}

	/**
	 * The text {@link #find} resolves, for the full application, which hands it to Spring as
	 * {@code queuectl.db}: null when nothing names a database.
	 */
	public static String configured(String flag, java.util.function.Supplier<String> files) {
		if (flag != null) {
			return flag(flag);
		}
		String env = System.getenv("QUEUECTL_DB");
		return env != null ? env : files.get();
	}

	/** {@code --db}'s value as given, refused when blank (also when the option has no value: ""). */
	public static String flag(String value) {
		if (value == null || value.isBlank()) {
			throw dev.queuectl.config.QueuectlException.usage("--db needs a path");
		}
		return value;
	}

	public static DatabaseLocation resolve(String configured) {
		return resolve(configured, null);
	}

	/** {@code dataHome} replaces {@link #dataHome()} for a PostgreSQL database's folder (tests: a temporary one). */
	public static DatabaseLocation resolve(String configured, Path dataHome) {
		if (configured != null && !configured.isBlank()) {
			String trimmed = configured.trim();
			if (PostgresUrl.isUrl(trimmed)) {
				return new DatabaseLocation(null, PostgresUrl.parse(trimmed, dataHome != null ? dataHome : dataHome()));
			}
			return new DatabaseLocation(Paths.get(expandHome(trimmed)).toAbsolutePath().normalize());
		}
		return new DatabaseLocation(dataHome().resolve("queue.db").toAbsolutePath());
	}

	/** {@code ${XDG_DATA_HOME:-~/.local/share}/queuectl}. */
	static Path dataHome() {
		String xdg = System.getenv("XDG_DATA_HOME");
		Path base = (xdg != null && !xdg.isBlank()) ? Paths.get(xdg)
				: Paths.get(System.getProperty("user.home"), ".local", "share");
		return base.resolve("queuectl").toAbsolutePath();
	}

	/** Whether the queue is in a PostgreSQL database (else an SQLite file). */
	public boolean isPostgres() {
		return this.postgres != null;
	}

	/** The database for messages: the file, or the URL without a password. */
	public String display() {
		return this.postgres != null ? this.postgres.display() : this.file.toString();
	}

	/** The folder beside the database that holds logs, job output, history and the socket. */
	/** The first 16 bytes of every SQLite database file. */
	private static final byte[] SQLITE_HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

	/**
	 * Why a queue cannot live at this path, as the one line a command prints, or null when it can:
	 * an SQLite path names a folder, or a file that is neither empty (SQLite makes an empty file a
	 * new database) nor an SQLite file. Checked before anything is created beside the path (the
	 * database's WAL, its locks, a command server's lock, log and socket, the output folder).
	 */
	public String refusal() {
		if (isPostgres()) {
			return null;
		}
		if (Files.isDirectory(this.file)) {
			return "the database path " + this.file + " is a folder, not a file";
		}
		if (!Files.isRegularFile(this.file)) {
			return null;
		}
		try (InputStream in = Files.newInputStream(this.file)) {
			byte[] head = in.readNBytes(SQLITE_HEADER.length);
			return head.length == 0 || Arrays.equals(head, SQLITE_HEADER) ? null : notADatabase(this.file);
		}
		catch (IOException ex) {
			return null; // the database's own open says what is wrong
		}
	}

	/** The line for a file that is not an SQLite database. */
	public static String notADatabase(Path file) {
		return (file == null ? "the database file" : file.toString()) + " is not a queuectl database (not an SQLite file)";
	}

	/** Whether the database is there to serve: on SQLite, a file {@link #refusal()} accepts. */
	public boolean exists() {
		return isPostgres() || Files.isRegularFile(this.file) && refusal() == null;
	}

	public Path dataDir() {
		return this.postgres != null ? this.postgres.dir() : this.file.getParent();
	}

	/** The folder of job output: one folder per job, one file per attempt. */
	public Path outputDir() {
		return dataDir().resolve("output");
	}

	/** The local socket on which a running queuectl process serves commands for this database. */
	public Path socket() {
		return beside(".sock");
	}

	/**
	 * A file of this machine's beside the database: {@code <db>SUFFIX} next to an SQLite file,
	 * {@code queueSUFFIX} in a PostgreSQL database's folder.
	 */
	public Path beside(String suffix) {
		// concat, not +: the one-shot client calls this, and on JDK 17 the first string
		// concatenation costs it milliseconds of invokedynamic bootstrap
		return dataDir().resolve((this.postgres != null ? "queue" : this.file.getFileName().toString()).concat(suffix));
	}

	/**
	 * WAL with synchronous=FULL: every commit (an enqueue, a claim, a result) is on disk before it
	 * returns, so a power cut loses no job an enqueue reported stored. fsync costs ~0.2 ms here,
	 * and the group commits of worker hosts pay it once per batch.
	 * temp_store=MEMORY: a statement on jobs fires the counters' triggers (V6), so SQLite keeps a
	 * statement journal for it; in a temporary file that cost ~15 us per statement (an enqueued
	 * job, a recorded result: bulk enqueue took twice as long), in memory ~1 us.
	 * jdbc.get_generated_keys=false: the driver otherwise runs {@code SELECT last_insert_rowid()}, a
	 * statement prepared anew, after every INSERT, for keys nothing here asks for.
	 */
	public String jdbcUrl() {
		return "jdbc:sqlite:" + this.file
				+ "?journal_mode=WAL&synchronous=FULL&busy_timeout=30000&foreign_keys=true&transaction_mode=IMMEDIATE"
				+ "&temp_store=MEMORY&jdbc.get_generated_keys=false";
	}

	/**
	 * For a database this process cannot write: SQLite's read-only mode, no PRAGMA that writes. A
	 * WAL reader needs the -shm file, which a read-only folder cannot get; with no -wal file
	 * beside it nobody is writing there, and {@code immutable=1} reads the file without it.
	 */
	public String readOnlyJdbcUrl() {
		boolean walFiles = java.nio.file.Files.exists(Paths.get(this.file + "-wal"));
		boolean folderReadOnly = !java.nio.file.Files.isWritable(dataDir());
		return "jdbc:sqlite:file:" + uriPath(this.file.toString())
				+ (folderReadOnly && !walFiles ? "?immutable=1" : "?mode=ro") + "&busy_timeout=30000&foreign_keys=true";
	}

	/** The path as an SQLite URI path: characters with a meaning in URIs escaped. */
	private static String uriPath(String path) {
		StringBuilder sb = new StringBuilder();
		for (char c : path.toCharArray()) {
			switch (c) {
				case '%' -> sb.append("%25");
				case '?' -> sb.append("%3f");
				case '#' -> sb.append("%23");
				case '&' -> sb.append("%26");
				case '=' -> sb.append("%3d");
				case ' ' -> sb.append("%20");
				default -> sb.append(c);
			}
		}
		return sb.toString();
	}

	private static String expandHome(String path) {
		if (path.equals("~") || path.startsWith("~/")) {
			return System.getProperty("user.home").concat(path.substring(1)); // no +: see socket()
		}
		return path;
	}
}
