package dev.queuectl.worker;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.queuectl.job.Claim;
import dev.queuectl.store.DatabaseLocation;
import dev.queuectl.store.TalkStore;

/**
 * The variables one job gets on top of what {@link JobEnvironment} leaves of its host's (issue 27):
 * its own {@code env} first, then queuectl's: {@code QUEUECTL_JOB_ID}, {@code QUEUECTL_ATTEMPT},
 * {@code QUEUECTL_QUEUE}, {@code QUEUECTL_DB} (the SQLite file, or the PostgreSQL URL without its
 * password: a {@code queuectl} run inside the job reaches the same queue through the host's socket)
 * and, for a job that ran after others, {@code QUEUECTL_AFTER} (their ids, space-separated). A
 * job's env cannot name {@code QUEUECTL_*} (the parser refuses it), so these always hold.
 * <p>
 * Read in one statement for all the jobs a dispatcher turn claimed ({@link #forClaims},
 * {@link TalkStore#runContexts}), right after the claim commits, so that a slot starts its next job
 * without a statement of its own (on SQLite the pool's one connection would make it wait for the
 * dispatcher's transaction); a job not read so (the read failed) is read alone as it starts
 * ({@link #apply}). When that read fails too the job does not start ({@link Unavailable}): its host
 * gives it back to the queue uncounted, as it does a claim whose lease is in doubt. The claim's
 * statements stay as they were. Long-lived spawners cannot take a
 * per-job environment, so the variables reach the job as an {@code export} line ahead of its
 * command in the same {@code sh -c} ({@link #prefixed}).
 * <p>
 * While the host traces (issue 31), a job enqueued under a trace also gets {@code TRACEPARENT} (and
 * {@code TRACESTATE}): here its enqueue's context, which {@link JobExecutor} replaces with its
 * attempt's span.
 */
final class JobVariables implements Function<Claim, Map<String, String>> {

	private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(JobVariables.class);

	private final TalkStore store;

	private final String db;

	/** W3C trace context's variables (issue 31). */
	static final String TRACEPARENT = "TRACEPARENT", TRACESTATE = "TRACESTATE";

	/** Whether the host traces: only then do the stored contexts reach {@link JobExecutor}. */
	private final boolean tracing;

	JobVariables(TalkStore store, DatabaseLocation location) {
		this(store, location, false);
	}

	JobVariables(TalkStore store, DatabaseLocation location, boolean tracing) {
		this.tracing = tracing;
		this.store = store;
		this.db = location.isPostgres() ? location.display() : location.file().toAbsolutePath().toString();
	}

	@Override
	public Map<String, String> apply(Claim claim) {
		TalkStore.RunContext context;
		try {
			context = this.store.runContext(claim.jobId()).orElse(null);
		}
		catch (RuntimeException ex) { // the database failed a moment: never run a job without its own variables
			throw new Unavailable(claim.jobId() + ": its own variables could not be read (" + ex.getMessage() + ")", ex);
		}
		return variables(claim, context);
	}

	/**
	 * The variables of each of these claims, read in one statement; empty when the read failed (each
	 * job is then read alone as it starts).
	 */
	Map<Claim, Map<String, String>> forClaims(List<Claim> claims) {
		Map<String, TalkStore.RunContext> contexts;
		try {
			contexts = this.store.runContexts(claims.stream().map(Claim::jobId).toList());
		}
		catch (RuntimeException ex) {
			log.debug("the claimed jobs' variables could not be read at once; each is read as it starts", ex);
			return Map.of();
		}
		Map<Claim, Map<String, String>> all = new java.util.HashMap<>();
		for (Claim claim : claims) {
			all.put(claim, variables(claim, contexts.get(claim.jobId())));
		}
		return all;
	}

	private Map<String, String> variables(Claim claim, TalkStore.RunContext context) {
		Map<String, String> vars = new LinkedHashMap<>();
		if (context != null) {
			vars.putAll(context.env());
		}
		vars.put("QUEUECTL_JOB_ID", claim.jobId());
		vars.put("QUEUECTL_ATTEMPT", Integer.toString(claim.attempt()));
		if (context != null) {
			vars.put("QUEUECTL_QUEUE", context.queue());
		}
		vars.put("QUEUECTL_DB", this.db);
		if (context != null && !context.after().isEmpty()) {
			vars.put("QUEUECTL_AFTER", String.join(" ", context.after()));
		}
		if (this.tracing && context != null && context.trace() != null) {
			// the enqueue's context, which JobExecutor replaces with the attempt's own
			vars.put(TRACEPARENT, context.trace().traceparent());
			vars.remove(TRACESTATE);
			if (context.trace().tracestate() != null) {
				vars.put(TRACESTATE, context.trace().tracestate());
			}
		}
		return vars;
	}

	/** The database did not answer for a job's variables: the job is not started; its host gives it back, uncounted. */
	static final class Unavailable extends RuntimeException {

		Unavailable(String message, Throwable cause) {
			super(message, cause);
		}
	}

	/** {@code command} with the variables exported ahead of it, in the shell that runs it. */
	static String prefixed(Map<String, String> vars, String command) {
		if (vars.isEmpty()) {
			return command;
		}
		StringBuilder b = new StringBuilder("export");
		vars.forEach((name, value) -> b.append(' ').append(name).append("='").append(value.replace("'", "'\\''")).append('\''));
		return b.append('\n').append(command).toString();
	}
}
