package dev.queuectl.config;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Creates queuectl's files and folders readable by their owner alone (0600, 0700), with the mode
 * given at creation rather than left to the umask: a data folder may be shared (0755) and job
 * output holds whatever the jobs print. On a file system without POSIX modes the defaults apply.
 */
public final class OwnerOnly {

	private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");

	private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

	private OwnerOnly() {
	}

	/** Creates the folder and any missing parents, each 0700. */
	public static void createDirectories(Path dir) throws IOException {
		if (Files.isDirectory(dir)) {
			return;
		}
		try {
			Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR));
		}
		catch (UnsupportedOperationException ex) {
			Files.createDirectories(dir);
		}
	}

	/**
	 * Creates the folder 0700 if it is missing; if it exists and others may enter it (an older
	 * queuectl made it under the umask), takes their access away, where this user may.
	 */
	public static void directory(Path dir) throws IOException {
		createDirectories(dir);
		try {
			Set<PosixFilePermission> now = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
			if (!DIR.containsAll(now)) {
				Set<PosixFilePermission> tightened = EnumSet.copyOf(now);
				tightened.retainAll(DIR);
				Files.setPosixFilePermissions(dir, tightened);
			}
		}
		catch (UnsupportedOperationException | FileSystemException ex) {
			// not POSIX, or another user's folder: left as it is
		}
	}

	/** Creates an empty file 0600 unless it exists. */
	public static void createFile(Path file) throws IOException {
		try {
			Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
		}
		catch (FileAlreadyExistsException ex) {
			// kept as it is
		}
		catch (UnsupportedOperationException ex) {
			if (!Files.exists(file)) {
				Files.createFile(file);
			}
		}
	}

	/** Opens the file for writing from its start, creating it 0600 (an existing file keeps its mode). */
	public static OutputStream newOutputStream(Path file) throws IOException {
		Set<StandardOpenOption> options = EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
				StandardOpenOption.TRUNCATE_EXISTING);
		FileAttribute<?> mode = PosixFilePermissions.asFileAttribute(FILE);
		try {
			return Channels.newOutputStream(Files.newByteChannel(file, options, mode));
		}
		catch (UnsupportedOperationException ex) {
			return Files.newOutputStream(file);
		}
	}
}
