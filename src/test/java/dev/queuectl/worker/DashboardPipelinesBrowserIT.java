package dev.queuectl.worker;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.WebElement;


import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What issues 27 and 28 put on the dashboard, in Debian's headless Chromium against a real worker
 * host of the built jar (its own HTTP port, logged in by the link {@code dashboard --url} prints):
 * a job that reports its progress with {@code queuectl progress} (bin/queuectl on the jobs' PATH,
 * as in {@link TalkBackIT}) drawn live with an ETA; a webhook that a real local HTTP receiver
 * answers 500, failed on the notifications page and retried from its button; a batch's list row,
 * page and cancel button; the job page's edit, rerun and remove; tag chips and the tag filter.
 * {@link DashboardPipelinesBrowserPostgresIT} runs the same on PostgreSQL, where the pages read the
 * store through the other dialect. One browser for the class, one host per test.
 */
@Tag("browser")
class DashboardPipelinesBrowserIT extends DashboardBrowserSupport {

	/** "ETA 33m20s", "ETA 1h2m", "ETA 7s": hours, minutes and seconds as app.js draws it. */
	private static final String ETA = "ETA (\\d+h)?(\\d+m)?(\\d+s)?";

	@Test
	void aJobsProgressFromQueuectlProgressIsABarWithAnEtaThatMovesLiveOnItsPageAndInTheJobsList() throws Exception {
		startHost();
		this.q.ok("enqueue", json(Map.of("id", "prog", "command", "sleep 2; queuectl progress 1/1000 'warming up'; "
				+ until("go1") + "; queuectl progress 500/1000 halfway; " + until("go2") + "; queuectl progress 900/1000; "
				+ until("go3"))));
		await().atMost(Duration.ofSeconds(60)).until(() -> !job("prog").get("progress").isNull());

		open("/jobs/prog");
		js("window.sameDocument = true");
		// the first paint is the server's, counted as the script counts it later: a long ETA in minutes
		assertThat(text("[data-bar=prog] .label")).matches("1/1000 \\(0%\\) ETA (\\d+h)?\\d+m(\\d+s)?");
		assertThat(text("#job-progress .progress-message")).isEqualTo("warming up");
		touch("go1");
		await().atMost(Duration.ofSeconds(20)).until(() -> text("[data-bar=prog] .label").startsWith("500/1000 (50%)"));
		assertThat(text("[data-bar=prog] .label")).matches("500/1000 \\(50%\\) " + ETA);
		assertThat(browser.findElement(By.cssSelector("[data-bar=prog] .fill")).getAttribute("style")).contains("width: 50%");
		await().atMost(Duration.ofSeconds(10)).until(() -> text("#job-progress .progress-message").equals("halfway"));
		assertThat(js("return window.sameDocument")).as("drawn without a reload").isEqualTo(true);

		open("/jobs");
		js("window.sameDocument = true");
		assertThat(text("#jobs [data-bar=prog] .label")).matches("500/1000 \\(50%\\) " + ETA);
		touch("go2");
		await().atMost(Duration.ofSeconds(20)).until(() -> text("#jobs [data-bar=prog] .label").startsWith("900/1000 (90%)"));
		assertThat(text("#jobs [data-bar=prog] .label")).matches("900/1000 \\(90%\\) " + ETA);
		// when it ends the row says so, and the ETA goes
		touch("go3");
		await().atMost(Duration.ofSeconds(30)).until(() -> text("#jobs tr[data-job=prog] .state").equals("completed"));
		assertThat(text("#jobs [data-bar=prog] .label")).isEqualTo("900/1000 (90%)");
		assertThat(js("return window.sameDocument")).as("drawn without a reload").isEqualTo(true);

		open("/jobs/prog");
		assertThat(text("#job-state")).isEqualTo("completed");
		assertThat(text("[data-bar=prog] .label")).isEqualTo("900/1000 (90%)");
	}

