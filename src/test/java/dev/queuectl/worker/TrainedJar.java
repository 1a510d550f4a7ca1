package dev.queuectl.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How {@link Queuectl} starts the built jar: extracted once per build (Spring Boot's jarmode tools)
 * with a dynamic CDS archive recorded by one training run, as bin/queuectl starts it for users. A
 * command then costs about half the CPU of one from the fat jar (1.6 s against 3.3 s here, see
 * docs/benchmarks.md), and the process tests start hundreds (ReplIT's too, from the cli package).
 * The fat jar itself stays covered: FileModesIT and HardenedStartIT's working-directory
 * configuration and REPL run {@code java -jar target/queuectl.jar} directly.
 *
 * <p>The copy lives in {@code target/it-jvm/<size>-<mtime of the jar>} (the training's database and
 * log beside it, in {@code .work}), made under a file lock (forks may start at once); copies of older
 * builds are removed. When extraction fails the fat jar runs,
 * and without an archive the extracted jar runs: slower, never different.
 */
public final class TrainedJar {

	private static List<String> launch;

	private TrainedJar() {
	}

	/** The JVM options and {@code -jar JAR} that start the built jar. */
	public static synchronized List<String> launch() {
		if (launch == null) {
			launch = prepare();
		}
		return launch;
	}

	private static List<String> prepare() {
		Path fat = Queuectl.JAR;
		try {
			BasicFileAttributes built = Files.readAttributes(fat, BasicFileAttributes.class);
			Path root = fat.resolveSibling("it-jvm");
			String key = built.size() + "-" + built.lastModifiedTime().toMillis();
			Path home = root.resolve(key);
			Path jar = home.resolve("queuectl.jar");
			Path archive = home.resolve("app.jsa");
			boolean made = KeyedCache.made(root, key, h -> {
				Path work = root.resolve(key + ".work"); // the training's database and log
				Files.createDirectories(work);
				if (exec(work, List.of(Queuectl.JAVA, "-Djarmode=tools", "-jar", fat.toString(), "extract", "--destination",
						h.toString()), null) != 0 || !Files.exists(jar)) {
					return false;
				}
				train(work, jar, archive);
				return true;
			});
			if (!made) {
				return List.of("-jar", fat.toString());
			}
			return Files.exists(archive) ? List.of("-XX:SharedArchiveFile=" + archive, "-jar", jar.toString())
					: List.of("-jar", jar.toString());
		}
		catch (IOException | InterruptedException ex) {
			return List.of("-jar", fat.toString());
		}
	}

	/** One script through the extracted jar (enqueue, list, show, status...): the classes they load are archived. */
	private static void train(Path work, Path jar, Path archive) throws IOException, InterruptedException {
		Path script = work.resolve("train.txt");
		Files.writeString(script, String.join("\n", "enqueue '{\"id\":\"t\",\"command\":\"true\"}'", "list", "show t",
				"status", "config get max-retries", "dlq list", ""));
		exec(work, List.of(Queuectl.JAVA, "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:ArchiveClassesAtExit=" + archive,
				"-Dqueuectl.stdin.tty=false", "-jar", jar.toString(), "--db", work.resolve("train.db").toString()), script);
	}

	/** Runs the command in {@code work}, its output appended to {@code work/prepare.log}. */
	private static int exec(Path work, List<String> cmd, Path stdin) throws IOException, InterruptedException {
		ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile())
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("prepare.log").toFile()));
		pb.redirectInput(stdin != null ? stdin.toFile() : new java.io.File("/dev/null"));
		pb.environment().put("XDG_DATA_HOME", work.resolve("xdg").toString());
		pb.environment().put("XDG_CONFIG_HOME", work.resolve("xdg").toString());
		pb.environment().remove("QUEUECTL_DB");
		pb.environment().put("QUEUECTL_SERVER", "off");
		Process p = pb.start();
		if (!p.waitFor(300, TimeUnit.SECONDS)) {
			p.destroyForcibly();
			return -1;
		}
		return p.exitValue();
	}
}
