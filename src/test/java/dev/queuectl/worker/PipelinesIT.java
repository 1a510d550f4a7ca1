package dev.queuectl.worker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 28 with real worker hosts as processes on one database (SQLite here, PostgreSQL in
 * {@link PipelinesPostgresIT}): 200 edits, each sent right after its job's enqueue while two hosts
 * race to claim it, every job writing which command ran to a ledger (an accepted edit must never
 * be followed by a run of the old command; a refused one leaves the old command); {@code cancel
 * --tag} stopping tagged jobs running on both hosts and canceling the pending ones, untagged jobs
 * untouched; {@code add --} with quotes, $ and newlines reaching the job's program word for word.
 */
class PipelinesIT extends OwnQueue {

	/** The new database is migrated first: the tests read it while hosts start. */
	@Override
	boolean migrateFirst() {
		return true;
	}

	/** Runs a script (one command a line) in one process to its end, whatever its exit; returns stdout and stderr. */
	Queuectl.Result script(List<String> lines) throws Exception {
		Path in = this.dir.resolve("script.txt");
		Files.writeString(in, String.join("\n", lines) + "\n");
		List<String> cmd = new ArrayList<>(List.of(Queuectl.JAVA, "-XX:TieredStopAtLevel=1", "-Dqueuectl.stdin.tty=false"));
		cmd.addAll(TrainedJar.launch());
		cmd.addAll(List.of("--db", this.q.dbArg));
		Path out = this.dir.resolve("script.out");
		Path err = this.dir.resolve("script.err");
		ProcessBuilder pb = new ProcessBuilder(cmd).directory(this.dir.toFile()).redirectInput(in.toFile())
			.redirectOutput(out.toFile()).redirectError(err.toFile());
		pb.environment().put("XDG_DATA_HOME", this.dir.resolve("xdg").toString());
		pb.environment().put("XDG_CACHE_HOME", this.dir.resolve("cache").toString());
		pb.environment().remove("QUEUECTL_DB");
		pb.environment().put("QUEUECTL_SERVER", "off");
		Process p = pb.start();
		assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("the script ended").isTrue();
		return new Queuectl.Result(p.exitValue(), Files.readString(out), Files.readString(err));
	}

