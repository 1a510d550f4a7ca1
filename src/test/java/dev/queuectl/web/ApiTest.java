package dev.queuectl.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Every /api endpoint over real HTTP: results, the CLI's errors with their statuses, and the guards. */
class ApiTest extends WebTestSupport {

	private void assertProblem(HttpResponse<String> r, int status, String detail) {
		assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
		assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith(Problems.TYPE));
		assertThat(json(r).get("detail").asString()).isEqualTo(detail);
	}

	@Test
	void enqueueOneShowAndList() throws Exception {
		HttpResponse<String> r = post("/api/jobs", "application/json", "{\"id\":\"a1\",\"command\":\"echo hi\",\"queue\":\"mail\"}");
		assertThat(r.statusCode()).isEqualTo(201);
		assertThat(r.headers().firstValue("Location")).hasValue("/api/jobs/a1");
		assertThat(json(r).get("id").asString()).isEqualTo("a1");
		assertThat(state("a1")).isEqualTo("pending");

		JsonNode job = json(get("/api/jobs/a1"));
		assertThat(job.get("command").asString()).isEqualTo("echo hi");
		assertThat(job.get("queue").asString()).isEqualTo("mail");
		assertThat(job.get("runs").size()).isZero();

		enqueue("{\"id\":\"b1\",\"command\":\"true\"}");
		JsonNode list = json(get("/api/jobs?queue=mail"));
		assertThat(list.get("jobs").size()).isEqualTo(1);
		assertThat(json(get("/api/jobs?state=pending")).get("jobs").size()).isEqualTo(2);
		assertThat(json(get("/api/jobs?q=echo")).get("jobs").get(0).get("id").asString()).isEqualTo("a1");
		assertThat(json(get("/api/jobs?state=dead")).get("jobs").size()).isZero();
	}

	@Test
	void aJobAskingResourcesShowsThemAndWhyNoLiveHostCouldRunIt() throws Exception {
		HttpResponse<String> r = post("/api/jobs", "application/json",
				"{\"id\":\"g1\",\"command\":\"./train.sh\",\"resources\":{\"gpu\":1,\"mem\":\"16G\"},\"slots\":2}");
		assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
		JsonNode job = json(get("/api/jobs/g1"));
		assertThat(job.get("resources").get("gpu").asInt()).isEqualTo(1);
		assertThat(job.get("resources").get("mem").asLong()).isEqualTo(16L << 30);
		assertThat(job.get("slots").asInt()).isEqualTo(2);
		assertThat(job.get("waiting").get(0).asString()).startsWith("no live host");
		assertThat(json(get("/api/status")).get("no_host").properties()).isNotEmpty();
		assertProblem(post("/api/jobs", "application/json", "{\"command\":\"x\",\"resources\":{\"mem\":\"16GB\"}}"), 400,
				"field 'resources': 'mem' unknown suffix 'GB' (K, M, G or T: powers of 1024)");
		assertThat(json(get("/api/jobs?state=pending")).get("jobs").size()).isEqualTo(1);
		// the dashboard's job page says the same, and the hosts view has a resources column
		String page = get("/jobs/g1").body();
		assertThat(page).contains("gpu=1,mem=16G", "no live host");
		assertThat(get("/").body()).contains("<th>resources</th>");
	}

	@Test
	void aJobsDeadlineAndRetryRuleAreFieldsOfTheApiAndOfItsPageAndBadOnesAreA400() throws Exception {
		String by = java.time.Instant.now().plus(java.time.Duration.ofDays(400)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
			.toString();
		HttpResponse<String> r = post("/api/jobs", "application/json",
				"{\"id\":\"dl\",\"command\":\"true\",\"start_by\":\"" + by + "\",\"no_retry_on\":[64,2,\"timeout\"]}");
		assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
		JsonNode job = json(get("/api/jobs/dl"));
		assertThat(job.get("start_by").asString()).isEqualTo(by);
		assertThat(job.get("no_retry_on").toString()).isEqualTo("[2,64,\"timeout\"]");
		assertThat(job.get("retry_on").isNull()).isTrue();
		String page = get("/jobs/dl").body();
		assertThat(page).contains("data-field=\"start_by\"", by, "data-field=\"no_retry_on\"", "[2, 64, timeout]");

		assertProblem(post("/api/jobs", "application/json", "{\"command\":\"x\",\"retry_on\":[1],\"no_retry_on\":[2]}"), 400,
				"give either 'retry_on' or 'no_retry_on', not both");
		assertProblem(post("/api/jobs", "application/json", "{\"command\":\"x\",\"start_by\":\"2001-01-01T00:00:00Z\"}"), 400,
				"field 'start_by' is in the past (2001-01-01T00:00:00Z): the job could never start");
		assertThat(state("dl")).isEqualTo("pending");
	}

	@Test
	void badInputIsA400WithTheCliLine() throws Exception {
		assertProblem(post("/api/jobs", "application/json", "{\"id\":\"x\"}"), 400, "field 'command' is required");
		assertProblem(post("/api/jobs", "application/json", "not json"), 400,
				json(post("/api/jobs", "application/json", "not json")).get("detail").asString());
		assertThat(json(post("/api/jobs", "application/json", "not json")).get("detail").asString()).doesNotContain("Exception");
		assertProblem(get("/api/jobs?state=nope"), 400,
				"unknown state 'nope' (expected one of: pending, waiting, processing, canceling, completed, failed, dead, canceled)");
		assertProblem(get("/api/jobs?limit=0"), 400, "--limit must be from 1 to 1000, got 0");
		assertProblem(get("/api/jobs?limit=x"), 400, "option --limit expects an integer, got 'x'");
		assertProblem(get("/api/jobs?after=garbage"), 400, "after must be the 'next' of a page before, got 'garbage'");
		assertProblem(post("/api/jobs", "text/plain", "{}"), 400,
				"send one job as application/json, or many as application/x-ndjson (JSON Lines)");
		enqueue("{\"id\":\"dup\",\"command\":\"true\"}");
		assertProblem(post("/api/jobs", "application/json", "{\"id\":\"dup\",\"command\":\"true\"}"), 409,
				"a job with id 'dup' already exists");
		assertProblem(post("/api/jobs/dup/retry"), 409, "job dup is pending, not dead");
		assertProblem(post("/api/queues/bad%20name/pause"), 400,
				"a queue name is 1-64 characters of A-Z a-z 0-9 . _ : -, got 'bad name'");
		assertProblem(post("/api/queues/mail/limit?limit=-3"), 400,
				"a queue limit is a number of jobs from 1 to 100000, or 0 or none for no limit; got '-3'");
		assertProblem(post("/api/queues/mail/limit"), 400,
				"queue limit needs a queue and a number (0 or none removes the limit)");
	}

	@Test
	void aStateIsMatchedExactlyAndMalformedJsonIsToldInOurWords() throws Exception {
		assertProblem(get("/api/jobs?state=PENDING%20"), 400,
				"unknown state 'PENDING ' (expected one of: pending, waiting, processing, canceling, completed, failed, dead, canceled)");
		assertProblem(get("/api/jobs?state=Pending"), 400,
				"unknown state 'Pending' (expected one of: pending, waiting, processing, canceling, completed, failed, dead, canceled)");
		assertProblem(post("/api/jobs", "application/json", "{\"command\":\"a\"} {\"command\":\"b\"}"), 400,
				"malformed JSON at line 1, column 17: more text after the JSON value");
		assertProblem(post("/api/jobs", "application/json", "{\"command\":\"x\",\"a\":" + "[".repeat(1_000) + "]".repeat(1_000) + "}"),
				400, "malformed JSON: arrays or objects nested too deeply");
		assertProblem(post("/api/jobs", "application/json", "{\"id\":\"-x\",\"command\":\"true\"}"), 400,
				"field 'id' must be 1-128 characters of A-Z a-z 0-9 . _ : - and not start with a dot or a dash");
		assertProblem(post("/api/schedules", "application/json", "{\"name\":\"-n\",\"every\":\"5m\",\"job\":{\"command\":\"true\"}}"),
				400, "a schedule name must be 1-64 characters of A-Z a-z 0-9 . _ - and not start with a dot or a dash, got '-n'");
	}

	@Test
	void concurrentEnqueuesAreAnsweredEachOnItsOwnAndADuplicateIdGetsA409() throws Exception {
		List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
		for (int i = 0; i < 120; i++) {
			String body = i % 30 == 7 ? "{\"id\":\"twice\",\"command\":\"true\"}" : "{\"id\":\"p" + i + "\",\"command\":\"true\"}";
			sent.add(this.http.sendAsync(request("/api/jobs")
				.header(WebAccess.CSRF_HEADER, this.access.csrf())
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(body))
				.build(), HttpResponse.BodyHandlers.ofString()));
		}
		int created = 0;
		int conflicts = 0;
		for (int i = 0; i < 120; i++) {
			HttpResponse<String> r = sent.get(i).get(60, java.util.concurrent.TimeUnit.SECONDS);
			if (i % 30 != 7) {
				assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
				assertThat(json(r).get("id").asString()).isEqualTo("p" + i);
			}
			else if (r.statusCode() == 201) {
				created++;
			}
			else {
				assertProblem(r, 409, "a job with id 'twice' already exists");
				conflicts++;
			}
		}
		assertThat(created).isOne();
		assertThat(conflicts).isEqualTo(3);
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM jobs", Long.class)).isEqualTo(117);
	}

	@Test
	void runNowMakesADelayedJobDueAndStatsGiveRunTimePercentiles() throws Exception {
		post("/api/jobs", "application/json", "{\"id\":\"later\",\"command\":\"true\",\"delay\":\"1h\"}");
		long before = this.jdbc.queryForObject("SELECT run_at FROM jobs WHERE id = 'later'", Long.class);
		HttpResponse<String> r = post("/api/jobs/later/run-now");
		assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
		assertThat(this.jdbc.queryForObject("SELECT run_at FROM jobs WHERE id = 'later'", Long.class)).isLessThan(before);
		assertProblem(post("/api/jobs/nope/run-now"), 404, "no such job: nope");
		this.jdbc.update("UPDATE jobs SET state = 'completed' WHERE id = 'later'");
		assertProblem(post("/api/jobs/later/run-now"), 409, "job later is completed: only a pending or failed job can be run now");

		long now = System.currentTimeMillis();
		for (int i = 1; i <= 100; i++) {
			this.jdbc.update("""
					INSERT INTO job_runs (job_id, attempt, started_at, finished_at, duration_ms, outcome)
					VALUES ('later', ?, ?, ?, ?, 'completed')""", i, now - i, now, i * 10);
		}
		JsonNode d = json(get("/api/stats")).get("durations");
		assertThat(d.get("attempts").asInt()).isEqualTo(100);
		assertThat(d.get("p50_ms").asLong()).isEqualTo(500);
		assertThat(d.get("p95_ms").asLong()).isEqualTo(950);
		assertThat(d.get("p99_ms").asLong()).isEqualTo(990);
	}

	@Test
	void aRunningJobsPageAndApiShowTheAttemptUnderWay() throws Exception {
		enqueue("{\"id\":\"busy\",\"command\":\"sleep 600\"}");
		this.jdbc.update("UPDATE jobs SET state = 'processing', attempts = 1, worker_id = 'host-b', started_at = ? WHERE id = 'busy'",
				System.currentTimeMillis() - 134_000);
		JsonNode running = json(get("/api/jobs/busy")).get("running");
		assertThat(running.get("attempt").asInt()).isEqualTo(1);
		assertThat(running.get("worker_id").asString()).isEqualTo("host-b");
		assertThat(running.get("duration_ms").asLong()).isGreaterThanOrEqualTo(134_000);
		String page = get("/jobs/busy").body();
		assertThat(page).doesNotContain("no attempts yet").contains("host-b", "<td>running</td>").containsPattern("2m1\\ds so far");
	}

	@Test
	void statsCountAttemptsSoAJobThatFailedTwiceThenCompletedShowsTwoFailures() throws Exception {
		enqueue("{\"id\":\"flaky\",\"command\":\"./flaky.sh\",\"max_retries\":3}");
		this.jdbc.update("UPDATE jobs SET state = 'completed', attempts = 3 WHERE id = 'flaky'");
		long now = System.currentTimeMillis();
		List<Object[]> runs = new ArrayList<>();
		for (int i = 0; i < 10; i++) { // two hours ago: not counted
			runs.add(new Object[] { i + 1, now - 7_200_000, "failed" });
		}
		runs.add(new Object[] { 11, now - 120_000, "failed" });
		runs.add(new Object[] { 12, now - 60_000, "timeout" });
		runs.add(new Object[] { 13, now - 1_000, "canceled" });
		for (int i = 0; i < 1_500; i++) { // more than a page of the runs read
			runs.add(new Object[] { 14 + i, now, "completed" });
		}
		this.jdbc.batchUpdate("""
				INSERT INTO job_runs (job_id, attempt, started_at, finished_at, duration_ms, outcome)
				VALUES ('flaky', ?, ?, ?, 1, ?)""", runs.stream().map(r -> new Object[] { r[0], r[1], r[1], r[2] }).toList());

		long completed = 0;
		long failed = 0;
		for (JsonNode minute : json(get("/api/stats")).get("per_minute")) {
			completed += minute.get("completed").asLong();
			failed += minute.get("failed").asLong();
		}
		assertThat(completed).isEqualTo(1_500);
		assertThat(failed).as("the failed and timed-out attempts of the hour, though the job completed").isEqualTo(2);
		assertThat(get("/chart.svg").body()).contains("Attempts completed and failed per minute");
		assertThat(get("/").body()).contains("Attempts completed and failed per minute");
	}

	@Test
	void unknownIdsAre404() throws Exception {
		assertProblem(get("/api/jobs/nope"), 404, "no such job: nope");
		assertProblem(get("/api/jobs/nope/output"), 404, "no such job: nope");
		assertProblem(post("/api/jobs/nope/retry"), 404, "no such job: nope");
		assertProblem(post("/api/jobs/nope/cancel"), 404, "no such job: nope");
		HttpResponse<String> schedule = get("/api/schedules/nope");
		assertThat(schedule.statusCode()).isEqualTo(404);
		assertThat(json(schedule).get("detail").asString()).contains("nope");
	}

	@Test
	void unknownPathsAndMethodsAreAnsweredInOneLine() throws Exception {
		assertProblem(get("/api/nope"), 404, "no such endpoint: GET /api/nope");
		assertProblem(get("/api/jobs/a/retry"), 405, "GET is not allowed on /api/jobs/a/retry (use POST)");
		HttpResponse<String> page = get("/nope");
		assertThat(page.statusCode()).isEqualTo(404);
		assertThat(page.body()).isEqualTo("no such page: GET /nope\n");
	}

	@Test
	void schedulesAddListPauseResumeRunAndRemoveAsTheCommandsDo() throws Exception {
		HttpResponse<String> added = post("/api/schedules", "application/json",
				"{\"name\":\"nightly\",\"cron\":\"30 2 * * *\",\"tz\":\"UTC\",\"job\":{\"command\":\"./backup.sh\"}}");
		assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
		assertThat(added.headers().firstValue("Location")).hasValue("/api/schedules/nightly");
		assertThat(json(added).get("cron").asString()).isEqualTo("30 2 * * *");
		assertThat(json(added).get("next").size()).isEqualTo(3);
		assertThat(json(added).get("next").get(0).asString()).endsWith("T02:30:00Z");
		HttpResponse<String> poll = post("/api/schedules", "application/json",
				"{\"name\":\"poll\",\"every\":\"5m\",\"no_overlap\":true,\"job\":\"{\\\"command\\\":\\\"true\\\"}\"}");
		assertThat(poll.statusCode()).as(poll.body()).isEqualTo(201);
		assertThat(json(poll).get("every").asString()).isEqualTo("5m");
		assertThat(json(poll).get("no_overlap").asBoolean()).isTrue();
		assertThat(json(get("/api/schedules"))).extracting(n -> n.get("name").asString()).containsExactlyInAnyOrder("nightly", "poll");

		// the commands' checks and lines
		assertProblem(post("/api/schedules", "application/json", "{\"name\":\"nightly\",\"every\":\"1h\",\"job\":{\"command\":\"true\"}}"),
				409, "a schedule named 'nightly' already exists");
		assertProblem(post("/api/schedules", "application/json",
				"{\"name\":\"x\",\"cron\":\"@daily\",\"every\":\"1h\",\"job\":{\"command\":\"true\"}}"), 400,
				"give either --cron 'EXPR' or --every D");
		assertProblem(post("/api/schedules", "application/json", "{\"name\":\"x\",\"every\":\"1h\",\"job\":{\"id\":\"a\",\"command\":\"true\"}}"),
				400, "field 'id' has no place in a schedule's job: each tick's job gets the id NAME:TICK");
		assertProblem(post("/api/schedules", "application/json", "{\"name\":\"x\",\"every\":\"1h\",\"command\":\"true\"}"), 400,
				"unknown field 'command' (allowed: name, cron, every, tz, catch_up, no_overlap, job)");
		assertProblem(post("/api/schedules", "application/json", "{\"name\":\"x\",\"every\":\"1h\",\"no_overlap\":\"yes\",\"job\":{}}"),
				400, "field 'no_overlap' must be true or false");
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM schedules", Long.class)).isEqualTo(2);

		assertThat(json(post("/api/schedules/nightly/pause")).get("paused").asBoolean()).isTrue();
		assertThat(this.jdbc.queryForObject("SELECT paused FROM schedules WHERE name = 'nightly'", Integer.class)).isOne();
		assertThat(json(get("/api/schedules/nightly")).get("next").size()).isZero();
		assertThat(json(post("/api/schedules/nightly/resume")).get("paused").asBoolean()).isFalse();
		assertThat(this.jdbc.queryForObject("SELECT paused FROM schedules WHERE name = 'nightly'", Integer.class)).isZero();

		String id = json(post("/api/schedules/nightly/run")).get("id").asString();
		assertThat(id).startsWith("nightly:run-");
		assertThat(state(id)).isEqualTo("pending");
		JsonNode shown = json(get("/api/schedules/nightly"));
		assertThat(shown.get("recent").get(0).get("id").asString()).isEqualTo(id);
		assertThat(shown.get("last_job").asString()).isEqualTo(id);

		assertThat(json(post("/api/schedules/nightly/rm")).get("removed").asBoolean()).isTrue();
		assertProblem(get("/api/schedules/nightly"), 404, "no such schedule: nightly");
		assertProblem(post("/api/schedules/nightly/pause"), 404, "no such schedule: nightly");
		assertThat(state(id)).isEqualTo("pending"); // its jobs stay
	}

	@Test
	void jsonLinesAllOrNothing() throws Exception {
		StringBuilder lines = new StringBuilder();
		for (int i = 0; i < 500; i++) {
			lines.append("{\"id\":\"n").append(i).append("\",\"command\":\"true\"}\n");
		}
		HttpResponse<String> r = post("/api/jobs", "application/x-ndjson", lines.toString());
		assertThat(r.statusCode()).isEqualTo(201);
		assertThat(json(r).get("stored").asInt()).isEqualTo(500);
		assertThat(json(r).get("ids")).hasSize(500);
		assertThat(json(r).get("ids").get(499).asString()).isEqualTo("n499");
		HttpResponse<String> bad = post("/api/jobs", "application/x-ndjson", "{\"command\":\"true\"}\n{\"id\":\"z\"}\n");
		assertProblem(bad, 400, "line 2: field 'command' is required");
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM jobs", Long.class)).isEqualTo(500);
	}

	@Test
	void pagingWalksEveryJobOnceNewestFirst() throws Exception {
		StringBuilder lines = new StringBuilder();
		for (int i = 0; i < 230; i++) {
			lines.append("{\"id\":\"p").append(String.format("%03d", i)).append("\",\"command\":\"true\"")
				.append(i % 3 == 0 ? ",\"queue\":\"three\"" : "").append("}\n");
		}
		post("/api/jobs", "application/x-ndjson", lines.toString());
		this.jdbc.update("UPDATE jobs SET state = 'completed' WHERE id < 'p100'");
		List<String> seen = new ArrayList<>();
		String next = null;
		int pages = 0;
		do {
			JsonNode page = json(get("/api/jobs?limit=50" + (next == null ? "" : "&after=" + next)));
			page.get("jobs").forEach(j -> seen.add(j.get("id").asString()));
			next = page.get("next").isNull() ? null : java.net.URLEncoder.encode(page.get("next").asString(), StandardCharsets.UTF_8);
			pages++;
		}
		while (next != null);
		assertThat(pages).isEqualTo(5);
		assertThat(seen).hasSize(230).doesNotHaveDuplicates();
		// one enqueue gave every job the same updated_at: then by id, descending
		assertThat(seen.get(0)).isEqualTo("p229");
		assertThat(seen.get(229)).isEqualTo("p000");
		List<String> three = new ArrayList<>();
		next = null;
		do {
			JsonNode page = json(get("/api/jobs?queue=three&state=completed&limit=7" + (next == null ? "" : "&after=" + next)));
			page.get("jobs").forEach(j -> three.add(j.get("id").asString()));
			next = page.get("next").isNull() ? null : java.net.URLEncoder.encode(page.get("next").asString(), StandardCharsets.UTF_8);
		}
		while (next != null);
		assertThat(three).hasSize(34).allMatch(id -> Integer.parseInt(id.substring(1)) % 3 == 0 && id.compareTo("p100") < 0);
	}

	@Test
	void cancelRetryDlqAndQueues() throws Exception {
		enqueue("{\"id\":\"c1\",\"command\":\"true\"}");
		assertThat(json(post("/api/jobs/c1/cancel")).get("result").asString()).isEqualTo("canceled");
		assertThat(state("c1")).isEqualTo("canceled");
		HttpResponse<String> again = post("/api/jobs/c1/cancel");
		assertProblem(again, 409, "job c1 is canceled: only a job that has not finished can be canceled");

		enqueue("{\"id\":\"d1\",\"command\":\"false\",\"queue\":\"q1\"}");
		enqueue("{\"id\":\"d2\",\"command\":\"false\",\"queue\":\"q2\"}");
		this.jdbc.update("UPDATE jobs SET state = 'dead' WHERE id IN ('d1', 'd2')");
		assertThat(json(post("/api/jobs/d1/retry")).get("state").asString()).isEqualTo("pending");
		assertThat(state("d1")).isEqualTo("pending");
		assertThat(json(post("/api/dlq/retry")).get("retried").asInt()).isEqualTo(1);
		assertThat(state("d2")).isEqualTo("pending");

		assertThat(json(post("/api/queues/q1/pause")).get("paused").asBoolean()).isTrue();
		JsonNode queues = json(get("/api/queues"));
		assertThat(queues.findValuesAsString("name")).contains("q1", "q2");
		for (JsonNode q : queues) {
			if (q.get("name").asString().equals("q1")) {
				assertThat(q.get("paused").asBoolean()).isTrue();
			}
		}
		assertThat(json(get("/api/status")).get("paused_queues").get(0).asString()).isEqualTo("q1");
		post("/api/queues/q1/resume");
		assertThat(json(get("/api/status")).get("paused_queues").size()).isZero();
		assertThat(json(post("/api/queues/q2/limit?limit=3")).get("limit").asInt()).isEqualTo(3);
		assertThat(json(post("/api/queues/q2/limit?limit=none")).get("limit").isNull()).isTrue();
		assertProblem(post("/api/queues/q3/resume"), 404, "no such queue: q3 (a queue exists once it holds jobs or was paused or limited; queuectl queue list)");
		HttpResponse<String> notEmpty = post("/api/queues/q2/rm");
		assertThat(notEmpty.statusCode()).isEqualTo(409);
		assertThat(json(notEmpty).get("detail").asString()).startsWith("queue q2 is not empty: it holds ");
		post("/api/queues/q3/pause");
		assertThat(json(post("/api/queues/q3/rm")).get("removed").asBoolean()).isTrue();
		post("/api/queues/q4/pause");
		String page = get("/queues").body();
		assertThat(page).contains("action=\"/queues/q4/rm\"").doesNotContain("action=\"/queues/q2/rm\"");
		assertProblem(post("/api/queues/q3/rm"), 404, "no such queue: q3 (a queue exists once it holds jobs or was paused or limited; queuectl queue list)");
		assertThat(json(get("/api/status")).get("jobs").get("pending").asInt()).isEqualTo(2);
		assertThat(get("/api/stats").statusCode()).isEqualTo(200);
		assertThat(get("/api/schedules").body()).isEqualTo("[]");
	}

	@Test
	void outputWholeAndFollowedWhileItRuns() throws Exception {
		startWorker(2);
		String id = enqueue("{\"id\":\"o1\",\"command\":\"echo first; sleep 1; echo second\"}");
		await().atMost(Duration.ofSeconds(20)).until(() -> state(id).equals("processing"));
		HttpResponse<Stream<String>> events = this.http.send(request("/api/jobs/o1/output")
			.header("Accept", "text/event-stream")
			.build(), HttpResponse.BodyHandlers.ofLines());
		assertThat(events.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
		StringBuilder text = new StringBuilder();
		List<String> names = new ArrayList<>();
		try (Stream<String> lines = events.body()) {
			lines.forEach(line -> {
				if (line.startsWith("event:")) {
					names.add(line.substring(6));
				}
				else if (line.startsWith("data:") && names.get(names.size() - 1).equals("output")) {
					text.append(JSON.readTree(line.substring(5)).asString());
				}
			});
		}
		assertThat(text.toString()).isEqualTo("first\nsecond\n");
		assertThat(names).last().isEqualTo("end");
		await().atMost(Duration.ofSeconds(20)).until(() -> state(id).equals("completed"));
		HttpResponse<String> whole = get("/api/jobs/o1/output");
		assertThat(whole.body()).isEqualTo("first\nsecond\n");
		assertThat(json(get("/api/jobs/o1")).get("runs").get(0).get("exit_code").asInt()).isZero();
		assertProblem(get("/api/jobs/o1/output?attempt=5"), 400, "job o1 has no attempt 5");
	}

	@Test
	void postsNeedTheCsrfTokenAndTheSameOrigin() throws Exception {
		enqueue("{\"id\":\"s1\",\"command\":\"true\"}");
		HttpResponse<String> noToken = this.http.send(request("/api/jobs/s1/cancel")
			.POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
		assertThat(noToken.statusCode()).isEqualTo(403);
		HttpResponse<String> crossOrigin = this.http.send(request("/api/jobs/s1/cancel")
			.header("Origin", "http://evil.example")
			.header(WebAccess.CSRF_HEADER, this.access.csrf())
			.POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
		assertThat(crossOrigin.statusCode()).isEqualTo(403);
		assertThat(state("s1")).isEqualTo("pending");
		String token = json(get("/api/csrf")).get("token").asString();
		HttpResponse<String> ok = this.http.send(request("/api/jobs/s1/cancel")
			.header(WebAccess.CSRF_HEADER, token)
			.header("Origin", "http://127.0.0.1:" + this.port)
			.POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
		assertThat(ok.statusCode()).isEqualTo(200);
		assertThat(state("s1")).isEqualTo("canceled");
	}

	@Test
	void aHostHeaderNotNamingLoopbackIsRefused() throws Exception {
		assertThat(raw("GET /api/status HTTP/1.1\r\nHost: rebound.example:" + this.port + "\r\nConnection: close\r\n\r\n"))
			.startsWith("HTTP/1.1 403");
		assertThat(raw("GET /actuator/health HTTP/1.1\r\nHost: rebound.example\r\nConnection: close\r\n\r\n"))
			.startsWith("HTTP/1.1 403");
		assertThat(raw("GET /api/status HTTP/1.1\r\nHost: localhost:" + this.port + "\r\nAuthorization: Bearer "
				+ this.token.value() + "\r\nConnection: close\r\n\r\n"))
			.startsWith("HTTP/1.1 200");
	}

	private String raw(String request) throws IOException {
		try (Socket s = new Socket("127.0.0.1", this.port)) {
			OutputStream out = s.getOutputStream();
			out.write(request.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = s.getInputStream();
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}
}
