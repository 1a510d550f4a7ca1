-- traces (issue 31): the W3C trace context of the span that enqueued a job (traceparent, and
-- tracestate when there was one), so that each attempt's span on the worker host is a child of it
-- in the same trace. Written in the enqueue's own transaction, only while tracing is on; NULL else.
ALTER TABLE jobs ADD COLUMN trace_parent TEXT;
ALTER TABLE jobs ADD COLUMN trace_state TEXT;
