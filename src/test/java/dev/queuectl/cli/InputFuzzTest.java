package dev.queuectl.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Fuzzes every way text reaches queuectl, through the dispatcher the CLI uses: the enqueue JSON
 * argument, {@code enqueue --file} content, {@code enqueue -} on stdin, {@code config set KEY VALUE}
 * and command options and arguments. Inputs are mutations of valid ones (truncation, byte flips,
 * inserted NUL, surrogates, BOM, NBSP and other Unicode, invalid UTF-8, huge numbers and strings,
 * deep nesting, duplicate keys, wrong types). Every input must either succeed (exit 0, nothing on
 * stderr, and every job stored is a valid one) or be refused (exit 2, or 3 for a job that does not
 * exist: nothing on stdout, exactly one stderr line starting {@code queuectl: } that names no Java
 * exception, and nothing stored).
 * <p>
 * A home-made generator rather than jqwik: one seeded {@link SplittableRandom} makes every case
 * reproducible from the seed and case number printed on failure, with no new dependency.
 * {@code -Dfuzz.cases=100000} runs more (default 3,000), {@code -Dfuzz.seed=N} another sequence.
 */
class InputFuzzTest extends CommandTestSupport {

	private static final int CASES = Integer.getInteger("fuzz.cases", 3000);

	private static final long SEED = Long.getLong("fuzz.seed", 0x5EED_2031L);

	private static final Pattern ID = Pattern.compile("[A-Za-z0-9_:-][A-Za-z0-9._:-]{0,127}");

	private static final Pattern QUEUE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

	private static final Pattern LEAK = Pattern.compile("Exception|java\\.|SQLITE_|Error:|\\bat [a-z]+\\.");

	private static final String[] FIELDS = { "id", "command", "max_retries", "priority", "queue", "run_at", "delay",
			"timeout" };

	/** Characters that have broken parsers before, or could. */
	private static final String[] NASTY = { "\u0000", "\ud800", "\udfff", "\ufeff", "\u00a0", "\u200b", "\u2028", "\u2029",
			"\u202e", "\u0085", "\r", "\n", "\t", "\u001b[31m", "\"", "\\", "\\u0000", "\\ud800", "\\udc00", "\\ud83d\\ude00",
			"\uD83D\uDE00", "é", "日本", "\uffff", "\ufffd", "'", "`", "$(id)", "%s", "{", "}", "[", "]", ":", ",", "..", "/",
			"\u0663", "\uff13", "１", "e", "E+400", "-", "+", "0x10", "null", "true", " " };

	private SplittableRandom random;

	private int caseNo;

	private String input;

	/** How many cases ended with each exit code, per entry point: printed, to show what was covered. */
	private final Map<String, Integer> outcomes = new java.util.TreeMap<>();

	private String entry = "";

	@Test
	void everyInputIsStoredValidOrRefusedCleanly() throws IOException {
		SplittableRandom master = new SplittableRandom(SEED);
		for (this.caseNo = 0; this.caseNo < CASES; this.caseNo++) {
			this.random = master.split();
			if (this.caseNo % 250 == 0) {
				this.jdbc.update("DELETE FROM jobs");
				this.jdbc.update("DELETE FROM settings");
				enqueue("{\"id\":\"known\",\"command\":\"echo known\"}");
			}
			switch (this.random.nextInt(6)) {
				case 0, 1 -> enqueueArgument();
				case 2 -> enqueueBatch(true);
				case 3 -> enqueueBatch(false);
				case 4 -> configSet();
				default -> options();
			}
		}
		System.out.println("InputFuzzTest: " + CASES + " cases, seed " + SEED + ", exit codes by entry point: " + this.outcomes);
		assertThat(this.outcomes.keySet()).as("both outcomes seen at every entry point").contains("argument exit 0",
				"argument exit 2", "file exit 0", "file exit 2", "stdin exit 0", "stdin exit 2", "config exit 0",
				"config exit 2", "options exit 0", "options exit 2");
	}

	// --- the entry points -------------------------------------------------------------------

	private void enqueueArgument() {
		String json = mutate(validJob());
		this.entry = "argument";
		this.input = printable(json);
		check(run("enqueue", json));
	}

