package dev.queuectl.config;


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

	@Test
	void aHandWrittenUserFileIsUnderstood() throws Exception {
		assertThat(read("queuectl:\n    # where\n    worker:\n      db: nope\n    db: '/srv/q.db'  # shared\n")).containsExactly("/srv/q.db");
		assertThat(read("server:\n  port: 1\nqueuectl.db: ~/q.db\n")).containsExactly("~/q.db");
		assertThat(read("queuectl:\n  db: \"\"\n")).containsExactly((String) null);
		assertThat(read("other:\n  db: /x\n")).isNull();
	}

	private static String[] read(String yaml) throws java.io.IOException {
		return ConfiguredDb.read(new java.io.ByteArrayInputStream(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
	}
}
