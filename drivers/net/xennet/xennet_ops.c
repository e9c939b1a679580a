/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * net_xennet: the ethdev operations around the data path that are not
 * bursts: descriptor status (rx_queue_count, rx/tx_descriptor_status),
 * the application's link (dev_set_link_up/down), Rx interrupts
 * (rx_queue_intr_enable/disable).
 *
 * Descriptors are ring slots. The ethdev queue's descriptor count
 * (nb_desc) is what the application asked for; the netif ring of the
 * connection has its own size (2^ring_page_order pages: 256 slots per page
 * for RX and TX). Offsets count ring slots, not packets: a packet takes one
 * slot per page it spans plus one per extra-info slot (one for a small
 * packet without GSO).
 *
 *  - rx_queue_count: slots the backend filled (responses it produced) that
 *    the driver has not consumed yet: rsp_prod - rsp_cons.
 *  - rx_descriptor_status(o): the slot rsp_cons + o, the o-th slot from the
 *    next one a burst reads. DONE if the backend filled it (o < count),
 *    AVAIL if posted (in copy mode every slot always is), UNAVAIL if not
 *    (rx_zero_copy, a page the application holds), for an offset past the
 *    ring (nb_desc larger than the ring) or while
 *    the queue has no ring (not connected, or a queue beyond the netif
 *    queues); -EINVAL for o >= nb_desc.
 *  - tx_descriptor_status(o): the slot req_prod_pvt + o, o slots after the
 *    one the next request goes in; the request it held last was sent
 *    size - o slots ago. FULL while the backend has not answered that
 *    request, DONE once it has (or if the slot was never used). The ring is
 *    the one the ethdev TX queue sends on (xennet.h: TX queue i, netif
 *    queue i mod n). UNAVAIL and -EINVAL as for RX.
 *
 * All three read the backend's producer index once (acquire) and check it
 * as a burst does; a producer out of range reads as nothing produced, and
 * the next burst records the violation. Each is a query of the queue's
 * guard (xenpv_dp_query_enter): the control path waits for it before it
 * unmaps a ring, so it may run on any thread; beside a running burst it
 * reads a snapshot.
 */

#include <errno.h>

#include <rte_common.h>
#include <ethdev_driver.h>

#include "xennet.h"

/* Filled RX slots, 0 if the producer is out of range (inside the guard). */
static inline uint32_t
xennet_rx_filled(const struct xennet_rxq *rxq)
{
	const netif_rx_front_ring_t *r = &rxq->ring;
	RING_IDX prod;

	if (!xenpv_front_rsp_prod(r, &prod))
		return 0;
	return prod - r->rsp_cons;
}

uint32_t
xennet_rx_queue_count(void *queue)
{
	struct xennet_rxq *rxq = queue;
	uint32_t n;

	if (!xenpv_dp_query_enter(&rxq->guard))
		return 0;
	n = xennet_rx_filled(rxq);
	xenpv_dp_query_exit(&rxq->guard);
	return n;
}

/*
 * The RX ring's slots that hold a posted request (inside the guard): every
 * slot in copy mode; with rx_zero_copy, fewer while the application holds
 * the pages the others need (a slot past them is UNAVAIL).
 */
static uint32_t
xennet_rx_ring_slots(const struct xennet_rxq *rxq)
{
	if (rxq->zc != NULL)
		return rxq->ring.req_prod_pvt - rxq->ring.rsp_cons;
	return RING_SIZE(&rxq->ring);
}

XENPV_RX_DESC_STATUS_DEFINE(xennet_rx_descriptor_status, struct xennet_rxq,
			    xennet_rx_ring_slots, xennet_rx_filled)

/* One TX ring (inside the guard, and its lock if shared). */
static int
xennet_tx_ring_desc_status(const void *ring, uint16_t offset)
{
	const netif_tx_front_ring_t *r = &((const struct xennet_txq *)ring)->ring;
	uint32_t size = RING_SIZE(r);
	RING_IDX prod;

	if (offset >= size)
		return RTE_ETH_TX_DESC_UNAVAIL;
	if (!xenpv_front_rsp_prod(r, &prod))
		prod = r->rsp_cons;	/* out of range: nothing answered */
	/* unanswered requests: the last (req_prod_pvt - prod) sent */
	return size - offset <= r->req_prod_pvt - prod ?
		RTE_ETH_TX_DESC_FULL : RTE_ETH_TX_DESC_DONE;
}

