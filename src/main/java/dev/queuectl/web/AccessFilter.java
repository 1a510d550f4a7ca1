package dev.queuectl.web;

import java.io.IOException;
import java.net.URI;
import java.util.Locale;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Applies {@link WebAccess} to every request: a Host header that does not name loopback is refused on
 * a loopback server (DNS rebinding); a request without the access token (a bearer header) or a
 * session cookie gets 401 and nothing about jobs (a page: the login page); a state-changing request
 * must be POST (or PUT, DELETE), come from the same origin when it names one, and, with a cookie,
 * carry the CSRF token in the {@value WebAccess#CSRF_HEADER} header or a form's
 * {@value WebAccess#CSRF_FIELD} field. A bearer request needs no CSRF token: a browser never adds the
 * header by itself. Open without a credential: the login page, the assets (our CSS and script) and,
 * on loopback only, /actuator/health (UP or DOWN, for probes and service managers). /actuator/metrics
 * and /actuator/prometheus need the token as /api does (a scraper sends it as a bearer token): they
 * name queues and tell their backlog, which other users of the machine need not see.
 * A body declared larger than the server takes is refused before anything reads it. Every answer
 * forbids framing and inline scripts.
 */
@Component
@ConditionalOnWebApplication
@Order(Ordered.HIGHEST_PRECEDENCE)
class AccessFilter extends OncePerRequestFilter {

	/** The largest body taken (a batch of jobs as the CLI takes it, 256 MiB). */
	static final long MAX_BODY = 256L << 20;

	private final WebAccess access;

	AccessFilter(WebAccess access) {
		this.access = access;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		response.setHeader("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "
				+ "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
		response.setHeader("X-Content-Type-Options", "nosniff");
		response.setHeader("X-Frame-Options", "DENY");
		response.setHeader("Referrer-Policy", "same-origin"); // no-referrer would make Chrome send "Origin: null" with our own forms
		String host = request.getHeader("Host");
		if (this.access.loopback() && !loopbackHost(host)) {
			Problems.write(response, 403, "Host " + (host == null ? "(none)" : "'" + host + "'")
					+ " is not this machine's loopback: use http://127.0.0.1 or http://localhost");
			return;
		}
		String path = request.getRequestURI().substring(request.getContextPath().length());
		String method = request.getMethod().toUpperCase(Locale.ROOT);
		String auth = request.getHeader("Authorization");
		boolean bearer = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
				&& this.access.tokenMatches(auth.substring(7).strip());
		boolean open = path.equals("/login") || path.startsWith("/assets/")
				|| this.access.loopback() && (path.equals("/actuator/health") || path.startsWith("/actuator/health/"));
		if (!bearer && !open && !this.access.sessionValid(cookie(request))) {
			response.setHeader("WWW-Authenticate", "Bearer");
			if (method.equals("GET") && !path.startsWith("/api/") && !path.equals("/api") && !path.startsWith("/actuator")
					&& !"text/event-stream".equals(request.getHeader("Accept"))) {
				response.setStatus(401);
				request.getRequestDispatcher("/login").forward(request, response);
				return;
			}
			Problems.write(response, 401, "log in first: send Authorization: Bearer TOKEN (queuectl web-token prints it)"
					+ " or open the link queuectl dashboard --url prints");
			return;
		}
		if (path.equals("/error") || path.startsWith("/error/")) { // Spring Boot's error page, not ours to call
			response.setStatus(404);
			response.setContentType("text/plain;charset=UTF-8");
			response.getWriter().println("no such page: " + method + " " + path);
			return;
		}
		if (request.getContentLengthLong() > MAX_BODY) {
			Problems.write(response, 413, "a request body may be at most " + (MAX_BODY >> 20) + " MiB");
			return;
		}
		boolean safe = method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
		if (!safe) {
			String origin = request.getHeader("Origin");
			if (origin != null && !sameOrigin(origin, host)) {
				Problems.write(response, 403, "a request from another origin (" + origin + ") may not change anything");
				return;
			}
			if (!bearer && !path.equals("/login") && !csrfGiven(request)) {
				Problems.write(response, 403, "missing or wrong CSRF token: send the " + WebAccess.CSRF_HEADER
						+ " header (GET /api/csrf gives it)");
				return;
			}
		}
		chain.doFilter(request, response);
	}

	private boolean csrfGiven(HttpServletRequest request) {
		if (this.access.csrfMatches(request.getHeader(WebAccess.CSRF_HEADER))) {
			return true;
		}
		String type = request.getContentType();
		return type != null && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")
				&& this.access.csrfMatches(request.getParameter(WebAccess.CSRF_FIELD));
	}

	private static String cookie(HttpServletRequest request) {
		Cookie[] cookies = request.getCookies();
		if (cookies != null) {
			for (Cookie c : cookies) {
				if (c.getName().equals(WebAccess.COOKIE)) {
					return c.getValue();
				}
			}
		}
		return null;
	}

	/** 127.0.0.1, localhost or [::1], with or without a port. */
	static boolean loopbackHost(String host) {
		if (host == null) {
			return false;
		}
		String name = host.toLowerCase(Locale.ROOT);
		if (name.startsWith("[")) {
			int end = name.indexOf(']');
			if (end < 0) {
				return false;
			}
			String rest = name.substring(end + 1);
			return name.substring(0, end + 1).equals("[::1]") && (rest.isEmpty() || rest.matches(":[0-9]{1,5}"));
		}
		int colon = name.indexOf(':');
		String port = colon < 0 ? "" : name.substring(colon);
		name = colon < 0 ? name : name.substring(0, colon);
		return (name.equals("127.0.0.1") || name.equals("localhost")) && (port.isEmpty() || port.matches(":[0-9]{1,5}"));
	}

	private static boolean sameOrigin(String origin, String host) {
		try {
			URI uri = URI.create(origin);
			String authority = uri.getRawAuthority();
			return host != null && authority != null && authority.equalsIgnoreCase(host)
					&& ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()));
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}
}
