package dev.queuectl.worker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.queuectl.config.Durations;
import dev.queuectl.config.Version;
import dev.queuectl.job.Notification;
import dev.queuectl.service.NotifyService;
import dev.queuectl.service.Settings;
import dev.queuectl.store.NotificationStore;

/**
 * A worker host's delivery of notifications (issue 27), on a thread of its own, so a slow receiver
 * or hook never delays the claim of jobs: it looks for due rows of the outbox every
 * {@value #POLL_MS} ms (one indexed read), claims a few with a lease (twice notify-timeout and 5 s:
 * longer than any one delivery), delivers each through its channel and records the outcome, fenced
 * on its lease. A failed try waits 1 s, 2 s, 4 s, ... at most 10 min before the next, until
 * notify-retry-for has passed; then the row is kept as failed. A host killed mid-delivery leaves
 * its rows leased: any host takes them once the lease ends, so a notification may be delivered
 * twice (the receiver dedupes on Idempotency-Key), never lost.
 * <p>
 * url: an HTTP/1.1 POST of the job's JSON, never following redirects, signed with notify-secret
 * (X-Queuectl-Signature: sha256=HEX of the body's HMAC-SHA256); any 2xx answer delivers it.
 * command: {@code sh -c} with the job's JSON on stdin and the environment a job gets, plus
 * QUEUECTL_JOB_ID, QUEUECTL_STATE and QUEUECTL_ATTEMPT; exit 0 delivers it; past notify-timeout it is
 * killed with what it started.
 */
