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
#include <rte_cycles.h>
#include <rte_ethdev.h>

static bool back;		/* net_xenback (else net_xennet) */
static uint16_t port;		/* the port under test */

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
 * Configure port @pid with @conf and @nq queue pairs of @nb_desc
 * descriptors (RX from @pool), and start it; fail on any error.
 */
static void
pair_port_start(uint16_t pid, uint16_t nq, uint16_t nb_desc,
		const struct rte_eth_conf *conf, struct rte_mempool *pool)
{
	uint16_t q;
	int rc;

	rc = rte_eth_dev_configure(pid, nq, nq, conf);
	if (rc != 0)
		fail("configure: %s", strerror(-rc));
	for (q = 0; q < nq && rc == 0; q++) {
		rc = rte_eth_rx_queue_setup(pid, q, nb_desc, 0, NULL, pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(pid, q, nb_desc, 0, NULL);
	}
	if (rc != 0)
		fail("queue setup: %s", strerror(-rc));
	rc = rte_eth_dev_start(pid);
	if (rc != 0)
		fail("start: %s", strerror(-rc));
}

/*
 * After rte_eal_init: the one port there must be (its info in @info),
 * which side it is (back), and a pool of @n mbufs named @name.
 */
static __rte_unused struct rte_mempool *
pair_side_open(const char *name, unsigned int n, struct rte_eth_dev_info *info)
{
	struct rte_mempool *pool;

	if (rte_eth_dev_count_avail() != 1)
		fail("need one port");
	port = 0;
	if (rte_eth_dev_info_get(port, info) != 0)
		fail("dev_info");
	back = strstr(info->driver_name, "xenback") != NULL;
	pool = rte_pktmbuf_pool_create(name, n, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (pool == NULL)
		fail("mempool");
	return pool;
}

/*
 * The end of a side that passed: time for the peer to see the last
 * frames, the port stopped and closed, "XENOPS OK" (xenops.sh looks for
 * it). Returns main's exit status.
 */
static __rte_unused int
pair_side_close(void)
{
	rte_delay_us_sleep(300 * 1000);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_eal_cleanup();
	printf("XENOPS OK\n");
	return 0;
}

/* Milliseconds on the TSC. */
static __rte_unused uint64_t
ms(void)
{
	return rte_get_tsc_cycles() * 1000 / rte_get_tsc_hz();
}

/* The port's xstat @name; fail if it has none. */
static __rte_unused uint64_t
xstat(const char *name)
{
	uint64_t id, v;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
	    rte_eth_xstats_get_by_id(port, &id, &v, 1) != 1)
		fail("no xstat %s", name);
	return v;
}

/* Wait up to 15 s for the port's link; fail if it stays down. */
static __rte_unused void
wait_link_up(void)
{
	struct rte_eth_link l;
	uint64_t end = ms() + 15000;

	do {
		if (rte_eth_link_get_nowait(port, &l) != 0)
			fail("link_get");
		if (l.link_status == RTE_ETH_LINK_UP)
			return;
		rte_delay_us_sleep(5000);
	} while (ms() < end);
	fail("link not up within 15 s");
}

#endif /* PAIR_SIDE_H */
