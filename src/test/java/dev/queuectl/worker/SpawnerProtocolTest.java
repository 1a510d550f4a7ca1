package dev.queuectl.worker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The spawner protocol carries any job text byte for byte, and no job text can shift its framing
 * or end a job's output early: a NUL in a command is refused before it is sent (formerly the text
 * after it ran as an unrecorded command and later output went to the wrong job), and commands with
 * newlines, quotes, backslashes and multibyte UTF-8 run exactly as given. Both spawners: the
 * compiled one (where this machine has a C compiler) and the bash one.
 */
class SpawnerProtocolTest {

	@TempDir
	static Path cache;

	@TempDir
	Path dir;

	static Stream<String> spawners() {
		return Stream.of("native", "bash");
	}

	private static Path program(String kind) {
		if (kind.equals("bash")) {
			return null;
		}
		assumeTrue(NativeSpawner.class.getResource(NativeSpawner.RESOURCE) != null,
				"the build compiles the spawner only with a C compiler");
		Path p = NativeSpawner.install(cache);
		assumeTrue(p != null, "the compiled spawner runs here");
		return p;
	}

	/** One job's output and exit code. */
	record Ran(String output, Integer exit) {
	}

	private Ran run(Spawner spawner, String command) throws IOException {
		java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
		OutputSink sink = new OutputSink(memory(bytes), 1 << 20);
		Integer exit = spawner.run(this.dir.toString(), command, sink, pid -> {
		});
		sink.close();
		return new Ran(bytes.toString(StandardCharsets.UTF_8), exit);
	}

	/** Output kept in memory: the protocol is under test here, not the store. */
	private static dev.queuectl.store.OutputStore.Output memory(java.io.ByteArrayOutputStream bytes) {
		return new dev.queuectl.store.OutputStore.Output() {
			@Override
			public void write(byte[] b, int off, int len) {
				bytes.write(b, off, len);
			}

			@Override
			public String close() {
				return null;
			}
		};
	}

	@ParameterizedTest
	@MethodSource("spawners")
	void aCommandWithANulIsRefusedAndTheNextJobOnTheSameSpawnerIsRight(String kind) throws Exception {
		Path marker = this.dir.resolve("smuggled");
		try (Spawner spawner = new Spawner(program(kind))) {
			assertThat(run(spawner, "echo before")).isEqualTo(new Ran("before\n", 0));
			// the old framing: marker NUL dir NUL command NUL; here "touch" was a request of its own
			String smuggling = "true\u0000M\u0000" + this.dir + "\u0000touch " + marker;
			assertThatThrownBy(() -> run(spawner, smuggling)).isInstanceOf(IllegalArgumentException.class)
				.hasMessageContaining("NUL");
			assertThatThrownBy(() -> spawner.run(this.dir + "\u0000x", "true", new OutputSink(memory(new java.io.ByteArrayOutputStream()), 1024),
					pid -> {
					}))
				.isInstanceOf(IllegalArgumentException.class)
				.hasMessageContaining("directory");
			assertThat(run(spawner, "echo next; exit 3")).isEqualTo(new Ran("next\n", 3));
			assertThat(run(spawner, "echo third")).isEqualTo(new Ran("third\n", 0));
			assertThat(spawner.isAlive()).isTrue();
		}
		assertThat(marker).doesNotExist();
	}

	@ParameterizedTest
	@MethodSource("spawners")
	void commandTextIsCarriedByteForByte(String kind) throws Exception {
		List<String> texts = List.of("héllo wörld ✓ 日本語 𝄞", "line one\nline two\n", "quotes \" and ' and `",
				"back\\slash\\\\ and \\n and \\0", "trailing newline\n\n", "  leading and trailing spaces  ",
				"42\nlooks like a length", "ÿ\u00a0\u200b\ufeff", "%s %d %%");
		try (Spawner spawner = new Spawner(program(kind))) {
			for (String text : texts) {
				// the command itself holds the text (in single quotes): printf prints it back unchanged
				String quoted = "'" + text.replace("'", "'\\''") + "'";
				Ran ran = run(spawner, "printf '%s' " + quoted);
				assertThat(ran).as("text %s", text).isEqualTo(new Ran(text, 0));
			}
			assertThat(run(spawner, "echo ok")).isEqualTo(new Ran("ok\n", 0));
		}
	}

	@ParameterizedTest
	@MethodSource("spawners")
	void aJobCannotEndItsOutputEarlyOrWriteIntoTheNextJob(String kind) throws Exception {
		try (Spawner spawner = new Spawner(program(kind))) {
			// what a job could guess: the marker's fixed prefix, and the old framing's NUL
			Ran first = run(spawner, "printf 'a queuectl-end-'; printf 'queuectl-end-00000000000000000000000000000000\\0'; "
					+ "echo after; exit 4");
			assertThat(first.exit()).isEqualTo(4);
			assertThat(first.output())
				.isEqualTo("a queuectl-end-queuectl-end-00000000000000000000000000000000\u0000after\n");
			assertThat(run(spawner, "echo second")).isEqualTo(new Ran("second\n", 0));
		}
	}

	/**
	 * The compiled spawner's own guard, below the Java one: sent raw fields (as a buggy or hostile
	 * writer could), it refuses one that holds a NUL, runs nothing of it, stays in step, and stops
	 * at a malformed length instead of guessing.
	 */
	@Test
	void theCompiledSpawnerRefusesANulFieldAndStaysInStep() throws Exception {
		Path program = program("native");
		Path marker = this.dir.resolve("smuggled");
		ByteArrayOutputStream request = new ByteArrayOutputStream();
		field(request, "M1");
		field(request, this.dir.toString());
		field(request, "true\u0000touch " + marker);
		field(request, "M2");
		field(request, this.dir.toString());
		field(request, "echo next");
		Process p = new ProcessBuilder(program.toString()).start();
		String out;
		try (OutputStream in = p.getOutputStream()) {
			in.write(request.toByteArray());
			in.flush();
			// input must stay open while a job runs: its end means the worker host is gone
			byte[] expected = "M1next\nM2".getBytes(StandardCharsets.UTF_8);
			out = new String(p.getInputStream().readNBytes(expected.length), StandardCharsets.UTF_8);
			in.write("x\n".getBytes(StandardCharsets.US_ASCII)); // not a length
		}
		out += new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		List<String> events = new ArrayList<>(new String(readAll(p.getErrorStream()), StandardCharsets.UTF_8).lines().toList());
		assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
		assertThat(out).isEqualTo("M1next\nM2");
		assertThat(events).hasSize(4);
		assertThat(events.get(0)).isEqualTo("refused");
		assertThat(events.get(1)).startsWith("pid ");
		assertThat(events.get(2)).isEqualTo("exit 0");
		assertThat(events.get(3)).contains("bad field length");
		assertThat(p.exitValue()).isEqualTo(65);
		assertThat(marker).doesNotExist();
	}

	private static void field(ByteArrayOutputStream out, String text) throws IOException {
		byte[] b = text.getBytes(StandardCharsets.UTF_8);
		out.write((b.length + "\n").getBytes(StandardCharsets.US_ASCII));
		out.write(b);
	}

	private static byte[] readAll(InputStream in) throws IOException {
		return in.readAllBytes();
	}
}
