package dev.queuectl.web;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 28 over real HTTP: ?tag= on /api/jobs, PATCH (edit), POST .../rerun and DELETE (rm) with the
 * CLI's errors and statuses behind the dashboard's write guard (CSRF with a cookie), and the
 * dashboard's tag filter, chips and its job page's Edit, Rerun and Remove.
 */
class PipelinesApiTest extends WebTestSupport {

	private HttpResponse<String> send(String method, String path, String body, boolean csrf) throws Exception {
		HttpRequest.Builder b = request(path).header("Content-Type", "application/json")
			.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
		if (csrf) {
			b.header(WebAccess.CSRF_HEADER, this.access.csrf());
		}
		return this.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
	}

	private void assertProblem(HttpResponse<String> r, int status, String detail) {
		assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
		assertThat(json(r).get("detail").asString()).isEqualTo(detail);
	}

	@Test
	void jobsListByEveryTagNamedAndShowTheirTags() throws Exception {
		enqueue("{\"id\":\"a\",\"command\":\"true\",\"tags\":[\"n\",\"c:42\"]}");
		enqueue("{\"id\":\"b\",\"command\":\"true\",\"tags\":[\"n\"]}");
		enqueue("{\"id\":\"c\",\"command\":\"true\"}");
		assertThat(json(get("/api/jobs?tag=n")).get("jobs").size()).isEqualTo(2);
		JsonNode both = json(get("/api/jobs?tag=n&tag=c:42")).get("jobs");
		assertThat(both.size()).isEqualTo(1);
		assertThat(both.get(0).get("tags").toString()).isEqualTo("[\"n\",\"c:42\"]");
		assertProblem(get("/api/jobs?tag=a%20b"), 400, "--tag takes tags of 1-64 characters of A-Z a-z 0-9 . _ : -, got 'a b'");
		String page = get("/jobs?tag=c:42").body();
		assertThat(page).contains("id=\"filter-tag\"", "href=\"/jobs/a\"").doesNotContain("href=\"/jobs/b\"");
		assertThat(page).contains("class=\"chip tag\"", "href=\"/jobs?tag=n\"");
	}

	@Test
	void patchEditsAJobThatHasNotStartedAndIsRefusedOnceItFinished() throws Exception {
		enqueue("{\"id\":\"e\",\"command\":\"echo old\"}");
		HttpResponse<String> r = send("PATCH", "/api/jobs/e", "{\"command\":\"echo new\",\"priority\":4,\"tags\":[\"t\"]}", true);
		assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
		assertThat(json(r).get("command").asString()).isEqualTo("echo new");
		assertThat(json(r).get("priority").asInt()).isEqualTo(4);
		assertProblem(send("PATCH", "/api/jobs/e", "{\"slots\":2}", true), 400,
				"field 'slots' cannot be changed (it may be one of: command, priority, queue, run_at, delay, timeout, max_retries, limits, tags, env)");
		HttpResponse<String> env = send("PATCH", "/api/jobs/e", "{\"env\":{\"STAGE\":\"prod\"}}", true);
		assertThat(json(env).get("env").toString()).as(env.body()).isEqualTo("{\"STAGE\":\"prod\"}");
		assertThat(send("PATCH", "/api/jobs/e", "{\"priority\":1}", false).statusCode()).as("no CSRF token").isEqualTo(403);
		this.jdbc.update("UPDATE jobs SET state = 'completed' WHERE id = 'e'");
		assertProblem(send("PATCH", "/api/jobs/e", "{\"priority\":1}", true), 409,
				"job e is completed: only a job that has not started (pending, waiting, or failed awaiting its retry) can be edited");
		assertProblem(send("PATCH", "/api/jobs/nope", "{\"priority\":1}", true), 404, "no such job: nope");
		assertThat(this.jdbc.queryForObject("SELECT priority FROM jobs WHERE id = 'e'", Integer.class)).isEqualTo(4);
	}

