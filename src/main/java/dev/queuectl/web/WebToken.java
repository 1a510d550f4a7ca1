package dev.queuectl.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.queuectl.config.OwnerOnly;
import dev.queuectl.config.QueuectlException;
import dev.queuectl.store.DatabaseLocation;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The access token of a database's HTTP servers and the one-time login codes made from it. The
 * token is {@code queuectl.web.token} from application.yml, or else the owner-only file
 * {@value #FILE} beside the database, made on first use; whoever can read it is the owner.
 * <p>
 * A login code is {@code TIME.NONCE.MAC}: the second it was made, 12 random bytes, and an
 * HMAC-SHA256 keyed by the token over the server's port, the time and the nonce. So any process of
 * the owner ({@code dashboard --url}, run apart from the server) can make one that a running server
 * accepts without talking to it, nobody without the token can, and a code for one port is no use on
 * another. The server takes a code for {@value #CODE_SECONDS} seconds and once: it remembers the
 * nonces it took until they expire (WebAccess). The running servers are found through the
 * owner-only folder {@value #SERVERS} beside the database, one file per process naming its URL.
 */
@Component
public class WebToken {

	/** The file holding the access token, beside the database. */
	public static final String FILE = "web-token";

	/** The folder where each serving process writes its URL (a file named after its pid). */
	static final String SERVERS = "http-servers";

	/** How long a login code may be used. */
	static final long CODE_SECONDS = 120;

	private final String configured;

	private final DatabaseLocation location;

	private final Clock clock;

	private volatile byte[] token;

	@Autowired
	WebToken(@Value("${queuectl.web.token:}") String configured, DatabaseLocation location) {
		this(configured, location, Clock.systemUTC());
	}

	WebToken(String configured, DatabaseLocation location, Clock clock) {
		this.configured = configured;
		this.location = location;
		this.clock = clock;
	}

	/** Where the token is kept, when it is the file (else null: application.yml names it). */
	public Path file() {
		return this.configured.isEmpty() ? this.location.dataDir().resolve(FILE) : null;
	}

	/** The token, read or made on first use; a usage error when it is weak or others may read its file. */
	public String value() {
		return new String(bytes(), StandardCharsets.UTF_8);
	}

	byte[] bytes() {
		byte[] t = this.token;
		if (t == null) {
			t = this.configured.isEmpty() ? readOrCreate(file()) : checked(this.configured);
			this.token = t;
		}
		return t;
	}

	private static byte[] checked(String configured) {
		if (configured.length() < 16) {
			throw QueuectlException.usage("queuectl.web.token must be at least 16 characters: refusing a guessable token");
		}
		return configured.getBytes(StandardCharsets.UTF_8);
	}

	private static byte[] readOrCreate(Path file) {
		try {
			if (!Files.exists(file)) {
				OwnerOnly.createDirectories(file.getParent());
				try {
					OwnerOnly.createFile(file);
					Files.writeString(file, random(24) + "\n");
				}
				catch (java.nio.file.FileAlreadyExistsException ex) {
					// another process made it first: read theirs
				}
			}
			Set<PosixFilePermission> modes = Files.getPosixFilePermissions(file);
			if (!modes.equals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE))
					&& !modes.equals(Set.of(PosixFilePermission.OWNER_READ))) {
				throw QueuectlException.usage(file + " may be read by others (chmod 600 it): refusing to use it");
			}
			String value = Files.readString(file).strip();
			if (value.length() < 16) {
				throw QueuectlException.usage(file + " holds no token of 16 characters or more: refusing to use it");
			}
			return value.getBytes(StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new QueuectlException(QueuectlException.FAILURE, "cannot read or create the access token " + file);
		}
	}

	static String random(int bytes) {
		byte[] b = new byte[bytes];
		new SecureRandom().nextBytes(b);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
	}

	boolean matches(String given) {
		return given != null && MessageDigest.isEqual(bytes(), given.getBytes(StandardCharsets.UTF_8));
	}

	/** A fresh one-time login code for the server on {@code port}. */
	public String loginCode(int port) {
		long now = this.clock.millis() / 1000;
		String nonce = random(12);
		return now + "." + nonce + "." + mac(port, now, nonce);
	}

	/**
	 * The nonce of {@code code} when it is a code for {@code port} made less than
	 * {@value #CODE_SECONDS} seconds ago with this token; else null. (Whether it was used is the
	 * server's to remember.)
	 */
	String validNonce(String code, int port) {
		if (code == null || code.length() > 200) {
			return null;
		}
		String[] parts = code.split("\\.", -1);
		if (parts.length != 3 || !parts[0].matches("[0-9]{1,12}")) {
			return null;
		}
		long made = Long.parseLong(parts[0]);
		long now = this.clock.millis() / 1000;
		if (made > now + 5 || now - made > CODE_SECONDS) {
			return null;
		}
		byte[] expected = mac(port, made, parts[1]).getBytes(StandardCharsets.UTF_8);
		return MessageDigest.isEqual(expected, parts[2].getBytes(StandardCharsets.UTF_8)) ? parts[1] : null;
	}

	private String mac(int port, long time, String nonce) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(bytes(), "HmacSHA256"));
			byte[] sum = mac.doFinal(("queuectl-login:" + port + ":" + time + ":" + nonce).getBytes(StandardCharsets.UTF_8));
			return Base64.getUrlEncoder().withoutPadding().encodeToString(sum);
		}
		catch (NoSuchAlgorithmException | InvalidKeyException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The folder of running servers' URLs. */
	Path serversDir() {
		return this.location.dataDir().resolve(SERVERS);
	}

	/**
	 * The base URLs ("http://127.0.0.1:PORT/") of the processes serving HTTP on this database now,
	 * each with its port; files of processes gone are removed.
	 */
	public List<Server> running() {
		List<Server> found = new ArrayList<>();
		Path dir = serversDir();
		if (!Files.isDirectory(dir)) {
			return found;
		}
		try (var files = Files.list(dir)) {
			for (Path f : files.sorted().toList()) {
				String name = f.getFileName().toString();
				if (!name.matches("[0-9]{1,10}")) {
					continue;
				}
				if (ProcessHandle.of(Long.parseLong(name)).isEmpty()) {
					Files.deleteIfExists(f);
					continue;
				}
				String url = Files.readString(f).strip();
				int colon = url.lastIndexOf(':');
				if (url.startsWith("http://") && url.endsWith("/") && colon > 6) {
					String port = url.substring(colon + 1, url.length() - 1);
					if (port.matches("[0-9]{1,5}")) {
						found.add(new Server(url, Integer.parseInt(port)));
					}
				}
			}
		}
		catch (IOException ex) {
			throw new QueuectlException(QueuectlException.FAILURE, "cannot read " + dir + ": " + ex.getMessage());
		}
		return found;
	}

	/** A running server: its base URL and port. */
	public record Server(String url, int port) {

		/** Its login link with a fresh one-time code. */
		public String loginLink(WebToken token) {
			return this.url + "login?code=" + token.loginCode(this.port);
		}
	}
}
