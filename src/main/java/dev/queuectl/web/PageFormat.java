package dev.queuectl.web;

import java.time.Instant;

import dev.queuectl.view.Render;

/** Values as pages show them, called from the templates (public: the expression language needs it). */
public final class PageFormat {

	/** A time as the CLI's tables show it, in UTC. */
	public String time(Instant instant) {
		return Render.time(instant);
	}

	/** An attempt's duration as the CLI's {@code show} gives it ({@code 6.8s}; a running one's time so far). */
	public String elapsed(dev.queuectl.job.JobRun run) {
		return Render.elapsed(run.durationMs()) + (run.outcome() == null && run.durationMs() != null ? " so far" : "");
	}
}
