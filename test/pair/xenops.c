/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * xenops: the ethdev operations around the data path, net_xennet against
 * net_xenback over xenemu (test/pair/xenops.sh runs one process per side,
 * the same scenario on both). One port, one queue pair, ring page order 0
 * (256 slots each way), 1024 descriptors asked for. The two sides pace each
 * other through the data path only (packets, waits with deadlines).
 *
 *   desc   rx_queue_count, rx_descriptor_status, tx_descriptor_status: the
 *          front sends K packets the back does not read yet, both check
 *          every offset class against the slots in the rings (xennet_ops.c
 *          and xenback_ops.c define the mapping), then the back reads them
 *          and both see the slots come back; the same the other way.
 *   link   dev_set_link_down/up on each side in turn, while both send a
 *          packet every 5 ms: down reads down, TX drops and counts
 *          (tx_link_down_dropped), RX returns 0 while the peer's packets
 *          wait in the ring; up brings them in. On the back, the carrier key
 *          follows the application, and the toolstack's carrier key (written
 *          here with libxenstore, as dom0) takes the link down and up.
 *   intr   --sleeper: Rx interrupts (intr_conf.rxq), l3fwd-power style:
 *          rte_eth_dev_rx_intr_ctl_q(RTE_EPOLL_PER_THREAD, ADD), then each
 *          round intr_enable, rte_epoll_wait, intr_disable, read. The other
 *          side sends ONE packet per round, 100 ms after the previous
 *          answer, and waits for the answer: every round the sleeper must
 *          wake from rte_epoll_wait for that one packet. With --queues 2,
 *          the sender uses queue r mod 2 in round r and the wake-up must
 *          name the RX queue the packet came on.
 *
 * Prints "stat NAME VALUE" lines and "XENOPS OK" on success; exits 1 with
 * a "FAIL:" line otherwise.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_interrupts.h>
#include <rte_mbuf.h>

#include <xenstore.h>

#include "pair_side.h"
#include "tl_log.h"

#define RING 256		/* slots of an order-0 ring */
#define NB_DESC 1024		/* what we ask for: more than the ring */
#define K 5			/* packets of the desc scenario */
#define ROUNDS 10		/* rounds of the intr scenario */
#define BURST 32


static void
put_stat(const char *name, int64_t v)
{
	printf("stat %s %" PRId64 "\n", name, v);
	fflush(stdout);
}

static void
sleep_ms(unsigned int n)
{
	rte_delay_us_sleep(n * 1000u);
}

static bool
link_up(void)
{
	struct rte_eth_link l;

	if (rte_eth_link_get_nowait(port, &l) != 0)
		fail("rte_eth_link_get_nowait");
	return l.link_status == RTE_ETH_LINK_UP;
}

static void
wait_link(bool up, unsigned int timeout_ms, const char *why)
{
	uint64_t end = ms() + timeout_ms;

	while (link_up() != up) {
		if (ms() > end)
			fail("link not %s within %u ms (%s)", up ? "up" : "down",
			     timeout_ms, why);
		sleep_ms(5);
	}
}

/* Send @n 64-byte frames on TX queue @q; returns how many it took. */
static uint16_t
send_q(uint16_t q, uint16_t n, uint8_t tag)
{
	struct rte_mbuf *m[BURST];
	uint16_t i, sent;

	if (n > BURST)
		n = BURST;
	for (i = 0; i < n; i++)
		m[i] = pair_frame(NULL, PAIR_ETHER_TYPE, tag, 0);
	sent = rte_eth_tx_burst(port, q, m, n);
	if (sent < n)
		rte_pktmbuf_free_bulk(m + sent, n - sent);
	return sent;
}

static uint16_t
send_pkts(uint16_t n, uint8_t tag)
{
	return send_q(0, n, tag);
}

/* Read and free what RX queue @q has; returns the count. */
static unsigned int
drain_q(uint16_t q)
{
	struct rte_mbuf *m[BURST];
	unsigned int total = 0;
	uint16_t n;

	do {
		n = rte_eth_rx_burst(port, q, m, BURST);
		rte_pktmbuf_free_bulk(m, n);
		total += n;
	} while (n == BURST);
	return total;
}

static uint16_t nb_queues = 1;

/* Every RX queue. */
static unsigned int
drain(void)
{
	unsigned int total = 0;
	uint16_t q;

	for (q = 0; q < nb_queues; q++)
		total += drain_q(q);
	return total;
}

/* Read until @want packets came, or fail after @timeout_ms. */
static void
receive(unsigned int want, unsigned int timeout_ms, const char *why)
{
	uint64_t end = ms() + timeout_ms;
	unsigned int got = 0;

	while (got < want) {
		got += drain();
		if (got < want && ms() > end)
			fail("%u of %u packets within %u ms (%s)", got, want,
			     timeout_ms, why);
	}
}

