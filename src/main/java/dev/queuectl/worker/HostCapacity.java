package dev.queuectl.worker;

import java.util.List;

import dev.queuectl.job.Claim;
import dev.queuectl.job.FreeOnHost;
import dev.queuectl.job.Resources;

/**
 * A worker host's account of its slots and resources (issue 26): what its claimed jobs take (running,
 * waiting in its ready queue, finished and not yet recorded), and so what it has free for its next
 * claim ({@link FreeOnHost}). A job of N slots takes N; claims ahead count as taken. While the host
 * holds a job of several slots it claims nothing ahead, so its claimed jobs, and the running ones
 * among them, never take more slots than it has: a job of 3 slots on a 4-slot host runs beside at
 * most one job of one slot, and its spawner runs it alone. Only the dispatcher thread uses it.
 */
final class HostCapacity {

	private final int slots;

	private final Resources offered;

	/** Slots taken by claimed jobs (more than {@link #slots} while jobs are claimed ahead). */
	private int usedSlots;

	/** Claimed jobs of several slots. */
	private int multiSlot;

	private Resources used = Resources.NONE;

	HostCapacity(int slots, Resources offered) {
		this.slots = slots;
		this.offered = offered;
	}

	void claimed(Claim c) {
		this.usedSlots += c.slots();
		this.multiSlot += c.slots() > 1 ? 1 : 0;
		this.used = this.used.plus(c.resources());
	}

	void released(Claim c) {
		this.usedSlots -= c.slots();
		this.multiSlot -= c.slots() > 1 ? 1 : 0;
		this.used = this.used.minus(c.resources());
	}

	/** Slots taken once the claims {@code leaving} (recorded in this turn) are not counted. */
	int usedWithout(List<Claim> leaving) {
		return this.usedSlots - leaving.stream().mapToInt(Claim::slots).sum();
	}

	/** Whether a job of several slots is held once {@code leaving} are not counted: then no claims ahead. */
	boolean holdsMultiSlotWithout(List<Claim> leaving) {
		return this.multiSlot - leaving.stream().filter(c -> c.slots() > 1).count() > 0;
	}

	/** What is free once the claims {@code leaving} (recorded in this turn) are not counted. */
	FreeOnHost freeWithout(List<Claim> leaving) {
		Resources taken = this.used;
		for (Claim c : leaving) {
			taken = taken.minus(c.resources());
		}
		return new FreeOnHost(this.slots - usedWithout(leaving), this.offered.minus(taken), holdsMultiSlotWithout(leaving));
	}
}
