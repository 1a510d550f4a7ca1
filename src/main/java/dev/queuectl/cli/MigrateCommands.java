package dev.queuectl.cli;

import dev.queuectl.view.Render;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.queuectl.service.MigrateService;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

/** {@code migrate --to URL}: parse, call {@link MigrateService}, print the rows moved. Runs in-process only (not served). */
@Component
class MigrateCommands {

	private final MigrateService migrations;

	MigrateCommands(MigrateService migrations) {
		this.migrations = migrations;
	}

	@Command(name = "migrate", group = "Configuration", description = "Copy this SQLite queue into an empty PostgreSQL database",
			help = """
					Copies jobs, runs, dependencies, queue settings, schedules and settings into the PostgreSQL
					database at --to (its tables are created first), in one transaction, then checks the rows of
					each table and prints them. The target must hold no job, schedule or setting (exit 2); no
					worker host may be running on this queue (exit 1: stop them first). This queue is left as it
					was; point QUEUECTL_DB at the URL afterwards. Output files stay on this machine.
					  queuectl migrate --to postgresql://app@db.internal:5432/queue""")
	void migrate(@Option(longName = "to", description = "the PostgreSQL URL to copy into") String to, CommandContext ctx) {
		Map<String, Long> moved = this.migrations.migrate(to);
		List<List<String>> rows = new ArrayList<>();
		moved.forEach((table, n) -> rows.add(List.of(table, Long.toString(n))));
		Render.table(ctx.outputWriter(), List.of("TABLE", "ROWS"), rows);
	}
}
