package dev.queuectl.service;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.job.Progress;
import dev.queuectl.store.TalkStore;
import org.springframework.stereotype.Service;

/**
 * What a running job tells the queue (issue 27): its progress and its result.
 * <p>
 * Progress runs inside users' hot loops, so it must never fail or stall the job: the write goes to
 * a small pool and the command waits for it at most {@link #PROGRESS_WAIT}; a database busy longer,
 * or failing, costs the report (the next one will do) and nothing else: the command still exits 0.
 * Writes that queue up behind a busy database are bounded ({@link #PENDING}), the oldest dropped:
 * only the latest value is kept anyway. An unknown job is still an error (exit 3): that is the
 * caller's mistake, not the queue's state.
 * <p>
 * A result is at most {@link #MAX_RESULT} bytes of UTF-8 text without NUL (PostgreSQL's text holds
 * none), stored for the attempt that runs: with {@code attempt} given (inside a job) only while
 * the job still runs that attempt, so a process left over from an earlier attempt cannot
 * overwrite a newer one's.
 */
@Service
public class TalkService {

	private static final Logger log = LoggerFactory.getLogger(TalkService.class);

	/** How long {@code progress} waits for its write before it gives up on it. */
	static final Duration PROGRESS_WAIT = Duration.ofMillis(1500);

	/** Progress writes that may wait behind a busy database. */
	static final int PENDING = 256;

	/** The largest result, in bytes of UTF-8. */
	public static final int MAX_RESULT = 1024 * 1024;

	private final TalkStore store;

	private final Clock clock;

	private final ThreadPoolExecutor writes = new ThreadPoolExecutor(1, 2, 30, TimeUnit.SECONDS,
			new ArrayBlockingQueue<>(PENDING), r -> {
				Thread t = new Thread(r, "queuectl-progress");
				t.setDaemon(true);
				return t;
			}, new ThreadPoolExecutor.DiscardOldestPolicy());

	TalkService(TalkStore store, Clock clock) {
		this.store = store;
		this.clock = clock;
		this.writes.allowCoreThreadTimeOut(true);
	}

	/**
	 * Records {@code amount} ("40/100" or "40%") and an optional message as the job's progress.
	 * Returns false when the queue was too busy to take it in time (nothing else goes wrong).
	 */
	public boolean progress(String jobId, String amount, String message) {
		Progress p = Progress.parse(amount, message, this.clock.instant());
		Future<Boolean> write = this.writes.submit(() -> this.store.setProgress(jobId, p));
		try {
			if (!write.get(PROGRESS_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
				throw QueuectlException.noSuchJob(jobId);
			}
			return true;
		}
		catch (TimeoutException ex) {
			return false; // it may still land; the job goes on either way
		}
		catch (ExecutionException ex) {
			log.debug("progress of {} not recorded", jobId, ex.getCause());
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/** Checks a result's text: at most 1 MiB, no NUL. */
	public static String checkResult(String value) {
		if (value.length() > MAX_RESULT / 4 && dev.queuectl.job.JobSpecParser.utf8Length(value) > MAX_RESULT) {
			throw QueuectlException.usage("a result is at most 1 MiB (1048576 bytes), got "
					+ dev.queuectl.job.JobSpecParser.utf8Length(value));
		}
		if (value.indexOf('\0') >= 0) {
			throw QueuectlException.usage("a result must not contain a NUL character");
		}
		return value;
	}

	/** A result read from standard input: UTF-8, at most 1 MiB (one byte more is refused). */
	public static String resultFrom(byte[] bytes) {
		if (bytes.length > MAX_RESULT) {
			throw QueuectlException.usage("a result is at most 1 MiB (1048576 bytes): standard input holds more");
		}
		try {
			return checkResult(StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes))
				.toString());
		}
		catch (CharacterCodingException ex) {
			throw QueuectlException.usage("a result must be UTF-8 text: standard input holds an invalid byte");
		}
	}

	/**
	 * Stores the job's result. {@code attempt}: the attempt that sets it (inside a job), which must
	 * still be running; null: the job's latest attempt, whatever its state.
	 */
	public void setResult(String jobId, Integer attempt, String value) {
		checkResult(value);
		TalkStore.Attempt now = this.store.attempt(jobId).orElseThrow(() -> QueuectlException.noSuchJob(jobId));
		if (attempt != null && (now.attempts() != attempt || !now.state().equals("processing"))) {
			throw new QueuectlException(QueuectlException.FAILURE, "job " + jobId + " is not running attempt " + attempt
					+ " any more (it is " + now.state() + ", attempt " + now.attempts() + "): result not stored");
		}
		this.store.setResult(jobId, attempt != null ? attempt : now.attempts(), value, this.clock.instant());
	}

	/** The job's result; exit 3 for an unknown job, empty when it has none. */
	public Optional<dev.queuectl.job.JobResult> result(String jobId) {
		Optional<dev.queuectl.job.JobResult> r = this.store.result(jobId);
		if (r.isEmpty() && this.store.attempt(jobId).isEmpty()) {
			throw QueuectlException.noSuchJob(jobId);
		}
		return r;
	}

	/** The job's result if it has one, for show and the API (no error for an unknown job). */
	public Optional<dev.queuectl.job.JobResult> resultIfAny(String jobId) {
		return this.store.result(jobId);
	}
}
