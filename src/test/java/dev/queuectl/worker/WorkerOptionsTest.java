package dev.queuectl.worker;

import java.util.List;

import dev.queuectl.QueuectlException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The checks the entry point applies to {@code worker start} before it starts anything. */
class WorkerOptionsTest {

	@Test
	void everyOptionInEveryForm() {
		WorkerOptions.Request r = WorkerOptions.parse(
				List.of("--count", "4", "-q", "emails", "--queue=reports,a.b:c-d_1", "--port=9464", "--no-http", "--clean-env"));
		assertThat(r.count()).isEqualTo(4);
		assertThat(r.queues()).containsExactly("emails", "reports", "a.b:c-d_1");
		assertThat(r.port()).isEqualTo(9464);
		assertThat(r.noHttp()).isTrue();
		assertThat(r.cleanEnv()).isTrue();
		assertThat(r.help()).isFalse();
		WorkerOptions.Request defaults = WorkerOptions.parse(List.of());
		assertThat(defaults.count()).isEqualTo(1);
		assertThat(defaults.queues()).isEmpty();
		assertThat(defaults.port()).isNull();
		assertThat(defaults.noHttp()).isFalse();
		assertThat(defaults.cleanEnv()).isFalse();
		assertThat(WorkerOptions.parse(List.of("--clean-env=false")).cleanEnv()).isFalse();
		assertThat(WorkerOptions.parse(List.of("-c=256", "--no-http=false", "--help")).help()).isTrue();
	}

	@Test
	void badValuesAreUsageErrors() {
		assertUsage(List.of("--count", "0"), "--count must be from 1 to 256");
		assertUsage(List.of("-c", "257"), "--count must be from 1 to 256");
		assertUsage(List.of("--count", "-1"), "--count must be from 1 to 256");
		assertUsage(List.of("--count", "many"), "option --count expects an integer, got 'many'");
		assertUsage(List.of("--port", "abc"), "option --port expects an integer, got 'abc'");
		assertUsage(List.of("--port", "65536"), "--port must be from 0 to 65535");
		assertUsage(List.of("--port"), "option --port needs a value");
		assertUsage(List.of("--queue", "has space"), "--queue 'has space' is not a queue name (1-64 of letters, digits and . _ : -)");
		assertUsage(List.of("--queue", "a,,b"), "--queue '' is not a queue name (1-64 of letters, digits and . _ : -)");
		assertUsage(List.of("--no-http=yes"), "option --no-http expects true or false, got 'yes'");
		assertUsage(List.of("--clean-env=1"), "option --clean-env expects true or false, got '1'");
		assertUsage(List.of("--verbose"), "unknown option '--verbose' for 'worker start' (try 'queuectl help worker start')");
		assertUsage(List.of("now"), "'worker start' takes no argument, got 'now'");
	}

	private static void assertUsage(List<String> args, String message) {
		assertThatThrownBy(() -> WorkerOptions.parse(args)).isInstanceOf(QueuectlException.class)
			.hasMessage(message)
			.extracting(e -> ((QueuectlException) e).exitCode())
			.isEqualTo(QueuectlException.USAGE);
	}
}
