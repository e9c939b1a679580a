/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Minimal harness for the xenemu grant-table and event-channel unit tests:
 * CHECK macros that fail the current test and return from it, one fresh
 * state directory (mkdtemp) per test removed afterwards, and an alarm that
 * bounds the whole run. Forked children must leave with _exit(), not exit(),
 * or they would remove the directory under their parent.
 */

#ifndef GNTTAB_TESTLIB_H
#define GNTTAB_TESTLIB_H

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xenemu_internal.h"

static int tl_failed;
static int tl_failures;
static char tl_dir[PATH_MAX];

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		tl_failed = 1; \
		return; \
	} \
} while (0)

#define CHECK_EQ(a, b) do { \
	long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ != b_) { \
		fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld != %lld)\n", \
			__FILE__, __LINE__, #a, #b, a_, b_); \
		tl_failed = 1; \
		return; \
	} \
} while (0)

static int
tl_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static void
tl_rmdir(void)
{
	if (tl_dir[0] != '\0')
		nftw(tl_dir, tl_rm, 16, FTW_DEPTH | FTW_PHYS);
	tl_dir[0] = '\0';
}

/* A fresh state directory for one test. */
static void
tl_newdir(void)
{
	const char *tmp = getenv("TMPDIR");

	tl_rmdir();
	snprintf(tl_dir, sizeof(tl_dir), "%s/xenemu-unit.XXXXXX",
		 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(tl_dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
}

#define RUN(fn) do { \
	fprintf(stderr, "== %s\n", #fn); \
	tl_newdir(); \
	tl_failed = 0; \
	fn(); \
	if (tl_failed) \
		tl_failures++; \
	fprintf(stderr, "%s %s\n", tl_failed ? "FAIL" : "ok  ", #fn); \
} while (0)

/* Start a run: bound it in time, clean up at exit. */
static void
tl_begin(unsigned int seconds)
{
	alarm(seconds);
	atexit(tl_rmdir);
}

static int
tl_end(void)
{
	tl_rmdir();
	fprintf(stderr, "%d test(s) failed\n", tl_failures);
	return tl_failures ? 1 : 0;
}

/*
 * The next port delivered to c, -ETIMEDOUT if none within ms: what a
 * driver's interrupt thread sees, for tests of evtchn and of gnttab's
 * unmap notifies alike.
 */
static inline int
tl_next_event(struct xenemu_ctx *c, int ms)
{
	struct pollfd pfd = { .fd = c->fifo_fd, .events = POLLIN };

	if (poll(&pfd, 1, ms) != 1)
		return -ETIMEDOUT;
	return xenemu_evt_pending(c);
}

/* Create domains 0 .. @ndoms-1 alike: 0, or the first error. */
static inline int
tl_domains(unsigned int ndoms, unsigned int max_grants, unsigned int max_pages)
{
	unsigned int d;
	int rc = 0;

	for (d = 0; d < ndoms && rc == 0; d++)
		rc = xenemu_domain_create(tl_dir, d, max_grants, max_pages);
	return rc;
}

/*
 * A pipe for a child's answer, then fork(): in the child (0) only the
 * write end fds[1] stays open. -1 if either fails.
 */
static inline pid_t
tl_fork_piped(int fds[2])
{
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid == 0)
		close(fds[0]);
	return pid;
}

/*
 * A forked child's answer on the pipe @fds: the parent closes the write
 * end, reads the @len bytes the child wrote (a port, grant refs) and closes
 * the read end. True if all @len came.
 */
static inline bool
tl_child_answer(int fds[2], void *buf, size_t len)
{
	ssize_t n;

	close(fds[1]);
	n = read(fds[0], buf, len);
	close(fds[0]);
	return n == (ssize_t)len;
}

/* Wait for child @pid: true if it exited, with status 0. */
static inline bool
tl_child_ok(pid_t pid)
{
	int status;

	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

#endif /* GNTTAB_TESTLIB_H */
