package dev.queuectl.process;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;

/**
 * LauncherIT's tests again with the background command server on, through one client or the
 * other (the subclasses): each test's first command finds nothing serving, runs in the application
 * and starts a server; the test waits until that server serves ({@link #firstCommandRan}), and the
 * later commands are answered by it. What a user sees must not differ from LauncherIT's in-process
 * runs. Each test stops its servers and asserts none is left. (What the server changes nothing in,
 * LauncherOnePathIT runs once.)
 */
abstract class LauncherServedIT extends LauncherIT {

	/** Every Cli of the class runs with the server on, through {@code QUEUECTL_CLIENT=client}. */
	static void serveThrough(String client) {
		Cli.OVERRIDES.put("QUEUECTL_SERVER", "on");
		Cli.OVERRIDES.put("CI", "");
		Cli.OVERRIDES.put("QUEUECTL_CLIENT", client);
	}

	@Override
	void firstCommandRan(Cli cli) {
		Cli.awaitServing(cli.db(), Duration.ofSeconds(120));
	}

	@AfterAll
	static void serverOff() {
		Cli.OVERRIDES.clear();
	}

	@Override
	@AfterEach
	void noCommandServerIsLeftBehind() {
		Cli.stopServersUnder(this.tmp, Duration.ofSeconds(120));
	}
}
