package dev.queuectl.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;

import dev.queuectl.server.Mode;
import dev.queuectl.OwnerOnly;
import dev.queuectl.store.DatabaseLocation;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.shell.core.autoconfigure.TerminalCustomizer;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.core.command.annotation.support.CommandFactoryBean;
import org.springframework.shell.core.config.UserConfigPathProvider;
import org.springframework.shell.jline.CommandCompleter;
import org.springframework.shell.jline.PromptProvider;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils.MethodFilter;

/** The REPL's prompt, terminal, commands and history location ({@link Repl} reads and runs the lines). */
@Configuration(proxyBeanMethods = false)
class ShellConfiguration {

	/** {@code queuectl>}, with the database when it is not the default one: {@code queuectl ~/work/q.db>}. */
	@Bean
	PromptProvider promptProvider(DatabaseLocation location) {
		String prompt = isDefault(location) ? "queuectl> " : "queuectl " + shortName(location) + "> ";
		return () -> new AttributedString(prompt);
	}

	/** The first line of the REPL: what it is on, and the three things to know. */
	static String greeting(DatabaseLocation location) {
		return "queuectl " + dev.queuectl.Version.number() + " on " + shortName(location)
				+ ": 'help' lists the commands, Tab completes, Ctrl-D or 'exit' leaves";
	}

	private static boolean isDefault(DatabaseLocation location) {
		return location.equals(DatabaseLocation.resolve(null));
	}

	/** The database as its owner would write it: the home folder as {@code ~}. */
	private static String shortName(DatabaseLocation location) {
		String home = System.getProperty("user.home");
		if (!location.isPostgres() && home != null && !home.equals("/") && location.file().startsWith(home)) {
			return "~/" + java.nio.file.Path.of(home).relativize(location.file());
		}
		return location.display();
	}

	/**
	 * In the REPL JLine handles the terminal's signals: left to its default it would reset SIGINT so
	 * that Ctrl-C kills the JVM without shutdown hooks, and without native signals Ctrl-C reaches the
	 * JVM's own handler, which ends the REPL. JLine turns Ctrl-C into a {@link UserInterruptException}
	 * while a line is read, and {@link Repl} handles it while a command runs; other signals are
	 * ignored. Elsewhere no terminal is used: a dumb one on null streams avoids probing the TTY.
	 */
	@Bean
	TerminalCustomizer terminalCustomizer(@Value("${queuectl.mode:ONE_SHOT}") Mode mode) {
		return builder -> {
			if (mode == Mode.REPL) {
				builder.nativeSignals(true).signalHandler(Terminal.SignalHandler.SIG_IGN);
			}
			else {
				builder.system(false).dumb(true).streams(InputStream.nullInputStream(), OutputStream.nullOutputStream());
			}
		};
	}

	/** Tab in the REPL: see {@link ReplCompleter}. */
	@Bean
	CommandCompleter commandCompleter(CommandRegistry registry, ObjectProvider<CommandDispatcher> dispatcher) {
		return new ReplCompleter(registry, dispatcher);
	}

	/** Spring Shell validates command parameters with it: see {@link NoConstraints}. */
	@Bean
	jakarta.validation.Validator commandParameterValidator() {
		return new NoConstraints();
	}

	/**
	 * The commands: every {@code @Command} method of queuectl's beans, as Spring Shell's own
	 * registry has them. Built here because Spring Shell's registry scans the class files of the
	 * whole package at each start and reaches {@code quit} through a class whose first use starts
	 * Hibernate Validator (see {@link NoConstraints}). The REPL's own words ({@code history},
	 * {@code clear}, {@code exit}) are no commands: {@link Repl#BUILT_INS}.
	 */
	@Bean
	CommandRegistry commandRegistry(ApplicationContext context) {
		CommandRegistry registry = new CommandRegistry();
		context.getBeansOfType(org.springframework.shell.core.command.Command.class).values()
			.forEach(registry::registerCommand);
		for (String name : context.getBeanDefinitionNames()) {
			Class<?> type = context.getType(name, false);
			if (type == null || !type.getName().startsWith("dev.queuectl.")) {
				continue;
			}
			MethodIntrospector.selectMethods(ClassUtils.getUserClass(type),
					(MethodFilter) method -> AnnotatedElementUtils.hasAnnotation(method,
							org.springframework.shell.core.command.annotation.Command.class))
				.forEach(method -> {
					CommandFactoryBean command = new CommandFactoryBean(method);
					command.setApplicationContext(context);
					registry.registerCommand(command.getObject());
				});
		}
		return registry;
	}

	/**
	 * REPL history is kept beside the database, in a file made owner-only before JLine first
	 * appends to it (JLine would create it under the umask). Asked for only when history is on.
	 */
	@Bean
	UserConfigPathProvider userConfigPathProvider(DatabaseLocation location,
			@Value("${spring.shell.history.name:}") String historyName) {
		return () -> {
			if (!historyName.isBlank()) {
				try {
					OwnerOnly.createFile(location.dataDir().resolve(historyName));
				}
				catch (IOException ex) {
					// JLine reports what it cannot write
				}
			}
			return location.dataDir();
		};
	}
}
