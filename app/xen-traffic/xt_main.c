/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * xen-traffic main program: EAL, one port and its mempool, the polling loop
 * on the main lcore (all queues round-robin), and an orderly teardown that
 * measures leaked mbufs once the port is closed and every mbuf the program
 * held is back in the pool. With --port given several times, each port has
 * its own context (pool, streams, counters, summary) and its loop runs on an
 * lcore of its own: the first on the main lcore, the others on the workers
 * in order, so one port's stall shows as a gap on that port only.
 */

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "xt.h"

#define XT_POOL_CACHE		256
#define XT_POOL_MIN		8191
#define XT_LINK_POLL_MS		10
/*
 * Once traffic has flowed and then stopped for XT_IDLE_AFTER_US (and this
 * process is not sending), poll every XT_IDLE_POLL_US instead of spinning:
 * the drain needs no more, the shared cores get their time back, and a peer
 * that disconnects finds us outside the PMD's burst functions, where some
 * PMDs (DPDK 22.11's memif) race with their own disconnect handling.
 */
#define XT_IDLE_AFTER_US	10000
#define XT_IDLE_POLL_US		1000
/* Pending tx room: a burst plus the extra frame a dup/reorder injection adds. */
#define XT_PEND_MAX		(XT_MAX_BURST + 2)

/* Fault injections: kind k hits seq i * interval + xt_inj_off[k], i = 1..N. */
enum xt_inj { XT_INJ_DROP, XT_INJ_CORRUPT, XT_INJ_DUP, XT_INJ_REORDER, XT_INJ_MAX };
static const uint64_t xt_inj_off[XT_INJ_MAX] = { 0, 2, 4, 6 };

/*
 * Signals received (SIGINT/SIGTERM); the loop polls it. The first ends the
 * traffic and starts a short drain, a second stops at once.
 */
static volatile sig_atomic_t xt_quit;
#define XT_SIGNAL_DRAIN_S	0.5

/* Per queue: the sending stream and the frames the PMD has not accepted yet. */
struct xt_txq {
	uint16_t qid;
	uint16_t stream;
	uint64_t seq;			/* next sequence number */
	uint64_t limit;			/* sequence numbers to send; UINT64_MAX: no limit */
	uint64_t rate;			/* this queue's share of --rate; 0: none */
	uint64_t paced;			/* frames built, counted against the rate */
	unsigned int sched_pos;		/* position in cfg->sched */
	uint32_t tries;			/* failed tx bursts in a row */
	uint16_t npend;
	struct rte_mbuf *pend[XT_PEND_MAX];	/* built or received, in send order */
	uint32_t plen[XT_PEND_MAX];		/* their lengths, read before tx_burst */
	struct xt_tmpl tmpl[XT_MAX_SIZES];
};

/* Everything one port's run owns. */
struct xt_ctx {
	struct xt_config *cfg;
	unsigned int index;		/* position in --port order */
	uint16_t port;
	char port_name[RTE_ETH_NAME_MAX_LEN];
	char prefix[RTE_ETH_NAME_MAX_LEN + 4];	/* report lines: "" or "name " */
	struct rte_ether_addr mac;
	struct rte_mempool *mp;
	/*
	 * --tx-pool: the mempool frames are built in (another's: looked up,
	 * never freed here), else mp
	 */
	struct rte_mempool *txmp;
	char txmp_name[RTE_MEMPOOL_NAMESIZE];
	uint16_t seg_room;		/* data bytes per mbuf sent */
	uint64_t hz;
	bool sends, verifies, receives;
	struct xt_size *sizes;
	struct xt_txq *txq;
	struct xt_seq_table *seq;
	struct xt_tx_stats tx;
	struct xt_rx_stats rx;
	struct xt_port_stats pstats;
	/* the port's xstats at the end (xt_xstats_get), freed with the ctx */
	struct rte_eth_xstat_name *xnames;
	uint64_t *xvalues;
	unsigned int nx;
	uint64_t t_start;
	uint64_t first_tx, last_tx;
	uint64_t first_rx, last_rx;
	uint64_t rx_max_gap;		/* longest time between two rx bursts, or
					 * from the last one to the end of traffic */
	uint64_t next_pause;		/* --rx-pause: when the next stall is due */
	uint64_t pause_end;		/* when the last stall ended; 0: none yet */
	uint64_t rx_pauses;		/* stalls taken */
	struct xt_pcap *pcap;		/* --pcap (port 0 only), or NULL */
	int run_ret;			/* xt_run(): 0, or the link wait's error */
	/* --mode ping (xt_ping_loop() fills them): round trips in TSC cycles. */
	uint64_t *rtt;			/* one per ping that came back, in order */
	uint64_t rtt_n, rtt_cap;
	uint64_t ping_sent, ping_lost, ping_stale;
	enum xt_stop stop;
	bool configured, started;
};

static void
xt_signal(int sig)
{
	RTE_SET_USED(sig);
	if (xt_quit < 2)
		xt_quit++;
}

static uint64_t
xt_secs_to_tsc(const struct xt_ctx *c, double secs)
{
	return (uint64_t)(secs * (double)c->hz);
}

static int
xt_find_port(struct xt_ctx *c)
{
	const char *arg = c->cfg->port_arg;
	uint64_t id;
	const struct xt_ctx *first;
	char *end;
	unsigned int k;
	int ret;

	if (rte_eth_dev_count_avail() == 0) {
		fprintf(stderr, "xen-traffic: no ethdev port: add one with --vdev "
			"or -a in the EAL options\n");
		return -ENODEV;
	}
	if (arg == NULL) {
		c->port = (uint16_t)rte_eth_find_next(0);
	} else if (arg[0] >= '0' && arg[0] <= '9') {
		errno = 0;
		id = strtoull(arg, &end, 10);
		if (*end != '\0' || errno != 0 || id >= RTE_MAX_ETHPORTS ||
		    !rte_eth_dev_is_valid_port((uint16_t)id)) {
			fprintf(stderr, "xen-traffic: --port '%s': no such port\n", arg);
			return -ENODEV;
		}
		c->port = (uint16_t)id;
	} else {
		ret = rte_eth_dev_get_port_by_name(arg, &c->port);
		if (ret != 0) {
			fprintf(stderr, "xen-traffic: --port '%s': no such device\n", arg);
			return -ENODEV;
		}
	}
	ret = rte_eth_dev_get_name_by_port(c->port, c->port_name);
	if (ret != 0)
		snprintf(c->port_name, sizeof(c->port_name), "port%u", c->port);
	/* Each context opens its own port (contexts are an array). */
	first = c - c->index;
	for (k = 0; k < c->index; k++)
		if (first[k].port == c->port) {
			fprintf(stderr, "xen-traffic: --port '%s' given twice\n",
				arg);
			return -EINVAL;
		}
	return 0;
}

