package dev.queuectl.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import org.jline.reader.LineReader;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;

import dev.queuectl.OwnerOnly;
import dev.queuectl.store.DatabaseLocation;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.shell.core.autoconfigure.TerminalCustomizer;
import org.springframework.shell.core.command.CommandParser;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.core.config.UserConfigPathProvider;
import org.springframework.shell.jline.JLineInputProvider;
import org.springframework.shell.jline.PromptProvider;

/** The REPL's prompt, terminal, line parser and history location. */
@Configuration(proxyBeanMethods = false)
class ShellConfiguration {

	@Bean
	PromptProvider promptProvider() {
		return () -> new AttributedString("queuectl> ");
	}

	/**
	 * In the REPL JLine handles the terminal's signals, with a handler of ours: left to its default
	 * it would reset SIGINT so that Ctrl-C kills the JVM without shutdown hooks, and without native
	 * signals Ctrl-C reaches the JVM's own handler, which ends the REPL. While a line is read, JLine
	 * turns Ctrl-C into a {@link UserInterruptException} ({@link #inputProvider}); while a command
	 * runs, Ctrl-C interrupts it (a {@code logs --follow}); other signals are ignored. Elsewhere no
	 * terminal is used: a dumb one on null streams avoids probing the TTY.
	 */
	@Bean
	TerminalCustomizer terminalCustomizer(@Value("${queuectl.mode:ONE_SHOT}") Mode mode) {
		return builder -> {
			if (mode == Mode.REPL) {
				Thread repl = Thread.currentThread();
				builder.nativeSignals(true).signalHandler(signal -> {
					if (signal == Terminal.Signal.INT) {
						repl.interrupt();
					}
				});
			}
			else {
				builder.system(false).dumb(true).streams(InputStream.nullInputStream(), OutputStream.nullOutputStream());
			}
		};
	}

	/**
	 * Ctrl-C abandons the line being typed, also in a {@code quote>} continuation, and prompts again;
	 * Ctrl-D on an empty line or {@code exit} leaves. Spring Shell's runner ends the REPL on any
	 * exception from reading a line, Ctrl-C's included.
	 */
	@Bean
	@Primary
	JLineInputProvider queuectlInputProvider(LineReader lineReader, PromptProvider prompt) {
		JLineInputProvider provider = new JLineInputProvider(lineReader) {
			@Override
			public String readInput() {
				while (true) {
					Thread.interrupted(); // a Ctrl-C that came as a command ended is spent
					try {
						return super.readInput();
					}
					catch (UserInterruptException ctrlC) {
						// JLine has shown ^C and dropped the line: read a new one
					}
				}
			}
		};
		provider.setPromptProvider(prompt);
		return provider;
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
