package dev.queuectl.web;

import java.util.Map;

import dev.queuectl.config.QueuectlException;
import dev.queuectl.store.StorageErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.dao.DataAccessException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** The API's errors: a {@link QueuectlException}'s line, or a storage failure's, as problem+json. */
@RestControllerAdvice(assignableTypes = { ApiController.class, NotifyApiController.class, BatchApiController.class })
@ConditionalOnWebApplication
class ApiErrors {

	private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

	@ExceptionHandler(QueuectlException.class)
	ResponseEntity<Map<String, Object>> refused(QueuectlException ex) {
		int status = Problems.status(ex);
		return ResponseEntity.status(status)
			.contentType(MediaType.parseMediaType(Problems.TYPE))
			.body(Problems.body(status, ex.getMessage()));
	}

	@ExceptionHandler(DataAccessException.class)
	ResponseEntity<Map<String, Object>> storage(DataAccessException ex) {
		String line = StorageErrors.describe(ex, null);
		if (line == null) {
			Throwable root = ex;
			while (root.getCause() != null && root.getCause() != root) {
				root = root.getCause();
			}
			line = "the database failed" + (root.getMessage() == null ? "" : ": " + root.getMessage().lines().findFirst().orElse(""));
		}
		log.warn("storage failure answering an API request: {}", line);
		log.debug("the failure", ex);
		return ResponseEntity.status(503)
			.contentType(MediaType.parseMediaType(Problems.TYPE))
			.body(Problems.body(503, line));
	}
}
