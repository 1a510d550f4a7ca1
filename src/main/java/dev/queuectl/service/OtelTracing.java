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

	private OtelTracing(OpenTelemetrySdk sdk, TraceContext processParent) {
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
				.disableShutdownHook() // closed with the application's context, after its last span
				.build()
				.getOpenTelemetrySdk();
			String parent = env.get("TRACEPARENT");
			return new OtelTracing(sdk, parent == null || parent.isBlank() ? null : new TraceContext(parent, env.get("TRACESTATE")));
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

	@Override
	public void close() {
		this.sdk.shutdown().join(30, TimeUnit.SECONDS);
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
