package dev.queuectl.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import dev.queuectl.process.Cli.Result;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Input is UTF-8 whatever the locale: bin/queuectl under {@code LANG=C LC_ALL=C} (where the JVM
 * decodes argv as ASCII) and under C.UTF-8 stores a non-ASCII command exactly, and refuses an
 * argument or a line of a file that is not UTF-8 with exit 2. The arguments are given to a small
 * wrapper as {@code \xNN} escapes that it turns into bytes, so this test's own locale does not matter.
 */
@Timeout(300)
class EncodingIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	Path home;

	private Path wrapper;

	@BeforeEach
	void wrapper() throws IOException {
		this.wrapper = this.home.resolve("bytes-queuectl");
		Files.writeString(this.wrapper, """
				#!/bin/bash
				args=()
				for a in "$@"; do printf -v b '%%b' "$a"; args+=("$b"); done
				exec %s "${args[@]}"
				""".formatted(Cli.LAUNCHER));
		Files.setPosixFilePermissions(this.wrapper, PosixFilePermissions.fromString("rwx------"));
	}

	private Cli cli(String locale) {
		return new Cli(this.home).env("LANG", locale).env("LC_ALL", locale);
	}

	private Result run(Cli cli, String... args) {
		return cli.start(this.wrapper, null, cli.withDb(args)).await();
	}

	@ParameterizedTest
	@ValueSource(strings = { "C", "C.UTF-8" })
	void aNonAsciiCommandIsStoredExactlyAndInvalidUtf8IsRefused(String locale) throws IOException {
		Cli cli = cli(locale);
		Result enqueued = run(cli, "enqueue", "{\"id\":\"h\",\"command\":\"echo h\\xc3\\xa9llo \\xe2\\x9c\\x93 \\xf0\\x9d\\x84\\x9e\"}");
		assertThat(enqueued.exit()).as(enqueued.toString()).isZero();
		Result shown = run(cli, "show", "h", "--json");
		assertThat(shown.exit()).as(shown.toString()).isZero();
		assertThat(JSON.readTree(shown.out()).get("command").stringValue()).isEqualTo("echo héllo ✓ 𝄞");

		Result bad = run(cli, "enqueue", "{\"command\":\"echo \\xff\"}");
		assertThat(bad.exit()).as(bad.toString()).isEqualTo(2);
		assertThat(bad.errLines()).hasSize(1);
		assertThat(bad.err()).startsWith("queuectl: ").contains("not valid UTF-8");

		Path file = this.home.resolve("jobs.jsonl");
		Files.write(file, new byte[] { '{', '"', 'c', 'o', 'm', 'm', 'a', 'n', 'd', '"', ':', '"', 'o', 'k', '"', '}', '\n',
				'{', '"', 'c', 'o', 'm', 'm', 'a', 'n', 'd', '"', ':', '"', (byte) 0xE9, '"', '}', '\n' });
		Result badFile = run(cli, "enqueue", "--file", file.toString());
		assertThat(badFile.exit()).as(badFile.toString()).isEqualTo(2);
		assertThat(badFile.errLines()).hasSize(1);
		assertThat(badFile.err()).startsWith("queuectl: line 2: not valid UTF-8");

		Result list = run(cli, "list", "--json");
		assertThat(JSON.readTree(list.out()).size()).as("nothing stored by the refused ones").isEqualTo(1);
		assertThat(List.of(list.exit())).containsExactly(0);
	}
}
