package dev.queuectl.cli;

import java.util.List;
import java.util.Map;

import dev.queuectl.job.Job;
import dev.queuectl.config.QueuectlException;
import dev.queuectl.config.Version;
import org.springframework.shell.core.command.Command;
import org.springframework.shell.core.command.CommandOption;

/**
 * Shell completion scripts for bash, zsh and fish, written from the {@link CommandModel}: commands,
 * sub-commands, options and their values. Job ids, queues and schedule names are asked of a running
 * queuectl (a worker host, the REPL or the background command server) with
 * {@code QUEUECTL_SERVED_ONLY=1}, so that a completion never starts a JVM: where none runs, those
 * complete to nothing.
 */
final class CompletionScripts {

	private CompletionScripts() {
	}

	static String forShell(String shell, CommandModel model) {
		return switch (shell == null ? "" : shell) {
			case "bash" -> bash(model);
			case "zsh" -> zsh(model);
			case "fish" -> fish(model);
			default -> throw QueuectlException.usage("completion needs a shell: one of " + String.join(", ", CommandModel.SHELLS));
		};
	}

	/** File names in an unpacked release's completions/ folder. */
	static String fileName(String shell) {
		return switch (shell) {
			case "bash" -> "queuectl.bash";
			case "zsh" -> "queuectl.zsh";
			default -> "queuectl.fish";
		};
	}

	private static String header(String shell, String comment) {
		return comment + " " + shell + " completion for queuectl " + Version.number()
				+ ", written by `queuectl completion " + shell + "` from its command model.\n" + comment
				+ " Job ids, queues and schedules come from a running queuectl when one answers; none is started.\n";
	}

	// --- bash (zsh runs the same function through bashcompinit) ------------------------------------

	private static String bash(CommandModel model) {
		return header("bash", "#") + bashFunctions(model) + "complete -o default -F _queuectl queuectl\n";
	}

	private static String zsh(CommandModel model) {
		return header("zsh", "#") + "# Source it from ~/.zshrc (after compinit): it runs the bash completion through bashcompinit.\n"
				+ "autoload -U +X bashcompinit && bashcompinit\n" + bashFunctions(model)
				+ "complete -o default -F _queuectl queuectl\n";
	}

	private static String bashFunctions(CommandModel model) {
		StringBuilder sb = new StringBuilder();
		sb.append("""
				_queuectl_served() {
					QUEUECTL_SERVED_ONLY=1 "$exe" ${db:+--db "$db"} "$@" </dev/null 2>/dev/null | awk 'NR > 1 && NF { print $1 }'
				}

				_queuectl() {
					local cur=${COMP_WORDS[COMP_CWORD]} prev= cmd= db= exe=${COMP_WORDS[0]} i=1 w next nargs=0
					[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD-1]}
					COMPREPLY=()
					# the command's words: after the global options, up to its first option or argument
					while [ "$i" -lt "$COMP_CWORD" ]; do
						w=${COMP_WORDS[i]}
						if [ -z "$cmd" ] && [ "$w" = --db ]; then
							db=${COMP_WORDS[i+1]}
							i=$((i + 2))
							continue
						fi
						if [ -z "$cmd" ] && [[ $w == -* ]]; then
							i=$((i + 1))
							continue
						fi
						next=${cmd:+$cmd }$w
						case "|$_queuectl_paths|" in
						*"|$next|"*) cmd=$next ;;
						*) break ;;
						esac
						i=$((i + 1))
					done
					for ((; i < COMP_CWORD; i++)); do
						[[ ${COMP_WORDS[i]} == -* ]] || nargs=$((nargs + 1))
					done
					if [ -z "$cmd" ] && [ "$prev" = --db ]; then
						COMPREPLY=($(compgen -f -- "$cur"))
						return
					fi
					local words=
					if [[ $cur == -* ]]; then
						case $cmd in
				""");
		sb.append("\t\t'') words='").append(String.join(" ", globalOptionWords())).append("' ;;\n");
		for (Command c : model.commands()) {
			List<String> words = CommandModel.optionWords(c);
			sb.append("\t\t'").append(c.getName()).append("') words='").append(String.join(" ", words)).append("' ;;\n");
		}
		sb.append("""
						esac
						COMPREPLY=($(compgen -W "$words" -- "$cur"))
						return
					fi
					# the value of an option
					case "$cmd|$prev" in
				""");
		for (Command c : model.commands()) {
			for (CommandOption o : c.getOptions()) {
				if (HelpCommand.isFlag(o)) {
					continue;
				}
				sb.append("\t'").append(c.getName()).append("|--").append(o.longName()).append('\'');
				if (o.shortName() != ' ') {
					sb.append(" | '").append(c.getName()).append("|-").append(o.shortName()).append('\'');
				}
				sb.append(")\n\t\t").append(bashValues(CommandModel.optionValues(c, o))).append("\n\t\treturn\n\t\t;;\n");
			}
		}
		sb.append("\tesac\n\t# sub-commands and arguments\n\tcase $cmd in\n");
		sb.append("\t'') words='").append(String.join(" ", model.nextWords("").keySet())).append("' ;;\n");
		for (String group : model.groups()) {
			sb.append("\t'").append(group).append("') words='").append(String.join(" ", model.nextWords(group).keySet()))
				.append("' ;;\n");
		}
		for (Command c : model.commands()) {
			CommandModel.Arguments args = model.arguments(c);
			if (args.values().isNone()) {
				continue;
			}
			sb.append("\t'").append(c.getName()).append("')\n\t\t");
			if (args.onlyFirst()) {
				sb.append("[ \"$nargs\" -eq 0 ] || return\n\t\t");
			}
			sb.append(bashValues(args.values())).append("\n\t\treturn\n\t\t;;\n");
		}
		sb.append("""
					esac
					COMPREPLY=($(compgen -W "$words" -- "$cur"))
				}
				""");
		sb.append("_queuectl_paths='").append(String.join("|", model.paths())).append("'\n");
		return sb.toString();
	}

