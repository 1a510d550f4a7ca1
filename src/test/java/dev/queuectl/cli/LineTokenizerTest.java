package dev.queuectl.cli;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Splitting REPL and script lines into words, as a POSIX shell would. */
class LineTokenizerTest {

	private static List<String> split(String line) {
		return LineTokenizer.split(line);
	}

	@Test
	void whitespaceSeparatesWords() {
		assertThat(split("list --state dead")).containsExactly("list", "--state", "dead");
		assertThat(split("  list\t\t--json   ")).containsExactly("list", "--json");
		assertThat(split("")).isEmpty();
		assertThat(split(" \t ")).isEmpty();
	}

	@Test
	void singleQuotesKeepEverything() {
		assertThat(split("enqueue '{\"command\":\"echo \\\"a  b\\\"\"}'"))
			.containsExactly("enqueue", "{\"command\":\"echo \\\"a  b\\\"\"}");
		assertThat(split("'a \\ b'")).containsExactly("a \\ b");
		assertThat(split("'$HOME \"x\"'")).containsExactly("$HOME \"x\"");
	}

	@Test
	void doubleQuotesKeepEverythingButEscapedQuotesAndBackslashes() {
		assertThat(split("\"a  b\"")).containsExactly("a  b");
		assertThat(split("\"say \\\"hi\\\"\"")).containsExactly("say \"hi\"");
		assertThat(split("\"back\\\\slash\"")).containsExactly("back\\slash");
		assertThat(split("\"\\n stays\"")).containsExactly("\\n stays");
		assertThat(split("\"it's\"")).containsExactly("it's");
	}

	@Test
	void aBackslashOutsideQuotesEscapesTheNextCharacter() {
		assertThat(split("a\\ b c")).containsExactly("a b", "c");
		assertThat(split("\\'x")).containsExactly("'x");
		assertThat(split("\\\"x\\\"")).containsExactly("\"x\"");
		assertThat(split("a\\\\b")).containsExactly("a\\b");
		assertThat(split("trailing\\")).containsExactly("trailing\\");
	}

	@Test
	void quotedPartsJoinTheWordAroundThem() {
		assertThat(split("--file='my jobs'.jsonl")).containsExactly("--file=my jobs.jsonl");
		assertThat(split("a\"b c\"d'e f'g")).containsExactly("ab cde fg");
	}

	@Test
	void emptyQuotesAreAnEmptyWord() {
		assertThat(split("config set key ''")).containsExactly("config", "set", "key", "");
		assertThat(split("\"\" x")).containsExactly("", "x");
	}

	@ParameterizedTest
	@ValueSource(strings = { "enqueue '{\"command\":\"x\"}", "'", "a 'b c", "x'" })
	void anUnclosedSingleQuoteIsAnError(String line) {
		assertThatIllegalArgumentException().isThrownBy(() -> split(line)).withMessage("unclosed single quote");
	}

	@ParameterizedTest
	@ValueSource(strings = { "\"", "say \"hi", "\"ends with escaped quote\\\"", "a\"b" })
	void anUnclosedDoubleQuoteIsAnError(String line) {
		assertThatIllegalArgumentException().isThrownBy(() -> split(line)).withMessage("unclosed double quote");
	}
}