static int
xt_pool_create(struct xt_ctx *c)
{
	const struct xt_config *cfg = c->cfg;
	uint32_t segs, n;
	int socket = rte_eth_dev_socket_id(c->port);

	char name[RTE_MEMPOOL_NAMESIZE];

	c->seg_room = cfg->mbuf_size - RTE_PKTMBUF_HEADROOM;
	segs = xt_frame_nb_segs(cfg->max_size, c->seg_room);
	n = cfg->nb_mbufs;
	if (n == 0) {
		/* Rx rings, full tx rings of chains, pending bursts, caches. */
		n = (uint32_t)cfg->queues * (cfg->rxd + cfg->txd * segs +
					     2 * XT_PEND_MAX * segs) +
		    2 * XT_POOL_CACHE * rte_lcore_count();
		n = RTE_MAX(n, (uint32_t)XT_POOL_MIN);
	}
	snprintf(name, sizeof(name), "xt_pool%u", c->index);
	c->mp = rte_pktmbuf_pool_create(name, n, XT_POOL_CACHE, 0,
					cfg->mbuf_size,
					socket < 0 ? SOCKET_ID_ANY : socket);
	if (c->mp == NULL) {
		fprintf(stderr, "xen-traffic: cannot create a pool of %u mbufs of "
			"%u B: %s (more EAL memory: -m)\n", n, cfg->mbuf_size,
			rte_strerror(rte_errno));
		return -rte_errno;
	}
	c->txmp = c->mp;
	if (cfg->tx_pool == NULL)
		return 0;
	/* --tx-pool: frames are built in another's pool, as it cuts them */
	if (strcmp(cfg->tx_pool, "auto") == 0)
		snprintf(c->txmp_name, sizeof(c->txmp_name), "xennet_tx_%u",
			 c->port);
	else
		snprintf(c->txmp_name, sizeof(c->txmp_name), "%s",
			 cfg->tx_pool);
	c->txmp = rte_mempool_lookup(c->txmp_name);
	if (c->txmp == NULL) {
		fprintf(stderr, "xen-traffic: --tx-pool %s: no mempool %s "
			"(net_xennet's devarg tx_pool=N makes xennet_tx_<port id>)\n",
			cfg->tx_pool, c->txmp_name);
		return -ENOENT;
	}
	if (rte_pktmbuf_data_room_size(c->txmp) <= RTE_PKTMBUF_HEADROOM) {
		fprintf(stderr, "xen-traffic: --tx-pool %s: mempool %s has no data room\n",
			cfg->tx_pool, c->txmp_name);
		return -EINVAL;
	}
	c->seg_room = RTE_MIN(c->seg_room,
			      (uint16_t)(rte_pktmbuf_data_room_size(c->txmp) -
					 RTE_PKTMBUF_HEADROOM));
	printf("xen-traffic: %s: frames built in mempool %s (%u mbufs)\n",
	       c->port_name, c->txmp_name, c->txmp->size);
	return 0;
}

static int
xt_port_setup(struct xt_ctx *c)
{
	const struct xt_config *cfg = c->cfg;
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct rte_eth_rxconf rxconf;
	struct rte_eth_txconf txconf;
	uint16_t rxd = cfg->rxd, txd = cfg->txd;
	uint32_t mtu, max_mtu, overhead, segs;
	bool chains = cfg->max_size > c->seg_room;
	int socket = rte_eth_dev_socket_id(c->port);
	uint16_t q;
	int ret;

	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_info_get(c->port, &info);
	if (ret != 0) {
		fprintf(stderr, "xen-traffic: %s: cannot get device info: %s\n",
			c->port_name, rte_strerror(-ret));
		return ret;
	}
	if (cfg->queues > info.max_rx_queues || cfg->queues > info.max_tx_queues) {
		fprintf(stderr, "xen-traffic: %s: --queues %u: the port has at most "
			"%u rx and %u tx queues\n", c->port_name, cfg->queues,
			info.max_rx_queues, info.max_tx_queues);
		return -EINVAL;
	}

	/* Frames larger than one mbuf travel as chains. */
	if (chains && cfg->mode != XT_MODE_SINK) {
		if (!(info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)) {
			fprintf(stderr, "xen-traffic: %s: %u B frames need chained "
				"mbufs, which the port cannot send: use "
				"--mbuf-size %u or more\n", c->port_name,
				cfg->max_size, cfg->max_size + RTE_PKTMBUF_HEADROOM);
			return -EINVAL;
		}
		segs = xt_frame_nb_segs(cfg->max_size, c->seg_room);
		if (info.tx_desc_lim.nb_mtu_seg_max != 0 &&
		    segs > info.tx_desc_lim.nb_mtu_seg_max) {
			fprintf(stderr, "xen-traffic: %s: %u B frames take %u mbufs "
				"of %u B, the port sends at most %u per frame: "
				"use a larger --mbuf-size\n", c->port_name,
				cfg->max_size, segs, c->seg_room,
				info.tx_desc_lim.nb_mtu_seg_max);
			return -EINVAL;
		}
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	}
	/*
	 * Received chains are verified like any frame: take them whenever
	 * the port offers it (net_xennet's rx_zero_copy=1 delivers every
	 * frame past its headers as a chain, and needs it).
	 */
	if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;

	/* MTU for the largest frame, as far as the port lets it be set. */
	if (cfg->max_size > RTE_ETHER_MAX_LEN - RTE_ETHER_CRC_LEN) {
		mtu = cfg->max_size - RTE_ETHER_HDR_LEN;
		overhead = (info.max_mtu != UINT16_MAX &&
			    info.max_rx_pktlen > info.max_mtu) ?
			   info.max_rx_pktlen - info.max_mtu :
			   RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN;
		max_mtu = RTE_MIN((uint32_t)info.max_mtu,
				  info.max_rx_pktlen - overhead);
		if (mtu > max_mtu) {
			printf("xen-traffic: %s: MTU limited to %u (wanted %u); "
			       "larger frames may be dropped by the port\n",
			       c->port_name, max_mtu, mtu);
			mtu = max_mtu;
		}
		conf.rxmode.mtu = mtu;
	}

	if (cfg->queues > 1 && info.flow_type_rss_offloads != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP);
	}

	ret = rte_eth_dev_configure(c->port, cfg->queues, cfg->queues, &conf);
	if (ret != 0) {
		fprintf(stderr, "xen-traffic: %s: configure failed: %s\n",
			c->port_name, rte_strerror(-ret));
		return ret;
	}
	c->configured = true;
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(c->port, &rxd, &txd);
	if (ret != 0) {
		fprintf(stderr, "xen-traffic: %s: descriptor counts %u/%u: %s\n",
			c->port_name, rxd, txd, rte_strerror(-ret));
		return ret;
	}
	rxconf = info.default_rxconf;
	rxconf.offloads = conf.rxmode.offloads;
	txconf = info.default_txconf;
	txconf.offloads = conf.txmode.offloads;
	for (q = 0; q < cfg->queues; q++) {
		ret = rte_eth_rx_queue_setup(c->port, q, rxd, socket, &rxconf, c->mp);
		if (ret != 0) {
			fprintf(stderr, "xen-traffic: %s: rx queue %u: %s\n",
				c->port_name, q, rte_strerror(-ret));
			return ret;
		}
		ret = rte_eth_tx_queue_setup(c->port, q, txd, socket, &txconf);
		if (ret != 0) {
			fprintf(stderr, "xen-traffic: %s: tx queue %u: %s\n",
				c->port_name, q, rte_strerror(-ret));
			return ret;
		}
	}
	if (cfg->promisc) {
		ret = rte_eth_promiscuous_enable(c->port);
		if (ret != 0 && ret != -ENOTSUP)
			printf("xen-traffic: %s: promiscuous mode: %s\n",
			       c->port_name, rte_strerror(-ret));
	}
	ret = rte_eth_macaddr_get(c->port, &c->mac);
	if (ret != 0)
		memset(&c->mac, 0, sizeof(c->mac));
	ret = rte_eth_dev_start(c->port);
	if (ret != 0) {
		fprintf(stderr, "xen-traffic: %s: start failed: %s\n",
			c->port_name, rte_strerror(-ret));
		return ret;
	}
	c->started = true;
	return 0;
}

