package dev.queuectl.server;

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
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.List;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.queuectl.config.OwnerOnly;
import dev.queuectl.config.QueuectlException;
import dev.queuectl.store.DatabaseLocation;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Serves commands to one-shot clients ({@link RemoteClient}) over a Unix domain socket beside the
 * database while a long-running process (a worker host, the REPL or the resident command server,
 * {@link ResidentServer}) is up. Commands run through
 * the same {@link Commands} as everywhere else, with the client's working directory,
 * standard input and output. One process serves a database at a time; another takes over when it
 * exits.
 * <p>
 * The socket trusts no peer: it is bound owner-only (inside a 0700 folder, then linked into
 * place); a peer whose uid (SO_PEERCRED) is not this process's is refused; every length in a
 * request is bounded ({@link Request}); a request must be complete within {@code
 * queuectl.socket.header-timeout} (10 s) of connecting, and be complete within as long from its
 * turn; at most {@link #HANDLERS} commands run at once, the others wait their turn.
 * <p>
 * Every accepted connection from the owner first gets a HELLO frame ({@link Wire}) naming what
 * serves (a resident server or a host) and its build, so clients can tell a live server from a
 * hung one before they send anything, and drop a resident server of another build. A worker host
 * or REPL that finds a resident server on the socket asks it to exit and takes the socket over.
 * <p>
 * A HELLO is a promise that the request will run, so it is sent only while fewer than
 * {@link #CONNECTIONS} connections are open: beyond that a connection is closed before its HELLO
 * and its client runs the command itself, as when nothing serves (never an error). A connection
 * holds no handler until its request begins to arrive: one thread watches every connection still
 * silent ({@link #watchSilent}), so idle connections, however many up to the limit, never hold
 * the handlers that commands need.
 */
@Component
public class CommandServer {

	static final int HANDLERS = 32;

	/** Connections open at once (silent, waiting their turn or running); more get no HELLO. */
	static final int CONNECTIONS = 256;

	private static final Logger log = LoggerFactory.getLogger(CommandServer.class);

	private final ObjectProvider<Commands> dispatcher; // commands need this server: break the cycle

	private final Path socket;

	private final Duration headerTimeout;

	private final ThreadPoolExecutor handlers = new ThreadPoolExecutor(HANDLERS, HANDLERS, 30, TimeUnit.SECONDS,
			new LinkedBlockingQueue<>(), daemon("queuectl-serve")); // bounded by CONNECTIONS

	/** Connections accepted and not yet closed. */
	private final AtomicInteger open = new AtomicInteger();

	/** Accepted connections whose request has not begun: handed to the watcher. */
	private final ConcurrentLinkedQueue<Silent> arrivals = new ConcurrentLinkedQueue<>();

	private volatile Selector watcher;

	private final ScheduledThreadPoolExecutor deadlines = new ScheduledThreadPoolExecutor(1, daemon("queuectl-serve-timer"));

	private volatile ServerSocketChannel server;

	private volatile UserPrincipal owner;

	private volatile boolean stopped;

	private boolean warnedForeign;

	private final boolean resident;

	private final byte[] hello;

	private final AtomicInteger active = new AtomicInteger();

	/** Served {@code worker stop} commands not yet answered: {@link #stop} lets them finish. */
	private final AtomicInteger stopsAnswering = new AtomicInteger();

	private volatile long lastRequest = System.nanoTime();

	private volatile long idleBefore;

	private final CompletableFuture<Boolean> firstBind = new CompletableFuture<>();

	private volatile boolean once;

	CommandServer(ObjectProvider<Commands> dispatcher, DatabaseLocation location,
			@Value("${queuectl.socket.header-timeout:10s}") Duration headerTimeout,
			@Value("${queuectl.mode:ONE_SHOT}") Mode mode) {
		this.dispatcher = dispatcher;
		this.socket = location.socket();
		this.headerTimeout = headerTimeout;
		this.resident = mode == Mode.SERVER;
		byte[] text = ((this.resident ? "server " : "host ") + build()).getBytes(StandardCharsets.UTF_8);
		this.hello = ByteBuffer.allocate(5 + text.length).put(Wire.HELLO).putInt(text.length).put(text).array();
		this.handlers.allowCoreThreadTimeOut(true);
		this.deadlines.setRemoveOnCancelPolicy(true);
	}

	/** This build of queuectl, as the launcher names it (the jar's size, time and inode); may be empty. */
	static String build() {
		return System.getProperty("queuectl.build", "");
	}

	/** Starts serving in the background; keeps trying while another live process serves. */
	public void start() {
		Thread t = new Thread(this::serve, "queuectl-socket");
		t.setDaemon(true);
		t.start();
	}

	/**
	 * Starts serving in the background if nothing serves the socket now: true once bound, false
	 * when another live process serves it (then this one never will).
	 */
	boolean startOnce() {
		this.once = true;
		start();
		return this.firstBind.join();
	}

	/** Nanoseconds without a command before the latest one began. */
	long idleBeforeNanos() {
		return this.idleBefore;
	}

	/** Commands running now. */
	int active() {
		return this.active.get();
	}

	/** Nanoseconds since the last request began or ended. */
	long idleNanos() {
		return System.nanoTime() - this.lastRequest;
	}

	/** Counts idle time from now (the resident server, once warmed up: its warm-up was not idle). */
	void idleFromNow() {
		this.lastRequest = System.nanoTime();
	}

	/** Whether this process serves the socket now (and the socket file is still its own). */
	public boolean serving() {
		ServerSocketChannel s = this.server;
		return s != null && s.isOpen() && Files.exists(this.socket);
	}

	/** Stops accepting and removes the socket; commands running now finish. */
	void closeSocket() {
		this.stopped = true;
		Selector w = this.watcher;
		if (w != null) {
			w.wakeup(); // it sees stopped and closes the connections still silent
		}
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
	}

	/**
	 * Stops serving: closes the socket, lets a served {@code worker stop} answer, then ends the
	 * commands still running.
	 */
	public void stop() {
		closeSocket();
		// a served `worker stop` that stopped this very host answers before the process goes (issue
		// 29): it returns once the hosts it asked are gone from the registry (this one a moment
		// before this), or at its own --timeout; the bound is only a safety net
		long until = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(10);
		while (this.stopsAnswering.get() > 0 && System.nanoTime() < until) {
			try {
				Thread.sleep(5);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		this.handlers.shutdownNow();
		this.deadlines.shutdownNow();
	}

	private void serve() {
		if (!peerCredentialsSupported()) {
			log.debug("not serving commands: this platform does not tell a socket's peer");
			this.firstBind.complete(false);
			return;
		}
		while (!this.stopped) {
			ServerSocketChannel bound = bind();
			if (bound == null) {
				if (this.once) {
					this.firstBind.complete(false);
					return;
				}
				sleep(2000);
				continue;
			}
			this.server = bound;
			this.firstBind.complete(true);
			if (this.stopped) {
				stop();
				return;
			}
			log.debug("serving commands on {}", this.socket);
			try {
				startWatcher();
				while (!this.stopped) {
					SocketChannel client = bound.accept();
					if (!fromOwner(client)) {
						refuse(client, "queuectl: " + this.socket + " serves only its owner (" + this.owner
								+ "); refusing a command from another user", QueuectlException.FAILURE);
						continue;
					}
					admit(client);
				}
			}
			catch (IOException ex) {
				if (!this.stopped) {
					log.debug("command socket closed", ex);
				}
			}
		}
	}

	/**
	 * Says HELLO to a connection and hands it to the watcher until its request begins; or, at the
	 * limit of open connections, closes it at once without a word: its client runs the command itself.
	 */
	private void admit(SocketChannel client) {
		if (this.open.incrementAndGet() > CONNECTIONS) {
			closed(client);
			return;
		}
		try {
			ByteBuffer hi = ByteBuffer.wrap(this.hello);
			while (hi.hasRemaining()) {
				client.write(hi);
			}
			client.configureBlocking(false);
			this.arrivals.add(new Silent(client, System.nanoTime() + this.headerTimeout.toNanos()));
			this.watcher.wakeup();
		}
		catch (IOException ex) {
			log.debug("a client went away before its HELLO", ex);
			closed(client);
		}
	}

	/** Closes a connection that is no longer open. */
	private void closed(SocketChannel client) {
		try {
			client.close();
		}
		catch (IOException ex) {
			log.debug("closing a client failed", ex);
		}
		this.open.decrementAndGet();
	}

	/** An accepted connection whose request has not begun, and when it must have. */
	private record Silent(SocketChannel channel, long deadline) {
	}

	private synchronized void startWatcher() throws IOException {
		if (this.watcher == null) {
			this.watcher = Selector.open();
			Thread t = new Thread(this::watchSilent, "queuectl-socket-watch");
			t.setDaemon(true);
			t.start();
		}
	}

	/**
	 * Watches every silent connection on one thread: one whose request begins goes to a handler
	 * (in order, waiting its turn when every handler is busy); one silent past the header timeout
	 * is told so and closed.
	 */
	private void watchSilent() {
		Selector selector = this.watcher;
		ArrayDeque<SelectionKey> byDeadline = new ArrayDeque<>(); // accepted in order: deadlines in order
		List<SocketChannel> begun = new ArrayList<>();
		try {
			while (!this.stopped) {
				for (Silent s; (s = this.arrivals.poll()) != null;) {
					try {
						byDeadline.add(s.channel().register(selector, SelectionKey.OP_READ, s));
					}
					catch (IOException ex) {
						closed(s.channel());
					}
				}
				long now = System.nanoTime();
				while (!byDeadline.isEmpty()
						&& (!byDeadline.peek().isValid() || ((Silent) byDeadline.peek().attachment()).deadline() <= now)) {
					SelectionKey late = byDeadline.poll();
					if (late.isValid()) {
						late.cancel();
						refuse((SocketChannel) late.channel(), tooLate(), QueuectlException.USAGE);
						this.open.decrementAndGet();
					}
				}
				long wait = byDeadline.isEmpty() ? 0
						: Math.max(1, (((Silent) byDeadline.peek().attachment()).deadline() - now) / 1_000_000);
				selector.select(wait);
				for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext();) {
					SelectionKey key = it.next();
					it.remove();
					key.cancel(); // removed from byDeadline lazily: it is no longer valid
					begun.add((SocketChannel) key.channel());
				}
				if (!begun.isEmpty()) {
					selector.selectNow(); // deregisters the canceled keys: their channels may block again
					for (SocketChannel client : begun) {
						try {
							client.configureBlocking(true);
							this.handlers.execute(() -> handle(client));
						}
						catch (IOException | java.util.concurrent.RejectedExecutionException ex) {
							closed(client); // stopping
						}
					}
					begun.clear();
				}
			}
		}
		catch (IOException | java.nio.channels.ClosedSelectorException ex) {
			log.debug("the watcher of silent connections stopped", ex);
		}
		finally {
			for (SelectionKey key : selector.keys()) {
				closed((SocketChannel) key.channel());
			}
			try {
				selector.close();
			}
			catch (IOException ex) {
				log.debug("closing the watcher failed", ex);
			}
		}
	}

	private String tooLate() {
		return "queuectl: the request was not complete within " + this.headerTimeout.toSeconds() + " s";
	}

	private static boolean peerCredentialsSupported() {
		try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			return probe.supportedOptions().contains(ExtendedSocketOptions.SO_PEERCRED);
		}
		catch (IOException | UnsupportedOperationException ex) {
			return false;
		}
	}

	/** Binds the socket, replacing a stale one; returns null while a live process serves it. */
	private ServerSocketChannel bind() {
		try {
			if (Files.exists(this.socket)) {
				try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
					probe.connect(UnixDomainSocketAddress.of(this.socket));
					warnIfForeign();
					if (!this.resident && !this.warnedForeign) {
						RemoteClient.stopIfResident(probe); // it goes; this host binds on its next try
					}
					return null; // someone serves it
				}
				catch (IOException stale) {
					Files.deleteIfExists(this.socket);
				}
			}
			// bound inside a folder of its own, 0700, and made owner-only before it appears under
			// its own name: never reachable by others whatever the umask, and the hard link fails if
			// another server won
			Path dir = this.socket.resolveSibling(this.socket.getFileName() + "." + ProcessHandle.current().pid());
			Path tmp = dir.resolve("s");
			Files.deleteIfExists(tmp);
			Files.deleteIfExists(dir);
			OwnerOnly.createDirectories(dir);
			ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
			try {
				channel.bind(UnixDomainSocketAddress.of(tmp));
				try {
					Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
				}
				catch (UnsupportedOperationException ex) {
					// not POSIX: the peer check below still refuses other users
				}
				this.owner = Files.getOwner(tmp); // who this process is, as the file system says
				Files.createLink(this.socket, tmp);
				return channel;
			}
			catch (IOException | UnsupportedOperationException ex) {
				channel.close();
				throw ex;
			}
			finally {
				Files.deleteIfExists(tmp);
				Files.deleteIfExists(dir);
			}
		}
		catch (IOException | UnsupportedOperationException ex) {
			log.debug("cannot serve commands on {}: {}", this.socket, ex.getMessage());
			return null;
		}
	}

	private void warnIfForeign() {
		try {
			UserPrincipal holder = Files.getOwner(this.socket);
			UserPrincipal me = FileSystems.getDefault()
				.getUserPrincipalLookupService()
				.lookupPrincipalByName(System.getProperty("user.name"));
			if (!holder.equals(me) && !this.warnedForeign) {
				this.warnedForeign = true;
				log.warn("{} belongs to {}, not to {}: commands are not served to clients here", this.socket, holder, me);
			}
		}
		catch (IOException | UnsupportedOperationException ex) {
			// cannot tell: the clients check the owner themselves
		}
	}

	/** Reads a begun request to its end (within the header timeout from now) and runs it. */
	private void handle(SocketChannel client) {
		Future<?> deadline = this.deadlines.schedule(() -> refuse(client, tooLate(), QueuectlException.USAGE),
				this.headerTimeout.toMillis(), TimeUnit.MILLISECONDS);
		this.active.incrementAndGet();
		long now = System.nanoTime();
		this.idleBefore = now - this.lastRequest;
		this.lastRequest = now;
		boolean stopping = false;
		try (client) {
			DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(client)));
			DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(client)));
			Request request;
			try {
				request = Request.read(in);
			}
			catch (Request.Malformed ex) {
				if (deadline.cancel(false)) {
					answer(out, "queuectl: bad request: " + ex.getMessage(), QueuectlException.USAGE);
				}
				return;
			}
			if (!deadline.cancel(false)) {
				return; // timed out just now and already answered
			}
			if (request.words().size() > 1 && request.words().get(0).equals("worker") && request.words().get(1).equals("stop")) {
				this.stopsAnswering.incrementAndGet();
				stopping = true;
			}
			PrintWriter stdout = new PrintWriter(new OutputStreamWriter(new Frames(out, Wire.OUT), StandardCharsets.UTF_8));
			PrintWriter stderr = new PrintWriter(new OutputStreamWriter(new Frames(out, Wire.ERR), StandardCharsets.UTF_8),
					true);
			InputStream clientStdin = request.stdin() ? new StdinFrames(in) : InputStream.nullInputStream();
			int code = this.dispatcher.getObject()
				.execute(request.words(), stdout, new Invocation(request.workingDir(), clientStdin, stderr, true, request.variables()));
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
		finally {
			if (stopping) {
				this.stopsAnswering.decrementAndGet();
			}
			deadline.cancel(false);
			this.lastRequest = System.nanoTime();
			this.active.decrementAndGet();
			this.open.decrementAndGet();
		}
	}

	/** Whether the peer runs as this process's user (SO_PEERCRED, taken when it connected). */
	private boolean fromOwner(SocketChannel client) {
		try {
			UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
			return peer.user().equals(this.owner);
		}
		catch (IOException | UnsupportedOperationException ex) {
			return false;
		}
	}

	/**
	 * Answers with one line and an exit code, then closes: for requests that are not run. Writes to
	 * the channel itself, not a stream on it: those share a lock with a handler blocked reading.
	 */
	private static void refuse(SocketChannel client, String line, int code) {
		try (client) {
			ByteBuffer b = ByteBuffer.wrap(answer(line, code));
			while (b.hasRemaining()) {
				client.write(b);
			}
		}
		catch (IOException ex) {
			log.debug("could not answer a refused client", ex);
		}
	}

	private static void answer(DataOutputStream out, String line, int code) throws IOException {
		out.write(answer(line, code));
		out.flush();
	}

	private static byte[] answer(String line, int code) {
		byte[] text = (line + "\n").getBytes(StandardCharsets.UTF_8);
		ByteBuffer b = ByteBuffer.allocate(1 + 4 + text.length + 1 + 4);
		b.put(Wire.ERR).putInt(text.length).put(text).put(Wire.EXIT).putInt(code);
		return b.array();
	}

	private static ThreadFactory daemon(String name) {
		return r -> {
			Thread t = new Thread(r, name);
			t.setDaemon(true);
			return t;
		};
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
