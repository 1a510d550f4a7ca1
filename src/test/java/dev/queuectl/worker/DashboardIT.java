package dev.queuectl.worker;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code queuectl dashboard} and the worker host's dashboard, as real processes of the built jar. */
class DashboardIT {

	private static final Pattern URL = Pattern.compile("dashboard on (http://[0-9.]+:[0-9]+/)");

	@TempDir
	Path dir;

	private final HttpClient http = HttpClient.newHttpClient();

	private static String url(Queuectl.Worker p) {
		await().atMost(Duration.ofSeconds(60)).until(() -> URL.matcher(p.logText()).find() || !p.process().isAlive());
		Matcher m = URL.matcher(p.logText());
		assertThat(m.find()).as(p.logText()).isTrue();
		return m.group(1);
	}

	private HttpResponse<String> get(String url, String bearer) throws Exception {
		HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
		if (bearer != null) {
			b.header("Authorization", "Bearer " + bearer);
		}
		return this.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
	}

	@Test
	void servesOnLoopbackPrintsTheUrlAndStopsOnSigterm() throws Exception {
		Queuectl q = new Queuectl(this.dir);
		try (Queuectl.Worker dashboard = q.background("dashboard", "--port", "0")) {
			String url = url(dashboard);
			assertThat(url).startsWith("http://127.0.0.1:");
			String token = Files.readString(this.dir.resolve("web-token")).strip();
			assertThat(get(url, token).body()).contains("Overview");
			assertThat(get(url + "api/status", token).statusCode()).isEqualTo(200);
			assertThat(get(url + "api/status", null).statusCode()).isEqualTo(401);
			// the printed login link logs a browser in once
			Matcher link = Pattern.compile("log in once, within two minutes: (\\S+)").matcher(dashboard.logText());
			assertThat(link.find()).as(dashboard.logText()).isTrue();
			assertThat(link.group(1)).startsWith(url + "login?code=");
			HttpResponse<String> login = get(link.group(1), null);
			assertThat(login.statusCode()).isEqualTo(302);
			String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
			HttpResponse<String> post = this.http.send(HttpRequest.newBuilder(URI.create(url + "api/jobs"))
				.header("Cookie", cookie.substring(0, cookie.indexOf(';')))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"true\"}")).build(), HttpResponse.BodyHandlers.ofString());
			assertThat(post.statusCode()).as("a cookie session needs the CSRF token").isEqualTo(403);
			dashboard.process().destroy();
			assertThat(dashboard.waitFor(Duration.ofSeconds(30))).isZero();
		}
	}

	@Test
	void badOptionsBindNothing() throws Exception {
		Queuectl q = new Queuectl(this.dir);
		Queuectl.Result r = q.run("dashboard", "--port", "x");
		assertThat(r.exit()).isEqualTo(2);
		assertThat(r.err().strip()).isEqualTo("queuectl: --port must be a port number from 0 to 65535, got 'x'");
		r = q.run("dashboard", "--bind", "example.com");
		assertThat(r.exit()).isEqualTo(2);
		assertThat(r.err().strip()).isEqualTo("queuectl: --bind needs an IP address such as 127.0.0.1 or 0.0.0.0, got 'example.com'");
	}

	@Test
	void anotherAddressNeedsTheOwnerOnlyToken() throws Exception {
		Queuectl q = new Queuectl(this.dir);
		Path token = this.dir.resolve("web-token");
		try (Queuectl.Worker dashboard = q.background("dashboard", "--bind", "0.0.0.0", "--port", "0")) {
			String url = url(dashboard);
			assertThat(dashboard.logText()).contains("Authorization: Bearer TOKEN (queuectl web-token, " + token + ")");
			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token))).isEqualTo("rw-------");
			String secret = Files.readString(token).strip();
			assertThat(get(url + "api/status", null).statusCode()).isEqualTo(401);
			assertThat(get(url + "actuator/health", null).statusCode()).as("open on loopback only").isEqualTo(401);
			assertThat(get(url + "api/status", "wrong-token-of-some-length").statusCode()).isEqualTo(401);
			assertThat(get(url + "api/status", secret).statusCode()).isEqualTo(200);
			// a bearer header is never sent by a browser on its own: no CSRF token needed with it
			HttpResponse<String> post = this.http.send(HttpRequest.newBuilder(URI.create(url + "api/jobs"))
				.header("Authorization", "Bearer " + secret)
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"remote\",\"command\":\"true\"}")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(post.statusCode()).as(post.body()).isEqualTo(201);
			dashboard.process().destroy();
			assertThat(dashboard.waitFor(Duration.ofSeconds(30))).isZero();
		}
		Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
		Queuectl.Result refused = q.run("dashboard", "--bind", "0.0.0.0", "--port", "0");
		assertThat(refused.exit()).isEqualTo(2);
		assertThat(refused.err()).contains("may be read by others (chmod 600 it): refusing to use it");
	}

	@Test
	void theWorkerHostServesTheDashboardBesideActuator() throws Exception {
		Queuectl q = new Queuectl(this.dir);
		try (Queuectl.Worker worker = q.worker("--port", "0")) {
			String url = url(worker);
			String token = q.ok("web-token").strip();
			assertThat(get(url, token).body()).contains("Worker hosts");
			assertThat(get(url + "actuator/health", null).statusCode()).isEqualTo(200);
			assertThat(get(url + "api/status", token).body()).contains("\"workers\"");
			assertThat(get(url + "api/status", null).statusCode()).isEqualTo(401);
			worker.process().destroy();
			assertThat(worker.waitFor(Duration.ofSeconds(30))).isZero();
		}
	}
}
