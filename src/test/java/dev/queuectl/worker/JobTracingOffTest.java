package dev.queuectl.worker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.queuectl.cli.CommandTestSupport;
import dev.queuectl.job.Claim;
import dev.queuectl.job.RunResult;
import dev.queuectl.service.Tracing;
import dev.queuectl.store.OutputStore;
import dev.queuectl.store.TalkStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tracing off (issue 31) adds nothing to a job: a job stored with its enqueue's trace context (a
 * traced process enqueued it) runs on a host that does not trace without {@code TRACEPARENT} or
 * {@code TRACESTATE}, and no exporter starts; the same host tracing would hand the stored context on.
 */
class JobTracingOffTest extends CommandTestSupport {

	@Autowired
	TalkStore talk;

	@Autowired
	Tracing tracing;

	@Autowired
	OutputStore outputs;

	@Test
	void aJobEnqueuedUnderATraceRunsOnAHostWithoutTracingWithNoTraceVariablesAndNoExporter() throws Exception {
		assumeTrue(System.getenv("TRACEPARENT") == null && System.getenv("TRACESTATE") == null, "this JVM runs in a trace");
		assertThat(this.tracing).as("this test's environment asks for no traces").isSameAs(Tracing.OFF);
		Path seen = this.workDir.resolve("seen.txt");
		enqueue("{\"id\":\"t\",\"command\":\"printf '%s|%s' \\\"${TRACEPARENT-unset}\\\" \\\"${TRACESTATE-unset}\\\" > " + seen + "\"}");
		assertThat(this.jdbc.queryForObject("SELECT trace_parent FROM jobs WHERE id = 't'", String.class))
			.as("an enqueue stores no trace context while tracing is off").isNull();
		this.jdbc.update("UPDATE jobs SET trace_parent = ?, trace_state = ? WHERE id = 't'",
				"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "vendor=abc");
		Claim claim = new Claim("t", "printf '%s|%s' \"${TRACEPARENT-unset}\" \"${TRACESTATE-unset}\" > " + seen,
				this.workDir.toString(), 1, 0, null, Instant.now(), Instant.now());

		Map<String, String> vars = new JobVariables(this.talk, this.database, this.tracing.on()).apply(claim);
		assertThat(vars).containsKey("QUEUECTL_JOB_ID").doesNotContainKeys("TRACEPARENT", "TRACESTATE");
		assertThat(new JobVariables(this.talk, this.database, true).apply(claim))
			.containsEntry("TRACEPARENT", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
			.containsEntry("TRACESTATE", "vendor=abc");

		JobExecutor executor = new JobExecutor(this.outputs, Clock.systemUTC(), Duration.ofSeconds(5), JobEnvironment.INHERITED)
			.withVariables(new JobVariables(this.talk, this.database, this.tracing.on()))
			.withTracing(this.tracing);
		try {
			RunResult result = executor.run(claim, Duration.ZERO, 1 << 20, new JobExecutor.RunningJob());
			assertThat(result.outcome()).isEqualTo("completed");
		}
		finally {
			executor.close();
		}
		assertThat(Files.readString(seen)).isEqualTo("unset|unset");
		assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("BatchSpanProcessor"));
	}
}
