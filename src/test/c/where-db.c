/*
 * Test-only: prints where the native client finds the database (db_socket in
 * src/main/c/client-config.c, built from the same source files), one line: the socket's path, or
 * "refused". DatabasePlaceTest runs it, and the JVM's twin, through one table of cases; the build
 * makes it as target/queuectl-where-db. Usage: queuectl-where-db [--db VALUE]
 */
#include "client.h"

int main(int argc, char **argv) {
	const char *flag = argc > 2 && strcmp(argv[1], "--db") == 0 ? argv[2] : NULL;
	char *socket_path = db_socket(flag);
	puts(socket_path != NULL ? socket_path : "refused");
	return 0;
}
