package dev.queuectl.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** SQLite connections that keep their prepared statements ({@link SqliteStatementCache}), on a real file. */
class SqliteStatementCacheTest {

	@TempDir
	Path dir;

	private String url;

	@BeforeEach
	void table() throws Exception {
		this.url = "jdbc:sqlite:" + this.dir.resolve("q.db") + "?journal_mode=WAL&jdbc.get_generated_keys=false";
		try (Connection c = connection(); Statement s = c.createStatement()) {
			s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
			s.execute("INSERT INTO t (v) VALUES ('a'), ('b'), ('c')");
		}
	}

	private SqliteStatementCache.KeepingConnection connection() throws Exception {
		return (SqliteStatementCache.KeepingConnection) SqliteStatementCache.dataSource(this.url).getConnection();
	}

	@Test
	void aClosedStatementIsHandedOutAgainForTheSameText() throws Exception {
		try (SqliteStatementCache.KeepingConnection c = connection()) {
			PreparedStatement first = c.prepareStatement("SELECT v FROM t WHERE id = ?");
			assertThat(c.kept()).isZero();
			first.close();
			assertThat(c.kept()).isOne();
			PreparedStatement again = c.prepareStatement("SELECT v FROM t WHERE id = ?");
			assertThat(again).isSameAs(first);
			assertThat(c.prepareStatement("SELECT v FROM t WHERE id > ?")).isNotSameAs(first);
		}
	}

