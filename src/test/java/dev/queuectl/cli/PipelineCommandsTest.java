package dev.queuectl.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.queuectl.job.Claim;
import dev.queuectl.store.OutputStore;
import dev.queuectl.store.WorkerStore;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 28's tags, edit, rerun, rm and add, in-process through the dispatcher: each command's
 * output, its refusals (one line, exit 2 or 3, nothing stored) and what it leaves in the tables
 * (job_tags beside the row's tags). A worker's claim is {@link WorkerStore}'s own, so an edit of a
 * claimed job meets the state a host leaves. {@link PipelineCommandsPostgresTest} runs the same on
 * PostgreSQL.
 */
class PipelineCommandsTest extends CommandTestSupport {

	@Autowired
	WorkerStore workers;

	@Autowired
	OutputStore outputs;

	private List<Claim> claim() {
		return this.workers.claim("w1", List.of(), 100, this.clock.instant(), Duration.ofSeconds(30));
	}

	private String state(String id) {
		return this.jdbc.queryForObject("SELECT state FROM jobs WHERE id = ?", String.class, id);
	}

	private void finish(String id, String state) {
		this.clock.advance(Duration.ofSeconds(1));
		this.jdbc.update("UPDATE jobs SET state = ?, updated_at = ?, finished_at = ? WHERE id = ?", state,
				this.clock.millis(), this.clock.millis(), id);
	}

	private List<String> tagRows(String id) {
		return this.jdbc.queryForList("SELECT tag FROM job_tags WHERE job_id = ? ORDER BY tag", String.class, id);
	}

	private static List<String> listed(Result r) {
		List<String> ids = new ArrayList<>();
		r.json().forEach(j -> ids.add(j.get("id").stringValue()));
		return ids;
	}

	// ---- tags

	@Test
	void tagsFromTheJsonAndFromTagOptionsAreStoredAndShown() {
		run("enqueue", "{\"id\":\"a\",\"command\":\"true\",\"tags\":[\"nightly\",\"customer:42\"]}", "--tag", "import-7").ok();
		JsonNode shown = run("show", "a", "--json").ok().json();
		assertThat(shown.get("tags").toString()).isEqualTo("[\"nightly\",\"customer:42\",\"import-7\"]");
		assertThat(tagRows("a")).containsExactly("customer:42", "import-7", "nightly");
		assertThat(run("show", "a").ok().out()).contains("tags                 nightly, customer:42, import-7");
	}

	@Test
	void aBatchGetsTheTagOfTagOnEveryJob() {
		runWithStdin("{\"id\":\"b1\",\"command\":\"true\"}\n{\"id\":\"b2\",\"command\":\"true\",\"tags\":[\"x\"]}\n",
				"enqueue", "-", "--tag", "batch-9").ok();
		assertThat(tagRows("b1")).containsExactly("batch-9");
		assertThat(tagRows("b2")).containsExactly("batch-9", "x");
	}

	@Test
	void listByTagShowsOnlyJobsCarryingEveryTagNamed() {
		enqueue("{\"id\":\"a\",\"command\":\"true\",\"tags\":[\"n\",\"c:1\"]}");
		enqueue("{\"id\":\"b\",\"command\":\"true\",\"tags\":[\"n\"]}");
		enqueue("{\"id\":\"c\",\"command\":\"true\"}");
		assertThat(listed(run("list", "--tag", "n", "--json").ok())).containsExactlyInAnyOrder("a", "b");
		assertThat(listed(run("list", "--tag", "n", "--tag", "c:1", "--json").ok())).containsExactly("a");
		assertThat(listed(run("list", "--tag", "n,c:1", "--state", "pending", "--json").ok())).containsExactly("a");
		assertThat(listed(run("list", "--tag", "none", "--json").ok())).isEmpty();
	}

	@Test
	void aTagsListingPagesByCursorLikeAnyListing() {
		for (int i = 0; i < 7; i++) {
			this.clock.advance(Duration.ofSeconds(1));
			enqueue("{\"id\":\"t" + i + "\",\"command\":\"true\",\"tags\":[\"p\"]}");
			enqueue("{\"id\":\"u" + i + "\",\"command\":\"true\"}");
		}
		Result first = run("list", "--tag", "p", "--limit", "3", "--json");
		assertThat(listed(first)).containsExactly("t6", "t5", "t4");
		assertThat(first.err()).contains("3 of 7 shown").contains("--tag p").contains("--after t4");
		assertThat(listed(run("list", "--tag", "p", "--limit", "3", "--after", "t4", "--json"))).containsExactly("t3", "t2", "t1");
		assertThat(listed(run("list", "--tag", "p", "--limit", "3", "--after", "t1", "--json").ok())).containsExactly("t0");
	}

	@Test
	void badTagsAreRefusedWithOneLineAndNothingStored() {
		run("enqueue", "{\"command\":\"true\",\"tags\":[\"a b\"]}").usageError("field 'tags' holds tags of 1-64 characters");
		run("enqueue", "{\"command\":\"true\",\"tags\":[\"" + "x".repeat(65) + "\"]}").usageError("field 'tags'");
		run("enqueue", "{\"command\":\"true\",\"tags\":\"a\"}").usageError("field 'tags' must be an array");
		StringBuilder seventeen = new StringBuilder("[");
		for (int i = 0; i < 17; i++) {
			seventeen.append(i == 0 ? "" : ",").append("\"t").append(i).append('"');
		}
		run("enqueue", "{\"command\":\"true\",\"tags\":" + seventeen + "]}").usageError("at most 16 tags");
		run("enqueue", "{\"command\":\"true\"}", "--tag", "a/b").usageError("--tag takes tags of");
		run("list", "--tag", "").usageError("--tag takes tags of");
		assertThat(jobCount()).isZero();
	}

	@Test
	void cancelByTagCancelsEveryUnfinishedJobCarryingIt() {
		enqueue("{\"id\":\"a\",\"command\":\"true\",\"tags\":[\"c:42\"]}");
		enqueue("{\"id\":\"b\",\"command\":\"true\",\"tags\":[\"c:42\"]}");
		enqueue("{\"id\":\"c\",\"command\":\"true\"}");
		enqueue("{\"id\":\"done\",\"command\":\"true\",\"tags\":[\"c:42\"]}");
		finish("done", "completed");
		Result r = run("cancel", "--tag", "c:42");
		assertThat(r.code()).isZero();
		assertThat(r.outLines()).containsExactlyInAnyOrder("a canceled", "b canceled");
		assertThat(state("c")).isEqualTo("pending");
		assertThat(state("done")).isEqualTo("completed");
		run("cancel", "--tag", "c:42", "a").usageError("--tag goes alone");
	}

	@Test
	void dlqRetryByTagBringsBackTheDeadJobsCarryingIt() {
		enqueue("{\"id\":\"a\",\"command\":\"true\",\"tags\":[\"n\"]}");
		enqueue("{\"id\":\"b\",\"command\":\"true\"}");
		finish("a", "dead");
		finish("b", "dead");
		assertThat(run("dlq", "retry", "--tag", "n").ok().out().strip()).isEqualTo("1");
		assertThat(state("a")).isEqualTo("pending");
		assertThat(state("b")).isEqualTo("dead");
	}

	@Test
	void waitByTagEndsWithTheTaggedJobsOutcome() {
		enqueue("{\"id\":\"a\",\"command\":\"true\",\"tags\":[\"w\"]}");
		enqueue("{\"id\":\"b\",\"command\":\"true\"}");
		finish("a", "completed");
		assertThat(run("wait", "--tag", "w").code()).isZero();
		enqueue("{\"id\":\"c\",\"command\":\"true\",\"tags\":[\"w\"]}");
		finish("c", "canceled");
		Result r = run("wait", "--tag", "w");
		assertThat(r.code()).isEqualTo(1);
		assertThat(r.err()).contains("job c ended canceled");
	}

	// ---- edit

	@Test
	void editChangesTheNamedFieldsOfAPendingJobAndNothingElse() {
		enqueue("{\"id\":\"e\",\"command\":\"echo old\",\"max_retries\":2,\"tags\":[\"old\"],\"unique_key\":\"k\"}");
		assertThat(run("edit", "e", "--set", "command=echo a,b", "--set", "priority=9", "--set", "queue=q2",
				"--set", "tags=x,y", "--set", "timeout=5m", "--set", "limits=k:1").ok().out()).isEqualTo("e\n");
		JsonNode job = run("show", "e", "--json").ok().json();
		assertThat(job.get("command").stringValue()).isEqualTo("echo a,b");
		assertThat(job.get("priority").intValue()).isEqualTo(9);
		assertThat(job.get("queue").stringValue()).isEqualTo("q2");
		assertThat(job.get("timeout").stringValue()).isEqualTo("5m");
		assertThat(job.get("limits").toString()).isEqualTo("[\"k:1\"]");
		assertThat(job.get("max_retries").intValue()).isEqualTo(2);
		assertThat(job.get("unique_key").stringValue()).isEqualTo("k");
		assertThat(tagRows("e")).containsExactly("x", "y");
		assertThat(listed(run("list", "--tag", "old", "--json").ok())).isEmpty();
		assertThat(run("queue", "list", "--json").ok().out()).contains("\"q2\"");
	}

	@Test
	void editTakesAJsonObjectOfFieldsAndTimesCountFromNow() {
		enqueue("{\"id\":\"e\",\"command\":\"true\"}");
		JsonNode job = run("edit", "e", "{\"delay\":\"1h\",\"max_retries\":0,\"tags\":null}", "--json").ok().json();
		assertDue(job.get("run_at").stringValue(), START.plus(Duration.ofHours(1)));
		assertThat(job.get("max_retries").intValue()).isZero();
		run("edit", "e", "{\"run_at\":\"2040-01-01T00:00:00Z\"}").ok();
		assertThat(run("show", "e", "--json").ok().json().get("run_at").stringValue()).isEqualTo("2040-01-01T00:00:00Z");
	}

	@Test
	void editOfAJobThatStartedOrFinishedIsRefusedAndChangesNothing() {
		enqueue("{\"id\":\"r\",\"command\":\"echo old\"}");
		assertThat(claim()).extracting(Claim::jobId).containsExactly("r");
		var before = everything();
		run("edit", "r", "--set", "command=echo new").usageError("job r is processing: only a job that has not started");
		enqueue("{\"id\":\"d\",\"command\":\"echo old\"}");
		finish("d", "completed");
		run("edit", "d", "--set", "priority=1").usageError("job d is completed");
		run("edit", "nope", "--set", "priority=1").fails(3, "no such job: nope");
		assertThat(this.jdbc.queryForObject("SELECT command FROM jobs WHERE id = 'r'", String.class)).isEqualTo("echo old");
		assertThat(before.get("job_runs")).isEqualTo(everything().get("job_runs"));
	}

	@Test
	void aFailedJobAwaitingItsRetryCanBeEdited() {
		enqueue("{\"id\":\"f\",\"command\":\"false\"}");
		finish("f", "failed");
		run("edit", "f", "--set", "command=true").ok();
		assertThat(this.jdbc.queryForObject("SELECT command FROM jobs WHERE id = 'f'", String.class)).isEqualTo("true");
	}

	@Test
	void badEditsAreRefusedWithOneLineAndNothingChanged() {
		enqueue("{\"id\":\"e\",\"command\":\"true\"}");
		var before = everything();
		run("edit", "e").usageError("edit needs --set FIELD=VALUE or a JSON object");
		run("edit", "e", "--set", "start_by=2040-01-01T00:00:00Z").usageError("field 'start_by' cannot be changed");
		run("edit", "e", "--set", "priority=high").usageError("field 'priority' must be an integer");
		run("edit", "e", "--set", "priority").usageError("--set takes FIELD=VALUE");
		run("edit", "e", "--set", "priority=1", "--set", "priority=2").usageError("names field 'priority' twice");
		run("edit", "e", "--set", "command=").usageError("field 'command' must not be empty");
		run("edit", "e", "{\"queue\":\"a b\"}").usageError("field 'queue'");
		run("edit", "e", "{not json").usageError("malformed JSON");
		run("edit", "e", "{}").usageError("edit needs a field to change");
		run("edit", "e", "{\"priority\":1}", "--set", "queue=x").usageError("not both");
		assertThat(everything()).isEqualTo(before);
	}

	@Test
	void editSetsTheJobsOwnVariablesAsAWholeOrRemovesThem() {
		enqueue("{\"id\":\"e\",\"command\":\"true\",\"env\":{\"OLD\":\"1\"}}");
		run("edit", "e", "--set", "env=STAGE=prod", "--set", "env=LIST=a,b=c").ok();
		assertThat(env("e")).isEqualTo("{\"LIST\":\"a,b=c\",\"STAGE\":\"prod\"}");
		run("edit", "e", "{\"env\":{\"ONE\":\"x\"}}").ok();
		assertThat(env("e")).isEqualTo("{\"ONE\":\"x\"}");
		run("edit", "e", "--set", "env=").ok();
		assertThat(env("e")).isEqualTo("null");
		run("edit", "e", "{\"env\":{\"TWO\":\"y\"}}").ok();
		run("edit", "e", "{\"env\":null}").ok();
		assertThat(env("e")).isEqualTo("null");
		var before = everything();
		run("edit", "e", "--set", "env=NOVALUE").usageError("--set env takes NAME=VALUE");
		run("edit", "e", "--set", "env=QUEUECTL_X=1").usageError("queuectl's own");
		run("edit", "e", "--set", "env=", "--set", "env=A=1").usageError("goes alone");
		run("edit", "e", "--set", "env=A=1", "--set", "env=A=2").usageError("names env A twice");
		run("edit", "e", "{\"env\":[1]}").usageError("field 'env' must be an object");
		assertThat(everything()).isEqualTo(before);
	}

	private String env(String id) {
		return run("show", id, "--json").ok().json().get("env").toString();
	}

	// ---- rerun

	@Test
	void rerunCopiesAnyJobAsANewJobThatNamesTheOriginal() {
		enqueue("{\"id\":\"o\",\"command\":\"echo hi\",\"queue\":\"q\",\"priority\":3,\"tags\":[\"t\"],\"timeout\":\"1m\"}");
		finish("o", "completed");
		String copy = run("rerun", "o").ok().out().strip();
		assertThat(copy).isNotEqualTo("o");
		JsonNode job = run("show", copy, "--json").ok().json();
		assertThat(job.get("rerun_of").stringValue()).isEqualTo("o");
		assertThat(job.get("state").stringValue()).isEqualTo("pending");
		assertThat(job.get("command").stringValue()).isEqualTo("echo hi");
		assertThat(job.get("queue").stringValue()).isEqualTo("q");
		assertThat(job.get("priority").intValue()).isEqualTo(3);
		assertThat(job.get("timeout").stringValue()).isEqualTo("1m");
		assertThat(tagRows(copy)).containsExactly("t");
		assertThat(run("show", copy).ok().out()).contains("rerun_of             o");
		JsonNode changed = run("rerun", "o", "--set", "priority=7", "--set", "tags=", "--json").ok().json();
		assertThat(changed.get("rerun_of").stringValue()).isEqualTo("o");
		String second = changed.get("id").stringValue();
		assertThat(this.jdbc.queryForObject("SELECT priority FROM jobs WHERE id = ?", Integer.class, second)).isEqualTo(7);
		assertThat(tagRows(second)).isEmpty();
		run("rerun", "nope").fails(3, "no such job: nope");
		run("rerun", "o", "--set", "slots=2").usageError("field 'slots' cannot be changed");
		assertThat(jobCount()).isEqualTo(3);
	}

	@Test
	void rerunCopiesTheJobsOwnVariablesUnlessSetChangesThem() {
		enqueue("{\"id\":\"o\",\"command\":\"true\",\"env\":{\"STAGE\":\"prod\"}}");
		finish("o", "completed");
		assertThat(env(run("rerun", "o").ok().out().strip())).isEqualTo("{\"STAGE\":\"prod\"}");
		assertThat(env(run("rerun", "o", "--set", "env=STAGE=dev").ok().out().strip())).isEqualTo("{\"STAGE\":\"dev\"}");
	}

	// ---- rm

	@Test
	void rmDeletesFinishedJobsWithTheirRunsAndOutputAndRefusesOthers() throws Exception {
		enqueue("{\"id\":\"done\",\"command\":\"true\",\"tags\":[\"t\"]}");
		enqueue("{\"id\":\"live\",\"command\":\"true\"}");
		finish("done", "completed");
		java.time.Instant started = java.time.Instant.ofEpochMilli(1);
		OutputStore.Output output = this.outputs.create("done", 1, started);
		output.write("hello\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), 0, 6);
		String path = output.close();
		this.jdbc.update("""
				INSERT INTO job_runs (job_id, attempt, worker_id, started_at, finished_at, outcome, output_path)
				VALUES ('done', 1, 'w', 1, 2, 'completed', ?)""", path);
		try (java.io.InputStream kept = this.outputs.open("done", 1, started, path)) {
			assertThat(kept).as("the output is there before rm").isNotNull();
		}
		Result r = run("rm", "done", "live", "nope");
		assertThat(r.code()).isEqualTo(3);
		assertThat(r.out()).isEqualTo("done removed\n");
		assertThat(r.errLines()).containsExactly(
				"queuectl: job live is pending: only a finished job (completed, dead or canceled) can be removed; cancel it first",
				"queuectl: no such job: nope");
		assertThat(this.jdbc.queryForList("SELECT id FROM jobs", String.class)).containsExactly("live");
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM job_runs", Long.class)).isZero();
		assertThat(tagRows("done")).isEmpty();
		assertThat(this.outputs.open("done", 1, started, path)).as("its output is gone with it").isNull();
		run("rm", "live").usageError("job live is pending");
		run("rm").usageError("rm needs job ids");
	}

	// ---- add

	@Test
	void addQuotesTheWordsIntoOneCommandLine() {
		String id = run("add", "--queue", "q", "--priority", "-2", "--tag", "a", "--", "echo", "a b", "$HOME", "it's",
				"x\ny", "--queue").ok().out().strip();
		JsonNode job = run("show", id, "--json").ok().json();
		assertThat(job.get("command").stringValue()).isEqualTo("echo 'a b' '$HOME' 'it'\\''s' 'x\ny' --queue");
		assertThat(job.get("queue").stringValue()).isEqualTo("q");
		assertThat(job.get("priority").intValue()).isEqualTo(-2);
		assertThat(job.get("tags").toString()).isEqualTo("[\"a\"]");
		String after = run("add", "--after", id, "--json", "--", "true").ok().json().get("id").stringValue();
		assertThat(state(after)).isEqualTo("waiting");
	}

	@Test
	void addGivesTheJobTheVariablesOfEnvAsEnqueueDoes() {
		String id = run("add", "--env", "STAGE=prod", "--env", "LIST=a,b", "--", "echo", "--env", "x").ok().out().strip();
		assertThat(run("show", id, "--json").ok().json().get("command").stringValue()).isEqualTo("echo --env x");
		assertThat(env(id)).isEqualTo("{\"LIST\":\"a,b\",\"STAGE\":\"prod\"}");
		run("add", "--env", "UNSET_A28", "--", "true").usageError("--env UNSET_A28: UNSET_A28 is not set here");
		run("add", "--env", "1X=y", "--", "true").usageError("the name must be letters");
		run("add", "--env", "QUEUECTL_X=y", "--", "true").usageError("queuectl's own");
		assertThat(jobCount()).isEqualTo(1);
	}

	@Test
	void addWithoutACommandOrWithBadOptionsStoresNothing() {
		run("add").usageError("add needs a command after --");
		run("add", "--queue", "a b", "--", "true").usageError("field 'queue'");
		run("add", "--after", "nope", "--", "true").usageError("unknown job 'nope'");
		assertThat(jobCount()).isZero();
	}
}
