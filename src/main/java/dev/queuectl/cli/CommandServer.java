package dev.queuectl.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.queuectl.store.DatabaseLocation;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Serves commands to one-shot clients ({@link RemoteClient}) over a Unix domain socket beside the
 * database, owner-only, while a long-running process (a worker host or the REPL) is up. Commands
 * run through the same {@link CommandDispatcher} as everywhere else, with the client's working
 * directory, standard input and output. One process serves a database at a time; another takes
 * over when it exits.
 */
@Component
class CommandServer {

	private static final Logger log = LoggerFactory.getLogger(CommandServer.class);

	private final ObjectProvider<CommandDispatcher> dispatcher; // commands need this server: break the cycle

	private final Path socket;

	private final ExecutorService handlers = Executors.newCachedThreadPool(r -> {
		Thread t = new Thread(r, "queuectl-serve");
		t.setDaemon(true);
		return t;
	});

	private volatile ServerSocketChannel server;

	private volatile boolean stopped;

	CommandServer(ObjectProvider<CommandDispatcher> dispatcher, DatabaseLocation location) {
		this.dispatcher = dispatcher;
		this.socket = location.socket();
	}

	/** Starts serving in the background; keeps trying while another live process serves. */
	void start() {
		Thread t = new Thread(this::serve, "queuectl-socket");
		t.setDaemon(true);
		t.start();
	}

	void stop() {
		this.stopped = true;
		ServerSocketChannel s = this.server;
		if (s != null) {
			try {
				s.close();
				Files.deleteIfExists(this.socket);
			}
			catch (IOException ex) {
				log.debug("closing the command socket failed", ex);
			}
		}
		this.handlers.shutdownNow();
	}

	private void serve() {
		while (!this.stopped) {
			ServerSocketChannel bound = bind();
			if (bound == null) {
				sleep(2000);
				continue;
			}
			this.server = bound;
			if (this.stopped) {
				stop();
				return;
			}
			log.debug("serving commands on {}", this.socket);
			try {
				while (!this.stopped) {
					SocketChannel client = bound.accept();
					this.handlers.execute(() -> handle(client));
				}
			}
			catch (IOException ex) {
				if (!this.stopped) {
					log.debug("command socket closed", ex);
				}
			}
		}
	}

	/** Binds the socket, replacing a stale one; returns null while a live process serves it. */
	private ServerSocketChannel bind() {
		try {
			if (Files.exists(this.socket)) {
				try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
					probe.connect(UnixDomainSocketAddress.of(this.socket));
					return null; // someone serves it
				}
				catch (IOException stale) {
					Files.deleteIfExists(this.socket);
				}
			}
			// bound under a temporary name and made owner-only before it appears under its own:
			// never visible with other permissions, and a hard link fails if another server won
			Path tmp = this.socket.resolveSibling(this.socket.getFileName() + "." + ProcessHandle.current().pid());
			Files.deleteIfExists(tmp);
			ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
			try {
				channel.bind(UnixDomainSocketAddress.of(tmp));
				try {
					Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
				}
				catch (UnsupportedOperationException ex) {
					// not POSIX: the data folder is still owner-only
				}
				Files.createLink(this.socket, tmp);
				return channel;
			}
			catch (IOException | UnsupportedOperationException ex) {
				channel.close();
				throw ex;
			}
			finally {
				Files.deleteIfExists(tmp);
			}
		}
		catch (IOException | UnsupportedOperationException ex) {
			log.debug("cannot serve commands on {}: {}", this.socket, ex.getMessage());
			return null;
		}
	}

	private void handle(SocketChannel client) {
		try (client) {
			DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(client)));
			DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(client)));
			if (in.readInt() != Wire.MAGIC) {
				return;
			}
			Path cwd = Path.of(Wire.readString(in));
			int n = in.readInt();
			List<String> words = new ArrayList<>(n);
			for (int i = 0; i < n; i++) {
				words.add(Wire.readString(in));
			}
			boolean stdin = in.readBoolean();
			PrintWriter stdout = new PrintWriter(new OutputStreamWriter(new Frames(out, Wire.OUT), StandardCharsets.UTF_8));
			PrintWriter stderr = new PrintWriter(new OutputStreamWriter(new Frames(out, Wire.ERR), StandardCharsets.UTF_8),
					true);
			InputStream clientStdin = stdin ? in : InputStream.nullInputStream();
			int code = this.dispatcher.getObject().execute(words, stdout, new Invocation(cwd, clientStdin, stderr));
			stdout.flush();
			stderr.flush();
			synchronized (out) {
				out.writeByte(Wire.EXIT);
				out.writeInt(code);
				out.flush();
			}
		}
		catch (IOException ex) {
			log.debug("client went away", ex);
		}
	}

	private static void sleep(long ms) {
		try {
			Thread.sleep(ms);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Bytes written become frames of one type on the shared response stream. */
	private static final class Frames extends OutputStream {

		private final DataOutputStream out;

		private final byte type;

		Frames(DataOutputStream out, byte type) {
			this.out = out;
			this.type = type;
		}

		@Override
		public void write(int b) throws IOException {
			write(new byte[] { (byte) b }, 0, 1);
		}

		@Override
		public void write(byte[] b, int off, int len) throws IOException {
			if (len == 0) {
				return;
			}
			synchronized (this.out) {
				this.out.writeByte(this.type);
				this.out.writeInt(len);
				this.out.write(b, off, len);
			}
		}

		@Override
		public void flush() throws IOException {
			synchronized (this.out) {
				this.out.flush();
			}
		}
	}
}
