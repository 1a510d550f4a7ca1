package dev.queuectl.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SQLite's wake-up: a commit by any connection (here a plain JDBC one, as another process would
 * make) is heard as {@link HostWakeups#CHANGED}; writes to other files of the folder are not; a
 * folder that cannot be watched leaves the host polling.
 */
class HostWakeupsTest {

	@TempDir
	Path dir;

	@Test
	void aCommitOfAnotherConnectionIsHeardAndOtherFilesAreNot() throws Exception {
		Path db = this.dir.resolve("q.db");
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
			s.execute("PRAGMA journal_mode=WAL");
			s.execute("CREATE TABLE t (x INTEGER)");
			List<String> heard = new CopyOnWriteArrayList<>();
			try (HostWakeups.Listening watch = new HostWakeups(new DatabaseLocation(db)).listen(heard::add)) {
				assertThat(watch.up()).isTrue();
				assertThat(watch.hearsCancels()).isFalse();
				for (int i = 0; i < 20; i++) {
					Files.writeString(this.dir.resolve("other.log"), "line " + i);
				}
				// the watch thread sees these writes within ms; none of them is the database's
				await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(heard::isEmpty);
				s.execute("INSERT INTO t VALUES (1)");
				await().atMost(Duration.ofSeconds(5)).until(() -> heard.contains(HostWakeups.CHANGED));
				assertThat(heard).containsOnly(HostWakeups.CHANGED);
			}
		}
	}

	@Test
	void aFolderThatCannotBeWatchedLeavesTheHostPolling() {
		HostWakeups wakeups = new HostWakeups(new DatabaseLocation(this.dir.resolve("gone/q.db")));
		try (HostWakeups.Listening none = wakeups.listen(why -> {
		})) {
			assertThat(none.up()).isFalse();
		}
	}
}
