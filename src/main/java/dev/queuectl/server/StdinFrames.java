package dev.queuectl.server;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

import dev.queuectl.config.QueuectlException;

/**
 * A served client's standard input, read from its frames ({@link Wire}): ends at the end frame,
 * and throws when the connection ends before it. That is what keeps {@code enqueue -} all or
 * nothing over the socket: a client killed mid-stream leaves a reader that fails, not one that
 * reports a clean end after half the lines.
 */
final class StdinFrames extends InputStream {

	private final DataInputStream in;

	private int left;

	private boolean ended;

	StdinFrames(DataInputStream in) {
		this.in = in;
	}

	@Override
	public int read() throws IOException {
		byte[] one = new byte[1];
		int n = read(one, 0, 1);
		return n < 0 ? -1 : one[0] & 0xFF;
	}

	@Override
	public int read(byte[] b, int off, int len) throws IOException {
		if (len == 0) {
			return 0;
		}
		while (this.left == 0) {
			if (this.ended) {
				return -1;
			}
			int n;
			try {
				n = this.in.readInt();
			}
			catch (EOFException ex) {
				throw cutOff();
			}
			if (n < 0 || n > Wire.MAX_FRAME) {
				throw broken("a stdin frame of " + n + " bytes (at most " + Wire.MAX_FRAME + ")");
			}
			this.left = n;
			this.ended = n == 0;
		}
		int r = this.in.read(b, off, Math.min(len, this.left));
		if (r < 0) {
			throw cutOff();
		}
		this.left -= r;
		return r;
	}

	private static IOException cutOff() {
		return broken("the client's input was cut off before its end (the client was interrupted)");
	}

	/** An IOException for readers, carrying the one line the command reports. */
	private static IOException broken(String message) {
		return new IOException(message, new QueuectlException(QueuectlException.FAILURE, message));
	}
}
