/* queuectl's native client: the socket of a PostgreSQL URL, as dev.queuectl.store.PostgresUrl names it. */
#include "client.h"

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

/* PostgresUrl.decode: %XX decoded (NUL-free UTF-8 only). NULL: let Java tell. */
static char *decode(const char *s, size_t n) {
	char *raw = malloc(n + 1);
	size_t r = 0;
	if (raw == NULL) {
		exit(NOT_SERVED);
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n) {
			int hi = hexval((unsigned char)s[i + 1]), lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0) {
				free(raw);
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
		free(raw);
		return NULL;
	}
	return raw;
}

/* PostgresUrl.encode: all but ASCII letters, digits and -._~ as %XX. */
static char *encode(const char *raw) {
	size_t r = strlen(raw), o = 0;
	char *out = malloc(3 * r + 1);
	if (out == NULL) {
		exit(NOT_SERVED);
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
	return out;
}

struct pg_target postgres;

int pg_url(const char *c) {
	return strncmp(c, "postgresql://", 13) == 0 || strncmp(c, "postgres://", 11) == 0
			|| strncmp(c, "jdbc:postgresql:", 16) == 0;
}

/*
 * Reads a PostgreSQL URL once, as PostgresUrl does, for two callers: returns its command socket,
 * <data home>/pg-<first 8 bytes of SHA-256 of the URL as PostgresUrl.display() writes it, hex>/queue.sock
 * (NULL when unsure: the JVM then answers), and fills `postgres`, the server to connect to
 * (client-direct.c's; usable when sure).
 */
char *pg_parse_url(const char *url) {
	const char *rest;
	char *user = NULL, *password = NULL;
	memset(&postgres, 0, sizeof postgres);
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
			user = decode(rest, (size_t)((colon ? colon : at) - rest));
			password = colon != NULL ? decode(colon + 1, (size_t)(at - colon - 1)) : NULL;
			if (user == NULL || (colon != NULL && password == NULL)) {
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
	char *database = decode(slash + 1, main_len - (size_t)(slash - rest) - 1);
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
			char *value = eq ? decode(eq + 1, strlen(eq + 1)) : dup_or_die("");
			if (value == NULL && ((key_len == 4 && strncmp(p, "user", 4) == 0) || (key_len == 8 && strncmp(p, "password", 8) == 0))) {
				return NULL;
			}
			if (key_len == 4 && strncmp(p, "user", 4) == 0) {
				user = value;
			}
			else if (key_len == 8 && strncmp(p, "password", 8) == 0) {
				password = value;
			}
			else {
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
		/* decode decodes %XX, Java does not for PGUSER: only without one is this the same */
		if (env == NULL || strchr(env, '%') != NULL || (user = decode(env, strlen(env))) == NULL) {
			return NULL;
		}
	}
	if (password == NULL) {
		const char *env = getenv("PGPASSWORD");
		password = env != NULL && env[0] != 0 ? dup_or_die(env) : NULL;
	}
	char *display, hex[17], *socket_path, *user_text = encode(user), *database_text = encode(database);
	if (asprintf(&display, "postgresql://%s@%s/%s%s", user_text, host_port, database_text, others) < 0) {
		exit(NOT_SERVED);
	}
	sha256_prefix(display, hex);
	char *home = data_home();
	int r = asprintf(&socket_path, "%s/pg-%s/queue.sock", home, hex);
	free(home);
	/* one host (not [v6], not a list), a port in digits, no parameter the JVM's driver reads */
	char *colon = strrchr(host_port, ':');
	*colon = 0;
	char *port = colon + 1;
	postgres.usable = others[0] == 0 && host_port[0] != '[' && strchr(host_port, ',') == NULL && port[0] != 0
			&& strspn(port, "0123456789") == strlen(port) && strlen(port) <= 5;
	postgres.host = host_port;
	postgres.port = port;
	postgres.dbname = database;
	postgres.user = user;
	postgres.password = password;
	return r < 0 ? NULL : socket_path;
}
