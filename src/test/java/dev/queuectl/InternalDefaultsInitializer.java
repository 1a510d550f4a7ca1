package dev.queuectl;

import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * Gives a test context the settings {@link QueuectlApplication#run} gives the CLI's (Flyway left to
 * DatabaseConfiguration, Spring Shell's own help, script and version commands off, ...), at the
 * same lowest precedence, so the beans under test are the ones a user's command reaches.
 */
public class InternalDefaultsInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		context.getEnvironment()
			.getPropertySources()
			.addLast(new MapPropertySource("queuectlInternalDefaults", QueuectlApplication.internalDefaults()));
	}
}
