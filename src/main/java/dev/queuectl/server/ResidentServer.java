package dev.queuectl.server;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.queuectl.config.Durations;
import dev.queuectl.config.Setting;
import dev.queuectl.service.Settings;
import dev.queuectl.store.DatabaseLocation;
import dev.queuectl.store.WorkerRegistryStore;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The resident command server ({@code queuectl server run}): a process that runs no jobs and only
 * serves commands on the database's socket, so that one-shot commands answer in milliseconds
 * instead of starting Spring each time. A one-shot command starts it in the background when
 * nothing serves its database (dev.queuectl.server.BackgroundServer); it exits by itself after {@code
 * server-idle} without a command, on {@code server stop}, when a worker host or REPL takes the
 * socket over, or when its database or socket file is gone.
 */
@Component
public class ResidentServer implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(ResidentServer.class);

	/** This process's server while it serves, else null. */
	private static volatile ResidentServer running;

	private final CommandServer server;

	private final ObjectProvider<Commands> dispatcher;

	private final Settings settings;

	private final DatabaseLocation location;

	private final WorkerRegistryStore registry;

	private final Instant started = Instant.now();

	private final CountDownLatch stop = new CountDownLatch(1);

	private volatile Duration idleLimit = Duration.ofMinutes(15);

	ResidentServer(CommandServer server, ObjectProvider<Commands> dispatcher, Settings settings,
			DatabaseLocation location, WorkerRegistryStore registry) {
		this.server = server;
		this.dispatcher = dispatcher;
		this.settings = settings;
		this.location = location;
		this.registry = registry;
	}

	/** This process's resident server while it serves, else null. */
	public static ResidentServer current() {
		return running;
	}

	/** Serves until idle, stopped or replaced; returns the exit code (0: also when another process serves). */
	public int run() throws InterruptedException {
		if (!this.server.startOnce()) {
			log.info("not serving {}: another queuectl process serves it", this.location.socket());
			return 0;
		}
		running = this;
		try {
			warmUp();
			this.server.idleFromNow();
			log.info("command server serving {} (pid {}, build {})", this.location.socket(),
					ProcessHandle.current().pid(), CommandServer.build());
			String reason;
			while (true) {
				Duration limit = readIdleLimit();
				long every = Math.max(100, Math.min(5000, limit.toMillis() / 4));
				if (this.stop.await(every, TimeUnit.MILLISECONDS)) {
					reason = "asked to stop";
					break;
				}
				if (!this.location.isPostgres() && !Files.exists(this.location.file())) {
					reason = "its database is gone";
					break;
				}
				if (!this.server.serving()) {
					reason = "its socket is gone or taken over";
					break;
				}
				String newer = this.registry.newerSchemaWriter().orElse(null);
				if (newer != null) {
					reason = "the database was upgraded by " + newer + "; this server is queuectl " + dev.queuectl.config.Version.number();
					break;
				}
				if (this.server.active() == 0 && this.server.idleNanos() >= limit.toNanos()) {
					reason = "no command for " + Durations.format(limit);
					break;
				}
			}
			log.info("command server exits: {}", reason);
		}
		finally {
			running = null;
			this.server.closeSocket();
			for (int i = 0; i < 100 && this.server.active() > 0; i++) {
				Thread.sleep(100); // commands running now finish (at most 10 s)
			}
			this.server.stop();
		}
		return 0;
	}

	/** Stops taking commands at once (the socket goes), and exits once those running are done. */
	public void requestStop() {
		this.server.closeSocket();
		this.stop.countDown();
	}

	/** On SIGTERM (the context closes): the socket goes first, so no client connects to a dying server. */
	@Override
	public void destroy() {
		requestStop();
	}

	/** For {@code server status}: one "key value" line each. */
	public List<String> describe() {
		Duration up = Duration.between(this.started, Instant.now()).withNanos(0);
		// asked over the socket: the idle time before this request
		Duration idle = Duration.ofNanos(this.server.active() > 0 ? this.server.idleBeforeNanos() : this.server.idleNanos())
			.withNanos(0);
		return List.of("pid " + ProcessHandle.current().pid(), "uptime " + Durations.format(up),
				"build " + (CommandServer.build().isEmpty() ? "unknown" : CommandServer.build()),
				"idle " + Durations.format(idle) + " (exits after " + Durations.format(this.idleLimit) + " without a command)",
				"socket " + this.location.socket());
	}

	/** The line {@code status} adds while this process is the resident server, else null. */
	public static String statusLine() {
		ResidentServer r = running;
		if (r == null) {
			return null;
		}
		return "command server: pid " + ProcessHandle.current().pid() + ", up "
				+ Durations.format(Duration.between(r.started, Instant.now()).withNanos(0)) + ", exits after "
				+ Durations.format(r.idleLimit) + " without a command (queuectl server stop ends it)";
	}

	private Duration readIdleLimit() {
		try {
			Duration d = Durations.parseOrNull(this.settings.get(Setting.SERVER_IDLE));
			if (d != null) {
				this.idleLimit = d;
			}
		}
		catch (RuntimeException ex) {
			log.debug("reading server-idle failed; keeping {}", this.idleLimit, ex);
		}
		return this.idleLimit;
	}

	/** Runs read-only commands once, output discarded: the first real command then finds them loaded. */
	private void warmUp() {
		PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
		Invocation quiet = new Invocation(this.location.dataDir(), java.io.InputStream.nullInputStream(), nowhere);
		for (List<String> words : List.of(List.of("status"), List.of("list", "-n", "1"), List.of("config", "list"),
				List.of("show", "warm-up"))) {
			try {
				this.dispatcher.getObject().execute(words, nowhere, quiet);
			}
			catch (RuntimeException ex) {
				log.debug("warm-up {} failed", words, ex);
			}
		}
	}
}
