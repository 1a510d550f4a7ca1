package dev.queuectl.job;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ShellWords} against a real {@code sh -c}: the line it writes, run by sh, must hand the
 * program exactly the words given (printed one per NUL by printf), whatever they hold.
 */
class ShellWordsTest {

	/** The words sh passes to printf when it runs {@code printf '%s\0' WORDS...} as joined. */
	private static List<String> throughSh(List<String> words) throws IOException, InterruptedException {
		List<String> line = new ArrayList<>(List.of("printf", "%s\\0"));
		line.addAll(words);
		Process p = new ProcessBuilder("sh", "-c", ShellWords.join(line)).redirectErrorStream(true).start();
		String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(p.waitFor()).as("sh's exit for: %s", out).isZero();
		List<String> got = new ArrayList<>(List.of(out.split("\0", -1)));
		got.remove(got.size() - 1);
		return got;
	}

	@Test
	void shGetsBackExactlyTheWordsWhateverTheyHold() throws Exception {
		List<String> words = List.of("a b", "$HOME", "${X:-y}", "`id`", "$(id)", "it's", "\"q\"", "back\\slash", "x\ny",
				"*", "?", "[a]", "~", "a;b", "a|b", "a&b", "<", ">", "#c", "", "tab\there", "ü €", "!", "{}", "a=b", "-n");
		assertThat(throughSh(words)).isEqualTo(words);
	}

	@Test
	void plainWordsStayAsTheyAre() {
		assertThat(ShellWords.join(List.of("echo", "a", "b-c", "x/y.z", "k=v", "a@b:1,2%+"))).isEqualTo("echo a b-c x/y.z k=v a@b:1,2%+");
		assertThat(ShellWords.join(List.of("echo", "a b"))).isEqualTo("echo 'a b'");
	}

	@Test
	void aFirstWordShWouldReadAsAnAssignmentOrAKeywordIsQuoted() {
		assertThat(ShellWords.join(List.of("A=1", "env"))).isEqualTo("'A=1' env");
		assertThat(ShellWords.join(List.of("if", "x"))).isEqualTo("'if' x");
	}
}
