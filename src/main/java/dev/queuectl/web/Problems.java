package dev.queuectl.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;
import dev.queuectl.config.QueuectlException;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.json.JsonMapper;

/**
 * Errors as {@code application/problem+json} (RFC 9457) whose {@code detail} is the line the CLI
 * prints after {@code queuectl: }. The CLI's exit codes say the status: 2 (bad input) is 400, 3 (no
 * such job) 404, anything else 500.
 */
final class Problems {

	static final String TYPE = "application/problem+json";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private Problems() {
	}

	static int status(QueuectlException ex) {
		if (ex instanceof QueuectlException.Conflict) {
			return 409;
		}
		return switch (ex.exitCode()) {
			case QueuectlException.USAGE -> 400;
			case QueuectlException.NOT_FOUND -> 404;
			default -> 500;
		};
	}

	static Map<String, Object> body(int status, String detail) {
		Map<String, Object> m = new LinkedHashMap<>();
		HttpStatus known = HttpStatus.resolve(status);
		m.put("title", known == null ? "Error" : known.getReasonPhrase());
		m.put("status", status);
		m.put("detail", detail);
		return m;
	}

	static String json(int status, String detail) {
		return JSON.writeValueAsString(body(status, detail));
	}

	static void write(HttpServletResponse response, int status, String detail) throws IOException {
		response.setStatus(status);
		response.setContentType(TYPE);
		response.setCharacterEncoding("UTF-8");
		response.getOutputStream().write(JSON.writeValueAsString(body(status, detail)).getBytes(StandardCharsets.UTF_8));
	}
}