	private void enqueueBatch(boolean file) throws IOException {
		byte[] bytes = batch();
		this.input = printable(new String(bytes, StandardCharsets.UTF_8));
		Result r;
		this.entry = file ? "file" : "stdin";
		if (file) {
			Files.write(this.workDir.resolve("fuzz.jsonl"), bytes);
			r = run("enqueue", "--file", "fuzz.jsonl");
		}
		else {
			r = runWithStdin(new ByteArrayInputStream(bytes), "enqueue", "-");
		}
		check(r);
	}

	private void configSet() {
		String[] keys = { "max-retries", "backoff-base", "max-backoff", "job-timeout", "lease-timeout", "shutdown-grace",
				"output-cap", "MAX_RETRIES", "nope", "" };
		String key = pick(keys);
		if (chance(10)) {
			key = mutate(key);
		}
		String[] values = { "0", "3", "100", "101", "-1", "5s", "10m", "2h", "1d", "30d", "31d", "500ms", "1KiB", "1 MiB",
				"1GiB", "2GiB", "99999999999", "9".repeat(30), "\u0663", "\uff13", "3\u0000", " 7 ", "1e3", "0x10", "", "\ufeff5" };
		String value = chance(3) ? mutate(pick(values)) : pick(values);
		this.entry = "config";
		this.input = printable("config set " + key + " " + value);
		check(run("config", "set", key, value));
	}

	private void options() {
		List<String> words = new ArrayList<>();
		switch (this.random.nextInt(7)) {
			case 0 -> words.addAll(List.of("list", "--limit", number()));
			case 1 -> words.addAll(List.of("list", "--state", chance(2) ? pick(new String[] { "pending", "dead", "DEAD",
					"processing", "completed", "failed" }) : word()));
			case 2 -> words.addAll(List.of("list", "--queue", word(), "-n", number()));
			case 3 -> words.addAll(List.of("dlq", "list", "--limit", number()));
			case 4 -> words.addAll(List.of("show", chance(2) ? "known" : word()));
			case 5 -> words.addAll(List.of("logs", chance(2) ? "known" : word(), "--attempt", number()));
			default -> words.addAll(List.of("config", "get", word()));
		}
		if (chance(5)) {
			words.add(word()); // an extra argument
		}
		if (chance(8)) {
			words.add(pick(new String[] { "--json", "--json=maybe", "--nope", "--limit", "--", "-" }));
		}
		this.entry = "options";
		this.input = printable(String.join(" ", words));
		check(run(words.toArray(String[]::new)));
	}

	// --- the checks -------------------------------------------------------------------------

	private void check(Result r) {
		this.outcomes.merge(this.entry + " exit " + r.code(), 1, Integer::sum);
		String where = "case " + this.caseNo + " (seed " + SEED + "), input " + this.input + "\n-> exit " + r.code()
				+ "\nstdout: " + clip(r.out()) + "\nstderr: " + clip(r.err());
		if (r.code() == 0) {
			// a listing that stops at its limit says so on stderr (JobCommands.list), nothing else does
			String err = r.err().replaceFirst("^\\d+ (more )?of \\d+ shown; next: queuectl list [^\n]*\n$", "");
			assertThat(err).as(where).isEmpty();
			return;
		}
		if (r.code() != 2 && r.code() != 3) {
			fail("unexpected exit code: " + where);
		}
		assertThat(r.out()).as(where).isEmpty();
		assertThat(r.err().split("\n", -1)).as(where).hasSize(2); // one line and its newline
		assertThat(r.err()).as(where).startsWith("queuectl: ").endsWith("\n");
		assertThat(LEAK.matcher(r.err()).find()).as("a Java name leaks: " + where).isFalse();
	}

	@Override
	protected Result run(String... words) {
		Map<String, Object> counts = counts();
		long maxRow = maxRowid();
		Result r = super.run(words);
		afterRun(r, counts, maxRow, words);
		return r;
	}

