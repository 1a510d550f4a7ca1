package dev.queuectl.web;

import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Requests for a path or a method the server does not have, answered in queuectl's own words (as
 * problem+json under /api, as a line of text elsewhere) instead of Spring's.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE) // before Spring Boot's problem details handler
@ConditionalOnWebApplication
class UnknownRequests {

	@ExceptionHandler(NoResourceFoundException.class)
	ResponseEntity<?> noSuchPath(HttpServletRequest request) {
		return answer(request, 404, "no such " + (api(request) ? "endpoint: " : "page: ") + request.getMethod() + " "
				+ request.getRequestURI());
	}

	@ExceptionHandler(HttpRequestMethodNotSupportedException.class)
	ResponseEntity<?> wrongMethod(HttpServletRequest request, HttpRequestMethodNotSupportedException ex) {
		String allowed = ex.getSupportedMethods() == null ? "" : " (use " + String.join(" or ", ex.getSupportedMethods()) + ")";
		return answer(request, 405, request.getMethod() + " is not allowed on " + request.getRequestURI() + allowed);
	}

	private static boolean api(HttpServletRequest request) {
		return request.getRequestURI().startsWith("/api/") || request.getRequestURI().equals("/api");
	}

	private static ResponseEntity<?> answer(HttpServletRequest request, int status, String line) {
		if (api(request)) {
			Map<String, Object> body = Problems.body(status, line);
			return ResponseEntity.status(status).contentType(MediaType.parseMediaType(Problems.TYPE)).body(body);
		}
		return ResponseEntity.status(status).contentType(MediaType.TEXT_PLAIN).body(line + "\n");
	}
}
