package dev.queuectl.worker;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.queuectl.job.Claim;
import dev.queuectl.job.FreeOnHost;
import dev.queuectl.job.Resources;

import static org.assertj.core.api.Assertions.assertThat;

/** A host's account of what its claimed jobs take, and what it passes into its next claim. */
class HostCapacityTest {

	private static Claim claim(String id, int slots, String asks) {
		return new Claim(id, "true", "/", 1, 0, null, Instant.EPOCH, Instant.EPOCH, slots, Resources.parseOffer(asks));
	}

	@Test
	void claimedJobsTakeTheirSlotsAndResourcesUntilTheyAreRecorded() {
		HostCapacity host = new HostCapacity(4, Resources.parseOffer("gpu=2,mem=64G"));
		assertThat(host.freeWithout(List.of())).isEqualTo(new FreeOnHost(4, Resources.parseOffer("gpu=2,mem=64G")));
		Claim train = claim("train", 3, "gpu=1,mem=16G");
		Claim small = claim("small", 1, "");
		host.claimed(train);
		host.claimed(small);
		FreeOnHost free = host.freeWithout(List.of());
		assertThat(free.slots()).isZero();
		assertThat(free.strict()).as("a job of several slots is held: nothing ahead").isTrue();
		assertThat(free.resources().get("gpu")).isEqualTo(1);
		assertThat(free.resources().get("mem")).isEqualTo(48L << 30);
		assertThat(host.holdsMultiSlotWithout(List.of())).isTrue();
		// a turn that records train's run claims with train's share free again
		FreeOnHost afterTrain = host.freeWithout(List.of(train));
		assertThat(afterTrain.slots()).isEqualTo(3);
		assertThat(afterTrain.strict()).isFalse();
		assertThat(afterTrain.resources().get("gpu")).isEqualTo(2);
		assertThat(host.usedWithout(List.of(train))).isEqualTo(1);
		host.released(train);
		host.released(small);
		assertThat(host.freeWithout(List.of())).isEqualTo(new FreeOnHost(4, Resources.parseOffer("gpu=2,mem=64G").minus(Resources.NONE)));
		assertThat(host.usedWithout(List.of())).isZero();
	}
}
