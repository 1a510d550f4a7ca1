package dev.queuectl.web;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.worker.JobOutput;
import jakarta.annotation.PreDestroy;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * A job's output for the web, through {@link JobOutput} as {@code logs} and {@code logs --follow}
 * read it: whole, or as server-sent events ({@code output} events whose data is a JSON string of
 * the text, then one {@code end} event) while the attempt runs. At most {@value #MAX_FOLLOWERS}
 * follow at once; one whose client went away stops at its next write.
 */
@Component
@ConditionalOnWebApplication
class OutputStreams {

	static final int MAX_FOLLOWERS = 32;

	private final JobOutput output;

	private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
		Thread t = new Thread(r, "queuectl-web-follow");
		t.setDaemon(true);
		return t;
	});

	private final Semaphore followers = new Semaphore(MAX_FOLLOWERS);

	OutputStreams(JobOutput output) {
		this.output = output;
	}

	String text(String id, Integer attempt) throws IOException {
		StringWriter text = new StringWriter();
		this.output.print(id, attempt, false, new PrintWriter(text));
		return text.toString();
	}

	SseEmitter follow(String id, Integer attempt) throws IOException {
		text(id, attempt); // an unknown job or attempt is an error now, not an event
		if (!this.followers.tryAcquire()) {
			throw new QueuectlException(QueuectlException.FAILURE,
					"already " + MAX_FOLLOWERS + " followers of output: try again later");
		}
		SseEmitter emitter = new SseEmitter(0L);
		this.threads.execute(() -> {
			try (PrintWriter events = new PrintWriter(new EventWriter(emitter))) {
				this.output.print(id, attempt, true, events);
				events.flush();
				emitter.send(SseEmitter.event().name("end").data("{}"));
				emitter.complete();
			}
			catch (UncheckedIOException ex) {
				emitter.completeWithError(ex); // the client went away
			}
			catch (IOException | RuntimeException ex) {
				try {
					emitter.send(SseEmitter.event().name("failed").data(ex instanceof QueuectlException q ? q.getMessage()
							: "cannot read the output"));
				}
				catch (IOException | RuntimeException gone) {
					// nothing to tell
				}
				emitter.complete();
			}
			finally {
				this.followers.release();
			}
		});
		return emitter;
	}

	@PreDestroy
	void stop() {
		this.threads.shutdownNow();
	}

	/** Collects text and sends it as one event per flush. */
	private static final class EventWriter extends Writer {

		private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();

		private final SseEmitter emitter;

		private final StringBuilder pending = new StringBuilder();

		EventWriter(SseEmitter emitter) {
			this.emitter = emitter;
		}

		@Override
		public void write(char[] buf, int off, int len) {
			this.pending.append(buf, off, len);
		}

		@Override
		public void flush() {
			if (this.pending.isEmpty()) {
				return;
			}
			try {
				this.emitter.send(SseEmitter.event().name("output").data(JSON.writeValueAsString(this.pending.toString())));
			}
			catch (IOException | IllegalStateException ex) {
				throw new UncheckedIOException(new IOException("client went away", ex));
			}
			this.pending.setLength(0);
		}

		@Override
		public void close() {
			flush();
		}
	}
}
