/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test helper: create or destroy xenemu domains through the core library's
 * toolstack API (xenemu_core.h), for tests that do not need the `xenemu`
 * command and its xenstore daemon.
 *
 * Usage: gnttab_mkdom <dir> create|destroy <domid>...
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenemu_core.h"

int
main(int argc, char **argv)
{
	int i, rc, create;
	unsigned long domid;
	char *end;

	if (argc < 4 || (strcmp(argv[2], "create") != 0 && strcmp(argv[2], "destroy") != 0)) {
		fprintf(stderr, "usage: %s <dir> create|destroy <domid>...\n", argv[0]);
		return 2;
	}
	create = strcmp(argv[2], "create") == 0;
	for (i = 3; i < argc; i++) {
		errno = 0;
		domid = strtoul(argv[i], &end, 10);
		if (errno != 0 || *end != '\0' || domid > UINT16_MAX) {
			fprintf(stderr, "bad domid %s\n", argv[i]);
			return 2;
		}
		rc = create ? xenemu_domain_create(argv[1], (uint16_t)domid, 0, 0) :
			xenemu_domain_destroy(argv[1], (uint16_t)domid);
		if (rc != 0) {
			fprintf(stderr, "%s domain %lu: %s\n", argv[2], domid, strerror(-rc));
			return 1;
		}
	}
	return 0;
}
