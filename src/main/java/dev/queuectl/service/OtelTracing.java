package dev.queuectl.service;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.queuectl.job.TraceContext;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;

/**
 * {@link Tracing} on: the OpenTelemetry SDK as its own autoconfiguration builds it from the
 * standard variables (exporter, endpoint, protocol, headers, timeout, sampler, service name,
 * resource attributes...), traces only (no metrics or logs exporter unless asked), with the
 * service name "queuectl" unless one is given. OTLP goes over HTTP through the JDK's client
 * (http/protobuf, the specification's default); no gRPC sender is shipped, so {@code grpc} is
 * refused like any other bad value: one line, no tracing. Contexts cross processes as W3C trace
 * context text, whatever {@code OTEL_PROPAGATORS} says (the job's {@code TRACEPARENT} is W3C's).
 * Spans are exported in batches by the SDK's own thread, and {@link #close} flushes them, so a
 * one-shot command's span leaves before its process ends.
 */
final class OtelTracing implements Tracing {

	private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

	private static final TextMapGetter<TraceContext> GETTER = new TextMapGetter<>() {

		@Override
		public Iterable<String> keys(TraceContext carrier) {
			return java.util.List.of("traceparent", "tracestate");
		}

		@Override
		public String get(TraceContext carrier, String key) {
			return carrier == null ? null : key.equals("traceparent") ? carrier.traceparent() : key.equals("tracestate") ? carrier.tracestate() : null;
		}
	};

	private final OpenTelemetrySdk sdk;

	private final Tracer tracer;

	private final TraceContext processParent;

	/** Where a failed export is said, in one line. */
	private final Consumer<String> warn;

	private OtelTracing(OpenTelemetrySdk sdk, TraceContext processParent, Consumer<String> warn) {
		this.warn = warn;
		this.sdk = sdk;
		this.tracer = sdk.getTracer("queuectl", dev.queuectl.config.Version.number());
		this.processParent = processParent;
	}

