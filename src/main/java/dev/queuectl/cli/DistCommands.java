package dev.queuectl.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.queuectl.config.QueuectlException;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.stereotype.Component;

/** version, completion (a shell's completion script) and, for the build, the files a release ships. */
@Component
class DistCommands {

	@Command(name = "version", group = "Built-in", description = "Print the version, the git commit and the build date",
			help = """
					The same as the options -V and --version.
					  queuectl version""")
	void version(CommandContext ctx) {
		ctx.outputWriter().println(dev.queuectl.config.Version.line());
	}

	@Command(name = "completion", group = "Built-in", description = "Print the shell completion script for bash, zsh or fish",
			help = """
					Load it in the shell's start-up file, or use the release's completions/ folder:
					  queuectl completion bash > ~/.local/share/bash-completion/completions/queuectl
					  queuectl completion fish > ~/.config/fish/completions/queuectl.fish
					  queuectl completion zsh > ~/.zsh/queuectl.zsh   (then source it from ~/.zshrc)""")
	void completion(@Argument(index = 0) String shell, CommandContext ctx) {
		ctx.outputWriter().print(CompletionScripts.forShell(shell, CommandModel.of(ctx.commandRegistry())));
	}

	/**
	 * Writes completions/ and man/queuectl.1 into a folder: the package phase runs this on the jar
	 * just built (pom.xml), and the release archive ships the result.
	 */
	@Command(name = "dist-files", group = "Built-in", hidden = true, description = "Write the completion scripts and the man page into a folder")
	void distFiles(@Argument(index = 0) String dir, CommandContext ctx) {
		if (dir == null || dir.isBlank()) {
			throw QueuectlException.usage("dist-files needs a folder");
		}
		CommandModel model = CommandModel.of(ctx.commandRegistry());
		Path root = Path.of(dir);
		try {
			Files.createDirectories(root.resolve("completions"));
			Files.createDirectories(root.resolve("man"));
			for (String shell : CommandModel.SHELLS) {
				Files.writeString(root.resolve("completions").resolve(CompletionScripts.fileName(shell)),
						CompletionScripts.forShell(shell, model), StandardCharsets.UTF_8);
			}
			String date = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
			Files.writeString(root.resolve("man").resolve("queuectl.1"), ManPage.write(model, date), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new QueuectlException(QueuectlException.FAILURE, "cannot write " + root + ": " + ex.getMessage());
		}
		ctx.outputWriter().println(root.toAbsolutePath());
	}
}
