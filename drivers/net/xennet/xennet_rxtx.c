/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * net_xennet data path: the burst functions.
 *
 * TX copies each packet into the granted data pages owned by free request
 * ids (one page per slot, so no slot crosses a page and a packet of at most
 * 65535 bytes takes at most 16 slots, however its mbuf chain is cut), frees
 * the burst's mbufs at its end, and frees the ids when the backend
 * answers. With tx_zero_copy=1 a segment in a zero-copy RX page goes by
 * reference instead, the page held by its id until the answer. RX finds the backend's responses in the slots of the requests it
 * answered, checks them against what was posted there, copies the packet
 * into mbufs of the queue's mempool and posts the slots again. With
 * rx_zero_copy=1 (xennet_zc.c) it copies only the headers and attaches the
 * pages, and posts whatever pages the pool has free.
 *
 * Each burst reads the backend's producer index once (acquire), publishes
 * ours once (Xen's push macro), and kicks the backend only when the macro
 * says it asked for it. Nothing here logs or makes a system call other than
 * that kick: a backend that breaks the protocol makes the burst record the
 * violation in the queue and stop; the port's control thread logs it and
 * closes the vif.
 */

#include <errno.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>

#include "xennet.h"
#include "xenpv_csum.h"

/* An extra-info slot overlays a request or a response of either ring. */
static_assert(sizeof(struct netif_extra_info) <= sizeof(netif_tx_request_t),
	      "extra info must fit in a TX request slot");
static_assert(sizeof(struct netif_extra_info) == sizeof(netif_rx_response_t),
	      "extra info must overlay an RX response slot");

/*
 * One step of a copy between an mbuf chain and the pages: as many bytes as
 * both the source (*@a left) and the destination (*@b left) have, each
 * cursor moved past them. Returns the bytes copied.
 */
static __rte_always_inline uint32_t
xennet_copy_step(uint8_t **dst, const uint8_t **src, uint32_t *a,
		 uint32_t *b)
{
	uint32_t k = RTE_MIN(*a, *b);

	xenpv_copy(*dst, *src, k);
	*dst += k;
	*src += k;
	*a -= k;
	*b -= k;
	return k;
}

/*
 * Record a protocol violation of a queue (burst side): count it, keep the
 * first one for the control thread to log. The queue stops at once: its bursts
 * do nothing more until the control path tears the connection down.
 */
static inline void
xennet_violation(struct xenpv_viol *viol, uint64_t *count,
		 enum xenpv_violation code, uint32_t a, uint32_t b)
{
	(*count)++;
	xenpv_viol_set(viol, code, a, b);
}

#define xennet_txq_violation(txq, code, a, b) \
	xennet_violation(&(txq)->viol, &(txq)->stats.violations, code, a, b)
#define xennet_rxq_violation(rxq, code, a, b) \
	xennet_violation(&(rxq)->viol, &(rxq)->stats.violations, code, a, b)

/*
 * Kick the backend on a ring it asked a kick for, at most once per
 * notify_gap_us (xenpv_kick; hostile review D8: a backend keeping its
 * req_event one ahead would make every burst pay a notify).
 */
#define xennet_kick(q) do {						\
	if (unlikely(xenpv_kick(&(q)->kick, &(q)->stats.kicks,		\
				&(q)->stats.kicks_held) < 0))		\
		(q)->stats.kick_errors++;				\
} while (0)

/*
 * Transmit
 */

void
xennet_txq_init_slots(struct xennet_txq *txq)
{
	uint32_t n = RING_SIZE(&txq->ring);
	uint32_t i;

	for (i = 0; i < n; i++) {
		txq->slots[i].page = xennet_page(&txq->pages, i);
		txq->slots[i].gref = txq->pages.refs[i];
		txq->slots[i].ref = NULL;
		txq->slots[i].held = NULL;
		txq->slots[i].next_free = (uint16_t)(i + 1);
		txq->slots[i].in_flight = 0;
		txq->slots[i].extras = 0;
		txq->slots[i].ctl = 0;
	}
	txq->free_head = 0;
	txq->nr_free = n;
	txq->nulls_due = 0;
	xenpv_viol_clear(&txq->viol);
}

/*
 * tx_zero_copy, at teardown (guards closed, the backend gone or going):
 * drop the page references of the requests it never answered. Each page
 * goes back to its pool once nothing else holds it; a pool the connection
 * has let go of is never posted again (xennet_zc.c), so a page is not
 * reused while a backend of the old connection might still read it. The
 * one exception is a backend restart: the next connection, to the same
 * backend domain, posts the queue's own pool again if no page of it is
 * out (xennet_zc_pool_reuse); that domain was granted those pages all
 * along, as it is the ring and data pages it finds again (review D1).
 */
void
xennet_txq_drop_refs(struct xennet_txq *txq)
{
	uint32_t n = RING_SIZE(&txq->ring);
	uint32_t i;

	if (txq->slots == NULL || txq->ring.sring == NULL)
		return;
	for (i = 0; i < n; i++) {
		struct xennet_tx_slot *slot = &txq->slots[i];

		if (slot->ref != NULL) {
			xennet_zc_page_drop(slot->ref);
			slot->ref = NULL;
		}
		/*
		 * tx_pool: the segment goes back to its pool (or to the
		 * application, if it holds it too). Its page stays granted,
		 * read-only, for the pool's life: a backend of the old
		 * connection still reading it sees what the application
		 * writes there next, which that domain could read anyway.
		 */
		if (slot->held != NULL) {
			rte_pktmbuf_free_seg(slot->held);
			slot->held = NULL;
		}
	}
}

/*
 * Take the backend's TX responses and free the ids they answer. Every
 * request slot gets exactly one response: a data slot's carries its id, an
 * extra-info slot's is NETIF_RSP_NULL (and its id field is meaningless, as
 * Linux netback leaves it). Backends (Linux, FreeBSD, ours) answer a
 * packet's extras after its first slot's id, so a NULL is accepted only
 * for the extras of an id already answered: a NULL standing in for a data
 * slot would leak that id, and TX would stall silently once ids run out.
 * Returns false on a protocol violation.
 */
