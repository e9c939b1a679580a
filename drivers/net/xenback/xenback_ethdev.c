/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * net_xenback: a Xen netback as a DPDK poll-mode driver. This file holds
 * the vdev (devargs, probe, remove) and the ethdev operations; the xenbus
 * negotiation is in xenback_xenbus.c, the bursts in xenback_guest_tx.c (what
 * the guest sends: rx_burst) and xenback_guest_rx.c (what it receives:
 * tx_burst), checksum helpers in xenback_csum.c.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>
#include <rte_string_fns.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>

#include "xenback.h"
#include "xenpv_csum.h"
#include "xenpv_vdev.h"
#include "xenpv_xstats.h"

RTE_LOG_REGISTER_DEFAULT(xenback_logtype, NOTICE);

#define XENBACK_ARG_DOMID		"domid"
#define XENBACK_ARG_DEVID		"devid"
#define XENBACK_ARG_MAX_QUEUES		"max_queues"
#define XENBACK_ARG_MAX_ORDER		"max_ring_page_order"
#define XENBACK_ARG_DOMAIN		"domain"
#define XENBACK_ARG_CTRL_RING		"ctrl_ring"
#define XENBACK_ARG_PGNT		"persistent_grants"
#define XENBACK_ARG_RX_ZC		"rx_zero_copy"

/* The devargs, in the order of xenback_probe's table. */
enum {
	XB_ARG_DOMID,
	XB_ARG_DEVID,
	XB_ARG_MAX_QUEUES,
	XB_ARG_MAX_ORDER,
	XB_ARG_CTRL_RING,
	XB_ARG_PGNT,
	XB_ARG_RX_ZC,
	XB_ARG_COMMON,		/* XENPV_COMMON_DEVARGS */
	XB_ARG_DOMAIN = XB_ARG_COMMON + XENPV_COMMON_ARGS,
	XB_ARG_COUNT,
};

static const struct eth_dev_ops xenback_ops;
static struct rte_vdev_driver xenback_vdev_drv;

static int
xenback_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct xenback_dev *xd = dev->data->dev_private;

	uint16_t max_mtu;

	/*
	 * Any queue layout, whatever the guest negotiates, and any descriptor
	 * count: the guest's ring, sized by the frontend, bounds what is in
	 * flight (xenback.h, xenpv_vdev.h).
	 */
	pthread_mutex_lock(&xd->lock);
	max_mtu = (uint16_t)xenback_mtu_max(xd);
	pthread_mutex_unlock(&xd->lock);
	xenpv_dev_info_common(info, xd->cfg.max_order, max_mtu,
			      XENBACK_MIN_RX_BUFSIZE);
	info->tx_desc_lim.nb_seg_max = XENPV_NETIF_MAX_SLOTS;
	info->tx_desc_lim.nb_mtu_seg_max = XENPV_NETIF_MAX_SLOTS;

	info->rx_offload_capa = 0;
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	if (xd->cfg.pv.sg)
		info->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_SCATTER;
	if (xd->cfg.pv.sg && xd->cfg.pv.gso) {
		info->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_TCP_LRO;
		info->tx_offload_capa |= RTE_ETH_TX_OFFLOAD_TCP_TSO;
		info->max_lro_pkt_size = XENPV_NETIF_MAX_FRAME;
	}
	if (xd->cfg.pv.csum) {
		info->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
					 RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
		info->tx_offload_capa |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
					 RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
					 RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	}
	return 0;
}

