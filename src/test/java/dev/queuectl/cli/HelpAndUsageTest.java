package dev.queuectl.cli;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.shell.core.command.Command;
import org.springframework.shell.core.command.CommandOption;
import org.springframework.shell.core.command.CommandRegistry;

import static org.assertj.core.api.Assertions.assertThat;

/** help, and how words that name no command or option are refused. */
class HelpAndUsageTest extends CommandTestSupport {

	private static final List<String> QUEUECTL_COMMANDS = List.of("enqueue", "list", "show", "status", "dlq list",
			"dlq retry", "config list", "config get", "config set", "help");

	@Autowired
	CommandRegistry registry;

	@Test
	void helpListsEveryCommandWithItsDescription() {
		Result r = run("help").ok();

		assertThat(this.registry.getCommands()).extracting(Command::getName).containsAll(QUEUECTL_COMMANDS);
		for (Command command : this.registry.getCommands()) {
			if (!command.isHidden()) {
				assertThat(r.outLines()).as(command.getName())
					.anySatisfy(line -> assertThat(line.strip()).startsWith(command.getName() + " ")
						.endsWith(command.getDescription()));
			}
		}
		assertThat(r.outLines()).contains("Jobs:", "Dead letter queue:", "Configuration:");
		assertThat(r.out()).contains("Exit codes: 0 ok, 1 failure, 2 bad usage or input, 3 no such job, schedule, queue or worker host, "
				+ "124 timed out (wait).");
	}

	@Test
	void helpEnqueueShowsOptionsAndExamples() {
		Result r = run("help", "enqueue").ok();

		assertThat(r.outLines().get(0)).isEqualTo("enqueue: " + this.registry.getCommandByName("enqueue").getDescription());
		assertThat(r.outLines()).contains("Options:");
		assertThat(r.outLines()).anySatisfy(line -> assertThat(line).contains("-f, --file VALUE", "JSON Lines"));
		assertThat(r.outLines()).contains("  queuectl enqueue '{\"command\":\"echo hi\"}'",
				"  generate-jobs | queuectl enqueue -");
		assertThat(r.out()).contains("Fields: command (required)");
	}

	@Test
	void examplesAreIndentedForEveryCommand() {
		for (String name : List.of("list", "show", "status", "dlq list", "config set", "logs", "worker start")) {
			Result r = run(("help " + name).split(" ")).ok();
			assertThat(r.outLines()).as(name).anySatisfy(line -> assertThat(line).startsWith("  queuectl " + name));
			assertThat(r.outLines()).as(name).noneSatisfy(line -> assertThat(line).startsWith("queuectl "));
		}
	}

	@Test
	void helpOfAGroupListsItsSubCommands() {
		Result r = run("help", "dlq").ok();
		assertThat(r.outLines()).containsExactly("dlq list: " + this.registry.getCommandByName("dlq list").getDescription(),
				"dlq purge: " + this.registry.getCommandByName("dlq purge").getDescription(),
				"dlq retry: " + this.registry.getCommandByName("dlq retry").getDescription());
	}

	@Test
	void dashDashHelpAfterAGroupIsTheGroupsHelp() {
		for (String group : List.of("queue", "worker", "dlq", "schedule", "config", "server")) {
			String help = run("help", group).ok().out();
			assertThat(help).as(group).startsWith(group + " ");
			assertThat(run(group, "--help").ok().out()).as(group).isEqualTo(help);
			assertThat(run(group, "-h").ok().out()).as(group).isEqualTo(help);
		}
	}

	@Test
	void dashDashHelpAfterACommandIsItsHelp() {
		String help = run("help", "enqueue").ok().out();

		assertThat(run("enqueue", "--help").ok().out()).isEqualTo(help);
		assertThat(run("enqueue", "-h").ok().out()).isEqualTo(help);
		assertThat(run("enqueue", "{\"command\":\"x\"}", "--help").ok().out()).isEqualTo(help);
		assertThat(jobCount()).as("asking for help runs nothing").isZero();
		assertThat(run("dlq", "retry", "--help").ok().out()).isEqualTo(run("help", "dlq", "retry").ok().out());
	}

	@Test
	void everyCommandHasHelpNamingAllItsOptions() {
		for (String name : QUEUECTL_COMMANDS) {
			Command command = this.registry.getCommandByName(name);
			Result r = run((name + " --help").split(" ")).ok();
			assertThat(r.outLines().get(0)).isEqualTo(name + ": " + command.getDescription());
			for (CommandOption option : command.getOptions()) {
				assertThat(r.out()).as(name).contains("--" + option.longName());
			}
		}
	}