static bool
xennet_tx_reclaim(struct xennet_txq *txq)
{
	netif_tx_front_ring_t *r = &txq->ring;
	RING_IDX cons = r->rsp_cons;
	RING_IDX prod;
	netif_tx_response_t rsp;
	struct xennet_tx_slot *slot;

	/* the backend cannot answer more than we asked */
	if (unlikely(!xenpv_front_rsp_prod(r, &prod))) {
		xennet_txq_violation(txq, XENPV_VIOL_TX_RSP_OVERFLOW,
				     prod - cons, r->req_prod_pvt - cons);
		return false;
	}
	for (; cons != prod; cons++) {
		RING_COPY_RESPONSE(r, cons, &rsp);
		switch (rsp.status) {
		case NETIF_RSP_NULL:
			if (unlikely(txq->nulls_due == 0)) {
				xennet_txq_violation(txq,
					XENPV_VIOL_TX_BAD_NULL, cons, 0);
				return false;
			}
			txq->nulls_due--;
			continue;
		case NETIF_RSP_OKAY:
		case NETIF_RSP_ERROR:
		case NETIF_RSP_DROPPED:
			break;
		default:
			xennet_txq_violation(txq, XENPV_VIOL_TX_BAD_STATUS,
					     rsp.id, (uint16_t)rsp.status);
			return false;
		}
		if (unlikely(rsp.id >= RING_SIZE(r))) {
			xennet_txq_violation(txq, XENPV_VIOL_TX_BAD_ID,
					     rsp.id, RING_SIZE(r));
			return false;
		}
		slot = &txq->slots[rsp.id];
		if (unlikely(!slot->in_flight)) {
			xennet_txq_violation(txq, XENPV_VIOL_TX_STALE_ID,
					     rsp.id, cons);
			return false;
		}
		if (unlikely(slot->ctl != 0)) {
			/* a multicast request: its status is the control path's */
			slot->ctl = XENNET_TX_CTL_ANSWERED;
			slot->ctl_status = rsp.status;
		} else if (rsp.status == NETIF_RSP_ERROR) {
			txq->stats.rsp_error++;
		} else if (rsp.status == NETIF_RSP_DROPPED) {
			txq->stats.rsp_dropped++;
		}
		/*
		 * tx_zero_copy: the backend is done with the page it read by
		 * reference. Once per request: a second answer for the id
		 * stopped above (not in flight).
		 */
		if (slot->ref != NULL) {
			xennet_zc_page_drop(slot->ref);
			slot->ref = NULL;
		}
		/* tx_pool: likewise the pool segment it read (once, as above) */
		if (slot->held != NULL) {
			rte_pktmbuf_free_seg(slot->held);
			slot->held = NULL;
		}
		slot->in_flight = 0;
		txq->nulls_due += slot->extras;
		slot->next_free = txq->free_head;
		txq->free_head = rsp.id;
		txq->nr_free++;
	}
	r->rsp_cons = cons;
	return true;
}

/* A chain whose segment lengths add up to pkt_len (what the copy trusts). */
static bool
xennet_tx_chain_ok(const struct rte_mbuf *m)
{
	const struct rte_mbuf *seg;
	uint32_t len = 0;
	uint16_t nb = 0;

	for (seg = m; seg != NULL; seg = seg->next) {
		len += seg->data_len;
		if (++nb > m->nb_segs)
			return false;
	}
	return nb == m->nb_segs && len == m->pkt_len;
}

/*
 * What DPDK leaves to the device and Linux netback does not do, patched
 * in our copy of the headers (the first page holds them, checked by the
 * caller), as net_xenback does on its side and virtio in its PMD:
 *  - TSO: DPDK's TCP pseudo-header sum leaves the L4 length out, Linux's
 *    partial checksum of a GSO packet counts it; without the rewrite every
 *    segment dom0 cuts carries a wrong checksum;
 *  - RTE_MBUF_F_TX_IP_CKSUM: the IPv4 header checksum, which the
 *    application leaves 0 and Linux trusts.
 */
static void
xennet_tx_fix_headers(uint8_t *page, const struct rte_mbuf *m, uint32_t len)
{
	uint8_t *l3 = page + m->l2_len;
	uint16_t c;

	if (m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) {
		c = xenpv_pseudo_cksum(l3,
				       (m->ol_flags & RTE_MBUF_F_TX_IPV6) != 0,
				       len - m->l2_len - m->l3_len,
				       IPPROTO_TCP);
		memcpy(l3 + m->l3_len + offsetof(struct rte_tcp_hdr, cksum),
		       &c, sizeof(c));
	}
	if (m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM) {
		c = xenpv_ipv4_hdr_cksum(l3, m->l3_len);
		memcpy(l3 + offsetof(struct rte_ipv4_hdr, hdr_checksum), &c,
		       sizeof(c));
	}
}

enum xennet_tx_result {
	XENNET_TX_QUEUED,	/* copied: the caller frees the mbuf */
	XENNET_TX_DROPPED,	/* refused and counted: the caller frees it */
	XENNET_TX_FULL,		/* no room: mbuf untouched, stop the burst */
};

/* Take a free id for one request of the application's packet. */
static inline uint16_t
xennet_tx_take_id(struct xennet_txq *txq)
{
	uint16_t id = txq->free_head;
	struct xennet_tx_slot *slot = &txq->slots[id];

	txq->free_head = slot->next_free;
	txq->nr_free--;
	slot->in_flight = 1;
	slot->extras = 0;
	slot->ctl = 0;
	return id;
}

/*
 * tx_zero_copy=1 (doc/xennet.rst, "Zero-copy transmit"): a segment whose
 * data lies in a zero-copy RX page (xennet_zc.c) granted to the backend
 * domain of this ring goes out by reference: its request names the page's
 * existing grant and the data's offset in it, and the request's id holds a
 * reference on the page until the backend answers it
 * (struct xennet_tx_slot). The mbuf itself is freed at the end of the
 * burst as in the copy path: the page is all the backend reads, and its
 * reference count (in our memory) is what keeps it from being posted to an
 * RX ring again or its grant revoked. The other segments' bytes are copied
 * into the ring's own pages as usual, so a frame received with
 * rx_zero_copy=1 goes back out with its copied headers in one page and the
 * rest by reference. The page was granted writable (the backend filled
 * it); the backend only reads it here, and a backend domain that can write
 * a page can read it: nothing is shown to it that it did not have.
 */

/*
 * tx_pool=N (doc/xennet.rst, "Granted TX pool", xennet_txpool.c): a
 * segment of the port's granted TX pool goes out by reference the same
 * way, naming the grant of the pool page its data lies in, with or
 * without tx_zero_copy. Its id holds the segment itself (an mbuf
 * reference, struct xennet_tx_slot's held) until the backend answers it:
 * the application may free the packet as soon as the burst returns, and
 * the mbuf goes back to the pool only when the backend is done reading.
 */

/* The longest chain considered for sending by reference. */
#define XENNET_TX_ZC_MAX_SEGS	32
/*
 * A page that already has this many references (clones, TX rings) is
 * copied instead: its 16-bit reference count must not wrap.
 */
#define XENNET_TX_ZC_MAX_REFS	0x4000

/*
 * How a packet goes out with tx_zero_copy: per segment of its chain, the
 * page it is sent from by reference (NULL: copied), and what that makes.
 */
struct xennet_tx_zc_plan {
	struct xennet_zc_page *pg[XENNET_TX_ZC_MAX_SEGS];
	/* tx_pool: segment k goes from a pool page, whose grant is pool_gref */
	bool by_pool[XENNET_TX_ZC_MAX_SEGS];
	grant_ref_t pool_gref[XENNET_TX_ZC_MAX_SEGS];
	uint16_t nb_segs;
	uint16_t slots;		/* data slots */
	uint16_t nref;		/* data slots sent by reference (both kinds) */
	uint16_t npool;		/* ... of them from the granted TX pool */
	uint16_t pool;		/* segments of the granted TX pool */
	uint16_t ext;		/* other segments with an external buffer */
	uint32_t prefix;	/* bytes before the first one by reference */
};

/*
 * tx_pool: the grant of the pool page segment @seg's data lies in (*@gref)
 * and the data's offset there; false if it is not in one page of the pool
 * (then it is copied). The mbuf is one of the pool's (its mempool), its
 * data within its own 2048-byte room, and that room within the pool's
 * pages: checked, not trusted, so that nothing but the pool's own pages
 * is ever named.
 */
