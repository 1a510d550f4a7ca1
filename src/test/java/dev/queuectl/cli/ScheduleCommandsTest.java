package dev.queuectl.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.queuectl.job.Schedule;
import dev.queuectl.service.ScheduleService;
import dev.queuectl.store.MaintenanceStore;
import dev.queuectl.store.WorkerStore;
import dev.queuectl.job.Claim;
import dev.queuectl.job.RunResult;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Schedules and retention in-process: the clock is moved by hand and the ticks fired as a worker
 * host's ticker does, by calling {@link ScheduleService#fireDue}.
 */
class ScheduleCommandsTest extends CommandTestSupport {

	// START is 2031-03-04T05:06:07.089Z

	@Autowired
	ScheduleService schedules;

	@Autowired
	WorkerStore workers;

	@Autowired
	MaintenanceStore maintenance;

	@BeforeEach
	void noSchedules() {
		this.jdbc.update("DELETE FROM schedules");
	}

	private List<String> jobIds() {
		return this.jdbc.queryForList("SELECT id FROM jobs ORDER BY id", String.class);
	}

	private void at(String instant) {
		this.clock.set(Instant.parse(instant));
	}

	@Test
	void sizesAreWrittenAsPercentPointOneFWroteThemRoundedHalfUp() {
		java.util.function.LongFunction<String> formatted = bytes -> {
			if (bytes < 1024) {
				return bytes + " B";
			}
			String[] units = { "KiB", "MiB", "GiB", "TiB" };
			double v = bytes;
			int u = -1;
			while (v >= 1024 && u < units.length - 1) {
				v /= 1024;
				u++;
			}
			return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
		};
		List<String> differ = new java.util.ArrayList<>();
		java.util.function.LongConsumer same = bytes -> {
			if (!ScheduleCommands.size(bytes).equals(formatted.apply(bytes))) {
				differ.add(bytes + ": " + ScheduleCommands.size(bytes) + " vs " + formatted.apply(bytes));
			}
		};
		// every size up to 64 KiB (ties such as 1.25 KiB among them), each unit's edges, and sizes of
		// every magnitude up to Long.MAX_VALUE (past 2^53 bytes the double is not exact: both round it)
		java.util.stream.LongStream.range(0, 64 * 1024).forEach(same);
		for (int shift = 20; shift <= 60; shift += 10) {
			java.util.stream.LongStream.range((1L << shift) - 1000, (1L << shift) + 1000).forEach(same);
		}
		java.util.Random random = new java.util.Random(26);
		for (int i = 0; i < 20_000; i++) {
			same.accept(random.nextLong() >>> random.nextInt(64));
		}
		assertThat(differ).isEmpty();
		assertThat(ScheduleCommands.size(1280)).isEqualTo("1.3 KiB"); // 1.25: half up, not to even
	}

	@Test
	void editReplacesTheRuleAndJobKeepsItsPauseAndHistoryAndRefusesBadInputChangingNothing() {
		run("schedule", "add", "poll", "--every", "10s", "{\"command\":\"echo hi\"}").ok();
		at("2031-03-04T05:06:10.300Z");
		assertThat(this.schedules.fireDue()).isEqualTo(1);
		run("schedule", "pause", "poll").ok();

		Result r = run("schedule", "edit", "poll", "--cron", "*/5 * * * *", "--tz", "UTC", "--no-overlap",
				"{\"command\":\"echo edited\"}").ok();
		assertThat(r.out()).isEqualTo("poll saved: next run none (paused)\n");
		Schedule s = this.schedules.get("poll");
		assertThat(s.cron()).isEqualTo("*/5 * * * *");
		assertThat(s.every()).isNull();
		assertThat(s.noOverlap()).isTrue();
		assertThat(s.paused()).isTrue();
		assertThat(s.lastJobId()).isEqualTo("poll:20310304T050610Z");
		assertThat(s.workingDir()).isEqualTo(this.workDir.toString());
		run("schedule", "resume", "poll").ok();
		this.jdbc.update("UPDATE jobs SET state = 'completed', finished_at = updated_at"); // else --no-overlap skips the tick
		at("2031-03-04T05:10:00.100Z");
		assertThat(this.schedules.fireDue()).isEqualTo(1);
		assertThat(this.jdbc.queryForObject("SELECT command FROM jobs WHERE id = ?", String.class, "poll:20310304T051000Z"))
			.isEqualTo("echo edited");

		// refused as schedule add refuses it, in the user's five fields; nothing changes
		Result bad = run("schedule", "edit", "poll", "--cron", "61 * * * *", "{\"command\":\"true\"}");
		assertThat(bad.code()).isEqualTo(2);
		assertThat(bad.err()).isEqualTo(run("schedule", "add", "other", "--cron", "61 * * * *", "{\"command\":\"true\"}").err());
		assertThat(run("schedule", "edit", "poll", "--every", "1h").err()).isEqualTo(
				"queuectl: schedule edit needs a JSON job after the name (quote the JSON)\n");
		assertThat(this.schedules.get("poll").cron()).isEqualTo("*/5 * * * *");
		Result missing = run("schedule", "edit", "nope", "--every", "1h", "{\"command\":\"true\"}");
		assertThat(missing.code()).isEqualTo(3);
		assertThat(missing.err()).isEqualTo("queuectl: no such schedule: nope\n");
	}

