/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * net_xennet: a DPDK poll-mode driver for a Xen guest's vif (the netfront
 * side of xen/io/netif.h), talking to dom0's netback (Linux xen-netback or
 * net_xenback) at polling speed.
 *
 * This file: devargs, probe and remove, and the ethdev operations. The
 * handshake is in xennet_xenbus.c, the bursts in xennet_rxtx.c.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_kvargs.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>

#include "xennet.h"
#include "xenpv_csum.h"
#include "xenpv_vdev.h"
#include "xenpv_xstats.h"

RTE_LOG_REGISTER_DEFAULT(xennet_logtype, NOTICE);

#define XENNET_ARG_DEVID	"devid"
#define XENNET_ARG_QUEUES	"queues"
#define XENNET_ARG_ORDER	"ring_page_order"
#define XENNET_ARG_RX_ZC	"rx_zero_copy"
#define XENNET_ARG_TX_ZC	"tx_zero_copy"
#define XENNET_ARG_PGNT		"persistent_grants"
#define XENNET_ARG_TX_POOL	"tx_pool"

/* Highest vif number we accept (Linux takes any int; libxl far fewer). */
#define XENNET_DEVID_MAX 65535u
#define XENNET_MTU_MIN RTE_ETHER_MIN_MTU

/* The devargs, in the order of xennet_probe's table. */
enum {
	XN_ARG_DEVID,
	XN_ARG_QUEUES,
	XN_ARG_ORDER,
	XN_ARG_RX_ZC,
	XN_ARG_TX_ZC,
	XN_ARG_PGNT,
	XN_ARG_TX_POOL,
	XN_ARG_COMMON,		/* XENPV_COMMON_DEVARGS */
	XN_ARG_COUNT = XN_ARG_COMMON + XENPV_COMMON_ARGS,
};

/*
 * ethdev operations
 */

static int
xennet_dev_configure(struct rte_eth_dev *dev)
{
	struct xennet_adapter *ad = xennet_adapter(dev);
	uint16_t nrx = dev->data->nb_rx_queues;
	uint16_t ntx = dev->data->nb_tx_queues;
	int rc;

	/*
	 * Any layout up to XENPV_NETIF_MAX_QUEUES each (ethdev checks the upper
	 * bound against dev_info): the queues are mapped onto the netif
	 * queues of each connection (xennet.h).
	 */
	if (nrx == 0 || ntx == 0) {
		XENNET_LOG(ERR, "%s: %u RX and %u TX queues configured: a vif needs at least one of each",
			   ad->name, nrx, ntx);
		return -EINVAL;
	}
	/* RSS: sent over the control ring at each connection */
	rc = xennet_ctrl_configure(ad);
	if (rc < 0)
		return rc;
	/* intr_conf.rxq: a handle and a descriptor per RX queue */
	return xenpv_rx_intr_configure(dev, &ad->rx_intr, xennet_logtype,
				       ad->name);
}

static int
xennet_dev_start(struct rte_eth_dev *dev)
{
	struct xennet_adapter *ad = xennet_adapter(dev);
	uint64_t rxo = dev->data->dev_conf.rxmode.offloads;
	uint16_t q;
	int rc;

	/*
	 * rx_zero_copy delivers a frame longer than its headers as a chain:
	 * the headers in the head mbuf, the rest in the granted pages.
	 */
	if (ad->cfg.rx_zero_copy && !(rxo & RTE_ETH_RX_OFFLOAD_SCATTER)) {
		XENNET_LOG(ERR, "%s: %s=1 delivers frames longer than %u bytes as mbuf chains: enable RTE_ETH_RX_OFFLOAD_SCATTER",
			   ad->name, XENNET_ARG_RX_ZC, XENNET_ZC_HEAD);
		return -EINVAL;
	}
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		struct xennet_rxq *rxq = dev->data->rx_queues[q];

		if (rxq == NULL) {
			XENNET_LOG(ERR, "%s: RX queue %u is not set up",
				   ad->name, q);
			return -EINVAL;
		}
		rxq->scatter = (rxo & RTE_ETH_RX_OFFLOAD_SCATTER) != 0;
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		if (dev->data->tx_queues[q] == NULL) {
			XENNET_LOG(ERR, "%s: TX queue %u is not set up",
				   ad->name, q);
			return -EINVAL;
		}
	}
	dev->data->scattered_rx = (rxo & RTE_ETH_RX_OFFLOAD_SCATTER) != 0;
	/* queues set up since dev_set_link_down take the link too */
	pthread_mutex_lock(&ad->lock);
	xennet_apply_link_down(ad);
	pthread_mutex_unlock(&ad->lock);

	rc = xennet_xenbus_start(ad);
	if (rc < 0)
		return rc;
	xenpv_queue_states_set(dev, RTE_ETH_QUEUE_STATE_STARTED);
	return 0;
}

