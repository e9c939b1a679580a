/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The xen-dpdk authors
 */

/*
 * libFuzzer harness: net_xennet's RX response walk (xennet_rx_burst of
 * drivers/net/xennet/xennet_rxtx.c, compiled in as is) on a ring in memory,
 * as a hostile backend fills it. The input:
 *   byte 0: the queue's settings (scatter, LRO and RX checksum negotiated,
 *           feature-sg);
 *   byte 1: where the responses are split in two publications (a burst
 *           runs between them, so a packet may be left unfinished);
 *   byte 2: responses announced beyond those written (the producer
 *           overflow check);
 *   byte 3: the kicks (review D8): bits 0-1 the gap (notify_gap_us: 0, 5,
 *           50 or 65535 us) of both rings of the netif queue; bit 2 the
 *           netif queue has a TX ring (rxq->tx; without, as before its
 *           first connection); bits 3-4 kicks its TX ring asks for before
 *           the RX bursts (as TX bursts would);
 *   bytes 4, 5: the backend's req_event on the RX ring before the first
 *           bursts and before the later ones (FUZZ_XENNET_REQ_EVENT);
 *   then 8 bytes per response slot, written over the posted requests.
 * Beyond the sanitizers: every mbuf delivered is consistent (lengths,
 * segments), within the queue's length bound, carries only the offloads
 * negotiated, and every mbuf is back in the pool after each input; the
 * kicks the backend asked for on the RX ring are sent, owed or failed as
 * fuzz_xennet.h says, and once a short gap is over the next RX burst sends
 * what either ring of its netif queue owes (unless the RX ring broke: then
 * the control thread's round does).
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "fuzz_xennet.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NB_MBUFS 2048

static struct rte_mempool *mp;
static struct xennet_rxq rxq;
static void *sring_mem;
/* the TX ring of the same netif queue: only its kick is used */
static struct xennet_txq txq;
static struct fuzz_kick fk_rx, fk_tx;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	void *slots;

	(void)argc;
	mp = fuzz_xennet_eal((*argv)[0], NB_MBUFS, RTE_MBUF_DEFAULT_BUF_SIZE);
	sring_mem = fuzz_xennet_queue_mem(XENPV_RX_RING_SIZE(0),
					  sizeof(*rxq.slots), &slots,
					  &rxq.pages);
	rxq.slots = slots;
	rxq.mp = mp;
	xenpv_dp_open(&rxq.guard);
	return 0;
}

/* What the application may rely on for each mbuf delivered. */
static void
check_mbuf(const struct rte_mbuf *m)
{
	const char *reason;

	/* segment lengths add up to pkt_len, nb_segs is the chain's length */
	if (rte_mbuf_check(m, 1, &reason) != 0 || m->pkt_len == 0 ||
	    m->pkt_len > rxq.max_len || (m->nb_segs > 1 && !rxq.scatter))
		abort();
	if ((m->ol_flags & RTE_MBUF_F_RX_LRO) && !rxq.gso)
		abort();
	if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
	    RTE_MBUF_F_RX_L4_CKSUM_NONE && !rxq.csum)
		abort();
}

static void
bursts(unsigned int times)
{
	struct rte_mbuf *pkts[32];
	uint16_t n, i;

	while (times-- > 0) {
		fuzz_kick_before(&fk_rx, rxq.ring.sring->req_prod);
		n = xennet_rx_burst(&rxq, pkts, RTE_DIM(pkts));
		fuzz_kick_after(&fk_rx, rxq.ring.sring->req_prod,
				rxq.ring.sring->req_event);
		for (i = 0; i < n; i++)
			check_mbuf(pkts[i]);
		rte_pktmbuf_free_bulk(pkts, n);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int gaps[] = FUZZ_XENNET_GAPS;
	netif_rx_sring_t *sring = sring_mem;
	netif_rx_front_ring_t *r = &rxq.ring;
	uint32_t nslots, split, extra, ring_size, i;
	RING_IDX cons;
	bool gap_over;
	const size_t hdr = 6;

	if (size < hdr)
		return 0;
	/* a fresh connection each time */
	FUZZ_XENNET_FRESH_RING(r, sring);
	ring_size = RING_SIZE(r);
	rxq.scatter = data[0] & 1;
	rxq.gso = (data[0] >> 1) & 1;
	rxq.csum = (data[0] >> 2) & 1;
	rxq.max_len = (data[0] >> 3) & 1 ? XENPV_NETIF_MAX_FRAME :
		XENPV_PAGE_SIZE;
	memset(&rxq.stats, 0, sizeof(rxq.stats));
	memset(&txq.stats, 0, sizeof(txq.stats));
	xennet_rxq_post_all(&rxq);
	fuzz_kick_arm(&fk_rx, &rxq.kick, gaps[data[3] & 3], &rxq.stats.kicks,
		      &rxq.stats.kicks_held, &rxq.stats.kick_errors);
	fuzz_kick_arm(&fk_tx, &txq.kick, gaps[data[3] & 3], &txq.stats.kicks,
		      &txq.stats.kicks_held, &txq.stats.kick_errors);
	rxq.tx = (data[3] & 4) ? &txq : NULL;
	for (i = 0; rxq.tx != NULL && i < ((data[3] >> 3) & 3u); i++)
		fuzz_kick_ask(&fk_tx);
	FUZZ_XENNET_REQ_EVENT(sring, data[4]);

	nslots = (uint32_t)(size - hdr) / sizeof(netif_rx_response_t);
	if (nslots > ring_size)
		nslots = ring_size;
	split = nslots == 0 ? 0 : data[1] % (nslots + 1);
	extra = data[2] & 0x80 ? data[2] & 0x7f : 0;
	cons = r->rsp_cons;
	FUZZ_XENNET_WRITE_RSPS(r, data + hdr, nslots);

	__atomic_store_n(&sring->rsp_prod, cons + split, __ATOMIC_RELEASE);
	bursts(2);
	__atomic_store_n(&sring->rsp_prod, cons + nslots + extra,
			 __ATOMIC_RELEASE);
	FUZZ_XENNET_REQ_EVENT(sring, data[5]);
	bursts(4);

	/*
	 * Past a short gap, the next RX burst sends what both rings of the
	 * netif queue owe, unless the ring broke (it then reads nothing
	 * more): the control thread's round does.
	 */
	gap_over = fuzz_kick_wait_gap(&fk_rx) && fuzz_kick_wait_gap(&fk_tx);
	FUZZ_XENNET_REQ_EVENT(sring, 0x80);	/* this one asks no kick */
	bursts(1);
	if (gap_over && !xenpv_viol_is_set(&rxq.viol) &&
	    (__atomic_load_n(&rxq.kick.owed, __ATOMIC_RELAXED) ||
	     __atomic_load_n(&txq.kick.owed, __ATOMIC_RELAXED)))
		abort();
	fuzz_kick_ctl_flush(&fk_rx);
	fuzz_kick_end(&fk_rx, gap_over);
	if (rxq.tx != NULL) {
		fuzz_kick_ctl_flush(&fk_tx);
		fuzz_kick_end(&fk_tx, gap_over);
	}

	/* nothing kept: every mbuf is back */
	if (rte_mempool_avail_count(mp) != NB_MBUFS)
		abort();
	return 0;
}
