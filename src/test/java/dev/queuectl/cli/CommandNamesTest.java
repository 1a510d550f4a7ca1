package dev.queuectl.cli;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.shell.core.command.Command;
import org.springframework.shell.core.command.CommandRegistry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ArgvParser looks command names up in a map (ArgvParser.Names) instead of walking Spring Shell's
 * registry: for every command's name and alias, every start of one that ends at a space, and words
 * no command has, the map answers what the registry's own lookups answer.
 */
class CommandNamesTest extends CommandTestSupport {

	@Autowired
	CommandRegistry registry;

	@Test
	void theNameMapFindsWhatTheRegistrysOwnLookupsFind() {
		ArgvParser.Names names = ArgvParser.Names.of(this.registry);
		List<String> asked = new ArrayList<>(List.of("nosuch", "enqueue {\"command\":\"true\"}", "queue", "queue nosuch",
				"batch", "worker", "worker stop now", "", " "));
		for (Command c : this.registry.getCommands()) {
			List<String> spellings = new ArrayList<>(c.getAliases());
			spellings.add(c.getName());
			for (String s : spellings) {
				asked.add(s);
				for (int i = s.indexOf(' '); i >= 0; i = s.indexOf(' ', i + 1)) {
					asked.add(s.substring(0, i));
				}
			}
		}
		assertThat(asked).hasSizeGreaterThan(100);
		for (String name : asked) {
			Command shells = this.registry.getCommandByName(name);
			if (shells == null) {
				shells = this.registry.getCommands().stream().filter(c -> c.isHidden() && c.getName().equals(name)).findFirst().orElse(null);
			}
			assertThat(names.byName().get(name)).as(name).isSameAs(shells);
			assertThat(names.groups().contains(name + " ")).as(name + " as a group").isEqualTo(!this.registry.getCommandsByPrefix(name + " ").isEmpty());
		}
		assertThat(names.groups()).contains("queue ", "batch ", "worker ");
		assertThat(ArgvParser.Names.of(this.registry)).as("kept for the registry").isSameAs(names);
	}
}
