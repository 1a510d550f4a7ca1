package dev.queuectl.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The native client's direct path (src/main/c/client-direct.c) answers from the database only when
 * its schema is this build's newest and the install's application.yml says what this build's does:
 * its copies of both, and of the defaults of max-retries and output-max-total, are held here to the migrations and to
 * application.yml, as WireConstantsTest holds the wire constants, so a new migration or a changed
 * default fails here rather than as a wrong answer.
 */
class DirectConstantsTest {

	private static final Path SOURCE = Path.of("src/main/c/client-direct.c");

	private static long constant(String source, String name) {
		Matcher m = Pattern.compile("(?:static const (?:int|long|long long)|enum \\{) " + name + " = (\\d+)(?:LL|L)?(?:;| \\};)").matcher(source);
		assertThat(m.find()).as("client-direct.c's %s", name).isTrue();
		return Long.parseLong(m.group(1));
	}

	@Test
	void theSchemaVersionItAnswersOnIsTheNewestMigrationOfBothDatabases() throws Exception {
		long c = constant(Files.readString(SOURCE), "SCHEMA_VERSION");
		for (String dialect : new String[] { "sqlite", "postgresql" }) {
			try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration", dialect))) {
				long newest = files.map(f -> f.getFileName().toString())
					.filter(n -> n.matches("V\\d+__.*\\.sql"))
					.mapToLong(n -> Long.parseLong(n.substring(1, n.indexOf("__"))))
					.max()
					.orElseThrow();
				assertThat(c).as("SCHEMA_VERSION against the newest %s migration", dialect).isEqualTo(newest);
			}
		}
	}

	@Test
	void itsLongestUniqueKeyIsJobSpecParsers() throws Exception {
		java.lang.reflect.Field max = dev.queuectl.job.JobSpecParser.class.getDeclaredField("MAX_UNIQUE_KEY");
		max.setAccessible(true);
		assertThat(constant(Files.readString(SOURCE), "MAX_UNIQUE_KEY")).isEqualTo(max.getInt(null));
	}

	@Test
	void itsMostVariablesOfAJobAreJobEnvs() throws Exception {
		assertThat(constant(Files.readString(SOURCE), "MAX_ENV_NAMES")).isEqualTo(dev.queuectl.job.JobEnv.MAX_NAMES);
	}

	@Test
	void itsMostTagsAJobCarriesAreTags() throws Exception {
		assertThat(constant(Files.readString(SOURCE), "MAX_TAGS")).isEqualTo(dev.queuectl.job.Tags.MAX);
	}

	@Test
	void itsCopyOfTheInstallConfigurationAndDefaultMaxRetriesAreApplicationYmls() throws Exception {
		String source = Files.readString(SOURCE);
		String yml = Files.readString(Path.of("application.yml"));
		Matcher block = Pattern.compile("static const char INSTALL_YML\\[\\] = ((?:\\s*\"(?:[^\"\\\\]|\\\\.)*\")+);").matcher(source);
		assertThat(block.find()).as("client-direct.c's INSTALL_YML").isTrue();
		String c = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(block.group(1)).results()
			.map(r -> r.group(1).replace("\\n", "\n").replace("\\\"", "\""))
			.collect(Collectors.joining());
		assertThat(c).isEqualTo(meaningful(yml));
		Matcher retries = Pattern.compile("(?m)^    max-retries: (\\d+)").matcher(yml);
		assertThat(retries.find()).isTrue();
		assertThat(constant(source, "DEFAULT_MAX_RETRIES")).isEqualTo(Long.parseLong(retries.group(1)));
		Matcher total = Pattern.compile("(?m)^    output-max-total: (\\S+)").matcher(yml);
		assertThat(total.find()).isTrue();
		assertThat(constant(source, "DEFAULT_OUTPUT_MAX_TOTAL")).isEqualTo(dev.queuectl.config.Setting.parseSize(total.group(1)));
	}

	/** The lines that say something, as client-direct.c's meaningful_lines reads them, queuectl's db: left out. */
	private static String meaningful(String yml) {
		StringBuilder b = new StringBuilder();
		for (String line : yml.split("\n", -1)) {
			Matcher comment = Pattern.compile("(^|[ \\t])#").matcher(line);
			if (comment.find()) {
				line = line.substring(0, comment.start());
			}
			line = line.stripTrailing();
			if (!line.isEmpty() && !line.startsWith("  db:")) {
				b.append(line).append('\n');
			}
		}
		return b.toString();
	}
}