	@Override
	protected Result runWithStdin(java.io.InputStream stdin, String... words) {
		if (words.length == 2 && words[1].equals("-")) {
			Map<String, Object> counts = counts();
			long maxRow = maxRowid();
			Result r = super.runWithStdin(stdin, words);
			afterRun(r, counts, maxRow, words);
			return r;
		}
		return super.runWithStdin(stdin, words);
	}

	private void afterRun(Result r, Map<String, Object> counts, long maxRow, String... words) {
		String where = "case " + this.caseNo + " (seed " + SEED + "), input " + this.input + " -> exit " + r.code()
				+ ", stderr: " + clip(r.err());
		if (r.code() != 0) {
			assertThat(counts()).as("nothing stored on failure: " + where).isEqualTo(counts);
			return;
		}
		if (words.length > 0 && words[0].equals("enqueue")) {
			List<Map<String, Object>> added = this.jdbc.queryForList("SELECT * FROM jobs WHERE rowid > ? ORDER BY rowid", maxRow);
			String printed = r.out().strip();
			if (words.length == 2 && !words[1].equals("-")) {
				assertThat(added).as(where).hasSize(1);
				assertThat(added.get(0).get("id")).as(where).isEqualTo(printed);
			}
			else {
				// a batch prints the ids it stored, one a line, in the input's order (the rowids' order)
				assertThat(r.out().lines().toList()).as(where).isEqualTo(added.stream().map(job -> job.get("id")).toList());
			}
			for (Map<String, Object> job : added) {
				assertValid(job, where);
			}
		}
	}

	private static void assertValid(Map<String, Object> job, String where) {
		String id = (String) job.get("id");
		String command = (String) job.get("command");
		assertThat(id).as(where).matches(ID);
		assertThat((String) job.get("queue")).as(where).matches(QUEUE);
		assertThat(command).as(where).doesNotContain("\u0000");
		assertThat(command.codePoints().anyMatch(c -> !Character.isWhitespace(c) && !Character.isSpaceChar(c)
				&& Character.getType(c) != Character.FORMAT && !Character.isISOControl(c))).as("visible: " + where).isTrue();
		assertThat(command.getBytes(StandardCharsets.UTF_8).length).as(where).isLessThanOrEqualTo(128 * 1024);
		for (int i = 0; i < command.length(); i++) {
			char c = command.charAt(i);
			if (Character.isHighSurrogate(c) && i + 1 < command.length() && Character.isLowSurrogate(command.charAt(i + 1))) {
				i++;
			}
			else {
				assertThat(Character.isSurrogate(c)).as("lone surrogate: " + where).isFalse();
			}
		}
		int maxRetries = ((Number) job.get("max_retries")).intValue();
		assertThat(maxRetries).as(where).isBetween(0, 100);
		Object timeout = job.get("timeout_ms");
		if (timeout != null) {
			assertThat(((Number) timeout).longValue()).as(where).isPositive();
		}
	}

	private Map<String, Object> counts() {
		return this.jdbc.queryForMap("SELECT (SELECT COUNT(*) FROM jobs) AS jobs, (SELECT COUNT(*) FROM job_runs) AS runs, "
				+ "(SELECT group_concat(key || '=' || value, ',') FROM settings) AS settings");
	}

	private long maxRowid() {
		Long max = this.jdbc.queryForObject("SELECT MAX(rowid) FROM jobs", Long.class);
		return max == null ? 0 : max;
	}

	// --- the generator ----------------------------------------------------------------------

	private String validJob() {
		StringBuilder b = new StringBuilder("{");
		List<String> parts = new ArrayList<>();
		parts.add("\"command\":" + quote(chance(10) ? "echo " + pick(NASTY) : "echo job " + this.random.nextInt(1000)));
		if (chance(2)) {
			parts.add("\"id\":" + quote("fz-" + this.caseNo + "-" + this.random.nextInt(1_000_000)));
		}
		if (chance(3)) {
			parts.add("\"max_retries\":" + this.random.nextInt(101));
		}
		if (chance(3)) {
			parts.add("\"priority\":" + (this.random.nextInt(2001) - 1000));
		}
		if (chance(3)) {
			parts.add("\"queue\":" + quote(pick(new String[] { "default", "emails", "q.1", "a:b" })));
		}
		switch (this.random.nextInt(4)) {
			case 0 -> parts.add("\"delay\":" + quote(this.random.nextInt(100) + pick(new String[] { "s", "m", "h", "ms", "d" })));
			case 1 -> parts.add("\"run_at\":\"2031-0" + (1 + this.random.nextInt(9)) + "-01T00:00:00Z\"");
			default -> {
			}
		}
		if (chance(3)) {
			parts.add("\"timeout\":" + (chance(2) ? quote((1 + this.random.nextInt(100)) + "s") : 1 + this.random.nextInt(100)));
		}
		shuffle(parts);
		b.append(String.join(",", parts)).append('}');
		return b.toString();
	}