static inline bool
xennet_tx_pool_gref(const struct xennet_tx_pool *tp,
		    const struct rte_mbuf *seg, grant_ref_t *gref,
		    uint16_t *offset)
{
	uintptr_t data = (uintptr_t)seg->buf_addr + seg->data_off;
	uint32_t c;

	if (unlikely((uint32_t)seg->data_off + seg->data_len > seg->buf_len ||
		     seg->buf_len > XENNET_TX_POOL_BUF))
		return false;
	for (c = 0; c < tp->pages.nr_chunks; c++) {
		uintptr_t start = (uintptr_t)tp->pages.chunk[c];
		uintptr_t off = data - start;
		uint32_t pg;

		if (data < start || off >= (uintptr_t)xennet_chunk_pages(
				&tp->pages, c) * XENPV_PAGE_SIZE)
			continue;
		/* the room does not cross a page, its data neither */
		if ((off & (XENPV_PAGE_SIZE - 1)) + seg->data_len >
		    XENPV_PAGE_SIZE)
			return false;
		pg = c * XENNET_SHARE_CHUNK + (uint32_t)(off >> XENPV_PAGE_SHIFT);
		*offset = (uint16_t)(off & (XENPV_PAGE_SIZE - 1));
		*gref = tp->pages.refs[pg];
		return true;
	}
	return false;
}

/* tx_pool: the pool's segments of a chain not planned (copied whole). */
static uint16_t
xennet_tx_pool_segs(const struct xennet_txq *txq, const struct rte_mbuf *m)
{
	const struct rte_mbuf *seg;
	uint16_t n = 0, k = 0;

	/* at most nb_segs: the copy path checks the chain itself */
	for (seg = m; seg != NULL && k < m->nb_segs; seg = seg->next, k++)
		n += seg->pool == txq->txpool_mp;
	return n;
}

/*
 * Plan @m: a segment with data in a zero-copy page granted to this ring's
 * backend domain, or in a page of the port's granted TX pool, goes by
 * reference in a slot of its own; consecutive bytes of the other segments
 * are packed into the ring's pages, one page per slot. Segments with any
 * of the first @hl bytes (headers the driver patches in its copy) are
 * copied. Nothing is taken or written. False for a chain not to send by
 * reference: too long, or lengths that do not add up (the copy path
 * checks and counts that).
 */
static bool
xennet_tx_zc_plan(const struct xennet_txq *txq, const struct rte_mbuf *m,
		  uint32_t hl, struct xennet_tx_zc_plan *p)
{
	const struct rte_mbuf *seg;
	uint32_t fill = XENPV_PAGE_SIZE;	/* no copy slot open */
	uint32_t total = 0;
	uint16_t k = 0;

	p->slots = 0;
	p->nref = 0;
	p->npool = 0;
	p->pool = 0;
	p->ext = 0;
	p->prefix = 0;
	for (seg = m; seg != NULL; seg = seg->next, k++) {
		struct xennet_zc_page *pg;
		uint32_t left = seg->data_len;

		if (unlikely(k == XENNET_TX_ZC_MAX_SEGS))
			return false;
		p->pg[k] = NULL;
		p->by_pool[k] = false;
		total += left;
		if (left == 0)
			continue;
		/*
		 * the pool's whatever its flags say: an application that sets
		 * ol_flags outright (rte_pktmbuf_copy into the pool does, for
		 * the head) clears RTE_MBUF_F_EXTERNAL; the mempool and the
		 * data's address decide
		 */
		if (seg->pool == txq->txpool_mp && txq->txpool_mp != NULL) {
			uint16_t off;
			grant_ref_t g;

			p->pool++;
			if (total - left < hl ||
			    rte_mbuf_refcnt_read(seg) >= XENNET_TX_ZC_MAX_REFS)
				goto copy;
			if (!xennet_tx_pool_gref(txq->txpool, seg, &g, &off))
				goto copy;
			p->by_pool[k] = true;
			p->pool_gref[k] = g;
			p->npool++;
			goto by_ref;
		}
		if (!RTE_MBUF_HAS_EXTBUF(seg) || txq->zc_free_cb == NULL)
			goto copy;
		p->ext++;
		if (total - left < hl)
			goto copy;
		pg = xennet_zc_page_of(seg, txq->zc_free_cb);
		if (pg == NULL || pg->pool->domid != txq->be_domid ||
		    (txq->zc_only != NULL && pg->pool != txq->zc_only) ||
		    rte_mbuf_ext_refcnt_read(&pg->shinfo) >=
			    XENNET_TX_ZC_MAX_REFS)
			goto copy;
		p->pg[k] = pg;
by_ref:
		if (p->nref++ == 0)
			p->prefix = total - left;
		p->slots++;
		fill = XENPV_PAGE_SIZE;
		continue;
copy:
		while (left > 0) {
			uint32_t c;

			if (fill == XENPV_PAGE_SIZE) {
				p->slots++;
				fill = 0;
			}
			c = RTE_MIN(left, XENPV_PAGE_SIZE - fill);
			fill += c;
			left -= c;
		}
	}
	p->nb_segs = k;
	return k == m->nb_segs && total == m->pkt_len;
}

/*
 * Queue a planned packet (slots <= XENPV_NETIF_MAX_SLOTS, checked by the
 * caller with what the backend takes): the requests are built here, then
 * written into the ring in order, the GSO extra (@gso, if any) after the
 * first. Returns the copied page of the first slot (the headers), NULL if
 * the first slot is by reference.
 */
