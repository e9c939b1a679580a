/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * xbecho: the DPDK side of the net_xenback tests.
 *
 * Polls every queue of every port and sends each packet back out of the
 * queue it came in on, as testpmd's io forwarding does, with three extras
 * testpmd does not have:
 *  - --offload: turns the receive offload flags into transmit requests
 *    (RX_LRO into TX_TCP_SEG with the same segment size, a blank checksum
 *    (RX_L4_CKSUM_NONE) into TX_*_CKSUM), so GSO and checksum offload make
 *    the round trip guest -> DPDK -> guest;
 *  - --tx-seg N: re-chains every packet into N-byte segments before
 *    sending, to see how the driver packs small segments into guest pages;
 *  - on SIGUSR1 with --requeue N it stops every port, configures it for N
 *    queues and starts it again (an application reconfiguring a port
 *    while the guest stays connected);
 *  - on SIGUSR2 with --link-probe, a thread sets port 0's MTU (which waits
 *    on the port's control lock while the store is slow), and 200 ms later
 *    the main thread times rte_eth_link_get_nowait() on it, which must not
 *    wait on that lock;
 *  - --bad-chain: before the first echo, send two mbuf chains whose data
 *    lengths add up to far more than their pkt_len (an application bug:
 *    one needing 40 guest buffers, one 600), which the driver must drop;
 *  - --discover: it may start with no port at all and takes on every port
 *    that appears later (RTE_ETH_EVENT_NEW, as a wildcard net_xenback
 *    creates them), with intr_conf.rmv set; it prints each NEW and
 *    INTR_RMV event ("xbecho: event new port <id>", "xbecho: port <id>
 *    (<name>) up" once set up, "xbecho: event rmv port <id> <name>") and
 *    keeps the port on RMV (as OVS-DPDK does); with --hold it leaves the
 *    new ports unconfigured (as OVS-DPDK before the add-port that the vif
 *    script runs);
 *  - --keep N: the first N packets received stay with the application
 *    (test/lib/tl_hold.h) for --keep-ms after the first, a copy echoed in
 *    their place (with rx_zero_copy=1, mbufs pointing into the guest's
 *    pages, whose requests stay unanswered meanwhile); then what it read
 *    of each is compared and they are freed ("stat held..." lines). Still
 *    held at the end, they are checked after the ports are closed;
 *  - on SIGTERM/SIGINT (or after --duration) it prints every port's xstats
 *    as "xstat <port> <name> <value>" lines, then closes the ports, so a
 *    test can check the driver's counters.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_net.h>

#include "tl_eth.h"
#include "tl_hold.h"
#include "tl_log.h"

#define BURST 32
#define NB_MBUF 16383

static volatile sig_atomic_t quit;
static volatile sig_atomic_t requeue_req;
static volatile sig_atomic_t probe_req;
static bool link_probe;
static bool bad_chain;
static unsigned int requeue;
static unsigned int nb_queues = 1;
static unsigned int nb_txq;	/* 0: as many as nb_queues */
static unsigned int nb_desc;	/* 0: the driver's default */
static unsigned int mtu;	/* 0: leave the default */
static unsigned int round_;	/* echo rounds, to spread over TX queues */
static bool offload, lro, csum, discover, hold;
/*
 * --csum-all: the L4 checksum offload for every TCP/UDP echo, the
 * complete checksum left as received (testpmd's csum engine with `csum set
 * tcp hw`); rte_eth_tx_prepare must make the field what the offload wants
 */
static bool csum_all;
/* ports set up and polled (main loop only) */
static bool up[RTE_MAX_ETHPORTS];
/* ports announced by RTE_ETH_EVENT_NEW, not yet set up (atomic) */
static uint8_t fresh[RTE_MAX_ETHPORTS];
static unsigned int tx_seg;
/* --keep, --keep-ms: the packets kept and since when (main loop only) */
static struct tl_hold kept;
static unsigned int keep_n, keep_ms = 1000;
static uint64_t keep_t0;
static bool keep_done;
static unsigned int duration;
static struct rte_mempool *mp, *seg_mp;
static uint64_t dropped;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static void
on_usr1(int sig)
{
	(void)sig;
	requeue_req = 1;
}

static void
on_usr2(int sig)
{
	(void)sig;
	probe_req = 1;
}

static void *
mtu_thread(void *arg)
{
	int rc = rte_eth_dev_set_mtu(0, 1500);

	(void)arg;
	printf("xbecho: mtu set: %s\n", rc == 0 ? "ok" : strerror(-rc));
	return NULL;
}

/* --link-probe: how long link_get_nowait takes while an MTU set waits. */
static void
probe_link(void)
{
	struct rte_eth_link link;
	pthread_t tid;
	uint64_t t0, t1;

	if (pthread_create(&tid, NULL, mtu_thread, NULL) != 0) {
		fprintf(stderr, "xbecho: cannot start the mtu thread\n");
		exit(1);
	}
	rte_delay_us_sleep(200000);
	t0 = rte_get_timer_cycles();
	rte_eth_link_get_nowait(0, &link);
	t1 = rte_get_timer_cycles();
	printf("xbecho: link_get_nowait took %" PRIu64 " ms (link %s)\n",
	       (t1 - t0) * 1000 / rte_get_timer_hz(),
	       link.link_status ? "up" : "down");
	pthread_join(tid, NULL);
}

/* The command line, parsed and explained by test/lib's option table. */
static const struct tl_opt opts[] = {
	TL_OPTS_PORT(&nb_queues, &nb_txq, &nb_desc, &mtu),
	TL_OPT("lro", SET, &lro, NULL, "echo LRO packets as TSO (implies --offload)"),
	TL_OPT("csum", SET, &csum, NULL,
	       "echo blank checksums as checksum offload (implies --offload)"),
	TL_OPT("csum-all", SET, &csum_all, NULL,
	       "ask for the checksum offload on every TCP/UDP echo, its "
	       "complete checksum left in place (implies --csum)"),
	TL_OPT("offload", SET, &offload, NULL,
	       "turn receive offload flags into transmit requests"),
	TL_OPT("tx-seg", UINT, &tx_seg, "N",
	       "re-chain packets into N-byte segments before sending"),
	TL_OPT("requeue", UINT, &requeue, "N",
	       "at SIGUSR1, reconfigure every port for N queues"),
	TL_OPT("link-probe", SET, &link_probe, NULL,
	       "at SIGUSR2, time link_get_nowait during an MTU set"),
	TL_OPT("bad-chain", SET, &bad_chain, NULL,
	       "send two malformed mbuf chains before the first echo"),
	TL_OPT("discover", SET, &discover, NULL,
	       "take on ports that appear later; print NEW and RMV events"),
	TL_OPT("hold", SET, &hold, NULL,
	       "with --discover, leave new ports unconfigured (an application "
	       "that takes a port only when told to)"),
	TL_OPT("keep", UINT, &keep_n, "N",
	       "keep the first N packets received, echo a copy, check them "
	       "after --keep-ms"),
	TL_OPT("keep-ms", UINT, &keep_ms, "MS",
	       "how long --keep keeps them (default 1000)"),
	TL_OPT("duration", UINT, &duration, "SECS",
	       "stop after SECS (default: at SIGTERM or SIGINT)"),
	{ NULL, 0, 0, NULL, NULL, NULL, NULL },
};

static const struct tl_cmd cmd = {
	.prog = "xbecho",
	.synopsis = "[EAL options] -- [options]",
	.opts = opts,
};

static int
setup_port(uint16_t port)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(port, &info);
	if (rc != 0)
		return rc;
	conf.rxmode.offloads = info.rx_offload_capa &
			       RTE_ETH_RX_OFFLOAD_SCATTER;
	conf.txmode.offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	if (lro) {
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TCP_LRO;
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_TSO;
	}
	if (csum) {
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
					RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
					RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	}
	if (discover && (*info.dev_flags & RTE_ETH_DEV_INTR_RMV))
		conf.intr_conf.rmv = 1;
	rc = rte_eth_dev_configure(port, nb_queues, nb_txq, &conf);
	if (rc != 0) {
		fprintf(stderr, "xbecho: configure port %u: %s\n", port,
			strerror(-rc));
		return rc;
	}
	rc = tl_eth_queues("xbecho", port, nb_queues, nb_txq, nb_desc, mp);
	if (rc != 0)
		return rc;
	if (mtu != 0) {
		/* a refused MTU is reported, and the port goes on */
		rc = rte_eth_dev_set_mtu(port, (uint16_t)mtu);
		printf("xbecho: port %u mtu %u: %s\n", port, mtu,
		       rc == 0 ? "ok" : strerror(-rc));
	}
	rc = rte_eth_dev_start(port);
	if (rc != 0)
		fprintf(stderr, "xbecho: start port %u: %s\n", port,
			strerror(-rc));
	return rc;
}

