package dev.queuectl.worker;

import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGINT (Ctrl-C), SIGTERM and SIGHUP (the worker's terminal closed) ask the worker host to stop
 * gracefully instead of ending the JVM, so running jobs finish and the process exits 0. A second
 * signal does the same (the grace still bounds the wait). Under {@code nohup} SIGHUP stays
 * ignored: the JVM does not handle a signal its parent set to be ignored. When the host ends the
 * handlers before it come back (a worker started in the REPL gives Ctrl-C back to the prompt).
 */
public final class StopSignals implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(StopSignals.class);

	private final Map<sun.misc.Signal, sun.misc.SignalHandler> previous = new LinkedHashMap<>();

	private StopSignals() {
	}

	public static StopSignals onStop(Runnable stop) {
		StopSignals signals = new StopSignals();
		for (String name : new String[] { "INT", "TERM", "HUP" }) {
			try {
				sun.misc.Signal signal = new sun.misc.Signal(name);
				signals.previous.put(signal, sun.misc.Signal.handle(signal, s -> stop.run()));
			}
			catch (IllegalArgumentException ex) {
				log.debug("cannot handle SIG{}: {}", name, ex.getMessage());
			}
		}
		return signals;
	}

	@Override
	public void close() {
		this.previous.forEach((signal, handler) -> {
			try {
				sun.misc.Signal.handle(signal, handler);
			}
			catch (IllegalArgumentException ex) {
				log.debug("cannot restore SIG{}: {}", signal.getName(), ex.getMessage());
			}
		});
	}
}