static uint8_t *
xennet_tx_zc_queue(struct xennet_txq *txq, const struct rte_mbuf *m,
		   const struct xennet_tx_zc_plan *p, uint16_t flags,
		   const struct netif_extra_info *gso, RING_IDX *prodp)
{
	netif_tx_front_ring_t *r = &txq->ring;
	netif_tx_request_t rq[XENPV_NETIF_MAX_SLOTS];
	const struct rte_mbuf *seg = m;
	uint8_t *dst = NULL, *first_page = NULL;
	uint32_t fill = XENPV_PAGE_SIZE;
	RING_IDX prod = *prodp;
	uint16_t k, d = 0, id;

	for (k = 0; k < p->nb_segs; k++, seg = seg->next) {
		const uint8_t *src = rte_pktmbuf_mtod(seg, const uint8_t *);
		uint32_t left = seg->data_len;
		struct xennet_zc_page *pg = p->pg[k];

		if (p->by_pool[k]) {
			id = xennet_tx_take_id(txq);
			/* held until the backend answers id (reclaim) */
			rte_mbuf_refcnt_update((struct rte_mbuf *)(uintptr_t)seg,
					       1);
			txq->slots[id].held = (struct rte_mbuf *)(uintptr_t)seg;
			rq[d].gref = p->pool_gref[k];
			rq[d].offset = (uint16_t)(((uintptr_t)src) &
						  (XENPV_PAGE_SIZE - 1));
			rq[d].size = (uint16_t)left;
			rq[d].id = id;
			d++;
			fill = XENPV_PAGE_SIZE;
			continue;
		}
		if (pg != NULL) {
			id = xennet_tx_take_id(txq);
			/* held until the backend answers id (reclaim) */
			xennet_zc_page_hold(pg);
			txq->slots[id].ref = pg;
			rq[d].gref = pg->gref;
			rq[d].offset = seg->data_off;
			rq[d].size = (uint16_t)left;
			rq[d].id = id;
			d++;
			fill = XENPV_PAGE_SIZE;
			continue;
		}
		while (left > 0) {
			uint32_t c;

			if (fill == XENPV_PAGE_SIZE) {
				id = xennet_tx_take_id(txq);
				dst = txq->slots[id].page;
				if (d == 0)
					first_page = dst;
				rq[d].gref = txq->slots[id].gref;
				rq[d].offset = 0;
				rq[d].size = 0;
				rq[d].id = id;
				d++;
				fill = 0;
			}
			c = RTE_MIN(left, XENPV_PAGE_SIZE - fill);
			xenpv_copy(dst + fill, src, c);
			src += c;
			fill += c;
			left -= c;
			rq[d - 1].size = (uint16_t)(rq[d - 1].size + c);
		}
	}
	RTE_ASSERT(d == p->slots);
	/* the first slot's size is the packet's */
	rq[0].size = (uint16_t)m->pkt_len;
	for (k = 0; k < d; k++) {
		rq[k].flags = (k == 0 ? flags : 0) |
			(k + 1 < d ? NETTXF_more_data : 0);
		memcpy(RING_GET_REQUEST(r, prod), &rq[k], sizeof(rq[k]));
		prod++;
		if (k == 0 && gso != NULL) {
			memcpy(RING_GET_REQUEST(r, prod), gso, sizeof(*gso));
			prod++;
			txq->slots[rq[0].id].extras = 1;
			txq->stats.gso++;
		}
	}
	txq->stats.zc_segments += p->nref - p->npool;
	txq->stats.zc_fallback += p->ext - (p->nref - p->npool);
	txq->stats.pool_segments += p->npool;
	txq->stats.pool_fallback += p->pool - p->npool;
	*prodp = prod;
	return first_page;
}

/*
 * Queue one packet: its first slot (whole length, offload flags), the GSO
 * extra right after it if any, then the rest of its data, one page per
 * slot. Requests go at *prodp, which the caller publishes once per burst.
 */
static enum xennet_tx_result
xennet_tx_one(struct xennet_txq *txq, struct rte_mbuf *m, RING_IDX *prodp)
{
	netif_tx_front_ring_t *r = &txq->ring;
	const uint32_t len = m->pkt_len;
	const uint64_t ol = m->ol_flags;
	const struct rte_mbuf *seg;
	struct xenpv_netif_tx_ol o = { .gso_size = 0 };
	const uint8_t *src;
	uint8_t *first_page = NULL;
	uint32_t nr_data, need, d, left, seg_left, hl = 0;
	uint8_t gso_type = XEN_NETIF_GSO_TYPE_NONE;
	uint16_t flags = 0, ext = 0, pool = 0;
	RING_IDX prod = *prodp;

	if (unlikely(len < XENPV_NETIF_MIN_FRAME ||
		     len > XENPV_NETIF_MAX_FRAME)) {
		txq->stats.drop_len++;
		goto drop;
	}
	nr_data = (len + XENPV_PAGE_SIZE - 1) >> XENPV_PAGE_SHIFT;
	if (unlikely(nr_data > 1 && !txq->sg)) {
		txq->stats.drop_nosg++;
		goto drop;
	}

	/*
	 * The netif mapping (xenpv_netif.h) against what the backend takes.
	 * As with DPDK's L4 offload, a blank checksum field holds the
	 * pseudo-header sum; the backend completes it. TSO's sum differs
	 * (xennet_tx_fix_headers).
	 */
	if (ol & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_L4_MASK)) {
		if (xenpv_netif_tx_offload(m, &txq->caps, &o) != XENPV_OL_OK)
			goto drop_offload;
		gso_type = o.gso_type;
		flags = xenpv_netif_csum_to(o.csum, XENPV_NETIF_TX_CSUM);
		if (gso_type != XEN_NETIF_GSO_TYPE_NONE)
			flags |= NETTXF_extra_info;
	}

	/*
	 * Headers we patch in our copy (the application's mbuf stays as it
	 * is): they must be described and fit the first page.
	 */
	if (ol & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IP_CKSUM)) {
		hl = (uint32_t)m->l2_len + m->l3_len +
			((ol & RTE_MBUF_F_TX_TCP_SEG) ? m->l4_len : 0);

		if (unlikely(m->l2_len == 0 || m->l3_len < 20 ||
			     hl > RTE_MIN(len, (uint32_t)XENPV_PAGE_SIZE) ||
			     ((ol & RTE_MBUF_F_TX_TCP_SEG) &&
			      m->l4_len < sizeof(struct rte_tcp_hdr)) ||
			     ((ol & RTE_MBUF_F_TX_IP_CKSUM) &&
			      ((ol & RTE_MBUF_F_TX_IPV6) ||
			       m->l3_len > 60))))
			goto drop_offload;
		/*
		 * A TSO packet whose payload fits one segment goes without
		 * the GSO extra, as a checksum offload (csum_blank): Linux's
		 * software segmentation (tcp_gso_segment) drops a GSO packet
		 * that is not longer than its gso_size, so dom0 would drop
		 * it wherever it cannot hand it on whole (a bridge port or
		 * a vif without TSO). An application may mark every TCP
		 * packet of a TSO flow so, a SYN or a bare ACK as well. The
		 * header fix-up stays: for one segment, the pseudo-header
		 * sum with the L4 length is what a checksum offload wants.
		 */
		if (gso_type != XEN_NETIF_GSO_TYPE_NONE &&
		    len - hl <= o.gso_size) {
			gso_type = XEN_NETIF_GSO_TYPE_NONE;
			flags &= ~NETTXF_extra_info;
		}
	}

	/*
	 * tx_zero_copy, tx_pool: by reference if some segment can go so,
	 * within the slots the backend takes, with the headers we patch in
	 * the copied first slot. Otherwise the copy below (and its checks).
	 */
	if (txq->zc_free_cb != NULL || txq->txpool_mp != NULL) {
		struct xennet_tx_zc_plan p;
		struct netif_extra_info ex;
		bool gso = gso_type != XEN_NETIF_GSO_TYPE_NONE;

		if (xennet_tx_zc_plan(txq, m, hl, &p)) {
			ext = p.ext;
			pool = p.pool;
			if (p.nref > 0 && p.slots <= XENPV_NETIF_MAX_SLOTS &&
			    (p.slots == 1 || txq->sg) &&
			    (hl == 0 || p.prefix >= hl)) {
				if (unlikely((uint32_t)p.slots + gso > RING_SIZE(r) -
					     (prod - r->rsp_cons) ||
					     p.slots > txq->nr_free))
					return XENNET_TX_FULL;
				if (gso)
					xenpv_netif_extra_gso(&ex, o.gso_size,
							      gso_type, false);
				first_page = xennet_tx_zc_queue(txq, m, &p,
						flags, gso ? &ex : NULL, prodp);
				if (hl != 0)
					xennet_tx_fix_headers(first_page, m,
							      len);
				goto queued;
			}
		} else if (txq->txpool_mp != NULL) {
			/* too long a chain: its pool segments are copied */
			pool = xennet_tx_pool_segs(txq, m);
		}
	}

	need = nr_data + (gso_type != XEN_NETIF_GSO_TYPE_NONE);
	if (unlikely(need > RING_SIZE(r) - (prod - r->rsp_cons) ||
		     nr_data > txq->nr_free))
		return XENNET_TX_FULL;
	/* a single segment must hold it all: the copy trusts pkt_len */
	if (unlikely(m->nb_segs > 1 || m->next != NULL ||
		     m->data_len != len) &&
	    unlikely(!xennet_tx_chain_ok(m))) {
		txq->stats.drop_malformed++;
		goto drop;
	}

	seg = m;
	src = rte_pktmbuf_mtod(seg, const uint8_t *);
	seg_left = seg->data_len;
	left = len;
	for (d = 0; d < nr_data; d++) {
		uint16_t id = txq->free_head;
		struct xennet_tx_slot *slot = &txq->slots[id];
		uint32_t chunk = RTE_MIN(left, XENPV_PAGE_SIZE);
		uint32_t todo = chunk;
		uint8_t *dst = slot->page;
		netif_tx_request_t *req;

		if (d == 0)
			first_page = slot->page;
		txq->free_head = slot->next_free;
		txq->nr_free--;
		slot->in_flight = 1;
		slot->extras = 0;
		slot->ctl = 0;

		/* gather the chunk from the chain (lengths were checked) */
		while (todo > 0) {
			while (seg_left == 0) {
				seg = seg->next;
				src = rte_pktmbuf_mtod(seg, const uint8_t *);
				seg_left = seg->data_len;
			}
			xennet_copy_step(&dst, &src, &todo, &seg_left);
		}

		req = RING_GET_REQUEST(r, prod);
		prod++;
		req->gref = slot->gref;
		req->offset = 0;
		req->id = id;
		/* the first slot's size is the packet's */
		req->size = (uint16_t)(d == 0 ? len : chunk);
		req->flags = (d == 0 ? flags : 0) |
			(d + 1 < nr_data ? NETTXF_more_data : 0);

		if (d == 0 && gso_type != XEN_NETIF_GSO_TYPE_NONE) {
			struct netif_extra_info ex;

			xenpv_netif_extra_gso(&ex, o.gso_size, gso_type,
					      false);
			memcpy(RING_GET_REQUEST(r, prod), &ex, sizeof(ex));
			prod++;
			slot->extras = 1;
			txq->stats.gso++;
		}
		left -= chunk;
	}
	if (ol & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IP_CKSUM))
		xennet_tx_fix_headers(first_page, m, len);
	*prodp = prod;
	/* tx_zero_copy, tx_pool: segments that could have gone by reference */
	txq->stats.zc_fallback += ext;
	txq->stats.pool_fallback += pool;