	@Test
	void anIntervalFiresOnceAtEachTickWithTheTickInTheJobId() {
		Result r = run("schedule", "add", "poll", "--every", "10s", "{\"command\":\"echo hi\",\"queue\":\"q1\"}").ok();
		assertThat(r.out()).isEqualTo("poll added: next run 2031-03-04 05:06:10 UTC\n");
		assertThat(this.schedules.fireDue()).isZero();
		at("2031-03-04T05:06:10.300Z");
		assertThat(this.schedules.fireDue()).isEqualTo(1);
		assertThat(this.schedules.fireDue()).as("the same tick again").isZero();
		at("2031-03-04T05:06:20Z");
		assertThat(this.schedules.fireDue()).isEqualTo(1);
		assertThat(jobIds()).containsExactly("poll:20310304T050610Z", "poll:20310304T050620Z");
		assertThat(this.jdbc.queryForObject("SELECT queue || ' ' || command FROM jobs WHERE id = ?",
				String.class, "poll:20310304T050620Z"))
			.isEqualTo("q1 echo hi");
		assertDue(this.jdbc.queryForObject("SELECT run_at FROM jobs WHERE id = ?", Long.class, "poll:20310304T050620Z"),
				Instant.parse("2031-03-04T05:06:20Z"));
		assertThat(this.jdbc.queryForObject("SELECT working_dir FROM jobs LIMIT 1", String.class))
			.isEqualTo(this.workDir.toString());
	}

	@Test
	void aFiveFieldCronRunsInItsZoneAndListShowsTheNextThreeTimes() {
		run("schedule", "add", "nightly", "--cron", "30 2 * * *", "--tz", "Europe/Paris", "{\"command\":\"true\"}").ok();
		Result list = run("schedule", "list").ok();
		// 02:30 in Paris is 01:30 UTC in winter; March 30 2031 is the switch to summer time (00:30 UTC)
		assertThat(list.out()).contains("nightly", "active", "30 2 * * *", "Europe/Paris", "latest",
				"2031-03-05 01:30:00, 2031-03-06 01:30:00, 2031-03-07 01:30:00");
		var json = run("schedule", "list", "--json").ok().json();
		assertThat(json.get(0).get("next").get(0).stringValue()).isEqualTo("2031-03-05T01:30:00Z");
		assertThat(json.get(0).get("tz").stringValue()).isEqualTo("Europe/Paris");
		run("schedule", "add", "m", "--cron", "@daily", "--tz", "UTC", "{\"command\":\"true\"}").ok();
		run("schedule", "add", "s6", "--cron", "*/15 * * * * *", "{\"command\":\"true\"}").ok();
		assertThat(run("schedule", "list").ok().out()).contains("2031-03-05 00:00:00");
	}

