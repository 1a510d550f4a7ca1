package dev.queuectl.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Every way enqueue input can be wrong: exit 2, one line on stderr naming the problem, nothing on
 * stdout, and nothing stored, not even the good jobs of a bulk input.
 */
class EnqueueValidationTest extends CommandTestSupport {

	private Map<String, List<Map<String, Object>>> before;

	@BeforeEach
	void oneJobAlreadyQueued() {
		enqueue("{\"id\":\"existing\",\"command\":\"echo original\"}");
		this.before = everything();
	}

	private void assertNothingChanged() {
		assertThat(everything()).isEqualTo(this.before);
		assertThat(run("status", "--json").ok().json().get("jobs").get("pending").intValue()).isEqualTo(1);
		assertThat(run("list").ok().outLines()).hasSize(2); // header and "existing"
	}

	static Stream<Arguments> badJobs() {
		String id129 = "i".repeat(129);
		return Stream.of(
				arguments("{\"command\":\"echo\"", List.of("malformed JSON")),
				arguments("{\"command\":\"echo\"} trailing", List.of("malformed JSON", "'trailing'")),
				arguments("{\"command\":\"a\"} {\"command\":\"b\"}", List.of("malformed JSON", "more text after the JSON value")),
				arguments("{\"command\":\"a\",\"command\":\"b\"}", List.of("malformed JSON", "duplicate field", "command")),
				arguments("", List.of("empty input")),
				arguments("  ", List.of("empty input")),
				arguments("[\"echo hi\"]", List.of("expected a JSON object, got an array")),
				arguments("\"echo hi\"", List.of("expected a JSON object, got a string")),
				arguments("42", List.of("expected a JSON object, got a number")),
				arguments("null", List.of("expected a JSON object, got null")),
				arguments("{\"command\":\"x\",\"cmd\":\"y\"}", List.of("unknown field 'cmd'", "allowed:")),
				arguments("{\"command\":\"x\",\"ID\":\"y\"}", List.of("unknown field 'ID'")),
				arguments("{\"id\":\"no-command\"}", List.of("field 'command' is required")),
				arguments("{\"command\":null}", List.of("field 'command' is required")),
				arguments("{\"command\":\"\"}", List.of("field 'command' must not be empty")),
				arguments("{\"command\":\" \\t \"}", List.of("field 'command' must not be empty")),
				arguments("{\"command\":42}", List.of("field 'command' must be a string, got a number")),
				arguments("{\"command\":[\"echo\",\"hi\"]}", List.of("field 'command' must be a string, got an array")),
				arguments("{\"command\":\"x\",\"priority\":\"high\"}", List.of("field 'priority' must be an integer", "a string")),
				arguments("{\"command\":\"x\",\"priority\":1.5}", List.of("field 'priority' must be an integer")),
				arguments("{\"command\":\"x\",\"priority\":2147483648}", List.of("field 'priority' must be an integer")),
				arguments("{\"command\":\"x\",\"max_retries\":1.5}", List.of("field 'max_retries' must be an integer from 0 to 100", "1.5")),
				arguments("{\"command\":\"x\",\"max_retries\":\"3\"}", List.of("field 'max_retries' must be an integer from 0 to 100", "a string")),
				arguments("{\"command\":\"x\",\"max_retries\":-1}", List.of("field 'max_retries' must be an integer from 0 to 100, got -1")),
				arguments("{\"command\":\"x\",\"max_retries\":101}", List.of("field 'max_retries' must be an integer from 0 to 100, got 101")),
				arguments("{\"command\":\"x\",\"id\":\"has space\"}", List.of("field 'id' must be 1-128 characters")),
				arguments("{\"command\":\"x\",\"id\":\"a/b\"}", List.of("field 'id' must be 1-128 characters")),
				arguments("{\"command\":\"x\",\"id\":\"caf\u00e9\"}", List.of("field 'id' must be 1-128 characters")),
				arguments("{\"command\":\"x\",\"id\":\"\"}", List.of("field 'id' must be 1-128 characters")),
				arguments("{\"command\":\"x\",\"id\":\"" + id129 + "\"}", List.of("field 'id' must be 1-128 characters")),
				arguments("{\"command\":\"x\",\"id\":7}", List.of("field 'id' must be a string, got a number")),
				arguments("{\"command\":\"x\",\"queue\":\"a b\"}", List.of("field 'queue' must be 1-64 characters")),
				arguments("{\"command\":\"x\",\"queue\":\"" + "q".repeat(65) + "\"}", List.of("field 'queue' must be 1-64 characters")),
				arguments("{\"command\":\"x\",\"run_at\":\"2031-01-01T00:00:00Z\",\"delay\":\"5m\"}", List.of("either 'run_at' or 'delay', not both")),
				arguments("{\"command\":\"x\",\"run_at\":\"tomorrow\"}", List.of("field 'run_at' must be an ISO-8601 time", "tomorrow")),
				arguments("{\"command\":\"x\",\"run_at\":\"2031-01-01T00:00:00\"}", List.of("field 'run_at' must be an ISO-8601 time with offset")),
				arguments("{\"command\":\"x\",\"run_at\":\"2031-02-30T00:00:00Z\"}", List.of("field 'run_at' must be an ISO-8601 time")),
				arguments("{\"command\":\"x\",\"run_at\":1700000000}", List.of("field 'run_at' must be a string, got a number")),
				arguments("{\"command\":\"x\",\"run_at\":\"+300000000-01-01T00:00:00Z\"}", List.of("field 'run_at' is out of range")),
				arguments("{\"command\":\"x\",\"run_at\":\"-300000000-01-01T00:00:00Z\"}", List.of("field 'run_at' is out of range")),
				arguments("{\"command\":\"x\",\"delay\":\"soon\"}", List.of("field 'delay' must be a duration", "soon")),
				arguments("{\"command\":\"x\",\"delay\":\"-5s\"}", List.of("field 'delay' must be a duration")),
				arguments("{\"command\":\"x\",\"delay\":-5}", List.of("field 'delay' must be a duration")),
				arguments("{\"command\":\"x\",\"delay\":\"5 minutes\"}", List.of("field 'delay' must be a duration")),
				arguments("{\"command\":\"x\",\"delay\":\"5w\"}", List.of("field 'delay' must be a duration")),
				arguments("{\"command\":\"x\",\"delay\":1.5}", List.of("field 'delay' must be a duration", "a number")),
				arguments("{\"command\":\"x\",\"delay\":true}", List.of("field 'delay' must be a duration", "a boolean")),
				arguments("{\"command\":\"x\",\"timeout\":\"forever\"}", List.of("field 'timeout' must be a positive duration", "forever")),
				arguments("{\"command\":\"x\",\"timeout\":\"-1s\"}", List.of("field 'timeout' must be a positive duration")),
				arguments("{\"command\":\"x\",\"timeout\":0}", List.of("field 'timeout' must be a positive duration", "0s")),
				arguments("{\"command\":\"x\",\"timeout\":\"0\"}", List.of("field 'timeout' must be a positive duration")),
				arguments("{\"command\":\"x\",\"timeout\":\"0ms\"}", List.of("field 'timeout' must be a positive duration")),
				arguments("{\"command\":\"x\",\"timeout\":{}}", List.of("field 'timeout' must be a duration", "an object")));
	}

