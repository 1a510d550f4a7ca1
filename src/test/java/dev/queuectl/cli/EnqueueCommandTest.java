package dev.queuectl.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import dev.queuectl.service.Settings;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** enqueue: what is printed and what is stored, one job at a time and in bulk. */
class EnqueueCommandTest extends CommandTestSupport {

	@Autowired
	Settings settings;

	@Autowired
	dev.queuectl.service.JobService jobs;

	private Map<String, Object> row(String id) {
		return this.jdbc.queryForMap("SELECT * FROM jobs WHERE id = ?", id);
	}

	/** A numeric column as a Long (SQLite hands back Integer or Long depending on the value). */
	private Long number(String id, String column) {
		return this.jdbc.queryForObject("SELECT " + column + " FROM jobs WHERE id = ?", Long.class, id);
	}

	private long millis(Instant instant) {
		return instant.toEpochMilli();
	}

	@Test
	void printsTheGivenIdAndStoresThePendingJob() {
		Result r = run("enqueue", "{\"id\":\"job-1\",\"command\":\"echo hi\"}").ok();

		assertThat(r.out()).isEqualTo("job-1\n");
		Map<String, Object> row = row("job-1");
		assertThat(row).containsEntry("command", "echo hi")
			.containsEntry("state", "pending")
			.containsEntry("queue", "default")
			.containsEntry("priority", 0)
			.containsEntry("attempts", 0)
			.containsEntry("working_dir", this.workDir.toString());
		assertThat(row.get("timeout_ms")).isNull();
		assertDue(number("job-1", "run_at"), START);
		assertThat(number("job-1", "created_at")).isEqualTo(millis(START));
		assertThat(number("job-1", "updated_at")).isEqualTo(millis(START));
		assertThat(jobCount()).isEqualTo(1);
	}

	@Test
	void generatesADistinctIdWhenNoneIsGiven() {
		String first = enqueue("{\"command\":\"echo one\"}");
		String second = enqueue("{\"command\":\"echo two\",\"id\":null}");

		assertThat(first).matches("[A-Za-z0-9._:-]{1,128}").isNotEqualTo(second);
		assertThat(row(first)).containsEntry("command", "echo one");
		assertThat(row(second)).containsEntry("command", "echo two");
	}

	@Test
	void storesEveryFieldTheJobNames() {
		enqueue("""
				{"id":"full","command":"make -C build  all","priority":-7,"queue":"emails.v2","max_retries":9,
				 "timeout":"10m"}""");

		Map<String, Object> row = row("full");
		assertThat(row).containsEntry("command", "make -C build  all")
			.containsEntry("priority", -7)
			.containsEntry("queue", "emails.v2")
			.containsEntry("max_retries", 9);
		assertThat(number("full", "timeout_ms")).isEqualTo(Duration.ofMinutes(10).toMillis());
	}

	@Test
	void acceptsTheLimitsOfEachRange() {
		String longId = "x".repeat(128);
		enqueue("{\"id\":\"" + longId + "\",\"command\":\"true\",\"max_retries\":0,\"priority\":" + Integer.MIN_VALUE + "}");
		enqueue("{\"id\":\"a.B_9:-\",\"command\":\"true\",\"max_retries\":100,\"priority\":" + Integer.MAX_VALUE + "}");

		assertThat(row(longId)).containsEntry("max_retries", 0).containsEntry("priority", Integer.MIN_VALUE);
		assertThat(row("a.B_9:-")).containsEntry("max_retries", 100).containsEntry("priority", Integer.MAX_VALUE);
	}

	@Test
	void maxRetriesDefaultsToTheConfiguredValue() {
		int configured = this.settings.snapshot().maxRetries();
		enqueue("{\"id\":\"before\",\"command\":\"true\"}");
		assertThat(row("before")).containsEntry("max_retries", configured);

		int changed = configured == 7 ? 8 : 7;
		run("config", "set", "max-retries", Integer.toString(changed)).ok();
		enqueue("{\"id\":\"after\",\"command\":\"true\"}");
		enqueue("{\"id\":\"explicit\",\"command\":\"true\",\"max_retries\":1}");

		assertThat(row("after")).containsEntry("max_retries", changed);
		assertThat(row("explicit")).containsEntry("max_retries", 1);
		assertThat(row("before")).as("a stored job keeps its value").containsEntry("max_retries", configured);
	}

