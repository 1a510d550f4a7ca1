package dev.queuectl.worker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.WebElement;

import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard items of issue 29 left after the first round, in headless Chromium against a real
 * worker host: every list updates by itself (the page is not reloaded) and one toggle pauses that
 * on every page; a queue's limit and rate set on the queues page; schedules added on the schedules
 * page, a schedule's page with its runs and its Edit; a worker host's page; ANSI colours in a job's
 * output drawn, kept and followed. Refusals read as the CLI's own line.
 * {@link DashboardLiveBrowserPostgresIT} runs the same on PostgreSQL.
 */
@Tag("browser")
class DashboardLiveBrowserIT extends DashboardBrowserSupport {

	/** A duration as the CLI's show writes it: 605ms, 6.8s, 2m14s, 1h2m. */
	private static final String DURATION = "(\\d+ms|(\\d+h)?(\\d+m)?\\d+(\\.\\d+)?s|\\d+h\\d+m|\\d+m)";

	/** Longer than two turns of the lists' 3 s refresh. */
	private static final Duration TWO_TURNS = Duration.ofSeconds(7);

	/** Marks the page so that a test can tell it was updated in place, not loaded again. */
	private static void mark() {
		js("window.queuectlTestMark = 'same page'");
	}

	private static boolean samePage() {
		return "same page".equals(js("return window.queuectlTestMark"));
	}

	/** The CLI's error line, without its "queuectl: " prefix. */
	private String cliError(String... args) throws Exception {
		Queuectl.Result r = this.q.run(args);
		assertThat(r.exit()).as(r.out()).isNotZero();
		assertThat(r.err()).startsWith("queuectl: ");
		return r.err().strip().substring("queuectl: ".length());
	}

	@Test
	void everyListUpdatesByItselfAndOneTogglePausesThatOnEveryPage() throws Exception {
		startHost();
		js("localStorage.removeItem('queuectl.live')");

		open("/jobs");
		mark();
		this.q.ok("enqueue", json(Map.of("id", "fresh", "command", "true")));
		await().atMost(Duration.ofSeconds(30)).until(() -> now("#jobs tbody tr td:first-child").contains("fresh"));
		await().atMost(Duration.ofSeconds(30)).until(() -> text("#jobs tr[data-job=fresh] .state").equals("completed"));
		assertThat(samePage()).isTrue();

		// picked boxes stay picked through an update
		browser.findElement(By.cssSelector("#jobs tr[data-job=fresh] input.pick")).click();
		String turns = (String) js("return document.body.dataset.liveTurns");
		await().atMost(Duration.ofSeconds(30)).until(() -> !String.valueOf(js("return document.body.dataset.liveTurns")).equals(turns));
		assertThat(browser.findElement(By.cssSelector("#jobs tr[data-job=fresh] input.pick")).isSelected()).isTrue();
		assertThat(text("#picked")).isEqualTo("1 selected");

		open("/dlq");
		mark();
		this.q.ok("enqueue", json(Map.of("id", "doomed", "command", "exit 4", "max_retries", 0)));
		await().atMost(Duration.ofSeconds(30)).until(() -> now("#dead tbody tr td:first-child").contains("doomed"));
		assertThat(text("#dead-count")).isEqualTo("1 dead");
		assertThat(samePage()).isTrue();

		open("/queues");
		mark();
		this.q.ok("queue", "pause", "live-q");
		await().atMost(Duration.ofSeconds(30)).until(() -> now("#queue-list tr[data-queue=live-q] .paused").contains("paused"));
		assertThat(samePage()).isTrue();

		open("/schedules");
		mark();
		this.q.ok("schedule", "add", "hourly", "--every", "1h", json(Map.of("command", "true")));
		await().atMost(Duration.ofSeconds(30)).until(() -> now("#schedule-list tr[data-schedule] a.name").contains("hourly"));
		assertThat(samePage()).isTrue();

		open("/batches");
		mark();
		Files.writeString(this.dir.resolve("b.jsonl"), json(Map.of("command", "true")) + "\n");
		this.q.ok("enqueue", "--file", this.dir.resolve("b.jsonl").toString(), "--batch", "live-batch");
		await().atMost(Duration.ofSeconds(30)).until(() -> now("#batch-list tbody tr td:first-child").contains("live-batch"));
		assertThat(samePage()).isTrue();

		// paused here: no page of the dashboard updates until resumed, and the toggle says so everywhere
		open("/jobs");
		assertThat(text("#live-toggle")).isEqualTo("Pause updates");
		browser.findElement(By.id("live-toggle")).click();
		assertThat(text("#live-toggle")).isEqualTo("Resume updates");
		mark();
		this.q.ok("enqueue", json(Map.of("id", "unseen", "command", "true")));
		await().during(TWO_TURNS).atMost(TWO_TURNS.plusSeconds(5))
			.until(() -> !now("#jobs tbody tr td:first-child").contains("unseen"));
		open("/dlq");
		assertThat(text("#live-toggle")).isEqualTo("Resume updates");
		open("/jobs");
		assertThat(now("#jobs tbody tr td:first-child")).as("a reload shows it").contains("unseen");
		mark();
		this.q.ok("enqueue", json(Map.of("id", "after-resume", "command", "true")));
		browser.findElement(By.id("live-toggle")).click();
		assertThat(text("#live-toggle")).isEqualTo("Pause updates");
		await().atMost(Duration.ofSeconds(30)).until(() -> now("#jobs tbody tr td:first-child").contains("after-resume"));
		assertThat(samePage()).isTrue();
	}