static int
xenback_dev_configure(struct rte_eth_dev *dev)
{
	struct xenback_dev *xd = dev->data->dev_private;
	int rc;

	if (dev->data->dev_conf.rxmode.mq_mode & RTE_ETH_MQ_RX_RSS_FLAG)
		XENBACK_LOG(NOTICE,
			    "%s: the guest picks each packet's queue: RSS settings are ignored",
			    xd->name);
	/* rx_zero_copy delivers a packet longer than its head as a chain */
	if (xd->cfg.rx_zc && !(dev->data->dev_conf.rxmode.offloads &
			       RTE_ETH_RX_OFFLOAD_SCATTER)) {
		XENBACK_LOG(ERR,
			    "%s: %s=1 delivers frames longer than %u bytes as mbuf chains: enable RTE_ETH_RX_OFFLOAD_SCATTER",
			    xd->name, XENBACK_ARG_RX_ZC, XENBACK_ZC_HEAD);
		return -EINVAL;
	}
	/* before the offer: a frontend may connect at once */
	rc = xenpv_rx_intr_configure(dev, &xd->rx_intr, xenback_logtype,
				     xd->name);
	if (rc < 0)
		return rc;
	rc = xenback_xenbus_configure(xd);
	if (rc < 0)
		return rc;
	/*
	 * ethdev has just set the MTU to the one configured, RTE_ETHER_MTU
	 * when the application gave none: that default follows the
	 * toolstack's mtu key of the vif, as at probe (xenback_port_mtu).
	 */
	pthread_mutex_lock(&xd->lock);
	if (xd->app_mtu == 0 && xd->ts_mtu != 0 &&
	    dev->data->dev_conf.rxmode.mtu == RTE_ETHER_MTU)
		dev->data->mtu = xd->ts_mtu;
	pthread_mutex_unlock(&xd->lock);
	return 0;
}

/* dev_start/dev_stop: the vif follows (xenback_xenbus.c), so do the queues. */
static int
xenback_dev_run(struct rte_eth_dev *dev, bool run)
{
	xenback_xenbus_set_started(dev->data->dev_private, run);
	xenpv_queue_states_set(dev, run ? RTE_ETH_QUEUE_STATE_STARTED :
				     RTE_ETH_QUEUE_STATE_STOPPED);
	return 0;
}

static int
xenback_dev_start(struct rte_eth_dev *dev)
{
	struct xenback_dev *xd = dev->data->dev_private;
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		if (xd->rxq[i].mp == NULL) {
			XENBACK_LOG(ERR, "%s: rx queue %u is not set up",
				    xd->name, i);
			return -EINVAL;
		}
	}
	return xenback_dev_run(dev, true);
}

static int
xenback_dev_stop(struct rte_eth_dev *dev)
{
	return xenback_dev_run(dev, false);
}

static int
xenback_dev_close(struct rte_eth_dev *dev)
{
	struct xenback_dev *xd = dev->data->dev_private;
	uint16_t i;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	xenback_xenbus_stop(xd);
	xenpv_rx_intr_close(dev, &xd->rx_intr);
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		dev->data->rx_queues[i] = NULL;
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		dev->data->tx_queues[i] = NULL;
	xenback_reg_del(xd);
	rte_free(xd->rxq);
	rte_free(xd->txq);
	xd->rxq = NULL;
	xd->txq = NULL;
	pthread_mutex_destroy(&xd->lock);
	return 0;
}

/*
 * The control path keeps dev_link current (xenback_update_link, atomic
 * through rte_eth_linkstatus_set) at every change, so there is nothing to
 * refresh: no lock is taken. rte_eth_link_get_nowait() calls this from a
 * forwarding lcore, and the control lock may be held for a whole connect
 * or a slow store (B6 of the hostile review).
 */
static int
xenback_link_update(struct rte_eth_dev *dev, int wait_to_complete)
{
	RTE_SET_USED(dev);
	RTE_SET_USED(wait_to_complete);
	return 0;
}

static int
xenback_priv_dump(struct rte_eth_dev *dev, FILE *f)
{
	return xenback_xenbus_dump(dev->data->dev_private, f);
}

static int
xenback_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	return xenback_xenbus_set_mtu(dev->data->dev_private, mtu);
}

static int
xenback_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		       unsigned int socket, const struct rte_eth_rxconf *conf,
		       struct rte_mempool *mp)
{
	struct xenback_dev *xd = dev->data->dev_private;
	struct xenback_rxq *rxq = &xd->rxq[qid];
	uint32_t room;

	RTE_SET_USED(socket);
	RTE_SET_USED(conf);
	room = rte_pktmbuf_data_room_size(mp);
	if (room < RTE_PKTMBUF_HEADROOM + XENBACK_MIN_RX_BUFSIZE) {
		XENBACK_LOG(ERR,
			    "%s: mempool %s has %u bytes of data room, rx queue %u needs %u",
			    xd->name, mp->name, room, qid,
			    RTE_PKTMBUF_HEADROOM + XENBACK_MIN_RX_BUFSIZE);
		return -EINVAL;
	}
	rxq->mp = mp;
	rxq->borrowed = false;
	rxq->nb_desc = nb_desc;
	rxq->buf_size = (uint16_t)RTE_MIN(room - RTE_PKTMBUF_HEADROOM,
					  (uint32_t)UINT16_MAX);
	dev->data->rx_queues[qid] = rxq;
	return 0;
}

