package dev.queuectl.store;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where the queue lives. The path comes from {@code --db}, then the {@code QUEUECTL_DB} environment
 * variable, then {@code queuectl.db} in the user's config file, then in the application.yml inside
 * the jar; Spring's property order (set up by ConfigLockdown) gives exactly that precedence, and
 * the fast client (Main, ConfiguredDb) follows the same. Blank means the per-user default, shared
 * by every terminal: {@code ${XDG_DATA_HOME:-~/.local/share}/queuectl/queue.db}.
 */
public record DatabaseLocation(Path file) {

	public static DatabaseLocation resolve(String configured) {
		if (configured != null && !configured.isBlank()) {
			return new DatabaseLocation(Paths.get(expandHome(configured.trim())).toAbsolutePath().normalize());
		}
		String xdg = System.getenv("XDG_DATA_HOME");
		Path base = (xdg != null && !xdg.isBlank()) ? Paths.get(xdg)
				: Paths.get(System.getProperty("user.home"), ".local", "share");
		return new DatabaseLocation(base.resolve("queuectl").resolve("queue.db").toAbsolutePath());
	}

	/** The folder beside the database that holds logs, job output, history and the socket. */
	public Path dataDir() {
		return this.file.getParent();
	}

	/** The folder of job output: one folder per job, one file per attempt. */
	public Path outputDir() {
		return dataDir().resolve("output");
	}

	/** The local socket on which a running queuectl process serves commands for this database. */
	public Path socket() {
		// concat, not +: the one-shot client calls this, and on JDK 17 the first string
		// concatenation costs it milliseconds of invokedynamic bootstrap
		return dataDir().resolve(this.file.getFileName().toString().concat(".sock"));
	}

	/**
	 * WAL with synchronous=FULL: every commit (an enqueue, a claim, a result) is on disk before it
	 * returns, so a power cut loses no job an enqueue reported stored. fsync costs ~0.2 ms here,
	 * and the group commits of worker hosts pay it once per batch.
	 */
	public String jdbcUrl() {
		return "jdbc:sqlite:" + this.file
				+ "?journal_mode=WAL&synchronous=FULL&busy_timeout=30000&foreign_keys=true&transaction_mode=IMMEDIATE";
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
