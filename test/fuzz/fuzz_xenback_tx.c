/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * libFuzzer harness: net_xenback's guest-TX request walk (xenback_rx_burst
 * of drivers/net/xenback/xenback_guest_tx.c, compiled in as is) on an
 * order-0 ring in memory that a hostile guest fills, the packet data
 * grant-copied by xenemu from the guest's pages (fuzz_xenback.h). The input:
 *   byte 0: the queue's settings: bit 0 RX scatter, 1 TCP LRO, 2 L4
 *           checksum offload, 3 feature-sg advertised, 4 mbufs of 256
 *           bytes (else 2048), 5-6 the burst size (1, 8, 32, 256), 7
 *           the application set an MTU of 1500 (else none);
 *   byte 1: where the requests are split in two publications (bursts run
 *           in between, so a packet may be left half posted);
 *   byte 2: requests announced beyond those written (bit 7; beyond the
 *           ring: the producer overflow check);
 *   byte 3: the guest's rsp_event, relative to the start (it asks for a
 *           kick there: one goes through the real event channel);
 *   bytes 4-7: the ring index the connection starts at (a reattaching
 *           backend starts where rsp_prod says; index wrap-around);
 *   byte 8: the number of request slots that follow, 12 bytes each (a
 *           netif_tx_request; a gref below FUZZ_XB_NR_PAGES names one of
 *           the guest's grants, see fuzz_xenback_gref);
 *   the rest: the content of the guest's pages the requests name.
 * Beyond the sanitizers, after each input: every request consumed is
 * answered exactly once, in order, with its id and a valid status (NULL
 * for an extra-info slot, the same status for every slot of a packet),
 * and nothing not consumed is answered; every mbuf delivered passes
 * rte_mbuf_check, has the port id, a length within the frame bounds, a
 * single segment unless scatter is on, only the offload flags negotiated,
 * and the bytes the guest's slots held; each OKAY answer is one mbuf
 * delivered; every mbuf is back in its pool.
 *
 * Built with FUZZ_XB_PGNT (harness xenback_tx_pgnt, fuzz_xenback_tx_pgnt.c)
 * the ring runs with persistent grants (xenback_pgnt.c): the guest's refs
 * are mapped the first time a request names them, kept across inputs (its
 * grants never change, as it promised), and copied with memcpy; a ref that
 * cannot be mapped is a violation. The same checks hold, and no grant-copy
 * call may be made.
 *
 * Built with FUZZ_XB_ZC as well (harness xenback_tx_zc,
 * fuzz_xenback_tx_zc.c) the ring also has rx_zero_copy (xenback_zc.c): a
 * packet longer than its 256-byte head is delivered with the guest's
 * mapped pages attached and answered only after its mbufs are freed. The
 * harness copies what each delivered mbuf reads and frees it at once, as an
 * application would, and bursts on until nothing is held; the same checks
 * hold on the copies (the answers now come in the order of the frees), and
 * nothing may stay held.
 */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "fuzz_xenback.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NB_MBUFS 4096
#define HDR 9

static struct xenback_rxq rxq;
/* the guest RX ring of the same netif queue (only its owed kicks) */
static struct xenback_txq peer;
static void *sring_mem;
/* the requests as the guest wrote them (responses overwrite the ring) */
static netif_tx_request_t greq[XENPV_TX_RING_SIZE(0)];
static bool filled[FUZZ_XB_NR_PAGES];
/*
 * The packets delivered by the bursts of one input, in order: what each
 * mbuf read when it was delivered (checked against the guest's pages after
 * the input's bursts), and the mbuf itself until the end of the input
 * (NULL: freed at delivery, rx_zero_copy's answer being due to the free).
 */
struct got_pkt {
	struct rte_mbuf *m;
	uint8_t *data;		/* malloc'ed copy of its pkt_len bytes */
	uint32_t len;
	uint16_t nb_segs;
	uint64_t ol_flags;
};
static struct got_pkt got[XENPV_TX_RING_SIZE(0) * 8];
static unsigned int nb_got;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	fuzz_xenback_init((*argv)[0], NB_MBUFS, NB_MBUFS,
			  RTE_PKTMBUF_HEADROOM + XENBACK_MIN_RX_BUFSIZE);
	/* as xenback_queue_connect: one ring, its scratch, dom0's handles */
	FUZZ_XB_RING_INIT(&rxq.ring, netif_tx_sring_t, sring_mem);
	if (xenback_rxq_alloc_scratch(&rxq, SOCKET_ID_ANY) != 0)
		abort();
	FUZZ_XB_QUEUE_HANDLES(&rxq);
	rxq.peer = &peer;
	rxq.port_id = 7;
	rxq.serve[0] = &rxq;
	rxq.nb_serve = 1;
#if defined(FUZZ_XB_ZC)
	/* as xenback_queue_connect: the context owns the ring's table */
	if (xenback_zc_create(&rxq.zc, FUZZ_XB_GUEST, RING_SIZE(&rxq.ring),
			      SOCKET_ID_ANY) != 0)
		abort();
	rxq.pgnt = rxq.zc->pgnt;
#elif defined(FUZZ_XB_PGNT)
	if (xenback_pgnt_create(&rxq.pgnt, fuzz_xb_dom0.xgt, FUZZ_XB_GUEST,
				RING_SIZE(&rxq.ring), false) != 0)
		abort();
#endif
	xenpv_dp_open(&rxq.guard);
	return 0;
}