	@Test
	void cronErrorsNameTheFieldAsTheUserWroteIt() {
		String job = "{\"command\":\"true\"}";
		run("schedule", "add", "x", "--cron", "61 * * * *", job)
			.usageError("invalid cron expression '61 * * * *': field 1 (minute) '61' is out of range: a minute is 0-59");
		run("schedule", "add", "x", "--cron", "0 25 * * *", job)
			.usageError("field 2 (hour) '25' is out of range: an hour is 0-23");
		run("schedule", "add", "x", "--cron", "0 0 * 13 *", job).usageError("field 4 (month) '13' is out of range");
		run("schedule", "add", "x", "--cron", "0 0 * * 8", job)
			.usageError("field 5 (day of the week) '8' is out of range: a day of the week is 0-7 or SUN-SAT");
		run("schedule", "add", "x", "--cron", "*/0 * * * *", job).usageError("field 1 (minute) '*/0' is not a minute");
		run("schedule", "add", "x", "--cron", "0 x * * *", job)
			.usageError("field 2 (hour) 'x' is not an hour (0-23, *, a range a-b, a list a,b or a step */n)");
		run("schedule", "add", "x", "--cron", "60 * * * * *", job).usageError("field 1 (second) '60' is out of range");
		run("schedule", "add", "x", "--cron", "@sometimes", job)
			.usageError("invalid cron expression '@sometimes': unknown macro (one of: @yearly, @annually");
		for (String line : List.of(run("schedule", "add", "x", "--cron", "61 * * * *", job).err(),
				run("schedule", "add", "x", "--cron", "@sometimes", job).err())) {
			assertThat(line).doesNotContain("MinuteOfHour", "6 fields", "0 61", "in cron expression");
		}
		assertThat(run("schedule", "list", "--json").ok().json()).isEmpty();
	}

	@Test
	void badInputIsOneLineExitTwoAndStoresNothing() {
		String job = "{\"command\":\"true\"}";
		run("schedule", "add", "x", "--cron", "61 * * * *", job).usageError("invalid cron expression '61 * * * *'");
		run("schedule", "add", "x", "--cron", "* * *", job).usageError("expected 5 fields");
		run("schedule", "add", "x", "--cron", "@sometimes", job).usageError("invalid cron expression");
		run("schedule", "add", "x", "--cron", "0 0 30 2 *", job).usageError("never fires");
		run("schedule", "add", "x", "--cron", "* * * * *", "--tz", "Mars/Olympus", job).usageError("unknown time zone 'Mars/Olympus'");
		run("schedule", "add", "x", "--every", "1500ms", job).usageError("--every must be a whole number of seconds");
		run("schedule", "add", "x", "--every", "soon", job).usageError("--every");
		run("schedule", "add", "x", job).usageError("either --cron 'EXPR' or --every D");
		run("schedule", "add", "x", "--every", "1m", "--cron", "* * * * *", job).usageError("either --cron");
		run("schedule", "add", "x", "--every", "1m", "--catch-up", "some", job).usageError("--catch-up must be all, latest or none");
		run("schedule", "add", "a:b", "--every", "1m", job).usageError("a schedule name must be");
		run("schedule", "add", ".x", "--every", "1m", job).usageError("a schedule name must be");
		run("schedule", "add", "x", "--every", "1m", "{\"command\":").usageError("malformed JSON");
		run("schedule", "add", "x", "--every", "1m", "{\"cmd\":\"true\"}").usageError("unknown field 'cmd'");
		run("schedule", "add", "x", "--every", "1m", "{\"id\":\"a\",\"command\":\"true\"}").usageError("field 'id'");
		run("schedule", "add", "x", "--every", "1m").usageError("needs a JSON job");
		run("schedule", "add", "x", "--every", "1m", "--tz", "UTC", job).usageError("--tz goes with --cron");
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM schedules", Integer.class)).isZero();
		run("schedule", "add", "x", "--every", "1m", job).ok();
		run("schedule", "add", "x", "--every", "5m", job).usageError("a schedule named 'x' already exists");
		assertThat(run("schedule", "show", "x").ok().out()).contains("every", "1m");
		run("schedule", "show", "nope").fails(3, "no such schedule: nope");
		run("schedule", "rm", "nope").fails(3, "no such schedule: nope");
	}

	@Test
	void catchUpLatestFiresOnlyTheLatestMissedTick() {
		run("schedule", "add", "l", "--every", "1m", "{\"command\":\"true\"}").ok();
		at("2031-03-04T05:30:30Z"); // 24 ticks passed
		assertThat(this.schedules.fireDue()).isEqualTo(1);
		assertThat(jobIds()).containsExactly("l:20310304T053000Z");
		assertThat(this.jdbc.queryForObject("SELECT skipped FROM schedules", Long.class)).isEqualTo(23);
	}

	@Test
	void catchUpAllFiresEveryMissedTick() {
		run("schedule", "add", "all", "--every", "1m", "--catch-up", "all", "{\"command\":\"true\"}").ok();
		at("2031-03-04T05:10:30Z");
		assertThat(this.schedules.fireDue()).isEqualTo(4);
		assertThat(jobIds()).containsExactly("all:20310304T050700Z", "all:20310304T050800Z", "all:20310304T050900Z",
				"all:20310304T051000Z");
		assertThat(this.schedules.fireDue()).isZero();
	}

