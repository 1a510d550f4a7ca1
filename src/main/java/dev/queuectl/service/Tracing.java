package dev.queuectl.service;

import java.util.Map;
import java.util.function.Consumer;

import dev.queuectl.job.TraceContext;

/**
 * Traces (issue 31): a span for each enqueue (CLI, served command, API) and one for each attempt
 * of a job on its worker host, a child of its enqueue's span in the same trace. Off unless the
 * standard OpenTelemetry variables ask for it ({@link #asked}); then the OpenTelemetry SDK
 * configures itself from the {@code OTEL_*} variables and exports over OTLP ({@link OtelTracing}).
 * <p>
 * Off is {@link #OFF}: no span, nothing stored with a job, nothing added to a job's environment,
 * and no class of a tracing library loaded: {@link OtelTracing} is the only class that names one,
 * and it is reached only when tracing is asked for. A bad {@code OTEL_*} value costs one line on
 * stderr and the process runs without tracing; it never fails a command.
 * <p>
 * Contexts pass between processes as W3C trace context text ({@link TraceContext}): stored with a
 * job by its enqueue, read by the host that runs it, given to the job as {@code TRACEPARENT} and
 * {@code TRACESTATE}.
 */
public interface Tracing extends AutoCloseable {

	/** Tracing off. */
	Tracing OFF = new Tracing() {

		@Override
		public Span enqueue(String via, TraceContext parent) {
			return Span.NONE;
		}

		@Override
		public Span attempt(TraceContext parent, String jobId, String queue, int attempt, String host) {
			return Span.NONE;
		}

		@Override
		public TraceContext processParent() {
			return null;
		}

		@Override
		public boolean on() {
			return false;
		}

		@Override
		public void close() {
		}
	};

	/**
	 * Whether the environment asks for traces: an OTLP endpoint ({@code OTEL_EXPORTER_OTLP_ENDPOINT}
	 * or {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}) or a traces exporter ({@code OTEL_TRACES_EXPORTER})
	 * named, unless {@code OTEL_SDK_DISABLED=true} or {@code OTEL_TRACES_EXPORTER=none}.
	 */
	static boolean asked(Map<String, String> env) {
		if ("true".equalsIgnoreCase(trimmed(env.get("OTEL_SDK_DISABLED")))) {
			return false;
		}
		String exporter = trimmed(env.get("OTEL_TRACES_EXPORTER"));
		if (exporter.equals("none")) {
			return false;
		}
		return !exporter.isEmpty() || !trimmed(env.get("OTEL_EXPORTER_OTLP_ENDPOINT")).isEmpty()
				|| !trimmed(env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")).isEmpty();
	}

	/**
	 * Tracing as {@code env} asks: {@link #OFF}, or the SDK configured from it; when the SDK refuses
	 * the configuration, {@code warn} gets one line and tracing is off.
	 */
	static Tracing fromEnvironment(Map<String, String> env, Consumer<String> warn) {
		return asked(env) ? OtelTracing.start(env, warn) : OFF;
	}

	private static String trimmed(String value) {
		return value == null ? "" : value.trim();
	}

	/** Whether spans are made. */
	boolean on();

	/**
	 * The span of an enqueue that came {@code via} the "cli", a served command ("socket") or the
	 * "api", in the trace of {@code parent} (null: a new trace).
	 */
	Span enqueue(String via, TraceContext parent);

	/** The span of one attempt of a job, a child of its enqueue's span ({@code parent}; null: a new trace). */
	Span attempt(TraceContext parent, String jobId, String queue, int attempt, String host);

	/**
	 * The trace this process runs in: {@code TRACEPARENT} (and {@code TRACESTATE}) of its own
	 * environment, as a job's tools get them from their host; null when not set or tracing is off.
	 */
	TraceContext processParent();

	/** Ends tracing: what is not exported yet is, within the exporter's timeout. */
	@Override
	void close();

	/** One span; {@link #NONE} while tracing is off. */
	interface Span {

		Span NONE = new Span() {

			@Override
			public TraceContext context() {
				return null;
			}

			@Override
			public void attribute(String key, String value) {
			}

			@Override
			public void attribute(String key, long value) {
			}

			@Override
			public void error(String message) {
			}

			@Override
			public void end() {
			}
		};

		/** Its context, for a job to store or run with; null when none is made. */
		TraceContext context();

		void attribute(String key, String value);

		void attribute(String key, long value);

		/** Marks it failed, with the line a user saw. */
		void error(String message);

		void end();
	}
}