	/** One of many kinds of damage, sometimes several; sometimes none. */
	private String mutate(String s) {
		int rounds = this.random.nextInt(4);
		for (int i = 0; i < rounds; i++) {
			s = mutateOnce(s);
		}
		return s;
	}

	private String mutateOnce(String s) {
		int at = s.isEmpty() ? 0 : this.random.nextInt(s.length() + 1);
		switch (this.random.nextInt(16)) {
			case 0:
				return s.substring(0, at); // truncated
			case 1:
				return s.substring(0, at) + pick(NASTY) + s.substring(at); // inserted
			case 2: {
				if (s.isEmpty()) {
					return s;
				}
				int i = this.random.nextInt(s.length());
				char flipped = (char) (s.charAt(i) ^ (1 << this.random.nextInt(8)));
				return s.substring(0, i) + flipped + s.substring(i + 1);
			}
			case 3:
				return s.substring(0, at) + (char) this.random.nextInt(0x10000) + s.substring(at); // any UTF-16 unit
			case 4:
				return s.replaceFirst("\"command\":", "\"command\":" + pick(new String[] { "1,\"x\":", "null,\"y\":",
						"[\"echo\"],\"z\":", "{},\"w\":" }));
			case 5: {
				String field = pick(FIELDS);
				return "{\"" + field + "\":" + wrongValue() + "," + (s.startsWith("{") ? s.substring(1) : s);
			}
			case 6:
				return s.replaceFirst("\\{", "{\"" + pick(FIELDS) + "\":" + wrongValue() + ",");
			case 7: { // deep nesting
				int depth = 1 + this.random.nextInt(chance(4) ? 5000 : 50);
				return "[".repeat(depth) + s + "]".repeat(this.random.nextInt(depth + 1));
			}
			case 8: { // a huge command, around the limit
				int n = pick(new int[] { 128 * 1024 - 20, 128 * 1024, 128 * 1024 + 1, 300_000, 1024 * 1024 + 5 });
				String fill = chance(2) ? "x" : "é";
				return "{\"command\":\"" + fill.repeat(fill.equals("x") ? n : n / 2) + "\"}";
			}
			case 9:
				return s.replaceFirst("\\}$", ",\"command\":\"dup\"}"); // a duplicate key
			case 10:
				return "\ufeff" + s;
			case 11:
				return s.replace("echo", pick(new String[] { "\u00a0", "\u200b\ufeff", "   ", "\\u0000", "\\t", "\u3000\u2028",
						"\\u00a0", "\\ufeff", "\\u200b\\u200b" }));
			case 12:
				return s + pick(new String[] { " ", "}", ",", " {\"command\":\"x\"}", "\n", "\u0000", "//", "/*" });
			case 13:
				return s.replaceFirst("\"id\":\"[^\"]*\"", "\"id\":" + quote(pick(new String[] { ".", "..", ".x", "a/b",
						"../../x", "x".repeat(129), "", "é", "a b", "known", "-", ":" })));
			case 14:
				return s.replace("\"", chance(2) ? "'" : "");
			default:
				return s.substring(0, at) + "\\u" + Integer.toHexString(this.random.nextInt(0x10000)) + s.substring(at);
		}
	}

