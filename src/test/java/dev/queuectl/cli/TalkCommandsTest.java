package dev.queuectl.cli;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.queuectl.job.Claim;
import dev.queuectl.store.WorkerStore;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jobs that talk back (issue 27) through the commands, in-process: env given in the JSON and by
 * --env, progress and results with their checks (one line, exit 2, nothing stored), and what
 * list, show and --json make of them. The worker's claim is played by calling {@link WorkerStore}.
 * The same tests run on PostgreSQL ({@link TalkCommandsPostgresTest}).
 */
class TalkCommandsTest extends CommandTestSupport {

	@Autowired
	WorkerStore workers;

	private Claim claim(String id) {
		List<Claim> claims = this.workers.claim("w1", List.of(), 10, this.clock.instant(), Duration.ofSeconds(30));
		return claims.stream().filter(c -> c.jobId().equals(id)).findFirst().orElseThrow();
	}

	@SuppressWarnings("unchecked")
	private Map<String, Object> showJson(String id) throws Exception {
		return JSON.readValue(run("show", id, "--json").ok().out(), Map.class);
	}

	@Test
	void envFromTheJsonAndFromEnvOptionsIsStoredMergedAndShown() throws Exception {
		String id = enqueue("{\"id\":\"e1\",\"command\":\"true\",\"env\":{\"A\":\"json\",\"B\":\"json\"}}");
		assertThat(showJson(id).get("env")).isEqualTo(Map.of("A", "json", "B", "json"));
		run("enqueue", "{\"id\":\"e2\",\"command\":\"true\",\"env\":{\"A\":\"json\"}}", "--env", "A=opt,with comma",
				"--env", "C=").ok();
		assertThat(showJson("e2").get("env")).isEqualTo(Map.of("A", "opt,with comma", "C", ""));
		assertThat(run("show", "e2").ok().out()).contains("env").contains("A C");
	}

	@Test
	void badEnvIsRefusedWithOneLineAndNothingIsStored() {
		var before = everything();
		for (String[] words : List.of(new String[] { "enqueue", "{\"command\":\"true\"}", "--env", "1X=y" },
				new String[] { "enqueue", "{\"command\":\"true\"}", "--env", "NOT_SET_ANYWHERE_27" },
				new String[] { "enqueue", "{\"command\":\"true\",\"env\":{\"A-B\":\"x\"}}" },
				new String[] { "enqueue", "{\"command\":\"true\",\"env\":{\"QUEUECTL_DB\":\"x\"}}" },
				new String[] { "enqueue", "{\"command\":\"true\",\"env\":{\"A\":1}}" },
				new String[] { "enqueue", "{\"command\":\"true\",\"env\":{\"A\":\"" + "x".repeat(65 * 1024) + "\"}}" })) {
			Result r = run(words);
			String said = String.join(" ", words);
			assertThat(r.code()).as(said.substring(0, Math.min(60, said.length()))).isEqualTo(2);
			assertThat(r.err().strip().lines()).hasSize(1);
		}
		StringBuilder many = new StringBuilder("{\"command\":\"true\",\"env\":{");
		for (int i = 0; i < 65; i++) {
			many.append(i == 0 ? "" : ",").append("\"V").append(i).append("\":\"x\"");
		}
		assertThat(run("enqueue", many + "}}").code()).isEqualTo(2);
		assertThat(everything()).isEqualTo(before);
	}

	@Test
	void progressKeepsOnlyTheLatestAndShowsInListShowAndJson() throws Exception {
		String id = enqueue("{\"id\":\"p1\",\"command\":\"true\"}");
		run("progress", "--job", id, "3/10").ok();
		run("progress", "--job", id, "40%", "copying", "files").ok();
		Map<String, Object> json = showJson(id);
		@SuppressWarnings("unchecked")
		Map<String, Object> progress = (Map<String, Object>) json.get("progress");
		assertThat(progress).containsEntry("done", 40).containsEntry("total", 100).containsEntry("message", "copying files");
		assertThat(progress.get("at")).isNotNull();
		String list = run("list").ok().out();
		assertThat(list.lines().findFirst().orElseThrow()).contains("PROGRESS");
		assertThat(list).contains("40%");
		assertThat(run("show", id).ok().out()).as("its time says its zone (issue 29)")
			.containsPattern("40% copying files \\(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\)");
	}

	@Test
	void badProgressIsRefusedWithExit2AndAnUnknownJobWithExit3() {
		String id = enqueue("{\"id\":\"p2\",\"command\":\"true\"}");
		var before = everything();
		for (String amount : List.of("5/0", "11/10", "101%", "x", "-1/3")) {
			Result r = run("progress", "--job", id, "--", amount);
			assertThat(r.code()).as(amount).isEqualTo(2);
			assertThat(r.err().strip().lines()).hasSize(1);
		}
		assertThat(run("progress", "5/10").code()).as("outside a job without --job").isEqualTo(2);
		assertThat(everything()).isEqualTo(before);
		assertThat(run("progress", "--job", "nope", "1/2").code()).isEqualTo(3);
	}

	@Test
	void aResultIsStoredForTheRunningAttemptAndReadBack() throws Exception {
		String id = enqueue("{\"id\":\"r1\",\"command\":\"true\"}");
		Claim c = claim(id);
		run("result", "set", "--job", id, "--attempt", Integer.toString(c.attempt()), "42 rows").ok();
		assertThat(run("result", "get", id).ok().out()).isEqualTo("42 rows\n");
		assertThat(showJson(id)).containsEntry("result", "42 rows");
		runWithStdin("from\nstdin\n", "result", "set", "--job", id, "-").ok();
		assertThat(run("result", "get", id).ok().out()).isEqualTo("from\nstdin\n");
		Result stale = run("result", "set", "--job", id, "--attempt", Integer.toString(c.attempt() + 1), "late");
		assertThat(stale.code()).isEqualTo(1);
		assertThat(run("result", "get", id).ok().out()).isEqualTo("from\nstdin\n");
	}

	@Test
	void aResultOverOneMebibyteIsRefusedAndNoResultIsExit1UnknownJobExit3() {
		String id = enqueue("{\"id\":\"r2\",\"command\":\"true\"}");
		Result big = runWithStdin("x".repeat(1024 * 1024 + 1), "result", "set", "--job", id, "-");
		assertThat(big.code()).isEqualTo(2);
		assertThat(big.err().strip().lines()).hasSize(1);
		assertThat(run("result", "set", "--job", id, "-").code()).as("empty stdin is an empty result").isZero();
		assertThat(run("result", "get", "r404").code()).isEqualTo(3);
		String other = enqueue("{\"id\":\"r3\",\"command\":\"true\"}");
		assertThat(run("result", "get", other).code()).isEqualTo(1);
		runWithStdin("y".repeat(1024 * 1024), "result", "set", "--job", other, "-").ok();
		assertThat(run("result", "get", other).ok().out()).hasSize(1024 * 1024 + 1);
	}
}