static int
xennet_dev_stop(struct rte_eth_dev *dev)
{
	struct xennet_adapter *ad = xennet_adapter(dev);

	xennet_xenbus_stop(ad);
	xenpv_queue_states_set(dev, RTE_ETH_QUEUE_STATE_STOPPED);
	return 0;
}

static void
xennet_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	rte_free(dev->data->rx_queues[qid]);
	dev->data->rx_queues[qid] = NULL;
}

static void
xennet_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	rte_free(dev->data->tx_queues[qid]);
	dev->data->tx_queues[qid] = NULL;
}

/* Give back what probe took (also its error path). */
static void
xennet_adapter_release(struct xennet_adapter *ad)
{
	if (ad->watching) {
		xs_unwatch(ad->xs, ad->be_state, ad->name);
		ad->watching = false;
	}
	/* joins the control thread (never called from it) */
	xenpv_ctl_stop(&ad->ctl);
	if (ad->xce != NULL)
		xenevtchn_close(ad->xce);
	if (ad->xgs != NULL)
		xengntshr_close(ad->xgs);
	if (ad->xs != NULL)
		xs_close(ad->xs);
	ad->xce = NULL;
	ad->xgs = NULL;
	ad->xs = NULL;
}

static int
xennet_dev_close(struct rte_eth_dev *dev)
{
	struct xennet_adapter *ad = xennet_adapter(dev);
	uint16_t q;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	/* ethdev only closes stopped ports; make sure nothing is left */
	if (ad->started || ad->connected)
		xennet_xenbus_stop(ad);
	xennet_adapter_release(ad);
	/* the rings hold none of its mbufs any more (xennet_queue_release) */
	xennet_tx_pool_release(ad);
	xenpv_rx_intr_close(dev, &ad->rx_intr);
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		xennet_rx_queue_release(dev, q);
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		xennet_tx_queue_release(dev, q);
	pthread_mutex_destroy(&ad->lock);
	return 0;
}

static int
xennet_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct xennet_adapter *ad = xennet_adapter(dev);

	/*
	 * Any queue layout (mapped onto the connection's netif queues,
	 * xennet.h) and any descriptor count: the ring (ring_page_order
	 * devarg) bounds what is in flight (xenpv_vdev.h).
	 */
	xenpv_dev_info_common(info, ad->cfg.ring_order, xennet_mtu_max(ad),
			      RTE_ETHER_MIN_LEN);
	info->tx_desc_lim.nb_seg_max = UINT16_MAX;
	info->tx_desc_lim.nb_mtu_seg_max = UINT16_MAX;

	/*
	 * TX chains are copied (linearised) into pages: any chain goes. RX
	 * chains mbufs when a packet does not fit one, whatever the slots.
	 */
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	info->rx_offload_capa = RTE_ETH_RX_OFFLOAD_SCATTER;
	if (ad->cfg.pv.csum) {
		info->tx_offload_capa |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
			RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
		info->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
			RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
	}
	if (ad->cfg.pv.gso && ad->cfg.pv.sg) {
		info->tx_offload_capa |= RTE_ETH_TX_OFFLOAD_TCP_TSO;
		info->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_TCP_LRO;
		info->max_lro_pkt_size = XEN_NETIF_MAX_TX_SIZE;
	}
	info->rx_queue_offload_capa = 0;
	info->tx_queue_offload_capa = 0;
	/* RSS through the backend's control ring (xennet_ctrl.c) */
	info->flow_type_rss_offloads = XENNET_RSS_HF;
	info->hash_key_size = XENPV_NETIF_HASH_KEY_MAX;
	info->reta_size = xennet_reta_size(ad);
	return 0;
}

static int
xennet_priv_dump(struct rte_eth_dev *dev, FILE *f)
{
	return xennet_xenbus_dump(xennet_adapter(dev), f);
}

static int
xennet_link_update(struct rte_eth_dev *dev, int wait)
{
	struct xennet_adapter *ad = xennet_adapter(dev);
	struct rte_eth_link link =
		xennet_link(__atomic_load_n(&ad->link_up, __ATOMIC_ACQUIRE) &&
			    !__atomic_load_n(&ad->admin_down, __ATOMIC_RELAXED));

	RTE_SET_USED(wait);
	return rte_eth_linkstatus_set(dev, &link);
}

