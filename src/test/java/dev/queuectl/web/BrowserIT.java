package dev.queuectl.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard in Debian's headless Chromium (/usr/bin/chromium, /usr/bin/chromedriver; .ci/run
 * installs them; nothing is downloaded), one browser for the class. Also takes the screenshots in
 * docs/ (written to target/screenshots; copy them over when the pages change).
 */
@Tag("browser")
class BrowserIT extends WebTestSupport {

	static WebDriver browser;

	static Path profile;

	@BeforeAll
	static void startBrowser() throws IOException {
		profile = Files.createTempDirectory("queuectl-chromium");
		ChromeOptions options = new ChromeOptions();
		options.setBinary("/usr/bin/chromium");
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--disable-dev-shm-usage", "--window-size=1280,1000", "--user-data-dir=" + profile);
		ChromeDriverService service = new ChromeDriverService.Builder()
			.usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
			.build();
		browser = new ChromeDriver(service, options);
		browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
	}

	@AfterAll
	static void stopBrowser() throws IOException {
		if (browser != null) {
			browser.quit();
		}
		if (profile != null) {
			try (var files = Files.walk(profile)) {
				files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
			}
		}
	}

	/** Whether the browser holds a session of this class's server (logged in once, by a login link). */
	static boolean loggedIn;

	private void open(String path) {
		if (!loggedIn) {
			browser.get(this.access.loginLink(url("/")));
			assertThat(browser.getTitle()).startsWith("Overview");
			loggedIn = true;
		}
		browser.get(url(path));
	}

	/** The element's text; found again when the page replaced it meanwhile (a job page reloads when its job ends). */
	private static String text(String css) {
		for (int i = 0;; i++) {
			try {
				return browser.findElement(By.cssSelector(css)).getText();
			}
			catch (org.openqa.selenium.StaleElementReferenceException replaced) {
				if (i == 4) {
					throw replaced;
				}
			}
		}
	}

