/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * libFuzzer harness: net_xenback's guest-RX response production
 * (xenback_tx_burst of drivers/net/xenback/xenback_guest_rx.c, compiled in
 * as is): what the application transmits is laid out over the buffers a
 * hostile guest posted on its RX ring (an order-0 ring in memory) and
 * grant-copied by xenemu into the guest's pages (fuzz_xenback.h). The
 * input:
 *   byte 0: what the guest negotiated and our switches: bit 0
 *           feature-sg, 1 feature-gso-tcpv4, 2 feature-gso-tcpv6, 3 csum
 *           offload, 4 feature-ipv6-csum-offload, 5 our csum, 6 our sg;
 *           bit 7: the application's mbufs have 256 bytes (else 2048);
 *   byte 1: where the guest's buffers are split in two publications (a
 *           burst runs in between: too few buffers for a packet);
 *   byte 2: buffers announced beyond those written (bit 7; beyond the
 *           ring: the producer overflow check);
 *   byte 3: the guest's rsp_event, relative to the start;
 *   bytes 4-7: the ring index the connection starts at;
 *   byte 8: the number of buffers (netif_rx_request, 8 bytes each: id,
 *           pad, gref as fuzz_xenback_gref maps it) that follow (after
 *           byte 9 with FUZZ_XB_PGNT, below);
 *   then one byte, the number of packets (up to 32), and 8 bytes each:
 *           length (le16; modulo 9019 unless bit 7 of the next byte is
 *           set), segments (bits 0-3, at least as many as the length
 *           needs), offload flags (bit 0 TCP_SEG, 1 IPV4,
 *           2 IPV6, 3 IP_CKSUM, 4-5 the L4 checksum type), l2_len,
 *           l3_len, l4_len, tso_segsz / 8;
 *   the rest: the packets' bytes.
 * Beyond the sanitizers, after each input: every buffer taken is answered
 * exactly once, in its own slot, with its id; a packet's first response
 * carries only the flags negotiated (more_data with sg, extra_info with
 * GSO, csum_blank with checksum offload), a GSO extra is well formed, a
 * status is an error or a length within the page; the packets answered
 * are, in order, packets the application sent, with their bytes (except
 * checksum fields the driver filled in) where the guest's pages show them;
 * every mbuf is back in its pool, taken or not.
 *
 * Built with FUZZ_XB_PGNT (harness xenback_rx_pgnt, fuzz_xenback_rx_pgnt.c)
 * the ring runs with persistent grants (xenback_pgnt.c): the guest's
 * buffers are mapped writable the first time a buffer names them, in a
 * table of the input's own (created before its bursts, destroyed after),
 * and written with memcpy. Byte 9 of the input is then the table's bound:
 * XENPV_NETIF_PGNT_MAX(byte % 16 + 1) refs, 18 to 288 (the guest has 248
 * writable pages), so that a guest naming too many distinct refs is
 * reached. The same checks hold, and: no grant-copy call; at most the
 * bound mapped, each a writable page of the guest (never a read-only one
 * or an unknown ref), whose mapping shows the guest's page, and each named
 * by a buffer taken; every buffer answered OKAY is mapped; a buffer answered
 * with an error only after a persistent-grant violation (a ref beyond the
 * bound, named by a buffer taken, with the table full; or a ref that
 * cannot be mapped writable); without one, the table holds exactly the
 * refs of the buffers answered OKAY; destroying the table unmaps them all.
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

#define NB_BIG 4096
#define NB_SMALL 8192
#ifdef FUZZ_XB_PGNT
#define HDR 10		/* byte 9: the persistent grants' bound */
#else
#define HDR 9
#endif
#define MAX_PKTS 32
#define PKT_DESC 8

static struct xenback_txq txq;
static void *sring_mem;
/* the buffers as the guest posted them (responses overwrite the ring) */
static netif_rx_request_t greq[XENPV_RX_RING_SIZE(0)];
/* buffers of this input using each page (two: its content is unsure) */
static uint16_t page_users[FUZZ_XB_NR_PAGES];

