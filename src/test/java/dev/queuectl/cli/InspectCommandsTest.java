package dev.queuectl.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.queuectl.job.JobState;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** list, show and status. */
class InspectCommandsTest extends CommandTestSupport {

	/** Enqueues a job one second after the previous one, so each has its own updated_at. */
	private String enqueueLater(String json) {
		this.clock.advance(Duration.ofSeconds(1));
		return enqueue(json);
	}

	private void setState(String id, JobState state) {
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(this.jdbc.update("UPDATE jobs SET state = ?, updated_at = ? WHERE id = ?", state.dbValue(),
				this.clock.instant().toEpochMilli(), id)).isEqualTo(1);
	}

	/** The first column of a table, without its header. */
	private static List<String> ids(Result r) {
		List<String> lines = r.outLines();
		assertThat(lines.get(0)).startsWith("ID").contains("STATE", "ATTEMPTS", "PRI", "COMMAND", "UPDATED");
		return lines.stream().skip(1).map(l -> l.split(" ", 2)[0]).toList();
	}

	private static List<String> jsonIds(Result r) {
		JsonNode array = r.json();
		assertThat(array.isArray()).isTrue();
		List<String> ids = new ArrayList<>();
		array.forEach(job -> ids.add(job.get("id").stringValue()));
		return ids;
	}

	@Test
	void listShowsMostRecentlyUpdatedFirst() {
		enqueueLater("{\"id\":\"c\",\"command\":\"echo c\"}");
		enqueueLater("{\"id\":\"a\",\"command\":\"echo a\"}");
		enqueueLater("{\"id\":\"b\",\"command\":\"echo b\"}");
		assertThat(ids(run("list").ok())).containsExactly("b", "a", "c");

		setState("c", JobState.FAILED);
		assertThat(ids(run("list").ok())).containsExactly("c", "b", "a");
	}

	@Test
	void listRowsShowStateAttemptsPriorityAndCommand() {
		enqueue("{\"id\":\"row\",\"command\":\"echo   spaced\\nsecond line\",\"priority\":4,\"max_retries\":2}");

		String row = run("list").ok().outLines().get(1);

		assertThat(row.split("\\s{2,}")).containsExactly("row", "pending", "0/3", "4", "due", "echo spaced second line",
				"2031-03-04 05:06:07", "-");
	}

	@Test
	void listSaysWhenAJobThatIsNotRunningMayStartAndStatusCountsDueNowAndLater() {
		enqueueLater("{\"id\":\"now\",\"command\":\"x\"}");
		enqueueLater("{\"id\":\"later\",\"command\":\"x\",\"delay\":\"10m\"}");
		enqueueLater("{\"id\":\"held\",\"command\":\"x\",\"queue\":\"mail\"}");
		enqueueLater("{\"id\":\"retry\",\"command\":\"x\",\"max_retries\":3}");
		enqueueLater("{\"id\":\"done\",\"command\":\"x\"}");
		run("queue", "pause", "mail").ok();
		// the failed attempt's backoff: due 2 minutes from the database's now (PostgreSQL: its own clock)
		this.jdbc.update("UPDATE jobs SET state = 'failed', attempts = 1, run_at = run_at + 120000 WHERE id = 'retry'");
		setState("done", JobState.COMPLETED);

		Map<String, String> runAt = new LinkedHashMap<>();
		List<String> lines = run("list").ok().outLines();
		assertThat(lines.get(0)).contains("  RUN AT  ");
		lines.stream().skip(1).forEach(l -> runAt.put(l.split("\\s{2,}")[0], l.split("\\s{2,}")[4]));
		assertThat(runAt).containsEntry("now", "due").containsEntry("held", "paused").containsEntry("done", "-");
		assertThat(runAt.get("later")).matches("in (10m00s|9m5\\ds)");
		assertThat(runAt.get("retry")).matches("in (1m5\\ds|2m00s)");

		List<String> status = run("status").ok().outLines();
		assertThat(status).contains("due now 2; later 2 (1 delayed or scheduled, 1 waiting out a retry)");
		JsonNode notDue = run("status", "--json").ok().json().get("not_due");
		assertThat(notDue.get("pending_later").asLong()).isEqualTo(1);
		assertThat(notDue.get("failed_later").asLong()).isEqualTo(1);

		assertThat(fields(run("show", "later").ok()).get("waiting")).startsWith("scheduled: due at ").matches(".*\\(in (10m00s|9m5\\ds)\\)");
		assertThat(run("show", "retry", "--json").ok().json().get("waiting").get(0).stringValue())
			.startsWith("waiting out its retry backoff: attempt 2 of 4 at ");
		assertThat(fields(run("show", "held").ok()).get("waiting")).isEqualTo("queue mail is paused");
	}

