package dev.queuectl.job;

/** Published after new jobs are stored, so a worker host in the same process can start them at once. */
public record JobsEnqueued(int count) {
}
