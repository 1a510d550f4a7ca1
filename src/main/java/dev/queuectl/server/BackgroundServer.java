package dev.queuectl.server;

import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.queuectl.config.OwnerOnly;
import dev.queuectl.config.ConfiguredDb;
import dev.queuectl.store.DatabaseLocation;

/**
 * Starts the resident command server ({@code queuectl server run}, dev.queuectl.server.ResidentServer)
 * in the background after a one-shot command found nothing serving its database, so that the next
 * commands are answered in milliseconds. Plain Java, no Spring: it runs in {@link Main} after the
 * command, so the command itself is no slower than without a server.
 * <p>
 * The server is detached: its own session ({@code setsid}), stdin from /dev/null, stdout and
 * stderr appended to {@code <db>.server.log} beside the database (in a PostgreSQL database's
 * folder of this machine: {@code queue.server.log}), working directory the data folder. It holds
 * {@code <db>.server.lock} for its whole life; starters take {@code
 * <db>.server-start.lock} while they look and start one, and leave the pid of the one they
 * started in it, so commands started at the same moment start one server. It starts only from the launcher (which names the build), for commands that
 * use the database, and not when turned off ({@link #enabled()}), nor beside a path that is not an
 * SQLite database (a folder, another file): it leaves no file there.
 */
public final class BackgroundServer {

	/** Served commands that do not use the database: no server is worth starting after them. */
	private static final Set<String> NO_DB = Set.of("help", "server");

