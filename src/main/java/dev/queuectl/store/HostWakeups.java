package dev.queuectl.store;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * How a worker host hears at once that there may be work, so that an idle one need not poll often.
 * <p>
 * On PostgreSQL one connection of its own, not from the pool, LISTENs on {@link Dialect#CHANNEL};
 * enqueues, cancels, resumes and run-now send NOTIFY in their transactions
 * ({@link Dialect#wakeHosts}). A daemon thread waits for notifications and hands each payload
 * ({@code jobs} or {@code cancel}) to the host. When the connection fails (a restart ends it at
 * once) the pool's connections are dropped too ({@link ServerLoss}), and it reconnects with a
 * growing pause (up to 10 s); meanwhile {@link Listening#up()} is false and the host polls at its
 * short interval. After every (re)connect the host is woken once, for what it may have missed.
 * Through PgBouncer in transaction mode LISTEN hears nothing, and only the poll finds work.
 * <p>
 * On SQLite every commit, of any process, writes the database's WAL file: the kernel tells of each
 * write (inotify, through the JDK's {@link WatchService}), and the host gets {@link #CHANGED}. That
 * cannot tell a cancel from anything else, so a host with running jobs still reads cancels at its
 * own pace ({@link Listening#hearsCancels()}). Where the folder cannot be watched, the host polls.
 */
@Component
public class HostWakeups {

	private static final Logger log = LoggerFactory.getLogger("dev.queuectl.worker");

	/** How long one wait for notifications lasts; also how soon a closed listener ends. */
	private static final int WAIT_MS = 500;

	/** A connection silent this long is checked (a dead server can leave a socket that never errs). */
	private static final long CHECK_AFTER_MS = 30_000;

	private static final long MAX_BACKOFF_MS = 10_000;

	/** What {@code onWake} gets: there may be jobs to claim... */
	public static final String JOBS = Dialect.WAKE_JOBS;

	/** ...or a running job was canceled... */
	public static final String CANCEL = Dialect.WAKE_CANCEL;

	/** ...or (SQLite) someone committed something, this host included. */
	public static final String CHANGED = "changed";

	private final DatabaseLocation location;

	/** The pool whose connections a lost listening connection drops ({@link ServerLoss}). */
	private final ObjectProvider<DataSource> pool;

	@Autowired
	HostWakeups(DatabaseLocation location, ObjectProvider<DataSource> pool) {
		this.location = location;
		this.pool = pool;
	}

	HostWakeups(DatabaseLocation location) {
		this(location, null);
	}

	/** A running listener (or, on SQLite, none). */
	public interface Listening extends AutoCloseable {

		/** Whether notifications are heard now: the host may poll slowly. */
		boolean up();

		/** Whether a cancel is told as {@link #CANCEL}: else the host looks for cancels itself. */
		default boolean hearsCancels() {
			return true;
		}

		/**
		 * The host tells when it becomes idle or busy. A busy host is not woken by
		 * {@link #CHANGED}, so SQLite's watch stops while it is busy (every commit of every host
		 * would wake its thread) and, watching again, tells once for what it missed.
		 */
		default void idle(boolean idle) {
		}

		@Override
		void close();
	}

	private static final Listening NONE = new Listening() {
		@Override
		public boolean up() {
			return false;
		}

		@Override
		public void close() {
		}
	};

	/**
	 * Starts listening; {@code onWake} gets {@link #JOBS} or {@link #CANCEL} (PostgreSQL) or
	 * {@link #CHANGED} (SQLite) on the listener's thread.
	 */
	public Listening listen(Consumer<String> onWake) {
		if (!this.location.isPostgres()) {
			return FileWatch.start(this.location.file(), onWake);
		}
		Runnable lost = this.pool == null ? () -> {
		} : () -> ServerLoss.dropConnections(this.pool.getIfAvailable());
		Listener listener = new Listener(this.location.postgres(), onWake, lost);
		Thread thread = new Thread(listener, "queuectl-listen");
		thread.setDaemon(true);
		thread.start();
		return listener;
	}

	private static final class Listener implements Listening, Runnable {

		private final PostgresUrl url;

		private final Consumer<String> onWake;

		/** Told when the listening connection fails: the server may have ended every session. */
		private final Runnable lost;

		private volatile boolean up;

		private volatile boolean closed;

		Listener(PostgresUrl url, Consumer<String> onWake, Runnable lost) {
			this.url = url;
			this.onWake = onWake;
			this.lost = lost;
		}

		@Override
		public boolean up() {
			return this.up;
		}

		@Override
		public void close() {
			this.closed = true;
		}

		@Override
		public void run() {
			long backoff = 100;
			while (!this.closed) {
				try (Connection c = connect()) {
					try (Statement s = c.createStatement()) {
						s.execute("LISTEN " + Dialect.CHANNEL);
					}
					this.up = true;
					backoff = 100;
					this.onWake.accept(Dialect.WAKE_JOBS); // whatever came while nobody listened
					listen(c);
				}
				catch (SQLException | RuntimeException ex) {
					if (this.closed) {
						break;
					}
					if (this.up) {
						this.lost.run(); // a restart ends the pool's sessions too: drop them before a command meets one
					}
					if (this.up || backoff == 100) {
						log.warn("listening for new jobs failed, polling until it is back: {}", ex.getMessage());
					}
					this.up = false;
					pause(backoff);
					backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
				}
				finally {
					this.up = false;
				}
			}
		}

		private void listen(Connection c) throws SQLException {
			PGConnection pg = c.unwrap(PGConnection.class);
			long lastHeard = System.nanoTime();
			while (!this.closed) {
				PGNotification[] notes = pg.getNotifications(WAIT_MS);
				if (notes != null && notes.length > 0) {
					lastHeard = System.nanoTime();
					boolean cancel = false;
					boolean jobs = false;
					for (PGNotification n : notes) {
						cancel |= Dialect.WAKE_CANCEL.equals(n.getParameter());
						jobs |= !Dialect.WAKE_CANCEL.equals(n.getParameter());
					}
					if (cancel) {
						this.onWake.accept(Dialect.WAKE_CANCEL);
					}
					if (jobs) {
						this.onWake.accept(Dialect.WAKE_JOBS);
					}
				}
				else if ((System.nanoTime() - lastHeard) / 1_000_000 > CHECK_AFTER_MS) {
					if (!c.isValid(5)) {
						throw new SQLException("the listening connection is gone");
					}
					lastHeard = System.nanoTime();
				}
			}
		}

		private Connection connect() throws SQLException {
			Properties props = new Properties();
			if (this.url.user() != null) {
				props.setProperty("user", this.url.user());
			}
			if (this.url.password() != null) {
				props.setProperty("password", this.url.password());
			}
			props.setProperty("ApplicationName", "queuectl-listen");
			props.setProperty("connectTimeout", Integer.toString(DatabaseConfiguration.CONNECT_TIMEOUT_S));
			props.setProperty("loginTimeout", Integer.toString(DatabaseConfiguration.LOGIN_TIMEOUT_S));
			props.setProperty("tcpKeepAlive", "true");
			return DriverManager.getConnection(this.url.jdbcUrl(), props);
		}

		private void pause(long ms) {
			try {
				Thread.sleep(ms);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				this.closed = true;
			}
		}
	}

	/**
	 * SQLite: the database's folder watched for writes to the database or its WAL file. A write is
	 * seen before its commit is: the frames are written, then flushed to disk, then published in the
	 * shared-memory index, and a reader woken by the first write finds nothing yet. So after the last
	 * write of a burst the watch tells again, as long as nothing else is written, at each of
	 * {@link #ECHOES_MS} (a commit that takes longer is found by the host's fallback poll).
	 */
	private static final class FileWatch implements Listening, Runnable {

		/** When, after the last write (writes to other files of the folder do not count), to wake again. */
		private static final long[] ECHOES_MS = { 5, 25, 100, 400 };

		private final WatchService watcher;

		private final Path dir;

		private volatile WatchKey key;

		private final Set<Path> files;

		private final Consumer<String> onWake;

		private volatile boolean up = true;

		private FileWatch(WatchService watcher, Path dir, WatchKey key, Path db, Consumer<String> onWake) {
			this.watcher = watcher;
			this.dir = dir;
			this.key = key;
			Path name = db.getFileName();
			this.files = Set.of(name, Path.of(name + "-wal"));
			this.onWake = onWake;
		}

		static Listening start(Path db, Consumer<String> onWake) {
			Path dir = db.toAbsolutePath().getParent();
			WatchService watcher = null;
			WatchKey key;
			try {
				watcher = dir.getFileSystem().newWatchService();
				key = register(dir, watcher);
			}
			catch (IOException | UnsupportedOperationException ex) {
				log.debug("cannot watch {} for commits, polling instead: {}", dir, ex.getMessage());
				if (watcher != null) {
					try {
						watcher.close();
					}
					catch (IOException ignored) {
						// nothing was started
					}
				}
				return NONE;
			}
			FileWatch watch = new FileWatch(watcher, dir, key, db, onWake);
			Thread thread = new Thread(watch, "queuectl-watch");
			thread.setDaemon(true);
			thread.start();
			return watch;
		}

		@Override
		public boolean up() {
			return this.up;
		}

		private static WatchKey register(Path dir, WatchService watcher) throws IOException {
			return dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
		}

		@Override
		public boolean hearsCancels() {
			return false;
		}

		@Override
		public void idle(boolean idle) {
			if (!this.up) {
				return;
			}
			if (!idle) {
				this.key.cancel();
				return;
			}
			try {
				this.key = register(this.dir, this.watcher);
			}
			catch (IOException | RuntimeException ex) { // ClosedWatchServiceException: stopping
				log.warn("the database's folder can no longer be watched: polling for new jobs");
				this.up = false;
				return;
			}
			this.onWake.accept(CHANGED); // what was written while nobody watched
		}

		@Override
		public void close() {
			this.up = false;
			try {
				this.watcher.close();
			}
			catch (IOException ex) {
				// the watch thread ends either way
			}
		}

		@Override
		public void run() {
			int echo = ECHOES_MS.length; // none due
			long lastWrite = 0;
			try {
				while (true) {
					WatchKey key;
					if (echo < ECHOES_MS.length) {
						long wait = lastWrite + TimeUnit.MILLISECONDS.toNanos(ECHOES_MS[echo]) - System.nanoTime();
						key = wait > 0 ? this.watcher.poll(wait, TimeUnit.NANOSECONDS) : null;
					}
					else {
						key = this.watcher.take();
					}
					if (key == null) { // quiet since the last write: tell again
						echo++;
						this.onWake.accept(CHANGED);
						continue;
					}
					boolean written = false;
					for (WatchEvent<?> event : key.pollEvents()) {
						// OVERFLOW: events were lost, so perhaps ours
						written |= event.kind() == StandardWatchEventKinds.OVERFLOW || this.files.contains(event.context());
					}
					// a key fails to reset when the host canceled it (busy) or the folder is gone
					if (!key.reset() && !Files.isDirectory(this.dir)) {
						log.warn("the database's folder can no longer be watched: polling for new jobs");
						break;
					}
					if (written) {
						echo = 0;
						lastWrite = System.nanoTime();
						this.onWake.accept(CHANGED);
					}
				}
			}
			catch (ClosedWatchServiceException | InterruptedException ex) {
				// closed: the host stops
			}
			finally {
				this.up = false;
			}
		}
	}
}