/* Fill the guest page behind @gref (once per input) from @src. */
static void
fill_page(uint32_t gref, const uint8_t *src, size_t len)
{
	int p = fuzz_xenback_page_of(gref);
	uint8_t *page;

	if (p < 0 || filled[p])
		return;
	filled[p] = true;
	page = fuzz_xb_guest.page[p];
	/* the stream from a page-dependent point, cyclically */
	fuzz_xenback_fill(page, XENPV_PAGE_SIZE, src, len, (size_t)p * 131);
}

/* The mbuf a delivered packet must be. */
static void
check_mbuf(const struct rte_mbuf *m)
{
	const char *reason = NULL;

	if (rte_mbuf_check(m, 1, &reason) != 0)
		abort();
	if (m->port != rxq.port_id || m->pkt_len < XENPV_NETIF_MIN_FRAME ||
	    m->pkt_len > XENPV_NETIF_MAX_FRAME ||
	    (!(m->ol_flags & RTE_MBUF_F_RX_LRO) &&
	     m->pkt_len > rxq.max_frame) ||
	    (m->nb_segs > 1 && !rxq.scatter))
		abort();
	/* LRO: what a NIC can segment again (TCP, headers in the first
	 * segment, some payload, a sane MSS) */
	if ((m->ol_flags & RTE_MBUF_F_RX_LRO) &&
	    (!rxq.lro || (m->packet_type & RTE_PTYPE_L4_MASK) !=
	     RTE_PTYPE_L4_TCP || m->tso_segsz < XENBACK_GSO_MIN_MSS ||
	     (uint32_t)m->l2_len + m->l3_len + m->l4_len > m->data_len ||
	     (uint32_t)m->l2_len + m->l3_len + m->l4_len >= m->pkt_len))
		abort();
	if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
	    RTE_MBUF_F_RX_L4_CKSUM_NONE && !rxq.csum_offload)
		abort();
}