/* A packet the application sent: its bytes and what it asked for. */
struct sent {
	uint8_t bytes[XENPV_NETIF_MAX_FRAME];
	uint32_t len;
	uint64_t ol;
	uint32_t hdrs;		/* l2 + l3 + l4 lengths it declared */
	bool taken;		/* tx_burst took it (answered or dropped) */
};
static struct sent sent[MAX_PKTS];
static unsigned int nb_sent;
static uint8_t rebuilt[XENPV_NETIF_MAX_FRAME];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	fuzz_xenback_init((*argv)[0], NB_BIG, NB_SMALL,
			  RTE_PKTMBUF_HEADROOM + 256);
	/* as xenback_queue_connect: one ring, its scratch, dom0's handles */
	FUZZ_XB_RING_INIT(&txq.ring, netif_rx_sring_t, sring_mem);
	if (xenback_txq_alloc_scratch(&txq, SOCKET_ID_ANY) != 0)
		abort();
	FUZZ_XB_QUEUE_HANDLES(&txq);
	rte_spinlock_init(&txq.lock);
	/* ethdev TX queue 0, the only sender on its ring */
	txq.map.ring = &txq;
	txq.map.lock = NULL;
	xenpv_dp_open(&txq.guard);
	return 0;
}

/*
 * Build the application's packet @k from its descriptor @d and the byte
 * stream; NULL if the pool cannot give the chain (then it is not sent).
 */
static struct rte_mbuf *
make_packet(unsigned int k, const uint8_t *d, const uint8_t *stream,
	    size_t stream_len, struct rte_mempool *mp)
{
	static const uint64_t l4[] = { 0, RTE_MBUF_F_TX_TCP_CKSUM,
		RTE_MBUF_F_TX_SCTP_CKSUM, RTE_MBUF_F_TX_UDP_CKSUM };
	struct sent *s = &sent[k];
	uint32_t room = rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM;
	uint32_t len = fuzz_le16(d), nseg, per, at = 0, i;
	struct rte_mbuf *m = NULL, *seg;

	/* up to a jumbo frame, unless bit 7 of the segment count says more */
	if (!(d[2] & 0x80))
		len %= 9019;
	nseg = (uint32_t)(d[2] % 16) + 1;
	if (nseg < (len + room - 1) / room)
		nseg = (len + room - 1) / room;
	if (len == 0)
		nseg = 1;
	per = (len + nseg - 1) / nseg;
	s->len = len;
	/* the stream from a packet-dependent point, cyclically */
	fuzz_xenback_fill(s->bytes, len, stream, stream_len, (size_t)k * 97);
	for (i = 0; i < nseg; i++) {
		uint32_t n = RTE_MIN(per, len - at);

		seg = rte_pktmbuf_alloc(mp);
		if (seg == NULL) {
			rte_pktmbuf_free(m);
			return NULL;
		}
		memcpy(rte_pktmbuf_append(seg, (uint16_t)n), s->bytes + at, n);
		at += n;
		/* far below RTE_MBUF_MAX_NB_SEGS segments: chaining cannot fail */
		if (m == NULL)
			m = seg;
		else
			(void)rte_pktmbuf_chain(m, seg);
	}
	s->ol = (d[3] & 1 ? RTE_MBUF_F_TX_TCP_SEG : 0) |
		(d[3] & 2 ? RTE_MBUF_F_TX_IPV4 : 0) |
		(d[3] & 4 ? RTE_MBUF_F_TX_IPV6 : 0) |
		(d[3] & 8 ? RTE_MBUF_F_TX_IP_CKSUM : 0) | l4[(d[3] >> 4) & 3];
	m->ol_flags = s->ol;
	m->l2_len = d[4];
	m->l3_len = d[5];
	m->l4_len = d[6];
	m->tso_segsz = (uint16_t)(d[7] * 8);
	s->hdrs = (uint32_t)m->l2_len + m->l3_len + m->l4_len;
	s->taken = false;
	return m;
}

