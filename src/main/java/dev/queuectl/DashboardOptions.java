package dev.queuectl;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * What {@code dashboard} was asked for, checked before Spring or a web server starts (a bad option
 * binds no port): {@code --port P} (default {@value #DEFAULT_PORT}, 0 picks a free one), {@code --bind
 * ADDR} (default 127.0.0.1; another address needs the access token), {@code --open}, {@code --help}.
 */
public record DashboardOptions(int port, String bind, boolean open, boolean help) {

	public static final int DEFAULT_PORT = 8470;

	public static DashboardOptions parse(List<String> args) {
		int port = DEFAULT_PORT;
		String bind = "127.0.0.1";
		boolean open = false;
		boolean help = false;
		for (int i = 0; i < args.size(); i++) {
			String word = args.get(i);
			String name = word;
			String value = null;
			int eq = word.indexOf('=');
			if (word.startsWith("--") && eq > 0) {
				name = word.substring(0, eq);
				value = word.substring(eq + 1);
			}
			switch (name) {
				case "--help", "-h" -> help = true;
				case "--open" -> {
					if (value != null && !value.equals("true") && !value.equals("false")) {
						throw QueuectlException.usage("option --open expects true or false, got '" + value + "'");
					}
					open = value == null || value.equals("true");
				}
				case "--port", "--bind" -> {
					if (value == null) {
						if (i + 1 >= args.size()) {
							throw QueuectlException.usage("option " + name + " needs a value");
						}
						value = args.get(++i);
					}
					if (name.equals("--port")) {
						if (!value.matches("[0-9]{1,5}") || Integer.parseInt(value) > 65535) {
							throw QueuectlException.usage("--port must be a port number from 0 to 65535, got '" + value + "'");
						}
						port = Integer.parseInt(value);
					}
					else {
						bind = address(value);
					}
				}
				default -> {
					if (word.startsWith("-")) {
						throw QueuectlException.usage("unknown option '" + name + "' for 'dashboard' (try 'queuectl help dashboard')");
					}
					throw QueuectlException.usage("'dashboard' takes no argument, got '" + word + "'");
				}
			}
		}
		return new DashboardOptions(port, bind, open, help);
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
