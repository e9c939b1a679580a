/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * net_xenback data path, guest TX: what the guest sends, delivered by
 * rx_burst (an ethdev RX queue consumes the guest's TX ring).
 *
 * A burst copies each request out of the shared ring before looking at it,
 * validates the packet's slots and extras, plans a grant copy from the
 * guest's pages into freshly allocated mbufs, runs one
 * xengnttab_grant_copy() for the whole burst, then answers every request
 * (one response per request, extra-info slots included) and publishes the
 * responses once. With persistent grants (xenback_pgnt.c) the same plan is
 * carried out with memcpy through the ring's mappings instead, and with
 * rx_zero_copy (xenback_zc.c) a packet longer than XENBACK_ZC_HEAD has only
 * its head copied: the rest of its mapped pages is attached to the chain,
 * and its requests are answered by the first burst after the application
 * freed it.
 *
 * It never blocks, logs, or makes a system call other than the grant copy
 * and, when the ring asks for it, an event-channel kick. Everything the
 * guest wrote is hostile: a violation that leaves the ring unusable sets
 * the ring's violation record and the control path closes the vif.
 */

#include <stddef.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_ring.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include <ethdev_driver.h>

#include "xenback_dp.h"

/* A guest TX packet planned during an rx burst. */
struct xenback_rx_plan {
	struct rte_mbuf *m;	/* head of the chain receiving the data */
	RING_IDX first;		/* ring index of its first request */
	uint32_t seg0;		/* its grant-copy segments: [seg0, +nseg) */
	uint32_t nseg;
	uint16_t txflags;	/* NETTXF_* of the first request */
	uint16_t gso_size;	/* 0: not a GSO packet */
	uint8_t nextra;		/* extra-info slots after the first */
	uint8_t ndata;		/* data slots */
	uint8_t gso_type;
	/*
	 * rx_zero_copy: the held record of a packet delivered by reference
	 * (its head copied, the rest attached), answered when its mbufs are
	 * freed; NULL: copied, answered by this burst
	 */
	struct xenback_zc_held *held;
};

/* ---------------------------------------------------------------------
 * rx_burst: the guest's TX ring
 * ---------------------------------------------------------------------
 */

/*
 * Write the answers of one guest TX packet at the ring's private producer,
 * one per request in ring order: @first_id's, NETIF_RSP_NULL for its
 * @nextra extra-info slots, then its further data slots', whose ids are
 * @ndata - 1 uint16_t @stride bytes apart from @more on (the copies of its
 * requests, or a held packet's record: never the shared slots, which the
 * answers overwrite).
 */
static void
xenback_rx_answer(netif_tx_back_ring_t *ring, uint16_t first_id,
		  const uint16_t *more, size_t stride, unsigned int nextra,
		  unsigned int ndata, int16_t status)
{
	netif_tx_response_t *rsp;
	unsigned int i;

	rsp = RING_GET_RESPONSE(ring, ring->rsp_prod_pvt++);
	rsp->id = first_id;
	rsp->status = status;
	for (i = 0; i < nextra; i++)
		RING_GET_RESPONSE(ring, ring->rsp_prod_pvt++)->status =
			NETIF_RSP_NULL;
	for (i = 0; i + 1 < ndata; i++) {
		rsp = RING_GET_RESPONSE(ring, ring->rsp_prod_pvt++);
		rsp->id = *(const uint16_t *)((const char *)more + i * stride);
		rsp->status = status;
	}
}

/* Answer a packet whose requests the burst copied to rxq->reqs (from @base). */
static void
xenback_rx_respond(struct xenback_rxq *rxq, RING_IDX base, RING_IDX first,
		   unsigned int nextra, unsigned int ndata, int16_t status)
{
	const netif_tx_request_t *r = &rxq->reqs[first - base];

	xenback_rx_answer(&rxq->ring, r->id, ndata > 1 ? &r[1 + nextra].id :
			  NULL, sizeof(*r), nextra, ndata, status);
}

/*
 * rx_zero_copy: plan the packet @p (validated, its requests in rxq->reqs)
 * by reference: one grant-copy segment for its first XENBACK_ZC_HEAD bytes
 * into the head mbuf, and a held record naming the rest of its pages (the
 * pieces), which xenback_rx_zc_attach attaches to the chain's other mbufs
 * once the head is copied. Returns XB_PKT_OK or XB_PKT_STOP (no room for
 * the segment, no mbufs); the caller checked that a record is free.
 */
static enum xenback_pkt_verdict
xenback_rx_plan_zc(struct xenback_rxq *rxq, RING_IDX base,
		   const netif_tx_request_t *first, uint32_t first_len,
		   struct xenback_rx_plan *p, unsigned int *nsegp)
{
	struct xenback_zc *zc = rxq->zc;
	struct xenback_zc_held *h = &zc->held[zc->free_head];
	struct rte_mbuf *mbufs[XENBACK_TX_MAX_SLOTS + 1];
	const netif_tx_request_t *req;
	xengnttab_grant_copy_segment_t *seg;
	uint32_t head = RTE_MIN(first_len, (uint32_t)XENBACK_ZC_HEAD);
	unsigned int k, n = 0;

	if (*nsegp + 1 > rxq->nb_segs_max)
		return XB_PKT_STOP;
	h->nextra = p->nextra;
	h->ndata = p->ndata;
	h->id[0] = first->id;
	if (first_len > head) {
		h->ref[n] = first->gref;
		h->off[n] = (uint16_t)(first->offset + head);
		h->len[n] = (uint16_t)(first_len - head);
		n++;
	}
	for (k = 1; k < p->ndata; k++) {
		req = &rxq->reqs[p->first + p->nextra + k - base];
		h->id[k] = req->id;
		if (req->size == 0)
			continue;
		h->ref[n] = req->gref;
		h->off[n] = req->offset;
		h->len[n] = req->size;
		n++;
	}
	h->npiece = (uint8_t)n;
	if (unlikely(!xenpv_stash_take(&rxq->stash, rxq->mp, mbufs, 1 + n))) {
		rxq->st.nombuf++;
		return XB_PKT_STOP;
	}
	for (k = 0; k < n; k++)
		mbufs[k]->next = mbufs[k + 1];
	p->m = mbufs[0];
	p->m->nb_segs = (uint16_t)(1 + n);
	p->m->pkt_len = first->size;
	p->m->data_len = (uint16_t)head;

	seg = &rxq->segs[*nsegp];
	seg->source.foreign.ref = first->gref;
	seg->source.foreign.offset = first->offset;
	seg->source.foreign.domid = rxq->fe_domid;
	seg->dest.virt = rte_pktmbuf_mtod(p->m, char *);
	seg->len = (uint16_t)head;
	seg->flags = GNTCOPY_source_gref;
	seg->status = GNTST_okay;
	p->seg0 = *nsegp;
	p->nseg = 1;
	(*nsegp)++;

	/* the record and the slots are the packet's until its answer */
	zc->free_head = h->next_free;
	zc->nr_free--;
	zc->slots_free -= 1u + h->nextra + (h->ndata - 1u);
	p->held = h;
	return XB_PKT_OK;
}

/* A held record back to the burst's free list (its packet answered). */
static inline void
xenback_rx_zc_release(struct xenback_zc *zc, struct xenback_zc_held *h)
{
	h->next_free = zc->free_head;
	zc->free_head = h->idx;
	zc->nr_free++;
	zc->slots_free += 1u + h->nextra + (h->ndata - 1u);
}

/*
 * rx_zero_copy: attach the pieces of the held packet @p (its head copied)
 * to the chain's mbufs after the head. false, attaching nothing, if a piece's
 * page cannot be mapped (the ring's violation, recorded by the lookup).
 * The mappings are the ring's persistent grants, which stay while the
 * context does, and the context stays while a held packet does.
 */
static bool
xenback_rx_zc_attach(struct xenback_rxq *rxq, struct xenback_rx_plan *p)
{
	struct xenback_zc *zc = rxq->zc;
	struct xenback_zc_held *h = p->held;
	uint8_t *va[XENBACK_TX_MAX_SLOTS];
	struct rte_mbuf *mi;
	unsigned int k;

	for (k = 0; k < h->npiece; k++) {
		va[k] = xenback_pgnt_page(zc->pgnt, h->ref[k], &rxq->viol,
					  &rxq->st.pgnt_maps);
		if (unlikely(va[k] == NULL))
			return false;
	}
	rxq->st.pgnt_mapped = zc->pgnt->n;
	/* the last of the pieces' mbufs freed calls xenback_zc_free_cb */
	rte_mbuf_ext_refcnt_set(&h->shinfo, h->npiece);
	__atomic_fetch_add(&zc->refs, 1, __ATOMIC_RELAXED);
	for (k = 0, mi = p->m->next; k < h->npiece; k++, mi = mi->next) {
		/*
		 * No IOVA: the page is the guest's, mapped into this process
		 * only; no device can DMA from it (doc/xenback.rst).
		 */
		rte_pktmbuf_attach_extbuf(mi, va[k] + h->off[k], RTE_BAD_IOVA,
					  h->len[k], &h->shinfo);
		mi->data_len = h->len[k];
	}
	return true;
}

/*
 * rx_zero_copy: answer the held packets whose mbufs the application has
 * freed since the last burst (the done ring): the first request's id, the
 * extras' NETIF_RSP_NULL, the further data slots' ids, in ring order, as
 * xenback_rx_respond answers a copied packet. Returns how many.
 */
static unsigned int
xenback_rx_zc_answer(struct xenback_rxq *rxq)
{
	struct xenback_zc *zc = rxq->zc;
	netif_tx_back_ring_t *ring = &rxq->ring;
	void *done[XENBACK_BURST_MAX];
	struct xenback_zc_held *h;
	unsigned int n, i;

	n = rte_ring_sc_dequeue_burst(zc->done, done, RTE_DIM(done), NULL);
	for (i = 0; i < n; i++) {
		h = &zc->held[(uintptr_t)done[i]];
		xenback_rx_answer(ring, h->id[0], &h->id[1], sizeof(h->id[0]),
				  h->nextra, h->ndata, h->status);
		xenback_rx_zc_release(zc, h);
	}
	return n;
}

/*
 * Parse the guest TX packet at @cons, validate it, and plan its copy into
 * an mbuf chain. Returns XB_PKT_OK (plan filled, *nsegp advanced),
 * XB_PKT_DROPPED (the packet's slots are answered; *usedp slots used) or
 * XB_PKT_STOP (incomplete packet, no mbufs, or a fatal violation).
 */
static enum xenback_pkt_verdict
xenback_rx_parse(struct xenback_rxq *rxq, RING_IDX base, RING_IDX cons,
		 RING_IDX prod, struct xenback_rx_plan *p, unsigned int *nsegp,
		 unsigned int *usedp)
{
	netif_tx_back_ring_t *ring = &rxq->ring;
	netif_tx_request_t *reqs = rxq->reqs;
	netif_tx_request_t *first = &reqs[cons - base];
	netif_tx_request_t *req;
	struct rte_mbuf *mbufs[XENPV_NETIF_MAX_FRAME / XENBACK_MIN_RX_BUFSIZE + 1];
	struct rte_mbuf *m;
	netif_extra_info_t ex;
	struct xenpv_netif_extras x;
	enum xenpv_netif_extra_result xr;
	xengnttab_grant_copy_segment_t *seg;
	unsigned int nextra = 0, ndata = 1, nmb, k, nseg;
	uint32_t rest = 0, first_len, len, off, moff;
	uint64_t *drop = NULL;
	int16_t status = NETIF_RSP_ERROR;
	RING_IDX idx = cons;
	bool more, mcast = false, zc_fallback;

	RING_COPY_REQUEST(ring, idx, first);
	idx++;
	/* the vif's rate: a packet beyond the credit waits in the ring */
	if (unlikely(rxq->credit.bytes != 0) &&
	    first->size > rxq->credit.remaining) {
		rxq->st.rate_held++;
		return XB_PKT_STOP;
	}
	p->gso_size = 0;

	/* extra-info slots follow the first request (xenpv_netif.h) */
	more = (first->flags & NETTXF_extra_info) != 0;
	xenpv_netif_extras_init(&x);
	while (more) {
		if (idx == prod)
			return XB_PKT_STOP;	/* not all posted yet */
		req = &reqs[idx - base];
		RING_COPY_REQUEST(ring, idx, req);
		memcpy(&ex, req, sizeof(ex));
		idx++;
		xr = xenpv_netif_extra_take(&x, &ex);
		if (xr > XENPV_EXTRA_MORE) {
			xenpv_viol_set(&rxq->viol,
				       xr == XENPV_EXTRA_BAD_GSO ?
				       XENPV_VIOL_REQ_GSO : XENPV_VIOL_REQ_EXTRA,
				       ex.type, ex.flags);
			return XB_PKT_STOP;
		}
		more = xr == XENPV_EXTRA_MORE;
	}
	/* a HASH extra is a hint we have no use for (no RSS offload) */
	nextra = x.nr;
	p->gso_size = x.gso_size;
	p->gso_type = x.gso_type;
	mcast = x.mcast;

	/* then the packet's further data slots */
	more = (first->flags & NETTXF_more_data) != 0;
	while (more) {
		if (idx == prod)
			return XB_PKT_STOP;
		if (ndata == XENBACK_TX_FATAL_SLOTS) {
			xenpv_viol_set(&rxq->viol, XENPV_VIOL_REQ_SLOTS, ndata,
				       XENBACK_TX_FATAL_SLOTS);
			return XB_PKT_STOP;
		}
		req = &reqs[idx - base];
		RING_COPY_REQUEST(ring, idx, req);
		idx++;
		ndata++;
		if ((uint32_t)req->offset + req->size > XENPV_PAGE_SIZE) {
			xenpv_viol_set(&rxq->viol, XENPV_VIOL_REQ_CROSS_PAGE,
				       req->offset, req->size);
			return XB_PKT_STOP;
		}
		rest += req->size;
		more = (req->flags & NETTXF_more_data) != 0;
	}

	p->first = cons;
	p->nextra = (uint8_t)nextra;
	p->ndata = (uint8_t)ndata;
	p->txflags = first->flags;
	p->held = NULL;
	*usedp = idx - cons;

	/*
	 * A multicast subscription (netif.h: a dummy request carrying the
	 * extra): kept, answered OKAY (ERROR if refused), nothing delivered.
	 */
	if (mcast) {
		status = xenback_mcast_apply(rxq->mcast, &x) ?
			NETIF_RSP_OKAY : NETIF_RSP_ERROR;
		drop = &rxq->st.mcast_ops;
		goto drop;
	}

	/* the first slot's size is the whole packet's */
	if (rest > first->size) {
		drop = &rxq->st.drop_size;
		goto drop;
	}
	first_len = first->size - rest;
	if ((uint32_t)first->offset + first_len > XENPV_PAGE_SIZE) {
		xenpv_viol_set(&rxq->viol, XENPV_VIOL_REQ_CROSS_PAGE,
			       first->offset, first_len);
		return XB_PKT_STOP;
	}
	if (ndata > XENBACK_TX_MAX_SLOTS) {
		drop = &rxq->st.drop_slots;
		goto drop;
	}
	if (first->size < XENPV_NETIF_MIN_FRAME) {
		drop = &rxq->st.drop_size;
		goto drop;
	}
	/* sg off: not advertised, so not allowed */
	if (ndata > 1 && !rxq->sg) {
		drop = &rxq->st.drop_proto;
		goto drop;
	}
	if (p->gso_size != 0 && !rxq->lro) {
		/* our policy, not the guest's fault */
		drop = &rxq->st.drop_gso;
		status = NETIF_RSP_DROPPED;
		goto drop;
	}
	/* the port's MTU, if the application set one (B2) */
	if (p->gso_size == 0 && first->size >
	    __atomic_load_n(&rxq->max_frame, __ATOMIC_RELAXED)) {
		drop = &rxq->st.drop_oversize;
		goto drop;
	}
	nmb = likely(first->size <= rxq->buf_size) ? 1 :
		(first->size + rxq->buf_size - 1) / rxq->buf_size;
	if (nmb > 1 && !rxq->scatter) {
		drop = &rxq->st.drop_too_big;
		status = NETIF_RSP_DROPPED;
		goto drop;
	}
	/*
	 * by reference: more than the head, a chain allowed, a record and
	 * the packet's slots left in the budget of held slots (else copied,
	 * and counted as such once planned)
	 */
	zc_fallback = rxq->zc != NULL && first->size > XENBACK_ZC_HEAD &&
		rxq->scatter;
	if (zc_fallback && rxq->zc->nr_free != 0 &&
	    rxq->zc->slots_free >= *usedp)
		return xenback_rx_plan_zc(rxq, base, first, first_len, p, nsegp);
	/* every data slot and every mbuf boundary may start a segment */
	if (*nsegp + ndata + nmb > rxq->nb_segs_max)
		return XB_PKT_STOP;	/* the next burst takes it */
	if (unlikely(!xenpv_stash_take(&rxq->stash, rxq->mp, mbufs, nmb))) {
		rxq->st.nombuf++;
		return XB_PKT_STOP;
	}
	for (k = 0; k + 1 < nmb; k++)
		mbufs[k]->next = mbufs[k + 1];
	m = mbufs[0];
	m->nb_segs = (uint16_t)nmb;
	m->pkt_len = first->size;
	p->m = m;

	/* plan the copies: slot by slot, splitting at mbuf boundaries */
	nseg = *nsegp;
	p->seg0 = nseg;
	moff = 0;
	for (k = 0; k < ndata; k++) {
		if (k == 0) {
			req = first;
			len = first_len;
		} else {
			req = &reqs[cons + nextra + k - base];
			len = req->size;
		}
		off = req->offset;
		while (len > 0) {
			uint32_t chunk;

			if (moff == rxq->buf_size) {
				m = m->next;
				moff = 0;
			}
			chunk = RTE_MIN(len, rxq->buf_size - moff);
			seg = &rxq->segs[nseg++];
			seg->source.foreign.ref = req->gref;
			seg->source.foreign.offset = (uint16_t)off;
			seg->source.foreign.domid = rxq->fe_domid;
			seg->dest.virt = rte_pktmbuf_mtod_offset(m, char *,
								 moff);
			seg->len = (uint16_t)chunk;
			seg->flags = GNTCOPY_source_gref;
			seg->status = GNTST_okay;
			moff += chunk;
			m->data_len = (uint16_t)moff;
			off += chunk;
			len -= chunk;
		}
	}
	p->nseg = nseg - p->seg0;
	*nsegp = nseg;
	if (zc_fallback)
		rxq->st.zc_fallback++;
	return XB_PKT_OK;

drop:
	(*drop)++;
	if (status == NETIF_RSP_ERROR)
		rxq->st.errors++;
	xenback_rx_respond(rxq, base, cons, nextra, ndata, status);
	return XB_PKT_DROPPED;
}

/*
 * A GSO packet is delivered as LRO only if its headers say what the extra
 * says (B2 of the hostile review; what Linux netback's checksum setup and
 * DPDK's vhost check): TCP over the IP version of the GSO type, every
 * header in the first segment, a segment size of at least
 * XENBACK_GSO_MIN_MSS and some payload. An application turning LRO into
 * TSO then never hands a NIC an impossible request. Fills in packet_type
 * and the header lengths.
 */
static bool
xenback_rx_gso_ok(struct rte_mbuf *m, const struct xenback_rx_plan *p)
{
	struct rte_net_hdr_lens hl;
	uint32_t ptype, hdrs;

	ptype = rte_net_get_ptype(m, &hl, RTE_PTYPE_L2_MASK |
				  RTE_PTYPE_L3_MASK | RTE_PTYPE_L4_MASK);
	if ((ptype & RTE_PTYPE_L4_MASK) != RTE_PTYPE_L4_TCP)
		return false;
	if (p->gso_type == XEN_NETIF_GSO_TYPE_TCPV4 ?
	    !RTE_ETH_IS_IPV4_HDR(ptype) : !RTE_ETH_IS_IPV6_HDR(ptype))
		return false;
	hdrs = hl.l2_len + hl.l3_len + hl.l4_len;
	if (hdrs > m->data_len || hdrs >= m->pkt_len ||
	    p->gso_size < XENBACK_GSO_MIN_MSS)
		return false;
	m->packet_type = ptype;
	m->l2_len = hl.l2_len;
	m->l3_len = hl.l3_len;
	m->l4_len = hl.l4_len;
	return true;
}

/* Turn a planned packet whose data has been copied into a delivered mbuf. */
static bool
xenback_rx_finish(struct xenback_rxq *rxq, struct xenback_rx_plan *p)
{
	struct rte_mbuf *m = p->m;
	enum xenpv_netif_csum csum;
	uint32_t i, failed = 0;

	for (i = 0; i < p->nseg; i++)
		if (rxq->segs[p->seg0 + i].status != GNTST_okay)
			failed++;
	if (unlikely(failed != 0)) {
		rxq->st.copy_errors += failed;
		rxq->st.drop_copy++;
		goto fail_unattached;
	}
	if (p->held != NULL) {
		if (unlikely(!xenback_rx_zc_attach(rxq, p))) {
			/* a violation: the burst answers, the vif closes */
			rxq->st.drop_copy++;
			goto fail_unattached;
		}
		/* from here on, freeing m answers the requests (the burst not) */
		p->held->status = NETIF_RSP_OKAY;
	}
	m->packet_type = RTE_PTYPE_UNKNOWN;
	if (p->gso_size != 0 && unlikely(!xenback_rx_gso_ok(m, p))) {
		rxq->st.drop_bad_gso++;
		rxq->st.errors++;
		if (p->held != NULL)
			p->held->status = NETIF_RSP_ERROR;
		rte_pktmbuf_free(m);
		return false;
	}

	m->port = rxq->port_id;
	/*
	 * A blank checksum goes to an application with checksum offload as
	 * it is (data intact, the field holds the partial sum); without, it
	 * is completed here.
	 */
	csum = xenpv_netif_csum_from(p->txflags, XENPV_NETIF_TX_CSUM);
	if (csum == XENPV_CSUM_BLANK && !rxq->csum_offload) {
		if (xenback_rx_csum_complete(m)) {
			csum = XENPV_CSUM_VALID;
			rxq->st.csum_fixed++;
		} else {
			csum = XENPV_CSUM_UNKNOWN;
			rxq->st.csum_unknown++;
		}
	}
	if (p->gso_size != 0)
		rxq->st.gso++;
	m->ol_flags = xenpv_netif_rx_ol_flags(m, csum, p->gso_size);
	rxq->st.packets++;
	rxq->st.bytes += m->pkt_len;
	if (p->held != NULL)
		rxq->st.zc_packets++;
	return true;

fail_unattached:
	rxq->st.errors++;
	rte_pktmbuf_free(m);
	if (p->held != NULL) {
		/* nothing attached: the record is free, the burst answers */
		xenback_rx_zc_release(rxq->zc, p->held);
		p->held = NULL;
	}
	return false;
}

/*
 * The rate limit's refill (struct xenback_credit): every interval passed
 * since the last adds one interval's bytes, up to the burst.
 */
static inline void
xenback_credit_refill(struct xenback_credit *c)
{
	uint64_t now = rte_get_tsc_cycles(), k;

	if (now < c->next)
		return;
	k = (now - c->next) / c->interval + 1;
	c->remaining = RTE_MIN(c->remaining + k * c->bytes, c->burst);
	c->next += k * c->interval;
}

/* One guest TX ring, up to @nb_pkts packets (inside the caller's guard). */
static uint16_t
xenback_rx_ring_burst(struct xenback_rxq *rxq, struct rte_mbuf **pkts,
		      uint16_t nb_pkts)
{
	netif_tx_back_ring_t *ring = &rxq->ring;
	struct xenback_rx_plan *p;
	unsigned int nplan = 0, nseg = 0, used, i;
	RING_IDX prod, base, cons;
	uint16_t nb_rx = 0;
	unsigned int answered = 0;
	int notify;

	if (unlikely(xenpv_viol_is_set(&rxq->viol)))
		return 0;
	/* kicks owed on this netif queue's two rings, past their gap */
	xenpv_kick_flush(&rxq->kick, false, &rxq->st.notify);
	xenpv_kick_flush(&rxq->peer->kick, false, &rxq->peer->st.notify);
	/* rx_zero_copy: packets the application has freed since */
	if (rxq->zc != NULL)
		answered = xenback_rx_zc_answer(rxq);
	base = ring->req_cons;
	cons = base;

	/*
	 * The guest's producer index, once per burst; acquire: the slots
	 * it covers are read after it. Beyond a ring's length of
	 * unanswered requests it is a lie.
	 */
	if (unlikely(!xenpv_back_req_prod(ring, &prod))) {
		xenpv_viol_set(&rxq->viol, XENPV_VIOL_REQ_PROD, prod,
			       ring->req_cons);
		return 0;
	}
	if (prod == ring->req_cons)
		goto publish;
	if (nb_pkts > XENBACK_BURST_MAX)
		nb_pkts = XENBACK_BURST_MAX;
	if (unlikely(rxq->credit.bytes != 0))
		xenback_credit_refill(&rxq->credit);
	/*
	 * The burst's mbufs in bulk, at most a packet's worth per request
	 * posted (most packets are one slot and fit one mbuf), allocated
	 * when the first packet needs them (not for a burst the rate limit
	 * stops at once); what is left goes back at the end.
	 */
	xenpv_stash_begin(&rxq->stash, RTE_MIN((unsigned int)nb_pkts,
					       prod - cons));

	while (nplan < nb_pkts && cons != prod) {
		enum xenback_pkt_verdict v;

		p = &rxq->plans[nplan];
		v = xenback_rx_parse(rxq, base, cons, prod, p, &nseg, &used);
		if (v == XB_PKT_STOP)
			break;
		/* the credit pays for what the guest sent, delivered or not */
		if (unlikely(rxq->credit.bytes != 0))
			rxq->credit.remaining -= RTE_MIN(rxq->credit.remaining,
				(uint64_t)rxq->reqs[cons - base].size);
		cons += used;
		if (v == XB_PKT_OK)
			nplan++;
	}
	ring->req_cons = cons;
	xenpv_stash_end(&rxq->stash);

	/* the guest's pages: its persistent grants, or one grant copy */
	if (rxq->pgnt != NULL)
		xenback_pgnt_copy(rxq->pgnt, rxq->segs, nseg, false, &rxq->viol,
				  &rxq->st.pgnt_maps, &rxq->st.pgnt_mapped);
	else
		xenback_grant_copy(rxq->xgt, rxq->segs, nseg,
				   &rxq->st.copy_calls);

	for (i = 0; i < nplan; i++) {
		bool ok;

		p = &rxq->plans[i];
		ok = xenback_rx_finish(rxq, p);
		if (ok)
			pkts[nb_rx++] = p->m;
		/* held: answered when the application frees it */
		if (p->held == NULL)
			xenback_rx_respond(rxq, base, p->first, p->nextra,
					   p->ndata, ok ? NETIF_RSP_OKAY :
					   NETIF_RSP_ERROR);
	}

publish:
	if (rxq->zc != NULL)
		rxq->st.zc_held = rxq->zc->nr - rxq->zc->nr_free;
	/*
	 * Publish every response of the burst at once: release fence,
	 * rsp_prod, full fence, then the guest's rsp_event decides whether
	 * it wants a kick (a polling guest never does).
	 */
	if (cons != base || answered != 0) {
		xenpv_back_push(ring, notify);
		if (notify)
			xenpv_kick(&rxq->kick, &rxq->st.notify,
				     &rxq->st.notify_held);
	}
	return nb_rx;
}

/*
 * Ethdev RX queue: the guest TX ring(s) it serves (xenback.h). Normally
 * one, its own; more only when the guest negotiated more netif queues
 * than the port now has RX queues. Each ring has exactly one ethdev RX
 * queue, so no lock. The rings are taken in turn from the one after the
 * ring the last burst started with, so a busy ring cannot starve another.
 */
uint16_t
xenback_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct xenback_rxq *q = queue;
	unsigned int k, nr;
	uint16_t n = 0;

	/* carrier down (xenback_ops.c): the guest's requests wait */
	if (unlikely(__atomic_load_n(&q->link_down, __ATOMIC_RELAXED)))
		return 0;
	if (unlikely(!xenpv_dp_enter(&q->guard)))
		return 0;
	nr = q->nb_serve;
	if (likely(nr == 1)) {
		n = xenback_rx_ring_burst(q->serve[0], pkts, nb_pkts);
	} else {
		for (k = 0; k < nr && n < nb_pkts; k++)
			n += xenback_rx_ring_burst(q->serve[(q->next + k) % nr],
						   pkts + n, nb_pkts - n);
		q->next = (uint8_t)((q->next + 1) % nr);
	}
	xenpv_dp_exit(&q->guard);
	return n;
}

