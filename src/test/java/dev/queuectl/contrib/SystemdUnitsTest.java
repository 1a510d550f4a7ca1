package dev.queuectl.contrib;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.queuectl.config.Durations;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The systemd units of contrib/systemd as systemd itself reads them: {@code systemd-analyze verify}
 * (system and user manager) must exit 0 and print nothing, since it only warns, exit 0, about an
 * unknown key or a bad value. Where systemd-analyze is missing the test FAILS, saying to install
 * Debian's systemd package (bin/test does): it never passes without having run it.
 * <p>
 * verify also checks that ExecStart's program exists: the system unit names the release at
 * /opt/queuectl, which this machine has not, so the unit is verified as written but for that prefix,
 * which becomes this checkout (whose bin/queuectl is the same launcher the release ships).
 */
class SystemdUnitsTest {

	static final Path PROJECT = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
			.toAbsolutePath();

	static final Path SYSTEMD = PROJECT.resolve("contrib").resolve("systemd");

	@TempDir
	Path tmp;

	@Test
	void theSystemUnitPassesSystemdAnalyzeVerifyWithoutAWarning() throws Exception {
		String unit = read("queuectl-worker.service");
		assertThat(unit).contains("ExecStart=/opt/queuectl/bin/queuectl worker start");
		Path copy = this.tmp.resolve("queuectl-worker.service");
		Files.writeString(copy, unit.replace("/opt/queuectl/", PROJECT + "/"));
		Result verify = run(Map.of(), systemdAnalyze(), "verify", copy.toString());
		assertThat(verify.output()).as("systemd-analyze verify's warnings").isEmpty();
		assertThat(verify.exit()).isZero();
	}

	@Test
	void theUserUnitPassesSystemdAnalyzeVerifyForAUserManager() throws Exception {
		Path copy = this.tmp.resolve("queuectl-worker.service");
		Files.writeString(copy, read("queuectl-worker-user.service"));
		Path runtime = Files.createDirectory(this.tmp.resolve("runtime"));
		// a user manager needs its runtime folder, which a login session would give
		Result verify = run(Map.of("XDG_RUNTIME_DIR", runtime.toString()), systemdAnalyze(), "--user", "verify",
				copy.toString());
		assertThat(verify.output()).as("systemd-analyze --user verify's warnings").isEmpty();
		assertThat(verify.exit()).isZero();
	}

	@Test
	void aUnitWithAMistakeIsCaughtByTheSameCheck() throws Exception {
		// what the checks above rely on: verify reports a misspelt key (as a warning, exit 0)
		Path bad = this.tmp.resolve("bad.service");
		Files.writeString(bad, read("queuectl-worker-user.service").replace("KillMode=mixed", "KilMode=mixed"));
		Path runtime = Files.createDirectory(this.tmp.resolve("runtime"));
		Result verify = run(Map.of("XDG_RUNTIME_DIR", runtime.toString()), systemdAnalyze(), "--user", "verify",
				bad.toString());
		assertThat(verify.output()).contains("KilMode");
	}

	@Test
	void bothUnitsStopGracefullyWithinTheirTimeoutAndRestartOnlyOnFailure() throws Exception {
		Duration grace = defaultShutdownGrace();
		for (String name : List.of("queuectl-worker.service", "queuectl-worker-user.service")) {
			String unit = read(name);
			// SIGTERM to the host alone: control-group (the default) would signal every running job at once
			assertThat(unit).as(name).contains("\nKillMode=mixed\n", "\nRestart=on-failure\n", "\nType=exec\n",
					"\nNoNewPrivileges=yes\n");
			Duration stop = Durations.parseOrNull(value(unit, "TimeoutStopSec"));
			assertThat(stop).as(name + ": TimeoutStopSec leaves the host shutdown-grace (" + grace
					+ ") and 15 s to put jobs back and unregister").isGreaterThanOrEqualTo(grace.plusSeconds(15));
		}
		String system = read("queuectl-worker.service");
		assertThat(system).contains("\nUser=queuectl\n", "\nProtectSystem=strict\n", "\nPrivateTmp=yes\n",
				"\nStateDirectory=queuectl\n");
	}

	/** The default of shutdown-grace, as the install's application.yml sets it. */
	static Duration defaultShutdownGrace() throws IOException {
		String yml = Files.readString(PROJECT.resolve("application.yml"));
		Matcher m = Pattern.compile("\\n\\s+shutdown-grace: (\\S+)\\n").matcher(yml);
		assertThat(m.find()).as("shutdown-grace in application.yml").isTrue();
		return Durations.parseOrNull(m.group(1));
	}

	static String value(String unit, String key) {
		Matcher m = Pattern.compile("\\n" + key + "=(\\S+)\\n").matcher(unit);
		assertThat(m.find()).as(key).isTrue();
		return m.group(1);
	}

	static String read(String name) throws IOException {
		return Files.readString(SYSTEMD.resolve(name));
	}

	/** systemd-analyze, or a failure saying how to get it. */
	static String systemdAnalyze() {
		for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
			Path p = Path.of(dir.isEmpty() ? "." : dir, "systemd-analyze");
			if (Files.isExecutable(p)) {
				return p.toString();
			}
		}
		throw new AssertionError("systemd-analyze is not installed, so the units cannot be checked: "
				+ "apt-get install systemd (bin/test installs it)");
	}

	record Result(int exit, String output) {
	}

	static Result run(Map<String, String> env, String... command) throws Exception {
		ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true);
		pb.environment().putAll(env);
		Process p = pb.start();
		p.getOutputStream().close();
		String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
		return new Result(p.exitValue(), out.strip());
	}
}