static int
xt_wait_link(struct xt_ctx *c)
{
	uint64_t end = rte_get_timer_cycles() + xt_secs_to_tsc(c, c->cfg->wait_link);
	struct rte_eth_link link;

	for (;;) {
		memset(&link, 0, sizeof(link));
		if (rte_eth_link_get_nowait(c->port, &link) == 0 &&
		    link.link_status == RTE_ETH_LINK_UP)
			break;
		if (xt_quit)
			return -EINTR;
		if (rte_get_timer_cycles() >= end) {
			fprintf(stderr, "xen-traffic: %s: link still down after %.1f s\n",
				c->port_name, c->cfg->wait_link);
			return -ETIMEDOUT;
		}
		rte_delay_ms(XT_LINK_POLL_MS);
	}
	if (link.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN ||
	    link.link_speed == RTE_ETH_SPEED_NUM_NONE)
		printf("xen-traffic: %s: link up\n", c->port_name);
	else
		printf("xen-traffic: %s: link up, %u Mbit/s\n", c->port_name,
		       link.link_speed);
	return 0;
}

/* Frame sizes, header templates and per-queue generator state. */
static int
xt_gen_setup(struct xt_ctx *c)
{
	const struct xt_config *cfg = c->cfg;
	uint64_t per_q, extra;
	unsigned int i;
	uint16_t q;

	c->sizes = calloc(cfg->nb_sizes, sizeof(*c->sizes));
	c->txq = calloc(cfg->queues, sizeof(*c->txq));
	if (c->sizes == NULL || c->txq == NULL)
		return -ENOMEM;
	if (c->sends)
		for (i = 0; i < cfg->nb_sizes; i++)
			xt_size_init(&c->sizes[i], cfg->sizes[i]);

	per_q = cfg->count / cfg->queues;
	extra = cfg->count % cfg->queues;
	for (q = 0; q < cfg->queues; q++) {
		struct xt_txq *t = &c->txq[q];

		t->qid = q;
		t->stream = cfg->stream_base + q;
		t->limit = cfg->count == 0 ? UINT64_MAX : per_q + (q < extra);
		t->rate = cfg->rate / cfg->queues + (q < cfg->rate % cfg->queues);
		for (i = 0; i < cfg->nb_sizes; i++)
			xt_tmpl_init(&t->tmpl[i], &c->sizes[i], cfg, &c->mac, t->stream);
	}
	return 0;
}

static inline bool
xt_inject_at(const struct xt_ctx *c, const struct xt_txq *t, enum xt_inj k,
	     uint64_t seq)
{
	const struct xt_config *cfg = c->cfg;
	uint64_t n, i;

	if (t->qid != 0)
		return false;
	switch (k) {
	case XT_INJ_DROP:
		n = cfg->inject_drop;
		break;
	case XT_INJ_CORRUPT:
		n = cfg->inject_corrupt;
		break;
	case XT_INJ_DUP:
		n = cfg->inject_dup;
		break;
	default:
		n = cfg->inject_reorder;
		break;
	}
	if (n == 0 || seq < cfg->inject_interval + xt_inj_off[k])
		return false;
	seq -= xt_inj_off[k];
	i = seq / cfg->inject_interval;
	return seq % cfg->inject_interval == 0 && i <= n;
}

/* Allocate and write one frame of the next scheduled size. */
static struct rte_mbuf *
xt_build(struct xt_ctx *c, struct xt_txq *t, uint64_t seq)
{
	const struct xt_tmpl *tm = &t->tmpl[c->cfg->sched[t->sched_pos]];
	struct rte_mbuf *segs[XT_MAX_FRAME / 64 + 1];
	uint16_t n = xt_frame_nb_segs(tm->sz->size, c->seg_room);

	if (rte_pktmbuf_alloc_bulk(c->txmp, segs, n) != 0) {
		c->tx.nombuf++;
		return NULL;
	}
	if (++t->sched_pos == c->cfg->sched_len)
		t->sched_pos = 0;
	return xt_frame_write(segs, c->seg_room, tm, seq);
}

static inline void
xt_pend(struct xt_txq *t, struct rte_mbuf *m)
{
	t->plen[t->npend] = m->pkt_len;
	t->pend[t->npend++] = m;
}

/* Build up to n new frames of the queue's stream into its pending array. */
static void
xt_fill(struct xt_ctx *c, struct xt_txq *t, uint16_t n)
{
	struct rte_mbuf *m, *m2;
	uint64_t seq;

	while (t->npend < n && t->seq < t->limit) {
		seq = t->seq;
		if (unlikely(xt_inject_at(c, t, XT_INJ_DROP, seq))) {
			c->tx.inj_drop++;
			t->seq++;
			continue;
		}
		if (unlikely(xt_inject_at(c, t, XT_INJ_REORDER, seq)) &&
		    seq + 1 < t->limit) {
			/* seq + 1 goes out first; pend has room for one extra. */
			m2 = xt_build(c, t, seq + 1);
			if (m2 == NULL)
				return;
			m = xt_build(c, t, seq);
			if (m == NULL) {
				rte_pktmbuf_free(m2);
				return;
			}
			xt_pend(t, m2);
			xt_pend(t, m);
			c->tx.inj_reorder++;
			t->seq += 2;
			continue;
		}
		m = xt_build(c, t, seq);
		if (m == NULL)
			return;
		if (unlikely(xt_inject_at(c, t, XT_INJ_CORRUPT, seq))) {
			xt_frame_corrupt(m);
			c->tx.inj_corrupt++;
		}
		xt_pend(t, m);
		if (unlikely(xt_inject_at(c, t, XT_INJ_DUP, seq))) {
			m2 = xt_build(c, t, seq);
			if (m2 != NULL) {
				xt_pend(t, m2);
				c->tx.inj_dup++;
			}
		}
		t->seq++;
	}
}