queued:
	txq->stats.packets++;
	txq->stats.bytes += len;
	return XENNET_TX_QUEUED;

drop_offload:
	txq->stats.drop_offload++;
drop:
	return XENNET_TX_DROPPED;
}

/* One TX ring (inside the caller's guard, and its lock if shared). */
static uint16_t
xennet_tx_ring_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct xennet_txq *txq = queue;
	netif_tx_front_ring_t *r = &txq->ring;
	RING_IDX prod;
	uint16_t n = 0;
	int notify;

	if (unlikely(xenpv_viol_is_set(&txq->viol)) ||
	    unlikely(!xennet_tx_reclaim(txq)))
		return 0;
	xenpv_kick_flush(&txq->kick, false, &txq->stats.kicks);

	prod = r->req_prod_pvt;
	for (n = 0; n < nb_pkts; n++) {
		if (xennet_tx_one(txq, pkts[n], &prod) == XENNET_TX_FULL) {
			txq->stats.ring_full++;
			break;
		}
	}
	if (prod != r->req_prod_pvt) {
		r->req_prod_pvt = prod;
		/* release fence, req_prod, full fence, req_event check */
		xenpv_front_push(r, notify);
		if (notify)
			xennet_kick(txq);
	}
	/*
	 * Every packet taken was copied into our granted pages, sent by
	 * reference to pages whose ids now hold them (tx_zero_copy), or
	 * dropped: free them in one go (one mempool put for the burst, not
	 * one per packet).
	 */
	rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

/*
 * A multicast-control request (netif.h: a dummy TX request, size 0, its
 * flags NETTXF_extra_info, then one MCAST_ADD or MCAST_DEL extra), posted
 * by the control path on a ring no burst can enter (xennet_mcast.c closes
 * the guards of every TX queue that sends on it). Takes the backend's
 * answers first, as a burst does. Returns 0 with the request's id in
 * *@idp, -EAGAIN if the ring has no room yet, -EPROTO if the backend broke
 * the ring (recorded for the control thread as a burst records it).
 */
int
xennet_tx_ctl_post(struct xennet_txq *txq, uint8_t type,
		   const struct rte_ether_addr *addr, uint16_t *idp)
{
	netif_tx_front_ring_t *r = &txq->ring;
	struct netif_extra_info ex;
	struct xennet_tx_slot *slot;
	netif_tx_request_t *req;
	RING_IDX prod = r->req_prod_pvt;
	uint16_t id;
	int notify;

	if (xenpv_viol_is_set(&txq->viol) || !xennet_tx_reclaim(txq))
		return -EPROTO;
	if (RING_SIZE(r) - (prod - r->rsp_cons) < 2 || txq->nr_free == 0)
		return -EAGAIN;
	id = txq->free_head;
	slot = &txq->slots[id];
	txq->free_head = slot->next_free;
	txq->nr_free--;
	slot->in_flight = 1;
	slot->extras = 1;
	slot->ctl = XENNET_TX_CTL_POSTED;
	slot->ctl_status = NETIF_RSP_NULL;

	/* the id's page is granted: a backend may map it, nothing is read */
	req = RING_GET_REQUEST(r, prod);
	req->gref = slot->gref;
	req->offset = 0;
	req->size = 0;
	req->id = id;
	req->flags = NETTXF_extra_info;
	prod++;
	xenpv_netif_extra_init(&ex, type, false);
	memcpy(ex.u.mcast.addr, addr->addr_bytes, RTE_ETHER_ADDR_LEN);
	memcpy(RING_GET_REQUEST(r, prod), &ex, sizeof(ex));
	prod++;
	r->req_prod_pvt = prod;
	xenpv_front_push(r, notify);
	if (notify)
		xennet_kick(txq);
	*idp = id;
	return 0;
}

/*
 * The answer to the control path's request @id (same ring, same rules):
 * 1 with the backend's status in *@status, 0 if not answered yet, -EPROTO
 * if the backend broke the ring.
 */
int
xennet_tx_ctl_poll(struct xennet_txq *txq, uint16_t id, int16_t *status)
{
	struct xennet_tx_slot *slot = &txq->slots[id];

	if (xenpv_viol_is_set(&txq->viol) || !xennet_tx_reclaim(txq))
		return -EPROTO;
	/* a kick the gap held back (xenpv_kick) */
	xenpv_kick_flush(&txq->kick, false, &txq->stats.kicks);
	if (slot->ctl != XENNET_TX_CTL_ANSWERED)
		return 0;
	*status = slot->ctl_status;
	slot->ctl = 0;
	return 1;
}

