package dev.queuectl.service;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.queuectl.job.WorkerInfo;
import dev.queuectl.QueuectlException;
import dev.queuectl.store.MigrateStore;
import dev.queuectl.store.WorkerRegistryStore;
import org.springframework.stereotype.Service;

/**
 * The rules of {@code queuectl migrate --to URL}: this SQLite queue goes, whole, into an empty
 * PostgreSQL database while no worker host runs on it. A host that beat within the lease timeout
 * counts as running (exit 1: stop it first); a target holding any job, schedule, setting or queue
 * setting is refused (exit 2), so a migration never merges two queues. A job left 'processing' by a
 * host that died is copied as it is: its lease expires on the target and a host there takes it back.
 * Output files are copied into the database (where PostgreSQL keeps output, for every machine to
 * read); the files themselves stay where they are.
 */
@Service
public class MigrateService {

	private final MigrateStore store;

	private final WorkerRegistryStore workers;

	private final Settings settings;

	private final Clock clock;

	MigrateService(MigrateStore store, WorkerRegistryStore workers, Settings settings, Clock clock) {
		this.store = store;
		this.workers = workers;
		this.settings = settings;
		this.clock = clock;
	}

	/** Rows copied per table, in the order they were copied. */
	public Map<String, Long> migrate(String url) {
		if (url == null || url.isBlank()) {
			throw QueuectlException.usage("migrate needs --to postgresql://user@host:5432/db");
		}
		if (this.store.sourceIsPostgres()) {
			throw QueuectlException.usage("migrate copies an SQLite queue into PostgreSQL; this queue is in PostgreSQL already");
		}
		return this.store.copyTo(url.trim(), new MigrateStore.Rules() {
			@Override
			public void checkSource() {
				Instant now = MigrateService.this.clock.instant();
				Instant cutoff = now.minus(MigrateService.this.settings.snapshot().leaseTimeout());
				List<WorkerInfo> live = MigrateService.this.workers.workers(now).stream()
					.filter(w -> w.heartbeatAt().isAfter(cutoff)).toList();
				if (!live.isEmpty()) {
					WorkerInfo w = live.get(0);
					throw new QueuectlException(QueuectlException.FAILURE, live.size() + " worker host(s) still run on this queue (" + w.hostname()
							+ " pid " + w.pid() + "): stop them first (queuectl worker stop)");
				}
			}

			@Override
			public void checkTarget(Map<String, Long> rows) {
				long held = rows.values().stream().mapToLong(Long::longValue).sum();
				if (held > 0) {
					throw QueuectlException.usage("the target " + displayOf(url) + " is not empty (" + describe(rows)
							+ "): migrate copies only into an empty database");
				}
			}
		});
	}

	private String displayOf(String url) {
		return this.store.display(url);
	}

	private static String describe(Map<String, Long> rows) {
		StringBuilder sb = new StringBuilder();
		rows.forEach((table, n) -> {
			if (n > 0) {
				sb.append(sb.isEmpty() ? "" : ", ").append(n).append(' ').append(table);
			}
		});
		return sb.toString();
	}
}
