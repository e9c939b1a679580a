/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * tl_xs: the xenstore and xenbus helpers of the test peers.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xen/io/xenbus.h>

#include "tl_log.h"
#include "tl_xs.h"

/* xenstore paths are at most 3072 bytes; ours are far shorter. */
#define TL_PATH_MAX 512

/* How often a wait looks again: short against the tests' timeouts. */
#define TL_POLL_US 2000

void
tl_path(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= n)
		tl_fail("path too long: %s...", buf);
}

char *
tl_xs_get(struct xs_handle *xs, const char *dir, const char *key)
{
	char path[TL_PATH_MAX];
	unsigned int len;

	tl_path(path, sizeof(path), "%s/%s", dir, key);
	return xs_read(xs, XBT_NULL, path, &len);
}

/* 1 and *v set: a number; 0: absent; -1: not a number (*v untouched). */
static int
read_num(struct xs_handle *xs, const char *dir, const char *key, long *v,
	 char **text)
{
	char *s = tl_xs_get(xs, dir, key), *end;
	long n;

	*text = s;
	if (s == NULL)
		return 0;
	n = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0')
		return -1;
	*v = n;
	return 1;
}

long
tl_xs_long(struct xs_handle *xs, const char *dir, const char *key, long def)
{
	long v = def;
	char *s;

	read_num(xs, dir, key, &v, &s);
	free(s);
	return v;
}

long
tl_xs_long_strict(struct xs_handle *xs, const char *dir, const char *key,
		  long def)
{
	long v = def;
	char *s;

	if (read_num(xs, dir, key, &v, &s) < 0)
		tl_fail("%s/%s = \"%s\" is not a number", dir, key, s);
	free(s);
	return v;
}

void
tl_xs_put(struct xs_handle *xs, xs_transaction_t t, const char *dir,
	  const char *key, const char *fmt, ...)
{
	char path[TL_PATH_MAX], val[128];
	va_list ap;

	tl_path(path, sizeof(path), "%s/%s", dir, key);
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (!xs_write(xs, t, path, val, strlen(val)))
		tl_fail("write %s: %s", path, strerror(errno));
}

void
tl_xs_rm(struct xs_handle *xs, const char *dir, const char *key)
{
	char path[TL_PATH_MAX];

	tl_path(path, sizeof(path), "%s/%s", dir, key);
	xs_rm(xs, XBT_NULL, path);
}

void
tl_xs_transact(struct xs_handle *xs,
	       void (*fn)(xs_transaction_t t, void *arg), void *arg)
{
	xs_transaction_t t;
	int tries;

	/* another writer (the peer) may conflict; 64 tries is plenty */
	for (tries = 0; tries < 64; tries++) {
		t = xs_transaction_start(xs);
		if (t == XBT_NULL)
			tl_fail("transaction: %s", strerror(errno));
		fn(t, arg);
		if (xs_transaction_end(xs, t, false))
			return;
		if (errno != EAGAIN)
			tl_fail("transaction end: %s", strerror(errno));
	}
}

bool
tl_xs_wait_state_key(struct xs_handle *xs, const char *dir, int state,
		     const char *key, unsigned int ms)
{
	uint64_t end = tl_now_ms() + ms;
	char path[TL_PATH_MAX], want[16];

	snprintf(want, sizeof(want), "%d", state);
	for (;;) {
		xs_transaction_t t = xs_transaction_start(xs);
		unsigned int len;
		char *st, *val;
		bool ok;

		if (t == XBT_NULL)
			tl_fail("transaction_start: %s", strerror(errno));
		tl_path(path, sizeof(path), "%s/state", dir);
		st = xs_read(xs, t, path, &len);
		tl_path(path, sizeof(path), "%s/%s", dir, key);
		val = xs_read(xs, t, path, &len);
		xs_transaction_end(xs, t, true);
		ok = st != NULL && strcmp(st, want) == 0 && val != NULL;
		free(st);
		free(val);
		if (ok)
			return true;
		if (tl_now_ms() > end)
			return false;
		usleep(TL_POLL_US);
	}
}

int
tl_xenbus_state(struct xs_handle *xs, const char *dir)
{
	return (int)tl_xs_long_strict(xs, dir, "state", XenbusStateUnknown);
}

void
tl_xenbus_switch(struct xs_handle *xs, const char *dir, int state)
{
	tl_xs_put(xs, XBT_NULL, dir, "state", "%d", state);
}

const char *
tl_xenbus_name(int s)
{
	static const char * const names[] = {
		"Unknown", "Initialising", "InitWait", "Initialised",
		"Connected", "Closing", "Closed", "Reconfiguring",
		"Reconfigured",
	};

	return s >= 0 && s < (int)(sizeof(names) / sizeof(names[0])) ?
		names[s] : "?";
}

bool
tl_xenbus_wait(struct xs_handle *xs, const char *dir, unsigned int mask,
	       unsigned int ms, int *state)
{
	uint64_t end = tl_now_ms() + ms;
	int s;

	for (;;) {
		s = tl_xenbus_state(xs, dir);
		*state = s;
		if (s >= 0 && s < 32 && (mask & TL_STATE_BIT(s)))
			return true;
		if (tl_now_ms() > end)
			return false;
		usleep(TL_POLL_US);
	}
}