/*
 * Is @got (@len bytes rebuilt from the guest's pages) sent packet @s?
 * Exactly its bytes, but for a packet with checksum offloads, where the
 * driver fills checksum fields in: up to 4 bytes, within its headers.
 */
static bool
same_bytes(const struct sent *s, const uint8_t *got, uint32_t len)
{
	unsigned int diff = 0;
	uint32_t i;

	if (len != s->len)
		return false;
	if (memcmp(got, s->bytes, len) == 0)
		return true;
	for (i = 0; i < len; i++) {
		if (got[i] == s->bytes[i])
			continue;
		if (!(s->ol & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_L4_MASK |
			       RTE_MBUF_F_TX_IP_CKSUM)) ||
		    i >= s->hdrs + 20 || ++diff > 4)
			return false;
	}
	return true;
}

static void
dump(RING_IDX start, RING_IDX prod, uint32_t mask)
{
	unsigned int k;
	RING_IDX i;

	for (i = start; i != prod; i++) {
		const netif_rx_response_t *rsp = RING_GET_RESPONSE(&txq.ring, i);

		fprintf(stderr, "+%u: buffer id %#x gref %#x (page %d); response id %#x offset %u flags %#x status %d\n",
			i - start, greq[i & mask].id, greq[i & mask].gref,
			fuzz_xenback_page_of(greq[i & mask].gref), rsp->id,
			rsp->offset, rsp->flags, rsp->status);
	}
	for (k = 0; k < nb_sent; k++)
		fprintf(stderr, "packet %u: %u bytes, ol %#" PRIx64 ", %s\n", k,
			sent[k].len, sent[k].ol,
			sent[k].taken ? "taken" : "not taken");
	fprintf(stderr, "violation %u (%u, %u)\n", txq.viol.code, txq.viol.a,
		txq.viol.b);
#ifdef FUZZ_XB_PGNT
	fprintf(stderr, "persistent grants: %u of %u mapped\n", txq.pgnt->n,
		txq.pgnt->max);
#endif
}

#ifdef FUZZ_XB_PGNT
/* the guest's pages the table maps (check_pgnt_table) */
static bool pgnt_mapped[FUZZ_XB_NR_PAGES];
/* a buffer was answered with an error (check_responses) */
static bool pgnt_failed;

/* Is @gref a page of the guest granted writable (what RX may map)? */
static bool
pgnt_writable(uint32_t gref)
{
	int p = fuzz_xenback_page_of(gref);

	return p >= 0 && p < FUZZ_XB_NR_PAGES - FUZZ_XB_NR_RO;
}

/*
 * The ring's table after the bursts: at most the bound, each entry a
 * writable page of the guest whose mapping shows that page, named by a
 * buffer the backend took (@start to @prod); pgnt_mapped[] set from it.
 */
static void
check_pgnt_table(RING_IDX start, RING_IDX prod)
{
	const struct xenback_pgnt *pg = txq.pgnt;
	uint32_t mask = RING_SIZE(&txq.ring) - 1, n = 0, e;
	bool named;
	RING_IDX i;
	int p;

	memset(pgnt_mapped, 0, sizeof(pgnt_mapped));
	if (txq.st.copy_calls != 0 || pg->n > pg->max ||
	    txq.st.pgnt_mapped != pg->n)
		abort();
	for (e = 0; e < (1u << pg->bits); e++) {
		if (pg->ent[e].va == NULL)
			continue;
		n++;
		if (!pgnt_writable(pg->ent[e].ref))
			abort();
		p = fuzz_xenback_page_of(pg->ent[e].ref);
		if (pgnt_mapped[p] || memcmp(pg->ent[e].va, fuzz_xb_guest.page[p],
					     XENPV_PAGE_SIZE) != 0)
			abort();
		pgnt_mapped[p] = true;
		named = false;
		for (i = start; i != prod && !named; i++)
			named = greq[i & mask].gref == pg->ent[e].ref;
		if (!named)
			abort();
	}
	if (n != pg->n)
		abort();
}

