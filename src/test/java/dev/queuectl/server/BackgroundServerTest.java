package dev.queuectl.server;


import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which commands leave a background command server behind them: served ones that use the database. */
class BackgroundServerTest {

	@Test
	void aServerIsWorthHavingAfterTheServedCommandsThatUseTheDatabase() {
		for (String word : new String[] { "enqueue", "list", "show", "status", "logs", "dlq", "config", "cancel",
				"queue", "wait", "run-now", "schedule", "prune" }) {
			assertThat(BackgroundServer.usesServedDb(word)).as(word).isTrue();
		}
	}

	@Test
	void noServerIsStartedAfterHelpServerOrACommandNoServerServes() {
		for (String word : new String[] { "help", "server", "worker", "migrate", "dashboard", "completion" }) {
			assertThat(BackgroundServer.usesServedDb(word)).as(word).isFalse();
		}
	}

}