static int
xennet_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct xennet_adapter *ad = xennet_adapter(dev);
	uint32_t frame = (uint32_t)mtu + RTE_ETHER_HDR_LEN;
	uint64_t rxo = dev->data->dev_conf.rxmode.offloads;
	uint16_t q;

	if (mtu > xennet_mtu_max(ad)) {
		XENNET_LOG(ERR, "%s: MTU %u is above this port's maximum %u%s",
			   ad->name, mtu, xennet_mtu_max(ad),
			   !ad->cfg.pv.sg ? " (devarg sg=0)" :
			   ad->be_no_sg ? " (the backend offers no " XENPV_NETIF_FEATURE_SG ")" :
			   "");
		return -EINVAL;
	}
	if (rxo & RTE_ETH_RX_OFFLOAD_SCATTER)
		return 0;
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		struct xennet_rxq *rxq = dev->data->rx_queues[q];
		uint32_t room;

		if (rxq == NULL)
			continue;
		room = rte_pktmbuf_data_room_size(rxq->mp) -
			RTE_PKTMBUF_HEADROOM;
		if (frame > room) {
			XENNET_LOG(ERR, "%s: MTU %u needs %u-byte buffers; RX queue %u has %u and no scatter",
				   ad->name, mtu, frame, q, room);
			return -EINVAL;
		}
	}
	return 0;
}

static int
xennet_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid,
		      uint16_t nb_desc, unsigned int socket,
		      const struct rte_eth_rxconf *conf,
		      struct rte_mempool *mp)
{
	struct xennet_adapter *ad = xennet_adapter(dev);
	uint64_t rxo = dev->data->dev_conf.rxmode.offloads | conf->offloads;
	uint32_t room, frame;
	struct xennet_rxq *rxq;

	room = rte_pktmbuf_data_room_size(mp);
	if (room <= RTE_PKTMBUF_HEADROOM) {
		XENNET_LOG(ERR, "%s: RX queue %u: mempool %s has no data room",
			   ad->name, qid, mp->name);
		return -EINVAL;
	}
	room -= RTE_PKTMBUF_HEADROOM;
	frame = (uint32_t)dev->data->mtu + RTE_ETHER_HDR_LEN;
	if (!(rxo & RTE_ETH_RX_OFFLOAD_SCATTER) && frame > room) {
		XENNET_LOG(ERR, "%s: RX queue %u: %u-byte mbufs cannot hold a %u-byte frame without RTE_ETH_RX_OFFLOAD_SCATTER",
			   ad->name, qid, room, frame);
		return -EINVAL;
	}

	rxq = rte_zmalloc_socket("xennet_rxq", sizeof(*rxq),
				 RTE_CACHE_LINE_SIZE, (int)socket);
	if (rxq == NULL)
		return -ENOMEM;
	rxq->ad = ad;
	rxq->queue_id = qid;
	rxq->nb_desc = nb_desc;
	rxq->mp = mp;
	rxq->port_id = dev->data->port_id;
	rxq->scatter = (rxo & RTE_ETH_RX_OFFLOAD_SCATTER) != 0;
	dev->data->rx_queues[qid] = rxq;
	return 0;
}

static int
xennet_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid,
		      uint16_t nb_desc, unsigned int socket,
		      const struct rte_eth_txconf *conf)
{
	struct xennet_adapter *ad = xennet_adapter(dev);
	struct xennet_txq *txq;

	RTE_SET_USED(conf);
	txq = rte_zmalloc_socket("xennet_txq", sizeof(*txq),
				 RTE_CACHE_LINE_SIZE, (int)socket);
	if (txq == NULL)
		return -ENOMEM;
	txq->ad = ad;
	txq->queue_id = qid;
	txq->nb_desc = nb_desc;
	txq->map.ring = txq;
	rte_spinlock_init(&txq->lock);
	dev->data->tx_queues[qid] = txq;
	return 0;
}

static void
xennet_rxq_info_get(struct rte_eth_dev *dev, uint16_t qid,
		    struct rte_eth_rxq_info *qinfo)
{
	struct xennet_rxq *rxq = dev->data->rx_queues[qid];

	xenpv_rxq_info(dev, qinfo, rxq->mp, rxq->scatter, rxq->nb_desc,
		       (uint16_t)(rte_pktmbuf_data_room_size(rxq->mp) -
				  RTE_PKTMBUF_HEADROOM));
}

static void
xennet_txq_info_get(struct rte_eth_dev *dev, uint16_t qid,
		    struct rte_eth_txq_info *qinfo)
{
	const struct xennet_txq *txq = dev->data->tx_queues[qid];

	xenpv_txq_info(dev, qinfo, txq->nb_desc);
}

/*
 * Statistics. Counters are since the last reset: the reset snapshots them
 * (the bursts own the counters and never see the control path write).
 */

/*
 * Extended statistics (drivers/common/xen/xenpv_xstats.h): every error and
 * drop counter summed over the port under a name clients filter on
 * (_errors, _dropped), every queue counter per queue, and the port's
 * connection counters.
 */
#define XN_RX(n, f) XENPV_XSTAT(n, XENPV_XS_RX_SUM, struct xennet_rxq_stats, f)
#define XN_TX(n, f) XENPV_XSTAT(n, XENPV_XS_TX_SUM, struct xennet_txq_stats, f)
#define XN_RXQ(f) XENPV_XSTAT(#f, XENPV_XS_RXQ, struct xennet_rxq_stats, f)
#define XN_TXQ(f) XENPV_XSTAT(#f, XENPV_XS_TXQ, struct xennet_txq_stats, f)
#define XN_PORT(n, f) XENPV_XSTAT(n, XENPV_XS_PORT, struct xennet_adapter, f)

