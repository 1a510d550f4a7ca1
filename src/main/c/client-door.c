/*
 * queuectl's native client as the launcher's front door (issue 30): bin/queuectl's first lines (in
 * sh, without a fork) exec `queuectl-client --launcher LAUNCHER ARG...` for a command a running
 * queuectl may serve, and this file does here, in one process, what the bash launcher did before it
 * ran the client: where the install is (the launcher's real path), whether the jar is current (a
 * clone of the sources), which java runs, and the build's id from the jar's and java's size, time
 * and inode (the `stat -L -c '%s-%Y-%i'` the launcher uses for its cache and its servers).
 *
 * In a release built where a C compiler was, this program is bin/queuectl itself and the bash
 * launcher is lib/queuectl (front_launcher): a served command then costs one exec, not /bin/sh's
 * start and a second exec (docs/benchmarks.md, issue 30). It decides what the launcher's sh lines
 * decide (the command's word, Wire.SERVED's copy below, QUEUECTL_DOOR and QUEUECTL_CLIENT) and
 * either runs as the door or execs lib/queuectl with everything untouched, as those lines go on to
 * bash.
 *
 * Whenever it cannot answer, it execs the launcher again with the same arguments and standard
 * input untouched, and QUEUECTL_DOOR in the environment to say why (the launcher unsets it):
 * - "declined": it did not ask (the jar needs a build, no java, no jar): the launcher does
 *   everything as without the door;
 * - "not-served": it asked and nothing serves the command (exit 125 of the client): the launcher
 *   runs the full application, as after the client's 125; with QUEUECTL_SERVED_ONLY=1 it exits
 *   125 at once instead (shell completions never wait for a JVM).
 */
#include "client.h"

#include <dirent.h>
#include <limits.h>

static char **launcher_argv; /* LAUNCHER ARG..., NULL-terminated: argv from its index 2 */

/* Execs the launcher with QUEUECTL_DOOR=why (NULL: as it is); returns only when it cannot (then says so, exit 1). */
_Noreturn static void hand_over(const char *why) {
	if (sock >= 0) {
		close(sock);
	}
	signal(SIGPIPE, SIG_DFL); /* an ignored SIGPIPE would pass through exec to the JVM and jobs */
	if (why != NULL) {
		setenv("QUEUECTL_DOOR", why, 1);
	}
	execv(launcher_argv[0], launcher_argv);
	int err = errno;
	if (err == EACCES || err == ENOEXEC) { /* a launcher without its x bit: sh reads it */
		int n = 0;
		while (launcher_argv[n] != NULL) {
			n++;
		}
		char **sh = calloc((size_t)n + 2, sizeof(char *));
		if (sh != NULL) {
			sh[0] = "/bin/sh";
			memcpy(sh + 1, launcher_argv, ((size_t)n + 1) * sizeof(char *));
			execv(sh[0], sh);
		}
	}
	fprintf(stderr, "queuectl: cannot run %s: %s\n", launcher_argv[0], strerror(err));
	exit(1);
}

/* The client's not_served() in door mode. */
static void not_served_by_door(void) {
	const char *only = getenv("QUEUECTL_SERVED_ONLY");
	if (only != NULL && strcmp(only, "1") == 0) {
		return; /* exit 125, as the launcher would */
	}
	hand_over("not-served");
}

