package dev.queuectl.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import dev.queuectl.process.Cli.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 24: {@code --db} naming a folder or a file that is not an SQLite database is refused in one
 * line, exit 1, by every kind of command (one-shot with the background server on, the command
 * server, a worker host, the dashboard), through bin/queuectl, and leaves nothing beside it: no
 * WAL, lock, log, socket, output folder or web token.
 */
@Timeout(900)
class RefusedDatabaseIT {

	@TempDir
	Path tmp;

	@AfterEach
	void noServerIsLeftBehind() {
		Cli.stopServersUnder(this.tmp, Duration.ofSeconds(60));
	}

	@Test
	void aFolderOrAnotherFileAsTheDatabaseIsRefusedAndLeavesNoFiles() throws IOException {
		Path place = Files.createDirectories(this.tmp.resolve("place"));
		Path folder = Files.createDirectories(place.resolve("queue.db"));
		Path text = place.resolve("notes.txt");
		Files.writeString(text, "not a database\n");
		List<Path> before = listing(place);
		for (Path db : List.of(folder, text)) {
			String line = db.equals(folder) ? "queuectl: the database path " + db + " is a folder, not a file"
					: "queuectl: " + db + " is not a queuectl database (not an SQLite file)";
			Cli cli = new Cli(this.tmp, db).env("QUEUECTL_SERVER", "on").env("CI", "");
			for (List<String> command : List.of(List.of("status"), List.of("server", "run"),
					List.of("worker", "start", "--port", "0"), List.of("dashboard", "--port", "0"))) {
				Result r = cli.run(command.toArray(String[]::new));
				assertThat(r.exit()).as(r.toString()).isEqualTo(1);
				assertThat(r.out()).as(r.toString()).isEmpty();
				assertThat(r.errLines()).as(r.toString()).containsExactly(line);
				assertThat(listing(place)).as("after %s on %s", command, db).isEqualTo(before);
			}
		}
		assertThat(Cli.serversUnder(this.tmp)).isEmpty();
		assertThat(listing(this.tmp.resolve("xdg-data"))).as("nothing in the data folder either").isEmpty();
	}

	@Test
	void theRootFolderAsTheDatabaseIsRefusedInOneLineNotATrace() {
		Cli cli = new Cli(this.tmp, Path.of("/")).env("CI", "");
		Result r = cli.run("status");
		assertThat(r.exit()).as(r.toString()).isEqualTo(1);
		assertThat(r.out()).as(r.toString()).isEmpty();
		assertThat(r.errLines()).as(r.toString()).containsExactly("queuectl: the database path / is a folder, not a file");
	}

	private static List<Path> listing(Path dir) throws IOException {
		if (!Files.exists(dir)) {
			return List.of();
		}
		try (Stream<Path> all = Files.walk(dir)) {
			return all.sorted().toList();
		}
	}
}
