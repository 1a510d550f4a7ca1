package dev.queuectl.server;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What a client adds to the words of progress, result set, and enqueue's and add's --env from its environment. */
class JobWordsTest {

	private static final Map<String, String> IN_JOB = Map.of("QUEUECTL_JOB_ID", "j1", "QUEUECTL_ATTEMPT", "2", "STAGE", "prod");

	@Test
	void insideAJobProgressAndResultSetNameTheJobAndAttemptAfterTheCommandWords() {
		assertThat(JobWords.fromEnvironment(List.of("progress", "4/10", "a", "b"), IN_JOB))
			.containsExactly("progress", "--job", "j1", "--attempt", "2", "4/10", "a", "b");
		assertThat(JobWords.fromEnvironment(List.of("result", "set", "-"), IN_JOB))
			.containsExactly("result", "set", "--job", "j1", "--attempt", "2", "-");
	}

	@Test
	void aJobTheCallerNamesOrAnotherCommandOrNoJobLeavesTheWordsAlone() {
		List<String> named = List.of("progress", "--job", "other", "1/2");
		assertThat(JobWords.fromEnvironment(named, IN_JOB)).isSameAs(named);
		List<String> get = List.of("result", "get", "x");
		assertThat(JobWords.fromEnvironment(get, IN_JOB)).isSameAs(get);
		List<String> outside = List.of("progress", "1/2");
		assertThat(JobWords.fromEnvironment(outside, Map.of())).isSameAs(outside);
	}

	@Test
	void enqueueEnvOfABareNameGetsTheCallersValueWhenItIsSet() {
		assertThat(JobWords.fromEnvironment(List.of("enqueue", "{}", "--env", "STAGE", "--env=STAGE", "--env", "UNSET_27",
				"--env", "A=b"), IN_JOB))
			.containsExactly("enqueue", "{}", "--env", "STAGE=prod", "--env=STAGE=prod", "--env", "UNSET_27", "--env", "A=b");
	}

	@Test
	void addEnvOfABareNameGetsTheCallersValueBeforeTheCommandOnly() {
		assertThat(JobWords.fromEnvironment(List.of("add", "--env", "STAGE", "--env", "UNSET_28", "--", "echo", "--env", "STAGE"),
				IN_JOB))
			.containsExactly("add", "--env", "STAGE=prod", "--env", "UNSET_28", "--", "echo", "--env", "STAGE");
	}
}
