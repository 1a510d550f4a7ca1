package dev.queuectl.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The REPL of the built jar on a real terminal (tmux, {@link Tmux}): what a user types and sees.
 * Each test has its own folder, database and tmux server, and ends every process it started.
 */
class ReplIT {

	@TempDir
	Path dir;

	private Tmux tmux;

	private Process worker;

	@AfterEach
	void endProcesses() throws Exception {
		if (this.tmux != null) {
			this.tmux.close();
		}
		if (this.worker != null) {
			this.worker.destroy(); // SIGTERM: a graceful stop
			if (!this.worker.waitFor(60, TimeUnit.SECONDS)) {
				this.worker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
	}

	private Tmux repl() throws Exception {
		this.tmux = Tmux.open(this.dir, "--db", this.dir.resolve("q.db").toString());
		this.tmux.awaitPrompts(1);
		return this.tmux;
	}

	@Test
	void errorsReadExactlyAsTheyDoOneShot() throws Exception {
		Tmux t = repl();

		t.line("config set nosuch 1");
		t.awaitPrompts(2);
		t.line("list --colour");
		t.awaitPrompts(3);
		t.line("nosuch");
		t.awaitPrompts(4);
		t.line("show nosuchjob");
		t.awaitPrompts(5);
		t.line("enqueue '{\"command\":'");
		t.awaitPrompts(6);

		String screen = t.screen();
		assertThat(screen.lines().skip(1).filter(l -> !Tmux.PROMPT.matcher(l).matches())).as("after the greeting: " + screen)
			.containsExactly("queuectl: unknown config key 'nosuch' (known: " + java.util.Arrays.stream(dev.queuectl.config.Setting.values())
				.map(dev.queuectl.config.Setting::key).collect(java.util.stream.Collectors.joining(", ")) + ")",
					"queuectl: unknown option '--colour' for 'list' (try 'queuectl help list')",
					"queuectl: unknown command 'nosuch' (try 'queuectl help')",
					"queuectl: no such job: nosuchjob",
					"queuectl: malformed JSON at line 1, column 12: the JSON ends too early");
	}

	@Test
	void ctrlCInLogsFollowOrWaitReturnsToThePromptQuietly() throws Exception {
		Path db = this.dir.resolve("q.db");
		List<String> cmd = new ArrayList<>(List.of(Tmux.JAVA, "-XX:TieredStopAtLevel=1"));
		cmd.addAll(Tmux.launch());
		cmd.addAll(List.of("--db", db.toString(), "worker", "start", "--count", "1", "--no-http"));
		ProcessBuilder host = new ProcessBuilder(cmd)
			.directory(this.dir.toFile())
			.redirectErrorStream(true)
			.redirectOutput(this.dir.resolve("worker.log").toFile());
		host.environment().put("XDG_DATA_HOME", this.dir.resolve("xdg").toString());
		host.environment().put("QUEUECTL_SERVER", "off");
		host.environment().remove("QUEUECTL_DB");
		this.worker = host.start();
		Tmux t = repl();
		t.line("enqueue '{\"id\":\"ticker\",\"command\":\"while true; do echo tick; sleep 0.2; done\"}'");
		t.awaitPrompts(2);

		await().atMost(Duration.ofSeconds(90)).until(() -> "processing".equals(state(db, "ticker")));
		t.line("logs --follow ticker");
		await().atMost(Duration.ofSeconds(90)).until(() -> t.screen().lines().filter(l -> l.equals("tick")).count() >= 3);
		t.keys("C-c");
		t.awaitPrompts(3);
		t.line("wait ticker");
		await().atMost(Duration.ofSeconds(30)).until(() -> t.screen().lines().anyMatch(l -> l.contains("0/1")));
		t.keys("C-c");
		t.awaitPrompts(4);
		t.line("status");
		t.awaitPrompts(5);
		assertThat(t.screen()).contains("processing");

		String screen = t.screen();
		assertThat(screen).as(screen).doesNotContain("interrupted").doesNotContain("Unable").doesNotContain("queuectl: ");
		assertThat(t.exitFile()).as("the REPL runs on").doesNotExist();
		t.line("cancel ticker");
		t.awaitPrompts(6);
		assertThat(Files.exists(t.exitFile())).isFalse();
	}

	@Test
	void tabCompletesJobIdsQueuesStatesAndConfigKeysAsBashDoes() throws Exception {
		Tmux t = repl();
		t.line("enqueue '{\"id\":\"alpha-job\",\"command\":\"true\",\"queue\":\"mailq\"}'");
		t.awaitPrompts(2);

		int prompts = 2;
		for (String typed : List.of("show alp", "queue pause ma", "list --state pen", "config get output-ca", "wor")) {
			t.type(typed);
			t.keys("Tab"); // JLine completes before it reads the next key
			t.keys("Enter");
			t.awaitPrompts(++prompts);
		}

		List<String> lines = t.prompts().stream().map(l -> l.replaceFirst("^queuectl( [^ ]+)?>", "").strip()).toList();
		assertThat(lines).as(t.screen()).containsExactly(
				"enqueue '{\"id\":\"alpha-job\",\"command\":\"true\",\"queue\":\"mailq\"}'", "show alpha-job",
				"queue pause mailq", "list --state pending", "config get output-cap", "worker", "");
	}

	@Test
	void aOneLineGreetingAndThePromptNamesADatabaseThatIsNotTheDefault() throws Exception {
		Path db = this.dir.resolve("q.db");
		Tmux t = repl();

		assertThat(t.screen().lines().toList()).containsExactly(
				"queuectl " + dev.queuectl.config.Version.number() + " on " + db
						+ ": 'help' lists the commands, Tab completes, Ctrl-D or 'exit' leaves",
				"queuectl " + db + ">");
		t.keys("C-d");
		await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(t.exitFile()) && Files.size(t.exitFile()) > 0);
		t.close();

		this.tmux = Tmux.open(this.dir);
		Path defaultDb = this.dir.resolve("xdg").resolve("queuectl").resolve("queue.db");
		this.tmux.awaitPrompts(1);
		assertThat(this.tmux.screen().lines().toList()).containsExactly(
				"queuectl " + dev.queuectl.config.Version.number() + " on " + defaultDb
						+ ": 'help' lists the commands, Tab completes, Ctrl-D or 'exit' leaves",
				"queuectl>");
	}

	/**
	 * Runs {@code script} as {@code queuectl < script} on this test's database (stdout to "out",
	 * stderr to "err"), with {@code env} over the test's environment (a null value removes the name);
	 * returns the ended process.
	 */
	private Process runScript(Path script, java.util.Map<String, String> env) throws Exception {
		List<String> cmd = new ArrayList<>(List.of(Tmux.JAVA, "-XX:TieredStopAtLevel=1", "-Dqueuectl.stdin.tty=false"));
		cmd.addAll(Tmux.launch());
		cmd.addAll(List.of("--db", this.dir.resolve("q.db").toString()));
		ProcessBuilder pb = new ProcessBuilder(cmd)
			.directory(this.dir.toFile())
			.redirectInput(script.toFile())
			.redirectOutput(this.dir.resolve("out").toFile())
			.redirectError(this.dir.resolve("err").toFile());
		pb.environment().put("XDG_DATA_HOME", this.dir.resolve("xdg").toString());
		pb.environment().put("QUEUECTL_SERVER", "off");
		pb.environment().remove("QUEUECTL_DB");
		env.forEach((name, value) -> {
			if (value == null) {
				pb.environment().remove(name);
			}
			else {
				pb.environment().put(name, value);
			}
		});
		Process p = pb.start();
		assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
		return p;
	}

	@Test
	void aScriptNamesTheLineOfEachError() throws Exception {
		Path script = Files.writeString(this.dir.resolve("jobs.txt"), """
				# a comment, then a job
				enqueue '{"id":"a","command":"true"}'
				show nosuch
				list --colour

				enqueue '{"command":"x"}
				cancel a nosuch
				""");
		Process p = runScript(script, java.util.Map.of());

		assertThat(Files.readString(this.dir.resolve("out"))).isEqualTo("a\na canceled\n");
		assertThat(Files.readAllLines(this.dir.resolve("err"))).containsExactly(
				"queuectl: line 3: no such job: nosuch",
				"queuectl: line 4: unknown option '--colour' for 'list' (try 'queuectl help list')",
				"queuectl: line 6: unclosed single quote",
				"queuectl: line 7: no such job: nosuch");
		assertThat(p.exitValue()).as("the first failure's code").isEqualTo(3);
	}

	@Test
	void enqueueEnvNameCopiesTheReplsOwnValueAsOneShotDoes() throws Exception {
		Path script = Files.writeString(this.dir.resolve("jobs.txt"), """
				enqueue '{"id":"e","command":"true"}' --env STAGE_27
				enqueue '{"id":"f","command":"true"}' --env UNSET_REPL_27
				show e --json
				""");
		java.util.Map<String, String> env = new java.util.HashMap<>();
		env.put("STAGE_27", "prod line");
		env.put("UNSET_REPL_27", null); // removed
		runScript(script, env);

		String out = Files.readString(this.dir.resolve("out"));
		assertThat(out).startsWith("e\n").contains("\"STAGE_27\" : \"prod line\"").doesNotContain("\"f\"");
		assertThat(Files.readAllLines(this.dir.resolve("err"))).containsExactly(
				"queuectl: line 2: --env UNSET_REPL_27: UNSET_REPL_27 is not set here (give --env UNSET_REPL_27=VALUE)");
	}

	@Test
	void theReplsOwnWordsAreListedByItsHelpAndRun() throws Exception {
		Tmux t = repl();
		t.line("status --json");
		t.awaitPrompts(2);
		t.line("help");
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(t.screen()).contains("Interactive shell:")
			.containsPattern("\n  history +The lines typed here before").endsWith(">"));

		t.line("clear");
		await().atMost(Duration.ofSeconds(30)).until(() -> t.screen().lines().toList().size() == 1);
		t.awaitPrompts(1);
		t.line("history");
		t.awaitPrompts(2);
		assertThat(t.screen()).containsPattern("\nstatus --json\nhelp\nclear\nhistory\n");
		t.line("quit");
		await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(t.exitFile()) && Files.size(t.exitFile()) > 0);
		assertThat(Files.readString(t.exitFile()).strip()).isEqualTo("EXITED=0");
	}

	private static String state(Path db, String id) throws Exception {
		try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
				java.sql.PreparedStatement s = c.prepareStatement("SELECT state FROM jobs WHERE id = ?")) {
			s.setString(1, id);
			try (java.sql.ResultSet r = s.executeQuery()) {
				return r.next() ? r.getString(1) : null;
			}
		}
	}
}