	private static final Set<StandardOpenOption> LOCK_OPEN = Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
			StandardOpenOption.WRITE);

	private static final long LOG_LIMIT = 1 << 20;

	/** Held by the server process while it lives. */
	private static FileChannel held;

	private BackgroundServer() {
	}

	/** The lock a live server holds. */
	static Path serverLock(DatabaseLocation location) {
		return location.beside(".server.lock");
	}

	/** Whether to start a server after running these words. */
	public static boolean wanted(List<String> words) {
		return !System.getProperty("queuectl.build", "").isEmpty() && !words.isEmpty()
				&& usesServedDb(words.get(0)) && enabled();
	}

	/** Whether a server is worth having after this command: one it serves that uses the database. */
	static boolean usesServedDb(String word) {
		return RemoteClient.serves(word) && !NO_DB.contains(word);
	}

	/**
	 * QUEUECTL_SERVER (off/on), else {@code queuectl.server} in the configuration files, else on,
	 * except in CI (the CI variable set and standard input not a terminal).
	 */
	static boolean enabled() {
		String env = System.getenv("QUEUECTL_SERVER");
		Boolean told = parse(env);
		if (told == null) {
			told = parse(ConfiguredDb.setting("server"));
		}
		if (told != null) {
			return told;
		}
		String ci = System.getenv("CI");
		boolean terminal = Boolean.parseBoolean(System.getProperty("queuectl.stdin.tty", "false"));
		return ci == null || ci.isEmpty() || ci.equalsIgnoreCase("false") || terminal;
	}

	private static Boolean parse(String value) {
		if (value == null || value.isBlank()) {
			return null;
		}
		return switch (value.trim().toLowerCase(Locale.ROOT)) {
			case "off", "false", "no", "0" -> Boolean.FALSE;
			default -> Boolean.TRUE;
		};
	}

	/**
	 * In the server process: takes the server lock for the process's life. False when another
	 * server holds it.
	 */
	public static synchronized boolean lockForLife(DatabaseLocation location) {
		try {
			FileChannel ch = open(serverLock(location));
			FileLock lock = ch.tryLock();
			if (lock == null) {
				ch.close();
				return false;
			}
			held = ch;
			return true;
		}
		catch (IOException | OverlappingFileLockException ex) {
			return true; // cannot lock here (a read-only folder): the socket still admits one server
		}
	}

	/** Starts a server for the database unless one runs, starts, or something else serves it. */
	public static void ensure(DatabaseLocation location) {
		Path dir = location.dataDir();
		if (!Files.isDirectory(dir) || !Files.isWritable(dir) || !location.exists()) {
			// a folder or another kind of file named as the database: the command refused it, and
			// nothing (lock, log, socket) is left beside it
			return;
		}
		Path startLock = location.beside(".server-start.lock");
		try (FileChannel start = open(startLock); FileLock ignored = start.lock()) {
			if (starting(start) || held(serverLock(location)) || live(location.socket())) {
				return;
			}
			long server = spawn(location);
			if (server <= 0) {
				return;
			}
			// its pid, for the next starter: while that process lives, it starts or serves (it
			// exits at once when another holds the server lock). Not waiting for it keeps this
			// command as fast as without a server.
			start.truncate(0);
			start.write(ByteBuffer.wrap(Long.toString(server).getBytes(StandardCharsets.US_ASCII)), 0);
		}
		catch (IOException | RuntimeException ex) {
			// no server this time: commands still run, just slower
		}
	}

	/** Whether the server the last starter started still lives (its pid is in the start lock file). */
	private static boolean starting(FileChannel start) throws IOException {
		return startingServer(start) != null;
	}

	/** The server the last starter started, while it lives (its pid is in the start lock file). */
	private static ProcessHandle startingServer(FileChannel start) throws IOException {
		ByteBuffer b = ByteBuffer.allocate(32);
		start.read(b, 0);
		String text = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
		if (text.isEmpty()) {
			return null;
		}
		try {
			return ProcessHandle.of(Long.parseLong(text))
				.filter(p -> p.isAlive() && p.info().commandLine().map(c -> c.endsWith(" server run")).orElse(false))
				.orElse(null);
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	/**
	 * {@code server stop} when no server answered: a server still starting (spawned by the last
	 * command, not serving yet) gets SIGTERM, and this waits until it is gone (at most 10 s);
	 * returns its pid, or 0 when none was starting.
	 */
	public static long stopStarting(DatabaseLocation location) {
		Path startLock = location.beside(".server-start.lock");
		if (!Files.exists(startLock)) {
			return 0;
		}
		ProcessHandle server;
		try (FileChannel start = open(startLock); FileLock ignored = start.lock()) {
			server = startingServer(start);
			if (server == null) {
				return 0;
			}
			server.destroy();
		}
		catch (IOException | RuntimeException ex) {
			return 0;
		}
		try {
			server.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex) {
			// still going after 10 s: it was told, and exits when its start ends
		}
		return server.pid();
	}

	private static FileChannel open(Path file) throws IOException {
		OwnerOnly.createFile(file);
		return FileChannel.open(file, LOCK_OPEN);
	}

	private static boolean held(Path lockFile) throws IOException {
		try (FileChannel ch = open(lockFile)) {
			FileLock lock = ch.tryLock();
			if (lock == null) {
				return true;
			}
			lock.release();
			return false;
		}
		catch (OverlappingFileLockException ex) {
			return true;
		}
	}

	private static boolean live(Path socket) {
		if (!Files.exists(socket)) {
			return false;
		}
		try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			probe.connect(UnixDomainSocketAddress.of(socket));
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * {@code setsid sh -c <wait for this process to exit> java <this JVM's options> <server options>
	 * -jar <this jar> --db DB server run}, started by a shell that puts it in the background and
	 * exits at once; returns its pid (0 when none started).
	 * <p>
	 * Why the extra shell: while a child of this JVM lives, a thread of this JVM waits for it in
	 * native code, and the JVM's exit waits up to 300 ms for threads in native code to stop (HotSpot
	 * VM_Exit::wait_for_threads_in_native_to_block). The first command took those 300 ms longer
	 * with the server on; with the child gone before the exit it takes none (docs/benchmarks.md).
	 * The server's heap and stack flags come from the launcher ({@code queuectl.server.jvm}).
	 */
	private static long spawn(DatabaseLocation location) throws IOException {
		ProcessHandle.Info info = ProcessHandle.current().info();
		String java = info.command().orElse(null);
		String[] args = info.arguments().orElse(null);
		if (java == null || args == null) {
			return 0;
		}
		Path log = location.beside(".server.log");
		List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "log=$1; shift; \"$@\" </dev/null >>\"$log\" 2>&1 & echo $!",
				"sh", log.toString()));
		for (String setsid : List.of("/usr/bin/setsid", "/bin/setsid")) {
			if (Files.isExecutable(Path.of(setsid))) {
				cmd.add(setsid);
				break;
			}
		}
		// The JVM starts once this command's process has exited: its start (a second of CPU) then
		// never competes with the end of the command the user waits for. The shell's command line
		// ends in " server run" too, which is what starting() looks for.
		cmd.addAll(List.of("/bin/sh", "-c", "while kill -0 \"$1\" 2>/dev/null; do sleep 0.02; done; shift; exec \"$@\"",
				"sh", Long.toString(ProcessHandle.current().pid())));
		cmd.add(java);
		String jar = null;
		for (int i = 0; i < args.length; i++) {
			String a = args[i];
			if (a.equals("-jar") && i + 1 < args.length) {
				jar = args[i + 1];
				break;
			}
			if (a.startsWith("-Dqueuectl.stdin.tty=") || a.startsWith("-Dqueuectl.remote=")
					|| a.startsWith("-D" + dev.queuectl.Main.ENSURE_SERVER + "=") || a.startsWith("-Xms")
					|| a.startsWith("-Xmx") || a.startsWith("-Xss")) {
				continue;
			}
			cmd.add(a);
		}
		if (jar == null) {
			return 0;
		}
		for (String flag : System.getProperty("queuectl.server.jvm", "-Xms8m -Xmx48m -Xss512k").split(" ")) {
			if (!flag.isBlank()) {
				cmd.add(flag);
			}
		}
		// a PostgreSQL URL without its password (the command line is public); the password, if
		// any, goes in the environment, which only its owner can read
		cmd.addAll(List.of("-Dqueuectl.remote=false", "-Dqueuectl.stdin.tty=false", "-jar", jar, "--db",
				location.isPostgres() ? location.postgres().display() : location.file().toString(), "server", "run"));
		if (Files.exists(log) && Files.size(log) > LOG_LIMIT) {
			Files.move(log, log.resolveSibling(log.getFileName().toString().concat(".1")),
					StandardCopyOption.REPLACE_EXISTING);
		}
		OwnerOnly.createFile(log);
		ProcessBuilder pb = new ProcessBuilder(cmd).directory(location.dataDir().toFile())
			.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
			.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
		pb.environment().remove("QUEUECTL_DB");
		if (location.isPostgres() && location.postgres().password() != null) {
			pb.environment().put("PGPASSWORD", location.postgres().password());
		}
		Process starter = pb.start();
		String pid = new String(starter.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
		try {
			starter.waitFor(); // it exits once the server is in the background
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		try {
			return Long.parseLong(pid);
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}
}
