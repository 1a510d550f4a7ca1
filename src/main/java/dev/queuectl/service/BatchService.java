package dev.queuectl.service;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.job.Batch;
import dev.queuectl.job.Job;
import dev.queuectl.job.JobState;
import dev.queuectl.store.BatchStore;
import dev.queuectl.store.JobStore;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Batches (issue 28): listing, showing and canceling them, and a batch's jobs. Enqueueing into a
 * batch is {@link JobService}'s (the enqueue's one transaction); settling is the store's, in the
 * transaction that ends a batch's last job.
 */
@Service
public class BatchService {

	private final BatchStore batches;

	private final JobStore jobs;

	private final TransactionTemplate tx;

	private final Clock clock;

	BatchService(BatchStore batches, JobStore jobs, TransactionTemplate tx, Clock clock) {
		this.batches = batches;
		this.jobs = jobs;
		this.tx = tx;
		this.clock = clock;
	}

	/** Every batch, newest first. */
	public List<Batch> list() {
		return this.batches.list();
	}

	/** A batch with its unfinished jobs counted by state; an unknown name is exit 3. */
	public Batch get(String name) {
		JobService.batchName(name);
		return this.batches.find(name).orElseThrow(() -> noSuchBatch(name));
	}

	static QueuectlException noSuchBatch(String name) {
		return new QueuectlException(QueuectlException.NOT_FOUND, "no such batch: " + name);
	}

	/** What a batch cancel did: jobs canceled at once, and running ones asked to stop. */
	public record Canceled(int canceled, int requested) {
	}

	/**
	 * Cancels every job of a batch that has not finished: those not started at once (with the jobs
	 * that run after them, as a cancel does), running ones by asking their hosts. The batch settles
	 * when the last one ends, and its on_failure and on_complete callbacks run.
	 * <p>
	 * Lock order, so that it never deadlocks with a host finishing the batch's jobs (PostgreSQL): a
	 * host's settle locks its running jobs, then the batch's row (the counters' trigger), then the
	 * jobs after them. The cancel's transaction locks the batch's row first, then the jobs not
	 * started and those after them, and no running job; the running ones are asked once it has
	 * committed ({@link BatchStore#requestCancel}, a job at a time). A job a host claimed meanwhile
	 * was running when the transaction read it, so the asking reaches it; none can start after it.
	 */
	public Canceled cancel(String name) {
		get(name);
		Instant now = this.clock.instant();
		List<String> ids = this.tx.execute(status -> {
			this.batches.lock(name);
			List<String> idle = this.batches.cancelIdle(name, "canceled: batch " + name + " canceled", now);
			this.jobs.cancelDependents(idle, now); // and settles the batch when nothing of it runs
			return idle;
		});
		return new Canceled(ids.size(), this.batches.requestCancel(name, now));
	}

	/** A page of a batch's jobs by id, of one state (null: any), after {@code afterId}. */
	public List<Job> jobs(String name, JobState state, String afterId, int limit) {
		get(name);
		return this.batches.jobs(name, state, afterId, limit);
	}

	/** The batch a job belongs to, or whose callback it is; null for neither. */
	public String batchOf(String jobId) {
		return this.batches.batchOf(jobId);
	}
}