	static Tracing start(Map<String, String> env, Consumer<String> warn) {
		Map<String, String> properties = new HashMap<>();
		properties.put("otel.metrics.exporter", "none");
		properties.put("otel.logs.exporter", "none");
		// the specification's default; the Java SDK's own is gRPC, for which no sender ships here
		properties.put("otel.exporter.otlp.protocol", "http/protobuf");
		// the variables of env as the SDK's properties (the same as it reads itself from this process's
		// own environment, which wins; a test gives its own env)
		env.forEach((name, value) -> {
			if (name.startsWith("OTEL_")) {
				properties.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value);
			}
		});
		String protocol = properties.getOrDefault("otel.exporter.otlp.traces.protocol", properties.get("otel.exporter.otlp.protocol"));
		if (protocol.trim().equals("grpc")) {
			warn.accept("tracing is off: OTLP over gRPC is not supported here; use http/protobuf (OTEL_EXPORTER_OTLP_PROTOCOL)");
			return OFF;
		}
		try {
			OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
				.addPropertiesSupplier(() -> properties)
				.addResourceCustomizer((resource, config) -> named(resource))
				.addSpanExporterCustomizer((exporter, config) -> new Reported(exporter, warn))
				.disableShutdownHook() // closed with the application's context, after its last span
				.build()
				.getOpenTelemetrySdk();
			return new OtelTracing(sdk, TraceContext.fromEnvironment(env), warn);
		}
		catch (RuntimeException | LinkageError ex) {
			Throwable cause = ex; // the SDK wraps what it refused: its own words are deepest
			while (cause.getCause() != null && cause.getCause() != cause) {
				cause = cause.getCause();
			}
			String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage().lines().findFirst().orElse("");
			if (System.getProperty("queuectl.debug") != null || Boolean.getBoolean("queuectl.trace.debug")) {
				ex.printStackTrace();
			}
			warn.accept("tracing is off: " + message);
			return OFF;
		}
	}

	/** "queuectl" as the service's name when neither OTEL_SERVICE_NAME nor the resource attributes name one. */
	private static Resource named(Resource resource) {
		AttributeKey<String> name = AttributeKey.stringKey("service.name");
		String given = resource.getAttribute(name);
		return given == null || given.startsWith("unknown_service") ? resource.toBuilder().put(name, "queuectl").build() : resource;
	}

	@Override
	public boolean on() {
		return true;
	}

	@Override
	public TraceContext processParent() {
		return this.processParent;
	}

	@Override
	public Span enqueue(String via, TraceContext parent) {
		io.opentelemetry.api.trace.Span span = this.tracer.spanBuilder("enqueue")
			.setParent(context(parent))
			.setSpanKind(SpanKind.PRODUCER)
			.setAttribute("queuectl.via", via)
			.startSpan();
		return new OtelSpan(span);
	}

	@Override
	public Span attempt(TraceContext parent, String jobId, String queue, int attempt, String host) {
		io.opentelemetry.api.trace.SpanBuilder builder = this.tracer.spanBuilder("attempt")
			.setParent(context(parent))
			.setSpanKind(SpanKind.CONSUMER)
			.setAttribute("queuectl.job.id", jobId)
			.setAttribute("queuectl.attempt", attempt)
			.setAttribute("host.name", host);
		if (queue != null) {
			builder.setAttribute("queuectl.queue", queue);
		}
		return new OtelSpan(builder.startSpan());
	}

	private static Context context(TraceContext parent) {
		return parent == null ? Context.root() : W3C.extract(Context.root(), parent, GETTER);
	}

	/**
	 * Ends the SDK, exporting what waits. Bounded: with the collector out of reach the exporter retries
	 * for several seconds, and a one-shot command would wait them all at its end.
	 */
	@Override
	public void close() {
		io.opentelemetry.sdk.common.CompletableResultCode done = this.sdk.shutdown().join(CLOSE_SECONDS, TimeUnit.SECONDS);
		if (!done.isDone()) {
			this.warn.accept("traces: the last spans were not exported within " + CLOSE_SECONDS
					+ " s (is the collector up?)");
		}
	}

	/** How long {@link #close} waits for the last spans to leave. */
	static final int CLOSE_SECONDS = 5;

	/**
	 * The exporter the SDK configured, saying a failed export in one line of queuectl's (at most one a
	 * minute: a host whose collector is away keeps running its jobs), instead of the SDK's log.
	 */
	private static final class Reported implements io.opentelemetry.sdk.trace.export.SpanExporter {

		private static final long QUIET_NANOS = TimeUnit.MINUTES.toNanos(1);

		private final io.opentelemetry.sdk.trace.export.SpanExporter exporter;

		private final Consumer<String> warn;

		private final java.util.concurrent.atomic.AtomicLong lastWarned = new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - QUIET_NANOS);

		Reported(io.opentelemetry.sdk.trace.export.SpanExporter exporter, Consumer<String> warn) {
			this.exporter = exporter;
			this.warn = warn;
		}

		@Override
		public io.opentelemetry.sdk.common.CompletableResultCode export(java.util.Collection<io.opentelemetry.sdk.trace.data.SpanData> spans) {
			io.opentelemetry.sdk.common.CompletableResultCode result = this.exporter.export(spans);
			int count = spans.size();
			result.whenComplete(() -> {
				long now = System.nanoTime();
				long last = this.lastWarned.get();
				if (!result.isSuccess() && now - last >= QUIET_NANOS && this.lastWarned.compareAndSet(last, now)) {
					this.warn.accept("traces: " + count + (count == 1 ? " span" : " spans") + " not exported ("
							+ why(result.getFailureThrowable()) + "); more such failures are not said for a minute");
				}
			});
			return result;
		}

		/** Why an export failed, in our words: the SDK's exceptions name its internals. */
		static String why(Throwable failure) {
			for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
				if (t instanceof java.net.ConnectException) {
					return "cannot connect to the collector";
				}
				if (t instanceof java.net.http.HttpTimeoutException) {
					return "the collector did not answer in time";
				}
				if (t instanceof java.io.IOException && t.getMessage() != null) {
					return t.getMessage();
				}
			}
			return "the collector answered with an error";
		}

		@Override
		public io.opentelemetry.sdk.common.CompletableResultCode flush() {
			return this.exporter.flush();
		}

		@Override
		public io.opentelemetry.sdk.common.CompletableResultCode shutdown() {
			return this.exporter.shutdown();
		}
	}

	/** An OpenTelemetry span behind {@link Tracing.Span}. */
	private record OtelSpan(io.opentelemetry.api.trace.Span span) implements Span {

		@Override
		public TraceContext context() {
			if (!this.span.getSpanContext().isValid()) {
				return null;
			}
			Map<String, String> carrier = new HashMap<>();
			W3C.inject(Context.root().with(this.span), carrier, Map::put);
			String state = carrier.get("tracestate");
			return new TraceContext(carrier.get("traceparent"), state == null || state.isEmpty() ? null : state);
		}

		@Override
		public void attribute(String key, String value) {
			if (value != null) {
				this.span.setAttribute(key, value);
			}
		}

		@Override
		public void attribute(String key, long value) {
			this.span.setAttribute(key, value);
		}

		@Override
		public void error(String message) {
			this.span.setStatus(StatusCode.ERROR, message == null ? "" : message);
		}

		@Override
		public void end() {
			this.span.end();
		}
	}
}
