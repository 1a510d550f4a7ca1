package dev.queuectl.web;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.queuectl.config.OwnerOnly;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Who may use the dashboard and the HTTP API: holders of the access token ({@link WebToken}), on
 * loopback too, since every local user can reach loopback. A client shows it as {@code
 * Authorization: Bearer TOKEN}, or a browser holds a session cookie that a one-time login link
 * ({@code /login?code=...}, made by {@code queuectl dashboard}) or the login form (the token
 * itself) set. The cookie is never the token: it is a random session id this process keeps in
 * memory for {@value #SESSION_HOURS} hours (at most {@value #MAX_SESSIONS}, the oldest dropped
 * first), so it dies with the process. A login code is taken once: its nonce is remembered until
 * the code would have expired anyway. On loopback the Host header must name loopback too (no DNS
 * rebinding), and every state-changing request with a cookie needs this process's CSRF token.
 * Decided once at start: a token that is weak, or whose file others may read, stops the start.
 */
@Component
@ConditionalOnWebApplication
public class WebAccess {

	/** The file holding the access token, beside the database. */
	public static final String TOKEN_FILE = WebToken.FILE;

	static final String CSRF_HEADER = "X-Queuectl-Csrf";

	static final String CSRF_FIELD = "_csrf";

	static final String COOKIE = "queuectl_session";

	static final long SESSION_HOURS = 12;

	static final int MAX_SESSIONS = 1000;

	private static final int MAX_USED_CODES = 10_000;

	private final boolean loopback;

	private final String bind;

	private final WebToken token;

	private final String csrf;

	private final Clock clock = Clock.systemUTC();

	/** Session id to the millisecond it expires. */
	private final Map<String, Long> sessions = new ConcurrentHashMap<>();

	/** Nonces of login codes taken, to the millisecond the code expires. */
	private final Map<String, Long> usedCodes = new ConcurrentHashMap<>();

	private volatile int port = -1;

	private volatile Path registration;

	WebAccess(@Value("${server.address:127.0.0.1}") String bind, WebToken token) {
		this.bind = bind;
		this.loopback = isLoopback(bind);
		this.token = token;
		this.csrf = WebToken.random(24);
		token.bytes(); // now: a weak token or one others may read refuses the start
	}

	static boolean isLoopback(String address) {
		try {
			return InetAddress.getByName(address).isLoopbackAddress();
		}
		catch (UnknownHostException ex) {
			return false;
		}
	}

	/** Where the access token is kept, when it is a file (else null). */
	public Path tokenFile() {
		return this.token.file();
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

	/** The port this process serves on, once the server started (else -1). */
	public int port() {
		return this.port;
	}

	/** A login link for this server with a fresh one-time code. */
	public String loginLink(String baseUrl) {
		return baseUrl + "login?code=" + this.token.loginCode(this.port);
	}

	boolean csrfMatches(String given) {
		return given != null && MessageDigest.isEqual(this.csrf.getBytes(StandardCharsets.UTF_8),
				given.getBytes(StandardCharsets.UTF_8));
	}

	boolean tokenMatches(String given) {
		return this.token.matches(given);
	}

	boolean sessionValid(String id) {
		if (id == null) {
			return false;
		}
		Long expires = this.sessions.get(id);
		return expires != null && expires > this.clock.millis();
	}

	/** A new session id when {@code code} is a fresh login code for this server not used before; else null. */
	String loginWithCode(String code) {
		String nonce = this.token.validNonce(code, this.port);
		if (nonce == null) {
			return null;
		}
		long now = this.clock.millis();
		prune(this.usedCodes, now, MAX_USED_CODES);
		if (this.usedCodes.putIfAbsent(nonce, now + (WebToken.CODE_SECONDS + 10) * 1000) != null) {
			return null;
		}
		return newSession(now);
	}

	/** A new session id when {@code given} is the access token; else null. */
	String loginWithToken(String given) {
		return tokenMatches(given) ? newSession(this.clock.millis()) : null;
	}

	private String newSession(long now) {
		prune(this.sessions, now, MAX_SESSIONS);
		String id = WebToken.random(32);
		this.sessions.put(id, now + SESSION_HOURS * 3_600_000);
		return id;
	}

	/** Drops expired entries, then the soonest to expire until there is room for one more. */
	private static void prune(Map<String, Long> map, long now, int max) {
		if (map.size() < max) {
			return;
		}
		map.values().removeIf(expires -> expires <= now);
		while (map.size() >= max) {
			Iterator<Map.Entry<String, Long>> it = map.entrySet().stream()
				.sorted(Map.Entry.comparingByValue())
				.iterator();
			if (!it.hasNext()) {
				return;
			}
			map.remove(it.next().getKey());
		}
	}

	/** Notes the port, and where {@code dashboard --url} finds this server. */
	@EventListener
	void started(WebServerInitializedEvent event) {
		this.port = event.getWebServer().getPort();
		String host = this.loopback || anyAddress(this.bind) ? "127.0.0.1"
				: this.bind.contains(":") ? "[" + this.bind + "]" : this.bind;
		try {
			Path dir = this.token.serversDir();
			OwnerOnly.createDirectories(dir);
			Path file = dir.resolve(Long.toString(ProcessHandle.current().pid()));
			Files.deleteIfExists(file);
			OwnerOnly.createFile(file);
			Files.writeString(file, "http://" + host + ":" + this.port + "/\n");
			this.registration = file;
		}
		catch (IOException ex) {
			// dashboard --url will not find this server; the server itself works
		}
	}

	@EventListener
	void stopped(ContextClosedEvent event) {
		Path file = this.registration;
		if (file != null) {
			try {
				Files.deleteIfExists(file);
			}
			catch (IOException ex) {
				// the next dashboard --url removes it: its process is gone
			}
		}
	}

	static boolean anyAddress(String address) {
		return address.equals("0.0.0.0") || address.equals("::") || address.equals("0:0:0:0:0:0:0:0");
	}
}