static void
xenback_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct xenback_dev *xd = dev->data->dev_private;

	if (xd->rxq != NULL)
		xd->rxq[qid].mp = NULL;
}

static int
xenback_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		       unsigned int socket, const struct rte_eth_txconf *conf)
{
	struct xenback_dev *xd = dev->data->dev_private;

	RTE_SET_USED(socket);
	RTE_SET_USED(conf);
	xd->txq[qid].nb_desc = nb_desc;
	dev->data->tx_queues[qid] = &xd->txq[qid];
	return 0;
}

static void
xenback_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	RTE_SET_USED(dev);
	RTE_SET_USED(qid);
}

static void
xenback_rxq_info_get(struct rte_eth_dev *dev, uint16_t qid,
		     struct rte_eth_rxq_info *qinfo)
{
	struct xenback_dev *xd = dev->data->dev_private;
	struct xenback_rxq *rxq = &xd->rxq[qid];

	xenpv_rxq_info(dev, qinfo, rxq->mp, rxq->scatter, rxq->nb_desc,
		       rxq->buf_size);
}

static void
xenback_txq_info_get(struct rte_eth_dev *dev, uint16_t qid,
		     struct rte_eth_txq_info *qinfo)
{
	struct xenback_dev *xd = dev->data->dev_private;

	xenpv_txq_info(dev, qinfo, xd->txq[qid].nb_desc);
}

static int
xenback_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *stats)
{
	struct xenback_dev *xd = dev->data->dev_private;
	unsigned int i;

	for (i = 0; i < XENPV_NETIF_MAX_QUEUES; i++) {
		const struct xenback_rxq_stats *r = &xd->rxq[i].st;
		const struct xenback_txq_stats *t = &xd->txq[i].st;

		stats->ipackets += r->packets;
		stats->ibytes += r->bytes;
		stats->ierrors += r->errors;
		stats->imissed += r->drop_gso + r->drop_too_big;
		stats->rx_nombuf += r->nombuf;
		stats->opackets += t->packets;
		stats->obytes += t->bytes;
		stats->oerrors += t->errors + t->drop_len + t->drop_sg +
				  t->drop_gso + t->drop_mbuf;
		if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			stats->q_ipackets[i] = r->packets;
			stats->q_ibytes[i] = r->bytes;
			stats->q_errors[i] = r->errors;
			stats->q_opackets[i] = t->packets;
			stats->q_obytes[i] = t->bytes;
		}
	}
	return 0;
}

static int
xenback_stats_reset(struct rte_eth_dev *dev)
{
	struct xenback_dev *xd = dev->data->dev_private;
	unsigned int i;

	for (i = 0; i < XENPV_NETIF_MAX_QUEUES; i++) {
		/* grants mapped now: a state, not a count, kept */
		uint64_t rx_mapped = xd->rxq[i].st.pgnt_mapped;
		uint64_t tx_mapped = xd->txq[i].st.pgnt_mapped;
		uint64_t held = xd->rxq[i].st.zc_held;

		memset(&xd->rxq[i].st, 0, sizeof(xd->rxq[i].st));
		memset(&xd->txq[i].st, 0, sizeof(xd->txq[i].st));
		xd->rxq[i].st.pgnt_mapped = rx_mapped;
		xd->txq[i].st.pgnt_mapped = tx_mapped;
		xd->rxq[i].st.zc_held = held;
	}
	pthread_mutex_lock(&xd->lock);
	memset(&xd->cnt, 0, sizeof(xd->cnt));
	xd->refused = 0;
	xd->xs_events = 0;
	xd->xs_coalesced = 0;
	pthread_mutex_unlock(&xd->lock);
	return 0;
}

/*
 * Extended statistics (drivers/common/xen/xenpv_xstats.h): port-wide sums
 * of the ring counters over every ring (those a folded RX queue serves
 * included), error and drop counters named as clients filter them
 * (_errors, _dropped), and the vif's connection counters.
 */
#define XB_RX(n, f) XENPV_XSTAT(n, XENPV_XS_RX_SUM, struct xenback_rxq_stats, f)
#define XB_TX(n, f) XENPV_XSTAT(n, XENPV_XS_TX_SUM, struct xenback_txq_stats, f)
#define XB_PORT(n, f) XENPV_XSTAT(n, XENPV_XS_PORT, struct xenback_dev, f)

