package dev.queuectl.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.queuectl.job.NewJob;
import dev.queuectl.config.QueuectlException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link GroupCommit} with real threads and stand-ins for the two ways of storing (the database
 * side is tested through the API and the enqueue commands): jobs that wait while a commit runs go
 * together in the next one, and a group that fails is answered job by job.
 */
class GroupCommitTest {

	private final ExecutorService callers = Executors.newFixedThreadPool(24);

	@AfterEach
	void stop() throws InterruptedException {
		this.callers.shutdownNow();
		assertThat(this.callers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
	}

	private static NewJob job(String id) {
		return new NewJob(id, "true", "default", 0, 3, Instant.EPOCH, false, null, "/", null, List.of());
	}

	private static JobService.Enqueued stored(NewJob job) {
		return new JobService.Enqueued(1, job.id(), List.of());
	}

	@Test
	void jobsSubmittedWhileACommitRunsGoInOneTransactionAndEachCallerGetsItsOwnAnswer() throws Exception {
		CountDownLatch firstCommitRuns = new CountDownLatch(1);
		CountDownLatch releaseFirst = new CountDownLatch(1);
		List<List<String>> transactions = Collections.synchronizedList(new ArrayList<>());
		GroupCommit group = new GroupCommit(jobs -> {
			transactions.add(jobs.stream().map(NewJob::id).toList());
			return jobs.stream().map(GroupCommitTest::stored).toList();
		}, job -> {
			transactions.add(List.of(job.id()));
			firstCommitRuns.countDown();
			await().until(() -> releaseFirst.await(1, TimeUnit.SECONDS));
			return stored(job);
		});
		Future<JobService.Enqueued> first = this.callers.submit(() -> group.submit(job("first")));
		assertThat(firstCommitRuns.await(10, TimeUnit.SECONDS)).isTrue();
		List<Future<JobService.Enqueued>> others = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			String id = "j" + i;
			others.add(this.callers.submit(() -> group.submit(job(id))));
		}
		await().until(() -> group.waiting() == 20); // all queued behind the running commit
		releaseFirst.countDown();

		assertThat(first.get(10, TimeUnit.SECONDS).firstId()).isEqualTo("first");
		for (int i = 0; i < 20; i++) {
			assertThat(others.get(i).get(10, TimeUnit.SECONDS).firstId()).isEqualTo("j" + i);
		}
		assertThat(transactions).hasSize(2);
		assertThat(transactions.get(1)).hasSize(20).contains("j0", "j19");
	}

	@Test
	void aGroupThatFailsIsStoredJobByJobSoOnlyTheBadJobsCallerGetsTheError() throws Exception {
		CountDownLatch firstCommitRuns = new CountDownLatch(1);
		CountDownLatch releaseFirst = new CountDownLatch(1);
		Map<String, Integer> storedAlone = new ConcurrentHashMap<>();
		GroupCommit group = new GroupCommit(jobs -> {
			throw QueuectlException.conflict("a job with id 'taken' already exists");
		}, job -> {
			if (job.id().equals("blocker")) {
				firstCommitRuns.countDown();
				await().until(() -> releaseFirst.await(1, TimeUnit.SECONDS));
			}
			if (job.id().equals("taken")) {
				throw QueuectlException.conflict("a job with id 'taken' already exists");
			}
			storedAlone.merge(job.id(), 1, Integer::sum);
			return stored(job);
		});
		Future<JobService.Enqueued> blocker = this.callers.submit(() -> group.submit(job("blocker")));
		assertThat(firstCommitRuns.await(10, TimeUnit.SECONDS)).isTrue();
		List<Future<JobService.Enqueued>> others = new ArrayList<>();
		for (String id : List.of("a", "taken", "b", "c")) {
			others.add(this.callers.submit(() -> group.submit(job(id))));
		}
		await().until(() -> group.waiting() == 4);
		releaseFirst.countDown();

		assertThat(blocker.get(10, TimeUnit.SECONDS).stored()).isEqualTo(1);
		assertThat(others.get(0).get(10, TimeUnit.SECONDS).firstId()).isEqualTo("a");
		assertThat(others.get(2).get(10, TimeUnit.SECONDS).firstId()).isEqualTo("b");
		assertThat(others.get(3).get(10, TimeUnit.SECONDS).firstId()).isEqualTo("c");
		try {
			others.get(1).get(10, TimeUnit.SECONDS);
			throw new AssertionError("the job whose id is taken was answered as stored");
		}
		catch (java.util.concurrent.ExecutionException ex) {
			assertThat(ex.getCause()).isInstanceOf(QueuectlException.Conflict.class)
				.hasMessage("a job with id 'taken' already exists");
		}
		assertThat(storedAlone).containsOnlyKeys("blocker", "a", "b", "c").allSatisfy((id, n) -> assertThat(n).isOne());
	}
}
