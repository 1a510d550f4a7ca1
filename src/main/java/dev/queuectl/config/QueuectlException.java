package dev.queuectl.config;

/**
 * A failure the user caused or can act on. It carries the process exit code and a one-line
 * message; the CLI prints the message without a stack trace.
 */
public class QueuectlException extends RuntimeException {

	/** Bad usage or bad input. */
	public static final int USAGE = 2;

	/** The named job does not exist. */
	public static final int NOT_FOUND = 3;

	/** Any other failure. */
	public static final int FAILURE = 1;

	private final int exitCode;

	public QueuectlException(int exitCode, String message) {
		super(message);
		this.exitCode = exitCode;
	}

	public int exitCode() {
		return this.exitCode;
	}

	public static QueuectlException usage(String message) {
		return new QueuectlException(USAGE, message);
	}

	/**
	 * Input that conflicts with what is stored: an id or a name taken, a job in a state the request
	 * does not apply to. Exit code 2 like any bad input; HTTP 409.
	 */
	public static QueuectlException conflict(String message) {
		return new Conflict(message);
	}

	/** See {@link #conflict}. */
	public static final class Conflict extends QueuectlException {

		Conflict(String message) {
			super(USAGE, message);
		}
	}

	/**
	 * A failure the command has already told the user about, line by line: only its exit code is
	 * left to give.
	 */
	public static final class Reported extends QueuectlException {

		public Reported(int exitCode) {
			super(exitCode, null);
		}
	}

	public static QueuectlException noSuchJob(String id) {
		return new QueuectlException(NOT_FOUND, "no such job: " + id);
	}
}
