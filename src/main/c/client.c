/*
 * queuectl's native client: what bin/queuectl runs for a command that a running queuectl process
 * (a worker host, the REPL or the background command server) can answer, so that such a command
 * starts no JVM at all. It does what dev.queuectl.Main and RemoteClient do on their fast path, byte
 * for byte the same on stdout, stderr and in the exit code:
 *
 * - finds the database as queuectl does (--db, QUEUECTL_DB, queuectl.db in the user's
 *   application.yml, then in the install's, else ${XDG_DATA_HOME:-~/.local/share}/queuectl/queue.db)
 *   and its socket beside it (DB.sock), or for a PostgreSQL URL in the URL's folder of this machine
 *   (pg-<hash>/queue.sock, named as dev.queuectl.store.PostgresUrl names it);
 * - refuses a socket owned by another user; connects, and waits at most a second for the server's
 *   HELLO before it sends anything (a hung server costs a second, never a command run twice);
 * - drops a background server of another build (asks it to exit) and lets the launcher run the
 *   command instead;
 * - sends the words, the working directory and, for `enqueue -`, standard input in frames closed by
 *   an end frame (protocol: src/main/java/dev/queuectl/cli/Wire.java);
 * - copies OUT and ERR frames to stdout and stderr, and exits with the EXIT frame's code;
 * - on SIGINT, SIGTERM or SIGHUP closes the connection (a cut-off `enqueue -` stores nothing) and
 *   dies of that signal.
 *
 * Exit code 125 means nothing serves the command (or this client cannot tell where): the launcher
 * then runs it in a JVM. Usage: queuectl-client BUILD-ID [--db PATH] WORD...
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define NOT_SERVED 125
#define MAGIC 0x51434C33u
#define T_EXIT 0
#define T_OUT 1
#define T_ERR 2
#define T_HELLO 3
#define HELLO_TIMEOUT_MS 1000
#define MAX_FRAME (64 << 10)

static int sock = -1;
static volatile sig_atomic_t caught;

/* ---- small helpers ------------------------------------------------------------------------- */

static long long now_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_signal(int sig) {
	caught = sig;
}

/* Closes the connection and dies of the signal that asked for it. */
static void die_of_signal(void) {
	int sig = caught;
	if (sock >= 0) {
		close(sock);
	}
	signal(sig, SIG_DFL);
	raise(sig);
	_exit(128 + sig);
}

static char *dup_or_die(const char *s) {
	char *d = strdup(s);
	if (d == NULL) {
		exit(NOT_SERVED);
	}
	return d;
}

/* Java's String.trim: drops chars <= ' ' at both ends. */
static char *trim(char *s) {
	while (*s && (unsigned char)*s <= ' ') {
		s++;
	}
	size_t n = strlen(s);
	while (n > 0 && (unsigned char)s[n - 1] <= ' ') {
		s[--n] = 0;
	}
	return s;
}