	@Test
	void aQueuesLimitAndRateAreSetOnTheQueuesPageAndABadValueSaysTheCliLineAndStoresNothing() throws Exception {
		commands(List.of("queue", "pause", "mail"), List.of("enqueue", json(Map.of("id", "m1", "command", "true", "queue", "mail"))));
		startHost();
		open("/queues");
		setLimits("mail", "3", "10/1m");
		await().atMost(Duration.ofSeconds(10)).until(() -> text(".message").equals("mail: limit 3, rate 10/1m"));
		assertThat(queue("mail").get("limit").asInt()).isEqualTo(3);
		assertThat(queue("mail").get("rate").asString()).isEqualTo("10/1m");
		assertThat(text("#queue-list tr[data-queue=mail] .max")).isEqualTo("3");
		screenshot("live-queues.png");

		String badLimit = cliError("queue", "limit", "mail", "-1");
		setLimits("mail", "-1", "5/1s");
		await().atMost(Duration.ofSeconds(10)).until(() -> text(".message").equals(badLimit));
		String badRate = cliError("queue", "rate", "mail", "ten");
		setLimits("mail", "5", "ten");
		await().atMost(Duration.ofSeconds(10)).until(() -> text(".message").equals(badRate));
		assertThat(queue("mail").get("limit").asInt()).as("nothing stored").isEqualTo(3);
		assertThat(queue("mail").get("rate").asString()).isEqualTo("10/1m");

		setLimits("mail", "none", "off");
		await().atMost(Duration.ofSeconds(10)).until(() -> text(".message").equals("mail: no limit, no rate"));
		assertThat(queue("mail").get("limit").isNull()).isTrue();
		assertThat(queue("mail").get("rate").isNull()).isTrue();
	}

	/**
	 * Fills the queue's row and sends it; from the start again when the list's own refresh (every 3 s,
	 * unless an input of it has the focus) replaced the row while it was being filled: a stale or
	 * detached element fails before the click, so nothing was sent twice.
	 */
	private void setLimits(String queue, String limit, String rate) {
		for (int i = 0;; i++) {
			try {
				WebElement row = browser.findElement(By.cssSelector("#queue-list tr[data-queue='" + queue + "']"));
				WebElement max = row.findElement(By.cssSelector("input.limit"));
				max.clear();
				max.sendKeys(limit);
				WebElement per = row.findElement(By.cssSelector("input.rate"));
				per.clear();
				per.sendKeys(rate);
				row.findElement(By.cssSelector("button.set-limits")).click();
				return;
			}
			catch (org.openqa.selenium.StaleElementReferenceException | org.openqa.selenium.ElementNotInteractableException replaced) {
				if (i == 4) {
					throw replaced;
				}
			}
		}
	}

	private JsonNode queue(String name) throws Exception {
		for (JsonNode q : JSON.readTree(this.q.ok("queue", "list", "--json"))) {
			if (q.get("name").asString().equals(name)) {
				return q;
			}
		}
		throw new AssertionError("no queue " + name);
	}

