/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * xenmcast: netif's multicast control between net_xennet and net_xenback
 * (issue 14), over xenemu. test/pair/xenops.sh runs one process per side
 * (cases mcast, mcast-allmulti, mcast-live): one queue each, ring order 0.
 *
 * The front (net_xennet) turns allmulticast off (case mcast) and sets its
 * groups {G1, G2} before dev_start, so that it asks the backend to filter
 * and subscribes once connected. Each phase the front sends "go"; the back
 * (net_xenback) then sends one frame to each of G1, G2, G3 and broadcast,
 * then a unicast marker, in that order on one ring; the front checks which
 * arrived before the marker. Phase 1: G1, G2 and broadcast, not G3. Then,
 * while a second thread keeps bursting on the front's TX queue 0 (the ring
 * the requests share), set_mc_addr_list({G2, G3}): phase 2 gets G2, G3 and
 * broadcast, not G1. Then 65 groups: the backend holds 64, so the call
 * fails with -ENOSPC and the port keeps the 64 the backend took; the
 * xstats count the requests and the one error. At "done" the back checks
 * its tx_mcast_filtered_dropped (one group filtered per phase).
 *
 * Case mcast-allmulti: the front leaves allmulticast on (the default), so
 * it never asks for filtering: every group arrives in both phases, the
 * lists are kept and accepted, nothing is filtered by the back.
 *
 * Case mcast-live (run_front_live): allmulticast off and on again while
 * connected, followed at once by the backend.
 *
 * Prints "XENOPS OK" on success (xenops.sh looks for it), "FAIL:" and
 * exits 1 otherwise.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "pair_side.h"

#define NB_DESC 512
#define CTL_TYPE PAIR_ETHER_TYPE	/* go / done */
#define DATA_TYPE 0x88b6	/* the back's probes and markers */
#define FILL_TYPE 0x88b7	/* the front's filler, ignored */
#define NGROUPS 4		/* G1, G2, G3, broadcast */

