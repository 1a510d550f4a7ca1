package dev.queuectl.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Job output in the database (PostgreSQL), so that {@code logs} on any machine reads what a worker
 * on another machine ran: the table {@code job_output}, one row per chunk. A writer keeps up to
 * {@value #CHUNK_BYTES} bytes and stores them as one row when that fills or every
 * {@value #FLUSH_MS} ms, whichever comes first (one insert per chunk, not per line); its last
 * chunk is stored before the attempt's end is recorded, so a reader that sees the attempt ended
 * has seen all of it.
 */
final class PostgresOutputStore implements OutputStore, AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(PostgresOutputStore.class);

	static final int CHUNK_BYTES = 64 * 1024;

	static final long FLUSH_MS = 200;

	/** What job_runs.output_path holds for output kept in job_output. */
	static final String IN_DATABASE = "job_output";

	private static final String INSERT = "INSERT INTO job_output (job_id, attempt, started_at, seq, chunk) VALUES (?, ?, ?, ?, ?)";

	/** Chunks read per query. */
	private static final int READ_CHUNKS = 16;

	private final JdbcTemplate jdbc;

	private final Set<ChunkWriter> open = ConcurrentHashMap.newKeySet();

	private ScheduledExecutorService flusher;

	PostgresOutputStore(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	@Override
	public Output create(String jobId, int attempt, Instant startedAt) {
		startFlusher();
		return new ChunkWriter(jobId, attempt, startedAt.toEpochMilli());
	}

	private synchronized void startFlusher() {
		if (this.flusher == null) {
			this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
				Thread t = new Thread(r, "queuectl-output-flush");
				t.setDaemon(true);
				return t;
			});
			this.flusher.scheduleWithFixedDelay(() -> this.open.forEach(ChunkWriter::flushQuietly), FLUSH_MS, FLUSH_MS,
					TimeUnit.MILLISECONDS);
		}
	}

	/**
	 * Stores a file as an attempt's output, in chunks, through {@code jdbc} (a migration's
	 * transaction); returns the chunks stored.
	 */
	static long importFile(JdbcTemplate jdbc, String jobId, int attempt, long startedAt, Path file) throws IOException {
		int seq = 0;
		try (InputStream in = Files.newInputStream(file)) {
			for (byte[] chunk; (chunk = in.readNBytes(CHUNK_BYTES)).length > 0;) {
				jdbc.update(INSERT, jobId, attempt, startedAt, seq++, chunk);
			}
		}
		return seq;
	}

	@Override
	public InputStream open(String jobId, int attempt, Instant startedAt, String outputPath) throws IOException {
		if (outputPath != null && !outputPath.equals(IN_DATABASE)) {
			// written by an older queuectl to a file of the machine that ran it
			Path file = Path.of(outputPath);
			return Files.exists(file) ? Files.newInputStream(file) : null;
		}
		ChunkReader reader = new ChunkReader(jobId, attempt, startedAt.toEpochMilli());
		return reader.fetch() ? reader : null;
	}

	@Override
	public long delete(List<String> jobIds) {
		if (jobIds.isEmpty()) {
			return 0;
		}
		return this.jdbc.queryForObject("""
				WITH gone AS (DELETE FROM job_output WHERE job_id = ANY (CAST(? AS TEXT[])) RETURNING octet_length(chunk) AS n)
				SELECT COALESCE(SUM(n), 0) FROM gone""", Long.class, Dialect.POSTGRESQL.idList(jobIds));
	}

	@Override
	public long sweepOrphans() {
		return this.jdbc.queryForObject("""
				WITH gone AS (DELETE FROM job_output o WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = o.job_id)
				              RETURNING job_id)
				SELECT COUNT(DISTINCT job_id) FROM gone""", Long.class);
	}

	@Override
	public java.util.Map<Long, Long> measure(List<Attempt> attempts) {
		java.util.Map<Long, Long> bytes = new java.util.LinkedHashMap<>();
		for (Attempt a : attempts) {
			// the primary key's range (job, attempt, start): this attempt's chunks alone
			Long n = this.jdbc.queryForObject("""
					SELECT COALESCE(SUM(octet_length(chunk)), 0) FROM job_output
					WHERE job_id = ? AND attempt = ? AND started_at = ?""", Long.class, a.jobId(), a.attempt(),
					a.startedAt().toEpochMilli());
			bytes.put(a.runId(), n == null ? 0 : n);
		}
		return bytes;
	}

	@Override
	public void remove(List<Attempt> attempts) {
		this.jdbc.batchUpdate("DELETE FROM job_output WHERE job_id = ? AND attempt = ? AND started_at = ?",
				attempts.stream().map(a -> new Object[] { a.jobId(), a.attempt(), a.startedAt().toEpochMilli() }).toList());
	}

	@Override
	public Size size() {
		// the table's size on disk as the server counts it: no scan of the chunks
		return new Size(this.jdbc.queryForObject("SELECT pg_total_relation_size('job_output')", Long.class), false);
	}

	@Override
	public void close() {
		ScheduledExecutorService f;
		synchronized (this) {
			f = this.flusher;
		}
		if (f != null) {
			f.shutdownNow();
		}
	}

	/** Stores one attempt's output as chunks, numbered from 0. */
	private final class ChunkWriter implements Output {

		private final String jobId;

		private final int attempt;

		private final long startedAt;

		private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

		private int seq;

		private IOException failure;

		ChunkWriter(String jobId, int attempt, long startedAt) {
			this.jobId = jobId;
			this.attempt = attempt;
			this.startedAt = startedAt;
		}

		@Override
		public synchronized void write(byte[] b, int off, int len) throws IOException {
			if (this.failure != null) {
				throw this.failure;
			}
			if (this.seq == 0 && this.pending.size() == 0) {
				PostgresOutputStore.this.open.add(this);
			}
			while (len > 0) {
				int n = Math.min(len, CHUNK_BYTES - this.pending.size());
				this.pending.write(b, off, n);
				off += n;
				len -= n;
				if (this.pending.size() == CHUNK_BYTES) {
					flush();
				}
			}
		}

		void flushQuietly() {
			try {
				synchronized (this) {
					flush();
				}
			}
			catch (IOException ex) {
				log.debug("storing output of {} failed", this.jobId, ex);
			}
		}

		/** Stores the pending bytes as the next chunk (the caller holds this writer's lock). */
		private void flush() throws IOException {
			if (this.failure != null) {
				throw this.failure;
			}
			if (this.pending.size() == 0) {
				return;
			}
			try {
				PostgresOutputStore.this.jdbc.update(INSERT, this.jobId, this.attempt, this.startedAt, this.seq,
						this.pending.toByteArray());
			}
			catch (DataAccessException ex) {
				this.failure = new IOException("cannot store output: " + ex.getMostSpecificCause().getMessage(), ex);
				PostgresOutputStore.this.open.remove(this);
				throw this.failure;
			}
			this.seq++;
			this.pending.reset();
		}

		@Override
		public synchronized String close() throws IOException {
			PostgresOutputStore.this.open.remove(this);
			boolean wrote = this.seq > 0 || this.pending.size() > 0;
			flush();
			return wrote ? IN_DATABASE : null;
		}
	}

	/** Reads an attempt's chunks in order, a few per query; at the last one stored, -1 until more are. */
	private final class ChunkReader extends InputStream {

		private final String jobId;

		private final int attempt;

		private final long startedAt;

		private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();

		private int next;

		private byte[] current;

		private int pos;

		ChunkReader(String jobId, int attempt, long startedAt) {
			this.jobId = jobId;
			this.attempt = attempt;
			this.startedAt = startedAt;
		}

		/** Reads the next chunks stored, if any; says whether there were. */
		boolean fetch() {
			List<byte[]> more = PostgresOutputStore.this.jdbc.query("""
					SELECT chunk FROM job_output WHERE job_id = ? AND attempt = ? AND started_at = ? AND seq >= ?
					ORDER BY seq LIMIT ?""", (rs, row) -> rs.getBytes(1), this.jobId, this.attempt, this.startedAt,
					this.next, READ_CHUNKS);
			this.chunks.addAll(more);
			this.next += more.size();
			return !more.isEmpty();
		}

		@Override
		public int read() {
			byte[] one = new byte[1];
			return read(one, 0, 1) == 1 ? one[0] & 0xFF : -1;
		}

		@Override
		public int read(byte[] b, int off, int len) {
			if (len == 0) {
				return 0;
			}
			while (this.current == null || this.pos == this.current.length) {
				this.current = this.chunks.poll();
				this.pos = 0;
				if (this.current == null && !fetch()) {
					return -1;
				}
			}
			int n = Math.min(len, this.current.length - this.pos);
			System.arraycopy(this.current, this.pos, b, off, n);
			this.pos += n;
			return n;
		}
	}
}