	private static String bashValues(CommandModel.Values values) {
		if (values.files()) {
			return "COMPREPLY=($(compgen -f -- \"$cur\"))";
		}
		if (values.served() != null) {
			return "COMPREPLY=($(compgen -W \"$(_queuectl_served " + values.served() + ")\" -- \"$cur\"))";
		}
		if (!values.words().isEmpty()) {
			return "COMPREPLY=($(compgen -W '" + String.join(" ", values.words()) + "' -- \"$cur\"))";
		}
		return ":";
	}

	private static List<String> globalOptionWords() {
		return HelpCommand.GLOBAL_OPTIONS.stream().map(o -> o.get(0).split(" ")[0]).toList();
	}

	// --- fish ----------------------------------------------------------------------------------------

	private static String fish(CommandModel model) {
		StringBuilder sb = new StringBuilder(header("fish", "#"));
		sb.append("""
				# The command's words typed so far, after the global options.
				function __queuectl_cmd
				    set -l words (commandline -opc)
				    set -e words[1]
				    set -l cmd
				    set -l skip 0
				    for w in $words
				        if test $skip = 1
				            set skip 0
				            continue
				        end
				        if test -z "$cmd"; and test "$w" = --db
				            set skip 1
				            continue
				        end
				        if string match -q -- '-*' $w
				            test -z "$cmd"; and continue
				            break
				        end
				        set -l next (string trim -- "$cmd $w")
				        contains -- $next $__queuectl_paths; or break
				        set cmd $next
				    end
				    echo $cmd
				end

				function __queuectl_is
				    test (__queuectl_cmd) = "$argv[1]"
				end

				function __queuectl_served
				    set -l words (commandline -opc)
				    set -l db
				    set -l i (contains -i -- --db $words); and set db --db $words[(math $i + 1)]
				    QUEUECTL_SERVED_ONLY=1 $words[1] $db $argv </dev/null 2>/dev/null | awk 'NR > 1 && NF { print $1 }'
				end

				complete -c queuectl -f
				""");
		sb.append("set -g __queuectl_paths");
		model.paths().forEach(p -> sb.append(" '").append(p).append('\''));
		sb.append('\n');
		for (List<String> o : HelpCommand.GLOBAL_OPTIONS) {
			String[] name = o.get(0).split(" ");
			sb.append("complete -c queuectl -n '__queuectl_is \"\"' -l ").append(name[0].substring(2))
				.append(name.length > 1 ? " -r -F" : "").append(" -d ").append(fishQuote(o.get(1))).append('\n');
		}
		subCommands(sb, "", model.nextWords(""));
		for (String group : model.groups()) {
			subCommands(sb, group, model.nextWords(group));
		}
		for (Command c : model.commands()) {
			String is = " -n " + fishQuote("__queuectl_is '" + c.getName() + "'");
			for (CommandOption o : c.getOptions()) {
				sb.append("complete -c queuectl").append(is).append(" -l ").append(o.longName());
				if (o.shortName() != ' ') {
					sb.append(" -s ").append(o.shortName());
				}
				if (!HelpCommand.isFlag(o)) {
					sb.append(" -r").append(fishValues(CommandModel.optionValues(c, o)));
				}
				sb.append(" -d ").append(fishQuote(o.description() == null ? "" : o.description())).append('\n');
			}
			CommandModel.Arguments args = model.arguments(c);
			if (!args.values().isNone()) {
				sb.append("complete -c queuectl").append(is).append(fishValues(args.values())).append('\n');
			}
		}
		return sb.toString();
	}

	private static void subCommands(StringBuilder sb, String prefix, Map<String, String> words) {
		words.forEach((word, description) -> sb.append("complete -c queuectl -n ")
			.append(fishQuote("__queuectl_is '" + prefix + "'"))
			.append(" -a ")
			.append(word)
			.append(description.isEmpty() ? "" : " -d " + fishQuote(description))
			.append('\n'));
	}

	private static String fishValues(CommandModel.Values values) {
		if (values.files()) {
			return " -F";
		}
		// -f: these values only, no file names besides
		if (values.served() != null) {
			return " -f -a " + fishQuote("(__queuectl_served " + values.served() + ")");
		}
		return values.words().isEmpty() ? "" : " -f -a " + fishQuote(String.join(" ", values.words()));
	}

	private static String fishQuote(String text) {
		return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
	}
}
