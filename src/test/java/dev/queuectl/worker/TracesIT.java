package dev.queuectl.worker;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Traces (issue 31) from real processes to a real OTLP/HTTP receiver started here, which decodes
 * the protobuf the exporter sends with the specification's own classes: a one-shot enqueue, a
 * served one and an API one with a {@code traceparent} header, each followed by its job's attempt
 * on a real worker host. The attempt's span is the child of its enqueue's in the same trace, the
 * API's incoming trace is continued, and the job's {@code TRACEPARENT} names its attempt's span.
 * A served enqueue, through the JVM client and the native one, continues its caller's
 * {@code TRACEPARENT}; a bulk enqueue (a file, a batch, stdin, JSON Lines to the API) is one span
 * whose children are all its jobs' attempts. {@link TracesPostgresIT} runs the same on PostgreSQL.
 */
class TracesIT extends OwnQueue {

	private static final HexFormat HEX = HexFormat.of();

	HttpServer receiver;

	/** Every span received, with its service's name. */
	final ConcurrentLinkedQueue<Received> spans = new ConcurrentLinkedQueue<>();

	final ConcurrentLinkedQueue<String> contentTypes = new ConcurrentLinkedQueue<>();

	record Received(String service, Span span) {

		String traceId() {
			return HEX.formatHex(this.span.getTraceId().toByteArray());
		}

		String spanId() {
			return HEX.formatHex(this.span.getSpanId().toByteArray());
		}

		/** Its context as a W3C traceparent. */
		String traceparent() {
			return "00-" + traceId() + "-" + spanId() + "-" + String.format("%02x", this.span.getFlags() & 0xff);
		}

		String parentSpanId() {
			return HEX.formatHex(this.span.getParentSpanId().toByteArray());
		}

		/** The attribute's value as text (strings and integers), or null. */
		String attribute(String key) {
			for (KeyValue kv : this.span.getAttributesList()) {
				if (kv.getKey().equals(key)) {
					return kv.getValue().hasIntValue() ? Long.toString(kv.getValue().getIntValue()) : kv.getValue().getStringValue();
				}
			}
			return null;
		}
	}

	@BeforeEach
	void startReceiver() throws IOException {
		this.receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.receiver.createContext("/v1/traces", exchange -> {
			this.contentTypes.add(String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
			try (InputStream in = exchange.getRequestBody()) {
				ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(in.readAllBytes());
				for (ResourceSpans rs : request.getResourceSpansList()) {
					String service = rs.getResource().getAttributesList().stream()
						.filter(kv -> kv.getKey().equals("service.name")).map(kv -> kv.getValue().getStringValue())
						.findFirst().orElse(null);
					for (ScopeSpans ss : rs.getScopeSpansList()) {
						ss.getSpansList().forEach(s -> this.spans.add(new Received(service, s)));
					}
				}
			}
			exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
			exchange.sendResponseHeaders(200, -1);
			exchange.close();
		});
		this.receiver.start();
		this.q.env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + this.receiver.getAddress().getPort())
			.env("OTEL_SERVICE_NAME", "queuectl-it")
			.env("OTEL_BSP_SCHEDULE_DELAY", "100");
	}

	@AfterEach
	void stopReceiver() {
		this.receiver.stop(0);
	}