/* ---------------------------------------------------------------------
 * Scratch memory, sized for the ring the frontend gave (control path)
 * ---------------------------------------------------------------------
 */

int
xenback_rxq_alloc_scratch(struct xenback_rxq *rxq, int socket)
{
	unsigned int slots = RING_SIZE(&rxq->ring);

	/* a half-posted packet can never fill the ring (see the header) */
	RTE_BUILD_BUG_ON(XENBACK_TX_PKT_SLOTS_MAX >= XENPV_TX_RING_SIZE(0));
	rxq->nb_segs_max = 2 * slots + 2 * XENBACK_BURST_MAX;
	XENBACK_SCRATCH_ALLOC(rxq->reqs, "xenback_rx_reqs", slots, socket);
	XENBACK_SCRATCH_ALLOC(rxq->plans, "xenback_rx_plans",
			      XENBACK_BURST_MAX, socket);
	XENBACK_SCRATCH_ALLOC(rxq->segs, "xenback_rx_segs", rxq->nb_segs_max,
			      socket);
	if (rxq->reqs == NULL || rxq->plans == NULL || rxq->segs == NULL) {
		xenback_rxq_free_scratch(rxq);
		return -ENOMEM;
	}
	return 0;
}

void
xenback_rxq_free_scratch(struct xenback_rxq *rxq)
{
	XENBACK_SCRATCH_FREE(rxq->reqs);
	XENBACK_SCRATCH_FREE(rxq->plans);
	XENBACK_SCRATCH_FREE(rxq->segs);
}