/* Receive offload flags into transmit requests. */
static void
to_tx_offload(struct rte_mbuf *m)
{
	struct rte_net_hdr_lens hl;
	uint64_t ol = m->ol_flags, tx = 0;
	uint32_t ptype;

	if (!(ol & RTE_MBUF_F_RX_LRO) && !csum_all &&
	    (ol & RTE_MBUF_F_RX_L4_CKSUM_MASK) != RTE_MBUF_F_RX_L4_CKSUM_NONE) {
		m->ol_flags = 0;
		return;
	}
	ptype = rte_net_get_ptype(m, &hl, RTE_PTYPE_ALL_MASK);
	m->l2_len = hl.l2_len;
	m->l3_len = hl.l3_len;
	m->l4_len = hl.l4_len;
	tx = RTE_ETH_IS_IPV6_HDR(ptype) ? RTE_MBUF_F_TX_IPV6 :
					  RTE_MBUF_F_TX_IPV4;
	if (ol & RTE_MBUF_F_RX_LRO)
		tx |= RTE_MBUF_F_TX_TCP_SEG;
	else if ((ptype & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_TCP)
		tx |= RTE_MBUF_F_TX_TCP_CKSUM;
	else if ((ptype & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_UDP)
		tx |= RTE_MBUF_F_TX_UDP_CKSUM;
	m->ol_flags = tx;
}

/* Copy @m into a chain of tx_seg-byte segments. */
static struct rte_mbuf *
reseg(struct rte_mbuf *m)
{
	struct rte_mbuf *head = NULL, *s;
	uint32_t off = 0, n;

	while (off < m->pkt_len) {
		void *dst;
		const void *src;

		s = rte_pktmbuf_alloc(seg_mp);
		if (s == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		n = RTE_MIN(tx_seg, m->pkt_len - off);
		dst = rte_pktmbuf_append(s, (uint16_t)n);
		src = rte_pktmbuf_read(m, off, n, dst);
		if (src != dst)
			memcpy(dst, src, n);
		off += n;
		if (head == NULL) {
			head = s;
		} else if (rte_pktmbuf_chain(head, s) != 0) {
			/* more than RTE_MBUF_MAX_NB_SEGS segments */
			rte_pktmbuf_free(s);
			rte_pktmbuf_free(head);
			return NULL;
		}
	}
	head->ol_flags = m->ol_flags;
	head->tx_offload = m->tx_offload;
	rte_pktmbuf_free(m);
	return head;
}

/*
 * The TX queue that echoes RX queue @q's packets: q, or with more TX queues
 * than RX queues (--txq), each of q, q + rxqs, q + 2 rxqs, ... in turn.
 * The guest has one netif queue per RX queue, so all of them land on q's
 * netif queue, where the guest expects its echo: several ethdev TX queues
 * share each guest RX ring.
 */
static uint16_t
echo_txq(uint16_t q)
{
	unsigned int k = nb_txq > nb_queues ? nb_txq / nb_queues : 1;

	return (uint16_t)((q + nb_queues * (round_++ % k)) % nb_txq);
}

/*
 * A chain of @nseg segments of 2000 bytes each whose pkt_len says 1000:
 * what a buggy application might hand to tx_burst.
 */
static struct rte_mbuf *
malformed_chain(unsigned int nseg)
{
	struct rte_mbuf *head = NULL, *tail = NULL, *s;
	unsigned int i;

	for (i = 0; i < nseg; i++) {
		s = rte_pktmbuf_alloc(mp);
		if (s == NULL || rte_pktmbuf_append(s, 2000) == NULL) {
			fprintf(stderr, "xbecho: no mbufs for a bad chain\n");
			exit(1);
		}
		memset(rte_pktmbuf_mtod(s, void *), 0xa5, 2000);
		if (head == NULL)
			head = s;
		else
			tail->next = s;
		tail = s;
	}
	head->nb_segs = (uint16_t)nseg;
	head->pkt_len = 1000;
	return head;
}

static void
send_bad_chains(uint16_t port, uint16_t q)
{
	struct rte_mbuf *bad[2] = { malformed_chain(40), malformed_chain(600) };
	uint16_t n = rte_eth_tx_burst(port, q, bad, 2);

	printf("xbecho: port %u: tx_burst took %u of 2 malformed chains\n",
	       port, n);
	rte_pktmbuf_free_bulk(bad + n, 2 - n);
}

static uint16_t
echo_queue(uint16_t port, uint16_t q)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n, i, sent = 0;
	uint64_t deadline;

	n = rte_eth_rx_burst(port, q, pkts, BURST);
	if (n == 0)
		return 0;
	if (bad_chain) {
		bad_chain = false;
		send_bad_chains(port, q);
	}
	for (i = 0; i < n; i++) {
		if (!keep_done && kept.n < keep_n) {
			struct rte_mbuf *c = rte_pktmbuf_copy(pkts[i], mp, 0,
							      UINT32_MAX);

			if (c == NULL) {
				fprintf(stderr, "xbecho: no mbuf to copy a kept packet\n");
				exit(1);
			}
			if (kept.n == 0)
				keep_t0 = rte_get_timer_cycles();
			tl_hold_keep(&kept, pkts[i]);
			pkts[i] = c;
		}
		if (offload)
			to_tx_offload(pkts[i]);
		else
			pkts[i]->ol_flags = 0;
		if (tx_seg != 0) {
			struct rte_mbuf *r = reseg(pkts[i]);

			if (r == NULL) {
				fprintf(stderr, "xbecho: no segment mbufs\n");
				exit(1);
			}
			pkts[i] = r;
		}
	}
	/* DPDK's contract for offloads: prepare, then send */
	if (offload) {
		uint16_t prep = rte_eth_tx_prepare(port, echo_txq(q), pkts, n);

		if (prep < n) {
			printf("xbecho: port %u queue %u: tx_prepare refused packet %u: %s\n",
			       port, q, prep, rte_strerror(rte_errno));
			dropped += n - prep;
			rte_pktmbuf_free_bulk(pkts + prep, n - prep);
			n = prep;
		}
	}
	/*
	 * The guest may be short of buffers for a while (the tests share
	 * two cores): retry up to two seconds before dropping.
	 */
	deadline = rte_get_timer_cycles() + 2 * rte_get_timer_hz();
	while (sent < n && !quit) {
		sent += rte_eth_tx_burst(port, echo_txq(q), pkts + sent,
					 n - sent);
		if (rte_get_timer_cycles() > deadline)
			break;
	}
	if (sent < n) {
		printf("xbecho: port %u queue %u: dropped %u packets the guest had no buffers for\n",
		       port, q, n - sent);
		dropped += n - sent;
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
	return n;
}

static void
print_xstats(uint16_t port)
{
	struct rte_eth_xstat_name *names;
	struct rte_eth_xstat *vals;
	int n, i;

	n = rte_eth_xstats_get_names(port, NULL, 0);
	if (n <= 0)
		return;
	names = calloc(n, sizeof(*names));
	vals = calloc(n, sizeof(*vals));
	if (names == NULL || vals == NULL ||
	    rte_eth_xstats_get_names(port, names, n) != n ||
	    rte_eth_xstats_get(port, vals, n) != n) {
		free(names);
		free(vals);
		return;
	}
	for (i = 0; i < n; i++)
		printf("xstat %u %s %" PRIu64 "\n", port,
		       names[vals[i].id].name, vals[i].value);
	free(names);
	free(vals);
}

/*
 * NEW and INTR_RMV, on the thread that raised them (a driver's control
 * thread): printed, and a new port is left for the main loop to set up.
 */
static int
on_event(uint16_t port, enum rte_eth_event_type type, void *cb_arg,
	 void *ret)
{
	char name[RTE_ETH_NAME_MAX_LEN] = "";

	(void)cb_arg;
	(void)ret;
	/* a NEW port is not attached yet: its name comes with "up" */
	if (type == RTE_ETH_EVENT_NEW) {
		printf("xbecho: event new port %u\n", port);
		__atomic_store_n(&fresh[port], 1, __ATOMIC_RELEASE);
	} else {
		rte_eth_dev_get_name_by_port(port, name);
		printf("xbecho: event rmv port %u %s\n", port, name);
	}
	return 0;
}

/* Set up the ports that appeared since the last call. */
static int
setup_fresh(void)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t port;

	for (port = 0; port < RTE_MAX_ETHPORTS; port++) {
		if (!__atomic_exchange_n(&fresh[port], 0, __ATOMIC_ACQUIRE) ||
		    up[port])
			continue;
		if (setup_port(port) != 0)
			return -1;
		up[port] = true;
		rte_eth_dev_get_name_by_port(port, name);
		printf("xbecho: port %u (%s) up\n", port, name);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	uint16_t port, q, nb_ports;
	uint64_t end;

	tl_eal_opts(&cmd, argc, argv);
	csum = csum || csum_all;
	offload = offload || lro || csum;
	if (nb_txq == 0)
		nb_txq = nb_queues;
	if (nb_queues == 0 || nb_queues > 16 || nb_txq > 16)
		tl_usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGUSR1, on_usr1);
	signal(SIGUSR2, on_usr2);

	mp = rte_pktmbuf_pool_create("xbecho", NB_MBUF, 256, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_socket_id());
	if (mp == NULL) {
		fprintf(stderr, "xbecho: mempool: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	if (tx_seg != 0) {
		seg_mp = rte_pktmbuf_pool_create("xbecho_seg", NB_MBUF, 256, 0,
						 RTE_PKTMBUF_HEADROOM + tx_seg,
						 rte_socket_id());
		if (seg_mp == NULL)
			return 1;
	}
	nb_ports = rte_eth_dev_count_avail();
	if (nb_ports == 0 && !discover) {
		fprintf(stderr, "xbecho: no ports\n");
		return 1;
	}
	if (discover &&
	    (rte_eth_dev_callback_register(RTE_ETH_ALL, RTE_ETH_EVENT_NEW,
					   on_event, NULL) != 0 ||
	     rte_eth_dev_callback_register(RTE_ETH_ALL,
					   RTE_ETH_EVENT_INTR_RMV, on_event,
					   NULL) != 0)) {
		fprintf(stderr, "xbecho: cannot register event callbacks\n");
		return 1;
	}
	RTE_ETH_FOREACH_DEV(port) {
		if (setup_port(port) != 0)
			return 1;
		up[port] = true;
	}
	printf("xbecho: %u port(s) up, %u queue(s) each\n", nb_ports,
	       nb_queues);

	end = duration ? rte_get_timer_cycles() +
			 (uint64_t)duration * rte_get_timer_hz() : 0;
	while (!quit && (end == 0 || rte_get_timer_cycles() < end)) {
		unsigned int got = 0;

		if (probe_req && link_probe) {
			probe_req = 0;
			probe_link();
		}
		if (requeue_req && requeue != 0) {
			requeue_req = 0;
			nb_queues = requeue;
			nb_txq = requeue;
			for (port = 0; port < RTE_MAX_ETHPORTS; port++) {
				if (!up[port])
					continue;
				rte_eth_dev_stop(port);
				if (setup_port(port) != 0)
					return 1;
			}
			printf("xbecho: ports reconfigured for %u queue(s)\n",
			       nb_queues);
		}

		if (discover && !hold && setup_fresh() != 0)
			return 1;
		for (port = 0; port < RTE_MAX_ETHPORTS; port++)
			for (q = 0; up[port] && q < nb_queues; q++)
				got += echo_queue(port, q);
		if (kept.n > 0 && !keep_done && rte_get_timer_cycles() - keep_t0 >
		    (uint64_t)keep_ms * rte_get_timer_hz() / 1000) {
			tl_hold_check(&kept);
			keep_done = true;
		}
		/* idle: leave the CPU to the guest (tests share two cores) */
		if (got == 0)
			rte_delay_us_sleep(20);
	}

	for (port = 0; port < RTE_MAX_ETHPORTS; port++) {
		struct rte_eth_stats st;

		if (!up[port])
			continue;
		if (rte_eth_stats_get(port, &st) == 0)
			printf("stats %u ipackets %" PRIu64 " opackets %" PRIu64
			       " ierrors %" PRIu64 " oerrors %" PRIu64
			       " imissed %" PRIu64 "\n", port, st.ipackets,
			       st.opackets, st.ierrors, st.oerrors,
			       st.imissed);
		print_xstats(port);
	}
	printf("xbecho: dropped %" PRIu64 "\n", dropped);
	for (port = 0; port < RTE_MAX_ETHPORTS; port++) {
		if (!up[port])
			continue;
		rte_eth_dev_stop(port);
		rte_eth_dev_close(port);
	}
	/* kept past the ports' close: they must still read the same */
	if (kept.n > 0)
		tl_hold_check(&kept);
	rte_mempool_free(seg_mp);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return 0;
}
