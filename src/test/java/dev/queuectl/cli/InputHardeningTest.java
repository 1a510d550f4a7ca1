package dev.queuectl.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.queuectl.config.AsciiNumbers;
import dev.queuectl.config.Durations;
import dev.queuectl.config.Setting;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 8's input defects, each through the dispatcher the CLI uses: NUL in a field, text that is
 * not UTF-8, leading blank lines past 64 KiB, ids that name . or .., arguments nobody reads,
 * non-ASCII digits, invisible commands, and sizes past the documented limits. A refusal is exit 2,
 * one line, nothing stored.
 */
class InputHardeningTest extends CommandTestSupport {

	private Map<String, List<Map<String, Object>>> before;

	@BeforeEach
	void oneJobAlreadyQueued() {
		enqueue("{\"id\":\"existing\",\"command\":\"echo original\"}");
		this.before = everything();
	}

	private void refused(Result result, String... fragments) {
		result.usageError(fragments);
		assertThat(everything()).isEqualTo(this.before);
	}

	private Result stdin(byte[] bytes, String... words) {
		return runWithStdin(new ByteArrayInputStream(bytes), words);
	}

	@Test
	void aNulInAnyStringFieldIsRefusedNamingTheField() {
		refused(run("enqueue", "{\"command\":\"true\\u0000M\\u0000/tmp\\u0000true\"}"), "field 'command'", "NUL");
		refused(run("enqueue", "{\"command\":\"x\",\"id\":\"a\\u0000b\"}"), "field 'id'", "NUL");
		refused(run("enqueue", "{\"command\":\"x\",\"queue\":\"q\\u0000\"}"), "field 'queue'", "NUL");
		refused(run("enqueue", "{\"command\":\"x\",\"delay\":\"5s\\u0000\"}"), "field 'delay'", "NUL");
		refused(run("enqueue", "{\"command\":\"x\",\"timeout\":\"\\u00005s\"}"), "field 'timeout'", "NUL");
		refused(run("enqueue", "{\"command\":\"x\",\"run_at\":\"2031-01-01T00:00:00Z\\u0000\"}"), "field 'run_at'", "NUL");
		refused(runWithStdin("{\"command\":\"ok\"}\n{\"command\":\"a\\u0000b\"}\n", "enqueue", "-"), "line 2: ",
				"field 'command'", "NUL");
		refused(run("enqueue", "{\"command\":\"x\\ud800y\"}"), "field 'command'", "lone surrogate");
	}

	@Test
	void aNonAsciiCommandIsStoredExactly() {
		String text = "echo héllo ✓ 日本 𝄞";
		String id = enqueue("{\"command\":\"" + text + "\"}");
		assertThat(run("show", id, "--json").ok().json().get("command").stringValue()).isEqualTo(text);
		byte[] line = ("{\"id\":\"fromstdin\",\"command\":\"" + text + "\"}\n").getBytes(StandardCharsets.UTF_8);
		stdin(line, "enqueue", "-").ok();
		assertThat(run("show", "fromstdin", "--json").ok().json().get("command").stringValue()).isEqualTo(text);
	}

