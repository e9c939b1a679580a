/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `xenemu exec` and `xenemu env`: a domain's environment. Owns finding
 * xenemu's drop-in libraries and the variables a program of domain N needs
 * (XENEMU_DIR, XENEMU_DOMID, XENSTORED_PATH, LD_LIBRARY_PATH).
 */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xenemu.h"

#ifndef XENEMU_INSTALL_LIBDIR
#define XENEMU_INSTALL_LIBDIR "/usr/local/lib/xenemu"
#endif

/* The directory of xenemu's libxengnttab.so.1 and libxenevtchn.so.1. */
static void
find_libdir(char *out, size_t len)
{
	char exe[PATH_MAX], probe[PATH_MAX + 32], *real;
	const char *env = getenv("XENEMU_LIBDIR");

	if (env != NULL && env[0] != '\0') {
		snprintf(out, len, "%s", env);
		return;
	}
	exe_dir(exe, sizeof(exe));
	/* The build tree: build/xenemu/xenemu, build/xenemu/lib. */
	snprintf(probe, sizeof(probe), "%s/lib/libxengnttab.so.1", exe);
	if (access(probe, R_OK) == 0) {
		snprintf(probe, sizeof(probe), "%s/lib", exe);
		real = realpath(probe, NULL);
		if (real != NULL) {
			snprintf(out, len, "%s", real);
			free(real);
			return;
		}
	}
	/* Installed: <libdir>/xenemu. */
	snprintf(probe, sizeof(probe), "%s/libxengnttab.so.1",
		 XENEMU_INSTALL_LIBDIR);
	if (access(probe, R_OK) == 0) {
		snprintf(out, len, "%s", XENEMU_INSTALL_LIBDIR);
		return;
	}
	die("cannot find xenemu's libxengnttab.so.1 (looked in %s/lib and "
	    "%s); set XENEMU_LIBDIR", exe, XENEMU_INSTALL_LIBDIR);
}

struct domenv {
	char dir[PATH_MAX];
	char domid[16];
	char xenstored[PATH_MAX];
	char ld[2 * PATH_MAX + 2];
};

static void
domain_env(unsigned int domid, struct domenv *de)
{
	const char *old = getenv("LD_LIBRARY_PATH");
	char libdir[PATH_MAX];
	struct xs_handle *h = xs_connect();

	need_domain(h, domid);
	xs_close(h);
	find_libdir(libdir, sizeof(libdir));
	snprintf(de->dir, sizeof(de->dir), "%s", state_dir);
	snprintf(de->domid, sizeof(de->domid), "%u", domid);
	socket_path(de->xenstored, sizeof(de->xenstored), domid);
	if ((size_t)snprintf(de->ld, sizeof(de->ld), "%s%s%s", libdir,
			     old != NULL && old[0] != '\0' ? ":" : "",
			     old != NULL ? old : "") >= sizeof(de->ld))
		die("LD_LIBRARY_PATH is too long");
}

/* --domid N, then what the command takes: the domain's id. */
static unsigned int
domid_option(const char *cmd, int argc, char **argv, int *rest)
{
	unsigned int domid = 0;
	const struct opt opts[] = {
		{ "domid", OPT_DOMID, &domid, .required = "N" },
		{ .name = NULL },
	};

	*rest = parse_options(cmd, argc, argv, opts, REST_ARGS);
	return domid;
}

void
domain_setenv(unsigned int domid)
{
	struct domenv de;

	domain_env(domid, &de);
	if (setenv("XENEMU_DIR", de.dir, 1) != 0 ||
	    setenv("XENEMU_DOMID", de.domid, 1) != 0 ||
	    setenv("XENSTORED_PATH", de.xenstored, 1) != 0 ||
	    setenv("LD_LIBRARY_PATH", de.ld, 1) != 0)
		die("setenv: %s", strerror(errno));
}

int
cmd_exec(const char *cmd, int argc, char **argv)
{
	int prog;
	unsigned int domid = domid_option(cmd, argc, argv, &prog);

	if (prog >= argc)
		bad_usage("exec needs a program: xenemu exec --domid N -- "
			  "PROGRAM [ARGS...]");
	domain_setenv(domid);
	execvp(argv[prog], argv + prog);
	die("cannot run %s: %s", argv[prog], strerror(errno));
}

/* Prints <s> single-quoted for a POSIX shell. */
static void
shell_quote(const char *s)
{
	putchar('\'');
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	}
	putchar('\'');
}

int
cmd_env(const char *cmd, int argc, char **argv)
{
	int rest;
	unsigned int domid = domid_option(cmd, argc, argv, &rest);
	const char *names[] = { "XENEMU_DIR", "XENEMU_DOMID", "XENSTORED_PATH",
				"LD_LIBRARY_PATH" };
	const char *values[4];
	struct domenv de;
	unsigned int i;

	if (rest != argc)
		bad_usage("env: unexpected argument '%s'", argv[rest]);
	domain_env(domid, &de);
	values[0] = de.dir;
	values[1] = de.domid;
	values[2] = de.xenstored;
	values[3] = de.ld;
	for (i = 0; i < 4; i++) {
		printf("export %s=", names[i]);
		shell_quote(values[i]);
		putchar('\n');
	}
	return 0;
}
