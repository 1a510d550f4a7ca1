package dev.queuectl.cli;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.utils.InfoCmp;

import dev.queuectl.server.Invocation;
import dev.queuectl.store.DatabaseLocation;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.jline.PromptProvider;
import org.springframework.stereotype.Component;

/**
 * The interactive shell, in place of Spring Shell's runner (which words errors its own way: "Error
 * while parsing command:", "Unable to run command ..."). JLine reads a line (history, Tab, a
 * {@code quote>} continuation); {@link LineTokenizer} splits it as a shell would; the line runs
 * through {@link CommandDispatcher}, the one path of one-shot, script and served commands, so an
 * error reads exactly as it does one-shot: one {@code queuectl: ...} line. It opens with a one-line
 * greeting; the prompt names the database when it is not the default one (ShellConfiguration).
 *
 * <p>Ctrl-C abandons the line being typed (JLine's {@link UserInterruptException}), or interrupts
 * the running command ({@code logs --follow}, {@code wait}): that command then says nothing more on
 * stderr and the prompt comes back. Ctrl-D on an empty line or {@code exit} leaves.
 *
 * <p>{@link #BUILT_INS} are words of the REPL, not commands: a one-shot run, a script or a served
 * client neither lists nor runs them (ArgvParser says they work only here); the REPL's {@code help}
 * lists them in a group of their own.
 */
@Component
class Repl {

	/** The REPL's own words and what they do. */
	static final java.util.Map<String, String> BUILT_INS = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(
			java.util.Map.of("clear", "Clear the screen", "exit", "Leave the interactive shell (also quit, Ctrl-D)",
					"history", "The lines typed here before, oldest first", "quit", "Leave the interactive shell")));

	private final CommandDispatcher dispatcher;

	private final ObjectProvider<LineReader> lineReader;

	private final PromptProvider prompt;

	private final DatabaseLocation location;

	private final HelpCommand help;

	private final CommandRegistry registry;

	Repl(CommandDispatcher dispatcher, ObjectProvider<LineReader> lineReader, PromptProvider prompt,
			DatabaseLocation location, HelpCommand help, CommandRegistry registry) {
		this.dispatcher = dispatcher;
		this.help = help;
		this.registry = registry;
		this.lineReader = lineReader;
		this.prompt = prompt;
		this.location = location;
	}

	/** Reads and runs lines until Ctrl-D or {@code exit}. */
	void run() {
		LineReader reader = this.lineReader.getObject();
		Terminal terminal = reader.getTerminal();
		PrintWriter out = terminal.writer();
		AtomicBoolean ctrlC = new AtomicBoolean();
		Thread repl = Thread.currentThread();
		// while a command runs (JLine has a handler of its own while it reads a line)
		terminal.handle(Terminal.Signal.INT, signal -> {
			ctrlC.set(true);
			repl.interrupt();
		});
		Invocation invocation = new Invocation(Path.of(System.getProperty("user.dir")), System.in,
				new PrintWriter(new QuietAfter(ctrlC, new PrintWriter(System.err, true)), true));
		out.println(ShellConfiguration.greeting(this.location));
		out.flush();
		while (true) {
			String line;
			Thread.interrupted(); // a Ctrl-C that came as the last command ended is spent
			try {
				line = reader.readLine(this.prompt.getPrompt().toAnsi(terminal));
			}
			catch (UserInterruptException typedCtrlC) {
				continue; // JLine has shown ^C and dropped the line
			}
			catch (EndOfFileException ctrlD) {
				break;
			}
			ctrlC.set(false);
			String trimmed = line.strip();
			if (trimmed.equals("exit") || trimmed.equals("quit")) {
				break;
			}
			switch (trimmed) {
				case "history" -> reader.getHistory().forEach(entry -> out.println(entry.line()));
				case "clear" -> terminal.puts(InfoCmp.Capability.clear_screen);
				default -> runLine(trimmed, out, invocation);
			}
			out.flush();
			if (ctrlC.get()) {
				out.println(); // after the terminal's ^C, the prompt on a line of its own
				out.flush();
			}
		}
	}

	/** Runs one line as the REPL does; returns its exit code (0 for a blank line). */
	int runLine(String line, PrintWriter out, Invocation invocation) {
		if (line.isBlank()) {
			return 0;
		}
		List<String> words;
		try {
			words = LineTokenizer.split(line);
		}
		catch (IllegalArgumentException ex) {
			invocation.err().println("queuectl: " + ex.getMessage());
			invocation.err().flush();
			return dev.queuectl.config.QueuectlException.USAGE;
		}
		if (words.equals(List.of("help"))) {
			out.print(this.help.overview(this.registry, BUILT_INS));
			out.flush();
			return 0;
		}
		// as one-shot: --env NAME copies this process's value, progress inside a job means that job
		return this.dispatcher.execute(dev.queuectl.server.JobWords.fromEnvironment(words, System.getenv()), out, invocation);
	}

	/** Writes to {@code to} until Ctrl-C was pressed, then drops what an interrupted command still says. */
	private static final class QuietAfter extends Writer {

		private final AtomicBoolean ctrlC;

		private final PrintWriter to;

		QuietAfter(AtomicBoolean ctrlC, PrintWriter to) {
			this.ctrlC = ctrlC;
			this.to = to;
		}

		@Override
		public void write(char[] buf, int off, int len) {
			if (!this.ctrlC.get()) {
				this.to.write(buf, off, len);
			}
		}

		@Override
		public void flush() {
			this.to.flush();
		}

		@Override
		public void close() {
			flush();
		}
	}
}
