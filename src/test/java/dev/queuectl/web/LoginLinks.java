package dev.queuectl.web;

import java.util.List;

import dev.queuectl.store.DatabaseLocation;

/**
 * What {@code dashboard --url} prints, made in the test's own JVM by the class the command uses
 * ({@link WebToken}: the servers running on the database, each with a fresh one-time login link),
 * for a process test that needs a logged-in browser but does not test the command: no JVM start
 * (~1.4 s of CPU) per login. The token is the database's file, as the command's without
 * {@code queuectl.web.token}; WebDoorIT and DashboardIT run the command itself.
 */
public final class LoginLinks {

	private LoginLinks() {
	}

	/** A login link for each dashboard or worker host serving HTTP on the database now. */
	public static List<String> of(DatabaseLocation location) {
		WebToken token = new WebToken("", location);
		return token.running().stream().map(server -> server.loginLink(token)).toList();
	}
}
