package dev.queuectl.job;

import java.time.Instant;

/** A job's result ({@code queuectl result set}): the attempt that set it, its text, and when. */
public record JobResult(int attempt, String value, Instant at) {
}
