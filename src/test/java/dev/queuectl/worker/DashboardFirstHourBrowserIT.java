package dev.queuectl.worker;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard items of issue 29 ("the first hour") in headless Chromium against a real worker
 * host: the jobs page's Scheduled and Retries views (why a pending or failed job waits, soonest
 * first), the exit code, error and time of death in the dead letter queue and the Retries view, any attempt's output,
 * times relative with the absolute local time on hover, a dark theme when the system asks for one,
 * a layout for a phone's width, bulk retry, cancel and delete on the jobs list, and the questions
 * asked before canceling a running job or retrying every dead one.
 * {@link DashboardFirstHourBrowserPostgresIT} runs the same on PostgreSQL (the views read the store
 * through its other dialect and clock).
 */
@Tag("browser")
class DashboardFirstHourBrowserIT extends DashboardBrowserSupport {

	/** "2026-12-06 13:04:05 Europe/Berlin": an instant as the page's title gives it, in the browser's zone. */
	private static String local(String iso) {
		return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.of(ZONE)).format(Instant.parse(iso)) + " " + ZONE;
	}

	@Test
	void theScheduledAndRetriesViewsShowWhyJobsWaitSoonestFirstWithTheFailuresExitCodeAndError() throws Exception {
		// retry k waits 60^k s: the second failure's retry waits an hour, long enough for any machine
		commands(List.of("config", "set", "backoff-base", "60"), List.of("config", "set", "backoff-jitter", "0"),
				List.of("config", "set", "max-backoff", "2h"), List.of("queue", "pause", "held"),
				List.of("enqueue", json(Map.of("id", "later", "command", "true", "delay", "2h"))),
				List.of("enqueue", json(Map.of("id", "sooner", "command", "true", "delay", "10m"))),
				List.of("enqueue", json(Map.of("id", "due", "command", "true", "queue", "held"))),
				List.of("enqueue", json(Map.of("id", "flaky", "command", "echo oops >&2; exit 3", "max_retries", 3))));
		startHost();
		await().atMost(Duration.ofSeconds(60)).until(() -> stateOf("flaky").equals("failed"));
		this.q.ok("run-now", "flaky");
		await().atMost(Duration.ofSeconds(60)).until(() -> job("flaky").get("attempts").asInt() == 2 && stateOf("flaky").equals("failed"));

		open("/jobs");
		browser.findElement(By.id("tab-scheduled")).click();
		await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().contains("view=scheduled"));
		assertThat(ids()).containsExactly("sooner", "later"); // not the due one of a paused queue
		assertThat(text("#jobs tr[data-job=sooner] .run-at")).matches("in \\d+m(\\d+s)?");
		assertThat(text("#jobs tr[data-job=later] .run-at")).matches("in (1h\\d+m|2h)");
		assertThat(browser.findElement(By.cssSelector("#jobs tr[data-job=sooner] .run-at time")).getAttribute("title"))
			.isEqualTo(local(show("sooner").get("run_at").asString()));

		browser.findElement(By.id("tab-retries")).click();
		await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().contains("view=retries"));
		assertThat(ids()).containsExactly("flaky");
		assertThat(text("#jobs tr[data-job=flaky] .exit")).isEqualTo("3");
		assertThat(text("#jobs tr[data-job=flaky] .last-error")).isEqualTo(show("flaky").get("last_error").asString()).isNotEqualTo("-");
		assertThat(text("#jobs tr[data-job=flaky] .died")).matches("(\\d+s|\\d+m\\d*s?) ago|now");
		assertThat(text("#jobs tr[data-job=flaky] .run-at")).matches("in (5\\d|60)m(\\d+s)?|in 1h");

		// retried now from the view: it runs its second attempt at once
		browser.findElement(By.cssSelector("#jobs tr[data-job=flaky] input.pick")).click();
		browser.findElement(By.id("bulk-retry")).click();
		await().atMost(Duration.ofSeconds(10)).until(() -> text(".message").equals("1 job(s) retried"));
		await().atMost(Duration.ofSeconds(60)).until(() -> job("flaky").get("attempts").asInt() == 3);
		assertThat(browser.getCurrentUrl()).contains("view=retries");
	}

	@Test
	void theDeadLetterQueueShowsTheExitCodeErrorAndTimeOfDeathRelativeWithTheLocalTimeOnHover() throws Exception {
		this.q.ok("enqueue", json(Map.of("id", "gone", "command", "exit 7", "max_retries", 0)));
		startHost();
		await().atMost(Duration.ofSeconds(60)).until(() -> stateOf("gone").equals("dead"));
		var job = show("gone");

		open("/dlq");
		assertThat(text("#dead tr[data-job=gone] .exit")).isEqualTo("7");
		assertThat(text("#dead tr[data-job=gone] .last-error")).isEqualTo(job.get("last_error").asString()).isNotBlank();
		assertThat(text("#dead tr[data-job=gone] .died")).matches("\\d+s ago|\\d+m(\\d+s)? ago|now");
		assertThat(browser.findElement(By.cssSelector("#dead tr[data-job=gone] .died time")).getAttribute("title"))
			.isEqualTo(local(job.get("finished_at").asString()));

		// the jobs list's times too, and they move on by themselves
		open("/jobs");
		String updated = browser.findElement(By.cssSelector("#jobs tr[data-job=gone] .updated time")).getAttribute("title");
		assertThat(updated).isEqualTo(local(show("gone").get("updated_at").asString()));
		String before = text("#jobs tr[data-job=gone] .updated");
		await().atMost(Duration.ofSeconds(30)).until(() -> !text("#jobs tr[data-job=gone] .updated").equals(before));
		assertThat(text("#jobs tr[data-job=gone] .updated")).endsWith(" ago");
	}

	@Test
	void theDashboardIsDarkWhenTheSystemIsAndLightOtherwise() throws Exception {
		startHost();
		ChromeDriver chrome = (ChromeDriver) browser;
		try {
			for (String page : List.of("/", "/jobs", "/dlq")) {
				chrome.executeCdpCommand("Emulation.setEmulatedMedia",
						Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
				open(page);
				assertThat(luminance("body", "backgroundColor")).as(page).isLessThan(0.2);
				assertThat(luminance("body", "color")).as(page).isGreaterThan(0.6);
				assertThat(luminance("nav", "backgroundColor")).as(page).isLessThan(0.2);
				chrome.executeCdpCommand("Emulation.setEmulatedMedia",
						Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "light"))));
				open(page);
				assertThat(luminance("body", "backgroundColor")).as(page).isGreaterThan(0.8);
			}
		}
		finally {
			chrome.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of()));
		}
	}

	/** An element's computed colour's lightness, 0 (black) to 1 (white). */
	private static double luminance(String css, String property) {
		String rgb = (String) js("return getComputedStyle(document.querySelector('" + css + "'))." + property);
		String[] parts = rgb.replaceAll("[^0-9,]", "").split(",");
		return (0.2126 * Integer.parseInt(parts[0]) + 0.7152 * Integer.parseInt(parts[1]) + 0.0722 * Integer.parseInt(parts[2])) / 255;
	}

	@Test
	void onAPhonesWidthNoPageScrollsSidewaysAndEveryMenuEntryShows() throws Exception {
		String wide = "echo " + "a-long-argument-without-spaces-".repeat(8);
		commands(List.of("queue", "pause", "held"),
				List.of("enqueue", json(Map.of("id", "a-job-with-a-rather-long-identifier", "command", wide, "queue", "held",
						"tags", List.of("nightly", "customer:42")))),
				List.of("enqueue", json(Map.of("id", "dead-wide", "command", wide + "; exit 1", "max_retries", 0))));
		startHost();
		await().atMost(Duration.ofSeconds(60)).until(() -> stateOf("dead-wide").equals("dead"));
		ChromeDriver chrome = (ChromeDriver) browser;
		chrome.executeCdpCommand("Emulation.setDeviceMetricsOverride",
				Map.of("width", 375, "height", 812, "deviceScaleFactor", 2, "mobile", true));
		try {
			for (String page : List.of("/", "/jobs", "/jobs/a-job-with-a-rather-long-identifier", "/dlq", "/queues", "/schedules",
					"/batches", "/notifications")) {
				open(page);
				assertThat((Long) js("return document.documentElement.scrollWidth")).as(page + " scrolls sideways")
					.isLessThanOrEqualTo((Long) js("return window.innerWidth"));
				assertThat(js("return [...document.querySelectorAll('nav a')].every(a => a.getBoundingClientRect().right <= window.innerWidth)"))
					.as(page + ": every menu entry on the screen").isEqualTo(true);
			}
		}
		finally {
			chrome.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
		}
	}

	@Test
	void bulkSelectRetriesCancelsAndDeletesThePickedJobsAskingFirstForRunningOnesAndDeletes() throws Exception {
		commands(List.of("enqueue", json(Map.of("id", "d1", "command", "exit 1", "max_retries", 0, "queue", "dq"))),
				List.of("enqueue", json(Map.of("id", "d2", "command", "exit 1", "max_retries", 0, "queue", "dq"))),
				List.of("enqueue", json(Map.of("id", "r1", "command", "sleep 120"))));
		startHost();
		await().atMost(Duration.ofSeconds(60)).until(() -> stateOf("d1").equals("dead") && stateOf("d2").equals("dead")
				&& stateOf("r1").equals("processing"));
		this.q.ok("queue", "pause", "dq"); // so the retried ones stay pending
		this.q.ok("queue", "pause", "held");
		this.q.ok("enqueue", json(Map.of("id", "p1", "command", "true", "queue", "held")));

		open("/jobs");
		assertThat(text("#picked")).isEqualTo("0 selected");
		assertThat(browser.findElement(By.id("bulk-retry")).isEnabled()).isFalse();
		pick("d1", "d2");
		assertThat(text("#picked")).isEqualTo("2 selected");
		browser.findElement(By.id("bulk-retry")).click();
		await().atMost(Duration.ofSeconds(10)).until(() -> text(".message").equals("2 job(s) retried"));
		assertThat(stateOf("d1")).isEqualTo("pending");
		assertThat(stateOf("d2")).isEqualTo("pending");

		// a running one among them: asks first
		pick("r1", "p1");
		browser.findElement(By.id("bulk-cancel")).click();
		assertThat(browser.switchTo().alert().getText()).contains("1 of them running");
		browser.switchTo().alert().dismiss();
		assertThat(stateOf("r1")).isEqualTo("processing");
		browser.findElement(By.id("bulk-cancel")).click();
		browser.switchTo().alert().accept();
		await().atMost(Duration.ofSeconds(10)).until(() -> text(".message").equals("2 job(s) canceled"));
		await().atMost(Duration.ofSeconds(30)).until(() -> stateOf("r1").equals("canceled"));
		assertThat(stateOf("p1")).isEqualTo("canceled");

		// delete: the final ones go, a pending one is refused with its line
		pick("r1", "p1", "d1");
		browser.findElement(By.id("bulk-delete")).click();
		assertThat(browser.switchTo().alert().getText()).isEqualTo("Delete 3 job(s) with their attempts and output?");
		browser.switchTo().alert().accept();
		await().atMost(Duration.ofSeconds(10)).until(() -> text(".message").startsWith("2 job(s) deleted; 1 refused: "));
		assertThat(this.q.run("show", "r1").exit()).isEqualTo(3);
		assertThat(this.q.run("show", "p1").exit()).isEqualTo(3);
		assertThat(ids()).containsExactlyInAnyOrder("d1", "d2");

		// the header's box picks the whole page
		assertThat(js("return document.getElementById('pick-all').checked")).isEqualTo(false);
		check(By.id("pick-all"));
		assertThat(text("#picked")).isEqualTo("2 selected");
	}

	@Test
	void cancelingARunningJobFromItsPageAndRetryingAllDeadJobsAskFirst() throws Exception {
		commands(List.of("enqueue", json(Map.of("id", "gone", "command", "exit 1", "max_retries", 0, "queue", "dq"))),
				List.of("enqueue", json(Map.of("id", "busy", "command", "sleep 120"))));
		startHost();
		await().atMost(Duration.ofSeconds(60)).until(() -> stateOf("gone").equals("dead") && stateOf("busy").equals("processing"));
		this.q.ok("queue", "pause", "dq");

		open("/jobs/busy");
		browser.findElement(By.id("cancel")).click();
		assertThat(browser.switchTo().alert().getText()).isEqualTo("Cancel busy? It is running: its command is stopped.");
		browser.switchTo().alert().dismiss();
		assertThat(stateOf("busy")).isEqualTo("processing");
		browser.findElement(By.id("cancel")).click();
		browser.switchTo().alert().accept();
		await().atMost(Duration.ofSeconds(30)).until(() -> stateOf("busy").equals("canceled"));

		open("/dlq");
		browser.findElement(By.id("retry-all")).click();
		assertThat(browser.switchTo().alert().getText()).isEqualTo("Put every dead job (1) back in the queue?");
		browser.switchTo().alert().dismiss();
		assertThat(stateOf("gone")).isEqualTo("dead");
		browser.findElement(By.id("retry-all")).click();
		browser.switchTo().alert().accept();
		await().atMost(Duration.ofSeconds(10)).until(() -> stateOf("gone").equals("pending"));
	}

	@Test
	void anyAttemptsOutputShowsFromItsRowOnTheJobPage() throws Exception {
		commands(List.of("config", "set", "backoff-base", "1"),
				List.of("enqueue", json(Map.of("id", "twice", "command", "echo try-$QUEUECTL_ATTEMPT; exit 1", "max_retries", 1))));
		startHost();
		await().atMost(Duration.ofSeconds(60)).until(() -> stateOf("twice").equals("dead"));
		open("/jobs/twice");
		assertThat(text("#output")).isEqualTo("try-2");
		browser.findElement(By.cssSelector("#runs tbody tr:first-child a.attempt-output")).click();
		await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().endsWith("attempt=1"));
		assertThat(text("#output-of")).isEqualTo("of attempt 1");
		assertThat(text("#output")).isEqualTo("try-1");
	}

	/** Picks each job's box ({@link #check}). */
	private static void pick(String... ids) {
		for (String id : ids) {
			check(By.cssSelector("#jobs tr[data-job='" + id + "'] input.pick"));
		}
	}

	/**
	 * Checks the box, found again when the list's refresh (every 3 s, and as the jobs' states
	 * change) replaced it with its row or the header: a stale element fails before the click, and a
	 * box the click did not check (it went to an element replaced meanwhile, whose change reaches
	 * no listener) is clicked again; one checked is not clicked twice (the page keeps picked boxes
	 * picked through a refresh, and the header's box checked while every row is).
	 */
	private static void check(By box) {
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
			.ignoreExceptionsMatching(e -> e instanceof org.openqa.selenium.StaleElementReferenceException
					|| e instanceof org.openqa.selenium.NoSuchElementException)
			.until(() -> {
				WebElement found = browser.findElement(box);
				if (!found.isSelected()) {
					found.click();
				}
				return browser.findElement(box).isSelected();
			});
	}

	private static List<String> ids() {
		return texts("#jobs tbody tr td:first-child");
	}
}
