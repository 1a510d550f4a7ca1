package dev.queuectl.web;






import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.apache.catalina.Context;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.stereotype.Component;

/**
 * The errors the web server answers before any of ours runs (a path with {@code %2F} or {@code
 * %00}, a malformed escape, a header too large), in our words rather than the server's HTML page:
 * as problem+json under /api, else a line of text. Replaces the host's error report valve, which
 * writes those answers.
 */
@Component
@ConditionalOnWebApplication
class TomcatErrors implements TomcatContextCustomizer {

	@Override
	public void customize(Context context) {
		if (context.getParent() instanceof StandardHost host) {
			host.setErrorReportValveClass(Valve.class.getName());
		}
	}

	/** Writes the error of a response that has no body yet. */
	public static class Valve extends ErrorReportValve {

		@Override
		protected void report(Request request, Response response, Throwable throwable) {
			int status = response.getStatus();
			if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
				return;
			}
			String uri = request.getRequestURI() == null ? "" : request.getRequestURI();
			String line = switch (status) {
				case 400 -> "bad request: the path, a header or the body is not valid here";
				case 413 -> "the request is too large";
				default -> "the request failed (" + status + ")";
			};
			try {
				response.setCharacterEncoding("UTF-8");
				byte[] body;
				if (uri.startsWith("/api/") || uri.equals("/api")) {
					response.setContentType(Problems.TYPE);
					body = Problems.json(status, line).getBytes(StandardCharsets.UTF_8);
				}
				else {
					response.setContentType("text/plain");
					body = (line + "\n").getBytes(StandardCharsets.UTF_8);
				}
				response.getOutputStream().write(body);
				response.finishResponse();
			}
			catch (IOException | IllegalStateException ex) {
				// the client is gone, or the response can no longer be written: nothing to tell
			}
		}
	}
}