XENPV_TX_DESC_STATUS_DEFINE(xennet_tx_descriptor_status, struct xennet_txq,
			    xennet_tx_ring_desc_status)

/*
 * The application's link. Down: every TX burst drops and counts
 * (tx_link_down_dropped), every RX burst returns 0 and leaves what the
 * backend sent in the ring (the backend sees a full ring, as from a guest
 * that does not read), and the link reads down. Up: both work again and
 * the link reads up if the vif is connected. The connection itself is
 * kept: nothing is said to the backend (netif gives the frontend no
 * link key). Kept across dev_stop/dev_start until the next call.
 */

/* Copy the application's link into every queue (under ad->lock). */
void
xennet_apply_link_down(struct xennet_adapter *ad)
{
	struct rte_eth_dev *dev = ad->dev;
	uint32_t down = __atomic_load_n(&ad->admin_down, __ATOMIC_RELAXED);
	uint16_t q;

	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		struct xennet_rxq *rxq = dev->data->rx_queues[q];

		if (rxq != NULL)
			__atomic_store_n(&rxq->link_down, down,
					 __ATOMIC_RELAXED);
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		struct xennet_txq *txq = dev->data->tx_queues[q];

		if (txq != NULL)
			__atomic_store_n(&txq->link_down, down,
					 __ATOMIC_RELAXED);
	}
}

static int
xennet_set_admin_link(struct rte_eth_dev *dev, bool up)
{
	struct xennet_adapter *ad = xennet_adapter(dev);
	struct rte_eth_link link;

	pthread_mutex_lock(&ad->lock);
	__atomic_store_n(&ad->admin_down, !up, __ATOMIC_RELAXED);
	xennet_apply_link_down(ad);
	link = xennet_link(up && __atomic_load_n(&ad->link_up,
						  __ATOMIC_ACQUIRE));
	rte_eth_linkstatus_set(dev, &link);
	pthread_mutex_unlock(&ad->lock);
	XENNET_LOG(INFO, "%s: link set %s by the application", ad->name,
		   up ? "up" : "down");
	return 0;
}

XENPV_SET_LINK_DEFINE(xennet, xennet_set_admin_link)

/*
 * Rx interrupts (xenpv_intr.h). The backend kicks our RX channel when its
 * new rsp_prod passes our rsp_event; a polling frontend leaves rsp_event
 * behind, so it is never kicked. Enable: drain the queue's descriptor, set
 * rsp_event one past the producer (re-read until it stands still: the
 * backend's push writes rsp_prod, fences, then reads rsp_event, so either
 * it sees our index or we see its producer), unmask the channel. Disable:
 * drain; the channel stays masked (the backend may still kick once, which
 * only leaves it pending for the next enable: one early wake-up at most).
 *
 * Like every NIC's, arming does not report what arrived before it: check
 * rte_eth_rx_queue_count() (or poll once more) after enabling and before
 * waiting.
 */

static xenevtchn_handle *
xennet_intr_handle(struct rte_eth_dev *dev, uint16_t qid)
{
	struct xennet_adapter *ad = xennet_adapter(dev);

	return xenpv_rx_intr_handle_op(dev, &ad->rx_intr, qid,
				       xennet_logtype, ad->name);
}

/* Enable's arming: the RX ring of ethdev RX queue @qid. */
static void
xennet_intr_arm(struct rte_eth_dev *dev, uint16_t qid)
{
	struct xennet_rxq *rxq = dev->data->rx_queues[qid];
	netif_rx_front_ring_t *r;

	/* no ring now: a fresh ring's rsp_event is 1, its first packet kicks */
	if (!xenpv_dp_query_enter(&rxq->guard))
		return;
	r = &rxq->ring;
	xenpv_ring_arm(&r->sring->rsp_prod, &r->sring->rsp_event);
	xenevtchn_unmask(rxq->kick.xce, rxq->kick.port);
	xenpv_dp_query_exit(&rxq->guard);
}

XENPV_RX_INTR_DEFINE(xennet, xennet_intr_handle, xennet_intr_arm)
