package dev.queuectl.web;

import java.time.Instant;

import dev.queuectl.view.Render;

/** Values as pages show them, called from the templates (public: the expression language needs it). */
public final class PageFormat {

	/** A time as the CLI's tables show it, in UTC. */
	public String time(Instant instant) {
		return Render.time(instant);
	}

	/**
	 * A running job's time left at the pace of its progress so far (issue 27), like "ETA 2m10s";
	 * "" without a pace yet. The page's script counts it again at each refresh (app.js, eta()).
	 */
	public String eta(dev.queuectl.job.Job job) {
		dev.queuectl.job.Progress p = job.progress();
		if (p == null || job.startedAt() == null || p.done() <= 0 || p.done() >= p.total()
				|| job.state() != dev.queuectl.job.JobState.PROCESSING || !p.at().isAfter(job.startedAt())) {
			return "";
		}
		long spent = p.at().toEpochMilli() - job.startedAt().toEpochMilli();
		double left = spent * (double) (p.total() - p.done()) / p.done();
		return "ETA " + etaText((long) Math.ceil(left / 1000));
	}

	/** Seconds as app.js's eta() writes them: {@code 1h2m}, {@code 34m45s}, {@code 7s} (Durations.format would say 2085s). */
	static String etaText(long seconds) {
		long h = seconds / 3600;
		long m = seconds % 3600 / 60;
		long s = seconds % 60;
		return (h > 0 ? h + "h" : "") + (m > 0 ? m + "m" : "") + (s > 0 || (h == 0 && m == 0) ? s + "s" : "");
	}

	/** An attempt's duration as the CLI's {@code show} gives it ({@code 6.8s}; a running one's time so far). */
	public String elapsed(dev.queuectl.job.JobRun run) {
		return Render.elapsed(run.durationMs()) + (run.outcome() == null && run.durationMs() != null ? " so far" : "");
	}
}
