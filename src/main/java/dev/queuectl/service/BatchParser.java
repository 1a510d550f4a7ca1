package dev.queuectl.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import dev.queuectl.job.JobSpecParser;
import dev.queuectl.job.NewJob;
import dev.queuectl.config.QueuectlException;
import tools.jackson.databind.JsonNode;

/**
 * Reads and parses a batch (JSON Lines, or one JSON array) on a thread of its own and hands the
 * jobs over in chunks through a bounded queue, so that its caller can store one chunk while the
 * next is parsed. What the parsing throws (a malformed line, a limit) reaches the caller at
 * {@link #next}, after every chunk before it. Closing it before the end stops the parsing thread
 * at its next chunk or read (an open stream is the caller's to close).
 */
final class BatchParser implements AutoCloseable {

	/** Jobs in one chunk. */
	static final int CHUNK = 1024;

	/** Parsed jobs and the line (or array item) each came from. */
	record Chunk(List<NewJob> jobs, int[] positions) {
	}

	private static final Object END = new Object();

	private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(16);

	private final InputStream input;

	private final JobSpecParser.Defaults defaults;

	private final Thread thread;

	/** "line " or "item ": what a position of a {@link Chunk} counts (set before the first chunk). */
	private volatile String unit = "line ";

	private boolean ended;

	BatchParser(InputStream input, JobSpecParser.Defaults defaults) {
		this.input = input;
		this.defaults = defaults;
		this.thread = new Thread(this::run, "queuectl-batch-parser");
		this.thread.setDaemon(true);
		this.thread.start();
	}

	/** The next chunk, or null after the last one; throws what the parsing threw, where it stopped. */
	Chunk next() throws IOException {
		if (this.ended) {
			return null;
		}
		Object next;
		try {
			next = this.queue.take();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("interrupted while reading the batch");
		}
		if (next == END) {
			this.ended = true;
			return null;
		}
		if (next instanceof Throwable failure) {
			this.ended = true;
			if (failure instanceof IOException io) {
				throw io;
			}
			if (failure instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw (Error) failure;
		}
		return (Chunk) next;
	}

	/** The prefix of a message about the job at {@code position} of a chunk: "line 3: " or "item 3: ". */
	String where(int position) {
		return this.unit + position + ": ";
	}

	@Override
	public void close() {
		this.thread.interrupt();
	}

	private void run() {
		try {
			parse();
			this.queue.put(END);
		}
		catch (InterruptedException ex) {
			// closed early: the caller wants nothing more
		}
		catch (Throwable failure) {
			try {
				this.queue.put(failure);
			}
			catch (InterruptedException ex) {
				// closed early
			}
		}
	}

	/**
	 * JSON Lines (blank lines skipped) or one JSON array, with the limits and messages of a batch:
	 * a line of at most 1 MiB, at most {@link JobService#MAX_BATCH_JOBS} jobs.
	 */
	private void parse() throws IOException, InterruptedException {
		BatchReader reader = new BatchReader(this.input);
		String lineLimit = "longer than 1 MiB, the most one job may take";
		String line;
		do {
			line = reader.readLine(JobSpecParser.MAX_DOCUMENT_BYTES, lineLimit);
		}
		while (line != null && line.isBlank());
		Chunker chunks = new Chunker();
		if (line != null && line.strip().startsWith("[")) {
			this.unit = "item ";
			int firstLine = reader.lineNo();
			StringBuilder all = new StringBuilder(line);
			for (String next; (next = reader.readLine(BatchReader.MAX_BATCH_BYTES, lineLimit)) != null;) {
				all.append('\n').append(next);
			}
			JsonNode array = JobSpecParser.readAnyTree(all.toString(), firstLine > 1 ? "line " + firstLine + ": " : "");
			int item = 0;
			for (JsonNode node : array) {
				item++;
				if (item > JobService.MAX_BATCH_JOBS) {
					throw QueuectlException.usage("item " + item + ": more than " + JobService.MAX_BATCH_JOBS
							+ " jobs in one batch");
				}
				chunks.add(JobSpecParser.parse(node, "item " + item + ": ", this.defaults), item);
			}
			chunks.flush();
			return;
		}
		int count = 0;
		for (; line != null; line = reader.readLine(JobSpecParser.MAX_DOCUMENT_BYTES, lineLimit)) {
			if (line.isBlank()) {
				continue;
			}
			String where = "line " + reader.lineNo() + ": ";
			if (count == JobService.MAX_BATCH_JOBS) {
				throw QueuectlException.usage(where + "more than " + JobService.MAX_BATCH_JOBS + " jobs in one batch");
			}
			chunks.add(JobSpecParser.parse(JobSpecParser.readTree(line, where), where, this.defaults), reader.lineNo());
			count++;
		}
		chunks.flush();
	}

	/** Collects jobs into chunks and queues each full one. */
	private final class Chunker {

		private List<NewJob> jobs = new ArrayList<>(CHUNK);

		private int[] positions = new int[CHUNK];

		void add(NewJob job, int position) throws InterruptedException {
			this.positions[this.jobs.size()] = position;
			this.jobs.add(job);
			if (this.jobs.size() == CHUNK) {
				flush();
			}
		}

		void flush() throws InterruptedException {
			if (!this.jobs.isEmpty()) {
				BatchParser.this.queue.put(new Chunk(this.jobs, Arrays.copyOf(this.positions, this.jobs.size())));
				this.jobs = new ArrayList<>(CHUNK);
			}
		}
	}
}
