/* queuectl's native client: the connection, dev.queuectl.server.Wire's protocol, and the signals. */
#include "client.h"

int sock = -1;
volatile sig_atomic_t caught;

/* ---- the clock and the signals ---------------------------------------------------------------- */

long long now_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void on_signal(int sig) {
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

/* ---- the connection --------------------------------------------------------------------------- */

/* Reads exactly n bytes; before the deadline (0: none). 0 ok, -1 EOF or error, -2 timed out. */
int read_full(void *buf, size_t n, long long deadline) {
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

int write_fd(int fd, const void *buf, size_t n) {
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

void put(struct buf *b, const void *p, size_t n) {
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 256;
		b->b = realloc(b->b, b->cap);
		if (b->b == NULL) {
			not_served();
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

uint32_t get_int(const unsigned char *x) {
	return (uint32_t)x[0] << 24 | (uint32_t)x[1] << 16 | (uint32_t)x[2] << 8 | x[3];
}

/* The request: the words, and the caller's PASSED_VARIABLES that are set (its trace context). */
void request(struct buf *b, char **words, int n, int stdin_flag) {
	static const char *const passed[] = { PASSED_VARIABLES };
	_Static_assert(sizeof passed / sizeof *passed <= MAX_VARIABLES, "more PASSED_VARIABLES than MAX_VARIABLES");
	char cwd[8192];
	put_int(b, MAGIC);
	put_str(b, getcwd(cwd, sizeof cwd) ? cwd : "/");
	put_int(b, (uint32_t)n);
	for (int i = 0; i < n; i++) {
		put_str(b, words[i]);
	}
	uint32_t count = 0;
	for (size_t i = 0; i < sizeof passed / sizeof *passed; i++) {
		const char *v = getenv(passed[i]);
		count += v != NULL && *v;
	}
	unsigned char f = (unsigned char)((stdin_flag ? STDIN_FLAG : 0) | (count ? VARIABLES_FLAG : 0));
	put(b, &f, 1);
	if (count) {
		put_int(b, count);
		for (size_t i = 0; i < sizeof passed / sizeof *passed; i++) {
			const char *v = getenv(passed[i]);
			if (v != NULL && *v) {
				put_str(b, passed[i]);
				put_str(b, v);
			}
		}
	}
}

/*
 * Reads one frame of the answer and copies it out (its type already read when first >= 0).
 * Returns the exit code after the EXIT frame or a failure, else -1.
 */
static int frame(int first) {
	static char chunk[MAX_FRAME];
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
int answer(int first) {
	int code;
	while ((code = frame(first)) < 0) {
		first = -1;
	}
	return code;
}

/* Sends stdin as frames and the end frame while copying out what the server answers meanwhile. */
int with_stdin(void) {
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
void stop_server(void) {
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
