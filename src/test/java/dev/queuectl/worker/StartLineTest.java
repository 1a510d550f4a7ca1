package dev.queuectl.worker;

import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job's start line names its command on one line: white space runs as one space, the ends trimmed,
 * at most 80 characters. The common command goes as it is, without the pattern; every command must
 * come out as the pattern and trim alone make it.
 */
class StartLineTest {

	private static String byThePattern(String s) {
		String flat = Pattern.compile("\\s+").matcher(s).replaceAll(" ").trim();
		return flat.length() > 80 ? flat.substring(0, 77) + "..." : flat;
	}

	@Test
	void everyCommandComesOutAsThePatternAndTrimMakeIt() {
		List<String> commands = List.of("", "true", "echo a b", "echo  a", " echo", "echo ", "echo\ta", "a\nb", "a\u000Bb",
				"a\fb", "a\rb", "\u0001echo", "echo\u0001", "x".repeat(80), "x".repeat(81), "y ".repeat(40) + "z",
				"echo \u00a0 nbsp", "make report && echo done", "a  \t\n b");
		for (String command : commands) {
			assertThat(WorkerHost.oneLine(command)).as("%s", command).isEqualTo(byThePattern(command));
		}
	}

	@Test
	void aShortPlainCommandIsTheSameStringNotACopy() {
		String command = "make report && echo done";
		assertThat(WorkerHost.oneLine(command)).isSameAs(command);
	}
}
