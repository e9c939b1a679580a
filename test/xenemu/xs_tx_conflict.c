/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transaction conflicts through Debian's real libxenstore: two connections
 * read and write the same node in two transactions; the first commit wins,
 * the second xs_transaction_end() fails with EAGAIN and changes nothing,
 * and the usual retry loop then succeeds. Run it with `xenemu exec --domid N`
 * (XENSTORED_PATH picks the daemon's socket of that domain).
 *
 * Usage: xs_tx_conflict PATH   (relative paths are below the domain's home)
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

/* failures is xs_check.h's counter: this CHECK also says what errno was */
#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: CHECK failed: %s (errno %s)\n",	\
			__FILE__, __LINE__, #cond, strerror(errno));	\
		failures++;						\
	}								\
} while (0)

#include "xs_check.h"

static bool
write_str(struct xs_handle *h, xs_transaction_t t, const char *path,
	  const char *v)
{
	return xs_write(h, t, path, v, strlen(v));
}

static bool
value_is(struct xs_handle *h, const char *path, const char *want)
{
	unsigned int len;
	char *v = xs_read(h, XBT_NULL, path, &len);
	bool ok = v != NULL && strcmp(v, want) == 0;

	free(v);
	return ok;
}

int
main(int argc, char **argv)
{
	struct xs_handle *h1, *h2;
	xs_transaction_t t1, t2;
	const char *path;
	unsigned int len, tries;
	char *v;
	bool ok;

	if (argc != 2) {
		fprintf(stderr, "usage: xs_tx_conflict PATH\n");
		return 2;
	}
	path = argv[1];
	h1 = xs_open(0);
	h2 = xs_open(0);
	if (h1 == NULL || h2 == NULL) {
		fprintf(stderr, "xs_open: %s\n", strerror(errno));
		return 1;
	}
	CHECK(write_str(h1, XBT_NULL, path, "0"));

	t1 = xs_transaction_start(h1);
	t2 = xs_transaction_start(h2);
	CHECK(t1 != XBT_NULL && t2 != XBT_NULL);
	v = xs_read(h1, t1, path, &len);
	CHECK(v != NULL && strcmp(v, "0") == 0);
	free(v);
	v = xs_read(h2, t2, path, &len);
	CHECK(v != NULL && strcmp(v, "0") == 0);
	free(v);
	CHECK(write_str(h1, t1, path, "first"));
	CHECK(write_str(h2, t2, path, "second"));
	/* Inside its transaction each sees its own value... */
	v = xs_read(h2, t2, path, &len);
	CHECK(v != NULL && strcmp(v, "second") == 0);
	free(v);
	/* ...outside, neither yet. */
	CHECK(value_is(h1, path, "0"));

	CHECK(xs_transaction_end(h1, t1, false));
	errno = 0;
	ok = xs_transaction_end(h2, t2, false);
	CHECK(!ok && errno == EAGAIN);
	if (!ok && errno == EAGAIN)
		printf("second commit: EAGAIN\n");
	CHECK(value_is(h1, path, "first"));

	/* The retry loop every xenstore client has. */
	for (tries = 0; tries < 5; tries++) {
		t2 = xs_transaction_start(h2);
		v = xs_read(h2, t2, path, &len);
		CHECK(v != NULL);
		free(v);
		CHECK(write_str(h2, t2, path, "retried"));
		if (xs_transaction_end(h2, t2, false))
			break;
		CHECK(errno == EAGAIN);
	}
	CHECK(tries == 0);
	CHECK(value_is(h1, path, "retried"));

	/* An abandoned transaction leaves no trace. */
	t1 = xs_transaction_start(h1);
	CHECK(write_str(h1, t1, path, "abandoned"));
	CHECK(xs_transaction_end(h1, t1, true));
	CHECK(value_is(h1, path, "retried"));

	xs_close(h1);
	xs_close(h2);
	return xs_checks_done("xs_tx_conflict");
}
