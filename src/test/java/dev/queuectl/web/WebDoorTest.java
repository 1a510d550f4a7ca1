package dev.queuectl.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who gets through the HTTP door (issue 24), over real HTTP: nobody without the access token or a
 * session, on loopback too; the one-time login link; the bearer token; our own answers to paths the
 * server would otherwise answer itself.
 */
class WebDoorTest extends WebTestSupport {

	private HttpResponse<String> anonymous(HttpRequest.Builder b) throws IOException, InterruptedException {
		return this.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpRequest.Builder to(String path) {
		return HttpRequest.newBuilder(URI.create(url(path)));
	}

	@Test
	void withoutACredentialEveryPageAndEndpointIsA401ThatShowsNoJob() throws Exception {
		enqueue("{\"id\":\"secret-job\",\"command\":\"echo s3cr3t\"}");
		for (String path : List.of("/", "/jobs", "/jobs/secret-job", "/dlq", "/queues", "/schedules")) {
			HttpResponse<String> page = anonymous(to(path));
			assertThat(page.statusCode()).as(path).isEqualTo(401);
			assertThat(page.body()).as(path).contains("Log in").doesNotContain("secret-job").doesNotContain("s3cr3t")
				.doesNotContain(this.access.csrf());
		}
		for (String path : List.of("/api/jobs", "/api/csrf", "/api/status", "/api/jobs/secret-job", "/api/jobs/secret-job/output")) {
			HttpResponse<String> api = anonymous(to(path));
			assertThat(api.statusCode()).as(path).isEqualTo(401);
			assertThat(api.body()).as(path).doesNotContain("secret-job").doesNotContain(this.access.csrf());
		}
		HttpResponse<String> stream = anonymous(to("/api/jobs/secret-job/output").header("Accept", "text/event-stream"));
		assertThat(stream.statusCode()).isEqualTo(401);
		HttpResponse<String> post = anonymous(to("/api/jobs").header("Content-Type", "application/json")
			.header(WebAccess.CSRF_HEADER, this.access.csrf())
			.POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"pwned\",\"command\":\"touch /tmp/pwned\"}")));
		assertThat(post.statusCode()).isEqualTo(401);
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM jobs WHERE id = 'pwned'", Long.class)).isZero();
		HttpResponse<String> wrongCookie = anonymous(to("/api/status").header("Cookie", WebAccess.COOKIE + "=" + this.token.value()));
		assertThat(wrongCookie.statusCode()).as("the token is no session id").isEqualTo(401);
		assertThat(anonymous(to("/api/status").header("Authorization", "Bearer not-the-token-at-all")).statusCode()).isEqualTo(401);
		// health stays open on loopback (UP or DOWN, for probes); metrics name queues and their backlog
		assertThat(anonymous(to("/actuator/health")).statusCode()).isEqualTo(200);
		for (String path : java.util.List.of("/actuator/prometheus", "/actuator/metrics", "/actuator")) {
			assertThat(anonymous(to(path)).statusCode()).as(path).isEqualTo(401);
		}
		assertThat(anonymous(to("/actuator/prometheus").header("Authorization", "Bearer " + this.token.value())).statusCode())
			.isEqualTo(200);
		assertThat(anonymous(to("/login")).statusCode()).isEqualTo(200);
	}

	@Test
	void theBearerTokenWorksWithoutACsrfToken() throws Exception {
		HttpResponse<String> post = anonymous(to("/api/jobs").header("Authorization", "Bearer " + this.token.value())
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"b1\",\"command\":\"true\"}")));
		assertThat(post.statusCode()).as(post.body()).isEqualTo(201);
		assertThat(anonymous(to("/api/jobs/b1").header("Authorization", "Bearer " + this.token.value())).body())
			.contains("\"id\":\"b1\"");
	}

	@Test
	void aLoginLinkWorksOnceAndSetsAStrictHttpOnlySessionCookieThatIsNotTheToken() throws Exception {
		String link = this.access.loginLink(url("/"));
		HttpResponse<String> login = anonymous(HttpRequest.newBuilder(URI.create(link)));
		assertThat(login.statusCode()).isEqualTo(302);
		assertThat(login.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/"));
		String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
		assertThat(cookie).startsWith(WebAccess.COOKIE + "=").contains("HttpOnly").contains("SameSite=Strict")
			.doesNotContain(this.token.value());
		String session = cookie.substring(0, cookie.indexOf(';'));
		HttpResponse<String> page = anonymous(to("/").header("Cookie", session));
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body()).contains("Overview");
		// a cookie session changes nothing without the CSRF token
		HttpResponse<String> noCsrf = anonymous(to("/api/jobs").header("Cookie", session).header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"true\"}")));
		assertThat(noCsrf.statusCode()).isEqualTo(403);
		HttpResponse<String> again = anonymous(HttpRequest.newBuilder(URI.create(link)));
		assertThat(again.statusCode()).as("a code is taken once").isEqualTo(401);
		assertThat(again.headers().firstValue("Set-Cookie")).isEmpty();
		assertThat(again.body()).contains("used already or has expired");
		String forged = link.substring(0, link.length() - 3) + (link.endsWith("AAA") ? "BBB" : "AAA");
		assertThat(anonymous(HttpRequest.newBuilder(URI.create(forged))).statusCode()).isEqualTo(401);
	}

	@Test
	void theLoginFormTakesTheTokenAndGivesASessionCookie() throws Exception {
		HttpResponse<String> wrong = anonymous(to("/login").header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("token=guess-guess-guess-guess")));
		assertThat(wrong.statusCode()).isEqualTo(302);
		assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();
		HttpResponse<String> right = anonymous(to("/login").header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("token=" + this.token.value())));
		String cookie = right.headers().firstValue("Set-Cookie").orElseThrow();
		assertThat(anonymous(to("/api/status").header("Cookie", cookie.substring(0, cookie.indexOf(';')))).statusCode())
			.isEqualTo(200);
	}

	@Test
	void encodedSlashesNulsAndTheErrorPathGetOurAnswerNotTheServersPage() throws Exception {
		String bearer = "Authorization: Bearer " + this.token.value() + "\r\n";
		for (String path : List.of("/api/jobs/a%2Fb", "/api/jobs/a%00b", "/api/jobs/%zz")) {
			String r = raw("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + bearer + "Connection: close\r\n\r\n");
			assertThat(r).as(path).startsWith("HTTP/1.1 400").contains("application/problem+json").contains("\"status\":400")
				.doesNotContain("<html").doesNotContain("Tomcat");
		}
		for (String path : List.of("/a%2Fb", "/a%00b")) {
			String r = raw("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + bearer + "Connection: close\r\n\r\n");
			assertThat(r).as(path).startsWith("HTTP/1.1 400").contains("text/plain").doesNotContain("<html");
		}
		HttpResponse<String> error = get("/error");
		assertThat(error.statusCode()).isEqualTo(404);
		assertThat(error.body()).isEqualTo("no such page: GET /error\n");
		assertThat(anonymous(to("/error")).statusCode()).isEqualTo(401);
	}

	@Test
	void aBodyDeclaredLargerThanTheServerTakesIsRefusedUnread() throws Exception {
		try (Socket s = new Socket("127.0.0.1", this.port)) {
			s.setSoTimeout(20_000);
			s.getOutputStream().write(("POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + this.token.value()
					+ "\r\nContent-Type: application/x-ndjson\r\nContent-Length: 300000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			// answered with no byte of the body sent (the server then waits a while for it, to close cleanly)
			StringBuilder r = new StringBuilder();
			InputStream in = s.getInputStream();
			byte[] buf = new byte[4096];
			for (int n; !r.toString().contains("MiB") && (n = in.read(buf)) > 0;) {
				r.append(new String(buf, 0, n, StandardCharsets.UTF_8));
			}
			assertThat(r.toString()).startsWith("HTTP/1.1 413").contains("at most 256 MiB");
		}
	}

	private String raw(String request) throws IOException {
		try (Socket s = new Socket("127.0.0.1", this.port)) {
			s.setSoTimeout(20_000);
			OutputStream out = s.getOutputStream();
			out.write(request.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = s.getInputStream();
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}
}
