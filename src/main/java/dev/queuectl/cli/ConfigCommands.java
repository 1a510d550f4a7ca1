package dev.queuectl.cli;

import dev.queuectl.view.Render;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.queuectl.QueuectlException;
import dev.queuectl.config.Setting;
import dev.queuectl.service.Settings;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

/** config list, get and set. */
@Component
class ConfigCommands {

	private final Settings settings;

	ConfigCommands(Settings settings) {
		this.settings = settings;
	}

	@Command(name = { "config", "list" }, group = "Configuration", description = "Show every setting, its value and where it comes from",
			help = """
					  queuectl config list""")
	void list(@Option(longName = "json", description = "print JSON") Boolean json, CommandContext ctx) {
		Map<Setting, Settings.Entry> all = this.settings.list();
		if (Boolean.TRUE.equals(json)) {
			Map<String, Object> m = new LinkedHashMap<>();
			all.forEach((s, e) -> m.put(s.key(), e.value()));
			Render.json(ctx.outputWriter(), m);
			return;
		}
		List<List<String>> rows = new ArrayList<>();
		all.forEach((s, e) -> rows.add(List.of(s.key(), e.value(), e.source(), s.description())));
		Render.table(ctx.outputWriter(), List.of("KEY", "VALUE", "SOURCE", "MEANING"), rows);
	}

	@Command(name = { "config", "get" }, group = "Configuration", description = "Print one setting's value", help = """
			  queuectl config get max-retries""")
	void get(@Argument(index = 0) String key, CommandContext ctx) {
		if (key == null || key.isEmpty()) {
			throw QueuectlException.usage("config get needs a key");
		}
		ctx.outputWriter().println(this.settings.get(this.settings.require(key)));
	}

	@Command(name = { "config", "set" }, group = "Configuration",
			description = "Change a setting for every process using this database", help = """
					  queuectl config set max-retries 5
					  queuectl config set backoff-base 3
					  queuectl config set job-timeout 10m
					  queuectl config set backoff-jitter 20
					  queuectl config set no-retry-on 2,64     (retry-on 75,111 instead; none: every failure)""")
	void set(@Argument(index = 0) String key, @Argument(index = 1) String value, CommandContext ctx) {
		if (key == null || key.isEmpty() || value == null || value.isEmpty()) {
			throw QueuectlException.usage("config set needs a key and a value");
		}
		ctx.outputWriter().println(this.settings.set(key, value));
	}
}
