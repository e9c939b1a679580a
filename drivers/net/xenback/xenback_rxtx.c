/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * net_xenback data path.
 *
 * rx_burst consumes the guest's TX ring: it copies each request out of the
 * shared ring before looking at it, validates the packet's slots, plans a
 * grant copy from the guest's pages into freshly allocated mbufs, runs one
 * xengnttab_grant_copy() for the whole burst, then answers every request
 * (one response per request, extra-info slots included) and publishes the
 * responses once.
 *
 * tx_burst fills the buffers the guest posted on its RX ring: it lays each
 * mbuf chain out over the guest's pages (packing small segments into one
 * page without splitting a segment that fits the next one whole), runs one
 * grant copy for the burst, and writes each response into the slot of the
 * request it answers (Linux netfront reads responses by slot).
 *
 * Neither burst blocks, logs, or makes a system call other than the grant
 * copy and, when the ring asks for it, an event-channel kick. Everything the
 * guest wrote is hostile: a violation that leaves the ring unusable sets the
 * queue's violation record and the control path closes the vif.
 */

#include <stddef.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include <ethdev_driver.h>

#include "xenback.h"

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
};

/* A packet planned during a tx burst. */
struct xenback_tx_plan {
	RING_IDX first;		/* ring index of its first buffer */
	uint32_t seg0;		/* grant-copy segments: [seg0, +nseg) */
	uint32_t nseg;
	uint32_t len;
	uint16_t flags;		/* NETRXF_csum_blank / data_validated */
	uint16_t gso_size;
	uint8_t gso_type;
	uint8_t nbuf;		/* data buffers (the GSO extra excluded) */
};

enum xenback_pkt_verdict {
	XB_PKT_OK,		/* planned */
	XB_PKT_DROPPED,		/* answered or freed; go on */
	XB_PKT_STOP,		/* cannot go on now: end the burst here */
};

static const char * const xenback_violation_names[XENBACK_VIOL_MAX] = {
	[XENBACK_VIOL_NONE] = "none",
	[XENBACK_VIOL_REQ_PROD] = "request producer index beyond the ring",
	[XENBACK_VIOL_SLOTS] = "packet with far too many slots",
	[XENBACK_VIOL_CROSS_PAGE] = "slot data crossing a page boundary",
	[XENBACK_VIOL_EXTRA] = "unknown or unterminated extra-info slot",
	[XENBACK_VIOL_GSO] = "GSO extra with a bad size or type",
};

const char *
xenback_violation_name(uint32_t v)
{
	if (v >= XENBACK_VIOL_MAX)
		return "unknown";
	return xenback_violation_names[v];
}

/*
 * Unreduced sum of the TCP/UDP pseudo header of the IP header at @l3 with
 * the explicit L4 length @l4len (the IP header's own length fields are not
 * trusted for it).
 */
static uint32_t
xenback_pseudo_sum(const void *l3, bool v6, uint32_t l4len, uint8_t proto)
{
	uint32_t sum;

	if (v6) {
		const struct rte_ipv6_hdr *ip = l3;
		uint32_t w[2] = { rte_cpu_to_be_32(l4len),
				  rte_cpu_to_be_32(proto) };

		sum = rte_raw_cksum(ip->src_addr, 32);
		sum += rte_raw_cksum(w, sizeof(w));
	} else {
		const struct rte_ipv4_hdr *ip = l3;
		uint16_t w[2] = { rte_cpu_to_be_16(proto),
				  rte_cpu_to_be_16((uint16_t)l4len) };

		sum = rte_raw_cksum(&ip->src_addr, 8);
		sum += rte_raw_cksum(w, sizeof(w));
	}
	return sum;
}

/* The pseudo-header sum a partial (offloaded) checksum field holds. */
static uint16_t
xenback_pseudo_cksum(const void *l3, bool v6, uint32_t l4len, uint8_t proto)
{
	return __rte_raw_cksum_reduce(xenback_pseudo_sum(l3, v6, l4len,
							 proto));
}

/*
 * One's-complement checksum of the L4 part of @m, with the checksum field
 * (at @l4off + @csum_off, inside the first segment) counted as zero and the
 * pseudo header built from the addresses of the IP header at @l3 and the
 * explicit L4 length @l4len. Returns the value to store in the field, in
 * packet byte order, or -1 if the mbuf is too short.
 */
