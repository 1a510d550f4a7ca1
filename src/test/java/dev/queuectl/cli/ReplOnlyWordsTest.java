package dev.queuectl.cli;

import java.nio.file.Files;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.shell.core.command.CommandRegistry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The REPL's own words (history, clear, exit, quit) outside the REPL: one-shot help, the
 * completions and the man page do not offer them, and a one-shot run of one says in one line where
 * it works. The REPL itself lists and runs them (ReplIT).
 */
class ReplOnlyWordsTest extends CommandTestSupport {

	@Autowired
	CommandRegistry registry;

	@Autowired
	Repl repl;

	@Test
	void oneShotHelpCompletionsAndTheManPageDoNotOfferThem() throws Exception {
		String help = run("help").ok().out();
		String bash = run("completion", "bash").ok().out();
		run("dist-files", this.workDir.toString()).ok();
		String man = Files.readString(this.workDir.resolve("man").resolve("queuectl.1"));

		for (String word : Repl.BUILT_INS.keySet()) {
			assertThat(help.lines()).as(word).noneMatch(l -> l.strip().startsWith(word + " "));
			assertThat(bash).as(word).doesNotContain(" " + word + " ").doesNotContain("'" + word + " ");
			assertThat(this.registry.getCommandByName(word)).as(word).isNull();
			assertThat(man).as(word).doesNotContain(".B queuectl " + word + "\n");
		}
		assertThat(help).doesNotContain("Built-In Commands").doesNotContain(HelpCommand.SHELL_GROUP);
	}

	@Test
	void runOneShotTheySayTheyWorkOnlyInTheInteractiveShell() {
		for (String word : Repl.BUILT_INS.keySet()) {
			run(word).usageError("queuectl: '" + word + "' works only in the interactive shell (queuectl with no command)");
		}
		run("nosuch").usageError("queuectl: unknown command 'nosuch' (try 'queuectl help')");
	}

	@Test
	void theReplsHelpListsThemInAGroupOfTheirOwn() {
		java.io.StringWriter out = new java.io.StringWriter();
		dev.queuectl.server.Invocation invocation = new dev.queuectl.server.Invocation(this.workDir,
				java.io.InputStream.nullInputStream(), new java.io.PrintWriter(new java.io.StringWriter()));
		assertThat(this.repl.runLine("help", new java.io.PrintWriter(out), invocation)).isZero();

		assertThat(out.toString()).contains("\n" + HelpCommand.SHELL_GROUP + ":\n")
			.containsPattern("\n  history +The lines typed here before, oldest first\n")
			.containsPattern("\n  exit +Leave the interactive shell")
			.contains("\nJobs:\n");
	}
}
