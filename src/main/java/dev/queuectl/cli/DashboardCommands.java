package dev.queuectl.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import dev.queuectl.server.Invocation;
import dev.queuectl.config.QueuectlException;
import dev.queuectl.web.WebAccess;
import dev.queuectl.web.WebToken;
import dev.queuectl.worker.StopSignals;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.env.Environment;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

/**
 * {@code dashboard}: serves the web dashboard and the HTTP API until Ctrl-C, SIGTERM or SIGHUP. The
 * entry point has already parsed its options (DashboardOptions) and started the web server on
 * them; this prints where it is and a one-time login link, and waits. {@code dashboard --url}
 * starts no server: it prints a fresh login link for each one running on the database (WebToken).
 * {@code web-token} prints the access token, made on first use.
 */
@Component
class DashboardCommands {

	private final Environment environment;

	private final ObjectProvider<WebAccess> access;

	private final ApplicationEventPublisher events;

	private final WebToken token;

	DashboardCommands(Environment environment, ObjectProvider<WebAccess> access, ApplicationEventPublisher events,
			WebToken token) {
		this.environment = environment;
		this.access = access;
		this.events = events;
		this.token = token;
	}

	@Command(name = "web-token", group = "Workers",
			description = "Print the access token of the dashboard and the HTTP API (made on first use)", help = """
					Every request to the dashboard and /api needs it, on 127.0.0.1 too: send it as
					Authorization: Bearer TOKEN (curl -H "Authorization: Bearer $(queuectl web-token)"),
					or log in with it once in the browser. It is queuectl.web.token from application.yml,
					or else the owner-only file web-token beside the database.
					  queuectl web-token""")
	void webToken(CommandContext ctx) {
		ctx.outputWriter().println(this.token.value());
	}

	@Command(name = "dashboard", group = "Workers",
			description = "Serve the web dashboard and the HTTP API (/api) until Ctrl-C", help = """
					Binds 127.0.0.1 unless --bind names another address. Every request needs the access
					token (queuectl web-token) or a browser session: the link printed at start logs a
					browser in once, within two minutes; --url prints a fresh one for each dashboard or
					worker host running on the database. A worker host serves the same on its HTTP port.
					  queuectl dashboard
					  queuectl dashboard --port 9000 --open
					  queuectl dashboard --url
					  queuectl dashboard --bind 0.0.0.0""")
	void dashboard(@Option(longName = "port", description = "TCP port (default 8470; 0 picks a free one)") Integer port,
			@Option(longName = "bind", description = "address to serve on (default 127.0.0.1)") String bind,
			@Option(longName = "open", description = "open it in the desktop's browser, logged in") Boolean open,
			@Option(longName = "url", description = "print a login link for each dashboard or host running; serve nothing") Boolean urlOnly,
			CommandContext ctx) throws InterruptedException {
		if (Boolean.TRUE.equals(urlOnly)) {
			List<WebToken.Server> running = this.token.running();
			if (running.isEmpty()) {
				throw new QueuectlException(QueuectlException.FAILURE,
						"no dashboard or worker host serves HTTP on this database (start one: queuectl dashboard)");
			}
			for (WebToken.Server server : running) {
				ctx.outputWriter().println(server.loginLink(this.token));
			}
			return;
		}
		Integer httpPort = this.environment.getProperty("local.server.port", Integer.class);
		WebAccess web = this.access.getIfAvailable();
		if (httpPort == null || web == null) {
			throw QueuectlException.usage("dashboard runs as a command of its own: queuectl dashboard");
		}
		String address = this.environment.getProperty("server.address", "127.0.0.1");
		String host = address.equals("0.0.0.0") || address.equals("::") || address.equals("0:0:0:0:0:0:0:0") ? "127.0.0.1"
				: address.contains(":") ? "[" + address + "]" : address;
		String url = "http://" + host + ":" + httpPort + "/";
		String link = web.loginLink(url);
		PrintWriter err = Invocation.current().err();
		err.println("queuectl: dashboard on " + url + (address.equals(host) ? "" : " (bound to " + address + ")"));
		err.println("queuectl: log in once, within two minutes: " + link);
		err.println("queuectl: later: queuectl dashboard --url; or send Authorization: Bearer TOKEN (queuectl web-token"
				+ (web.tokenFile() == null ? ", queuectl.web.token" : ", " + web.tokenFile()) + ")");
		err.flush();
		if (Boolean.TRUE.equals(open)) {
			try {
				new ProcessBuilder("xdg-open", link).redirectErrorStream(true)
					.redirectOutput(ProcessBuilder.Redirect.DISCARD)
					.start();
			}
			catch (IOException ex) {
				err.println("queuectl: cannot open a browser (xdg-open: " + ex.getMessage() + "); open " + url);
				err.flush();
			}
		}
		AvailabilityChangeEvent.publish(this.events, this, ReadinessState.ACCEPTING_TRAFFIC);
		CountDownLatch stop = new CountDownLatch(1);
		try (StopSignals signals = StopSignals.onStop(stop::countDown)) {
			stop.await();
		}
	}
}
