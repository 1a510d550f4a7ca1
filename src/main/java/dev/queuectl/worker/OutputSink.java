package dev.queuectl.worker;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import dev.queuectl.OwnerOnly;

/**
 * Where one attempt's output goes: a file, created on the first byte (a silent job leaves none),
 * holding at most {@code cap} bytes; the rest is counted, dropped and said so at the end. The last
 * {@link #TAIL_BYTES} bytes are kept in memory for the job's record.
 */
final class OutputSink {

	static final int TAIL_BYTES = 4096;

	private final Path file;

	private final long cap;

	private final byte[] tail = new byte[TAIL_BYTES];

	private long tailTotal;

	private OutputStream out;

	private long written;

	private long dropped;

	private IOException failure;

	OutputSink(Path file, long cap) {
		this.file = file;
		this.cap = cap;
	}

	void write(byte[] b, int off, int len) {
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
			if (this.out == null) {
				OwnerOnly.createDirectories(this.file.getParent()); // 0700, 0600: output is the job's business
				this.out = OwnerOnly.newOutputStream(this.file);
			}
			this.out.write(b, off, keep);
			this.written += keep;
		}
		catch (IOException ex) {
			this.failure = ex;
		}
	}

	/** Closes the file; returns its path, or null when the job printed nothing. */
	Path close() {
		if (this.out == null) {
			return null;
		}
		try (OutputStream o = this.out) {
			if (this.dropped > 0) {
				o.write(("\n[queuectl: output cap of " + this.cap + " bytes reached; " + this.dropped
						+ " more bytes dropped]\n").getBytes(StandardCharsets.UTF_8));
			}
		}
		catch (IOException ex) {
			this.failure = ex;
		}
		return this.file;
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