	@Test
	void listFiltersByState() {
		enqueueLater("{\"id\":\"p1\",\"command\":\"x\"}");
		enqueueLater("{\"id\":\"d1\",\"command\":\"x\"}");
		enqueueLater("{\"id\":\"d2\",\"command\":\"x\"}");
		enqueueLater("{\"id\":\"c1\",\"command\":\"x\"}");
		setState("d1", JobState.DEAD);
		setState("d2", JobState.DEAD);
		setState("c1", JobState.COMPLETED);

		assertThat(ids(run("list", "--state", "dead").ok())).containsExactly("d2", "d1");
		assertThat(ids(run("list", "-s", "completed").ok())).containsExactly("c1");
		run("list", "-s", "COMPLETED").usageError("unknown state 'COMPLETED'"); // matched exactly (issue 24)
		assertThat(ids(run("list", "--state=pending").ok())).containsExactly("p1");
		assertThat(ids(run("list", "--state", "processing").ok())).isEmpty();
	}

	@Test
	void listFiltersByQueue() {
		enqueueLater("{\"id\":\"e1\",\"command\":\"x\",\"queue\":\"emails\"}");
		enqueueLater("{\"id\":\"o1\",\"command\":\"x\"}");
		enqueueLater("{\"id\":\"e2\",\"command\":\"x\",\"queue\":\"emails\"}");

		assertThat(ids(run("list", "--queue", "emails").ok())).containsExactly("e2", "e1");
		assertThat(ids(run("list", "-q", "default").ok())).containsExactly("o1");
		assertThat(ids(run("list", "--queue", "nothing-here").ok())).isEmpty();
	}

	@Test
	void listCombinesFilters() {
		enqueueLater("{\"id\":\"e1\",\"command\":\"x\",\"queue\":\"emails\"}");
		enqueueLater("{\"id\":\"e2\",\"command\":\"x\",\"queue\":\"emails\"}");
		enqueueLater("{\"id\":\"o1\",\"command\":\"x\"}");
		setState("e1", JobState.DEAD);
		setState("o1", JobState.DEAD);

		assertThat(ids(run("list", "--queue", "emails", "--state", "dead").ok())).containsExactly("e1");
	}

	@Test
	void listLimit() {
		for (int i = 1; i <= 60; i++) {
			enqueueLater("{\"id\":\"j" + i + "\",\"command\":\"x\"}");
		}

		assertThat(ids(paged(run("list", "--limit", "2")))).containsExactly("j60", "j59");
		assertThat(ids(paged(run("list", "-n", "1")))).containsExactly("j60");
		assertThat(ids(run("list", "--limit", "1000").ok())).hasSize(60);
		assertThat(ids(run("list", "--limit", "60").ok())).hasSize(60);
		List<String> byDefault = ids(paged(run("list")));
		assertThat(byDefault).hasSize(50);
		assertThat(byDefault.get(49)).isEqualTo("j11");
	}

