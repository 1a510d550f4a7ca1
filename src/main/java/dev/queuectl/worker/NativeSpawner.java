package dev.queuectl.worker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compiled job spawner (src/main/c/spawner.c), which the build puts into the jar where it had
 * a C compiler. A program cannot run from inside a jar, so it is copied once to
 * {@code ${XDG_CACHE_HOME:-~/.cache}/queuectl/bin/}, named by its content's hash: builds never
 * overwrite each other's copy, and a copy is written only by an atomic rename.
 */
final class NativeSpawner {

	private static final Logger log = LoggerFactory.getLogger(NativeSpawner.class);

	private NativeSpawner() {
	}

	/** The path of a runnable copy, or null when the jar holds none for this platform or it cannot be copied. */
	static Path install() {
		String resource = "queuectl-spawner-" + System.getProperty("os.name") + "-" + System.getProperty("os.arch");
		try (InputStream in = NativeSpawner.class.getResourceAsStream(resource)) {
			if (in == null) {
				return null;
			}
			byte[] program = in.readAllBytes();
			Path dir = cacheDir().resolve("bin");
			Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
			Path target = dir.resolve("queuectl-spawner-" + sha256(program).substring(0, 16));
			if (!Files.isExecutable(target)) {
				Path tmp = Files.createTempFile(dir, "spawner", ".tmp",
						PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
				try {
					Files.write(tmp, program);
					Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
				}
				finally {
					Files.deleteIfExists(tmp);
				}
			}
			return target;
		}
		catch (IOException | RuntimeException ex) {
			log.debug("no compiled spawner, using the bash one", ex);
			return null;
		}
	}

	private static Path cacheDir() {
		String xdg = System.getenv("XDG_CACHE_HOME");
		Path base = xdg != null && xdg.startsWith("/") ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
		return base.resolve("queuectl");
	}

	private static String sha256(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}
}
