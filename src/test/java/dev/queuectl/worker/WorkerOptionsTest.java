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
	void resourcesAreNamedAmountsRepeatedOrJoinedByCommas() {
		WorkerOptions.Request r = WorkerOptions.parse(List.of("--resources", "gpu=2,mem=64G", "--resources=license=1"));
		assertThat(r.resources().toString()).isEqualTo("gpu=2,license=1,mem=64G");
		assertThat(r.resources().get("mem")).isEqualTo(64L << 30);
		assertThat(WorkerOptions.parse(List.of()).resources().isEmpty()).isTrue();
		assertUsage(List.of("--resources", "mem=64GB"), "--resources mem: unknown suffix 'GB' (K, M, G or T: powers of 1024)");
		assertUsage(List.of("--resources", "GPU=1"),
				"--resources 'GPU' is not a resource name (a-z first, then a-z 0-9 _ -; at most 32)");
		assertUsage(List.of("--resources", "gpu=-1"), "--resources gpu: must not be negative, got '-1'");
		assertUsage(List.of("--resources", "gpu"), "--resources 'gpu' is not name=amount (e.g. --resources gpu=2,mem=64G)");
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