static void
wait_count(int want, unsigned int timeout_ms, const char *why)
{
	uint64_t end = ms() + timeout_ms;
	int c;

	while ((c = rte_eth_rx_queue_count(port, 0)) != want) {
		if (c < 0)
			fail("rte_eth_rx_queue_count: %s", strerror(-c));
		if (ms() > end)
			fail("rx_queue_count %d, expected %d (%s)", c, want,
			     why);
		sleep_ms(2);
	}
}

/* The status of descriptor @off of queue 0, RX (@rx) or TX, must be @want. */
static void
expect_desc(bool rx, uint16_t off, int want)
{
	int st = rx ? rte_eth_rx_descriptor_status(port, 0, off) :
		rte_eth_tx_descriptor_status(port, 0, off);

	if (st != want)
		fail("%cx_descriptor_status(%u) = %d, expected %d",
		     rx ? 'r' : 't', off, st, want);
}

static void
expect_rx_desc(uint16_t off, int want)
{
	expect_desc(true, off, want);
}

static void
expect_tx_desc(uint16_t off, int want)
{
	expect_desc(false, off, want);
}

/*
 * The receiver of K one-slot packets it has not read: K slots filled,
 * then the rest of the ring free, then past the ring, then past nb_desc.
 */
static void
check_rx_desc_filled(void)
{
	uint16_t i;

	for (i = 0; i < K; i++)
		expect_rx_desc(i, RTE_ETH_RX_DESC_DONE);
	expect_rx_desc(K, RTE_ETH_RX_DESC_AVAIL);
	expect_rx_desc(RING - 1, RTE_ETH_RX_DESC_AVAIL);
	expect_rx_desc(RING, RTE_ETH_RX_DESC_UNAVAIL);
	expect_rx_desc(NB_DESC - 1, RTE_ETH_RX_DESC_UNAVAIL);
	expect_rx_desc(NB_DESC, -EINVAL);
}

/*
 * The sender of K one-slot packets the peer has not read: the last K
 * slots before the tail are the peer's (FULL), the others reusable.
 */
static void
check_tx_desc_outstanding(void)
{
	uint16_t i;

	for (i = RING - K; i < RING; i++)
		expect_tx_desc(i, RTE_ETH_TX_DESC_FULL);
	expect_tx_desc(RING - K - 1, RTE_ETH_TX_DESC_DONE);
	expect_tx_desc(0, RTE_ETH_TX_DESC_DONE);
	expect_tx_desc(RING, RTE_ETH_TX_DESC_UNAVAIL);
	expect_tx_desc(NB_DESC, -EINVAL);
}

/* The peer read everything: every slot reusable again. */
static void
wait_tx_desc_done(const char *why)
{
	uint64_t end = ms() + 5000;

	while (rte_eth_tx_descriptor_status(port, 0, RING - 1) !=
	       RTE_ETH_TX_DESC_DONE) {
		if (ms() > end)
			fail("tx_descriptor_status(%u) still not DONE (%s)",
			     RING - 1, why);
		/* no burst here: the peer's next packets are not ours yet */
		sleep_ms(2);
	}
}

/* Sender side of one direction, then receiver side of the other. */
static void
desc_send(void)
{
	if (send_pkts(K, 1) != K)
		fail("could not send %u packets", K);
	check_tx_desc_outstanding();
	wait_tx_desc_done("the peer read them");
	put_stat("desc_sent", K);
}

static void
desc_receive(void)
{
	wait_count(K, 5000, "the peer sent K packets");
	check_rx_desc_filled();
	put_stat("rx_queue_count", rte_eth_rx_queue_count(port, 0));
	/* give the sender time to look at its outstanding slots */
	sleep_ms(500);
	receive(K, 2000, "reading them");
	if (rte_eth_rx_queue_count(port, 0) != 0)
		fail("rx_queue_count not 0 after reading");
	expect_rx_desc(0, RTE_ETH_RX_DESC_AVAIL);
	put_stat("desc_received", K);
}

static void
scenario_desc(void)
{
	/* nothing runs before the link: no slot is the ring's yet */
	if (rte_eth_rx_queue_count(port, 0) != 0)
		fail("rx_queue_count before the link");
	wait_link(true, 10000, "connect");
	if (!back) {
		desc_send();
		desc_receive();
	} else {
		desc_receive();
		desc_send();
	}
}

/*
 * link: phases on the time since the link came up, far enough apart for
 * two processes that saw the link within a few ms of each other.
 */
