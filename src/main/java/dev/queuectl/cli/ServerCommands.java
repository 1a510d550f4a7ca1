package dev.queuectl.cli;

import dev.queuectl.server.ResidentServer;
import dev.queuectl.server.CommandServer;
import dev.queuectl.config.QueuectlException;
import dev.queuectl.store.DatabaseLocation;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.stereotype.Component;

/**
 * server status, stop and run: the resident command server ({@link ResidentServer}). These are
 * served like other commands, so they answer about the process that serves the socket; none of
 * them ever starts a server.
 */
@Component
class ServerCommands {

	private final DatabaseLocation location;

	private final ObjectProvider<CommandServer> socket;

	ServerCommands(DatabaseLocation location, ObjectProvider<CommandServer> socket) {
		this.location = location;
		this.socket = socket;
	}

	@Command(name = { "server", "status" }, group = "Command server",
			description = "Show the background command server: pid, uptime, build, idle time; exit 1 when none runs",
			help = """
					  queuectl server status""")
	void status(CommandContext ctx) {
		ResidentServer r = ResidentServer.current();
		if (r == null) {
			throw new QueuectlException(QueuectlException.FAILURE, noServer());
		}
		r.describe().forEach(ctx.outputWriter()::println);
	}

	@Command(name = { "server", "stop" }, group = "Command server",
			description = "Stop the background command server (the next command starts another unless it is off)",
			help = """
					  queuectl server stop""")
	void stop(CommandContext ctx) {
		ResidentServer r = ResidentServer.current();
		long starting = r == null && !this.socket.getObject().serving() ? dev.queuectl.server.BackgroundServer.stopStarting(this.location) : 0;
		if (starting > 0) { // started by the last command, not serving yet
			ctx.outputWriter().println("command server (pid " + starting + ") stopped");
			return;
		}
		if (r == null) {
			ctx.outputWriter().println(noServer());
			return;
		}
		r.requestStop();
		ctx.outputWriter().println("command server (pid " + ProcessHandle.current().pid() + ") stopped");
	}

	@Command(name = { "server", "run" }, group = "Command server",
			description = "Serve commands in the foreground, running no jobs, until idle (what runs in the background)",
			help = """
					  queuectl server run""")
	void run(CommandContext ctx) {
		// `queuectl server run` starts a process of its own (QueuectlApplication); this is reached
		// only from a client of a process that serves already, or inside the REPL
		throw new QueuectlException(QueuectlException.FAILURE,
				"a queuectl process serves " + this.location.display() + " already (pid " + ProcessHandle.current().pid() + ")");
	}

	private String noServer() {
		boolean host = this.socket.getObject().serving();
		return "no command server runs for " + this.location.display()
				+ (host ? " (this worker host or REPL serves its commands)" : "");
	}
}
