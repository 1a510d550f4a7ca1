package dev.queuectl.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

import dev.queuectl.config.QueuectlException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Opens the SQLite file and brings its schema up to date. The file and its folder are created
 * owner-only; first-time migration is serialized across processes by a lock file beside the
 * database, since two processes migrating a fresh file at once race inside SQLite. A database this
 * process may not write (the file or its folder is read-only) is opened read-only, without the
 * lock file or a migration, so it can still be read; writes then fail as "read-only". Failures
 * are reported as one plain line ({@link StorageErrors}). A PostgreSQL server out of reach fails a
 * command within seconds; a worker host waits for it instead ({@link #postgresOnceReachable}).
 */
@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

	private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("dev.queuectl.store");

	@Bean
	DatabaseLocation databaseLocation(@Value("${queuectl.db:}") String configured,
			@Value("${queuectl.data-home:}") String dataHome) {
		return DatabaseLocation.resolve(configured, dataHome.isBlank() ? null : Path.of(dataHome));
	}

	@Bean
	Dialect dialect(DatabaseLocation location) {
		return Dialect.of(location);
	}

	/** Job output: in files beside an SQLite database, in the database on PostgreSQL (read from any machine). */
	@Bean
	OutputStore outputStore(Dialect dialect, DatabaseLocation location, JdbcTemplate jdbc, JobStore jobs) {
		return dialect.isPostgres() ? new PostgresOutputStore(jdbc) : new FileOutputStore(location.outputDir(), jobs);
	}

	/**
	 * Every transaction is a TransactionTemplate's: Boot's transaction auto-configuration is left
	 * out (QueuectlApplication), since its {@code @Transactional} interceptor, which nothing here
	 * uses, loads Reactor's ~300 classes into every JVM.
	 */
	@Bean
	TransactionTemplate transactionTemplate(PlatformTransactionManager transactionManager) {
		return new TransactionTemplate(transactionManager);
	}

	@Bean(destroyMethod = "close")
	HikariDataSource dataSource(DatabaseLocation location, @Value("${queuectl.wait-for-database:false}") boolean wait) {
		if (location.isPostgres()) {
			return wait ? postgresOnceReachable(location) : postgres(location);
		}
		Path file = location.file();
		String refused = location.refusal();
		if (refused != null) {
			throw new QueuectlException(QueuectlException.FAILURE, refused);
		}
		boolean readOnly = Files.isRegularFile(file) && (!Files.isWritable(file) || !Files.isWritable(location.dataDir()));
		if (!readOnly) {
			createOwnerOnly(file);
		}
		HikariConfig config = new HikariConfig();
		// connections that keep their prepared statements (SqliteStatementCache): a worker host's turn
		// prepares the same few again and again
		config.setDataSource(SqliteStatementCache.dataSource(readOnly ? location.readOnlyJdbcUrl() : location.jdbcUrl()));
		config.setPoolName("queuectl");
		config.setMaximumPoolSize(1);
		config.setMinimumIdle(1);
		config.setConnectionTimeout(60_000);
		HikariDataSource dataSource = null;
		try {
			dataSource = new HikariDataSource(config);
			if (readOnly) {
				checkSchemaCurrent(dataSource, location);
			}
			else {
				migrate(dataSource, location);
			}
			return dataSource;
		}
		catch (RuntimeException ex) {
			if (dataSource != null) {
				dataSource.close();
			}
			String message = ex instanceof QueuectlException ? null : StorageErrors.describe(ex, file);
			throw message == null ? ex : new QueuectlException(QueuectlException.FAILURE, message);
		}
	}

	/**
	 * How long a connection to PostgreSQL may take, in seconds: the TCP connect alone, and all of it
	 * (connect, TLS, login). A server that is down refuses at once; one that never answers (a frozen
	 * host, a dropped packet) is given up on within this, so that a command fails in a few seconds
	 * rather than after the pool's 30 s (or never, when the server accepted the connection). With a
	 * JVM's start of about 1.5 s a command fails within 5 s. Options on the URL ({@code ?connectTimeout=10&loginTimeout=10}) win.
	 */
	static final int CONNECT_TIMEOUT_S = 2;

	static final int LOGIN_TIMEOUT_S = 2;

	/** How long a borrower waits for a connection of the pool (which may be making a new one). */
	static final long POOL_WAIT_MS = 3_000;

	/** A worker host's waits between tries to reach its database at start: 1, 2, 4... s, at most 30 s. */
	static final long FIRST_RETRY_MS = 1_000;

	static final long MAX_RETRY_MS = 30_000;

	/**
	 * A PostgreSQL database: a small pool (a worker host's claim, heartbeat and output writers may
	 * run at once), Flyway's own advisory lock serializes first-time migration across machines.
	 * This machine's folder for the database is created owner-only. A server that cannot be reached
	 * is one line naming host, port and reason ({@link StorageErrors}) within a few seconds.
	 */
	static HikariDataSource postgres(DatabaseLocation location) {
		PostgresUrl url = location.postgres();
		createOwnerOnlyDir(url.dir());
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(url.jdbcUrl());
		config.setUsername(url.user());
		if (url.password() != null) {
			config.setPassword(url.password());
		}
		config.setPoolName("queuectl");
		config.setMaximumPoolSize(4);
		config.setMinimumIdle(1);
		config.setConnectionTimeout(POOL_WAIT_MS);
		config.setValidationTimeout(Math.min(2_000, POOL_WAIT_MS / 2)); // a frozen server's idle connection is given up on
		config.setInitializationFailTimeout(1); // one try at start-up: a refused connection is reported at once
		config.addDataSourceProperty("ApplicationName", "queuectl");
		config.addDataSourceProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_S));
		config.addDataSourceProperty("loginTimeout", Integer.toString(LOGIN_TIMEOUT_S));
		ServerLoss loss = new ServerLoss(); // a restart's first failed statement drops every pooled connection
		config.setExceptionOverride(loss);
		HikariDataSource dataSource = null;
		try {
			dataSource = new HikariDataSource(config);
			loss.watch(dataSource);
			if (!SchemaVersions.upToDate(dataSource)) {
				flyway(dataSource, location).migrate();
			}
			return dataSource;
		}
		catch (RuntimeException ex) {
			if (dataSource != null) {
				dataSource.close();
			}
			if (ex instanceof QueuectlException) {
				throw ex;
			}
			throw new Unusable(ex, location);
		}
	}

	/**
	 * {@link #postgres} for a worker host: while the server cannot be reached (down, restarting, not
	 * answering) it logs one line per try and tries again, waiting 1, 2, 4... up to 30 s, instead of
	 * exiting; a host started before its database (at boot, beside a restarting server) then starts
	 * once it is back. Anything else (a refused login, no such database) ends the start at once.
	 */
	static HikariDataSource postgresOnceReachable(DatabaseLocation location) {
		// Ctrl-C or SIGTERM while waiting ends the wait: Spring's own shutdown waits for the start-up
		// (this wait is part of it) and would otherwise wait for the database too
		Thread waiter = Thread.currentThread();
		Thread onStop = new Thread(waiter::interrupt, "queuectl-stop-waiting");
		try {
			Runtime.getRuntime().addShutdownHook(onStop);
		}
		catch (IllegalStateException shuttingDown) {
			throw new QueuectlException(QueuectlException.FAILURE, "stopped while starting");
		}
		try {
			long wait = FIRST_RETRY_MS;
			for (int attempt = 1;; attempt++) {
				try {
					HikariDataSource dataSource = postgres(location);
					if (attempt > 1) {
						log.info("reached PostgreSQL at {}", location.postgres().hostPort());
					}
					return dataSource;
				}
				catch (Unusable ex) {
					if (!ex.retry || Thread.currentThread().isInterrupted()) {
						throw ex;
					}
					log.warn("{}; trying again in {} s (attempt {})", ex.getMessage(), wait / 1000, attempt);
				}
				try {
					Thread.sleep(wait);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new QueuectlException(QueuectlException.FAILURE,
							"stopped while waiting for PostgreSQL at " + location.postgres().hostPort());
				}
				wait = Math.min(MAX_RETRY_MS, wait * 2);
			}
		}
		finally {
			try {
				Runtime.getRuntime().removeShutdownHook(onStop);
			}
			catch (IllegalStateException shuttingDown) {
				// the hook ran or runs
			}
		}
	}

	/** A PostgreSQL database that could not be opened, said in one line; {@code retry} when it may soon be reachable. */
	static final class Unusable extends QueuectlException {

		final boolean retry;

		Unusable(RuntimeException failure, DatabaseLocation location) {
			super(QueuectlException.FAILURE, message(failure, location));
			this.retry = isTransient(failure);
		}

		private static String message(RuntimeException failure, DatabaseLocation location) {
			String message = StorageErrors.describeAt(failure, location);
			return message != null ? message
					: "cannot use the PostgreSQL database " + location.display() + ": "
							+ String.valueOf(failure.getMessage()).lines().findFirst().orElse("");
		}

		/** Not reachable (08001), or starting up, shutting down, restarting (57P0x): it may be soon. */
		private static boolean isTransient(Throwable failure) {
			for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
				if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null) {
					String state = sql.getSQLState();
					return state.equals("08001") || state.equals("08006") || state.startsWith("57P");
				}
			}
			return false;
		}
	}

	/** Brings an SQLite database up to date, unless a newer queuectl wrote it (then touches nothing). */
	static void migrate(DataSource dataSource, DatabaseLocation location) {
		if (SchemaVersions.upToDate(dataSource)) {
			return;
		}
		Path lockFile = location.dataDir().resolve(location.file().getFileName() + ".lock");
		createOwnerOnly(lockFile);
		try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
				FileLock lock = channel.lock()) {
			flyway(dataSource).migrate();
		}
		catch (IOException ex) {
			throw new QueuectlException(QueuectlException.FAILURE,
					"cannot lock " + lockFile + ": " + StorageErrors.reason(ex));
		}
	}

	/** A database that cannot be written cannot be migrated either: it must be current already. */
	private static void checkSchemaCurrent(DataSource dataSource, DatabaseLocation location) {
		if (!SchemaVersions.upToDate(dataSource)) {
			throw new QueuectlException(QueuectlException.FAILURE, "the database " + location.file()
					+ " is read-only and needs an upgrade this queuectl cannot write (open it once with write access)");
		}
	}

	private static Flyway flyway(DataSource dataSource) {
		return flyway(dataSource, null);
	}

	private static Flyway flyway(DataSource dataSource, DatabaseLocation location) {
		boolean postgres = location != null && location.isPostgres();
		return Flyway.configure()
			.dataSource(dataSource)
			.locations(postgres ? "classpath:db/migration/postgresql" : "classpath:db/migration/sqlite")
			.loggers("slf4j")
			.installedBy(SchemaVersions.INSTALLED_BY) // names the release in a refusal by an older one
			.load();
	}

	private static void createOwnerOnlyDir(Path dir) {
		try {
			if (!Files.isDirectory(dir)) {
				Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
			}
		}
		catch (UnsupportedOperationException ex) {
			// not a POSIX file system: default permissions
		}
		catch (IOException ex) {
			throw new QueuectlException(QueuectlException.FAILURE, "cannot create " + dir + ": " + StorageErrors.reason(ex));
		}
	}

	private static void createOwnerOnly(Path file) {
		Path dir = file.getParent();
		try {
			if (!Files.isDirectory(dir)) {
				Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
			}
			if (!Files.exists(file)) {
				try {
					Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
				}
				catch (FileAlreadyExistsException raced) {
					// another process created it first: fine
				}
			}
		}
		catch (UnsupportedOperationException ex) {
			// not a POSIX file system: default permissions
		}
		catch (FileAlreadyExistsException ex) {
			throw new QueuectlException(QueuectlException.FAILURE, "cannot create " + file + ": " + ex.getFile()
					+ " is a file, not a folder");
		}
		catch (IOException ex) {
			String at = ex instanceof java.nio.file.FileSystemException fs && fs.getFile() != null
					&& !fs.getFile().equals(file.toString()) ? " (at " + fs.getFile() + ")" : "";
			throw new QueuectlException(QueuectlException.FAILURE, "cannot create " + file + ": " + StorageErrors.reason(ex) + at);
		}
	}
}