struct phase {
	uint64_t from, to;	/* ms after link up */
};

static const struct phase back_down = { 500, 1300 };
static const struct phase front_down = { 2300, 3100 };
static const struct phase carrier_down = { 4100, 4900 };
#define LINK_END 6000

static char *
read_carrier(struct xs_handle *xs)
{
	char path[256];
	unsigned int len;

	snprintf(path, sizeof(path), "%s/carrier", be_path);
	return xs_read(xs, XBT_NULL, path, &len);
}

static void
write_carrier(struct xs_handle *xs, const char *v)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/carrier", be_path);
	if (!xs_write(xs, XBT_NULL, path, v, strlen(v)))
		fail("cannot write %s", path);
}

static void
expect_carrier(struct xs_handle *xs, const char *want)
{
	char *v = read_carrier(xs);

	if (v == NULL || strcmp(v, want) != 0)
		fail("carrier key is %s, expected %s", v ? v : "(none)", want);
	free(v);
}

/* Down for a while: link down, RX returns 0, TX drops and counts. */
static void
hold_down(const struct phase *p, uint64_t t0, uint64_t *next_ping)
{
	uint64_t dropped0 = xstat("tx_link_down_dropped");
	unsigned int tries = 0;
	uint16_t sent = 0;
	int waiting;

	if (link_up())
		fail("link up while set down");
	while (ms() < t0 + p->to) {
		if (drain() != 0)
			fail("rx_burst returned packets while the link is down");
		if (ms() >= *next_ping) {
			sent += send_pkts(1, 2);
			tries++;
			*next_ping += 5;
		}
		sleep_ms(1);
	}
	if (sent != tries)
		fail("TX took %u of %u packets while down (drop them)", sent,
		     tries);
	if (xstat("tx_link_down_dropped") - dropped0 != tries)
		fail("tx_link_down_dropped grew by %" PRIu64 ", sent %u",
		     xstat("tx_link_down_dropped") - dropped0, tries);
	/* the peer kept sending: it waits in the ring */
	waiting = rte_eth_rx_queue_count(port, 0);
	if (waiting <= 0)
		fail("nothing waiting in the ring after the link was down (%d)",
		     waiting);
	put_stat("link_down_dropped", tries);
	put_stat("link_down_waiting", waiting);
}

static void
scenario_link(void)
{
	struct xs_handle *xs = NULL;
	uint64_t t0, next_ping;
	bool did_own = false, did_carrier = false;
	const struct phase *own = back ? &back_down : &front_down;
	unsigned int rx_after = 0;

	if (back) {
		xs = xs_open(0);
		if (xs == NULL)
			fail("xs_open: %s", strerror(errno));
	}
	wait_link(true, 10000, "connect");
	t0 = ms();
	next_ping = t0;
	while (ms() < t0 + LINK_END) {
		uint64_t now = ms();

		if (!did_own && now >= t0 + own->from) {
			if (rte_eth_dev_set_link_down(port) != 0)
				fail("rte_eth_dev_set_link_down");
			if (back)
				expect_carrier(xs, "0");
			hold_down(own, t0, &next_ping);
			if (rte_eth_dev_set_link_up(port) != 0)
				fail("rte_eth_dev_set_link_up");
			if (back)
				expect_carrier(xs, "1");
			wait_link(true, 1000, "set_link_up");
			receive(1, 1000, "after set_link_up");
			did_own = true;
			continue;
		}
		if (back && !did_carrier && now >= t0 + carrier_down.from) {
			/* the toolstack's switch */
			write_carrier(xs, "0");
			wait_link(false, 2000, "carrier 0 by the toolstack");
			hold_down(&carrier_down, t0, &next_ping);
			write_carrier(xs, "1");
			wait_link(true, 2000, "carrier 1 by the toolstack");
			receive(1, 1000, "after carrier 1");
			did_carrier = true;
			continue;
		}
		if (now >= next_ping) {
			send_pkts(1, 3);
			next_ping += 5;
		}
		rx_after += drain();
		sleep_ms(1);
	}
	if (!link_up())
		fail("link down at the end");
	put_stat("link_rx", rx_after);
	if (xs != NULL)
		xs_close(xs);
}

/*
 * intr: the sleeper. Every RX queue is in the thread's epoll set with its
 * number as data; the queue whose packet came must be one the wake-up
 * named (each queue has its own descriptor).
 */