static const struct xenpv_xstat xennet_xstats[] = {
	XN_RX("rx_response_errors", rsp_error),
	XN_RX("rx_too_many_slots_dropped", drop_slots),
	XN_RX("rx_no_scatter_dropped", drop_noscatter),
	XN_RX("rx_empty_dropped", drop_empty),
	XN_RX("rx_length_dropped", drop_len),
	XN_RX("rx_offload_dropped", drop_offload),
	XN_RX("rx_zero_copy_packets", zc_packets),
	XN_RX("rx_zero_copy_refill_short", zc_refill_short),
	XN_RX("rx_kick_errors", kick_errors),
	XN_RX("rx_notifications", kicks),
	XN_RX("rx_notifications_held", kicks_held),
	XN_TX("tx_length_dropped", drop_len),
	XN_TX("tx_no_sg_dropped", drop_nosg),
	XN_TX("tx_offload_dropped", drop_offload),
	XN_TX("tx_malformed_dropped", drop_malformed),
	XN_TX("tx_response_errors", rsp_error),
	XN_TX("tx_response_dropped", rsp_dropped),
	XN_TX("tx_kick_errors", kick_errors),
	XN_TX("tx_notifications", kicks),
	XN_TX("tx_notifications_held", kicks_held),
	XN_TX("tx_link_down_dropped", link_down),
	XN_TX("tx_zero_copy_segments", zc_segments),
	XN_TX("tx_zero_copy_fallback", zc_fallback),
	XN_TX("tx_pool_segments", pool_segments),
	XN_TX("tx_pool_fallback", pool_fallback),
	XENPV_XSTATS_VIF_COUNTS(struct xennet_adapter, cnt),
	XN_PORT("vif_management_pages_shared", pages_shared),
	XN_PORT("mcast_control_requests", mc.ops),
	XN_PORT("mcast_control_errors", mc.errors),
	XN_RXQ(packets), XN_RXQ(bytes), XN_RXQ(rsp_error), XN_RXQ(drop_slots),
	XN_RXQ(drop_noscatter), XN_RXQ(drop_empty), XN_RXQ(drop_len),
	XN_RXQ(drop_offload), XN_RXQ(nombuf), XN_RXQ(slots_read),
	XN_RXQ(gso), XN_RXQ(kicks), XN_RXQ(kicks_held),
	XN_RXQ(kick_errors), XN_RXQ(violations), XN_RXQ(zc_packets),
	XN_RXQ(zc_refill_short),
	XN_TXQ(packets), XN_TXQ(bytes), XN_TXQ(drop_len), XN_TXQ(drop_nosg),
	XN_TXQ(drop_offload), XN_TXQ(drop_malformed), XN_TXQ(rsp_error),
	XN_TXQ(rsp_dropped), XN_TXQ(ring_full), XN_TXQ(gso), XN_TXQ(kicks),
	XN_TXQ(kicks_held), XN_TXQ(kick_errors), XN_TXQ(violations),
	XN_TXQ(link_down), XN_TXQ(zc_segments), XN_TXQ(zc_fallback),
	XN_TXQ(pool_segments), XN_TXQ(pool_fallback),
};

static uint64_t
xennet_stat(const void *stats, const void *base, size_t offset)
{
	const uint64_t *v = RTE_PTR_ADD(stats, offset);
	const uint64_t *b = RTE_PTR_ADD(base, offset);

	return __atomic_load_n(v, __ATOMIC_RELAXED) - *b;
}

static uint64_t
xennet_rxq_stat(const struct xennet_rxq *rxq, size_t offset)
{
	return xennet_stat(&rxq->stats, &rxq->stats_base, offset);
}

static uint64_t
xennet_txq_stat(const struct xennet_txq *txq, size_t offset)
{
	return xennet_stat(&txq->stats, &txq->stats_base, offset);
}

#define RXQ_STAT(q, f) xennet_rxq_stat(q, offsetof(struct xennet_rxq_stats, f))
#define TXQ_STAT(q, f) xennet_txq_stat(q, offsetof(struct xennet_txq_stats, f))

