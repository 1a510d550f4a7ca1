package dev.queuectl.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import dev.queuectl.job.Job;
import dev.queuectl.job.JobFilter;
import dev.queuectl.job.JobState;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The SQL that finds jobs by their tags (issue 28): through job_tags's primary key (tag, job_id),
 * so a tag's jobs are read without reading any other job. A listing pages by the same cursor as
 * {@link JobStore#page} (updated_at, id, newest first); a page costs in proportion to the jobs that
 * carry the first tag named (they are read, then sorted), not to the number of jobs.
 */
@Repository
public class JobTagStore {

	private final JdbcTemplate jdbc;

	JobTagStore(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/** The ids of the jobs in one of the states (any: empty) that carry every tag, oldest first. */
	public List<String> ids(List<String> tags, Collection<JobState> states) {
		List<Object> args = new ArrayList<>();
		StringBuilder sql = new StringBuilder("SELECT id FROM jobs WHERE ").append(tagged(tags, args));
		if (!states.isEmpty()) {
			sql.append(" AND state IN (").append(JobStore.placeholders(states.size())).append(")");
			states.forEach(s -> args.add(s.dbValue()));
		}
		return this.jdbc.queryForList(sql.append(" ORDER BY created_at, id").toString(), String.class, args.toArray());
	}

	/** {@link JobStore#page} for a filter that names tags. */
	public List<Job> page(JobFilter filter, String text, JobStore.Cursor after, int limit) {
		List<Object> args = new ArrayList<>();
		StringBuilder sql = new StringBuilder("SELECT ").append(JobStore.COLUMNS).append(" FROM jobs WHERE ");
		sql.append(where(filter, text, args));
		if (after != null) {
			sql.append(" AND (updated_at, id) < (?, ?)");
			args.add(after.updatedAt().toEpochMilli());
			args.add(after.id());
		}
		sql.append(" ORDER BY updated_at DESC, id DESC LIMIT ?");
		args.add(limit);
		return this.jdbc.query(sql.toString(), JobStore::mapJob, args.toArray());
	}

	/** How many jobs a filter that names tags selects. */
	public long count(JobFilter filter) {
		List<Object> args = new ArrayList<>();
		return this.jdbc.queryForObject("SELECT COUNT(*) FROM jobs WHERE " + where(filter, null, args), Long.class,
				args.toArray());
	}

	/** The filter's conditions: every tag, its states (canceling: processing with a cancel asked), queues, text. */
	private static String where(JobFilter filter, String text, List<Object> args) {
		StringBuilder sql = new StringBuilder(tagged(filter.tags(), args));
		if (!filter.states().isEmpty()) {
			sql.append(" AND state IN (").append(JobStore.placeholders(filter.states().size())).append(")");
			filter.states().forEach(s -> args.add(s.dbValue()));
			if (filter.cancelingOnly()) {
				sql.append(" AND (state <> 'processing' OR cancel_requested_at IS NOT NULL)");
			}
		}
		if (!filter.queues().isEmpty()) {
			sql.append(" AND queue IN (").append(JobStore.placeholders(filter.queues().size())).append(")");
			args.addAll(filter.queues());
		}
		if (text != null) {
			String like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
			sql.append(" AND (id LIKE ? ESCAPE '\\' OR command LIKE ? ESCAPE '\\')");
			args.add(like);
			args.add(like);
		}
		return sql.toString();
	}

	/** Jobs that carry every tag: one seek of job_tags's primary key per tag. */
	private static String tagged(List<String> tags, List<Object> args) {
		StringBuilder sql = new StringBuilder();
		for (String tag : tags) {
			sql.append(sql.length() == 0 ? "" : " AND ").append("id IN (SELECT job_id FROM job_tags WHERE tag = ?)");
			args.add(tag);
		}
		return sql.toString();
	}
}