	@Test
	void delayIsCountedFromNow() {
		this.clock.advance(Duration.ofSeconds(42));
		Instant now = this.clock.instant();
		enqueue("{\"id\":\"d-text\",\"command\":\"true\",\"delay\":\"5m\"}");
		enqueue("{\"id\":\"d-number\",\"command\":\"true\",\"delay\":90}");
		enqueue("{\"id\":\"d-ms\",\"command\":\"true\",\"delay\":\"1500ms\"}");
		enqueue("{\"id\":\"d-zero\",\"command\":\"true\",\"delay\":\"0s\"}");

		assertDue(number("d-text", "run_at"), now.plus(Duration.ofMinutes(5)));
		assertDue(number("d-number", "run_at"), now.plusSeconds(90));
		assertDue(number("d-ms", "run_at"), now.plusMillis(1500));
		assertDue(number("d-zero", "run_at"), now);
		assertThat(number("d-text", "created_at")).isEqualTo(millis(now));
	}

	@Test
	void runAtIsStoredAsTheInstantItNames() {
		enqueue("{\"id\":\"r-offset\",\"command\":\"true\",\"run_at\":\"2032-01-31T09:00:00+02:00\"}");
		enqueue("{\"id\":\"r-zulu\",\"command\":\"true\",\"run_at\":\"2020-06-01T00:00:00.250Z\"}");

		assertThat(number("r-offset", "run_at")).isEqualTo(millis(Instant.parse("2032-01-31T07:00:00Z")));
		assertThat(number("r-zulu", "run_at")).isEqualTo(millis(Instant.parse("2020-06-01T00:00:00.250Z")));
	}

	@Test
	void nullDelayAndTimeoutMeanNotGivenLikeEveryOptionalField() {
		enqueue("{\"id\":\"nulls\",\"command\":\"true\",\"delay\":null,\"timeout\":null,\"queue\":null}");
		assertThat(this.jdbc.queryForMap("SELECT run_at, created_at, timeout_ms, queue FROM jobs WHERE id = 'nulls'"))
			.satisfies(row -> {
				assertDue(((Number) row.get("run_at")).longValue(), Instant.ofEpochMilli(((Number) row.get("created_at")).longValue()));
				assertThat(row.get("timeout_ms")).isNull();
				assertThat(row.get("queue")).isEqualTo("default");
			});
	}

	@Test
	void timeoutAcceptsTextAndSeconds() {
		enqueue("{\"id\":\"t-text\",\"command\":\"true\",\"timeout\":\"2h\"}");
		enqueue("{\"id\":\"t-number\",\"command\":\"true\",\"timeout\":45}");

		assertThat(number("t-text", "timeout_ms")).isEqualTo(Duration.ofHours(2).toMillis());
		assertThat(number("t-number", "timeout_ms")).isEqualTo(45_000L);
	}

	@Test
	void workingDirIsTheInvokersDirectory() throws IOException {
		String id = enqueue("{\"command\":\"pwd\"}");
		assertThat(row(id)).containsEntry("working_dir", this.workDir.toString());

		this.workDir = Files.createDirectory(this.workDir.resolve("elsewhere"));
		String other = enqueue("{\"command\":\"pwd\"}");
		assertThat(row(other)).containsEntry("working_dir", this.workDir.toString());
	}

	@Test
	void fileWithAJsonArray() throws IOException {
		Files.writeString(this.workDir.resolve("jobs.json"), """
				[
				  {"id":"a1","command":"echo 1"},
				  {"id":"a2","command":"echo 2","priority":5},
				  {"command":"echo 3","queue":"q3"}
				]
				""");

		Result r = run("enqueue", "--file", "jobs.json").ok();

		assertThat(r.outLines()).hasSize(3).startsWith("a1", "a2");
		assertThat(r.outLines().get(2)).isEqualTo(this.jdbc.queryForObject("SELECT id FROM jobs WHERE queue = 'q3'", String.class));
		assertThat(jobCount()).isEqualTo(3);
		assertThat(row("a2")).containsEntry("priority", 5).containsEntry("working_dir", this.workDir.toString());
		assertThat(this.jdbc.queryForObject("SELECT command FROM jobs WHERE queue = 'q3'", String.class))
			.isEqualTo("echo 3");
	}

	@Test
	void fileWithJsonLinesByShortOptionAndAbsolutePath() throws IOException {
		Path file = Files.writeString(this.workDir.resolve("jobs.jsonl"), """
				{"id":"l1","command":"echo 1"}

				{"id":"l2","command":"echo 2","delay":"1m"}
				   \t
				{"id":"l3","command":"echo 3"}""");

		Result r = run("enqueue", "-f", file.toAbsolutePath().toString()).ok();

		assertThat(r.out()).isEqualTo("l1\nl2\nl3\n");
		assertThat(jobCount()).isEqualTo(3);
		assertDue(number("l2", "run_at"), START.plusSeconds(60));
	}

