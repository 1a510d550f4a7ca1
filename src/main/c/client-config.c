/*
 * queuectl's native client: where the database is, decided in db_socket alone, as
 * dev.queuectl.store.DatabaseLocation.find decides it (with config.ConfiguredDb's reading of the files);
 * DatabasePlaceTest runs one table of cases (src/test/resources/dev/queuectl/database-place.txt)
 * through both.
 */
#include "client.h"

void (*on_not_served)(void);

char *sqlite_file;

_Noreturn void not_served(void) {
	if (on_not_served != NULL) {
		on_not_served();
	}
	exit(NOT_SERVED);
}

/* ---- Java's string rules ------------------------------------------------------------------------ */

char *dup_or_die(const char *s) {
	char *d = strdup(s);
	if (d == NULL) {
		not_served();
	}
	return d;
}

/* Java's String.trim: drops chars <= ' ' at both ends. */
char *trim(char *s) {
	while (*s && (unsigned char)*s <= ' ') {
		s++;
	}
	size_t n = strlen(s);
	while (n > 0 && (unsigned char)s[n - 1] <= ' ') {
		s[--n] = 0;
	}
	return s;
}

int blank(const char *s) {
	for (; *s; s++) {
		if ((unsigned char)*s > ' ' && !isspace((unsigned char)*s)) {
			return 0;
		}
	}
	return 1;
}

/* Character.isWhitespace for ASCII */
static int java_space(int c) {
	return c == ' ' || (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x1f);
}

const char *home_dir(void) {
	struct passwd *pw = getpwuid(getuid());
	if (pw != NULL && pw->pw_dir != NULL && pw->pw_dir[0]) {
		return pw->pw_dir;
	}
	const char *h = getenv("HOME");
	return h ? h : "/";
}

/* Whether s is valid UTF-8 as Java's strict decoder sees it (no overlongs, surrogates or > U+10FFFF). */
int utf8(const char *s) {
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c = *p;
		int n = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : -1;
		if (n < 0) {
			return 0;
		}
		unsigned cp = n == 0 ? c : c & (0x3f >> n);
		for (int i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80) {
				return 0;
			}
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff))
				|| (cp >= 0xd800 && cp <= 0xdfff)) {
			return 0;
		}
		p += n + 1;
	}
	return 1;
}

/* ---- where the database is ------------------------------------------------------------------- */

/* The value of a `key: value` line as ConfiguredDb.value reads it; NULL when blank. */
static char *yaml_value(const char *line) {
	const char *colon = strchr(line, ':');
	char *v = dup_or_die(colon ? colon + 1 : "");
	for (size_t i = 1; v[i]; i++) {
		if (v[i] == '#' && java_space((unsigned char)v[i - 1])) {
			v[i] = 0;
			break;
		}
	}
	char *t = trim(v);
	size_t n = strlen(t);
	if (n >= 2 && (t[0] == '"' || t[0] == '\'')) {
		t[n - 1] = 0;
		t++;
	}
	return blank(t) ? NULL : dup_or_die(t);
}

/* 1 with *value set (NULL when blank) when the file sets queuectl.db, 0 when not, -1 unreadable. */
static int read_db(const char *path, char **value) {
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		return -1;
	}
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int in_queuectl = 0, indent = -1, found = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
			line[--len] = 0;
		}
		char *t = line;
		while (*t && (unsigned char)*t <= ' ') {
			t++;
		}
		if (blank(line) || *t == '#') {
			continue;
		}
		if (!java_space((unsigned char)line[0])) {
			in_queuectl = strncmp(line, "queuectl:", 9) == 0;
			indent = -1;
			if (strncmp(line, "queuectl.db:", 12) == 0) {
				*value = yaml_value(line);
				found = 1;
				break;
			}
			continue;
		}
		if (!in_queuectl) {
			continue;
		}
		int at = 0;
		while (line[at] && java_space((unsigned char)line[at])) {
			at++;
		}
		if (indent < 0) {
			indent = at;
		}
		if (at == indent && strncmp(line + at, "db:", 3) == 0) {
			*value = yaml_value(line);
			found = 1;
			break;
		}
	}
	free(line);
	fclose(f);
	return found;
}

/* The install's folder: where target/ or lib/ holds this program; NULL when unknown. */
char *project_dir(void) {
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0) {
		return NULL;
	}
	self[n] = 0;
	for (int up = 0; up < 2; up++) { /* .../target/queuectl-client */
		char *slash = strrchr(self, '/');
		if (slash == NULL) {
			return NULL;
		}
		*slash = 0;
	}
	return dup_or_die(self[0] ? self : "/");
}

/* The install's application.yml: next to target/, where this program is. */
static char *install_yml(void) {
	char *project = project_dir();
	char *path = NULL;
	if (project != NULL && asprintf(&path, "%s/application.yml", project) < 0) {
		path = NULL;
	}
	free(project);
	return path;
}

