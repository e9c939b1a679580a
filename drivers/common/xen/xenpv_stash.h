/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * A receive burst's fresh mbufs, both drivers alike (net_xennet's RX,
 * net_xenback's guest TX): allocated in bulk the first time a packet needs
 * one, at most what the burst can still deliver (the requests or responses
 * in the ring, the application's burst size) and XENPV_MBUF_STASH at a
 * time, taken a packet's worth at a time, and what no packet took freed
 * when the burst ends. A mempool call per packet was 13 % of a receiving
 * core at 64 B; a burst that stops before its first packet (a violation,
 * a rate limit) allocates nothing.
 *
 * Owned by the one burst of its queue; nothing in it outlives the burst.
 */

#ifndef XENPV_STASH_H
#define XENPV_STASH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_mbuf.h>

/* mbufs allocated at once (bursts of 32 or 64 are the usual) */
#define XENPV_MBUF_STASH	64

struct xenpv_mbuf_stash {
	uint16_t i;		/* the next to take; [i, n) not taken yet */
	uint16_t n;
	uint32_t want;		/* what the burst may still take beyond n */
	struct rte_mbuf *m[XENPV_MBUF_STASH];
};

/* A burst starts: it will take at most @want mbufs in all. */
static inline void
xenpv_stash_begin(struct xenpv_mbuf_stash *s, uint32_t want)
{
	s->i = 0;
	s->n = 0;
	s->want = want;
}

/*
 * The stash is empty: allocate the next part of what the burst may take.
 * False if nothing is left to allocate or the pool cannot give it at once.
 */
static inline bool
xenpv_stash_refill(struct xenpv_mbuf_stash *s, struct rte_mempool *mp)
{
	uint16_t c = (uint16_t)RTE_MIN(s->want, (uint32_t)XENPV_MBUF_STASH);

	if (c == 0 || rte_pktmbuf_alloc_bulk(mp, s->m, c) != 0)
		return false;
	s->want -= c;
	s->i = 0;
	s->n = c;
	return true;
}

/*
 * @k fresh mbufs into @m: from the stash, or from @mp directly for a
 * packet the stash cannot cover. False if the pool is out of mbufs.
 */
static inline bool
xenpv_stash_take(struct xenpv_mbuf_stash *s, struct rte_mempool *mp,
		 struct rte_mbuf **m, unsigned int k)
{
	unsigned int j;

	if (unlikely((unsigned int)(s->n - s->i) < k) &&
	    (s->i != s->n || !xenpv_stash_refill(s, mp) ||
	     (unsigned int)s->n < k))
		return rte_pktmbuf_alloc_bulk(mp, m, k) == 0;
	for (j = 0; j < k; j++)
		m[j] = s->m[s->i++];
	return true;
}

/* The burst ends: the mbufs no packet took go back to their pool. */
static inline void
xenpv_stash_end(struct xenpv_mbuf_stash *s)
{
	if (s->i < s->n)
		rte_pktmbuf_free_bulk(&s->m[s->i], s->n - s->i);
	s->i = 0;
	s->n = 0;
	s->want = 0;
}

#endif /* XENPV_STASH_H */
