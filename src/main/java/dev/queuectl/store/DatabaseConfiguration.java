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

/**
 * Opens the SQLite file and brings its schema up to date. The file and its folder are created
 * owner-only; first-time migration is serialized across processes by a lock file beside the
 * database, since two processes migrating a fresh file at once race inside SQLite.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

	@Bean
	DatabaseLocation databaseLocation(@Value("${queuectl.db:}") String configured) {
		return DatabaseLocation.resolve(configured);
	}

	@Bean(destroyMethod = "close")
	HikariDataSource dataSource(DatabaseLocation location) {
		createOwnerOnly(location.file());
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(location.jdbcUrl());
		config.setPoolName("queuectl");
		config.setMaximumPoolSize(1);
		config.setMinimumIdle(1);
		config.setConnectionTimeout(60_000);
		HikariDataSource dataSource = new HikariDataSource(config);
		migrate(dataSource, location);
		return dataSource;
	}

	static void migrate(DataSource dataSource, DatabaseLocation location) {
		Path lockFile = location.dataDir().resolve(location.file().getFileName() + ".lock");
		createOwnerOnly(lockFile);
		try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
				FileLock lock = channel.lock()) {
			Flyway.configure()
				.dataSource(dataSource)
				.locations("classpath:db/migration/sqlite")
				.loggers("slf4j")
				.load()
				.migrate();
		}
		catch (IOException ex) {
			throw new QueuectlException(QueuectlException.FAILURE,
					"cannot lock " + lockFile + ": " + ex.getMessage());
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
		catch (IOException ex) {
			throw new QueuectlException(QueuectlException.FAILURE, "cannot create database " + file + ": " + ex.getMessage());
		}
	}
}
