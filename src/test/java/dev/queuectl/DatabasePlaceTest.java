package dev.queuectl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the database is, decided once in Java ({@code DatabaseLocation.find}) and once in C
 * ({@code db_socket}): one table of cases (database-place.txt beside this class) runs through both,
 * and each must give the table's answer, the socket that serves the database. The inputs are a
 * process's own (its environment, working directory, the configuration files), so each side runs as
 * a child process per case: {@link WhereDbProbe} in a JVM on queuectl's classes, and the test
 * binary target/queuectl-where-db, which the build makes from the client's own source files.
 */
class DatabasePlaceTest {

	private static final Path PROJECT = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
		.toAbsolutePath();

	private static final Path NATIVE = PROJECT.resolve("target").resolve("queuectl-where-db");

	@TempDir
	Path tmp;

	@TestFactory
	Stream<DynamicTest> bothClientsFindTheDatabaseTheTableNames() throws IOException {
		List<Map<String, String>> cases = cases();
		assertThat(cases).as("the table's cases").hasSizeGreaterThan(20);
		boolean nativeBuilt = !Files.exists(Path.of("/usr/bin/cc")) || Files.isExecutable(NATIVE);
		assertThat(nativeBuilt).as("%s (built where /usr/bin/cc is)", NATIVE).isTrue();
		List<DynamicTest> tests = new ArrayList<>();
		for (int i = 0; i < cases.size(); i++) {
			Map<String, String> c = cases.get(i);
			Path dir = this.tmp.resolve("case" + i);
			tests.add(DynamicTest.dynamicTest(c.get("case"), () -> check(c, dir)));
		}
		return tests.stream();
	}

	private void check(Map<String, String> c, Path tmp) throws Exception {
		Path cwd = tmp.resolve("work");
		Files.createDirectories(cwd);
		Map<String, String> env = new LinkedHashMap<>(System.getenv());
		env.keySet().removeIf(k -> k.startsWith("QUEUECTL_") || k.startsWith("XDG_") || k.startsWith("PG"));
		env.put("XDG_DATA_HOME", tmp.resolve("data").toString());
		env.put("XDG_CONFIG_HOME", tmp.resolve("config").toString());
		env.put("PGUSER", "carol");
		if (c.containsKey("env")) {
			for (String pair : c.get("env").split(" ")) {
				env.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
			}
		}
		if (c.containsKey("QUEUECTL_DB")) {
			env.put("QUEUECTL_DB", value(c.get("QUEUECTL_DB"), tmp));
		}
		if (c.containsKey("user.yml")) {
			Path user = tmp.resolve("config").resolve("queuectl").resolve("application.yml");
			Files.createDirectories(user.getParent());
			Files.writeString(user, value(c.get("user.yml"), tmp));
		}
		Path install = tmp.resolve("install").resolve("application.yml");
		Files.createDirectories(install.resolveSibling("target"));
		if (c.containsKey("install.yml")) {
			Files.writeString(install, value(c.get("install.yml"), tmp));
		}
		List<String> flag = c.containsKey("--db") ? List.of("--db", value(c.get("--db"), tmp)) : List.of();

		String expected = expected(c.get("socket"), tmp);
		List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Dqueuectl.install.config=" + install, "-cp",
				PROJECT.resolve("target/test-classes") + ":" + PROJECT.resolve("target/classes"),
				WhereDbProbe.class.getName()));
		java.addAll(flag);
		assertThat(run(java, env, cwd)).as("the JVM's answer").isEqualTo(expected);
		if (Files.isExecutable(NATIVE)) {
			// the install's application.yml is the one beside target/, where the client is
			Path client = install.resolveSibling("target").resolve("queuectl-where-db");
			Files.copy(NATIVE, client);
			List<String> cmd = new ArrayList<>(List.of(client.toString()));
			cmd.addAll(flag);
			assertThat(run(cmd, env, cwd)).as("the native client's answer").isEqualTo(expected);
		}
	}

	private static String run(List<String> cmd, Map<String, String> env, Path cwd) throws Exception {
		ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
		pb.environment().clear();
		pb.environment().putAll(env);
		Process p = pb.start();
		byte[] out = p.getInputStream().readAllBytes();
		if (!p.waitFor(60, TimeUnit.SECONDS)) {
			p.destroyForcibly();
		}
		assertThat(p.exitValue()).as("%s's exit code; it said: %s", cmd.get(0), new String(out, StandardCharsets.UTF_8))
			.isZero();
		return new String(out, StandardCharsets.UTF_8).strip();
	}

	/** The table's answer with its placeholders filled: a path, or "refused". */
	private static String expected(String socket, Path tmp) throws Exception {
		if (socket.startsWith("pg:")) {
			byte[] sha = MessageDigest.getInstance("SHA-256")
				.digest(socket.substring(3).getBytes(StandardCharsets.UTF_8));
			return value("${data}/pg-" + HexFormat.of().formatHex(sha, 0, 8) + "/queue.sock", tmp);
		}
		return value(socket, tmp);
	}

	/** A cell with its escapes and placeholders replaced. */
	private static String value(String cell, Path tmp) {
		return cell.replace("\\n", "\n")
			.replace("\\t", "\t")
			.replace("${data}", tmp.resolve("data").resolve("queuectl").toString())
			.replace("${cwd}", tmp.resolve("work").toString())
			.replace("${tmp}", tmp.toString())
			.replace("${home}", System.getProperty("user.home"));
	}

	/** The table's cases, each its keys and values in the table's order. */
	private static List<Map<String, String>> cases() throws IOException {
		List<Map<String, String>> cases = new ArrayList<>();
		Map<String, String> current = null;
		try (var in = DatabasePlaceTest.class.getResourceAsStream("database-place.txt")) {
			assertThat(in).as("database-place.txt").isNotNull();
			for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1)) {
				if (line.startsWith("#")) {
					continue;
				}
				if (line.isBlank()) {
					current = null;
					continue;
				}
				int colon = line.indexOf(':');
				assertThat(colon).as("a `key: value` line: %s", line).isPositive();
				if (current == null) {
					current = new LinkedHashMap<>();
					cases.add(current);
				}
				String rest = line.substring(colon + 1);
				current.put(line.substring(0, colon), rest.startsWith(" ") ? rest.substring(1) : rest);
			}
		}
		for (Map<String, String> c : cases) {
			assertThat(c).as("a case").containsKeys("case", "socket");
		}
		return cases;
	}
}