/* Note what delivered mbuf @m reads; with rx_zero_copy, free it now. */
static void
take(struct rte_mbuf *m)
{
	struct got_pkt *g;
	const void *d;

	check_mbuf(m);
	if (nb_got == RTE_DIM(got))
		abort();
	g = &got[nb_got++];
	g->len = m->pkt_len;
	g->nb_segs = m->nb_segs;
	g->ol_flags = m->ol_flags;
	g->data = malloc(m->pkt_len + 1);
	if (g->data == NULL)
		abort();
	d = rte_pktmbuf_read(m, 0, m->pkt_len, g->data);
	if (d == NULL)
		abort();
	if (d != g->data)
		memcpy(g->data, d, m->pkt_len);
	g->m = m;
#ifdef FUZZ_XB_ZC
	rte_pktmbuf_free(m);
	g->m = NULL;
#endif
}

static void
bursts(unsigned int times, uint16_t nb)
{
	struct rte_mbuf *pkts[XENBACK_BURST_MAX];
	uint16_t n, i;

	while (times-- > 0) {
		n = xenback_rx_burst(&rxq, pkts, nb);
		if (n > nb)
			abort();
		for (i = 0; i < n; i++)
			take(pkts[i]);
	}
}

/* Does packet @g hold @len bytes of guest page @p from @off at @at? */
static bool
same_bytes(const struct got_pkt *g, uint32_t at, int p, uint32_t off,
	   uint32_t len)
{
	if (len == 0)
		return true;
	if (p < 0 || at > g->len || len > g->len - at)
		return false;
	return memcmp(g->data + at, fuzz_xb_guest.page[p] + off, len) == 0;
}

/* The guest's view of one packet it posted: its slots from @first on. */
struct gpkt {
	RING_IDX first;
	RING_IDX data;		/* its first data slot after the extras */
	unsigned int ndata;
	RING_IDX end;		/* one past its last slot */
};

/*
 * Walk the packet posted at @i, as the guest laid it out (extras chained
 * by XEN_NETIF_EXTRA_FLAG_MORE, data slots by NETTXF_more_data); false if
 * it does not end before @end.
 */
static bool
guest_packet(RING_IDX i, RING_IDX end, uint32_t mask, struct gpkt *g)
{
	const netif_tx_request_t *q = &greq[i & mask];
	bool more = (q->flags & NETTXF_extra_info) != 0;
	netif_extra_info_t ex;

	g->first = i++;
	while (more) {
		if (i == end)
			return false;
		memcpy(&ex, &greq[i & mask], sizeof(ex));
		more = (ex.flags & XEN_NETIF_EXTRA_FLAG_MORE) != 0;
		i++;
	}
	g->data = i;
	g->ndata = 1;
	more = (q->flags & NETTXF_more_data) != 0;
	while (more) {
		if (i == end)
			return false;
		more = (greq[i & mask].flags & NETTXF_more_data) != 0;
		i++;
		g->ndata++;
	}
	g->end = i;
	return true;
}

/* Is @m the packet @g, with the bytes its slots hold? */
static bool
same_packet(const struct got_pkt *m, const struct gpkt *g, uint32_t mask)
{
	const netif_tx_request_t *q = &greq[g->first & mask];
	uint32_t rest = 0, at;
	RING_IDX i;

	if (m->len != q->size)
		return false;
	for (i = g->data; i != g->end; i++) {
		rest += greq[i & mask].size;
		/* a slot with data in no page of the guest is no copy */
		if (greq[i & mask].size != 0 &&
		    fuzz_xenback_page_of(greq[i & mask].gref) < 0)
			return false;
	}
	if (rest > q->size || (rest < q->size &&
			       fuzz_xenback_page_of(q->gref) < 0))
		return false;
	/* a blank checksum the driver completed: the length only */
	if ((q->flags & NETTXF_csum_blank) && !rxq.csum_offload)
		return true;
	at = q->size - rest;
	if (!same_bytes(m, 0, fuzz_xenback_page_of(q->gref), q->offset, at))
		return false;
	for (i = g->data; i != g->end; i++) {
		const netif_tx_request_t *d = &greq[i & mask];

		if (!same_bytes(m, at, fuzz_xenback_page_of(d->gref),
				d->offset, d->size))
			return false;
		at += d->size;
	}
	return true;
}