	private String wrongValue() {
		return pick(new String[] { "1e400", "-1e400", "99999999999999999999999", "-0", "0.5", "1.0", "true", "false", "null",
				"[]", "{}", "\"\"", "\"x\"", "\"\\u0000\"", "\"\\ud800\"", "\"\u0663\"", "\"5\u0663s\"", "2147483648",
				"-2147483649", "\"-5s\"", "\"0s\"", "\"99999999999d\"", "\"9999-12-31T23:59:59Z\"",
				"\"+999999999-12-31T23:59:59Z\"", "\"2031-02-30T00:00:00Z\"", "1" + "0".repeat(2000), "NaN", "Infinity",
				"\"" + "q".repeat(70) + "\"" });
	}

	/** A batch as bytes: JSON Lines or an array, with blank lines, CRLF, BOMs and invalid UTF-8. */
	private byte[] batch() {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		int jobs = this.random.nextInt(6);
		boolean array = chance(4);
		if (chance(8)) {
			write(out, "\ufeff");
		}
		write(out, "\n".repeat(chance(40) ? 70_000 : this.random.nextInt(3)));
		if (array) {
			write(out, "[");
		}
		for (int i = 0; i < jobs; i++) {
			String job = chance(3) ? mutate(validJob()) : validJob();
			if (array && i > 0) {
				write(out, ",");
			}
			write(out, job);
			if (chance(6)) {
				// invalid UTF-8: a stray byte, a lone lead, overlong, a surrogate, past U+10FFFF, cut short; or NUL
				out.writeBytes(pick(new byte[][] { { (byte) 0xFF }, { (byte) 0xC3 }, { (byte) 0xC0, (byte) 0xAF },
						{ (byte) 0xED, (byte) 0xA0, (byte) 0x80 }, { (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80 },
						{ (byte) 0xE2, (byte) 0x82 }, { 0 } }));
			}
			write(out, pick(new String[] { "\n", "\r\n", "\n\n", "\n  \n", "\r", "" }));
		}
		if (array && !chance(10)) {
			write(out, "]");
		}
		byte[] bytes = out.toByteArray();
		if (chance(8) && bytes.length > 0) { // a byte flip anywhere
			bytes[this.random.nextInt(bytes.length)] ^= (byte) (1 << this.random.nextInt(8));
		}
		if (chance(10) && bytes.length > 0) { // truncated, perhaps inside a character
			bytes = java.util.Arrays.copyOf(bytes, this.random.nextInt(bytes.length));
		}
		return bytes;
	}

	private static void write(ByteArrayOutputStream out, String s) {
		out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
	}

	private String number() {
		return pick(new String[] { "0", "1", "5", "50", "-1", "2147483647", "2147483648", "99999999999999999999", "\u0663",
				"\uff13", "1.5", "", "x", "1e3", "0x10", " 3", "3 ", "+3", "-0", "\u00a05" });
	}

	private String word() {
		StringBuilder b = new StringBuilder();
		int n = this.random.nextInt(6);
		for (int i = 0; i < n; i++) {
			b.append(chance(3) ? pick(NASTY) : Character.toString('a' + this.random.nextInt(26)));
		}
		return b.toString();
	}

	private static String quote(String s) {
		StringBuilder b = new StringBuilder("\"");
		for (char c : s.toCharArray()) {
			if (c == '"' || c == '\\') {
				b.append('\\').append(c);
			}
			else if (c < 0x20) {
				b.append(String.format("\\u%04x", (int) c));
			}
			else {
				b.append(c);
			}
		}
		return b.append('"').toString();
	}

	private boolean chance(int oneIn) {
		return this.random.nextInt(oneIn) == 0;
	}

	private <T> T pick(T[] options) {
		return options[this.random.nextInt(options.length)];
	}

	private int pick(int[] options) {
		return options[this.random.nextInt(options.length)];
	}

	private <T> void shuffle(List<T> list) {
		for (int i = list.size() - 1; i > 0; i--) {
			int j = this.random.nextInt(i + 1);
			T t = list.get(i);
			list.set(i, list.get(j));
			list.set(j, t);
		}
	}

	private static String printable(String s) {
		return clip(s.replace("\u0000", "\\0").replace("\n", "\\n").replace("\r", "\\r"));
	}

	private static String clip(String s) {
		return s.length() > 300 ? s.substring(0, 300) + "...(" + s.length() + " chars)" : s;
	}
}
