/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * tl_hold: a DPDK test application that keeps received packets for a while,
 * as one that queues them would (with a driver's rx_zero_copy=1, mbufs that
 * point into pages the peer granted), and checks at the end that what it
 * read of each did not change meanwhile: its first TL_HOLD_HDR bytes (the
 * headers it parses, within the drivers' 256-byte head copy) and a hash of
 * everything from TL_HOLD_BODY on (the attached pages). Used by
 * test/xennet/xennet_app.c (--hold) and test/xenback/xbecho.c (--keep).
 * Header only, like tl_eth.h: the rest of test/lib links no DPDK.
 */

#ifndef TL_HOLD_H
#define TL_HOLD_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#define TL_HOLD_MAX 1024
#define TL_HOLD_HDR 128		/* what is parsed: within a 256-byte head */
#define TL_HOLD_BODY 256	/* from here on: the attached pages */

struct tl_held {
	struct rte_mbuf *m;
	uint32_t len;
	uint8_t hdr[TL_HOLD_HDR];
	uint64_t body;
};

/* The packets kept (one application, one set). */
struct tl_hold {
	struct tl_held v[TL_HOLD_MAX];
	unsigned int n;
};

/* FNV-1a over bytes [@from, pkt_len) of a chain. */
static inline uint64_t
tl_hold_hash(const struct rte_mbuf *m, uint32_t from)
{
	uint64_t h = 14695981039346656037ULL;
	uint32_t off = 0, i;

	for (; m != NULL; m = m->next) {
		const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);

		for (i = 0; i < m->data_len; i++, off++)
			if (off >= from)
				h = (h ^ d[i]) * 1099511628211ULL;
	}
	return h;
}

/* Keep @m (the caller checked there is room), noting what it reads now. */
static inline void
tl_hold_keep(struct tl_hold *hs, struct rte_mbuf *m)
{
	struct tl_held *h = &hs->v[hs->n++];
	uint32_t n = RTE_MIN(m->pkt_len, (uint32_t)TL_HOLD_HDR);
	const void *p;

	h->m = m;
	h->len = m->pkt_len;
	memset(h->hdr, 0, sizeof(h->hdr));
	/* a pointer into the mbuf when contiguous, else a copy in hdr */
	p = rte_pktmbuf_read(m, 0, n, h->hdr);
	if (p != NULL && p != h->hdr)
		memcpy(h->hdr, p, n);
	h->body = tl_hold_hash(m, TL_HOLD_BODY);
}

/*
 * Compare every kept packet with what was noted, print the counts as
 * "stat held*" lines, free them.
 */
static inline void
tl_hold_check(struct tl_hold *hs)
{
	unsigned int i, hdr_changed = 0, body_changed = 0, long_ones = 0;
	uint8_t now[TL_HOLD_HDR];

	for (i = 0; i < hs->n; i++) {
		struct tl_held *h = &hs->v[i];
		uint32_t n = RTE_MIN(h->len, (uint32_t)TL_HOLD_HDR);
		const void *p = rte_pktmbuf_read(h->m, 0, n, now);

		if (h->m->pkt_len != h->len || p == NULL ||
		    memcmp(p, h->hdr, n) != 0)
			hdr_changed++;
		if (h->len > TL_HOLD_BODY) {
			long_ones++;
			if (tl_hold_hash(h->m, TL_HOLD_BODY) != h->body)
				body_changed++;
		}
		rte_pktmbuf_free(h->m);
	}
	printf("stat held %u\n", hs->n);
	printf("stat held_long %u\n", long_ones);
	printf("stat held_hdr_changed %u\n", hdr_changed);
	printf("stat held_body_changed %u\n", body_changed);
	fflush(stdout);
	hs->n = 0;
}

#endif /* TL_HOLD_H */