/* Offer the pending frames to the PMD; keep what it refuses, in order. */
static void
xt_flush(struct xt_ctx *c, struct xt_txq *t, uint64_t now)
{
	uint16_t n, i, left;

	if (t->npend == 0)
		return;
	n = rte_eth_tx_burst(c->port, t->qid, t->pend, t->npend);
	for (i = 0; i < n; i++)
		c->tx.bytes += t->plen[i];
	c->tx.packets += n;
	if (n > 0) {
		if (c->first_tx == 0)
			c->first_tx = now;
		c->last_tx = now;
	}
	if (n == t->npend) {
		t->npend = 0;
		t->tries = 0;
		return;
	}
	c->tx.full++;
	left = t->npend - n;
	if (c->cfg->tx_retries != 0 && ++t->tries >= c->cfg->tx_retries) {
		rte_pktmbuf_free_bulk(&t->pend[n], left);
		c->tx.dropped += left;
		t->npend = 0;
		t->tries = 0;
		return;
	}
	memmove(&t->pend[0], &t->pend[n], left * sizeof(t->pend[0]));
	memmove(&t->plen[0], &t->plen[n], left * sizeof(t->plen[0]));
	t->npend = left;
}

/* How many frames the rate allows this queue now (the burst if unpaced). */
static uint16_t
xt_paced(struct xt_ctx *c, struct xt_txq *t, uint64_t now)
{
	uint64_t due, backlog_max;

	if (t->rate == 0)
		return c->cfg->burst;
	due = (uint64_t)((double)(now - c->t_start) * (double)t->rate /
			 (double)c->hz);
	/* After a stall, catch up by at most 100 ms worth (or one burst). */
	backlog_max = RTE_MAX((uint64_t)c->cfg->burst, t->rate / 10);
	if (due > t->paced + backlog_max)
		t->paced = due - backlog_max;
	if (due <= t->paced)
		return 0;
	return (uint16_t)RTE_MIN(due - t->paced, (uint64_t)c->cfg->burst);
}

/* The receive counter each verdict on a frame that is not valid adds to. */
static const size_t xt_verdict_counter[] = {
	[XT_FRAME_OTHER] = offsetof(struct xt_rx_stats, other),
	[XT_FRAME_BAD_LEN] = offsetof(struct xt_rx_stats, bad_len),
	[XT_FRAME_BAD_MAGIC] = offsetof(struct xt_rx_stats, bad_magic),
	[XT_FRAME_BAD_CSUM] = offsetof(struct xt_rx_stats, bad_csum),
	[XT_FRAME_BAD_STREAM] = offsetof(struct xt_rx_stats, bad_stream),
};

static void
xt_verify(struct xt_ctx *c, struct rte_mbuf **pkts, uint16_t nb)
{
	struct xt_rx_frame f;
	enum xt_verdict v;
	uint16_t i;

	for (i = 0; i < nb; i++) {
		v = xt_frame_check(pkts[i], c->cfg->udp_port, &f);
		if (v == XT_FRAME_OK) {
			c->rx.valid++;
			xt_seq_rx(c->seq, f.stream, f.seq, &c->rx);
		} else {
			(*(uint64_t *)((char *)&c->rx +
				       xt_verdict_counter[v]))++;
		}
	}
}

/* Swap source and destination MAC and queue the frames for sending back. */
static void
xt_reflect(struct xt_ctx *c, struct xt_txq *t, struct rte_mbuf **pkts,
	   uint16_t nb)
{
	struct rte_ether_hdr *eth;
	struct rte_ether_addr tmp;
	uint16_t i;

	for (i = 0; i < nb; i++) {
		struct rte_mbuf *m = pkts[i];

		if (unlikely(m->data_len < RTE_ETHER_HDR_LEN)) {
			c->rx.other++;
			rte_pktmbuf_free(m);
			continue;
		}
		eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		rte_ether_addr_copy(&eth->src_addr, &tmp);
		rte_ether_addr_copy(&eth->dst_addr, &eth->src_addr);
		rte_ether_addr_copy(&tmp, &eth->dst_addr);
		xt_pend(t, m);
	}
}

static uint16_t
xt_rx(struct xt_ctx *c, struct xt_txq *t, uint64_t now)
{
	struct rte_mbuf *pkts[XT_MAX_BURST];
	uint16_t room = c->cfg->burst;
	uint16_t nb, i;

	if (c->cfg->mode == XT_MODE_REFLECT) {
		/* Take no more than the pending array can hold. */
		if (t->npend >= c->cfg->burst)
			return 0;
		room = c->cfg->burst - t->npend;
	}
	nb = rte_eth_rx_burst(c->port, t->qid, pkts, room);
	if (nb == 0)
		return 0;
	if (c->first_rx == 0)
		c->first_rx = now;
	else if (now - c->last_rx > c->rx_max_gap)
		c->rx_max_gap = now - c->last_rx;
	c->last_rx = now;
	c->rx.packets += nb;
	for (i = 0; i < nb; i++)
		c->rx.bytes += pkts[i]->pkt_len;
	if (c->pcap != NULL)
		xt_pcap_write(c->pcap, pkts, nb);
	if (c->cfg->mode == XT_MODE_REFLECT) {
		xt_reflect(c, t, pkts, nb);
		return nb;
	}
	if (c->verifies)
		xt_verify(c, pkts, nb);
	rte_pktmbuf_free_bulk(pkts, nb);
	return nb;
}

static void
xt_port_stats_get(struct xt_ctx *c)
{
	struct rte_eth_stats st;

	if (rte_eth_stats_get(c->port, &st) != 0)
		return;
	c->pstats.imissed = st.imissed;
	c->pstats.ierrors = st.ierrors;
	c->pstats.oerrors = st.oerrors;
	c->pstats.rx_nombuf = st.rx_nombuf;
}

