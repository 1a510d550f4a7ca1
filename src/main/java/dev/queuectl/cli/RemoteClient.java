package dev.queuectl.cli;

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

	/**
	 * Runs the command in the process serving {@code socket}, if any. Returns the exit code, or
	 * empty when nothing serves it (the caller then runs the command itself).
	 */
	public static OptionalInt tryRun(Path socket, List<String> words) {
		if (words.isEmpty() || !Wire.SERVED.contains(words.get(0))) {
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
		try {
			channel = SocketChannel.open(StandardProtocolFamily.UNIX);
			channel.connect(UnixDomainSocketAddress.of(socket));
		}
		catch (IOException | UnsupportedOperationException ex) {
			return OptionalInt.empty();
		}
		try (channel) {
			DataOutputStream request = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel)));
			request.writeInt(Wire.MAGIC);
			Wire.writeString(request, System.getProperty("user.dir"));
			request.writeInt(words.size());
			for (String word : words) {
				Wire.writeString(request, word);
			}
			boolean stdin = Wire.readsStdin(words);
			request.writeBoolean(stdin);
			request.flush();
			if (stdin) {
				// a blocking channel's streams share one lock: send all of stdin before reading
				sendStdin(channel, request);
			}
			return OptionalInt.of(readResponse(new DataInputStream(Channels.newInputStream(channel))));
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

	private static int readResponse(DataInputStream in) throws IOException {
		OutputStream out = new FileOutputStream(FileDescriptor.out);
		OutputStream err = new FileOutputStream(FileDescriptor.err);
		byte[] buf = new byte[64 * 1024];
		while (true) {
			byte type = in.readByte();
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
