package dev.queuectl.web;

import java.io.IOException;
import java.io.InputStream;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/openapi.json}: the HTTP API's contract (OpenAPI 3.1), kept by hand in
 * src/main/resources/openapi.json beside the controllers it describes, and shipped in the release
 * archive too. Hand-kept because the controllers answer maps shaped by view/Render (the CLI's
 * {@code --json}), which no generator can see into; OpenApiContractTest holds the two together:
 * every mapping under /api is documented, and every documented operation answers with a body its
 * schema accepts. Behind the access token like the rest of /api.
 */
@RestController
@ConditionalOnWebApplication
class OpenApiController {

	private final byte[] document;

	OpenApiController() throws IOException {
		try (InputStream in = OpenApiController.class.getResourceAsStream("/openapi.json")) {
			if (in == null) {
				throw new IllegalStateException("openapi.json is missing from the build");
			}
			this.document = in.readAllBytes();
		}
	}

	@GetMapping("/api/openapi.json")
	ResponseEntity<byte[]> document() {
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(this.document);
	}
}
