package dev.queuectl.server;

/** How this process was asked to run. */
public enum Mode {

	/** {@code queuectl COMMAND ...}: run one command and exit with its code. */
	ONE_SHOT,

	/** {@code queuectl < script}: run each line of standard input as a command. */
	SCRIPT,

	/** {@code queuectl} on a terminal: the interactive {@code queuectl>} shell. */
	REPL,

	/** {@code queuectl server run}: the resident command server ({@link ResidentServer}). */
	SERVER
}
