package dev.queuectl.store;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.queuectl.config.QueuectlException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A database given as a PostgreSQL URL, in either form; a path keeps meaning SQLite. */
class PostgresUrlTest {

	private static final Path HOME = Path.of("/data/queuectl");

	@Test
	void aPathIsSqliteAndAUrlIsPostgres() {
		assertThat(DatabaseLocation.resolve("/tmp/q.db").isPostgres()).isFalse();
		assertThat(DatabaseLocation.resolve("/tmp/q.db").file()).isEqualTo(Path.of("/tmp/q.db"));
		assertThat(DatabaseLocation.resolve("postgresql://u@h/db").isPostgres()).isTrue();
		assertThat(DatabaseLocation.resolve("jdbc:postgresql://h/db").isPostgres()).isTrue();
		assertThat(DatabaseLocation.resolve("postgres://u@h/db").isPostgres()).isTrue();
	}

	@Test
	void libpqFormBecomesJdbcWithTheUserAndPasswordApart() {
		PostgresUrl url = PostgresUrl.parse("postgresql://alice:s%40cret@db.example:6432/queue?sslmode=require", HOME);
		assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6432/queue?sslmode=require");
		assertThat(url.user()).isEqualTo("alice");
		assertThat(url.password()).isEqualTo("s@cret");
		assertThat(url.display()).isEqualTo("postgresql://alice@db.example:6432/queue?sslmode=require");
		assertThat(url.toString()).doesNotContain("cret");
		assertThat(new DatabaseLocation(null, url).toString()).doesNotContain("cret");
	}

	@Test
	void jdbcFormTakesUserAndPasswordFromItsParameters() {
		PostgresUrl url = PostgresUrl.parse("jdbc:postgresql://h/q?user=bob&password=pw&ssl=true", HOME);
		assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/q?ssl=true");
		assertThat(url.user()).isEqualTo("bob");
		assertThat(url.password()).isEqualTo("pw");
		assertThat(url.display()).isEqualTo("postgresql://bob@h:5432/q?ssl=true");
	}

	@Test
	void theLocalFolderIsKeyedOnTheUrlWithoutItsPassword() {
		PostgresUrl one = PostgresUrl.parse("postgresql://u:one@h:5432/db", HOME);
		PostgresUrl two = PostgresUrl.parse("jdbc:postgresql://h/db?user=u&password=two", HOME);
		PostgresUrl other = PostgresUrl.parse("postgresql://u@h:5432/db2", HOME);
		assertThat(one.dir()).isEqualTo(two.dir()).isNotEqualTo(other.dir());
		assertThat(one.dir().getParent()).isEqualTo(HOME);
		assertThat(one.dir().getFileName().toString()).matches("pg-[0-9a-f]{16}");
		DatabaseLocation location = new DatabaseLocation(null, one);
		assertThat(location.socket()).isEqualTo(one.dir().resolve("queue.sock"));
		assertThat(location.outputDir()).isEqualTo(one.dir().resolve("output"));
	}

	@Test
	void aUrlWithoutADatabaseIsABadArgumentWithoutThePassword() {
		assertThatThrownBy(() -> PostgresUrl.parse("postgresql://u:hush@h:5432", HOME))
			.isInstanceOf(QueuectlException.class)
			.hasMessageContaining("names no database")
			.hasMessageNotContaining("hush");
	}
}
