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
 * - sends the words, the working directory, the caller's TRACEPARENT and TRACESTATE when set (a
 *   served enqueue continues that trace) and, for `enqueue -`, standard input in frames closed by
 *   an end frame (protocol: src/main/java/dev/queuectl/server/Wire.java);
 * - copies OUT and ERR frames to stdout and stderr, and exits with the EXIT frame's code;
 * - on SIGINT, SIGTERM or SIGHUP closes the connection (a cut-off `enqueue -` stores nothing) and
 *   dies of that signal; and gets SIGTERM when the launcher that waits for it dies (killed itself).
 *
 * Exit code 125 means nothing serves the command (or this client cannot tell where): the launcher
 * then runs it in a JVM. Usage: queuectl-client BUILD-ID [--db PATH] WORD...
 *
 * As bin/queuectl's front door (`queuectl-client --launcher LAUNCHER ARG...`, client-door.c) it
 * finds the build id itself, and where it would exit 125 it execs the launcher instead. In a
 * release it is bin/queuectl itself, the launcher lib/queuectl (front_launcher in client-door.c).
 *
 * This file holds main; client.h lists the other parts (the database's place, a PostgreSQL URL's
 * socket, the wire) and the wire constants.
 */
#include "client.h"
#ifdef __linux__
#include <sys/prctl.h>
#endif

/*
 * Inside a job, `progress ...` and `result set ...` mean that job: --job QUEUECTL_JOB_ID and
 * --attempt QUEUECTL_ATTEMPT go after the command's words unless the caller named a --job
 * (dev.queuectl.server.JobWords does the same for the JVM). Returns the words to send.
 */
static char **with_job(char **words, int *n) {
	int at = 0;
	if (*n >= 1 && strcmp(words[0], "progress") == 0) {
		at = 1;
	}
	else if (*n >= 2 && strcmp(words[0], "result") == 0 && strcmp(words[1], "set") == 0) {
		at = 2;
	}
	const char *id = getenv("QUEUECTL_JOB_ID");
	const char *attempt = getenv("QUEUECTL_ATTEMPT");
	if (at == 0 || id == NULL || !*id) {
		return words;
	}
	for (int i = 0; i < *n; i++) {
		if (strcmp(words[i], "--job") == 0 || strncmp(words[i], "--job=", 6) == 0) {
			return words;
		}
	}
	char **added = calloc((size_t)*n + 5, sizeof(char *));
	if (added == NULL) {
		return words;
	}
	int k = 0;
	for (int i = 0; i < at; i++) {
		added[k++] = words[i];
	}
	added[k++] = "--job";
	added[k++] = (char *)id;
	if (attempt != NULL && *attempt) {
		added[k++] = "--attempt";
		added[k++] = (char *)attempt;
	}
	for (int i = at; i < *n; i++) {
		added[k++] = words[i];
	}
	*n = k;
	return added;
}

/*
 * enqueue --env NAME (and add's, before its --) copies the caller's own value: --env NAME=VALUE
 * when NAME is set here (else left bare, and the command refuses it), as
 * dev.queuectl.server.JobWords.callersValues does.
 */
static void callers_values(char **words, int n) {
	if (n < 1 || (strcmp(words[0], "enqueue") != 0 && strcmp(words[0], "add") != 0)) {
		return;
	}
	for (int i = 1; i < n; i++) {
		const char *name = NULL;
		int at = i;
		int flag = 0;
		if (strcmp(words[i], "--") == 0) {
			return;
		}
		if (strcmp(words[i], "--env") == 0 && i + 1 < n) {
			at = i + 1;
			name = words[at];
		}
		else if (strncmp(words[i], "--env=", 6) == 0) {
			name = words[i] + 6;
			flag = 1;
		}
		const char *value = name != NULL && strchr(name, '=') == NULL ? getenv(name) : NULL;
		if (value != NULL) {
			size_t len = strlen(name) + strlen(value) + 8;
			char *w = malloc(len);
			if (w != NULL) {
				snprintf(w, len, "%s%s=%s", flag ? "--env=" : "", name, value);
				words[at] = w;
			}
		}
		i = at;
	}
}