static int
xennet_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	uint16_t q;

	st->rx_nombuf = 0;
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		const struct xennet_rxq *rxq = dev->data->rx_queues[q];
		uint64_t pk, by, err;

		if (rxq == NULL)
			continue;
		pk = RXQ_STAT(rxq, packets);
		by = RXQ_STAT(rxq, bytes);
		err = RXQ_STAT(rxq, rsp_error) + RXQ_STAT(rxq, drop_slots) +
			RXQ_STAT(rxq, drop_noscatter) +
			RXQ_STAT(rxq, drop_empty) + RXQ_STAT(rxq, drop_len) +
			RXQ_STAT(rxq, drop_offload);
		st->ipackets += pk;
		st->ibytes += by;
		st->ierrors += err;
		st->rx_nombuf += RXQ_STAT(rxq, nombuf);
		if (q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_ipackets[q] = pk;
			st->q_ibytes[q] = by;
			st->q_errors[q] = err;
		}
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		const struct xennet_txq *txq = dev->data->tx_queues[q];
		uint64_t pk, by;

		if (txq == NULL)
			continue;
		pk = TXQ_STAT(txq, packets);
		by = TXQ_STAT(txq, bytes);
		st->opackets += pk;
		st->obytes += by;
		st->oerrors += TXQ_STAT(txq, drop_len) +
			TXQ_STAT(txq, drop_nosg) +
			TXQ_STAT(txq, drop_offload) +
			TXQ_STAT(txq, drop_malformed) +
			TXQ_STAT(txq, rsp_error) + TXQ_STAT(txq, rsp_dropped);
		if (q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_opackets[q] = pk;
			st->q_obytes[q] = by;
		}
	}
	return 0;
}

/* A queue's counters (all uint64_t) become its new base. */
static void
xennet_stats_snapshot(void *base, const void *stats, size_t size)
{
	const uint64_t *v = stats;
	uint64_t *b = base;
	size_t i;

	for (i = 0; i < size / sizeof(uint64_t); i++)
		b[i] = __atomic_load_n(&v[i], __ATOMIC_RELAXED);
}

static int
xennet_stats_reset(struct rte_eth_dev *dev)
{
	struct xennet_adapter *ad = xennet_adapter(dev);
	uint16_t q;

	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		struct xennet_rxq *rxq = dev->data->rx_queues[q];

		if (rxq != NULL)
			xennet_stats_snapshot(&rxq->stats_base, &rxq->stats,
					      sizeof(rxq->stats));
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		struct xennet_txq *txq = dev->data->tx_queues[q];

		if (txq != NULL)
			xennet_stats_snapshot(&txq->stats_base, &txq->stats,
					      sizeof(txq->stats));
	}
	pthread_mutex_lock(&ad->lock);
	memset(&ad->cnt, 0, sizeof(ad->cnt));
	pthread_mutex_unlock(&ad->lock);
	return 0;
}

static uint64_t
xennet_xstat_read(void *ctx, enum xenpv_xstat_kind kind, unsigned int q,
		  uint32_t off)
{
	struct rte_eth_dev *dev = ctx;
	struct xennet_adapter *ad = xennet_adapter(dev);
	uint64_t v;

	if (kind == XENPV_XS_PORT) {
		pthread_mutex_lock(&ad->lock);
		v = *(const uint64_t *)RTE_PTR_ADD(ad, off);
		pthread_mutex_unlock(&ad->lock);
		return v;
	}
	if (kind == XENPV_XS_RXQ) {
		const struct xennet_rxq *rxq = dev->data->rx_queues[q];

		return rxq == NULL ? 0 : xennet_rxq_stat(rxq, off);
	} else {
		const struct xennet_txq *txq = dev->data->tx_queues[q];

		return txq == NULL ? 0 : xennet_txq_stat(txq, off);
	}
}

static struct xenpv_xstats_port
xennet_xstats_port(struct rte_eth_dev *dev)
{
	struct xenpv_xstats_port p = {
		.table = xennet_xstats,
		.nb = RTE_DIM(xennet_xstats),
		.nb_rxq = dev->data->nb_rx_queues,
		.nb_txq = dev->data->nb_tx_queues,
		.nb_rx_sum = dev->data->nb_rx_queues,
		.nb_tx_sum = dev->data->nb_tx_queues,
		.read = xennet_xstat_read,
		.ctx = dev,
	};

	return p;
}

static int
xennet_xstats_get_names(struct rte_eth_dev *dev,
			struct rte_eth_xstat_name *names, unsigned int size)
{
	struct xenpv_xstats_port p = xennet_xstats_port(dev);

	return xenpv_xstats_names(&p, names, size);
}

static int
xennet_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xstats,
		  unsigned int size)
{
	struct xenpv_xstats_port p = xennet_xstats_port(dev);

	return xenpv_xstats_get(&p, xstats, size);
}

static const struct eth_dev_ops xennet_ops = {
	XENPV_ETH_DEV_OPS(xennet),
	.rss_hash_update = xennet_rss_hash_update,
	.rss_hash_conf_get = xennet_rss_hash_conf_get,
	.reta_update = xennet_reta_update,
	.reta_query = xennet_reta_query,
};

/* What a secondary process may do with a port (xenpv_vdev.h). */
static const struct eth_dev_ops xennet_secondary_ops = {
	XENPV_ETH_DEV_OPS_SECONDARY(xennet),
};

/*
 * Probe
 */

