package dev.queuectl.store;

import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The PRAGMAs that keep the database file small: WAL checkpoints, page counts, incremental vacuum.
 * None of them may run inside a transaction. SQLite only: on PostgreSQL the server's autovacuum
 * does this work, and these are no-ops (its size is the server's figure for the database).
 */
@Repository
public class MaintenanceStore {

	private final JdbcTemplate jdbc;

	private final boolean sqlite;

	MaintenanceStore(JdbcTemplate jdbc, Dialect dialect) {
		this.jdbc = jdbc;
		this.sqlite = !dialect.isPostgres();
	}

	/** The size of a PostgreSQL database on its server, in bytes; null for SQLite (measure the file). */
	public Long serverDatabaseBytes() {
		return this.sqlite ? null : this.jdbc.queryForObject("SELECT pg_database_size(current_database())", Long.class);
	}

	/**
	 * Copies the WAL into the database; TRUNCATE also empties the -wal file, waiting (busy_timeout)
	 * for writers. Returns true when every frame was copied (no reader held an older snapshot).
	 */
	public boolean checkpoint(boolean truncate) {
		if (!this.sqlite) {
			return true;
		}
		Map<String, Object> r = this.jdbc.queryForMap("PRAGMA wal_checkpoint(" + (truncate ? "TRUNCATE" : "PASSIVE") + ")");
		Object[] v = r.values().toArray();
		return ((Number) v[0]).intValue() == 0;
	}

	/** Whether the file was created with auto_vacuum=INCREMENTAL (queuectl does so for new databases). */
	public boolean incrementalVacuum() {
		if (!this.sqlite) {
			return false;
		}
		return this.jdbc.queryForObject("PRAGMA auto_vacuum", Integer.class) == 2;
	}

	public long pageCount() {
		if (!this.sqlite) {
			return 0;
		}
		return this.jdbc.queryForObject("PRAGMA page_count", Long.class);
	}

	public long freePages() {
		if (!this.sqlite) {
			return 0;
		}
		return this.jdbc.queryForObject("PRAGMA freelist_count", Long.class);
	}

	public long pageSize() {
		if (!this.sqlite) {
			return 1;
		}
		return this.jdbc.queryForObject("PRAGMA page_size", Long.class);
	}

	/** Gives up to {@code pages} free pages back to the file system (auto_vacuum=INCREMENTAL only). */
	public void releaseFreePages(long pages) {
		if (!this.sqlite) {
			return;
		}
		this.jdbc.execute("PRAGMA incremental_vacuum(" + Math.max(0, pages) + ")");
	}
}
