/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the drop-in libxengnttab.so.1 and libxenevtchn.so.1 share: a handle
 * is a core library handle (struct xenemu_ctx) at its start, opened in the
 * caller's domain, and errors go out as the Xen libraries report them,
 * -1 (or NULL) with errno. Each library is built from one .c file and this
 * header, so nothing here is exported.
 */

#ifndef XENEMU_LIB_H
#define XENEMU_LIB_H

#include <errno.h>
#include <stdlib.h>

#include "xenemu_internal.h"

/* -1 with errno from a negative errno, or <rc> itself. */
static inline int
xenemu_ret_errno(int rc)
{
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}

/*
 * A handle of <size> bytes whose first member is its struct xenemu_ctx,
 * opened as <kind> in $XENEMU_DOMID of $XENEMU_DIR; NULL with errno.
 */
static inline void *
xenemu_handle_open(size_t size, enum xenemu_slot_kind kind, bool cloexec)
{
	struct xenemu_ctx *c = malloc(size);
	int rc;

	if (c == NULL)
		return NULL;
	rc = xenemu_ctx_open(c, kind, cloexec);
	if (rc != 0) {
		free(c);
		errno = -rc;
		return NULL;
	}
	return c;
}

/* Closes a handle of xenemu_handle_open() (NULL is fine): 0. */
static inline int
xenemu_handle_close(void *h)
{
	if (h == NULL)
		return 0;
	xenemu_ctx_close(h);
	free(h);
	return 0;
}

#endif /* XENEMU_LIB_H */
