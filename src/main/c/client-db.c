/*
 * queuectl's native client: the two databases behind one small interface, for client-direct.c's
 * answers (client.h lists it). SQLite's C library and libpq are loaded at run time (dlopen of
 * libsqlite3.so.0 or libpq.so.5 with the few prototypes below): the build needs no -dev package,
 * and a machine without the library simply declines. Every value is read as text (both libraries
 * give it so; a number is parsed, PostgreSQL's booleans t and f are 1 and 0); parameters are typed
 * ('t' text, 'i' a long long). A statement is written once where the dialects agree: its `?N` and
 * `?` become PostgreSQL's `$N` here; where they differ, client-direct.c holds each dialect's text.
 *
 * SQLite is opened as store/DatabaseConfiguration opens it where it matters (WAL, synchronous
 * FULL, foreign keys); PostgreSQL as its pool connects (application name queuectl), within
 * CONNECT_MS (else the JVM connects, and says why it could not), with no variable of libpq's own
 * that the JVM's driver would not read (db_open_postgres).
 */
#include "client.h"

#include <dlfcn.h>
#include <stdarg.h>

int db_postgres;

/* ---- SQLite ---------------------------------------------------------------------------------- */

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;

enum { SQ_OK = 0, SQ_ROW = 100, SQ_DONE = 101, SQ_OPEN_READWRITE = 0x2, SQ_OPEN_NOMUTEX = 0x8000 };

static struct {
	int (*open_v2)(const char *, sqlite3 **, int, const char *);
	int (*close)(sqlite3 *);
	int (*exec)(sqlite3 *, const char *, void *, void *, char **);
	int (*prepare_v2)(sqlite3 *, const char *, int, sqlite3_stmt **, const char **);
	int (*bind_text)(sqlite3_stmt *, int, const char *, int, void (*)(void *));
	int (*bind_int64)(sqlite3_stmt *, int, long long);
	int (*step)(sqlite3_stmt *);
	int (*finalize)(sqlite3_stmt *);
	const unsigned char *(*column_text)(sqlite3_stmt *, int);
	long long (*column_int64)(sqlite3_stmt *, int);
	int (*busy_timeout)(sqlite3 *, int);
} sq;

/* SQLITE_TRANSIENT: SQLite copies the value */
static void (*const SQ_TRANSIENT)(void *) = (void (*)(void *))-1;

static sqlite3 *lite;

/* ---- libpq ----------------------------------------------------------------------------------- */

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

enum { PG_CONNECTION_BAD = 1, PG_COMMAND_OK = 1, PG_TUPLES_OK = 2 };

/* PostgresPollingStatusType */
enum { PG_POLLING_FAILED = 0, PG_POLLING_READING = 1, PG_POLLING_WRITING = 2, PG_POLLING_OK = 3 };

static struct {
	PGconn *(*connect_start_params)(const char *const *, const char *const *, int);
	int (*connect_poll)(PGconn *);
	int (*socket)(const PGconn *);
	int (*status)(const PGconn *);
	void (*finish)(PGconn *);
	PGresult *(*exec_params)(PGconn *, const char *, int, const void *, const char *const *, const int *, const int *, int);
	int (*result_status)(const PGresult *);
	int (*ntuples)(const PGresult *);
	char *(*getvalue)(const PGresult *, int, int);
	int (*getisnull)(const PGresult *, int, int);
	void (*clear)(PGresult *);
} pq;

static PGconn *pg;

/* dlsym of each name into its slot; 0 when the library or a name is missing. */
static int load(const char *library, void **slots[], const char *const names[], size_t n) {
	void *lib = dlopen(library, RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL) {
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		*slots[i] = dlsym(lib, names[i]);
		if (*slots[i] == NULL) {
			return 0;
		}
	}
	return 1;
}

/* ---- opening --------------------------------------------------------------------------------- */

/* How long a busy SQLite database is waited for before the JVM is left to wait (its 30 s). */
static const int BUSY_MS = 1000;

