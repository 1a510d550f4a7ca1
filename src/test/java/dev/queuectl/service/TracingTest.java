package dev.queuectl.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.queuectl.job.TraceContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the environment turns tracing on (issue 31): never without an OTLP endpoint or exporter
 * named, never with the SDK disabled or the exporter "none"; a bad value costs one line and no
 * tracing; on, a span continues the trace it is given, and a collector out of reach costs one
 * line. {@code TracesIT} exports to a real receiver.
 */
class TracingTest {

	final List<String> warnings = new ArrayList<>();

	Tracing tracing(String... pairs) {
		Map<String, String> env = new HashMap<>();
		env.put("PATH", "/usr/bin");
		for (int i = 0; i < pairs.length; i += 2) {
			env.put(pairs[i], pairs[i + 1]);
		}
		return Tracing.fromEnvironment(env, this.warnings::add);
	}

	static boolean exporterThreadRuns() {
		return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("BatchSpanProcessor"));
	}

	@Test
	void withoutTheOtelVariablesTracingIsOffMakesNoSpanAndStartsNoExporter() {
		Tracing off = tracing("TRACEPARENT", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "OTEL_SERVICE_NAME", "x");
		assertThat(off).isSameAs(Tracing.OFF);
		assertThat(off.on()).isFalse();
		assertThat(off.enqueue("cli", new TraceContext("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", null)).context())
			.as("nothing stored with a job").isNull();
		assertThat(off.attempt(null, "j", "default", 1, "h").context()).as("nothing given to a job").isNull();
		assertThat(off.processParent()).isNull();
		assertThat(exporterThreadRuns()).isFalse();
		assertThat(this.warnings).isEmpty();
	}

	@Test
	void theSdkDisabledOrTheExporterNoneKeepTracingOffWhateverTheEndpoint() {
		assertThat(tracing("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1", "OTEL_SDK_DISABLED", "true")).isSameAs(Tracing.OFF);
		assertThat(tracing("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:1/v1/traces", "OTEL_TRACES_EXPORTER", "none"))
			.isSameAs(Tracing.OFF);
		assertThat(tracing("OTEL_EXPORTER_OTLP_ENDPOINT", " ")).isSameAs(Tracing.OFF);
		assertThat(this.warnings).isEmpty();
	}

	@Test
	void aBadValueCostsOneLineAndTracingStaysOff() {
		assertThat(tracing("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1", "OTEL_TRACES_SAMPLER", "sometimes")).isSameAs(Tracing.OFF);
		assertThat(tracing("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1", "OTEL_EXPORTER_OTLP_PROTOCOL", "carrier-pigeon"))
			.isSameAs(Tracing.OFF);
		assertThat(tracing("OTEL_EXPORTER_OTLP_ENDPOINT", "not a url")).isSameAs(Tracing.OFF);
		assertThat(this.warnings).hasSize(3).allSatisfy(line -> assertThat(line).startsWith("tracing is off: ").doesNotContain("\n"));
		assertThat(this.warnings.get(0)).contains("sometimes");
	}

	@Test
	void onASpanContinuesTheTraceItIsGivenAndTheProcessesOwnTraceparentIsItsParent() {
		String parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
		try (Tracing on = tracing("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1", "OTEL_EXPORTER_OTLP_TIMEOUT", "100",
				"TRACEPARENT", parent, "TRACESTATE", "vendor=abc")) {
			assertThat(on.on()).isTrue();
			assertThat(on.processParent()).isEqualTo(new TraceContext(parent, "vendor=abc"));
			Tracing.Span enqueue = on.enqueue("cli", on.processParent());
			TraceContext stored = enqueue.context();
			assertThat(stored.traceparent()).matches("00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01")
				.isNotEqualTo(parent);
			assertThat(stored.tracestate()).isEqualTo("vendor=abc");
			enqueue.end();
			Tracing.Span attempt = on.attempt(stored, "j", "default", 1, "h");
			assertThat(attempt.context().traceparent()).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-")
				.isNotEqualTo(stored.traceparent());
			attempt.end();
			Tracing.Span fresh = on.enqueue("api", new TraceContext("not a traceparent", null));
			assertThat(fresh.context().traceparent()).as("an invalid one starts a new trace")
				.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[13]").doesNotContain("4bf92f3577b34da6a3ce929d0e0e4736");
			fresh.end();
			assertThat(this.warnings).isEmpty();
		}
		// nothing listens at port 1: closing says so in one line of its own, not the SDK's log
		assertThat(this.warnings).isNotEmpty().allSatisfy(line -> assertThat(line).startsWith("traces: ").doesNotContain("\n")
			.doesNotContainIgnoringCase("exception"));
	}
}