	@ParameterizedTest(name = "[{index}] {0}")
	@MethodSource("badJobs")
	void aBadJobIsRejectedAndNothingIsStored(String json, List<String> fragments) {
		run("enqueue", json).usageError(fragments.toArray(String[]::new));
		assertNothingChanged();
	}

	@Test
	void anIdAlreadyInTheDatabase() {
		run("enqueue", "{\"id\":\"existing\",\"command\":\"echo replaced\"}").usageError("a job with id 'existing' already exists");
		assertNothingChanged();
		assertThat(this.jdbc.queryForObject("SELECT command FROM jobs WHERE id = 'existing'", String.class))
			.isEqualTo("echo original");
	}

	@Test
	void aBadLineOfJsonLinesIsNamedAndNothingFromTheFileIsStored() throws IOException {
		Files.writeString(this.workDir.resolve("jobs.jsonl"), """
				{"id":"f1","command":"echo 1"}
				{"id":"f2","command":"echo 2"}
				{"id":"f3","command":"echo 3","max_retries":101}
				{"id":"f4","command":"echo 4"}
				""");

		run("enqueue", "--file", "jobs.jsonl").usageError("line 3: field 'max_retries'");
		assertNothingChanged();
	}

	@Test
	void lineNumbersCountBlankLines() throws IOException {
		Files.writeString(this.workDir.resolve("jobs.jsonl"), "{\"command\":\"ok\"}\n\n   \n{\"command\":\"ok\"} {\n");

		run("enqueue", "--file", "jobs.jsonl").usageError("line 4: malformed JSON");
		assertNothingChanged();
	}

	@Test
	void aJsonLineThatIsNotAnObject() {
		runWithStdin("{\"command\":\"ok\"}\n[1,2]\n", "enqueue", "-").usageError("line 2: expected a JSON object, got an array");
		assertNothingChanged();
	}