static const struct xenpv_xstat xenback_xstats[] = {
	XB_RX("rx_response_errors", errors),
	XB_RX("rx_too_many_slots_dropped", drop_slots),
	XB_RX("rx_bad_size_dropped", drop_size),
	XB_RX("rx_not_negotiated_dropped", drop_proto),
	XB_RX("rx_gso_not_enabled_dropped", drop_gso),
	XB_RX("rx_no_scatter_dropped", drop_too_big),
	XB_RX("rx_grant_copy_dropped", drop_copy),
	XB_RX("rx_bad_gso_dropped", drop_bad_gso),
	XB_RX("rx_oversize_dropped", drop_oversize),
	XB_RX("rx_grant_copy_errors", copy_errors),
	XB_RX("rx_grant_copy_calls", copy_calls),
	XB_RX("rx_notifications", notify),
	XB_RX("rx_notifications_held", notify_held),
	XB_RX("rx_lro_packets", gso),
	XB_RX("rx_csum_completed", csum_fixed),
	XB_RX("rx_csum_unknown", csum_unknown),
	XB_RX("rx_rate_held", rate_held),
	XB_TX("tx_response_errors", errors),
	XB_TX("tx_bad_length_dropped", drop_len),
	XB_TX("tx_no_sg_dropped", drop_sg),
	XB_TX("tx_gso_not_negotiated_dropped", drop_gso),
	XB_TX("tx_bad_offload_dropped", drop_mbuf),
	XB_TX("tx_grant_copy_errors", copy_errors),
	XB_TX("tx_grant_copy_calls", copy_calls),
	XB_TX("tx_notifications", notify),
	XB_TX("tx_notifications_held", notify_held),
	XB_TX("tx_guest_ring_full", ring_full),
	XB_TX("tx_gso_packets", gso),
	XB_TX("tx_csum_blank_packets", csum_blank),
	XB_TX("tx_csum_software", csum_sw),
	XB_TX("tx_link_down_dropped", link_down),
	XB_TX("tx_hash_packets", hash),
	XB_TX("tx_mcast_filtered_dropped", drop_mcast),
	XB_RX("rx_mcast_control_requests", mcast_ops),
	XB_RX("rx_persistent_grant_maps", pgnt_maps),
	XB_RX("rx_persistent_grants_mapped", pgnt_mapped),
	XB_TX("tx_persistent_grant_maps", pgnt_maps),
	XB_TX("tx_persistent_grants_mapped", pgnt_mapped),
	XB_RX("rx_zero_copy_packets", zc_packets),
	XB_RX("rx_zero_copy_held", zc_held),
	XB_RX("rx_zero_copy_fallback", zc_fallback),
	XENPV_XSTATS_VIF_COUNTS(struct xenback_dev, cnt),
	XB_PORT("connection_refused_errors", refused),
	XB_PORT("xenbus_events", xs_events),
	XB_PORT("xenbus_events_coalesced", xs_coalesced),
	XB_PORT("ctrl_requests", ctrl.requests),
	XB_PORT("ctrl_request_errors", ctrl.errors),
	XB_PORT("guest_mcast_addresses", mcast.n),
};

static uint64_t
xenback_xstat_read(void *ctx, enum xenpv_xstat_kind kind, unsigned int q,
		   uint32_t off)
{
	struct xenback_dev *xd = ctx;
	const void *base;

	if (kind == XENPV_XS_PORT)
		base = xd;
	else if (kind == XENPV_XS_RXQ)
		base = &xd->rxq[q].st;
	else
		base = &xd->txq[q].st;
	return __atomic_load_n((const uint64_t *)RTE_PTR_ADD(base, off),
			       __ATOMIC_RELAXED);
}

static struct xenpv_xstats_port
xenback_xstats_port(struct xenback_dev *xd)
{
	struct xenpv_xstats_port p = {
		.table = xenback_xstats,
		.nb = RTE_DIM(xenback_xstats),
		.nb_rx_sum = XENPV_NETIF_MAX_QUEUES,
		.nb_tx_sum = XENPV_NETIF_MAX_QUEUES,
		.read = xenback_xstat_read,
		.ctx = xd,
	};

	return p;
}

