package dev.queuectl.worker;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The spawner's events are read as lines without a charset decoder ({@link Spawner.Lines}): every
 * stream must come out in the lines BufferedReader.readLine gave, however the pipe splits it.
 */
class SpawnerLinesTest {

	/** Hands out at most a few bytes a read, as a pipe may. */
	private static InputStream trickle(byte[] bytes, Random random) {
		return new ByteArrayInputStream(bytes) {
			@Override
			public synchronized int read(byte[] b, int off, int len) {
				return super.read(b, off, Math.min(len, 1 + random.nextInt(7)));
			}
		};
	}

	private static List<String> byReader(byte[] bytes) throws IOException {
		List<String> lines = new ArrayList<>();
		BufferedReader r = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8));
		for (String l; (l = r.readLine()) != null;) {
			lines.add(l);
		}
		return lines;
	}

	private static List<String> byLines(byte[] bytes, Random random, int size) throws IOException {
		List<String> lines = new ArrayList<>();
		Spawner.Lines in = new Spawner.Lines(trickle(bytes, random), size);
		for (String l; (l = in.next()) != null;) {
			lines.add(l);
		}
		return lines;
	}

	@Test
	void theProtocolsLinesComeOutAsTheyWereSaid() throws IOException {
		byte[] said = "pid 4242\nexit 0\npid 17\nexit 143\n".getBytes(StandardCharsets.US_ASCII);
		assertThat(byLines(said, new Random(1), 256)).containsExactly("pid 4242", "exit 0", "pid 17", "exit 143");
	}

	@Test
	void anyStreamComesOutInTheLinesBufferedReaderGave() throws IOException {
		Random random = new Random(30);
		String[] pieces = { "pid 12", "exit 0", "\n", "\r", "\r\n", "bash: warning", "é", "日本", "x".repeat(300), "", " " };
		for (int round = 0; round < 2000; round++) {
			StringBuilder text = new StringBuilder();
			for (int k = random.nextInt(12); k > 0; k--) {
				text.append(pieces[random.nextInt(pieces.length)]);
			}
			byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
			int size = 2 + random.nextInt(300);
			assertThat(byLines(bytes, random, size)).as("%s (buffer %d)", text, size).isEqualTo(byReader(bytes));
		}
	}
}
