package dev.queuectl;

/**
 * Test-only: prints where the JVM finds the database ({@link Main#location}, which asks
 * {@code DatabaseLocation.find}), one line: the socket's path, or "refused". DatabasePlaceTest runs
 * it in a JVM of its own per case (the environment and working directory are its inputs), beside
 * the native client's twin, target/queuectl-where-db. Usage: WhereDbProbe [--db VALUE]
 */
final class WhereDbProbe {

	private WhereDbProbe() {
	}

	public static void main(String[] args) {
		String flag = args.length > 1 && args[0].equals("--db") ? args[1] : null;
		String answer;
		try {
			answer = Main.location(flag).socket().toString();
		}
		catch (RuntimeException ex) {
			answer = "refused";
		}
		System.out.println(answer);
	}
}
