package dev.queuectl.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import dev.queuectl.server.Invocation;
import dev.queuectl.server.CommandServer;
import dev.queuectl.config.QueuectlException;
import dev.queuectl.worker.JobOutput;
import dev.queuectl.worker.WorkerOptions;
import dev.queuectl.worker.WorkerService;
import org.springframework.core.env.Environment;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

/** worker start, worker stop and logs. */
@Component
class WorkerCommands {

	private final WorkerService workers;

	private final JobOutput output;

	private final Environment environment;

	private final CommandServer server;

	WorkerCommands(WorkerService workers, JobOutput output, Environment environment, CommandServer server) {
		this.workers = workers;
		this.output = output;
		this.environment = environment;
		this.server = server;
	}

	@Command(name = { "worker", "start" }, group = "Workers",
			description = "Run jobs in the foreground until Ctrl-C, SIGTERM, SIGHUP or 'worker stop'", help = """
					Running jobs finish first (up to config shutdown-grace). While it runs, health is served on
					127.0.0.1 (/actuator/health); and /actuator/metrics, /actuator/prometheus, the dashboard
					and /api, to holders of the access token (queuectl dashboard --url, queuectl web-token).
					Jobs inherit this process's environment but PGPASSWORD, PGPASSFILE and every QUEUECTL_*
					variable; with --clean-env only PATH, HOME, USER, LOGNAME, SHELL, LANG, LC_*, TZ, TERM.
					  queuectl worker start
					  queuectl worker start --count 4
					  queuectl worker start --queue emails --queue reports --port 9464
					  queuectl worker start --no-http --clean-env
					  queuectl worker start --count 4 --resources gpu=2,mem=64G,license=1
					--resources: what this host offers to jobs that ask resources (enqueue's "resources"); a job
					starts only while the sum over its running (and claimed) jobs stays within it. Names a-z
					0-9 _ - (a-z first); amounts integers, K/M/G/T for sizes (powers of 1024).""")
	void start(@Option(longName = "count", shortName = 'c', defaultValue = "1", description = "jobs run at once (default 1)") Integer count,
			@Option(longName = "queue", shortName = 'q', description = "only these queues (repeat, or a,b); default all") String queues,
			@Option(longName = "port", description = "HTTP port for health and metrics on 127.0.0.1 (default from application.yml)") Integer port,
			@Option(longName = "no-http", description = "serve no health or metrics endpoints") Boolean noHttp,
			@Option(longName = "clean-env", description = "start jobs with a minimal environment") Boolean cleanEnv,
			@Option(longName = "resources", description = "what this host offers jobs, e.g. gpu=2,mem=64G (repeat, or a,b)") String resources,
			CommandContext ctx) {
		// the same rules the entry point applied before it started anything (here for the REPL)
		int slots = WorkerOptions.checkCount(count);
		List<String> queueList = WorkerOptions.checkQueues(queues);
		WorkerOptions.checkPort(port);
		dev.queuectl.job.Resources offered = WorkerOptions.checkResources(resources);
		Integer httpPort = this.environment.getProperty("local.server.port", Integer.class);
		if (httpPort != null) {
			Invocation.current().err().println("queuectl: health and metrics on http://127.0.0.1:" + httpPort + "/actuator");
			Invocation.current().err().println("queuectl: dashboard on http://127.0.0.1:" + httpPort
					+ "/ (log in: queuectl dashboard --url prints a link)");
			Invocation.current().err().flush();
		}
		try {
			// the socket opens once the host is registered: a `worker stop` it serves counts this host
			this.workers.run(new WorkerOptions(slots, queueList, httpPort, Boolean.TRUE.equals(cleanEnv), offered),
					this.server::start);
		}
		finally {
			this.server.stop();
		}
	}

	@Command(name = { "worker", "stop" }, group = "Workers",
			description = "Ask every worker host on this database, or one, to stop gracefully, and wait", help = """
					Running jobs finish first (up to config shutdown-grace). A host on this machine is told
					at once (SIGTERM), others at their next heartbeat. HOST-ID: one host, as status lists it.
					  queuectl worker stop
					  queuectl worker stop --timeout 120
					  queuectl worker stop build-1:4242:1a2b3c4d""")
	void stop(@Argument(index = 0) String hostId,
			@Option(longName = "timeout", shortName = 't', defaultValue = "60", description = "seconds to wait (default 60)") Integer timeout,
			CommandContext ctx) {
		if (timeout < 1) {
			throw QueuectlException.usage("--timeout must be at least 1 second");
		}
		int asked = this.workers.stop(hostId == null || hostId.isEmpty() ? null : hostId, Duration.ofSeconds(timeout));
		ctx.outputWriter().println(asked + " worker host(s) stopped");
	}

	@Command(name = "logs", group = "Jobs", description = "Print a job's captured output", help = """
			  queuectl logs job1
			  queuectl logs job1 --attempt 2
			  queuectl logs job1 --follow      (waits for the job to start, streams each attempt's output
			                                    until the job ends, then its outcome on stderr: exit 0
			                                    when it completed, 1 when it ended dead or canceled)""")
	void logs(@Argument(index = 0) String id,
			@Option(longName = "attempt", shortName = 'a', description = "which attempt (default: the newest)") Integer attempt,
			@Option(longName = "follow", shortName = 'f', description = "keep printing while the job runs") Boolean follow,
			CommandContext ctx) throws IOException {
		if (id == null || id.isEmpty()) {
			throw QueuectlException.usage("logs needs a job id");
		}
		if (Boolean.TRUE.equals(follow) && attempt == null) { // attempt after attempt, then how the job ended
			dev.queuectl.job.Job job = this.output.followAll(id, ctx.outputWriter(), Invocation.current().err());
			ctx.outputWriter().flush();
			String why = job.state() != dev.queuectl.job.JobState.COMPLETED && job.lastError() != null
					? dev.queuectl.view.Render.oneLine(job.lastError(), 100)
					: job.exitCode() == null ? null : "exit code " + job.exitCode();
			Invocation.current().err().println("queuectl: job " + id + " " + job.state().dbValue() + " after "
					+ job.attempts() + " attempt(s)" + (why == null ? "" : ": " + why));
			if (job.state() != dev.queuectl.job.JobState.COMPLETED) {
				throw new QueuectlException.Reported(QueuectlException.FAILURE);
			}
			return;
		}
		this.output.print(id, attempt, Boolean.TRUE.equals(follow), ctx.outputWriter());
	}
}
