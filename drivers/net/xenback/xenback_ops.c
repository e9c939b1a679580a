/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * net_xenback: the ethdev operations around the data path that are not
 * bursts: descriptor status (rx_queue_count, rx/tx_descriptor_status), the
 * link (dev_set_link_up/down and the vif's carrier key), Rx interrupts
 * (rx_queue_intr_enable/disable), the (absent) multicast filter.
 *
 * Descriptors are ring slots of the guest's rings. The ethdev queue's
 * descriptor count (nb_desc) is what the application asked for; the rings
 * have the size the guest chose (2^ring-page-order pages, 256 slots per
 * page). Offsets count slots, not packets: a guest packet takes one slot
 * per page-sized piece plus one per extra-info slot (one for a small packet
 * without GSO).
 *
 *  - rx_queue_count (ethdev RX queue = guest TX ring): slots the guest
 *    filled (requests it produced) that no burst has consumed yet,
 *    req_prod - req_cons, summed over the rings the queue serves
 *    (xenback.h: one, unless the guest has more netif queues than the port
 *    has RX queues).
 *  - rx_descriptor_status(o): the slot req_cons + o of the queue's own
 *    ring: DONE if the guest filled it (o < its count), AVAIL otherwise
 *    (free for the guest to fill).
 *  - tx_descriptor_status(o) (ethdev TX queue = the guest RX ring it sends
 *    on, xenback.h): the slot req_cons + o, o slots after the one the next
 *    packet goes in. DONE if the guest has posted a buffer there (it can
 *    take a packet), FULL if not: our last response there is still the
 *    guest's (it has not read it and posted the slot again).
 *
 * UNAVAIL for an offset past the ring (nb_desc larger than the ring) or
 * while the queue has no ring (no frontend connected, port stopped);
 * -EINVAL for o >= nb_desc. The guest's producer is read once (acquire)
 * and checked as a burst checks it; one out of range reads as nothing
 * produced and the next burst records the violation. Each is a query of
 * the queue's guard (xenpv_dp_query_enter): the control path waits for it
 * before it unmaps a ring, so it may run on any thread; beside a running
 * burst it reads a snapshot.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <ethdev_driver.h>

#include "xenback.h"
#include "xenpv_vdev.h"

/* Requests the guest produced and we did not consume (inside the guard). */
static inline uint32_t
xenback_rx_filled(const struct xenback_rxq *ring)
{
	RING_IDX prod;

	if (!xenpv_back_req_prod(&ring->ring, &prod))
		return 0;
	return prod - ring->ring.req_cons;
}

uint32_t
xenback_rx_queue_count(void *queue)
{
	struct xenback_rxq *q = queue;
	uint32_t n = 0;
	unsigned int k;

	if (!xenpv_dp_query_enter(&q->guard))
		return 0;
	for (k = 0; k < q->nb_serve; k++)
		n += xenback_rx_filled(q->serve[k]);
	xenpv_dp_query_exit(&q->guard);
	return n;
}

/*
 * The descriptors of ethdev RX queue @q are those of the first guest TX
 * ring it serves (inside the guard): its size, 0 if it serves none, and
 * the requests filled in it.
 */
static uint32_t
xenback_rx_ring_slots(const struct xenback_rxq *q)
{
	return q->nb_serve == 0 ? 0 : RING_SIZE(&q->serve[0]->ring);
}

static uint32_t
xenback_rx_first_filled(const struct xenback_rxq *q)
{
	return xenback_rx_filled(q->serve[0]);
}

XENPV_RX_DESC_STATUS_DEFINE(xenback_rx_descriptor_status, struct xenback_rxq,
			    xenback_rx_ring_slots, xenback_rx_first_filled)

/* One guest RX ring (inside the guard, and its lock if shared). */
static int
xenback_tx_ring_desc_status(const void *ring, uint16_t offset)
{
	const netif_rx_back_ring_t *r = &((const struct xenback_txq *)ring)->ring;
	RING_IDX prod;

	if (offset >= RING_SIZE(r))
		return RTE_ETH_TX_DESC_UNAVAIL;
	if (!xenpv_back_req_prod(r, &prod))
		prod = r->req_cons;	/* out of range: nothing posted */
	return offset < prod - r->req_cons ?
		RTE_ETH_TX_DESC_DONE : RTE_ETH_TX_DESC_FULL;
}

XENPV_TX_DESC_STATUS_DEFINE(xenback_tx_descriptor_status, struct xenback_txq,
			    xenback_tx_ring_desc_status)

/*
 * The link. The vif's carrier key (xenpv_netif.h, in our backend
 * directory) is the one switch: the toolstack may write it, and
 * dev_set_link_up/down write it (so the frontend sees the link the
 * application set, as netif.h asks of a backend). Either way, carrier "0"
 * holds the link down: every TX burst drops and counts
 * (tx_link_down_dropped), every RX burst returns 0 and leaves the guest's
 * requests in its ring, and the link reads down; "1" lets both work and the
 * link reads up while the frontend is connected and the port started. A
 * missing key changes nothing (the last value stays). The connection is
 * kept either way.
 */

/* Copy the carrier into every queue (under xd->lock). */
void
xenback_apply_link_down(struct xenback_dev *xd)
{
	unsigned int i;

	for (i = 0; i < XENPV_NETIF_MAX_QUEUES; i++) {
		__atomic_store_n(&xd->rxq[i].link_down, xd->carrier_down,
				 __ATOMIC_RELAXED);
		__atomic_store_n(&xd->txq[i].link_down, xd->carrier_down,
				 __ATOMIC_RELAXED);
	}
}

static void
xenback_set_carrier(struct xenback_dev *xd, bool down, const char *who)
{
	if (xd->carrier_down == down)
		return;
	xd->carrier_down = down;
	xenback_apply_link_down(xd);
	xenback_update_link(xd);
	XENBACK_LOG(INFO, "%s: carrier %s (%s)", xd->name,
		    down ? "down" : "up", who);
}

/* A watch event on our directory (under xd->lock): follow the key. */
void
xenback_carrier_follow(struct xenback_dev *xd)
{
	char *s;

	if (xd->xs == NULL)
		return;
	s = xenpv_xs_read(xd->xs, XBT_NULL, "%s/%s", xd->be_path,
			  XENPV_NETIF_CARRIER);
	if (s == NULL)
		return;
	if (strcmp(s, "0") == 0)
		xenback_set_carrier(xd, true, "carrier key");
	else if (strcmp(s, "1") == 0)
		xenback_set_carrier(xd, false, "carrier key");
	else
		XENBACK_LOG(DEBUG, "%s: %s/%s is not 0 or 1: ignored",
			    xd->name, xd->be_path, XENPV_NETIF_CARRIER);
	free(s);
}

static int
xenback_set_link(struct rte_eth_dev *dev, bool up)
{
	struct xenback_dev *xd = dev->data->dev_private;
	int rc = 0;

	pthread_mutex_lock(&xd->lock);
	/* only into a directory the toolstack made (never create it) */
	if (xd->xs != NULL && xd->conn != XENBACK_CONN_ABSENT) {
		rc = xenpv_xs_printf(xd->xs, XBT_NULL, xd->be_path,
				     XENPV_NETIF_CARRIER, "%d", up);
		if (rc < 0)
			XENBACK_LOG(WARNING, "%s: cannot write %s/%s: %s",
				    xd->name, xd->be_path,
				    XENPV_NETIF_CARRIER, strerror(-rc));
	}
	xenback_set_carrier(xd, !up, "application");
	/* the application changed the link itself: no event */
	xd->lsc_pending = false;
	pthread_mutex_unlock(&xd->lock);
	return 0;
}

XENPV_SET_LINK_DEFINE(xenback, xenback_set_link)

/*
 * The multicast filter of a backend port: none. The port receives every
 * frame its guest sends (the guest's multicast control filters the other
 * way, what the application transmits to the guest: doc/xenback.rst), so
 * it is always all-multicast; disabling that, or giving a list, is
 * accepted and filters nothing, as for promiscuous (xenpv_vdev.h).
 */
int
xenback_allmulticast_enable(struct rte_eth_dev *dev)
{
	return xenpv_rx_filter_noop(dev);
}

int
xenback_allmulticast_disable(struct rte_eth_dev *dev)
{
	return xenpv_rx_filter_noop(dev);
}

int
xenback_set_mc_addr_list(struct rte_eth_dev *dev, struct rte_ether_addr *mc,
			 uint32_t nb)
{
	RTE_SET_USED(mc);
	RTE_SET_USED(nb);
	return xenpv_rx_filter_noop(dev);
}

/*
 * Rx interrupts (xenpv_intr.h). The guest kicks the channel of its TX
 * ring when its new req_prod passes our req_event; a polling backend
 * leaves req_event behind, so it is never kicked. Ring j's channel is bound
 * on the handle of ethdev RX queue j mod r, the queue that serves it.
 * Enable: drain the queue's descriptor, set req_event one past the guest's
 * producer on every ring the queue serves (re-read until it stands still:
 * the guest's push writes req_prod, fences, then reads req_event), unmask
 * each ring's channel. Disable: drain; the channels stay masked.
 *
 * Arming does not report requests already there: check
 * rte_eth_rx_queue_count() after enabling and before waiting. A frontend
 * that connected before intr_conf.rxq was configured keeps its channels
 * on the port's handle until it reconnects: the queue then never wakes.
 */

xenevtchn_handle *
xenback_ring_intr_handle(struct xenback_dev *xd, unsigned int ring)
{
	struct rte_eth_dev *dev = xd->eth_dev;
	uint16_t nrx = dev->data->nb_rx_queues;
	xenevtchn_handle *h = NULL;

	if (nrx > 0)
		h = xenpv_rx_intr_handle(dev, &xd->rx_intr, ring % nrx);
	return h != NULL ? h : xd->xce;
}

static xenevtchn_handle *
xenback_intr_handle(struct rte_eth_dev *dev, uint16_t qid)
{
	struct xenback_dev *xd = dev->data->dev_private;

	return xenpv_rx_intr_handle_op(dev, &xd->rx_intr, qid,
				       xenback_logtype, xd->name);
}

/* Ask the guest to kick at its next request on @ring (inside the guard). */
static void
xenback_arm_ring(struct xenback_rxq *ring)
{
	netif_tx_sring_t *sr = ring->ring.sring;

	xenpv_ring_arm(&sr->req_prod, &sr->req_event);
	xenevtchn_unmask(ring->xce, ring->evtchn);
}

/* Enable's arming: every guest TX ring ethdev RX queue @qid serves. */
static void
xenback_intr_arm(struct rte_eth_dev *dev, uint16_t qid)
{
	struct xenback_dev *xd = dev->data->dev_private;
	struct xenback_rxq *q = &xd->rxq[qid];
	unsigned int k;

	/* no ring now: a new connection's first request kicks (req_event 1) */
	if (!xenpv_dp_query_enter(&q->guard))
		return;
	for (k = 0; k < q->nb_serve; k++)
		xenback_arm_ring(q->serve[k]);
	xenpv_dp_query_exit(&q->guard);
}

XENPV_RX_INTR_DEFINE(xenback, xenback_intr_handle, xenback_intr_arm)
