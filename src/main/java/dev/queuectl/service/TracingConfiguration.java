package dev.queuectl.service;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The process's {@link Tracing}, decided from its environment when a command first needs it (beans
 * are lazy: a command that enqueues nothing and runs no job never looks), and closed with the
 * application's context, which exports the spans still waiting.
 */
@Configuration(proxyBeanMethods = false)
class TracingConfiguration {

	@Bean(destroyMethod = "close")
	Tracing tracing() {
		return Tracing.fromEnvironment(System.getenv(), line -> System.err.println("queuectl: " + line));
	}
}
