package dev.queuectl.worker;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A folder per key under a root in target/, made once under a file lock (both failsafe forks may
 * ask at once), everything else under the root (older builds' or schemas' folders) removed first;
 * a file {@code done} in the folder marks it made. {@link TrainedJar}'s extracted jar and start-up
 * archive and {@link SchemaTemplates}' SQLite queue live in one each.
 */
final class KeyedCache {

	/** Makes the folder's content; false when it could not (then nothing marks it made). */
	interface Maker {

		boolean make(Path home) throws IOException, InterruptedException;

	}

	private KeyedCache() {
	}

	/** Whether {@code root/key} is made, making it first when it is not. */
	static boolean made(Path root, String key, Maker maker) throws IOException, InterruptedException {
		Files.createDirectories(root);
		Path home = root.resolve(key);
		try (FileChannel lock = FileChannel.open(root.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
				FileLock held = lock.lock()) {
			if (Files.exists(home.resolve("done"))) {
				return true;
			}
			try (Stream<Path> old = Files.list(root)) {
				for (Path p : old.filter(p -> !p.getFileName().toString().equals("lock")).toList()) {
					delete(p);
				}
			}
			Files.createDirectories(home);
			if (!maker.make(home)) {
				return false;
			}
			Files.createFile(home.resolve("done"));
			return true;
		}
	}

	/** Removes a file or a folder with everything in it. */
	static void delete(Path path) throws IOException {
		try (Stream<Path> files = Files.walk(path)) {
			for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(p);
			}
		}
	}

}
