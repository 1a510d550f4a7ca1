package dev.queuectl.config;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Makes queuectl read its configuration only from the places it documents: the install's
 * application.yml (inside the jar, and the file bin/queuectl names: an unpacked release's, which its
 * user may edit), the user's {@code ${XDG_CONFIG_HOME:-~/.config}/queuectl/application.yml}
 * and {@code QUEUECTL_*} environment variables. Spring Boot would also read application.yml,
 * application.properties and config/ in the working directory, and SPRING_CONFIG_*,
 * SPRING_APPLICATION_JSON and any other variable named after a property: a directory a worker is
 * started from could then expose /actuator/env or /actuator/shutdown on every interface.
 * <p>
 * Runs before Boot's environment post-processors (config data, SPRING_APPLICATION_JSON): it hides
 * every environment variable but {@code QUEUECTL_*} from Spring and puts first, above every file,
 * the config locations, the command line's properties and the settings no file may change (the
 * HTTP endpoints stay on loopback and serve only health, metrics and prometheus, read-only).
 */
public final class ConfigLockdown implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

	static final String NAME = "queuectlCommandLine";

	private final Map<String, Object> properties;

	/** {@code commandLine}: properties from the command line, which also win over every file. */
	public ConfigLockdown(Map<String, Object> commandLine, boolean serveHttp) {
		this(commandLine, serveHttp, "127.0.0.1");
	}

	/**
	 * {@code bind}: the address of the HTTP server; only {@code dashboard --bind} gives another than
	 * 127.0.0.1, and then the web layer refuses every request without the access token.
	 */
	public ConfigLockdown(Map<String, Object> commandLine, boolean serveHttp, String bind) {
		Map<String, Object> p = new LinkedHashMap<>(commandLine);
		java.nio.file.Path install = ConfiguredDb.installConfigFile();
		p.put("spring.config.location", "classpath:/application.yml,"
				+ (install == null ? "" : "optional:file:" + install + ",") + "optional:file:" + ConfiguredDb.userConfigFile());
		p.put("spring.config.additional-location", "");
		p.put("spring.config.import", "");
		p.put("spring.main.web-application-type", serveHttp ? "servlet" : "none");
		p.put("server.address", bind);
		p.put("management.server.port", ""); // empty: none, so the endpoints are on the server above
		p.put("management.endpoints.web.exposure.include", "health,metrics,prometheus");
		p.put("management.endpoints.web.exposure.exclude", "");
		p.put("management.endpoints.access.max-permitted", "read-only");
		p.put("spring.jmx.enabled", false);
		this.properties = p;
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
		MutablePropertySources sources = event.getEnvironment().getPropertySources();
		String env = StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME;
		if (sources.contains(env)) {
			Map<String, Object> ours = new LinkedHashMap<>();
			System.getenv().forEach((key, value) -> {
				if (key.startsWith("QUEUECTL_")) {
					ours.put(key, value);
				}
			});
			sources.replace(env, new SystemEnvironmentPropertySource(env, ours));
		}
		sources.addFirst(new MapPropertySource(NAME, this.properties));
	}
}
