package dev.queuectl.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.queuectl.Main;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The native client (src/main/c) speaks {@link Wire}'s protocol from a copy of its constants in
 * client.h. This test reads client.h's {@code #define}s and holds each to the Java field of the same
 * name (a frame type's with its {@code T_} prefix dropped; {@code NOT_SERVED} is Main's; a list of
 * strings, {@code PASSED_VARIABLES}, to Wire's list), so a change on one side alone fails here
 * rather than on the wire.
 */
class WireConstantsTest {

	private static final Path C = Path.of("src/main/c");

	/** NAME VALUE, where VALUE is a number, maybe hex with a u suffix, maybe a shift in parentheses. */
	private static final Pattern DEFINE = Pattern.compile("(?m)^#define[ \\t]+(\\w+)[ \\t]+(\\S.*?)[ \\t]*$");

	private static final Pattern NUMBER = Pattern
		.compile("\\(?\\s*(0[xX][0-9a-fA-F]+|\\d+)[uU]?\\s*(?:<<\\s*(\\d+))?\\s*\\)?");

	@Test
	void everyConstantOfTheNativeClientEqualsTheJavaOne() throws Exception {
		Map<String, Long> c = defines(Files.readString(C.resolve("client.h")));
		assertThat(c).as("client.h's constants").isNotEmpty();
		for (Map.Entry<String, Long> e : c.entrySet()) {
			assertThat(e.getValue()).as("client.h's %s against %s", e.getKey(), javaName(e.getKey()))
				.isEqualTo(java(e.getKey()));
		}
		assertThat(stringLists(Files.readString(C.resolve("client.h")))).as("client.h's lists of names")
			.containsExactly(Map.entry("PASSED_VARIABLES", Wire.PASSED_VARIABLES));
		assertThat(Wire.PASSED_VARIABLES).hasSize(Wire.MAX_VARIABLES);
	}

	@Test
	void theNativeClientKnowsEveryLimitAndFrameTypeItReadsOrWrites() throws Exception {
		Map<String, Long> c = defines(Files.readString(C.resolve("client.h")));
		assertThat(c.keySet()).contains("NOT_SERVED", "MAGIC", "T_EXIT", "T_OUT", "T_ERR", "T_HELLO",
				"HELLO_TIMEOUT_MS", "MAX_HELLO", "MAX_FRAME", "STDIN_FLAG", "VARIABLES_FLAG", "MAX_VARIABLES");
	}

	@Test
	void theClientsConstantsLiveInItsHeaderAlone() throws IOException {
		try (Stream<Path> files = Files.list(C)) {
			List<Path> sources = files.filter(f -> f.getFileName().toString().matches("client.*\\.c")).toList();
			assertThat(sources).as("the client's sources").isNotEmpty();
			for (Path source : sources) {
				assertThat(defines(Files.readString(source))).as("constants in %s", source).isEmpty();
			}
		}
	}

	/** A list of C strings: {@code "A", "B"}. */
	private static final Pattern STRINGS = Pattern.compile("\"[^\"]*\"(\\s*,\\s*\"[^\"]*\")*");

	/** The #defines whose value is a list of strings, each as its list. */
	private static Map<String, List<String>> stringLists(String source) {
		Map<String, List<String>> found = new LinkedHashMap<>();
		Matcher m = DEFINE.matcher(source);
		while (m.find()) {
			if (STRINGS.matcher(m.group(2)).matches()) {
				found.put(m.group(1), Pattern.compile("\"([^\"]*)\"").matcher(m.group(2)).results().map(r -> r.group(1)).toList());
			}
		}
		return found;
	}

	/** The #defines with a number (not _GNU_SOURCE, the include guard or a list of strings), evaluated. */
	private static Map<String, Long> defines(String source) {
		Map<String, Long> found = new LinkedHashMap<>();
		Matcher m = DEFINE.matcher(source);
		while (m.find()) {
			if (STRINGS.matcher(m.group(2)).matches()) {
				continue;
			}
			Matcher n = NUMBER.matcher(m.group(2));
			assertThat(n.matches()).as("#define %s %s is a number this test reads", m.group(1), m.group(2)).isTrue();
			String digits = n.group(1);
			long value = digits.startsWith("0x") || digits.startsWith("0X") ? Long.parseLong(digits.substring(2), 16)
					: Long.parseLong(digits);
			if (n.group(2) != null) {
				value <<= Integer.parseInt(n.group(2));
			}
			found.put(m.group(1), value);
		}
		return found;
	}

	private static String javaName(String cName) {
		return cName.equals("NOT_SERVED") ? "Main.NOT_SERVED" : "Wire." + cName.replaceFirst("^T_", "");
	}

	private static long java(String cName) throws ReflectiveOperationException {
		if (cName.equals("NOT_SERVED")) {
			return Main.NOT_SERVED;
		}
		Object value = Wire.class.getDeclaredField(cName.replaceFirst("^T_", "")).get(null);
		return ((Number) value).longValue() & 0xFFFFFFFFL;
	}

}