	@Test
	void rerunCopiesAJobAndDeleteRemovesAFinishedOne() throws Exception {
		enqueue("{\"id\":\"o\",\"command\":\"echo hi\"}");
		this.jdbc.update("UPDATE jobs SET state = 'completed' WHERE id = 'o'");
		HttpResponse<String> r = post("/api/jobs/o/rerun");
		assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
		String copy = json(r).get("id").asString();
		assertThat(json(get("/api/jobs/" + copy)).get("rerun_of").asString()).isEqualTo("o");
		HttpResponse<String> changed = post("/api/jobs/o/rerun", "application/json", "{\"queue\":\"again\"}");
		assertThat(json(get("/api/jobs/" + json(changed).get("id").asString())).get("queue").asString()).isEqualTo("again");
		assertProblem(send("DELETE", "/api/jobs/" + copy, null, true), 409,
				"job " + copy + " is pending: only a finished job (completed, dead or canceled) can be removed; cancel it first");
		assertThat(send("DELETE", "/api/jobs/o", null, false).statusCode()).as("no CSRF token").isEqualTo(403);
		HttpResponse<String> removed = send("DELETE", "/api/jobs/o", null, true);
		assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
		assertThat(get("/api/jobs/o").statusCode()).isEqualTo(404);
	}

	@Test
	void theJobPageOffersEditRerunAndRemoveWhereTheyApply() throws Exception {
		enqueue("{\"id\":\"p\",\"command\":\"echo old\",\"tags\":[\"x\"]}");
		String page = get("/jobs/p").body();
		assertThat(page).contains("id=\"edit-fields\"", "id=\"rerun\"", "href=\"/jobs?tag=x\"").doesNotContain("id=\"remove\"");
		HttpResponse<String> edited = post("/jobs/p/edit", "application/x-www-form-urlencoded",
				"fields=" + java.net.URLEncoder.encode("{\"command\":\"echo new\"}", java.nio.charset.StandardCharsets.UTF_8));
		assertThat(edited.statusCode()).isEqualTo(302);
		assertThat(this.jdbc.queryForObject("SELECT command FROM jobs WHERE id = 'p'", String.class)).isEqualTo("echo new");
		HttpResponse<String> bad = post("/jobs/p/edit", "application/x-www-form-urlencoded", "fields=%7B%22queue%22%3A%22a+b%22%7D");
		assertThat(bad.headers().firstValue("Location").orElse("")).contains("error=");
		this.jdbc.update("UPDATE jobs SET state = 'canceled' WHERE id = 'p'");
		page = get("/jobs/p").body();
		assertThat(page).contains("id=\"remove\"", "id=\"rerun\"").doesNotContain("id=\"edit-fields\"");
		HttpResponse<String> rerun = post("/jobs/p/rerun");
		String location = rerun.headers().firstValue("Location").orElse("");
		assertThat(location).contains("/jobs/").doesNotEndWith("/jobs/p");
		String copy = location.substring(location.lastIndexOf('/') + 1);
		assertThat(get("/jobs/" + copy).body()).contains("id=\"rerun-of\"", "href=\"/jobs/p\"");
		assertThat(post("/jobs/p/rm").headers().firstValue("Location").orElse("")).endsWith("/jobs");
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM jobs WHERE id = 'p'", Long.class)).isZero();
	}

	@Test
	void aJobsPageNamesTheConditionOfEachJobItRunsAfterAndLinksItsBatch() throws Exception {
		enqueue("{\"id\":\"a\",\"command\":\"true\"}");
		enqueue("{\"id\":\"b\",\"command\":\"true\"}");
		enqueue("{\"id\":\"c\",\"command\":\"true\",\"after\":[\"a\"],\"after_failed\":[\"b\"]}");
		String page = get("/jobs/c").body().replaceAll("\\s+", " ");
		assertThat(page).contains("<th>after</th> <td id=\"after\"><a href=\"/jobs/a\" class=\"chip\">a</a></td>",
				"<th>after_failed</th> <td id=\"after_failed\"><a href=\"/jobs/b\" class=\"chip\">b</a></td>")
			.doesNotContain("after_any", "id=\"batch\"");
		HttpResponse<String> made = post("/api/batches?name=nightly&on_complete="
				+ java.net.URLEncoder.encode("{\"id\":\"cb\",\"command\":\"true\"}", java.nio.charset.StandardCharsets.UTF_8),
				"application/x-ndjson", "{\"id\":\"j1\",\"command\":\"true\"}\n");
		assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
		assertThat(get("/jobs/j1").body()).contains("<a id=\"batch\" href=\"/batches/nightly\">nightly</a>");
		assertThat(get("/jobs/cb").body()).contains("waiting: a callback of batch nightly: runs when it settles",
				"<a id=\"batch\" href=\"/batches/nightly\">nightly</a>");
	}
}
