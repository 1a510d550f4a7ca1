package dev.queuectl.cli;

import dev.queuectl.server.Mode;
import dev.queuectl.server.Invocation;
import dev.queuectl.server.ResidentServer;
import dev.queuectl.server.CommandServer;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.stereotype.Component;

/**
 * The process's one runner: a one-shot command, a script on standard input, or the REPL ({@link Repl}).
 * Replaces Spring Shell's own runner, which re-joins arguments with spaces and always exits 0.
 */
@Component
class QueuectlRunner implements ApplicationRunner, ExitCodeGenerator {

	private final CommandDispatcher dispatcher;

	private final ObjectProvider<Repl> repl;

	private final Mode mode;

	private final CommandServer server;

	private final ObjectProvider<ResidentServer> resident;

	private int exitCode;

	QueuectlRunner(CommandDispatcher dispatcher, ObjectProvider<Repl> repl,
			@Value("${queuectl.mode:ONE_SHOT}") Mode mode, CommandServer server, ObjectProvider<ResidentServer> resident) {
		this.dispatcher = dispatcher;
		this.server = server;
		this.resident = resident;
		this.repl = repl;
		this.mode = mode;
	}

	@Override
	public void run(ApplicationArguments args) throws Exception {
		switch (this.mode) {
			case ONE_SHOT -> {
				if (args.getSourceArgs().length == 0) {
					// QueuectlApplication.run never starts ONE_SHOT without a command; a context started
					// another way (an in-process test) has nothing to run.
					return;
				}
				PrintWriter out = stdout();
				this.exitCode = this.dispatcher.execute(List.of(args.getSourceArgs()), out, Invocation.ofThisProcess());
			}
			case SCRIPT -> this.exitCode = runScript();
			case SERVER -> this.exitCode = this.resident.getObject().run();
			case REPL -> {
				this.server.start();
				try {
					this.repl.getObject().run();
				}
				finally {
					this.server.stop();
				}
			}
		}
	}

	/**
	 * Runs each line of standard input as a command; every {@code queuectl: ...} line a command
	 * prints on stderr says which line of the script it is about ({@code queuectl: line 3: ...}).
	 * Returns the exit code of the first line that failed.
	 */
	private int runScript() throws Exception {
		PrintWriter out = stdout();
		NumberedErrors numbered = new NumberedErrors(new PrintWriter(System.err, true));
		Invocation invocation = new Invocation(Invocation.ofThisProcess().workingDir(), System.in, new PrintWriter(numbered, true));
		int firstFailure = 0;
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		int lineNo = 0;
		for (String line; (line = in.readLine()) != null;) {
			lineNo++;
			numbered.line = lineNo;
			String trimmed = line.trim();
			if (trimmed.isEmpty() || trimmed.startsWith("#")) {
				continue;
			}
			if (trimmed.equals("exit") || trimmed.equals("quit")) {
				break;
			}
			List<String> words;
			try {
				words = LineTokenizer.split(trimmed);
			}
			catch (IllegalArgumentException ex) {
				invocation.err().println("queuectl: " + ex.getMessage());
				firstFailure = firstFailure == 0 ? 2 : firstFailure;
				continue;
			}
			// as one-shot and the REPL: --env NAME copies this process's value (issue 27)
			int code = this.dispatcher.execute(dev.queuectl.server.JobWords.fromEnvironment(words, System.getenv()), out,
					invocation);
			if (code != 0 && firstFailure == 0) {
				firstFailure = code;
			}
		}
		return firstFailure;
	}

	/** Puts {@code line N: } after the {@code queuectl: } that opens a line of stderr. */
	private static final class NumberedErrors extends Writer {

		private static final String PREFIX = "queuectl: ";

		private final PrintWriter to;

		/** The script's line whose command runs. */
		int line;

		/** The opening characters of the output line, while they may still be the prefix. */
		private final StringBuilder opening = new StringBuilder();

		/** Whether the rest of the current output line passes as it is. */
		private boolean passing;

		NumberedErrors(PrintWriter to) {
			this.to = to;
		}

		@Override
		public void write(char[] buf, int off, int len) {
			for (int i = off; i < off + len; i++) {
				char c = buf[i];
				if (this.passing) {
					this.to.write(c);
					this.passing = c != '\n';
					continue;
				}
				this.opening.append(c);
				if (this.opening.length() == PREFIX.length() && PREFIX.contentEquals(this.opening)) {
					this.to.write(PREFIX + "line " + this.line + ": ");
				}
				else if (PREFIX.startsWith(this.opening.toString()) && c != '\n') {
					continue; // may still be the prefix
				}
				else {
					this.to.write(this.opening.toString());
				}
				this.passing = c != '\n';
				this.opening.setLength(0);
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

	private static PrintWriter stdout() {
		return new PrintWriter(new OutputStreamWriter(
				new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), StandardCharsets.UTF_8));
	}

	@Override
	public int getExitCode() {
		return this.exitCode;
	}
}
