package dev.queuectl;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.springframework.boot.logging.LoggerConfiguration;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.logging.LoggingSystemFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Where queuectl's logs go and at which levels: the one place they are set. Logback finds this
 * class through {@code META-INF/services} when the first logger is made, and Spring Boot leaves
 * logging alone ({@link LeaveAlone}). Set in code rather than in a logback XML file, which would
 * make every JVM (each worker host) load an XML parser and Logback's configuration language, some
 * 600 classes kept for nothing.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_TOP_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {

	/** Loggers whose level differs from the root's (WARN). */
	private static final Object[][] LEVELS = {
			{ "dev.queuectl", Level.INFO },
			// Boot reports start-up failures itself; queuectl prints one line instead
			{ "org.springframework.boot.SpringApplication", Level.OFF },
			{ "org.springframework.boot.diagnostics", Level.OFF },
			{ "org.springframework.context.annotation.AnnotationConfigApplicationContext", Level.ERROR },
			{ "org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext", Level.ERROR },
			{ "org.springframework.boot.web.server.servlet.context.AnnotationConfigServletWebServerApplicationContext", Level.ERROR },
			// logs a failure it then throws, carried aside in its exception (SQLITE_FULL): queuectl says it in one line
			{ "org.springframework.transaction.support.TransactionTemplate", Level.OFF },
			// a commit that fails and then a rollback that fails too (the database went away mid-transaction)
			// are logged by the transaction manager before it throws: the caller says it in one line
			{ "org.springframework.transaction", Level.OFF },
			{ "org.springframework.jdbc", Level.OFF },
			// the pool's own account of failed connections (with its internals and tuning hints): queuectl
			// says a database failure in one line of its own; --debug shows the pool's warnings
			{ "com.zaxxer.hikari", Level.OFF },
			// concurrent processes race to clean up each other's extracted native library: harmless
			{ "org.sqlite.SQLiteJDBCLoader", Level.OFF },
			// a failed export of traces, with its stack trace: queuectl says it in one line (service/OtelTracing)
			{ "io.opentelemetry.exporter", Level.OFF } };

	/**
	 * The logging system Spring Boot finds first (through {@code META-INF/spring.factories}, ahead of its
	 * Logback one): it leaves Logback as {@link #configure} set it. Boot's own would reset Logback and log
	 * at INFO to stdout, which carries only command results; found this way it holds for every
	 * SpringApplication, the tests' too, with nothing to call first.
	 */
	@Order(Ordered.HIGHEST_PRECEDENCE)
	public static final class LeaveAlone extends LoggingSystem implements LoggingSystemFactory {

		@Override
		public LoggingSystem getLoggingSystem(ClassLoader classLoader) {
			return this;
		}

		@Override
		public void beforeInitialize() {
		}

		@Override
		public void setLogLevel(String loggerName, org.springframework.boot.logging.LogLevel level) {
		}

		@Override
		public java.util.List<LoggerConfiguration> getLoggerConfigurations() {
			return java.util.List.of();
		}

		@Override
		public LoggerConfiguration getLoggerConfiguration(String loggerName) {
			return null;
		}
	}

	/** {@code --debug}: queuectl's own loggers at DEBUG. */
	public static void debug() {
		((Logger) org.slf4j.LoggerFactory.getLogger("dev.queuectl")).setLevel(Level.DEBUG);
		for (String framework : new String[] { "com.zaxxer.hikari", "org.springframework.transaction", "org.springframework.jdbc" }) {
			((Logger) org.slf4j.LoggerFactory.getLogger(framework)).setLevel(Level.WARN);
		}
	}

	@Override
	public ExecutionStatus configure(LoggerContext context) {
		PatternLayoutEncoder encoder = new PatternLayoutEncoder();
		encoder.setContext(context);
		encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{0}: %msg%n");
		encoder.start();
		ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
		stderr.setContext(context);
		stderr.setName("STDERR");
		stderr.setTarget("System.err");
		stderr.setEncoder(encoder);
		stderr.start();
		Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
		root.setLevel(Level.WARN);
		root.addAppender(stderr);
		for (Object[] level : LEVELS) {
			context.getLogger((String) level[0]).setLevel((Level) level[1]);
		}
		// java.util.logging (Tomcat's) through the same appender, warnings only, instead of the
		// JDK's console handler and its two-line format
		java.util.logging.LogManager.getLogManager().reset();
		org.slf4j.bridge.SLF4JBridgeHandler.install();
		java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
		return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
	}
}
