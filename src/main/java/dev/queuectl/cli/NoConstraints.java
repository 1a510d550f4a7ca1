package dev.queuectl.cli;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.Set;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import jakarta.validation.executable.ExecutableValidator;
import jakarta.validation.metadata.BeanDescriptor;

/**
 * The validator Spring Shell asks for before it runs a command method: queuectl's commands declare
 * no Bean Validation constraints (ArgvParser and the services check every input), so there is
 * nothing to validate. Without this bean Spring Shell would bootstrap Hibernate Validator, some 700
 * classes that every JVM (each worker host) would load and keep for nothing.
 */
final class NoConstraints implements Validator, ExecutableValidator {

	@Override
	public <T> Set<ConstraintViolation<T>> validate(T object, Class<?>... groups) {
		return Set.of();
	}

	@Override
	public <T> Set<ConstraintViolation<T>> validateProperty(T object, String propertyName, Class<?>... groups) {
		return Set.of();
	}

	@Override
	public <T> Set<ConstraintViolation<T>> validateValue(Class<T> beanType, String propertyName, Object value,
			Class<?>... groups) {
		return Set.of();
	}

	@Override
	public BeanDescriptor getConstraintsForClass(Class<?> clazz) {
		throw new UnsupportedOperationException("queuectl declares no constraints");
	}

	@Override
	public <T> T unwrap(Class<T> type) {
		throw new UnsupportedOperationException("queuectl declares no constraints");
	}

	@Override
	public ExecutableValidator forExecutables() {
		return this;
	}

	@Override
	public <T> Set<ConstraintViolation<T>> validateParameters(T object, Method method, Object[] parameterValues,
			Class<?>... groups) {
		return Set.of();
	}

	@Override
	public <T> Set<ConstraintViolation<T>> validateReturnValue(T object, Method method, Object returnValue,
			Class<?>... groups) {
		return Set.of();
	}

	@Override
	public <T> Set<ConstraintViolation<T>> validateConstructorParameters(Constructor<? extends T> constructor,
			Object[] parameterValues, Class<?>... groups) {
		return Set.of();
	}

	@Override
	public <T> Set<ConstraintViolation<T>> validateConstructorReturnValue(Constructor<? extends T> constructor,
			T createdObject, Class<?>... groups) {
		return Set.of();
	}
}
