package dev.queuectl;

import java.io.Console;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.config.Version;
import dev.queuectl.config.OptionWords;
import dev.queuectl.config.ConfigLockdown;
import dev.queuectl.config.ConfiguredDb;
import dev.queuectl.server.Mode;
import dev.queuectl.store.DatabaseLocation;
import dev.queuectl.web.DashboardOptions;
import dev.queuectl.store.StorageErrors;
import dev.queuectl.worker.WorkerOptions;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Entry point. Reads the global options ({@code --db}, {@code --debug}, {@code --version},
 * {@code --help}), decides how to run (one command, a script on stdin, or the REPL) and exits with
 * the command's code. {@code worker start}'s options are checked before anything starts, and
 * configuration is read only from the documented places ({@link ConfigLockdown}).
 */
@SpringBootApplication(proxyBeanMethods = false) // no CGLIB subclass of this class
public class QueuectlApplication {

	@Bean
	java.time.Clock clock() {
		return java.time.Clock.systemUTC();
	}

	public static void main(String[] args) {
		System.exit(run(args));
	}

	/** Runs queuectl in this JVM and returns the exit code. */
	public static int run(String[] args) {
		Map<String, Object> properties = new HashMap<>();
		List<String> rest = new ArrayList<>();
		boolean debug = false;
		String db = null;
		for (int i = 0; i < args.length; i++) {
			String arg = args[i];
			if (!rest.isEmpty()) {
				rest.add(arg);
			}
			else if (arg.equals("--db") || arg.startsWith("--db=")) {
				String value = arg.startsWith("--db=") ? arg.substring(5) : (i + 1 < args.length ? args[++i] : null);
				try {
					db = DatabaseLocation.flag(value);
				}
				catch (QueuectlException ex) {
					System.err.println("queuectl: " + ex.getMessage());
					return ex.exitCode();
				}
			}
			else if (arg.equals("--debug")) {
				debug = true;
			}
			else if (arg.equals("--version") || arg.equals("-V")) {
				System.out.println(Version.line());
				return 0;
			}
			else if (arg.equals("--help") || arg.equals("-h")) {
				rest.add("help");
			}
			else {
				rest.add(arg);
			}
		}
		if (rest.equals(List.of("version"))) {
			System.out.println(Version.line()); // as --version: no need to start anything
			return 0;
		}
		QueuectlException dbLate = OptionWords.dbAfterCommand(rest);
		if (dbLate != null) { // before anything opens (or creates) a database
			System.err.println("queuectl: " + dbLate.getMessage());
			return dbLate.exitCode();
		}
		// where the database is, decided as the one-shot client decides it (DatabaseLocation.find),
		// and put above every file: Spring's own order of sources decides nothing here
		String configured = DatabaseLocation.configured(db, ConfiguredDb.DB);
		properties.put("queuectl.db", configured == null ? "" : configured);
		WorkerOptions.Request worker = null;
		if (isWorkerStart(rest)) {
			try {
				// checked before Spring or a web server starts: a bad option binds no port
				worker = WorkerOptions.parse(rest.subList(2, rest.size()));
			}
			catch (QueuectlException ex) {
				System.err.println("queuectl: " + ex.getMessage());
				return ex.exitCode();
			}
		}
		DashboardOptions dashboard = null;
		if (!rest.isEmpty() && rest.get(0).equals("dashboard")) {
			try {
				dashboard = DashboardOptions.parse(rest.subList(1, rest.size()));
			}
			catch (QueuectlException ex) {
				System.err.println("queuectl: " + ex.getMessage());
				return ex.exitCode();
			}
		}
		boolean server = isServerRun(rest);
		boolean longRunning = (worker != null && !worker.help()) || (dashboard != null && !dashboard.help() && !dashboard.url()) || server;
		Mode mode = server ? Mode.SERVER
				: !rest.isEmpty() ? Mode.ONE_SHOT : (stdinIsTerminal() ? Mode.REPL : Mode.SCRIPT);
		properties.put("queuectl.mode", mode.name());
		// a worker host waits for a database it cannot reach yet (DatabaseConfiguration); a command fails at once
		properties.put("queuectl.wait-for-database", worker != null && !worker.help());
		properties.put("spring.shell.interactive.enabled", mode == Mode.REPL);
		properties.put("spring.shell.history.enabled", mode == Mode.REPL);
		// Only the beans a run touches are created: a one-shot command needs few, and a worker host or
		// dashboard leaves the REPL's terminal and line reader, the JSON mapper (until a request needs
		// it) and many more alone (an 8-slot host: ~3-5 MiB less RSS, docs/benchmarks.md, issue 15).
		// The command server starts eagerly: it is there to answer its first command warm.
		properties.put("spring.main.lazy-initialization", !server);
		if (debug) {
			properties.put("queuectl.debug", true);
			LogSetup.debug();
		}
		// No background pre-initializer: it builds a JSON mapper, Tomcat's and the message converters'
		// classes in every JVM, needed or not (~500 classes in a worker host that never writes JSON).
		System.setProperty("spring.backgroundpreinitializer.ignore", "true");
		SpringApplication app = new SpringApplication(QueuectlApplication.class);
		app.setAddCommandLineProperties(false);
		app.setBannerMode(Banner.Mode.OFF);
		app.setLogStartupInfo(false);
		boolean serveHttp = longRunning && (dashboard != null || worker != null && !worker.noHttp());
		app.setWebApplicationType(serveHttp ? WebApplicationType.SERVLET : WebApplicationType.NONE);
		if (serveHttp && worker != null && worker.port() != null) {
			properties.put("server.port", worker.port());
		}
		String bind = "127.0.0.1";
		if (serveHttp && dashboard != null) {
			properties.put("server.port", dashboard.port());
			bind = dashboard.bind();
		}
		app.setDefaultProperties(internalDefaults());
		app.addListeners(new ConfigLockdown(properties, serveHttp, bind));
		try (ConfigurableApplicationContext ctx = app.run(rest.toArray(String[]::new))) {
			return SpringApplication.exit(ctx);
		}
		catch (RuntimeException ex) {
			return startupFailure(ex, debug);
		}
	}

