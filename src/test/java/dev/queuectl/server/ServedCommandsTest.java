package dev.queuectl.server;


import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The served commands are {@link Wire#SERVED}. bin/queuectl keeps its own copy in a {@code case}
 * pattern, since asking the jar would start a JVM on the launcher's hot path; this test holds that
 * copy equal to Wire's, so a command served on one side alone fails here; and so the native
 * client's, which a release ships as bin/queuectl (src/main/c/client-door.c).
 */
class ServedCommandsTest {

	@Test
	void theLauncherHandsToAClientExactlyTheCommandsWireServes() throws IOException {
		assertThat(launcherWords()).containsExactlyInAnyOrderElementsOf(Wire.SERVED);
		List<String> lines = Files.readAllLines(Path.of("bin/queuectl"));
		int at = lines.indexOf("case \"$word $sub_word\" in");
		assertThat(at).as("bin/queuectl's `case \"$word $sub_word\" in`").isNotNegative();
		String pattern = lines.get(at + 1).trim();
		assertThat(pattern).as("the pattern after it").endsWith(")");
		assertThat(Arrays.stream(pattern.substring(0, pattern.length() - 1).split("\\|")).map(w -> w.trim().replace("\"", "")))
			.containsExactlyInAnyOrderElementsOf(Wire.SERVED_PAIRS);
	}

	@Test
	void aReleasesBinQueuectlTheNativeClientSendsToItsDoorExactlyTheCommandsWireServes() throws IOException {
		String source = Files.readString(Path.of("src/main/c/client-door.c"));
		Matcher m = Pattern.compile("SERVED\\[\\] = \\{([^}]*)\\}").matcher(source);
		assertThat(m.find()).as("client-door.c's SERVED[] = { ... }").isTrue();
		List<String> words = Arrays.stream(m.group(1).split(",")).map(String::trim).filter(w -> !w.equals("NULL"))
			.map(w -> w.replace("\"", "")).toList();
		assertThat(words).containsExactlyInAnyOrderElementsOf(Wire.SERVED);
		Matcher pairs = Pattern.compile("SERVED_PAIRS\\[\\] = \\{([^}]*)\\}").matcher(source);
		assertThat(pairs.find()).as("client-door.c's SERVED_PAIRS[] = { ... }").isTrue();
		assertThat(Arrays.stream(pairs.group(1).split(",")).map(String::trim).filter(w -> !w.equals("NULL"))
			.map(w -> w.replace("\"", ""))).containsExactlyInAnyOrderElementsOf(Wire.SERVED_PAIRS);
	}

	@Test
	void theRemoteClientServesWhatWireNames() {
		assertThat(Wire.SERVED).allMatch(RemoteClient::serves);
		assertThat(RemoteClient.serves("worker")).isFalse();
		assertThat(RemoteClient.serves(List.of("worker", "stop"))).as("issue 29: answered by a running host").isTrue();
		assertThat(RemoteClient.serves(List.of("worker", "start"))).as("a host runs in its own process").isFalse();
		assertThat(RemoteClient.serves(List.of("worker"))).isFalse();
		assertThat(RemoteClient.serves("migrate")).isFalse();
	}

	/** The words of the pattern that follows {@code case $word in}. */
	private static List<String> launcherWords() throws IOException {
		List<String> lines = Files.readAllLines(Path.of("bin/queuectl"));
		int at = lines.indexOf("case $word in");
		assertThat(at).as("bin/queuectl's `case $word in`").isNotNegative();
		String pattern = lines.get(at + 1).trim();
		assertThat(pattern).as("the pattern after `case $word in`").endsWith(")");
		return Arrays.stream(pattern.substring(0, pattern.length() - 1).split("\\|")).map(String::trim).toList();
	}

}
