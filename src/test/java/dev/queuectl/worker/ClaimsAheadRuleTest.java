package dev.queuectl.worker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How many jobs a host claims ahead ({@link WorkerHost#claimsAhead}): none for long jobs; for short
 * ones about {@link WorkerHost#AHEAD_MS} of work a slot, capped at 8 a slot, but a small host may
 * hold as many as a 6-slot one, so that its turns are as large (3 hosts x 2 slots then take as
 * many transactions as 1 x 6 for the same jobs).
 */
class ClaimsAheadRuleTest {

	@Test
	void longJobsAreNotClaimedAhead() {
		assertThat(WorkerHost.claimsAhead(8, WorkerHost.SHORT_JOB_MS)).isZero();
		assertThat(WorkerHost.claimsAhead(2, Double.MAX_VALUE)).isZero(); // nothing run yet
	}

	@Test
	void aSmallHostHoldsAsManyAsASixSlotOneWhileThatIsWithinTheHorizon() {
		assertThat(WorkerHost.claimsAhead(6, 1)).isEqualTo(48);
		assertThat(WorkerHost.claimsAhead(2, 1)).isEqualTo(48);
		assertThat(WorkerHost.claimsAhead(1, 0)).isEqualTo(48);
		// 2 slots of 4 ms jobs: 100 ms of work a slot is 50 in all, still capped at 48
		assertThat(WorkerHost.claimsAhead(2, 4)).isEqualTo(48);
		// the horizon bounds it: 1 slot of 5 ms jobs holds 100 ms of them
		assertThat(WorkerHost.claimsAhead(1, 5)).isEqualTo(20);
	}

	@Test
	void largeHostsKeepEightASlot() {
		assertThat(WorkerHost.claimsAhead(16, 1)).isEqualTo(128);
		assertThat(WorkerHost.claimsAhead(8, 1)).isEqualTo(64);
	}

	@Test
	void jobsSlowedByABusyMachineAreStillClaimedAheadForTheHorizon() {
		// a `true` job that waited for a CPU: 25 ms of wall time, 2 slots hold 100 ms of them each
		assertThat(WorkerHost.claimsAhead(2, 25)).isEqualTo(8);
		assertThat(WorkerHost.claimsAhead(8, 50)).isEqualTo(16);
		// just under the horizon: one each
		assertThat(WorkerHost.claimsAhead(2, 99)).isEqualTo(2);
	}

	@Test
	void jobsNearTheShortLimitAreClaimedForTheHorizonOnly() {
		assertThat(WorkerHost.claimsAhead(4, 19)).isEqualTo(21); // 4 x 100 / 19
		assertThat(WorkerHost.claimsAhead(3, 19.9)).isEqualTo(15);
	}
}