	@Test
	void aWebhookTheReceiverRefusesShowsAsFailedAndItsRetryButtonDeliversIt() throws Exception {
		AtomicInteger answer = new AtomicInteger(500);
		List<String> got = new CopyOnWriteArrayList<>(); // "status key" per request
		this.receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		this.receiver.createContext("/hook", exchange -> {
			exchange.getRequestBody().readAllBytes();
			int status = answer.get();
			got.add(status + " " + exchange.getRequestHeaders().getFirst("Idempotency-Key"));
			exchange.sendResponseHeaders(status, -1);
			exchange.close();
		});
		this.receiver.start();
		commands(List.of("config", "set", "notify-url", "http://127.0.0.1:" + this.receiver.getAddress().getPort() + "/hook"),
				List.of("config", "set", "notify-retry-for", "2s"));
		startHost();
		this.q.ok("enqueue", json(Map.of("id", "doomed", "command", "exit 4", "max_retries", 0)));

		open("/notifications");
		await().atMost(Duration.ofSeconds(60)).until(() -> {
			browser.navigate().refresh();
			return !browser.findElements(By.cssSelector("#notifications tr[data-status=failed]")).isEmpty();
		});
		assertThat(text("h1 small")).isEqualTo("0 pending, 1 failed");
		List<String> row = texts("#notifications tr[data-status=failed] td");
		assertThat(row.get(1)).isEqualTo("doomed");
		assertThat(row.get(3)).isEqualTo("dead");
		assertThat(row.get(5)).isEqualTo("failed");
		assertThat(row.get(8)).contains("500");
		int refused = got.size();
		assertThat(refused).as("tried until notify-retry-for passed").isPositive();
		// JOBID:ATTEMPT:STATE:MS, one event's key on every try (README, Notifications)
		assertThat(got).allMatch(g -> g.matches("500 doomed:1:dead:\\d+")).allMatch(g -> g.equals(got.get(0)));

		answer.set(200);
		browser.findElement(By.cssSelector("#notifications tr[data-status=failed] button.retry-one")).click();
		await().atMost(Duration.ofSeconds(10)).until(() -> text(".message").matches("notification \\S+ to deliver again"));
		await().atMost(Duration.ofSeconds(30)).until(() -> got.size() > refused);
		await().atMost(Duration.ofSeconds(30)).until(() -> {
			browser.navigate().refresh();
			return !browser.findElements(By.cssSelector("#notifications tr[data-status=delivered]")).isEmpty();
		});
		assertThat(text("h1 small")).isEqualTo("0 pending, 0 failed");
		assertThat(got.get(got.size() - 1)).isEqualTo("200 " + got.get(0).substring(4));
		assertThat(browser.findElements(By.id("retry-all"))).isEmpty();
		browser.findElement(By.linkText("Only failed")).click();
		await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().endsWith("failed=true"));
		assertThat(browser.findElements(By.cssSelector("#notifications tbody tr"))).isEmpty();
	}

	@Test
	void theBatchesListAndABatchsPageCountItsJobsAndItsCancelButtonSettlesIt() throws Exception {
		Path file = this.dir.resolve("batch.jsonl");
		Files.writeString(file, json(Map.of("id", "b-ok", "command", "true")) + "\n"
				+ json(Map.of("id", "b-bad", "command", "exit 1", "max_retries", 0)) + "\n"
				+ json(Map.of("id", "b-slow", "command", "sleep 120")) + "\n");
		this.q.ok("enqueue", "--file", file.toString(), "--batch", "nightly", "--on-complete", "{\"command\":\"true\"}");
		startHost();
		await().atMost(Duration.ofSeconds(60)).until(() -> stateOf("b-ok").equals("completed") && stateOf("b-bad").equals("dead")
				&& stateOf("b-slow").equals("processing"));

		open("/batches");
		List<String> row = texts("#batch-list tbody tr td");
		assertThat(row.get(0)).isEqualTo("nightly");
		assertThat(row.get(1)).isEqualTo("open");
		assertThat(row.subList(3, 6)).containsExactly("2/3", "1", "0");
		WebElement bar = browser.findElement(By.cssSelector("#batch-list progress"));
		assertThat(bar.getAttribute("value")).isEqualTo("2");
		assertThat(bar.getAttribute("max")).isEqualTo("3");
		browser.findElement(By.linkText("nightly")).click();
		await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().endsWith("/batches/nightly"));

		assertThat(text("#batch-done")).isEqualTo("2/3 done, open");
		assertThat(counts()).containsEntry("processing", "1").containsEntry("completed", "1").containsEntry("dead", "1")
			.containsEntry("canceled", "0");
		assertThat(texts("#jobs tbody tr td:first-child")).containsExactlyInAnyOrder("b-ok", "b-bad", "b-slow");
		assertThat(text("#batch-settled")).isEqualTo("-");

		// cancel asks first
		browser.findElement(By.id("batch-cancel")).click();
		browser.switchTo().alert().dismiss();
		assertThat(stateOf("b-slow")).isEqualTo("processing");
		browser.findElement(By.id("batch-cancel")).click();
		browser.switchTo().alert().accept();
		await().atMost(Duration.ofSeconds(30)).until(() -> stateOf("b-slow").equals("canceled"));
		await().atMost(Duration.ofSeconds(30)).until(() -> {
			browser.navigate().refresh();
			return text("#batch-done").equals("3/3 done, failed"); // settled: one dead, one canceled
		});
		assertThat(counts()).containsEntry("completed", "1").containsEntry("dead", "1").containsEntry("canceled", "1");
		assertThat(text("#batch-settled")).isNotEqualTo("-");
		assertThat(browser.findElements(By.id("batch-cancel"))).isEmpty();
		String callback = text("#batch-callbacks a");
		assertThat(callback).startsWith("on complete: ");
		await().atMost(Duration.ofSeconds(30)).until(() -> stateOf(callback.substring("on complete: ".length())).equals("completed"));

		// the batch's jobs by state
		new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("filter-state"))).selectByValue("dead");
		browser.findElement(By.id("filter-go")).click();
		await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().contains("state=dead"));
		assertThat(texts("#jobs tbody tr td:first-child")).containsExactly("b-bad");

		open("/batches");
		assertThat(texts("#batch-list tbody tr td").subList(1, 6)).containsExactly("failed", "", "3/3", "1", "1");
	}

	/** The batch page's counts table: state to count. */
	private static Map<String, String> counts() {
		List<String> heads = texts("#batch-counts thead th");
		List<String> cells = texts("#batch-counts tbody td");
		Map<String, String> m = new java.util.LinkedHashMap<>();
		for (int i = 0; i < heads.size(); i++) {
			m.put(heads.get(i), cells.get(i));
		}
		return m;
	}

	@Test
	void theJobPagesEditRerunAndRemoveButtonsDoWhatTheCommandsDo() throws Exception {
		commands(List.of("queue", "pause", "held"), List.of("enqueue", json(Map.of("id", "typo", "command", "ehco fixed", "queue", "held"))));
		startHost();

		open("/jobs/typo");
		browser.findElement(By.id("edit-fields")).sendKeys("{\"command\":\"echo fixed\",\"priority\":5}");
		browser.findElement(By.id("edit-go")).click();
		await().atMost(Duration.ofSeconds(10)).until(() -> text("[data-field=command]").equals("echo fixed"));
		assertThat(text("[data-field=priority]")).isEqualTo("5");
		assertThat(browser.findElements(By.cssSelector("main .error"))).isEmpty();
		assertThat(show("typo").get("command").asString()).isEqualTo("echo fixed");

		// refused: one line on the page, nothing changed
		browser.findElement(By.id("edit-fields")).sendKeys("{\"priority\":\"high\"}");
		browser.findElement(By.id("edit-go")).click();
		await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElements(By.cssSelector("main .error")).isEmpty());
		assertThat(text("main .error")).contains("priority").doesNotContain("\n");
		assertThat(show("typo").get("priority").asInt()).isEqualTo(5);
		assertThat(browser.findElements(By.id("remove"))).as("not final: no Remove").isEmpty();

		this.q.ok("queue", "resume", "held");
		await().atMost(Duration.ofSeconds(60)).until(() -> stateOf("typo").equals("completed"));
		open("/jobs/typo");
		assertThat(text("#output")).isEqualTo("fixed");
		assertThat(browser.findElements(By.id("edit"))).as("final: no edit").isEmpty();

		browser.findElement(By.id("rerun")).click();
		await().atMost(Duration.ofSeconds(10)).until(() -> !browser.getCurrentUrl().endsWith("/jobs/typo"));
		String copy = text("#job-id");
		assertThat(copy).isNotEqualTo("typo");
		assertThat(text("#rerun-of")).isEqualTo("typo");
		await().atMost(Duration.ofSeconds(60)).until(() -> stateOf(copy).equals("completed"));
		assertThat(show(copy).get("command").asString()).isEqualTo("echo fixed");

		open("/jobs/typo");
		await().atMost(Duration.ofSeconds(10)).until(() -> text("#job-id").equals("typo")); // typo's page, not the copy's
		browser.findElement(By.id("remove")).click();
		browser.switchTo().alert().dismiss(); // asks first: nothing removed
		assertThat(stateOf("typo")).isEqualTo("completed");
		browser.findElement(By.id("remove")).click();
		browser.switchTo().alert().accept();
		await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().endsWith("/jobs"));
		assertThat(this.q.run("show", "typo").exit()).isEqualTo(3);
		assertThat(stateOf(copy)).as("the copy kept").isEqualTo("completed");
		// the list, live, shows the copy alone (a render racing the redirect is replaced within its 3 s)
		await().atMost(Duration.ofSeconds(10)).until(() -> texts("#jobs tbody tr td:first-child").equals(List.of(copy)));

		// a running job: neither edit nor remove
		this.q.ok("enqueue", json(Map.of("id", "busy", "command", "sleep 120")));
		await().atMost(Duration.ofSeconds(60)).until(() -> stateOf("busy").equals("processing"));
		open("/jobs/busy");
		assertThat(browser.findElements(By.id("edit"))).isEmpty();
		assertThat(browser.findElements(By.id("remove"))).isEmpty();
		assertThat(browser.findElements(By.id("rerun"))).hasSize(1);
		this.q.ok("cancel", "busy");
	}

	@Test
	void tagChipsLinkToTheirListingAndTheTagFilterWantsEveryTagItNames() throws Exception {
		commands(List.of("queue", "pause", "held"),
				List.of("enqueue", json(Map.of("id", "t1", "command", "true", "queue", "held", "tags", List.of("nightly", "customer:42")))),
				List.of("enqueue", json(Map.of("id", "t2", "command", "true", "queue", "held", "tags", List.of("nightly")))),
				List.of("enqueue", json(Map.of("id", "t3", "command", "true", "queue", "held"))));
		startHost();

		open("/jobs");
		assertThat(texts("#jobs tr[data-job=t1] td.tags .chip")).containsExactly("nightly", "customer:42");
		assertThat(texts("#jobs tr[data-job=t3] td.tags .chip")).isEmpty();
		browser.findElement(By.cssSelector("#jobs tr[data-job=t1] td.tags")).findElement(By.linkText("customer:42")).click();
		await().atMost(Duration.ofSeconds(10)).until(() -> java.net.URLDecoder.decode(browser.getCurrentUrl(), "UTF-8").contains("tag=customer:42"));
		assertThat(ids()).containsExactly("t1");
		assertThat(browser.findElement(By.id("filter-tag")).getAttribute("value")).isEqualTo("customer:42");

		filterByTag("nightly");
		assertThat(ids()).containsExactlyInAnyOrder("t1", "t2");
		filterByTag("nightly,customer:42");
		assertThat(ids()).containsExactly("t1");
		filterByTag("weekly");
		assertThat(ids()).isEmpty();
		assertThat(text(".empty")).isEqualTo("no jobs");

		open("/jobs/t1");
		assertThat(texts("#tags .chip")).containsExactly("nightly", "customer:42");
		browser.findElement(By.cssSelector("#tags")).findElement(By.linkText("nightly")).click();
		await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().contains("tag=nightly"));
		assertThat(ids()).containsExactlyInAnyOrder("t1", "t2");
	}

	private static void filterByTag(String tags) {
		WebElement field = browser.findElement(By.id("filter-tag"));
		field.clear();
		field.sendKeys(tags);
		String before = browser.getCurrentUrl();
		browser.findElement(By.id("filter-go")).click();
		await().atMost(Duration.ofSeconds(10)).ignoreException(NoSuchElementException.class)
			.until(() -> !browser.getCurrentUrl().equals(before));
	}

	private static List<String> ids() {
		return texts("#jobs tbody tr td:first-child");
	}
}