static int
xenback_l4_cksum(const struct rte_mbuf *m, const void *l3, bool v6,
		 uint32_t l4off, uint32_t l4len, uint8_t proto,
		 uint32_t csum_off)
{
	uint16_t raw, field;
	uint32_t sum;

	if (l4off + l4len > m->pkt_len || l4off + csum_off + 2 > m->data_len)
		return -1;
	if (rte_raw_cksum_mbuf(m, l4off, l4len, &raw) != 0)
		return -1;
	memcpy(&field, rte_pktmbuf_mtod_offset(m, const char *,
					       l4off + csum_off), 2);
	/* take the field's current content out of the sum */
	sum = (uint32_t)raw + (uint16_t)~field;
	sum += xenback_pseudo_sum(l3, v6, l4len, proto);
	raw = (uint16_t)~__rte_raw_cksum_reduce(sum);
	if (raw == 0 && proto == IPPROTO_UDP)
		raw = 0xffff;
	return raw;
}

/*
 * L4 length from the IP header at @l3off (@l3len bytes of IP header and
 * extension headers), checked against the packet: -1 if inconsistent.
 */
static int64_t
xenback_l4_len(const struct rte_mbuf *m, const void *l3, bool v6,
	       uint32_t l3off, uint32_t l3len)
{
	uint32_t iplen;

	if (v6)
		iplen = sizeof(struct rte_ipv6_hdr) + rte_be_to_cpu_16(
			((const struct rte_ipv6_hdr *)l3)->payload_len);
	else
		iplen = rte_be_to_cpu_16(
			((const struct rte_ipv4_hdr *)l3)->total_length);
	if (iplen < l3len || l3off + iplen > m->pkt_len)
		return -1;
	return iplen - l3len;
}

/*
 * Complete the blank L4 checksum of a packet the guest sent with
 * NETTXF_csum_blank, for an application that did not enable checksum
 * offload. The field holds the pseudo-header sum (partial checksum); the
 * headers are found by parsing, as Linux netback does.
 */
static bool
xenback_rx_csum_complete(struct rte_mbuf *m)
{
	struct rte_net_hdr_lens hl;
	uint32_t ptype, l3off, l4off, csum_off;
	const void *l3;
	int64_t l4len;
	uint8_t proto;
	bool v6;
	int cks;

	ptype = rte_net_get_ptype(m, &hl, RTE_PTYPE_L2_MASK |
				  RTE_PTYPE_L3_MASK | RTE_PTYPE_L4_MASK);
	if (RTE_ETH_IS_IPV4_HDR(ptype))
		v6 = false;
	else if (RTE_ETH_IS_IPV6_HDR(ptype))
		v6 = true;
	else
		return false;
	switch (ptype & RTE_PTYPE_L4_MASK) {
	case RTE_PTYPE_L4_TCP:
		proto = IPPROTO_TCP;
		csum_off = offsetof(struct rte_tcp_hdr, cksum);
		break;
	case RTE_PTYPE_L4_UDP:
		proto = IPPROTO_UDP;
		csum_off = offsetof(struct rte_udp_hdr, dgram_cksum);
		break;
	default:
		return false;
	}
	l3off = hl.l2_len;
	l4off = l3off + hl.l3_len;
	if (l4off + csum_off + 2 > m->data_len)
		return false;
	l3 = rte_pktmbuf_mtod_offset(m, const void *, l3off);
	l4len = xenback_l4_len(m, l3, v6, l3off, hl.l3_len);
	if (l4len < 0)
		return false;
	cks = xenback_l4_cksum(m, l3, v6, l4off, (uint32_t)l4len, proto,
			       csum_off);
	if (cks < 0)
		return false;
	memcpy(rte_pktmbuf_mtod_offset(m, char *, l4off + csum_off), &cks, 2);
	return true;
}

/* ---------------------------------------------------------------------
 * rx_burst: the guest's TX ring
 * ---------------------------------------------------------------------
 */

/*
 * Answer the slots of one guest TX packet: one response per request, the
 * extra-info slots with NETIF_RSP_NULL. The requests were copied to @reqs
 * (indexed from @base) when they were parsed, so the responses may
 * overwrite the shared slots.
 */