static void
scenario_intr_sleeper(void)
{
	struct rte_epoll_event ev[RTE_MAX_QUEUES_PER_PORT];
	unsigned int woke = 0, spurious = 0, raced = 0, got;
	bool named[RTE_MAX_QUEUES_PER_PORT];
	uint16_t q, hit;
	uint64_t t;
	int n, i, rc;

	wait_link(true, 10000, "connect");
	for (q = 0; q < nb_queues; q++) {
		rc = rte_eth_dev_rx_intr_ctl_q(port, q, RTE_EPOLL_PER_THREAD,
					       RTE_INTR_EVENT_ADD,
					       (void *)(uintptr_t)q);
		if (rc != 0)
			fail("rte_eth_dev_rx_intr_ctl_q(%u): %s", q,
			     strerror(-rc));
	}
	while (woke < ROUNDS) {
		bool waiting = false;

		drain();
		memset(named, 0, sizeof(named));
		for (q = 0; q < nb_queues; q++) {
			rc = rte_eth_dev_rx_intr_enable(port, q);
			if (rc != 0)
				fail("rte_eth_dev_rx_intr_enable(%u): %s", q,
				     strerror(-rc));
			/* what came before arming does not kick: look */
			if (rte_eth_rx_queue_count(port, q) > 0) {
				waiting = true;
				named[q] = true;
			}
		}
		if (waiting) {
			/* most rounds must test a wake-up, not a poll */
			if (++raced > ROUNDS / 2)
				fail("%u rounds found the packet before waiting",
				     raced);
		} else {
			n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev,
					   nb_queues, 3000);
			if (n <= 0)
				fail("no wake-up within 3 s (round %u, rte_epoll_wait %d)",
				     woke, n);
			for (i = 0; i < n; i++) {
				q = (uint16_t)(uintptr_t)ev[i].epdata.data;
				if (q >= nb_queues)
					fail("wake-up for unknown queue %u", q);
				named[q] = true;
			}
		}
		for (q = 0; q < nb_queues; q++)
			rte_eth_dev_rx_intr_disable(port, q);
		/*
		 * The one packet of the round must be there, on a queue the
		 * wake-up named: a wake-up without it (a kick left pending
		 * from the previous round) is counted, and we wait again.
		 */
		t = ms();
		got = 0;
		hit = 0;
		while (got == 0 && ms() - t < 50) {
			for (q = 0; q < nb_queues && got == 0; q++) {
				got = drain_q(q);
				hit = q;
			}
		}
		if (got == 0) {
			if (++spurious > 3)
				fail("%u wake-ups without a packet", spurious);
			continue;
		}
		if (!named[hit])
			fail("round %u: the packet came on RX queue %u, the wake-up did not name it",
			     woke, hit);
		if (send_pkts(1, 5) != 1)
			fail("cannot answer round %u", woke);
		woke++;
	}
	put_stat("intr_woken", woke);
	put_stat("intr_early", spurious);
	put_stat("intr_raced", raced);
}

static void
scenario_intr_sender(void)
{
	unsigned int r;

	wait_link(true, 10000, "connect");
	for (r = 0; r < ROUNDS; r++) {
		sleep_ms(100);	/* the sleeper is in rte_epoll_wait by now */
		/* queue r mod n: netif queue r mod n, the peer's RX queue too */
		if (send_q(r % nb_queues, 1, 4) != 1)
			fail("cannot send round %u", r);
		receive(1, 5000, "the sleeper's answer");
	}
	put_stat("intr_rounds", r);
}

int
main(int argc, char **argv)
{
	static const char *const scenarios[] = { "desc", "link", "intr", NULL };
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	bool sleeper = false;
	unsigned int queues = nb_queues;
	const struct tl_opt opts[] = {
		TL_OPT("sleeper", SET, &sleeper, NULL,
		       "intr: sleep on Rx interrupts, the peer sends"),
		TL_OPT("queues", UINT, &queues, "N", "queue pairs, 1 to 4"),
		{ NULL, 0, 0, NULL, NULL, NULL, NULL },
	};
	const struct pair_side_cmd cmd = { "xenops", scenarios, opts, 4095 };

	pair_side_start(&cmd, argc, argv, &info);
	if (queues < 1 || queues > 4)
		fail("--queues 1 to 4");
	nb_queues = (uint16_t)queues;
	if (back && strcmp(scenario, "link") == 0 && be_path == NULL)
		fail("link needs --be-path on the back");
	if (strcmp(scenario, "intr") == 0 && sleeper)
		conf.intr_conf.rxq = 1;
	pair_port_start(port, nb_queues, NB_DESC, &conf, mp);

	if (strcmp(scenario, "desc") == 0)
		scenario_desc();
	else if (strcmp(scenario, "link") == 0)
		scenario_link();
	else if (sleeper)
		scenario_intr_sleeper();
	else
		scenario_intr_sender();

	/* the peer finishes reading before the vif goes away */
	return pair_side_close();
}
