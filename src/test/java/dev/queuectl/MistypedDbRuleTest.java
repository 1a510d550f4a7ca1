package dev.queuectl;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 29, the rule of {@link Main#missingQueue}: every command that only reads the queue refuses a
 * {@code --db} naming a file not there; a command that writes, stops or serves still creates it,
 * and so does any command when the file is there. MistypedDbIT runs some of these as processes.
 */
class MistypedDbRuleTest {

	@TempDir
	Path tmp;

	private String missing(Path db, String... words) {
		List<String> args = new ArrayList<>(List.of("--db", db.toString()));
		args.addAll(List.of(words));
		return Main.missingQueue(args.toArray(String[]::new), List.of(words), Main.location(db.toString()));
	}

	@Test
	void everyReadingCommandOnAFileNotThereSaysThereIsNoQueue() {
		Path db = this.tmp.resolve("wrok.db");
		for (List<String> words : List.of(List.of("status"), List.of("list"), List.of("show", "j1"), List.of("logs", "j1"),
				List.of("logs", "--follow", "j1"), List.of("wait", "j1", "--timeout", "1s"), List.of("dlq", "list"), List.of("queue", "list"),
				List.of("limit", "list"), List.of("config", "list"), List.of("config", "get", "max-retries"),
				List.of("batch", "list"), List.of("batch", "show", "b1"), List.of("notify", "list"),
				List.of("schedule", "list"), List.of("schedule", "show", "s1"), List.of("result", "get", "j1"))) {
			assertThat(missing(db, words.toArray(String[]::new))).as(words.toString())
				.isEqualTo("no queue at " + db + ": the file does not exist (enqueue or worker start there creates it)");
		}
		assertThat(db).doesNotExist();
	}

	@Test
	void aCommandThatWritesStopsOrServesStillCreatesTheQueue() {
		Path db = this.tmp.resolve("new.db");
		for (List<String> words : List.of(List.of("enqueue", "{}"), List.of("add", "--", "true"), List.of("worker", "start"),
				List.of("worker", "stop"), List.of("dashboard"), List.of("config", "set", "max-retries", "3"),
				List.of("queue", "pause", "q"), List.of("dlq", "retry", "j1"), List.of("schedule", "add", "s1"),
				List.of("result", "set", "x"), List.of("progress", "1/2"), List.of("server", "status"), List.of("web-token"))) {
			assertThat(missing(db, words.toArray(String[]::new))).as(words.toString()).isNull();
		}
	}

	@Test
	void aReadingCommandOnAFileThatIsThereOrAskingForHelpIsNotRefused() throws Exception {
		Path db = Files.createFile(this.tmp.resolve("there.db"));
		assertThat(missing(db, "dlq", "list")).isNull();
		assertThat(missing(this.tmp.resolve("new.db"), "queue", "list", "--help")).isNull();
		assertThat(missing(this.tmp.resolve("new.db"), "logs", "-h")).isNull();
	}
}
