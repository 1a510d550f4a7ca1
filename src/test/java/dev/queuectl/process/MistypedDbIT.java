package dev.queuectl.process;

import java.nio.file.Path;
import java.util.List;

import dev.queuectl.process.Cli.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 29: a reading command ({@code status}, {@code list}, {@code show}, {@code logs}, {@code wait},
 * {@code dlq list}, {@code config get}... Main.READERS) whose {@code --db} names a file that does not exist, a mistyped path (in a folder that exists or not), says so in
 * one line and exits 1, through bin/queuectl as a real process: no folder, database or command
 * server is made for it. A command that writes ({@code enqueue}, {@code worker start}) still
 * creates them, and a queue named by QUEUECTL_DB (a user's profile) is created by any command.
 */
@Timeout(300)
class MistypedDbIT {

	@TempDir
	Path tmp;

	@AfterEach
	void noCommandServerIsLeftBehind() {
		Cli.stopServersUnder(this.tmp, java.time.Duration.ofSeconds(60));
	}

	@Test
	void aReadingCommandOnADbInAFolderThatDoesNotExistSaysThereIsNoQueueAndMakesNothing() throws Exception {
		Path folder = this.tmp.resolve("qeueus");
		Path db = folder.resolve("work.db");
		Cli cli = new Cli(this.tmp, db).env("QUEUECTL_SERVER", "on").env("CI", "");
		for (List<String> command : List.of(List.of("status"), List.of("list", "--state", "dead"), List.of("show", "job1"),
				List.of("status", "--json"))) {
			Result r = cli.run(command.toArray(String[]::new));
			assertThat(r.exit()).as(r.toString()).isEqualTo(1);
			assertThat(r.out()).as(r.toString()).isEmpty();
			assertThat(r.err()).as(r.toString()).isEqualTo("queuectl: no queue at " + db + ": the folder " + folder
					+ " does not exist (enqueue or worker start there creates it)\n");
		}
		assertThat(folder).doesNotExist();
		assertThat(Cli.serversUnder(this.tmp)).as("no command server started").isEmpty();

		// enqueue creates it; then the same commands read it
		Result enqueued = cli.run("enqueue", "{\"id\":\"job1\",\"command\":\"true\"}");
		assertThat(enqueued.exit()).as(enqueued.toString()).isZero();
		assertThat(db).exists();
		Result shown = cli.run("show", "job1");
		assertThat(shown.exit()).as(shown.toString()).isZero();
		assertThat(shown.out()).contains("job1");
	}

	@Test
	void everyOtherReadingCommandOnAMistypedFileSaysThereIsNoQueueToo() throws Exception {
		Path db = this.tmp.resolve("wrok.db");
		Cli cli = new Cli(this.tmp, db).env("QUEUECTL_SERVER", "on").env("CI", "");
		refusedAndNothingMade(cli, db, List.of(List.of("logs", "job1"), List.of("logs", "job1", "--follow"),
				List.of("wait", "job1", "--timeout", "1s"), List.of("dlq", "list"), List.of("queue", "list"),
				List.of("limit", "list"), List.of("config", "list"), List.of("config", "get", "max-retries"),
				List.of("batch", "list"), List.of("batch", "show", "b1"), List.of("notify", "list"),
				List.of("schedule", "list"), List.of("schedule", "show", "s1"), List.of("result", "get", "job1")));

		// a command that writes still creates it: config set, as a first set-up does
		Result set = cli.run("config", "set", "max-retries", "5");
		assertThat(set.exit()).as(set.toString()).isZero();
		Result got = cli.run("config", "get", "max-retries");
		assertThat(got.out()).as(got.toString()).isEqualTo("5\n");
	}

	@Test
	void aReadingCommandsHelpIsPrintedWhateverTheDbNamesAndStartsNoServer() throws Exception {
		Path db = this.tmp.resolve("new.db");
		Cli cli = new Cli(this.tmp, db).env("QUEUECTL_SERVER", "on").env("CI", "");
		for (List<String> command : List.of(List.of("list", "--help"), List.of("status", "-h"), List.of("show", "--help"))) {
			Result r = cli.run(command.toArray(String[]::new));
			assertThat(r.exit()).as(r.toString()).isZero();
			assertThat(r.err()).as(r.toString()).isEmpty();
			assertThat(r.out()).as(r.toString()).startsWith(command.get(0) + ": ");
		}
		assertThat(Cli.serversUnder(this.tmp)).as("a help request leaves no command server").isEmpty();
	}

	@Test
	void aReadingCommandOnAMistypedFileInAFolderThatExistsSaysThereIsNoQueueAndMakesNothing() throws Exception {
		Path db = this.tmp.resolve("wrok.db");
		Cli cli = new Cli(this.tmp, db).env("QUEUECTL_SERVER", "on").env("CI", "");
		refusedAndNothingMade(cli, db, List.of(List.of("status"), List.of("list"), List.of("show", "job1")));

		// named by QUEUECTL_DB, as a profile names the queue, the first status creates it and shows it empty
		Result first = cli.runOnEnvDb("status");
		assertThat(first.exit()).as(first.toString()).isZero();
		assertThat(db).exists();
		Result read = cli.run("list");
		assertThat(read.exit()).as(read.toString()).isZero();
	}

	/** Each command on the mistyped file {@code db} in this.tmp exits 1 with the one line, and nothing is made there. */
	private void refusedAndNothingMade(Cli cli, Path db, List<List<String>> commands) throws Exception {
		for (List<String> command : commands) {
			Result r = cli.run(command.toArray(String[]::new));
			assertThat(r.exit()).as(r.toString()).isEqualTo(1);
			assertThat(r.out()).as(r.toString()).isEmpty();
			assertThat(r.err()).as(r.toString())
				.isEqualTo("queuectl: no queue at " + db + ": the file does not exist (enqueue or worker start there creates it)\n");
		}
		try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(this.tmp)) {
			assertThat(files.map(p -> p.getFileName().toString())).as("no database, socket or lock beside it")
				.noneMatch(name -> name.startsWith(db.getFileName().toString()));
		}
		assertThat(Cli.serversUnder(this.tmp)).as("no command server started").isEmpty();
	}
}
