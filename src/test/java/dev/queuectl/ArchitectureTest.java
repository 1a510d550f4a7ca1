package dev.queuectl;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The packages' rules (docs/architecture.md), held by a test over the compiled main classes: SQL
 * (store) knows nothing of hosts, commands or pages; job rules know nothing of how jobs run; the web
 * reaches the services, never the commands; the shared views depend on no interface.
 */
class ArchitectureTest {

	static JavaClasses classes;

	@BeforeAll
	static void importMainClasses() {
		classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			.importPackages("dev.queuectl");
	}

	@Test
	void theStoreUsesNoWorkerCommandOrWebClass() {
		noClasses().that().resideInAPackage("dev.queuectl.store..")
			.should().dependOnClassesThat().resideInAnyPackage("dev.queuectl.worker..", "dev.queuectl.cli..", "dev.queuectl.web..")
			.check(classes);
	}

	@Test
	void jobRulesUseNothingOfTheWorkerHosts() {
		noClasses().that().resideInAPackage("dev.queuectl.job..")
			.should().dependOnClassesThat().resideInAnyPackage("dev.queuectl.worker..", "dev.queuectl.cli..", "dev.queuectl.web..")
			.check(classes);
	}

	@Test
	void theWebCallsServicesNeverTheCommands() {
		noClasses().that().resideInAPackage("dev.queuectl.web..")
			.should().dependOnClassesThat().resideInAPackage("dev.queuectl.cli..")
			.check(classes);
	}

	@Test
	void theSharedViewsAndTheSettingsDependOnNoInterface() {
		noClasses().that().resideInAnyPackage("dev.queuectl.view..", "dev.queuectl.config..")
			.should().dependOnClassesThat().resideInAnyPackage("dev.queuectl.cli..", "dev.queuectl.web..", "dev.queuectl.worker..")
			.check(classes);
	}
}
