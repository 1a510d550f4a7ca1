package dev.queuectl.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import dev.queuectl.OptionWords;
import dev.queuectl.QueuectlException;
import dev.queuectl.job.Resources;

/**
 * What {@code worker start} was asked for, and the one place its options are checked. The entry
 * point parses the command line with {@link #parse} before it starts Spring or a web server, so a
 * bad option costs one line and exit 2 and binds no port; the command checks the same rules when
 * it is typed in the REPL. {@code resources}: what the host offers to jobs that ask resources.
 */
public record WorkerOptions(int slots, List<String> queues, Integer httpPort, boolean cleanEnv, Resources resources) {

	public static final int MAX_SLOTS = 256;

	/** The rule {@code enqueue} applies to a job's {@code "queue"} (JobSpecParser.QUEUE). */
	private static final Pattern QUEUE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

	/** A host whose jobs inherit its environment but queuectl's own variables (no {@code --clean-env}). */
	public WorkerOptions(int slots, List<String> queues, Integer httpPort) {
		this(slots, queues, httpPort, false);
	}

	/** A host that offers no resources ({@code --resources}). */
	public WorkerOptions(int slots, List<String> queues, Integer httpPort, boolean cleanEnv) {
		this(slots, queues, httpPort, cleanEnv, Resources.NONE);
	}

	/** The command line of {@code worker start}, checked. */
	public record Request(int count, List<String> queues, Integer port, boolean noHttp, boolean cleanEnv, boolean help,
			Resources resources) {
	}

	/**
	 * Parses the words after {@code worker start} exactly as the command declares them: {@code --count}
	 * / {@code -c}, {@code --queue} / {@code -q} (repeatable), {@code --port}, {@code --no-http},
	 * {@code --clean-env}, {@code --resources} (repeatable), each also as {@code --name=value};
	 * {@code --help} / {@code -h}.
	 */
	public static Request parse(List<String> args) {
		Integer[] count = { null };
		List<String> queueValues = new ArrayList<>();
		String[] port = { null };
		boolean[] noHttp = { false };
		boolean[] cleanEnv = { false };
		boolean[] help = { false };
		List<String> resourceValues = new ArrayList<>();
		OptionWords.parse(args, "worker start", Set.of("--help", "-h", "--no-http", "--clean-env"),
				Set.of("--count", "-c", "--queue", "-q", "--port", "--resources"), (name, value) -> {
					switch (name) {
						case "--no-http" -> noHttp[0] = value.equals("true");
						case "--clean-env" -> cleanEnv[0] = value.equals("true");
						case "--count", "-c" -> count[0] = integer(name, value);
						case "--port" -> port[0] = value;
						case "--queue", "-q" -> queueValues.add(value);
						case "--resources" -> resourceValues.add(value);
						default -> help[0] = value.equals("true");
					}
				});
		return new Request(checkCount(count[0] == null ? 1 : count[0]),
				checkQueues(queueValues.isEmpty() ? null : String.join(",", queueValues)),
				port[0] == null ? null : checkPort(integer("--port", port[0])), noHttp[0], cleanEnv[0], help[0],
				checkResources(resourceValues.isEmpty() ? null : String.join(",", resourceValues)));
	}

	/** Jobs run at once: 1 to {@value #MAX_SLOTS}. */
	public static int checkCount(Integer count) {
		if (count == null || count < 1 || count > MAX_SLOTS) {
			throw QueuectlException.usage("--count must be from 1 to " + MAX_SLOTS);
		}
		return count;
	}

	/** The queues of {@code --queue a,b} (repeats arrive joined by commas); empty means every queue. */
	public static List<String> checkQueues(String queues) {
		if (queues == null) {
			return List.of();
		}
		List<String> names = new ArrayList<>();
		for (String name : queues.split(",", -1)) {
			String trimmed = name.trim();
			if (!QUEUE.matcher(trimmed).matches()) {
				throw QueuectlException.usage("--queue '" + trimmed
						+ "' is not a queue name (1-64 of letters, digits and . _ : -)");
			}
			names.add(trimmed);
		}
		return List.copyOf(names);
	}

	/**
	 * What {@code --resources gpu=2,mem=64G,license=1} offers (repeats arrive joined by commas): the
	 * names and amounts {@link Resources#parseOffer} accepts; none when not given.
	 */
	public static Resources checkResources(String resources) {
		return Resources.parseOffer(resources);
	}

	/** An HTTP port: 0 (any free one) to 65535. */
	public static Integer checkPort(Integer port) {
		if (port != null && (port < 0 || port > 65535)) {
			throw QueuectlException.usage("--port must be from 0 to 65535");
		}
		return port;
	}

	private static int integer(String name, String value) {
		try {
			return Integer.parseInt(value);
		}
		catch (NumberFormatException ex) {
			throw QueuectlException.usage("option " + name + " expects an integer, got '" + value + "'");
		}
	}
}
