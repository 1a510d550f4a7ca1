package dev.queuectl.worker;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

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

	/** Where the build puts it, for the platform it ran on. */
	static final String RESOURCE = "queuectl-spawner-" + System.getProperty("os.name") + "-"
			+ System.getProperty("os.arch");

	private NativeSpawner() {
	}

	/** The path of a runnable copy, or null when the jar holds none for this platform or it cannot be copied. */
	static Path install() {
		return install(cacheDir());
	}

	/** {@link #install()} into {@code cacheDir/bin}. */
	static Path install(Path cacheDir) {
		try (InputStream in = NativeSpawner.class.getResourceAsStream(RESOURCE)) {
			if (in == null) {
				return null;
			}
			byte[] program = in.readAllBytes();
			Path dir = cacheDir.resolve("bin");
			Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
			Path target = dir.resolve("queuectl-spawner-" + sha256(program).substring(0, 16));
			if (Files.isExecutable(target) && runs(target)) {
				return target;
			}
			// missing, or damaged: write it (again)
			Path tmp = Files.createTempFile(dir, "spawner", ".tmp",
					PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
			try {
				Files.write(tmp, program);
				Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			}
			finally {
				Files.deleteIfExists(tmp);
			}
			if (runs(target)) {
				return target;
			}
			log.warn("{} does not run here; jobs start from bash instead", target);
			return null;
		}
		catch (IOException | RuntimeException ex) {
			log.debug("no compiled spawner, using the bash one", ex);
			return null;
		}
	}

	/**
	 * Whether the copy runs here (a cache on a noexec mount would fail every job): given no
	 * requests, it must exit 0 at once.
	 */
	private static boolean runs(Path program) {
		try {
			Process p = new ProcessBuilder(program.toString()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.redirectError(ProcessBuilder.Redirect.DISCARD)
				.start();
			if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
				return true;
			}
			p.destroyForcibly();
			return false;
		}
		catch (IOException ex) {
			log.debug("{} does not run", program, ex);
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
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
