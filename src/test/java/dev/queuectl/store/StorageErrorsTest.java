package dev.queuectl.store;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.dao.DataAccessResourceFailureException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Storage failures become one plain line. Each SQLite failure here is the real exception of a real
 * failing operation on a real file, not one built by hand.
 */
class StorageErrorsTest {

	@TempDir
	Path dir;

	@Test
	void aFullDiskSaysWhichDatabase() throws Exception {
		Path db = this.dir.resolve("full.db");
		Throwable failure;
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
			st.execute("CREATE TABLE t (x BLOB)");
			st.execute("PRAGMA max_page_count = 3"); // SQLite's own SQLITE_FULL, as on a full disk
			failure = catchThrowable(() -> st.execute("INSERT INTO t VALUES (zeroblob(100000))"));
		}
		assertThat(failure).hasMessageContaining("SQLITE_FULL");
		assertThat(StorageErrors.describe(wrapped(failure), db)).isEqualTo("the disk holding " + db + " is full");
	}

	@Test
	void aFullDiskInsideATransactionIsStillAFullDisk() throws Exception {
		Path db = this.dir.resolve("fulltx.db");
		org.springframework.jdbc.datasource.SingleConnectionDataSource ds = new org.springframework.jdbc.datasource.SingleConnectionDataSource(
				"jdbc:sqlite:" + db + "?journal_mode=WAL&transaction_mode=IMMEDIATE", true);
		try {
			org.springframework.jdbc.core.JdbcTemplate jdbc = new org.springframework.jdbc.core.JdbcTemplate(ds);
			jdbc.execute("CREATE TABLE t (x BLOB)");
			jdbc.execute("PRAGMA max_page_count = 4");
			org.springframework.transaction.support.TransactionTemplate tx = new org.springframework.transaction.support.TransactionTemplate(
					new org.springframework.jdbc.support.JdbcTransactionManager(ds));
			Throwable failure = catchThrowable(() -> tx.executeWithoutResult(s -> {
				for (int i = 0; i < 100; i++) {
					jdbc.update("INSERT INTO t VALUES (zeroblob(2000))");
				}
			}));
			assertThat(failure).isNotNull();
			assertThat(StorageErrors.describe(failure, db)).isEqualTo("the disk holding " + db + " is full");
		}
		finally {
			ds.destroy();
		}
	}

	@Test
	void aLockHeldTooLongIsBusy() throws Exception {
		Path db = this.dir.resolve("busy.db");
		try (Connection holder = DriverManager.getConnection("jdbc:sqlite:" + db);
				Connection other = DriverManager.getConnection("jdbc:sqlite:" + db + "?busy_timeout=0")) {
			holder.createStatement().execute("CREATE TABLE t (x)");
			holder.createStatement().execute("BEGIN EXCLUSIVE");
			Throwable failure = catchThrowable(() -> other.createStatement().execute("INSERT INTO t VALUES (1)"));
			assertThat(failure).hasMessageContaining("SQLITE_BUSY");
			assertThat(StorageErrors.describe(wrapped(failure), db))
				.isEqualTo("the database " + db + " stayed locked by another process for too long; try again");
			holder.createStatement().execute("ROLLBACK");
		}
	}

	@Test
	void aFileThatIsNoSqliteDatabaseIsNamed() throws Exception {
		Path db = this.dir.resolve("notes.txt");
		Files.writeString(db, "shopping list\n".repeat(200));
		Throwable failure = catchThrowable(() -> {
			try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
				c.createStatement().executeQuery("SELECT * FROM sqlite_master").next();
			}
		});
		assertThat(failure).hasMessageContaining("SQLITE_NOTADB");
		assertThat(StorageErrors.describe(wrapped(failure), db))
			.isEqualTo(db + " is not a queuectl database (not an SQLite file)");
	}

	@Test
	void aWriteToAReadOnlyConnectionIsReadOnly() throws Exception {
		Path db = this.dir.resolve("ro.db");
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
			c.createStatement().execute("CREATE TABLE t (x)");
		}
		Throwable failure;
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro")) {
			failure = catchThrowable(() -> c.createStatement().execute("INSERT INTO t VALUES (1)"));
		}
		assertThat(failure).hasMessageContaining("SQLITE_READONLY");
		assertThat(StorageErrors.describe(wrapped(failure), db)).isEqualTo("the database " + db + " is read-only");
	}

	@Test
	void fileSystemFailuresNameTheFileAndTheReasonInWords() {
		assertThat(StorageErrors.describe(new AccessDeniedException("/srv/q.db.lock"), null))
			.isEqualTo("cannot use /srv/q.db.lock: permission denied");
		assertThat(StorageErrors.describe(new FileSystemException("/srv/q.db", null, "Read-only file system"), null))
			.isEqualTo("cannot use /srv/q.db: read-only file system");
		assertThat(StorageErrors.describe(new IOException("No space left on device"), Path.of("/srv/q.db")))
			.isEqualTo("the disk holding /srv/q.db is full");
	}

	@Test
	void otherFailuresAreNotStorageFailures() {
		assertThat(StorageErrors.describe(new IllegalStateException("boom", new SQLException("syntax error")), null))
			.isNull();
		assertThat(StorageErrors.describe(new IOException("Broken pipe"), null)).isNull();
	}

	@Test
	void aPostgresServerThatRefusesOrNeverAnswersIsOneLineNamingHostPortAndReason() throws Exception {
		int down;
		try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			down = s.getLocalPort(); // closed again: nothing listens there
		}
		Throwable refused = catchThrowable(() -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + down + "/queue", "postgres", ""));
		assertThat(StorageErrors.describeAt(wrapped(refused), postgres("127.0.0.1:" + down)))
			.isEqualTo("cannot reach PostgreSQL at 127.0.0.1:" + down + ": connection refused");
		try (java.net.ServerSocket frozen = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
			// never accepted: the connection is made, the login never answered
			java.util.Properties props = new java.util.Properties();
			props.setProperty("user", "postgres");
			props.setProperty("loginTimeout", "1");
			Throwable timedOut = catchThrowable(
					() -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + frozen.getLocalPort() + "/queue", props));
			assertThat(StorageErrors.describeAt(wrapped(timedOut), postgres("127.0.0.1:" + frozen.getLocalPort())))
				.isEqualTo("cannot reach PostgreSQL at 127.0.0.1:" + frozen.getLocalPort() + ": timed out");
		}
		Throwable unknown = catchThrowable(() -> DriverManager.getConnection("jdbc:postgresql://no-such-host.invalid/queue", "postgres", ""));
		assertThat(StorageErrors.describeAt(wrapped(unknown), postgres("no-such-host.invalid")))
			.isEqualTo("cannot reach PostgreSQL at no-such-host.invalid:5432: unknown host name");
	}

	private DatabaseLocation postgres(String hostPort) {
		return DatabaseLocation.resolve("postgresql://postgres@" + hostPort + "/queue", this.dir);
	}

	/** As the failure reaches the dispatcher: inside Spring's exception. */
	private static Throwable wrapped(Throwable sqlite) {
		return new DataAccessResourceFailureException("StatementCallback; uncategorized", sqlite);
	}
}
