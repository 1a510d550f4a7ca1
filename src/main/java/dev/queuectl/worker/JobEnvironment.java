package dev.queuectl.worker;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The one place that decides a job's environment from the worker host's. Removed always: every
 * {@code QUEUECTL_*} variable (queuectl's own settings, among them {@code QUEUECTL_DB}, whose URL
 * may hold a password) and {@code PGPASSWORD} / {@code PGPASSFILE} (the database credentials
 * queuectl reads), whichever backend the host uses. With {@code clean} ({@code worker start
 * --clean-env}) only {@link #MINIMAL} and {@code LC_*} are kept. A job's own variables and the
 * {@code QUEUECTL_*} ones queuectl sets for each job ({@link JobVariables}, issue 27) are laid
 * over the result last, ahead of the job's command, so they may set any of these names again
 * (the host's URL is given as QUEUECTL_DB without its password).
 * <p>
 * Jobs start from long-lived spawners, which hand their own environment to every job: a spawner is
 * started with {@link #of} the host's, so the compiled and the bash spawner and the JVM's own
 * fallback all apply this rule and it costs nothing per job.
 */
record JobEnvironment(boolean clean) {

	/** What {@code --clean-env} keeps, with every {@code LC_*}. */
	static final Set<String> MINIMAL = Set.of("PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "TZ", "TERM");

	/** The credentials queuectl reads for its database besides its own settings. */
	static final Set<String> CREDENTIALS = Set.of("PGPASSWORD", "PGPASSFILE");

	/** The rule of a worker host started without {@code --clean-env}. */
	static final JobEnvironment INHERITED = new JobEnvironment(false);

	/** Whether a job never inherits {@code name} from its host. */
	static boolean queuectlOwn(String name) {
		return name.startsWith("QUEUECTL_") || CREDENTIALS.contains(name);
	}

	/** Whether {@code --clean-env} keeps {@code name}. */
	static boolean minimal(String name) {
		return MINIMAL.contains(name) || name.startsWith("LC_");
	}

	/** A job's environment: what this rule keeps of {@code host}, then the job's {@code own} variables. */
	Map<String, String> of(Map<String, String> host, Map<String, String> own) {
		Map<String, String> env = new TreeMap<>();
		host.forEach((name, value) -> {
			if (!queuectlOwn(name) && (!this.clean || minimal(name))) {
				env.put(name, value);
			}
		});
		env.putAll(own);
		return env;
	}

	/** Replaces a process's environment (a {@link ProcessBuilder#environment()}) by what a job gets of it. */
	void applyTo(Map<String, String> processEnvironment) {
		Map<String, String> env = of(processEnvironment, Map.of());
		processEnvironment.clear();
		processEnvironment.putAll(env);
	}
}
