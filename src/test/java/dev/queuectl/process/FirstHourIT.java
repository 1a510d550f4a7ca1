package dev.queuectl.process;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import dev.queuectl.process.Cli.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a newcomer meets in the first hour at the command line (issue 29), through bin/queuectl as
 * a real process: the lines that must read as queuectl's own, with no framework's words, whatever
 * path (JVM start-up, the command) they come from.
 */
@Timeout(300)
class FirstHourIT {

	@TempDir
	Path tmp;

	@AfterEach
	void noCommandServerIsLeftBehind() {
		assertThat(Cli.serversUnder(this.tmp)).isEmpty();
	}

	@Test
	void dashVDashDashVersionAndVersionPrintTheVersion() {
		Cli cli = new Cli(this.tmp);
		Result version = cli.run("version");
		assertThat(version.exit()).as(version.toString()).isZero();
		assertThat(version.err()).as(version.toString()).isEmpty();
		assertThat(version.out()).as(version.toString()).matches("queuectl \\d+\\.\\d+\\.\\d+\\S* \\(commit \\S+, built \\S+\\)\n");
		for (String option : new String[] { "-V", "--version" }) {
			Result r = cli.runRaw(option);
			assertThat(r.exit()).as(r.toString()).isZero();
			assertThat(r.out()).as(r.toString()).isEqualTo(version.out());
		}
		assertThat(cli.run("help").out()).containsPattern("(?m)^  version +Print the version");
	}

	@Test
	void aMistypedCommandOrOptionGetsTheCloseOne() {
		Cli cli = new Cli(this.tmp);
		record Case(String expected, String... args) {
		}
		for (Case c : new Case[] {
				new Case("queuectl: unknown command 'lsit' (did you mean 'list'? try 'queuectl help')\n", "lsit"),
				new Case("queuectl: unknown option '--stat' for 'list' (did you mean --state? try 'queuectl help list')\n",
						"list", "--stat", "dead"),
				new Case("queuectl: unknown option '--cont' for 'worker start' (did you mean --count? try 'queuectl help worker start')\n",
						"worker", "start", "--cont", "2"),
				new Case("queuectl: unknown option '--prot' for 'dashboard' (did you mean --port? try 'queuectl help dashboard')\n",
						"dashboard", "--prot", "8080") }) {
			Result r = cli.run(c.args());
			assertThat(r.exit()).as(r.toString()).isEqualTo(2);
			assertThat(r.out()).as(r.toString()).isEmpty();
			assertThat(r.err()).as(r.toString()).isEqualTo(c.expected());
		}
	}

	@Test
	void aPortInUseIsOneLineExitOneForAWorkerHostAndTheDashboard() throws IOException {
		Cli cli = new Cli(this.tmp);
		try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			String port = Integer.toString(taken.getLocalPort());
			for (String[] args : new String[][] { { "worker", "start", "--port", port }, { "dashboard", "--port", port } }) {
				Result r = cli.run(args);
				assertThat(r.exit()).as(r.toString()).isEqualTo(1);
				assertThat(r.out()).as(r.toString()).isEmpty();
				assertThat(r.err()).as(r.toString())
					.isEqualTo("queuectl: port " + port + " is in use (another program listens there: choose another with --port)\n");
			}
		}
	}
}
