package dev.queuectl.web;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.config.OptionWords;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;

/**
 * What {@code dashboard} was asked for, checked before Spring or a web server starts (a bad option
 * binds no port): {@code --port P} (default {@value #DEFAULT_PORT}, 0 picks a free one), {@code --bind
 * ADDR} (default 127.0.0.1), {@code --open}, {@code --url} (print a login link for the servers
 * running: starts none), {@code --help}.
 */
public record DashboardOptions(int port, String bind, boolean open, boolean url, boolean help) {

	public static final int DEFAULT_PORT = 8470;

	public static DashboardOptions parse(List<String> args) {
		int[] port = { DEFAULT_PORT };
		String[] bind = { "127.0.0.1" };
		boolean[] open = { false };
		boolean[] url = { false };
		boolean[] help = { false };
		OptionWords.parse(args, "dashboard", Set.of("--help", "-h", "--open", "--url"), Set.of("--port", "--bind"), (name, value) -> {
			switch (name) {
				case "--open" -> open[0] = value.equals("true");
				case "--url" -> url[0] = value.equals("true");
				case "--port" -> {
					if (!value.matches("[0-9]{1,5}") || Integer.parseInt(value) > 65535) {
						throw QueuectlException.usage("--port must be a port number from 0 to 65535, got '" + value + "'");
					}
					port[0] = Integer.parseInt(value);
				}
				case "--bind" -> bind[0] = address(value);
				default -> help[0] = value.equals("true");
			}
		});
		return new DashboardOptions(port[0], bind[0], open[0], url[0], help[0]);
	}

	/** An IP address (never a name to look up: what is bound is what the user typed). */
	private static String address(String value) {
		if (!value.matches("[0-9.]{7,15}|\\[?[0-9A-Fa-f:.]{2,45}\\]?")) {
			throw QueuectlException.usage("--bind needs an IP address such as 127.0.0.1 or 0.0.0.0, got '" + value + "'");
		}
		String plain = value.startsWith("[") && value.endsWith("]") ? value.substring(1, value.length() - 1) : value;
		try {
			return InetAddress.getByName(plain).getHostAddress();
		}
		catch (UnknownHostException ex) {
			throw QueuectlException.usage("--bind needs an IP address such as 127.0.0.1 or 0.0.0.0, got '" + value + "'");
		}
	}
}
