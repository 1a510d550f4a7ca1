package dev.queuectl.store;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

import dev.queuectl.config.QueuectlException;

/**
 * A PostgreSQL database given as {@code postgresql://user[:password]@host[:port]/db[?params]} (libpq's
 * form, as psql takes it) or {@code jdbc:postgresql://host[:port]/db[?user=...&params]} (pgjdbc's).
 * The password comes from the URL, else {@code PGPASSWORD}, else pgjdbc reads {@code ~/.pgpass}
 * (or {@code PGPASSFILE}) itself, as psql users expect. It is never shown: {@link #display()} and
 * {@link #toString()} leave it out, and so does the key of the database's local folder
 * ({@link #dir}), so that the same database reached with another password keeps its folder.
 */
public record PostgresUrl(String jdbcUrl, String user, String password, String display, Path dir) {

	/** Whether the configured database is a PostgreSQL URL rather than an SQLite path. */
	static boolean isUrl(String configured) {
		return configured.startsWith("postgresql://") || configured.startsWith("postgres://")
				|| configured.startsWith("jdbc:postgresql:");
	}

	/** Parses a URL; {@code dataHome} is queuectl's data folder, under which each database has its own. */
	static PostgresUrl parse(String url, Path dataHome) {
		String rest;
		String user = null;
		String password = null;
		if (url.startsWith("jdbc:postgresql:")) {
			rest = url.substring("jdbc:postgresql:".length());
			if (!rest.startsWith("//")) {
				throw bad(url, "expected jdbc:postgresql://host[:port]/database");
			}
			rest = rest.substring(2);
		}
		else {
			rest = url.substring(url.indexOf("://") + 3);
			int at = rest.lastIndexOf('@', rest.indexOf('/') < 0 ? rest.length() : rest.indexOf('/'));
			if (at >= 0) {
				String userInfo = rest.substring(0, at);
				rest = rest.substring(at + 1);
				int colon = userInfo.indexOf(':');
				user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
				password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
			}
		}
		String query = "";
		int q = rest.indexOf('?');
		if (q >= 0) {
			query = rest.substring(q + 1);
			rest = rest.substring(0, q);
		}
		int slash = rest.indexOf('/');
		String hostPort = slash < 0 ? rest : rest.substring(0, slash);
		String database = slash < 0 ? "" : decode(rest.substring(slash + 1));
		if (hostPort.isEmpty()) {
			hostPort = "localhost";
		}
		if (hostPort.lastIndexOf(':') < 0 || hostPort.endsWith("]")) {
			hostPort = hostPort + ":5432";
		}
		if (database.isEmpty()) {
			throw bad(url, "it names no database (postgresql://user@host:5432/DATABASE)");
		}
		List<String> params = new ArrayList<>();
		for (String param : query.split("&")) {
			if (param.isEmpty()) {
				continue;
			}
			int eq = param.indexOf('=');
			String key = eq < 0 ? param : param.substring(0, eq);
			String value = eq < 0 ? "" : decode(param.substring(eq + 1));
			if (key.equals("user")) {
				user = value;
			}
			else if (key.equals("password")) {
				password = value;
			}
			else {
				params.add(param);
			}
		}
		if (user == null || user.isEmpty()) {
			String env = System.getenv("PGUSER");
			user = env != null && !env.isBlank() ? env : System.getProperty("user.name");
		}
		if (password == null) {
			String env = System.getenv("PGPASSWORD");
			password = env == null || env.isEmpty() ? null : env;
		}
		String others = params.isEmpty() ? "" : "?" + String.join("&", params);
		String jdbcUrl = "jdbc:postgresql://" + hostPort + "/" + encode(database) + others;
		String display = "postgresql://" + encode(user) + "@" + hostPort + "/" + encode(database) + others;
		return new PostgresUrl(jdbcUrl, user, password, display, dataHome.resolve("pg-" + hash(display)));
	}

	/** {@code host:port} as the URL gave them (the port 5432 when it gave none), for messages. */
	public String hostPort() {
		String rest = this.jdbcUrl.substring("jdbc:postgresql://".length());
		return rest.substring(0, rest.indexOf('/'));
	}

	@Override
	public String toString() {
		return this.display;
	}

	private static QueuectlException bad(String url, String why) {
		return new QueuectlException(QueuectlException.USAGE, "the PostgreSQL URL " + withoutPassword(url) + " is not valid: " + why);
	}

	/** The URL as given with any password replaced, for messages. */
	static String withoutPassword(String url) {
		String shown = url.replaceAll("(://[^:/@]*):[^@/]*@", "$1:***@");
		return shown.replaceAll("([?&]password=)[^&]*", "$1***");
	}

	private static String hash(String text) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
			StringBuilder hex = new StringBuilder();
			for (int i = 0; i < 8; i++) {
				hex.append(String.format("%02x", digest[i]));
			}
			return hex.toString();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** %XX escapes decoded ('+' stays a plus, as in libpq's URLs). */
	private static String decode(String s) {
		if (s.indexOf('%') < 0) {
			return s;
		}
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
		for (int i = 0; i < bytes.length; i++) {
			if (bytes[i] == '%' && i + 2 < bytes.length) {
				out.write(Integer.parseInt(new String(bytes, i + 1, 2, StandardCharsets.US_ASCII), 16));
				i += 2;
			}
			else {
				out.write(bytes[i]);
			}
		}
		return out.toString(StandardCharsets.UTF_8);
	}

	private static String encode(String s) {
		StringBuilder sb = new StringBuilder();
		for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
			char c = (char) (b & 0xff);
			if (Character.isLetterOrDigit(c) && c < 128 || "-._~".indexOf(c) >= 0) {
				sb.append(c);
			}
			else {
				sb.append('%').append(String.format("%02X", b & 0xff));
			}
		}
		return sb.toString();
	}
}
