package dev.queuectl.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bash completion, sourced in a real bash: it registers itself and completes commands,
 * sub-commands, options and their values from the command model. ArchiveIT completes job ids from
 * a running worker host with the script the release ships.
 */
class CompletionTest extends CommandTestSupport {

	@Test
	void theBashScriptRegistersItselfAndCompletesWhatHelpDescribes() throws Exception {
		Path script = this.workDir.resolve("queuectl.bash");
		Files.writeString(script, run("completion", "bash").ok().out());

		assertThat(bash(script, "complete -p queuectl")).containsExactly("complete -o default -F _queuectl queuectl");
		assertThat(complete(script, "queuectl", "wo")).containsExactly("worker");
		assertThat(complete(script, "queuectl", "")).contains("enqueue", "list", "worker", "dlq", "config", "completion", "help")
			.doesNotContain("dist-files", "start");
		assertThat(complete(script, "queuectl", "worker", "")).containsExactly("start", "stop");
		assertThat(complete(script, "queuectl", "--db", "x.db", "dlq", "r")).containsExactly("retry");
		assertThat(complete(script, "queuectl", "worker", "start", "--")).containsExactly("--count", "--queue", "--port",
				"--no-http", "--clean-env", "--resources", "--help");
		assertThat(complete(script, "queuectl", "list", "--st")).containsExactly("--state");
		assertThat(complete(script, "queuectl", "list", "--state", "")).containsExactly("pending", "waiting", "processing",
				"canceling", "completed", "failed", "dead", "canceled");
		assertThat(complete(script, "queuectl", "cancel", "--state", "")).containsExactly("pending", "waiting", "processing",
				"completed", "failed", "dead", "canceled");
		assertThat(complete(script, "queuectl", "list", "-s", "d")).containsExactly("dead");
		assertThat(complete(script, "queuectl", "schedule", "add", "--catch-up", "")).containsExactly("all", "latest", "none");
		assertThat(complete(script, "queuectl", "config", "get", "max-")).containsExactly("max-retries", "max-backoff");
		assertThat(complete(script, "queuectl", "config", "set", "ba")).containsExactly("backoff-base", "backoff-jitter");
		assertThat(complete(script, "queuectl", "config", "set", "retry")).containsExactly("retry-on");
		assertThat(complete(script, "queuectl", "config", "set", "no-")).containsExactly("no-retry-on");
		assertThat(complete(script, "queuectl", "config", "set", "max-retries", "")).as("a value, not a key").isEmpty();
		assertThat(complete(script, "queuectl", "completion", "")).containsExactly("bash", "zsh", "fish");
		assertThat(complete(script, "queuectl", "--v")).containsExactly("--version");
		Files.writeString(this.workDir.resolve("jobs.jsonl"), "{}\n");
		assertThat(complete(script, "queuectl", "enqueue", "--file", this.workDir + "/jobs.j")).containsExactly(this.workDir + "/jobs.jsonl");
		assertThat(complete(script, "queuectl", "logs", "-f", "")).as("logs -f is --follow, a flag: then a job id")
			.isEmpty();
	}

	@Test
	@Tag("fish")
	void theFishScriptCompletesInFish() throws Exception {
		Path script = this.workDir.resolve("queuectl.fish");
		Files.writeString(script, run("completion", "fish").ok().out());

		assertThat(fish(script, "queuectl wo")).containsExactly("worker");
		assertThat(fish(script, "queuectl worker ")).containsExactly("start", "stop");
		assertThat(fish(script, "queuectl --db x.db dlq r")).containsExactly("retry");
		assertThat(fish(script, "queuectl list --state d")).containsExactly("dead");
		assertThat(fish(script, "queuectl worker start --c")).containsExactly("--clean-env", "--count");
		assertThat(fish(script, "queuectl config get max-")).containsExactly("max-backoff", "max-retries");
		assertThat(fish(script, "queuectl config set backoff-")).containsExactly("backoff-base", "backoff-jitter");
		assertThat(fish(script, "queuectl completion ")).containsExactly("bash", "fish", "zsh");
	}

	@Autowired
	org.springframework.shell.jline.CommandCompleter completer;

	@Test
	void theReplTabOffersWhatBashOffers() throws Exception {
		Path script = this.workDir.resolve("queuectl.bash");
		Files.writeString(script, run("completion", "bash").ok().out());
		ReplCompleter repl = (ReplCompleter) this.completer;

		List<List<String>> lines = List.of(List.of("wo"), List.of(""), List.of("worker", ""), List.of("dlq", "r"),
				List.of("worker", "start", "--"), List.of("list", "--st"), List.of("list", "--state", ""),
				List.of("list", "-s", "d"), List.of("list", "--json", "--state", "c"), List.of("schedule", "add", "--catch-up", ""),
				List.of("schedule", ""), List.of("config", "get", "max-"), List.of("config", "set", ""),
				List.of("config", "set", "max-retries", ""), List.of("completion", ""), List.of("logs", "-f", ""),
				List.of("help", "q"), List.of("enqueue", "--"), List.of("queue", "p"), List.of("nosuch", ""));
		for (List<String> words : lines) {
			List<String> bash = new ArrayList<>(words);
			bash.add(0, "queuectl");
			List<String> before = words.subList(0, words.size() - 1);
			String word = words.get(words.size() - 1);
			assertThat(repl.candidates(before, word).stream().filter(w -> !Repl.BUILT_INS.containsKey(w)).sorted())
				.as(String.join(" ", words))
				.containsExactlyElementsOf(complete(script, bash.toArray(String[]::new)).stream().sorted().toList());
		}
		assertThat(repl.candidates(List.of(), "ex")).containsExactly("exit");
	}

