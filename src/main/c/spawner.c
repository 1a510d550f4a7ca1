/*
 * queuectl-spawner: starts one job at a time for a worker slot, like spawner.sh (the bash
 * version used where this could not be compiled) and with the same protocol, but from a process
 * small enough that starting a job costs what `xargs` pays: posix_spawn (vfork + exec of sh).
 *
 * Reads requests of three fields on stdin, each its length in bytes (decimal), a newline and
 * exactly that many bytes: an end marker, a directory, a command. Lengths, not delimiters, end the
 * fields, so no text in a command can shift the framing. A field holding a NUL byte cannot be a C
 * string: the request is answered "refused" and the marker, and nothing runs. A malformed length
 * means the stream cannot be trusted: the program exits 65. For each good request it it runs `sh -c COMMAND` in that directory as the leader of a new process group, with
 * stdin from /dev/null and stdout and stderr on this program's stdout. It reports "pid N" on
 * stderr, then "exit N" (128 + signal when a signal ended it), terminates whatever the job left
 * running in its group and writes the marker on stdout, which ends the job's output. A directory
 * it cannot enter gets "nodir" and the marker.
 *
 * If its input closes while a job runs, the worker host is gone (killed, crashed): the job is
 * killed with its group, since its lease will expire and another worker will run it, and a job
 * must never run twice at once. So is it when this program gets SIGTERM or SIGHUP: its worker
 * would count the job as failed and run it again. End of input while idle is a normal stop.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int child_pipe[2] = {-1, -1}; /* written by the SIGCHLD handler: wakes poll() */

static void on_child(int sig) {
	(void)sig;
	int saved = errno;
	(void)!write(child_pipe[1], "", 1);
	errno = saved;
}

static void on_interrupt(int sig) {
	(void)sig; /* caught, not ignored: jobs start with the default action again */
}

static volatile sig_atomic_t terminated; /* SIGTERM or SIGHUP: kill the job, then die of it */

static void on_terminate(int sig) {
	terminated = sig;
	on_child(sig);
}

static void die_of_signal(void) {
	signal(terminated, SIG_DFL);
	raise(terminated);
	_exit(128 + terminated);
}

/* --- input: length-prefixed fields ------------------------------------------------------ */

static char inbuf[64 * 1024];
static size_t in_start, in_end;

/* The next byte of input, or -1 at end of input. */
static int next_byte(void) {
	while (in_start == in_end) {
		if (terminated) {
			die_of_signal();
		}
		ssize_t n = read(0, inbuf, sizeof inbuf);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return -1;
		}
		in_start = 0;
		in_end = (size_t)n;
	}
	return (unsigned char)inbuf[in_start++];
}

#define MAX_FIELD 999999999UL /* nine digits, as the bash spawner accepts */

/*
 * Reads one field into *field (grown as needed, NUL-terminated) and its length into *len.
 * Returns 0, or -1 at end of input before a field starts. Exits 65 on a malformed length or a
 * stream that ends inside a field.
 */
static int read_field(char **field, size_t *cap, size_t *len) {
	size_t want = 0;
	int digits = 0;
	for (;;) {
		int c = next_byte();
		if (c < 0) {
			if (digits == 0) {
				return -1;
			}
			exit(65);
		}
		if (c == '\n' && digits > 0) {
			break;
		}
		if (c < '0' || c > '9' || digits == 9) {
			fputs("queuectl-spawner: bad field length\n", stderr);
			exit(65);
		}
		want = want * 10 + (size_t)(c - '0');
		digits++;
	}
	if (want + 1 > *cap) {
		*cap = want + 1;
		*field = realloc(*field, *cap);
		if (*field == NULL) {
			perror("queuectl-spawner");
			exit(70);
		}
	}
	size_t got = 0;
	while (got < want) {
		if (in_start == in_end) {
			int c = next_byte(); /* refills the buffer */
			if (c < 0) {
				exit(65);
			}
			(*field)[got++] = (char)c;
			continue;
		}
		size_t take = in_end - in_start;
		if (take > want - got) {
			take = want - got;
		}
		memcpy(*field + got, inbuf + in_start, take);
		in_start += take;
		got += take;
	}
	(*field)[want] = '\0';
	*len = want;
	return 0;
}