	@Test
	void anEditRacingAClaimIsEitherAppliedBeforeTheRunOrRefusedTwoHundredTimes() throws Exception {
		Path ledger = this.dir.resolve("ledger");
		int n = 200;
		List<String> lines = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			lines.add("enqueue '{\"id\":\"e" + i + "\",\"command\":\"echo old e" + i + " >> " + ledger + "\"}'");
			lines.add("edit e" + i + " --set 'command=echo new e" + i + " >> " + ledger + "'");
		}
		List<Queuectl.Worker> hosts = new ArrayList<>();
		Queuectl.Result r;
		try {
			hosts.add(this.q.worker("--no-http", "--count", "2"));
			hosts.add(this.q.worker("--no-http", "--count", "2"));
			await().atMost(Duration.ofMinutes(2)).until(() -> scalar("SELECT COUNT(*) FROM workers") == 2);
			r = script(lines);
			await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
				.until(() -> scalar("SELECT COUNT(*) FROM jobs WHERE state = 'completed'") == n);
		}
		finally {
			hosts.forEach(Queuectl.Worker::close);
		}
		List<String> ran = Files.readAllLines(ledger);
		assertThat(ran).as("each job ran once").hasSize(n);
		List<String> out = r.out().lines().toList();
		List<String> err = r.err().lines().toList();
		int accepted = 0;
		int refused = 0;
		for (int i = 0; i < n; i++) {
			String id = "e" + i;
			long printed = out.stream().filter(id::equals).count(); // enqueue printed it; an accepted edit too
			assertThat(printed).as("%s printed by enqueue, and by edit when accepted", id).isBetween(1L, 2L);
			if (printed == 2) {
				accepted++;
				assertThat(ran).as("accepted edit of %s", id).contains("new " + id).doesNotContain("old " + id);
			}
			else {
				refused++;
				int line = 2 * i + 2;
				assertThat(err).as("refusal of the edit of %s", id)
					.anyMatch(l -> l.startsWith("queuectl: line " + line + ": job " + id + " is ")
							&& l.contains("only a job that has not started"));
				assertThat(ran).as("refused edit of %s", id).contains("old " + id).doesNotContain("new " + id);
			}
		}
		System.out.println("edits racing a claim: " + accepted + " accepted, " + refused + " refused");
		assertThat(accepted + refused).isEqualTo(n);
		assertThat(err).as("no other error").allMatch(l -> l.contains("only a job that has not started"));
	}

	@Test
	void cancelByTagStopsTaggedJobsOnEveryHostAndLeavesOthers() throws Exception {
		List<Queuectl.Worker> hosts = new ArrayList<>();
		try {
			hosts.add(this.q.worker("--no-http", "--count", "2"));
			hosts.add(this.q.worker("--no-http", "--count", "2"));
			await().atMost(Duration.ofMinutes(2)).until(() -> scalar("SELECT COUNT(*) FROM workers") == 2);
			StringBuilder jobs = new StringBuilder();
			for (int i = 0; i < 6; i++) { // the tagged ones first: 4 of them run, 2 per host
				jobs.append("{\"id\":\"t").append(i).append("\",\"command\":\"sleep 300\",\"priority\":1,\"tags\":[\"customer:42\"]}\n");
			}
			for (int i = 0; i < 2; i++) {
				jobs.append("{\"id\":\"u").append(i).append("\",\"command\":\"sleep 1\"}\n");
			}
			Path file = this.dir.resolve("jobs.jsonl");
			Files.writeString(file, jobs);
			this.q.ok("enqueue", "--file", file.toString());
			await().atMost(Duration.ofMinutes(1)).until(() -> scalar(
					"SELECT COUNT(DISTINCT worker_id) FROM jobs WHERE state = 'processing' AND id LIKE 't%'") == 2
					&& scalar("SELECT COUNT(*) FROM jobs WHERE state = 'processing'") == 4);
			Queuectl.Result r = this.q.run("cancel", "--tag", "customer:42");
			assertThat(r.exit()).as(r.err()).isZero();
			assertThat(r.out().lines().toList()).hasSize(6);
			await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
				.until(() -> scalar("SELECT COUNT(*) FROM jobs WHERE id LIKE 't%' AND state = 'canceled'") == 6
						&& scalar("SELECT COUNT(*) FROM jobs WHERE id LIKE 'u%' AND state = 'completed'") == 2);
			assertThat(strings("SELECT DISTINCT worker_id FROM job_runs WHERE job_id LIKE 't%' AND outcome = 'canceled'"))
				.as("running jobs canceled on both hosts").hasSize(2);
			assertThat(this.q.ok("list", "--tag", "customer:42", "--state", "canceled").lines().count()).isEqualTo(7);
		}
		finally {
			hosts.forEach(Queuectl.Worker::close);
		}
	}

	@Test
	void addPassesQuotesDollarsAndNewlinesToTheProgramWordForWord() throws Exception {
		List<String> words = List.of("a b", "$HOME", "${X:-y} `id` $(id)", "it's \"q\"", "line1\nline2", "*", "");
		List<String> args = new ArrayList<>(List.of("add", "--tag", "quoting", "--", "printf", "[%s]"));
		args.addAll(words);
		String id = this.q.ok(args.toArray(String[]::new)).strip();
		try (Queuectl.Worker host = this.q.worker("--no-http", "--count", "1")) {
			await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
				.until(() -> strings("SELECT state FROM jobs WHERE id = '" + id + "'").equals(List.of("completed")));
		}
		StringBuilder expected = new StringBuilder();
		words.forEach(w -> expected.append('[').append(w).append(']'));
		assertThat(this.q.ok("logs", id)).isEqualTo(expected.toString());
		Queuectl.Result bad = this.q.run("add", "--queue", "no good", "--", "true");
		assertThat(bad.exit()).isEqualTo(2);
		assertThat(bad.err().lines().toList()).hasSize(1);
		assertThat(scalar("SELECT COUNT(*) FROM jobs")).isEqualTo(1);
	}
}
