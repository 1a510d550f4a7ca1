package dev.queuectl.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The built jar's REPL on a real terminal: a tmux session on a tmux server of its own ({@code -L}),
 * 200 columns by 50 lines, in a folder of the test's. Keys go in with {@code send-keys}; the screen
 * comes back with {@code capture-pane} (wrapped lines joined). {@link #close} ends the tmux server
 * and any queuectl process started in the folder, so none outlives the test.
 */
final class Tmux implements AutoCloseable {

	static final String JAVA = ProcessHandle.current().info().command().orElse("java");

	/** A REPL prompt, with the database when it is not the default one ({@code queuectl q.db>}). */
	static final Pattern PROMPT = Pattern.compile("^queuectl( [^ ]+)?>.*");

	private final String server = "queuectl-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

	private final Path dir;

	private final Path exit;

	private Tmux(Path dir) {
		this.dir = dir;
		this.exit = dir.resolve("repl.exit");
	}

	/** The JVM options and {@code -jar JAR} that start the built jar, as every process test starts it. */
	static List<String> launch() {
		return dev.queuectl.worker.TrainedJar.launch();
	}

	/** Opens {@code queuectl ARGS} (no command: the REPL) in {@code dir}, with its data under {@code dir/xdg}. */
	static Tmux open(Path dir, String... args) throws Exception {
		Tmux tmux = new Tmux(dir);
		StringBuilder cmd = new StringBuilder("cd '" + dir + "' && XDG_DATA_HOME='" + dir.resolve("xdg")
				+ "' XDG_CONFIG_HOME='" + dir.resolve("no-config") + "' QUEUECTL_SERVER=off '" + JAVA
				+ "' -XX:TieredStopAtLevel=1 -Dqueuectl.stdin.tty=true");
		for (String word : launch()) {
			cmd.append(" '").append(word).append("'");
		}
		for (String arg : args) {
			cmd.append(" '").append(arg).append("'");
		}
		cmd.append("; echo \"EXITED=$?\" > '").append(tmux.exit)
			.append("'; sleep 600\n");
		Path script = Files.writeString(dir.resolve("repl.sh"), cmd);
		exec("tmux", "-L", tmux.server, "new-session", "-d", "-x", "200", "-y", "120", "bash " + script);
		return tmux;
	}

	/** Types text as it is (no key names). */
	void type(String text) throws Exception {
		exec("tmux", "-L", this.server, "send-keys", "-l", text);
	}

	/** Presses keys by tmux's names: Enter, Tab, C-c, C-d. */
	void keys(String... keys) throws Exception {
		List<String> cmd = new ArrayList<>(List.of("tmux", "-L", this.server, "send-keys"));
		cmd.addAll(List.of(keys));
		exec(cmd.toArray(String[]::new));
	}

	/** Types a line and presses Enter. */
	void line(String text) throws Exception {
		type(text);
		keys("Enter");
	}

	String screen() throws Exception {
		Process p = new ProcessBuilder("tmux", "-L", this.server, "capture-pane", "-p", "-J").redirectErrorStream(true)
			.start();
		String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		p.waitFor(10, TimeUnit.SECONDS);
		return text.strip();
	}

	/** The prompt lines on the screen. */
	List<String> prompts() throws Exception {
		return screen().lines().filter(l -> PROMPT.matcher(l).matches()).toList();
	}

	/** Waits until the screen shows {@code count} prompts, the last one empty and waiting. */
	void awaitPrompts(int count) {
		await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
			String screen = screen();
			assertThat(prompts()).as(screen).hasSize(count);
			assertThat(screen).as(screen).endsWith(">");
		});
	}

	void awaitScreen(java.util.function.Predicate<String> condition) {
		await().atMost(Duration.ofSeconds(60)).until(this::screen, condition);
	}

	/** The REPL's exit line ({@code EXITED=0}), once it has ended. */
	Path exitFile() {
		return this.exit;
	}

	@Override
	public void close() throws Exception {
		// the pane's shell and what it runs (the JVM ends on the hang-up of kill-server; make sure of it)
		List<ProcessHandle> pane = new ArrayList<>();
		Process p = new ProcessBuilder("tmux", "-L", this.server, "display-message", "-p", "#{pane_pid}").start();
		String pid = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
		p.waitFor(10, TimeUnit.SECONDS);
		if (pid.matches("\\d+")) {
			ProcessHandle.of(Long.parseLong(pid)).ifPresent(shell -> {
				pane.add(shell);
				shell.descendants().forEach(pane::add);
			});
		}
		Process where = new ProcessBuilder("tmux", "-L", this.server, "display-message", "-p", "#{socket_path}").start();
		String socket = new String(where.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
		where.waitFor(10, TimeUnit.SECONDS);
		exec("tmux", "-L", this.server, "kill-server");
		if (socket.endsWith("/" + this.server)) {
			Files.deleteIfExists(Path.of(socket)); // tmux leaves it behind
		}
		pane.forEach(ProcessHandle::destroy);
		await().atMost(Duration.ofSeconds(30)).until(() -> pane.stream().noneMatch(ProcessHandle::isAlive));
	}

	static int exec(String... cmd) throws IOException, InterruptedException {
		Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
		if (!p.waitFor(30, TimeUnit.SECONDS)) {
			p.destroyForcibly();
			throw new AssertionError("timed out: " + String.join(" ", cmd));
		}
		return p.exitValue();
	}
}