	private static void screenshot(String name) throws IOException {
		Path dir = Path.of("target", "screenshots");
		Files.createDirectories(dir);
		Path shot = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
		Files.copy(shot, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
	}

	@Test
	void overviewCountsUpdateWhenAJobCompletes() throws Exception {
		enqueue("{\"id\":\"ok1\",\"command\":\"true\"}");
		enqueue("{\"id\":\"slow\",\"command\":\"sleep 2\",\"queue\":\"reports\"}");
		this.jdbc.update("INSERT INTO jobs (id, command, state, queue, priority, attempts, max_retries, run_at, working_dir,"
				+ " created_at, updated_at) VALUES ('gone', 'false', 'dead', 'default', 0, 4, 3, 0, '/', 0, ?)",
				System.currentTimeMillis());
		open("/");
		assertThat(text("[data-count=pending]")).isEqualTo("2");
		assertThat(text("[data-count=completed]")).isEqualTo("0");
		startWorker(2);
		await().atMost(Duration.ofSeconds(20)).until(() -> text("[data-count=completed]").equals("1")
				&& text("[data-count=processing]").equals("1"));
		// the worker host and its running job show without a reload
		await().atMost(Duration.ofSeconds(10)).until(() -> text("#workers tbody").contains("slow"));
		await().atMost(Duration.ofSeconds(20)).until(() -> text("[data-count=completed]").equals("2"));
		assertThat(text("[data-count=pending]")).isEqualTo("0");
		assertThat(text("[data-count=dead]")).isEqualTo("1");
		browser.navigate().refresh();
		screenshot("dashboard-overview.png");
	}

	@Test
	void filterAndPaging() throws Exception {
		StringBuilder lines = new StringBuilder();
		for (int i = 0; i < 120; i++) {
			lines.append("{\"id\":\"j").append(String.format("%03d", i)).append("\",\"command\":\"")
				.append(i % 2 == 0 ? "make needle-" + i : "echo hay").append("\"}\n");
		}
		post("/api/jobs", "application/x-ndjson", lines.toString());
		this.jdbc.update("UPDATE jobs SET state = 'failed' WHERE id >= 'j100'");
		open("/jobs?limit=25");
		assertThat(browser.findElements(By.cssSelector("#jobs tbody tr"))).hasSize(25);
		new Select(browser.findElement(By.id("filter-state"))).selectByValue("pending");
		browser.findElement(By.id("filter-q")).sendKeys("needle");
		browser.findElement(By.id("filter-go")).click();
		await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().contains("q=needle"));
		List<String> first = ids();
		assertThat(first).hasSize(25).allMatch(id -> Integer.parseInt(id.substring(1)) % 2 == 0 && id.compareTo("j100") < 0);
		assertThat(first.get(0)).isEqualTo("j098");
		browser.findElement(By.id("next-page")).click();
		await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().contains("after="));
		List<String> second = ids();
		assertThat(second).hasSize(25).doesNotContainAnyElementsOf(first);
		assertThat(second.get(0)).isEqualTo("j048");
		assertThat(new Select(browser.findElement(By.id("filter-state"))).getFirstSelectedOption().getText()).isEqualTo("pending");
		assertThat(browser.findElements(By.id("next-page"))).isEmpty(); // 50 pending needles: two pages
	}

	private static List<String> ids() {
		return browser.findElements(By.cssSelector("#jobs tbody tr td:first-child")).stream().map(WebElement::getText).toList();
	}

	@Test
	void jobPageFollowsOutputLive() throws Exception {
		startWorker(1);
		enqueue("{\"id\":\"live\",\"command\":\"echo one; sleep 2; echo two; sleep 1\"}");
		await().atMost(Duration.ofSeconds(20)).until(() -> state("live").equals("processing"));
		open("/jobs/live");
		await().atMost(Duration.ofSeconds(10)).until(() -> text("#output").contains("one"));
		assertThat(text("#output")).doesNotContain("two");
		screenshot("dashboard-job.png");
		await().atMost(Duration.ofSeconds(10)).until(() -> text("#output").contains("one\ntwo"));
		// when it ends the page shows the finished job
		// it reloads itself then: between the two documents #job-state is briefly not there
		await().atMost(Duration.ofSeconds(15)).ignoreException(NoSuchElementException.class)
			.until(() -> text("#job-state").equals("completed"));
		assertThat(browser.findElements(By.cssSelector("#runs tbody tr"))).hasSize(1);
	}

	@Test
	void retryADeadJobAndCancelARunningOneFromTheirButtons() throws Exception {
		enqueue("{\"id\":\"dead1\",\"command\":\"false\",\"queue\":\"held\"}");
		this.jdbc.update("UPDATE jobs SET state = 'dead', attempts = 4 WHERE id = 'dead1'");
		post("/api/queues/held/pause"); // so it stays pending after the retry
		open("/jobs/dead1");
		browser.findElement(By.id("retry")).click();
		await().atMost(Duration.ofSeconds(10)).until(() -> state("dead1").equals("pending"));
		assertThat(this.jdbc.queryForObject("SELECT attempts FROM jobs WHERE id = 'dead1'", Integer.class)).isZero();
		await().atMost(Duration.ofSeconds(10)).ignoreException(NoSuchElementException.class)
			.until(() -> text("#job-state").equals("pending"));

		startWorker(1);
		enqueue("{\"id\":\"long\",\"command\":\"sleep 60\"}");
		await().atMost(Duration.ofSeconds(20)).until(() -> state("long").equals("processing"));
		open("/jobs/long");
		browser.findElement(By.id("cancel")).click();
		browser.switchTo().alert().accept(); // a running job's cancel asks first (issue 29)
		await().atMost(Duration.ofSeconds(20)).until(() -> state("long").equals("canceled"));

		this.jdbc.update("UPDATE jobs SET state = 'dead' WHERE id = 'dead1'");
		open("/dlq");
		browser.findElement(By.id("retry-all")).click();
		browser.switchTo().alert().accept(); // so does retry all
		await().atMost(Duration.ofSeconds(10)).until(() -> state("dead1").equals("pending"));
		assertThat(text(".message")).isEqualTo("1 job(s) back in the queue");
	}

	@Test
	void pauseRunAndRemoveAScheduleFromItsPage() throws Exception {
		post("/api/schedules", "application/json", "{\"name\":\"nightly\",\"cron\":\"30 2 * * *\",\"tz\":\"UTC\",\"job\":{\"command\":\"true\"}}");
		open("/");
		browser.findElement(By.linkText("Schedules")).click();
		await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().endsWith("/schedules"));
		assertThat(text("[data-schedule=nightly] .state")).isEqualTo("active");
		assertThat(text("[data-schedule=nightly] .next")).endsWith("02:30:00");

		browser.findElement(By.cssSelector("[data-schedule=nightly] button.toggle")).click();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.jdbc.queryForObject(
				"SELECT paused FROM schedules WHERE name = 'nightly'", Integer.class) == 1);
		await().atMost(Duration.ofSeconds(10)).until(() -> text(".message").equals("nightly paused"));
		assertThat(text("[data-schedule=nightly] .state")).isEqualTo("paused");
		assertThat(text("[data-schedule=nightly] .next")).isEqualTo("-");

		browser.findElement(By.cssSelector("[data-schedule=nightly] button.run")).click();
		await().atMost(Duration.ofSeconds(10)).until(() -> text(".message").startsWith("nightly enqueued nightly:run-"));
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM jobs WHERE id LIKE 'nightly:run-%'", Long.class)).isOne();

		browser.findElement(By.cssSelector("[data-schedule=nightly] button.remove")).click();
		browser.switchTo().alert().dismiss(); // asks first: nothing removed
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM schedules", Long.class)).isOne();
		browser.findElement(By.cssSelector("[data-schedule=nightly] button.remove")).click();
		browser.switchTo().alert().accept();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.jdbc.queryForObject("SELECT COUNT(*) FROM schedules",
				Long.class) == 0);
		await().atMost(Duration.ofSeconds(10)).until(() -> text(".message").equals("nightly removed"));
	}

	/**
	 * Issue 26 in the browser: a family's concurrency and a queue's rate on the queues page, the
	 * reason a held job waits on its page (and gone once it ran), what a host offers on the overview.
	 */
	@Test
	void limitsRatesResourcesAndWhyAJobWaitsShowOnTheirPages() throws Exception {
		post("/api/limits?key=customer:*&concurrency=1");
		post("/api/queues/mail/rate?rate=4/2s");
		startWorker(new dev.queuectl.worker.WorkerOptions(2, List.of(), this.port, false,
				dev.queuectl.job.Resources.parseOffer("mem=1G")));
		enqueue("{\"id\":\"first\",\"command\":\"sleep 60\",\"limits\":[\"customer:42\"]}");
		await().atMost(Duration.ofSeconds(20)).until(() -> state("first").equals("processing"));
		enqueue("{\"id\":\"second\",\"command\":\"true\",\"limits\":[\"customer:42\"]}");
		enqueue("{\"id\":\"gpu\",\"command\":\"true\",\"resources\":{\"gpu\":1}}");

		open("/jobs/second");
		assertThat(text("#waiting")).isEqualTo("waiting: held by limit customer:42 (1/1 running)");
		assertThat(text("[data-field=limits]")).isEqualTo("customer:42");
		open("/jobs/gpu");
		assertThat(text("#waiting")).isEqualTo("waiting: no live host offers gpu");
		assertThat(text("[data-field=resources]")).isEqualTo("gpu=1");

		open("/queues");
		// the family's row sums its keys; each key in use follows with its own
		assertThat(text("#limit-list tbody")).isEqualTo("customer:* 1 - 1 -\ncustomer:42 1 - 1 -");
		assertThat(browser.findElements(By.cssSelector("#queue-list tbody tr")).stream().map(WebElement::getText)
			.filter(row -> row.startsWith("mail "))).singleElement().asString().startsWith("mail active - 4/2s");
		screenshot("dashboard-queues-limits.png");
		open("/");
		await().atMost(Duration.ofSeconds(10)).until(() -> text("#workers tbody").contains("mem=1G"));

		post("/api/jobs/first/cancel");
		await().atMost(Duration.ofSeconds(30)).until(() -> state("second").equals("completed"));
		open("/jobs/second");
		assertThat(browser.findElements(By.id("waiting"))).isEmpty();
		assertThat(state("gpu")).isEqualTo("pending");
	}

	@Test
	void anXssPayloadRendersAsText() throws Exception {
		String payload = "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">";
		startWorker(1);
		enqueue("{\"id\":\"xss\",\"command\":\"printf '%s' '" + payload.replace("\"", "\\\"") + "'\"}");
		await().atMost(Duration.ofSeconds(20)).until(() -> state("xss").equals("completed"));
		open("/jobs/xss");
		assertThat(text("#output")).isEqualTo(payload);
		assertThat(text("[data-field=command]")).contains(payload);
		assertThat(browser.findElements(By.cssSelector("main img"))).isEmpty();
		assertThat(((JavascriptExecutor) browser).executeScript("return window.pwned === undefined")).isEqualTo(true);
		open("/jobs?q=pwned");
		assertThat(text("#jobs tbody")).contains(payload);
		assertThat(((JavascriptExecutor) browser).executeScript("return window.pwned === undefined")).isEqualTo(true);
	}

	@Test
	void aCrossOriginPostWithoutTheTokenIsRefused() throws Exception {
		enqueue("{\"id\":\"victim\",\"command\":\"true\",\"queue\":\"held\"}");
		// a page of another origin posts a form at the API, as a malicious site would
		String page = "<form id=f method=post action='" + url("/api/jobs/victim/cancel") + "'></form>"
				+ "<script>document.getElementById('f').submit()</script>";
		browser.get("data:text/html," + java.net.URLEncoder.encode(page, "UTF-8").replace("+", "%20"));
		await().atMost(Duration.ofSeconds(10)).until(() -> browser.getPageSource().contains("another origin")
				|| browser.getPageSource().contains("log in first"));
		// the session cookie is SameSite=Strict: a cross-site post goes without it (401); with it, 403
		assertThat(state("victim")).isEqualTo("pending");
		// and from a page of the dashboard's other name (localhost: no session there), by script
		open("/");
		browser.get("http://localhost:" + this.port + "/");
		Object status = ((JavascriptExecutor) browser).executeAsyncScript(
				"const done = arguments[arguments.length - 1];"
						+ "fetch('/api/jobs/victim/cancel', {method: 'POST'}).then(r => done(r.status), e => done(-1));");
		assertThat(status).isIn(401L, 403L);
		assertThat(state("victim")).isEqualTo("pending");
	}

	@Test
	void aBrowserWithoutASessionSeesOnlyTheLoginPageAndALoginLinkWorksOnce() throws Exception {
		enqueue("{\"id\":\"hidden\",\"command\":\"echo s3cr3t\"}");
		String link = this.access.loginLink(url("/"));
		browser.manage().deleteAllCookies();
		loggedIn = false;
		browser.get(url("/jobs/hidden"));
		assertThat(browser.getTitle()).startsWith("Log in");
		assertThat(browser.getPageSource()).doesNotContain("s3cr3t").doesNotContain(this.access.csrf());
		browser.get(link);
		assertThat(browser.getTitle()).startsWith("Overview");
		browser.get(url("/jobs/hidden"));
		assertThat(browser.getPageSource()).contains("s3cr3t");
		assertThat(((JavascriptExecutor) browser).executeScript("return document.cookie")).isEqualTo("");
		browser.manage().deleteAllCookies();
		browser.get(link);
		assertThat(browser.getPageSource()).contains("used already or has expired");
		loggedIn = false;
	}
}
