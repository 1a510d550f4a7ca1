package dev.queuectl.web;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

import dev.queuectl.OwnerOnly;
import dev.queuectl.QueuectlException;
import dev.queuectl.store.DatabaseLocation;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.stereotype.Component;

/**
 * Who may use the dashboard and the HTTP API, decided once at start. On loopback (the default) the
 * machine's own users may, through a Host header naming loopback (so a web page cannot reach it by
 * DNS rebinding); on any other address ({@code dashboard --bind}) only holders of the access token:
 * {@code queuectl.web.token} from application.yml, or else the owner-only file {@code web-token} in
 * the data directory, made on first use. Every state-changing request also needs this process's
 * CSRF token, which pages carry and a cross-origin page cannot read.
 */
@Component
@ConditionalOnWebApplication
public class WebAccess {

	/** The file holding the access token, beside the database. */
	public static final String TOKEN_FILE = "web-token";

	static final String CSRF_HEADER = "X-Queuectl-Csrf";

	static final String CSRF_FIELD = "_csrf";

	static final String COOKIE = "queuectl_token";

	private final boolean loopback;

	private final String bind;

	private final byte[] token;

	private final String csrf;

	private final Path tokenFile;

	WebAccess(@Value("${server.address:127.0.0.1}") String bind, @Value("${queuectl.web.token:}") String configured,
			DatabaseLocation location) {
		this.bind = bind;
		this.loopback = isLoopback(bind);
		this.csrf = random();
		if (this.loopback) {
			this.token = null;
			this.tokenFile = null;
			return;
		}
		if (!configured.isEmpty()) {
			if (configured.length() < 16) {
				throw QueuectlException.usage("queuectl.web.token must be at least 16 characters: refusing to serve on "
						+ bind + " with a guessable token");
			}
			this.token = configured.getBytes(StandardCharsets.UTF_8);
			this.tokenFile = null;
			return;
		}
		this.tokenFile = location.dataDir().resolve(TOKEN_FILE);
		this.token = readOrCreate(this.tokenFile, bind).getBytes(StandardCharsets.UTF_8);
	}

	private static String readOrCreate(Path file, String bind) {
		try {
			if (!Files.exists(file)) {
				OwnerOnly.createDirectories(file.getParent());
				OwnerOnly.createFile(file);
				Files.writeString(file, random() + "\n");
			}
			Set<PosixFilePermission> modes = Files.getPosixFilePermissions(file);
			if (!modes.equals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE))
					&& !modes.equals(Set.of(PosixFilePermission.OWNER_READ))) {
				throw QueuectlException.usage(file + " may be read by others (chmod 600 it): refusing to serve on " + bind);
			}
			String value = Files.readString(file).strip();
			if (value.length() < 16) {
				throw QueuectlException.usage(file + " holds no token of 16 characters or more: refusing to serve on " + bind);
			}
			return value;
		}
		catch (IOException ex) {
			throw new QueuectlException(QueuectlException.FAILURE, "cannot read or create the access token " + file
					+ ": refusing to serve on " + bind + " without one");
		}
	}

	static boolean isLoopback(String address) {
		try {
			return InetAddress.getByName(address).isLoopbackAddress();
		}
		catch (UnknownHostException ex) {
			return false;
		}
	}

	private static String random() {
		byte[] b = new byte[24];
		new SecureRandom().nextBytes(b);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
	}

	/** Whether only holders of the access token get in (served on a non-loopback address). */
	public boolean tokenRequired() {
		return this.token != null;
	}

	/** Where the access token is kept, when it is a file (else null). */
	public Path tokenFile() {
		return this.tokenFile;
	}

	String bind() {
		return this.bind;
	}

	boolean loopback() {
		return this.loopback;
	}

	String csrf() {
		return this.csrf;
	}

	boolean csrfMatches(String given) {
		return given != null && MessageDigest.isEqual(this.csrf.getBytes(StandardCharsets.UTF_8),
				given.getBytes(StandardCharsets.UTF_8));
	}

	boolean tokenMatches(String given) {
		return given != null && this.token != null
				&& MessageDigest.isEqual(this.token, given.getBytes(StandardCharsets.UTF_8));
	}
}
