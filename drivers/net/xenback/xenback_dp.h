/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * What net_xenback's two data-path files share (private to them): the
 * verdict a packet gets while a burst plans it, the burst's grant copy, and
 * the checksum helpers of xenback_csum.c.
 */

#ifndef XENBACK_DP_H
#define XENBACK_DP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "xenback.h"

enum xenback_pkt_verdict {
	XB_PKT_OK,		/* planned */
	XB_PKT_DROPPED,		/* answered or freed; go on */
	XB_PKT_STOP,		/* cannot go on now: end the burst here */
};

/* Run a burst's grant copies; a failed call fails every segment. */
static inline void
xenback_grant_copy(xengnttab_handle *xgt, xengnttab_grant_copy_segment_t *segs,
		   unsigned int nseg, uint64_t *calls)
{
	unsigned int i;

	if (nseg == 0)
		return;
	(*calls)++;
	if (unlikely(xengnttab_grant_copy(xgt, nseg, segs) != 0)) {
		for (i = 0; i < nseg; i++)
			segs[i].status = GNTST_general_error;
	}
}

/*
 * The guest's multicast subscriptions (struct xenback_mcast): a guest TX
 * request's MCAST_DEL then MCAST_ADD extras applied to @mc; false (an
 * error response) if the list is full or the address is not multicast.
 */
static inline bool
xenback_mcast_apply(struct xenback_mcast *mc,
		    const struct xenpv_netif_extras *x)
{
	const struct rte_ether_addr *a;
	bool ok = true;
	uint32_t i;

	if (mc == NULL)
		return false;
	rte_rwlock_write_lock(&mc->lock);
	if (x->mcast_del) {
		a = (const struct rte_ether_addr *)x->del_addr;
		for (i = 0; i < mc->n; i++)
			if (rte_is_same_ether_addr(&mc->addr[i], a))
				break;
		if (i < mc->n)
			mc->addr[i] = mc->addr[--mc->n];
	}
	if (x->mcast_add) {
		a = (const struct rte_ether_addr *)x->add_addr;
		for (i = 0; i < mc->n; i++)
			if (rte_is_same_ether_addr(&mc->addr[i], a))
				break;
		if (!rte_is_multicast_ether_addr(a))
			ok = false;
		else if (i == mc->n && mc->n == XENPV_NETIF_MCAST_MAX)
			ok = false;
		else if (i == mc->n)
			mc->addr[mc->n++] = *a;
	}
	rte_rwlock_write_unlock(&mc->lock);
	return ok;
}

/*
 * Is @m a multicast frame (not broadcast) the guest did not subscribe to?
 * Only for a guest that asked for filtering (@mc not NULL).
 */
static inline bool
xenback_mcast_unwanted(struct xenback_mcast *mc, const struct rte_mbuf *m)
{
	const struct rte_ether_addr *dst;
	bool found = false;
	uint32_t i;

	if (m->data_len < RTE_ETHER_ADDR_LEN)
		return false;
	dst = rte_pktmbuf_mtod(m, const struct rte_ether_addr *);
	if (!rte_is_multicast_ether_addr(dst) || rte_is_broadcast_ether_addr(dst))
		return false;
	rte_rwlock_read_lock(&mc->lock);
	for (i = 0; i < mc->n && !found; i++)
		found = rte_is_same_ether_addr(&mc->addr[i], dst);
	rte_rwlock_read_unlock(&mc->lock);
	return !found;
}

/* xenback_csum.c: TCP/UDP checksums of packets either way. */
int xenback_l4_cksum(const struct rte_mbuf *m, const void *l3, bool v6,
		     uint32_t l4off, uint32_t l4len, uint8_t proto,
		     uint32_t csum_off);
int64_t xenback_l4_len(const struct rte_mbuf *m, const void *l3, bool v6,
		       uint32_t l3off, uint32_t l3len);
bool xenback_rx_csum_complete(struct rte_mbuf *m);

#endif /* XENBACK_DP_H */