	@Test
	void catchUpNoneSkipsATickMoreThanAMinuteLate() {
		run("schedule", "add", "n", "--every", "10m", "--catch-up", "none", "{\"command\":\"true\"}").ok();
		at("2031-03-04T05:11:30Z"); // the 05:10 tick is 90 s late
		assertThat(this.schedules.fireDue()).isZero();
		assertThat(this.jdbc.queryForObject("SELECT skipped FROM schedules", Long.class)).isEqualTo(1);
		at("2031-03-04T05:20:20Z");
		assertThat(this.schedules.fireDue()).isEqualTo(1);
		assertThat(jobIds()).containsExactly("n:20310304T052000Z");
	}

	@Test
	void noOverlapSkipsATickWhileThePreviousRunIsUnfinished() {
		run("schedule", "add", "o", "--every", "1m", "--no-overlap", "{\"command\":\"sleep 100\"}").ok();
		at("2031-03-04T05:07:00Z");
		assertThat(this.schedules.fireDue()).isEqualTo(1);
		List<Claim> c = this.workers.claim("w1", List.of(), 10, this.clock.instant(), Duration.ofSeconds(30));
		assertThat(c).hasSize(1);
		at("2031-03-04T05:08:00Z");
		assertThat(this.schedules.fireDue()).as("previous still processing").isZero();
		Instant now = this.clock.instant();
		this.workers.settleAndClaim(List.of(new WorkerStore.Outcome(c.get(0),
				new RunResult("completed", 0, null, now, 5, null, null, null), false)), "w1", 2, Duration.ofHours(1),
				List.of(), 0, now, Duration.ofSeconds(30));
		at("2031-03-04T05:09:00Z");
		assertThat(this.schedules.fireDue()).isEqualTo(1);
		assertThat(jobIds()).containsExactly("o:20310304T050700Z", "o:20310304T050900Z");
		Result show = run("schedule", "show", "o").ok();
		assertThat(show.out()).containsPattern("ticks skipped +1\n").containsPattern("last tick \\(UTC\\) +2031-03-04 05:09:00")
			.contains("o:20310304T050900Z  pending", "o:20310304T050700Z  completed");
	}

	@Test
	void pauseResumeRunAndRm() {
		run("schedule", "add", "p", "--every", "1m", "{\"command\":\"true\"}").ok();
		assertThat(run("schedule", "pause", "p").ok().out()).isEqualTo("p paused\n");
		at("2031-03-04T05:20:00Z");
		assertThat(this.schedules.fireDue()).isZero();
		assertThat(run("schedule", "list").ok().out()).contains("paused");
		assertThat(run("schedule", "run", "p").ok().out()).isEqualTo("p:run-20310304T052000.000Z\n");
		run("schedule", "resume", "p").ok();
		assertThat(this.schedules.fireDue()).as("ticks passed while paused do not fire").isZero();
		at("2031-03-04T05:21:00Z");
		assertThat(this.schedules.fireDue()).isEqualTo(1);
		assertThat(jobIds()).containsExactly("p:20310304T052100Z", "p:run-20310304T052000.000Z");
		run("schedule", "rm", "p").ok();
		assertThat(run("schedule", "list").ok().out()).isEqualTo("no schedules\n");
		assertThat(jobCount()).as("its jobs stay").isEqualTo(2);
	}

	@Test
	void aTemplateUniqueKeyHeldSkipsTheTick() {
		run("schedule", "add", "u", "--every", "1m", "{\"command\":\"true\",\"unique_key\":\"u\"}").ok();
		at("2031-03-04T05:07:00Z");
		assertThat(this.schedules.fireDue()).isEqualTo(1);
		at("2031-03-04T05:08:00Z");
		assertThat(this.schedules.fireDue()).isZero();
		run("schedule", "run", "u").usageError("holds the unique key 'u'");
		assertThat(jobCount()).isEqualTo(1);
	}

	// ---- retention

	private void finishedJob(String id, String state, Instant at) throws Exception {
		this.jdbc.update("""
				INSERT INTO jobs (id, command, state, max_retries, run_at, working_dir, created_at, updated_at, finished_at)
				VALUES (?, 'true', ?, 0, ?, '/', ?, ?, ?)""", id, state, at.toEpochMilli(), at.toEpochMilli(),
				at.toEpochMilli(), at.toEpochMilli());
		this.jdbc.update("INSERT INTO job_runs (job_id, attempt, started_at) VALUES (?, 1, ?)", id, at.toEpochMilli());
		writeOutput(id);
	}

