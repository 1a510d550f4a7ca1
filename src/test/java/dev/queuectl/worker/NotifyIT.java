package dev.queuectl.worker;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Notifications (issue 27) with real worker hosts as processes (SQLite here, PostgreSQL in
 * {@link NotifyPostgresIT}) and a real HTTP receiver in the test (com.sun.net.httpserver): a signed
 * webhook answered 500 twice then 200 (three deliveries, one idempotency key, backoff 1 s then 2 s),
 * a host killed (SIGKILL) in the middle of a delivery whose notification the next host delivers,
 * a notify-command that gets the job's JSON, and a notification kept as failed after
 * notify-retry-for, then retried by hand.
 */
class NotifyIT extends OwnQueue {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	HttpServer receiver;

	/** Each request: its Idempotency-Key, its signature header, its content type, its body. */
	final List<String[]> requests = new CopyOnWriteArrayList<>();

	@AfterEach
	void stopReceiver() {
		if (this.receiver != null) {
			this.receiver.stop(0);
		}
	}

	/** Starts the receiver; {@code answer} gives the status of the nth request (0, 1, ...), after {@code hold} is released. */
	String receive(IntUnaryOperator answer, CountDownLatch hold) throws IOException {
		this.receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.receiver.setExecutor(Executors.newCachedThreadPool());
		this.receiver.createContext("/hook", exchange -> {
			byte[] body;
			try (InputStream in = exchange.getRequestBody()) {
				body = in.readAllBytes();
			}
			int n = this.requests.size();
			this.requests.add(new String[] { exchange.getRequestHeaders().getFirst("Idempotency-Key"),
					exchange.getRequestHeaders().getFirst("X-Queuectl-Signature"),
					exchange.getRequestHeaders().getFirst("Content-Type"), new String(body, StandardCharsets.UTF_8) });
			try {
				hold.await(2, TimeUnit.MINUTES);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			exchange.sendResponseHeaders(answer.applyAsInt(n), -1);
			exchange.close();
		});
		this.receiver.start();
		return "http://127.0.0.1:" + this.receiver.getAddress().getPort() + "/hook";
	}

	static String hmac(String secret, String body) throws Exception {
		Mac mac = Mac.getInstance("HmacSHA256");
		mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
		return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
	}

	JsonNode notifications() throws Exception {
		return JSON.readTree(this.q.ok("notify", "list", "--json"));
	}

	@Test
	void aSignedWebhookAnswered500TwiceThen200IsDeliveredThreeTimesUnderOneKey() throws Exception {
		String url = receive(n -> n < 2 ? 500 : 200, new CountDownLatch(0));
		this.q.commands(List.of("config", "set", "notify-url", url), List.of("config", "set", "notify-secret", "s3cret"));
		try (Queuectl.Worker host = this.q.worker("--no-http")) {
			this.q.awaitServing().ok("enqueue", "{\"id\":\"doomed\",\"command\":\"exit 3\",\"max_retries\":0}");
			await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
				.until(() -> notifications().size() == 1 && notifications().get(0).get("status").asString().equals("delivered"));
		}
		assertThat(this.requests).hasSize(3);
		assertThat(this.requests.get(0)[0]).as("Idempotency-Key").matches("doomed:1:dead:\\d+");
		for (String[] r : this.requests) {
			assertThat(r[0]).as("Idempotency-Key").isEqualTo(this.requests.get(0)[0]);
			assertThat(r[1]).as("signature").isEqualTo(hmac("s3cret", r[3]));
			assertThat(r[2]).as("Content-Type").isEqualTo("application/json");
			JsonNode job = JSON.readTree(r[3]);
			assertThat(job.get("id").asString()).isEqualTo("doomed");
			assertThat(job.get("state").asString()).isEqualTo("dead");
			assertThat(job.get("exit_code").asInt()).isEqualTo(3);
			assertThat(job.get("command").asString()).isEqualTo("exit 3");
		}
		JsonNode n = notifications().get(0);
		assertThat(n.get("tries").asInt()).isEqualTo(3);
		assertThat(n.get("event").asString()).isEqualTo("dead");
		assertThat(n.get("error").isNull()).isTrue();
	}

	@Test
	void aHostKilledInTheMiddleOfADeliveryLeavesItToTheNextHost() throws Exception {
		CountDownLatch hold = new CountDownLatch(1);
		String url = receive(n -> 200, hold);
		this.q.commands(List.of("config", "set", "notify-url", url),
				List.of("config", "set", "notify-timeout", "5s")); // a lease of 15 s
		Queuectl.Worker first = this.q.worker("--no-http");
		try {
			this.q.awaitServing().ok("enqueue", "{\"id\":\"lost\",\"command\":\"false\",\"max_retries\":0}");
			await().atMost(Duration.ofMinutes(1)).until(() -> this.requests.size() == 1);
			first.process().destroyForcibly(); // SIGKILL while its request waits for an answer
			first.waitFor(Duration.ofSeconds(10));
		}
		finally {
			first.close();
		}
		hold.countDown();
		assertThat(scalar("SELECT COUNT(*) FROM notifications WHERE delivered_at IS NULL AND lease_owner IS NOT NULL")).isEqualTo(1);
		try (Queuectl.Worker next = this.q.worker("--no-http")) {
			this.q.awaitServing();
			await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
				.until(() -> notifications().get(0).get("status").asString().equals("delivered"));
		}
		assertThat(this.requests).hasSize(2);
		assertThat(this.requests.get(0)[0]).matches("lost:1:dead:\\d+");
		assertThat(this.requests).extracting(r -> r[0]).containsOnly(this.requests.get(0)[0]);
	}

	@Test
	void aNotifyCommandGetsTheJobsJsonOnStdinAndItsIdAndStateInItsEnvironment() throws Exception {
		Path got = this.dir.resolve("got");
		this.q.commands(List.of("config", "set", "notify-on", "completed"), List.of("config", "set", "notify-command",
				"cat > '" + got + ".json'; echo \"$QUEUECTL_JOB_ID $QUEUECTL_STATE\" > '" + got + ".env'"));
		try (Queuectl.Worker host = this.q.worker("--no-http")) {
			this.q.awaitServing().ok("enqueue", "{\"id\":\"fine\",\"command\":\"echo fine\"}");
			await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
				.until(() -> Files.exists(this.dir.resolve("got.env")) && !Files.readString(this.dir.resolve("got.env")).isEmpty());
		}
		JsonNode job = JSON.readTree(Files.readString(this.dir.resolve("got.json")));
		assertThat(job.get("id").asString()).isEqualTo("fine");
		assertThat(job.get("state").asString()).isEqualTo("completed");
		assertThat(Files.readString(this.dir.resolve("got.env")).strip()).isEqualTo("fine completed");
	}

	@Test
	void aNotificationNoneAnswersIsKeptAsFailedAfterNotifyRetryForThenRetriedByHand() throws Exception {
		this.q.commands(List.of("config", "set", "notify-on", "canceled"), List.of("config", "set", "notify-command", "exit 7"),
				List.of("config", "set", "notify-retry-for", "4s"));
		try (Queuectl.Worker host = this.q.worker("--no-http")) {
			// the window starts at the cancel: the host must be up by then to try within it
			await().atMost(Duration.ofMinutes(1)).until(() -> host.logText().contains(" started: "));
			this.q.awaitServing().ok("enqueue", "{\"id\":\"nobody\",\"command\":\"true\",\"delay\":\"1h\"}");
			this.q.ok("cancel", "nobody");
			await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(300))
				.until(() -> JSON.readTree(this.q.ok("notify", "list", "--failed", "--json")).size() == 1);
			JsonNode failed = JSON.readTree(this.q.ok("notify", "list", "--failed", "--json")).get(0);
			assertThat(failed.get("error").asString()).isEqualTo("notify-command exited 7");
			// at 0 s, 1 s, 3 s (a loaded machine may start a try late, so at least two): the next, at 7 s, would pass 4 s
			assertThat(failed.get("tries").asInt()).isBetween(2, 3);
			this.q.ok("config", "set", "notify-command", "true");
			assertThat(this.q.ok("notify", "retry", "--all")).startsWith("1 notification(s)");
			await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(300))
				.until(() -> notifications().get(0).get("status").asString().equals("delivered"));
		}
	}
}
