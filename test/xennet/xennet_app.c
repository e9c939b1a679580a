/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * xennet_app: the guest side of the net_xennet tests. A minimal DPDK
 * application on one net_xennet port (loaded with -d, created with
 * --vdev) that echoes every packet back on the queue it came from, turning
 * the RX offload results into TX offload requests the way a forwarding
 * application would: LRO (a GSO packet from the backend) becomes TSO with
 * the same segment size, "L4 checksum not filled in" becomes an L4
 * checksum offload request. The test backend (xennet_peer) checks the
 * echoes.
 *
 * Each time the link comes up (the LSC event) it sends a READY packet on
 * queue 0: the peer starts a session only then, so every test checks that
 * the link-up event happens. It stops on a STOP packet from the peer, on link down after link up
 * (--until-down), or at --timeout; then it stops and closes the port and
 * prints the port's statistics and extended statistics as
 * "stat <name> <value>" lines for the test script. It sets its queues up
 * with 0 descriptors (the driver's default, as testpmd does) and prints
 * what the driver reports and rte_eth_dev_adjust_nb_rx_tx_desc() makes of
 * a few requests.
 *
 * Options (after EAL's --): see the table in main(), parsed by test/lib
 * (tl_opt_parse; a bad option prints the usage and exits 2).
 * Exit: 0 stopped as asked, 1 timeout, 2 error.
 */

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_net.h>

#include "tl_eth.h"
#include "tl_hold.h"
#include "tl_log.h"

#define BURST 32
#define STOP_ETHERTYPE 0x88b5

/*
 * --csum-all: ask for the L4 checksum offload on every TCP/UDP echo, its
 * complete checksum left as received, as testpmd's csum engine does with
 * `csum set tcp hw`; rte_eth_tx_prepare (called for every echo) must turn
 * the field into what the offload wants.
 */
static bool csum_all;
static uint32_t lsc_up;
static uint32_t lsc_down;
static volatile sig_atomic_t quit;

static int
on_lsc(uint16_t port, enum rte_eth_event_type ev, void *arg, void *ret)
{
	struct rte_eth_link link;

	RTE_SET_USED(ev);
	RTE_SET_USED(arg);
	RTE_SET_USED(ret);
	if (rte_eth_link_get_nowait(port, &link) != 0)
		return 0;
	if (link.link_status)
		__atomic_fetch_add(&lsc_up, 1, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&lsc_down, 1, __ATOMIC_RELAXED);
	printf("app: link %s\n", link.link_status ? "up" : "down");
	fflush(stdout);
	return 0;
}

static void
on_signal(int sig)
{
	RTE_SET_USED(sig);
	quit = 1;
}

/* Tell the peer we saw the link come up (a READY control packet). */
static bool
send_ready(uint16_t port, struct rte_mempool *mp)
{
	struct rte_ether_hdr *eh;
	struct rte_mbuf *m;
	char *p;

	m = rte_pktmbuf_alloc(mp);
	if (m == NULL)
		return false;
	p = rte_pktmbuf_append(m, 60);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return false;
	}
	memset(p, 0, 60);
	eh = (struct rte_ether_hdr *)p;
	memset(&eh->dst_addr, 0xff, sizeof(eh->dst_addr));
	rte_eth_macaddr_get(port, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(STOP_ETHERTYPE);
	memcpy(eh + 1, "XNET-READY", 10);
	if (rte_eth_tx_burst(port, 0, &m, 1) == 1)
		return true;
	rte_pktmbuf_free(m);
	return false;
}

/*
 * --malformed: one mbuf whose pkt_len (200) says more than its only
 * segment holds (60): the driver must drop and count it, not follow
 * ->next past the end of the chain.
 */
static void
send_malformed(uint16_t port, struct rte_mempool *mp)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

	if (m == NULL || rte_pktmbuf_append(m, 60) == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	memset(rte_pktmbuf_mtod(m, char *), 0, 60);
	m->pkt_len = 200;
	if (rte_eth_tx_burst(port, 0, &m, 1) != 1) {
		m->pkt_len = m->data_len;
		rte_pktmbuf_free(m);
	}
}

/*
 * --hold N: the first N packets received stay with the application
 * (test/lib/tl_hold.h); a copy is echoed in their place. What the
 * application read of each is compared at the end, after whatever the
 * backend did meanwhile (a restart, a hostile rewrite of its pages).
 */
static struct tl_hold held;

static bool
is_stop(struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh;
	uint8_t buf[23];

	/* whatever the chain's cut (rx_zero_copy makes chains) */
	eh = rte_pktmbuf_read(m, 0, sizeof(buf), buf);
	if (eh == NULL)
		return false;
	return eh->ether_type == rte_cpu_to_be_16(STOP_ETHERTYPE) &&
		memcmp((const char *)(eh + 1), "XNET-STOP", 9) == 0;
}

/*
 * Rewrite a TSO frame's headers as a DPDK application leaves them
 * (rte_mbuf_core.h, RTE_MBUF_F_TX_TCP_SEG): the TCP checksum holds the
 * pseudo-header sum without the L4 length, the IPv4 header checksum 0 for
 * the device. The driver must turn them back into what Linux expects (the
 * backend checks the echo byte for byte against what it sent).
 */
static void
tso_headers_dpdk_way(struct rte_mbuf *m, bool v6, uint64_t tx)
{
	struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(m,
		struct rte_tcp_hdr *, m->l2_len + m->l3_len);

	if (v6) {
		th->cksum = rte_ipv6_phdr_cksum(rte_pktmbuf_mtod_offset(m,
			const struct rte_ipv6_hdr *, m->l2_len), tx);
	} else {
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
			struct rte_ipv4_hdr *, m->l2_len);

		ip->hdr_checksum = 0;
		th->cksum = rte_ipv4_phdr_cksum(ip, tx);
	}
}

/* Turn what the port told us on RX into what we ask of it on TX. */
static void
prepare_echo(struct rte_mbuf *m)
{
	struct rte_net_hdr_lens hl;
	uint64_t ol = m->ol_flags;
	uint64_t tx = 0;
	uint32_t ptype;
	bool v6;

	ptype = rte_net_get_ptype(m, &hl, RTE_PTYPE_L2_MASK |
				  RTE_PTYPE_L3_MASK | RTE_PTYPE_L4_MASK);
	v6 = RTE_ETH_IS_IPV6_HDR(ptype);
	m->l2_len = hl.l2_len;
	m->l3_len = hl.l3_len;
	m->l4_len = hl.l4_len;
	if ((ol & RTE_MBUF_F_RX_LRO) &&
	    (ptype & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_TCP) {
		tx = RTE_MBUF_F_TX_TCP_SEG | (v6 ? RTE_MBUF_F_TX_IPV6 :
			RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM);
		/* m->tso_segsz already holds the backend's GSO size */
		tso_headers_dpdk_way(m, v6, tx);
	} else if (csum_all || (ol & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
		   RTE_MBUF_F_RX_L4_CKSUM_NONE) {
		if ((ptype & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_TCP)
			tx = RTE_MBUF_F_TX_TCP_CKSUM;
		else if ((ptype & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_UDP)
			tx = RTE_MBUF_F_TX_UDP_CKSUM;
		if (tx != 0)
			tx |= v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4;
	}
	m->ol_flags = tx;
	if (!(tx & RTE_MBUF_F_TX_TCP_SEG))
		m->tso_segsz = 0;
}

/*
 * The TX queue that echoes what RX queue @q received: q itself, or with
 * more TX queues than RX queues (--txq, a multiple of --queues), each of
 * q, q + rxqs, q + 2 rxqs, ... in turn. All of them map onto q's netif
 * queue when the connection has rxqs netif queues, where the peer expects
 * the echo; so several ethdev TX queues share each ring.
 */
static uint16_t
echo_txq(uint16_t q, unsigned int rxqs, unsigned int txqs,
	 unsigned int round)
{
	unsigned int k = txqs > rxqs ? txqs / rxqs : 1;

	return (uint16_t)((q + rxqs * (round % k)) % txqs);
}

/* The descriptor counts an application gets when it asks the driver. */
static void
print_desc(uint16_t port, const struct rte_eth_dev_info *info)
{
	static const struct {
		const char *name;
		uint16_t rx, tx;
	} asks[] = {
		{ "zero", 0, 0 }, { "small", 1, 1 },
		{ "large", UINT16_MAX, UINT16_MAX },
	};
	unsigned int i;

	printf("stat default_rx_ring_size %u\n",
	       info->default_rxportconf.ring_size);
	printf("stat default_tx_ring_size %u\n",
	       info->default_txportconf.ring_size);
	for (i = 0; i < RTE_DIM(asks); i++) {
		uint16_t rx = asks[i].rx, tx = asks[i].tx;

		if (rte_eth_dev_adjust_nb_rx_tx_desc(port, &rx, &tx) != 0)
			continue;
		printf("stat adjust_rxd_%s %u\n", asks[i].name, rx);
		printf("stat adjust_txd_%s %u\n", asks[i].name, tx);
	}
}

static void
print_stats(uint16_t port)
{
	struct rte_eth_xstat_name *names = NULL;
	struct rte_eth_xstat *xs = NULL;
	struct rte_eth_stats st;
	int n, i;

	if (rte_eth_stats_get(port, &st) == 0) {
		printf("stat ipackets %" PRIu64 "\n", st.ipackets);
		printf("stat opackets %" PRIu64 "\n", st.opackets);
		printf("stat ibytes %" PRIu64 "\n", st.ibytes);
		printf("stat obytes %" PRIu64 "\n", st.obytes);
		printf("stat ierrors %" PRIu64 "\n", st.ierrors);
		printf("stat oerrors %" PRIu64 "\n", st.oerrors);
		printf("stat rx_nombuf %" PRIu64 "\n", st.rx_nombuf);
	}
	n = rte_eth_xstats_get_names(port, NULL, 0);
	if (n > 0) {
		names = calloc((size_t)n, sizeof(*names));
		xs = calloc((size_t)n, sizeof(*xs));
	}
	if (names != NULL && xs != NULL &&
	    rte_eth_xstats_get_names(port, names, (unsigned int)n) == n &&
	    rte_eth_xstats_get(port, xs, (unsigned int)n) == n)
		for (i = 0; i < n; i++)
			printf("stat %s %" PRIu64 "\n", names[xs[i].id].name,
			       xs[i].value);
	free(names);
	free(xs);
	printf("stat lsc_up %u\n", __atomic_load_n(&lsc_up, __ATOMIC_RELAXED));
	printf("stat lsc_down %u\n",
	       __atomic_load_n(&lsc_down, __ATOMIC_RELAXED));
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct rte_mempool *mp;
	struct rte_mbuf *pkts[BURST];
	unsigned int queues = 1, timeout = 40, mbuf_size = 2048, mtu = 0;
	unsigned int cycles = 1, delay_us = 0, txqs = 0, desc = 0, round = 0;
	unsigned int hold_n = 0;
	bool until_down = false, offload = true, stop = false, sink = false;
	bool malformed = false, scatter = true, rss = false, mcast = false;
	bool tx_pool = false;
	struct rte_mempool *txmp = NULL;
	unsigned int keep_n = 0;
	struct rte_mbuf *kept[8];
	bool reprobe = false;
	uint64_t pool_segs = 0;
	char dev_name[RTE_DEV_NAME_MAX_LEN] = "", dev_args[256] = "";
	uint64_t deadline, idle = 0;
	uint32_t ready_sent = 0;
	uint16_t port = 0, q;
	int ret, status = 0;
	const struct tl_opt opts[] = {
		TL_OPTS_PORT(&queues, &txqs, &desc, &mtu),
		TL_OPT("timeout", UINT, &timeout, "SECS",
		       "give up (exit 1) after SECS (default 40)"),
		TL_OPT("until-down", SET, &until_down, NULL,
		       "also stop on link down after link up"),
		TL_OPT("mbuf-size", UINT, &mbuf_size, "BYTES",
		       "mbuf data room (default 2048)"),
		TL_OPT("no-offload", CLEAR, &offload, NULL,
		       "enable no offload"),
		TL_OPT("no-scatter", CLEAR, &scatter, NULL,
		       "no RX scatter, hence no LRO"),
		TL_OPT("cycles", UINT, &cycles, "N",
		       "on each of the first N-1 STOP packets, stop and start "
		       "the port again"),
		TL_OPT("sink", SET, &sink, NULL,
		       "count and free what arrives, echo nothing"),
		TL_OPT("delay-us", UINT, &delay_us, "N",
		       "sleep N us after each burst that received, before echoing"),
		TL_OPT("hold", UINT, &hold_n, "N",
		       "keep the first N packets (echo copies) and check at "
		       "the end that they did not change"),
		TL_OPT("malformed", SET, &malformed, NULL,
		       "first send one mbuf whose pkt_len exceeds its segment"),
		TL_OPT("rss", SET, &rss, NULL,
		       "configure RSS; at link up call rss_hash_update and "
		       "print its result (rss_update_rc, rss_update_ms)"),
		TL_OPT("csum-all", SET, &csum_all, NULL,
		       "L4 checksum offload for every TCP/UDP echo, the "
		       "received checksum left in place (testpmd's csum engine)"),
		TL_OPT("tx-pool", SET, &tx_pool, NULL,
		       "echo copies built in net_xennet's granted TX pool "
		       "(devarg tx_pool, xennet_tx_<port>); print "
		       "tx_pool_in_use after stop"),
		TL_OPT("tx-pool-keep", UINT, &keep_n, "N",
		       "with --tx-pool: hold N (at most 8) of its mbufs, "
		       "written, past dev_close; then read and free them "
		       "(tx_pool_kept_ok) and say whether the pool still "
		       "exists (tx_pool_after_close)"),
		TL_OPT("tx-pool-reprobe", SET, &reprobe, NULL,
		       "with --tx-pool-keep: after dev_close, unplug the "
		       "device and plug it again while holding the mbufs "
		       "(tx_pool_reprobe_held: 1 if refused), then after "
		       "freeing them (tx_pool_reprobe_ok), and unplug it"),
		TL_OPT("mcast", SET, &mcast, NULL,
		       "turn allmulticast off; at link up call "
		       "set_mc_addr_list and print its result (mcast_rc, "
		       "mcast_ms)"),
		{ NULL, 0, 0, NULL, NULL, NULL, NULL },
	};
	const struct tl_cmd cmd = {
		.prog = "xennet_app",
		.synopsis = "[EAL options] -- [options]",
		.opts = opts,
	};

	tl_eal_opts(&cmd, argc, argv);
	if (hold_n > TL_HOLD_MAX) {
		fprintf(stderr, "app: --hold: at most %u\n", TL_HOLD_MAX);
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	if (rte_eth_dev_count_avail() != 1) {
		fprintf(stderr, "app: expected one port, found %u\n",
			rte_eth_dev_count_avail());
		status = 2;
		goto out;
	}
	ret = rte_eth_dev_info_get(port, &info);
	if (ret != 0) {
		fprintf(stderr, "app: dev_info: %s\n", rte_strerror(-ret));
		status = 2;
		goto out;
	}
	print_desc(port, &info);
	{
		uint16_t probe_mtu = 0;

		/* the MTU the port has before the application configures it */
		if (rte_eth_dev_get_mtu(port, &probe_mtu) == 0)
			printf("stat probe_mtu %u\n", probe_mtu);
	}
	memset(&conf, 0, sizeof(conf));
	conf.intr_conf.lsc = 1;
	if (offload) {
		conf.rxmode.offloads = info.rx_offload_capa &
			(RTE_ETH_RX_OFFLOAD_SCATTER | RTE_ETH_RX_OFFLOAD_TCP_LRO |
			 RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
			 RTE_ETH_RX_OFFLOAD_UDP_CKSUM);
		conf.txmode.offloads = info.tx_offload_capa &
			(RTE_ETH_TX_OFFLOAD_MULTI_SEGS |
			 RTE_ETH_TX_OFFLOAD_TCP_TSO |
			 RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
			 RTE_ETH_TX_OFFLOAD_UDP_CKSUM);
	} else {
		conf.rxmode.offloads = info.rx_offload_capa &
			RTE_ETH_RX_OFFLOAD_SCATTER;
		conf.txmode.offloads = info.tx_offload_capa &
			RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	}
	if (!scatter)
		conf.rxmode.offloads &= ~(RTE_ETH_RX_OFFLOAD_SCATTER |
					  RTE_ETH_RX_OFFLOAD_TCP_LRO);
	if (conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_TCP_LRO)
		conf.rxmode.max_lro_pkt_size = info.max_lro_pkt_size;
	conf.rxmode.mtu = mtu;
	if (rss) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_IPV4 |
			RTE_ETH_RSS_NONFRAG_IPV4_TCP;
	}
	if (txqs == 0)
		txqs = queues;
	ret = rte_eth_dev_configure(port, (uint16_t)queues, (uint16_t)txqs,
				    &conf);
	if (ret != 0) {
		fprintf(stderr, "app: configure: %s\n", rte_strerror(-ret));
		status = 2;
		goto out;
	}
	mp = rte_pktmbuf_pool_create("app_mbufs", 16383, 256, 0,
				     (uint16_t)(mbuf_size + RTE_PKTMBUF_HEADROOM),
				     (int)rte_socket_id());
	if (mp == NULL) {
		fprintf(stderr, "app: mempool: %s\n", rte_strerror(rte_errno));
		status = 2;
		goto close;
	}
	if (tx_pool) {
		char name[RTE_MEMPOOL_NAMESIZE];

		snprintf(name, sizeof(name), "xennet_tx_%u", port);
		txmp = rte_mempool_lookup(name);
		if (txmp == NULL) {
			fprintf(stderr, "app: no mempool %s\n", name);
			status = 2;
			goto close;
		}
		if (keep_n > RTE_DIM(kept) ||
		    rte_pktmbuf_alloc_bulk(txmp, kept, keep_n) != 0) {
			fprintf(stderr, "app: cannot hold %u mbufs of %s\n",
				keep_n, name);
			status = 2;
			goto close;
		}
		for (q = 0; q < keep_n; q++)
			memset(rte_pktmbuf_mtod(kept[q], void *), 0xa0 + q,
			       rte_pktmbuf_tailroom(kept[q]));
		/* what --tx-pool-reprobe plugs again */
		if (info.device != NULL) {
			const struct rte_devargs *da =
				rte_dev_devargs(info.device);

			snprintf(dev_name, sizeof(dev_name), "%s",
				 rte_dev_name(info.device));
			if (da != NULL && da->args != NULL)
				snprintf(dev_args, sizeof(dev_args), "%s",
					 da->args);
		}
	}
	if (tl_eth_queues("app", port, (uint16_t)queues, (uint16_t)txqs,
			  (uint16_t)desc, mp) != 0) {
		status = 2;
		goto close;
	}
	{
		struct rte_eth_rxq_info rqi;
		struct rte_eth_txq_info tqi;

		if (rte_eth_rx_queue_info_get(port, 0, &rqi) == 0)
			printf("stat rxq0_nb_desc %u\n", rqi.nb_desc);
		if (rte_eth_tx_queue_info_get(port, 0, &tqi) == 0)
			printf("stat txq0_nb_desc %u\n", tqi.nb_desc);
	}
	rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_LSC, on_lsc,
				      NULL);
	if (mcast && rte_eth_allmulticast_disable(port) != 0)
		tl_fail("allmulticast_disable");
	ret = rte_eth_dev_start(port);
	if (ret != 0) {
		fprintf(stderr, "app: start: %s\n", rte_strerror(-ret));
		status = 2;
		goto close;
	}
	printf("app: started, %u queue(s), rx offloads %#" PRIx64 ", tx offloads %#" PRIx64 "\n",
	       queues, conf.rxmode.offloads, conf.txmode.offloads);
	fflush(stdout);

	deadline = rte_get_timer_cycles() + rte_get_timer_hz() * timeout;
	while (!stop && !quit) {
		unsigned int got = 0;

		round++;
		for (q = 0; q < queues; q++) {
			uint16_t n, i, keep = 0, sent = 0, prep;
			uint64_t tx_deadline;

			n = rte_eth_rx_burst(port, q, pkts, BURST);
			got += n;
			/* let the peer fall asleep: it then needs our kick */
			if (n > 0 && delay_us > 0)
				usleep(delay_us);
			for (i = 0; i < n; i++) {
				if (is_stop(pkts[i])) {
					rte_pktmbuf_free(pkts[i]);
					stop = true;
					continue;
				}
				if (sink) {
					rte_pktmbuf_free(pkts[i]);
					continue;
				}
				if (held.n < hold_n) {
					struct rte_mbuf *c = rte_pktmbuf_copy(
						pkts[i], mp, 0, UINT32_MAX);

					if (c == NULL) {
						printf("app: no mbuf to copy a held packet\n");
						status = 2;
						quit = 1;
						rte_pktmbuf_free(pkts[i]);
						continue;
					}
					tl_hold_keep(&held, pkts[i]);
					pkts[i] = c;
				}
				prepare_echo(pkts[i]);
				if (txmp != NULL) {
					/* the echo, from the granted pool */
					struct rte_mbuf *c = rte_pktmbuf_copy(
						pkts[i], txmp, 0, UINT32_MAX);

					rte_pktmbuf_free(pkts[i]);
					if (c == NULL) {
						printf("app: no mbuf of the TX pool\n");
						status = 2;
						quit = 1;
						continue;
					}
					pkts[i] = c;
				}
				pkts[keep++] = pkts[i];
			}
			/* DPDK's contract for offloads: prepare, then send */
			prep = rte_eth_tx_prepare(port, echo_txq(q, queues,
						  txqs, round), pkts, keep);
			if (prep < keep) {
				printf("app: queue %u: tx_prepare refused packet %u: %s\n",
				       q, prep, rte_strerror(rte_errno));
				rte_pktmbuf_free_bulk(pkts + prep, keep - prep);
				keep = prep;
			}
			/* --tx-pool: the pool's segments handed to the port */
			for (i = 0; txmp != NULL && i < keep; i++)
				pool_segs += pkts[i]->nb_segs;
			/* echo everything; the backend answers promptly */
			tx_deadline = rte_get_timer_cycles() +
				rte_get_timer_hz() * 2;
			while (sent < keep &&
			       rte_get_timer_cycles() < tx_deadline)
				sent += rte_eth_tx_burst(port, echo_txq(q,
							 queues, txqs, round),
							 pkts + sent, keep - sent);
			if (sent < keep) {
				printf("app: queue %u: %u packets not sent\n",
				       q, keep - sent);
				fflush(stdout);
				for (i = sent; txmp != NULL && i < keep; i++)
					pool_segs -= pkts[i]->nb_segs;
				rte_pktmbuf_free_bulk(pkts + sent, keep - sent);
			}
		}
		if (malformed && ready_sent == 0 &&
		    __atomic_load_n(&lsc_up, __ATOMIC_RELAXED) > 0) {
			send_malformed(port, mp);
			malformed = false;
		}
		if (rss && __atomic_load_n(&lsc_up, __ATOMIC_RELAXED) > 0) {
			/* what an RSS update makes of this backend */
			struct rte_eth_rss_conf rc = {
				.rss_hf = RTE_ETH_RSS_IPV4,
			};
			uint64_t t0 = rte_get_timer_cycles();

			ret = rte_eth_dev_rss_hash_update(port, &rc);
			printf("stat rss_update_rc %d\n", ret);
			printf("stat rss_update_ms %" PRIu64 "\n",
			       (rte_get_timer_cycles() - t0) * 1000 /
			       rte_get_timer_hz());
			fflush(stdout);
			rss = false;
		}
		if (mcast && __atomic_load_n(&lsc_up, __ATOMIC_RELAXED) > 0) {
			/* what a multicast subscription makes of it */
			struct rte_ether_addr g = {
				{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 } };
			uint64_t t0 = rte_get_timer_cycles();

			ret = rte_eth_dev_set_mc_addr_list(port, &g, 1);
			printf("stat mcast_rc %d\n", ret);
			printf("stat mcast_ms %" PRIu64 "\n",
			       (rte_get_timer_cycles() - t0) * 1000 /
			       rte_get_timer_hz());
			fflush(stdout);
			mcast = false;
		}
		if (__atomic_load_n(&lsc_up, __ATOMIC_RELAXED) > ready_sent &&
		    send_ready(port, mp))
			ready_sent++;
		if (stop && --cycles > 0) {
			/* a full disconnect and a new connection */
			ret = rte_eth_dev_stop(port);
			if (ret == 0)
				ret = rte_eth_dev_start(port);
			if (ret != 0) {
				fprintf(stderr, "app: restart: %s\n",
					rte_strerror(-ret));
				status = 2;
				break;
			}
			printf("app: restarted, %u cycle(s) to go\n", cycles);
			fflush(stdout);
			stop = false;
		}
		if (until_down && __atomic_load_n(&lsc_up, __ATOMIC_RELAXED) &&
		    __atomic_load_n(&lsc_down, __ATOMIC_RELAXED))
			break;
		if (rte_get_timer_cycles() > deadline) {
			printf("app: timeout\n");
			status = 1;
			break;
		}
		/* a test app: do not hog a core the peer needs */
		if (got == 0 && ++idle > 64) {
			usleep(20);
			idle = 0;
		}
	}
	printf("app: stopping (%s)\n", stop ? "STOP packet" :
	       status ? "timeout" : "link down");
	fflush(stdout);
	if (hold_n > 0)
		tl_hold_check(&held);
	ret = rte_eth_dev_stop(port);
	if (ret != 0) {
		fprintf(stderr, "app: stop: %s\n", rte_strerror(-ret));
		status = 2;
	}
	print_stats(port);
	{
		uint16_t cur_mtu = 0;

		if (rte_eth_dev_get_mtu(port, &cur_mtu) == 0)
			printf("stat mtu %u\n", cur_mtu);
	}
	/* the port holds no mbuf once stopped */
	printf("stat mbufs_in_use %u\n", rte_mempool_in_use_count(mp));
	if (txmp != NULL) {
		printf("stat tx_pool_in_use %u\n",
		       rte_mempool_in_use_count(txmp));
		printf("stat tx_pool_sent_segs %" PRIu64 "\n", pool_segs);
	}
	fflush(stdout);
close:
	rte_eth_dev_close(port);
	rte_mempool_free(rte_mempool_lookup("app_mbufs"));
	if (txmp != NULL) {
		/* the driver keeps its pool while we hold some of it */
		char name[RTE_MEMPOOL_NAMESIZE];
		bool ok = true;
		unsigned int k;
		uint16_t i;

		snprintf(name, sizeof(name), "xennet_tx_%u", port);
		printf("stat tx_pool_after_close %d\n",
		       rte_mempool_lookup(name) != NULL);
		for (i = 0; i < keep_n; i++) {
			const uint8_t *d = rte_pktmbuf_mtod(kept[i],
							    const uint8_t *);

			for (k = 0; k < rte_pktmbuf_tailroom(kept[i]); k++)
				ok = ok && d[k] == 0xa0 + i;
		}
		if (keep_n > 0)
			printf("stat tx_pool_kept_ok %d\n", ok);
		/*
		 * a port probed again with the closed one's id needs the
		 * kept pool's name: refused while we hold its mbufs
		 */
		if (reprobe && dev_name[0] != '\0') {
			uint16_t pid;

			rte_eal_hotplug_remove("vdev", dev_name);
			/* the bus may say yes to a probe the driver refused */
			ret = rte_eal_hotplug_add("vdev", dev_name, dev_args);
			printf("stat tx_pool_reprobe_held %d\n", ret != 0 ||
			       rte_eth_dev_get_port_by_name(dev_name,
							    &pid) != 0);
			rte_eal_hotplug_remove("vdev", dev_name);
		}
		for (i = 0; i < keep_n; i++)
			rte_pktmbuf_free(kept[i]);
		if (reprobe && dev_name[0] != '\0') {
			ret = rte_eal_hotplug_add("vdev", dev_name, dev_args);
			printf("stat tx_pool_reprobe_ok %d\n", ret == 0 &&
			       rte_mempool_lookup(name) != NULL);
			if (ret == 0)
				rte_eal_hotplug_remove("vdev", dev_name);
			printf("stat tx_pool_after_reprobe %d\n",
			       rte_mempool_lookup(name) != NULL);
		}
		fflush(stdout);
	}
out:
	rte_eal_cleanup();
	return status;
}