/* Ethdev TX queue i: the TX ring of netif queue i mod n (xenpv.h). */
XENPV_TX_BURST_DEFINE(xennet_tx_burst, struct xennet_txq,
		      xennet_tx_ring_burst, stats.link_down)

/*
 * Receive
 */

/*
 * rx_zero_copy: a free page of the pool, from the burst's stack, which is
 * refilled from the pages the application gave back. UINT32_MAX if none.
 */
static inline uint32_t
xennet_zc_take(struct xennet_zc_pool *pool)
{
	if (pool->nr_stack == 0) {
		void *idx[64];
		unsigned int k, got;

		got = rte_ring_sc_dequeue_burst(pool->returned, idx,
						RTE_DIM(idx), NULL);
		for (k = 0; k < got; k++)
			pool->stack[pool->nr_stack++] =
				(uint32_t)(uintptr_t)idx[k];
		if (got == 0)
			return UINT32_MAX;
	}
	return pool->stack[--pool->nr_stack];
}

/* rx_zero_copy: a page that stays with us goes back on the stack. */
static inline void
xennet_zc_keep(struct xennet_zc_pool *pool, uint32_t idx)
{
	pool->stack[pool->nr_stack++] = idx;
}

/*
 * Post requests up to a full ring. Slot p & mask always carries id
 * p & mask; in copy mode always with the slot's own page, with
 * rx_zero_copy with any free page of the pool. A pool with no free page
 * (the application holds them) makes the ring run with fewer requests:
 * counted, never waited for.
 */
static void
xennet_rx_refill(struct xennet_rxq *rxq)
{
	netif_rx_front_ring_t *r = &rxq->ring;
	const RING_IDX end = r->rsp_cons + RING_SIZE(r);
	const uint32_t mask = RING_SIZE(r) - 1;
	struct xennet_zc_pool *pool = rxq->zc;

	for (; r->req_prod_pvt != end; r->req_prod_pvt++) {
		RING_IDX p = r->req_prod_pvt;
		struct xennet_rx_slot *slot = &rxq->slots[p & mask];
		netif_rx_request_t *req = RING_GET_REQUEST(r, p);

		if (pool != NULL) {
			uint32_t idx = xennet_zc_take(pool);

			if (unlikely(idx == UINT32_MAX)) {
				rxq->stats.zc_refill_short++;
				break;
			}
			slot->zc_page = idx;
			slot->page = pool->page[idx].addr;
			slot->gref = pool->page[idx].gref;
		}
		req->id = (uint16_t)(p & mask);
		req->pad = 0;
		req->gref = slot->gref;
	}
}

void
xennet_rxq_post_all(struct xennet_rxq *rxq)
{
	netif_rx_front_ring_t *r = &rxq->ring;
	uint32_t n = RING_SIZE(r);
	uint32_t i;

	if (rxq->zc == NULL)
		for (i = 0; i < n; i++) {
			rxq->slots[i].page = xennet_page(&rxq->pages, i);
			rxq->slots[i].gref = rxq->pages.refs[i];
		}
	r->req_prod_pvt = 0;
	r->rsp_cons = 0;
	xennet_rx_refill(rxq);
	rxq->cur.stage = XENNET_RX_STAGE_NONE;
	/* the backend is not connected yet: it reads this at connect */
	RING_PUSH_REQUESTS(r);
	xenpv_viol_clear(&rxq->viol);
}

enum xennet_rx_parse_result {
	XENNET_RX_COMPLETE,
	XENNET_RX_INCOMPLETE,	/* the rest is not produced yet */
	XENNET_RX_VIOLATION,
};

/* Check one data response against the slot it came in. */
static inline bool
xennet_rx_data_slot(struct xennet_rxq *rxq, struct xennet_rx_pkt *pkt,
		    RING_IDX idx, const netif_rx_response_t *rsp)
{
	uint32_t slot = idx & (RING_SIZE(&rxq->ring) - 1);

	if (unlikely(rsp->id != slot)) {
		xennet_rxq_violation(rxq, XENPV_VIOL_RX_BAD_ID, slot,
				     rsp->id);
		return false;
	}
	if (rsp->status < 0) {
		/* NETIF_RSP_ERROR or _DROPPED: drop the whole packet */
		pkt->error = true;
	} else {
		if (unlikely(rsp->offset >= XENPV_PAGE_SIZE ||
			     rsp->offset + (uint32_t)rsp->status >
				     XENPV_PAGE_SIZE)) {
			xennet_rxq_violation(rxq, XENPV_VIOL_RX_BAD_BOUNDS,
					     rsp->offset, (uint32_t)rsp->status);
			return false;
		}
		if (pkt->nr_data < XENNET_RX_MAX_SLOTS) {
			pkt->seg[pkt->nr_data].slot = (uint16_t)slot;
			pkt->seg[pkt->nr_data].offset = rsp->offset;
			pkt->seg[pkt->nr_data].len = (uint16_t)rsp->status;
		}
		pkt->len += (uint32_t)rsp->status;
	}
	pkt->nr_data++;
	return true;
}

/*
 * Walk the packet that starts at @cons: the first response, its extra-info
 * slots, then the responses NETRXF_more_data chains. Nothing is consumed.
 * A packet whose slots are not all produced yet is resumed where its walk
 * stopped (rxq->cur), not walked again from its first slot: a backend that
 * keeps a chain one slot short of the ring would otherwise make every
 * burst read up to 4095 slots for nothing.
 */
static enum xennet_rx_parse_result
xennet_rx_parse(struct xennet_rxq *rxq, RING_IDX cons, RING_IDX prod)
{
	netif_rx_front_ring_t *r = &rxq->ring;
	struct xennet_rx_cursor *c = &rxq->cur;
	struct xennet_rx_pkt *pkt = &c->pkt;
	netif_rx_response_t rsp, raw;
	struct netif_extra_info ex;
	enum xenpv_netif_extra_result xr;

	if (c->stage == XENNET_RX_STAGE_NONE || c->start != cons) {
		c->start = cons;
		c->idx = cons;
		c->stage = XENNET_RX_STAGE_FIRST;
	}
	switch (c->stage) {
	case XENNET_RX_STAGE_FIRST:
		pkt->len = 0;
		pkt->nr_data = 0;
		pkt->gso_size = 0;
		pkt->error = false;
		pkt->has_hash = false;
		RING_COPY_RESPONSE(r, c->idx, &rsp);
		rxq->stats.slots_read++;
		c->idx++;
		pkt->flags = rsp.flags;
		c->last_flags = rsp.flags;
		if (!xennet_rx_data_slot(rxq, pkt, cons, &rsp))
			goto violation;
		if (!(rsp.flags & NETRXF_extra_info)) {
			c->stage = XENNET_RX_STAGE_DATA;
			goto data;
		}
		/* the extra-info codec (xenpv_netif.h) checks each slot */
		xenpv_netif_extras_init(&c->x);
		c->stage = XENNET_RX_STAGE_EXTRAS;
		/* fall through */
	case XENNET_RX_STAGE_EXTRAS:
		do {
			if (c->idx == prod)
				return XENNET_RX_INCOMPLETE;
			/* the extra overlays the response in the next slot */
			RING_COPY_RESPONSE(r, c->idx, &raw);
			rxq->stats.slots_read++;
			memcpy(&ex, &raw, sizeof(ex));
			c->idx++;
			xr = xenpv_netif_extra_take(&c->x, &ex);
			if (unlikely(xr > XENPV_EXTRA_MORE))
				goto bad_extra;
		} while (xr == XENPV_EXTRA_MORE);
		/* a HASH extra: the backend's Toeplitz value (multicast: ignored) */
		pkt->gso_size = c->x.gso_size;
		pkt->has_hash = c->x.hash;
		pkt->hash = c->x.hash_value;
		c->stage = XENNET_RX_STAGE_DATA;
		/* fall through */
	case XENNET_RX_STAGE_DATA:
data:
		while (c->last_flags & NETRXF_more_data) {
			if (c->idx == prod)
				return XENNET_RX_INCOMPLETE;
			RING_COPY_RESPONSE(r, c->idx, &rsp);
			rxq->stats.slots_read++;
			if (!xennet_rx_data_slot(rxq, pkt, c->idx, &rsp))
				goto violation;
			c->idx++;
			c->last_flags = rsp.flags;
		}
		pkt->end = c->idx;
		c->stage = XENNET_RX_STAGE_DONE;
		/* fall through */
	default:
		/* complete: parsed already (a burst ran out of mbufs) */
		return XENNET_RX_COMPLETE;
	}

bad_extra:
	xennet_rxq_violation(rxq, XENPV_VIOL_RX_BAD_EXTRA, c->idx - 1,
			     (uint32_t)ex.type << 8 | ex.flags);
violation:
	c->stage = XENNET_RX_STAGE_NONE;
	return XENNET_RX_VIOLATION;
}

