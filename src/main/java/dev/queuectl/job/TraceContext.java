package dev.queuectl.job;

/**
 * A W3C trace context as text (issue 31): {@code traceparent} ({@code 00-TRACEID-SPANID-FLAGS}) and
 * {@code tracestate} (null: none). The one an enqueue stores with its job names the enqueue's span,
 * and the job's attempts are its children; plain strings, so that no layer but the one that traces
 * (service/Tracing) loads a tracing library.
 */
public record TraceContext(String traceparent, String tracestate) {
}
