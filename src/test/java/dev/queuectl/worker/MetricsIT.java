package dev.queuectl.worker;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * /actuator/prometheus of real worker host and dashboard processes (issue 31): the gauges read from
 * the database (jobs per queue and state, the oldest due job's age, live hosts), the counters of
 * attempts and failed notifications to a real receiver, the run-time histogram, the bound on queue
 * series, and the endpoint behind the access token. {@link MetricsPostgresIT} runs the same on PostgreSQL.
 */
class MetricsIT {

	static final Pattern PORT = Pattern.compile("dashboard on http://127\\.0\\.0\\.1:(\\d+)/");

	@TempDir
	Path dir;

	Queuectl q;

	HttpServer receiver;

	final HttpClient http = HttpClient.newHttpClient();

	@BeforeEach
	void setUp() throws Exception {
		this.q = queuectl();
	}

	@AfterEach
	void stopReceiver() {
		if (this.receiver != null) {
			this.receiver.stop(0);
		}
	}

	/** The processes' database; {@link MetricsPostgresIT} gives its own. */
	Queuectl queuectl() throws Exception {
		return new Queuectl(this.dir);
	}

	static int port(Queuectl.Worker p) {
		await().atMost(Duration.ofSeconds(90)).until(() -> PORT.matcher(p.logText()).find() || !p.process().isAlive());
		Matcher m = PORT.matcher(p.logText());
		assertThat(m.find()).as(p.logText()).isTrue();
		return Integer.parseInt(m.group(1));
	}

	HttpResponse<String> get(int port, String path, String token) throws Exception {
		HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
		if (token != null) {
			b.header("Authorization", "Bearer " + token);
		}
		return this.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** The value of one sample line ({@code name{labels}}), or null when the scrape has none. */
	static Double sample(String scrape, String series) {
		for (String line : scrape.lines().toList()) {
			if (line.startsWith(series + " ")) {
				return Double.parseDouble(line.substring(series.length() + 1).strip());
			}
		}
		return null;
	}

	@Test
	void aHostShowsJobsPerQueueTheOldestDueJobsAgeAttemptsByOutcomeRunTimesAndFailedWebhooks() throws Exception {
		this.receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.receiver.createContext("/hook", exchange -> {
			exchange.getRequestBody().readAllBytes();
			exchange.sendResponseHeaders(500, -1);
			exchange.close();
		});
		this.receiver.start();
		this.q.commands(List.of("config", "set", "notify-url", "http://127.0.0.1:" + this.receiver.getAddress().getPort() + "/hook"),
				List.of("enqueue", "{\"id\":\"fine\",\"queue\":\"alpha\",\"command\":\"true\"}"),
				List.of("enqueue", "{\"id\":\"broken\",\"queue\":\"beta\",\"command\":\"exit 3\",\"max_retries\":0}"),
				// due since 2020 in a queue no host takes: its age is the signal to scale on
				List.of("enqueue", "{\"id\":\"stuck\",\"queue\":\"gamma\",\"command\":\"true\",\"run_at\":\"2020-01-01T00:00:00Z\"}"),
				List.of("enqueue", "{\"id\":\"later\",\"queue\":\"delta\",\"command\":\"true\",\"delay\":\"1h\"}"));
		try (Queuectl.Worker host = this.q.worker("--port", "0", "--queue", "alpha,beta")) {
			int port = port(host);
			String token = this.q.ok("web-token").strip();
			assertThat(get(port, "/actuator/prometheus", null).statusCode()).as("no token, no metrics").isEqualTo(401);
			assertThat(get(port, "/actuator/metrics", null).statusCode()).isEqualTo(401);
			assertThat(get(port, "/actuator/prometheus", "not-the-token-of-this-queue").statusCode()).isEqualTo(401);
			assertThat(get(port, "/actuator/health", null).statusCode()).as("probes need no token").isEqualTo(200);
			String[] scrape = { "" };
			await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
				scrape[0] = get(port, "/actuator/prometheus", token).body();
				return Double.valueOf(1).equals(sample(scrape[0], "queuectl_jobs{queue=\"beta\",state=\"dead\"}"))
						&& Double.valueOf(1).equals(sample(scrape[0], "queuectl_jobs{queue=\"alpha\",state=\"completed\"}"))
						&& sample(scrape[0], "queuectl_notification_failures_total{channel=\"url\"}") >= 1
						// a series first registered during a scrape may miss that one scrape
						&& sample(scrape[0], "queuectl_oldest_due_job_age_seconds{queue=\"gamma\"}") != null;
			});
			String s = scrape[0];
			assertThat(sample(s, "queuectl_jobs{queue=\"gamma\",state=\"pending\"}")).isEqualTo(1.0);
			assertThat(sample(s, "queuectl_jobs{queue=\"delta\",state=\"pending\"}")).isEqualTo(1.0);
			assertThat(sample(s, "queuectl_jobs{queue=\"alpha\",state=\"dead\"}")).as("every state of a queue, zeros too").isEqualTo(0.0);
			double since2020 = (System.currentTimeMillis() - java.time.Instant.parse("2020-01-01T00:00:00Z").toEpochMilli()) / 1000.0;
			assertThat(sample(s, "queuectl_oldest_due_job_age_seconds{queue=\"gamma\"}")).as(s).isBetween(since2020 - 120, since2020 + 120);
			assertThat(sample(s, "queuectl_oldest_due_job_age_seconds{queue=\"delta\"}")).as("not due for an hour").isEqualTo(0.0);
			assertThat(sample(s, "queuectl_oldest_due_job_age_seconds{queue=\"alpha\"}")).isEqualTo(0.0);
			assertThat(sample(s, "queuectl_worker_hosts")).isEqualTo(1.0);
			assertThat(sample(s, "queuectl_attempts_total{outcome=\"completed\"}")).isEqualTo(1.0);
			assertThat(sample(s, "queuectl_attempts_total{outcome=\"failed\"}")).isEqualTo(1.0);
			assertThat(sample(s, "queuectl_attempts_total{outcome=\"timeout\"}")).isEqualTo(0.0);
			assertThat(sample(s, "queuectl_job_duration_seconds_count")).isEqualTo(2.0);
			assertThat(sample(s, "queuectl_job_duration_seconds_bucket{le=\"+Inf\"}")).isEqualTo(2.0);
			assertThat(s).contains("# TYPE queuectl_job_duration_seconds histogram")
				.contains("# TYPE queuectl_attempts_total counter")
				.contains("# TYPE queuectl_oldest_due_job_age_seconds gauge");
			assertThat(sample(s, "queuectl_schedule_failures_total")).isEqualTo(0.0);
			host.process().destroy();
			assertThat(host.waitFor(Duration.ofSeconds(60))).isZero();
		}
	}

	@Test
	void aDashboardWithoutHostsShowsNoLiveHostAndQueuesPastFiftyUnderOneOtherLabel() throws Exception {
		Path jobs = this.dir.resolve("jobs.jsonl");
		StringBuilder sb = new StringBuilder();
		for (int i = 0; i < WorkerMetrics.MAX_QUEUE_SERIES + 10; i++) {
			sb.append("{\"queue\":\"q").append(String.format("%03d", i)).append("\",\"command\":\"true\"}\n");
		}
		Files.writeString(jobs, sb);
		assertThat(this.q.ok("enqueue", "--file", jobs.toString()).lines()).hasSize(WorkerMetrics.MAX_QUEUE_SERIES + 10);
		try (Queuectl.Worker dashboard = this.q.background("dashboard", "--port", "0")) {
			int port = port(dashboard);
			String token = this.q.ok("web-token").strip();
			String[] scrape = { "" };
			await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
				scrape[0] = get(port, "/actuator/prometheus", token).body();
				return sample(scrape[0], "queuectl_jobs{queue=\"" + WorkerMetrics.OTHER + "\",state=\"pending\"}") != null;
			});
			String s = scrape[0];
			Set<String> queues = new TreeSet<>();
			double pending = 0;
			Matcher m = Pattern.compile("(?m)^queuectl_jobs\\{queue=\"([^\"]+)\",state=\"pending\"} (\\S+)$").matcher(s);
			while (m.find()) {
				queues.add(m.group(1));
				pending += Double.parseDouble(m.group(2));
			}
			assertThat(queues).hasSize(WorkerMetrics.MAX_QUEUE_SERIES + 1).contains("q000", "q049", WorkerMetrics.OTHER)
				.doesNotContain("q050", "q059");
			assertThat(pending).as("no job lost in the bound").isEqualTo(WorkerMetrics.MAX_QUEUE_SERIES + 10);
			assertThat(sample(s, "queuectl_jobs{queue=\"" + WorkerMetrics.OTHER + "\",state=\"pending\"}")).isEqualTo(10.0);
			assertThat(sample(s, "queuectl_oldest_due_job_age_seconds{queue=\"" + WorkerMetrics.OTHER + "\"}")).isNotNull();
			assertThat(sample(s, "queuectl_worker_hosts")).as("nothing runs jobs: the alert's signal").isEqualTo(0.0);
			dashboard.process().destroy();
			assertThat(dashboard.waitFor(Duration.ofSeconds(60))).isZero();
		}
	}
}