/* queuectl.db from the files, the user's winning; NULL when blank or unset. */
static char *configured_db(void) {
	char *user;
	const char *xdg = getenv("XDG_CONFIG_HOME");
	int r;
	if (xdg != NULL && !blank(xdg) && xdg[0] == '/') {
		r = asprintf(&user, "%s/queuectl/application.yml", xdg);
	}
	else {
		r = asprintf(&user, "%s/.config/queuectl/application.yml", home_dir());
	}
	if (r < 0) {
		not_served();
	}
	char *value = NULL;
	if (read_db(user, &value) == 1) {
		return value;
	}
	char *install = install_yml();
	if (install != NULL && read_db(install, &value) == 1) {
		return value;
	}
	return NULL;
}

/*
 * Path.toAbsolutePath() for a path string, with .normalize() when normalize is set: lexical, like
 * Java's (Paths.get drops repeated and trailing slashes; normalize drops "." and folds "..").
 */
static char *absolute(const char *p, int normalize) {
	char cwd[4096];
	char *joined;
	if (p[0] == '/') {
		joined = dup_or_die(p);
	}
	else {
		if (getcwd(cwd, sizeof cwd) == NULL || asprintf(&joined, "%s/%s", cwd, p) < 0) {
			not_served();
		}
	}
	size_t n = strlen(joined);
	char *out = malloc(n + 2);
	if (out == NULL) {
		not_served();
	}
	size_t o = 0;
	char *save = NULL;
	for (char *part = strtok_r(joined, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		if (normalize && strcmp(part, ".") == 0) {
			continue;
		}
		if (normalize && strcmp(part, "..") == 0) {
			while (o > 0 && out[o - 1] != '/') {
				o--;
			}
			if (o > 0) {
				o--;
			}
			continue;
		}
		out[o++] = '/';
		size_t k = strlen(part);
		memcpy(out + o, part, k);
		o += k;
	}
	if (o == 0) {
		out[o++] = '/';
	}
	out[o] = 0;
	free(joined);
	return out;
}

/* DatabaseLocation.dataHome: ${XDG_DATA_HOME:-~/.local/share}/queuectl, absolute. */
char *data_home(void) {
	const char *xdg = getenv("XDG_DATA_HOME");
	char *path;
	int r = (xdg != NULL && !blank(xdg)) ? asprintf(&path, "%s/queuectl", xdg)
			: asprintf(&path, "%s/.local/share/queuectl", home_dir());
	if (r < 0) {
		not_served();
	}
	char *abs = absolute(path, 0);
	free(path);
	return abs;
}

/* DatabaseLocation.resolve for an SQLite path: the file (~ expanded, absolute, normalized), or the default. */
static char *resolve_db(const char *configured) {
	if (configured != NULL && !blank(configured)) {
		char *c = trim(dup_or_die(configured));
		char *expanded;
		if (strcmp(c, "~") == 0 || strncmp(c, "~/", 2) == 0) {
			if (asprintf(&expanded, "%s%s", home_dir(), c + 1) < 0) {
				not_served();
			}
		}
		else {
			expanded = c;
		}
		return absolute(expanded, 1);
	}
	char *home = data_home(), *path;
	if (asprintf(&path, "%s/queue.db", home) < 0) {
		not_served();
	}
	free(home);
	return path;
}

/*
 * Where the database is, the one place in C (DatabaseLocation.find): flag (--db's value, NULL when
 * not given; blank is refused) wins, then QUEUECTL_DB (even blank: then the default), then
 * queuectl.db of the user's file, else of the install's, else the default. Returns the socket
 * that serves it: DB.sock beside an SQLite file, pg-<hash>/queue.sock under the data folder for a
 * PostgreSQL URL; NULL when refused or unsure (the JVM then answers, in its words).
 */
char *db_socket(const char *flag) {
	char *config = NULL;
	const char *db = flag;
	if (flag != NULL && blank(flag)) {
		return NULL; /* --db needs a path */
	}
	if (db == NULL) {
		db = getenv("QUEUECTL_DB");
	}
	if (db == NULL) {
		db = config = configured_db();
	}
	char *socket_path = NULL;
	char *copy = db != NULL ? dup_or_die(db) : NULL;
	char *trimmed = copy != NULL ? trim(copy) : NULL;
	if (trimmed != NULL && pg_url(trimmed)) {
		socket_path = pg_parse_url(trimmed);
	}
	else {
		char *file = resolve_db(db);
		free(sqlite_file);
		sqlite_file = dup_or_die(file);
		char *slash = strrchr(file, '/');
		if (slash == NULL || slash[1] == 0) {
			socket_path = NULL; /* "/": no file name to put the socket beside */
		}
		else if (asprintf(&socket_path, "%s.sock", file) < 0) {
			not_served();
		}
		free(file);
	}
	free(copy);
	free(config);
	return socket_path;
}