int db_open_sqlite(const char *file) {
	void **slots[] = { (void **)&sq.open_v2, (void **)&sq.close, (void **)&sq.exec, (void **)&sq.prepare_v2,
		(void **)&sq.bind_text, (void **)&sq.bind_int64, (void **)&sq.step, (void **)&sq.finalize,
		(void **)&sq.column_text, (void **)&sq.column_int64, (void **)&sq.busy_timeout };
	const char *const names[] = { "sqlite3_open_v2", "sqlite3_close", "sqlite3_exec", "sqlite3_prepare_v2",
		"sqlite3_bind_text", "sqlite3_bind_int64", "sqlite3_step", "sqlite3_finalize", "sqlite3_column_text",
		"sqlite3_column_int64", "sqlite3_busy_timeout" };
	if (!load("libsqlite3.so.0", slots, names, sizeof slots / sizeof slots[0])
			|| sq.open_v2(file, &lite, SQ_OPEN_READWRITE | SQ_OPEN_NOMUTEX, NULL) != SQ_OK) {
		return 0;
	}
	db_postgres = 0;
	sq.busy_timeout(lite, BUSY_MS);
	return sq.exec(lite, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=true", NULL, NULL,
				   NULL) == SQ_OK;
}

/*
 * How long a PostgreSQL connection may take before the JVM is left to make it (its own timeouts,
 * its own words): a few ms on this machine, a few hundred over a WAN with TLS.
 */
static const long long CONNECT_MS = 1000;

/* The PG* variables the JVM reads too (PostgresUrl; pgjdbc's password file); libpq reads others that it would not. */
static const char *const PG_VARIABLES[] = { "PGUSER", "PGPASSWORD", "PGPASSFILE", NULL };

extern char **environ;

int db_open_postgres(const struct pg_target *target) {
	for (char **e = environ; *e != NULL; e++) {
		if (strncmp(*e, "PG", 2) == 0) {
			int known = 0;
			for (const char *const *k = PG_VARIABLES; *k != NULL; k++) {
				size_t n = strlen(*k);
				known |= strncmp(*e, *k, n) == 0 && (*e)[n] == '=';
			}
			if (!known) {
				return 0;
			}
		}
	}
	void **slots[] = { (void **)&pq.connect_start_params, (void **)&pq.connect_poll, (void **)&pq.socket,
		(void **)&pq.status, (void **)&pq.finish, (void **)&pq.exec_params, (void **)&pq.result_status,
		(void **)&pq.ntuples, (void **)&pq.getvalue, (void **)&pq.getisnull, (void **)&pq.clear };
	const char *const names[] = { "PQconnectStartParams", "PQconnectPoll", "PQsocket", "PQstatus", "PQfinish",
		"PQexecParams", "PQresultStatus", "PQntuples", "PQgetvalue", "PQgetisnull", "PQclear" };
	if (!target->usable || !load("libpq.so.5", slots, names, sizeof slots / sizeof slots[0])) {
		return 0;
	}
	/* DatabaseConfiguration.postgres: its pool's name; no GSSAPI try (pgjdbc's only with credentials) */
	const char *keys[] = { "host", "port", "dbname", "user", "application_name", "connect_timeout", "gssencmode",
		"options", target->password != NULL ? "password" : NULL, NULL };
	const char *values[] = { target->host, target->port, target->dbname, target->user, "queuectl", "2", "disable",
		/* a lock or a slow statement: declined, the JVM waits */
		"-c lock_timeout=1000 -c statement_timeout=5000", target->password, NULL };
	/* connected within CONNECT_MS or declined: a server that never answers costs the JVM's path this, no more */
	pg = pq.connect_start_params(keys, values, 0);
	if (pg == NULL || pq.status(pg) == PG_CONNECTION_BAD) {
		return 0;
	}
	long long deadline = now_ms() + CONNECT_MS;
	int polled = PG_POLLING_WRITING;
	while (polled != PG_POLLING_OK) {
		long long left = deadline - now_ms();
		struct pollfd p = { pq.socket(pg), polled == PG_POLLING_READING ? POLLIN : POLLOUT, 0 };
		if (polled == PG_POLLING_FAILED || p.fd < 0 || left <= 0 || poll(&p, 1, (int)left) != 1) {
			return 0;
		}
		polled = pq.connect_poll(pg);
	}
	db_postgres = 1;
	return 1;
}

void db_close(void) {
	if (lite != NULL) {
		sq.close(lite);
		lite = NULL;
	}
	if (pg != NULL) {
		pq.finish(pg);
		pg = NULL;
	}
}

