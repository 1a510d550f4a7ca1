package dev.queuectl.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.queuectl.job.JobState;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** dlq list and dlq retry. There are no workers yet, so jobs die by UPDATE. */
class DlqCommandsTest extends CommandTestSupport {

	private void kill(String id) {
		this.clock.advance(Duration.ofSeconds(1));
		long now = this.clock.instant().toEpochMilli();
		assertThat(this.jdbc.update("""
				UPDATE jobs SET state = 'dead', attempts = max_retries + 1, started_at = ?, finished_at = ?,
				       exit_code = 7, last_error = 'exit code 7', worker_id = 'w-1', updated_at = ?
				WHERE id = ?""", now - 100, now, now, id)).isEqualTo(1);
	}

	private void setState(String id, JobState state) {
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(this.jdbc.update("UPDATE jobs SET state = ?, updated_at = ? WHERE id = ?", state.dbValue(),
				this.clock.instant().toEpochMilli(), id)).isEqualTo(1);
	}

	private void addRun(String id, int attempt) {
		long started = START.plusSeconds(attempt).toEpochMilli();
		this.jdbc.update("""
				INSERT INTO job_runs (job_id, attempt, worker_id, started_at, finished_at, exit_code, duration_ms,
				                      outcome, error, output_tail)
				VALUES (?, ?, 'w-1', ?, ?, 7, 100, 'failed', 'exit code 7', 'boom')""", id, attempt, started,
				started + 100);
	}

	private static List<String> ids(Result r) {
		List<String> lines = r.outLines();
		assertThat(lines.get(0)).startsWith("ID").contains("ATTEMPTS", "EXIT", "ERROR", "COMMAND", "DIED");
		return lines.stream().skip(1).map(l -> l.split(" ", 2)[0]).toList();
	}

	@Test
	void listShowsOnlyDeadJobsNewestFirst() {
		for (String id : List.of("p", "d1", "f", "c", "d2", "r")) {
			enqueue("{\"id\":\"" + id + "\",\"command\":\"exit 7\"}");
		}
		kill("d2");
		kill("d1");
		setState("f", JobState.FAILED);
		setState("c", JobState.COMPLETED);
		setState("r", JobState.PROCESSING);

		Result r = run("dlq", "list").ok();
		assertThat(ids(r)).containsExactly("d1", "d2");
		assertThat(r.outLines().get(1).split("\\s{2,}")).containsExactly("d1", "4", "7", "exit code 7", "exit 7",
				"2031-03-04 05:06:09");

		JsonNode json = run("dlq", "list", "--json").ok().json();
		List<String> jsonIds = new ArrayList<>();
		json.forEach(job -> {
			jsonIds.add(job.get("id").stringValue());
			assertThat(job.get("state").stringValue()).isEqualTo("dead");
			assertThat(job.get("last_error").stringValue()).isEqualTo("exit code 7");
		});
		assertThat(jsonIds).containsExactly("d1", "d2");

		assertThat(ids(run("dlq", "list", "--limit", "1").ok())).containsExactly("d1");
	}

	@Test
	void listShowsWhyEachJobDied() {
		enqueue("{\"id\":\"timed-out\",\"command\":\"sleep 100\"}");
		enqueue("{\"id\":\"failed\",\"command\":\"make   report\"}");
		kill("timed-out");
		kill("failed");
		this.jdbc.update("UPDATE jobs SET exit_code = NULL, last_error = 'timed out after 1m0s' WHERE id = 'timed-out'");
		this.jdbc.update("UPDATE jobs SET exit_code = 2, last_error = ? WHERE id = 'failed'",
				"make: *** No rule to make target 'report'.\nStop. And a long tail of words");

		List<String> lines = run("dlq", "list").ok().outLines();

		assertThat(lines.get(0).split("\\s+")).containsExactly("ID", "ATTEMPTS", "EXIT", "ERROR", "COMMAND", "DIED", "(UTC)");
		assertThat(lines.get(1).split("\\s{2,}")).containsExactly("failed", "4", "2",
				"make: *** No rule to make target 'rep...", "make report", "2031-03-04 05:06:09");
		assertThat(lines.get(2).split("\\s{2,}")).containsExactly("timed-out", "4", "-", "timed out after 1m0s",
				"sleep 100", "2031-03-04 05:06:08");
	}

	@Test
	void listWithNoDeadJobs() {
		enqueue("{\"command\":\"true\"}");

		assertThat(ids(run("dlq", "list").ok())).isEmpty();
		assertThat(run("dlq", "list", "--json").ok().json()).isEmpty();
	}

	@Test
	void retryPutsADeadJobBackWithAttemptsResetAndHistoryKept() {
		enqueue("{\"id\":\"job\",\"command\":\"exit 7\",\"max_retries\":1,\"priority\":3,\"timeout\":\"1m\"}");
		addRun("job", 1);
		addRun("job", 2);
		kill("job");
		List<Map<String, Object>> runsBefore = this.jdbc.queryForList("SELECT * FROM job_runs ORDER BY id");
		Instant now = this.clock.advance(Duration.ofMinutes(5));

		Result r = run("dlq", "retry", "job").ok();

		assertThat(r.out()).isEqualTo("job\n");
		JsonNode job = run("show", "job", "--json").ok().json();
		assertThat(job.get("state").stringValue()).isEqualTo("pending");
		assertThat(job.get("attempts").intValue()).isZero();
		assertDue(job.get("run_at").stringValue(), now);
		assertThat(job.get("updated_at").stringValue()).isEqualTo(now.toString());
		for (String cleared : List.of("started_at", "finished_at", "exit_code", "last_error", "worker_id",
				"lease_expires_at")) {
			assertThat(job.get(cleared).isNull()).as(cleared).isTrue();
		}
		assertThat(job.get("max_retries").intValue()).isEqualTo(1);
		assertThat(job.get("priority").intValue()).isEqualTo(3);
		assertThat(job.get("timeout").stringValue()).isEqualTo("1m");
		assertThat(job.get("created_at").stringValue()).isEqualTo(START.toString());

		assertThat(this.jdbc.queryForList("SELECT * FROM job_runs ORDER BY id")).isEqualTo(runsBefore);
		assertThat(job.get("runs")).hasSize(2);
		assertThat(ids(run("dlq", "list").ok())).isEmpty();
		assertThat(run("status", "--json").ok().json().get("jobs").get("pending").intValue()).isEqualTo(1);
	}

	@Test
	void retryOfAJobThatIsNotDeadIsExit2() {
		enqueue("{\"id\":\"waiting\",\"command\":\"true\"}");
		enqueue("{\"id\":\"done\",\"command\":\"true\"}");
		setState("done", JobState.COMPLETED);
		Map<String, List<Map<String, Object>>> before = everything();

		run("dlq", "retry", "waiting").usageError("job waiting is pending, not dead");
		run("dlq", "retry", "done").usageError("job done is completed, not dead");

		assertThat(everything()).isEqualTo(before);
	}

	@Test
	void retryOfAMissingJobIsExit3() {
		enqueue("{\"id\":\"other\",\"command\":\"true\"}");
		kill("other");
		Map<String, List<Map<String, Object>>> before = everything();

		run("dlq", "retry", "nope").fails(3, "no such job: nope");
		run("dlq", "retry").usageError("dlq retry needs a job id");

		assertThat(everything()).isEqualTo(before);
	}

	@Test
	void dlqNeedsASubCommand() {
		run("dlq").usageError("'dlq' needs a sub-command", "one of: list, purge, retry");
		run("dlq", "drop").usageError("unknown sub-command 'dlq drop'", "one of: list, purge, retry");
	}
}