/* Per-queue packets, bytes and errors come from ethdev (AUTOFILL). */
static int
xenback_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xstats,
		   unsigned int n)
{
	struct xenpv_xstats_port p = xenback_xstats_port(dev->data->dev_private);

	return xenpv_xstats_get(&p, xstats, n);
}

static int
xenback_xstats_get_names(struct rte_eth_dev *dev,
			 struct rte_eth_xstat_name *names, unsigned int size)
{
	struct xenpv_xstats_port p = xenback_xstats_port(dev->data->dev_private);

	return xenpv_xstats_names(&p, names, size);
}

static const struct eth_dev_ops xenback_ops = {
	XENPV_ETH_DEV_OPS(xenback),
};

/* What a secondary process may do with a port (xenpv_vdev.h). */
static const struct eth_dev_ops xenback_secondary_ops = {
	XENPV_ETH_DEV_OPS_SECONDARY(xenback),
};

/* A 16-bit FNV-1a of a domain name, for a stable MAC. */
static uint16_t
xenback_name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return (uint16_t)(h ^ (h >> 16));
}

/*
 * No domain given (or domid=any): a wildcard (xenback_discover.c), no
 * ethdev of its own. The ports it creates get its other devargs.
 */
static int
xenback_wild_probe(const char *name, const struct xenpv_devarg *args)
{
	char port_args[256] = "";
	unsigned int i;
	int n = 0;

	for (i = XB_ARG_MAX_QUEUES; i < XB_ARG_COUNT; i++) {
		if (!args[i].given || args[i].str != NULL)
			continue;
		n += snprintf(port_args + n, sizeof(port_args) - n, ",%s=%lu",
			      args[i].key, args[i].val);
		if ((size_t)n >= sizeof(port_args))
			return -E2BIG;
	}
	return xenback_wild_start(name, port_args,
				  args[XB_ARG_DEVID].given ?
				  (int64_t)args[XB_ARG_DEVID].val : -1);
}