/* ---- statements ------------------------------------------------------------------------------ */

struct rows {
	sqlite3_stmt *st;
	PGresult *res;
	int row, failed;
};

/* The statement in PostgreSQL's words: ?N as $N, each bare ? as the next $N. */
static char *postgres_text(const char *sql) {
	struct buf out = { 0 };
	int next = 0;
	for (const char *p = sql; *p; p++) {
		if (*p != '?') {
			put(&out, p, 1);
			continue;
		}
		char number[16];
		if (isdigit((unsigned char)p[1])) {
			put(&out, "$", 1);
			continue;
		}
		snprintf(number, sizeof number, "$%d", ++next);
		put(&out, number, strlen(number));
	}
	put(&out, "", 1);
	return out.b;
}

struct rows *db_query(const char *sql, const char *types, ...) {
	struct param params[MAX_PARAMS];
	int n = (int)strlen(types);
	if (n > MAX_PARAMS) {
		return NULL;
	}
	va_list args;
	va_start(args, types);
	for (int i = 0; i < n; i++) {
		params[i].text = types[i] == 'i' ? NULL : va_arg(args, const char *);
		params[i].number = types[i] == 'i' ? va_arg(args, long long) : 0;
	}
	va_end(args);
	return db_query_params(sql, n, params);
}

struct rows *db_query_params(const char *sql, int n, const struct param *params) {
	struct rows *r = calloc(1, sizeof *r);
	if (r == NULL) {
		not_served();
	}
	r->row = -1;
	if (n > MAX_PARAMS) {
		db_done(r);
		return NULL;
	}
	if (!db_postgres) {
		int ok = sq.prepare_v2(lite, sql, -1, &r->st, NULL) == SQ_OK;
		for (int i = 0; i < n && ok; i++) {
			ok = (params[i].text == NULL ? sq.bind_int64(r->st, i + 1, params[i].number)
										 : sq.bind_text(r->st, i + 1, params[i].text, -1, SQ_TRANSIENT)) == SQ_OK;
		}
		if (!ok) {
			db_done(r);
			return NULL;
		}
		return r;
	}
	char numbers[MAX_PARAMS][24];
	const char *values[MAX_PARAMS];
	for (int i = 0; i < n; i++) {
		snprintf(numbers[i], sizeof numbers[i], "%lld", params[i].number);
		values[i] = params[i].text != NULL ? params[i].text : numbers[i];
	}
	char *text = postgres_text(sql);
	r->res = pq.exec_params(pg, text, n, NULL, values, NULL, NULL, 0);
	free(text);
	int status = r->res != NULL ? pq.result_status(r->res) : -1;
	if (status != PG_TUPLES_OK && status != PG_COMMAND_OK) {
		db_done(r);
		return NULL;
	}
	return r;
}

int db_next(struct rows *r) {
	if (r->failed) {
		return 0;
	}
	if (r->st != NULL) {
		int rc = sq.step(r->st);
		r->failed = rc != SQ_ROW && rc != SQ_DONE;
		return rc == SQ_ROW;
	}
	if (r->row + 1 >= pq.ntuples(r->res)) {
		return 0;
	}
	r->row++;
	return 1;
}

const char *db_text(struct rows *r, int column) {
	if (r->st != NULL) {
		return (const char *)sq.column_text(r->st, column);
	}
	return pq.getisnull(r->res, r->row, column) ? NULL : pq.getvalue(r->res, r->row, column);
}

long long db_long(struct rows *r, int column) {
	if (r->st != NULL) {
		return sq.column_int64(r->st, column);
	}
	const char *v = db_text(r, column);
	return v == NULL ? 0 : strcmp(v, "t") == 0 ? 1 : strcmp(v, "f") == 0 ? 0 : strtoll(v, NULL, 10);
}

int db_done(struct rows *r) {
	if (r == NULL) {
		return 0;
	}
	int ok = !r->failed;
	if (r->st != NULL) {
		sq.finalize(r->st);
	}
	if (r->res != NULL) {
		pq.clear(r->res);
	}
	free(r);
	return ok;
}

int db_exec(const char *sql) {
	if (!db_postgres) {
		return sq.exec(lite, sql, NULL, NULL, NULL) == SQ_OK;
	}
	return db_done(db_query(sql, ""));
}
