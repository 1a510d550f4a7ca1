package dev.queuectl.web;

import java.time.Instant;
import java.util.List;

/**
 * The overview's chart: attempts completed and failed (failed, timed out or lost, whether retried
 * or not: a job that failed twice and then completed is 2 red and 1 green) per minute over the last hour, as a bar chart in SVG drawn here from numbers alone (nothing a user
 * wrote goes in, so nothing needs escaping) and shown as an image.
 */
final class ChartSvg {

	private static final int WIDTH = 720;

	private static final int HEIGHT = 200;

	private static final int LEFT = 40;

	private static final int BOTTOM = 20;

	private ChartSvg() {
	}

	/** {@code rows}: {@code [epoch minute, completed, failed, dead]}, the last 60 minutes to {@code now}. */
	static String perMinute(List<long[]> rows, Instant now) {
		long last = now.getEpochSecond() / 60;
		long[] completed = new long[60];
		long[] failed = new long[60];
		for (long[] r : rows) {
			int i = (int) (59 - (last - r[0]));
			if (i >= 0 && i < 60) {
				completed[i] += r[1];
				failed[i] += r[2]; // r[3], the jobs that died, ended with a failed attempt counted here
			}
		}
		long max = 1;
		for (int i = 0; i < 60; i++) {
			max = Math.max(max, Math.max(completed[i], failed[i]));
		}
		double slot = (WIDTH - LEFT) / 60.0;
		double plot = HEIGHT - BOTTOM - 10;
		StringBuilder svg = new StringBuilder();
		svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
			.append("\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
			.append("\" font-family=\"sans-serif\" font-size=\"11\">");
		svg.append("<title>Attempts completed and failed per minute, last hour</title>");
		svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(HEIGHT - BOTTOM).append("\" x2=\"").append(WIDTH)
			.append("\" y2=\"").append(HEIGHT - BOTTOM).append("\" stroke=\"#888\"/>");
		svg.append("<text x=\"").append(LEFT - 4).append("\" y=\"14\" text-anchor=\"end\">").append(max).append("</text>");
		svg.append("<text x=\"").append(LEFT - 4).append("\" y=\"").append(HEIGHT - BOTTOM).append("\" text-anchor=\"end\">0</text>");
		svg.append("<text x=\"").append(LEFT).append("\" y=\"").append(HEIGHT - 4).append("\">-60 min</text>");
		svg.append("<text x=\"").append(WIDTH).append("\" y=\"").append(HEIGHT - 4).append("\" text-anchor=\"end\">now</text>");
		for (int i = 0; i < 60; i++) {
			double x = LEFT + i * slot;
			bar(svg, x + 1, slot / 2 - 1, completed[i] * plot / max, "#2e9d4f", completed[i] + " completed");
			bar(svg, x + slot / 2, slot / 2 - 1, failed[i] * plot / max, "#d0453b", failed[i] + " failed");
		}
		svg.append("<rect x=\"").append(WIDTH - 170).append("\" y=\"4\" width=\"10\" height=\"10\" fill=\"#2e9d4f\"/>")
			.append("<text x=\"").append(WIDTH - 156).append("\" y=\"13\">completed</text>")
			.append("<rect x=\"").append(WIDTH - 90).append("\" y=\"4\" width=\"10\" height=\"10\" fill=\"#d0453b\"/>")
			.append("<text x=\"").append(WIDTH - 76).append("\" y=\"13\">failed</text>");
		return svg.append("</svg>").toString();
	}

	private static void bar(StringBuilder svg, double x, double w, double h, String color, String title) {
		if (h <= 0) {
			return;
		}
		svg.append(String.format(java.util.Locale.ROOT,
				"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s</title></rect>", x,
				HEIGHT - BOTTOM - h, w, Math.max(h, 1), color, title));
	}
}
