package dev.queuectl.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import dev.queuectl.store.OutputStore;

/**
 * Where one attempt's output goes: the {@link OutputStore} (a file created on the first byte, or
 * chunks in PostgreSQL; a silent job leaves none), holding at most {@code cap} bytes; the rest is
 * counted, dropped and said so at the end. The last {@link #TAIL_BYTES} bytes are kept in memory
 * for the job's record.
 */
final class OutputSink {

	static final int TAIL_BYTES = 4096;

	private final OutputStore.Output out;

	private final long cap;

	/** Made on the first byte: most short jobs print nothing, and a host's young generation is small. */
	private byte[] tail;

	private long tailTotal;

	private boolean wroteAny;

	private long written;

	private long dropped;

	private IOException failure;

	OutputSink(OutputStore.Output out, long cap) {
		this.out = out;
		this.cap = cap;
	}

	void write(byte[] b, int off, int len) {
		if (len <= 0) {
			return;
		}
		if (this.tail == null) {
			this.tail = new byte[TAIL_BYTES];
		}
		for (int i = 0; i < len; i++) {
			this.tail[(int) ((this.tailTotal + i) % TAIL_BYTES)] = b[off + i];
		}
		this.tailTotal += len;
		int keep = (int) Math.max(0, Math.min(len, this.cap - this.written));
		this.dropped += len - keep;
		if (keep == 0 || this.failure != null) {
			return;
		}
		try {
			this.wroteAny = true;
			this.out.write(b, off, keep);
			this.written += keep;
		}
		catch (IOException ex) {
			this.failure = ex;
		}
	}

	/** Stores the rest; returns where the output is (job_runs.output_path), or null when the job printed nothing. */
	String close() {
		try {
			if (this.wroteAny && this.dropped > 0 && this.failure == null) {
				byte[] marker = ("\n[queuectl: output cap of " + this.cap + " bytes reached; " + this.dropped
						+ " more bytes dropped]\n").getBytes(StandardCharsets.UTF_8);
				this.out.write(marker, 0, marker.length);
			}
			return this.out.close();
		}
		catch (IOException ex) {
			this.failure = ex;
			return null;
		}
	}

	/** The last bytes the job printed, as text; null when it printed nothing. */
	String tail() {
		if (this.tailTotal == 0) {
			return null;
		}
		int n = (int) Math.min(this.tailTotal, TAIL_BYTES);
		byte[] last = new byte[n];
		for (int i = 0; i < n; i++) {
			last[i] = this.tail[(int) ((this.tailTotal - n + i) % TAIL_BYTES)];
		}
		String text = new String(last, StandardCharsets.UTF_8);
		if (this.tailTotal > n) {
			int nl = text.indexOf('\n');
			text = nl >= 0 && nl < text.length() - 1 ? text.substring(nl + 1) : text;
		}
		return this.dropped > 0 ? text + "\n[output cap reached; " + this.dropped + " bytes not kept]" : text;
	}
}
