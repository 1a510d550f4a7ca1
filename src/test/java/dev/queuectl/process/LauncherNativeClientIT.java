package dev.queuectl.process;

import java.nio.file.Files;

import org.junit.jupiter.api.BeforeAll;

import static org.assertj.core.api.Assertions.assertThat;

/** LauncherIT's tests through the background command server and the native client. */
class LauncherNativeClientIT extends LauncherServedIT {

	@BeforeAll
	static void serveThroughNativeClient() {
		assertThat(Files.isExecutable(Cli.PROJECT.resolve("target/queuectl-client"))).as("built where cc exists").isTrue();
		serveThrough("native");
	}

	/**
	 * Not run here: ServerIT's commandsStartedAtTheSameMomentStartOneServer runs the same first
	 * commands on the same path (bin/queuectl, the native client, the server on) with these
	 * assertions and its own on the one server they start.
	 */
	@Override
	void concurrentFirstRunsOnAFreshDatabaseAllSucceed() {
	}
}
