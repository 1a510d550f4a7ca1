package dev.queuectl.web;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.store.DatabaseLocation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The access token's file and the login codes made from it, on a clock the test sets. */
class WebTokenTest {

	@TempDir
	Path dir;

	private static final Instant T0 = Instant.parse("2026-12-06T03:00:00Z");

	private WebToken at(Instant now) {
		return new WebToken("", new DatabaseLocation(this.dir.resolve("q.db")), Clock.fixed(now, ZoneOffset.UTC));
	}

	@Test
	void theTokenFileIsMadeOwnerOnlyOnceAndReadAfter() throws Exception {
		String first = at(T0).value();
		assertThat(first).hasSizeGreaterThanOrEqualTo(32);
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(this.dir.resolve("web-token")))).isEqualTo("rw-------");
		assertThat(at(T0).value()).isEqualTo(first);
	}

	@Test
	void aCodeIsGoodForTwoMinutesOnItsOwnPortOnly() {
		String code = at(T0).loginCode(8470);
		assertThat(at(T0.plusSeconds(119)).validNonce(code, 8470)).isNotNull();
		assertThat(at(T0.plusSeconds(121)).validNonce(code, 8470)).as("expired").isNull();
		assertThat(at(T0.minus(Duration.ofMinutes(1))).validNonce(code, 8470)).as("from the future").isNull();
		assertThat(at(T0).validNonce(code, 8471)).as("another port").isNull();
		String[] parts = code.split("\\.");
		assertThat(at(T0).validNonce(parts[0] + "." + parts[1] + "x." + parts[2], 8470)).as("another nonce").isNull();
		assertThat(at(T0).validNonce((Long.parseLong(parts[0]) + 1) + "." + parts[1] + "." + parts[2], 8470)).isNull();
		assertThat(at(T0).validNonce("", 8470)).isNull();
		assertThat(at(T0).validNonce("1.2", 8470)).isNull();
	}

	@Test
	void aCodeMadeWithAnotherTokenIsRefused() throws Exception {
		String code = new WebToken("another-token-of-32-characters!!", new DatabaseLocation(this.dir.resolve("q.db")),
				Clock.fixed(T0, ZoneOffset.UTC)).loginCode(8470);
		assertThat(at(T0).validNonce(code, 8470)).isNull();
	}

	@Test
	void aWeakTokenOrAFileOthersMayReadIsRefused() throws Exception {
		assertThatThrownBy(() -> new WebToken("short", new DatabaseLocation(this.dir.resolve("q.db"))).value())
			.isInstanceOf(QueuectlException.class).hasMessageContaining("at least 16 characters");
		at(T0).value();
		Files.setPosixFilePermissions(this.dir.resolve("web-token"), PosixFilePermissions.fromString("rw-r--r--"));
		assertThatThrownBy(() -> at(T0).value()).isInstanceOf(QueuectlException.class)
			.hasMessageContaining("may be read by others (chmod 600 it)");
	}
}
