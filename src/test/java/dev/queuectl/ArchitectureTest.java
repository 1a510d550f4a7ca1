package dev.queuectl;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The packages' rules (docs/architecture.md), held by a test over the compiled main classes: SQL
 * (store) knows nothing of services, hosts, commands or pages; a job's records and rules know nothing
 * of how jobs are stored or run; the socket serves commands it does not know; the web reaches the
 * services, never the commands; the shared views depend on no interface; and no package depends,
 * however indirectly, on one that depends on it.
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
			.should().dependOnClassesThat().resideInAnyPackage("dev.queuectl.service..", "dev.queuectl.worker..",
					"dev.queuectl.server..", "dev.queuectl.cli..", "dev.queuectl.web..")
			.check(classes);
	}

	@Test
	void jobRecordsAndRulesUseNoStoreServiceOrWorkerHost() {
		noClasses().that().resideInAPackage("dev.queuectl.job..")
			.should().dependOnClassesThat().resideInAnyPackage("dev.queuectl.store..", "dev.queuectl.service..",
					"dev.queuectl.worker..", "dev.queuectl.server..", "dev.queuectl.cli..", "dev.queuectl.web..")
			.check(classes);
	}

	@Test
	void theCommandSocketServesCommandsItDoesNotKnow() {
		noClasses().that().resideInAPackage("dev.queuectl.server..")
			.should().dependOnClassesThat().resideInAnyPackage("dev.queuectl.cli..", "dev.queuectl.web..", "dev.queuectl.worker..")
			.check(classes);
	}

	@Test
	void theRootPackageHoldsTheEntryPointsThatNothingElseUses() {
		noClasses().that().resideOutsideOfPackage("dev.queuectl")
			.should().dependOnClassesThat().resideInAPackage("dev.queuectl")
			.check(classes);
	}

	@Test
	void noPackageDependsOnOneThatDependsOnIt() {
		slices().matching("dev.queuectl.(*)..").should().beFreeOfCycles().check(classes);
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
			.should().dependOnClassesThat().resideInAnyPackage("dev.queuectl.cli..", "dev.queuectl.web..",
					"dev.queuectl.worker..", "dev.queuectl.server..")
			.check(classes);
	}
}
