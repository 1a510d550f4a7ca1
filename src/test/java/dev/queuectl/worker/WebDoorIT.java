package dev.queuectl.worker;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The HTTP door of a real worker host (issue 24): another local user (uid 65534 through setpriv, as
 * CommandSocketIT does) gets 401 for every page and endpoint, those issues 27 and 28 added too
 * (notifications, batches, progress, edit, rerun, rm), and changes nothing nor runs a job; the owner
 * gets in with the bearer token ({@code queuectl web-token}) or the one-time link {@code dashboard --url}
 * prints from another process.
 */
class WebDoorIT {

	private static final Pattern URL = Pattern.compile("dashboard on (http://[0-9.]+:[0-9]+/)");

	@TempDir
	Path dir;

	private final HttpClient http = HttpClient.newHttpClient();

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static boolean isRoot() {
		return "root".equals(System.getProperty("user.name"));
	}

	/** curl run as uid 65534: the body, then the status on a line of its own. */
	private static String curlAsNobody(String... args) throws Exception {
		List<String> cmd = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
				"/usr/bin/curl", "-s", "-m", "30", "-w", "\n%{http_code}"));
		cmd.addAll(List.of(args));
		Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
		String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
		return out;
	}

	private static String url(Queuectl.Worker p) {
		await().atMost(Duration.ofSeconds(60)).until(() -> URL.matcher(p.logText()).find() || !p.process().isAlive());
		Matcher m = URL.matcher(p.logText());
		assertThat(m.find()).as(p.logText()).isTrue();
		return m.group(1);
	}

	@Test
	void anotherUserGetsA401EverywhereAndCannotRunAJobWhileTheOwnersTokenAndLoginLinkWork() throws Exception {
		assumeTrue(isRoot() && Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/curl")),
				"needs root, setpriv and curl");
		Queuectl q = new Queuectl(this.dir);
		Path batch = this.dir.resolve("batch.jsonl");
		Files.writeString(batch, "{\"id\":\"b1\",\"command\":\"echo s3cr3t-b1\",\"queue\":\"held\"}\n");
		q.commands(List.of("enqueue", "{\"id\":\"private\",\"command\":\"echo s3cr3t\"}"),
				// what issues 27 and 28 added: a job to edit and rerun (its queue paused), a batch, a failed notification
				List.of("queue", "pause", "held"),
				List.of("enqueue", "{\"id\":\"held1\",\"command\":\"echo s3cr3t-held\",\"queue\":\"held\",\"tags\":[\"s3cr3t-tag\"]}"),
				List.of("enqueue", "--file", batch.toString(), "--batch", "s3cr3t-batch"),
				List.of("config", "set", "notify-on", "completed"), List.of("config", "set", "notify-command", "exit 3"),
				List.of("config", "set", "notify-retry-for", "1s"),
				// issue 29's pages: a schedule to show and edit, a queue's limits, a worker host's page
				List.of("schedule", "add", "s3cr3t-sched", "--every", "1h", "{\"command\":\"echo s3cr3t-tick\"}"));
		Path marker = Path.of("/tmp", "queuectl-webdoor-" + ProcessHandle.current().pid());
		Files.deleteIfExists(marker);
		try (Queuectl.Worker host = q.worker("--port", "0")) {
			String url = url(host);
			assertThat(host.logText()).contains("queuectl dashboard --url");
			// the dashboard's URL is logged as its port opens, which may be before the host is registered
			String workerId = await().atMost(Duration.ofSeconds(60))
				.until(() -> JSON.readTree(q.ok("status", "--json")).get("workers").get(0), java.util.Objects::nonNull)
				.get("id")
				.asString();
			for (String path : List.of("", "api/jobs", "api/csrf", "api/jobs/private", "jobs/private")) {
				String said = curlAsNobody(url + path);
				assertThat(said).as(path).endsWith("\n401").doesNotContain("s3cr3t").doesNotContain("\"token\":");
			}
			String post = curlAsNobody("-H", "Content-Type: application/json", "-H", "X-Queuectl-Csrf: guess",
					"-d", "{\"id\":\"pwned\",\"command\":\"touch " + marker + "\"}", url + "api/jobs");
			assertThat(post).endsWith("\n401");
			String form = curlAsNobody("-d", "_csrf=guess", url + "jobs/private/retry");
			assertThat(form).endsWith("\n401");

			// issues 27 and 28: notifications, batches, progress and results, edit, rerun and rm, page and API alike
			await().atMost(Duration.ofSeconds(60)).until(() -> q.ok("notify", "list", "--failed", "--json").contains("\"private\""));
			String failedBefore = q.ok("notify", "list", "--json");
			for (String path : List.of("api/notifications", "api/notifications?failed=true", "api/batches",
					"api/batches/s3cr3t-batch", "api/batches/s3cr3t-batch/jobs", "api/jobs?tag=s3cr3t-tag",
					"api/jobs/held1", "notifications", "batches", "batches/s3cr3t-batch", "jobs?tag=s3cr3t-tag",
					"schedules", "schedules/s3cr3t-sched", "queues", "workers/" + workerId, "api/workers/" + workerId,
					"api/schedules/s3cr3t-sched")) {
				String said = curlAsNobody(url + path);
				assertThat(said).as(path).endsWith("\n401").doesNotContain("s3cr3t").doesNotContain("\"token\":");
			}
			List<List<String>> writes = List.of(
					List.of("-X", "POST", "-H", "Content-Type: application/json", "-d", "{\"progress\":\"9/10\"}",
							url + "api/jobs/held1/progress"),
					List.of("-X", "PATCH", "-H", "Content-Type: application/json", "-d",
							"{\"command\":\"touch " + marker + "\"}", url + "api/jobs/held1"),
					List.of("-X", "POST", "-H", "Content-Type: application/json", "-d",
							"{\"command\":\"touch " + marker + "\"}", url + "api/jobs/private/rerun"),
					List.of("-X", "DELETE", url + "api/jobs/private"),
					List.of("-X", "POST", url + "api/notifications/retry"),
					List.of("-X", "POST", url + "api/notifications/1/retry"),
					List.of("-X", "POST", url + "api/batches/s3cr3t-batch/cancel"),
					List.of("-X", "POST", "-H", "Content-Type: application/x-ndjson", "-d",
							"{\"command\":\"touch " + marker + "\"}", url + "api/batches/s3cr3t-batch/jobs"),
					List.of("-X", "POST", "-H", "Content-Type: application/x-ndjson", "-d",
							"{\"command\":\"touch " + marker + "\"}", url + "api/batches?name=pwned"),
					List.of("-d", "_csrf=guess", "--data-urlencode", "fields={\"command\":\"touch " + marker + "\"}",
							url + "jobs/held1/edit"),
					List.of("-d", "_csrf=guess", url + "jobs/private/rerun"),
					List.of("-d", "_csrf=guess", url + "jobs/private/rm"),
					List.of("-d", "_csrf=guess", url + "notifications/retry"),
					List.of("-d", "_csrf=guess", url + "batches/s3cr3t-batch/cancel"),
					List.of("-X", "PATCH", "-H", "Content-Type: application/json", "-d",
							"{\"every\":\"1m\",\"job\":{\"command\":\"touch " + marker + "\"}}", url + "api/schedules/s3cr3t-sched"),
					List.of("-d", "_csrf=guess", "-d", "every=1m", "--data-urlencode", "job={\"command\":\"touch " + marker + "\"}",
							url + "schedules/s3cr3t-sched/edit"),
					List.of("-d", "_csrf=guess", "-d", "name=pwned", "-d", "every=1m", "--data-urlencode",
							"job={\"command\":\"touch " + marker + "\"}", url + "schedules/add"),
					List.of("-d", "_csrf=guess", "-d", "limit=1", "-d", "rate=1/7d", url + "queues/held/limits"));
			for (List<String> write : writes) {
				assertThat(curlAsNobody(write.toArray(String[]::new))).as(String.join(" ", write)).endsWith("\n401");
			}
			JsonNode held = JSON.readTree(q.ok("show", "held1", "--json"));
			assertThat(held.get("command").asString()).isEqualTo("echo s3cr3t-held");
			assertThat(held.get("progress").isNull()).isTrue();
			assertThat(held.get("state").asString()).isEqualTo("pending");
			assertThat(JSON.readTree(q.ok("show", "private", "--json")).get("state").asString()).isEqualTo("completed");
			assertThat(JSON.readTree(q.ok("list", "--json")).size()).as("no rerun, no job added").isEqualTo(3);
			assertThat(JSON.readTree(q.ok("batch", "show", "s3cr3t-batch", "--json")).get("counts").get("canceled").asInt()).isZero();
			assertThat(q.ok("batch", "list", "--json")).doesNotContain("pwned");
			assertThat(q.ok("notify", "list", "--json")).as("not retried").isEqualTo(failedBefore);
			JsonNode sched = JSON.readTree(q.ok("schedule", "show", "s3cr3t-sched", "--json"));
			assertThat(sched.get("every").asString()).isEqualTo("1h");
			assertThat(sched.get("job").asString()).doesNotContain("touch");
			assertThat(q.ok("schedule", "list", "--json")).doesNotContain("pwned");
			for (JsonNode queue : JSON.readTree(q.ok("queue", "list", "--json"))) {
				assertThat(queue.get("limit").isNull()).as(queue.toString()).isTrue();
				assertThat(queue.get("rate").isNull()).as(queue.toString()).isTrue();
			}

			// the owner: the bearer token, which web-token prints
			String token = q.ok("web-token").strip();
			assertThat(token).isEqualTo(Files.readString(this.dir.resolve("web-token")).strip());
			HttpResponse<String> created = this.http.send(HttpRequest.newBuilder(URI.create(url + "api/jobs"))
				.header("Authorization", "Bearer " + token)
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"mine\",\"command\":\"true\"}")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
			await().atMost(Duration.ofSeconds(30)).until(() -> this.http.send(HttpRequest.newBuilder(URI.create(url + "api/jobs/mine"))
				.header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body()
				.contains("\"state\":\"completed\""));

			// the owner: a login link made by another process
			String link = q.ok("dashboard", "--url").strip();
			assertThat(link).startsWith(url + "login?code=");
			assertThat(curlAsNobody("-o", "/dev/null", url + "login?code=1.2.3")).endsWith("\n401");
			HttpResponse<String> login = this.http.send(HttpRequest.newBuilder(URI.create(link)).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(login.statusCode()).isEqualTo(302);
			String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
			HttpResponse<String> page = this.http.send(HttpRequest.newBuilder(URI.create(url))
				.header("Cookie", cookie.substring(0, cookie.indexOf(';'))).build(), HttpResponse.BodyHandlers.ofString());
			assertThat(page.statusCode()).isEqualTo(200);
			assertThat(page.body()).contains("Worker hosts");
			assertThat(curlAsNobody("-o", "/dev/null", link)).as("used once").endsWith("\n401");

			assertThat(marker).doesNotExist();
			assertThat(q.ok("list")).doesNotContain("pwned");
			host.process().destroy();
			assertThat(host.waitFor(Duration.ofSeconds(30))).isZero();
		}
		finally {
			Files.deleteIfExists(marker);
		}
		assertThat(this.dir.resolve("http-servers")).isEmptyDirectory();
		Queuectl.Result none = q.run("dashboard", "--url");
		assertThat(none.exit()).isEqualTo(1);
		assertThat(none.err().strip()).isEqualTo("queuectl: no dashboard or worker host serves HTTP on this database (start one: queuectl dashboard)");
	}
}
