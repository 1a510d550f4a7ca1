package dev.queuectl.web;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import dev.queuectl.InternalDefaultsInitializer;
import dev.queuectl.cli.FreshDatabase;
import dev.queuectl.cli.TestDatabase;
import dev.queuectl.store.DatabaseLocation;
import dev.queuectl.worker.WorkerOptions;
import dev.queuectl.worker.WorkerService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ContextConfiguration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.awaitility.Awaitility.await;

/**
 * The web server as a worker host or {@code dashboard} serves it, on a random loopback port, over
 * a database in a temporary folder ({@link TestDatabase}); a real HTTP client holding a browser's
 * session (a cookie, so state-changing requests need the CSRF token as a browser's do); a worker
 * host started in this JVM when a test needs jobs to run. The context is shared by every class of
 * this configuration (Spring's test context cache), and each test starts from a database as the
 * migrations left it ({@link FreshDatabase}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.shell.interactive.enabled=false", "spring.shell.history.enabled=false",
				"queuectl.worker.housekeeping-interval=1h" })
@ContextConfiguration(initializers = { InternalDefaultsInitializer.class, TestDatabase.class })
abstract class WebTestSupport {

	static final JsonMapper JSON = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	DatabaseLocation database;

	@Autowired
	WorkerService workers;

	@Autowired
	WebAccess access;

	@Autowired
	WebToken token;

	/** This test's session id, as the login form would set it. */
	String session;

	final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private Thread workerThread;

	@BeforeEach
	void logIn() {
		this.session = this.access.loginWithToken(this.token.value());
	}

	@BeforeEach
	void emptyTables() {
		FreshDatabase.reset(this.jdbc, this.database);
	}

	@AfterEach
	void stopWorker() throws InterruptedException {
		if (this.workerThread != null) {
			this.workers.stopAll(Duration.ofSeconds(30));
			this.workerThread.join(30_000);
			this.workerThread = null;
		}
	}

	/** Starts a worker host with {@code slots} slots in this JVM (stopped after the test). */
	void startWorker(int slots) {
		startWorker(new WorkerOptions(slots, List.of(), this.port));
	}

	/** Starts a worker host of these options in this JVM (stopped after the test). */
	void startWorker(WorkerOptions options) {
		AtomicReference<Throwable> failed = new AtomicReference<>();
		this.workerThread = new Thread(() -> {
			try {
				this.workers.run(options);
			}
			catch (Throwable ex) {
				failed.set(ex);
			}
		}, "test-worker");
		this.workerThread.start();
		await().atMost(Duration.ofSeconds(20)).until(() -> failed.get() != null || !this.workers.workers().isEmpty());
		if (failed.get() != null) {
			throw new AssertionError("worker host failed", failed.get());
		}
	}

	String url(String path) {
		return "http://127.0.0.1:" + this.port + path;
	}

	/** A request to {@code path} with this test's session cookie. */
	HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create(url(path))).header("Cookie", WebAccess.COOKIE + "=" + this.session);
	}

	HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return this.http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
	}

	HttpResponse<String> post(String path, String contentType, String body) throws IOException, InterruptedException {
		HttpRequest.Builder b = request(path)
			.header(WebAccess.CSRF_HEADER, this.access.csrf())
			.POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
		if (contentType != null) {
			b.header("Content-Type", contentType);
		}
		return this.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
	}

	HttpResponse<String> post(String path) throws IOException, InterruptedException {
		return post(path, null, null);
	}

	String enqueue(String json) throws IOException, InterruptedException {
		HttpResponse<String> r = post("/api/jobs", "application/json", json);
		if (r.statusCode() != 201) {
			throw new AssertionError("enqueue " + json + ": " + r.statusCode() + " " + r.body());
		}
		return JSON.readTree(r.body()).get("id").asString();
	}

	static JsonNode json(HttpResponse<String> r) {
		return JSON.readTree(r.body());
	}

	String state(String id) {
		return this.jdbc.queryForObject("SELECT state FROM jobs WHERE id = ?", String.class, id);
	}
}