	@Test
	void aScheduleIsAddedOnTheSchedulesPageEditedOnItsOwnPageWhichShowsItsRuns() throws Exception {
		startHost();
		open("/schedules");
		fill("new-name", "nightly");
		fill("new-every", "1h");
		fill("new-job", json(Map.of("command", "echo tick")));
		browser.findElement(By.id("new-go")).click();
		await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().contains("/schedules/nightly"));
		assertThat(text(".message")).isEqualTo("nightly added");
		assertThat(text("#schedule-fields .when")).isEqualTo("every 1h");
		assertThat(text("#schedule-live p.empty")).startsWith("no runs yet");

		// a bad cron: the CLI's line, in the user's five fields, and nothing added
		String badCron = cliError("schedule", "add", "broken", "--cron", "61 * * * *", json(Map.of("command", "true")));
		open("/schedules");
		fill("new-name", "broken");
		fill("new-cron", "61 * * * *");
		fill("new-job", json(Map.of("command", "true")));
		browser.findElement(By.id("new-go")).click();
		await().atMost(Duration.ofSeconds(10)).until(() -> text(".message").equals(badCron));
		assertThat(this.q.run("schedule", "show", "broken").exit()).isEqualTo(3);

		// its runs show on its page as they come
		open("/schedules/nightly");
		mark();
		String id = this.q.ok("schedule", "run", "nightly").strip().replaceAll(".* ", "");
		// its row, by id: a test that spans the top of an hour also sees the hourly tick's own run
		await().atMost(Duration.ofSeconds(60))
			.until(() -> now("#history tr[data-job='" + id + "'] .state").contains("completed"));
		assertThat(now("#history tbody tr td:first-child")).contains(id)
			.allMatch(job -> job.startsWith("nightly:"), "a run of this schedule");
		assertThat(samePage()).isTrue();

		// edited: the rule and the job, checked as schedule add checks them
		fill("edit-every", "2h");
		fill("edit-job", json(Map.of("command", "echo tock")));
		browser.findElement(By.id("edit-go")).click();
		await().atMost(Duration.ofSeconds(10)).until(() -> text(".message").equals("nightly saved"));
		JsonNode shown = JSON.readTree(this.q.ok("schedule", "show", "nightly", "--json"));
		assertThat(shown.get("every").asString()).isEqualTo("2h");
		assertThat(shown.get("job").toString()).contains("echo tock");
		assertThat(text("#schedule-fields .when")).isEqualTo("every 2h");
		screenshot("live-schedule.png");