	@Test
	void helpMarksFlagsAndOptionsWithValues() {
		List<String> lines = run("help", "list").ok().outLines();

		assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("  -s, --state VALUE"));
		assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("  -n, --limit VALUE").contains("default 50"));
		assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("      --json ").doesNotContain("VALUE"));
		assertThat(lines).anySatisfy(l -> assertThat(l.strip()).isEqualTo("queuectl list --state dead --limit 100"));
	}

	@Test
	void helpOfAnUnknownCommand() {
		run("help", "frobnicate").usageError("no such command: frobnicate");
	}

	@Test
	void unknownCommand() {
		run("frobnicate").usageError("unknown command 'frobnicate'", "try 'queuectl help'");
		run("Enqueue", "{\"command\":\"x\"}").usageError("unknown command 'Enqueue'");
		assertThat(jobCount()).isZero();
	}

	@Test
	void aMistypedCommandSubCommandOrOptionGetsTheClosestOne() {
		run("lsit").usageError("unknown command 'lsit' (did you mean 'list'? try 'queuectl help')");
		run("enqeue", "{\"command\":\"x\"}").usageError("did you mean 'enqueue'?");
		run("sched", "list").usageError("unknown command 'sched' (did you mean 'schedule'?");
		run("Status").usageError("did you mean 'status'?");
		run("dlq", "retyr", "x").usageError("unknown sub-command 'dlq retyr' (did you mean 'dlq retry'? one of: list, purge, retry)");
		run("list", "--stat", "dead").usageError("unknown option '--stat' for 'list' (did you mean --state? try 'queuectl help list')");
		run("list", "--jsno").usageError("did you mean --json?");
		run("list", "--hepl").usageError("did you mean --help?");
		run("help", "stauts").usageError("no such command: stauts (did you mean 'status'?)");
		run("help", "queue", "puase").usageError("did you mean 'queue pause'?");
		assertThat(run("frobnicate").err()).doesNotContain("did you mean");
		assertThat(run("list", "-x").err()).doesNotContain("did you mean");
		assertThat(run("{\"command\":\"echo hi\"}").err()).doesNotContain("did you mean");
		assertThat(jobCount()).isZero();
	}

	@Test
	void versionPrintsTheVersion() {
		assertThat(run("version").ok().out()).isEqualTo(dev.queuectl.config.Version.line() + "\n");
		assertThat(run("help").ok().outLines()).anySatisfy(l -> assertThat(l).startsWith("  version "));
	}

	@Test
	void noCommand() {
		run().usageError("no command given");
	}

	@Test
	void aGroupNeedsASubCommand() {
		run("dlq").usageError("'dlq' needs a sub-command (one of: list, purge, retry)");
		run("config").usageError("'config' needs a sub-command (one of: get, list, set)");
		run("dlq", "drop").usageError("unknown sub-command 'dlq drop' (one of: list, purge, retry)");
	}

	@Test
	void unknownOption() {
		run("list", "--colour").usageError("unknown option '--colour' for 'list'", "queuectl help list");
		run("list", "-x").usageError("unknown option '-x' for 'list'");
		run("enqueue", "--fil", "jobs.json").usageError("unknown option '--fil' for 'enqueue'");
		run("dlq", "list", "--state", "dead").usageError("unknown option '--state' for 'dlq list'");
		assertThat(jobCount()).isZero();
	}

	@Test
	void optionMissingItsValue() {
		run("list", "--limit").usageError("option --limit needs a value");
		run("list", "--json", "--queue").usageError("option --queue needs a value");
		run("enqueue", "-f").usageError("option -f needs a value");
	}

	@Test
	void optionWithAValueOfTheWrongType() {
		run("list", "--limit", "abc").usageError("option --limit expects an integer, got 'abc'");
		run("list", "-n", "1.5").usageError("option -n expects an integer, got '1.5'");
		run("list", "--limit=99999999999").usageError("expects an integer");
		run("status", "--json=yes").usageError("option --json expects true or false, got 'yes'");
	}

	@Test
	void optionsMayComeBeforeArguments() {
		enqueue("{\"id\":\"j\",\"command\":\"x\"}");

		assertThat(run("show", "--json", "j").ok().json().get("id").stringValue()).isEqualTo("j");
		assertThat(run("show", "j", "--json=false").ok().outLines().get(0)).startsWith("id ");
	}

	@Test
	void doubleDashEndsOptions() {
		run("show", "--", "--json").fails(3, "no such job: --json");
	}

	@Test
	void dbAfterTheCommandWordSaysItGoesBeforeIt() {
		run("list", "--db", "/tmp/q.db").usageError("--db goes before the command: queuectl --db /tmp/q.db list ...");
		run("queue", "pause", "mail", "--db=x.db").usageError("--db goes before the command: queuectl --db x.db queue ...");
	}

	@Test
	void theManPageHasExitStatusWith124AndEnvironmentAndNotesApartFromTheLastOptionOrTheDescription() throws Exception {
		run("dist-files", this.workDir.toString()).ok();
		String man = java.nio.file.Files.readString(this.workDir.resolve("man").resolve("queuectl.1"));
		assertThat(man).contains(".SH EXIT STATUS\n").contains(".TP\n.B 124\nwait, or cancel \\-\\-wait, timed out")
			.contains(".SH ENVIRONMENT\n").contains(".TP\n.B QUEUECTL_DB\n").contains(".B QUEUECTL_SERVER\n");
		// list's last option (--tag) is followed by a paragraph break before list's own notes
		int list = man.indexOf(".B queuectl list\n");
		int tag = man.indexOf(".B \\-\\-tag VALUE\n", list);
		String afterTag = man.substring(tag, man.indexOf("\n.TP\n.B queuectl ", tag));
		assertThat(afterTag.lines().toList().get(2)).as(afterTag).isEqualTo(".PP");
		// a command without options: its notes are not filled into its description's line
		int limit = man.indexOf(".B queuectl queue limit\n");
		String queueLimit = man.substring(limit, man.indexOf("\n.TP\n.B queuectl ", limit));
		assertThat(queueLimit.lines().toList().subList(2, 4)).as(queueLimit).containsExactly(".RS", ".PP");
	}
}
