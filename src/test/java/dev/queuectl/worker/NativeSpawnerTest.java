package dev.queuectl.worker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The compiled spawner is copied out of the jar once, checked, and repaired when damaged. */
class NativeSpawnerTest {

	@TempDir
	Path cache;

	@Test
	void theCopyIsOwnerOnlyRunsAndIsWrittenAgainWhenDamaged() throws Exception {
		assumeTrue(NativeSpawner.class.getResource(NativeSpawner.RESOURCE) != null,
				"the build compiles the spawner only with a C compiler");
		Path copy = NativeSpawner.install(this.cache);
		assertThat(copy).isNotNull().startsWith(this.cache.resolve("bin"));
		assertThat(Files.getPosixFilePermissions(copy)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
		assertThat(Files.getPosixFilePermissions(copy.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
		byte[] good = Files.readAllBytes(copy);

		Files.writeString(copy, "#!/bin/sh\nexit 3\n"); // runs, but is not the spawner
		assertThat(NativeSpawner.install(this.cache)).isEqualTo(copy);
		assertThat(Files.readAllBytes(copy)).isEqualTo(good);
	}
}