	@Test
	void aBadLineOnStdinIsNamed() {
		runWithStdin("{\"command\":\"ok\"}\n{\"command\":\"ok\",\"delay\":\"1m\",\"run_at\":\"2031-01-01T00:00:00Z\"}\n",
				"enqueue", "-")
			.usageError("line 2: ", "not both");
		assertNothingChanged();
	}

	@Test
	void aDuplicateIdWithinOneFile() throws IOException {
		Files.writeString(this.workDir.resolve("jobs.jsonl"), """
				{"id":"d1","command":"echo 1"}
				{"id":"d2","command":"echo 2"}
				{"id":"d3","command":"echo 3"}
				{"id":"d2","command":"echo again"}
				""");

		run("enqueue", "--file", "jobs.jsonl").usageError("line 4: duplicate id 'd2'");
		assertNothingChanged();
	}

	@Test
	void aFileNamingAnIdAlreadyInTheDatabaseStoresNothing() throws IOException {
		Files.writeString(this.workDir.resolve("jobs.jsonl"), """
				{"id":"n1","command":"echo 1"}
				{"id":"existing","command":"echo 2"}
				{"id":"n3","command":"echo 3"}
				""");

		run("enqueue", "--file", "jobs.jsonl").usageError("line 2: a job with id 'existing' already exists");
		assertNothingChanged();
	}

	@Test
	void aDuplicatePastTheFirstThousandRollsBackEarlierBatches() throws IOException {
		String lines = IntStream.rangeClosed(1, 2500)
			.mapToObj(i -> i == 1700 ? "{\"id\":\"existing\",\"command\":\"x\"}" : "{\"id\":\"b" + i + "\",\"command\":\"x\"}")
			.collect(Collectors.joining("\n"));
		Files.writeString(this.workDir.resolve("jobs.jsonl"), lines);

		run("enqueue", "--file", "jobs.jsonl").usageError("line 1700: a job with id 'existing' already exists");
		assertNothingChanged();
	}

	@Test
	void aBadItemOfAJsonArrayIsNamed() throws IOException {
		Files.writeString(this.workDir.resolve("jobs.json"), """
				[{"id":"a1","command":"echo 1"},
				 {"id":"a2","command":"echo 2"},
				 {"id":"a3","command":"echo 3","priority":"high"}]""");

		run("enqueue", "--file", "jobs.json").usageError("item 3: field 'priority'");
		assertNothingChanged();
	}

	@Test
	void aJsonArrayItemThatIsNotAnObject() {
		runWithStdin("[{\"command\":\"ok\"}, \"echo hi\"]", "enqueue", "-").usageError("item 2: expected a JSON object, got a string");
		assertNothingChanged();
	}

	@Test
	void aDuplicateIdWithinOneJsonArray() {
		runWithStdin("[{\"id\":\"x\",\"command\":\"1\"},{\"id\":\"x\",\"command\":\"2\"}]", "enqueue", "-")
			.usageError("item 2: duplicate id 'x'");
		assertNothingChanged();
	}

	@Test
	void aJsonArrayItemWithAnIdAlreadyInTheDatabase() {
		runWithStdin("[{\"id\":\"y\",\"command\":\"1\"},{\"id\":\"existing\",\"command\":\"2\"}]", "enqueue", "-")
			.usageError("item 2: a job with id 'existing' already exists");
		assertNothingChanged();
	}

	@Test
	void aMalformedJsonArray() {
		runWithStdin("[{\"command\":\"ok\"},", "enqueue", "-").usageError("malformed JSON");
		runWithStdin("[{\"command\":\"ok\"}] trailing", "enqueue", "-").usageError("malformed JSON");
		assertNothingChanged();
	}

	@Test
	void enqueueNeedsExactlyOneSource() throws IOException {
		run("enqueue").usageError("enqueue needs a JSON job, --file F or -");
		run("enqueue", "{\"command\":\"a\"}", "{\"command\":\"b\"}").usageError("takes one JSON argument, got 2");
		run("enqueue", "{\"command\":\"echo\",", "\"id\":\"x\"}").usageError("quote the JSON");
		Files.writeString(this.workDir.resolve("jobs.jsonl"), "{\"command\":\"a\"}\n");
		run("enqueue", "--file", "jobs.jsonl", "{\"command\":\"b\"}").usageError("either a JSON job or --file");
		run("enqueue", "--file", "missing.jsonl").usageError("no such file: missing.jsonl");
		run("enqueue", "--file").usageError("option --file needs a value");
		assertNothingChanged();
	}
}
