package dev.queuectl.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.queuectl.job.JobState;
import dev.queuectl.config.Setting;
import dev.queuectl.store.DatabaseLocation;
import dev.queuectl.store.JobStore;
import dev.queuectl.store.MaintenanceStore;
import dev.queuectl.store.OutputStore;
import dev.queuectl.store.OutputUsageStore;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Retention: deletes finished jobs (completed, dead, canceled) older than their state's retention
 * setting, with their runs, dependency rows and output (files, or chunks on PostgreSQL), {@value #BATCH} per transaction
 * and a short pause between transactions, so a claim waits on pruning for one batch at most
 * (~10-30 ms). After large deletes the WAL is checkpointed back to zero and, in a database created
 * with auto_vacuum=INCREMENTAL, free pages beyond a reserve for new jobs go back to the file system;
 * in an older database SQLite reuses the free pages for new rows, so the file stops growing.
 * <p>
 * The bound on kept output ({@code output-max-total}, {@link #boundOutput}): each pass measures the
 * output of the attempts that ended since the last one (one stat, or one indexed sum of chunks, per
 * new attempt), adds it to a running total the database keeps by triggers, and while the total is
 * past the bound removes the output of the oldest attempts of finished jobs, {@value #BATCH} at a
 * time. A pass costs what is new and what is removed, never a walk of every output file.
 */
@Service
public class RetentionService {

	private static final Logger log = LoggerFactory.getLogger("dev.queuectl.retention");

	/** Jobs deleted per transaction. */
	static final int BATCH = 500;

	/** A pause between two batches, so claims get the write lock in between. */
	static final Duration BETWEEN_BATCHES = Duration.ofMillis(20);

	/** Deleting at least this many jobs is a large delete: checkpoint and vacuum afterwards. */
	static final int LARGE = 2_000;

	/** The finished states retention applies to, with their settings. */
	public static final Map<JobState, Setting> SETTINGS = Map.of(JobState.COMPLETED, Setting.RETENTION_COMPLETED,
			JobState.DEAD, Setting.RETENTION_DEAD, JobState.CANCELED, Setting.RETENTION_CANCELED);

	public static final List<JobState> STATES = List.of(JobState.COMPLETED, JobState.DEAD, JobState.CANCELED);

	private final JobStore jobs;

	private final MaintenanceStore maintenance;

	private final Settings settings;

	private final TransactionTemplate tx;

	private final Clock clock;

	private final DatabaseLocation location;

	private final OutputStore outputs;

	private final OutputUsageStore usage;

	private final dev.queuectl.store.NotificationStore notifications;

	private final dev.queuectl.store.BatchStore batches;

	RetentionService(JobStore jobs, MaintenanceStore maintenance, Settings settings, TransactionTemplate tx, Clock clock,
			DatabaseLocation location, OutputStore outputs, OutputUsageStore usage,
			dev.queuectl.store.NotificationStore notifications, dev.queuectl.store.BatchStore batches) {
		this.batches = batches;
		this.notifications = notifications;
		this.outputs = outputs;
		this.usage = usage;
		this.jobs = jobs;
		this.maintenance = maintenance;
		this.settings = settings;
		this.tx = tx;
		this.clock = clock;
		this.location = location;
	}

	/** What a prune removed (or would): jobs per state, output bytes, orphan output folders. */
	public record Pruned(Map<JobState, Long> jobs, Map<JobState, Duration> olderThan, long outputBytes,
			long orphanFolders) {

		public long total() {
			return this.jobs.values().stream().mapToLong(Long::longValue).sum();
		}
	}

	/** The configured retention of each finished state; zero means kept forever. */
	public Map<JobState, Duration> configured() {
		Map<JobState, Duration> ages = new EnumMap<>(JobState.class);
		for (JobState state : STATES) {
			ages.put(state, dev.queuectl.config.Durations.parseOrNull(this.settings.get(SETTINGS.get(state))));
		}
		return ages;
	}

	/** What worker hosts run every minute: prune by the retention settings, then bound the output. */
	public Pruned pruneExpired() {
		Pruned pruned = prune(configured(), false, false);
		pruneNotifications();
		Bounded bounded = boundOutput();
		if (bounded.removedAttempts() > 0) {
			log.info("output-max-total {}: removed the output of {} attempt(s) of finished jobs ({} bytes); {} bytes kept",
					Setting.formatSize(bounded.limit()), bounded.removedAttempts(), bounded.removedBytes(), bounded.total());
		}
		return pruned;
	}

	/**
	 * Deletes delivered notifications (issue 27) as old as retention-completed says for completed
	 * jobs ({@value #BATCH} per statement); pending and failed ones stay until delivered or retried.
	 * Returns how many.
	 */
	public int pruneNotifications() {
		Duration age = configured().get(JobState.COMPLETED);
		if (age == null || age.isZero()) {
			return 0;
		}
		Instant before = this.clock.instant().minus(age);
		int total = 0;
		int n;
		do {
			n = this.notifications.pruneDelivered(before, BATCH);
			total += n;
		}
		while (n == BATCH);
		return total;
	}

	/** What a pass of the output bound did: attempts measured, attempts and bytes removed, the total after, the limit. */
	public record Bounded(long measured, long removedAttempts, long removedBytes, long total, long limit) {
	}

	/** The configured bound on kept output, in bytes; 0 means none. */
	public long outputLimit() {
		return Setting.parseSize(this.settings.get(Setting.OUTPUT_MAX_TOTAL));
	}

	/**
	 * Measures the output of attempts not measured yet, then, while the total is past
	 * {@code output-max-total}, removes the output of the oldest attempts of finished jobs (never a
	 * running job's) until it is not.
	 */
	public Bounded boundOutput() {
		long measured = 0;
		while (true) {
			List<OutputStore.Attempt> batch = this.usage.unmeasured(BATCH);
			if (!batch.isEmpty()) {
				Map<Long, Long> sizes = this.outputs.measure(batch);
				this.tx.executeWithoutResult(status -> this.usage.measured(sizes));
				measured += batch.size();
			}
			if (batch.size() < BATCH) {
				break;
			}
		}
		long limit = outputLimit();
		long total = this.usage.total();
		long removed = 0;
		long removedBytes = 0;
		while (limit > 0 && total > limit) {
			List<OutputStore.Attempt> oldest = this.usage.oldestOfFinishedJobs(BATCH);
			List<OutputStore.Attempt> take = new java.util.ArrayList<>();
			long over = total - limit;
			for (OutputStore.Attempt a : oldest) {
				if (over <= 0) {
					break;
				}
				take.add(a);
				over -= a.bytes();
			}
			if (take.isEmpty()) {
				break; // what is left belongs to jobs still running or to be retried
			}
			// the runs first: a reader then says "removed" rather than finding a file gone
			this.tx.executeWithoutResult(status -> this.usage.removed(take, this.clock.instant()));
			this.outputs.remove(take);
			removed += take.size();
			removedBytes += take.stream().mapToLong(OutputStore.Attempt::bytes).sum();
			total = this.usage.total();
		}
		return new Bounded(measured, removed, removedBytes, total, limit);
	}

	/**
	 * Deletes the jobs of each state given that finished more than its duration ago (zero: none);
	 * with {@code dryRun} only counts them. With {@code sweep} it also removes output of jobs that no
	 * longer exist (a scan of the output folder or table: on demand, not every minute).
	 */
	public Pruned prune(Map<JobState, Duration> olderThan, boolean dryRun, boolean sweep) {
		Instant now = this.clock.instant();
		Map<JobState, Long> counts = new LinkedHashMap<>();
		Map<JobState, Duration> ages = new LinkedHashMap<>();
		long bytes = 0;
		for (JobState state : STATES) {
			Duration age = olderThan.get(state);
			if (age == null) {
				continue;
			}
			ages.put(state, age);
			if (age.isZero()) {
				counts.put(state, 0L);
				continue;
			}
			Instant before = now.minus(age);
			if (dryRun) {
				counts.put(state, this.jobs.countOlder(state, before));
				continue;
			}
			long n = 0;
			while (true) {
				List<String> ids = this.tx.execute(status -> this.jobs.pruneBatch(state, before, BATCH));
				n += ids.size();
				bytes += this.outputs.delete(ids);
				if (ids.size() < BATCH) {
					break;
				}
				pause(BETWEEN_BATCHES);
			}
			counts.put(state, n);
		}
		if (!dryRun) {
			pruneBatches(now, ages);
		}
		long orphans = dryRun || !sweep ? 0 : this.outputs.sweepOrphans();
		Pruned pruned = new Pruned(counts, ages, bytes, orphans);
		if (pruned.total() >= LARGE) {
			compact();
		}
		return pruned;
	}

	/**
	 * Deletes the records of settled batches whose jobs and callbacks are all gone (issue 28),
	 * {@value #BATCH} per transaction: those settled longer ago than the shortest retention given
	 * (a batch settled since still has its jobs). None when every state is kept forever. Returns how many.
	 */
	int pruneBatches(Instant now, Map<JobState, Duration> ages) {
		Duration shortest = ages.values().stream().filter(a -> !a.isZero()).min(Duration::compareTo).orElse(null);
		if (shortest == null) {
			return 0;
		}
		Instant before = now.minus(shortest);
		int total = 0;
		int n;
		do {
			n = this.tx.execute(status -> this.batches.pruneSettled(before, BATCH)).size();
			total += n;
		}
		while (n == BATCH);
		return total;
	}

	/**
	 * After a large delete: the WAL back to zero bytes, and (auto_vacuum=INCREMENTAL) the free
	 * pages beyond an eighth of the file given back.
	 */
	public void compact() {
		try {
			this.maintenance.checkpoint(true);
			if (this.maintenance.incrementalVacuum()) {
				long free = this.maintenance.freePages();
				long reserve = this.maintenance.pageCount() / 8;
				if (free > reserve) {
					this.maintenance.releaseFreePages(free - reserve);
					this.maintenance.checkpoint(true);
				}
			}
		}
		catch (RuntimeException ex) {
			log.warn("compacting the database failed: {}", ex.getMessage());
		}
	}

	/** The WAL back to zero bytes, when a worker host has nothing to do. */
	public void checkpointIdle() {
		if (!this.location.isPostgres() && size(Path.of(this.location.file() + "-wal")) > 0) {
			this.maintenance.checkpoint(true);
		}
	}

	/** Sizes of the database file, its WAL and the output (folder or table), in bytes, and the free pages in the file. */
	/**
	 * ... and of output: {@code output} on disk as measured now (files, or the table on PostgreSQL),
	 * {@code outputCounted} the finished attempts' output the bound counts, {@code outputLimit} the
	 * bound (0: none).
	 */
	public record Sizes(long database, long wal, long output, long freeBytes, boolean outputCapped, long outputCounted,
			long outputLimit) {
	}

	public Sizes sizes() {
		OutputStore.Size output = this.outputs.size();
		long counted = this.usage.total();
		long limit = outputLimit();
		if (this.location.isPostgres()) {
			return new Sizes(this.maintenance.serverDatabaseBytes(), 0, output.bytes(), 0, output.lowerBound(), counted,
					limit);
		}
		Path db = this.location.file();
		long free = this.maintenance.freePages() * this.maintenance.pageSize();
		return new Sizes(size(db), size(Path.of(db + "-wal")), output.bytes(), free, output.lowerBound(), counted, limit);
	}

	private static long size(Path file) {
		try {
			return Files.size(file);
		}
		catch (IOException ex) {
			return 0;
		}
	}

	private static void pause(Duration d) {
		try {
			Thread.sleep(d.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}
}