	@Test
	void listAfterAJobGivesTheNextPageThroughEveryFilter() {
		for (int i = 1; i <= 7; i++) {
			enqueueLater("{\"id\":\"p" + i + "\",\"command\":\"x\",\"queue\":\"" + (i % 2 == 0 ? "even" : "odd") + "\"}");
		}
		assertThat(ids(paged(run("list", "-n", "3")))).containsExactly("p7", "p6", "p5");
		assertThat(ids(paged(run("list", "-n", "3", "--after", "p5")))).containsExactly("p4", "p3", "p2");
		assertThat(ids(run("list", "-n", "3", "--after", "p2").ok())).containsExactly("p1");
		assertThat(ids(run("list", "--after", "p1").ok())).isEmpty();
		assertThat(ids(paged(run("list", "--queue", "odd", "--state", "pending", "-n", "2", "--after", "p7"))))
			.containsExactly("p5", "p3");
		assertThat(ids(run("list", "--queue", "none-such").ok())).isEmpty();
		Result missing = run("list", "--after", "gone");
		assertThat(missing.code()).isNotZero();
		assertThat(missing.err()).isEqualTo("queuectl: no such job: gone\n");
	}

	/** A listing that stopped at its limit: exit 0, and one line on stderr saying so. */
	private static Result paged(Result r) {
		assertThat(r.code()).as(r.err()).isZero();
		assertThat(r.errLines()).hasSize(1).allSatisfy(line -> assertThat(line).matches("\\d+ (more )?of \\d+ shown; next: queuectl list .*--after \\S+"));
		return r;
	}

	@Test
	void aListingThatStopsAtItsLimitSaysHowManyJobsThereAreAndHowToListTheNextOnes() {
		for (int i = 1; i <= 64; i++) {
			enqueueLater("{\"id\":\"j" + i + "\",\"command\":\"x\",\"queue\":\"" + (i % 2 == 0 ? "even" : "odd") + "\"}");
		}

		Result first = run("list");
		assertThat(first.code()).isZero();
		assertThat(ids(first)).hasSize(50).endsWith("j15");
		assertThat(first.err()).isEqualTo("50 of 64 shown; next: queuectl list --after j15\n");
		Result next = run("list", "--after", "j15");
		assertThat(ids(next.ok())).hasSize(14).endsWith("j1");

		Result filtered = run("list", "--queue", "odd", "-n", "10", "--json");
		assertThat(jsonIds(filtered)).hasSize(10).endsWith("j45");
		assertThat(filtered.err()).isEqualTo("10 of 32 shown; next: queuectl list --queue odd --limit 10 --json --after j45\n");
		Result second = run("list", "--queue", "odd", "--limit", "10", "--json", "--after", "j45");
		assertThat(jsonIds(second)).hasSize(10).startsWith("j43");
		assertThat(second.err()).isEqualTo("10 more of 32 shown; next: queuectl list --queue odd --limit 10 --json --after j25\n");
		assertThat(run("list", "--queue", "odd", "--limit", "32").ok().err()).isEmpty();
	}

	@Test
	void listTakesSeveralStatesAndQueuesRepeatedOrCommaSeparated() {
		enqueueLater("{\"id\":\"a-dead\",\"command\":\"x\",\"queue\":\"a\"}");
		enqueueLater("{\"id\":\"b-failed\",\"command\":\"x\",\"queue\":\"b\"}");
		enqueueLater("{\"id\":\"c-dead\",\"command\":\"x\",\"queue\":\"c\"}");
		enqueueLater("{\"id\":\"a-pending\",\"command\":\"x\",\"queue\":\"a\"}");
		setState("a-dead", JobState.DEAD);
		setState("b-failed", JobState.FAILED);
		setState("c-dead", JobState.DEAD);

		assertThat(ids(run("list", "--state", "dead,failed").ok())).containsExactly("c-dead", "b-failed", "a-dead");
		assertThat(ids(run("list", "-s", "dead", "-s", "failed").ok())).containsExactly("c-dead", "b-failed", "a-dead");
		assertThat(ids(run("list", "--queue", "a,b").ok())).containsExactly("b-failed", "a-dead", "a-pending");
		assertThat(ids(run("list", "-q", "a", "--queue", "c", "--state", "dead").ok())).containsExactly("c-dead", "a-dead");
		assertThat(ids(run("list", "--queue", "a,none-such", "--state", "pending,dead").ok()))
			.containsExactly("a-dead", "a-pending");
		run("list", "--state", "dead,").usageError("unknown state ''");
		run("list", "--state", "dead,gone").usageError("unknown state 'gone'");
		run("list", "--queue", "a,,b").usageError("a queue name is 1-64 characters");
	}

