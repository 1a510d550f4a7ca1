package dev.queuectl.cli;

import java.io.PrintWriter;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.queuectl.server.Commands;
import dev.queuectl.server.Invocation;
import dev.queuectl.config.QueuectlException;
import dev.queuectl.store.DatabaseLocation;
import dev.queuectl.store.StorageErrors;
import org.springframework.core.convert.ConversionException;
import org.springframework.shell.core.ParameterValidationException;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.core.command.ExitStatus;
import org.springframework.shell.core.InputReader;
import org.springframework.stereotype.Component;

/**
 * Runs one command given as words and turns its outcome into an exit code: the one path by which
 * a one-shot run, a piped script and a served client all reach the commands. Results go to the
 * {@code out} writer; errors are one line on the invocation's error stream.
 */
@Component
public class CommandDispatcher implements Commands {

	private static final Logger log = LoggerFactory.getLogger(CommandDispatcher.class);

	private final CommandRegistry registry;

	private final HelpCommand help;

	private final boolean debug;

	private final DatabaseLocation location;

	CommandDispatcher(CommandRegistry registry, HelpCommand help,
			@org.springframework.beans.factory.annotation.Value("${queuectl.debug:false}") boolean debug,
			DatabaseLocation location) {
		this.registry = registry;
		this.help = help;
		this.debug = debug;
		this.location = location;
	}

	@Override
	public int execute(List<String> words, PrintWriter out, Invocation invocation) {
		return invocation.run(() -> {
			try {
				return executeOrThrow(words, out);
			}
			catch (Exception ex) {
				return report(ex, invocation.err());
			}
			finally {
				out.flush();
				invocation.err().flush();
			}
		});
	}

	private int executeOrThrow(List<String> words, PrintWriter out) throws Exception {
		ArgvParser.Parsed parsed = ArgvParser.parse(words, this.registry);
		if (parsed.helpRequested()) {
			out.print(this.help.describe(parsed.command()));
			return 0;
		}
		CommandContext context = new CommandContext(parsed.input(), this.registry, out, new InputReader() {
		});
		ExitStatus status = parsed.command().execute(context);
		return status.code() == 0 ? 0 : QueuectlException.FAILURE;
	}

	private int report(Throwable ex, PrintWriter err) {
		Throwable cause = ex;
		while (cause.getCause() != null && !(cause instanceof QueuectlException)) {
			cause = cause.getCause();
		}
		int code;
		String message;
		if (cause instanceof QueuectlException.Reported r) {
			return r.exitCode();
		}
		String storage = cause instanceof QueuectlException ? null : StorageErrors.describeAt(ex, this.location);
		if (storage != null) {
			code = QueuectlException.FAILURE;
			message = storage;
			log.debug("command failed", ex);
		}
		else if (cause instanceof QueuectlException q) {
			code = q.exitCode();
			message = q.getMessage();
		}
		else if (cause instanceof IllegalArgumentException || cause instanceof ConversionException
				|| cause instanceof ParameterValidationException) {
			code = QueuectlException.USAGE;
			message = cause.getMessage();
		}
		else {
			code = QueuectlException.FAILURE;
			// a failure nobody worded: its own words, never the class that threw it (--debug shows that)
			message = cause.getMessage() == null || cause.getMessage().isBlank()
					? "unexpected failure (--debug shows where)" : "failed: " + cause.getMessage();
			log.debug("command failed", ex);
		}
		err.println("queuectl: " + oneLine(message));
		if (this.debug) {
			ex.printStackTrace(err);
		}
		return code;
	}

	/**
	 * The message as one printable line: it may quote user text, which can hold newlines or other
	 * control characters (escaped here as {@code \\uXXXX}).
	 */
	static String oneLine(String message) {
		if (message == null) {
			return "failed";
		}
		StringBuilder b = new StringBuilder(message.length());
		for (int i = 0; i < message.length(); i++) {
			char c = message.charAt(i);
			if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c)
					&& !(Character.isHighSurrogate(c) && i + 1 < message.length() && Character.isLowSurrogate(message.charAt(i + 1)))
					&& !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(message.charAt(i - 1)))) {
				b.append(String.format("\\u%04x", (int) c));
			}
			else {
				b.append(c);
			}
		}
		return b.toString();
	}
}
