package dev.queuectl.worker;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * contrib/grafana/queuectl.json and contrib/prometheus/alerts.yml against a real worker host: every
 * metric name they use is one the host's /actuator/prometheus serves, and Prometheus's own promtool
 * accepts the rules (Debian's prometheus package installs it; bin/test installs that package).
 */
class ContribMetricsIT {

	private static final Path DASHBOARD = Path.of("contrib/grafana/queuectl.json");

	private static final Path ALERTS = Path.of("contrib/prometheus/alerts.yml");

	private static final Pattern NAME = Pattern.compile("\\bqueuectl_[a-z_]+[a-z]\\b");

	@TempDir
	Path dir;

	static Set<String> namesIn(Path file) throws Exception {
		Set<String> names = new TreeSet<>();
		Matcher m = NAME.matcher(Files.readString(file));
		while (m.find()) {
			names.add(m.group());
		}
		return names;
	}

	@Test
	void everyMetricTheDashboardAndTheAlertsUseIsServedByAWorkerHost() throws Exception {
		Set<String> used = new TreeSet<>(namesIn(DASHBOARD));
		used.addAll(namesIn(ALERTS));
		assertThat(used).as("the files name the metrics they show").contains("queuectl_oldest_due_job_age_seconds",
				"queuectl_worker_hosts", "queuectl_jobs", "queuectl_attempts_total", "queuectl_job_duration_seconds_bucket");
		Queuectl q = new Queuectl(this.dir);
		q.ok("enqueue", "{\"command\":\"true\"}");
		try (Queuectl.Worker host = q.worker("--port", "0")) {
			int port = MetricsIT.port(host);
			String token = q.ok("web-token").strip();
			HttpClient http = HttpClient.newHttpClient();
			Set<String> served = new TreeSet<>();
			await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
				String scrape = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
					.header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body();
				served.clear();
				scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
					.map(l -> l.split("[{ ]", 2)[0]).forEach(served::add);
				return served.containsAll(used);
			});
			assertThat(served).containsAll(used);
			host.process().destroy();
			assertThat(host.waitFor(Duration.ofSeconds(60))).isZero();
		}
	}

	@Test
	void promtoolAcceptsTheAlertingRules() throws Exception {
		Path promtool = Stream.of(System.getenv("PATH").split(File.pathSeparator))
			.map(d -> Path.of(d, "promtool"))
			.filter(Files::isExecutable)
			.findFirst()
			.orElseThrow(() -> new AssertionError("promtool is not installed, so " + ALERTS
					+ " was not checked: install Debian's prometheus package (bin/test does)"));
		Process p = new ProcessBuilder(promtool.toString(), "check", "rules", ALERTS.toString()).redirectErrorStream(true)
			.start();
		String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(p.exitValue()).as(out).isZero();
		assertThat(out).contains("SUCCESS: 3 rules found");
	}
}