/* Read the toolstack's keys of device/vif/<devid> into @ad. */
static int
xennet_read_vif(struct xennet_adapter *ad)
{
	unsigned long v, bv;
	char *s;
	int rc;

	errno = 0;
	s = xenpv_xs_read(ad->xs, XBT_NULL, "%s/%s", ad->fe_path,
			  XENPV_NETIF_BACKEND);
	if (s == NULL) {
		if (errno == ENOENT) {
			XENNET_LOG(ERR, "%s: vif %u does not exist: no %s/%s in xenstore",
				   ad->name, ad->devid, ad->fe_path,
				   XENPV_NETIF_BACKEND);
			return -ENODEV;
		}
		XENNET_LOG(ERR, "%s: cannot read %s/%s: %s", ad->name,
			   ad->fe_path, XENPV_NETIF_BACKEND,
			   strerror(errno ? errno : EIO));
		return -(errno ? errno : EIO);
	}
	if (!xenpv_path_ok(s, NULL)) {
		XENNET_LOG(ERR, "%s: %s/%s is not a usable backend path",
			   ad->name, ad->fe_path, XENPV_NETIF_BACKEND);
		free(s);
		return -EINVAL;
	}
	strlcpy(ad->be_path, s, sizeof(ad->be_path));
	free(s);
	/* cannot truncate: xenpv_path_ok() bounds the length */
	if (snprintf(ad->be_state, sizeof(ad->be_state), "%s/" XENPV_NETIF_STATE,
		     ad->be_path) >= (int)sizeof(ad->be_state))
		return -ENAMETOOLONG;

	rc = xenpv_xs_read_uint(ad->xs, XBT_NULL, &v, DOMID_FIRST_RESERVED - 1,
				"%s/%s", ad->fe_path, XENPV_NETIF_BACKEND_ID);
	if (rc < 0) {
		XENNET_LOG(ERR, "%s: %s/%s: %s", ad->name, ad->fe_path,
			   XENPV_NETIF_BACKEND_ID,
			   rc == -ENOENT ? "missing" : "not a domain id");
		return rc == -ENOENT ? -ENODEV : -EINVAL;
	}
	ad->be_domid = (unsigned int)v;

	s = xenpv_xs_read(ad->xs, XBT_NULL, "%s/%s", ad->fe_path,
			  XENPV_NETIF_MAC);
	if (s == NULL || xenpv_parse_mac(s, ad->mac.addr_bytes) < 0) {
		XENNET_LOG(ERR, "%s: %s/%s is %s", ad->name, ad->fe_path,
			   XENPV_NETIF_MAC,
			   s == NULL ? "missing" : "not a MAC address");
		free(s);
		return -EINVAL;
	}
	free(s);
	if (!rte_is_unicast_ether_addr(&ad->mac)) {
		XENNET_LOG(ERR, "%s: %s/%s is not a unicast address",
			   ad->name, ad->fe_path, XENPV_NETIF_MAC);
		return -EINVAL;
	}

	rc = xenpv_xs_read_uint_default(ad->xs, XBT_NULL, &v, RTE_ETHER_MTU,
					UINT16_MAX, "%s/%s", ad->fe_path,
					XENPV_NETIF_MTU);
	if (rc < 0 || v < XENNET_MTU_MIN) {
		XENNET_LOG(ERR, "%s: %s/%s is not an MTU", ad->name,
			   ad->fe_path, XENPV_NETIF_MTU);
		return -EINVAL;
	}
	/*
	 * The backend's mtu key (where libxl and net_xenback write the vif's
	 * MTU), when present and sane, wins over the frontend's.
	 */
	if (xenpv_xs_read_uint(ad->xs, XBT_NULL, &bv, UINT16_MAX, "%s/%s",
			       ad->be_path, XENPV_NETIF_MTU) == 0 &&
	    bv >= XENNET_MTU_MIN)
		v = bv;
	if (v > xennet_mtu_max(ad)) {
		XENNET_LOG(WARNING, "%s: toolstack MTU %lu above this port's maximum: %u",
			   ad->name, v, xennet_mtu_max(ad));
		v = xennet_mtu_max(ad);
	}
	ad->mtu = (uint16_t)v;
	return 0;
}

/*
 * If the backend has already published its features (InitWait or later),
 * check now that the devargs fit them, so that a bad combination fails the
 * probe rather than the start.
 */
