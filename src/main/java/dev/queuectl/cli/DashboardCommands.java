package dev.queuectl.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;

import dev.queuectl.QueuectlException;
import dev.queuectl.web.WebAccess;
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
 * them; this prints where it is and waits.
 */
@Component
class DashboardCommands {

	private final Environment environment;

	private final ObjectProvider<WebAccess> access;

	private final ApplicationEventPublisher events;

	DashboardCommands(Environment environment, ObjectProvider<WebAccess> access, ApplicationEventPublisher events) {
		this.environment = environment;
		this.access = access;
		this.events = events;
	}

	@Command(name = "dashboard", group = "Workers",
			description = "Serve the web dashboard and the HTTP API (/api) until Ctrl-C", help = """
					Binds 127.0.0.1 unless --bind names another address; then every request needs the
					access token (queuectl.web.token in application.yml, or the owner-only file web-token
					beside the database, made on first use). A worker host serves the same on its HTTP port.
					  queuectl dashboard
					  queuectl dashboard --port 9000 --open
					  queuectl dashboard --bind 0.0.0.0""")
	void dashboard(@Option(longName = "port", description = "TCP port (default 8470; 0 picks a free one)") Integer port,
			@Option(longName = "bind", description = "address to serve on (default 127.0.0.1)") String bind,
			@Option(longName = "open", description = "open it in the desktop's browser") Boolean open,
			CommandContext ctx) throws InterruptedException {
		Integer httpPort = this.environment.getProperty("local.server.port", Integer.class);
		WebAccess web = this.access.getIfAvailable();
		if (httpPort == null || web == null) {
			throw QueuectlException.usage("dashboard runs as a command of its own: queuectl dashboard");
		}
		String address = this.environment.getProperty("server.address", "127.0.0.1");
		String host = address.equals("0.0.0.0") || address.equals("::") || address.equals("0:0:0:0:0:0:0:0") ? "127.0.0.1"
				: address.contains(":") ? "[" + address + "]" : address;
		String url = "http://" + host + ":" + httpPort + "/";
		PrintWriter err = Invocation.current().err();
		err.println("queuectl: dashboard on " + url + (address.equals(host) ? "" : " (bound to " + address + ")"));
		if (web.tokenRequired()) {
			err.println("queuectl: every request needs the access token"
					+ (web.tokenFile() == null ? " (queuectl.web.token)" : " in " + web.tokenFile()));
		}
		err.flush();
		if (Boolean.TRUE.equals(open)) {
			try {
				new ProcessBuilder("xdg-open", url).redirectErrorStream(true)
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
