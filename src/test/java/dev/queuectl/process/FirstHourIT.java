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