/*
 * What the response and its extras say of a packet, on its head mbuf: the
 * netif flags as mbuf flags (xenpv_netif.h), the GSO size, the RSS hash of
 * a HASH extra. Copy and zero-copy delivery alike.
 */
static inline void
xennet_rx_flags(struct xennet_rxq *rxq, const struct xennet_rx_pkt *pkt,
		struct rte_mbuf *head)
{
	if (pkt->gso_size != 0)
		rxq->stats.gso++;
	head->ol_flags = xenpv_netif_rx_ol_flags(head,
			xenpv_netif_csum_from(pkt->flags, XENPV_NETIF_RX_CSUM),
			pkt->gso_size);
	if (pkt->has_hash) {
		head->hash.rss = pkt->hash;
		head->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
	}
}

/*
 * Copy a parsed packet into mbufs (a chain if it does not fit one and the
 * queue may scatter). NULL with *dropped false: no mbuf, try again later;
 * with *dropped true: the packet cannot be delivered, drop it.
 */
static struct rte_mbuf *
xennet_rx_copy(struct xennet_rxq *rxq, const struct xennet_rx_pkt *pkt,
	       bool *dropped)
{
	struct rte_mbuf *head, *cur, *next;
	uint32_t room, i;
	uint8_t *dst;

	*dropped = false;
	if (unlikely(!xenpv_stash_take(&rxq->stash, rxq->mp, &head, 1))) {
		rxq->stats.nombuf++;
		return NULL;
	}
	room = rte_pktmbuf_tailroom(head);
	if (unlikely(pkt->len > room && !rxq->scatter)) {
		rte_pktmbuf_free(head);
		rxq->stats.drop_noscatter++;
		*dropped = true;
		return NULL;
	}

	cur = head;
	dst = rte_pktmbuf_mtod(cur, uint8_t *);
	for (i = 0; i < pkt->nr_data; i++) {
		const uint8_t *src = rxq->slots[pkt->seg[i].slot].page +
			pkt->seg[i].offset;
		uint32_t left = pkt->seg[i].len;

		while (left > 0) {
			if (room == 0) {
				if (unlikely(!xenpv_stash_take(&rxq->stash,
							rxq->mp, &next, 1))) {
					rte_pktmbuf_free(head);
					rxq->stats.nombuf++;
					return NULL;
				}
				cur->next = next;
				cur = next;
				head->nb_segs++;
				dst = rte_pktmbuf_mtod(cur, uint8_t *);
				room = rte_pktmbuf_tailroom(cur);
			}
			cur->data_len += (uint16_t)xennet_copy_step(&dst, &src,
								    &left, &room);
		}
	}
	head->pkt_len = pkt->len;
	head->port = rxq->port_id;

	xennet_rx_flags(rxq, pkt, head);
	return head;
}

/*
 * rx_zero_copy: deliver a parsed packet without copying its payload. The
 * first XENNET_ZC_HEAD bytes (the headers) are copied into the head mbuf's
 * own data room, so that what the application parses cannot change after
 * delivery, whatever the backend writes into its pages later; every slot
 * with bytes left after that is attached, from there on, as the external
 * buffer of one more mbuf of the chain. Pages left with nothing to deliver
 * go back to the pool at once. Return values as xennet_rx_copy's; on
 * NULL, no page has been given away.
 */
static struct rte_mbuf *
xennet_rx_zc(struct xennet_rxq *rxq, const struct xennet_rx_pkt *pkt,
	     bool *dropped)
{
	struct xennet_zc_pool *pool = rxq->zc;
	struct rte_mbuf *m[XENNET_RX_MAX_SLOTS + 1];
	struct rte_mbuf *head, *tail;
	uint32_t head_len, room, i, nb = 1, attached = 0, k;
	uint8_t *dst;

	*dropped = false;
	/*
	 * How many mbufs: the head (with at most its data room copied), then
	 * each slot that ends past the head.
	 */
	room = rte_pktmbuf_data_room_size(rxq->mp) - RTE_PKTMBUF_HEADROOM;
	head_len = RTE_MIN(pkt->len, XENNET_ZC_HEAD);
	head_len = RTE_MIN(head_len, room);
	for (i = 0, k = 0; i < pkt->nr_data; i++) {
		k += pkt->seg[i].len;
		if (k > head_len)
			nb++;
	}
	if (unlikely(!xenpv_stash_take(&rxq->stash, rxq->mp, m, nb))) {
		rxq->stats.nombuf++;
		return NULL;
	}
	head = m[0];
	if (unlikely(pkt->len > head_len && !rxq->scatter)) {
		/* dev_start refuses this; a queue set up later may not */
		rte_pktmbuf_free_bulk(m, nb);
		rxq->stats.drop_noscatter++;
		*dropped = true;
		return NULL;
	}

	dst = rte_pktmbuf_mtod(head, uint8_t *);
	head->data_len = (uint16_t)head_len;
	tail = head;
	nb = 1;
	for (i = 0; i < pkt->nr_data; i++) {
		struct xennet_rx_slot *slot = &rxq->slots[pkt->seg[i].slot];
		uint32_t off = pkt->seg[i].offset, len = pkt->seg[i].len;
		struct xennet_zc_page *pg = &pool->page[slot->zc_page];
		struct rte_mbuf *seg;

		/* the headers: copied, never attached */
		if (head_len > 0) {
			k = RTE_MIN(head_len, len);
			xenpv_copy(dst, slot->page + off, k);
			dst += k;
			head_len -= k;
			off += k;
			len -= k;
		}
		if (len == 0)
			continue;	/* xennet_rx_zc_keep_pkt keeps it */
		seg = m[nb++];
		slot->zc_page = UINT32_MAX;	/* given away */
		rte_mbuf_ext_refcnt_set(&pg->shinfo, 1);
		rte_pktmbuf_attach_extbuf(seg, pg->addr, pg->iova,
					  XENPV_PAGE_SIZE, &pg->shinfo);
		seg->data_off = (uint16_t)off;
		seg->data_len = (uint16_t)len;
		tail->next = seg;
		tail = seg;
		attached++;
	}
	head->nb_segs = (uint16_t)nb;
	head->pkt_len = pkt->len;
	head->port = rxq->port_id;
	if (attached > 0) {
		/* each page out with the application holds the pool */
		__atomic_add_fetch(&pool->refs, attached, __ATOMIC_RELAXED);
		rxq->stats.zc_packets++;
	}

	xennet_rx_flags(rxq, pkt, head);
	return head;
}

