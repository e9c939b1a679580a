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

/* xenback_csum.c: TCP/UDP checksums of packets either way. */
int xenback_l4_cksum(const struct rte_mbuf *m, const void *l3, bool v6,
		     uint32_t l4off, uint32_t l4len, uint8_t proto,
		     uint32_t csum_off);
int64_t xenback_l4_len(const struct rte_mbuf *m, const void *l3, bool v6,
		       uint32_t l3off, uint32_t l3len);
bool xenback_rx_csum_complete(struct rte_mbuf *m);

#endif /* XENBACK_DP_H */
