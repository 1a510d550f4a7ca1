package dev.queuectl.service;

import dev.queuectl.job.Resources;
import dev.queuectl.job.WorkerInfo;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The words for a job no live host could ever run, and none for one a host could. */
class HostFitTest {

	private static WorkerInfo host(int slots, String queues, String offer) {
		return new WorkerInfo("h" + slots + offer, "box", 1, slots, queues, null, Instant.EPOCH, Instant.EPOCH, false,
				List.of(), Resources.parseOffer(offer));
	}

	private static String why(int slots, String asks, WorkerInfo... hosts) {
		return HostFit.reason("default", slots, Resources.parseOffer(asks), List.of(hosts));
	}

	@Test
	void aJobAskingWhatNoLiveHostOffersIsSaidSoPlainly() {
		assertThat(why(1, "gpu=1", host(4, null, ""))).isEqualTo("no live host offers gpu");
		assertThat(why(1, "gpu=1")).isEqualTo("no live host offers gpu");
		assertThat(why(1, "gpu=2", host(4, null, "gpu=1"))).isEqualTo("no live host offers gpu=2 (the most: 1)");
		assertThat(why(1, "mem=64G", host(4, null, "mem=16G"))).isEqualTo("no live host offers mem=64G (the most: 16G)");
		assertThat(why(1, "gpu=1", host(4, "other", "gpu=1"))).as("a host not taking the queue").isEqualTo("no live host offers gpu");
		assertThat(why(8, "", host(4, null, ""))).isEqualTo("no live host has 8 slots (the most: 4)");
		assertThat(why(2, "", new WorkerInfo[0])).isEqualTo("no live host takes queue default");
		assertThat(why(1, "gpu=1,mem=8G", host(1, null, "gpu=1"), host(2, null, "mem=8G")))
			.isEqualTo("no live host offers gpu=1,mem=8G with 1 slots at once");
	}

	@Test
	void aJobSomeLiveHostCouldRunHasNoReason() {
		assertThat(why(1, "gpu=1", host(1, null, "gpu=1"))).isNull();
		assertThat(why(3, "gpu=1,mem=8G", host(4, "default,b", "gpu=2,mem=64G"))).isNull();
		assertThat(why(1, "gpu=0", host(1, null, ""))).isNull();
	}
}
