package dev.queuectl.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

import dev.queuectl.job.Schedule;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** All SQL on recurring schedules. */
@Repository
public class ScheduleStore {

	private static final String COLUMNS = """
			name, cron, every_ms, zone, catch_up, no_overlap, template, working_dir, paused, next_fire_at,
			last_tick_at, last_job_id, skipped, created_at""";

	private final JdbcTemplate jdbc;

	ScheduleStore(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/** Stores a new schedule; false when one of that name exists (nothing stored). */
	public boolean insert(Schedule s, Instant now) {
		return this.jdbc.update("""
				INSERT INTO schedules (name, cron, every_ms, zone, catch_up, no_overlap, template, working_dir, paused,
				                       next_fire_at, skipped, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 0, ?, ?)
				ON CONFLICT (name) DO NOTHING""", s.name(), s.cron(), s.every() == null ? null : s.every().toMillis(),
				s.zone().getId(), s.catchUp().dbValue(), s.noOverlap() ? 1 : 0, s.template(), s.workingDir(),
				s.nextFireAt().toEpochMilli(), now.toEpochMilli(), now.toEpochMilli()) == 1;
	}

	/** Replaces a schedule's rule, job and next tick (its pause and history stay); false when there is none. */
	public boolean update(Schedule s, Instant now) {
		return this.jdbc.update("""
				UPDATE schedules SET cron = ?, every_ms = ?, zone = ?, catch_up = ?, no_overlap = ?, template = ?,
				                     next_fire_at = ?, updated_at = ?
				WHERE name = ?""", s.cron(), s.every() == null ? null : s.every().toMillis(), s.zone().getId(),
				s.catchUp().dbValue(), s.noOverlap() ? 1 : 0, s.template(), s.nextFireAt().toEpochMilli(),
				now.toEpochMilli(), s.name()) == 1;
	}

	public Optional<Schedule> find(String name) {
		return this.jdbc.query("SELECT " + COLUMNS + " FROM schedules WHERE name = ?", ScheduleStore::map, name)
			.stream()
			.findFirst();
	}

	public List<Schedule> list() {
		return this.jdbc.query("SELECT " + COLUMNS + " FROM schedules ORDER BY name", ScheduleStore::map);
	}

	public boolean delete(String name) {
		return this.jdbc.update("DELETE FROM schedules WHERE name = ?", name) == 1;
	}

	/** Pauses a schedule, or resumes it with its next tick; false when there is no such schedule. */
	public boolean setPaused(String name, boolean paused, Instant nextFireAt, Instant now) {
		return this.jdbc.update("""
				UPDATE schedules SET paused = ?, next_fire_at = COALESCE(?, next_fire_at), updated_at = ? WHERE name = ?""",
				paused ? 1 : 0, nextFireAt == null ? null : nextFireAt.toEpochMilli(), now.toEpochMilli(), name) == 1;
	}

	/** The earliest tick due of any active schedule: one read of the partial index, null when none. */
	public Instant nextDue() {
		Long next = this.jdbc.queryForObject("SELECT MIN(next_fire_at) FROM schedules WHERE paused = 0", Long.class);
		return next == null ? null : Instant.ofEpochMilli(next);
	}

	/** Active schedules with a tick due at {@code now}. */
	public List<Schedule> due(Instant now) {
		return this.jdbc.query("SELECT " + COLUMNS + " FROM schedules WHERE paused = 0 AND next_fire_at <= ?",
				ScheduleStore::map, now.toEpochMilli());
	}

	/**
	 * Moves a schedule past the ticks just handled, only if no one else did (its next tick is still
	 * {@code expected}); called in the transaction that inserted the ticks' jobs.
	 */
	public boolean advance(String name, Instant expected, Instant next, Instant lastTick, String lastJobId,
			long skipped, Instant now) {
		return this.jdbc.update("""
				UPDATE schedules SET next_fire_at = ?, last_tick_at = ?, last_job_id = COALESCE(?, last_job_id),
				       skipped = skipped + ?, updated_at = ?
				WHERE name = ? AND next_fire_at = ? AND paused = 0""", next.toEpochMilli(),
				lastTick == null ? null : lastTick.toEpochMilli(), lastJobId, skipped, now.toEpochMilli(), name,
				expected.toEpochMilli()) == 1;
	}

	/** Records the job that {@code schedule run} enqueued. */
	public void setLastJob(String name, String jobId, Instant now) {
		this.jdbc.update("UPDATE schedules SET last_job_id = ?, updated_at = ? WHERE name = ?", jobId, now.toEpochMilli(),
				name);
	}

	private static Schedule map(ResultSet rs, int row) throws SQLException {
		long every = rs.getLong("every_ms");
		Duration interval = rs.wasNull() ? null : Duration.ofMillis(every);
		return new Schedule(rs.getString("name"), rs.getString("cron"), interval, ZoneId.of(rs.getString("zone")),
				Schedule.CatchUp.fromDb(rs.getString("catch_up")), rs.getInt("no_overlap") != 0,
				rs.getString("template"), rs.getString("working_dir"), rs.getInt("paused") != 0,
				Instant.ofEpochMilli(rs.getLong("next_fire_at")), JobStore.instant(rs, "last_tick_at"),
				rs.getString("last_job_id"), rs.getLong("skipped"), Instant.ofEpochMilli(rs.getLong("created_at")));
	}
}
