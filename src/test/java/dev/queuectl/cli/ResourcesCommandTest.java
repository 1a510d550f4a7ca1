package dev.queuectl.cli;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.queuectl.job.Claim;
import dev.queuectl.job.FreeOnHost;
import dev.queuectl.job.Resources;
import dev.queuectl.store.WorkerRegistryStore;
import dev.queuectl.store.WorkerStore;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Resources per host (issue 26) through the commands and the store: what enqueue stores and
 * refuses, what show and status say of a job no live host could run, and the claim of a host that
 * passes what it has free (on SQLite here, on PostgreSQL in the subclass).
 */
class ResourcesCommandTest extends CommandTestSupport {

	private static final Duration LEASE = Duration.ofSeconds(30);

	@Autowired
	WorkerStore workers;

	@Autowired
	WorkerRegistryStore registry;

	@BeforeEach
	void noHosts() {
		this.jdbc.update("DELETE FROM workers");
	}

	private List<String> claim(int n, FreeOnHost free) {
		return this.workers.claim("w1", List.of(), n, this.clock.instant(), LEASE, free).stream().map(Claim::jobId).toList();
	}

	private static FreeOnHost free(int slots, String offer) {
		return new FreeOnHost(slots, Resources.parseOffer(offer));
	}

	private void host(String id, int slots, String offer) {
		this.registry.register(id, "box", 1, slots, null, null, this.clock.instant(), this.clock.instant(),
				Resources.parseOffer(offer));
	}

	@Test
	void enqueueStoresWhatAJobAsksAndShowSaysItBack() {
		enqueue("{\"id\":\"train\",\"command\":\"./train.sh\",\"resources\":{\"gpu\":1,\"mem\":\"16G\"},\"slots\":2}");
		enqueue("{\"id\":\"plain\",\"command\":\"true\"}");
		assertThat(this.jdbc.queryForObject("SELECT slots FROM jobs WHERE id = 'train'", Integer.class)).isEqualTo(2);
		assertThat(Resources.fromStored(this.jdbc.queryForObject("SELECT resources FROM jobs WHERE id = 'train'", String.class)))
			.isEqualTo(Resources.parseOffer("gpu=1,mem=16G"));
		assertThat(this.jdbc.queryForObject("SELECT resources FROM jobs WHERE id = 'plain'", String.class)).isNull();
		assertThat(run("show", "train").ok().outLines()).contains("resources            gpu=1,mem=16G", "slots                2");
		assertThat(run("show", "plain").ok().outLines()).contains("resources            -", "slots                1");
		var json = run("show", "train", "--json").ok().json();
		assertThat(json.get("resources").get("mem").asLong()).isEqualTo(16L << 30);
		assertThat(json.get("slots").asInt()).isEqualTo(2);
	}

	@Test
	void badResourcesAreRefusedInOneLineAndNothingIsStored() {
		var before = everything();
		run("enqueue", "{\"command\":\"x\",\"resources\":{\"mem\":\"16GB\"}}").usageError("unknown suffix 'GB'");
		run("enqueue", "{\"command\":\"x\",\"resources\":{\"Gpu\":1}}").usageError("'Gpu' is not a resource name");
		run("enqueue", "{\"command\":\"x\",\"resources\":{\"gpu\":-2}}").usageError("must not be negative");
		run("enqueue", "{\"command\":\"x\",\"slots\":0}").usageError("field 'slots'");
		runWithStdin("{\"command\":\"ok\"}\n{\"command\":\"x\",\"resources\":{\"gpu\":\"1Q\"}}\n", "enqueue", "-")
			.usageError("line 2", "unknown suffix 'Q'");
		assertThat(everything()).isEqualTo(before);
	}

	@Test
	void showAndStatusSayPlainlyWhenNoLiveHostCouldRunAJob() {
		enqueue("{\"id\":\"g\",\"command\":\"x\",\"resources\":{\"gpu\":1}}");
		enqueue("{\"id\":\"big\",\"command\":\"x\",\"slots\":8}");
		host("h1", 4, "mem=64G");
		assertThat(run("show", "g").ok().outLines()).contains("waiting              no live host offers gpu");
		assertThat(run("show", "g", "--json").ok().json().get("waiting").get(0).asString()).isEqualTo("no live host offers gpu");
		assertThat(run("show", "big").ok().outLines()).contains("waiting              no live host has 8 slots (the most: 4)");
		assertThat(run("status").ok().outLines()).contains("1 waiting job(s) no live host could run, no live host offers gpu: g",
				"1 waiting job(s) no live host could run, no live host has 8 slots (the most: 4): big");
		assertThat(run("status", "--json").ok().json().get("no_host").get("no live host offers gpu").get(0).asString()).isEqualTo("g");
		host("h2", 8, "gpu=1");
		assertThat(run("show", "g").ok().out()).doesNotContain("waiting");
		assertThat(run("show", "g", "--json").ok().json().get("waiting").isEmpty()).isTrue();
		assertThat(run("status").ok().out()).doesNotContain("no live host could run").contains("gpu=1");
		assertThat(run("status", "--json").ok().json().get("workers").get(1).get("resources").get("gpu").asInt()).isEqualTo(1);
	}

