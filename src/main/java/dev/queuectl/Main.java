package dev.queuectl;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import dev.queuectl.cli.RemoteClient;
import dev.queuectl.store.DatabaseLocation;

/**
 * The process entry point. A one-shot command first tries a queuectl process already running on
 * the same database (a worker host or a REPL) over its local socket: that answers in
 * milliseconds. Only when none serves does this process start Spring and run the command itself.
 * This class loads no Spring class on the fast path.
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

	public static void main(String[] args) {
		try {
			args = RawArgs.utf8(args); // UTF-8 whatever the locale, byte for byte
		}
		catch (QueuectlException ex) {
			System.err.println("queuectl: " + ex.getMessage());
			System.exit(ex.exitCode());
		}
		String remote = System.getProperty("queuectl.remote", "try");
		if (!remote.equals("false")) {
			OptionalInt served = tryRemote(args);
			if (served.isPresent()) {
				System.exit(served.getAsInt());
			}
			if (remote.equals("only")) {
				System.exit(NOT_SERVED);
			}
		}
		QueuectlApplication.main(args);
	}

	private static OptionalInt tryRemote(String[] args) {
		String db = null;
		List<String> words = new ArrayList<>();
		for (int i = 0; i < args.length; i++) {
			if (words.isEmpty() && args[i].equals("--db") && i + 1 < args.length) {
				db = args[++i];
			}
			else if (words.isEmpty() && args[i].startsWith("--db=")) {
				db = args[i].substring(5);
			}
			else if (words.isEmpty() && args[i].startsWith("-")) {
				return OptionalInt.empty(); // --debug, --version, --help: run here
			}
			else {
				words.add(args[i]);
			}
		}
		if (db == null) {
			db = System.getenv("QUEUECTL_DB");
		}
		if (db == null) {
			db = ConfiguredDb.fromConfigFiles();
		}
		DatabaseLocation location = DatabaseLocation.resolve(db);
		return RemoteClient.tryRun(location.socket(), words);
	}
}
