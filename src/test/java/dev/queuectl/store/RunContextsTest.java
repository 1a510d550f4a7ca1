package dev.queuectl.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.queuectl.cli.CommandTestSupport;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a worker host reads once for the jobs a turn claimed (their queue, own variables and the
 * jobs they run after) equals what the read of one job gives, for every job, beyond one
 * statement's share of ids too; a job that does not exist has no entry.
 */
class RunContextsTest extends CommandTestSupport {

	@Autowired
	TalkStore talk;

	@Test
	void theReadOfManyJobsGivesEachWhatItsOwnReadGives() {
		enqueue("{\"id\":\"a\",\"command\":\"true\"}");
		enqueue("{\"id\":\"b\",\"command\":\"true\",\"queue\":\"other\"}");
		enqueue("{\"id\":\"c\",\"command\":\"true\",\"env\":{\"X\":\"it's\",\"Y\":\"2\"},\"after\":[\"b\",\"a\"]}");
		List<String> ids = new ArrayList<>(List.of("c", "a", "b", "missing"));
		for (int i = 0; i < TalkStore.RUN_CONTEXTS_CHUNK + 5; i++) { // more than one statement's ids
			enqueue("{\"id\":\"m" + i + "\",\"command\":\"true\",\"after\":[\"a\"]}");
			ids.add("m" + i);
		}

		Map<String, TalkStore.RunContext> all = this.talk.runContexts(ids);

		assertThat(all).hasSize(ids.size() - 1).doesNotContainKey("missing");
		for (String id : ids) {
			assertThat(java.util.Optional.ofNullable(all.get(id))).as(id).isEqualTo(this.talk.runContext(id));
		}
		assertThat(all.get("c").after()).containsExactly("a", "b");
		assertThat(all.get("c").env()).containsEntry("X", "it's").containsEntry("Y", "2");
		assertThat(all.get("b").queue()).isEqualTo("other");
		assertThat(this.talk.runContexts(List.of())).isEmpty();
	}
}
