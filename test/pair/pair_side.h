/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * What the test/pair programs (xenops.c, xenrss.c) share: each runs as one
 * side of a pair, net_xenback or net_xennet (xenops.sh starts one of each),
 * and fails with a line naming that side. Included once per program.
 */

#ifndef PAIR_SIDE_H
#define PAIR_SIDE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_common.h>

static bool back;		/* net_xenback (else net_xennet) */

/* "FAIL (back|front): ..." on stdout, then exit 1. */
static void __rte_noreturn __rte_format_printf(1, 2)
fail(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL (%s): ", back ? "back" : "front");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(1);
}

#endif /* PAIR_SIDE_H */