	@Test
	void cancelingIsAStateToListBy() {
		enqueueLater("{\"id\":\"running\",\"command\":\"x\"}");
		enqueueLater("{\"id\":\"stopping\",\"command\":\"x\",\"queue\":\"q\"}");
		enqueueLater("{\"id\":\"dead\",\"command\":\"x\"}");
		setState("running", JobState.PROCESSING);
		setState("stopping", JobState.PROCESSING);
		setState("dead", JobState.DEAD);
		this.jdbc.update("UPDATE jobs SET cancel_requested_at = ? WHERE id = 'stopping'", this.clock.millis());

		Result canceling = run("list", "--state", "canceling").ok();
		assertThat(ids(canceling)).containsExactly("stopping");
		assertThat(canceling.outLines().get(1)).contains(" canceling ");
		assertThat(ids(run("list", "--state", "processing").ok())).containsExactly("stopping", "running");
		assertThat(ids(run("list", "--state", "canceling,processing").ok())).containsExactly("stopping", "running");
		assertThat(ids(run("list", "--state", "canceling,dead").ok())).containsExactly("dead", "stopping");
		assertThat(ids(run("list", "--state", "canceling", "--queue", "default").ok())).isEmpty();
		assertThat(jsonIds(run("list", "--state", "canceling", "--queue", "q", "--json").ok())).containsExactly("stopping");
		Result paged = run("list", "--state", "canceling,dead", "-n", "1");
		assertThat(paged.err()).isEqualTo("1 of 2 shown; next: queuectl list --state canceling,dead --limit 1 --after dead\n");
	}

	@Test
	void listJsonIsAnArrayOfJobs() {
		enqueueLater("{\"id\":\"x1\",\"command\":\"echo 1\",\"queue\":\"q\"}");
		enqueueLater("{\"id\":\"x2\",\"command\":\"echo 2\",\"priority\":3}");
		enqueueLater("{\"id\":\"x3\",\"command\":\"echo 3\"}");

		Result r = run("list", "--json").ok();
		assertThat(jsonIds(r)).containsExactly("x3", "x2", "x1");
		JsonNode x2 = r.json().get(1);
		assertThat(x2.get("command").stringValue()).isEqualTo("echo 2");
		assertThat(x2.get("priority").intValue()).isEqualTo(3);
		assertThat(x2.get("state").stringValue()).isEqualTo("pending");
		assertThat(x2.get("working_dir").stringValue()).isEqualTo(this.workDir.toString());

		assertThat(jsonIds(run("list", "--json", "--queue", "q").ok())).containsExactly("x1");
		assertThat(jsonIds(paged(run("list", "--json", "--limit", "2")))).containsExactly("x3", "x2");
		assertThat(jsonIds(run("list", "--json", "--state", "dead").ok())).isEmpty();
	}

	@Test
	void listRejectsBadOptions() {
		enqueue("{\"command\":\"x\"}");

		run("list", "--state", "bogus").usageError("unknown state 'bogus'",
				"pending, waiting, processing, canceling, completed, failed, dead, canceled");
		run("list", "--limit", "0").usageError("--limit must be at least 1");
		run("list", "--limit", "-3").usageError("--limit must be at least 1");
		run("list", "--limit", "abc").usageError("option --limit expects an integer, got 'abc'");
		run("list", "--json=maybe").usageError("option --json expects true or false");
		run("list", "--state").usageError("option --state needs a value");
	}