static void
xenback_rx_respond(struct xenback_rxq *rxq, RING_IDX base, RING_IDX first,
		   unsigned int nextra, unsigned int ndata, int16_t status)
{
	netif_tx_back_ring_t *ring = &rxq->ring;
	netif_tx_response_t *rsp;
	RING_IDX idx = first;
	unsigned int i;

	for (i = 0; i < 1 + nextra + (ndata - 1); i++, idx++) {
		rsp = RING_GET_RESPONSE(ring, ring->rsp_prod_pvt);
		ring->rsp_prod_pvt++;
		if (i >= 1 && i <= nextra) {
			rsp->status = NETIF_RSP_NULL;
			continue;
		}
		rsp->id = rxq->reqs[idx - base].id;
		rsp->status = status;
	}
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
	bool more, mcast = false;

	RING_COPY_REQUEST(ring, idx, first);
	idx++;
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
				       XENBACK_VIOL_GSO : XENBACK_VIOL_EXTRA,
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
			xenpv_viol_set(&rxq->viol, XENBACK_VIOL_SLOTS, ndata,
				       XENBACK_TX_FATAL_SLOTS);
			return XB_PKT_STOP;
		}
		req = &reqs[idx - base];
		RING_COPY_REQUEST(ring, idx, req);
		idx++;
		ndata++;
		if ((uint32_t)req->offset + req->size > XENPV_PAGE_SIZE) {
			xenpv_viol_set(&rxq->viol, XENBACK_VIOL_CROSS_PAGE,
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
	*usedp = idx - cons;

	/* the first slot's size is the whole packet's */
	if (rest > first->size) {
		drop = &rxq->st.drop_size;
		goto drop;
	}
	first_len = first->size - rest;
	if ((uint32_t)first->offset + first_len > XENPV_PAGE_SIZE) {
		xenpv_viol_set(&rxq->viol, XENBACK_VIOL_CROSS_PAGE,
			       first->offset, first_len);
		return XB_PKT_STOP;
	}
	if (ndata > XENPV_NETIF_MAX_SLOTS) {
		drop = &rxq->st.drop_slots;
		goto drop;
	}
	if (first->size < XENPV_NETIF_MIN_FRAME) {
		drop = &rxq->st.drop_size;
		goto drop;
	}
	/* multicast control and sg off: not advertised, so not allowed */
	if (mcast || (ndata > 1 && !rxq->sg)) {
		drop = &rxq->st.drop_proto;
		goto drop;
	}
	if (p->gso_size != 0 && !rxq->lro) {
		/* our policy, not the guest's fault */
		drop = &rxq->st.drop_gso;
		status = NETIF_RSP_DROPPED;
		goto drop;
	}
	nmb = (first->size + rxq->buf_size - 1) / rxq->buf_size;
	if (nmb > 1 && !rxq->scatter) {
		drop = &rxq->st.drop_too_big;
		status = NETIF_RSP_DROPPED;
		goto drop;
	}
	/* every data slot and every mbuf boundary may start a segment */
	if (*nsegp + ndata + nmb > rxq->nb_segs_max)
		return XB_PKT_STOP;	/* the next burst takes it */
	if (unlikely(rte_pktmbuf_alloc_bulk(rxq->mp, mbufs, nmb) != 0)) {
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
	return XB_PKT_OK;

drop:
	(*drop)++;
	if (status == NETIF_RSP_ERROR)
		rxq->st.errors++;
	xenback_rx_respond(rxq, base, cons, nextra, ndata, status);
	return XB_PKT_DROPPED;
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
		rxq->st.errors++;
		rte_pktmbuf_free(m);
		return false;
	}

	m->port = rxq->port_id;
	/*
	 * A blank checksum goes to an application with checksum offload as
	 * it is (data intact, the field holds the partial sum); without, it
	 * is completed here.
	 */
	csum = xenpv_netif_csum_from_txf(p->txflags);
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
	m->packet_type = RTE_PTYPE_UNKNOWN;
	rxq->st.packets++;
	rxq->st.bytes += m->pkt_len;
	return true;
}

/* Run a burst's grant copies; a failed call fails every segment. */
static void
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
	int notify;

	if (unlikely(xenpv_viol_is_set(&rxq->viol)))
		return 0;

	/*
	 * The guest's producer index, once per burst; acquire: the slots
	 * it covers are read after it. Beyond a ring's length of
	 * unanswered requests it is a lie.
	 */
	prod = xenpv_load_acquire(&ring->sring->req_prod);
	if (unlikely(RING_REQUEST_PROD_OVERFLOW(ring, prod))) {
		xenpv_viol_set(&rxq->viol, XENBACK_VIOL_REQ_PROD, prod,
			       ring->req_cons);
		return 0;
	}
	if (prod == ring->req_cons)
		return 0;
	if (nb_pkts > XENBACK_BURST_MAX)
		nb_pkts = XENBACK_BURST_MAX;

	base = ring->req_cons;
	cons = base;
	while (nplan < nb_pkts && cons != prod) {
		enum xenback_pkt_verdict v;

		p = &rxq->plans[nplan];
		v = xenback_rx_parse(rxq, base, cons, prod, p, &nseg, &used);
		if (v == XB_PKT_STOP)
			break;
		cons += used;
		if (v == XB_PKT_OK)
			nplan++;
	}
	ring->req_cons = cons;

	xenback_grant_copy(rxq->xgt, rxq->segs, nseg, &rxq->st.copy_calls);

	for (i = 0; i < nplan; i++) {
		p = &rxq->plans[i];
		if (xenback_rx_finish(rxq, p)) {
			pkts[nb_rx++] = p->m;
			xenback_rx_respond(rxq, base, p->first, p->nextra,
					   p->ndata, NETIF_RSP_OKAY);
		} else {
			xenback_rx_respond(rxq, base, p->first, p->nextra,
					   p->ndata, NETIF_RSP_ERROR);
		}
	}

	/*
	 * Publish every response of the burst at once: release fence,
	 * rsp_prod, full fence, then the guest's rsp_event decides whether
	 * it wants a kick (a polling guest never does).
	 */
	if (cons != base) {
		RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(ring, notify);
		if (notify) {
			xenevtchn_notify(rxq->xce, rxq->evtchn);
			rxq->st.notify++;
		}
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
 * tx_burst: the guest's RX ring
 * ---------------------------------------------------------------------
 */

/* Where one piece of a packet goes: buffer index and offset in it. */
struct xenback_tx_cursor {
	unsigned int buf;
	uint32_t off;
	bool head;
};

/*
 * Advance the layout cursor for a piece of @size bytes and return how many
 * bytes of it go into the current buffer. The rule (the netback coalescing
 * patch): move to a new buffer when the current one is full, or when the
 * piece would overflow it but fits a buffer whole, the current buffer
 * already holds data, and it is not the packet's first piece - so small
 * segments are packed together, a segment is split only when it is larger
 * than a page, and the first buffer is never left empty. @linear packs
 * every buffer full instead (fewest buffers).
 */
static inline uint32_t
xenback_tx_place(struct xenback_tx_cursor *c, uint32_t size, bool linear)
{
	if (c->off == XENPV_PAGE_SIZE ||
	    (!linear && c->off + size > XENPV_PAGE_SIZE &&
	     size <= XENPV_PAGE_SIZE && c->off != 0 && !c->head)) {
		c->buf++;
		c->off = 0;
	}
	c->head = false;
	return RTE_MIN(size, XENPV_PAGE_SIZE - c->off);
}

/* Buffers and copy pieces a chain needs with a given layout. */
static unsigned int
xenback_tx_count(const struct rte_mbuf *m, bool linear, unsigned int *pieces)
{
	struct xenback_tx_cursor c = { .buf = 0, .off = 0, .head = true };
	unsigned int n = 0;
	uint32_t size, bytes;

	for (; m != NULL; m = m->next) {
		size = m->data_len;
		while (size > 0) {
			bytes = xenback_tx_place(&c, size, linear);
			c.off += bytes;
			size -= bytes;
			n++;
		}
	}
	*pieces = n;
	return c.buf + 1;
}

/* Ring index of data buffer @b of a packet starting at @first. */
static inline RING_IDX
xenback_tx_buf_idx(RING_IDX first, unsigned int b, bool gso)
{
	return b == 0 ? first : first + b + (gso ? 1 : 0);
}

/*
 * Patch @len (1 or 2) bytes at packet offset @at with @src, by finding the
 * copy piece that carried that offset: used to put a checksum computed in
 * software into the guest's buffer after the data copy (segments of one
 * batch are copied in order).
 */
static void
xenback_tx_patch(struct xenback_txq *txq, struct xenback_tx_plan *p,
		 unsigned int ndata_seg, uint32_t at, const uint8_t *src,
		 unsigned int *nsegp)
{
	xengnttab_grant_copy_segment_t *seg, *piece;
	uint32_t pos = 0, i, b;

	for (b = 0; b < 2; b++, at++) {
		pos = 0;
		for (i = 0; i < ndata_seg; i++) {
			piece = &txq->segs[p->seg0 + i];
			if (at < pos + piece->len)
				break;
			pos += piece->len;
		}
		if (i == ndata_seg)
			return;	/* cannot happen: @at is inside the packet */
		seg = &txq->segs[(*nsegp)++];
		*seg = *piece;
		seg->source.virt = (void *)(uintptr_t)(src + b);
		seg->dest.foreign.offset =
			(uint16_t)(piece->dest.foreign.offset + (at - pos));
		seg->len = 1;
		seg->status = GNTST_okay;
		/* both bytes in the same piece: one segment of two */
		if (b == 0 && at + 1 < pos + piece->len) {
			seg->len = 2;
			break;
		}
	}
}

/*
 * Plan one mbuf chain into the guest's posted buffers. Returns XB_PKT_OK,
 * XB_PKT_DROPPED (to be freed, nothing consumed) or XB_PKT_STOP (not enough
 * guest buffers or copy segments now).
 */
static enum xenback_pkt_verdict
xenback_tx_plan(struct xenback_txq *txq, struct rte_mbuf *m, RING_IDX base,
		RING_IDX *idxp, RING_IDX prod, struct xenback_tx_plan *p,
		unsigned int *nsegp, uint16_t *patch)
{
	netif_rx_back_ring_t *ring = &txq->ring;
	struct xenback_tx_cursor c = { .buf = 0, .off = 0, .head = true };
	xengnttab_grant_copy_segment_t *seg;
	const struct rte_mbuf *s;
	uint64_t ol = m->ol_flags;
	uint32_t len = m->pkt_len, size, bytes;
	uint32_t l3off = m->l2_len, l4off = m->l2_len + m->l3_len;
	unsigned int nbuf, pieces, need, k, nseg, ndata_seg;
	struct xenpv_netif_ol_caps caps;
	struct xenpv_netif_tx_ol o;
	bool linear = false, gso = false, v6, blank_ok, patch_l4 = false;
	bool patch_ip = false;
	uint32_t csum_off = 0;
	const void *l3 = NULL;
	RING_IDX idx = *idxp;
	int cks;

	if (unlikely(len == 0 || len > XENPV_NETIF_MAX_FRAME)) {
		txq->st.drop_len++;
		return XB_PKT_DROPPED;
	}
	p->flags = 0;
	p->gso_size = 0;
	p->gso_type = 0;

	/*
	 * Offload requests: the mbuf describes its headers (l2_len, l3_len,
	 * l4_len), which must sit in the first segment.
	 */
	if (ol & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_L4_MASK |
		  RTE_MBUF_F_TX_IP_CKSUM)) {
		v6 = (ol & RTE_MBUF_F_TX_IPV6) != 0;
		if (m->l2_len == 0 || m->l3_len == 0 || l4off > m->data_len ||
		    (!v6 && !(ol & RTE_MBUF_F_TX_IPV4)) ||
		    (v6 && (ol & RTE_MBUF_F_TX_IP_CKSUM)))
			goto bad_mbuf;
		l3 = rte_pktmbuf_mtod_offset(m, const void *, l3off);
		/*
		 * The netif mapping (xenpv_netif.h): GSO only as the guest
		 * takes it; any TCP/UDP checksum, since one the guest does
		 * not take blank is completed here.
		 */
		caps.csum_v4 = true;
		caps.csum_v6 = true;
		caps.gso_v4 = txq->fe.gso_tcpv4 && txq->fe.sg && txq->sg;
		caps.gso_v6 = txq->fe.gso_tcpv6 && txq->fe.sg && txq->sg;
		switch (xenpv_netif_tx_offload(m, &caps, &o)) {
		case XENPV_OL_OK:
			break;
		case XENPV_OL_NOT_OFFERED:
			if (ol & RTE_MBUF_F_TX_TCP_SEG) {
				txq->st.drop_gso++;
				return XB_PKT_DROPPED;
			}
			goto bad_mbuf;	/* an L4 checksum netif cannot carry */
		default:
			goto bad_mbuf;
		}
		blank_ok = txq->csum &&
			   (v6 ? txq->fe.ipv6_csum : txq->fe.csum);
		if (o.gso_type != XEN_NETIF_GSO_TYPE_NONE) {
			if (m->l4_len < 20 || l4off + m->l4_len > m->data_len)
				goto bad_mbuf;
			gso = true;
			p->gso_size = o.gso_size;
			p->gso_type = o.gso_type;
			/*
			 * DPDK's TSO pseudo-header sum leaves the length out,
			 * Linux's partial checksum counts it: rewrite it.
			 */
			csum_off = offsetof(struct rte_tcp_hdr, cksum);
			patch[1] = xenback_pseudo_cksum(l3, v6, len - l4off,
							IPPROTO_TCP);
			patch_l4 = true;
			p->flags = xenpv_netif_csum_to_rxf(XENPV_CSUM_BLANK);
		} else if (o.csum == XENPV_CSUM_BLANK) {
			uint8_t proto;
			int64_t l4len;

			switch (ol & RTE_MBUF_F_TX_L4_MASK) {
			case RTE_MBUF_F_TX_TCP_CKSUM:
				proto = IPPROTO_TCP;
				csum_off = offsetof(struct rte_tcp_hdr, cksum);
				break;
			case RTE_MBUF_F_TX_UDP_CKSUM:
				proto = IPPROTO_UDP;
				csum_off = offsetof(struct rte_udp_hdr,
						    dgram_cksum);
				break;
			default:
				goto bad_mbuf;
			}
			if (l4off + csum_off + 2 > m->data_len)
				goto bad_mbuf;
			if (blank_ok) {
				/* the field holds the pseudo-header sum */
				p->flags = xenpv_netif_csum_to_rxf(o.csum);
			} else {
				/* the guest wants it complete: do it here */
				l4len = xenback_l4_len(m, l3, v6, l3off,
						       m->l3_len);
				cks = l4len < 0 ? -1 :
					xenback_l4_cksum(m, l3, v6, l4off,
							 (uint32_t)l4len,
							 proto, csum_off);
				if (cks < 0)
					goto bad_mbuf;
				patch[1] = (uint16_t)cks;
				patch_l4 = true;
			}
		}
		if (ol & RTE_MBUF_F_TX_IP_CKSUM) {
			uint8_t hdr[60];

			if (m->l3_len > sizeof(hdr) || m->l3_len < 20)
				goto bad_mbuf;
			memcpy(hdr, l3, m->l3_len);
			((struct rte_ipv4_hdr *)hdr)->hdr_checksum = 0;
			patch[0] = (uint16_t)~rte_raw_cksum(hdr, m->l3_len);
			patch_ip = true;
		}
	}

	nbuf = xenback_tx_count(m, false, &pieces);
	if (nbuf > XENPV_NETIF_MAX_SLOTS) {
		linear = true;
		nbuf = xenback_tx_count(m, true, &pieces);
	}
	if (nbuf > 1 && !(txq->fe.sg && txq->sg)) {
		txq->st.drop_sg++;
		return XB_PKT_DROPPED;
	}
	need = nbuf + (gso ? 1 : 0);
	if (prod - idx < need)
		return XB_PKT_STOP;
	/* data pieces plus up to two segments for each of two patches */
	if (*nsegp + pieces + 4 > txq->nb_segs_max) {
		if (*nsegp == 0)
			goto bad_mbuf;
		return XB_PKT_STOP;
	}

	/* take the guest's buffers: copy each request before using it */
	for (k = 0; k < need; k++) {
		RING_COPY_REQUEST(ring, idx + k, &txq->reqs[idx + k - base]);
		txq->buf_len[idx + k - base] = 0;
	}
	p->first = idx;
	p->nbuf = (uint8_t)nbuf;
	p->len = len;

	nseg = *nsegp;
	p->seg0 = nseg;
	for (s = m; s != NULL; s = s->next) {
		const char *src = rte_pktmbuf_mtod(s, const char *);

		size = s->data_len;
		while (size > 0) {
			RING_IDX bi;

			bytes = xenback_tx_place(&c, size, linear);
			bi = xenback_tx_buf_idx(idx, c.buf, gso);
			seg = &txq->segs[nseg++];
			seg->source.virt = (void *)(uintptr_t)src;
			seg->dest.foreign.ref = txq->reqs[bi - base].gref;
			seg->dest.foreign.offset = (uint16_t)c.off;
			seg->dest.foreign.domid = txq->fe_domid;
			seg->len = (uint16_t)bytes;
			seg->flags = GNTCOPY_dest_gref;
			seg->status = GNTST_okay;
			txq->buf_len[bi - base] += (uint16_t)bytes;
			c.off += bytes;
			src += bytes;
			size -= bytes;
		}
	}
	ndata_seg = nseg - p->seg0;
	p->nseg = ndata_seg;
	if (patch_ip)
		xenback_tx_patch(txq, p, ndata_seg,
				 l3off + offsetof(struct rte_ipv4_hdr,
						  hdr_checksum),
				 (const uint8_t *)&patch[0], &nseg);
	if (patch_l4)
		xenback_tx_patch(txq, p, ndata_seg, l4off + csum_off,
				 (const uint8_t *)&patch[1], &nseg);
	if (patch_ip || (patch_l4 && !gso))
		txq->st.csum_sw++;
	p->nseg = nseg - p->seg0;
	*nsegp = nseg;
	*idxp = idx + need;
	return XB_PKT_OK;

bad_mbuf:
	txq->st.drop_mbuf++;
	return XB_PKT_DROPPED;
}

/* Write the responses of one planned packet into its requests' slots. */
static void
xenback_tx_respond(struct xenback_txq *txq, RING_IDX base,
		   struct xenback_tx_plan *p)
{
	netif_rx_back_ring_t *ring = &txq->ring;
	netif_rx_response_t *rsp;
	netif_extra_info_t ex;
	bool gso = p->gso_size != 0, failed = false;
	unsigned int b;
	uint32_t i;
	RING_IDX bi;

	for (i = 0; i < p->nseg; i++) {
		if (txq->segs[p->seg0 + i].status != GNTST_okay) {
			txq->st.copy_errors++;
			failed = true;
		}
	}
	if (failed)
		txq->st.errors++;
	else {
		txq->st.packets++;
		txq->st.bytes += p->len;
		if (gso)
			txq->st.gso++;
		if (p->flags & NETRXF_csum_blank)
			txq->st.csum_blank++;
	}

	for (b = 0; b < p->nbuf; b++) {
		bi = xenback_tx_buf_idx(p->first, b, gso);
		/* responses are produced in request order, slot for slot */
		rsp = RING_GET_RESPONSE(ring, bi);
		rsp->id = txq->reqs[bi - base].id;
		rsp->offset = 0;
		rsp->flags = b + 1 < p->nbuf ? NETRXF_more_data : 0;
		if (b == 0) {
			rsp->flags |= p->flags;
			if (gso)
				rsp->flags |= NETRXF_extra_info;
		}
		rsp->status = failed ? NETIF_RSP_ERROR :
				       (int16_t)txq->buf_len[bi - base];
		if (b == 0 && gso) {
			xenpv_netif_extra_gso(&ex, p->gso_size, p->gso_type,
					      false);
			memcpy(RING_GET_RESPONSE(ring, p->first + 1), &ex,
			       sizeof(ex));
		}
	}
}

/*
 * Up to XENBACK_BURST_MAX packets per call, so that one grant-copy batch
 * serves the whole burst; the application sends the rest with its next
 * call, as it does whenever a PMD takes fewer packets than offered.
 */
static uint16_t
xenback_tx_ring_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct xenback_txq *txq = queue;
	netif_rx_back_ring_t *ring = &txq->ring;
	unsigned int nplan = 0, nseg = 0, i;
	RING_IDX prod, base, idx;
	uint16_t n = 0;
	int notify;

	if (unlikely(xenpv_viol_is_set(&txq->viol)))
		return 0;

	/* the guest's posted buffers, once per burst (acquire, checked) */
	prod = xenpv_load_acquire(&ring->sring->req_prod);
	if (unlikely(RING_REQUEST_PROD_OVERFLOW(ring, prod))) {
		xenpv_viol_set(&txq->viol, XENBACK_VIOL_REQ_PROD, prod,
			       ring->req_cons);
		return 0;
	}
	if (nb_pkts > XENBACK_BURST_MAX)
		nb_pkts = XENBACK_BURST_MAX;

	base = ring->req_cons;
	idx = base;
	for (n = 0; n < nb_pkts; n++) {
		enum xenback_pkt_verdict v;

		v = xenback_tx_plan(txq, pkts[n], base, &idx, prod,
				    &txq->plans[nplan], &nseg,
				    &txq->patch[2 * nplan]);
		if (v == XB_PKT_STOP) {
			txq->st.ring_full++;
			break;
		}
		if (v == XB_PKT_OK)
			nplan++;
	}
	ring->req_cons = idx;

	xenback_grant_copy(txq->xgt, txq->segs, nseg, &txq->st.copy_calls);

	for (i = 0; i < nplan; i++)
		xenback_tx_respond(txq, base, &txq->plans[i]);
	/* every buffer taken is answered, in its own slot */
	ring->rsp_prod_pvt = idx;

	/*
	 * Publish the burst's responses at once: release fence, rsp_prod,
	 * full fence, then the guest's rsp_event says whether it wants a
	 * kick.
	 */
	if (idx != base) {
		RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(ring, notify);
		if (notify) {
			xenevtchn_notify(txq->xce, txq->evtchn);
			txq->st.notify++;
		}
	}
	/* the data is in the guest's pages (or dropped): free the mbufs */
	rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

/* Ethdev TX queue i: the guest RX ring of netif queue i mod n (xenpv.h). */
uint16_t
xenback_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct xenback_txq *q = queue;

	return xenpv_tx_map_burst(&q->guard, &q->map, xenback_tx_ring_burst,
				  pkts, nb_pkts);
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
	rxq->reqs = rte_zmalloc_socket("xenback_rx_reqs",
				       slots * sizeof(*rxq->reqs), 0, socket);
	rxq->plans = rte_zmalloc_socket("xenback_rx_plans",
					XENBACK_BURST_MAX * sizeof(*rxq->plans),
					0, socket);
	rxq->segs = rte_zmalloc_socket("xenback_rx_segs",
				       rxq->nb_segs_max * sizeof(*rxq->segs),
				       0, socket);
	if (rxq->reqs == NULL || rxq->plans == NULL || rxq->segs == NULL) {
		xenback_rxq_free_scratch(rxq);
		return -ENOMEM;
	}
	return 0;
}

