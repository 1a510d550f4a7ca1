package dev.queuectl.server;

import java.io.PrintWriter;
import java.util.List;

/**
 * What a command server hands each request to: the words of one command, where its results go, and
 * who asked ({@link Invocation}). The CLI's dispatcher implements it, so the socket code runs the
 * same commands as a one-shot run without knowing any of them: {@code server} never imports {@code cli}.
 */
public interface Commands {

	/** Runs one command and returns its exit code; errors go to the invocation's error stream. */
	int execute(List<String> words, PrintWriter out, Invocation invocation);
}
