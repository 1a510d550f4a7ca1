package dev.queuectl.worker;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Speaks the command socket's protocol byte by byte, written here from its description rather
 * than with the production classes, so tests can also send what no real client would.
 */
final class RawSocketClient {

	static final int MAGIC = 0x51434C34;

	private RawSocketClient() {
	}

	/** What came back: stdout and stderr text, and the exit code, or null when the server just closed. */
	record Answer(String out, String err, Integer exit) {
	}

	/** A well-formed request header; stdin frames, if any, are the caller's to append. */
	static byte[] request(String cwd, List<String> words, boolean stdin) {
		Bytes b = new Bytes();
		b.i32(MAGIC).str(cwd).i32(words.size());
		words.forEach(b::str);
		b.u8(stdin ? 1 : 0);
		return b.toByteArray();
	}

	static SocketChannel connect(Path socket) {
		try {
			SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
			channel.connect(UnixDomainSocketAddress.of(socket));
			return channel;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Sends the bytes, ends the output (or not), reads the answer until the server closes. */
	static Answer send(Path socket, byte[] bytes, boolean endOutput, Duration timeout) throws Exception {
		try (SocketChannel channel = connect(socket)) {
			write(channel, bytes);
			if (endOutput) {
				channel.shutdownOutput();
			}
			return read(channel, timeout);
		}
	}

	static void write(SocketChannel channel, byte[] bytes) throws IOException {
		ByteBuffer b = ByteBuffer.wrap(bytes);
		try {
			while (b.hasRemaining()) {
				channel.write(b);
			}
		}
		catch (IOException ex) {
			// the server may answer and close before reading everything: the answer says why
		}
	}

	/** Reads frames until EXIT or the end of the stream; fails after the timeout. */
	static Answer read(SocketChannel channel, Duration timeout) throws Exception {
		CompletableFuture<Answer> answer = CompletableFuture.supplyAsync(() -> {
			try {
				return readFrames(channel);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		});
		try {
			return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			channel.close();
			throw new AssertionError("no answer within " + timeout);
		}
	}

	private static Answer readFrames(SocketChannel channel) throws IOException {
		ByteArrayOutputStream all = new ByteArrayOutputStream();
		ByteBuffer buf = ByteBuffer.allocate(8192);
		try {
			while (channel.read(buf.clear()) >= 0) {
				all.write(buf.array(), 0, buf.position());
			}
		}
		catch (IOException reset) {
			// closed by the server: parse what came
		}
		ByteBuffer in = ByteBuffer.wrap(all.toByteArray());
		StringBuilder out = new StringBuilder();
		StringBuilder err = new StringBuilder();
		while (in.remaining() >= 5) {
			byte type = in.get();
			int n = in.getInt();
			if (type == 0) {
				return new Answer(out.toString(), err.toString(), n);
			}
			if (n < 0 || n > in.remaining()) {
				throw new AssertionError("bad frame of " + n + " bytes");
			}
			byte[] b = new byte[n];
			in.get(b);
			if (type == 3) {
				continue; // the HELLO every accepted connection gets first
			}
			(type == 1 ? out : err).append(new String(b, StandardCharsets.UTF_8));
		}
		return new Answer(out.toString(), err.toString(), null);
	}

	/** A byte builder for requests. */
	static final class Bytes {

		private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

		private final DataOutputStream out = new DataOutputStream(this.buf);

		Bytes i32(int v) {
			try {
				this.out.writeInt(v);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			return this;
		}

		Bytes u8(int v) {
			this.buf.write(v);
			return this;
		}

		Bytes raw(byte[] b) {
			this.buf.write(b, 0, b.length);
			return this;
		}

		Bytes str(String s) {
			byte[] b = s.getBytes(StandardCharsets.UTF_8);
			return i32(b.length).raw(b);
		}

		/** One stdin frame. */
		Bytes frame(String s) {
			return str(s);
		}

		byte[] toByteArray() {
			return this.buf.toByteArray();
		}
	}
}
