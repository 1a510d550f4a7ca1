package dev.queuectl.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Inside a job, {@code queuectl progress ...} and {@code queuectl result set ...} mean that job:
 * the worker host gives every job {@code QUEUECTL_JOB_ID} and {@code QUEUECTL_ATTEMPT}, and the
 * client adds {@code --job ID --attempt N} after the command's words when the caller named no
 * {@code --job} itself. A served command runs in another process, which cannot see the caller's
 * environment: so the words carry it, and the command itself never reads an environment. Plain
 * Java (the JVM client uses it); the native client (src/main/c/client.c, {@code with_job}) does
 * the same.
 * <p>
 * Likewise {@code enqueue --env NAME} and {@code add --env NAME} copy the caller's own value of
 * NAME: the client turns it into {@code --env NAME=VALUE} when NAME is set, and leaves it bare
 * otherwise, which the command refuses (exit 2: not set). Words after {@code --} (add's command)
 * are left as they are.
 */
public final class JobWords {

	private JobWords() {
	}

	/** {@code words} with the job of the environment added where it applies; else {@code words} itself. */
	public static List<String> fromEnvironment(List<String> words, Map<String, String> env) {
		if (!words.isEmpty() && (words.get(0).equals("enqueue") || words.get(0).equals("add"))) {
			return callersValues(words, env);
		}
		int at = commandLength(words);
		String id = env.get("QUEUECTL_JOB_ID");
		if (at == 0 || id == null || id.isEmpty() || words.stream().anyMatch(w -> w.equals("--job") || w.startsWith("--job="))) {
			return words;
		}
		List<String> added = new ArrayList<>(words.subList(0, at));
		added.add("--job");
		added.add(id);
		String attempt = env.get("QUEUECTL_ATTEMPT");
		if (attempt != null && !attempt.isEmpty()) {
			added.add("--attempt");
			added.add(attempt);
		}
		added.addAll(words.subList(at, words.size()));
		return added;
	}

	/** {@code enqueue}'s or {@code add}'s words with each {@code --env NAME} of a set NAME given its value. */
	static List<String> callersValues(List<String> words, Map<String, String> env) {
		List<String> out = null;
		for (int i = 1; i < words.size(); i++) {
			String w = words.get(i);
			String name = null;
			int valueAt = i;
			if (w.equals("--env") && i + 1 < words.size()) {
				valueAt = i + 1;
				name = words.get(valueAt);
			}
			else if (w.startsWith("--env=")) {
				name = w.substring(6);
			}
			if (w.equals("--")) {
				break;
			}
			if (name != null && !name.contains("=") && env.get(name) != null) {
				if (out == null) {
					out = new ArrayList<>(words);
				}
				out.set(valueAt, (valueAt == i ? "--env=" : "") + name + "=" + env.get(name));
			}
			i = valueAt;
		}
		return out == null ? words : out;
	}

	/** How many words name the command when it is one that means the caller's job: 1, 2, or 0 for none. */
	static int commandLength(List<String> words) {
		if (words.isEmpty()) {
			return 0;
		}
		if (words.get(0).equals("progress")) {
			return 1;
		}
		return words.size() >= 2 && words.get(0).equals("result") && words.get(1).equals("set") ? 2 : 0;
	}
}