	@Test
	void fileOptionWithEqualsSign() throws IOException {
		Files.writeString(this.workDir.resolve("one.jsonl"), "{\"id\":\"eq\",\"command\":\"true\"}\n");

		assertThat(run("enqueue", "--file=one.jsonl").ok().out()).isEqualTo("eq\n");
		assertThat(row("eq")).containsEntry("command", "true");
	}

	@Test
	void stdinWithJsonLines() {
		String input = "{\"id\":\"s1\",\"command\":\"echo 1\"}\n{\"id\":\"s2\",\"command\":\"echo 2\"}\n";

		Result r = runWithStdin(input, "enqueue", "-").ok();

		assertThat(r.out()).isEqualTo("s1\ns2\n");
		assertThat(row("s1")).containsEntry("working_dir", this.workDir.toString());
		assertThat(row("s2")).containsEntry("command", "echo 2");
	}

	@Test
	void stdinWithAJsonArray() {
		Result r = runWithStdin("  \n [{\"id\":\"sa1\",\"command\":\"x\"},{\"id\":\"sa2\",\"command\":\"y\"}]", "enqueue",
				"-").ok();

		assertThat(r.out()).isEqualTo("sa1\nsa2\n");
		assertThat(jobCount()).isEqualTo(2);
	}

	@Test
	void aBatchPrintsTheIdsItStoredOneALineAndItsJsonListsThem() {
		String holder = enqueue("{\"id\":\"holder\",\"command\":\"true\",\"unique_key\":\"k\"}");
		String input = "{\"id\":\"i1\",\"command\":\"true\"}\n{\"command\":\"true\"}\n"
				+ "{\"id\":\"i3\",\"command\":\"true\",\"unique_key\":\"k\"}\n{\"id\":\"i4\",\"command\":\"true\"}\n";

		Result text = runWithStdin(input, "enqueue", "-");

		assertThat(text.code()).isZero();
		String generated = this.jdbc.queryForObject("SELECT id FROM jobs WHERE id NOT IN ('holder', 'i1', 'i4')", String.class);
		assertThat(text.outLines()).containsExactly("i1", generated, "i4");
		assertThat(text.errLines()).containsExactly("queuectl: line 3: not stored: job " + holder + " holds unique_key 'k'");

		Result json = runWithStdin("[{\"id\":\"j1\",\"command\":\"true\"},{\"id\":\"j2\",\"command\":\"true\",\"unique_key\":\"k\"},"
				+ "{\"id\":\"j3\",\"command\":\"true\"}]", "enqueue", "-", "--json");
		assertThat(json.code()).isZero();
		assertThat(json.json().get("stored").intValue()).isEqualTo(2);
		assertThat(json.json().get("ids").toString()).isEqualTo("[\"j1\",\"j3\"]");
		assertThat(json.json().get("duplicates").get(0).get("id").asString()).isEqualTo("j2");
	}

	@Test
	void emptyBulkInputEnqueuesNothing() throws IOException {
		assertThat(runWithStdin("", "enqueue", "-").ok().out()).isEmpty();
		Files.writeString(this.workDir.resolve("empty.json"), "[]");
		assertThat(run("enqueue", "--file", "empty.json").ok().out()).isEmpty();
		assertThat(run("enqueue", "--file", "empty.json", "--json").ok().json().get("stored").intValue()).isZero();
		assertThat(jobCount()).isZero();
	}

	@Test
	void aHundredThousandJsonLines() throws IOException {
		int n = 100_000;
		Path file = this.workDir.resolve("many.jsonl");
		Files.write(file, IntStream.rangeClosed(1, n)
			.mapToObj(i -> "{\"id\":\"bulk-" + i + "\",\"command\":\"echo " + i + "\",\"priority\":" + (i % 10) + "}")
			.toList(), StandardCharsets.UTF_8);

		Result r = run("enqueue", "--file", "many.jsonl").ok();

		assertThat(r.outLines()).hasSize(n).startsWith("bulk-1", "bulk-2").endsWith("bulk-" + n);
		assertThat(jobCount()).isEqualTo(n);
		assertThat(row("bulk-" + n)).containsEntry("command", "echo " + n).containsEntry("priority", n % 10);
	}

