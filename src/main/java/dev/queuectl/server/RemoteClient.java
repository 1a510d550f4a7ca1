package dev.queuectl.server;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.List;
import java.util.OptionalInt;

/**
 * The fast path of a one-shot command: when a queuectl process already runs on the database, hand
 * it the arguments over its local socket and print what comes back, without starting Spring here.
 * Plain Java only.
 */
public final class RemoteClient {

	private RemoteClient() {
	}

	/** Whether a running process may serve a command that starts with this word ({@code Wire.SERVED}). */
	public static boolean serves(String word) {
		return Wire.SERVED.contains(word);
	}

	/** Whether a running process may serve the command these words name ({@code Wire.SERVED}, {@code Wire.SERVED_PAIRS}). */
	public static boolean serves(List<String> words) {
		return !words.isEmpty() && (serves(words.get(0))
				|| words.size() > 1 && Wire.SERVED_PAIRS.contains(words.get(0) + " " + words.get(1)));
	}

	/**
	 * Runs the command in the process serving {@code socket}, if any. Returns the exit code, or
	 * empty when nothing serves it (the caller then runs the command itself).
	 */
	public static OptionalInt tryRun(Path socket, List<String> words) {
		if (!serves(words)) {
			return OptionalInt.empty();
		}
		int owner = owner(socket);
		if (owner == MISSING) {
			return OptionalInt.empty();
		}
		if (owner != MINE) {
			// another user made it (a shared folder): never hand them a command, nor run it here
			System.err.println("queuectl: ".concat(socket.toString()).concat(" belongs to another user (uid ")
				.concat(Integer.toString(owner)).concat("); refusing to send commands there"));
			return OptionalInt.of(1);
		}
		new SecureRandomWarmUp().start();
		SocketChannel channel;
		Watchdog watchdog;
		String hello;
		try {
			channel = SocketChannel.open(StandardProtocolFamily.UNIX);
		}
		catch (IOException | UnsupportedOperationException ex) {
			return OptionalInt.empty();
		}
		watchdog = new Watchdog(channel);
		watchdog.start();
		DataInputStream in = new DataInputStream(Channels.newInputStream(channel));
		int refused = -1;
		try {
			channel.connect(UnixDomainSocketAddress.of(socket));
			hello = readHello(in);
		}
		catch (Refused ex) {
			hello = null;
			refused = ex.type;
		}
		catch (IOException ex) {
			// nothing listens, or it did not say hello within a second (hung): nothing was sent,
			// so running the command here can never run it twice
			close(channel);
			return OptionalInt.empty();
		}
		finally {
			watchdog.done();
		}
		try (channel) {
			if (hello == null) {
				return OptionalInt.of(readResponse(in, refused)); // refused: the answer says why
			}
			if (hello.startsWith("server ") && !sameBuild(hello.substring(7))) {
				// a resident server of another build of queuectl: never used; it exits, and the
				// command runs here (which starts one of this build)
				sendStop(channel);
				return OptionalInt.empty();
			}
			DataOutputStream request = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel)));
			writeRequest(request, words);
			if (Wire.readsStdin(words)) {
				// a blocking channel's streams share one lock: send all of stdin before reading
				sendStdin(channel, request);
			}
			return OptionalInt.of(readResponse(in, -1));
		}
		catch (EOFException ex) {
			System.err.println("queuectl: the serving process went away before answering");
			return OptionalInt.of(1);
		}
		catch (IOException ex) {
			System.err.println("queuectl: " + ex.getMessage());
			return OptionalInt.of(1);
		}
	}

	private static void writeRequest(DataOutputStream request, List<String> words) throws IOException {
		request.writeInt(Wire.MAGIC);
		Wire.writeString(request, System.getProperty("user.dir"));
		request.writeInt(words.size());
		for (String word : words) {
			Wire.writeString(request, word);
		}
		java.util.Map<String, String> variables = Wire.passed(System.getenv());
		request.writeByte((Wire.readsStdin(words) ? Wire.STDIN_FLAG : 0) | (variables.isEmpty() ? 0 : Wire.VARIABLES_FLAG));
		if (!variables.isEmpty()) {
			request.writeInt(variables.size());
			for (java.util.Map.Entry<String, String> v : variables.entrySet()) {
				Wire.writeString(request, v.getKey());
				Wire.writeString(request, v.getValue());
			}
		}
		request.flush();
	}

	/** Whether a server's build is this client's (unknown on either side counts as the same). */
	private static boolean sameBuild(String theirs) {
		String mine = System.getProperty("queuectl.build", "");
		return mine.isEmpty() || theirs.isEmpty() || mine.equals(theirs);
	}

	/**
	 * The HELLO's text; {@link Refused} when the first frame is something else (a refusal: the
	 * caller reads the rest as an answer).
	 */
	static String readHello(DataInputStream in) throws IOException {
		byte type = in.readByte();
		if (type != Wire.HELLO) {
			throw new Refused(type);
		}
		int n = in.readInt();
		if (n < 0 || n > Wire.MAX_HELLO) {
			throw new IOException("a HELLO of " + n + " bytes");
		}
		return new String(in.readNBytes(n), java.nio.charset.StandardCharsets.UTF_8);
	}

	/**
	 * On a connection whose HELLO is unread: when a resident server answers it, asks that server
	 * to exit (a worker host, a REPL or a client of a newer build takes over). Waits at most about
	 * a second for the HELLO and the answer.
	 */
	static void stopIfResident(SocketChannel channel) {
		Watchdog watchdog = new Watchdog(channel);
		watchdog.start();
		try {
			String hello = readHello(new DataInputStream(Channels.newInputStream(channel)));
			if (hello.startsWith("server ")) {
				sendStop(channel);
			}
		}
		catch (IOException ex) {
			// not a resident server, or gone: nothing to stop
		}
		finally {
			watchdog.done();
		}
	}

	/** Sends {@code server stop} and reads the answer to its end (it says nothing this side needs). */
	private static void sendStop(SocketChannel channel) {
		Watchdog watchdog = new Watchdog(channel);
		watchdog.start();
		try {
			writeRequest(new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel))),
					List.of("server", "stop"));
			InputStream in = Channels.newInputStream(channel);
			while (in.read(new byte[512]) >= 0) {
				// drained
			}
		}
		catch (IOException ex) {
			// gone already
		}
		finally {
			watchdog.done();
		}
	}

	private static void close(SocketChannel channel) {
		try {
			channel.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

	/**
	 * Closes the channel unless told {@link #done()} within {@link Wire#HELLO_TIMEOUT_MS}: a
	 * blocked connect or read then fails at once. A hung or stopped server never holds a client
	 * longer than that. A class, not a lambda: see {@link SecureRandomWarmUp}.
	 */
	private static final class Watchdog extends Thread {

		private final SocketChannel channel;

		private boolean done;

		Watchdog(SocketChannel channel) {
			super("queuectl-watchdog");
			setDaemon(true);
			this.channel = channel;
		}

		synchronized void done() {
			this.done = true;
			notifyAll();
		}

		@Override
		public synchronized void run() {
			long end = System.currentTimeMillis() + Wire.HELLO_TIMEOUT_MS;
			try {
				for (long left; !this.done && (left = end - System.currentTimeMillis()) > 0;) {
					wait(left);
				}
			}
			catch (InterruptedException ex) {
				return;
			}
			if (!this.done) {
				close(this.channel);
			}
		}
	}

	/** The first frame was not a HELLO: a refusal, whose frames follow (the type byte is read). */
	private static final class Refused extends IOException {

		private static final long serialVersionUID = 1L;

		final byte type;

		Refused(byte type) {
			super("refused");
			this.type = type;
		}
	}

	/**
	 * Loads the JDK's security providers on a second thread while this one sets up the socket
	 * classes. The JDK's Unix domain socket support creates a {@code NativePRNGNonBlocking}
	 * SecureRandom when first used (for names of unbound sockets, which a client never needs), and
	 * that loads the security configuration and the SUN provider: a third of the client's own time
	 * on JDK 17. Whichever thread comes second waits for the first. A class, not a lambda: the first
	 * lambda costs a client milliseconds.
	 */
	private static final class SecureRandomWarmUp extends Thread {

		SecureRandomWarmUp() {
			super("queuectl-warm-up");
			setDaemon(true);
		}

		@Override
		public void run() {
			try {
				SecureRandom.getInstance("NativePRNGNonBlocking");
			}
			catch (NoSuchAlgorithmException ex) {
				// the socket classes then make a default SecureRandom, from the same providers
			}
		}
	}

	/**
	 * Sends standard input as frames, then the end frame: killed before that, this client leaves a
	 * stream the server knows was cut off, and nothing of it is stored.
	 */
	private static void sendStdin(SocketChannel channel, DataOutputStream request) {
		try (InputStream in = new FileInputStream(FileDescriptor.in)) {
			byte[] buf = new byte[Wire.MAX_FRAME];
			for (int n; (n = in.read(buf)) >= 0;) {
				if (n > 0) {
					request.writeInt(n);
					request.write(buf, 0, n);
				}
			}
			request.writeInt(0);
			request.flush();
			channel.shutdownOutput();
		}
		catch (IOException ex) {
			// the server answered already, or went away: the response says what happened
		}
	}

	private static final int MISSING = -2;

	private static final int MINE = -1;

	/**
	 * Whose the socket (or whatever is at its path) is: MISSING, MINE, or the uid of the other
	 * user who owns it. Two stat calls: this process's uid is the owner of /proc/self on Linux;
	 * elsewhere the owner's name is compared with this user's.
	 */
	private static int owner(Path socket) {
		int uid;
		try {
			uid = (Integer) Files.getAttribute(socket, "unix:uid");
		}
		catch (IOException ex) {
			return MISSING;
		}
		catch (UnsupportedOperationException | IllegalArgumentException ex) {
			return MINE; // no owners here (not a Unix file system)
		}
		try {
			return uid == (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") ? MINE : uid;
		}
		catch (IOException | UnsupportedOperationException | IllegalArgumentException ex) {
			try {
				return Files.getOwner(socket).getName().equals(System.getProperty("user.name")) ? MINE : uid;
			}
			catch (IOException gone) {
				return MISSING;
			}
		}
	}

	/** Prints the answer's frames; {@code first} is the type of the first frame when read already, else -1. */
	private static int readResponse(DataInputStream in, int first) throws IOException {
		OutputStream out = new FileOutputStream(FileDescriptor.out);
		OutputStream err = new FileOutputStream(FileDescriptor.err);
		byte[] buf = new byte[64 * 1024];
		while (true) {
			int type = first >= 0 ? first : in.readByte();
			first = -1;
			if (type == Wire.EXIT) {
				out.flush();
				return in.readInt();
			}
			int n = in.readInt();
			OutputStream target = type == Wire.ERR ? err : out;
			while (n > 0) {
				int r = in.read(buf, 0, Math.min(n, buf.length));
				if (r < 0) {
					throw new EOFException();
				}
				target.write(buf, 0, r);
				n -= r;
			}
			target.flush();
		}
	}
}
