package dev.queuectl.process;

import org.junit.jupiter.api.BeforeAll;

/** LauncherIT's tests through the background command server and the JVM client. */
class LauncherJvmClientIT extends LauncherServedIT {

	@BeforeAll
	static void serveThroughJvmClient() {
		serveThrough("java");
	}
}
