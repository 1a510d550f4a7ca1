package dev.queuectl.job;

/**
 * A W3C trace context as text (issue 31): {@code traceparent} ({@code 00-TRACEID-SPANID-FLAGS}) and
 * {@code tracestate} (null: none). The one an enqueue stores with its job names the enqueue's span,
 * and the job's attempts are its children; plain strings, so that no layer but the one that traces
 * (service/Tracing) loads a tracing library.
 */
public record TraceContext(String traceparent, String tracestate) {

	/**
	 * The context that {@code TRACEPARENT} and {@code TRACESTATE} name in an environment (a process's
	 * own, or the caller's that came with a served command), or null when {@code TRACEPARENT} is not set.
	 */
	public static TraceContext fromEnvironment(java.util.Map<String, String> env) {
		String parent = env.get("TRACEPARENT");
		if (parent == null || parent.isBlank()) {
			return null;
		}
		String state = env.get("TRACESTATE");
		return new TraceContext(parent, state == null || state.isEmpty() ? null : state);
	}
}
