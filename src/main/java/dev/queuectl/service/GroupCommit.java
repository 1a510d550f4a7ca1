package dev.queuectl.service;

import dev.queuectl.job.NewJob;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Group commit of single-job enqueues: jobs that callers (HTTP requests, served commands) submit
 * while a commit is under way wait for it, and then the first of them to get the writer's lock
 * stores all that are waiting in one transaction, with one sync to disk, and answers each. Every
 * caller still returns only after its own job's commit, so an answer still means the job is on disk.
 * A group that fails (one job's id is taken, a job names one that another job of the group was not
 * stored for, a storage error) is stored again one job at a time, so each caller gets its own
 * answer or its own error and no other job is lost. Needs no thread of its own: a lone caller
 * commits its job at once, as before.
 */
final class GroupCommit {

	/** At most this many jobs in one transaction; the rest go in the next. */
	static final int MAX_GROUP = 1000;

	private final ConcurrentLinkedQueue<Pending> waiting = new ConcurrentLinkedQueue<>();

	private final ReentrantLock writer = new ReentrantLock();

	private final Function<List<NewJob>, List<JobService.Enqueued>> together;

	private final Function<NewJob, JobService.Enqueued> alone;

	/**
	 * @param together stores jobs in one transaction, all or nothing, and answers each in order
	 * @param alone stores one job in its own transaction
	 */
	GroupCommit(Function<List<NewJob>, List<JobService.Enqueued>> together, Function<NewJob, JobService.Enqueued> alone) {
		this.together = together;
		this.alone = alone;
	}

	/** Stores a validated job with whatever else is waiting; returns once it is committed (or refused). */
	JobService.Enqueued submit(NewJob job) {
		Pending mine = new Pending(job);
		this.waiting.add(mine);
		this.writer.lock();
		try {
			while (!mine.answered) { // else the group of the caller before answered it while this one waited
				commitWaiting();
			}
		}
		finally {
			this.writer.unlock();
		}
		if (mine.error != null) {
			throw mine.error;
		}
		return mine.result;
	}

	/** How many submitted jobs wait for a commit. */
	int waiting() {
		return this.waiting.size();
	}

	/** Under the writer's lock: the oldest waiting jobs (at most {@link #MAX_GROUP}) in one transaction. */
	private void commitWaiting() {
		List<Pending> group = new ArrayList<>();
		for (Pending p; group.size() < MAX_GROUP && (p = this.waiting.poll()) != null;) {
			group.add(p);
		}
		if (group.size() > 1) {
			try {
				List<JobService.Enqueued> results = this.together.apply(group.stream().map(Pending::job).toList());
				for (int i = 0; i < group.size(); i++) {
					group.get(i).answer(results.get(i), null);
				}
				return;
			}
			catch (RuntimeException ex) {
				// one job spoiled the group: each on its own, so each caller gets its own answer
			}
		}
		for (Pending p : group) {
			try {
				p.answer(this.alone.apply(p.job()), null);
			}
			catch (RuntimeException ex) {
				p.answer(null, ex);
			}
		}
	}

	/** A submitted job and, once answered (under the writer's lock), what became of it. */
	private static final class Pending {

		private final NewJob job;

		private boolean answered;

		private JobService.Enqueued result;

		private RuntimeException error;

		Pending(NewJob job) {
			this.job = job;
		}

		NewJob job() {
			return this.job;
		}

		void answer(JobService.Enqueued result, RuntimeException error) {
			this.result = result;
			this.error = error;
			this.answered = true;
		}
	}
}
