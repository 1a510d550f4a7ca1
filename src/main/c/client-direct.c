/*
 * queuectl's native client answering a command from the database itself (issue 30): the first
 * command with nothing serving its database would otherwise start the whole application (Spring,
 * 1.5-2.5 s) for one row. When no server answers the socket (client.c's run), a command of the
 * direct set is answered here, in this process, byte for byte as the JVM would answer it; whenever
 * this file is not certain of that it declines (returns NOT_SERVED, having printed and stored
 * nothing) and the launcher runs the JVM as before. The rules for a job stay the JVM's: the C
 * declines instead of refusing, so every refusal is the JVM's words.
 *
 * The set, on SQLite and PostgreSQL alike: `enqueue JSON` and `enqueue JSON --json`, with --tag T
 * (repeated, comma lists, --tag=T), the JSON an object of the fields command, id, queue, priority,
 * max_retries, unique_key, delay, timeout, tags and env alone (strings without \u escapes, plain integers;
 * any other field, a null, a duplicate, another option: declined; a unique_key of 1-256 printable
 * ASCII characters, stored only when no live job holds it: a held key is the JVM's, which answers
 * with its holder; a delay or timeout as Durations writes one, "500ms", "30s", "5m", "2h", "1d", "30"
 * or 30 (seconds), a timeout above 0; tags an array of at most 16, with --tag's at most 16 distinct
 * ones, stored on the row and in job_tags as JobStore stores them; env an object of at most 64 names
 * of JobEnv's, none QUEUECTL_* or given twice, with values of printable ASCII); `status` and
 * `status --json` with its live worker hosts (none offering resources; lease-timeout not set), while
 * no waiting job asks resources or slots and output-max-total is not set (the storage line measured as RetentionService.sizes measures it:
 * SQLite's files, PostgreSQL's sizes as the server counts them); `list` with --state, --queue, --tag (comma
 * lists of stored states, queue names and tags; each option once) and --limit/-n, the table and its
 * paging line, while no
 * listed job is being canceled or reports progress; `show ID` of a job pending and due,
 * completed, failed and due, dead or canceled, with none of the fields that need the JVM's rules
 * (resources, limits, progress, a result, a batch, dependencies...; a timeout, a unique key, tags
 * and env are shown as Durations.format, show and Jackson write them), no queue
 * setting or limit that could make it wait, its runs' output kept, and its strings and last output
 * printable ASCII (a missing id: the JVM's words). Each with or without --json (Render.job's and
 * Render.run's fields, as Jackson writes them; show --json of a job with none of the fields that
 * need the JVM's rules, not running or waiting, nothing holding it: show_json).
 *
 * The databases are reached through client-db.c (SQLite's library or libpq, loaded at run time);
 * a statement is written once where the two dialects agree, and `struct dialect` below holds the
 * few that differ (store/Dialect's differences: SQLite's index hints and write lock, PostgreSQL's
 * server clock for run_at and its NOTIFY that wakes the hosts on other machines).
 *
 * It declines unless all hold:
 * - QUEUECTL_DIRECT is not off (only: answer here or exit 125, never the JVM: the tests' proof);
 * - no variable that could change the answer: QUEUECTL_* beyond those the client reads, OTEL_*
 *   (tracing: service/Tracing.asked), the JVM's own option variables (JAVA_TOOL_OPTIONS...);
 * - the user's configuration file sets nothing but the database, and the install's application.yml
 *   says what this build's does (INSTALL_YML below, held to application.yml by DirectConstantsTest);
 * - SQLite: the database file exists (a new one is the JVM's: it migrates), this process may write
 *   it and its folder (the JVM opens it read-only otherwise); PostgreSQL: the URL names one host,
 *   its port, the database, user and password and nothing else, no PG* variable but those the
 *   JVM reads too is set, and the server accepts the login (else the JVM's words say why);
 * - Flyway's newest applied version is SCHEMA_VERSION, the newest migration of this build
 *   (DirectConstantsTest);
 * - the database answers at once: busy, locked or failing, it is declined before anything was printed;
 * - config set's stored max-retries is canonical, retry-on and no-retry-on unset or none.
 * The connection is opened as store/DatabaseConfiguration opens it where it matters
 * (client-db.c); the row is stored as store/JobStore.insertAll stores it.
 *
 * After the answer, the background command server for the next commands starts when the JVM
 * path would start it (Main, BackgroundServer.wanted): a detached child runs the launcher with
 * -Dqueuectl.ensure-server=true, which only starts the server, and the answer waits for nothing.
 */
#include "client.h"

#include <ftw.h>
#include <sys/random.h>

/* The newest schema version (db/migration/{sqlite,postgresql}/V<n>__*.sql): DirectConstantsTest. */
static const int SCHEMA_VERSION = 15;

/* queuectl.defaults.max-retries of application.yml: DirectConstantsTest. */
static const int DEFAULT_MAX_RETRIES = 3;

/*
 * The lines of application.yml that say something (comments and blank lines dropped, as
 * install_lines drops them), but queuectl.db's: an install file that says anything else is the
 * JVM's to read. DirectConstantsTest holds it to application.yml.
 */
static const char INSTALL_YML[] = "queuectl:\n"
								  "  defaults:\n"
								  "    max-retries: 3\n"
								  "    backoff-base: 2\n"
								  "    max-backoff: 1h\n"
								  "    backoff-jitter: 0\n"
								  "    retry-on: none\n"
								  "    no-retry-on: none\n"
								  "    job-timeout: 0\n"
								  "    lease-timeout: 30s\n"
								  "    shutdown-grace: 30s\n"
								  "    output-cap: 10MiB\n"
								  "    output-max-total: 10GiB\n"
								  "    retention-completed: 7d\n"
								  "    retention-dead: 30d\n"
								  "    retention-canceled: 7d\n"
								  "    server-idle: 15m\n"
								  "    notify-on: dead\n"
								  "    notify-command: none\n"
								  "    notify-url: none\n"
								  "    notify-secret: none\n"
								  "    notify-timeout: 10s\n"
								  "    notify-retry-for: 24h\n"
								  "  server: \"\"\n"
								  "  worker:\n"
								  "    http-port: 0\n";

/* The QUEUECTL_* variables the client reads itself; any other may change an answer. */
static const char *const KNOWN_VARIABLES[] = { "QUEUECTL_DB", "QUEUECTL_DIRECT", "QUEUECTL_SERVER", "QUEUECTL_LAUNCHER",
	"QUEUECTL_DOOR", "QUEUECTL_CLIENT", NULL };

/* The longest JSON job (JobSpecParser.MAX_DOCUMENT_BYTES) and command (MAX_COMMAND_BYTES). */
static const size_t MAX_DOCUMENT_BYTES = 1024 * 1024;
static const size_t MAX_COMMAND_BYTES = 128 * 1024;

/* JobSpecParser.MAX_UNIQUE_KEY, its longest unique key in characters: DirectConstantsTest. */
static const int MAX_UNIQUE_KEY = 256;

/* Tags.MAX, the most tags a job carries: DirectConstantsTest. */
enum { MAX_TAGS = 16 };

/* JobEnv.MAX_NAMES, the most variables of a job's env: DirectConstantsTest. */
enum { MAX_ENV_NAMES = 64 };

/* The characters of an env name (JobEnv.NAME: these, not starting with a digit). */
static const char ENV_NAME_CHARS[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_";

/* ---- what may change an answer --------------------------------------------------------------- */

extern char **environ;

static int variables_allow(void) {
	for (char **e = environ; *e != NULL; e++) {
		const char *v = *e;
		if (strncmp(v, "OTEL_", 5) == 0 || strncmp(v, "JAVA_TOOL_OPTIONS=", 18) == 0
				|| strncmp(v, "JDK_JAVA_OPTIONS=", 17) == 0 || strncmp(v, "_JAVA_OPTIONS=", 14) == 0) {
			return 0;
		}
		if (strncmp(v, "QUEUECTL_", 9) == 0) {
			int known = 0;
			for (const char *const *k = KNOWN_VARIABLES; *k != NULL; k++) {
				size_t n = strlen(*k);
				known |= strncmp(v, *k, n) == 0 && v[n] == '=';
			}
			if (!known) {
				return 0;
			}
		}
	}
	return 1;
}

/*
 * The lines of a YAML file that say something, each ending in \n: comment lines, blank lines
 * and a comment after a blank dropped, trailing blanks cut; queuectl.db's line left out when
 * skip_db. NULL when unreadable; "" when there is no such file.
 */
static char *meaningful_lines(const char *path, int skip_db) {
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		return errno == ENOENT ? dup_or_die("") : NULL;
	}
	struct buf out = { 0 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int in_queuectl = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		for (ssize_t i = 0; i < len; i++) {
			if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
				len = i;
				break;
			}
		}
		while (len > 0 && (unsigned char)line[len - 1] <= ' ') {
			len--;
		}
		line[len] = 0;
		if (len == 0) {
			continue;
		}
		if (line[0] != ' ' && line[0] != '\t') {
			in_queuectl = strcmp(line, "queuectl:") == 0;
			if (skip_db && strncmp(line, "queuectl.db:", 12) == 0) {
				continue;
			}
		}
		else if (skip_db && in_queuectl && strncmp(line, "  db:", 5) == 0) {
			continue;
		}
		line[len] = '\n';
		put(&out, line, (size_t)len + 1);
		put(&out, "", 1); /* kept a C string */
		out.n--;
	}
	free(line);
	fclose(f);
	return out.b != NULL ? out.b : dup_or_die("");
}

static int configuration_allows(void) {
	char *user;
	const char *xdg = getenv("XDG_CONFIG_HOME");
	int r = xdg != NULL && !blank(xdg) && xdg[0] == '/' ? asprintf(&user, "%s/queuectl/application.yml", xdg)
			: asprintf(&user, "%s/.config/queuectl/application.yml", home_dir());
	if (r < 0) {
		return 0;
	}
	char *lines = meaningful_lines(user, 1);
	free(user);
	/* nothing, or a queuectl: holding db alone */
	int ok = lines != NULL && (lines[0] == 0 || strcmp(lines, "queuectl:\n") == 0);
	free(lines);
	char *project = project_dir();
	char *install = NULL;
	if (!ok || project == NULL || asprintf(&install, "%s/application.yml", project) < 0) {
		free(project);
		return 0;
	}
	lines = meaningful_lines(install, 1);
	/* no file: the jar's copy, this build's */
	ok = lines != NULL && (lines[0] == 0 || strcmp(lines, INSTALL_YML) == 0);
	free(lines);
	free(install);
	free(project);
	return ok;
}

/* ---- the command line and its JSON job ------------------------------------------------------- */

struct job {
	char *id, *command, *queue, *unique_key;
	long long priority, max_retries, delay_ms, timeout_ms;
	int has_priority, has_max_retries, has_delay, has_timeout, has_tags;
	char *tags[MAX_TAGS]; /* distinct, in their order: the job's own, then --tag's */
	int n_tags;
	char *env_names[MAX_ENV_NAMES], *env_values[MAX_ENV_NAMES]; /* field env, as given */
	int n_env, has_env;
};

static const char *skip_ws(const char *p) {
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
		p++;
	}
	return p;
}

/* A JSON string at p (its opening quote) into *out; the text after it, or NULL to decline. */
static const char *json_string(const char *p, char **out) {
	if (*p != '"') {
		return NULL;
	}
	p++;
	size_t cap = strlen(p) + 1;
	char *s = malloc(cap), *o = s;
	if (s == NULL) {
		return NULL;
	}
	for (;; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == 0 || c < 0x20) {
			free(s);
			return NULL;
		}
		if (c == '"') {
			break;
		}
		if (c == '\\') {
			p++;
			const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
			const char *at = *p ? strchr(from, *p) : NULL;
			if (at == NULL) { /* \u, or not JSON: the JVM's */
				free(s);
				return NULL;
			}
			*o++ = to[at - from];
			continue;
		}
		*o++ = (char)c;
	}
	*o = 0;
	*out = s;
	return p + 1;
}