static void
dump(RING_IDX start, RING_IDX prod, uint32_t mask)
{
	struct gpkt g;
	RING_IDX i;
	unsigned int k;

	for (i = start; i != prod; i = g.end) {
		const netif_tx_request_t *q = &greq[i & mask];

		if (!guest_packet(i, prod, mask, &g))
			break;
		fprintf(stderr, "packet at +%u: size %u, %u extras, %u data slots, flags %#x, id %#x, gref %#x (page %d), offset %u\n",
			i - start, q->size, g.data - g.first - 1, g.ndata,
			q->flags, q->id, q->gref,
			fuzz_xenback_page_of(q->gref), q->offset);
	}
	for (i = start; i != prod; i++)
		fprintf(stderr, "response +%u: id %#x status %d\n", i - start,
			RING_GET_RESPONSE(&rxq.ring, i)->id,
			RING_GET_RESPONSE(&rxq.ring, i)->status);
	for (k = 0; k < nb_got; k++)
		fprintf(stderr, "mbuf %u: %u bytes, %u segments, ol_flags %#" PRIx64 "\n",
			k, got[k].len, got[k].nb_segs, got[k].ol_flags);
	fprintf(stderr, "violation %u (%u, %u)\n", rxq.viol.code, rxq.viol.a,
		rxq.viol.b);
}

/* responses per id still expected (data slots consumed minus answered) */
static int32_t id_due[UINT16_MAX + 1];
/* OKAY responses per id not yet matched to a delivered packet */
static int32_t id_okay[UINT16_MAX + 1];

/* Does every data slot of @g have an OKAY answer (ids unique)? */
static bool
all_okay(const struct gpkt *g, uint32_t mask)
{
	RING_IDX d;

	if (id_okay[greq[g->first & mask].id] == 0)
		return false;
	for (d = g->data; d != g->end; d++)
		if (id_okay[greq[d & mask].id] == 0)
			return false;
	return true;
}

/* input number, to tell the ids seen in this input from older ones */
static uint32_t gen;
static uint32_t id_gen[UINT16_MAX + 1];

/* Count id @id seen; false if this input has seen it before. */
static bool
id_first_time(uint16_t id)
{
	if (id_gen[id] == gen)
		return false;
	id_gen[id] = gen;
	return true;
}

/*
 * The guest's check of the responses, as a netfront reads them (by id:
 * a backend may answer a dropped packet before one it delivers in the
 * same burst): from the start to rsp_prod.
 */