	@Test
	void aHostClaimsOnlyJobsThatFitWhatItHasFree() {
		enqueue("{\"id\":\"g1\",\"command\":\"x\",\"resources\":{\"gpu\":1}}");
		enqueue("{\"id\":\"g2\",\"command\":\"x\",\"resources\":{\"gpu\":1}}");
		enqueue("{\"id\":\"p1\",\"command\":\"x\"}");
		assertThat(claim(10, free(4, ""))).as("a host offering no gpu").containsExactly("p1");
		assertThat(claim(10, free(4, "gpu=1"))).as("one gpu: one gpu job of the two").containsExactly("g1");
		assertThat(claim(10, free(4, "gpu=0"))).as("its gpu taken").isEmpty();
		assertThat(claim(10, free(4, "gpu=1"))).containsExactly("g2");
	}

	@Test
	void jobsThatFitOneByOneButNotTogetherKeepTheirPlaceInTheQueue() {
		enqueue("{\"id\":\"a\",\"command\":\"x\",\"resources\":{\"mem\":\"3G\"}}");
		this.clock.advance(Duration.ofMillis(5));
		enqueue("{\"id\":\"b\",\"command\":\"x\",\"resources\":{\"mem\":\"3G\"},\"max_retries\":7}");
		this.clock.advance(Duration.ofMillis(5));
		enqueue("{\"id\":\"c\",\"command\":\"x\",\"resources\":{\"mem\":\"1G\"}}");
		var before = this.jdbc.queryForMap("SELECT state, attempts, run_at, updated_at, worker_id FROM jobs WHERE id = 'b'");
		assertThat(claim(10, free(1, "mem=4G"))).as("a and c fit 4G together, b does not beside a").containsExactly("a", "c");
		assertThat(this.jdbc.queryForMap("SELECT state, attempts, run_at, updated_at, worker_id FROM jobs WHERE id = 'b'"))
			.as("b untouched: claimed, then rolled back").isEqualTo(before);
	}

	@Test
	void aJobOfThreeSlotsOnAFourSlotHostLeavesRoomForOneMore() {
		enqueue("{\"id\":\"s3\",\"command\":\"x\",\"slots\":3}");
		for (int i = 1; i <= 3; i++) {
			this.clock.advance(Duration.ofMillis(5));
			enqueue("{\"id\":\"p" + i + "\",\"command\":\"x\"}");
		}
		enqueue("{\"id\":\"s5\",\"command\":\"x\",\"slots\":5,\"priority\":9}");
		assertThat(claim(10, free(4, ""))).containsExactly("s3", "p1");
		assertThat(claim(10, free(2, ""))).as("with 2 of 4 taken by one-slot jobs, no job of 3").containsExactly("p2", "p3");
	}

	@Test
	void aJobOfSeveralSlotsWaitsWhileOneSlotJobsAreClaimedAhead() {
		enqueue("{\"id\":\"s2\",\"command\":\"x\",\"slots\":2}");
		assertThat(claim(10, free(-3, ""))).as("every slot taken by claims ahead").isEmpty();
		assertThat(claim(10, free(2, ""))).containsExactly("s2");
	}

	@Test
	void anIdleHostThatCanRunNoneOfTheWaitingJobsFindsNothingToClaim() {
		enqueue("{\"id\":\"g\",\"command\":\"x\",\"resources\":{\"gpu\":1}}");
		assertThat(this.workers.hasRunnable(List.of(), this.clock.instant(), free(4, ""))).isFalse();
		assertThat(this.workers.hasRunnable(List.of(), this.clock.instant(), free(4, "gpu=1"))).isTrue();
		assertThat(this.workers.hasRunnable(List.of(), this.clock.instant())).as("no account kept: any job").isTrue();
		enqueue("{\"id\":\"p\",\"command\":\"x\"}");
		assertThat(this.workers.hasRunnable(List.of(), this.clock.instant(), free(4, ""))).isTrue();
	}

	@Test
	void aClaimOverNamedQueuesTestsTheFitToo() {
		enqueue("{\"id\":\"g\",\"command\":\"x\",\"queue\":\"q\",\"resources\":{\"gpu\":1}}");
		enqueue("{\"id\":\"p\",\"command\":\"x\",\"queue\":\"q\"}");
		run("queue", "limit", "q", "5").ok();
		assertThat(this.workers.claim("w1", List.of("q"), 10, this.clock.instant(), LEASE, free(4, ""))
			.stream().map(Claim::jobId).toList()).containsExactly("p");
		Map<String, Object> g = this.jdbc.queryForMap("SELECT state, attempts FROM jobs WHERE id = 'g'");
		assertThat(g).containsEntry("state", "pending");
	}
}
