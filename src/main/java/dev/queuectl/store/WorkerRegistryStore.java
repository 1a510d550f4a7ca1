package dev.queuectl.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import dev.queuectl.job.Resources;
import dev.queuectl.job.WorkerInfo;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The registry of worker hosts (the workers table): a host registers, beats on the lease clock
 * ({@link Dialect#clock}: the server's on PostgreSQL) and unregisters; the others forget a host
 * silent longer than the lease; {@code worker stop} asks every host to stop through its row. The
 * jobs a host holds are {@link WorkerStore}'s. Each row records what its host offers
 * ({@code worker start --resources}), so that a job no live host could run can be told.
 */
@Repository
public class WorkerRegistryStore {

	private final JdbcTemplate jdbc;

	private final Dialect dialect;

	WorkerRegistryStore(JdbcTemplate jdbc, Dialect dialect) {
		this.jdbc = jdbc;
		this.dialect = dialect;
	}

	/** Registers a host started at {@code startedAt}, its heartbeat now, offering no resources. */
	public void register(String id, String hostname, long pid, int slots, String queues, Integer httpPort,
			Instant startedAt, Instant now) {
		register(id, hostname, pid, slots, queues, httpPort, startedAt, now, Resources.NONE);
	}

	/** Registers a host started at {@code startedAt}, its heartbeat now, offering {@code resources}. */
	public void register(String id, String hostname, long pid, int slots, String queues, Integer httpPort,
			Instant startedAt, Instant now, Resources resources) {
		this.jdbc.update("""
				INSERT INTO workers (id, hostname, pid, slots, queues, http_port, started_at, heartbeat_at, resources)
				VALUES (?, ?, ?, ?, ?, ?, ?, """ + this.dialect.clock() + ", "
				+ (this.dialect.isPostgres() ? "CAST(? AS JSONB)" : "?") + ")", Stream.concat(Stream.concat(Stream.of(id,
				hostname, pid, slots, queues, httpPort, startedAt.toEpochMilli()), Stream.of(this.dialect.clockArgs(now))),
				Stream.of(resources.toJson())).toArray());
	}

	/**
	 * Who migrated the database past the schema this build knows (e.g. "queuectl 0.5.0"), if a newer
	 * queuectl did: a worker host checks at each heartbeat and stops.
	 */
	public Optional<String> newerSchemaWriter() {
		return SchemaVersions.applied(this.jdbc).filter(SchemaVersions.Applied::newerThanKnown)
			.map(a -> a.writer() + " (schema version " + a.version() + ")");
	}

	/** What a heartbeat found: the host's row, with or without a stop request, or none left. */
	public enum Beat {
		/** Recorded; nobody asked this host to stop. */
		RECORDED,
		/** Recorded, and someone asked this host to stop. */
		STOP_REQUESTED,
		/**
		 * No row: other hosts forgot this one (it was silent longer than the lease, e.g. stopped or cut
		 * off from the database), so it must register again to be seen and reached by {@code worker stop}.
		 */
		FORGOTTEN
	}

	/** Records a heartbeat of host {@code id}. */
	public Beat heartbeat(String id, Instant now) {
		return heartbeat(id, now, null);
	}

	/**
	 * Records a heartbeat of host {@code id} with its finished attempts by outcome so far (null:
	 * leaves what the last beat wrote), which its dashboard page shows.
	 */
	public Beat heartbeat(String id, Instant now, Map<String, Long> attempts) {
		List<Integer> stop = this.jdbc.queryForList(
				"UPDATE workers SET heartbeat_at = " + this.dialect.clock() + ", attempts = COALESCE(CAST(? AS TEXT), attempts) WHERE id = ?"
						+ " RETURNING stop_requested",
				Integer.class, this.dialect.clockArgs(now, attempts == null ? null : attemptsJson(attempts), id));
		return stop.isEmpty() ? Beat.FORGOTTEN : stop.get(0) != 0 ? Beat.STOP_REQUESTED : Beat.RECORDED;
	}

	public void unregister(String id) {
		this.jdbc.update("DELETE FROM workers WHERE id = ?", id);
	}

	/** Forgets hosts silent for longer than {@code silence}: they died without unregistering. */
	public int forgetSilent(Instant now, Duration silence) {
		return this.jdbc.update("DELETE FROM workers WHERE heartbeat_at < " + this.dialect.clock() + " - ?",
				this.dialect.clockArgs(now, silence.toMillis()));
	}

	/** Asks every registered host to stop (each reads it at its next heartbeat); returns how many were asked. */
	public int requestStopAll() {
		return this.jdbc.update("UPDATE workers SET stop_requested = 1");
	}

	/** Asks the host {@code id} to stop; false when no such host is registered. */
	public boolean requestStop(String id) {
		return this.jdbc.update("UPDATE workers SET stop_requested = 1 WHERE id = ?", id) == 1;
	}

	/** The registered hosts; heartbeats as of the host clock whose now is {@code now} (they are beaten on the server's). */
	public List<WorkerInfo> workers(Instant now) {
		Map<String, List<String>> running = new HashMap<>();
		this.jdbc.query("SELECT worker_id, id FROM jobs WHERE state = 'processing' AND worker_id IS NOT NULL ORDER BY id",
				rs -> {
					running.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
				});
		return this.jdbc.query("""
				SELECT id, hostname, pid, slots, queues, http_port, started_at, %s, stop_requested, resources
				FROM workers ORDER BY started_at""".formatted(this.dialect.inHostFrame("heartbeat_at")), (rs, i) -> new WorkerInfo(rs.getString(1), rs.getString(2),
				rs.getLong(3), rs.getInt(4), rs.getString(5), JobStore.integer(rs, "http_port"),
				Instant.ofEpochMilli(rs.getLong(7)), Instant.ofEpochMilli(rs.getLong(8)), rs.getInt(9) != 0,
				running.getOrDefault(rs.getString(1), List.of()), Resources.fromStored(rs.getString(10))),
				this.dialect.hostFrameArgs(now));
	}

	/** A host's finished attempts by outcome (completed, failed, ...) as of its last heartbeat (V15). */
	public Map<String, Long> outcomes(String workerId) {
		Map<String, Long> m = new java.util.TreeMap<>();
		List<String> stored = this.jdbc.queryForList("SELECT attempts FROM workers WHERE id = ? AND attempts IS NOT NULL",
				String.class, workerId);
		if (!stored.isEmpty()) {
			ATTEMPTS.readTree(stored.get(0)).properties().forEach(e -> m.put(e.getKey(), e.getValue().asLong()));
		}
		return m;
	}

	private static final tools.jackson.databind.json.JsonMapper ATTEMPTS = tools.jackson.databind.json.JsonMapper.builder().build();

	/** The stored form of attempts by outcome: a JSON object, outcomes sorted. */
	static String attemptsJson(Map<String, Long> attempts) {
		return ATTEMPTS.writeValueAsString(new java.util.TreeMap<>(attempts));
	}
}
