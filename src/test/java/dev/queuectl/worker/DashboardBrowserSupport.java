package dev.queuectl.worker;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;
import dev.queuectl.web.LoginLinks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the dashboard's browser tests of a real worker host share: one headless Chromium for the
 * class (Debian's, nothing downloaded; in the zone Europe/Berlin, so a page's local times differ
 * from UTC), a host of the built jar per test with its own HTTP port, the browser logged in by the
 * link {@code dashboard --url} prints (made in this JVM by the command's own class: {@link LoginLinks}),
 * bin/queuectl on the jobs' PATH. A PostgreSQL twin overrides
 * {@link #queuectl()} and {@link #dropDatabase()}.
 */
abstract class DashboardBrowserSupport {

	static final Path PROJECT = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();

	private static final Pattern URL = Pattern.compile("dashboard on (http://[0-9.]+:[0-9]+/)");

	static final JsonMapper JSON = JsonMapper.builder().build();

	/** The browser's zone: its pages show local times in it. */
	static final String ZONE = "Europe/Berlin";

	static WebDriver browser;

	static Path profile;

	@TempDir
	Path dir;

	Queuectl q;

	Queuectl.Worker host;

	/** The host's dashboard, like http://127.0.0.1:PORT/ (no slash at the end). */
	String base;

	HttpServer receiver;

	/** The database's API access token, read on first use ({@link #job}). */
	private String token;

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

	@BeforeAll
	static void startBrowser() throws IOException {
		profile = Files.createTempDirectory("queuectl-chromium");
		ChromeOptions options = new ChromeOptions();
		options.setBinary("/usr/bin/chromium");
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--disable-dev-shm-usage", "--window-size=1280,1000", "--user-data-dir=" + profile);
		// less of Chromium's own work beside the pages (none of it changes what a page does): no
		// extensions, crash reports, metrics, audio or phishing checks, no spare renderer kept warm,
		// none of the services that fetch from Google (translate, hints, media router, autofill)
		options.addArguments("--disable-extensions", "--disable-default-apps", "--disable-breakpad",
				"--disable-client-side-phishing-detection", "--disable-domain-reliability", "--metrics-recording-only",
				"--mute-audio", "--no-default-browser-check", "--no-pings",
				"--disable-features=Translate,OptimizationHints,OptimizationGuideModelDownloading,MediaRouter,"
						+ "DialMediaRouteProvider,SpareRendererForSitePerProcess,AutofillServerCommunication,"
						+ "CertificateTransparencyComponentUpdater,InterestFeedContentSuggestions");
		ChromeDriverService service = new ChromeDriverService.Builder()
			.usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
			.withEnvironment(Map.of("TZ", ZONE))
			.build();
		browser = new ChromeDriver(service, options);
		browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
	}

	@AfterAll
	static void stopBrowser(TestInfo info) throws IOException {
		if (browser != null) {
			recordChromiumCpu(info.getTestClass().map(Class::getName).orElse("?"));
			browser.quit();
		}
		if (profile != null) {
			try (var files = Files.walk(profile)) {
				files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
			}
		}
	}

	/**
	 * Appends the class and the CPU seconds its Chromium used (chromedriver and every process under
	 * it, with the children they reaped) to target/test-cpu/chromium-PID.tsv. ClassCpu sees only a
	 * part of it: at quit chromedriver reaps Chromium's browser process (about half of the whole),
	 * and this JVM reaps chromedriver; the renderers, GPU and utility processes nobody reaps into
	 * it. Read before quit, so the processes are all there; a measurement only, nothing fails over
	 * it; nothing is written off Linux.
	 */
	private static void recordChromiumCpu(String testClass) {
		long ticks = ProcessHandle.current().descendants()
			.filter(p -> p.info().command().map(c -> c.contains("chrom")).orElse(false))
			.mapToLong(p -> cpuTicks(p.pid()))
			.sum();
		try {
			Path dir = PROJECT.resolve("target").resolve("test-cpu");
			Files.createDirectories(dir);
			Files.writeString(dir.resolve("chromium-" + ProcessHandle.current().pid() + ".tsv"),
					String.format(java.util.Locale.ROOT, "%s\t%.2f%n", testClass, ticks / 100.0), StandardCharsets.UTF_8,
					java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			// a measurement only
		}
	}

	/** A process's CPU and its reaped children's, in clock ticks (100 a second); 0 when it is gone or off Linux. */
	private static long cpuTicks(long pid) {
		try {
			String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
			String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
		}
		catch (IOException | RuntimeException ex) {
			return 0;
		}
	}

	Queuectl queuectl() throws Exception {
		return new Queuectl(this.dir);
	}

	@BeforeEach
	void setUp() throws Exception {
		this.q = queuectl();
		this.q.env("PATH", PROJECT.resolve("bin") + ":" + System.getenv("PATH"))
			.env("XDG_CACHE_HOME", PROJECT.resolve("target").resolve("it-cache").toString());
	}

	@AfterEach
	void stopHost() throws Exception {
		if (this.host != null) {
			this.host.process().destroy();
			try {
				this.host.waitFor(Duration.ofSeconds(60));
			}
			finally {
				this.host.close();
			}
		}
		if (this.receiver != null) {
			this.receiver.stop(0);
		}
		dropDatabase();
	}

	/** After the host has stopped: the PostgreSQL twin drops its database. */
	void dropDatabase() {
	}

	/** Starts the worker host with its dashboard and logs the browser in there. */
	void startHost() throws Exception {
		this.host = this.q.worker("--port", "0", "--count", "2");
		await().atMost(Duration.ofSeconds(60)).until(() -> URL.matcher(this.host.logText()).find() || !this.host.process().isAlive());
		Matcher m = URL.matcher(this.host.logText());
		assertThat(m.find()).as(this.host.logText()).isTrue();
		this.base = m.group(1).substring(0, m.group(1).length() - 1);
		// the link dashboard --url prints, made here by its own class: no JVM a test (WebDoorIT runs the command)
		List<String> links = LoginLinks.of(this.q.location());
		assertThat(links).as("login links").hasSize(1);
		assertThat(links.get(0)).startsWith(this.base + "/login?code=");
		browser.get(links.get(0));
		assertThat(browser.getTitle()).startsWith("Overview");
	}

	void open(String path) {
		browser.get(this.base + path);
	}

	/** The element's text; found again when the page replaced it meanwhile. */
	static String text(String css) {
		for (int i = 0;; i++) {
			try {
				return browser.findElement(By.cssSelector(css)).getText();
			}
			catch (StaleElementReferenceException replaced) {
				if (i == 4) {
					throw replaced;
				}
			}
		}
	}

	/** The texts of the elements; read again when the page's own refresh replaced them meanwhile. */
	static List<String> texts(String css) {
		for (int i = 0;; i++) {
			try {
				return browser.findElements(By.cssSelector(css)).stream().map(WebElement::getText).toList();
			}
			catch (StaleElementReferenceException replaced) {
				if (i == 4) {
					throw replaced;
				}
			}
		}
	}

	static Object js(String script) {
		return ((JavascriptExecutor) browser).executeScript(script);
	}

	static String json(Map<String, Object> job) {
		return JSON.writeValueAsString(job);
	}

	/** The job as the CLI shows it ({@code show ID --json}): a JVM of its own (served by the host). */
	JsonNode show(String id) throws Exception {
		return JSON.readTree(this.q.ok("show", id, "--json"));
	}

	/**
	 * The job as the host's API answers it ({@code GET /api/jobs/ID}: the fields of
	 * {@code show --json}), with the access token: what an Awaitility poll asks, every 100 ms while a
	 * job runs, without a JVM start per look.
	 */
	JsonNode job(String id) throws Exception {
		if (this.token == null) {
			this.token = Files.readString(tokenFile()).strip();
		}
		HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(this.base + "/api/jobs/" + URLEncoder.encode(id, StandardCharsets.UTF_8)))
			.header("Authorization", "Bearer " + this.token)
			.timeout(Duration.ofSeconds(30))
			.build(), HttpResponse.BodyHandlers.ofString());
		if (r.statusCode() != 200) {
			throw new AssertionError("GET /api/jobs/" + id + ": " + r.statusCode() + " " + r.body());
		}
		return JSON.readTree(r.body());
	}

	/**
	 * The job's state, as the CLI shows it ({@link #show}: a JVM a poll). Not from the API: a poll of
	 * a few ms let the tests go on while a page was still re-rendering for the state it just
	 * reached, and two clean-clone runs failed on such races (session 18).
	 */
	String stateOf(String id) throws Exception {
		return show(id).get("state").asString();
	}

	/**
	 * The database's access token file: beside the SQLite file, or in the PostgreSQL database's
	 * folder under the test's XDG_DATA_HOME; made by the first {@code dashboard --url}.
	 */
	private Path tokenFile() throws IOException {
		try (var found = Files.find(this.dir, 4, (p, a) -> p.getFileName().toString().equals("web-token") && a.isRegularFile())) {
			return found.findFirst().orElseThrow(() -> new AssertionError("no web-token under " + this.dir));
		}
	}

	/** The set-up before a host starts, in one JVM ({@link Queuectl#commands}). */
	@SafeVarargs
	final void commands(List<String>... lines) throws Exception {
		this.q.commands(lines);
	}

	/** A shell line that waits for the file {@code name} in the test's folder. */
	String until(String name) {
		return "while [ ! -e '" + this.dir.resolve(name) + "' ]; do sleep 0.1; done";
	}

	void touch(String name) throws IOException {
		Files.createFile(this.dir.resolve(name));
	}

}
