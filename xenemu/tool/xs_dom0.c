/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xenstore as dom0, for every subcommand: reads and writes, nodes with
 * permissions, transactions that retry on EAGAIN, libxl's path cleanup and
 * whether a domain is introduced.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenemu.h"

/* xs_read() as a NUL-terminated string, or NULL. */
char *
xs_get(struct xs_handle *h, xs_transaction_t t, const char *fmt, ...)
{
	char path[XENSTORE_ABS_PATH_MAX + 1];
	unsigned int len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return xs_read(h, t, path, &len);
}

bool
xs_put(struct xs_handle *h, xs_transaction_t t, const char *path,
       const char *value)
{
	return xs_write(h, t, path, value, strlen(value));
}

bool
xs_put_at(struct xs_handle *h, xs_transaction_t t, const char *dir,
	  const char *key, const char *value)
{
	char p[XENSTORE_ABS_PATH_MAX + 1];

	snprintf(p, sizeof(p), "%s/%s", dir, key);
	return xs_put(h, t, p, value);
}

/* libxl__xs_mknod(): an empty node with the given permissions. */
bool
xs_mknod(struct xs_handle *h, xs_transaction_t t, const char *path,
	 struct xs_permissions *perms, unsigned int num)
{
	return xs_mkdir(h, t, path) &&
	       xs_set_permissions(h, t, path, perms, num);
}

bool
domain_known(struct xs_handle *h, unsigned int domid)
{
	return domid == 0 || xs_is_domain_introduced(h, domid);
}

void
need_domain(struct xs_handle *h, unsigned int domid)
{
	if (!domain_known(h, domid))
		die("no domain %u (create it with `xenemu domain create "
		    "--domid %u`)", domid, domid);
}

/*
 * libxl__xs_path_cleanup(): removes <path>, then each parent that is left
 * with no value and no children.
 */
bool
path_cleanup(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	char p[XENSTORE_ABS_PATH_MAX + 1], *last, *val, **list;
	unsigned int n, len;

	if (!xs_rm(h, t, path))
		return false;
	snprintf(p, sizeof(p), "%s", path);
	while ((last = strrchr(p, '/')) != NULL) {
		*last = '\0';
		if (p[0] == '\0')
			break;
		val = xs_read(h, t, p, &len);
		if (val == NULL || len != 0) {
			free(val);
			break;
		}
		free(val);
		list = xs_directory(h, t, p, &n);
		if (list == NULL || n != 0) {
			free(list);
			break;
		}
		free(list);
		if (!xs_rm(h, t, p))
			return false;
	}
	return true;
}

/* Ends a transaction; true to run it again (EAGAIN). Dies on failure. */
bool
tx_retry(struct xs_handle *h, xs_transaction_t t, bool ok, const char *what)
{
	if (!ok) {
		int e = errno;

		xs_transaction_end(h, t, true);
		die("%s: %s", what, strerror(e));
	}
	if (xs_transaction_end(h, t, false))
		return false;
	if (errno == EAGAIN)
		return true;
	die("%s: committing the transaction: %s", what, strerror(errno));
}

xs_transaction_t
tx_start(struct xs_handle *h)
{
	xs_transaction_t t = xs_transaction_start(h);

	if (t == XBT_NULL)
		die("cannot start a xenstore transaction: %s", strerror(errno));
	return t;
}

int
domain_by_name(struct xs_handle *h, const char *name)
{
	char **list, *n;
	unsigned int num, i;
	int found = -1;

	list = xs_directory(h, XBT_NULL, "/local/domain", &num);
	if (list == NULL)
		return -1;
	for (i = 0; i < num && found < 0; i++) {
		n = xs_get(h, XBT_NULL, "/local/domain/%s/name", list[i]);
		if (n != NULL && strcmp(n, name) == 0)
			found = atoi(list[i]);
		free(n);
	}
	free(list);
	return found;
}

unsigned int
domain_resolve(struct xs_handle *h, const struct domain_arg *d)
{
	int id;

	if (d->name == NULL) {
		need_domain(h, d->domid);
		return d->domid;
	}
	id = domain_by_name(h, d->name);
	if (id < 0 || !domain_known(h, (unsigned int)id))
		die("no domain called '%s' (see `xenemu domain list`)",
		    d->name);
	return (unsigned int)id;
}
