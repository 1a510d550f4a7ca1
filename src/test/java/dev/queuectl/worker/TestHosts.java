package dev.queuectl.worker;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.queuectl.QueuectlApplication;
import dev.queuectl.service.Settings;
import dev.queuectl.service.RetentionService;
import dev.queuectl.service.ScheduleService;
import dev.queuectl.store.WorkerRegistryStore;
import dev.queuectl.store.WorkerStore;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.task.TaskExecutor;

/**
 * For tests (and StoreBench) that drive a real worker host in this JVM: queuectl's context without
 * shell or web server, on the database {@code queuectl.db} names, and a host of its beans.
 */
final class TestHosts {

	private TestHosts() {
	}

	static ConfigurableApplicationContext context() {
		return new SpringApplicationBuilder(QueuectlApplication.class).properties(QueuectlApplication.internalDefaults())
			.properties(Map.of("spring.shell.interactive.enabled", "false", "spring.shell.history.enabled", "false",
					"spring.main.log-startup-info", "false", "spring.main.web-application-type", "none"))
			.run();
	}

	/** A host of {@code slots} slots on the context's store, settings, clock and metrics; housekeeping daily. */
	static WorkerHost host(ApplicationContext ctx, int slots, TaskExecutor executor, JobRunner runner) {
		return host(ctx, slots, ctx.getBean(Clock.class), executor, runner);
	}

	/** The same, on a clock of the test's own. */
	static WorkerHost host(ApplicationContext ctx, int slots, Clock clock, TaskExecutor executor, JobRunner runner) {
		return new WorkerHost(new WorkerOptions(slots, List.of(), null), ctx.getBean(WorkerStore.class),
				ctx.getBean(WorkerRegistryStore.class), ctx.getBean(Settings.class), clock, executor, runner, ctx.getBean(WorkerMetrics.class),
				new WorkerHost.Housekeeping(ctx.getBean(ScheduleService.class), ctx.getBean(RetentionService.class),
						Duration.ofDays(1), ctx.getBean(dev.queuectl.service.JobService.class)));
	}
}
