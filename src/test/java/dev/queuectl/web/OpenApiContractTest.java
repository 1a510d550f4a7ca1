package dev.queuectl.web;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * GET /api/openapi.json against the server that serves it: every request mapping under /api that
 * Spring MVC holds is a documented operation and every documented operation is served; each
 * documented operation, called with the document's own examples over real HTTP (on a database set
 * up for them, one job run by a real worker host), answers its documented success status with a
 * body that validates against the documented schema (JSON Schema 2020-12, by networknt's
 * validator); errors validate against Problem.
 */
class OpenApiContractTest extends WebTestSupport {

	private static final String DOC = "https://queuectl.invalid/openapi.json";

	/** Operations whose success the fixture does not set up, and the documented answer they get instead. */
	private static final Map<String, Integer> NOT_SUCCESS = Map.of("POST /api/notifications/{id}/retry", 404,
			"GET /api/workers/{id}", 404); // the fixture's worker host has stopped by then

	private static final Pattern ALTERNATIVES = Pattern.compile("\\{(\\w+):([\\w|-]+)}");

	@Autowired
	@Qualifier("requestMappingHandlerMapping")
	RequestMappingHandlerMapping mappings;

	private String text;

	private JsonNode doc;

	private SchemaRegistry schemas;

	private JsonNode document() throws Exception {
		if (this.doc == null) {
			HttpResponse<String> r = bearer("GET", "/api/openapi.json", null, null);
			assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
			assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
			this.text = r.body();
			this.doc = JSON.readTree(this.text);
			this.schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
					b -> b.schemas(Map.of(DOC, this.text)));
		}
		return this.doc;
	}

	HttpResponse<String> bearer(String method, String path, String type, String body) throws Exception {
		HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path)))
			.header("Authorization", "Bearer " + this.token.value())
			.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
		if (type != null) {
			b.header("Content-Type", type);
		}
		return this.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static String pointer(String... parts) {
		StringBuilder sb = new StringBuilder();
		for (String p : parts) {
			sb.append('/').append(p.replace("~", "~0").replace("/", "~1"));
		}
		return sb.toString();
	}

	/** The errors of {@code body} against the schema at {@code pointer} of the document. */
	private List<Error> validate(String pointer, String body) {
		Schema schema = this.schemas.getSchema(SchemaLocation.of(DOC + "#" + pointer));
		return schema.validate(JSON.readTree(body));
	}

	@Test
	void everyApiMappingIsDocumentedAndEveryDocumentedOperationIsServed() throws Exception {
		JsonNode doc = document();
		assertThat(doc.get("openapi").asString()).startsWith("3.1.");
		Set<String> served = new TreeSet<>();
		for (RequestMappingInfo info : this.mappings.getHandlerMethods().keySet()) {
			Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
			for (String pattern : info.getPatternValues()) {
				if (!pattern.startsWith("/api")) {
					continue;
				}
				assertThat(methods).as("%s answers one method at a time", pattern).isNotEmpty();
				for (String path : expand(pattern)) {
					methods.forEach(m -> served.add(m.name() + " " + path));
				}
			}
		}
		Set<String> documented = new TreeSet<>();
		doc.get("paths").properties().forEach(e -> e.getValue().propertyNames()
			.forEach(m -> documented.add(m.toUpperCase(java.util.Locale.ROOT) + " " + e.getKey())));
		assertThat(documented).as("documented operations").isEqualTo(served);
	}

	/** {@code /x/{action:pause|resume}} as the paths it matches, {@code /x/pause} and {@code /x/resume}. */
	static List<String> expand(String pattern) {
		Matcher m = ALTERNATIVES.matcher(pattern);
		if (!m.find()) {
			return List.of(pattern);
		}
		List<String> paths = new ArrayList<>();
		for (String alternative : m.group(2).split("\\|")) {
			paths.addAll(expand(pattern.substring(0, m.start()) + alternative + pattern.substring(m.end())));
		}
		return paths;
	}

	@Test
	void everyDocumentedOperationAnswersWithABodyItsSchemaAccepts() throws Exception {
		JsonNode doc = document();
		setUpExamples();
		int called = 0;
		for (Map.Entry<String, JsonNode> path : doc.get("paths").properties()) {
			for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
				call(path.getKey(), operation.getKey(), operation.getValue());
				called++;
			}
		}
		assertThat(called).isGreaterThan(40);
	}

	/** The rows the examples name: a job a real worker host ran, and jobs in the states the operations want. */
	private void setUpExamples() throws Exception {
		enqueue("{\"id\":\"doc-ran\",\"command\":\"echo hello\"}");
		startWorker(1);
		await().atMost(Duration.ofSeconds(60)).until(() -> "completed".equals(state("doc-ran")));
		stopWorker();
		enqueue("{\"id\":\"doc-job\",\"command\":\"true\"}");
		enqueue("{\"id\":\"doc-cancel\",\"command\":\"true\"}");
		enqueue("{\"id\":\"doc-delayed\",\"command\":\"true\",\"delay\":\"1h\"}");
		enqueue("{\"id\":\"doc-dead\",\"command\":\"true\"}");
		enqueue("{\"id\":\"doc-gone\",\"command\":\"true\"}");
		this.jdbc.update("UPDATE jobs SET state = 'dead', attempts = 1, finished_at = updated_at WHERE id = 'doc-dead'");
		this.jdbc.update("UPDATE jobs SET state = 'canceled', finished_at = updated_at WHERE id = 'doc-gone'");
	}

	private void call(String template, String method, JsonNode operation) throws Exception {
		String name = method.toUpperCase(java.util.Locale.ROOT) + " " + template;
		String path = template;
		List<String> query = new ArrayList<>();
		JsonNode params = operation.get("parameters");
		if (params != null) {
			for (JsonNode p : params) {
				JsonNode example = p.get("example");
				if (p.get("in").asString().equals("path")) {
					assertThat(example).as("%s: path parameter %s has an example", name, p.get("name")).isNotNull();
					path = path.replace("{" + p.get("name").asString() + "}", example.asString());
				}
				else if (example != null) {
					query.add(p.get("name").asString() + "=" + URLEncoder.encode(example.asString(), StandardCharsets.UTF_8));
				}
			}
		}
		if (!query.isEmpty()) {
			path += "?" + String.join("&", query);
		}
		String type = null;
		String body = null;
		JsonNode requestBody = operation.get("requestBody");
		if (requestBody != null) {
			for (Map.Entry<String, JsonNode> media : requestBody.get("content").properties()) {
				JsonNode example = media.getValue().get("example");
				if (example != null) {
					type = media.getKey();
					body = example.isString() ? example.asString() : example.toString();
					break;
				}
			}
			assertThat(body != null || !requestBody.path("required").asBoolean()).as("%s: its body has an example", name).isTrue();
		}
		HttpResponse<String> answer = bearer(method.toUpperCase(java.util.Locale.ROOT), path, type, body);
		JsonNode responses = operation.get("responses");
		int expected = NOT_SUCCESS.getOrDefault(name, -1);
		if (expected < 0) {
			expected = responses.propertyNames().stream().filter(s -> s.startsWith("2")).findFirst().map(Integer::parseInt)
				.orElseThrow(() -> new AssertionError(name + " documents no success"));
		}
		assertThat(answer.statusCode()).as("%s %s: %s", name, path, answer.body()).isEqualTo(expected);
		JsonNode response = responses.get(String.valueOf(answer.statusCode()));
		assertThat(response).as("%s: answer %d is documented", name, answer.statusCode()).isNotNull();
		String contentType = answer.headers().firstValue("Content-Type").orElse("").split(";")[0].strip();
		JsonNode content = response.path("content").get(contentType);
		assertThat(content).as("%s: %s is documented for %d", name, contentType, answer.statusCode()).isNotNull();
		if (contentType.endsWith("json")) {
			List<Error> errors = validate(pointer("paths", template, method, "responses", String.valueOf(answer.statusCode()),
					"content", contentType, "schema"), answer.body());
			assertThat(errors).as("%s answered %s", name, answer.body()).isEmpty();
		}
		else {
			assertThat(content.path("schema").path("type").asString()).isEqualTo("string");
		}
	}

	@Test
	void errorsAreProblemsTheDocumentDescribes() throws Exception {
		JsonNode doc = document();
		String problem = pointer("components", "schemas", "Problem");
		HttpResponse<String> missing = bearer("GET", "/api/jobs/no-such-job", null, null);
		HttpResponse<String> bad = bearer("POST", "/api/jobs", "application/json", "{\"command\":");
		HttpResponse<String> anonymous = this.http.send(HttpRequest.newBuilder(URI.create(url("/api/openapi.json"))).build(),
				HttpResponse.BodyHandlers.ofString());
		for (HttpResponse<String> r : List.of(missing, bad, anonymous)) {
			assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
			assertThat(validate(problem, r.body())).as(r.body()).isEmpty();
		}
		assertThat(List.of(missing.statusCode(), bad.statusCode(), anonymous.statusCode())).containsExactly(404, 400, 401);
		assertThat(doc.at("/paths/~1api~1jobs~1{id}/get/responses/404/content/application~1problem+json").isMissingNode()).isFalse();
		assertThat(validate(problem, "{\"title\":\"Not Found\",\"status\":404}")).as("a problem without its detail").isNotEmpty();
	}
}