static int is_file(const char *path) {
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static char *join(const char *a, const char *b) {
	char *p;
	if (asprintf(&p, "%s%s", a, b) < 0) {
		hand_over("declined");
	}
	return p;
}

/* Whether st's modification time is later than the jar's, to the nanosecond (bash's -nt). */
static int later(const struct stat *st, const struct stat *jar) {
	return st->st_mtim.tv_sec > jar->st_mtim.tv_sec
			|| (st->st_mtim.tv_sec == jar->st_mtim.tv_sec && st->st_mtim.tv_nsec > jar->st_mtim.tv_nsec);
}

/* bash's `[ path -nt jar ]`: path exists and is newer. */
static int newer(const char *path, const struct stat *jar) {
	struct stat st;
	return stat(path, &st) == 0 && later(&st, jar);
}

/*
 * Whether a file under the folder dir (an open descriptor, closed here) is newer than the jar, as
 * the launcher's `"$dir/"**` glob sees them: no hidden names (nor what is under them), symbolic
 * links to folders not followed, and names ending in ~ (editor backups) not counted. Relative to
 * the folder's descriptor: no path is looked up twice.
 */
static int newer_under(int dir, const struct stat *jar) {
	DIR *d = fdopendir(dir);
	if (d == NULL) {
		close(dir);
		return 0;
	}
	int found = 0;
	struct dirent *e;
	while (!found && (e = readdir(d)) != NULL) {
		const char *name = e->d_name;
		if (name[0] == '.') {
			continue;
		}
		struct stat st;
		found = name[strlen(name) - 1] != '~' && fstatat(dir, name, &st, 0) == 0 && later(&st, jar);
		int folder = e->d_type == DT_DIR;
		if (e->d_type == DT_UNKNOWN) {
			folder = fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
		}
		if (!found && folder) {
			int sub = openat(dir, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			found = sub >= 0 && newer_under(sub, jar);
		}
	}
	closedir(d);
	return found;
}

/* The launcher's needs_build: no jar, or src/main, a file under it, pom.xml or application.yml is newer. */
static int needs_build(const char *project, const char *jar) {
	struct stat js;
	if (stat(jar, &js) != 0 || !S_ISREG(js.st_mode)) {
		return 1;
	}
	char *src = join(project, "/src/main"), *pom = join(project, "/pom.xml"), *yml = join(project, "/application.yml");
	int dir = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int stale = newer(src, &js) || (dir >= 0 && newer_under(dir, &js)) || newer(pom, &js) || newer(yml, &js);
	free(src);
	free(pom);
	free(yml);
	return stale;
}

/* The java the launcher runs: $JAVA_HOME/bin/java, else the first executable java on PATH (bash's hash). */
static char *find_java(void) {
	const char *home = getenv("JAVA_HOME");
	if (home != NULL && home[0]) {
		char *java = join(home, "/bin/java");
		return access(java, X_OK) == 0 ? java : NULL;
	}
	const char *path = getenv("PATH");
	if (path == NULL) {
		return NULL;
	}
	for (const char *p = path;; p++) {
		const char *end = strchr(p, ':');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
		char *java;
		if (asprintf(&java, "%.*s/java", (int)(n ? n : 1), n ? p : ".") < 0) {
			return NULL;
		}
		struct stat st;
		if (stat(java, &st) == 0 && !S_ISDIR(st.st_mode) && access(java, X_OK) == 0) {
			return java;
		}
		free(java);
		if (end == NULL) {
			return NULL;
		}
		p = end;
	}
}

/*
 * Door mode (argv: queuectl-client --launcher LAUNCHER ARG...): returns the build id the client
 * gives its server, or hands over to the launcher when it cannot tell one.
 */
const char *door(char **argv) {
	launcher_argv = argv + 2;
	on_not_served = not_served_by_door;
	char *project = realpath(launcher_argv[0], NULL);
	char *slash = project != NULL ? strrchr(project, '/') : NULL;
	if (slash != NULL) {
		*slash = 0;
		slash = strrchr(project, '/');
	}
	if (slash == NULL) {
		hand_over("declined");
	}
	*slash = 0; /* LAUNCHER is PROJECT/bin/queuectl */
	char *lib_jar = join(project, "/lib/queuectl.jar"), *pom = join(project, "/pom.xml");
	int release = is_file(lib_jar) && !is_file(pom);
	char *jar = release ? lib_jar : join(project, "/target/queuectl.jar");
	if (!release && needs_build(project, jar)) {
		hand_over("declined");
	}
	char *java = find_java();
	struct stat js, vs;
	if (java == NULL || stat(jar, &js) != 0 || stat(java, &vs) != 0) {
		hand_over("declined");
	}
	char *build;
	if (asprintf(&build, "%lld-%lld-%llu-%lld-%lld-%llu", (long long)js.st_size, (long long)js.st_mtim.tv_sec,
			(unsigned long long)js.st_ino, (long long)vs.st_size, (long long)vs.st_mtim.tv_sec,
			(unsigned long long)vs.st_ino) < 0) {
		hand_over("declined");
	}
	return build;
}

/*
 * Wire.SERVED, the words a running queuectl may answer: the same list as bin/queuectl's sh lines
 * (ServedCommandsTest holds both equal to Wire's).
 */
static const char *const SERVED[] = { "enqueue", "list", "show", "status", "logs", "dlq", "config", "help", "cancel",
	"queue", "limit", "wait", "run-now", "schedule", "prune", "server", "progress", "result", "edit", "rerun", "rm",
	"add", "notify", NULL };

/* Wire.SERVED_PAIRS: a group's sub-command served though the group's others are not (bin/queuectl's too). */
static const char *const SERVED_PAIRS[] = { "worker stop", "batch list", "batch show", "batch cancel", NULL };

/*
 * The launcher's command_word: the first word after --db PATH / --db=PATH; none after any other
 * option. *sub the word after it (NULL when none).
 */
static const char *command_word(int argc, char **argv, const char **sub) {
	*sub = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0) {
			i++;
		}
		else if (strncmp(argv[i], "--db=", 5) == 0) {
			continue;
		}
		else if (argv[i][0] == '-') {
			return NULL; /* --debug, --version, --help: the full application answers */
		}
		else {
			*sub = i + 1 < argc ? argv[i + 1] : NULL;
			return argv[i];
		}
	}
	return NULL;
}