/* The port's xstats, names and values, once (at teardown, still started). */
static void
xt_xstats_get(struct xt_ctx *c)
{
	int n = rte_eth_xstats_get_names(c->port, NULL, 0);
	uint64_t *ids;
	int i;

	if (n <= 0 || c->xnames != NULL)
		return;
	c->xnames = calloc(n, sizeof(*c->xnames));
	c->xvalues = calloc(n, sizeof(*c->xvalues));
	ids = calloc(n, sizeof(*ids));
	if (c->xnames == NULL || c->xvalues == NULL || ids == NULL)
		goto fail;
	for (i = 0; i < n; i++)
		ids[i] = (uint64_t)i;
	if (rte_eth_xstats_get_names(c->port, c->xnames, n) != n ||
	    rte_eth_xstats_get_by_id(c->port, ids, c->xvalues, n) != n)
		goto fail;
	c->nx = (unsigned int)n;
	free(ids);
	return;
fail:
	fprintf(stderr, "xen-traffic: %s: cannot read the port's xstats\n",
		c->port_name);
	free(ids);
	free(c->xnames);
	free(c->xvalues);
	c->xnames = NULL;
	c->xvalues = NULL;
}

static void
xt_snapshot(struct xt_ctx *c, struct xt_report_state *s, uint64_t now)
{
	xt_port_stats_get(c);
	s->tsc = now;
	s->tx = c->tx;
	s->rx = c->rx;
	s->port = c->pstats;
}

static uint64_t
xt_rx_unique(const struct xt_ctx *c)
{
	return c->rx.valid - c->rx.dup - c->rx.late;
}

/* One report line, written with one call: lcores of other ports print too. */
static void
xt_report(struct xt_ctx *c, const struct xt_report_state *prev,
	  const struct xt_report_state *cur, uint64_t now)
{
	char line[512];
	FILE *f = fmemopen(line, sizeof(line), "w");

	if (f == NULL)
		return;
	xt_report_line(f, c->prefix, c->cfg,
		       (double)(now - c->t_start) / (double)c->hz, prev, cur, c->hz);
	if (fclose(f) == 0)
		fputs(line, stdout);
}

/*
 * --rx-pause: a receiver that is busy elsewhere now and then. Once the first
 * frame arrived, and until the traffic phase ends, every --rx-pause-every the
 * loop stops polling the port (every queue, both directions) for --rx-pause
 * microseconds, spinning, so the stall is as long as asked even on a loaded
 * host: the peer meanwhile finds the rings full, and what it cannot hold
 * is what a stall costs. A stall falls due only once a frame arrived since
 * the last one ended, so rx_pauses counts stalls under traffic (not those a
 * sink would take waiting for --idle). Returns the time after the stall, or
 * @now.
 */
static uint64_t
xt_rx_pause(struct xt_ctx *c, uint64_t now)
{
	uint64_t every = xt_secs_to_tsc(c, c->cfg->rx_pause_every);

	if (c->first_rx == 0 || c->last_rx <= c->pause_end)
		return now;
	if (c->next_pause == 0)
		c->next_pause = now + every;
	if (now < c->next_pause)
		return now;
	rte_delay_us_block(c->cfg->rx_pause_us);
	c->rx_pauses++;
	now = rte_rdtsc();
	c->pause_end = now;
	c->next_pause = now + every;
	return now;
}

/*
 * The polling loop. Phases: traffic (sending until --count/--duration, or
 * receiving until --expect/--duration for a sink), then drain (receive until
 * nothing arrived for --drain seconds; a pure sender just lingers so its
 * last frames can be taken off a shared ring before the port closes).
 */
static void
xt_loop(struct xt_ctx *c)
{
	const struct xt_config *cfg = c->cfg;
	struct xt_report_state prev, cur;
	uint64_t now = rte_rdtsc();
	uint64_t t_dur = cfg->duration > 0 ? now + xt_secs_to_tsc(c, cfg->duration) : 0;
	uint64_t t_timeout = cfg->timeout > 0 ? now + xt_secs_to_tsc(c, cfg->timeout) : 0;
	uint64_t report_every = xt_secs_to_tsc(c, cfg->report);
	uint64_t next_report = now + report_every;
	uint64_t drain = xt_secs_to_tsc(c, cfg->drain);
	uint64_t idle = xt_secs_to_tsc(c, cfg->idle);
	uint64_t idle_after = xt_secs_to_tsc(c, XT_IDLE_AFTER_US / 1e6);
	uint64_t t_drain = 0;		/* when the drain phase began; 0: not yet */
	uint64_t t_sig = 0;		/* when the first signal was seen */
	uint64_t t_end;			/* end of traffic, for the last gap */
	enum xt_stop why = XT_STOP_NONE;
	bool reflect = cfg->mode == XT_MODE_REFLECT;
	bool sending = c->sends;
	uint16_t q;

	c->t_start = now;
	xt_snapshot(c, &prev, now);
	for (;;) {
		bool all_done = true;
		uint64_t last;

		now = rte_rdtsc();
		if (unlikely(xt_quit != 0) && why != XT_STOP_SIGNAL) {
			/*
			 * Count what is in flight; a pure sender lingers as
			 * well, so the peer can take its last frames.
			 */
			why = XT_STOP_SIGNAL;
			sending = false;
			t_sig = now;
			if (t_drain == 0)
				t_drain = now;
		}
		if (unlikely(xt_quit > 1) ||
		    (why == XT_STOP_SIGNAL &&
		     now - t_sig >= xt_secs_to_tsc(c, XT_SIGNAL_DRAIN_S))) {
			c->stop = XT_STOP_SIGNAL;
			break;
		}
		if (t_timeout != 0 && now >= t_timeout) {
			c->stop = XT_STOP_TIMEOUT;
			break;
		}
		/* Before building: nothing is sent at or after the end time. */
		if (sending && t_dur != 0 && now >= t_dur) {
			sending = false;
			why = XT_STOP_DURATION;
			t_drain = now;
		}

		if (cfg->rx_pause_us != 0 && t_drain == 0)
			now = xt_rx_pause(c, now);

		for (q = 0; q < cfg->queues; q++) {
			struct xt_txq *t = &c->txq[q];

			if (c->receives)
				xt_rx(c, t, now);
			if (sending && t->npend == 0) {
				xt_fill(c, t, xt_paced(c, t, now));
				t->paced += t->npend;
			}
			if (c->sends || reflect)
				xt_flush(c, t, now);
			if (t->seq < t->limit)
				all_done = false;
		}

		if (!sending) {
			last = RTE_MAX(c->last_rx, c->last_tx);
			if (last != 0 && now - last >= idle_after)
				rte_delay_us_sleep(XT_IDLE_POLL_US);
		}

		if (report_every != 0 && now >= next_report) {
			xt_snapshot(c, &cur, now);
			xt_report(c, &prev, &cur, now);
			prev = cur;
			next_report += report_every;
			if (next_report <= now)
				next_report = now + report_every;
		}

		if (t_drain == 0) {
			if (sending && all_done) {
				sending = false;
				why = XT_STOP_DONE;
				t_drain = now;
			} else if (c->verifies && !c->sends && cfg->expect != 0 &&
				   xt_rx_unique(c) >= cfg->expect) {
				why = XT_STOP_EXPECT;
				t_drain = now;
			} else if (!c->sends && t_dur != 0 && now >= t_dur) {
				why = XT_STOP_DURATION;
				if (reflect) {
					c->stop = why;
					break;
				}
				t_drain = now;
			} else if (!c->sends && idle != 0 && c->last_rx != 0 &&
				   now - c->last_rx >= idle) {
				c->stop = XT_STOP_IDLE;
				break;
			}
			continue;
		}
		/* Draining: stop once nothing arrived (or was sent) for --drain. */
		last = RTE_MAX(t_drain, c->last_rx);
		last = RTE_MAX(last, c->last_tx);
		if (now - last >= drain) {
			c->stop = why;
			break;
		}
	}
	/*
	 * A peer that went silent for good is a gap too: from the last frame
	 * to the end of traffic (the signal, or the end of sending), not
	 * counting the drain.
	 */
	t_end = t_sig != 0 ? t_sig : (t_drain != 0 ? t_drain : now);
	if (c->last_rx != 0 && t_end > c->last_rx &&
	    t_end - c->last_rx > c->rx_max_gap)
		c->rx_max_gap = t_end - c->last_rx;
	/* Rate figures end at the last frame; if none moved, at the end. */
	if (c->last_tx == 0)
		c->first_tx = c->last_tx = now;
	if (c->last_rx == 0)
		c->first_rx = c->last_rx = now;
}

