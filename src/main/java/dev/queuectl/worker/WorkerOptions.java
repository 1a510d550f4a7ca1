package dev.queuectl.worker;

import java.util.List;

/** What {@code worker start} was asked for. */
public record WorkerOptions(int slots, List<String> queues, Integer httpPort) {
}
