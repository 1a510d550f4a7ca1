package dev.queuectl.web;

import java.time.Instant;

import dev.queuectl.view.Render;

/** Values as pages show them, called from the templates (public: the expression language needs it). */
public final class PageFormat {

	/** A time as the CLI's tables show it, in UTC. */
	public String time(Instant instant) {
		return Render.time(instant);
	}

	/** An instant for a {@code <time datetime>} (layout.html's fragment {@code at}). */
	public String iso(Instant instant) {
		return Render.iso(instant);
	}

	/**
	 * An instant relative to now as a page first shows it, {@code 3m12s ago} or {@code in 4m}
	 * (issue 29); app.js's times() writes the same every 5 s, and the absolute time in the
	 * browser's zone as the title.
	 */
	public String ago(Instant instant) {
		if (instant == null) {
			return "-";
		}
		long ms = instant.toEpochMilli() - System.currentTimeMillis();
		long s = Math.abs(ms) / 1000;
		return s < 1 ? "now" : ms < 0 ? span(s) + " ago" : "in " + span(s);
	}

	/** Seconds as app.js's span() writes them: 45s, 4m12s, 3h5m, 2d4h. */
	static String span(long s) {
		if (s < 60) {
			return s + "s";
		}
		if (s < 3600) {
			return s / 60 + "m" + (s % 60 > 0 ? s % 60 + "s" : "");
		}
		if (s < 86400) {
			return s / 3600 + "h" + (s % 3600 / 60 > 0 ? s % 3600 / 60 + "m" : "");
		}
		return s / 86400 + "d" + (s % 86400 / 3600 > 0 ? s % 86400 / 3600 + "h" : "");
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
