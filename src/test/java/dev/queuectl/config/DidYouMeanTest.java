package dev.queuectl.config;


import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which word a mistyped one is taken for, and when none is. */
class DidYouMeanTest {

	private static final List<String> COMMANDS = List.of("enqueue", "list", "show", "status", "logs", "cancel", "wait",
			"queue", "dlq", "schedule", "server", "worker", "help", "version");

	@Test
	void aSwapOfTwoNeighboursIsOneEdit() {
		assertThat(DidYouMean.distance("lsit", "list")).isOne();
		assertThat(DidYouMean.closest("lsit", COMMANDS)).contains("list");
		assertThat(DidYouMean.closest("stauts", COMMANDS)).contains("status");
	}

	@Test
	void theAllowedEditsGrowWithTheWord() {
		assertThat(DidYouMean.closest("shw", COMMANDS)).contains("show");
		assertThat(DidYouMean.closest("lxyt", COMMANDS)).isEmpty(); // 2 edits in 4 characters: too far
		assertThat(DidYouMean.closest("enqeeu", COMMANDS)).contains("enqueue");
		assertThat(DidYouMean.closest("frobnicate", COMMANDS)).isEmpty();
	}

	@Test
	void theOneNameAWordBeginsIsMeant() {
		assertThat(DidYouMean.closest("sched", COMMANDS)).contains("schedule");
		assertThat(DidYouMean.closest("ver", COMMANDS)).contains("version");
		assertThat(DidYouMean.closest("se", COMMANDS)).isEmpty();
	}

	@Test
	void aTieCaseOnlyShortWordsAndLongTextSayNothingOrTheName() {
		assertThat(DidYouMean.closest("wueue", List.of("queue", "quote"))).contains("queue");
		assertThat(DidYouMean.closest("abcd", List.of("abce", "abcf"))).isEmpty(); // two as close: none
		assertThat(DidYouMean.closest("LIST", COMMANDS)).contains("list");
		assertThat(DidYouMean.closest("list", COMMANDS)).isEmpty(); // the word itself names something
		assertThat(DidYouMean.closest("-x", List.of("-h", "--help"))).isEmpty();
		assertThat(DidYouMean.closest("{\"command\":\"echo hi\"}".repeat(5), COMMANDS)).isEmpty();
	}
}