static void
check_responses(RING_IDX start)
{
	netif_tx_back_ring_t *r = &rxq.ring;
	/* every request consumed answered, nothing else */
	RING_IDX prod = FUZZ_XB_RESPONSES(r, start, dump);
	uint32_t mask = RING_SIZE(r) - 1;
	unsigned int nulls = 0, extras = 0, okay = 0, okay_due = 0, k = 0;
	bool uniq = true;
	struct gpkt g;
	RING_IDX i;

	gen++;
	/* the consumed requests are whole packets */
	for (i = start; i != prod; i = g.end) {
		if (!guest_packet(i, prod, mask, &g))
			abort();
		extras += g.data - g.first - 1;
		id_due[greq[g.first & mask].id]++;
		uniq &= id_first_time(greq[g.first & mask].id);
		for (RING_IDX d = g.data; d != g.end; d++) {
			id_due[greq[d & mask].id]++;
			uniq &= id_first_time(greq[d & mask].id);
		}
	}
	for (i = start; i != prod; i++) {
		const netif_tx_response_t *rsp = RING_GET_RESPONSE(r, i);

		switch (rsp->status) {
		case NETIF_RSP_NULL:
			nulls++;
			continue;
		case NETIF_RSP_OKAY:
			okay++;
			id_okay[rsp->id]++;
			break;
		case NETIF_RSP_ERROR:
		case NETIF_RSP_DROPPED:
			break;
		default:
			abort();
		}
		if (--id_due[rsp->id] < 0)
			abort();	/* an id answered more than posted */
	}
	if (nulls != extras)
		abort();
	/* (every id_due is back to 0: as many answers as slots) */

	/*
	 * The mbufs delivered are, in order, the packets whose every slot
	 * was answered OKAY, with the bytes the guest posted. Exactly so
	 * when the guest's ids are unique (a netfront's are); with ids used
	 * twice, an answer does not say which slot it is for: then each mbuf
	 * must be some packet posted that got an OKAY.
	 */
	if (uniq) {
		for (i = start; i != prod; i = g.end) {
			guest_packet(i, prod, mask, &g);
			if (!all_okay(&g, mask))
				continue;
			if (k == nb_got || !same_packet(&got[k], &g, mask))
				abort();
			okay_due += g.ndata;
			k++;
		}
		if (k != nb_got || okay != okay_due)
			abort();
	} else {
		for (k = 0; k < nb_got; k++) {
			for (i = start; i != prod; i = g.end) {
				guest_packet(i, prod, mask, &g);
				if (all_okay(&g, mask) &&
				    same_packet(&got[k], &g, mask))
					break;
			}
			if (i == prod)
				abort();
		}
	}
	for (i = start; i != prod; i++)
		id_okay[RING_GET_RESPONSE(r, i)->id] = 0;
}

#ifdef FUZZ_XB_ZC
/*
 * After a violation with rx_zero_copy: the packets held then are never
 * answered (the connection ends), so the answers are a subset of what was
 * consumed, in no set order: only as many as consumed at most, each a
 * valid status.
 */
static void
check_responses_broken(RING_IDX start)
{
	netif_tx_back_ring_t *r = &rxq.ring;
	RING_IDX prod = __atomic_load_n(&r->sring->rsp_prod, __ATOMIC_ACQUIRE);
	RING_IDX i;

	if (prod != r->rsp_prod_pvt || prod - start > r->req_cons - start)
		abort();
	for (i = start; i != prod; i++) {
		int16_t st = RING_GET_RESPONSE(r, i)->status;

		if (st != NETIF_RSP_NULL && st != NETIF_RSP_OKAY &&
		    st != NETIF_RSP_ERROR && st != NETIF_RSP_DROPPED)
			abort();
	}
}
#endif

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	netif_tx_sring_t *sring = sring_mem;
	netif_tx_back_ring_t *r = &rxq.ring;
	const uint8_t *stream;
	uint32_t nslots, split, extra, i, ring_size, mask;
	size_t stream_len;
	RING_IDX start, cons, prod;
	bool overflow;
	uint16_t nb;
	unsigned int k;

	if (size < HDR)
		return 0;
	/* the port's settings */
	rxq.scatter = data[0] & 1;
	rxq.lro = (data[0] >> 1) & 1;
	rxq.csum_offload = (data[0] >> 2) & 1;
	rxq.sg = (data[0] >> 3) & 1;
	rxq.mp = (data[0] >> 4) & 1 ? fuzz_xb_app.small : fuzz_xb_app.big;
	rxq.buf_size = (uint16_t)(rte_pktmbuf_data_room_size(rxq.mp) -
				  RTE_PKTMBUF_HEADROOM);
	nb = (uint16_t[]){ 1, 8, 32, 256 }[(data[0] >> 5) & 3];
	rxq.max_frame = data[0] & 0x80 ? 1500 + XENBACK_MTU_OVERHEAD :
		UINT32_MAX;
	memset(&rxq.credit, 0, sizeof(rxq.credit));

	/* a fresh connection at the input's index, as BACK_RING_ATTACH */
	FUZZ_XB_FRESH_RING(&rxq, sring, data);
	start = r->req_cons;
	ring_size = RING_SIZE(r);
	mask = ring_size - 1;

	/* the guest's requests, and the pages they name */
	nslots = fuzz_xenback_nslots(data[8], ring_size,
				     (size - HDR) / sizeof(netif_tx_request_t));
	stream = data + HDR + nslots * sizeof(netif_tx_request_t);
	stream_len = size - HDR - nslots * sizeof(netif_tx_request_t);
	/* slots beyond the input's: empty requests, each with its own id */
	memset(greq, 0, sizeof(greq));
	for (i = nslots; i < ring_size; i++)
		greq[(start + i) & mask].id = (uint16_t)(0xc000 | i);
	memset(filled, 0, sizeof(filled));
	for (i = 0; i < nslots; i++) {
		netif_tx_request_t *q = &greq[(start + i) & mask];

		memcpy(q, data + HDR + i * sizeof(*q), sizeof(*q));
		q->gref = fuzz_xenback_gref(q->gref);
	}
	for (i = 0; i < ring_size; i++) {
		*RING_GET_REQUEST(r, start + i) = greq[(start + i) & mask];
		fill_page(greq[i].gref, stream, stream_len);
	}

	split = nslots == 0 ? 0 : data[1] % (nslots + 1);
	extra = data[2] & 0x80 ? data[2] & 0x7f : 0;
	nb_got = 0;
	__atomic_store_n(&sring->req_prod, start + split, __ATOMIC_RELEASE);
	bursts(2, nb);
	cons = r->req_cons;
	/* beyond the slots written, past the ring on overflow */
	prod = fuzz_xenback_prod(start, nslots, extra, cons, ring_size,
				 &overflow);
	__atomic_store_n(&sring->req_prod, prod, __ATOMIC_RELEASE);
	bursts(ring_size / nb + 2 < 8 ? ring_size / nb + 2 : 8, nb);