/* Whether the launcher's sh lines would exec the door: a served word, no QUEUECTL_DOOR, no QUEUECTL_CLIENT=java. */
static int for_the_door(int argc, char **argv) {
	const char *sub;
	const char *word = command_word(argc, argv, &sub);
	const char *told = getenv("QUEUECTL_DOOR");
	const char *client = getenv("QUEUECTL_CLIENT");
	if (word == NULL || (told != NULL && told[0]) || (client != NULL && strcmp(client, "java") == 0)) {
		return 0;
	}
	for (int i = 0; SERVED[i] != NULL; i++) {
		if (strcmp(word, SERVED[i]) == 0) {
			return 1;
		}
	}
	size_t n = strlen(word);
	for (int i = 0; sub != NULL && SERVED_PAIRS[i] != NULL; i++) {
		const char *pair = SERVED_PAIRS[i];
		if (strncmp(pair, word, n) == 0 && pair[n] == ' ' && strcmp(pair + n + 1, sub) == 0) {
			return 1;
		}
	}
	return 0;
}

char **front_launcher(int argc, char **argv) {
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0) {
		return NULL;
	}
	exe[n] = 0;
	size_t len = (size_t)n;
	static const char self[] = "/bin/queuectl";
	if (len <= strlen(self) || strcmp(exe + len - strlen(self), self) != 0) {
		return NULL; /* target/queuectl-client, lib/queuectl-client: the client as the launcher runs it */
	}
	exe[len - strlen(self)] = 0; /* the install: PROJECT/bin/queuectl */
	char **args = calloc((size_t)argc + 3, sizeof(char *));
	if (args == NULL) {
		fputs("queuectl: out of memory\n", stderr);
		exit(1);
	}
	args[0] = argv[0];
	args[1] = "--launcher";
	if (asprintf(&args[2], "%s/lib/queuectl", exe) < 0) {
		fputs("queuectl: out of memory\n", stderr);
		exit(1);
	}
	memcpy(args + 3, argv + 1, (size_t)argc * sizeof(char *)); /* argv[argc] is NULL */
	if (!for_the_door(argc, argv)) {
		launcher_argv = args + 2;
		hand_over(NULL);
	}
	return args;
}