static int
xenback_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	char domain[XENBACK_DOMAIN_NAME_MAX + 1] = "";
	struct xenpv_devarg args[XB_ARG_COUNT] = {
		[XB_ARG_DOMID] = { XENBACK_ARG_DOMID, 0,
				   DOMID_FIRST_RESERVED - 1, 0, false, false,
				   .word = "any" },
		[XB_ARG_DEVID] = { XENBACK_ARG_DEVID, 0, INT32_MAX, 0, false,
				   false },
		[XB_ARG_MAX_QUEUES] = { XENBACK_ARG_MAX_QUEUES, 1,
					XENPV_NETIF_MAX_QUEUES,
					XENBACK_DEFAULT_QUEUES, false, false },
		[XB_ARG_MAX_ORDER] = { XENBACK_ARG_MAX_ORDER, 0,
				       XENPV_MAX_RING_PAGE_ORDER,
				       XENPV_MAX_RING_PAGE_ORDER, false, false },
		[XB_ARG_CTRL_RING] = { XENBACK_ARG_CTRL_RING, 0, 1, 1, false,
				       false },
		/* off by default: see "Persistent grants" in doc/xenback.rst */
		[XB_ARG_PGNT] = { XENBACK_ARG_PGNT, 0, 1, 0, false, false },
		/* off by default: see "Zero-copy receive" in doc/xenback.rst */
		[XB_ARG_RX_ZC] = { XENBACK_ARG_RX_ZC, 0, 1, 0, false, false },
		[XB_ARG_COMMON] = XENPV_COMMON_DEVARGS,
		[XB_ARG_DOMAIN] = { XENBACK_ARG_DOMAIN, .str = domain,
				    .str_size = sizeof(domain) },
	};
	struct rte_eth_dev *eth_dev;
	struct rte_ether_addr *mac;
	struct xenback_dev *xd;
	int socket = rte_socket_id();
	unsigned int i;
	int rc;

	if (rte_eal_process_type() == RTE_PROC_SECONDARY) {
		/*
		 * The primary's vdev list, which the secondary probes, also
		 * holds its wildcards, which have no port: nothing to attach
		 * (ports a wildcard created are vdevs of their own).
		 */
		if (xenpv_vdev_secondary(vdev, &xenback_secondary_ops) < 0)
			XENBACK_LOG(INFO, "%s: no port of that name in the primary (a wildcard): nothing to attach",
				    name);
		return 0;
	}
	/* the queue guards' light fence, before any queue opens */
	xenpv_dp_init();
	rc = xenpv_vdev_args(vdev, args, XB_ARG_COUNT, xenback_logtype);
	if (rc < 0)
		return rc;
	if (args[XB_ARG_DOMAIN].given && args[XB_ARG_DOMID].given) {
		XENBACK_LOG(ERR,
			    "%s: devargs domid and domain both name the vif's domain: give one",
			    name);
		return -EINVAL;
	}
	if (args[XB_ARG_RX_ZC].val != 0 && args[XB_ARG_PGNT].val == 0) {
		XENBACK_LOG(ERR,
			    "%s: %s=1 delivers the guest's pages through persistent grants: give %s=1 too",
			    name, XENBACK_ARG_RX_ZC, XENBACK_ARG_PGNT);
		return -EINVAL;
	}
	if (!args[XB_ARG_DOMAIN].given &&
	    (!args[XB_ARG_DOMID].given || args[XB_ARG_DOMID].is_word))
		return xenback_wild_probe(name, args);

	eth_dev = rte_eth_vdev_allocate(vdev, sizeof(*xd));
	if (eth_dev == NULL)
		return -ENOMEM;
	xd = eth_dev->data->dev_private;
	xd->fe_domid = (uint16_t)args[XB_ARG_DOMID].val;
	xd->devid = (uint32_t)args[XB_ARG_DEVID].val;
	xd->by_name = args[XB_ARG_DOMAIN].given;
	strlcpy(xd->domain, domain, sizeof(xd->domain));
	xd->cfg.max_queues = (uint16_t)args[XB_ARG_MAX_QUEUES].val;
	xd->cfg.max_order = (uint8_t)args[XB_ARG_MAX_ORDER].val;
	xd->cfg.ctrl_ring = args[XB_ARG_CTRL_RING].val != 0;
	xd->cfg.pgnt = args[XB_ARG_PGNT].val != 0;
	xd->cfg.rx_zc = args[XB_ARG_RX_ZC].val != 0;
	xenpv_cfg_get(&xd->cfg.pv, &xd->reconnect.max, &args[XB_ARG_COMMON]);
	xd->eth_dev = eth_dev;
	xd->port_id = eth_dev->data->port_id;
	strlcpy(xd->name, name, sizeof(xd->name));
	rc = xenback_reg_add(xd);
	if (rc < 0) {
		rte_eth_dev_release_port(eth_dev);
		return rc;
	}

	xd->rxq = rte_zmalloc_socket("xenback_rxq",
				     XENPV_NETIF_MAX_QUEUES * sizeof(*xd->rxq),
				     RTE_CACHE_LINE_SIZE, socket);
	xd->txq = rte_zmalloc_socket("xenback_txq",
				     XENPV_NETIF_MAX_QUEUES * sizeof(*xd->txq),
				     RTE_CACHE_LINE_SIZE, socket);
	mac = rte_zmalloc("xenback_mac", sizeof(*mac), 0);
	if (xd->rxq == NULL || xd->txq == NULL || mac == NULL) {
		rte_free(mac);
		rc = -ENOMEM;
		goto fail;
	}
	/*
	 * locally administered, unique per vif: fe:ff:<domid>:<devid>, or
	 * fe:fe:<hash of the domain's name>:<devid> for a port bound by
	 * name, so that it keeps its MAC across the guest's reboots
	 */
	mac->addr_bytes[0] = 0xfe;
	mac->addr_bytes[1] = xd->by_name ? 0xfe : 0xff;
	mac->addr_bytes[2] = (uint8_t)(xd->fe_domid >> 8);
	mac->addr_bytes[3] = (uint8_t)xd->fe_domid;
	if (xd->by_name) {
		uint16_t h = xenback_name_hash(xd->domain);

		mac->addr_bytes[2] = (uint8_t)(h >> 8);
		mac->addr_bytes[3] = (uint8_t)h;
	}
	mac->addr_bytes[4] = (uint8_t)(xd->devid >> 8);
	mac->addr_bytes[5] = (uint8_t)xd->devid;
	eth_dev->data->mac_addrs = mac;
	for (i = 0; i < XENPV_NETIF_MAX_QUEUES; i++)
		rte_spinlock_init(&xd->txq[i].lock);

	eth_dev->dev_ops = &xenback_ops;
	eth_dev->rx_pkt_burst = xenback_rx_burst;
	eth_dev->tx_pkt_burst = xenback_tx_burst;
	eth_dev->tx_pkt_prepare = xenpv_tx_prepare;
	XENPV_QUERIES_SET(eth_dev, xenback);
	eth_dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC |
				    RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS;
	/*
	 * Only a port that follows a domain by name reports its vif's
	 * removal: a port bound by domain id outlives its guest for good,
	 * and applications (testpmd) that detach a port on RMV must not
	 * lose one the administrator set up by domid.
	 */
	if (xd->by_name)
		eth_dev->data->dev_flags |= RTE_ETH_DEV_INTR_RMV;
	eth_dev->data->dev_link.link_status = RTE_ETH_LINK_DOWN;
	eth_dev->data->dev_link.link_speed = RTE_ETH_SPEED_NUM_10G;
	eth_dev->data->dev_link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	rc = xenpv_mutex_init_shared(&xd->lock);
	if (rc < 0)
		goto fail;
	rte_rwlock_init(&xd->mcast.lock);

	rc = xenback_xenbus_start(xd);
	if (rc < 0) {
		pthread_mutex_destroy(&xd->lock);
		goto fail;
	}
	/*
	 * RTE_ETH_EVENT_NEW is raised in there, and an application may take
	 * the port at once, from another thread, while this probe has not
	 * returned: a port a wildcard creates, on its control thread. The
	 * vdev bus names the device's driver only once the probe returns,
	 * and rte_eth_dev_info_get reads it: name it now (the PCI bus does
	 * so before it probes). Nothing fails after this point.
	 */
	vdev->device.driver = &xenback_vdev_drv.driver;
	rte_eth_dev_probing_finish(eth_dev);
	if (xd->by_name)
		XENBACK_LOG(INFO,
			    "%s: port %u for vif %u of domain \"%s\" (max %u queues, ring order %u, sg %d csum %d gso %d split %d)",
			    name, xd->port_id, xd->devid, xd->domain,
			    xd->cfg.max_queues, xd->cfg.max_order, xd->cfg.pv.sg,
			    xd->cfg.pv.csum, xd->cfg.pv.gso, xd->cfg.pv.split);
	else
		XENBACK_LOG(INFO,
			    "%s: port %u for vif %u.%u (max %u queues, ring order %u, sg %d csum %d gso %d split %d)",
			    name, xd->port_id, xd->fe_domid, xd->devid,
			    xd->cfg.max_queues, xd->cfg.max_order, xd->cfg.pv.sg,
			    xd->cfg.pv.csum, xd->cfg.pv.gso, xd->cfg.pv.split);
	return 0;

