package dev.queuectl.store;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Tag;

import dev.queuectl.cli.TestDatabase;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link TagPagingTest} on a PostgreSQL database of its own, where the bound is counted: the
 * executed plan (EXPLAIN ANALYZE, after ANALYZE so the planner knows the tag's thousands of rows)
 * reads at most a page and one row of job_tags and of jobs, and sorts nothing.
 */
@Tag("postgresql")
@TestPropertySource(properties = TestDatabase.BACKEND + "=postgresql")
class TagPagingPostgresTest extends TagPagingTest {

	@Override
	protected void assertBoundedPage(String sql, List<Object> args, int limit) {
		this.jdbc.execute("ANALYZE jobs");
		this.jdbc.execute("ANALYZE job_tags");
		String plan = this.jdbc.queryForObject("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, String.class, args.toArray());
		List<JsonNode> nodes = new ArrayList<>();
		collect(JSON.readTree(plan).get(0).get("Plan"), nodes);
		long tagRows = 0;
		long jobRows = 0;
		for (JsonNode n : nodes) {
			assertThat(n.get("Node Type").asString()).as(plan).isNotEqualTo("Sort").isNotEqualTo("Seq Scan");
			String relation = n.has("Relation Name") ? n.get("Relation Name").asString() : "";
			long read = n.get("Actual Rows").asLong() * n.get("Actual Loops").asLong();
			if (relation.equals("job_tags")) {
				tagRows += read;
			}
			else if (relation.equals("jobs")) {
				jobRows += read;
			}
		}
		assertThat(tagRows).as(plan).isPositive().isLessThanOrEqualTo(limit + 1);
		assertThat(jobRows).as(plan).isPositive().isLessThanOrEqualTo(limit + 1);
	}

	private static void collect(JsonNode node, List<JsonNode> into) {
		into.add(node);
		if (node.has("Plans")) {
			node.get("Plans").forEach(child -> collect(child, into));
		}
	}
}