/* The client proper: the arguments from argv[first] on; returns the exit code (NOT_SERVED: go on). */
static int run(const char *build, int first, int argc, char **argv) {
	const char *db = NULL;
	char **words = calloc((size_t)argc, sizeof(char *));
	int n = 0;
	if (words == NULL) {
		return NOT_SERVED;
	}
	for (int i = first; i < argc; i++) {
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
	char *socket_path = db_socket(db);
	if (socket_path == NULL) {
		return NOT_SERVED;
	}
	struct stat st;
	if (stat(socket_path, &st) != 0) {
		return direct(argv, first, argc, words, n); /* no server: maybe the database answers */
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
#ifdef __linux__
	/* bin/queuectl waits for this client in the foreground, and a bash waiting for a child dies of
	   SIGTERM or SIGHUP at once but runs no trap until the child ends: so when the launcher that
	   names itself (QUEUECTL_LAUNCHER, its pid) is our parent, its death is our SIGTERM. */
	const char *launcher = getenv("QUEUECTL_LAUNCHER");
	if (launcher != NULL && atol(launcher) == (long)getppid()) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (atol(launcher) != (long)getppid()) {
			return 143; /* it died before the line above: nobody waits for the answer */
		}
	}
#endif

	long long deadline = now_ms() + HELLO_TIMEOUT_MS;
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (sock < 0) {
		return NOT_SERVED;
	}
	if (connect(sock, (struct sockaddr *)&addr, sizeof addr) != 0) {
		if (errno != EINPROGRESS && errno != EAGAIN) {
			close(sock);
			sock = -1;
			return direct(argv, first, argc, words, n); /* a server gone, its socket left */
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
		close(sock);
		sock = -1;
		return direct(argv, first, argc, words, n); /* no HELLO: nothing sent yet */
	}
	if (t != T_HELLO) {
		return answer(t); /* refused: the answer says why */
	}
	unsigned char len[4];
	if (read_full(len, 4, deadline) != 0) {
		return NOT_SERVED;
	}
	uint32_t hn = get_int(len);
	if (hn > MAX_HELLO) {
		return NOT_SERVED;
	}
	char hello[MAX_HELLO + 1];
	if (read_full(hello, hn, deadline) != 0) {
		return NOT_SERVED;
	}
	hello[hn] = 0;
	if (strncmp(hello, "server ", 7) == 0 && build[0] && hello[7] && strcmp(hello + 7, build) != 0) {
		stop_server(); /* a background server of another build: never used */
		return NOT_SERVED;
	}

	words = with_job(words, &n);
	callers_values(words, n);
	int stdin_flag = 0;
	if (strcmp(words[0], "enqueue") == 0 || (n > 1 && strcmp(words[0], "result") == 0 && strcmp(words[1], "set") == 0)) {
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

int main(int argc, char **argv) {
	char **front = argc >= 2 && strcmp(argv[1], "--launcher") == 0 ? NULL : front_launcher(argc, argv);
	if (front != NULL) { /* a release's bin/queuectl, for a command its door answers */
		argv = front;
		argc += 2;
	}
	if (argc >= 3 && strcmp(argv[1], "--launcher") == 0) {
		int rc = run(door(argv), 3, argc, argv);
		if (rc == NOT_SERVED) {
			not_served(); /* hands over to the launcher */
		}
		return rc;
	}
	if (argc < 2) {
		fputs("usage: queuectl-client BUILD-ID [--db PATH] WORD...\n", stderr);
		fputs("       queuectl-client --launcher LAUNCHER ARG... (bin/queuectl's front door)\n", stderr);
		return 2;
	}
	return run(argv[1], 2, argc, argv);
}