fail:
	xenback_reg_del(xd);
	rte_free(xd->rxq);
	rte_free(xd->txq);
	xd->rxq = NULL;
	xd->txq = NULL;
	rte_eth_dev_release_port(eth_dev);
	return rc;
}

/*
 * A wildcard's vdev has no port: remove stops it; a port's closes the port
 * (xenpv_vdev_remove). Registered by hand for that remove, otherwise as
 * XENPV_PMD_REGISTER does.
 */
static int
xenback_remove(struct rte_vdev_device *vdev)
{
	if (xenback_wild_stop(rte_vdev_device_name(vdev)))
		return 0;
	return xenpv_vdev_remove(vdev);
}

static struct rte_vdev_driver xenback_vdev_drv = {
	.probe = xenback_probe,
	.remove = xenback_remove,
};
RTE_PMD_REGISTER_VDEV(net_xenback, xenback_vdev_drv);
RTE_PMD_REGISTER_PARAM_STRING(net_xenback,
	XENBACK_ARG_DOMID "=<0-32751|any> "
	XENBACK_ARG_DOMAIN "=<name> "
	XENBACK_ARG_DEVID "=<uint> "
	XENBACK_ARG_MAX_QUEUES "=<1-16> "
	XENBACK_ARG_MAX_ORDER "=<0-4> "
	XENBACK_ARG_CTRL_RING "=<0|1> "
	XENBACK_ARG_PGNT "=<0|1> "
	XENBACK_ARG_RX_ZC "=<0|1> "
	XENPV_FEATURE_PARAMS " "
	XENPV_PEER_PARAMS);