/*
 * The violation, if persistent grants made one: a ref beyond the bound
 * (the table full, the ref not in it, named by a buffer taken) or one that
 * cannot be mapped writable. Without one, no buffer failed and the table
 * holds exactly the refs of the buffers answered OKAY (@ok_refs distinct).
 */
static void
check_pgnt_viol(RING_IDX start, RING_IDX prod, uint32_t ok_refs)
{
	const struct xenback_pgnt *pg = txq.pgnt;
	uint32_t mask = RING_SIZE(&txq.ring) - 1;
	bool named = false;
	RING_IDX i;
	int p;

	switch (txq.viol.code) {
	case XENPV_VIOL_PGNT_BOUND:
		p = fuzz_xenback_page_of(txq.viol.a);
		if (pg->n != pg->max || txq.viol.b != pg->max ||
		    (p >= 0 && pgnt_mapped[p]))
			abort();
		break;
	case XENPV_VIOL_PGNT_MAP:
		if (pgnt_writable(txq.viol.a) || txq.viol.b != 1)
			abort();
		break;
	default:
		if (pgnt_failed || ok_refs != pg->n)
			abort();
		return;
	}
	for (i = start; i != prod && !named; i++)
		named = greq[i & mask].gref == txq.viol.a;
	if (!named)
		abort();
}
#endif