	/** "key   value" lines up to the blank line, as a map. */
	private static Map<String, String> fields(Result r) {
		Map<String, String> fields = new LinkedHashMap<>();
		for (String line : r.outLines()) {
			if (line.isEmpty()) {
				break;
			}
			String[] kv = line.split(" ", 2);
			fields.put(kv[0], kv[1].strip());
		}
		return fields;
	}

	@Test
	void showPrintsEveryField() {
		this.clock.advance(Duration.ofMillis(3));
		Instant now = this.clock.instant();
		enqueue("""
				{"id":"s1","command":"./backup.sh --all","priority":2,"queue":"nightly","max_retries":5,
				 "timeout":"90s","delay":"10m"}""");

		Result r = run("show", "s1").ok();

		Map<String, String> f = fields(r);
		assertDue(f.get("run_at"), now.plus(Duration.ofMinutes(10)));
		assertThat(f.keySet()).containsExactly("id", "command", "state", "queue", "priority", "attempts", "max_retries",
				"run_at", "timeout", "working_dir", "created_at", "updated_at", "started_at", "finished_at", "exit_code",
				"last_error", "worker_id", "lease_expires_at", "unique_key", "cancel_requested_at", "resources", "slots",
				"start_by", "retry_on", "no_retry_on", "limits", "tags", "rerun_of", "env", "progress", "result", "waiting");
		assertThat(f.get("waiting")).startsWith("scheduled: due at ");
		assertThat(f).containsEntry("id", "s1")
			.containsEntry("command", "./backup.sh --all")
			.containsEntry("state", "pending")
			.containsEntry("queue", "nightly")
			.containsEntry("priority", "2")
			.containsEntry("attempts", "0")
			.containsEntry("max_retries", "5")
			.containsEntry("timeout", "90s")
			.containsEntry("working_dir", this.workDir.toString())
			.containsEntry("created_at", now.toString())
			.containsEntry("updated_at", now.toString())
			.containsEntry("started_at", "-")
			.containsEntry("exit_code", "-")
			.containsEntry("last_error", "-");
		assertThat(r.outLines()).last().isEqualTo("no attempts yet");
	}