	/** JSON Lines from 1 to n, each job {@code b<i>} unless {@code line} says otherwise for its number. */
	private Path lines(String name, int n, java.util.function.IntFunction<String> line) throws IOException {
		return Files.write(this.workDir.resolve(name), IntStream.rangeClosed(1, n).mapToObj(i -> {
			String special = line.apply(i);
			return special != null ? special : "{\"id\":\"b" + i + "\",\"command\":\"true\"}";
		}).toList(), StandardCharsets.UTF_8);
	}

	@Test
	void aBadLastLineOfABigFileStoresNothingThoughEarlierChunksWereStoredWhileItWasParsed() throws IOException {
		int n = 30_000;
		lines("big.jsonl", n, i -> i == n ? "{\"id\":\"last\",\"command\":\"true\",\"priority\":\"high\"}" : null);

		run("enqueue", "--file", "big.jsonl").usageError("line " + n + ": field 'priority'");

		assertThat(jobCount()).isZero();
		assertThat(run("status", "--json").ok().json().get("jobs").get("pending").intValue()).isZero();
	}

	@Test
	void aUniqueKeyHeldByALiveJobInTheMiddleOfAChunkIsReportedWithItsLine() throws IOException {
		String holder = enqueue("{\"id\":\"holder\",\"command\":\"true\",\"unique_key\":\"k\"}");
		lines("keys.jsonl", 5000, i -> i == 2050 ? "{\"id\":\"taken\",\"command\":\"true\",\"unique_key\":\"k\"}" : null);

		Result r = run("enqueue", "--file", "keys.jsonl");

		assertThat(r.code()).isZero();
		assertThat(r.outLines()).hasSize(4999).doesNotContain("taken", holder).contains("b2049", "b2051");
		assertThat(r.errLines()).containsExactly("queuectl: line 2050: not stored: job " + holder + " holds unique_key 'k'");
		assertThat(jobCount()).isEqualTo(5000);
		assertThat(this.jdbc.queryForList("SELECT id FROM jobs WHERE id = 'taken'")).isEmpty();
		assertThat(run("status", "--json").ok().json().get("jobs").get("pending").intValue()).isEqualTo(5000);
	}

	@Test
	void aJobAfterOthersPastTheChunksStoredWhileParsingWaitsForThem() throws IOException {
		lines("deps.jsonl", 4000, i -> i == 3500 ? "{\"id\":\"late\",\"command\":\"true\",\"after\":[\"b1\",\"b3400\"]}"
				: i == 3600 ? "{\"id\":\"later\",\"command\":\"true\",\"after\":\"late\"}" : null);

		assertThat(run("enqueue", "--file", "deps.jsonl").ok().outLines()).hasSize(4000).contains("late", "later");

		assertThat(row("late")).containsEntry("state", "waiting");
		assertThat(row("later")).containsEntry("state", "waiting");
		assertThat(row("b3601")).containsEntry("state", "pending");
		assertThat(this.jobs.dependencies("late")).containsExactly("b1", "b3400");
	}

	@Test
	void aJobAfterALaterLineOfABigFileIsRefusedAndNothingIsStored() throws IOException {
		lines("order.jsonl", 3000, i -> i == 2500 ? "{\"id\":\"early\",\"command\":\"true\",\"after\":\"b2999\"}" : null);

		run("enqueue", "--file", "order.jsonl").usageError("line 2500: field 'after' names unknown job 'b2999' (it must come earlier in the input)");

		assertThat(jobCount()).isZero();
	}

	@Test
	void aDuplicateIdInABigFileIsRefusedAtItsSecondLine() throws IOException {
		lines("twice.jsonl", 3000, i -> i == 2999 ? "{\"id\":\"b7\",\"command\":\"true\"}" : null);

		run("enqueue", "--file", "twice.jsonl").usageError("line 2999: duplicate id 'b7' in the input");

		assertThat(jobCount()).isZero();
	}