static const struct rte_ether_addr groups[NGROUPS] = {
	{ { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 } },	/* G1 */
	{ { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x02 } },	/* G2 */
	{ { 0x33, 0x33, 0x00, 0x00, 0x00, 0x03 } },	/* G3 */
	{ { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },	/* broadcast */
};
static const char * const gname[NGROUPS] = { "G1", "G2", "G3", "broadcast" };

static bool allmulti;
static bool live;

/* The back: probes of each "go", until "done". */
static void
run_back(void)
{
	static const struct rte_ether_addr uc = {
		{ 0x00, 0x16, 0x3e, 0x00, 0x00, 0x01 } };
	struct rte_mbuf *m[32];
	uint64_t end = ms() + 30000, dropped;
	unsigned int phases = 0, g;
	uint8_t a, b;
	uint16_t n, i;

	for (;;) {
		if (ms() > end)
			fail("no done from the front within 30 s");
		n = rte_eth_rx_burst(port, 0, m, 32);
		for (i = 0; i < n; i++) {
			bool ctl = pair_parse(m[i], CTL_TYPE, &a, &b);

			rte_pktmbuf_free(m[i]);
			if (!ctl)
				continue;	/* the front's filler */
			if (a == 'd') {
				dropped = xstat("tx_mcast_filtered_dropped");
				if (live ? dropped == 0 :
				    dropped != (allmulti ? 0 : phases))
					fail("tx_mcast_filtered_dropped %" PRIu64 ", want %s%u",
					     dropped, live ? "> " : "",
					     live ? 0 : allmulti ? 0 : phases);
				printf("back: %u phase(s), %" PRIu64 " filtered\n",
				       phases, dropped);
				return;
			}
			if (a != 'g')
				continue;
			for (g = 0; g < NGROUPS; g++)
				pair_send_one(0, pair_frame(&groups[g],
						DATA_TYPE, 'p', (uint8_t)g));
			pair_send_one(0, pair_frame(&uc, DATA_TYPE, 'm', b));
			phases++;
		}
	}
}

/* The front: "go", then which groups came before the marker (@got). */
static void
run_phase(uint8_t phase, bool *got)
{
	static const struct rte_ether_addr bc = {
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	struct rte_mbuf *m[32];
	uint64_t end;
	uint8_t a, b;
	uint16_t n, i;
	bool done = false;

	memset(got, 0, NGROUPS * sizeof(*got));

	pair_send_one(0, pair_frame(&bc, CTL_TYPE, 'g', phase));
	end = ms() + 10000;
	while (!done) {
		if (ms() > end)
			fail("phase %u: no marker within 10 s", phase);
		n = rte_eth_rx_burst(port, 0, m, 32);
		for (i = 0; i < n; i++) {
			if (!pair_parse(m[i], DATA_TYPE, &a, &b))
				fail("phase %u: a frame not ours", phase);
			rte_pktmbuf_free(m[i]);
			if (a == 'm' && b == phase)
				done = true;
			else if (a == 'p' && b < NGROUPS && !done)
				got[b] = true;
			else
				fail("phase %u: unexpected frame %c/%u", phase,
				     a, b);
		}
	}
}

static void
check_phase(uint8_t phase, const bool *want)
{
	bool got[NGROUPS];
	unsigned int g;

	run_phase(phase, got);
	for (g = 0; g < NGROUPS; g++) {
		if (got[g] != want[g])
			fail("phase %u: %s %s, want %s", phase, gname[g],
			     got[g] ? "delivered" : "filtered",
			     want[g] ? "delivered" : "filtered");
	}
	printf("front: phase %u: G1 %d G2 %d G3 %d broadcast %d\n", phase,
	       got[0], got[1], got[2], got[3]);
}

/* A second thread bursting on TX queue 0 while the list changes. */
static volatile bool filling;
static unsigned int filled;

static void *
filler(void *arg)
{
	static const struct rte_ether_addr uc = {
		{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x09 } };
	struct rte_mbuf *m;

	RTE_SET_USED(arg);
	while (filling) {
		m = pair_frame(&uc, FILL_TYPE, 'f', 0);
		while (rte_eth_tx_burst(port, 0, &m, 1) != 1 && filling)
			;
		if (filling)
			filled++;
		else
			rte_pktmbuf_free(m);
		rte_delay_us_sleep(50);
	}
	return NULL;
}

static void
set_list(const struct rte_ether_addr *l, uint32_t n, int want)
{
	int rc = rte_eth_dev_set_mc_addr_list(port,
					      (struct rte_ether_addr *)l, n);

	if (rc != want)
		fail("set_mc_addr_list of %u group(s): %d (%s), want %d", n,
		     rc, strerror(-rc), want);
}

static void
run_front(void)
{
	const struct rte_ether_addr l2[] = { groups[1], groups[2] };
	struct rte_ether_addr l3[65];
	const bool all[NGROUPS] = { true, true, true, true };
	const bool want1[NGROUPS] = { true, true, false, true };
	const bool want2[NGROUPS] = { false, true, true, true };
	pthread_t th;
	unsigned int i;

	check_phase(1, allmulti ? all : want1);

	/* change the list while another thread bursts on the same ring */
	filling = true;
	if (pthread_create(&th, NULL, filler, NULL) != 0)
		fail("pthread_create");
	rte_delay_us_sleep(20 * 1000);
	for (i = 0; i < 20; i++) {
		set_list(l2, 2, 0);
		set_list(groups, 2, 0);
	}
	set_list(l2, 2, 0);
	filling = false;
	pthread_join(th, NULL);
	if (filled == 0)
		fail("the filler thread sent nothing");
	printf("front: %u filler frames sent during the changes\n", filled);
	check_phase(2, allmulti ? all : want2);

	/* 65 groups: the backend holds 64 */
	l3[0] = groups[1];
	l3[1] = groups[2];
	for (i = 2; i < 65; i++) {
		l3[i] = groups[0];
		l3[i].addr_bytes[4] = 0x10;
		l3[i].addr_bytes[5] = (uint8_t)i;
	}
	set_list(l3, 65, allmulti ? 0 : -ENOSPC);
	if (!allmulti) {
		/* G1 then G2 (2), 40 changes of one DEL and one ADD, 62 */
		if (xstat("mcast_control_requests") != 2 + 80 + 2 + 62 ||
		    xstat("mcast_control_errors") != 1)
			fail("mcast_control_requests %" PRIu64 ", errors %" PRIu64 ", want %u and 1",
			     xstat("mcast_control_requests"),
			     xstat("mcast_control_errors"), 2 + 80 + 2 + 62);
	} else if (xstat("mcast_control_requests") != 0) {
		fail("multicast requests without filtering");
	}
	/* a unicast address is refused */
	set_list(&(struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 1 } }, 1,
		 -EINVAL);
	pair_send_one(0, pair_frame(&groups[3], CTL_TYPE, 'd', 0));
}

/*
 * Case mcast-live: connected without filtering (allmulticast on), the
 * front turns allmulticast off and on again while connected; the backend
 * follows request-multicast-control (feature-dynamic-multicast-control),
 * so filtering starts and stops without a reconnection: within 3 s (the
 * backend reacts to a xenstore watch) a phase shows it.
 */
static uint8_t
await_phase(uint8_t phase, const bool *want, const char *what)
{
	uint64_t end = ms() + 3000;
	bool got[NGROUPS];

	for (;; phase++) {
		run_phase(phase, got);
		if (memcmp(got, want, sizeof(got)) == 0)
			break;
		if (ms() > end)
			fail("phase %u: G1 %d G2 %d G3 %d broadcast %d 3 s after %s",
			     phase, got[0], got[1], got[2], got[3], what);
	}
	printf("front: phase %u: as wanted after %s\n", phase, what);
	return (uint8_t)(phase + 1);
}

static void
run_front_live(void)
{
	const bool all[NGROUPS] = { true, true, true, true };
	const bool want1[NGROUPS] = { true, true, false, true };
	uint8_t phase = 2;

	check_phase(1, all);
	if (rte_eth_allmulticast_disable(port) != 0)
		fail("allmulticast_disable while connected");
	phase = await_phase(phase, want1, "allmulticast_disable");
	if (rte_eth_allmulticast_enable(port) != 0)
		fail("allmulticast_enable while connected");
	phase = await_phase(phase, all, "allmulticast_enable");
	if (xstat("vif_management_connections") != 1)
		fail("vif_management_connections %" PRIu64 ": it reconnected",
		     xstat("vif_management_connections"));
	if (xstat("mcast_control_requests") != 2)
		fail("mcast_control_requests %" PRIu64 ", want 2 (G1, G2)",
		     xstat("mcast_control_requests"));
	pair_send_one(0, pair_frame(&groups[3], CTL_TYPE, 'd', 0));
}

int
main(int argc, char **argv)
{
	const struct rte_ether_addr l1[] = { groups[0], groups[1] };
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	static const char *const scenarios[] = { "mcast", NULL };
	const struct tl_opt opts[] = {
		TL_OPT("allmulti", SET, &allmulti, NULL,
		       "leave allmulticast on: nothing is filtered"),
		TL_OPT("live", SET, &live, NULL,
		       "turn allmulticast off and on while connected"),
		{ NULL, 0, 0, NULL, NULL, NULL, NULL },
	};
	const struct pair_side_cmd cmd = { "xenmcast", scenarios, opts, 4095 };

	pair_side_start(&cmd, argc, argv, &info);

	if (!back) {
		/* every group arrives by default, as on Linux netfront */
		if (rte_eth_allmulticast_get(port) != 1)
			fail("allmulticast is not on by default");
		/* both kept for the first connection */
		if (!allmulti && !live &&
		    rte_eth_allmulticast_disable(port) != 0)
			fail("allmulticast_disable");
		set_list(l1, 2, 0);
	}
	memset(&conf, 0, sizeof(conf));
	return pair_side_run(1, NB_DESC, &conf, run_back,
			     live ? run_front_live : run_front);
}