/*
 * rx_zero_copy: once a packet's slots [@from, @to) are consumed, every page
 * posted there that was not attached to an mbuf stays with us: those of a
 * dropped packet, of its extra-info slots (posted like any request, they
 * carry no data), and of slots whose bytes all went into the head.
 */
static void
xennet_rx_zc_keep_pkt(struct xennet_rxq *rxq, RING_IDX from, RING_IDX to)
{
	const uint32_t mask = RING_SIZE(&rxq->ring) - 1;
	RING_IDX i;

	for (i = from; i != to; i++) {
		uint32_t idx = rxq->slots[i & mask].zc_page;

		if (idx != UINT32_MAX)
			xennet_zc_keep(rxq->zc, idx);
	}
}

/*
 * Before a burst's walk, for its first packets (one slot each, as most
 * are): its mbuf stash begun, and the data the backend wrote prefetched,
 * each line a miss from the backend's core, the misses overlapped instead
 * of met one packet at a time. The offsets read here are hints only (a
 * prefetch cannot fault, and is kept within the slot's page); the walk
 * reads and checks each response again.
 */
static inline void
xennet_rx_prepare(struct xennet_rxq *rxq, RING_IDX cons, RING_IDX prod,
		  uint16_t nb_pkts)
{
	netif_rx_front_ring_t *r = &rxq->ring;
	const uint32_t mask = RING_SIZE(r) - 1;
	unsigned int n = RTE_MIN((unsigned int)nb_pkts, prod - cons);
	unsigned int i;

	xenpv_stash_begin(&rxq->stash, n);
	n = RTE_MIN(n, (unsigned int)XENPV_MBUF_STASH);
	for (i = 0; i < n; i++) {
		RING_IDX idx = cons + i;
		uint16_t off = __atomic_load_n(&RING_GET_RESPONSE(r, idx)->offset,
					       __ATOMIC_RELAXED);

		rte_prefetch0(rxq->slots[idx & mask].page +
			      (off & (XENPV_PAGE_SIZE - 1)));
	}
}

uint16_t
xennet_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct xennet_rxq *rxq = queue;
	netif_rx_front_ring_t *r = &rxq->ring;
	const struct xennet_rx_pkt *pkt = &rxq->cur.pkt;
	RING_IDX cons, prod, posted;
	uint16_t n = 0;
	int notify;

	/* the application set the link down (xennet_ops.c) */
	if (unlikely(__atomic_load_n(&rxq->link_down, __ATOMIC_RELAXED)))
		return 0;
	if (unlikely(!xenpv_dp_enter(&rxq->guard)))
		return 0;
	if (unlikely(xenpv_viol_is_set(&rxq->viol)))
		goto out;
	/* kicks owed on this netif queue's rings, once their gap is over */
	xenpv_kick_flush(&rxq->kick, false, &rxq->stats.kicks);
	if (rxq->tx != NULL)
		xenpv_kick_flush(&rxq->tx->kick, false, &rxq->tx->stats.kicks);

	cons = r->rsp_cons;
	posted = r->req_prod_pvt - cons;
	/* responses only ever come for buffers we posted */
	if (unlikely(!xenpv_front_rsp_prod(r, &prod))) {
		xennet_rxq_violation(rxq, XENPV_VIOL_RX_RSP_OVERFLOW,
				     prod - cons, posted);
		goto out;
	}

	if (cons != prod)
		xennet_rx_prepare(rxq, cons, prod, nb_pkts);
	while (n < nb_pkts && cons != prod) {
		enum xennet_rx_parse_result pr;
		struct rte_mbuf *m;
		bool dropped;

		pr = xennet_rx_parse(rxq, cons, prod);
		if (pr == XENNET_RX_VIOLATION)
			goto out;
		if (pr == XENNET_RX_INCOMPLETE) {
			/*
			 * Every slot of the ring holds one unfinished packet.
			 * (A ring rx_zero_copy left short may still get the
			 * requests that finish it.)
			 */
			if (unlikely(prod - cons == RING_SIZE(r))) {
				xennet_rxq_violation(rxq,
					XENPV_VIOL_RX_STUCK, posted, 0);
				goto out;
			}
			break;
		}
		if (unlikely(pkt->error)) {
			rxq->stats.rsp_error++;
		} else if (unlikely(pkt->nr_data > XENNET_RX_MAX_SLOTS)) {
			rxq->stats.drop_slots++;
		} else if (unlikely(pkt->len == 0)) {
			rxq->stats.drop_empty++;
		} else if (unlikely(pkt->len > rxq->max_len)) {
			rxq->stats.drop_len++;
		} else if (unlikely((pkt->gso_size != 0 && !rxq->gso) ||
				    ((pkt->flags & NETRXF_csum_blank) &&
				     !rxq->csum))) {
			/*
			 * An offload we did not negotiate: the application
			 * would get LRO frames or partial checksums it never
			 * enabled (and forward them with a bad checksum).
			 */
			rxq->stats.drop_offload++;
		} else {
			m = rxq->zc != NULL ?
				xennet_rx_zc(rxq, pkt, &dropped) :
				xennet_rx_copy(rxq, pkt, &dropped);
			if (m == NULL && !dropped)
				break;	/* out of mbufs: leave it in the ring */
			if (m != NULL) {
				pkts[n++] = m;
				rxq->stats.packets++;
				rxq->stats.bytes += pkt->len;
			}
		}
		if (rxq->zc != NULL)
			xennet_rx_zc_keep_pkt(rxq, cons, pkt->end);
		cons = pkt->end;
	}

	/*
	 * Post the consumed slots again: the request for index i + size goes
	 * in the slot i just freed, with the same id (and in copy mode the
	 * same page). With rx_zero_copy, a ring left short by pages the
	 * application held is topped up here too, as they come back.
	 */
	prod = r->req_prod_pvt;
	r->rsp_cons = cons;
	xennet_rx_refill(rxq);
	if (r->req_prod_pvt == prod)
		goto out;	/* nothing new posted */
	/*
	 * The release fence in the macro also orders our reads of the data
	 * pages before the backend can see (and refill) the reposted slots.
	 */
	xenpv_front_push(r, notify);
	if (notify)
		xennet_kick(rxq);
out:
	xenpv_stash_end(&rxq->stash);
	xenpv_dp_exit(&rxq->guard);
	return n;
}