	@Test
	void aPlainStatementsQueryRunsAsTheKeptStatementOfItsTextAndHandsItBack() throws Exception {
		try (SqliteStatementCache.KeepingConnection c = connection()) {
			List<String> read = new ArrayList<>();
			for (int i = 0; i < 2; i++) {
				try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM t ORDER BY id")) {
					while (rs.next()) {
						read.add(rs.getString(1));
					}
					assertThat(c.kept()).as("in use, not idle").isZero();
				}
				assertThat(c.kept()).as("handed back when the statement closes").isOne();
			}
			assertThat(read).containsExactly("a", "b", "c", "a", "b", "c");
			// the same compiled statement a prepared one of that text gets
			PreparedStatement kept = c.prepareStatement("SELECT v FROM t ORDER BY id");
			assertThat(c.kept()).isZero();
			kept.close();
			// a second query on one statement hands the first one's back; updates stay the driver's
			try (Statement s = c.createStatement()) {
				try (ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
					rs.next();
					assertThat(rs.getInt(1)).isEqualTo(3);
				}
				try (ResultSet rs = s.executeQuery("SELECT v FROM t ORDER BY id")) {
					assertThat(c.kept()).as("the count's statement back, this one in use").isOne();
				}
				assertThat(s.executeUpdate("UPDATE t SET v = 'z' WHERE id = 3")).isOne();
			}
			assertThat(c.kept()).isEqualTo(2);
		}
	}

	@Test
	void aStatementInUseIsNeverHandedOutTwice() throws Exception {
		try (SqliteStatementCache.KeepingConnection c = connection()) {
			PreparedStatement outer = c.prepareStatement("SELECT v FROM t WHERE id >= ? ORDER BY id");
			outer.setInt(1, 1);
			List<String> pairs = new ArrayList<>();
			try (ResultSet rs = outer.executeQuery()) {
				while (rs.next()) {
					PreparedStatement inner = c.prepareStatement("SELECT v FROM t WHERE id >= ? ORDER BY id");
					assertThat(inner).isNotSameAs(outer);
					inner.setInt(1, 3);
					try (ResultSet in = inner.executeQuery()) {
						in.next();
						pairs.add(rs.getString(1) + in.getString(1));
					}
					inner.close();
				}
			}
			outer.close();
			assertThat(pairs).containsExactly("ac", "bc", "cc");
			assertThat(c.kept()).as("one statement kept a text; the other closed").isOne();
		}
	}

	@Test
	void closingAStatementClearsItsValuesItsResultAndItsBatch() throws Exception {
		try (SqliteStatementCache.KeepingConnection c = connection()) {
			PreparedStatement select = c.prepareStatement("SELECT ? IS NULL");
			select.setString(1, "x");
			try (ResultSet rs = select.executeQuery()) {
				rs.next();
				assertThat(rs.getBoolean(1)).isFalse();
			}
			select.close();
			PreparedStatement again = c.prepareStatement("SELECT ? IS NULL");
			try (ResultSet rs = again.executeQuery()) {
				rs.next();
				assertThat(rs.getBoolean(1)).as("the value bound before the close is gone").isTrue();
			}
			again.close();

			PreparedStatement insert = c.prepareStatement("INSERT INTO t (v) VALUES (?)");
			insert.setString(1, "never");
			insert.addBatch();
			insert.close(); // a batch not executed is dropped, as a real close drops it
			PreparedStatement reused = c.prepareStatement("INSERT INTO t (v) VALUES (?)");
			assertThat(reused).isSameAs(insert);
			reused.setString(1, "d");
			reused.addBatch();
			assertThat(reused.executeBatch()).containsExactly(1);
			reused.close();
			try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT group_concat(v, '') FROM t")) {
				rs.next();
				assertThat(rs.getString(1)).isEqualTo("abcd");
			}
		}
	}

	@Test
	void aResultReadHalfwayNoLongerHoldsTheDatabaseOnceClosed() throws Exception {
		try (SqliteStatementCache.KeepingConnection reader = connection(); Connection writer = connection()) {
			PreparedStatement select = reader.prepareStatement("SELECT v FROM t ORDER BY id");
			ResultSet rs = select.executeQuery();
			rs.next(); // a read transaction stays open while the statement is not reset
			select.close();
			try (Statement s = writer.createStatement()) {
				s.execute("INSERT INTO t (v) VALUES ('e')");
				// a checkpoint that must wait for no reader: it completes only when the reader let go
				try (ResultSet cp = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
					cp.next();
					assertThat(cp.getInt(1)).as("checkpoint not blocked by the kept statement").isZero();
				}
			}
		}
	}

	@Test
	void aKeptStatementSeesTheSchemaAsItIsNow() throws Exception {
		try (SqliteStatementCache.KeepingConnection c = connection(); Connection other = connection()) {
			PreparedStatement update = c.prepareStatement("UPDATE t SET v = ? WHERE id = 1");
			update.close();
			try (Statement s = other.createStatement()) {
				s.execute("CREATE TABLE seen (v TEXT)");
				s.execute("CREATE TRIGGER t_seen AFTER UPDATE ON t BEGIN INSERT INTO seen VALUES (new.v); END");
			}
			PreparedStatement kept = c.prepareStatement("UPDATE t SET v = ? WHERE id = 1");
			assertThat(kept).isSameAs(update);
			kept.setString(1, "z");
			assertThat(kept.executeUpdate()).isOne();
			kept.close();
			try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM seen")) {
				assertThat(rs.next()).isTrue();
				assertThat(rs.getString(1)).as("the trigger created after the statement was prepared fired").isEqualTo("z");
			}
		}
	}

	@Test
	void atMostKeptTextsStayTheLeastRecentlyUsedClosedFirst() throws Exception {
		try (SqliteStatementCache.KeepingConnection c = connection()) {
			List<PreparedStatement> all = new ArrayList<>();
			for (int i = 0; i <= SqliteStatementCache.KEPT; i++) {
				PreparedStatement s = c.prepareStatement("SELECT " + i);
				all.add(s);
				s.close();
			}
			assertThat(c.kept()).isEqualTo(SqliteStatementCache.KEPT);
			assertThat(all.get(0).isClosed()).as("the least recently used").isTrue();
			assertThat(all.get(SqliteStatementCache.KEPT).isClosed()).isFalse();
			c.close();
			assertThat(all).allSatisfy(s -> assertThat(s.isClosed()).isTrue());
		}
	}

	@Test
	void thePoolsConnectionKeepsItsStatementsFromOneBorrowerToTheNext() throws Exception {
		HikariConfig config = new HikariConfig();
		config.setDataSource(SqliteStatementCache.dataSource(this.url));
		config.setMaximumPoolSize(1);
		try (HikariDataSource pool = new HikariDataSource(config)) {
			SqliteStatementCache.KeptStatement first;
			try (Connection c = pool.getConnection()) {
				PreparedStatement ps = c.prepareStatement("SELECT v FROM t WHERE id = ?");
				first = ps.unwrap(SqliteStatementCache.KeptStatement.class);
				// not closed by the borrower: the pool closes it as the connection goes back
			}
			try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT v FROM t WHERE id = ?")) {
				assertThat(ps.unwrap(SqliteStatementCache.KeptStatement.class)).isSameAs(first);
				ps.setInt(1, 2);
				try (ResultSet rs = ps.executeQuery()) {
					rs.next();
					assertThat(rs.getString(1)).isEqualTo("b");
				}
			}
		}
	}
}