	/** 100 bytes of output of a job: a file on SQLite, a chunk in the database on PostgreSQL. */
	private void writeOutput(String id) throws Exception {
		if (this.database.isPostgres()) {
			this.jdbc.update("INSERT INTO job_output (job_id, attempt, started_at, seq, chunk) VALUES (?, 1, 0, 0, ?)", id,
					"x".repeat(100).getBytes(java.nio.charset.StandardCharsets.UTF_8));
			return;
		}
		Path dir = this.database.outputDir().resolve(id);
		Files.createDirectories(dir);
		Files.writeString(dir.resolve("1-0.log"), "x".repeat(100));
	}

	private boolean hasOutput(String id) {
		if (this.database.isPostgres()) {
			return this.jdbc.queryForObject("SELECT COUNT(*) FROM job_output WHERE job_id = ?", Long.class, id) > 0;
		}
		return Files.exists(this.database.outputDir().resolve(id));
	}

	@Test
	void pruneDeletesFinishedJobsPastTheirRetentionWithRunsDepsAndOutput() throws Exception {
		Instant now = this.clock.instant();
		finishedJob("c-old", "completed", now.minus(Duration.ofDays(8)));
		finishedJob("c-new", "completed", now.minus(Duration.ofDays(6)));
		finishedJob("d-old", "dead", now.minus(Duration.ofDays(31)));
		finishedJob("d-new", "dead", now.minus(Duration.ofDays(20)));
		finishedJob("x-old", "canceled", now.minus(Duration.ofDays(8)));
		this.jdbc.update("INSERT INTO job_deps (job_id, depends_on) VALUES ('c-old', 'x-old')");
		writeOutput("orphan");
		String live = enqueue("{\"command\":\"true\"}");

		Result dry = run("prune", "--dry-run").ok();
		assertThat(dry.out()).contains("completed  7d", "dry run: 3 job(s) would be removed");
		assertThat(jobCount()).isEqualTo(6);

		Result r = run("prune").ok();
		assertThat(r.out()).contains("3 job(s) removed, 300 B of output, 1 output folder(s) of jobs that no longer exist");
		assertThat(jobIds()).containsExactly("c-new", "d-new", live);
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM job_runs", Integer.class)).isEqualTo(2);
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM job_deps", Integer.class)).isZero();
		assertThat(hasOutput("c-old")).isFalse();
		assertThat(hasOutput("orphan")).isFalse();
		assertThat(hasOutput("c-new")).isTrue();

		run("config", "set", "retention-dead", "0").ok();
		assertThat(run("prune", "--state", "dead").ok().out()).contains("kept (retention 0)");
		assertThat(run("prune", "--state", "dead", "--older-than", "1d").ok().out()).contains("1 job(s) removed");
		assertThat(jobIds()).containsExactly("c-new", live);
		run("prune", "--state", "pending").usageError("--state must be completed, dead or canceled");
		run("prune", "--older-than", "0").usageError("--older-than");
		run("config", "set", "retention-completed", "forever").usageError("retention-completed");
	}

	@Test
	void pruningManyJobsGoesInBatchesAndStatusShowsSizes() {
		this.jdbc.update("""
				WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2600)
				INSERT INTO jobs (id, command, state, max_retries, run_at, working_dir, created_at, updated_at)
				SELECT 'old-' || i, 'true', 'completed', 0, i, '/', i, i FROM n""");
		assertThat(run("prune").ok().out()).contains("2600 job(s) removed");
		assertThat(jobCount()).isZero();
		if (!this.database.isPostgres()) { // PostgreSQL: the server's autovacuum
			// pages freed by the prune stay in the file, for the next jobs: auto_vacuum cost the claim 10%
			assertThat(this.maintenance.incrementalVacuum()).as("auto_vacuum is left NONE").isFalse();
		}
		Result status = run("status").ok();
		assertThat(status.out()).containsPattern("database [0-9.]+ [KM]?i?B \\(.* free for reuse\\), WAL [0-9.]+ .*, output ");
		var json = run("status", "--json").ok().json();
		assertThat(json.get("storage").get("database_bytes").asLong()).isPositive();
	}
}
