package dev.queuectl.worker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Retention by a real worker host, and prune on demand, over a real SQLite file and output folder. */
class RetentionIT {

	@TempDir
	Path dir;

	Queuectl q;

	@BeforeEach
	void setUp() {
		this.q = new Queuectl(this.dir).env("QUEUECTL_WORKER_HOUSEKEEPING_INTERVAL", "1s");
	}

	@Test
	void aHostDeletesFinishedJobsPastTheirRetentionWithTheirRunsAndOutputAndPruneDoesOnDemand() throws Exception {
		List<List<String>> setUp = new ArrayList<>(List.of(List.of("config", "set", "retention-completed", "2s"),
				List.of("config", "set", "retention-dead", "0"))); // dead ones kept until pruned by hand
		for (int i = 0; i < 5; i++) {
			setUp.add(List.of("enqueue", "{\"id\":\"ok" + i + "\",\"command\":\"echo output of " + i + "\"}"));
		}
		setUp.add(List.of("enqueue", "{\"id\":\"bad\",\"command\":\"echo failing; exit 4\",\"max_retries\":0}"));
		this.q.commands(setUp);
		Path output = this.q.db.getParent().resolve("output");
		try (Queuectl.Worker w = this.q.worker("--no-http")) {
			await().atMost(Duration.ofSeconds(60)).until(() -> scalar("SELECT COUNT(*) FROM jobs WHERE state = 'dead'") == 1
					&& Files.isDirectory(output.resolve("bad")));
			await().atMost(Duration.ofSeconds(60))
				.until(() -> scalar("SELECT COUNT(*) FROM jobs WHERE id LIKE 'ok%'") == 0);
			assertThat(scalar("SELECT COUNT(*) FROM job_runs WHERE job_id LIKE 'ok%'")).isZero();
			await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(output.resolve("ok0")));
			assertThat(scalar("SELECT COUNT(*) FROM jobs WHERE id = 'bad'")).as("dead jobs are kept: retention 0").isOne();
		}
		Queuectl.Result dry = this.q.run("prune", "--state", "dead", "--older-than", "1s", "--dry-run");
		assertThat(dry.exit()).as(dry.err()).isZero();
		assertThat(dry.out()).contains("dry run: 1 job(s) would be removed");
		assertThat(scalar("SELECT COUNT(*) FROM jobs")).isOne();
		assertThat(this.q.ok("prune", "--state", "dead", "--older-than", "1s")).containsPattern("dead\\s+1s\\s+1");
		assertThat(scalar("SELECT COUNT(*) FROM jobs")).isZero();
		assertThat(output.resolve("bad")).doesNotExist();
	}

	private long scalar(String sql) throws SQLException {
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + this.q.db + "?busy_timeout=10000");
				ResultSet rs = c.createStatement().executeQuery(sql)) {
			rs.next();
			return rs.getLong(1);
		}
	}
}
