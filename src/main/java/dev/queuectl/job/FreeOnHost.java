package dev.queuectl.job;

/**
 * What a worker host has free for its next claims: slots not taken by its claimed jobs (running or
 * waiting in its ready queue; a job of N slots takes N) and what it offers less what those jobs
 * ask. The host alone runs its jobs, so this is its own knowledge; it passes it into its claim, whose
 * statement takes only jobs that fit ({@link #fits}). A job of one slot fits the slots even when
 * none is free (a claim ahead: it waits in the host's queue for a slot), unless the host holds a job
 * of several slots ({@code strict}): then every job must fit the slots left, so that the slots of
 * the running jobs never add up to more than the host's.
 */
public record FreeOnHost(int slots, Resources resources, boolean strict) {

	/** Free slots and resources of a host that holds no job of several slots. */
	public FreeOnHost(int slots, Resources resources) {
		this(slots, resources, false);
	}

	/** Whether a job of {@code slots} slots asking {@code asked} may be claimed now. */
	public boolean fits(int slots, Resources asked) {
		return (slots <= 1 && !this.strict || slots <= this.slots) && asked.fitsIn(this.resources);
	}

	/** What is left once a job of {@code slots} slots asking {@code asked} is claimed. */
	public FreeOnHost minus(int slots, Resources asked) {
		return new FreeOnHost(this.slots - slots, this.resources.minus(asked), this.strict || slots > 1);
	}

	/** The most slots a job may take in the claim's statement: at least 1 unless strict (claims ahead). */
	public int slotBound() {
		return this.strict ? this.slots : Math.max(1, this.slots);
	}
}