#ifdef FUZZ_XB_ZC
	/*
	 * every delivered mbuf was freed at once: the next burst answers
	 * the packets held (and may deliver more, freed as well); after a
	 * violation the ring is left alone, its held ones answered by none
	 */
	for (k = 0; k < 8 && rxq.zc->nr_free != rxq.zc->nr &&
	     !xenpv_viol_is_set(&rxq.viol); k++)
		bursts(1, nb);
	if (!xenpv_viol_is_set(&rxq.viol) &&
	    (rxq.zc->nr_free != rxq.zc->nr ||
	     rxq.zc->slots_free != rxq.zc->nr))
		abort();
	if (xenpv_viol_is_set(&rxq.viol))
		check_responses_broken(start);
	else
#endif
	check_responses(start);
#ifdef FUZZ_XB_PGNT
	/* every copy through the mappings, at most one per guest page */
	if (rxq.st.copy_calls != 0 || rxq.pgnt->n > FUZZ_XB_NR_PAGES)
		abort();
#endif
	/* a producer beyond a ring of requests: nothing more taken */
	fuzz_xenback_check_overflow(overflow, cons, r->req_cons, &rxq.viol);

	for (k = 0; k < nb_got; k++) {
		rte_pktmbuf_free(got[k].m);
		free(got[k].data);
	}
#ifdef FUZZ_XB_ZC
	/*
	 * a violation ends the connection: its context goes (the packets it
	 * held are freed, so with the ring's reference it is destroyed), the
	 * next input connects with a new one, as xenback_queue_teardown and
	 * xenback_queue_connect do
	 */
	if (xenpv_viol_is_set(&rxq.viol)) {
		xenback_zc_put(&rxq.zc);
		if (xenback_zc_create(&rxq.zc, FUZZ_XB_GUEST,
				      RING_SIZE(&rxq.ring), SOCKET_ID_ANY) != 0)
			abort();
		rxq.pgnt = rxq.zc->pgnt;
	}
#endif
	/* nothing kept: every mbuf is back */
	fuzz_xenback_check_pools();
	return 0;
}
