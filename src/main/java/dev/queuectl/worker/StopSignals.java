package dev.queuectl.worker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGINT (Ctrl-C), SIGTERM and SIGHUP (the worker's terminal closed) ask the worker host to stop
 * gracefully instead of ending the JVM, so running jobs finish and the process exits 0. A second
 * signal does the same (the grace still bounds the wait). Under {@code nohup} SIGHUP stays
 * ignored: the JVM refuses to handle a signal its parent set to be ignored.
 */
final class StopSignals {

	private static final Logger log = LoggerFactory.getLogger(StopSignals.class);

	private StopSignals() {
	}

	static void onStop(Runnable stop) {
		for (String name : new String[] { "INT", "TERM", "HUP" }) {
			try {
				sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> stop.run());
			}
			catch (IllegalArgumentException ex) {
				log.debug("cannot handle SIG{}: {}", name, ex.getMessage());
			}
		}
	}
}