	@Test
	void aBulkEnqueueKeepsTheCountersExactStoredOrRefusedAndSingleEnqueuesAfterItAreCountedToo() throws IOException {
		enqueue("{\"id\":\"holder\",\"command\":\"true\",\"unique_key\":\"k\",\"queue\":\"q1\"}");
		// queues, priorities and states that change within a statement's rows, a held key, a job that waits
		lines("mixed.jsonl", 5000, i -> i == 1500 ? "{\"id\":\"taken\",\"command\":\"true\",\"unique_key\":\"k\"}"
				: i == 4000 ? "{\"id\":\"late\",\"command\":\"true\",\"queue\":\"q2\",\"after\":\"b3\"}"
				: "{\"id\":\"b" + i + "\",\"command\":\"true\",\"queue\":\"q" + (i / 700 % 3) + "\",\"priority\":" + (i % 500 == 0 ? 1 : 0) + "}");
		lines("refused.jsonl", 3000, i -> i == 3000 ? "{\"command\":\"\"}" : "{\"id\":\"r" + i + "\",\"command\":\"true\"}");

		Result stored = run("enqueue", "--file", "mixed.jsonl");
		run("enqueue", "--file", "refused.jsonl").usageError("line 3000: field 'command' must not be empty");
		enqueue("{\"id\":\"single\",\"command\":\"true\",\"queue\":\"q2\"}");

		assertThat(stored.code()).isZero();
		assertThat(stored.outLines()).hasSize(4999);
		Map<String, Long> grouped = counted("SELECT queue, state, COUNT(*) FROM jobs GROUP BY queue, state");
		assertThat(grouped).containsEntry("q2/waiting", 1L).containsEntry("q1/pending", 1L + 700 + 700 + 101);
		assertThat(counted("SELECT queue, state, SUM(n) FROM job_counts GROUP BY queue, state HAVING SUM(n) <> 0"))
			.isEqualTo(grouped);
	}

	private Map<String, Long> counted(String sql) {
		Map<String, Long> m = new java.util.TreeMap<>();
		this.jdbc.query(sql, rs -> {
			m.put(rs.getString(1) + "/" + rs.getString(2), rs.getLong(3));
		});
		return m;
	}

	@Test
	void generatedIdsInBulkAreUnique() {
		String input = IntStream.range(0, 2000).mapToObj(i -> "{\"command\":\"echo " + i + "\"}").collect(Collectors.joining("\n"));

		List<String> printed = runWithStdin(input, "enqueue", "-").ok().outLines();

		List<String> ids = this.jdbc.queryForList("SELECT id FROM jobs", String.class);
		Set<String> distinct = new HashSet<>(ids);
		assertThat(distinct).hasSize(2000);
		assertThat(printed).hasSize(2000).containsExactlyInAnyOrderElementsOf(ids);
	}

	@Test
	void concurrentSingleEnqueuesAreEachAnsweredOnTheirOwnWhateverTheirNeighboursDo() throws Exception {
		// 16 callers at once, as HTTP requests come: group commit stores what waits together, and a
		// taken id or unique key in a group answers that caller alone
		java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(16);
		List<java.util.concurrent.Future<Object>> answers = new java.util.ArrayList<>();
		try {
			for (int i = 0; i < 400; i++) {
				String json = i % 50 == 0 ? "{\"id\":\"same\",\"command\":\"true\"}"
						: i % 50 == 1 ? "{\"id\":\"uk-" + i + "\",\"command\":\"true\",\"unique_key\":\"k\"}"
								: "{\"id\":\"c-" + i + "\",\"command\":\"echo " + i + "\"}";
				answers.add(callers.submit(() -> {
					try {
						return this.jobs.enqueue(json, this.workDir.toString());
					}
					catch (dev.queuectl.config.QueuectlException ex) {
						return ex;
					}
				}));
			}
			int storedSame = 0;
			int refusedSame = 0;
			int storedKey = 0;
			Set<String> keyHolders = new HashSet<>();
			for (int i = 0; i < 400; i++) {
				Object answer = answers.get(i).get(60, java.util.concurrent.TimeUnit.SECONDS);
				if (i % 50 == 0) {
					if (answer instanceof dev.queuectl.config.QueuectlException ex) {
						assertThat(ex).isInstanceOf(dev.queuectl.config.QueuectlException.Conflict.class)
							.hasMessage("a job with id 'same' already exists");
						refusedSame++;
					}
					else {
						storedSame++;
					}
				}
				else if (i % 50 == 1) {
					dev.queuectl.service.JobService.Enqueued e = (dev.queuectl.service.JobService.Enqueued) answer;
					storedKey += e.stored();
					keyHolders.add(e.firstId());
				}
				else {
					assertThat(answer).isInstanceOfSatisfying(dev.queuectl.service.JobService.Enqueued.class,
							e -> assertThat(e.stored()).isOne());
				}
			}
			assertThat(storedSame).isOne();
			assertThat(refusedSame).isEqualTo(7);
			assertThat(storedKey).isOne();
			assertThat(keyHolders).hasSize(1); // the duplicates name the one job that holds the key
			assertThat(jobCount()).isEqualTo(400 - 8 - 8 + 2);
			assertThat(row("c-399")).containsEntry("command", "echo 399");
		}
		finally {
			callers.shutdownNow();
		}
	}
}