/* Keep one round trip; the array grows by doubling. */
static int
xt_rtt_add(struct xt_ctx *c, uint64_t cycles)
{
	uint64_t *a;
	uint64_t cap;

	if (c->rtt_n == c->rtt_cap) {
		cap = c->rtt_cap == 0 ? 4096 : 2 * c->rtt_cap;
		a = realloc(c->rtt, cap * sizeof(*a));
		if (a == NULL)
			return -ENOMEM;
		c->rtt = a;
		c->rtt_cap = cap;
	}
	c->rtt[c->rtt_n++] = cycles;
	return 0;
}

/*
 * Receive what came back while ping @seq is out (@out): the frame of our
 * stream with that sequence number ends the round trip; a valid frame of an
 * earlier ping (one already counted as lost, or a second copy) is stale,
 * one of another stream is other; a frame that fails its checks counts as
 * xt_verify() would. Returns true once the ping is back.
 */
static bool
xt_ping_rx(struct xt_ctx *c, struct xt_txq *t, uint64_t seq, bool out,
	   uint64_t t_sent)
{
	struct rte_mbuf *pkts[XT_MAX_BURST];
	struct xt_rx_frame f;
	enum xt_verdict v;
	bool back = false;
	uint64_t now;
	uint16_t nb, i;

	nb = rte_eth_rx_burst(c->port, t->qid, pkts, c->cfg->burst);
	if (nb == 0)
		return false;
	/* The time of the burst that brought it back, before any checking. */
	now = rte_rdtsc();
	if (c->first_rx == 0)
		c->first_rx = now;
	c->last_rx = now;
	c->rx.packets += nb;
	for (i = 0; i < nb; i++) {
		c->rx.bytes += pkts[i]->pkt_len;
		v = xt_frame_check(pkts[i], c->cfg->udp_port, &f);
		if (v != XT_FRAME_OK) {
			(*(uint64_t *)((char *)&c->rx +
				       xt_verdict_counter[v]))++;
			continue;
		}
		c->rx.valid++;
		if (out && !back && f.stream == t->stream && f.seq == seq) {
			back = true;
			/*
			 * Out of memory: the round trip is not kept, and
			 * rtt_count falls short of ping_sent - ping_lost.
			 */
			xt_rtt_add(c, now - t_sent);
		} else if (f.stream == t->stream && f.seq < seq) {
			c->ping_stale++;	/* a lost ping's, or a copy */
		} else {
			c->rx.other++;	/* another stream's: not a reply */
		}
	}
	if (c->pcap != NULL)
		xt_pcap_write(c->pcap, pkts, nb);
	rte_pktmbuf_free_bulk(pkts, nb);
	return back;
}

/*
 * --mode ping: one frame out at a time on queue 0. Send ping seq, poll until
 * it comes back (round trip = TSC at the receiving burst - TSC just before
 * the transmitting one) or --ping-timeout passes (lost), then wait for the
 * next slot of --rate (none: send at once). Ends at --count, --duration, a
 * signal or --timeout; then drains like the other modes so a late reply is
 * not left in the peer's ring.
 */
