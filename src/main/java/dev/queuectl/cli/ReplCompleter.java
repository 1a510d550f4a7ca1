package dev.queuectl.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.util.List;

import org.jline.builtins.Completers;
import org.jline.reader.Candidate;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

import dev.queuectl.server.Invocation;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.jline.CommandCompleter;

/**
 * Tab in the REPL: what the bash, zsh and fish completions offer, by the same rule
 * ({@link CommandModel#complete}): commands and sub-commands, a command's options, the values of an
 * option (states, queues, files) and a command's arguments (config keys, job ids, schedules).
 * Where a script asks a running queuectl for job ids, queues or schedules, the REPL runs the same
 * command itself and takes the same first column. Spring Shell's completer, which it replaces,
 * completed command names and options only.
 */
class ReplCompleter extends CommandCompleter {

	private final CommandRegistry registry;

	private final ObjectProvider<CommandDispatcher> dispatcher;

	private CommandModel model;

	ReplCompleter(CommandRegistry registry, ObjectProvider<CommandDispatcher> dispatcher) {
		super(registry);
		this.registry = registry;
		this.dispatcher = dispatcher;
	}

	@Override
	public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
		List<String> before = line.words().subList(0, line.wordIndex());
		String word = line.word().substring(0, line.wordCursor());
		CommandModel.Values values = model().complete(before, word.startsWith("-"));
		if (values.files()) {
			new Completers.FileNameCompleter().complete(reader, line, candidates);
			return;
		}
		for (String value : candidates(before, word, values)) {
			candidates.add(new Candidate(value, value, null, null, null, null, true));
		}
	}

	/** The words Tab offers after {@code before} for a word that starts so (file names aside). */
	List<String> candidates(List<String> before, String word) {
		return candidates(before, word, model().complete(before, word.startsWith("-")));
	}

	private List<String> candidates(List<String> before, String word, CommandModel.Values values) {
		List<String> all = new java.util.ArrayList<>();
		if (before.isEmpty() && !word.startsWith("-")) {
			all.addAll(Repl.BUILT_INS.keySet());
		}
		all.addAll(values.words());
		if (values.served() != null) {
			all.addAll(CommandModel.Values.firstColumn(served(values.served())));
		}
		return all.stream().filter(w -> w.startsWith(word)).distinct().toList();
	}

	/** What the command prints here, errors dropped (a completion says nothing). */
	private String served(String command) {
		StringWriter out = new StringWriter();
		PrintWriter none = new PrintWriter(Writer.nullWriter());
		Invocation invocation = new Invocation(java.nio.file.Path.of(System.getProperty("user.dir")),
				java.io.InputStream.nullInputStream(), none);
		int code = this.dispatcher.getObject().execute(LineTokenizer.split(command), new PrintWriter(out), invocation);
		return code == 0 ? out.toString() : "";
	}

	private CommandModel model() {
		if (this.model == null) {
			this.model = CommandModel.of(this.registry);
		}
		return this.model;
	}
}
