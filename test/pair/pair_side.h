/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * What the test/pair programs (xenops.c, xenrss.c, xenmcast.c) share:
 * each runs as one side of a pair, net_xenback or net_xennet (xenops.sh
 * starts one of each), and fails with a line naming that side. Included once per program.
 */

#ifndef PAIR_SIDE_H
#define PAIR_SIDE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ethdev.h>

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

/*
 * Configure @port with @conf and @nq queue pairs of @nb_desc descriptors
 * (RX from @mp), and start it; fail on any error.
 */
static void
pair_port_start(uint16_t port, uint16_t nq, uint16_t nb_desc,
		const struct rte_eth_conf *conf, struct rte_mempool *mp)
{
	uint16_t q;
	int rc;

	rc = rte_eth_dev_configure(port, nq, nq, conf);
	if (rc != 0)
		fail("configure: %s", strerror(-rc));
	for (q = 0; q < nq && rc == 0; q++) {
		rc = rte_eth_rx_queue_setup(port, q, nb_desc, 0, NULL, mp);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(port, q, nb_desc, 0, NULL);
	}
	if (rc != 0)
		fail("queue setup: %s", strerror(-rc));
	rc = rte_eth_dev_start(port);
	if (rc != 0)
		fail("start: %s", strerror(-rc));
}

#endif /* PAIR_SIDE_H */
