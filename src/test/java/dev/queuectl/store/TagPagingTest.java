package dev.queuectl.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.queuectl.cli.CommandTestSupport;
import dev.queuectl.job.JobFilter;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Listing by tag pages over job_tags's primary key (issue 28): pages through a tag's jobs, alone or
 * with another tag and a state, meet every job once, in id order, highest first; and a page of a
 * tag with thousands of jobs reads about a page of rows. On SQLite the plan shows it (a range of
 * the primary key, no sort); on PostgreSQL the twin ({@link TagPagingPostgresTest}) counts the rows
 * the executed plan read.
 */
class TagPagingTest extends CommandTestSupport {

	@Autowired
	JobTagStore tags;

	private void enqueueTagged(int n, String prefix, String... tagsOfEach) {
		StringBuilder lines = new StringBuilder();
		String tagList = String.join("\",\"", tagsOfEach);
		for (int i = 0; i < n; i++) {
			lines.append("{\"id\":\"").append(prefix).append(String.format("%05d", i)).append("\",\"command\":\"true\",\"tags\":[\"")
				.append(tagList).append("\"]}\n");
		}
		runWithStdin(lines.toString(), "enqueue", "-").ok();
	}

	/** Every id `list --tag ...` shows, page after page of {@code n}, following the "next:" line. */
	private List<String> pageThrough(int n, String... filter) {
		List<String> seen = new ArrayList<>();
		String after = null;
		for (int page = 0; page < 1000; page++) {
			List<String> words = new ArrayList<>(List.of("list", "-n", Integer.toString(n), "--json"));
			if (after != null) {
				words.addAll(List.of("--after", after));
			}
			words.addAll(List.of(filter));
			Result r = run(words.toArray(String[]::new)); // stderr says when more follow
			assertThat(r.code()).as(r.err()).isZero();
			JsonNode jobs = r.json();
			jobs.forEach(j -> seen.add(j.get("id").asString()));
			if (jobs.size() < n) {
				return seen;
			}
			after = jobs.get(jobs.size() - 1).get("id").asString();
		}
		throw new AssertionError("no end of pages");
	}

	@Test
	void pagesOfATagMeetEachOfItsJobsOnceInIdOrderHighestFirst() {
		enqueueTagged(23, "a", "nightly");
		enqueueTagged(9, "b", "nightly", "customer:42");
		enqueueTagged(5, "c", "customer:42");
		enqueueTagged(4, "d", "other");
		this.jdbc.update("UPDATE jobs SET state = 'dead' WHERE id IN ('a00003', 'b00001', 'b00008')");
		List<String> nightly = this.jdbc.queryForList("SELECT job_id FROM job_tags WHERE tag = 'nightly'", String.class);
		nightly.sort(Comparator.reverseOrder());
		assertThat(pageThrough(5, "--tag", "nightly")).hasSize(32).isEqualTo(nightly);
		assertThat(pageThrough(4, "--tag", "nightly", "--tag", "customer:42")).containsExactly("b00008", "b00007", "b00006",
				"b00005", "b00004", "b00003", "b00002", "b00001", "b00000");
		assertThat(pageThrough(2, "--tag", "nightly", "--state", "dead")).containsExactly("b00008", "b00001", "a00003");
		assertThat(pageThrough(3, "--tag", "nope")).isEmpty();
		// the text filter of the dashboard and the API
		assertThat(this.tags.page(new JobFilter(java.util.Set.of(), List.of(), false, List.of("nightly")), "b0000", null, 100))
			.hasSize(9);
	}

	@Test
	void aPageOfATagWithThousandsOfJobsReadsAboutAPageOfRows() {
		enqueueTagged(3000, "m", "many");
		enqueueTagged(10, "x", "few");
		JobFilter many = new JobFilter(java.util.Set.of(), List.of(), false, List.of("many"));
		assertThat(this.tags.page(many, null, new JobStore.Cursor(this.clock.instant(), "m02000"), 20)).hasSize(20)
			.first().extracting(dev.queuectl.job.Job::id).isEqualTo("m01999");
		List<Object> args = new ArrayList<>();
		String sql = this.tags.pageQuery(many, null, new JobStore.Cursor(this.clock.instant(), "m02000"), 20, args);
		assertBoundedPage(sql, args, 20);
	}

	/**
	 * SQLite: the plan walks a range of job_tags's primary key (the tag and the cursor) and joins
	 * each row to its job by primary key, with no sort: it stops once it has the page.
	 */
	protected void assertBoundedPage(String sql, List<Object> args, int limit) {
		List<String> plan = new ArrayList<>();
		for (Map<String, Object> row : this.jdbc.queryForList("EXPLAIN QUERY PLAN " + sql, args.toArray())) {
			plan.add(String.valueOf(row.get("detail")));
		}
		assertThat(plan).as(String.join("\n", plan)).anyMatch(d -> d.matches("SEARCH t USING PRIMARY KEY \\(tag=\\? AND job_id<\\?\\)"));
		assertThat(plan).as(String.join("\n", plan)).anyMatch(d -> d.matches("SEARCH j USING INDEX sqlite_autoindex_jobs_1 \\(id=\\?\\)")
				|| d.matches("SEARCH j USING PRIMARY KEY \\(id=\\?\\)"));
		assertThat(plan).as(String.join("\n", plan)).noneMatch(d -> d.contains("TEMP B-TREE") || d.startsWith("SCAN"));
	}
}
