package dev.queuectl.worker;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The export line ahead of a job's command, run by a real sh: every value arrives byte for byte. */
class JobVariablesTest {

	@Test
	void valuesWithQuotesNewlinesAndDollarsReachTheCommandUnchangedAndItsExitCodeStays() throws Exception {
		Map<String, String> vars = new LinkedHashMap<>();
		vars.put("Q", "it's \"quoted\" $HOME `x` \\ ;|&");
		vars.put("NL", "a\nb\n");
		vars.put("EMPTY", "");
		String command = JobVariables.prefixed(vars, "printf '%s|%s|%s' \"$Q\" \"$NL\" \"$EMPTY\"; exit 7");
		Process p = new ProcessBuilder("sh", "-c", command).start();
		String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(p.waitFor()).isEqualTo(7);
		assertThat(out).isEqualTo("it's \"quoted\" $HOME `x` \\ ;|&|a\nb\n|");
	}

	@Test
	void noVariablesLeaveTheCommandAsItIs() {
		assertThat(JobVariables.prefixed(Map.of(), "echo hi")).isEqualTo("echo hi");
	}
}
