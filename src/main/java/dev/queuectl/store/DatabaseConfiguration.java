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

import dev.queuectl.QueuectlException;
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
 * are reported as one plain line ({@link StorageErrors}).
 */
@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

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
	HikariDataSource dataSource(DatabaseLocation location) {
		if (location.isPostgres()) {
			return postgres(location);
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
		config.setJdbcUrl(readOnly ? location.readOnlyJdbcUrl() : location.jdbcUrl());
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
	 * A PostgreSQL database: a small pool (a worker host's claim, heartbeat and output writers may
	 * run at once), Flyway's own advisory lock serializes first-time migration across machines.
	 * This machine's folder for the database is created owner-only.
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
		config.setConnectionTimeout(30_000);
		config.setInitializationFailTimeout(1); // one try at start-up: a refused connection is reported at once
		config.addDataSourceProperty("ApplicationName", "queuectl");
		config.addDataSourceProperty("connectTimeout", "10");
		HikariDataSource dataSource = new HikariDataSource(config);
		try {
			if (!SchemaVersions.upToDate(dataSource)) {
				flyway(dataSource, location).migrate();
			}
			return dataSource;
		}
		catch (RuntimeException ex) {
			dataSource.close();
			if (ex instanceof QueuectlException) {
				throw ex;
			}
			String message = StorageErrors.describeAt(ex, location);
			throw new QueuectlException(QueuectlException.FAILURE, message != null ? message
					: "cannot use the PostgreSQL database " + location.display() + ": " + ex.getMessage().lines().findFirst().orElse(""));
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
