package dev.queuectl.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import org.jline.utils.AttributedString;

import dev.queuectl.OwnerOnly;
import dev.queuectl.store.DatabaseLocation;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.shell.core.autoconfigure.TerminalCustomizer;
import org.springframework.shell.core.command.CommandParser;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.core.config.UserConfigPathProvider;
import org.springframework.shell.jline.PromptProvider;

/** The REPL's prompt, terminal, line parser and history location. */
@Configuration(proxyBeanMethods = false)
class ShellConfiguration {

	@Bean
	PromptProvider promptProvider() {
		return () -> new AttributedString("queuectl> ");
	}

	/**
	 * In the REPL, JLine must not take over SIGINT (it would kill the JVM without shutdown hooks).
	 * Elsewhere no terminal is used: a dumb one on null streams avoids probing the TTY.
	 */
	@Bean
	TerminalCustomizer terminalCustomizer(@Value("${queuectl.mode:ONE_SHOT}") Mode mode) {
		return builder -> {
			if (mode == Mode.REPL) {
				builder.nativeSignals(false);
			}
			else {
				builder.system(false).dumb(true).streams(InputStream.nullInputStream(), OutputStream.nullOutputStream());
			}
		};
	}

	/** REPL lines are split like a shell would, then parsed exactly as one-shot arguments are. */
	@Bean
	CommandParser commandParser(CommandRegistry registry) {
		return line -> ArgvParser.parse(LineTokenizer.split(line), registry).input();
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
