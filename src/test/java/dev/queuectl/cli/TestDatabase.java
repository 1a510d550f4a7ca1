package dev.queuectl.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import dev.queuectl.PostgresTestDatabase;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.MapPropertySource;

/**
 * Gives each command test context a database of its own: an SQLite file in a temporary folder, or,
 * when the class says {@code queuectl.test.backend=postgresql} (a {@code @TestPropertySource} of the
 * *PostgresTest subclasses), a fresh PostgreSQL database. Both go when the context closes.
 */
public class TestDatabase implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	public static final String BACKEND = "queuectl.test.backend";

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		Path dir;
		try {
			dir = Files.createTempDirectory("queuectl-test");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		String db;
		PostgresTestDatabase postgres = null;
		if ("postgresql".equals(context.getEnvironment().getProperty(BACKEND))) {
			postgres = PostgresTestDatabase.create();
			db = postgres.url();
		}
		else {
			db = dir.resolve("queue.db").toString();
		}
		context.getEnvironment()
			.getPropertySources()
			.addFirst(new MapPropertySource("queuectlTestDatabase",
					Map.of("queuectl.db", db, "queuectl.data-home", dir.resolve("data").toString())));
		PostgresTestDatabase drop = postgres;
		context.addApplicationListener((ApplicationListener<ContextClosedEvent>) event -> {
			if (event.getApplicationContext() != context) {
				return;
			}
			// after the data source closed: registered listeners run before the beans are destroyed,
			// and DROP ... WITH (FORCE) ends any connection still open
			if (drop != null) {
				drop.close();
			}
			delete(dir);
		});
	}

	private static void delete(Path dir) {
		try (Stream<Path> files = Files.walk(dir)) {
			files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
		}
		catch (IOException ex) {
			// a temporary folder: best effort
		}
	}
}
