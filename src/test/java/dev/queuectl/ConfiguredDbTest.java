package dev.queuectl;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The fast path's own reading of {@code queuectl.db} from application.yml. */
class ConfiguredDbTest {

	@Test
	void theShippedFileNamesNoDatabase() {
		assertThat(ConfiguredDb.fromApplicationYml()).isNull();
	}

	@Test
	void aCommentAfterWhitespaceIsDropped() {
		assertThat(ConfiguredDb.withoutComment(" \"\" # the default")).isEqualTo(" \"\" ");
		assertThat(ConfiguredDb.withoutComment(" /srv/q.db\t# shared")).isEqualTo(" /srv/q.db\t");
		assertThat(ConfiguredDb.withoutComment(" # nothing")).isEqualTo(" ");
	}

	@Test
	void aHashInsideAValueStays() {
		assertThat(ConfiguredDb.withoutComment(" /srv/q#1.db")).isEqualTo(" /srv/q#1.db");
		assertThat(ConfiguredDb.withoutComment("#")).isEqualTo("#");
		assertThat(ConfiguredDb.withoutComment("")).isEmpty();
	}
}