	/** {@code server run}: the resident command server (dev.queuectl.server.ResidentServer). */
	static boolean isServerRun(List<String> words) {
		return words.size() == 2 && words.get(0).equals("server") && words.get(1).equals("run");
	}

	private static boolean isWorkerStart(List<String> words) {
		return words.size() >= 2 && words.get(0).equals("worker") && words.get(1).equals("start");
	}

	/**
	 * Settings that are how queuectl works, not choices for users (those are in application.yml).
	 * In-process tests apply them too, so their context is the one the CLI starts.
	 */
	public static Map<String, Object> internalDefaults() {
		Map<String, Object> p = new HashMap<>();
		p.put("spring.main.banner-mode", "off");
		p.put("spring.flyway.enabled", false); // migrated under a file lock by DatabaseConfiguration
		// TransactionTemplate from DatabaseConfiguration; no @Transactional proxies (they load Reactor).
		// No Tomcat metrics: with Tomcat's MBean registry off (Spring Boot's default) its binder finds
		// nothing to measure but sessions, which nothing here uses, and it starts the JDK's platform
		// MBean server to look: ~270 JMX and JFR classes, 2 MiB of a worker host's RSS (issue 15).
		// Also left out, as nothing here uses them: the exception translation proxies around every
		// @Repository (JdbcTemplate translates by itself; the proxies were a CGLIB class each and an
		// interceptor on every store call), AOP's auto-proxy creator (no advice here), SSL bundles,
		// project info, info contributors, SQL init scripts (Flyway migrates), JdbcClient, task
		// scheduling and its observation: their classes and bean definitions cost every JVM.
		p.put("spring.autoconfigure.exclude", String.join(",",
				"org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration",
				"org.springframework.boot.tomcat.autoconfigure.metrics.TomcatMetricsAutoConfiguration",
				"org.springframework.boot.persistence.autoconfigure.PersistenceExceptionTranslationAutoConfiguration",
				"org.springframework.boot.autoconfigure.aop.AopAutoConfiguration",
				"org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration",
				"org.springframework.boot.health.autoconfigure.application.SslHealthContributorAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.ssl.SslMetricsAutoConfiguration",
				"org.springframework.boot.autoconfigure.info.ProjectInfoAutoConfiguration",
				"org.springframework.boot.actuate.autoconfigure.info.InfoContributorAutoConfiguration",
				"org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration",
				"org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration",
				"org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration",
				"org.springframework.boot.micrometer.observation.autoconfigure.ScheduledTasksObservationAutoConfiguration"));
		p.put("spring.shell.command.help.enabled", false); // HelpCommand shows examples too
		p.put("spring.shell.command.script.enabled", false); // piped stdin does this
		p.put("spring.shell.command.version.enabled", false); // --version
		// the REPL's history and clear are its own words (cli/Repl), not commands a one-shot run offers
		p.put("spring.shell.command.history.enabled", false);
		p.put("spring.shell.command.clear.enabled", false);
		p.put("spring.shell.history.name", "repl-history");
		// Health and metrics, only while a worker host runs, only on loopback (and for the CLI
		// forced over every config file by ConfigLockdown).
		p.put("server.address", "127.0.0.1");
		p.put("server.port", "${queuectl.worker.http-port:0}");
		p.put("management.endpoints.web.exposure.include", "health,metrics,prometheus");
		p.put("management.endpoint.health.show-details", "always");
		// A host's or dashboard's requests come a few at a time: Tomcat starts more threads when they
		// do (up to 200) and ends them after a minute idle; 10 idle ones held ~0.7 MiB for nothing.
		p.put("server.tomcat.threads.min-spare", 1);
		// Bounded under abuse (issue 24): a connection has 10 s to send its request and at most 20 s
		// idle between requests, so thousands of half-open ones are dropped instead of holding the
		// server; at most 1000 at once (each holds ~16 KiB of buffers), 100 more waiting; a refused
		// body is not read past 64 KiB (the connection is closed instead), nor a form past 64 KiB.
		p.put("server.tomcat.connection-timeout", "10s");
		p.put("server.tomcat.keep-alive-timeout", "20s");
		p.put("server.tomcat.max-connections", 1000);
		p.put("server.tomcat.accept-count", 100);
		p.put("server.tomcat.max-swallow-size", "64KB");
		p.put("server.tomcat.max-http-form-post-size", "64KB");
		// the dashboard's pages come from the jar; its API answers errors as problem+json itself
		p.put("spring.thymeleaf.cache", true);
		p.put("spring.mvc.problemdetails.enabled", true);
		p.put("server.error.whitelabel.enabled", false);
		return p;
	}

