package dev.queuectl.web;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.stereotype.Component;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The validator Spring MVC applies to {@code @Valid} arguments: queuectl's controllers declare no
 * Bean Validation constraints (every input goes through the same parsers and services as the
 * commands'), so there is nothing to validate. Without it Spring Boot bootstraps Hibernate
 * Validator in every process that serves HTTP, a worker host included: some 450 classes loaded at
 * start and kept for nothing (the commands' side of the same: {@code cli.NoConstraints}).
 */
@Component
@ConditionalOnWebApplication
class NoBeanValidation implements WebMvcConfigurer {

	private static final Validator NONE = new Validator() {

		@Override
		public boolean supports(Class<?> type) {
			return true;
		}

		@Override
		public void validate(Object target, Errors errors) {
		}
	};

	@Override
	public Validator getValidator() {
		return NONE;
	}
}