static void
xt_ping_loop(struct xt_ctx *c)
{
	const struct xt_config *cfg = c->cfg;
	struct xt_txq *t = &c->txq[0];
	struct xt_report_state prev, cur;
	uint64_t now = rte_rdtsc();
	uint64_t t_dur = cfg->duration > 0 ? now + xt_secs_to_tsc(c, cfg->duration) : 0;
	uint64_t t_timeout = cfg->timeout > 0 ? now + xt_secs_to_tsc(c, cfg->timeout) : 0;
	uint64_t period = cfg->rate != 0 ? c->hz / cfg->rate : 0;
	uint64_t lose = xt_secs_to_tsc(c, cfg->ping_timeout);
	uint64_t drain = xt_secs_to_tsc(c, cfg->drain);
	uint64_t report_every = xt_secs_to_tsc(c, cfg->report);
	uint64_t next_report = now + report_every;
	uint64_t next_send = now, t_sent = 0, t_drain = 0;
	enum xt_stop why = XT_STOP_NONE;
	struct rte_mbuf *m = NULL;
	bool out = false;
	uint16_t n;

	c->t_start = now;
	xt_snapshot(c, &prev, now);
	for (;;) {
		now = rte_rdtsc();
		if (xt_quit > 1 || (t_timeout != 0 && now >= t_timeout)) {
			c->stop = xt_quit > 1 ? XT_STOP_SIGNAL : XT_STOP_TIMEOUT;
			break;
		}
		if (t_drain == 0 && !out) {
			if (xt_quit)
				why = XT_STOP_SIGNAL;
			else if (t->seq >= t->limit)
				why = XT_STOP_DONE;
			else if (t_dur != 0 && now >= t_dur)
				why = XT_STOP_DURATION;
			if (why != XT_STOP_NONE)
				t_drain = now;
		}
		if (t_drain != 0) {
			uint64_t last = RTE_MAX(t_drain, c->last_rx);

			xt_ping_rx(c, t, t->seq, false, 0);
			if (now - last >= drain) {
				c->stop = why;
				break;
			}
			/* Idle in the drain: poll as xt_loop() does (why there). */
			if (now - last >= xt_secs_to_tsc(c, XT_IDLE_AFTER_US / 1e6))
				rte_delay_us_sleep(XT_IDLE_POLL_US);
			continue;
		}
		if (!out && now >= next_send) {
			if (m == NULL)
				m = xt_build(c, t, t->seq);
			if (m != NULL) {
				uint32_t len = m->pkt_len;

				t_sent = rte_rdtsc();
				n = rte_eth_tx_burst(c->port, t->qid, &m, 1);
				if (n == 1) {
					m = NULL;
					out = true;
					c->ping_sent++;
					c->tx.packets++;
					c->tx.bytes += len;
					if (c->first_tx == 0)
						c->first_tx = t_sent;
					c->last_tx = t_sent;
					/* The next slot; after a long wait, from now. */
					next_send = RTE_MAX(next_send + period, t_sent);
				} else {
					c->tx.full++;
				}
			}
		}
		if (!out) {
			xt_ping_rx(c, t, t->seq, false, 0);
		} else if (xt_ping_rx(c, t, t->seq, true, t_sent)) {
			out = false;
			t->seq++;
		} else if (rte_rdtsc() - t_sent >= lose) {
			c->ping_lost++;
			out = false;
			t->seq++;
		}
		if (report_every != 0 && now >= next_report) {
			xt_snapshot(c, &cur, now);
			xt_report(c, &prev, &cur, now);
			prev = cur;
			next_report = now + report_every;
		}
	}
	if (m != NULL) {
		rte_pktmbuf_free(m);
		c->tx.unsent++;
	}
	if (c->last_tx == 0)
		c->first_tx = c->last_tx = now;
	if (c->last_rx == 0)
		c->first_rx = c->last_rx = now;
}

static int
xt_summary_open(const struct xt_config *cfg, FILE **out)
{
	*out = NULL;
	if (cfg->summary_path == NULL)
		return 0;
	*out = fopen(cfg->summary_path, "w");
	if (*out == NULL) {
		int err = errno;

		fprintf(stderr, "xen-traffic: --summary '%s': %s\n",
			cfg->summary_path, strerror(err));
		return -err;
	}
	return 0;
}

/*
 * Stop and close the port, return every mbuf the program holds to the pool,
 * then count what is still out: that is what the PMD leaked.
 */
static int64_t
xt_teardown(struct xt_ctx *c)
{
	int64_t leaked = -1, tx_leaked = 0;
	uint16_t q;
	int ret;

	if (c->started) {
		xt_port_stats_get(c);
		xt_xstats_get(c);
		ret = rte_eth_dev_stop(c->port);
		if (ret != 0)
			fprintf(stderr, "xen-traffic: %s: stop: %s\n", c->port_name,
				rte_strerror(-ret));
		c->started = false;
	}
	if (c->txq != NULL)
		for (q = 0; q < c->cfg->queues; q++) {
			struct xt_txq *t = &c->txq[q];

			if (t->npend == 0)
				continue;
			if (c->cfg->mode != XT_MODE_REFLECT)
				c->tx.unsent += t->npend;
			rte_pktmbuf_free_bulk(t->pend, t->npend);
			t->npend = 0;
		}
	/*
	 * --tx-pool: after stop, the PMD holds none of its mbufs (nor do
	 * we); the pool is not ours to free (its PMD frees it at close)
	 */
	if (c->txmp != NULL && c->txmp != c->mp) {
		unsigned int out = rte_mempool_in_use_count(c->txmp);

		printf("xen-traffic: %s: mempool %s: %u of %u mbufs back after stop\n",
		       c->port_name, c->txmp_name, c->txmp->size - out,
		       c->txmp->size);
		tx_leaked = out;
		c->txmp = NULL;
	}
	if (c->configured) {
		ret = rte_eth_dev_close(c->port);
		if (ret != 0)
			fprintf(stderr, "xen-traffic: %s: close: %s\n", c->port_name,
				rte_strerror(-ret));
		c->configured = false;
	}
	if (c->mp != NULL) {
		leaked = (int64_t)rte_mempool_in_use_count(c->mp) + tx_leaked;
		rte_mempool_free(c->mp);
		c->mp = NULL;
	}
	return leaked;
}

/* Nearest-rank percentile @p (0..100] of the sorted @a[0..n-1]. */
static uint64_t
xt_rank(const uint64_t *a, uint64_t n, unsigned int p)
{
	uint64_t k = (n * p + 99) / 100;

	return a[k == 0 ? 0 : k - 1];
}

static int
xt_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* --mode ping: the round trips, sorted, as microseconds in the result. */
static void
xt_rtt_fill(struct xt_ctx *c, struct xt_result *r)
{
	double us = 1e6 / (double)c->hz;
	uint64_t i, sum = 0;

	r->ping_sent = c->ping_sent;
	r->ping_lost = c->ping_lost;
	r->ping_stale = c->ping_stale;
	r->rtt_count = c->rtt_n;
	if (c->rtt_n == 0)
		return;
	qsort(c->rtt, c->rtt_n, sizeof(*c->rtt), xt_u64_cmp);
	for (i = 0; i < c->rtt_n; i++)
		sum += c->rtt[i];
	r->rtt_min_us = (double)c->rtt[0] * us;
	r->rtt_p50_us = (double)xt_rank(c->rtt, c->rtt_n, 50) * us;
	r->rtt_p99_us = (double)xt_rank(c->rtt, c->rtt_n, 99) * us;
	r->rtt_max_us = (double)c->rtt[c->rtt_n - 1] * us;
	r->rtt_mean_us = (double)sum / (double)c->rtt_n * us;
}

