package dev.queuectl.job;

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

import dev.queuectl.config.Setting;
import dev.queuectl.config.Settings;
import dev.queuectl.store.DatabaseLocation;
import dev.queuectl.store.JobStore;
import dev.queuectl.store.MaintenanceStore;
import dev.queuectl.store.OutputStore;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Retention: deletes finished jobs (completed, dead, canceled) older than their state's retention
 * setting, with their runs, dependency rows and output (files, or chunks on PostgreSQL), {@value #BATCH} per transaction
 * and a short pause between transactions, so a claim waits on pruning for one batch at most
 * (~10-30 ms). After large deletes the WAL is checkpointed back to zero and, in a database created
 * with auto_vacuum=INCREMENTAL, free pages beyond a reserve for new jobs go back to the file system;
 * in an older database SQLite reuses the free pages for new rows, so the file stops growing.
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

	RetentionService(JobStore jobs, MaintenanceStore maintenance, Settings settings, TransactionTemplate tx, Clock clock,
			DatabaseLocation location, OutputStore outputs) {
		this.outputs = outputs;
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

	/** What worker hosts run every minute: prune by the retention settings. */
	public Pruned pruneExpired() {
		return prune(configured(), false, false);
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
		long orphans = dryRun || !sweep ? 0 : this.outputs.sweepOrphans();
		Pruned pruned = new Pruned(counts, ages, bytes, orphans);
		if (pruned.total() >= LARGE) {
			compact();
		}
		return pruned;
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
	public record Sizes(long database, long wal, long output, long freeBytes, boolean outputCapped) {
	}

	public Sizes sizes() {
		OutputStore.Size output = this.outputs.size();
		if (this.location.isPostgres()) {
			return new Sizes(this.maintenance.serverDatabaseBytes(), 0, output.bytes(), 0, output.lowerBound());
		}
		Path db = this.location.file();
		long free = this.maintenance.freePages() * this.maintenance.pageSize();
		return new Sizes(size(db), size(Path.of(db + "-wal")), output.bytes(), free, output.lowerBound());
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
