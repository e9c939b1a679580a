/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * Rx interrupts of a vif port (both drivers), for rte_eth_dev_rx_intr_ctl_q
 * and rte_epoll_wait (DPDK's l3fwd-power).
 *
 * A xenevtchn handle has one file descriptor for all the ports bound on it,
 * and epoll takes a descriptor once per epoll instance: so each ethdev RX
 * queue gets a handle of its own, and the event channel that the peer kicks
 * when that queue has work (its RX channel with split channels, the one
 * channel of its netif queue without) is bound on it. The port's
 * rte_intr_instance (type EXT: EAL reads nothing, the driver consumes the
 * events) lists these descriptors as efds[q], vector
 * RTE_INTR_VEC_RXTX_OFFSET + q.
 *
 * The handles are opened by dev_configure when intr_conf.rxq is set and are
 * kept until dev_close (never closed at a reconfiguration, so a channel
 * bound on one stays valid while its connection lasts). Owned by the
 * control path; the per-queue ops only use a handle the control path has
 * bound the queue's channel on.
 *
 * The notify protocol (each driver, rx_queue_intr_enable): consume what
 * the descriptor holds, set the ring's event index one past the producer
 * the queue has seen (re-read until the producer stands still, so the
 * peer either sees the new index or we see its new producer), then unmask
 * the channel. A delivered port stays masked until the next enable: while
 * the application polls, the peer's kicks cost it nothing.
 */

#ifndef XENPV_INTR_H
#define XENPV_INTR_H

#include <stdint.h>

#include <ethdev_driver.h>

#include "xenpv.h"
#include "xenpv_netif.h"

#include <xenevtchn.h>

struct xenpv_rx_intr {
	xenevtchn_handle *xce[XENPV_NETIF_MAX_QUEUES];	/* per ethdev RX queue */
	uint16_t nb;					/* handles open */
};

/*
 * dev_configure: with intr_conf.rxq, open a handle for each RX queue and
 * (re)build dev->intr_handle over their descriptors; without, drop
 * dev->intr_handle. 0 or a negative errno (logged naming @name).
 */
int xenpv_rx_intr_configure(struct rte_eth_dev *dev, struct xenpv_rx_intr *ri,
			    int logtype, const char *name);

/* dev_close: free dev->intr_handle and close every handle. */
void xenpv_rx_intr_close(struct rte_eth_dev *dev, struct xenpv_rx_intr *ri);

/* The handle of ethdev RX queue @q, or NULL if Rx interrupts are off. */
static inline xenevtchn_handle *
xenpv_rx_intr_handle(const struct rte_eth_dev *dev,
		     const struct xenpv_rx_intr *ri, unsigned int q)
{
	if (!dev->data->dev_conf.intr_conf.rxq || q >= ri->nb)
		return NULL;
	return ri->xce[q];
}

/*
 * The handle of ethdev RX queue @q for rx_queue_intr_enable/_disable: as
 * xenpv_rx_intr_handle, NULL logged through @logtype naming the port @name.
 */
xenevtchn_handle *xenpv_rx_intr_handle_op(const struct rte_eth_dev *dev,
					  const struct xenpv_rx_intr *ri,
					  unsigned int q, int logtype,
					  const char *name);

/*
 * Consume every event delivered on @xce without blocking (each delivered
 * port stays masked until xenevtchn_unmask).
 */
void xenpv_evtchn_drain(xenevtchn_handle *xce);

/* Bound on re-reads of a producer that keeps moving (a flooding peer). */
#define XENPV_ARM_TRIES 8

/*
 * Ask the peer to kick at its next push: set our event index @event one
 * past its producer @prod (both in the shared ring page), re-reading the
 * producer until it stands still. The peer's push writes the producer,
 * fences, then reads our index; we write the index, fence, then re-read the
 * producer: either it sees the new index or we see its new producer.
 */
static inline void
xenpv_ring_arm(const RING_IDX *prod, RING_IDX *event)
{
	RING_IDX p;
	unsigned int i;

	for (i = 0; i < XENPV_ARM_TRIES; i++) {
		p = __atomic_load_n(prod, __ATOMIC_ACQUIRE);
		__atomic_store_n(event, p + 1, __ATOMIC_RELAXED);
		rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(prod, __ATOMIC_RELAXED) == p)
			return;
	}
}

/*
 * Defines a driver's <pfx>_rx_queue_intr_enable and _disable
 * (XENPV_OPS_DECLARE), the notify protocol above. Disable drains the
 * queue's handle, @handle_fn(dev, qid) (NULL: -EINVAL, Rx interrupts are
 * not configured); enable does the same, then asks the peer to kick at its
 * next push, @arm_fn(dev, qid), which reads the ring inside the queue's
 * guard.
 */
#define XENPV_RX_INTR_DEFINE(pfx, handle_fn, arm_fn)			\
int									\
pfx ## _rx_queue_intr_disable(struct rte_eth_dev *dev, uint16_t qid)	\
{									\
	xenevtchn_handle *xce = handle_fn(dev, qid);			\
									\
	if (xce == NULL)						\
		return -EINVAL;						\
	xenpv_evtchn_drain(xce);					\
	return 0;							\
}									\
									\
int									\
pfx ## _rx_queue_intr_enable(struct rte_eth_dev *dev, uint16_t qid)	\
{									\
	int rc = pfx ## _rx_queue_intr_disable(dev, qid);		\
									\
	if (rc == 0)							\
		arm_fn(dev, qid);					\
	return rc;							\
}

#endif /* XENPV_INTR_H */