static int
xennet_check_backend(struct xennet_adapter *ad,
		     const struct xenpv_devarg *args)
{
	struct xennet_be_features f;
	int bs, rc;

	bs = xenpv_bus_read_state(ad->xs, ad->be_path);
	if (bs != XenbusStateInitWait && bs != XenbusStateInitialised &&
	    bs != XenbusStateConnected) {
		XENNET_LOG(INFO, "%s: backend %s is %s: connecting when it is ready",
			   ad->name, ad->be_path, xenpv_bus_state_name(bs));
		return 0;
	}
	rc = xennet_read_backend_features(ad, &f);
	if (rc < 0)
		return rc;
	if (args[XN_ARG_QUEUES].given && args[XN_ARG_QUEUES].val > f.max_queues)
		XENNET_LOG(NOTICE, "%s: %s=%lu but backend %s offers %u queue(s) now: using what it offers at connect",
			   ad->name, XENNET_ARG_QUEUES, args[XN_ARG_QUEUES].val,
			   ad->be_path,
			   f.max_queues);
	ad->be_no_sg = !f.sg;
	if (ad->cfg.ring_order > 0 &&
	    (!f.has_max_order || ad->cfg.ring_order > f.max_order)) {
		XENNET_LOG(ERR, "%s: %s=%lu but backend %s offers %s%u",
			   ad->name, XENNET_ARG_ORDER,
			   (unsigned long)ad->cfg.ring_order, ad->be_path,
			   f.has_max_order ? "order " : "single-page rings, order ",
			   f.max_order);
		return -EINVAL;
	}
	return 0;
}

