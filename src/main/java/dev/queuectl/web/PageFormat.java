package dev.queuectl.web;

import java.time.Instant;

import dev.queuectl.view.Render;

/** Values as pages show them, called from the templates (public: the expression language needs it). */
public final class PageFormat {

	/** A time as the CLI's tables show it, in UTC. */
	public String time(Instant instant) {
		return Render.time(instant);
	}
}
