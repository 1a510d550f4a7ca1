package dev.queuectl.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

import dev.queuectl.server.Invocation;
import dev.queuectl.config.Durations;

/**
 * A long command's progress on stderr ({@code wait}, a large {@code enqueue --file}): on a
 * terminal one line redrawn in place with done/total, the rate and an ETA; elsewhere a plain line
 * when the count changed, at most every 5 s. Only for a command run in this process: a served
 * command's stderr is a socket, so it gets plain lines.
 */
final class ProgressLine {

	private final PrintWriter err;

	private final String label;

	private final String verb;

	private final boolean terminal = System.console() != null && Invocation.current().stdin() == System.in;

	private final long startNanos = System.nanoTime();

	private long lastShown = -1;

	private long lastNanos;

	private boolean drawn;

	/** More to say at the end of the line (wait for one job: the job's own progress, issue 27). */
	private java.util.function.Supplier<String> detail = () -> "";

	private String lastDetail = "";

	ProgressLine(PrintWriter err, String label, String verb) {
		this.err = err;
		this.label = label;
		this.verb = verb;
	}

	/** Adds {@code detail} at the end of every line (read at each line). */
	ProgressLine withDetail(java.util.function.Supplier<String> detail) {
		this.detail = detail;
		return this;
	}

	boolean terminal() {
		return this.terminal;
	}

	/** Shows {@code done} of {@code total}; {@code jobs} finished so far make the rate. */
	void show(long done, long total, long jobs) {
		long now = System.nanoTime();
		String more = this.detail.get();
		if (done == this.lastShown && more.equals(this.lastDetail) || (!this.terminal && this.lastShown >= 0 && now - this.lastNanos < 5_000_000_000L)) {
			return;
		}
		this.lastShown = done;
		this.lastDetail = more;
		this.lastNanos = now;
		double seconds = (now - this.startNanos) / 1e9;
		double rate = seconds > 0.5 ? jobs / seconds : 0;
		double share = total > 0 ? (double) done / total : 0;
		String eta = share > 0 && done < total && seconds > 0.5
				? ", ETA " + Durations.format(Duration.ofSeconds((long) (seconds / share - seconds) + 1)) : "";
		String line = this.label + ": " + done + "/" + total + " " + this.verb
				+ (rate > 0 ? String.format(Locale.ROOT, ", %.0f jobs/s", rate) : "") + eta + more;
		if (this.terminal) {
			this.err.print("\r" + line + "\033[K");
			this.drawn = true;
		}
		else {
			this.err.println(line);
		}
		this.err.flush();
	}

	/** Ends a line drawn in place, so what follows starts on a line of its own. */
	void end() {
		if (this.drawn) {
			this.err.print("\r\033[K");
			this.err.flush();
		}
	}
}