	/** The one span named {@code name} whose attribute {@code key} is {@code value}, once it arrived. */
	Received span(String name, String key, String value) {
		Received[] found = { null };
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
			List<Received> all = this.spans.stream()
				.filter(r -> r.span().getName().equals(name) && value.equals(r.attribute(key)))
				.toList();
			found[0] = all.size() == 1 ? all.get(0) : null;
			return found[0] != null;
		});
		return found[0];
	}

	/** The {@code count} spans named {@code name} of the trace {@code traceId}, once they all arrived (and no more). */
	List<Received> inTrace(String traceId, String name, int count) {
		List<List<Received>> found = new java.util.ArrayList<>(List.of(List.of()));
		await(count + " " + name + " spans of trace " + traceId).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
			found.set(0, this.spans.stream().filter(r -> r.traceId().equals(traceId) && r.span().getName().equals(name)).toList());
			return found.get(0).size() >= count;
		});
		assertThat(found.get(0)).as("%s spans of trace %s", name, traceId).hasSize(count);
		return found.get(0);
	}

	/** Asserts that {@code enqueue} is one of {@code jobs}, each of whose attempts is a child of it. */
	void attemptsAreChildrenOf(Received enqueue, String... jobs) {
		for (String job : jobs) {
			Received attempt = span("attempt", "queuectl.job.id", job);
			assertThat(attempt.traceId()).as(job).isEqualTo(enqueue.traceId());
			assertThat(attempt.parentSpanId()).as("%s's attempt, a child of its enqueue's span", job).isEqualTo(enqueue.spanId());
		}
	}

	void waitCompleted(String... ids) throws Exception {
		for (String id : ids) {
			await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
				.until(() -> List.of("completed", "dead").contains(state(id)));
		}
	}

	@Test
	void aOneShotEnqueueAndItsJobsAttemptAreOneTraceAndTheJobsTraceparentNamesTheAttempt() throws Exception {
		Path seen = this.dir.resolve("seen.txt");
		// the one-shot command runs in a trace of its caller's (as a job's tools do)
		this.q.env("TRACEPARENT", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
		this.q.ok("enqueue", "{\"id\":\"traced\",\"queue\":\"reports\",\"command\":\"printf %s \\\"$TRACEPARENT\\\" > " + seen + "\"}");
		this.q.env("TRACEPARENT", "");
		Received enqueue = span("enqueue", "queuectl.job.id", "traced");
		assertThat(enqueue.attribute("queuectl.via")).isEqualTo("cli");
		assertThat(enqueue.traceId()).as("its caller's trace, continued").isEqualTo("0af7651916cd43dd8448eb211c80319c");
		assertThat(enqueue.parentSpanId()).isEqualTo("b7ad6b7169203331");
		assertThat(enqueue.attribute("queuectl.queue")).isEqualTo("reports");
		assertThat(enqueue.service()).isEqualTo("queuectl-it");
		assertThat(enqueue.span().getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_PRODUCER);
		assertThat(text("SELECT trace_parent FROM jobs WHERE id = 'traced'"))
			.isEqualTo(enqueue.traceparent());
		try (Queuectl.Worker host = this.q.worker("--no-http")) {
			waitCompleted("traced");
			Received attempt = span("attempt", "queuectl.job.id", "traced");
			assertThat(attempt.traceId()).isEqualTo(enqueue.traceId());
			assertThat(attempt.parentSpanId()).as("a child of the enqueue's span").isEqualTo(enqueue.spanId());
			assertThat(attempt.attribute("queuectl.queue")).isEqualTo("reports");
			assertThat(attempt.attribute("queuectl.attempt")).isEqualTo("1");
			assertThat(attempt.attribute("queuectl.outcome")).isEqualTo("completed");
			assertThat(attempt.attribute("process.exit.code")).isEqualTo("0");
			assertThat(attempt.attribute("host.name")).isNotBlank();
			assertThat(attempt.span().getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CONSUMER);
			assertThat(Files.readString(seen)).as("the job's TRACEPARENT names its attempt's span")
				.isEqualTo(attempt.traceparent());
		}
		assertThat(this.contentTypes).as("OTLP over HTTP, protobuf").allMatch(t -> t.startsWith("application/x-protobuf"));
	}

	@Test
	void aServedEnqueueIsTracedAndAnApiEnqueueContinuesTheCallersTraceIntoAFailedAttempt() throws Exception {
		Path seen = this.dir.resolve("api-seen.txt");
		String callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
		String callerSpan = "00f067aa0ba902b7";
		try (Queuectl.Worker host = this.q.worker("--port", "0")) {
			int port = MetricsIT.port(host);
			// the host serves this command over its socket, which it opens after it prints its port
			await().atMost(Duration.ofSeconds(60)).until(this::socketAccepts);
			this.q.ok("enqueue", "{\"id\":\"served\",\"command\":\"true\"}");
			String token = this.q.ok("web-token").strip();
			HttpResponse<String> posted = HttpClient.newHttpClient().send(HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/jobs"))
				.header("Authorization", "Bearer " + token)
				.header("Content-Type", "application/json")
				.header("traceparent", "00-" + callerTrace + "-" + callerSpan + "-01")
				.header("tracestate", "vendor=abc")
				.POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"api\",\"max_retries\":0,\"command\":\"printf '%s %s' \\\"$TRACEPARENT\\\" \\\"$TRACESTATE\\\" > "
						+ seen + "; exit 3\"}"))
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(posted.statusCode()).as(posted.body()).isEqualTo(201);
			waitCompleted("served", "api");

			Received served = span("enqueue", "queuectl.job.id", "served");
			assertThat(served.attribute("queuectl.via")).isEqualTo("socket");
			Received servedAttempt = span("attempt", "queuectl.job.id", "served");
			assertThat(servedAttempt.traceId()).isEqualTo(served.traceId());
			assertThat(servedAttempt.parentSpanId()).isEqualTo(served.spanId());

			Received api = span("enqueue", "queuectl.job.id", "api");
			assertThat(api.attribute("queuectl.via")).isEqualTo("api");
			assertThat(api.traceId()).as("the caller's trace, continued").isEqualTo(callerTrace);
			assertThat(api.parentSpanId()).isEqualTo(callerSpan);
			Received attempt = span("attempt", "queuectl.job.id", "api");
			assertThat(attempt.traceId()).isEqualTo(callerTrace);
			assertThat(attempt.parentSpanId()).isEqualTo(api.spanId());
			assertThat(attempt.attribute("queuectl.outcome")).isEqualTo("failed");
			assertThat(attempt.attribute("process.exit.code")).isEqualTo("3");
			assertThat(attempt.span().getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
			assertThat(attempt.traceparent()).endsWith("-01").as("the caller's flags, sampled");
			assertThat(Files.readString(seen)).isEqualTo("00-" + callerTrace + "-" + attempt.spanId() + "-01 vendor=abc");
		}
		Map<String, Long> names = this.spans.stream().collect(Collectors.groupingBy(r -> r.span().getName(), Collectors.counting()));
		assertThat(names).as("an enqueue and an attempt per job, nothing else").isEqualTo(Map.of("enqueue", 2L, "attempt", 2L));
	}

	@Test
	void aServedEnqueueContinuesTheTraceparentOfItsCallersEnvironmentThroughEitherClientForOneJobOrMany() throws Exception {
		boolean hasNative = Files.isExecutable(Queuectl.NATIVE_CLIENT);
		Path seen = this.dir.resolve("served-seen.txt");
		Path jvmLines = this.dir.resolve("jvm.jsonl");
		Files.writeString(jvmLines, "{\"id\":\"jvm-a\",\"command\":\"true\"}\n{\"id\":\"jvm-b\",\"command\":\"true\"}\n");
		Path nativeLines = this.dir.resolve("native.jsonl");
		Files.writeString(nativeLines, "{\"id\":\"c-a\",\"command\":\"true\"}\n{\"id\":\"c-b\",\"command\":\"true\"}\n");
		String one = "11111111111111111111111111111111";
		String many = "22222222222222222222222222222222";
		String nativeOne = "33333333333333333333333333333333";
		String nativeMany = "44444444444444444444444444444444";
		try (Queuectl.Worker host = this.q.worker("--port", "0")) {
			MetricsIT.port(host);
			await().atMost(Duration.ofSeconds(60)).until(this::socketAccepts); // the port line comes before the socket
			this.q.env("TRACEPARENT", "00-" + one + "-1111111111111111-01").env("TRACESTATE", "vendor=jvm");
			this.q.ok("enqueue", "{\"id\":\"jvm\",\"command\":\"printf '%s %s' \\\"$TRACEPARENT\\\" \\\"$TRACESTATE\\\" > " + seen + "\"}");
			this.q.env("TRACEPARENT", "00-" + many + "-2222222222222222-01").env("TRACESTATE", "");
			Queuectl.Result stdin = this.q.runWithStdin(jvmLines, "enqueue", "-");
			assertThat(stdin.exit()).as(stdin.err()).isZero();
			if (hasNative) {
				this.q.env("TRACEPARENT", "00-" + nativeOne + "-3333333333333333-01");
				Queuectl.Result r = this.q.runNative(null, "enqueue", "{\"id\":\"c\",\"command\":\"true\"}");
				assertThat(r.exit()).as("served by the host: " + r.err()).isZero();
				this.q.env("TRACEPARENT", "00-" + nativeMany + "-4444444444444444-01");
				r = this.q.runNative(nativeLines, "enqueue", "-");
				assertThat(r.exit()).as("served by the host: " + r.err()).isZero();
			}
			this.q.env("TRACEPARENT", "");
			waitCompleted("jvm", "jvm-a", "jvm-b");

			Received served = inTrace(one, "enqueue", 1).get(0);
			assertThat(served.attribute("queuectl.via")).isEqualTo("socket");
			assertThat(served.attribute("queuectl.job.id")).isEqualTo("jvm");
			assertThat(served.parentSpanId()).as("the caller's span, continued").isEqualTo("1111111111111111");
			attemptsAreChildrenOf(served, "jvm");
			Received attempt = span("attempt", "queuectl.job.id", "jvm");
			assertThat(Files.readString(seen)).as("the caller's tracestate too")
				.isEqualTo("00-" + one + "-" + attempt.spanId() + "-01 vendor=jvm");

			Received bulk = inTrace(many, "enqueue", 1).get(0);
			assertThat(bulk.attribute("queuectl.via")).isEqualTo("socket");
			assertThat(bulk.parentSpanId()).isEqualTo("2222222222222222");
			assertThat(bulk.attribute("queuectl.jobs")).isEqualTo("2");
			attemptsAreChildrenOf(bulk, "jvm-a", "jvm-b");

			if (hasNative) {
				waitCompleted("c", "c-a", "c-b");
				Received c = inTrace(nativeOne, "enqueue", 1).get(0);
				assertThat(c.attribute("queuectl.via")).as("the native client's request, served").isEqualTo("socket");
				assertThat(c.parentSpanId()).isEqualTo("3333333333333333");
				attemptsAreChildrenOf(c, "c");
				Received cMany = inTrace(nativeMany, "enqueue", 1).get(0);
				assertThat(cMany.parentSpanId()).isEqualTo("4444444444444444");
				assertThat(cMany.attribute("queuectl.jobs")).isEqualTo("2");
				attemptsAreChildrenOf(cMany, "c-a", "c-b");
			}
		}
	}

	@Test
	void aBulkEnqueueFromAFileABatchOrJsonLinesToTheApiIsOneSpanAndEachOfItsJobsAttemptsIsItsChild() throws Exception {
		String fileTrace = "55555555555555555555555555555555";
		String batchTrace = "66666666666666666666666666666666";
		String apiTrace = "77777777777777777777777777777777";
		Path file = this.dir.resolve("jobs.jsonl");
		Files.writeString(file, "{\"id\":\"f1\",\"command\":\"true\"}\n{\"id\":\"f2\",\"queue\":\"other\",\"command\":\"true\"}\n"
				+ "{\"id\":\"f3\",\"command\":\"true\",\"after\":[\"f1\"]}\n");
		Path batchFile = this.dir.resolve("batch.json");
		Files.writeString(batchFile, "[{\"id\":\"b1\",\"command\":\"true\"},{\"id\":\"b2\",\"command\":\"true\"}]");
		// one-shot runs, each in its own JVM (no host runs yet)
		this.q.env("TRACEPARENT", "00-" + fileTrace + "-5555555555555555-01");
		this.q.ok("enqueue", "--file", file.toString());
		this.q.env("TRACEPARENT", "00-" + batchTrace + "-6666666666666666-01");
		this.q.ok("enqueue", "--file", batchFile.toString(), "--batch", "nightly");
		this.q.env("TRACEPARENT", "");

		Received fromFile = inTrace(fileTrace, "enqueue", 1).get(0);
		assertThat(fromFile.attribute("queuectl.via")).isEqualTo("cli");
		assertThat(fromFile.parentSpanId()).isEqualTo("5555555555555555");
		assertThat(fromFile.attribute("queuectl.jobs")).isEqualTo("3");
		assertThat(scalar("SELECT COUNT(*) FROM jobs WHERE id IN ('f1', 'f2', 'f3') AND trace_parent = '"
				+ fromFile.traceparent() + "'")).as("each job stores its enqueue's span").isEqualTo(3);
		Received batch = inTrace(batchTrace, "enqueue", 1).get(0);
		assertThat(batch.attribute("queuectl.batch")).isEqualTo("nightly");
		assertThat(batch.attribute("queuectl.jobs")).isEqualTo("2");

		try (Queuectl.Worker host = this.q.worker("--port", "0")) {
			int port = MetricsIT.port(host);
			String token = this.q.ok("web-token").strip();
			HttpResponse<String> posted = HttpClient.newHttpClient().send(HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/jobs"))
				.header("Authorization", "Bearer " + token)
				.header("Content-Type", "application/x-ndjson")
				.header("traceparent", "00-" + apiTrace + "-7777777777777777-01")
				.POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"a1\",\"command\":\"true\"}\n{\"id\":\"a2\",\"command\":\"true\"}\n"))
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(posted.statusCode()).as(posted.body()).isEqualTo(201);
			waitCompleted("f1", "f2", "f3", "b1", "b2", "a1", "a2");

			Received api = inTrace(apiTrace, "enqueue", 1).get(0);
			assertThat(api.attribute("queuectl.via")).isEqualTo("api");
			assertThat(api.parentSpanId()).isEqualTo("7777777777777777");
			assertThat(api.attribute("queuectl.jobs")).isEqualTo("2");
			attemptsAreChildrenOf(fromFile, "f1", "f2", "f3");
			attemptsAreChildrenOf(batch, "b1", "b2");
			attemptsAreChildrenOf(api, "a1", "a2");
		}
		Map<String, Long> names = this.spans.stream().collect(Collectors.groupingBy(r -> r.span().getName(), Collectors.counting()));
		assertThat(names).as("one enqueue span per request, not per job").isEqualTo(Map.of("enqueue", 3L, "attempt", 7L));
	}

	/** Whether the queue's command socket (beside the SQLite file, or in the PostgreSQL database's folder) takes a connection. */
	private boolean socketAccepts() throws java.io.IOException {
		try (var found = Files.find(this.dir, 5, (p, a) -> p.getFileName().toString().endsWith(".sock"))) {
			for (Path socket : found.toList()) {
				try (var channel = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
					channel.connect(java.net.UnixDomainSocketAddress.of(socket));
					return true;
				}
				catch (java.io.IOException notYet) {
					// bound but not listening yet, or a stale file
				}
			}
		}
		return false;
	}
}