static int
xennet_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct xennet_adapter *ad = NULL;
	struct rte_eth_dev *dev = NULL;
	struct xenpv_devarg args[XN_ARG_COUNT] = {
		[XN_ARG_DEVID] = { XENNET_ARG_DEVID, 0, XENNET_DEVID_MAX, 0,
				   false, false },
		[XN_ARG_QUEUES] = { XENNET_ARG_QUEUES, 1,
				    XENPV_NETIF_MAX_QUEUES,
				    XENPV_NETIF_MAX_QUEUES, false, false },
		[XN_ARG_ORDER] = { XENNET_ARG_ORDER, 0,
				   XENPV_MAX_RING_PAGE_ORDER, 0, false, false },
		[XN_ARG_RX_ZC] = { XENNET_ARG_RX_ZC, 0, 1, 0, false, false },
		[XN_ARG_TX_ZC] = { XENNET_ARG_TX_ZC, 0, 1, 0, false, false },
		/* off by default: see "Persistent grants" in doc/xennet.rst */
		[XN_ARG_PGNT] = { XENNET_ARG_PGNT, 0, 1, 0, false, false },
		/* mbufs of the granted TX pool (xennet.h: why bounded) */
		[XN_ARG_TX_POOL] = { XENNET_ARG_TX_POOL, 0, XENNET_TX_POOL_MAX,
				     0, false, false },
		[XN_ARG_COMMON] = XENPV_COMMON_DEVARGS,
	};
	char tname[RTE_MAX_THREAD_NAME_LEN];
	int rc;

	if (rte_eal_process_type() == RTE_PROC_SECONDARY) {
		rc = xenpv_vdev_secondary(vdev, &xennet_secondary_ops);
		if (rc < 0)
			XENNET_LOG(ERR, "%s: cannot attach to the primary's port: %s",
				   name, strerror(-rc));
		return rc;
	}
	/* the queue guards' light fence, before any queue opens */
	xenpv_dp_init();
	rc = xenpv_vdev_args(vdev, args, XN_ARG_COUNT, xennet_logtype);
	if (rc < 0)
		return rc;

	dev = rte_eth_vdev_allocate(vdev, sizeof(*ad));
	if (dev == NULL)
		return -ENOMEM;
	ad = dev->data->dev_private;
	strlcpy(ad->name, name, sizeof(ad->name));
	ad->dev = dev;
	ad->devid = (unsigned int)args[XN_ARG_DEVID].val;
	/* without the devarg: as many as the backend offers at connect */
	ad->cfg.max_queues = (unsigned int)args[XN_ARG_QUEUES].val;
	ad->cfg.ring_order = (unsigned int)args[XN_ARG_ORDER].val;
	ad->cfg.rx_zero_copy = args[XN_ARG_RX_ZC].val != 0;
	ad->cfg.tx_zero_copy = args[XN_ARG_TX_ZC].val != 0;
	ad->cfg.pgnt = args[XN_ARG_PGNT].val != 0;
	ad->cfg.tx_pool = (uint32_t)args[XN_ARG_TX_POOL].val;
	xenpv_cfg_get(&ad->cfg.pv, &ad->reconnect.max, &args[XN_ARG_COMMON]);
	ad->fe_state = XenbusStateUnknown;
	for (rc = 0; rc < XENPV_NETIF_MAX_QUEUES; rc++) {
		ad->evtchn[rc].tx = -1;
		ad->evtchn[rc].rx = -1;
	}
	snprintf(ad->fe_path, sizeof(ad->fe_path), "device/vif/%u",
		 ad->devid);
	rc = xenpv_mutex_init_shared(&ad->lock);
	if (rc < 0)
		goto fail_release_port;

	ad->xs = xs_open(0);
	if (ad->xs == NULL) {
		XENNET_LOG(ERR, "%s: cannot open xenstore: %s (not in a Xen domain?)",
			   name, strerror(errno));
		rc = -ENODEV;
		goto fail;
	}
	rc = xennet_read_vif(ad);
	if (rc < 0)
		goto fail;
	rc = xennet_check_backend(ad, args);
	if (rc < 0)
		goto fail;
	ad->fe_state = xenpv_bus_read_state(ad->xs, ad->fe_path);
	if (ad->fe_state < 0)
		ad->fe_state = XenbusStateUnknown;

	ad->xgs = xengntshr_open(NULL, 0);
	if (ad->xgs == NULL) {
		XENNET_LOG(ERR, "%s: cannot open the grant-sharing device: %s (gntalloc missing?)",
			   name, strerror(errno));
		rc = -ENODEV;
		goto fail;
	}
	ad->xce = xenevtchn_open(NULL, 0);
	if (ad->xce == NULL) {
		XENNET_LOG(ERR, "%s: cannot open the event-channel device: %s",
			   name, strerror(errno));
		rc = -ENODEV;
		goto fail;
	}
	/* the backend domain is known: the granted TX pool (tx_pool=N) */
	if (ad->cfg.tx_pool > 0) {
		rc = xennet_tx_pool_create(ad, ad->cfg.tx_pool,
					   rte_socket_id());
		if (rc < 0) {
			XENNET_LOG(ERR, "%s: cannot make the granted TX pool of %s=%u: %s",
				   name, XENNET_ARG_TX_POOL, ad->cfg.tx_pool,
				   strerror(-rc));
			goto fail;
		}
	}

	dev->data->mac_addrs = rte_zmalloc("xennet_mac", sizeof(ad->mac), 0);
	if (dev->data->mac_addrs == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	rte_ether_addr_copy(&ad->mac, dev->data->mac_addrs);
	dev->data->mtu = ad->mtu;
	dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC;
	dev->data->dev_link.link_status = RTE_ETH_LINK_DOWN;
	dev->data->dev_link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	dev->data->dev_link.link_autoneg = RTE_ETH_LINK_FIXED;
	/* every group arrives until the application asks for a filter */
	dev->data->all_multicast = 1;
	dev->dev_ops = &xennet_ops;
	dev->rx_pkt_burst = xennet_rx_burst;
	dev->tx_pkt_burst = xennet_tx_burst;
	dev->tx_pkt_prepare = xenpv_tx_prepare;
	XENPV_QUERIES_SET(dev, xennet);

	/* follow the backend's state from now on, on the port's thread */
	snprintf(tname, sizeof(tname), "xn-ctl-%u", dev->data->port_id);
	rc = xenpv_ctl_start(&ad->ctl, tname, ad->xs, xennet_ctl_event,
			     xennet_ctl_run, ad, xennet_logtype);
	if (rc < 0)
		goto fail;
	/* from a control thread, so libxenstore's reader thread is not
	 * pinned to the main lcore (see xenpv_xs_watch)
	 */
	rc = xenpv_xs_watch(ad->xs, ad->be_state, ad->name);
	if (rc < 0) {
		XENNET_LOG(ERR, "%s: cannot watch %s: %s", ad->name,
			   ad->be_state, strerror(-rc));
		goto fail;
	}
	ad->watching = true;

	rte_eth_dev_probing_finish(dev);
	XENNET_LOG(INFO, "%s: vif %u, MAC " RTE_ETHER_ADDR_PRT_FMT ", MTU %u, backend %s (domain %u), up to %u queue(s), ring order %u%s%s%s%s",
		   name, ad->devid, RTE_ETHER_ADDR_BYTES(&ad->mac), ad->mtu,
		   ad->be_path, ad->be_domid, ad->cfg.max_queues, ad->cfg.ring_order,
		   ad->cfg.rx_zero_copy ? ", RX zero-copy" : "",
		   ad->cfg.tx_zero_copy ? ", TX zero-copy" : "",
		   ad->txpool != NULL ? ", granted TX pool " : "",
		   ad->txpool != NULL ? ad->txpool->name : "");
	return 0;

fail:
	xennet_adapter_release(ad);
	xennet_tx_pool_release(ad);
	pthread_mutex_destroy(&ad->lock);
fail_release_port:
	rte_eth_dev_release_port(dev);
	return rc;
}

XENPV_PMD_REGISTER(net_xennet, xennet_probe,
	XENNET_ARG_DEVID "=<0-65535> "
	XENNET_ARG_QUEUES "=<1-16> "
	XENNET_ARG_ORDER "=<0-4> "
	XENNET_ARG_RX_ZC "=<0|1> "
	XENNET_ARG_TX_ZC "=<0|1> "
	XENNET_ARG_PGNT "=<0|1> "
	XENNET_ARG_TX_POOL "=<0-4096> "
	XENPV_FEATURE_PARAMS " "
	XENPV_PEER_PARAMS);