/* The guest's walk of its RX responses, as a netfront reads them. */
static void
check_responses(RING_IDX start)
{
	netif_rx_back_ring_t *r = &txq.ring;
	/* every buffer taken answered, nothing else */
	RING_IDX prod = FUZZ_XB_RESPONSES(r, start, dump);
	uint32_t mask = RING_SIZE(r) - 1;
	bool sg = txq.fe.sg && txq.sg;
	bool gso4 = sg && txq.fe.gso_tcpv4, gso6 = sg && txq.fe.gso_tcpv6;
	bool blank = txq.csum && (txq.fe.csum || txq.fe.ipv6_csum);
	unsigned int next = 0, answered = 0;
	RING_IDX i;
#ifdef FUZZ_XB_PGNT
	/* distinct pages of the buffers answered OKAY */
	static bool ok_page[FUZZ_XB_NR_PAGES];
	uint32_t ok_refs = 0;

	memset(ok_page, 0, sizeof(ok_page));
	pgnt_failed = false;
	check_pgnt_table(start, prod);
#endif

	memset(page_users, 0, sizeof(page_users));
	for (i = start; i != prod; i++) {
		int p = fuzz_xenback_page_of(greq[i & mask].gref);

		if (p >= 0)
			page_users[p]++;
	}

	for (i = start; i != prod;) {
		const netif_rx_response_t *rsp = RING_GET_RESPONSE(r, i);
		bool failed = rsp->status == NETIF_RSP_ERROR;
		bool more, sure = true;
		uint32_t len = 0, nbuf = 0;
		uint16_t flags = rsp->flags;

		if ((flags & NETRXF_more_data && !sg) ||
		    (flags & NETRXF_extra_info && !gso4 && !gso6) ||
		    (flags & NETRXF_csum_blank && !blank))
			abort();
		/* its data buffers; the GSO extra in the slot after the first */
		more = true;
		while (more) {
			const netif_rx_request_t *q = &greq[i & mask];
			int p;

			if (i == prod)
				abort();	/* half a packet answered */
			rsp = RING_GET_RESPONSE(r, i);
			if (rsp->id != q->id || (rsp->status ==
			    NETIF_RSP_ERROR) != failed || (!failed &&
			    (rsp->status <= 0 || rsp->offset +
			     (uint32_t)rsp->status > XENPV_PAGE_SIZE)))
				abort();
			more = (rsp->flags & NETRXF_more_data) != 0;
			p = fuzz_xenback_page_of(q->gref);
			if (!failed && (p < 0 || page_users[p] > 1))
				sure = false;
#ifdef FUZZ_XB_PGNT
			/* written through the table: mapped */
			if (failed)
				pgnt_failed = true;
			else if (p < 0 || !pgnt_mapped[p])
				abort();
			else if (!ok_page[p]) {
				ok_page[p] = true;
				ok_refs++;
			}
#endif
			if (!failed && p >= 0 && len + rsp->status <=
			    sizeof(rebuilt))
				memcpy(rebuilt + len, fuzz_xb_guest.page[p] +
				       rsp->offset, rsp->status);
			if (!failed)
				len += rsp->status;
			nbuf++;
			i++;
			if (nbuf == 1 && (flags & NETRXF_extra_info)) {
				netif_extra_info_t ex;

				if (i == prod)
					abort();
				memcpy(&ex, RING_GET_RESPONSE(r, i),
				       sizeof(ex));
				/*
				 * GSO, of a type negotiated, and so with a
				 * blank checksum: only to a guest that takes
				 * one for that IP version (Linux netback
				 * turns TSO off without it).
				 */
				if (ex.type != XEN_NETIF_EXTRA_TYPE_GSO ||
				    ex.flags != 0 || ex.u.gso.size == 0 ||
				    !((ex.u.gso.type ==
				       XEN_NETIF_GSO_TYPE_TCPV4 && gso4 &&
				       txq.fe.csum) ||
				      (ex.u.gso.type ==
				       XEN_NETIF_GSO_TYPE_TCPV6 && gso6 &&
				       txq.fe.ipv6_csum)) ||
				    !(flags & NETRXF_csum_blank))
					abort();
				i++;
			}
		}
		if (nbuf > XENPV_NETIF_MAX_SLOTS || len > XENPV_NETIF_MAX_FRAME)
			abort();
		answered++;
		/*
		 * In order, a packet the application sent and tx_burst took
		 * (the earliest that fits: dropped ones have no answer).
		 */
		while (next < nb_sent &&
		       !(sent[next].taken &&
			 (failed || (sure ? same_bytes(&sent[next], rebuilt,
						       len) :
				     sent[next].len == len))))
			next++;
		if (next == nb_sent)
			abort();
		next++;
	}
	if (answered != txq.st.packets + txq.st.errors)
		abort();
#ifdef FUZZ_XB_PGNT
	check_pgnt_viol(start, prod, ok_refs);
#endif
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	netif_rx_sring_t *sring = sring_mem;
	netif_rx_back_ring_t *r = &txq.ring;
	struct rte_mbuf *pkts[MAX_PKTS];
	const uint8_t *desc, *stream;
	uint32_t nreqs, npkts, split, extra, i, ring_size, mask;
	struct rte_mempool *mp;
	size_t stream_len, at;
	RING_IDX start, cons, prod;
	bool overflow;
	unsigned int k, done, n, tries;

	if (size < HDR + 1)
		return 0;
	/* the negotiation */
	txq.fe.sg = data[0] & 1;
	txq.fe.gso_tcpv4 = (data[0] >> 1) & 1;
	txq.fe.gso_tcpv6 = (data[0] >> 2) & 1;
	txq.fe.csum = (data[0] >> 3) & 1;
	txq.fe.ipv6_csum = (data[0] >> 4) & 1;
	txq.csum = (data[0] >> 5) & 1;
	txq.sg = (data[0] >> 6) & 1;
	mp = data[0] & 0x80 ? fuzz_xb_app.small : fuzz_xb_app.big;

	/* a fresh connection at the input's index, as BACK_RING_ATTACH */
	FUZZ_XB_FRESH_RING(&txq, sring, data);
	start = r->req_cons;
#ifdef FUZZ_XB_PGNT
	/* this input's table, its bound from byte 9 */
	if (xenback_pgnt_create(&txq.pgnt, fuzz_xb_dom0.xgt, FUZZ_XB_GUEST,
				data[9] % 16 + 1, true) != 0)
		abort();
#endif
	ring_size = RING_SIZE(r);
	mask = ring_size - 1;

	/* the guest's buffers; slots beyond the input's each get an id */
	nreqs = fuzz_xenback_nslots(data[8], ring_size,
				    (size - HDR - 1) / sizeof(netif_rx_request_t));
	memset(greq, 0, sizeof(greq));
	for (i = 0; i < ring_size; i++) {
		netif_rx_request_t *q = &greq[(start + i) & mask];

		if (i < nreqs) {
			memcpy(q, data + HDR + i * sizeof(*q), sizeof(*q));
			q->gref = fuzz_xenback_gref(q->gref);
		} else {
			q->id = (uint16_t)(0xc000 | i);
		}
		*RING_GET_REQUEST(r, start + i) = *q;
	}
	/* the pages they name: a known pattern, to see what is written */
	memset(page_users, 0, sizeof(page_users));
	for (i = 0; i < ring_size; i++) {
		int p = fuzz_xenback_page_of(greq[i].gref);

		if (p >= 0 && p < FUZZ_XB_NR_PAGES - FUZZ_XB_NR_RO &&
		    page_users[p]++ == 0)
			memset(fuzz_xb_guest.page[p], 0xa5, XENPV_PAGE_SIZE);
	}

	/* the application's packets */
	at = HDR + nreqs * sizeof(netif_rx_request_t);
	npkts = data[at] % (MAX_PKTS + 1);
	at++;
	if (npkts > (size - at) / PKT_DESC)
		npkts = (uint32_t)((size - at) / PKT_DESC);
	desc = data + at;
	stream = desc + npkts * PKT_DESC;
	stream_len = size - at - npkts * PKT_DESC;
	nb_sent = 0;
	for (k = 0; k < npkts; k++) {
		struct rte_mbuf *m = make_packet(nb_sent, desc + k * PKT_DESC,
						 stream, stream_len, mp);

		if (m != NULL)
			pkts[nb_sent++] = m;
	}

	/* buffers posted in two steps, the packets sent in bursts */
	split = nreqs == 0 ? 0 : data[1] % (nreqs + 1);
	extra = data[2] & 0x80 ? data[2] & 0x7f : 0;
	__atomic_store_n(&sring->req_prod, start + split, __ATOMIC_RELEASE);
	done = xenback_tx_burst(&txq, pkts, (uint16_t)nb_sent);
	if (done > nb_sent)
		abort();
	cons = r->req_cons;
	/* beyond the slots written, past the ring on overflow */
	prod = fuzz_xenback_prod(start, nreqs, extra, cons, ring_size,
				 &overflow);
	__atomic_store_n(&sring->req_prod, prod, __ATOMIC_RELEASE);
	/* (at least once: a burst of nothing still reads the producer) */
	tries = 0;
	do {
		n = xenback_tx_burst(&txq, pkts + done,
				     (uint16_t)(nb_sent - done));
		if (n > nb_sent - done)
			abort();
		done += n;
	} while (++tries < 4 && done < nb_sent);
	for (k = 0; k < done; k++)
		sent[k].taken = true;
	/* what tx_burst did not take stays the application's */
	rte_pktmbuf_free_bulk(pkts + done, nb_sent - done);

	check_responses(start);
	/* a producer beyond a ring of buffers: nothing more taken */
	fuzz_xenback_check_overflow(overflow, cons, r->req_cons, &txq.viol);

#ifdef FUZZ_XB_PGNT
	/* the connection's end: every mapping undone */
	n = txq.pgnt->n;
	if (xenback_pgnt_destroy(&txq.pgnt) != n || txq.pgnt != NULL)
		abort();
#endif
	/* every mbuf is back, taken or not */
	fuzz_xenback_check_pools();
	return 0;
}