/* --- output ------------------------------------------------------------------------------ */

static void write_all(int fd, const char *s, size_t len) {
	while (len > 0) {
		ssize_t n = write(fd, s, len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			exit(0); /* the worker host is gone */
		}
		s += n;
		len -= (size_t)n;
	}
}

static void say(const char *word, long value) {
	char line[64];
	int len = snprintf(line, sizeof line, "%s %ld\n", word, value);
	write_all(2, line, (size_t)len);
}

/* --- one job ----------------------------------------------------------------------------- */

static pid_t start(const char *command) {
	posix_spawnattr_t attr;
	posix_spawn_file_actions_t actions;
	sigset_t none, defaults;
	sigemptyset(&none);
	sigemptyset(&defaults);
	sigaddset(&defaults, SIGPIPE);
	sigaddset(&defaults, SIGCHLD);
	sigaddset(&defaults, SIGTERM);
	sigaddset(&defaults, SIGHUP);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&actions, 1, 2);
	char *argv[] = {"sh", "-c", (char *)command, NULL};
	pid_t pid;
	int err = posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	posix_spawnattr_destroy(&attr);
	return err == 0 ? pid : -err;
}

/* Waits for the job; kills its group and exits if the worker host goes away meanwhile. */
static int wait_for(pid_t pid) {
	for (;;) {
		int status;
		pid_t got = waitpid(pid, &status, WNOHANG);
		if (got == pid) {
			return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
		}
		if (got < 0 && errno != EINTR) {
			return 255;
		}
		struct pollfd fds[2] = {{.fd = child_pipe[0], .events = POLLIN}, {.fd = 0, .events = 0}};
		if (poll(fds, 2, -1) < 0 && errno != EINTR) {
			return 255;
		}
		if (fds[0].revents & POLLIN) {
			char drain[64];
			(void)!read(child_pipe[0], drain, sizeof drain);
		}
		if (fds[1].revents & (POLLHUP | POLLERR)) {
			kill(-pid, SIGKILL);
			exit(0);
		}
		if (terminated) {
			kill(-pid, SIGKILL);
			die_of_signal();
		}
	}
}

int main(void) {
	if (pipe2(child_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		perror("queuectl-spawner");
		return 70;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_child;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = on_interrupt;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_terminate;
	sa.sa_flags = 0; /* a blocked read returns, and sees the flag */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a vanished reader shows up as a failed write: handled there */

	char *marker = NULL, *dir = NULL, *command = NULL;
	size_t marker_cap = 0, dir_cap = 0, command_cap = 0, marker_len, dir_len, command_len;
	while (read_field(&marker, &marker_cap, &marker_len) == 0) {
		if (read_field(&dir, &dir_cap, &dir_len) != 0 || read_field(&command, &command_cap, &command_len) != 0) {
			exit(65); /* the stream ended inside a request */
		}
		if (memchr(dir, '\0', dir_len) != NULL || memchr(command, '\0', command_len) != NULL) {
			write_all(2, "refused\n", 8);
		}
		else if (chdir(dir) != 0) {
			write_all(2, "nodir\n", 6);
		}
		else {
			setenv("PWD", dir, 1);
			pid_t pid = start(command);
			if (pid < 0) {
				/* no /bin/sh to exec: as a shell reports a command it cannot run */
				say("pid", 0);
				say("exit", 127);
			}
			else {
				say("pid", (long)pid);
				int rc = wait_for(pid);
				kill(-pid, SIGTERM); /* whatever the job left running in its group */
				say("exit", rc);
			}
		}
		write_all(1, marker, marker_len);
	}
	return 0;
}