	@Test
	void theReplTabOffersJobIdsQueuesAndSchedulesOfItsDatabase() {
		enqueue("{\"id\":\"alpha-1\",\"command\":\"x\",\"queue\":\"mailq\"}");
		enqueue("{\"id\":\"alpha-2\",\"command\":\"x\"}");
		enqueue("{\"id\":\"beta-1\",\"command\":\"x\"}");
		ReplCompleter repl = (ReplCompleter) this.completer;

		assertThat(repl.candidates(List.of("show"), "al")).containsExactlyInAnyOrder("alpha-1", "alpha-2");
		assertThat(repl.candidates(List.of("show", "beta-1"), "")).as("show takes one job").isEmpty();
		assertThat(repl.candidates(List.of("cancel", "beta-1"), "a")).containsExactlyInAnyOrder("alpha-1", "alpha-2");
		assertThat(repl.candidates(List.of("queue", "pause"), "m")).containsExactly("mailq");
		assertThat(repl.candidates(List.of("list", "--queue"), "")).contains("mailq", "default");
		assertThat(repl.candidates(List.of("dlq", "retry"), "")).isEmpty();
		assertThat(repl.candidates(List.of("config", "get"), "output-")).containsExactly("output-cap", "output-max-total");
	}

	@org.springframework.beans.factory.annotation.Autowired
	dev.queuectl.store.WorkerRegistryStore registry;

	@Test
	void theReplTabOffersTheLiveHostsIdsForWorkerStopAsStatusHostsPrintsThem() {
		assertThat(run("status", "--hosts").ok().out()).isEqualTo("no worker hosts running\n");
		this.registry.register("build-1:4242:1a2b3c4d", "build-1", 4242, 2, null, null, this.clock.instant(), this.clock.instant());
		this.registry.register("build-2:77:0f0f0f0f", "build-2", 77, 1, "mail", null, this.clock.instant(), this.clock.instant());
		String hosts = run("status", "--hosts").ok().out();
		assertThat(hosts.lines().findFirst().orElseThrow()).startsWith("WORKER");
		assertThat(hosts.lines().skip(1).map(l -> l.split("\\s+")[0]).toList())
			.containsExactly("build-1:4242:1a2b3c4d", "build-2:77:0f0f0f0f");
		ReplCompleter repl = (ReplCompleter) this.completer;
		assertThat(repl.candidates(List.of("worker", "stop"), "")).containsExactlyInAnyOrder("build-1:4242:1a2b3c4d",
				"build-2:77:0f0f0f0f");
		assertThat(repl.candidates(List.of("worker", "stop"), "build-2")).containsExactly("build-2:77:0f0f0f0f");
		assertThat(repl.candidates(List.of("worker", "stop", "build-2:77:0f0f0f0f"), "")).as("one host id").isEmpty();
	}

	@Test
	void completionNamesTheShellsItKnows() {
		run("completion", "tcsh").usageError("completion needs a shell: one of bash, zsh, fish");
		assertThat(run("completion", "zsh").ok().out()).contains("bashcompinit", "complete -o default -F _queuectl queuectl");
		assertThat(run("completion", "fish").ok().out()).contains("complete -c queuectl -n '__queuectl_is \"\"' -l db -r -F",
				"complete -c queuectl -n '__queuectl_is \\'worker start\\'' -l count -s c -r -d 'jobs run at once (default 1)'");
	}

	/** What bash completes for these words, the last one being completed; no queuectl on PATH. */
	private List<String> complete(Path script, String... words) throws Exception {
		StringBuilder line = new StringBuilder("COMP_WORDS=(");
		for (String w : words) {
			line.append('\'').append(w.replace("'", "'\\''")).append("' ");
		}
		line.append("); COMP_CWORD=").append(words.length - 1).append("; _queuectl; printf '%s\\n' \"${COMPREPLY[@]}\"");
		return bash(script, line.toString()).stream().filter(s -> !s.isEmpty()).toList();
	}

	/**
	 * fish's own completion of a command line ({@code complete -C}), candidates without their
	 * descriptions. fish is a test dependency like Chromium: .ci/run installs it.
	 */
	private List<String> fish(Path script, String line) throws IOException, InterruptedException {
		ProcessBuilder pb = new ProcessBuilder("fish", "--no-config", "-c", "source $argv[1]; complete -C $argv[2]", script.toString(),
				line).redirectErrorStream(true);
		pb.environment().put("PATH", "/usr/bin:/bin");
		Process p = pb.start();
		String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(p.exitValue()).as(out).isZero();
		return out.lines().map(l -> l.split("\t")[0]).sorted().toList();
	}

	private List<String> bash(Path script, String commands) throws IOException, InterruptedException {
		ProcessBuilder pb = new ProcessBuilder("bash", "--norc", "--noprofile", "-c", "source \"$1\" && " + commands, "bash",
				script.toString()).redirectErrorStream(true);
		pb.environment().put("PATH", "/usr/bin:/bin");
		Process p = pb.start();
		String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(p.exitValue()).as(out).isZero();
		return new ArrayList<>(out.lines().toList());
	}
}
