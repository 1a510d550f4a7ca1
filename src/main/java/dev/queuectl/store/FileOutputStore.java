package dev.queuectl.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.queuectl.config.OwnerOnly;
import dev.queuectl.job.JobState;

/**
 * Job output in files (SQLite): {@code output/<job id>/<attempt>-<start ms>.log} in the data
 * folder, owner-only, created on the first byte, so a silent job leaves none.
 */
final class FileOutputStore implements OutputStore {

	/** The output folder is measured up to this many files (then the size is a lower bound). */
	static final int MAX_FILES_MEASURED = 200_000;

	/** Job folders checked against the jobs table per query when sweeping. */
	private static final int SWEEP_BATCH = 500;

	private final Path outputDir;

	private final JobStore jobs;

	FileOutputStore(Path outputDir, JobStore jobs) {
		this.outputDir = outputDir;
		this.jobs = jobs;
	}

	/**
	 * The file that holds an attempt's output, if it printed anything: in a folder named by the job
	 * id right inside {@code outputDir}. An id that would name anything else ({@code .}, {@code ..},
	 * a path) is refused with an {@link IllegalArgumentException}, whatever the enqueue rules let in.
	 */
	static Path outputFile(Path outputDir, String jobId, int attempt, Instant startedAt) {
		return jobOutputDir(outputDir, jobId).resolve(attempt + "-" + startedAt.toEpochMilli() + ".log");
	}

	/** The folder of a job's output files; refuses an id that would resolve outside {@code outputDir}. */
	static Path jobOutputDir(Path outputDir, String jobId) {
		Path base = outputDir.toAbsolutePath().normalize();
		Path dir;
		try {
			dir = base.resolve(jobId).normalize();
		}
		catch (InvalidPathException ex) {
			dir = null;
		}
		if (jobId.isEmpty() || dir == null || !base.equals(dir.getParent())
				|| !dir.getFileName().toString().equals(jobId)) {
			throw new IllegalArgumentException("job id '" + jobId + "' cannot name a folder inside " + base);
		}
		return dir;
	}

	@Override
	public void checkId(String jobId) {
		jobOutputDir(this.outputDir, jobId); // defence in depth: never read outside output/
	}

	@Override
	public Output create(String jobId, int attempt, Instant startedAt) {
		Path file = outputFile(this.outputDir, jobId, attempt, startedAt);
		return new Output() {

			private OutputStream out;

			@Override
			public void write(byte[] b, int off, int len) throws IOException {
				if (this.out == null) {
					OwnerOnly.createDirectories(file.getParent()); // 0700, 0600: output is the job's business
					this.out = OwnerOnly.newOutputStream(file);
				}
				this.out.write(b, off, len);
			}

			@Override
			public String close() throws IOException {
				if (this.out == null) {
					return null;
				}
				this.out.close();
				return file.toString();
			}
		};
	}

	@Override
	public InputStream open(String jobId, int attempt, Instant startedAt, String outputPath) throws IOException {
		Path file = outputPath != null ? Path.of(outputPath) : outputFile(this.outputDir, jobId, attempt, startedAt);
		return Files.exists(file) ? Files.newInputStream(file) : null;
	}

	@Override
	public long delete(List<String> jobIds) {
		long bytes = 0;
		for (String id : jobIds) {
			bytes += Math.max(0, deleteFolder(id));
		}
		return bytes;
	}

	@Override
	public long sweepOrphans() {
		if (!Files.isDirectory(this.outputDir)) {
			return 0;
		}
		long removed = 0;
		List<String> names = new ArrayList<>();
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(this.outputDir)) {
			for (Path p : entries) {
				names.add(p.getFileName().toString());
				if (names.size() == SWEEP_BATCH) {
					removed += sweep(names);
					names.clear();
				}
			}
		}
		catch (IOException ex) {
			return removed;
		}
		return removed + sweep(names);
	}

	private long sweep(List<String> names) {
		if (names.isEmpty()) {
			return 0;
		}
		Map<String, JobState> existing = this.jobs.states(names);
		long removed = 0;
		for (String name : names) {
			if (!existing.containsKey(name) && deleteFolder(name) >= 0) {
				removed++;
			}
		}
		return removed;
	}

	/** Deletes a job's output folder; returns the bytes freed, -1 when it had none. */
	private long deleteFolder(String id) {
		Path root = this.outputDir.normalize();
		Path dir = root.resolve(id).normalize();
		if (!root.equals(dir.getParent()) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
			return -1;
		}
		long[] bytes = { 0 };
		try {
			Files.walkFileTree(dir, new SimpleFileVisitor<>() {
				@Override
				public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
					bytes[0] += attrs.size();
					Files.deleteIfExists(file);
					return FileVisitResult.CONTINUE;
				}

				@Override
				public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
					Files.deleteIfExists(d);
					return FileVisitResult.CONTINUE;
				}
			});
		}
		catch (IOException ex) {
			// the job is gone; a leftover file is swept by the next prune
		}
		return bytes[0];
	}

	@Override
	public Map<Long, Long> measure(List<Attempt> attempts) {
		Map<Long, Long> bytes = new java.util.LinkedHashMap<>();
		for (Attempt a : attempts) {
			long n;
			try {
				n = Files.size(attemptFile(a));
			}
			catch (IOException | IllegalArgumentException ex) {
				n = 0; // gone (swept, removed by hand): nothing to keep count of
			}
			bytes.put(a.runId(), n);
		}
		return bytes;
	}

	@Override
	public void remove(List<Attempt> attempts) {
		for (Attempt a : attempts) {
			try {
				Path file = attemptFile(a);
				Files.deleteIfExists(file);
				try (DirectoryStream<Path> left = Files.newDirectoryStream(file.getParent())) {
					if (!left.iterator().hasNext()) {
						Files.deleteIfExists(file.getParent());
					}
				}
			}
			catch (IOException | IllegalArgumentException ex) {
				// already gone, or the folder got a new file meanwhile: nothing more to remove
			}
		}
	}

	/** The file of a finished attempt, always inside the output folder, whatever its output_path says. */
	private Path attemptFile(Attempt a) {
		return outputFile(this.outputDir, a.jobId(), a.attempt(), a.startedAt());
	}

	@Override
	public Size size() {
		long[] output = { 0, 0 };
		if (Files.isDirectory(this.outputDir)) {
			try {
				Files.walkFileTree(this.outputDir, new SimpleFileVisitor<>() {
					@Override
					public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
						output[0] += attrs.size();
						return ++output[1] >= MAX_FILES_MEASURED ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
					}

					@Override
					public FileVisitResult visitFileFailed(Path file, IOException exc) {
						return FileVisitResult.CONTINUE;
					}
				});
			}
			catch (IOException ex) {
				// a size is a hint: what was measured stands
			}
		}
		return new Size(output[0], output[1] >= MAX_FILES_MEASURED);
	}
}
