/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * tl_xs: xenstore and xenbus as a test peer uses them: keys addressed as
 * (directory, key), numbers with a default, writes that must succeed, and
 * xenbus states read, switched and waited for. Every failure that would
 * make the test meaningless goes through tl_fail().
 */

#ifndef TL_XS_H
#define TL_XS_H

#include <stdbool.h>
#include <stddef.h>

#include <xenstore.h>

/* A bit of a state mask for tl_xenbus_wait(). */
#define TL_STATE_BIT(s) (1u << (s))

/* snprintf into a path buffer; a path that does not fit is a test bug. */
void tl_path(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* @dir/@key, malloc'ed, or NULL if absent. */
char *tl_xs_get(struct xs_handle *xs, const char *dir, const char *key);

/* @dir/@key as a decimal number; @def if absent or not a number. */
long tl_xs_long(struct xs_handle *xs, const char *dir, const char *key,
		long def);

/* The same, but a value that is not a number fails the test. */
long tl_xs_long_strict(struct xs_handle *xs, const char *dir,
		       const char *key, long def);

/* Write @dir/@key = printf(@fmt, ...) in @t (XBT_NULL: none); must work. */
void tl_xs_put(struct xs_handle *xs, xs_transaction_t t, const char *dir,
	       const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Remove @dir/@key (absent is fine). */
void tl_xs_rm(struct xs_handle *xs, const char *dir, const char *key);

/* Run @fn in a transaction, again while the commit says EAGAIN. */
void tl_xs_transact(struct xs_handle *xs,
		    void (*fn)(xs_transaction_t t, void *arg), void *arg);

/*
 * Wait up to @ms for @dir/state to be @state while @dir/@key exists, both
 * read in one transaction; false on timeout.
 */
bool tl_xs_wait_state_key(struct xs_handle *xs, const char *dir, int state,
			  const char *key, unsigned int ms);

/* The xenbus state in @dir (XenbusStateUnknown if absent). */
int tl_xenbus_state(struct xs_handle *xs, const char *dir);

/* Write our xenbus state into @dir. */
void tl_xenbus_switch(struct xs_handle *xs, const char *dir, int state);

/* "Connected" for 4, "?" for what is no state. */
const char *tl_xenbus_name(int state);

/*
 * Wait up to @ms until the state in @dir is in @mask (TL_STATE_BIT()s).
 * True when it is; either way *@state is the last state read.
 */
bool tl_xenbus_wait(struct xs_handle *xs, const char *dir, unsigned int mask,
		    unsigned int ms, int *state);

#endif /* TL_XS_H */
