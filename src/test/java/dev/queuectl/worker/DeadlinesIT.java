package dev.queuectl.worker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 26's deadlines and retries by exit code with a real worker host running real shell
 * commands (SQLite here, PostgreSQL in {@link DeadlinesPostgresIT}): a job whose deadline passed
 * before any host was up never starts, and the job after it is canceled with it; exit codes and
 * timeouts route retries as each job's retry_on / no_retry_on says, counted in job_runs. Every
 * job that runs appends to a ledger, so a job that started shows there.
 */
class DeadlinesIT extends OwnQueue {

	Path ledger;

	@BeforeEach
	void setUp() {
		this.ledger = this.dir.resolve("ledger");
	}

	@Override
	boolean migrateFirst() {
		return true;
	}

	/** The database's now in ms: the clock its deadlines are on (the host's for SQLite). */
	String clockSql() {
		return "CAST(strftime('%s', 'now') AS INTEGER) * 1000";
	}

	@Test
	void anExpiredJobNeverStartsAndTheJobAfterItIsCanceled() throws Exception {
		this.q.commands(List.of("enqueue", "{\"id\":\"late\",\"start_within\":\"1s\",\"command\":\"echo late >> " + this.ledger + "\"}"),
				List.of("enqueue", "{\"id\":\"next\",\"after\":\"late\",\"command\":\"echo next >> " + this.ledger + "\"}"),
				List.of("enqueue", "{\"id\":\"plain\",\"command\":\"echo plain >> " + this.ledger + "\"}"));
		await().atMost(Duration.ofSeconds(20))
			.until(() -> scalar("SELECT COUNT(*) FROM jobs WHERE id = 'late' AND start_by < " + clockSql()) == 1);
		try (Queuectl.Worker w = this.q.worker("--no-http", "--count", "2")) {
			await().atMost(Duration.ofSeconds(60)).until(() -> "completed".equals(state("plain")) && "canceled".equals(state("late"))
					&& "canceled".equals(state("next")));
			assertThat(text("SELECT last_error FROM jobs WHERE id = 'late'")).startsWith("expired: not started by its deadline ");
			assertThat(text("SELECT last_error FROM jobs WHERE id = 'next'"))
				.isEqualTo("canceled: job late, which it runs after, ended canceled");
			assertThat(scalar("SELECT COUNT(*) FROM job_runs WHERE job_id IN ('late', 'next')")).isZero();
			assertThat(Files.readAllLines(this.ledger)).containsExactly("plain");
			assertThat(this.q.ok("show", "late")).contains("start_by", "expired: not started by its deadline");
			assertThat(w.logText()).contains("canceled 1 job(s) not started by their deadline");
		}
	}

	@Test
	void exitCodesAndTimeoutsRouteRetriesAsEachJobSays() throws Exception {
		this.q.commands(List.of("config", "set", "backoff-base", "1"), List.of("config", "set", "max-backoff", "1s"),
				enqueue("two", "exit 2", "\"no_retry_on\":[2],\"max_retries\":3"),
				enqueue("three", "exit 3", "\"no_retry_on\":[2],\"max_retries\":1"),
				enqueue("busy", "exit 75", "\"retry_on\":[75],\"max_retries\":2"),
				enqueue("broken", "exit 1", "\"retry_on\":[75],\"max_retries\":3"),
				enqueue("slow", "sleep 30", "\"retry_on\":[\"timeout\"],\"timeout\":\"1s\",\"max_retries\":1"),
				enqueue("hung", "sleep 30", "\"no_retry_on\":[\"timeout\"],\"timeout\":\"1s\",\"max_retries\":3"));
		try (Queuectl.Worker w = this.q.worker("--no-http", "--count", "4")) {
			await().atMost(Duration.ofSeconds(90))
				.until(() -> scalar("SELECT COUNT(*) FROM jobs WHERE state = 'dead'") == 6);
		}
		assertThat(attempts("two")).as("exit 2 in no_retry_on: dead after one attempt").isEqualTo(1);
		assertThat(attempts("three")).as("exit 3 not in no_retry_on: retried").isEqualTo(2);
		assertThat(attempts("busy")).as("exit 75 in retry_on: retried to the last").isEqualTo(3);
		assertThat(attempts("broken")).as("exit 1 not in retry_on: dead at once").isEqualTo(1);
		assertThat(attempts("slow")).as("a timeout in retry_on: retried").isEqualTo(2);
		assertThat(attempts("hung")).as("a timeout in no_retry_on: dead at once").isEqualTo(1);
		assertThat(text("SELECT last_error FROM jobs WHERE id = 'two'")).endsWith("not retried: exit 2 is in no_retry_on [2]");
		assertThat(text("SELECT last_error FROM jobs WHERE id = 'hung'"))
			.endsWith("not retried: a timeout is in no_retry_on [timeout]");
		assertThat(Files.readAllLines(this.ledger)).filteredOn("busy"::equals).hasSize(3);
	}

	/** The enqueue of a job whose command appends its id to the ledger, then runs {@code command}. */
	private List<String> enqueue(String id, String command, String fields) {
		return List.of("enqueue", "{\"id\":\"" + id + "\",\"command\":\"echo " + id + " >> " + this.ledger + "; " + command
				+ "\"," + fields + "}");
	}

	private long attempts(String id) throws SQLException {
		return scalar("SELECT COUNT(*) FROM job_runs WHERE job_id = '" + id + "'");
	}
}
