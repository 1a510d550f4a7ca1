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
 * so a tag's jobs are read without reading any other job. A listing is a keyset walk of that key:
 * the first tag's range in job id order, highest first (newest first for the ids queuectl makes,
 * which start with their time), from the cursor's id on, stopping once the page is full; each row
 * found is joined to its job and checked against the other tags and filters. So a page of a tag
 * with a million jobs costs about the page's rows (more only as far as the filters pass over jobs),
 * never a read and sort of all the tag's jobs.
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

	/**
	 * {@link JobStore#page} for a filter that names tags: jobs by id, highest first, after the
	 * cursor's id (its time is not used: a tag's listing is in the order of its key).
	 */
	public List<Job> page(JobFilter filter, String text, JobStore.Cursor after, int limit) {
		List<Object> args = new ArrayList<>();
		return this.jdbc.query(pageQuery(filter, text, after, limit, args), JobStore::mapJob, args.toArray());
	}

	/**
	 * The statement of {@link #page}, its arguments added to {@code args}: a range of job_tags's
	 * primary key (the first tag, job ids below the cursor's) walked backwards, each row joined to
	 * its job by the jobs' primary key; the other tags are seeks of the same key.
	 */
	String pageQuery(JobFilter filter, String text, JobStore.Cursor after, int limit, List<Object> args) {
		List<String> tags = filter.tags();
		StringBuilder sql = new StringBuilder("SELECT ").append(JobStore.COLUMNS.strip().replaceFirst("^id, ", "j.id, "));
		sql.append(" FROM job_tags t JOIN jobs j ON j.id = t.job_id WHERE t.tag = ?");
		args.add(tags.get(0));
		if (after != null) { // on both sides: a merge join (PostgreSQL's pick for a tag most jobs carry) starts there too
			sql.append(" AND t.job_id < ? AND j.id < ?");
			args.add(after.id());
			args.add(after.id());
		}
		if (tags.size() > 1) {
			sql.append(" AND ").append(tagged(tags.subList(1, tags.size()), args).replace("id IN (", "j.id IN ("));
		}
		String rest = where(new JobFilter(filter.states(), filter.queues(), filter.cancelingOnly(), List.of()), text, args);
		if (!rest.isEmpty()) {
			sql.append(" AND ").append(rest.replace("(id LIKE", "(j.id LIKE"));
		}
		sql.append(" ORDER BY t.job_id DESC LIMIT ?");
		args.add(limit);
		return sql.toString();
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
			sql.append(sql.length() == 0 ? "" : " AND ").append("state IN (").append(JobStore.placeholders(filter.states().size())).append(")");
			filter.states().forEach(s -> args.add(s.dbValue()));
			if (filter.cancelingOnly()) {
				sql.append(" AND (state <> 'processing' OR cancel_requested_at IS NOT NULL)");
			}
		}
		if (!filter.queues().isEmpty()) {
			sql.append(sql.length() == 0 ? "" : " AND ").append("queue IN (").append(JobStore.placeholders(filter.queues().size())).append(")");
			args.addAll(filter.queues());
		}
		if (text != null) {
			String like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
			sql.append(sql.length() == 0 ? "" : " AND ").append("(id LIKE ? ESCAPE '\\' OR command LIKE ? ESCAPE '\\')");
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
