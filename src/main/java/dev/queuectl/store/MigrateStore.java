package dev.queuectl.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.zaxxer.hikari.HikariDataSource;

import dev.queuectl.config.QueuectlException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The SQL of {@code queuectl migrate}: copying this SQLite queue's tables row by row into a
 * PostgreSQL database of the same schema (Flyway brings the target up to date first). The source is
 * read inside one SQLite transaction (IMMEDIATE: no other process writes meanwhile), the target is
 * written inside one PostgreSQL transaction, in batches, so a failure leaves the target as it was.
 * Columns are the target's, read from its catalog: both schemas have the same versions. Output
 * files go into the target's job_output, which is where PostgreSQL keeps output.
 */
@Repository
public class MigrateStore {

	/**
	 * Parents before children: job_deps, job_tags, job_runs and job_results reference jobs, jobs
	 * batches. notify_targets (what the notify-* settings make of them) and the notifications' outbox
	 * come too: a notification made in the source and not yet delivered is delivered by the target's
	 * hosts, and one given up on stays visible there (issue 27).
	 */
	public static final List<String> TABLES = List.of("settings", "queues", "limits", "schedules", "batches", "jobs", "job_deps",
			"job_tags", "job_runs", "job_results", "notify_targets", "notifications");

	private static final int BATCH = 1000;

	private final JdbcTemplate source;

	private final TransactionTemplate sourceTx;

	private final Dialect dialect;

	private final Path dataHome;

	MigrateStore(JdbcTemplate source, TransactionTemplate sourceTx, Dialect dialect,
			@Value("${queuectl.data-home:}") String dataHome) {
		this.source = source;
		this.sourceTx = sourceTx;
		this.dialect = dialect;
		this.dataHome = dataHome.isBlank() ? null : Path.of(dataHome);
	}

	/** Whether the queue of this process is in PostgreSQL already (a migration goes from SQLite). */
	public boolean sourceIsPostgres() {
		return this.dialect.isPostgres();
	}

	/** The target for messages: its URL without a password. */
	public String display(String url) {
		return DatabaseLocation.resolve(url, this.dataHome).display();
	}

	/** What a migration's rules decide on, seen from inside its transactions. */
	public interface Rules {

		/** Called in the source's transaction before anything is read: refuse by throwing. */
		void checkSource();

		/** Called in the target's transaction with its rows of jobs, schedules, settings and queues. */
		void checkTarget(Map<String, Long> targetRows);
	}

	/**
	 * Copies every table of {@link #TABLES} into {@code url}, checks the rows each table holds
	 * afterwards against the source and returns them, in table order. Throws (and the target keeps
	 * nothing) when a rule refuses or the counts differ.
	 */
	public Map<String, Long> copyTo(String url, Rules rules) {
		DatabaseLocation target = DatabaseLocation.resolve(url, this.dataHome);
		if (!target.isPostgres()) {
			throw QueuectlException.usage("--to must be a PostgreSQL URL (postgresql://user@host:5432/db), got '" + url + "'");
		}
		try (HikariDataSource ds = DatabaseConfiguration.postgres(target)) {
			JdbcTemplate to = new JdbcTemplate(ds);
			TransactionTemplate toTx = new TransactionTemplate(new DataSourceTransactionManager(ds));
			return this.sourceTx.execute(s -> {
				rules.checkSource();
				return toTx.execute(t -> copy(to, rules));
			});
		}
	}

	/**
	 * Copies the output files of the runs into job_output (this machine's files: those of the jobs
	 * its hosts ran) and points their runs there; a run whose file is gone keeps its path. Returns
	 * the chunks stored.
	 */
	private long copyOutput(JdbcTemplate to) {
		long[] chunks = { 0 };
		List<Object[]> moved = new ArrayList<>();
		this.source.query("SELECT id, job_id, attempt, started_at, output_path FROM job_runs WHERE output_path IS NOT NULL ORDER BY id",
				rs -> {
					Path file = Path.of(rs.getString("output_path"));
					if (!Files.isRegularFile(file)) {
						return;
					}
					try {
						chunks[0] += PostgresOutputStore.importFile(to, rs.getString("job_id"), rs.getInt("attempt"),
								rs.getLong("started_at"), file);
					}
					catch (IOException ex) {
						throw new QueuectlException(QueuectlException.FAILURE, "cannot read the output file " + file + ": "
								+ StorageErrors.reason(ex) + "; nothing was kept in the target");
					}
					moved.add(new Object[] { PostgresOutputStore.IN_DATABASE, rs.getLong("id") });
				});
		to.batchUpdate("UPDATE job_runs SET output_path = ? WHERE id = ?", moved);
		return chunks[0];
	}

	// job_deps, job_tags and notify_targets are WITHOUT ROWID on SQLite: ordered by their keys
	private Map<String, Long> copy(JdbcTemplate to, Rules rules) {
		// a second migrate (or an enqueue) into the same target waits here until this one ends
		to.execute("LOCK TABLE settings, queues, schedules, jobs IN SHARE ROW EXCLUSIVE MODE");
		Map<String, Long> present = new LinkedHashMap<>();
		for (String table : List.of("jobs", "schedules", "settings", "queues")) {
			present.put(table, to.queryForObject("SELECT COUNT(*) FROM " + table, Long.class));
		}
		rules.checkTarget(present);
		Map<String, Long> moved = new LinkedHashMap<>();
		for (String table : TABLES) {
			List<String> columns = new ArrayList<>();
			List<String> values = new ArrayList<>(); // a JSON column (jobs.resources) from SQLite's text
			to.query("""
					SELECT column_name, data_type FROM information_schema.columns
					WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position""", rs -> {
				columns.add(rs.getString(1));
				values.add("jsonb".equals(rs.getString(2)) ? "CAST(? AS JSONB)" : "?");
			}, table);
			String list = String.join(", ", columns);
			String insert = "INSERT INTO " + table + " (" + list + ") VALUES (" + String.join(", ", values) + ")";
			List<Object[]> batch = new ArrayList<>(BATCH);
			Function<Void, Void> flush = v -> {
				if (!batch.isEmpty()) {
					to.batchUpdate(insert, batch);
					batch.clear();
				}
				return null;
			};
			this.source.query("SELECT " + list + " FROM " + table + " ORDER BY " + (table.equals("job_deps") ? "job_id, depends_on"
					: table.equals("job_tags") ? "tag, job_id" : table.equals("notify_targets") ? "state, channel" : "rowid"), rs -> {
				Object[] row = new Object[columns.size()];
				for (int i = 0; i < row.length; i++) {
					row[i] = rs.getObject(i + 1);
				}
				batch.add(row);
				if (batch.size() == BATCH) {
					flush.apply(null);
				}
			});
			flush.apply(null);
			long expected = this.source.queryForObject("SELECT COUNT(*) FROM " + table, Long.class);
			long copied = to.queryForObject("SELECT COUNT(*) FROM " + table, Long.class);
			if (copied != expected) {
				throw new QueuectlException(QueuectlException.FAILURE, "copied " + copied + " rows of " + table + " but the queue has "
						+ expected + ": nothing was kept in the target");
			}
			moved.put(table, copied);
		}
		moved.put("job_output", copyOutput(to));
		// job_runs and notifications ids were copied as they are: each identity continues after the largest
		for (String table : List.of("job_runs", "notifications")) {
			to.queryForObject("SELECT setval(pg_get_serial_sequence('" + table + "', 'id'), GREATEST((SELECT MAX(id) FROM " + table
					+ "), 1), (SELECT MAX(id) FROM " + table + ") IS NOT NULL)", Long.class);
		}
		return moved;
	}
}