static int blank(const char *s) {
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

static const char *home_dir(void) {
	struct passwd *pw = getpwuid(getuid());
	if (pw != NULL && pw->pw_dir != NULL && pw->pw_dir[0]) {
		return pw->pw_dir;
	}
	const char *h = getenv("HOME");
	return h ? h : "/";
}

/* Whether s is valid UTF-8 as Java's strict decoder sees it (no overlongs, surrogates or > U+10FFFF). */
static int utf8(const char *s) {
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

/* ---- where the database is (dev.queuectl.ConfiguredDb, DatabaseLocation) -------------------- */

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

/* The install's application.yml: next to target/, where this program is. */
static char *install_yml(void) {
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0) {
		return NULL;
	}
	self[n] = 0;
	char *slash = strrchr(self, '/'); /* .../target/queuectl-client */
	if (slash == NULL) {
		return NULL;
	}
	*slash = 0;
	slash = strrchr(self, '/');
	if (slash == NULL) {
		return NULL;
	}
	*slash = 0;
	char *path;
	if (asprintf(&path, "%s/application.yml", self) < 0) {
		return NULL;
	}
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
		exit(NOT_SERVED);
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

/* Path.toAbsolutePath().normalize() for a path string: lexical, like Java's. */
static char *absolute_normal(const char *p) {
	char cwd[4096];
	char *joined;
	if (p[0] == '/') {
		joined = dup_or_die(p);
	}
	else {
		if (getcwd(cwd, sizeof cwd) == NULL || asprintf(&joined, "%s/%s", cwd, p) < 0) {
			exit(NOT_SERVED);
		}
	}
	size_t n = strlen(joined);
	char *out = malloc(n + 2);
	if (out == NULL) {
		exit(NOT_SERVED);
	}
	size_t o = 0;
	char *save = NULL;
	for (char *part = strtok_r(joined, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		if (strcmp(part, ".") == 0) {
			continue;
		}
		if (strcmp(part, "..") == 0) {
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

static char *resolve_db(const char *configured) {
	if (configured != NULL && !blank(configured)) {
		char *c = trim(dup_or_die(configured));
		char *expanded;
		if (strcmp(c, "~") == 0 || strncmp(c, "~/", 2) == 0) {
			if (asprintf(&expanded, "%s%s", home_dir(), c + 1) < 0) {
				exit(NOT_SERVED);
			}
		}
		else {
			expanded = c;
		}
		return absolute_normal(expanded);
	}
	const char *xdg = getenv("XDG_DATA_HOME");
	char *path;
	int r = (xdg != NULL && !blank(xdg)) ? asprintf(&path, "%s/queuectl/queue.db", xdg)
			: asprintf(&path, "%s/.local/share/queuectl/queue.db", home_dir());
	if (r < 0) {
		exit(NOT_SERVED);
	}
	return absolute_normal(path); /* the same file; a socket path is looked up, not compared */
}

/* ---- a PostgreSQL URL's folder, as dev.queuectl.store.PostgresUrl names it -------------------- */

static uint32_t ror(uint32_t x, int n) {
	return (x >> n) | (x << (32 - n));
}

/* SHA-256 of s (FIPS 180-4), the first 8 bytes as 16 hex digits into hex[17]. */
static void sha256_prefix(const char *s, char hex[17]) {
	static const uint32_t k[64] = { 0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
		0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7,
		0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
		0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
		0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
		0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c,
		0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
		0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2 };
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	size_t len = strlen(s);
	size_t total = ((len + 8) / 64 + 1) * 64; /* the message, 0x80, zeros, 64-bit length */
	unsigned char *m = calloc(total, 1);
	if (m == NULL) {
		exit(NOT_SERVED);
	}
	memcpy(m, s, len);
	m[len] = 0x80;
	for (int i = 0; i < 8; i++) {
		m[total - 1 - i] = (unsigned char)(((uint64_t)len * 8) >> (8 * i));
	}
	for (size_t off = 0; off < total; off += 64) {
		uint32_t w[64];
		for (int i = 0; i < 16; i++) {
			const unsigned char *q = m + off + 4 * i;
			w[i] = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
		}
		for (int i = 16; i < 64; i++) {
			uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
			uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
			w[i] = w[i - 16] + s0 + w[i - 7] + s1;
		}
		uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
		for (int i = 0; i < 64; i++) {
			uint32_t t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
			uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
			hh = g;
			g = f;
			f = e;
			e = d + t1;
			d = c;
			c = b;
			b = a;
			a = t1 + t2;
		}
		h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
	}
	free(m);
	for (int i = 0; i < 8; i++) {
		sprintf(hex + 2 * i, "%02x", (h[i / 4] >> (24 - 8 * (i % 4))) & 0xff);
	}
}

static int hexval(int c) {
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* PostgresUrl.decode then encode: %XX decoded, then all but ASCII letters, digits and -._~ as %XX. NULL: let Java tell. */
static char *reencode(const char *s, size_t n) {
	char *raw = malloc(n + 1), *out = malloc(3 * n + 1);
	size_t r = 0, o = 0;
	if (raw == NULL || out == NULL) {
		exit(NOT_SERVED);
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n) {
			int hi = hexval((unsigned char)s[i + 1]), lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0) {
				return NULL;
			}
			raw[r++] = (char)(hi * 16 + lo);
			i += 2;
		}
		else {
			raw[r++] = s[i];
		}
	}
	raw[r] = 0;
	if (memchr(raw, 0, r) != NULL || !utf8(raw)) {
		return NULL;
	}
	for (size_t i = 0; i < r; i++) {
		unsigned char c = (unsigned char)raw[i];
		if ((c < 128 && isalnum(c)) || (c != 0 && strchr("-._~", c) != NULL)) {
			out[o++] = (char)c;
		}
		else {
			o += (size_t)sprintf(out + o, "%%%02X", c);
		}
	}
	out[o] = 0;
	free(raw);
	return out;
}

static int pg_url(const char *c) {
	return strncmp(c, "postgresql://", 13) == 0 || strncmp(c, "postgres://", 11) == 0
			|| strncmp(c, "jdbc:postgresql:", 16) == 0;
}

/*
 * The socket of a PostgreSQL URL: <data home>/pg-<first 8 bytes of SHA-256 of the URL as
 * PostgresUrl.display() writes it, hex>/queue.sock. NULL when unsure: the JVM then answers.
 */
static char *pg_socket(const char *url) {
	const char *rest;
	char *user = NULL;
	if (strncmp(url, "jdbc:postgresql:", 16) == 0) {
		rest = url + 16;
		if (strncmp(rest, "//", 2) != 0) {
			return NULL;
		}
		rest += 2;
	}
	else {
		rest = strstr(url, "://") + 3;
		const char *slash = strchr(rest, '/');
		const char *end = slash ? slash : rest + strlen(rest);
		const char *at = NULL;
		for (const char *p = rest; p < end; p++) {
			if (*p == '@') {
				at = p;
			}
		}
		if (at != NULL) {
			const char *colon = memchr(rest, ':', (size_t)(at - rest));
			user = reencode(rest, (size_t)((colon ? colon : at) - rest));
			if (user == NULL) {
				return NULL;
			}
			rest = at + 1;
		}
	}
	const char *q = strchr(rest, '?');
	size_t main_len = q ? (size_t)(q - rest) : strlen(rest);
	const char *slash = memchr(rest, '/', main_len);
	size_t hp_len = slash ? (size_t)(slash - rest) : main_len;
	char *host_port;
	if (hp_len == 0) {
		host_port = dup_or_die("localhost:5432");
	}
	else {
		host_port = strndup(rest, hp_len);
		char *last_colon = strrchr(host_port, ':');
		if (last_colon == NULL || host_port[hp_len - 1] == ']') {
			char *with;
			if (asprintf(&with, "%s:5432", host_port) < 0) {
				exit(NOT_SERVED);
			}
			host_port = with;
		}
	}
	if (slash == NULL || (size_t)(slash - rest) + 1 >= main_len) {
		return NULL; /* no database: the application says so */
	}
	char *database = reencode(slash + 1, main_len - (size_t)(slash - rest) - 1);
	if (database == NULL) {
		return NULL;
	}
	/* parameters: user= and password= taken out, the others kept as written, in order */
	char *others = dup_or_die("");
	if (q != NULL) {
		char *params = dup_or_die(q + 1), *save = NULL;
		for (char *p = strtok_r(params, "&", &save); p; p = strtok_r(NULL, "&", &save)) {
			char *eq = strchr(p, '=');
			size_t key_len = eq ? (size_t)(eq - p) : strlen(p);
			if (key_len == 4 && strncmp(p, "user", 4) == 0) {
				user = eq ? reencode(eq + 1, strlen(eq + 1)) : dup_or_die("");
				if (user == NULL) {
					return NULL;
				}
			}
			else if (!(key_len == 8 && strncmp(p, "password", 8) == 0)) {
				char *more;
				if (asprintf(&more, "%s%s%s", others, others[0] ? "&" : "?", p) < 0) {
					exit(NOT_SERVED);
				}
				others = more;
			}
		}
	}
	if (user == NULL || user[0] == 0) {
		const char *env = getenv("PGUSER");
		if (env == NULL || blank(env)) {
			struct passwd *pw = getpwuid(getuid());
			env = pw != NULL ? pw->pw_name : NULL;
		}
		/* reencode decodes %XX, Java does not for PGUSER: only without one is this the same */
		if (env == NULL || strchr(env, '%') != NULL || (user = reencode(env, strlen(env))) == NULL) {
			return NULL;
		}
	}
	char *display, hex[17], *socket_path;
	if (asprintf(&display, "postgresql://%s@%s/%s%s", user, host_port, database, others) < 0) {
		exit(NOT_SERVED);
	}
	sha256_prefix(display, hex);
	const char *xdg = getenv("XDG_DATA_HOME");
	int r = (xdg != NULL && !blank(xdg)) ? asprintf(&socket_path, "%s/queuectl/pg-%s/queue.sock", xdg, hex)
			: asprintf(&socket_path, "%s/.local/share/queuectl/pg-%s/queue.sock", home_dir(), hex);
	return r < 0 ? NULL : socket_path;
}

/* ---- the connection --------------------------------------------------------------------------- */

/* Reads exactly n bytes; before the deadline (0: none). 0 ok, -1 EOF or error, -2 timed out. */
static int read_full(void *buf, size_t n, long long deadline) {
	char *p = buf;
	while (n > 0) {
		if (caught) {
			die_of_signal();
		}
		if (deadline) {
			long long left = deadline - now_ms();
			if (left <= 0) {
				return -2;
			}
			struct pollfd pfd = { sock, POLLIN, 0 };
			int r = poll(&pfd, 1, (int)left);
			if (r < 0 && errno == EINTR) {
				continue;
			}
			if (r == 0) {
				return -2;
			}
		}
		ssize_t r = read(sock, p, n);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int write_fd(int fd, const void *buf, size_t n) {
	const char *p = buf;
	while (n > 0) {
		if (caught) {
			die_of_signal();
		}
		ssize_t r = write(fd, p, n);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

struct buf {
	char *b;
	size_t n, cap;
};

static void put(struct buf *b, const void *p, size_t n) {
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 256;
		b->b = realloc(b->b, b->cap);
		if (b->b == NULL) {
			exit(NOT_SERVED);
		}
	}
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void put_int(struct buf *b, uint32_t v) {
	unsigned char x[4] = { v >> 24, v >> 16, v >> 8, v };
	put(b, x, 4);
}

static void put_str(struct buf *b, const char *s) {
	put_int(b, (uint32_t)strlen(s));
	put(b, s, strlen(s));
}

static uint32_t get_int(const unsigned char *x) {
	return (uint32_t)x[0] << 24 | (uint32_t)x[1] << 16 | (uint32_t)x[2] << 8 | x[3];
}

static void request(struct buf *b, char **words, int n, int stdin_flag) {
	char cwd[8192];
	put_int(b, MAGIC);
	put_str(b, getcwd(cwd, sizeof cwd) ? cwd : "/");
	put_int(b, (uint32_t)n);
	for (int i = 0; i < n; i++) {
		put_str(b, words[i]);
	}
	unsigned char f = (unsigned char)stdin_flag;
	put(b, &f, 1);
}

/*
 * Reads one frame of the answer and copies it out (its type already read when first >= 0).
 * Returns the exit code after the EXIT frame or a failure, else -1.
 */
static int frame(int first) {
	static char chunk[64 << 10];
	unsigned char t;
	if (first >= 0) {
		t = (unsigned char)first;
	}
	else if (read_full(&t, 1, 0) != 0) {
		goto gone;
	}
	unsigned char len[4];
	if (read_full(len, 4, 0) != 0) {
		goto gone;
	}
	uint32_t n = get_int(len);
	if (t == T_EXIT) {
		return (int)(n & 0xff);
	}
	int fd = t == T_ERR ? 2 : 1;
	while (n > 0) {
		size_t k = n < sizeof chunk ? n : sizeof chunk;
		if (read_full(chunk, k, 0) != 0) {
			goto gone;
		}
		if (write_fd(fd, chunk, k) != 0) {
			fprintf(stderr, "queuectl: %s\n", strerror(errno));
			return 1;
		}
		n -= (uint32_t)k;
	}
	return -1;
gone:
	fputs("queuectl: the serving process went away before answering\n", stderr);
	return 1;
}

/* Reads the answer's frames to its EXIT (the first frame's type already read when first >= 0). */
static int answer(int first) {
	int code;
	while ((code = frame(first)) < 0) {
		first = -1;
	}
	return code;
}

/* Sends stdin as frames and the end frame while copying out what the server answers meanwhile. */
static int with_stdin(void) {
	static char in[MAX_FRAME];
	int stdin_open = 1;
	for (;;) {
		struct pollfd p[2] = { { sock, POLLIN, 0 }, { 0, POLLIN, 0 } };
		int r = poll(p, stdin_open ? 2 : 1, -1);
		if (caught) {
			die_of_signal();
		}
		if (r < 0) {
			if (errno == EINTR) {
				continue;
			}
			return answer(-1);
		}
		if (p[0].revents) {
			int code = frame(-1);
			if (code >= 0) {
				return code;
			}
			continue;
		}
		if (stdin_open && p[1].revents) {
			ssize_t n = read(0, in, sizeof in);
			if (n < 0 && errno == EINTR) {
				continue;
			}
			if (n < 0) {
				n = 0; /* unreadable stdin ends like an empty one, as in the JVM client */
			}
			unsigned char len[4] = { (unsigned char)(n >> 24), (unsigned char)(n >> 16), (unsigned char)(n >> 8),
					(unsigned char)n };
			if (write_fd(sock, len, 4) != 0 || (n > 0 && write_fd(sock, in, (size_t)n) != 0)) {
				return answer(-1); /* it answered already, or went away: the answer says which */
			}
			if (n == 0) {
				shutdown(sock, SHUT_WR);
				stdin_open = 0;
			}
		}
	}
}

/* Asks a background server of another build to exit; waits for it to answer (a second at most). */
static void stop_server(void) {
	struct buf b = { 0 };
	char *words[] = { "server", "stop" };
	request(&b, words, 2, 0);
	if (write_fd(sock, b.b, b.n) == 0) {
		char drain[512];
		long long deadline = now_ms() + HELLO_TIMEOUT_MS;
		while (read_full(drain, 1, deadline) == 0) {
		}
	}
	free(b.b);
}

int main(int argc, char **argv) {
	if (argc < 2) {
		fputs("usage: queuectl-client BUILD-ID [--db PATH] WORD...\n", stderr);
		return 2;
	}
	const char *build = argv[1];
	const char *db = NULL;
	char **words = calloc((size_t)argc, sizeof(char *));
	int n = 0;
	if (words == NULL) {
		return NOT_SERVED;
	}
	for (int i = 2; i < argc; i++) {
		if (!utf8(argv[i])) {
			return NOT_SERVED; /* the application refuses it, in its words */
		}
		if (n == 0 && strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			db = argv[++i];
		}
		else if (n == 0 && strncmp(argv[i], "--db=", 5) == 0) {
			db = argv[i] + 5;
		}
		else if (n == 0 && argv[i][0] == '-') {
			return NOT_SERVED; /* --debug, --version, --help: the application answers */
		}
		else {
			words[n++] = argv[i];
		}
	}
	if (n == 0) {
		return NOT_SERVED;
	}
	char *config = NULL;
	if (db == NULL) {
		db = getenv("QUEUECTL_DB");
	}
	if (db == NULL) {
		db = config = configured_db();
	}
	char *socket_path;
	char *trimmed = db != NULL ? trim(dup_or_die(db)) : NULL;
	if (trimmed != NULL && pg_url(trimmed)) {
		socket_path = pg_socket(trimmed);
		if (socket_path == NULL) {
			return NOT_SERVED;
		}
	}
	else {
		char *file = resolve_db(db);
		char *slash = strrchr(file, '/');
		if (slash == NULL || slash[1] == 0) {
			return NOT_SERVED;
		}
		if (asprintf(&socket_path, "%s.sock", file) < 0) {
			return NOT_SERVED;
		}
	}
	free(config);
	struct stat st;
	if (stat(socket_path, &st) != 0) {
		return NOT_SERVED;
	}
	if (st.st_uid != getuid()) {
		fprintf(stderr, "queuectl: %s belongs to another user (uid %u); refusing to send commands there\n", socket_path,
				(unsigned)st.st_uid);
		return 1;
	}
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(socket_path) >= sizeof addr.sun_path) {
		return NOT_SERVED; /* the JVM client says why */
	}
	strcpy(addr.sun_path, socket_path);

	struct sigaction sa = { 0 };
	sa.sa_handler = on_signal; /* no SA_RESTART: a blocked read returns and the flag is seen */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	long long deadline = now_ms() + HELLO_TIMEOUT_MS;
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (sock < 0) {
		return NOT_SERVED;
	}
	if (connect(sock, (struct sockaddr *)&addr, sizeof addr) != 0) {
		if (errno != EINPROGRESS && errno != EAGAIN) {
			return NOT_SERVED;
		}
		struct pollfd pfd = { sock, POLLOUT, 0 };
		long long left = deadline - now_ms();
		int err = 0;
		socklen_t len = sizeof err;
		if (left <= 0 || poll(&pfd, 1, (int)left) != 1 || getsockopt(sock, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
			return NOT_SERVED;
		}
	}
	fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) & ~O_NONBLOCK);

	/* HELLO within a second, before anything is sent: else the launcher runs the command */
	unsigned char t;
	if (read_full(&t, 1, deadline) != 0) {
		return NOT_SERVED;
	}
	if (t != T_HELLO) {
		return answer(t); /* refused: the answer says why */
	}
	unsigned char len[4];
	if (read_full(len, 4, deadline) != 0) {
		return NOT_SERVED;
	}
	uint32_t hn = get_int(len);
	if (hn > 4096) {
		return NOT_SERVED;
	}
	char hello[4097];
	if (read_full(hello, hn, deadline) != 0) {
		return NOT_SERVED;
	}
	hello[hn] = 0;
	if (strncmp(hello, "server ", 7) == 0 && build[0] && hello[7] && strcmp(hello + 7, build) != 0) {
		stop_server(); /* a background server of another build: never used */
		return NOT_SERVED;
	}

	int stdin_flag = 0;
	if (strcmp(words[0], "enqueue") == 0) {
		for (int i = 1; i < n; i++) {
			if (strcmp(words[i], "-") == 0) {
				stdin_flag = 1;
			}
		}
	}
	struct buf b = { 0 };
	request(&b, words, n, stdin_flag);
	if (write_fd(sock, b.b, b.n) != 0) {
		return answer(-1);
	}
	free(b.b);
	return stdin_flag ? with_stdin() : answer(-1);
}
