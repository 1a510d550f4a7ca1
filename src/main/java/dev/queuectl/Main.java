package dev.queuectl;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.config.ConfiguredDb;
import dev.queuectl.server.BackgroundServer;
import dev.queuectl.server.RemoteClient;
import dev.queuectl.store.DatabaseLocation;

/**
 * The process entry point. A one-shot command first tries a queuectl process already running on
 * the same database (a worker host, a REPL or the background command server) over its local
 * socket: that answers in milliseconds. Only when none serves does this process start Spring and
 * run the command itself, and then, once the command is done, it starts the background command
 * server for the next ones ({@link BackgroundServer}). This class loads no Spring class on the
 * fast path.
 */
public final class Main {

	private Main() {
	}

	/**
	 * Exit code of {@code -Dqueuectl.remote=only} when no process serves the command: the launcher
	 * runs such a client on a classpath of queuectl's own classes alone (it starts in a fraction of
	 * the time), and on this code starts the full application instead.
	 */
	public static final int NOT_SERVED = 125;

	/**
	 * The property ({@code true}) with which the native client, having answered a command from the
	 * database itself, runs the launcher on the same arguments: only the background server starts.
	 */
	public static final String ENSURE_SERVER = "queuectl.ensure-server";

	public static void main(String[] args) {
		try {
			args = RawArgs.utf8(args); // UTF-8 whatever the locale, byte for byte
		}
		catch (QueuectlException ex) {
			System.err.println("queuectl: " + ex.getMessage());
			System.exit(ex.exitCode());
		}
		List<String> words = new ArrayList<>();
		DatabaseLocation location = target(args, words);
		List<String> withJob = dev.queuectl.server.JobWords.fromEnvironment(words, System.getenv());
		if (withJob != words) { // inside a job: progress and result set mean it (issue 27)
			List<String> all = new ArrayList<>(List.of(args).subList(0, args.length - words.size()));
			all.addAll(withJob);
			args = all.toArray(String[]::new);
			words = withJob;
		}
		if (Boolean.getBoolean(ENSURE_SERVER)) {
			// the native client answered the command from the database (src/main/c/client-direct.c):
			// this JVM only starts the background server for the next ones, as after a command below
			ensureServer(location, words);
			System.exit(0);
		}
		String remote = System.getProperty("queuectl.remote", "try");
		if (!remote.equals("false")) {
			OptionalInt served = location == null ? OptionalInt.empty() : RemoteClient.tryRun(location.socket(), words);
			if (served.isPresent()) {
				System.exit(served.getAsInt());
			}
			if (remote.equals("only")) {
				System.exit(NOT_SERVED);
			}
		}
		String refused = location == null || !usesDatabase(words) ? null : location.refusal();
		if (refused != null) {
			// before anything (a server's lock, a worker's or dashboard's web context) is created
			// beside a folder or a file that is not a database
			System.err.println("queuectl: " + refused);
			System.exit(QueuectlException.FAILURE);
		}
		String missing = location == null ? null : missingQueue(args, words, location);
		if (missing != null) {
			// a mistyped --db for a command that only reads: no folder, database or server made for it (issue 29)
			System.err.println("queuectl: " + missing);
			System.exit(QueuectlException.FAILURE);
		}
		if (location != null && QueuectlApplication.isServerRun(words) && !BackgroundServer.lockForLife(location)) {
			System.err.println("queuectl: a command server runs for ".concat(location.display())
				.concat(" already (queuectl server status)"));
			System.exit(QueuectlException.FAILURE);
		}
		int code = QueuectlApplication.run(args);
		ensureServer(location, words); // after the command: it waits for nothing of this
		System.exit(code);
	}

	/** Starts the background server for the next commands where {@code words} want one (not for help). */
	private static void ensureServer(DatabaseLocation location, List<String> words) {
		if (location != null && BackgroundServer.wanted(words) && !helpAsked(words)) {
			BackgroundServer.ensure(location);
		}
	}

	/**
	 * Commands that only read the queue, by their words (a group's sub-command after a space): they
	 * create no database where --db names none. A command that writes, or stops or serves (worker,
	 * dashboard, server, progress, result set, config set...), is not one.
	 */
	static final java.util.Set<String> READERS = java.util.Set.of("status", "list", "show", "logs", "wait",
			"dlq list", "queue list", "limit list", "config list", "config get", "batch list", "batch show",
			"notify list", "schedule list", "schedule show", "result get");

	/** Whether the words name a command of {@link #READERS}. */
	static boolean reads(List<String> words) {
		return !words.isEmpty() && (READERS.contains(words.get(0))
				|| words.size() > 1 && READERS.contains(words.get(0) + " " + words.get(1)));
	}

	/**
	 * The line for a reading command whose {@code --db} (given, not the default or QUEUECTL_DB)
	 * names an SQLite file that does not exist, a mistyped path: null otherwise. A command that
	 * writes (enqueue, worker start, config set) still creates folder and database.
	 */
	static String missingQueue(String[] args, List<String> words, DatabaseLocation location) {
		if (!reads(words) || location.isPostgres() || args.length == words.size()
				|| helpAsked(words)) {
			return null; // `list --help` is `help list`: the help, whatever --db names
		}
		java.nio.file.Path file = location.file();
		if (java.nio.file.Files.exists(file)) {
			return null;
		}
		java.nio.file.Path folder = file.getParent();
		if (folder != null && java.nio.file.Files.exists(folder) && !java.nio.file.Files.isDirectory(folder)) {
			return null; // a file where the folder should be: the refusal says so
		}
		String why = folder == null || java.nio.file.Files.exists(folder) ? "the file does not exist"
				: "the folder " + folder + " does not exist";
		return "no queue at " + location.display() + ": " + why + " (enqueue or worker start there creates it)";
	}

	/** Whether the words ask for a command's help ({@code list --help}, {@code show -h}) rather than run it. */
	static boolean helpAsked(List<String> words) {
		for (String w : words) {
			if (w.equals("--")) {
				return false;
			}
			if (w.equals("--help") || w.equals("-h")) {
				return true;
			}
		}
		return false;
	}

	/** Whether the command reads the database: all but help, completion scripts and the like. */
	private static boolean usesDatabase(List<String> words) {
		return words.isEmpty() || !NO_DATABASE.contains(words.get(0));
	}

	/** Commands that never open the database. */
	private static final java.util.Set<String> NO_DATABASE = java.util.Set.of("help", "completion", "dist-files", "version");

	/**
	 * The database the arguments name, with the command's words added to {@code words}; null when
	 * an option other than --db comes first (--debug, --version, --help: run here) or the path is
	 * not one.
	 */
	private static DatabaseLocation target(String[] args, List<String> words) {
		String db = null;
		for (int i = 0; i < args.length; i++) {
			if (words.isEmpty() && args[i].equals("--db") && i + 1 < args.length) {
				db = args[++i];
			}
			else if (words.isEmpty() && args[i].startsWith("--db=")) {
				db = args[i].substring(5);
			}
			else if (words.isEmpty() && args[i].startsWith("-")) {
				return null;
			}
			else {
				words.add(args[i]);
			}
		}
		try {
			DatabaseLocation location = location(db);
			location.socket(); // a path with no file name (/) has no socket beside it
			return location;
		}
		catch (RuntimeException ex) {
			return null; // the application says what is wrong with it
		}
	}

	/** Where the database is, given {@code --db}'s value (null when not given): {@link DatabaseLocation#find}. */
	static DatabaseLocation location(String flag) {
		return DatabaseLocation.find(flag, ConfiguredDb.DB);
	}
}
