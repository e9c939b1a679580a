/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/* A xenemu state directory for the harnesses: see fuzz_xenemu.h. */

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <xenemu_core.h>

#include "fuzz_xenemu.h"

static char state_dir[PATH_MAX];
static pid_t owner;

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* At exit (libFuzzer leaves through exit()): the state directory goes. */
static void
remove_state_dir(void)
{
	if (state_dir[0] != '\0' && getpid() == owner)
		nftw(state_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void
die(const char *what, int rc)
{
	fprintf(stderr, "fuzz_xenemu: %s: %d\n", what, rc);
	abort();
}

const char *
fuzz_xenemu_start(uint32_t guest, uint32_t self)
{
	const char *tmp = getenv("TMPDIR");
	char id[16];
	int rc;

	snprintf(state_dir, sizeof(state_dir), "%s/xenemu-fuzz.XXXXXX",
		 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(state_dir) == NULL)
		die("mkdtemp", -errno);
	owner = getpid();
	atexit(remove_state_dir);
	snprintf(id, sizeof(id), "%u", self);
	if (setenv("XENEMU_DIR", state_dir, 1) != 0 ||
	    setenv("XENEMU_DOMID", id, 1) != 0)
		die("setenv", -errno);
	rc = xenemu_domain_create(state_dir, 0, 0, 0);
	if (rc == 0)
		rc = xenemu_domain_create(state_dir, guest, 0, 0);
	if (rc != 0)
		die("xenemu_domain_create", rc);
	return state_dir;
}
