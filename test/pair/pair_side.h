/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * What the test/pair programs (xenops.c, xenrss.c, xenmcast.c) share:
 * each runs as one side of a pair, net_xenback or net_xennet (xenops.sh
 * starts one of each), and fails with a line naming that side. Here are
 * their start (EAL, the command line in test/lib's option table, the one
 * port and a pool) and end, their frames (64 bytes: EtherType and two
 * payload bytes), and the port queries they all make. Included once per
 * program.
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
#include <rte_eal.h>
#include <rte_ethdev.h>

#include "tl_eth.h"
#include "tl_log.h"

static bool back;		/* net_xenback (else net_xennet) */
static uint16_t port;		/* the port under test */
static const char *scenario;	/* --scenario: the case xenops.sh runs */
static const char *be_path;	/* --be-path: the vif's backend directory */
static struct rte_mempool *mp;	/* the side's mbufs (pair_side_start) */

/* The EtherType of the pair programs' own frames (IEEE local experimental). */
#define PAIR_ETHER_TYPE 0x88b5

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
	int rc;

	rc = rte_eth_dev_configure(pid, nq, nq, conf);
	if (rc != 0)
		fail("configure: %s", strerror(-rc));
	rc = tl_eth_queues(back ? "back" : "front", pid, nq, nq, nb_desc,
			   pool);
	if (rc != 0)
		fail("queue setup: %s", strerror(-rc));
	rc = rte_eth_dev_start(pid);
	if (rc != 0)
		fail("start: %s", strerror(-rc));
}

/* What makes one program of a pair different at its start. */
struct pair_side_cmd {
	const char *prog;		/* the program, and its pool's name */
	const char *const *scenarios;	/* the --scenario it runs, NULL-ended */
	const struct tl_opt *opts;	/* its own options (zero-ended), or NULL */
	unsigned int nb_mbufs;		/* mbufs of its pool */
};

/*
 * The start of a side: rte_eal_init on the EAL's options, then the
 * options after "--" with test/lib's option table: --scenario (one of
 * @c->scenarios, required) and --be-path, which xenops.sh passes to every
 * program, followed by @c->opts. Then the one port there must be (its
 * info in @info), which side it is (back), and the program's pool (mp).
 */
static __rte_unused void
pair_side_start(const struct pair_side_cmd *c, int argc, char **argv,
		struct rte_eth_dev_info *info)
{
	static char what[128];
	struct tl_opt opts[16] = {
		TL_OPT("scenario", STR, &scenario, "S", what),
		TL_OPT("be-path", STR, &be_path, "P",
		       "the vif's backend directory (on the back)"),
	};
	const struct tl_cmd cmd = {
		.prog = c->prog,
		.synopsis = "[EAL options] -- --scenario S [options]",
		.opts = opts,
	};
	unsigned int i, n = 2;

	for (i = 0; c->scenarios[i] != NULL; i++)
		snprintf(what + strlen(what), sizeof(what) - strlen(what),
			 "%s%s", i > 0 ? ", " : "one of: ", c->scenarios[i]);
	for (i = 0; c->opts != NULL &&
	     (c->opts[i].name != NULL || c->opts[i].letter != 0); i++) {
		if (n + 1 >= RTE_DIM(opts))
			fail("too many options");
		opts[n++] = c->opts[i];
	}
	tl_eal_opts(&cmd, argc, argv);
	for (i = 0; scenario != NULL && c->scenarios[i] != NULL; i++)
		if (strcmp(scenario, c->scenarios[i]) == 0)
			break;
	if (scenario == NULL || c->scenarios[i] == NULL)
		fail("--scenario: %s", what);

	if (rte_eth_dev_count_avail() != 1)
		fail("need one port");
	port = 0;
	if (rte_eth_dev_info_get(port, info) != 0)
		fail("dev_info");
	back = strstr(info->driver_name, "xenback") != NULL;
	mp = rte_pktmbuf_pool_create(c->prog, c->nb_mbufs, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (mp == NULL)
		fail("mempool");
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

static __rte_unused void wait_link_up(void);

/*
 * The body of a side whose work is one function per side (xenrss,
 * xenmcast): @nq queue pairs configured with @conf and started, the link
 * waited for, @run_back or @run_front, then pair_side_close. Returns
 * main's exit status.
 */
static __rte_unused int
pair_side_run(uint16_t nq, uint16_t nb_desc, const struct rte_eth_conf *conf,
	      void (*run_back)(void), void (*run_front)(void))
{
	pair_port_start(port, nq, nb_desc, conf, mp);
	wait_link_up();
	if (back)
		run_back();
	else
		run_front();
	return pair_side_close();
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

/*
 * A 64-byte frame from mp to @dst (NULL: broadcast) of EtherType @type,
 * its payload's first two bytes @a and @b, zeros elsewhere, from
 * 02:02:02:02:02:02.
 */
static __rte_unused struct rte_mbuf *
pair_frame(const struct rte_ether_addr *dst, uint16_t type, uint8_t a,
	   uint8_t b)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eh;

	if (m == NULL)
		fail("mbuf pool empty");
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, 64);
	if (eh == NULL)
		fail("mbuf too small");
	memset(eh, 0, 64);
	if (dst != NULL)
		eh->dst_addr = *dst;
	else
		memset(&eh->dst_addr, 0xff, sizeof(eh->dst_addr));
	memset(&eh->src_addr, 0x02, sizeof(eh->src_addr));
	eh->ether_type = rte_cpu_to_be_16(type);
	((uint8_t *)(eh + 1))[0] = a;
	((uint8_t *)(eh + 1))[1] = b;
	return m;
}

/* Is @m of EtherType @type? Then its payload's first two bytes. */
static __rte_unused bool
pair_parse(const struct rte_mbuf *m, uint16_t type, uint8_t *a, uint8_t *b)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

	if (m->data_len < 16 || p[12] != (type >> 8) || p[13] != (type & 0xff))
		return false;
	*a = p[14];
	*b = p[15];
	return true;
}

/* Send @m on TX queue @q, retrying for up to 5 s; fail after that. */
static __rte_unused void
pair_send_one(uint16_t q, struct rte_mbuf *m)
{
	uint64_t end = ms() + 5000;

	while (rte_eth_tx_burst(port, q, &m, 1) != 1)
		if (ms() > end)
			fail("cannot send on queue %u", q);
}

#endif /* PAIR_SIDE_H */
