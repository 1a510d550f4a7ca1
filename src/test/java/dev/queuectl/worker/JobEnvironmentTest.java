package dev.queuectl.worker;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The rule that makes a job's environment of its host's, on its own (JobEnvironmentIT runs it in real hosts). */
class JobEnvironmentTest {

	private static final Map<String, String> HOST = Map.ofEntries(Map.entry("PATH", "/usr/bin:/bin"),
			Map.entry("HOME", "/home/u"), Map.entry("USER", "u"), Map.entry("LOGNAME", "u"), Map.entry("SHELL", "/bin/bash"),
			Map.entry("LANG", "C.UTF-8"), Map.entry("LC_ALL", "C"), Map.entry("LC_TIME", "en_GB.UTF-8"),
			Map.entry("TZ", "UTC"), Map.entry("TERM", "xterm"), Map.entry("PGPASSWORD", "secret"),
			Map.entry("PGPASSFILE", "/home/u/.pgpass"), Map.entry("PGUSER", "app"),
			Map.entry("QUEUECTL_DB", "postgresql://app:secret@db/q"), Map.entry("QUEUECTL_SERVER", "off"),
			Map.entry("QCTL_CHAOS", "run/1"), Map.entry("AWS_PROFILE", "dev"), Map.entry("XDG_DATA_HOME", "/d"));

	@Test
	void withoutCleanEnvOnlyQueuectlsSettingsAndItsDatabaseCredentialsAreRemoved() {
		Map<String, String> expected = new HashMap<>(HOST);
		expected.keySet().removeAll(java.util.Set.of("PGPASSWORD", "PGPASSFILE", "QUEUECTL_DB", "QUEUECTL_SERVER"));
		assertThat(JobEnvironment.INHERITED.of(HOST, Map.of())).isEqualTo(expected);
	}

	@Test
	void withCleanEnvOnlyTheMinimalSetIsKept() {
		assertThat(new JobEnvironment(true).of(HOST, Map.of())).containsOnlyKeys("PATH", "HOME", "USER", "LOGNAME",
				"SHELL", "LANG", "LC_ALL", "LC_TIME", "TZ", "TERM");
	}

	@Test
	void aJobsOwnVariablesAreLaidOverTheRuleAndMaySetRemovedNames() {
		Map<String, String> env = new JobEnvironment(true).of(HOST,
				Map.of("PGPASSWORD", "the-jobs-own", "QUEUECTL_DB", "/tmp/other.db", "PATH", "/opt/bin"));
		assertThat(env).containsEntry("PGPASSWORD", "the-jobs-own")
			.containsEntry("QUEUECTL_DB", "/tmp/other.db")
			.containsEntry("PATH", "/opt/bin")
			.doesNotContainKeys("PGPASSFILE", "QUEUECTL_SERVER", "AWS_PROFILE");
	}

	@Test
	void applyingItToAProcessReplacesItsEnvironment() {
		Map<String, String> process = new HashMap<>(HOST);
		new JobEnvironment(false).applyTo(process);
		assertThat(process).doesNotContainKeys("PGPASSWORD", "PGPASSFILE", "QUEUECTL_DB", "QUEUECTL_SERVER")
			.containsEntry("QCTL_CHAOS", "run/1");
	}
}