	@Test
	void invalidUtf8IsRefusedWithItsLineOnStdinAndInAFile() throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		bytes.write("{\"command\":\"ok\"}\n\n{\"command\":\"echo ".getBytes(StandardCharsets.UTF_8));
		bytes.write(new byte[] { (byte) 0xC3, '(' }); // a lead byte without its continuation
		bytes.write("\"}\n".getBytes(StandardCharsets.UTF_8));
		refused(stdin(bytes.toByteArray(), "enqueue", "-"), "line 3: not valid UTF-8", "0xC3");
		Files.write(this.workDir.resolve("bad.jsonl"), bytes.toByteArray());
		refused(run("enqueue", "--file", "bad.jsonl"), "line 3: not valid UTF-8");
		// a surrogate encoded in UTF-8 (CESU) and an overlong form are not UTF-8 either
		refused(stdin(new byte[] { '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"' }, "enqueue", "-"), "line 1: not valid UTF-8");
		refused(stdin(new byte[] { '[', (byte) 0xC0, (byte) 0xAF, ']' }, "enqueue", "-"), "line 1: not valid UTF-8");
	}

	@Test
	void moreThan64KiBOfLeadingBlankLinesBeforeJsonLinesAndAnArray() throws IOException {
		String blank = "\n".repeat(70_000) + "  \t\n".repeat(10_000);
		Files.writeString(this.workDir.resolve("lines.jsonl"), blank + "{\"id\":\"late\",\"command\":\"ok\"}\n");
		assertThat(run("enqueue", "--file", "lines.jsonl").ok().out()).isEqualTo("late\n");
		assertThat(run("show", "late").code()).isZero();
		assertThat(runWithStdin(blank + "[{\"id\":\"arr\",\"command\":\"ok\"}]", "enqueue", "-").ok().out())
			.isEqualTo("arr\n");
		this.before = everything();
		refused(runWithStdin(blank + "{\"command\":\"ok\"", "enqueue", "-"), "line 80001: malformed JSON");
	}

	@ParameterizedTest
	@ValueSource(strings = { ".", "..", ".hidden", "..x" })
	void idsStartingWithADotAreRefused(String id) {
		refused(run("enqueue", "{\"id\":\"" + id + "\",\"command\":\"x\"}"), "field 'id'", "not start with a dot");
	}

	@Test
	void theOutputPathRefusesAnIdThatLeavesTheOutputFolder() throws Exception {
		// written past the parser, as an older version could have stored it
		this.jdbc.update("UPDATE jobs SET id = '..' WHERE id = 'existing'");
		Result logs = run("logs", "..");
		logs.usageError("job id '..' cannot name a folder inside");
		java.lang.reflect.Method dir = Class.forName("dev.queuectl.store.FileOutputStore")
			.getDeclaredMethod("outputFile", Path.class, String.class, int.class, Instant.class);
		dir.setAccessible(true);
		Path out = this.workDir.resolve("output");
		for (String bad : List.of("..", ".", "a/b", "../x", "")) {
			assertThat(catchCause(() -> dir.invoke(null, out, bad, 1, START))).as(bad).isInstanceOf(IllegalArgumentException.class);
		}
		assertThat((Path) dir.invoke(null, out, "ok.id", 1, START)).isEqualTo(out.resolve("ok.id").resolve("1-" + START.toEpochMilli() + ".log"));
	}

	private static Throwable catchCause(ThrowingRunnable r) {
		try {
			r.run();
			return null;
		}
		catch (java.lang.reflect.InvocationTargetException ex) {
			return ex.getCause();
		}
		catch (Exception ex) {
			return ex;
		}
	}

	interface ThrowingRunnable {

		void run() throws Exception;
	}

	@Test
	void argumentsACommandDoesNotTakeAreRefused() {
		refused(run("show", "existing", "b"), "unexpected argument 'b' for 'show'");
		refused(run("status", "extra"), "unexpected argument 'extra' for 'status'");
		refused(run("list", "foo"), "unexpected argument 'foo' for 'list'");
		refused(run("config", "get", "max-retries", "x"), "unexpected argument 'x'");
		refused(run("config", "set", "max-retries", "5", "6"), "unexpected argument '6'");
		refused(run("dlq", "list", "x"), "unexpected argument 'x'");
		refused(run("dlq", "retry", "existing", "x"), "unexpected argument 'x'");
		refused(run("logs", "existing", "x"), "unexpected argument 'x'");
		refused(run("worker", "stop", "host-1", "now"), "unexpected argument 'now'");
		run("worker", "stop", "host-1").fails(3, "no such worker host: host-1 (queuectl status lists them)");
		run("show", "existing").ok();
		run("help", "dlq", "list").ok();
	}

	@Test
	void onlyAsciiDigitsAreNumbers() {
		refused(run("list", "--limit", "\u0663"), "option --limit expects an integer");
		refused(run("list", "--limit", "\uff13"), "option --limit expects an integer"); // fullwidth 3
		refused(run("config", "set", "max-retries", "\u0663"), "max-retries");
		refused(run("config", "set", "job-timeout", "\u0663m"), "job-timeout");
		refused(run("config", "set", "output-cap", "\u0663KiB"), "output-cap");
		assertThat(AsciiNumbers.parseInt("\u0663")).isNull();
		assertThat(AsciiNumbers.parseInt("-12")).isEqualTo(-12);
		assertThat(AsciiNumbers.parseInt("2147483648")).isNull();
		assertThat(Durations.parseOrNull("\u0663s")).isNull();
		assertThat(Setting.parseSize("\u0663K")).isNull();
		run("list", "--limit", "3").ok();
	}

	@ParameterizedTest
	@ValueSource(strings = { "\u00a0", "\u200b", "\ufeff", "\u00a0\u200b\ufeff\u2028\u3000\u200e", "\u2060", "\u3164",
			"\t\u0001" })
	void aCommandOfOnlyInvisibleCharactersIsEmpty(String command) {
		refused(run("enqueue", "{\"command\":\"" + command.replace("\t", "\\t").replace("\u0001", "\\u0001") + "\"}"),
				"field 'command' must not be empty");
	}

	@Test
	void sizesPastTheLimitsAreRefusedWithTheLine() {
		String big = "x".repeat(128 * 1024);
		enqueue("{\"id\":\"max\",\"command\":\"" + big + "\"}");
		this.before = everything();
		refused(run("enqueue", "{\"command\":\"" + big + "y\"}"), "field 'command' is 131073 bytes", "128 KiB");
		// multibyte: 43,691 three-byte characters are 131,073 bytes
		refused(run("enqueue", "{\"command\":\"" + "✓".repeat(43_691) + "\"}"), "field 'command' is 131073 bytes");
		refused(run("enqueue", "{\"command\":\"x\",\"id\":\"y\"," + " ".repeat(1024 * 1024) + "}"), "larger than 1 MiB");
		String longLine = "{\"command\":\"x\"," + " ".repeat(1024 * 1024) + "}";
		refused(runWithStdin("{\"command\":\"ok\"}\n" + longLine + "\n", "enqueue", "-"), "line 2: longer than 1 MiB");
		refused(run("enqueue", "{\"command\":\"" + "z".repeat(20 * 1024 * 1024) + "\"}"), "larger than 1 MiB");
	}

	// ---- issue 24: ids, states, the parser's words

	@ParameterizedTest
	@ValueSource(strings = { "-x", "--help", "-", "-1" })
	void anIdStartingWithADashIsRefusedWhereverAnIdIsTaken(String id) {
		refused(run("enqueue", "{\"id\":\"" + id + "\",\"command\":\"x\"}"), "field 'id'", "not start with a dot or a dash");
		refused(run("enqueue", "{\"command\":\"x\",\"after\":\"" + id + "\"}"), "field 'after'");
	}

	@ParameterizedTest
	@ValueSource(strings = { "PENDING ", " pending", "pending ", "Pending", "PENDING", "pending\t", "dead\n" })
	void aStateIsMatchedExactlyInListCancelAndPrune(String state) {
		String expected = "unknown state '";
		refused(run("list", "--state", state), expected);
		refused(run("cancel", "--state", state), expected);
		refused(run("prune", "--state", state, "--older-than", "1d"), expected);
		assertThat(run("list", "--state", "pending").ok().outLines()).hasSize(2);
	}

	/** Inputs on which the parser's own message named its classes, features or constraints. */
	@ParameterizedTest
	@ValueSource(strings = { "{\"command\":\"a\"} {\"command\":\"b\"}", "{\"command\":NaN}",
			"{\"command\":\"x\",\"priority\":01}", "{\"command\":'x'}", "{command:\"x\"}",
			"{\"command\":\"x\",}", "{\"command\":\"x\"", "{\"command\":\"x\",\"command\":\"y\"}", "[1,2]]",
			"{\"command\":\"x\"}]", "/* c */ {\"command\":\"x\"}", "{\"command\":\"x\"} // c" })
	void noMalformedJsonMessageNamesTheParsersClasses(String json) {
		assertOwnWords(run("enqueue", json));
		assertOwnWords(runWithStdin(json + "\n", "enqueue", "-"));
		assertOwnWords(runWithStdin("[" + json + "]", "enqueue", "-"));
	}

	@Test
	void deepNestingAndHugeNumbersAreRefusedInOurWords() {
		String deep = "{\"command\":\"x\",\"a\":" + "[".repeat(2_000) + "]".repeat(2_000) + "}";
		assertOwnWords(run("enqueue", deep)).usageError("malformed JSON", "nested too deeply");
		assertOwnWords(runWithStdin(deep + "\n", "enqueue", "-"));
		String digits = "{\"command\":\"x\",\"priority\":" + "9".repeat(2_000) + "}";
		assertOwnWords(run("enqueue", digits));
		String name = "{\"command\":\"x\",\"" + "n".repeat(60_000) + "\":1}";
		assertOwnWords(run("enqueue", name));
		assertOwnWords(run("enqueue", "{\"command\":\"a\"} {\"command\":\"b\"}"))
			.usageError("malformed JSON at line 1", "more text after the JSON value");
		assertOwnWords(run("enqueue", "{\"command\":\"a\",\"command\":\"b\"}")).usageError("duplicate field", "command");
	}

	private Result assertOwnWords(Result r) {
		assertThat(r.code()).as(r.err()).isEqualTo(2);
		assertThat(r.err()).doesNotContainIgnoringCase("jackson").doesNotContain("`", "Constraints", "FAIL_ON", "Feature",
				"JsonToken", "JsonNode", "Exception", "tools.");
		assertThat(everything()).isEqualTo(this.before);
		return r;
	}
}