		String badEvery = cliError("schedule", "add", "other", "--every", "soon", json(Map.of("command", "true")));
		fill("edit-every", "soon");
		browser.findElement(By.id("edit-go")).click();
		await().atMost(Duration.ofSeconds(10)).until(() -> text(".message").equals(badEvery));
		assertThat(JSON.readTree(this.q.ok("schedule", "show", "nightly", "--json")).get("every").asString())
			.as("nothing changed").isEqualTo("2h");
	}

	private static void fill(String id, String value) {
		WebElement field = browser.findElement(By.id(id));
		field.clear();
		field.sendKeys(value);
	}

	@Test
	void aWorkerHostsPageShowsItsUptimeJobsDoneAndEachRunningJobsTimeSoFar() throws Exception {
		commands(List.of("config", "set", "lease-timeout", "5s"), // a heartbeat a second: it writes the host's attempts
				List.of("enqueue", json(Map.of("id", "quick1", "command", "true"))),
				List.of("enqueue", json(Map.of("id", "quick2", "command", "exit 1", "max_retries", 0))));
		startHost();
		await().atMost(Duration.ofSeconds(60)).until(() -> stateOf("quick1").equals("completed") && stateOf("quick2").equals("dead"));
		this.q.ok("enqueue", json(Map.of("id", "busy", "command", until("go"))));
		await().atMost(Duration.ofSeconds(60)).until(() -> stateOf("busy").equals("processing"));

		open("/");
		await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElements(By.cssSelector("#workers a.worker")).isEmpty());
		String worker = show("busy").get("worker_id").asString();
		js("document.querySelector('#workers a.worker').click()"); // in one script: the overview redraws its rows every second
		await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().contains("/workers/"));
		assertThat(text("#worker-id")).isEqualTo(worker);
		assertThat(text("#uptime")).matches(DURATION + " \\(since .+ ago\\)");
		// as of the host's last heartbeat, and the page reads it again every few seconds
		await().atMost(Duration.ofSeconds(30)).until(() -> text("#done-total").equals("2"));
		assertThat(now("#done .outcome")).containsExactly("completed 1", "failed 1");
		assertThat(now("#running tbody tr td:first-child")).containsExactly("busy");
		assertThat(text("#running tr[data-job=busy] .elapsed")).matches(DURATION + " so far");
		assertThat(text("#busy")).isEqualTo("1/2 busy");
		screenshot("live-worker.png");

		touch("go");
		await().atMost(Duration.ofSeconds(30)).until(() -> text("#done-total").equals("3"));
		assertThat(now("#running tbody tr")).isEmpty();
		assertThat(text("#worker-live p.empty")).isEqualTo("idle");

		open("/workers/no-such-host");
		assertThat(browser.getPageSource()).contains("no such worker host: no-such-host");
	}

	@Test
	void ansiColoursInAJobsOutputAreDrawnWhenShownAndWhenFollowed() throws Exception {
		String colours = "printf '\\033[31mred\\033[0m plain \\033[1;32mbold green\\033[0m \\033[38;5;208morange\\033[0m\\n'";
		commands(List.of("enqueue", json(Map.of("id", "painted", "command", colours))),
				List.of("enqueue", json(Map.of("id", "painting", "command", colours + "; " + until("done") + "; printf '\\033[34mblue\\033[0m\\n'"))));
		startHost();
		await().atMost(Duration.ofSeconds(60)).until(() -> stateOf("painted").equals("completed") && stateOf("painting").equals("processing"));

		open("/jobs/painted");
		assertThat(text("#output")).isEqualTo("red plain bold green orange");
		assertThat(colour("#output span.ansi:nth-of-type(1)")).isEqualTo("rgb(204, 51, 51)");
		assertThat(browser.findElement(By.cssSelector("#output span.ansi:nth-of-type(2)")).getText()).isEqualTo("bold green");
		assertThat(js("return getComputedStyle(document.querySelector('#output span.ansi:nth-of-type(2)')).fontWeight")).isEqualTo("700");
		assertThat(browser.findElement(By.cssSelector("#output span.ansi:nth-of-type(3)")).getText()).isEqualTo("orange");
		assertThat((String) js("return document.getElementById('output').textContent")).doesNotContain("\u001b");

		open("/jobs/painting");
		await().atMost(Duration.ofSeconds(30)).until(() -> text("#output").startsWith("red plain"));
		assertThat(colour("#output span.ansi:nth-of-type(1)")).isEqualTo("rgb(204, 51, 51)");
		touch("done");
		await().atMost(Duration.ofSeconds(30)).until(() -> stateOf("painting").equals("completed"));
		await().atMost(Duration.ofSeconds(30)).until(() -> text("#output").endsWith("blue"));
		assertThat((String) js("return document.getElementById('output').textContent")).doesNotContain("\u001b");
		assertThat(js("return [...document.querySelectorAll('#output span.ansi')].map(s => s.textContent)"))
			.isEqualTo(List.of("red", "bold green", "orange", "blue"));
		await().atMost(Duration.ofSeconds(30)).ignoreException(org.openqa.selenium.NoSuchElementException.class) // mid re-render
			.until(() -> text("#job-state").equals("completed") && text("#output").endsWith("blue"));
		screenshot("live-job.png");
	}

	/**
	 * The texts of what {@code css} selects, read in one script (a live update may replace the
	 * elements between two reads of a WebElement).
	 */
	@SuppressWarnings("unchecked")
	private static List<String> now(String css) {
		return (List<String>) js("return [...document.querySelectorAll('" + css.replace("'", "\\'")
				+ "')].map(e => e.textContent.trim())");
	}

	/**
	 * The whole page (up to 1600 px high) to target/screenshots/NAME, for the README (docs/ takes a
	 * copy when the pages change); the SQLite run only.
	 */
	void screenshot(String name) throws Exception {
		if (getClass() != DashboardLiveBrowserIT.class) {
			return;
		}
		Path dir = PROJECT.resolve("target").resolve("screenshots");
		Files.createDirectories(dir);
		ChromeDriver chrome = (ChromeDriver) browser;
		long height = Math.min(1600, (Long) js("return document.documentElement.scrollHeight"));
		chrome.executeCdpCommand("Emulation.setDeviceMetricsOverride",
				Map.of("width", 1280, "height", height, "deviceScaleFactor", 1, "mobile", false));
		try {
			Path shot = chrome.getScreenshotAs(OutputType.FILE).toPath();
			Files.copy(shot, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
		}
		finally {
			chrome.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
		}
	}

	private static String colour(String css) {
		return (String) js("return getComputedStyle(document.querySelector(\"" + css + "\")).color");
	}
}