	private static int startupFailure(Throwable ex, boolean debug) {
		String port = portInUse(ex);
		if (port != null) {
			System.err.println("queuectl: " + port);
			if (debug) {
				ex.printStackTrace();
			}
			return QueuectlException.FAILURE;
		}
		Throwable cause = ex;
		while (cause.getCause() != null && !(cause instanceof QueuectlException)) {
			cause = cause.getCause();
		}
		if (cause instanceof QueuectlException q) {
			System.err.println("queuectl: " + q.getMessage());
			if (debug) {
				ex.printStackTrace();
			}
			return q.exitCode();
		}
		String storage = StorageErrors.describe(ex, null);
		System.err.println("queuectl: " + (storage != null ? storage : schemaHistoryDiffers(cause) != null ? schemaHistoryDiffers(cause)
				: cause.getClass().getSimpleName()
						+ (cause.getMessage() == null ? "" : ": " + cause.getMessage().lines().findFirst().orElse(""))));
		if (debug) {
			ex.printStackTrace();
		}
		return QueuectlException.FAILURE;
	}

	/**
	 * The line for a database whose record of applied migrations disagrees with this release's (a
	 * migration's text changed after it was applied: a build between releases), or null for another
	 * failure. Named by class, so the entry point imports nothing of the migration library.
	 */
	static String schemaHistoryDiffers(Throwable cause) {
		if (!cause.getClass().getName().equals("org.flywaydb.core.api.exception.FlywayValidateException")) {
			return null;
		}
		java.util.regex.Matcher version = java.util.regex.Pattern.compile("migration version (\\d+)")
			.matcher(String.valueOf(cause.getMessage()));
		return "this database's schema history does not match this queuectl's migrations"
				+ (version.find() ? " (version " + version.group(1) + " differs)" : "")
				+ ": it was written by a build between releases; use that build, or a new database";
	}

	/**
	 * The line for a web server that could not listen (a worker host's or the dashboard's port is
	 * taken, or is not ours to take), or null for any other failure.
	 */
	static String portInUse(Throwable ex) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t instanceof PortInUseException p) {
				return "port " + p.getPort() + " is in use (another program listens there: choose another with --port)";
			}
			if (t instanceof java.net.BindException b) {
				return "cannot listen on the port: " + (b.getMessage() == null ? "refused" : b.getMessage().toLowerCase(java.util.Locale.ROOT));
			}
		}
		return null;
	}

	/** The launcher says whether stdin is a terminal; without it, ask the JDK. */
	private static boolean stdinIsTerminal() {
		String told = System.getProperty("queuectl.stdin.tty");
		if (told != null) {
			return Boolean.parseBoolean(told);
		}
		Console console = System.console();
		if (console == null) {
			return false;
		}
		try {
			return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
		}
		catch (ReflectiveOperationException ex) {
			return true; // JDK < 22: a console exists only on a terminal
		}
	}
}