final class NotificationDelivery implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger("dev.queuectl.worker");

	static final long POLL_MS = 500;

	/** The longest wait between two tries. */
	static final Duration MAX_WAIT = Duration.ofMinutes(10);

	/** Rows claimed at once. */
	private static final int BATCH = 8;

	private final NotificationStore store;

	private final NotifyService notify;

	private final Settings settings;

	private final Clock clock;

	private final String owner;

	/** Told the channel of each failed try (the metrics). */
	private final java.util.function.Consumer<String> failedTries;

	private final Thread thread;

	private volatile boolean stopped;

	private HttpClient http;

	private Duration httpTimeout;

	private boolean failing;

	/** Words for a database failure in the log: the user's line (StorageErrors), as the host's own (null: none). */
	private final java.util.function.Function<RuntimeException, String> describe;

	NotificationDelivery(NotificationStore store, NotifyService notify, Settings settings, Clock clock, String owner,
			java.util.function.Consumer<String> failedTries, java.util.function.Function<RuntimeException, String> describe) {
		this.describe = describe;
		this.failedTries = failedTries;
		this.store = store;
		this.notify = notify;
		this.settings = settings;
		this.clock = clock;
		this.owner = owner;
		this.thread = new Thread(this::loop, "queuectl-notify");
		this.thread.setDaemon(true);
	}

	NotificationDelivery start() {
		this.thread.start();
		return this;
	}

	/** The wait after failed try {@code k} (1, 2, ...): 2^(k-1) s, at most {@link #MAX_WAIT}. */
	static Duration backoff(int k) {
		return k > 20 ? MAX_WAIT : Duration.ofSeconds(1L << (k - 1)).compareTo(MAX_WAIT) > 0 ? MAX_WAIT
				: Duration.ofSeconds(1L << (k - 1));
	}

	private void loop() {
		while (!this.stopped) {
			try {
				if (this.store.hasDue(this.clock.instant())) {
					Settings.Notify cfg = this.settings.notifySettings();
					Duration lease = cfg.timeout().multipliedBy(2).plusSeconds(5);
					List<Notification> due = this.store.claim(this.owner, BATCH, this.clock.instant(), lease);
					for (Notification n : due) {
						deliver(n, cfg);
					}
					if (due.size() == BATCH) {
						continue;
					}
				}
				if (this.failing) {
					log.info("notifications: the database answers again");
					this.failing = false;
				}
			}
			catch (RuntimeException ex) {
				if (!this.failing) {
					String why = this.describe.apply(ex);
					log.warn("notifications: database failed, retrying: {}", why != null ? why : WorkerHost.rootMessage(ex));
					this.failing = true;
				}
			}
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MS));
		}
	}

	private void deliver(Notification n, Settings.Notify cfg) {
		byte[] body = this.notify.body(n);
		String error = switch (n.channel()) {
			case "url" -> cfg.url() == null ? "notify-url is none" : post(cfg.url(), cfg.secret(), body, n, cfg.timeout());
			case "command" -> cfg.command() == null ? "notify-command is none" : run(cfg.command(), body, n, cfg.timeout());
			default -> "unknown channel " + n.channel();
		};
		if (error == null) {
			if (this.store.delivered(n.id(), this.owner, this.clock.instant())) {
				log.info("{} {}: notification {} delivered ({})", n.jobId(), n.event(), n.id(), n.channel());
			}
			return;
		}
		this.failedTries.accept(n.channel());
		Duration wait = backoff(n.tries() + 1);
		this.store.failedTry(n.id(), this.owner, error, wait, cfg.retryFor(), this.clock.instant());
		log.warn("{} {}: notification {} ({}) failed: {}; next try in {} unless notify-retry-for ({}) has passed",
				n.jobId(), n.event(), n.id(), n.channel(), error, Durations.format(wait), Durations.format(cfg.retryFor()));
	}

	/** POSTs {@code body}; null when a 2xx answered, else why not. */
	private String post(String url, String secret, byte[] body, Notification n, Duration timeout) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
			.timeout(timeout)
			.header("Content-Type", "application/json")
			.header("Idempotency-Key", n.idempotencyKey())
			.header("User-Agent", "queuectl/" + Version.number())
			.POST(HttpRequest.BodyPublishers.ofByteArray(body));
		if (secret != null) {
			request.header("X-Queuectl-Signature", "sha256=" + sign(secret, body));
		}
		try {
			HttpResponse<Void> answer = client(timeout).send(request.build(), HttpResponse.BodyHandlers.discarding());
			int status = answer.statusCode();
			return status >= 200 && status < 300 ? null : "HTTP " + status;
		}
		catch (HttpTimeoutException ex) {
			return "no answer within " + Durations.format(timeout);
		}
		catch (IOException ex) {
			return "cannot reach " + url + ": " + (ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return "interrupted";
		}
	}

	/** HMAC-SHA256 of {@code body} under {@code secret}, in lower-case hex. */
	static String sign(String secret, byte[] body) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
			return HexFormat.of().formatHex(mac.doFinal(body));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private HttpClient client(Duration timeout) {
		if (this.http == null || !timeout.equals(this.httpTimeout)) {
			this.http = HttpClient.newBuilder()
				.version(HttpClient.Version.HTTP_1_1)
				.connectTimeout(timeout)
				.followRedirects(HttpClient.Redirect.NEVER)
				.build();
			this.httpTimeout = timeout;
		}
		return this.http;
	}

	/** Runs the hook; null when it exited 0, else why not. */
	private String run(String command, byte[] body, Notification n, Duration timeout) {
		ProcessBuilder pb = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true);
		Map<String, String> env = JobEnvironment.INHERITED.of(System.getenv(),
				Map.of("QUEUECTL_JOB_ID", n.jobId(), "QUEUECTL_STATE", n.state(), "QUEUECTL_ATTEMPT", Integer.toString(n.attempt())));
		pb.environment().clear();
		pb.environment().putAll(env);
		Process p;
		try {
			p = pb.start();
		}
		catch (IOException ex) {
			return "cannot run notify-command: " + ex.getMessage();
		}
		ByteArrayOutputStream output = new ByteArrayOutputStream();
		Thread reader = new Thread(() -> keepTail(p.getInputStream(), output), "queuectl-notify-output");
		reader.setDaemon(true);
		reader.start();
		try (OutputStream in = p.getOutputStream()) {
			in.write(body);
		}
		catch (IOException ex) {
			// it did not read its stdin: its exit code tells
		}
		try {
			if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				p.descendants().forEach(ProcessHandle::destroyForcibly);
				p.destroyForcibly();
				p.waitFor(5, TimeUnit.SECONDS);
				return "notify-command ran longer than notify-timeout " + Durations.format(timeout) + ": killed";
			}
			reader.join(1000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			p.descendants().forEach(ProcessHandle::destroyForcibly);
			p.destroyForcibly();
			return "interrupted";
		}
		if (p.exitValue() == 0) {
			return null;
		}
		String said;
		synchronized (output) {
			said = output.toString(StandardCharsets.UTF_8).strip();
		}
		return "notify-command exited " + p.exitValue() + (said.isEmpty() ? "" : ": " + dev.queuectl.view.Render.oneLine(said, 200));
	}

	/** Reads a process's output to its end, keeping its last 4 KiB. */
	private static void keepTail(InputStream in, ByteArrayOutputStream tail) {
		byte[] buf = new byte[4096];
		try (in) {
			int n;
			while ((n = in.read(buf)) > 0) {
				synchronized (tail) {
					if (tail.size() > 4096) {
						byte[] keep = tail.toByteArray();
						tail.reset();
						tail.write(keep, keep.length - 2048, 2048);
					}
					tail.write(buf, 0, n);
				}
			}
		}
		catch (IOException ex) {
			// the process ended
		}
	}

	/** Stops looking for work; a delivery under way finishes (it is bounded by notify-timeout). */
	@Override
	public void close() {
		this.stopped = true;
		LockSupport.unpark(this.thread);
		try {
			this.thread.join(2000); // past that, the row stays leased: another host delivers it once the lease ends
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}
}
