package dev.queuectl.cli;

import org.junit.jupiter.api.Test;

import dev.queuectl.QueuectlApplication;
import dev.queuectl.store.JobStore;
import dev.queuectl.store.WorkerRegistryStore;
import dev.queuectl.store.WorkerStore;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.dao.annotation.PersistenceExceptionTranslationPostProcessor;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What keeps every JVM small (issue 15, docs/benchmarks.md): the stores are the plain classes, not
 * proxies with an interceptor on every call; the application class is not a CGLIB subclass; the
 * Log4j API bridge and Tomcat's WebSocket support are not on the class path.
 */
class FootprintWiringTest extends CommandTestSupport {

	@Autowired
	ApplicationContext context;

	@Test
	void storesAreThePlainClassesWithNoProxyAroundThem() {
		assertThat(this.context.getBeansOfType(PersistenceExceptionTranslationPostProcessor.class)).isEmpty();
		for (Object store : new Object[] { this.context.getBean(JobStore.class), this.context.getBean(WorkerStore.class),
				this.context.getBean(WorkerRegistryStore.class) }) {
			assertThat(AopUtils.isAopProxy(store)).as(store.getClass().getName()).isFalse();
			assertThat(store.getClass().getName()).doesNotContain("$$");
		}
	}

	@Test
	void theApplicationClassIsNotSubclassed() {
		assertThat(this.context.getBean(QueuectlApplication.class).getClass()).isEqualTo(QueuectlApplication.class);
	}

	@Test
	void noLog4jBridgeAndNoWebSocketOnTheClassPath() {
		ClassLoader loader = getClass().getClassLoader();
		assertThat(ClassUtils.isPresent("org.apache.logging.slf4j.SLF4JLoggerContext", loader)).isFalse();
		assertThat(ClassUtils.isPresent("org.apache.logging.log4j.LogManager", loader)).isFalse();
		assertThat(ClassUtils.isPresent("org.apache.tomcat.websocket.server.WsSci", loader)).isFalse();
	}
}