	@Test
	void showListsAttempts() {
		enqueue("{\"id\":\"s2\",\"command\":\"false\"}");
		long started = START.plusSeconds(5).toEpochMilli();
		this.jdbc.update("""
				INSERT INTO job_runs (job_id, attempt, worker_id, started_at, finished_at, exit_code, duration_ms,
				                      outcome, error)
				VALUES ('s2', 1, 'w-1', ?, ?, 1, 6849, 'failed', 'exit code 1')""", started, started + 6849);
		this.jdbc.update("UPDATE jobs SET attempts = 1, exit_code = 1, last_error = 'exit code 1' WHERE id = 's2'");

		Result r = run("show", "s2").ok();

		assertThat(fields(r)).containsEntry("attempts", "1").containsEntry("exit_code", "1")
			.containsEntry("last_error", "exit code 1");
		List<String> lines = r.outLines();
		int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("ATTEMPT")).findFirst().orElseThrow());
		assertThat(lines.get(header)).contains("STARTED (UTC)", "DURATION", "OUTCOME", "EXIT", "HOST", "ERROR");
		assertThat(Arrays.asList(lines.get(header + 1).split("\\s{2,}"))).containsExactly("1", "2031-03-04 05:06:12",
				"6.8s", "failed", "1", "w-1", "exit code 1");
	}

	@Test
	void showOfARunningJobShowsTheAttemptUnderWayWithItsStartTimeSoFarAndHost() {
		enqueue("{\"id\":\"busy\",\"command\":\"sleep 600\",\"max_retries\":3}");
		long started = START.plusSeconds(5).toEpochMilli();
		this.jdbc.update("""
				INSERT INTO job_runs (job_id, attempt, worker_id, started_at, finished_at, exit_code, duration_ms, outcome, error)
				VALUES ('busy', 1, 'host-a', ?, ?, 1, 250, 'failed', 'exit code 1')""", started, started + 250);
		this.jdbc.update("UPDATE jobs SET state = 'processing', attempts = 2, worker_id = 'host-b', started_at = ? WHERE id = 'busy'",
				started + 60_000);
		this.clock.set(Instant.ofEpochMilli(started + 60_000 + 134_500));

		Result r = run("show", "busy").ok();

		assertThat(r.out()).doesNotContain("no attempts yet");
		List<String> lines = r.outLines();
		int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("ATTEMPT")).findFirst().orElseThrow());
		assertThat(Arrays.asList(lines.get(header + 1).split("\\s{2,}"))).containsExactly("1", "2031-03-04 05:06:12",
				"250ms", "failed", "1", "host-a", "exit code 1");
		assertThat(Arrays.asList(lines.get(header + 2).strip().split("\\s{2,}"))).containsExactly("2", "2031-03-04 05:07:12",
				"2m14s so far", "running", "-", "host-b");
		JsonNode running = run("show", "busy", "--json").ok().json().get("running");
		assertThat(running.get("attempt").asInt()).isEqualTo(2);
		assertThat(running.get("worker_id").stringValue()).isEqualTo("host-b");
		assertThat(running.get("duration_ms").asLong()).isEqualTo(134_500);
		assertThat(running.get("outcome").isNull()).isTrue();

		this.jdbc.update("DELETE FROM job_runs");
		assertThat(run("show", "busy").ok().out()).doesNotContain("no attempts yet").contains("2m14s so far");
		assertThat(run("show", "busy", "--json").ok().json().get("runs")).isEmpty();
	}

	@Test
	void showEndsWithTheLastLinesOfTheLastAttemptsOutput() {
		enqueue("{\"id\":\"out\",\"command\":\"./build.sh\"}");
		StringBuilder output = new StringBuilder();
		for (int i = 1; i <= 14; i++) {
			output.append("line ").append(i).append('\n');
		}
		output.append("\u001b[31merror:\u001b[0m disk\tfull\u0007\n\n");
		long started = START.plusSeconds(5).toEpochMilli();
		this.jdbc.update("""
				INSERT INTO job_runs (job_id, attempt, worker_id, started_at, finished_at, exit_code, duration_ms,
				                      outcome, error, output_tail)
				VALUES ('out', 1, 'w-1', ?, ?, 1, 250, 'failed', 'exit code 1', 'first attempt'),
				       ('out', 2, 'w-1', ?, ?, 1, 250, 'failed', 'exit code 1', ?)""", started, started + 250,
				started + 1000, started + 1250, output.toString());

		List<String> lines = run("show", "out").ok().outLines();

		int header = lines.indexOf("output of attempt 2, its last lines (all of it: queuectl logs out):");
		assertThat(header).as(String.join("\n", lines)).isPositive();
		assertThat(lines.get(header - 1)).isEmpty();
		assertThat(lines.subList(header + 1, lines.size())).containsExactly("  line 6", "  line 7", "  line 8", "  line 9",
				"  line 10", "  line 11", "  line 12", "  line 13", "  line 14", "  error: disk\tfull?");
		assertThat(run("show", "out", "--json").ok().json().get("runs").get(0).get("output_tail").stringValue())
			.isEqualTo("first attempt");

		enqueue("{\"id\":\"quiet\",\"command\":\"true\"}");
		this.jdbc.update("""
				INSERT INTO job_runs (job_id, attempt, worker_id, started_at, finished_at, exit_code, duration_ms, outcome)
				VALUES ('quiet', 1, 'w-1', ?, ?, 0, 5, 'completed')""", started, started + 5);
		assertThat(run("show", "quiet").ok().out()).doesNotContain("output of attempt");
	}

	@Test
	void showJson() {
		enqueue("{\"id\":\"s3\",\"command\":\"echo hi\",\"timeout\":\"2h\"}");
		this.jdbc.update("""
				INSERT INTO job_runs (job_id, attempt, worker_id, started_at, outcome, output_tail)
				VALUES ('s3', 1, 'w-9', ?, 'completed', 'hi')""", START.toEpochMilli());

		JsonNode job = run("show", "s3", "--json").ok().json();

		assertThat(job.get("id").stringValue()).isEqualTo("s3");
		assertThat(job.get("command").stringValue()).isEqualTo("echo hi");
		assertThat(job.get("timeout").stringValue()).isEqualTo("2h");
		assertDue(job.get("run_at").stringValue(), START);
		assertThat(job.get("max_retries").intValue())
			.isEqualTo(Integer.parseInt(run("config", "get", "max-retries").ok().out().strip()));
		assertThat(job.get("exit_code").isNull()).isTrue();
		assertThat(job.get("lease_expires_at").isNull()).isTrue();
		assertThat(job.get("runs").isArray()).isTrue();
		assertThat(job.get("runs")).hasSize(1);
		assertThat(job.get("runs").get(0).get("worker_id").stringValue()).isEqualTo("w-9");
		assertThat(job.get("runs").get(0).get("output_tail").stringValue()).isEqualTo("hi");
		assertThat(job.get("runs").get(0).get("finished_at").isNull()).isTrue();
	}

	@Test
	void showOfAnUnknownJobIsExit3() {
		enqueue("{\"id\":\"known\",\"command\":\"x\"}");

		run("show", "unknown").fails(3, "no such job: unknown");
		run("show", "unknown", "--json").fails(3, "no such job: unknown");
		run("show").usageError("show needs a job id");
	}

	private static Map<String, Long> statusTable(Result r) {
		List<String> lines = r.outLines();
		assertThat(lines.get(0).split("\\s+")).containsExactly("STATE", "JOBS");
		Map<String, Long> counts = new LinkedHashMap<>();
		lines.stream()
			.skip(1)
			.takeWhile(l -> !l.isEmpty())
			.map(l -> l.split("\\s+"))
			.forEach(cells -> counts.put(cells[0], Long.parseLong(cells[1])));
		assertThat(lines).as("the worker section follows the counts").endsWith("", "no worker hosts running");
		return counts;
	}

	private static Map<String, Long> expected(long... counts) {
		Map<String, Long> m = new LinkedHashMap<>();
		for (JobState state : JobState.values()) {
			m.put(state.dbValue(), counts[state.ordinal()]);
		}
		return m;
	}

	private static Map<String, Long> statusJson(Result r) {
		JsonNode jobs = r.json().get("jobs");
		Map<String, Long> counts = new LinkedHashMap<>();
		jobs.properties().forEach(e -> counts.put(e.getKey(), e.getValue().longValue()));
		return counts;
	}

	@Test
	void statusListsEveryStateIncludingZeros() {
		assertThat(statusTable(run("status").ok())).containsExactlyEntriesOf(expected(0, 0, 0, 0, 0, 0, 0));
		assertThat(statusJson(run("status", "--json").ok())).containsExactlyEntriesOf(expected(0, 0, 0, 0, 0, 0, 0));

		for (String id : List.of("p1", "p2", "p3", "r1", "c1", "c2", "d1")) {
			enqueue("{\"id\":\"" + id + "\",\"command\":\"x\"}");
		}
		setState("r1", JobState.PROCESSING);
		setState("c1", JobState.COMPLETED);
		setState("c2", JobState.COMPLETED);
		setState("d1", JobState.DEAD);

		// pending, waiting, processing, completed, failed, dead, canceled
		Map<String, Long> now = expected(3, 0, 1, 2, 0, 1, 0);
		assertThat(statusTable(run("status").ok())).containsExactlyEntriesOf(now);
		assertThat(statusJson(run("status", "--json").ok())).containsExactlyEntriesOf(now);
	}
}