void
xenback_rxq_free_scratch(struct xenback_rxq *rxq)
{
	rte_free(rxq->reqs);
	rte_free(rxq->plans);
	rte_free(rxq->segs);
	rxq->reqs = NULL;
	rxq->plans = NULL;
	rxq->segs = NULL;
}

int
xenback_txq_alloc_scratch(struct xenback_txq *txq, int socket)
{
	unsigned int slots = RING_SIZE(&txq->ring);

	txq->nb_segs_max = 2 * slots + 4 * XENBACK_BURST_MAX;
	txq->reqs = rte_zmalloc_socket("xenback_tx_reqs",
				       slots * sizeof(*txq->reqs), 0, socket);
	txq->buf_len = rte_zmalloc_socket("xenback_tx_len",
					  slots * sizeof(*txq->buf_len), 0,
					  socket);
	txq->plans = rte_zmalloc_socket("xenback_tx_plans",
					XENBACK_BURST_MAX * sizeof(*txq->plans),
					0, socket);
	txq->patch = rte_zmalloc_socket("xenback_tx_patch",
					2 * XENBACK_BURST_MAX *
					sizeof(*txq->patch), 0, socket);
	txq->segs = rte_zmalloc_socket("xenback_tx_segs",
				       txq->nb_segs_max * sizeof(*txq->segs),
				       0, socket);
	if (txq->reqs == NULL || txq->buf_len == NULL || txq->plans == NULL ||
	    txq->patch == NULL || txq->segs == NULL) {
		xenback_txq_free_scratch(txq);
		return -ENOMEM;
	}
	return 0;
}

void
xenback_txq_free_scratch(struct xenback_txq *txq)
{
	rte_free(txq->reqs);
	rte_free(txq->buf_len);
	rte_free(txq->plans);
	rte_free(txq->patch);
	rte_free(txq->segs);
	txq->reqs = NULL;
	txq->buf_len = NULL;
	txq->plans = NULL;
	txq->patch = NULL;
	txq->segs = NULL;
}
