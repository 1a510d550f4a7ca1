/*
 * The native client's parts (client.c says what the client does), each in its own file around this
 * header:
 *
 * - client-config.c: where the database is (--db, QUEUECTL_DB, the configuration files, the default
 *   path), decided in db_socket alone, with the Java string rules it needs;
 * - client-pg.c: a PostgreSQL URL's socket, named as dev.queuectl.store.PostgresUrl names it;
 * - client-db.c: SQLite and PostgreSQL behind one small interface, loaded at run time;
 * - client-wire.c: the connection and the protocol of dev.queuectl.server.Wire, and the signals;
 * - client-direct.c: a command answered from the database itself when nothing serves it (its
 *   opening comment says which and when; otherwise the JVM answers, as before);
 * - client-door.c: the launcher's front door (`--launcher`: the build id without the bash launcher,
 *   and the hand-over back to it), and a release's bin/queuectl itself (front_launcher);
 * - client.c: main, which puts them together.
 *
 * The wire constants below are Wire's, byte for byte; WireConstantsTest fails when they differ.
 */
#ifndef QUEUECTL_CLIENT_H
#define QUEUECTL_CLIENT_H

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

/* Main.NOT_SERVED: nothing serves the command, the launcher runs it in a JVM */
#define NOT_SERVED 125

/* dev.queuectl.server.Wire's constants, under the same names (the frame types with T_) */
#define MAGIC 0x51434C34u
#define T_EXIT 0
#define T_OUT 1
#define T_ERR 2
#define T_HELLO 3
#define HELLO_TIMEOUT_MS 1000
#define MAX_HELLO 4096
#define MAX_FRAME (64 << 10)
#define STDIN_FLAG 1
#define VARIABLES_FLAG 2
#define MAX_VARIABLES 2
/* the caller's variables passed with a request, only when set (its trace context) */
#define PASSED_VARIABLES "TRACEPARENT", "TRACESTATE"

/* ---- client-config.c: where the database is ----------------------------------------------- */

char *dup_or_die(const char *s);
char *trim(char *s);
int blank(const char *s);
const char *home_dir(void);
int utf8(const char *s);
char *data_home(void);
char *db_socket(const char *flag);
char *project_dir(void);
/* the SQLite file db_socket found (NULL: none, or a PostgreSQL URL) */
extern char *sqlite_file;

/* Exits NOT_SERVED, after on_not_served when set (the door hands over to the launcher there). */
extern void (*on_not_served)(void);
_Noreturn void not_served(void);

/* ---- client-pg.c: a PostgreSQL URL, its socket and its server ----------------------------------- */

int pg_url(const char *c);
char *pg_parse_url(const char *url);

/* The server pg_parse_url's URL names, decoded, as the JVM connects to it; usable: nothing in the URL
   beyond host, port, database, user and password (else the JVM's driver may read what libpq would not). */
struct pg_target {
	int usable;
	char *host, *port, *dbname, *user, *password;
};
extern struct pg_target postgres;

/* ---- client-wire.c: the connection ---------------------------------------------------------- */

extern int sock;
extern volatile sig_atomic_t caught;

struct buf {
	char *b;
	size_t n, cap;
};

long long now_ms(void);
void on_signal(int sig);
/* Appends n bytes to b, growing it (exits NOT_SERVED when memory runs out). */
void put(struct buf *b, const void *p, size_t n);
int read_full(void *buf, size_t n, long long deadline);
int write_fd(int fd, const void *buf, size_t n);
uint32_t get_int(const unsigned char *x);
void request(struct buf *b, char **words, int n, int stdin_flag);
int answer(int first);
int with_stdin(void);
void stop_server(void);

/* ---- client-db.c: SQLite or PostgreSQL, for the direct answers -------------------------------- */

/* 1 once db_open_postgres opened PostgreSQL, 0 on SQLite */
extern int db_postgres;
/* Each 0 to decline (no library, no connection, a variable the JVM would not read). */
int db_open_sqlite(const char *file);
int db_open_postgres(const struct pg_target *target);
void db_close(void);
struct rows;
/* A statement with parameters ('t' a const char *, 'i' a long long, in types' order); NULL on failure. */
struct rows *db_query(const char *sql, const char *types, ...);
/* The same with the parameters in an array: each a text, or (text NULL) a number; at most MAX_PARAMS. */
enum { MAX_PARAMS = 64 };
struct param {
	const char *text;
	long long number;
};
struct rows *db_query_params(const char *sql, int n, const struct param *params);
/* 1: at the next row; 0: no more, or a failure (then db_done says 0). */
int db_next(struct rows *r);
const char *db_text(struct rows *r, int column);
long long db_long(struct rows *r, int column);
/* Frees the rows: 1 when reading them failed nowhere (0 for NULL). */
int db_done(struct rows *r);
/* A statement without rows or parameters; 0 on failure. */
int db_exec(const char *sql);

/* ---- client-direct.c: the answer from the database ------------------------------------------- */

/*
 * The command's answer from the database, when nothing serves it: its exit code, having printed
 * the answer; NOT_SERVED, having printed and stored nothing, whenever the JVM must answer. argv
 * from first on: the arguments (for the background server it starts after an answer).
 */
int direct(char **argv, int first, int argc, char **words, int n);

/* ---- client-door.c: the launcher's front door ------------------------------------------------ */

const char *door(char **argv);

/*
 * When this program is a release's bin/queuectl (the release ships the client there, and the bash
 * launcher as lib/queuectl): the argv the door runs with (`PROGRAM --launcher PROJECT/lib/queuectl
 * ARG...`) for a command the launcher's sh lines would send to the door; for any other it execs
 * lib/queuectl at once, as those lines would go on to bash. NULL when this program is not bin/queuectl.
 */
char **front_launcher(int argc, char **argv);

#endif
