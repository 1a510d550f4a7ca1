package dev.queuectl.process;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * LauncherIT's tests again with the background command server on, through the java client:
 * each test's first command starts a server and the later commands are answered by it. What a
 * user sees must not differ from LauncherIT's in-process runs. Each test stops its servers and
 * asserts none is left.
 */
class LauncherJvmClientIT extends LauncherIT {

	@BeforeAll
	static void serveThroughJvmClient() {
		Cli.OVERRIDES.put("QUEUECTL_SERVER", "on");
		Cli.OVERRIDES.put("CI", "");
		Cli.OVERRIDES.put("QUEUECTL_CLIENT", "java");
	}

	@AfterAll
	static void serverOff() {
		Cli.OVERRIDES.clear();
	}

	@Override
	@AfterEach
	void noCommandServerIsLeftBehind() {
		for (ProcessHandle p : Cli.serversUnder(this.tmp)) {
			p.destroy(); // SIGTERM: it shuts down as on server stop
		}
		await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> assertThat(Cli.serversUnder(this.tmp)).isEmpty());
	}
}
