package dev.queuectl.job;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.queuectl.QueuectlException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a host offers and a job asks: parsing, sizes, arithmetic, and every refusal in one line. */
class ResourcesTest {

	private static final JobSpecParser.Defaults DEFAULTS = new JobSpecParser.Defaults(3, Instant.EPOCH, "/tmp");

	private static NewJob job(String json) {
		return JobSpecParser.parse(JobSpecParser.readTree(json, ""), "", DEFAULTS);
	}

	@Test
	void anOfferNamesAmountsWithSizesInPowersOf1024() {
		Resources r = Resources.parseOffer("gpu=2, mem=64G,license=1,scratch=512m,tape=1T,k=3K");
		assertThat(r.amounts()).containsExactly(Map.entry("gpu", 2L), Map.entry("k", 3072L), Map.entry("license", 1L),
				Map.entry("mem", 64L << 30), Map.entry("scratch", 512L << 20), Map.entry("tape", 1L << 40));
		assertThat(r.toString()).isEqualTo("gpu=2,k=3K,license=1,mem=64G,scratch=512M,tape=1T");
		assertThat(r.toJson()).isEqualTo("{\"gpu\":2,\"k\":3072,\"license\":1,\"mem\":68719476736,\"scratch\":536870912,\"tape\":1099511627776}");
		assertThat(Resources.fromStored(r.toJson())).isEqualTo(r);
		assertThat(Resources.fromStored("{\"gpu\": 1, \"mem\": 1024}").amounts()).containsEntry("gpu", 1L).containsEntry("mem", 1024L);
		assertThat(Resources.parseOffer(null)).isSameAs(Resources.NONE);
		assertThat(Resources.NONE.toJson()).isNull();
	}

	@Test
	void aJobAsksResourcesAsIntegersOrSizedStringsAndSlots() {
		NewJob j = job("{\"command\":\"x\",\"resources\":{\"gpu\":1,\"mem\":\"16G\"},\"slots\":3}");
		assertThat(j.resources().amounts()).containsExactly(Map.entry("gpu", 1L), Map.entry("mem", 16L << 30));
		assertThat(j.slots()).isEqualTo(3);
		assertThat(j.weighted()).isTrue();
		NewJob plain = job("{\"command\":\"x\"}");
		assertThat(plain.resources()).isSameAs(Resources.NONE);
		assertThat(plain.slots()).isEqualTo(1);
		assertThat(plain.weighted()).isFalse();
		assertThat(job("{\"command\":\"x\",\"resources\":{},\"slots\":null}").weighted()).isFalse();
	}

	@Test
	void badResourcesAndSlotsAreRefusedInOneLine() {
		Map<String, String> refused = Map.of(
				"{\"command\":\"x\",\"resources\":{\"mem\":\"16GB\"}}", "unknown suffix 'GB'",
				"{\"command\":\"x\",\"resources\":{\"mem\":\"16X\"}}", "unknown suffix 'X'",
				"{\"command\":\"x\",\"resources\":{\"GPU\":1}}", "'GPU' is not a resource name",
				"{\"command\":\"x\",\"resources\":{\"gpu\":-1}}", "must not be negative",
				"{\"command\":\"x\",\"resources\":{\"gpu\":\"-1\"}}", "must not be negative",
				"{\"command\":\"x\",\"resources\":{\"gpu\":1.5}}", "non-negative integer",
				"{\"command\":\"x\",\"resources\":[\"gpu\"]}", "must be an object",
				"{\"command\":\"x\",\"resources\":{\"mem\":\"99999999999T\"}}", "too large",
				"{\"command\":\"x\",\"slots\":0}", "field 'slots' must be an integer from 1 to 256",
				"{\"command\":\"x\",\"slots\":257}", "from 1 to 256");
		refused.forEach((json, why) -> assertThatThrownBy(() -> job(json)).as(json)
			.isInstanceOfSatisfying(QueuectlException.class, ex -> {
				assertThat(ex.exitCode()).isEqualTo(2);
				assertThat(ex.getMessage()).contains(why).doesNotContain("\n");
			}));
	}

	@Test
	void aBadOfferIsRefusedNamingTheOption() {
		for (String bad : List.of("gpu", "gpu=two", "gpu=2,gpu=1", "Gpu=1", "mem=64Q", "gpu=-1", "=1")) {
			assertThatThrownBy(() -> Resources.parseOffer(bad)).as(bad)
				.isInstanceOfSatisfying(QueuectlException.class, ex -> {
					assertThat(ex.exitCode()).isEqualTo(2);
					assertThat(ex.getMessage()).startsWith("--resources");
				});
		}
	}

	@Test
	void aJobFitsWhatIsFreeAndTakesItsShare() {
		Resources offer = Resources.parseOffer("gpu=1,mem=4G");
		Resources asks = Resources.parseOffer("gpu=1,mem=1G");
		assertThat(asks.fitsIn(offer)).isTrue();
		Resources left = offer.minus(asks);
		assertThat(asks.fitsIn(left)).as("the gpu is taken").isFalse();
		assertThat(Resources.parseOffer("mem=3G").fitsIn(left)).isTrue();
		assertThat(Resources.parseOffer("disk=1").fitsIn(offer)).as("a name not offered is 0").isFalse();
		assertThat(Resources.parseOffer("disk=0").fitsIn(offer)).isTrue();
		assertThat(left.plus(asks)).isEqualTo(offer);
		assertThat(Resources.parseOffer("disk=1").firstNotIn(offer)).isEqualTo("disk");
	}

	@Test
	void aHostHoldingAJobOfSeveralSlotsClaimsOnlyWhatFitsItsSlots() {
		FreeOnHost free = new FreeOnHost(4, Resources.NONE);
		assertThat(free.fits(3, Resources.NONE)).isTrue();
		FreeOnHost after = free.minus(3, Resources.NONE);
		assertThat(after.strict()).isTrue();
		assertThat(after.fits(1, Resources.NONE)).isTrue();
		assertThat(after.minus(1, Resources.NONE).fits(1, Resources.NONE)).as("a second one-slot job beside it").isFalse();
		FreeOnHost aheadOfTime = new FreeOnHost(-5, Resources.NONE);
		assertThat(aheadOfTime.fits(1, Resources.NONE)).as("claims ahead of one slot").isTrue();
		assertThat(aheadOfTime.fits(2, Resources.NONE)).isFalse();
		assertThat(aheadOfTime.slotBound()).isEqualTo(1);
	}
}