/* A plain JSON integer (no fraction, exponent, leading zero or -0) in [min, max]; NULL to decline. */
static const char *json_int(const char *p, long long min, long long max, long long *out) {
	const char *start = p;
	int negative = *p == '-';
	if (negative) {
		p++;
	}
	if (*p < '0' || *p > '9' || (*p == '0' && (negative || (p[1] >= '0' && p[1] <= '9')))) {
		return NULL;
	}
	long long v = 0;
	int digits = 0;
	while (*p >= '0' && *p <= '9') {
		if (++digits > 10) {
			return NULL;
		}
		v = v * 10 + (*p++ - '0');
	}
	if (*p == '.' || *p == 'e' || *p == 'E') {
		return NULL;
	}
	v = negative ? -v : v;
	if (v < min || v > max || p == start) {
		return NULL;
	}
	*out = v;
	return p;
}

static int id_char(unsigned char c) {
	return isalnum(c) || c == '_' || c == ':' || c == '.' || c == '-';
}

/* JobSpecParser.ID: [A-Za-z0-9_:][A-Za-z0-9._:-]{0,127} */
static int valid_id(const char *s) {
	size_t n = strlen(s);
	if (n < 1 || n > 128 || s[0] == '.' || s[0] == '-') {
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (!id_char((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80) {
			return 0;
		}
	}
	return 1;
}

/* JobSpecParser.QUEUE: [A-Za-z0-9._:-]{1,64} */
static int valid_queue(const char *s) {
	size_t n = strlen(s);
	if (n < 1 || n > 64) {
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (!id_char((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80) {
			return 0;
		}
	}
	return 1;
}

/*
 * A unique key JobSpecParser takes: 1 to MAX_UNIQUE_KEY characters; here printable ASCII only, so that
 * its bytes are its characters.
 */
static int plain_text(const char *text, int lines);

static int valid_unique_key(const char *s) {
	size_t n = strlen(s);
	return n >= 1 && n <= (size_t)MAX_UNIQUE_KEY && plain_text(s, 0);
}

/* strsep on a separator of several characters: the text up to it (NULL at the end); *next after it. */
static char *strsep_text(char **next, const char *separator) {
	char *start = *next;
	if (start == NULL) {
		return NULL;
	}
	char *at = strstr(start, separator);
	if (at == NULL) {
		*next = NULL;
	}
	else {
		*at = 0;
		*next = at + strlen(separator);
	}
	return start;
}

/*
 * Adds a tag (Tags.TAG: the queue names' alphabet, 1-64 characters) to the job's unless it is
 * there already (Tags keeps the first of duplicates); 0 to decline: not a tag, or more than
 * MAX_TAGS distinct ones (the JVM's words).
 */
static int add_tag(struct job *job, const char *tag) {
	if (!valid_queue(tag)) {
		return 0;
	}
	for (int i = 0; i < job->n_tags; i++) {
		if (strcmp(job->tags[i], tag) == 0) {
			return 1;
		}
	}
	if (job->n_tags == MAX_TAGS) {
		return 0;
	}
	job->tags[job->n_tags++] = dup_or_die(tag);
	return 1;
}

/*
 * After an item of a JSON array or object: the next item (*closed 0), or the text after the
 * closing bracket (*closed 1); NULL to decline.
 */
static const char *json_next(const char *p, char close, int *closed) {
	p = skip_ws(p);
	*closed = *p == close;
	if (*closed) {
		return p + 1;
	}
	return *p == ',' ? skip_ws(p + 1) : NULL;
}

/*
 * Field tags (Tags.parse): a JSON array of at most MAX_TAGS strings, each a tag, duplicates
 * dropped; the text after it, or NULL to decline.
 */
static const char *json_tags(const char *p, struct job *job) {
	if (*p++ != '[') {
		return NULL;
	}
	p = skip_ws(p);
	if (*p == ']') {
		return p + 1;
	}
	for (int items = 1;; items++) {
		char *tag = NULL;
		p = json_string(p, &tag);
		if (p == NULL) {
			return NULL;
		}
		int ok = items <= MAX_TAGS && add_tag(job, tag); /* Tags counts the items before it drops duplicates */
		free(tag);
		if (!ok) {
			return NULL;
		}
		int closed = 0;
		if ((p = json_next(p, ']', &closed)) == NULL || closed) {
			return p;
		}
	}
}

/*
 * Adds the tags of one enqueue --tag value (Tags.words then Tags.withDefaults: each comma-separated
 * word a tag, the option's and the job's together at most MAX_TAGS); 0 to decline.
 */
static int option_tags(struct job *job, const char *value) {
	char *copy = dup_or_die(value), *next = copy;
	int ok = 1;
	for (char *word; ok && (word = strsep(&next, ",")) != NULL;) {
		ok = add_tag(job, word);
	}
	free(copy);
	return ok;
}

static void append(struct buf *to, const char *a, const char *b, const char *c);

/*
 * Field env (JobEnv.fromJson and check): an object of at most MAX_ENV_NAMES names of JobEnv.NAME,
 * none QUEUECTL_*, each a string value; here of printable ASCII only, no name twice and at most
 * 64 KiB in all; the text after it, or NULL to decline.
 */
static const char *json_env(const char *p, struct job *job) {
	if (*p++ != '{') {
		return NULL;
	}
	p = skip_ws(p);
	if (*p == '}') {
		return p + 1;
	}
	size_t bytes = 0;
	for (;;) {
		char *name = NULL, *value = NULL;
		p = json_string(p, &name);
		p = p != NULL && *(p = skip_ws(p)) == ':' ? json_string(skip_ws(p + 1), &value) : NULL;
		int ok = p != NULL && job->n_env < MAX_ENV_NAMES && (isalpha((unsigned char)name[0]) || name[0] == '_')
				&& strspn(name, ENV_NAME_CHARS) == strlen(name)
				&& strncmp(name, "QUEUECTL_", 9) != 0 && plain_text(value, 0);
		for (int i = 0; ok && i < job->n_env; i++) {
			ok = strcmp(job->env_names[i], name) != 0; /* a name twice: the JVM's reading of it */
		}
		bytes += ok ? strlen(name) + 1 + strlen(value) : 0;
		if (!ok || bytes > 64 * 1024) {
			free(name);
			free(value);
			return NULL;
		}
		job->env_names[job->n_env] = name;
		job->env_values[job->n_env++] = value;
		int closed = 0;
		if ((p = json_next(p, '}', &closed)) == NULL || closed) {
			return p;
		}
	}
}

static int json_quoted(struct buf *out, const char *s);

/* JobEnv.toStored: the env as Jackson writes a sorted map, {"A":"1","B":"x"} ("" for none: NULL in the row). */
static char *encoded_env(const struct job *job) {
	struct buf out = { 0 };
	int done[MAX_ENV_NAMES] = { 0 };
	for (int k = 0; k < job->n_env; k++) {
		int next = -1; /* the smallest name not written yet (String's order: bytes' for ASCII) */
		for (int i = 0; i < job->n_env; i++) {
			if (!done[i] && (next < 0 || strcmp(job->env_names[i], job->env_names[next]) < 0)) {
				next = i;
			}
		}
		done[next] = 1;
		append(&out, k == 0 ? "{\"" : ",\"", job->env_names[next], "\":");
		if (!json_quoted(&out, job->env_values[next])) {
			not_served();
		}
	}
	append(&out, job->n_env > 0 ? "}" : "", "", "");
	return out.b;
}

/* The tags as Tags.encode stores them on the job's row, a JSON array ("" for none: NULL in the row). */
static char *encoded_tags(const struct job *job) {
	struct buf out = { 0 };
	for (int i = 0; i < job->n_tags; i++) {
		append(&out, i == 0 ? "[\"" : "\",\"", job->tags[i], "");
	}
	append(&out, job->n_tags > 0 ? "\"]" : "", "", "");
	return out.b;
}

/*
 * Durations.parseOrNull of a text that is its pattern exactly, [0-9]{1,9} then ms, s, m, h, d or
 * nothing (seconds), in ms; -1 to decline (no spaces: the JVM trims them, this does not try).
 */
static long long duration_ms(const char *s) {
	long long n = 0;
	int digits = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (++digits > 9) {
			return -1;
		}
		n = n * 10 + (*s - '0');
	}
	long long unit = strcmp(s, "ms") == 0 ? 1 : strcmp(s, "s") == 0 || *s == 0 ? 1000 : strcmp(s, "m") == 0 ? 60000
			: strcmp(s, "h") == 0 ? 3600000 : strcmp(s, "d") == 0 ? 86400000 : -1;
	return digits == 0 || unit < 0 ? -1 : n * unit;
}

/* A delay or timeout at p (JobSpecParser.durationText): a string, or an integer of seconds; NULL to decline. */
static const char *json_duration(const char *p, long long *ms) {
	if (*p == '"') {
		char *text = NULL;
		p = json_string(p, &text);
		*ms = p != NULL ? duration_ms(text) : -1;
		free(text);
		return *ms < 0 ? NULL : p;
	}
	long long seconds = 0;
	p = json_int(p, 0, 999999999, &seconds); /* "Ns" as Durations' 9 digits take it */
	*ms = seconds * 1000; /* unread when p is NULL: the job is declined */
	return p;
}

/* The job of one JSON argument, certain to be valid as JobSpecParser sees it; 0 to decline. */
static int parse_job(const char *json, struct job *job) {
	memset(job, 0, sizeof *job);
	if (strlen(json) > MAX_DOCUMENT_BYTES) {
		return 0;
	}
	const char *p = skip_ws(json);
	if (*p++ != '{') {
		return 0;
	}
	p = skip_ws(p);
	if (*p == '}') {
		return 0; /* no command: the JVM's words */
	}
	for (;;) {
		char *key = NULL;
		p = json_string(p, &key);
		if (p == NULL) {
			return 0;
		}
		p = skip_ws(p);
		if (*p++ != ':') {
			free(key);
			return 0;
		}
		p = skip_ws(p);
		char **text = strcmp(key, "id") == 0 ? &job->id : strcmp(key, "command") == 0 ? &job->command
				: strcmp(key, "queue") == 0 ? &job->queue : strcmp(key, "unique_key") == 0 ? &job->unique_key : NULL;
		if (text != NULL) {
			if (*text != NULL) {
				p = NULL; /* a duplicate field */
			}
			else {
				p = json_string(p, text);
			}
		}
		else if (strcmp(key, "priority") == 0 && !job->has_priority) {
			p = json_int(p, INT32_MIN, INT32_MAX, &job->priority);
			job->has_priority = 1;
		}
		else if (strcmp(key, "max_retries") == 0 && !job->has_max_retries) {
			p = json_int(p, 0, 100, &job->max_retries);
			job->has_max_retries = 1;
		}
		else if (strcmp(key, "delay") == 0 && !job->has_delay) {
			p = json_duration(p, &job->delay_ms);
			job->has_delay = 1;
		}
		else if (strcmp(key, "timeout") == 0 && !job->has_timeout) {
			p = json_duration(p, &job->timeout_ms);
			job->has_timeout = 1;
		}
		else if (strcmp(key, "tags") == 0 && !job->has_tags) {
			p = json_tags(p, job);
			job->has_tags = 1;
		}
		else if (strcmp(key, "env") == 0 && !job->has_env) {
			p = json_env(p, job);
			job->has_env = 1;
		}
		else {
			p = NULL; /* another field, or a duplicate */
		}
		free(key);
		if (p == NULL) {
			return 0;
		}
		p = skip_ws(p);
		if (*p == '}') {
			break;
		}
		if (*p++ != ',') {
			return 0;
		}
		p = skip_ws(p);
	}
	if (*skip_ws(p + 1) != 0) {
		return 0;
	}
	if (job->command == NULL || strlen(job->command) > MAX_COMMAND_BYTES || (job->has_timeout && job->timeout_ms == 0)) {
		return 0; /* a timeout of 0: the JVM's words */
	}
	int visible = 0; /* an ASCII character that shows: never JobSpecParser.invisible */
	for (const char *c = job->command; *c; c++) {
		visible |= *c > ' ' && *c < 0x7f;
	}
	return visible && (job->id == NULL || valid_id(job->id)) && (job->queue == NULL || valid_queue(job->queue))
			&& (job->unique_key == NULL || valid_unique_key(job->unique_key));
}

/* The wall clock in ms (Clock.instant's, stored in created_at and run_at). */
static long long wall_ms(void) {
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* JobSpecParser.newId: the time in ms in base 36, a dash, 12 hex digits from a random start. */
static void new_id(char *out, long long ms) {
	char digits[16];
	int n = 0;
	do {
		digits[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[ms % 36];
		ms /= 36;
	} while (ms > 0);
	for (int i = 0; i < n; i++) {
		out[i] = digits[n - 1 - i];
	}
	uint64_t r = 0;
	if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r) {
		r = (uint64_t)wall_ms() ^ ((uint64_t)getpid() << 20);
	}
	sprintf(out + n, "-%012llx", (unsigned long long)(r & 0xFFFFFFFFFFFFULL));
}

/* ---- the database ---------------------------------------------------------------------------- */

/* One row's first column of a query with no parameters; *found says whether there was one; 0 on failure. */
static int query_text(const char *sql, char **out, int *found) {
	struct rows *r = db_query(sql, "");
	int one = 1;
	*found = r != NULL && db_next(r);
	if (*found) {
		const char *t = db_text(r, 0);
		*out = t != NULL ? dup_or_die(t) : NULL;
		one = !db_next(r); /* a second row: not the answer asked for */
	}
	return db_done(r) && one;
}

/* Whether every applied migration is a plain number and the newest is SCHEMA_VERSION. */
static int schema_current(void) {
	struct rows *r = db_query("SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL", "");
	long long newest = -1;
	while (r != NULL && db_next(r)) {
		const char *v = db_text(r, 0);
		long long n;
		const char *end = v != NULL ? json_int(v, 0, 1000000, &n) : NULL;
		if (end == NULL || *end != 0) {
			newest = -2;
			break;
		}
		newest = n > newest ? n : newest;
	}
	return db_done(r) && newest == SCHEMA_VERSION;
}

/*
 * The defaults Settings.snapshot gives a job: max-retries set (canonical) or this build's; 0 to
 * decline (a retry rule set, a value this file would have to normalize).
 */
static int job_defaults(long long *max_retries) {
	char *v = NULL;
	int found;
	*max_retries = DEFAULT_MAX_RETRIES;
	if (!query_text("SELECT value FROM settings WHERE key = 'max-retries'", &v, &found)) {
		return 0;
	}
	if (found) {
		long long n;
		const char *end = v != NULL ? json_int(v, 0, 100, &n) : NULL;
		int canonical = end != NULL && *end == 0;
		free(v);
		if (!canonical) {
			return 0;
		}
		*max_retries = n;
	}
	const char *rules[] = { "SELECT value FROM settings WHERE key = 'retry-on'",
		"SELECT value FROM settings WHERE key = 'no-retry-on'" };
	for (int i = 0; i < 2; i++) {
		v = NULL;
		if (!query_text(rules[i], &v, &found)) {
			return 0;
		}
		int none = !found || (v != NULL && strcmp(v, "none") == 0);
		free(v);
		if (!none) {
			return 0;
		}
	}
	return 1;
}

/*
 * The statements that differ between the two databases (store/Dialect says why): SQLite's, then
 * PostgreSQL's. Everything else is written once, for both.
 */
static const struct dialect {
	/* the write of an enqueue: SQLite's lock taken at once (a busy file is declined, not waited out) */
	const char *begin_write;
	/* JobStore.insertAll's row for one plain job (?6: the host's now; run_at ?9 ms after it, on PostgreSQL
	 * after the server's clock (Dialect.dueAt); ?8 its unique key, '' for none; ?10 its timeout in ms, 0
	 * for none; ?11 its tags as Tags.encode writes them, ?12 its env as JobEnv.toStored does, '' for none);
	 * no row back when its id or its key is taken */
	const char *insert_job;
	/* Dialect.wakeHosts (NULL: none) */
	const char *wake;
	/* JobStore.notDue (SQLite: the host's clock bound as its one parameter) */
	const char *not_due;
	/* NotificationStore.failedCount */
	const char *failed_notifications;
	/* JobStore.dueClock: now on the clock of run_at, the server's on PostgreSQL (NULL: this host's) */
	const char *due_clock;
	/* WorkerRegistryStore.workers: heartbeat_at on this host's clock (PostgreSQL: bind this host's now) */
	const char *workers;
} SQLITE = {
	"BEGIN IMMEDIATE",
	"INSERT INTO jobs (id, command, state, queue, priority, attempts, max_retries, run_at, timeout_ms, working_dir,"
	" created_at, updated_at, unique_key, start_by, retry_on, no_retry_on, limits, tags, rerun_of, batch, env)"
	" VALUES (?1, ?2, 'pending', ?3, ?4, 0, ?5, ?6 + ?9, NULLIF(?10, 0), ?7, ?6, ?6, NULLIF(?8, ''), NULL, NULL, NULL, NULL,"
	" NULLIF(?11, ''), NULL, NULL, NULLIF(?12, ''))"
	" ON CONFLICT DO NOTHING RETURNING id",
	NULL,
	"WITH RECURSIVE p (v) AS ("
	" SELECT (SELECT MAX(priority) FROM jobs INDEXED BY jobs_runnable WHERE state IN ('pending', 'failed') AND attempts >= 0)"
	" UNION ALL"
	" SELECT (SELECT MAX(priority) FROM jobs INDEXED BY jobs_runnable WHERE state IN ('pending', 'failed') AND attempts >= 0"
	"  AND priority < p.v) FROM p WHERE v IS NOT NULL)"
	" SELECT j.state, COUNT(*) FROM p, jobs j INDEXED BY jobs_runnable"
	" WHERE p.v IS NOT NULL AND j.state IN ('pending', 'failed') AND j.attempts >= 0 AND j.priority = p.v"
	" AND j.run_at > ? GROUP BY j.state",
	"SELECT COUNT(*) FROM notifications INDEXED BY notifications_failed WHERE failed_at IS NOT NULL AND delivered_at IS NULL",
	NULL,
	"SELECT id, hostname, pid, slots, queues, http_port, started_at, heartbeat_at, stop_requested, resources"
	" FROM workers ORDER BY started_at",
}, POSTGRESQL = {
	"BEGIN",
	"INSERT INTO jobs (id, command, state, queue, priority, attempts, max_retries, run_at, timeout_ms, working_dir,"
	" created_at, updated_at, unique_key, start_by, retry_on, no_retry_on, limits, tags, rerun_of, batch, env)"
	" VALUES (?1, ?2, 'pending', ?3, ?4, 0, ?5, CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) + CAST(?9 AS BIGINT),"
	" NULLIF(CAST(?10 AS BIGINT), 0), ?7,"
	" ?6, ?6, NULLIF(?8, ''), NULL, NULL, NULL, NULL, NULLIF(?11, ''), NULL, NULL, NULLIF(?12, ''))"
	" ON CONFLICT DO NOTHING RETURNING id",
	"NOTIFY queuectl_jobs, 'jobs'",
	"WITH RECURSIVE p (v) AS ("
	" SELECT (SELECT MAX(priority) FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0)"
	" UNION ALL"
	" SELECT (SELECT MAX(priority) FROM jobs WHERE state IN ('pending', 'failed') AND attempts >= 0"
	"  AND priority < p.v) FROM p WHERE v IS NOT NULL)"
	" SELECT j.state, COUNT(*) FROM p, jobs j"
	" WHERE p.v IS NOT NULL AND j.state IN ('pending', 'failed') AND j.attempts >= 0 AND j.priority = p.v"
	" AND j.run_at > CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) GROUP BY j.state",
	"SELECT COUNT(*) FROM notifications WHERE failed_at IS NOT NULL AND delivered_at IS NULL",
	"SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
	"SELECT id, hostname, pid, slots, queues, http_port, started_at,"
	" (heartbeat_at + CAST(? AS BIGINT) - CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)),"
	" stop_requested, resources FROM workers ORDER BY started_at",
};

static const struct dialect *sql;

/* JobService.dueNow: what "due" and "in 5m" are measured from (-1 when the server does not say). */
static long long due_now(void) {
	if (sql->due_clock == NULL) {
		return wall_ms();
	}
	struct rows *r = db_query(sql->due_clock, "");
	long long now = r != NULL && db_next(r) ? db_long(r, 0) : -1;
	return db_done(r) ? now : -1;
}

/*
 * Opens the database: the SQLite file when this process may write it and its folder (the JVM
 * opens it read-only otherwise) and it is not new (the JVM's: it migrates); the PostgreSQL server
 * when client-db.c may connect as the JVM would. 0 to decline.
 */
static int open_database(void) {
	if (sqlite_file == NULL) {
		sql = &POSTGRESQL;
		return db_open_postgres(&postgres);
	}
	struct stat st;
	char *dir = dup_or_die(sqlite_file);
	char *slash = strrchr(dir, '/');
	if (slash != NULL) {
		*(slash == dir ? slash + 1 : slash) = 0;
	}
	int writable = stat(sqlite_file, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0
			&& access(sqlite_file, R_OK | W_OK) == 0 && access(dir, W_OK | X_OK) == 0;
	free(dir);
	sql = &SQLITE;
	return writable && db_open_sqlite(sqlite_file);
}

/* ---- the commands ---------------------------------------------------------------------------- */

/* enqueue of one job (JobCommands.enqueue, JobService.enqueue, JobStore.insertAll); NOT_SERVED to decline. */
static int enqueue(char **words, int n) {
	const char *json = NULL;
	int as_json = 0;
	const char **added = calloc((size_t)n, sizeof *added); /* --tag's values, in their order */
	int n_added = 0;
	if (added == NULL) {
		return NOT_SERVED;
	}
	for (int i = 1; i < n; i++) {
		const char *tag = strcmp(words[i], "--tag") == 0 && i + 1 < n ? words[++i]
				: strncmp(words[i], "--tag=", 6) == 0 ? words[i] + 6 : NULL;
		if (tag != NULL) {
			added[n_added++] = tag;
		}
		else if (strcmp(words[i], "--json") == 0 && !as_json) {
			as_json = 1;
		}
		else if (words[i][0] == '{' && json == NULL) {
			json = words[i];
		}
		else {
			return NOT_SERVED;
		}
	}
	struct job job;
	char cwd[4096];
	long long max_retries;
	int ok = json != NULL && parse_job(json, &job);
	for (int i = 0; ok && i < n_added; i++) {
		ok = option_tags(&job, added[i]);
	}
	free(added);
	if (!ok || getcwd(cwd, sizeof cwd) == NULL || !schema_current() || !job_defaults(&max_retries)) {
		return NOT_SERVED;
	}
	char *tags = encoded_tags(&job), *env = encoded_env(&job);
	long long now = wall_ms();
	char id[40];
	if (job.id == NULL) {
		new_id(id, now);
		job.id = id;
	}
	if (!db_exec(sql->begin_write)) {
		return NOT_SERVED;
	}
	struct rows *r = db_query(sql->insert_job, "tttiiittiitt", job.id, job.command, job.queue != NULL ? job.queue : "default",
			job.has_priority ? job.priority : 0, job.has_max_retries ? job.max_retries : max_retries, now, cwd,
			job.unique_key != NULL ? job.unique_key : "", job.delay_ms, job.timeout_ms, tags, env);
	/* one row back: stored; none: the id is taken (the JVM says so) or a live job holds the key (the JVM names it) */
	int stored = r != NULL && db_next(r) && !db_next(r);
	stored = db_done(r) && stored;
	for (int i = 0; stored && i < job.n_tags; i++) { /* JobStore.insertAll's rows of the tag index */
		struct rows *t = db_query("INSERT INTO job_tags (tag, job_id) VALUES (?, ?)", "tt", job.tags[i], job.id);
		if (t != NULL) {
			db_next(t);
		}
		stored = db_done(t);
	}
	stored = stored && (sql->wake == NULL || db_exec(sql->wake));
	if (!stored || !db_exec("COMMIT")) {
		db_exec("ROLLBACK");
		return NOT_SERVED;
	}
	if (as_json) {
		printf("{\n  \"id\" : \"%s\",\n  \"duplicate\" : false\n}\n", job.id);
	}
	else {
		printf("%s\n", job.id);
	}
	return 0;
}

/* Appends a, b and c to the buffer, kept a C string. */
static void append(struct buf *to, const char *a, const char *b, const char *c) {
	put(to, a, strlen(a));
	put(to, b, strlen(b));
	put(to, c, strlen(c));
	put(to, "", 1); /* the terminating NUL, not counted */
	to->n--;
}

/* DatabaseLocation.outputDir: the folder "output" beside the SQLite file. */
static char *output_dir(void) {
	char *dir = dup_or_die(sqlite_file), *path = NULL;
	char *slash = strrchr(dir, '/');
	if (slash != NULL) {
		*slash = 0;
	}
	if (asprintf(&path, "%s/output", dir) < 0) {
		path = NULL;
	}
	free(dir);
	return path;
}

/* Whether text is printable ASCII (and, with lines, newlines and tabs too): what prints alike from C and the JVM. */
static int plain_text(const char *text, int lines) {
	for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
		if ((*c < ' ' || *c >= 0x7f) && !(lines && (*c == '\n' || *c == '\t'))) {
			return 0;
		}
	}
	return 1;
}

/* A stored time (ms) as format prints it, years 1000-9999 only; 0 to decline. */
static int time_text(char *out, size_t cap, long long ms, const char *format) {
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (ms < 0 || gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < 1000 || tm.tm_year + 1900 > 9999) {
		return 0;
	}
	return strftime(out, cap, format, &tm) > 0;
}

/* Render.iso: Instant.toString of the time in ms, the fraction left out when it is zero ("...:05Z", "...:05.120Z"). */
static int iso_text(char *out, size_t cap, long long ms) {
	if (!time_text(out, cap, ms, "%Y-%m-%dT%H:%M:%S")) {
		return 0;
	}
	size_t n = strlen(out);
	snprintf(out + n, cap - n, ms % 1000 == 0 ? "Z" : ".%03lldZ", ms % 1000);
	return 1;
}

/* ---- JSON as Render.json writes it (Jackson's pretty printer) ------------------------------------ */

/*
 * Appends s quoted as Jackson writes a string: " and \ escaped, \b \t \n \f \r too, anything else
 * as it is (UTF-8 kept); 0 to decline: not UTF-8, or another control character (Jackson's \u00XX).
 */
static int json_quoted(struct buf *out, const char *s) {
	if (!utf8(s)) {
		return 0;
	}
	put(out, "\"", 1);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		const char *escaped = *c == '"' ? "\\\"" : *c == '\\' ? "\\\\" : *c == '\b' ? "\\b" : *c == '\t' ? "\\t"
				: *c == '\n' ? "\\n" : *c == '\f' ? "\\f" : *c == '\r' ? "\\r" : NULL;
		if (escaped != NULL) {
			put(out, escaped, 2);
		}
		else if (*c < ' ') {
			return 0;
		}
		else {
			put(out, c, 1);
		}
	}
	put(out, "\"", 1);
	return 1;
}

/*
 * How a JSON field is read from its column: a string, a number, a time (Render.iso), a boolean (1 or t
 * is true); or no column: always null, [ ] or { }, or the caller's text as it is (J_GIVEN).
 */
enum json_kind { J_TEXT, J_NUMBER, J_TIME, J_BOOL, J_NULL, J_EMPTY, J_EMPTY_OBJECT, J_GIVEN, J_DURATION, J_TAGS, J_ENV };

struct json_field {
	const char *name;
	enum json_kind kind;
	int column;
};

/*
 * Render.job's fields in its order, over JOB_JSON_COLUMNS (the fields always null or [ ] here:
 * JOB_JSON_PLAIN holds them so; timeout as Durations.format writes it, tags as Tags.decode reads them).
 */
static const struct json_field JOB_JSON[] = { { "id", J_TEXT, 0 }, { "command", J_TEXT, 1 }, { "state", J_TEXT, 2 },
	{ "queue", J_TEXT, 3 }, { "priority", J_NUMBER, 4 }, { "attempts", J_NUMBER, 5 }, { "max_retries", J_NUMBER, 6 },
	{ "run_at", J_TIME, 7 }, { "timeout", J_DURATION, 22 }, { "working_dir", J_TEXT, 8 }, { "created_at", J_TIME, 9 },
	{ "updated_at", J_TIME, 10 }, { "started_at", J_TIME, 11 }, { "finished_at", J_TIME, 12 },
	{ "exit_code", J_NUMBER, 13 }, { "last_error", J_TEXT, 14 }, { "worker_id", J_TEXT, 15 },
	{ "lease_expires_at", J_TIME, 16 }, { "unique_key", J_TEXT, 17 }, { "cancel_requested_at", J_TIME, 18 },
	{ "resources", J_NULL, -1 }, { "slots", J_NUMBER, 19 }, { "start_by", J_TIME, 20 }, { "retry_on", J_NULL, -1 },
	{ "no_retry_on", J_NULL, -1 }, { "limits", J_EMPTY, -1 }, { "tags", J_TAGS, 23 }, { "rerun_of", J_TEXT, 21 },
	{ "env", J_ENV, 24 }, { "progress", J_NULL, -1 }, { NULL, J_NULL, -1 } };

static const char JOB_JSON_COLUMNS[] = "id, command, state, queue, priority, attempts, max_retries, run_at, working_dir,"
									 " created_at, updated_at, started_at, finished_at, exit_code, last_error, worker_id,"
									 " lease_expires_at, unique_key, cancel_requested_at, slots, start_by, rerun_of, timeout_ms, tags, env";

/* Column 25 of a JOB_JSON_COLUMNS select: 1 when the fields that need the JVM's rules are all unset. */
static const char JOB_JSON_PLAIN[] = "resources IS NULL AND retry_on IS NULL AND no_retry_on IS NULL"
								   " AND limits IS NULL AND progress_done IS NULL"
								   " AND progress_total IS NULL AND progress_message IS NULL AND progress_at IS NULL";

enum { JOB_JSON_PLAIN_COLUMN = 25 };

/* Render.worker's fields in its order, over a dialect's workers select; running is the caller's, resources { } (none offered). */
static const struct json_field WORKER_JSON[] = { { "id", J_TEXT, 0 }, { "hostname", J_TEXT, 1 }, { "pid", J_NUMBER, 2 },
	{ "slots", J_NUMBER, 3 }, { "queues", J_TEXT, 4 }, { "http_port", J_NUMBER, 5 }, { "started_at", J_TIME, 6 },
	{ "heartbeat_at", J_TIME, 7 }, { "stop_requested", J_BOOL, 8 }, { "running", J_GIVEN, -1 },
	{ "resources", J_EMPTY_OBJECT, -1 }, { NULL, J_NULL, -1 } };

/* Durations.format of a positive number of ms: the largest unit that divides it (d, h, m, s, ms); 0 to decline. */
static int duration_text(char *out, size_t cap, long long ms) {
	static const struct {
		long long ms;
		const char *unit;
	} UNITS[] = { { 86400000, "d" }, { 3600000, "h" }, { 60000, "m" }, { 1000, "s" }, { 1, "ms" } };
	if (ms <= 0) {
		return 0;
	}
	for (int i = 0;; i++) {
		if (ms % UNITS[i].ms == 0) {
			return snprintf(out, cap, "%lld%s", ms / UNITS[i].ms, UNITS[i].unit) < (int)cap;
		}
	}
}

/*
 * Tags as stored (Tags.encode: ["a","b"]) appended as open, the tags joined by between, then close
 * (show's "a, b", JSON's [ "a", "b" ]); 0 to decline: not what Tags.encode writes.
 */
static int tags_text(struct buf *out, const char *stored, const char *open, const char *between, const char *close) {
	size_t n = strlen(stored);
	if (n < 5 || strncmp(stored, "[\"", 2) != 0 || strcmp(stored + n - 2, "\"]") != 0) {
		return 0;
	}
	char *copy = dup_or_die(stored + 2), *next = copy;
	copy[n - 4] = 0;
	int ok = 1, first = 1;
	for (char *tag; ok && (tag = strsep_text(&next, "\",\"")) != NULL; first = 0) {
		ok = valid_queue(tag);
		append(out, first ? open : between, tag, "");
	}
	append(out, close, "", "");
	free(copy);
	return ok;
}

/*
 * A stored env (JobEnv.toStored: {"A":"1","B":"x"}, names sorted) appended as Render.job's map
 * is pretty-printed at indent (each value's quoted text as stored: Jackson escapes a string alike in
 * both), or with indent NULL its names joined by spaces (show); 0 to decline: not that form.
 */
static int env_text(struct buf *out, const char *stored, const char *indent) {
	const char *p = stored;
	if (*p++ != '{' || *p == '}') {
		return 0;
	}
	if (indent != NULL) {
		put(out, "{\n", 2);
	}
	for (int first = 1;; first = 0) {
		const char *name = p + 1;
		size_t n = strspn(name, ENV_NAME_CHARS);
		if (*p != '"' || n == 0 || name[n] != '"' || name[n + 1] != ':' || name[n + 2] != '"') {
			return 0;
		}
		const char *value = name + n + 2, *end = value + 1; /* the value's opening quote, then its end */
		while (*end != '"') {
			if (*end == 0 || (*end == '\\' && *++end == 0)) {
				return 0;
			}
			end++;
		}
		if (indent == NULL) {
			put(out, " ", first ? 0 : 1);
			put(out, name, n);
		}
		else {
			append(out, first ? "" : ",\n", indent, "  \"");
			put(out, name, n);
			put(out, "\" : ", 4);
			put(out, value, (size_t)(end - value) + 1);
		}
		p = end + 1;
		if (*p == '}' && p[1] == 0) {
			break;
		}
		if (*p++ != ',') {
			return 0;
		}
	}
	if (indent != NULL) {
		append(out, "\n", indent, "}");
	}
	put(out, "", 1); /* kept a C string */
	out->n--;
	return 1;
}

/*
 * The row's fields as one JSON object, its fields at indent, its brace closed at indent less 2
 * (given: a J_GIVEN field's text); 0 to decline.
 */
static int json_object(struct rows *r, const struct json_field *fields, const char *indent, const char *given, struct buf *out) {
	put(out, "{\n", 2);
	for (const struct json_field *f = fields; f->name != NULL; f++) {
		const char *value = f->column < 0 ? NULL : db_text(r, f->column);
		append(out, indent, "\"", f->name);
		put(out, "\" : ", 4);
		char cell[64];
		if (f->kind == J_EMPTY || f->kind == J_EMPTY_OBJECT || (f->kind == J_TAGS && value == NULL)) {
			put(out, f->kind == J_EMPTY_OBJECT ? "{ }" : "[ ]", 3);
		}
		else if (f->kind == J_GIVEN) {
			put(out, given, strlen(given));
		}
		else if (value == NULL) {
			put(out, "null", 4);
		}
		else if (f->kind == J_TIME) {
			if (!iso_text(cell, sizeof cell, db_long(r, f->column))) {
				return 0;
			}
			append(out, "\"", cell, "\"");
		}
		else if (f->kind == J_DURATION) {
			if (!duration_text(cell, sizeof cell, db_long(r, f->column))) {
				return 0;
			}
			append(out, "\"", cell, "\"");
		}
		else if (f->kind == J_TAGS) {
			if (!tags_text(out, value, "[ \"", "\", \"", "\" ]")) {
				return 0;
			}
		}
		else if (f->kind == J_ENV) {
			if (!env_text(out, value, indent)) {
				return 0;
			}
		}
		else if (f->kind == J_BOOL) {
			const char *b = db_long(r, f->column) != 0 ? "true" : "false";
			put(out, b, strlen(b));
		}
		else if (f->kind == J_NUMBER) {
			if (value[0] == 0 || strspn(value + (value[0] == '-'), "0123456789") != strlen(value + (value[0] == '-'))) {
				return 0;
			}
			put(out, value, strlen(value));
		}
		else if (!json_quoted(out, value)) {
			return 0;
		}
		put(out, f[1].name != NULL ? ",\n" : "\n", f[1].name != NULL ? 2 : 1);
	}
	put(out, indent, strlen(indent) - 2);
	put(out, "}", 1);
	put(out, "", 1); /* kept a C string */
	out->n--;
	return 1;
}

/* ---- status ------------------------------------------------------------------------------- */

/* JobState's order, as status lists the states. */
static const char *const STATES[] = { "pending", "waiting", "processing", "completed", "failed", "dead", "canceled", NULL };

/* FileOutputStore.MAX_FILES_MEASURED */
static const long MAX_FILES_MEASURED = 200000;

/* output-max-total of application.yml, 10GiB: DirectConstantsTest. */
static const long long DEFAULT_OUTPUT_MAX_TOTAL = 10737418240LL;

/* One number a query with no parameters gives (0 when no row or NULL); 0 on failure. */
static int query_long(const char *statement, long long *out) {
	struct rows *r = db_query(statement, "");
	*out = r != NULL && db_next(r) ? db_long(r, 0) : 0;
	return db_done(r);
}

/* ScheduleCommands.size: bytes, else one decimal of KiB, MiB, GiB or TiB, rounded half up as Java's %.1f. */
static void size_text(char *out, size_t cap, long long bytes) {
	if (bytes < 1024) {
		snprintf(out, cap, "%lld B", bytes);
		return;
	}
	const char *units[] = { "KiB", "MiB", "GiB", "TiB" };
	int u = 0;
	while (u < 3 && bytes >= (1LL << (10 * (u + 2)))) {
		u++;
	}
	unsigned long long d = 1ULL << (10 * (u + 1));
	unsigned long long n = (unsigned long long)bytes * 10;
	unsigned long long q = n / d, r = n % d;
	if (2 * r >= d) {
		q++;
	}
	snprintf(out, cap, "%llu.%llu %s", q / 10, q % 10, units[u]);
}

static long long file_size(const char *path) {
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

static long long output_bytes;
static long output_files;

static int count_output(const char *path, const struct stat *st, int type, struct FTW *ftw) {
	(void)path;
	(void)ftw;
	if (type == FTW_F || type == FTW_SL || type == FTW_SLN) {
		output_bytes += st->st_size;
		output_files++;
	}
	return 0;
}

/* The names a query with no parameters gives, each appended to *list as ", NAME" (or JSON's "NAME"); 0 on failure. */
static int query_names(const char *statement, struct buf *text, struct buf *json, int *count) {
	struct rows *r = db_query(statement, "");
	*count = 0;
	while (r != NULL && db_next(r)) {
		const char *name = db_text(r, 0);
		if (name == NULL || !valid_queue(name)) { /* a name JSON would escape: the JVM's */
			db_done(r);
			return 0;
		}
		append(text, *count ? ", " : "", name, "");
		append(json, *count ? ", \"" : "\"", name, "\"");
		(*count)++;
	}
	return db_done(r);
}

/* lease-timeout of application.yml, 30s (INSTALL_YML holds it; config set's value declines): how old a live host's heartbeat may be. */
static const long long LEASE_TIMEOUT_MS = 30000;

/* A JSON list of strings: [ ] or [ "a", "b" ]. */
static void json_names(struct buf *out, char **names, int n) {
	put(out, "[ ", 2);
	for (int i = 0; i < n; i++) {
		append(out, i > 0 ? ", \"" : "\"", names[i], "\"");
	}
	put(out, n > 0 ? " ]" : "]", 2 - (n == 0));
	put(out, "", 1);
	out->n--;
}

/*
 * The live worker hosts (WorkerService.workers: a heartbeat within lease-timeout of this host's
 * now) with the jobs each runs: the table JobCommands.hostTable prints into text, Render.worker's
 * objects into json (the list's items, 4 spaces in), their number into live. 0 to decline: a host
 * with resources, a name that is not printable ASCII.
 */
static int live_hosts(struct buf *text, struct buf *json, int *live) {
	static const char *const HEADERS[] = { "WORKER", "PID", "BUSY", "QUEUES", "HTTP", "STATE", "RESOURCES", "RUNNING" };
	enum { COLUMNS = 8 };
	long long now = wall_ms();
	struct rows *running = db_query("SELECT worker_id, id FROM jobs WHERE state = 'processing' AND worker_id IS NOT NULL"
									" ORDER BY id", "");
	char **run_host = NULL, **run_id = NULL;
	int n_running = 0, ok = running != NULL;
	while (ok && db_next(running)) {
		run_host = realloc(run_host, sizeof(char *) * (size_t)(n_running + 1));
		run_id = realloc(run_id, sizeof(char *) * (size_t)(n_running + 1));
		if (run_host == NULL || run_id == NULL) {
			not_served();
		}
		const char *h = db_text(running, 0), *id = db_text(running, 1);
		ok = h != NULL && id != NULL && valid_id(id);
		run_host[n_running] = dup_or_die(h != NULL ? h : "");
		run_id[n_running++] = dup_or_die(id != NULL ? id : "");
	}
	ok = db_done(running) && ok;
	struct rows *r = !ok ? NULL : db_postgres ? db_query(sql->workers, "i", now) : db_query(sql->workers, "");
	char (*cells)[COLUMNS][256] = NULL;
	size_t widths[COLUMNS];
	for (int c = 0; c < COLUMNS; c++) {
		widths[c] = strlen(HEADERS[c]);
	}
	*live = 0;
	ok = r != NULL;
	while (ok && db_next(r)) {
		long long heartbeat = db_long(r, 7);
		if (heartbeat <= now - LEASE_TIMEOUT_MS) {
			continue; /* gone: its heartbeat stopped */
		}
		const char *id = db_text(r, 0), *hostname = db_text(r, 1), *queues = db_text(r, 4), *port = db_text(r, 5);
		/* printable ASCII: the table's widths are its lengths */
		ok = id != NULL && hostname != NULL && plain_text(id, 0) && plain_text(hostname, 0) && strlen(id) < 200
				&& strlen(hostname) < 200 && (queues == NULL || (plain_text(queues, 0) && strlen(queues) < 200))
				&& db_text(r, 9) == NULL;
		if (!ok) {
			break;
		}
		char **mine = calloc((size_t)n_running + 1, sizeof(char *));
		if (mine == NULL) {
			not_served();
		}
		int n_mine = 0;
		struct buf ids = { 0 };
		for (int i = 0; i < n_running; i++) {
			if (strcmp(run_host[i], id) == 0) {
				append(&ids, n_mine > 0 ? "," : "", run_id[i], "");
				mine[n_mine++] = run_id[i];
			}
		}
		cells = realloc(cells, sizeof *cells * (size_t)(*live + 1));
		if (cells == NULL) {
			not_served();
		}
		char(*row)[256] = cells[*live];
		int stopping = db_long(r, 8) != 0;
		snprintf(row[0], sizeof row[0], "%s", id);
		snprintf(row[1], sizeof row[1], "%lld", db_long(r, 2));
		snprintf(row[2], sizeof row[2], "%d/%lld", n_mine, db_long(r, 3));
		snprintf(row[3], sizeof row[3], "%s", queues == NULL ? "all" : queues);
		snprintf(row[4], sizeof row[4], "%s", port == NULL ? "-" : port);
		snprintf(row[5], sizeof row[5], "%s", stopping ? "stopping" : "running");
		strcpy(row[6], "-");
		ok = ids.b == NULL || strlen(ids.b) < sizeof row[7];
		snprintf(row[7], sizeof row[7], "%s", ids.b == NULL ? "-" : ids.b);
		for (int c = 0; c < COLUMNS; c++) {
			widths[c] = strlen(row[c]) > widths[c] ? strlen(row[c]) : widths[c];
		}
		struct buf running_json = { 0 };
		json_names(&running_json, mine, n_mine);
		put(json, ", ", *live > 0 ? 2 : 0);
		ok = ok && json_object(r, WORKER_JSON, "    ", running_json.b, json);
		free(running_json.b);
		free(mine);
		free(ids.b);
		(*live)++;
	}
	ok = db_done(r) && ok;
	for (long row = -1; ok && row < *live; row++) {
		for (int c = 0; c < COLUMNS; c++) {
			const char *cell = row < 0 ? HEADERS[c] : cells[row][c];
			char padded[300];
			if (c < COLUMNS - 1) {
				snprintf(padded, sizeof padded, "%-*s", (int)widths[c] + 2, cell);
			}
			else {
				snprintf(padded, sizeof padded, "%s\n", cell);
			}
			append(text, padded, "", "");
		}
	}
	for (int i = 0; i < n_running; i++) {
		free(run_host[i]);
		free(run_id[i]);
	}
	free(run_host);
	free(run_id);
	free(cells);
	return ok;
}

/* status and status --json (JobCommands.status) with no worker host and no job that asks resources; NOT_SERVED to decline. */
static int status(char **words, int n) {
	int as_json = n == 2 && strcmp(words[1], "--json") == 0;
	if (n > 2 || (n == 2 && !as_json) || !schema_current()) {
		return NOT_SERVED;
	}
	long long lease_set, weighted, limit_set, counts[7] = { 0 }, later[2] = { 0 }, notify_failed, counted, free_pages = 0, page = 0;
	if (!query_long("SELECT COUNT(*) FROM settings WHERE key = 'lease-timeout'", &lease_set) || lease_set != 0
			|| !query_long("SELECT COUNT(*) FROM (SELECT 1 FROM jobs WHERE (resources IS NOT NULL OR slots > 1)"
						   " AND state IN ('pending', 'failed', 'waiting') LIMIT 1) AS w", &weighted) || weighted != 0
			|| !query_long("SELECT COUNT(*) FROM settings WHERE key = 'output-max-total'", &limit_set) || limit_set != 0) {
		return NOT_SERVED;
	}
	/* the whole read in one transaction: counts, sizes and lists of the same moment */
	if (!db_exec("BEGIN")) {
		return NOT_SERVED;
	}
	/* the counts by state; a state this build does not know is the JVM's to word */
	struct rows *r = db_query("SELECT state, COALESCE(SUM(n), 0) FROM job_counts GROUP BY state", "");
	int ok = r != NULL;
	while (ok && db_next(r)) {
		const char *state = db_text(r, 0);
		int s = 0;
		while (STATES[s] != NULL && (state == NULL || strcmp(STATES[s], state) != 0)) {
			s++;
		}
		ok = STATES[s] != NULL;
		counts[ok ? s : 0] = db_long(r, 1);
	}
	ok = db_done(r) && ok;
	r = ok ? db_postgres ? db_query(sql->not_due, "") : db_query(sql->not_due, "i", wall_ms()) : NULL;
	while (r != NULL && db_next(r)) {
		const char *state = db_text(r, 0);
		later[state != NULL && strcmp(state, "pending") == 0 ? 0 : 1] = db_long(r, 1);
	}
	ok = db_done(r);
	struct buf paused_text = { 0 }, paused_json = { 0 }, hosts_text = { 0 }, hosts_json = { 0 };
	int paused = 0, live = 0;
	ok = ok && query_names("SELECT name FROM queues WHERE paused = 1 ORDER BY name", &paused_text, &paused_json, &paused)
			&& query_long(sql->failed_notifications, &notify_failed)
			&& query_long("SELECT bytes FROM output_usage WHERE id = 1", &counted)
			&& live_hosts(&hosts_text, &hosts_json, &live);
	/* RetentionService.sizes: PostgreSQL's as the server counts them; SQLite's files as they are while this connection reads */
	long long database = 0, wal_bytes = 0, free_bytes = 0;
	output_bytes = 0;
	output_files = 0;
	if (db_postgres) {
		ok = ok && query_long("SELECT pg_database_size(current_database())", &database)
				&& query_long("SELECT pg_total_relation_size('job_output')", &output_bytes);
	}
	else {
		char *wal = NULL, *output = NULL;
		struct stat os;
		ok = ok && query_long("PRAGMA freelist_count", &free_pages) && query_long("PRAGMA page_size", &page)
				&& asprintf(&wal, "%s-wal", sqlite_file) >= 0 && (output = output_dir()) != NULL
				&& (lstat(output, &os) != 0 || S_ISDIR(os.st_mode));
		if (ok && lstat(output, &os) == 0) {
			nftw(output, count_output, 16, FTW_PHYS);
		}
		database = file_size(sqlite_file);
		wal_bytes = wal != NULL ? file_size(wal) : 0;
		free_bytes = free_pages * page;
		free(wal);
		free(output);
	}
	db_exec("COMMIT");
	if (!ok || output_files >= MAX_FILES_MEASURED / 2) { /* near the cap: where it stops is the JVM's walk */
		free(paused_text.b);
		free(paused_json.b);
		free(hosts_text.b);
		free(hosts_json.b);
		return NOT_SERVED;
	}
	long long limit = DEFAULT_OUTPUT_MAX_TOTAL;
	if (as_json) {
		printf("{\n  \"jobs\" : {\n");
		for (int s = 0; STATES[s] != NULL; s++) {
			printf("    \"%s\" : %lld%s\n", STATES[s], counts[s], STATES[s + 1] != NULL ? "," : "");
		}
		printf("  },\n  \"not_due\" : {\n    \"pending_later\" : %lld,\n    \"failed_later\" : %lld\n  },\n", later[0], later[1]);
		printf("  \"paused_queues\" : [ %s%s],\n", paused ? paused_json.b : "", paused ? " " : "");
		printf("  \"workers\" : [ %s%s],\n  \"no_host\" : { },\n  \"notifications_failed\" : %lld,\n", live ? hosts_json.b : "",
				live ? " " : "", notify_failed);
		printf("  \"storage\" : {\n    \"database_bytes\" : %lld,\n    \"wal_bytes\" : %lld,\n    \"free_bytes\" : %lld,\n"
			   "    \"output_bytes\" : %lld,\n    \"output_measured_in_full\" : true,\n    \"output_counted_bytes\" : %lld,\n"
			   "    \"output_limit_bytes\" : %lld\n  }\n}\n", database, wal_bytes, free_bytes, output_bytes, counted, limit);
	}
	else {
		int width = 5; /* STATE */
		char cells[7][24];
		for (int s = 0; STATES[s] != NULL; s++) {
			snprintf(cells[s], sizeof cells[s], "%lld", counts[s]);
			width = (int)strlen(STATES[s]) > width ? (int)strlen(STATES[s]) : width;
		}
		printf("%-*sJOBS\n", width + 2, "STATE");
		for (int s = 0; STATES[s] != NULL; s++) {
			printf("%-*s%s\n", width + 2, STATES[s], cells[s]);
		}
		if (later[0] + later[1] > 0) {
			long long due = counts[0] + counts[4] - later[0] - later[1];
			printf("\ndue now %lld; later %lld (%lld delayed or scheduled, %lld waiting out a retry)\n", due > 0 ? due : 0,
					later[0] + later[1], later[0], later[1]);
		}
		char db_s[32], free_s[32], wal_s[32], out_s[32], counted_s[32], limit_s[32];
		size_text(db_s, sizeof db_s, database);
		size_text(free_s, sizeof free_s, free_bytes);
		size_text(wal_s, sizeof wal_s, wal_bytes);
		size_text(out_s, sizeof out_s, output_bytes);
		size_text(counted_s, sizeof counted_s, counted);
		size_text(limit_s, sizeof limit_s, limit);
		printf("\ndatabase %s (%s of it free for reuse), WAL %s, output %s (%s of finished attempts counted, limit %s)\n",
				db_s, free_s, wal_s, out_s, counted_s, limit_s);
		if (paused) {
			printf("\npaused queues: %s (no new jobs start from them)\n", paused_text.b);
		}
		if (notify_failed > 0) {
			printf("\n%lld notification(s) failed: no delivery succeeded within notify-retry-for"
				   " (queuectl notify list --failed; queuectl notify retry)\n", notify_failed);
		}
		printf("\n%s", live ? hosts_text.b : "no worker hosts running\n");
	}
	free(paused_text.b);
	free(paused_json.b);
	free(hosts_text.b);
	free(hosts_json.b);
	return 0;
}

/* ---- list ------------------------------------------------------------------------------------ */

/* Render.JOB_HEADERS */
static const char *const JOB_HEADERS[] = { "ID", "STATE", "ATTEMPTS", "PRI", "RUN AT", "COMMAND", "UPDATED (UTC)", "PROGRESS" };
enum { JOB_COLUMNS = 8 };

/* The most rows the direct path lists (beyond: the JVM's). */
static const long MAX_LISTED = 10000;

/* A comma list (JobFilter.parse): each word passing valid, none empty or repeated; 0 to decline. */
static int comma_words(const char *value, int (*valid)(const char *), char ***out, int *count) {
	char *copy = dup_or_die(value);
	*count = 0;
	*out = NULL;
	for (char *save = NULL, *w = strtok_r(copy, ",", &save); w != NULL; w = strtok_r(NULL, ",", &save)) {
		for (int i = 0; i < *count; i++) {
			if (strcmp((*out)[i], w) == 0) {
				return 0;
			}
		}
		*out = realloc(*out, sizeof(char *) * (size_t)(*count + 1));
		if (*out == NULL || !valid(w)) {
			return 0;
		}
		(*out)[(*count)++] = w;
	}
	/* an empty word (",a", "a,,b", "a,") is refused by the JVM: its words */
	return *count > 0 && value[0] != ',' && value[strlen(value) - 1] != ',' && strstr(value, ",,") == NULL;
}

/* A stored state a user may name (canceling aside: the JVM's). */
static int known_state(const char *s) {
	for (int i = 0; STATES[i] != NULL; i++) {
		if (strcmp(STATES[i], s) == 0) {
			return 1;
		}
	}
	return 0;
}

/* Durations.elapsed */
static void elapsed_text(char *out, size_t cap, long long ms) {
	ms = ms < 0 ? 0 : ms;
	long long s = ms / 1000;
	if (ms < 1000) {
		snprintf(out, cap, "%lldms", ms);
	}
	else if (ms < 60000) {
		snprintf(out, cap, "%lld.%llds", ms / 1000, ms % 1000 / 100);
	}
	else if (s < 3600) {
		snprintf(out, cap, "%lldm%02llds", s / 60, s % 60);
	}
	else if (s < 86400) {
		snprintf(out, cap, "%lldh%02lldm", s / 3600, s / 60 % 60);
	}
	else {
		snprintf(out, cap, "%lldd%02lldh", s / 86400, s / 3600 % 24);
	}
}

/* Render.oneLine(text, max) into out (max + 2 bytes at least) while printable ASCII and Java's \s; 0 to decline anything else. */
static int one_line(const char *text, char *out, size_t max) {
	size_t n = 0;
	int space = 0;
	for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
		int ws = *c == ' ' || *c == '\t' || *c == '\n' || *c == 0x0b || *c == '\f' || *c == '\r';
		if (!ws && (*c < ' ' || *c >= 0x7f)) {
			return 0;
		}
		if (ws) {
			space = n > 0;
			continue;
		}
		if (n == max + 1) { /* longer than max: cut after max - 3, whatever follows */
			break;
		}
		if (space) {
			out[n++] = ' ';
			space = 0;
		}
		out[n++] = (char)*c;
	}
	out[n] = 0;
	if (n > max) {
		strcpy(out + max - 3, "...");
	}
	return 1;
}

/* Whether the option's word is at i and its value after it; the value or NULL. */
static const char *option_value(char **words, int n, int *i, const char *lng, const char *shrt, int *seen) {
	if (strcmp(words[*i], lng) != 0 && strcmp(words[*i], shrt) != 0) {
		return NULL;
	}
	if (*seen || *i + 1 >= n || words[*i + 1][0] == '-' || words[*i + 1][0] == 0) {
		return "";
	}
	*seen = 1;
	return words[++*i];
}

/*
 * list with --state, --queue, --tag and --limit (JobCommands.list), the table or --json; NOT_SERVED
 * to decline. With tags, the jobs that carry every one, highest id first, and their count, as
 * JobTagStore selects them: a walk of the first tag's range of job_tags's key, joined to its jobs,
 * so a page costs about its rows however many jobs the tag has.
 */
static int list(char **words, int n) {
	const char *state = NULL, *queue = NULL, *tag = NULL, *limit_word = NULL;
	int seen_state = 0, seen_queue = 0, seen_tag = 0, seen_limit = 0, as_json = 0;
	for (int i = 1; i < n; i++) {
		const char *v;
		if (strcmp(words[i], "--json") == 0 && !as_json) {
			as_json = 1;
			continue;
		}
		if ((v = option_value(words, n, &i, "--state", "-s", &seen_state)) != NULL) {
			state = v;
		}
		else if ((v = option_value(words, n, &i, "--queue", "-q", &seen_queue)) != NULL) {
			queue = v;
		}
		else if ((v = option_value(words, n, &i, "--tag", "--tag", &seen_tag)) != NULL) {
			tag = v;
		}
		else if ((v = option_value(words, n, &i, "--limit", "-n", &seen_limit)) != NULL) {
			limit_word = v;
		}
		else {
			return NOT_SERVED;
		}
		if (v[0] == 0) {
			return NOT_SERVED;
		}
	}
	long limit = 50;
	if (limit_word != NULL) {
		char *end;
		errno = 0;
		limit = strtol(limit_word, &end, 10);
		if (*end != 0 || errno != 0 || limit_word[0] < '1' || limit_word[0] > '9' || limit > MAX_LISTED) {
			return NOT_SERVED;
		}
	}
	char **states = NULL, **queues = NULL, **tags = NULL;
	int n_states = 0, n_queues = 0, n_tags = 0;
	if ((state != NULL && !comma_words(state, known_state, &states, &n_states))
			|| (queue != NULL && !comma_words(queue, valid_queue, &queues, &n_queues))
			|| (tag != NULL && (!comma_words(tag, valid_queue, &tags, &n_tags) || n_tags > MAX_TAGS)) || !schema_current()) {
		return NOT_SERVED;
	}
	struct buf where = { 0 };
	append(&where, " WHERE true", "", "");
	for (int i = 0; i < n_states; i++) {
		append(&where, i == 0 ? " AND state IN (?" : ", ?", i == n_states - 1 ? ")" : "", "");
	}
	for (int i = 0; i < n_queues; i++) {
		append(&where, i == 0 ? " AND queue IN (?" : ", ?", i == n_queues - 1 ? ")" : "", "");
	}
	for (int i = 0; i < n_tags; i++) { /* the first tag's range of job_tags's key walked, the others seeks of it */
		append(&where, i == 0 ? " AND t.tag = ?" : " AND id IN (SELECT job_id FROM job_tags WHERE tag = ?)", "", "");
	}
	/* the parameters: the states, the queues, the tags, then (the rows' statement) the limit */
	struct param params[MAX_PARAMS];
	int n_bound = n_states + n_queues + n_tags;
	if (n_bound + 1 > MAX_PARAMS) {
		free(where.b);
		return NOT_SERVED;
	}
	for (int i = 0; i < n_bound; i++) {
		params[i] = (struct param){ i < n_states ? states[i] : i < n_states + n_queues ? queues[i - n_states]
																		  : tags[i - n_states - n_queues], 0 };
	}
	params[n_bound] = (struct param){ NULL, limit + 1 };
	char *rows_sql = NULL, *count_sql = NULL;
	int ok = asprintf(&rows_sql, "SELECT %s, %s FROM %s%s ORDER BY %s LIMIT ?",
					  as_json ? JOB_JSON_COLUMNS : "id, state, attempts, max_retries, priority, run_at, command, updated_at, queue",
					  as_json ? JOB_JSON_PLAIN
							  : "cancel_requested_at IS NOT NULL OR progress_done IS NOT NULL OR progress_total IS NOT NULL"
								" OR progress_message IS NOT NULL OR progress_at IS NOT NULL",
					  n_tags > 0 ? "job_tags t JOIN jobs ON jobs.id = t.job_id" : "jobs", where.b,
					  n_tags > 0 ? "t.job_id DESC" : "updated_at DESC, id DESC") >= 0
			&& asprintf(&count_sql,
					   n_tags > 0 ? "SELECT COUNT(*) FROM job_tags t JOIN jobs ON jobs.id = t.job_id%s"
								  : "SELECT COALESCE(SUM(n), 0) FROM job_counts%s",
					   where.b) >= 0
			&& db_exec("BEGIN");
	free(where.b);
	/* the table's RUN AT: the paused queues and now on the clock of run_at (JSON has neither) */
	struct buf paused = { 0 }, paused_json = { 0 };
	int n_paused = 0;
	ok = ok && (as_json || query_names("SELECT name FROM queues WHERE paused = 1 ORDER BY name", &paused, &paused_json, &n_paused));
	free(paused_json.b);
	struct rows *st = ok ? db_query_params(rows_sql, n_bound + 1, params) : NULL;
	long long now = ok && !as_json ? due_now() : 0;
	ok = ok && now >= 0;
	char (*cells)[JOB_COLUMNS][160] = calloc((size_t)limit + 1, sizeof *cells);
	char last_id[160] = "";
	long rows = 0;
	int more = 0;
	size_t widths[JOB_COLUMNS];
	for (int c = 0; c < JOB_COLUMNS; c++) {
		widths[c] = strlen(JOB_HEADERS[c]);
	}
	ok = ok && st != NULL && cells != NULL;
	struct buf json = { 0 };
	append(&json, "[ ", "", "");
	while (ok && db_next(st)) {
		if (rows == limit) {
			more = 1;
			continue;
		}
		if (as_json) { /* Render.job's fields; progress or a field of the JVM's rules: the JVM's */
			const char *id = db_text(st, 0), *job_state = db_text(st, 2);
			ok = id != NULL && job_state != NULL && known_state(job_state) && db_long(st, JOB_JSON_PLAIN_COLUMN) == 1 && (rows == 0 || (put(&json, ", ", 2), 1))
					&& json_object(st, JOB_JSON, "  ", NULL, &json) && strlen(id) < sizeof last_id;
			if (ok) {
				snprintf(last_id, sizeof last_id, "%s", id);
				rows++;
			}
			continue;
		}
		char(*row)[160] = cells[rows];
		const char *id = db_text(st, 0), *job_state = db_text(st, 1), *command = db_text(st, 6), *job_queue = db_text(st, 8);
		long long run_at = db_long(st, 5), updated = db_long(st, 7) / 1000;
		struct tm tm;
		time_t t = (time_t)updated;
		/* canceling, progress, a name JSON would escape: the JVM's */
		ok = id != NULL && valid_id(id) && job_state != NULL && known_state(job_state)
				&& command != NULL && job_queue != NULL && db_long(st, 9) == 0 && one_line(command, row[5], 48)
				&& gmtime_r(&t, &tm) != NULL && tm.tm_year + 1900 >= 1000 && tm.tm_year + 1900 <= 9999;
		if (!ok) {
			break;
		}
		snprintf(row[0], sizeof row[0], "%s", id);
		snprintf(row[1], sizeof row[1], "%s", job_state);
		snprintf(row[2], sizeof row[2], "%lld/%lld", db_long(st, 2), db_long(st, 3) + 1);
		snprintf(row[3], sizeof row[3], "%lld", db_long(st, 4));
		if (strcmp(job_state, "pending") != 0 && strcmp(job_state, "failed") != 0) {
			strcpy(row[4], "-");
		}
		else if (run_at > now) {
			strcpy(row[4], "in ");
			elapsed_text(row[4] + 3, sizeof row[4] - 3, run_at - now);
		}
		else {
			int is_paused = 0;
			for (char *p = paused.b; p != NULL && *p && !is_paused;) {
				size_t len = strcspn(p, ",");
				is_paused = len == strlen(job_queue) && strncmp(p, job_queue, len) == 0;
				p += len;
				p += *p == ',' ? 2 : 0;
			}
			strcpy(row[4], is_paused ? "paused" : "due");
		}
		strftime(row[6], sizeof row[6], "%Y-%m-%d %H:%M:%S", &tm);
		strcpy(row[7], "-");
		for (int c = 0; c < JOB_COLUMNS; c++) {
			widths[c] = strlen(row[c]) > widths[c] ? strlen(row[c]) : widths[c];
		}
		snprintf(last_id, sizeof last_id, "%s", id);
		rows++;
	}
	ok = db_done(st) && ok;
	long long total = 0;
	if (ok && more) {
		struct rows *counted = db_query_params(count_sql, n_bound, params);
		ok = counted != NULL && db_next(counted);
		total = ok ? db_long(counted, 0) : 0;
		ok = db_done(counted) && ok;
	}
	db_exec("COMMIT");
	free(rows_sql);
	free(count_sql);
	free(states);
	free(queues);
	free(tags);
	free(paused.b);
	if (!ok || (more && total <= limit)) {
		free(cells);
		free(json.b);
		return NOT_SERVED;
	}
	if (as_json) {
		printf("%s ]\n", rows > 0 ? json.b : "[");
	}
	for (long r = -1; r < rows && !as_json; r++) {
		for (int c = 0; c < JOB_COLUMNS; c++) {
			const char *cell = r < 0 ? JOB_HEADERS[c] : cells[r][c];
			if (c < JOB_COLUMNS - 1) {
				printf("%-*s", (int)(widths[c] + 2), cell);
			}
			else {
				printf("%s\n", cell);
			}
		}
	}
	free(cells);
	free(json.b);
	if (more) {
		fflush(stdout);
		fprintf(stderr, "%ld of %lld shown; next: queuectl list", rows, total);
		if (state != NULL) {
			fprintf(stderr, " --state %s", state);
		}
		if (queue != NULL) {
			fprintf(stderr, " --queue %s", queue);
		}
		if (tag != NULL) {
			fprintf(stderr, " --tag %s", tag);
		}
		if (limit != 50) {
			fprintf(stderr, " --limit %ld", limit);
		}
		if (as_json) {
			fprintf(stderr, " --json");
		}
		fprintf(stderr, " --after %s\n", last_id);
	}
	return 0;
}

/* ---- show ------------------------------------------------------------------------------------ */

/* Render.job's fields as show prints them, in its order; the columns of SHOW_SQL (NULL: printed "-", not selected). */
static const char *const SHOW_FIELDS[] = { "id", "command", "state", "queue", "priority", "attempts", "max_retries", "run_at",
	"timeout", "working_dir", "created_at", "updated_at", "started_at", "finished_at", "exit_code", "last_error", "worker_id",
	"lease_expires_at", "unique_key", "cancel_requested_at", "resources", "slots", "start_by", "retry_on", "no_retry_on",
	"limits", "tags", "rerun_of", "env", "progress", "result", NULL };

/* Which SHOW_FIELDS are times (Render.iso), and the column each field reads (-1: always "-"). */
static const int SHOW_TIME[] = { 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
static const int SHOW_COLUMN[] = { 0, 1, 2, 3, 4, 5, 6, 7, 20, 8, 9, 10, 11, 12, 13, 14, 15, 16, 21, -1, -1, 17, -1, -1, -1, -1,
	22, -1, 23, -1, -1 };

/*
 * The job and whether show may be answered here: none of the fields printed "-" above is set, no
 * dependency, batch or result; and (pending or failed) whether anything could make it wait
 * (WaitReasons: not due yet, a paused or limited queue, any limit).
 */
static const char SHOW_SQL[] = "SELECT id, command, state, queue, priority, attempts, max_retries, run_at, working_dir,"
							   " created_at, updated_at, started_at, finished_at, exit_code, last_error, worker_id,"
							   " lease_expires_at, slots,"
							   " cancel_requested_at IS NULL AND resources IS NULL"
							   " AND slots = 1 AND start_by IS NULL AND retry_on IS NULL AND no_retry_on IS NULL AND limits IS NULL"
							   " AND rerun_of IS NULL AND progress_done IS NULL"
							   " AND progress_total IS NULL AND progress_message IS NULL AND progress_at IS NULL AND batch IS NULL"
							   " AND NOT EXISTS (SELECT 1 FROM job_deps WHERE job_id = jobs.id)"
							   " AND NOT EXISTS (SELECT 1 FROM job_results WHERE job_id = jobs.id),"
							   " run_at > ? OR EXISTS (SELECT 1 FROM queues WHERE name = jobs.queue AND (paused = 1 OR max_running IS NOT NULL))"
							   " OR EXISTS (SELECT 1 FROM limits),"
							   " timeout_ms, unique_key, tags, env"
							   " FROM jobs WHERE id = ?";

enum { SHOW_PLAIN = 18, SHOW_HELD = 19, RUN_COLUMNS = 7, TAIL_LINES = 10 };

/* The run table's headers (JobCommands.show). */
static const char *const RUN_HEADERS[] = { "ATTEMPT", "STARTED (UTC)", "DURATION", "OUTCOME", "EXIT", "HOST", "ERROR" };

/* The job's fields into text; 0 to decline. */
static int show_fields(struct rows *st, struct buf *text) {
	const char *state = db_text(st, 2);
	int waits = state != NULL && (strcmp(state, "pending") == 0 || strcmp(state, "failed") == 0);
	if (state == NULL || !known_state(state) || strcmp(state, "processing") == 0 || strcmp(state, "waiting") == 0
			|| db_long(st, SHOW_PLAIN) != 1 || (waits && db_long(st, SHOW_HELD) != 0)) {
		return 0;
	}
	for (int f = 0; SHOW_FIELDS[f] != NULL; f++) {
		int c = SHOW_COLUMN[f];
		const char *value = c < 0 ? NULL : db_text(st, c);
		char cell[64];
		struct buf tags = { 0 };
		if (value != NULL && SHOW_TIME[f]) {
			if (!iso_text(cell, sizeof cell, db_long(st, c))) {
				return 0;
			}
			value = cell;
		}
		else if (value != NULL && strcmp(SHOW_FIELDS[f], "timeout") == 0) { /* Durations.format */
			if (!duration_text(cell, sizeof cell, db_long(st, c))) {
				return 0;
			}
			value = cell;
		}
		else if (value != NULL && strcmp(SHOW_FIELDS[f], "tags") == 0) { /* joined by ", " */
			int ok = tags_text(&tags, value, "", ", ", "");
			if (!ok) {
				free(tags.b);
				return 0;
			}
			value = tags.b;
		}
		else if (value != NULL && strcmp(SHOW_FIELDS[f], "env") == 0) { /* its names, joined by spaces */
			int ok = env_text(&tags, value, NULL);
			if (!ok) {
				free(tags.b);
				return 0;
			}
			value = tags.b;
		}
		if (value != NULL && !plain_text(value, 0)) {
			free(tags.b);
			return 0;
		}
		/* the longest name, cancel_requested_at, and two spaces */
		char name[32];
		snprintf(name, sizeof name, "%-21s", SHOW_FIELDS[f]);
		append(text, name, value == NULL ? "-" : value, "\n");
		free(tags.b);
	}
	return 1;
}

/* Render.tail(output, 10) while the output is printable ASCII, newlines and tabs; 0 to decline. */
static int show_tail(const char *output, struct buf *text) {
	if (output == NULL || !plain_text(output, 1)) {
		return output == NULL;
	}
	const char *starts[TAIL_LINES + 1];
	/* the blank last lines dropped (String.isBlank: spaces and tabs here): the end of the last line with more */
	const char *end = output + strlen(output);
	while (end > output && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n')) {
		end--;
	}
	if (end == output) {
		return 1;
	}
	end += strcspn(end, "\n");
	int n = 0;
	const char *p = end;
	while (n < TAIL_LINES && p > output) {
		while (p > output && p[-1] != '\n') {
			p--;
		}
		starts[n++] = p;
		if (p > output) {
			p--;
		}
	}
	for (int i = n - 1; i >= 0; i--) {
		const char *line_end = i == 0 ? end : strchr(starts[i], '\n');
		char *line = strndup(starts[i], (size_t)(line_end - starts[i]));
		if (line == NULL) {
			not_served();
		}
		append(text, "  ", line, "\n");
		free(line);
	}
	return 1;
}

/* Render.run's fields in its order, over the runs' select of show_json. */
static const struct json_field RUN_JSON[] = { { "attempt", J_NUMBER, 0 }, { "worker_id", J_TEXT, 1 },
	{ "started_at", J_TIME, 2 }, { "finished_at", J_TIME, 3 }, { "outcome", J_TEXT, 4 }, { "exit_code", J_NUMBER, 5 },
	{ "signal", J_NUMBER, 6 }, { "duration_ms", J_NUMBER, 7 }, { "error", J_TEXT, 8 }, { "output_tail", J_TEXT, 9 },
	{ "output_removed_at", J_TIME, 10 }, { NULL, J_NULL, -1 } };

/*
 * show ID --json (JobCommands.show) of a job as plain as list --json's that is not running or
 * waiting, asks one slot, has no dependency, result or batch, and nothing could hold (SHOW_SQL's
 * test): its dependencies, batch, wait reasons, result and running attempt are then none.
 */
static int show_json(const char *id) {
	struct buf out = { 0 };
	struct rows *job = NULL, *runs = NULL;
	char *statement = NULL;
	int ok = asprintf(&statement, "SELECT %s, %s,"
								  " slots = 1 AND batch IS NULL AND NOT EXISTS (SELECT 1 FROM job_deps WHERE job_id = jobs.id)"
								  " AND NOT EXISTS (SELECT 1 FROM job_results WHERE job_id = jobs.id),"
								  " run_at > ? OR EXISTS (SELECT 1 FROM queues WHERE name = jobs.queue"
								  " AND (paused = 1 OR max_running IS NOT NULL)) OR EXISTS (SELECT 1 FROM limits)"
								  " FROM jobs WHERE id = ?", JOB_JSON_COLUMNS, JOB_JSON_PLAIN) >= 0
			&& db_exec("BEGIN") && (job = db_query(statement, "it", due_now(), id)) != NULL && db_next(job);
	free(statement);
	const char *state = ok ? db_text(job, 2) : NULL;
	int waits = state != NULL && (strcmp(state, "pending") == 0 || strcmp(state, "failed") == 0);
	ok = ok && state != NULL && known_state(state) && strcmp(state, "processing") != 0 && strcmp(state, "waiting") != 0
			&& db_long(job, JOB_JSON_PLAIN_COLUMN) == 1 && db_long(job, JOB_JSON_PLAIN_COLUMN + 1) == 1
			&& !(waits && db_long(job, JOB_JSON_PLAIN_COLUMN + 2) != 0) && json_object(job, JOB_JSON, "  ", NULL, &out)
			&& (runs = db_query("SELECT attempt, worker_id, started_at, finished_at, outcome, exit_code, signal, duration_ms,"
								" error, output_tail, output_removed_at FROM job_runs WHERE job_id = ? ORDER BY id", "t", id)) != NULL;
	if (ok) { /* the object's closing brace taken back: the fields show adds follow */
		out.n -= 2;
		append(&out, ",\n  \"after\" : [ ],\n  \"batch\" : null,\n  \"waiting\" : [ ],\n  \"result\" : null,\n  \"runs\" : [ ", "", "");
	}
	int n_runs = 0;
	while (ok && db_next(runs)) {
		if (n_runs++ > 0) {
			put(&out, ", ", 2);
		}
		ok = json_object(runs, RUN_JSON, "    ", NULL, &out);
	}
	ok = db_done(runs) && ok;
	db_done(job);
	db_exec("COMMIT");
	if (ok) {
		printf("%s%s],\n  \"running\" : null\n}\n", out.b, n_runs > 0 ? " " : "");
	}
	free(out.b);
	return ok ? 0 : NOT_SERVED;
}

/* show ID (JobCommands.show, the text) of a job without the fields that need the JVM's rules; NOT_SERVED to decline. */
static int show(char **words, int n) {
	if (n == 3 && (strcmp(words[1], "--json") == 0 || strcmp(words[2], "--json") == 0)) {
		const char *id = strcmp(words[1], "--json") == 0 ? words[2] : words[1];
		return id[0] == 0 || id[0] == '-' || !schema_current() ? NOT_SERVED : show_json(id);
	}
	if (n != 2 || words[1][0] == 0 || words[1][0] == '-' || !schema_current()) {
		return NOT_SERVED;
	}
	struct buf text = { 0 }, tail = { 0 };
	char (*cells)[RUN_COLUMNS][80] = NULL;
	struct rows *st = NULL, *runs = NULL;
	int ok = db_exec("BEGIN") && (st = db_query(SHOW_SQL, "it", due_now(), words[1])) != NULL && db_next(st)
			&& show_fields(st, &text)
			&& (runs = db_query("SELECT attempt, started_at, duration_ms, outcome, exit_code, worker_id, error, output_tail,"
								" output_removed_at IS NULL FROM job_runs WHERE job_id = ? ORDER BY id", "t", words[1])) != NULL;
	size_t widths[RUN_COLUMNS];
	for (int c = 0; c < RUN_COLUMNS; c++) {
		widths[c] = strlen(RUN_HEADERS[c]);
	}
	long rows = 0, last_attempt = 0;
	while (ok && db_next(runs)) {
		cells = realloc(cells, sizeof *cells * (size_t)(rows + 1));
		if (cells == NULL) {
			not_served();
		}
		char(*row)[80] = cells[rows];
		const char *outcome = db_text(runs, 3), *exit_code = db_text(runs, 4), *host = db_text(runs, 5),
				   *error = db_text(runs, 6), *duration = db_text(runs, 2);
		last_attempt = db_long(runs, 0);
		snprintf(row[0], sizeof row[0], "%ld", last_attempt);
		ok = db_long(runs, 8) == 1 && time_text(row[1], sizeof row[1], db_long(runs, 1), "%Y-%m-%d %H:%M:%S")
				&& (outcome == NULL || (strlen(outcome) < 40 && plain_text(outcome, 0)))
				&& (host == NULL || (strlen(host) < 70 && plain_text(host, 0))) && (error == NULL || one_line(error, row[6], 60));
		if (!ok) {
			break;
		}
		if (duration == NULL) {
			strcpy(row[2], "-");
		}
		else {
			elapsed_text(row[2], sizeof row[2], db_long(runs, 2));
		}
		snprintf(row[3], sizeof row[3], "%s", outcome == NULL ? "null" : outcome);
		snprintf(row[4], sizeof row[4], "%s", exit_code == NULL ? "-" : exit_code);
		snprintf(row[5], sizeof row[5], "%s", host == NULL ? "null" : host);
		if (error == NULL) {
			row[6][0] = 0;
		}
		for (int c = 0; c < RUN_COLUMNS; c++) {
			widths[c] = strlen(row[c]) > widths[c] ? strlen(row[c]) : widths[c];
		}
		free(tail.b);
		tail = (struct buf){ 0 };
		ok = show_tail(db_text(runs, 7), &tail);
		rows++;
	}
	ok = db_done(runs) && ok;
	db_done(st);
	db_exec("COMMIT");
	if (ok) {
		printf("%s\n", text.b);
		if (rows == 0) {
			printf("no attempts yet\n");
		}
		for (long r = -1; r < rows && rows > 0; r++) {
			for (int c = 0; c < RUN_COLUMNS - 1; c++) {
				printf("%-*s", (int)(widths[c] + 2), r < 0 ? RUN_HEADERS[c] : cells[r][c]);
			}
			printf("%s\n", r < 0 ? RUN_HEADERS[RUN_COLUMNS - 1] : cells[r][RUN_COLUMNS - 1]);
		}
		if (tail.b != NULL) {
			printf("\noutput of attempt %ld, its last lines (all of it: queuectl logs %s):\n%s", last_attempt, words[1], tail.b);
		}
	}
	free(text.b);
	free(tail.b);
	free(cells);
	return ok ? 0 : NOT_SERVED;
}

/*
 * After an answer: the background command server for the next commands, as Main starts it after
 * a command (BackgroundServer.wanted decides, in a JVM that only starts the server): a detached
 * child runs the launcher on the same arguments; nothing here waits for it.
 */
static void start_server(char **argv, int first, int argc) {
	const char *told = getenv("QUEUECTL_SERVER");
	if (told != NULL && (strcasecmp(told, "off") == 0 || strcasecmp(told, "false") == 0 || strcasecmp(told, "no") == 0
			|| strcmp(told, "0") == 0)) {
		return; /* the JVM would start none: no JVM to say so */
	}
	char *project = project_dir();
	char *launcher = NULL;
	if (project == NULL || asprintf(&launcher, "%s/bin/queuectl", project) < 0) {
		return;
	}
	fflush(stdout);
	fflush(stderr);
	/* the launcher's -Dqueuectl.stdin.tty of this command, not of the child's /dev/null (CI's rule) */
	const char *opts = isatty(0) ? "-Dqueuectl.ensure-server=true -Dqueuectl.stdin.tty=true" : "-Dqueuectl.ensure-server=true";
	pid_t child = fork();
	if (child != 0) {
		return;
	}
	setsid();
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	setenv("QUEUECTL_DIRECT", "off", 1);
	setenv("QUEUECTL_JAVA_OPTS", opts, 1);
	unsetenv("QUEUECTL_LAUNCHER");
	unsetenv("QUEUECTL_DOOR");
	char **args = calloc((size_t)(argc - first) + 2, sizeof(char *));
	if (args == NULL) {
		_exit(0);
	}
	args[0] = launcher;
	for (int i = first; i < argc; i++) {
		args[i - first + 1] = argv[i];
	}
	execv(launcher, args);
	_exit(0);
}

int direct(char **argv, int first, int argc, char **words, int n) {
	const char *mode = getenv("QUEUECTL_DIRECT");
	if (mode != NULL && strcmp(mode, "off") == 0) {
		return NOT_SERVED;
	}
	int only = mode != NULL && strcmp(mode, "only") == 0;
	int rc = NOT_SERVED;
	int word = n >= 2 && strcmp(words[0], "enqueue") == 0 ? 1 : n >= 1 && strcmp(words[0], "status") == 0 ? 2
			: n >= 1 && strcmp(words[0], "list") == 0 ? 3 : n >= 1 && strcmp(words[0], "show") == 0 ? 4 : 0;
	if (word != 0 && variables_allow() && configuration_allows() && open_database()) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		rc = word == 1 ? enqueue(words, n) : word == 2 ? status(words, n) : word == 3 ? list(words, n) : show(words, n);
	}
	db_close();
	if (rc == NOT_SERVED && only) {
		exit(NOT_SERVED); /* never the JVM */
	}
	if (rc != NOT_SERVED) {
		start_server(argv, first, argc);
	}
	return rc;
}
