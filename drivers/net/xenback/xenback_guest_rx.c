/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * net_xenback data path, guest RX: what we deliver to the guest, from
 * tx_burst (an ethdev TX queue fills the buffers the guest posted on its RX
 * ring; several TX queues may share one ring, see xenpv_tx_map_burst).
 *
 * A burst lays each mbuf chain out over the guest's pages (packing small
 * segments into one page without splitting a segment that fits the next
 * one whole), runs one grant copy for the burst (with persistent grants,
 * memcpy through the ring's mappings: xenback_pgnt.c), and writes each response
 * into the slot of the request it answers (Linux netfront reads responses
 * by slot). It never blocks, logs, or makes a system call other than the
 * grant copy and, when the ring asks for it, an event-channel kick.
 *
 * Steering (the guest's control ring, xenback_ctrl.c): once the guest has
 * chosen Toeplitz and at least one hash type, every packet is hashed as it
 * asked and goes to the guest RX ring its mapping table names (hash mod
 * the table's size; no table: hash mod the netif queues), whatever ethdev
 * TX queue the application sent it on; a packet of no requested type goes
 * to the queue's usual ring (i mod n). One flow therefore always lands on
 * one guest queue. The cost: any ethdev TX queue may now fill any ring, so
 * with more than one TX queue every ring is taken under its spinlock (the
 * lock-free 1:1 layout is lost while steering is on), and a burst is split
 * into one sub-burst per ring it touches. Packets keep their order within
 * each ring; what a full ring could not take is handed back at the end of
 * the caller's array, in the order it was given.
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

#include "xenback_dp.h"
#include "xenpv_csum.h"

/* A packet planned during a tx burst. */
struct xenback_tx_plan {
	RING_IDX first;		/* ring index of its first buffer */
	uint32_t seg0;		/* grant-copy segments: [seg0, +nseg) */
	uint32_t nseg;
	uint32_t len;
	uint16_t flags;		/* NETRXF_csum_blank / data_validated */
	uint16_t gso_size;
	uint8_t gso_type;
	uint8_t nbuf;		/* data buffers (the extras excluded) */
	uint8_t nextra;		/* extra slots after the first: GSO, HASH */
	uint8_t hash_type;	/* XENBACK_NO_HASH, or the HASH extra's type */
	uint32_t hash;		/* the HASH extra's value */
};

/* No hash for a packet (its hash_type) */
#define XENBACK_NO_HASH	0xff

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

/*
 * Buffers and copy pieces a chain needs with a given layout, and the bytes
 * its segments hold (*total, to check against pkt_len).
 */
static unsigned int
xenback_tx_count(const struct rte_mbuf *m, bool linear, unsigned int *pieces,
		 uint64_t *total)
{
	struct xenback_tx_cursor c = { .buf = 0, .off = 0, .head = true };
	unsigned int n = 0;
	uint32_t size, bytes;

	*total = 0;
	for (; m != NULL; m = m->next) {
		size = m->data_len;
		*total += size;
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
xenback_tx_buf_idx(RING_IDX first, unsigned int b, unsigned int nextra)
{
	return b == 0 ? first : first + b + nextra;
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
		unsigned int *nsegp, uint16_t *patch, uint8_t htype,
		uint32_t hash)
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
	uint64_t total;
	const void *l3 = NULL;
	RING_IDX idx = *idxp;
	int cks;

	if (unlikely(len == 0 || len > XENPV_NETIF_MAX_FRAME)) {
		txq->st.drop_len++;
		return XB_PKT_DROPPED;
	}
	/* multicast the guest filters and did not subscribe to: not copied */
	if (txq->mcast_filter != NULL &&
	    xenback_mcast_unwanted(txq->mcast_filter, m)) {
		txq->st.drop_mcast++;
		return XB_PKT_DROPPED;
	}
	p->flags = 0;
	p->gso_size = 0;
	p->gso_type = 0;
	p->hash_type = htype;
	p->hash = hash;

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
		 * takes it, and only if it takes the blank checksum every
		 * GSO packet carries for that IP version (as Linux netback
		 * turns TSO off for a guest without checksum offload); any
		 * TCP/UDP checksum, since one the guest does not take blank
		 * is completed here.
		 */
		caps.csum_v4 = true;
		caps.csum_v6 = true;
		caps.gso_v4 = txq->fe.gso_tcpv4 && txq->fe.sg && txq->sg &&
			      txq->csum && txq->fe.csum;
		caps.gso_v6 = txq->fe.gso_tcpv6 && txq->fe.sg && txq->sg &&
			      txq->csum && txq->fe.ipv6_csum;
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
			csum_off = xenpv_l4_csum_off(IPPROTO_TCP);
			patch[1] = xenpv_pseudo_cksum(l3, v6, len - l4off,
						       IPPROTO_TCP);
			patch_l4 = true;
			p->flags = xenpv_netif_csum_to(XENPV_CSUM_BLANK,
						       XENPV_NETIF_RX_CSUM);
		} else if (o.csum == XENPV_CSUM_BLANK) {
			uint8_t proto = xenpv_ol_l4_proto(ol);
			int64_t l4len;

			if (proto == 0)
				goto bad_mbuf;
			csum_off = xenpv_l4_csum_off(proto);
			if (l4off + csum_off + 2 > m->data_len)
				goto bad_mbuf;
			if (blank_ok) {
				/* the field holds the pseudo-header sum */
				p->flags = xenpv_netif_csum_to(o.csum,
							XENPV_NETIF_RX_CSUM);
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

	/*
	 * The application's chain is input too (B8 of the hostile review):
	 * segments that do not add up to pkt_len, or more than the guest's
	 * 18 buffers even packed, are dropped; the responses are written
	 * per buffer taken (p->nbuf), which must hold every one.
	 */
	nbuf = xenback_tx_count(m, false, &pieces, &total);
	if (nbuf > XENPV_NETIF_MAX_SLOTS && total == len) {
		linear = true;
		nbuf = xenback_tx_count(m, true, &pieces, &total);
	}
	if (unlikely(total != len || nbuf > XENPV_NETIF_MAX_SLOTS))
		goto bad_mbuf;
	if (nbuf > 1 && !(txq->fe.sg && txq->sg)) {
		txq->st.drop_sg++;
		return XB_PKT_DROPPED;
	}
	p->nextra = (uint8_t)((gso ? 1 : 0) +
			      (htype != XENBACK_NO_HASH ? 1 : 0));
	need = nbuf + p->nextra;
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
			bi = xenback_tx_buf_idx(idx, c.buf, p->nextra);
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
	unsigned int b, x;
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
		bi = xenback_tx_buf_idx(p->first, b, p->nextra);
		/* responses are produced in request order, slot for slot */
		rsp = RING_GET_RESPONSE(ring, bi);
		rsp->id = txq->reqs[bi - base].id;
		rsp->offset = 0;
		rsp->flags = b + 1 < p->nbuf ? NETRXF_more_data : 0;
		if (b == 0) {
			rsp->flags |= p->flags;
			if (p->nextra != 0)
				rsp->flags |= NETRXF_extra_info;
		}
		rsp->status = failed ? NETIF_RSP_ERROR :
				       (int16_t)txq->buf_len[bi - base];
		if (b != 0 || p->nextra == 0)
			continue;
		/* the extras, in the slots after the first: GSO, HASH */
		x = 1;
		if (gso) {
			xenpv_netif_extra_gso(&ex, p->gso_size, p->gso_type,
					      p->nextra > 1);
			memcpy(RING_GET_RESPONSE(ring, p->first + x++), &ex,
			       sizeof(ex));
		}
		if (p->hash_type != XENBACK_NO_HASH) {
			xenpv_netif_extra_hash(&ex, p->hash, p->hash_type,
					       false);
			memcpy(RING_GET_RESPONSE(ring, p->first + x), &ex,
			       sizeof(ex));
			txq->st.hash++;
		}
	}
}

/*
 * Up to XENBACK_BURST_MAX packets per call, so that one grant-copy batch
 * serves the whole burst; the application sends the rest with its next
 * call, as it does whenever a PMD takes fewer packets than offered. With
 * @ht non-NULL, packet i gets a HASH extra of type ht[i] and value hv[i]
 * unless ht[i] is XENBACK_NO_HASH.
 */
static uint16_t
xenback_tx_ring_send(struct xenback_txq *txq, struct rte_mbuf **pkts,
		     uint16_t nb_pkts, const uint8_t *ht, const uint32_t *hv)
{
	netif_rx_back_ring_t *ring = &txq->ring;
	unsigned int nplan = 0, nseg = 0, i;
	RING_IDX prod, base, idx;
	uint16_t n = 0;
	int notify;

	if (unlikely(xenpv_viol_is_set(&txq->viol)))
		return 0;
	xenpv_kick_flush(&txq->kick, false, &txq->st.notify);

	/* the guest's posted buffers, once per burst (acquire, checked) */
	if (unlikely(!xenpv_back_req_prod(ring, &prod))) {
		xenpv_viol_set(&txq->viol, XENPV_VIOL_REQ_PROD, prod,
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
				    &txq->patch[2 * nplan],
				    ht != NULL ? ht[n] : XENBACK_NO_HASH,
				    ht != NULL ? hv[n] : 0);
		if (v == XB_PKT_STOP) {
			txq->st.ring_full++;
			break;
		}
		if (v == XB_PKT_OK)
			nplan++;
	}
	ring->req_cons = idx;

	/* into the guest's pages: its persistent grants, or a grant copy */
	if (txq->pgnt != NULL)
		xenback_pgnt_copy(txq->pgnt, txq->segs, nseg, true, &txq->viol,
				  &txq->st.pgnt_maps, &txq->st.pgnt_mapped);
	else
		xenback_grant_copy(txq->xgt, txq->segs, nseg,
				   &txq->st.copy_calls);

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
		xenpv_back_push(ring, notify);
		if (notify)
			xenpv_kick(&txq->kick, &txq->st.notify,
				     &txq->st.notify_held);
	}
	/* the data is in the guest's pages (or dropped): free the mbufs */
	rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

/* One ring, no hashing: the burst of xenpv_tx_map_burst. */
static uint16_t
xenback_tx_ring_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	return xenback_tx_ring_send(queue, pkts, nb_pkts, NULL, NULL);
}

/*
 * The guest's RX ring for a packet (steering, at the top of this file):
 * its hash type and value in *ht and *hv, XENBACK_NO_HASH if none applies.
 */
static inline unsigned int
xenback_tx_pick(const struct xenback_txq *q, const struct xenback_hash *h,
		const struct rte_mbuf *m, uint8_t *ht, uint32_t *hv)
{
	uint8_t in[XENPV_NETIF_HASH_INPUT_MAX];
	unsigned int len, r;

	if (!xenpv_netif_hash_input(m, h->types, in, &len, ht)) {
		*ht = XENBACK_NO_HASH;
		*hv = 0;
		return q->home;
	}
	*hv = xenpv_toeplitz(h->key, sizeof(h->key), in, len);
	r = h->size != 0 ? h->mapping[*hv % h->size] : *hv % q->nb_rings;
	/* entries were checked against the queues when set: belt and braces */
	return r < q->nb_rings ? r : q->home;
}

/*
 * A burst steered by the guest's hash: split by ring (order kept within
 * each), one sub-burst per ring under its lock, then the packets no ring
 * took moved to the end of @pkts in their original order.
 */
static uint16_t
xenback_tx_steer(struct xenback_txq *q, struct rte_mbuf **pkts, uint16_t n)
{
	const struct xenback_hash *h = q->hash;
	struct rte_mbuf *grp[XENBACK_BURST_MAX], *left[XENBACK_BURST_MAX];
	uint32_t hv[XENBACK_BURST_MAX], ghv[XENBACK_BURST_MAX];
	uint8_t ht[XENBACK_BURST_MAX], ght[XENBACK_BURST_MAX];
	uint8_t ring_of[XENBACK_BURST_MAX];
	uint16_t count[XENPV_NETIF_MAX_QUEUES] = { 0 };
	uint16_t sent_of[XENPV_NETIF_MAX_QUEUES];
	uint16_t i, r, k, sent, taken = 0, nleft = 0;

	if (n > XENBACK_BURST_MAX)
		n = XENBACK_BURST_MAX;
	for (i = 0; i < n; i++) {
		ring_of[i] = (uint8_t)xenback_tx_pick(q, h, pkts[i], &ht[i],
						      &hv[i]);
		count[ring_of[i]]++;
	}
	for (r = 0; r < q->nb_rings; r++) {
		struct xenback_txq *ring = &q->rings[r];

		if (count[r] == 0)
			continue;
		for (i = 0, k = 0; i < n; i++) {
			if (ring_of[i] != r)
				continue;
			grp[k] = pkts[i];
			ght[k] = ht[i];
			ghv[k++] = hv[i];
		}
		if (q->steer_lock)
			rte_spinlock_lock(&ring->lock);
		sent = xenback_tx_ring_send(ring, grp, k, ght, ghv);
		if (q->steer_lock)
			rte_spinlock_unlock(&ring->lock);
		count[r] = sent;	/* now: how many of ring r's went */
		taken += sent;
	}
	if (taken == n)
		return n;
	/* the first count[r] packets of each ring went; keep the rest */
	for (r = 0; r < q->nb_rings; r++)
		sent_of[r] = 0;
	for (i = 0; i < n; i++) {
		r = ring_of[i];
		if (sent_of[r] < count[r])
			sent_of[r]++;
		else
			left[nleft++] = pkts[i];
	}
	memcpy(&pkts[taken], left, nleft * sizeof(left[0]));
	return taken;
}

/*
 * Ethdev TX queue i: the guest RX ring of netif queue i mod n (xenpv.h),
 * or the ring the guest's hash picks for each packet while it steers.
 */
uint16_t
xenback_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n)
{
	struct xenback_txq *q = queue;
	uint16_t sent;

	if (unlikely(__atomic_load_n(&q->link_down, __ATOMIC_RELAXED))) {
		rte_pktmbuf_free_bulk(pkts, n);
		q->st.link_down += n;
		return n;
	}
	if (unlikely(!xenpv_dp_enter(&q->guard)))
		return 0;
	if (q->hash == NULL) {
		if (q->map.lock == NULL) {
			sent = xenback_tx_ring_burst(q->map.ring, pkts, n);
		} else {
			rte_spinlock_lock(q->map.lock);
			sent = xenback_tx_ring_burst(q->map.ring, pkts, n);
			rte_spinlock_unlock(q->map.lock);
		}
	} else {
		sent = xenback_tx_steer(q, pkts, n);
	}
	xenpv_dp_exit(&q->guard);
	return sent;
}

/* ---------------------------------------------------------------------
 * Scratch memory, sized for the ring the frontend gave (control path)
 * ---------------------------------------------------------------------
 */

int
xenback_txq_alloc_scratch(struct xenback_txq *txq, int socket)
{
	unsigned int slots = RING_SIZE(&txq->ring);

	txq->nb_segs_max = 2 * slots + 4 * XENBACK_BURST_MAX;
	XENBACK_SCRATCH_ALLOC(txq->reqs, "xenback_tx_reqs", slots, socket);
	XENBACK_SCRATCH_ALLOC(txq->buf_len, "xenback_tx_len", slots, socket);
	XENBACK_SCRATCH_ALLOC(txq->plans, "xenback_tx_plans",
			      XENBACK_BURST_MAX, socket);
	XENBACK_SCRATCH_ALLOC(txq->patch, "xenback_tx_patch",
			      2 * XENBACK_BURST_MAX, socket);
	XENBACK_SCRATCH_ALLOC(txq->segs, "xenback_tx_segs", txq->nb_segs_max,
			      socket);
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
	XENBACK_SCRATCH_FREE(txq->reqs);
	XENBACK_SCRATCH_FREE(txq->buf_len);
	XENBACK_SCRATCH_FREE(txq->plans);
	XENBACK_SCRATCH_FREE(txq->patch);
	XENBACK_SCRATCH_FREE(txq->segs);
}
