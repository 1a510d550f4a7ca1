package dev.queuectl.service;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import dev.queuectl.config.QueuectlException;

/**
 * Reads the lines of a batch ({@code enqueue --file} or stdin) from raw bytes: UTF-8 whatever the
 * locale, decoded strictly, so an invalid byte is refused with its line number instead of becoming
 * U+FFFD. Lines end at {@code \n} (a {@code \r} before it is dropped); a UTF-8 byte order mark
 * before the first line is skipped. It enforces the batch's size limit and a per-line limit, and
 * never marks or rewinds the stream, so any amount of blank lines may come first.
 */
final class BatchReader {

	/** At most this many bytes in one batch. */
	static final long MAX_BATCH_BYTES = 256L * 1024 * 1024;

	private final InputStream in;

	private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
		.onMalformedInput(CodingErrorAction.REPORT)
		.onUnmappableCharacter(CodingErrorAction.REPORT);

	private final byte[] buf = new byte[1 << 16];

	private int pos;

	private int end;

	private long total;

	private int lineNo;

	private boolean eof;

	private byte[] line = new byte[256];

	BatchReader(InputStream in) {
		this.in = in;
	}

	/** The number of the line {@link #readLine} returned last (1-based). */
	int lineNo() {
		return this.lineNo;
	}

	/**
	 * The next line, decoded, or null at the end of the input.
	 * @param maxBytes a longer line is refused, naming this limit as {@code limitName}
	 */
	String readLine(long maxBytes, String limitName) throws IOException {
		int len = 0;
		boolean any = false;
		while (true) {
			if (this.pos == this.end) {
				if (this.eof || !fill()) {
					if (!any) {
						return null;
					}
					break;
				}
			}
			any = true;
			byte b = this.buf[this.pos++];
			if (b == '\n') {
				break;
			}
			if (len >= maxBytes) {
				throw QueuectlException.usage("line " + (this.lineNo + 1) + ": " + limitName);
			}
			if (len == this.line.length) {
				this.line = java.util.Arrays.copyOf(this.line, (int) Math.min((long) len * 2, Integer.MAX_VALUE - 8));
			}
			this.line[len++] = b;
		}
		this.lineNo++;
		if (len > 0 && this.line[len - 1] == '\r') {
			len--;
		}
		int start = 0;
		if (this.lineNo == 1 && len >= 3 && (this.line[0] & 0xFF) == 0xEF && (this.line[1] & 0xFF) == 0xBB
				&& (this.line[2] & 0xFF) == 0xBF) {
			start = 3; // a byte order mark
		}
		return decode(this.line, start, len - start, "line " + this.lineNo + ": ");
	}

	private static boolean ascii(byte[] bytes, int off, int len) {
		for (int i = off; i < off + len; i++) {
			if (bytes[i] < 0) {
				return false;
			}
		}
		return true;
	}

	private boolean fill() throws IOException {
		int n = this.in.read(this.buf);
		if (n < 0) {
			this.eof = true;
			return false;
		}
		this.total += n;
		if (this.total > MAX_BATCH_BYTES) {
			throw QueuectlException.usage("line " + (this.lineNo + 1)
					+ ": the input is larger than 256 MiB, the most one batch may take");
		}
		this.pos = 0;
		this.end = n;
		return true;
	}

	private String decode(byte[] bytes, int off, int len, String where) {
		if (ascii(bytes, off, len)) {
			return new String(bytes, off, len, StandardCharsets.ISO_8859_1); // no decoder for the common line
		}
		ByteBuffer src = ByteBuffer.wrap(bytes, off, len);
		CharBuffer dst = CharBuffer.allocate(len);
		this.decoder.reset();
		CoderResult result = this.decoder.decode(src, dst, true);
		if (!result.isError()) {
			result = this.decoder.flush(dst);
		}
		if (result.isError()) {
			int at = src.position();
			throw QueuectlException.usage(where + "not valid UTF-8: byte 0x"
					+ String.format("%02X", bytes[at] & 0xFF) + " at byte " + (at - off + 1) + " of the line");
		}
		dst.flip();
		return dst.toString();
	}
}
