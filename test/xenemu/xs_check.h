/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * The check harness of the xenstored tests (xs_store_test, xs_malformed,
 * xs_tx_conflict): a failed CHECK is counted and the test goes on, so that
 * one run reports every broken behaviour; xs_checks_done() gives the verdict
 * and the exit status. A test may define its own CHECK before including this
 * (xs_tx_conflict adds errno to the message).
 */

#ifndef XS_CHECK_H
#define XS_CHECK_H

#include <stdio.h>

static int failures;

#ifndef CHECK
#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__,	\
			__LINE__, #cond);				\
		failures++;						\
	}								\
} while (0)
#endif

/* The last line of a test and its exit status: 0 when every check passed. */
static int
xs_checks_done(const char *prog)
{
	if (failures != 0) {
		fprintf(stderr, "%s: %d check(s) failed\n", prog, failures);
		return 1;
	}
	printf("%s: all checks passed\n", prog);
	return 0;
}

#endif /* XS_CHECK_H */