static void
xt_result_fill(struct xt_ctx *c, struct xt_result *r, int64_t leaked)
{
	const struct xt_config *cfg = c->cfg;
	uint64_t span;

	memset(r, 0, sizeof(*r));
	r->cfg = cfg;
	r->port_id = c->port;
	r->port_name = c->port_name;
	r->stop = c->stop;
	r->elapsed = (double)(rte_rdtsc() - c->t_start) / (double)c->hz;
	r->tx_time = (double)(c->last_tx - c->first_tx) / (double)c->hz;
	r->rx_time = (double)(c->last_rx - c->first_rx) / (double)c->hz;
	r->tx = c->tx;
	r->rx = c->rx;
	r->port = c->pstats;
	r->xstat_names = c->xnames;
	r->xstat_values = c->xvalues;
	r->nxstats = c->nx;
	r->leaked_mbufs = leaked;
	r->rx_max_gap = (double)c->rx_max_gap / (double)c->hz;
	r->rx_pauses = c->rx_pauses;
	if (c->verifies) {
		r->rx_unique = xt_rx_unique(c);
		span = xt_seq_span(c->seq);
		if (cfg->expect > span)
			r->rx_missing = cfg->expect - span;
	}
	r->pass = leaked == 0 && c->stop != XT_STOP_TIMEOUT;
	if (cfg->mode == XT_MODE_PING) {
		xt_rtt_fill(c, r);
		r->pass = r->pass && r->ping_lost == 0 && r->rtt_count > 0 &&
			  xt_rx_corrupted(&r->rx) == 0;
	}
	if (c->verifies)
		r->pass = r->pass && r->rx.lost == 0 && r->rx_missing == 0 &&
			  r->rx.dup == 0 && r->rx.reordered == 0 &&
			  r->rx.late == 0 && xt_rx_corrupted(&r->rx) == 0;
}

/* Wait for the link, then the traffic loop: what each port's lcore runs. */
static int
xt_run(void *arg)
{
	struct xt_ctx *c = arg;
	int ret;

	c->t_start = rte_rdtsc();
	ret = c->cfg->wait_link > 0 ? xt_wait_link(c) : 0;
	if (ret == -EINTR)
		c->stop = XT_STOP_SIGNAL;	/* no traffic; still a summary */
	else if (ret == 0 && c->cfg->mode == XT_MODE_PING)
		xt_ping_loop(c);
	else if (ret == 0)
		xt_loop(c);
	c->run_ret = ret == -EINTR ? 0 : ret;
	return 0;
}

int
main(int argc, char **argv)
{
	struct xt_config cfg, pcfg[XT_MAX_PORTS];
	struct xt_ctx ctx[XT_MAX_PORTS];
	struct xt_result res[XT_MAX_PORTS];
	unsigned int nports, k, lcore;
	struct sigaction sa;
	FILE *summary = NULL;
	bool pass, setup_ok = false;
	int ret, status = 1;

	/* Lines, not blocks: a log must show how far a run got. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "xen-traffic: EAL init failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	argc -= ret;
	argv += ret;

	memset(ctx, 0, sizeof(ctx));
	nports = 1;
	ret = xt_parse_args(argc, argv, &cfg);
	if (ret != 0) {
		status = ret > 0 ? 0 : 1;
		goto out_eal;
	}
	nports = RTE_MAX(cfg.nb_ports, 1u);
	if (nports > rte_lcore_count()) {
		fprintf(stderr, "xen-traffic: %u ports need %u lcores (-l), "
			"one each; the EAL has %u\n", nports, nports,
			rte_lcore_count());
		goto out_eal;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = xt_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A vhost-user peer that closes first must not kill us mid-teardown. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	if (xt_summary_open(&cfg, &summary) != 0)
		goto out_eal;
	if (cfg.pcap_path != NULL && xt_pcap_open(cfg.pcap_path, &ctx[0].pcap) != 0)
		goto out_free;
	xt_frame_init();
	for (k = 0; k < nports; k++) {
		struct xt_ctx *c = &ctx[k];

		/* Port k's streams follow port k - 1's. */
		pcfg[k] = cfg;
		pcfg[k].port_arg = cfg.port_args[k];
		pcfg[k].stream_base = cfg.stream_base + k * cfg.queues;
		c->cfg = &pcfg[k];
		c->index = k;
		c->sends = cfg.mode == XT_MODE_GEN || cfg.mode == XT_MODE_BIDIR ||
			   cfg.mode == XT_MODE_PING;
		c->verifies = cfg.mode == XT_MODE_SINK || cfg.mode == XT_MODE_BIDIR;
		c->receives = cfg.mode != XT_MODE_GEN;
		c->hz = rte_get_tsc_hz();
		if (xt_find_port(c) != 0)
			goto out;
		if (nports > 1)
			snprintf(c->prefix, sizeof(c->prefix), "%s ", c->port_name);
		c->seq = xt_seq_create();
		if (c->seq == NULL) {
			fprintf(stderr, "xen-traffic: out of memory\n");
			goto out;
		}
		if (xt_pool_create(c) != 0 || xt_port_setup(c) != 0)
			goto out;
		if (xt_gen_setup(c) != 0) {
			fprintf(stderr, "xen-traffic: out of memory\n");
			goto out;
		}
		printf("xen-traffic: %s (port %u) mode %s, %u queue(s), largest "
		       "frame %u B, %u B per mbuf\n", c->port_name, c->port,
		       xt_mode_name(cfg.mode), cfg.queues, cfg.max_size,
		       c->seg_room);
	}
	/* Port 0 on the main lcore, the others on the workers in order. */
	k = 1;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (k == nports)
			break;
		ret = rte_eal_remote_launch(xt_run, &ctx[k], lcore);
		if (ret != 0) {
			fprintf(stderr, "xen-traffic: cannot launch lcore %u: %s\n",
				lcore, rte_strerror(-ret));
			ctx[k].run_ret = ret;
		}
		k++;
	}
	xt_run(&ctx[0]);
	rte_eal_mp_wait_lcore();
	setup_ok = true;
	for (k = 0; k < nports; k++)
		if (ctx[k].run_ret != 0)
			setup_ok = false;

	pass = setup_ok;
	for (k = 0; k < nports; k++) {
		xt_result_fill(&ctx[k], &res[k], xt_teardown(&ctx[k]));
		xt_summary_print(stdout, &res[k]);
		pass = pass && res[k].pass;
	}
	if (summary != NULL && xt_summary_json(summary, res, nports) != 0) {
		fprintf(stderr, "xen-traffic: --summary '%s': write failed\n",
			cfg.summary_path);
		pass = false;
	}
	if (xt_pcap_close(ctx[0].pcap, cfg.pcap_path) != 0)
		pass = false;
	ctx[0].pcap = NULL;
	status = !setup_ok ? 1 : pass ? 0 : 2;
	goto out_free;
out:
	for (k = 0; k < nports; k++)
		xt_teardown(&ctx[k]);
out_free:
	if (summary != NULL && fclose(summary) != 0 && status == 0)
		status = 1;
	if (ctx[0].pcap != NULL)
		xt_pcap_close(ctx[0].pcap, cfg.pcap_path);
	for (k = 0; k < nports; k++) {
		xt_seq_destroy(ctx[k].seq);
		free(ctx[k].txq);
		free(ctx[k].sizes);
		free(ctx[k].rtt);
		free(ctx[k].xnames);
		free(ctx[k].xvalues);
	}
out_eal:
	rte_eal_cleanup();
	return status;
}
